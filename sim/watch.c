/*
 * Call watches (sim/sim.h): a code hook on the first instruction of each watched function;
 * return hooks through a trap address in X30 (the sentinel + 4: never mapped, an exit of
 * uc_emu_start, so no instruction there is ever fetched or checked).
 */
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

struct sim_watch {
    const struct sim_symbol *sym; /* borrowed from the ELF */
    int want_return;
    sim_watch_fn fn;
    void *opaque;
};

struct sim_watch_frame {
    struct sim_watch_call call;   /* as reported at entry */
    uint64_t sp;                  /* SP at entry (a re-executed entry is not a new call) */
    uint64_t insns_at_entry;      /* instructions since the sim started */
};

struct sim_watchset {
    struct sim_watch w[SIM_MAX_WATCHES];
    unsigned n;
    struct sim_watch_frame frame[SIM_WATCH_DEPTH];
    unsigned depth;               /* frames in use */
    int stop_kind;                /* a callback's sim_watch_stop(): kind, or -1 */
    char stop_what[128];
};

uint64_t sim_watch_trap(const struct sim *s)
{
    return s->watch ? s->opt.sentinel + SIM_WATCH_TRAP_OFFSET : 0;
}

void sim_watch_stop(struct sim *s, enum sim_stop_kind kind, const char *what)
{
    if (!s->watch)
        return;
    s->watch->stop_kind = (int)kind;
    snprintf(s->watch->stop_what, sizeof s->watch->stop_what, "%s", what ? what : "");
}

static uint64_t reg(uc_engine *uc, int id)
{
    uint64_t v = 0;
    uc_reg_read(uc, id, &v);
    return v;
}

static void on_entry(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    (void)size;
    struct sim *s = opaque;
    struct sim_watchset *ws = s->watch;
    uint64_t trap = sim_watch_trap(s);
    uint64_t lr = reg(uc, UC_ARM64_REG_LR), sp = reg(uc, UC_ARM64_REG_SP);
    for (unsigned i = 0; i < ws->n; i++) {
        struct sim_watch *w = &ws->w[i];
        if (w->sym->addr != addr)
            continue;
        if (lr == trap && ws->depth && ws->frame[ws->depth - 1].call.id == i &&
            ws->frame[ws->depth - 1].sp == sp && ws->frame[ws->depth - 1].call.lr != trap)
            return; /* the same entry executed again (e.g. a block re-run to a fault) */
        struct sim_watch_call c;
        memset(&c, 0, sizeof c);
        c.symbol = w->sym->name;
        c.id = i;
        c.depth = ws->depth;
        for (unsigned a = 0; a < SIM_MAX_ARGS; a++)
            c.args[a] = reg(uc, UC_ARM64_REG_X0 + (int)a);
        c.lr = lr;
        c.fp = reg(uc, UC_ARM64_REG_X29);
        if (w->want_return && ws->depth < SIM_WATCH_DEPTH) {
            struct sim_watch_frame *f = &ws->frame[ws->depth++];
            f->call = c;
            f->sp = sp;
            f->insns_at_entry = s->stats.insns + s->insns;
            uc_reg_write(uc, UC_ARM64_REG_LR, &trap);
        }
        ws->stop_kind = -1;
        w->fn(w->opaque, s, 0, &c);
        if (ws->stop_kind >= 0)
            sim_stop_at(s, (enum sim_stop_kind)ws->stop_kind, addr, 0, ws->stop_what);
        return;
    }
}

int sim_watch(struct sim *s, const char *name, int want_return, sim_watch_fn fn, void *opaque,
              struct mpusim_error *err)
{
    const struct sim_symbol *y = sim_elf_find(&s->elf, name);
    if (!y)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "no symbol '%s' in %s", name, s->elf.path);
    if (!s->watch && !(s->watch = calloc(1, sizeof *s->watch)))
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory for call watches");
    struct sim_watchset *ws = s->watch;
    if (ws->n == SIM_MAX_WATCHES)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "more than %d watched symbols",
                                SIM_MAX_WATCHES);
    for (unsigned i = 0; i < ws->n; i++)
        if (ws->w[i].sym->addr == y->addr)
            return mpusim_error_set(err, MPUSIM_E_RANGE, "%s: 0x%llx is already watched as %s",
                                    name, (unsigned long long)y->addr, ws->w[i].sym->name);
    ws->w[ws->n] = (struct sim_watch){ y, want_return, fn, opaque };
    ws->n++;
    uc_hook h;
    uc_err e = uc_hook_add(s->uc, &h, UC_HOOK_CODE, (void *)on_entry, s, y->addr, y->addr);
    if (e == UC_ERR_OK) /* blocks translated before the hook existed do not call it */
        e = uc_ctl_remove_cache(s->uc, y->addr, y->addr + SIM_INSN_SIZE);
    if (e != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "watch on %s: %s", name, uc_strerror(e));
    return 0;
}

int sim_watch_returned(struct sim *s, uint64_t *pc)
{
    struct sim_watchset *ws = s->watch;
    uint64_t trap = sim_watch_trap(s);
    uint64_t to = trap;
    /* a watched function that tail-called another returns through both frames at once */
    while (to == trap) {
        if (!ws || ws->depth == 0) {
            s->stop.kind = SIM_STOP_EXCEPTION;
            s->stop.pc = trap;
            snprintf(s->stop.what, sizeof s->stop.what,
                     "return to the watch trap 0x%llx with no watched call active",
                     (unsigned long long)trap);
            return 0;
        }
        struct sim_watch_frame *f = &ws->frame[--ws->depth];
        f->call.x0 = reg(s->uc, UC_ARM64_REG_X0);
        f->call.insns = s->stats.insns + s->insns - f->insns_at_entry;
        to = f->call.lr;
        ws->stop_kind = -1;
        ws->w[f->call.id].fn(ws->w[f->call.id].opaque, s, 1, &f->call);
        if (ws->stop_kind >= 0) {
            s->stop.kind = (enum sim_stop_kind)ws->stop_kind;
            s->stop.pc = to;
            snprintf(s->stop.what, sizeof s->stop.what, "%s", ws->stop_what);
            sim_set_pc(s, to);
            return 0;
        }
    }
    *pc = to;
    sim_set_pc(s, to);
    return 1;
}

void sim_watch_free(struct sim *s)
{
    free(s->watch);
    s->watch = NULL;
}
