/*
 * The guest engine of replay: every algorithm event is a real call into an AArch64 ELF run by
 * sim/ (our build/guest/mm.elf, or a user's image), as its adapter file says
 * (replay/adapter.h, docs/guest.md). access and sysreg events go to the guest's MPU model.
 */
#include <stdlib.h>
#include <string.h>

#include "replay/adapter.h"
#include "replay/replay.h"
#include "sim/sim.h"

struct replay_guest {
    struct sim *sim;          /* owned */
    struct replay_adapter ad; /* the adapter as read */
    struct sim_core core;     /* timing costs (--core, else the built-in core) */
};

/* Guest log calls (mm_guest_log): the same sink as the native engine's messages. */
static void on_log(void *opaque, uint64_t id, const uint64_t arg[4])
{
    struct replay *r = opaque;
    if (id >= MM_MSG_COUNT)
        return;
    replay_note_message(r, (enum mm_msg)id, arg[0], arg[1], arg[2], arg[3]);
}

static int call(struct replay_guest *g, const struct replay_adapter_call *c,
                const struct trace_event *ev, const struct replay *r, int64_t *rc,
                struct replay_event_result *out, struct mpusim_error *err)
{
    uint64_t args[REPLAY_ADAPTER_MAX_ARGS];
    for (unsigned i = 0; i < c->nargs; i++)
        args[i] = replay_adapter_arg_value(c, i, ev, (unsigned)r->opt.algo, r->opt.xen_fixed,
                                           r->trace->nboot, r->mm.opt.reserve_k);
    struct sim_call_result res;
    int st = r->opt.budget ? sim_call_budget(g->sim, c->symbol, args, c->nargs, r->opt.budget,
                                             &res, err)
                           : sim_call(g->sim, c->symbol, args, c->nargs, &res, err);
    if (st != 0)
        return -1;
    *rc = replay_adapter_rc(c, res.x0);
    if (out) {
        out->insns = res.insns;
        out->cycles[0] = res.cycles.nominal;
        out->cycles[1] = res.cycles.min;
        out->cycles[2] = res.cycles.max;
    }
    return 0;
}

/* A getter (results.region / results.used): int in W0. */
static int getter(struct replay_guest *g, const char *symbol, int64_t *value,
                  struct mpusim_error *err)
{
    struct sim_call_result res;
    if (sim_call(g->sim, symbol, NULL, 0, &res, err) != 0)
        return -1;
    *value = sim_sext32(res.x0);
    return 0;
}

struct replay_guest *replay_guest_new(struct replay *r, struct mpusim_error *err)
{
    const struct trace *t = r->trace;
    if (!r->opt.adapter) {
        mpusim_error_set(err, MPUSIM_E_USAGE, "the guest engine needs an adapter file");
        return NULL;
    }
    struct replay_guest *g = calloc(1, sizeof *g);
    if (!g) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
        return NULL;
    }
    if (replay_adapter_read_file(r->opt.adapter, &g->ad, err) != 0)
        goto fail;
    const char *elf = r->opt.elf ? r->opt.elf : g->ad.elf;
    if (!elf[0]) {
        mpusim_error_at(err, MPUSIM_E_USAGE, r->opt.adapter, -1, -1, -1,
                        "the adapter names no \"elf\": give --elf");
        goto fail;
    }
    if (r->opt.core) {
        if (sim_core_read_file(r->opt.core, &g->core, err) != 0)
            goto fail;
    } else {
        sim_core_default(&g->core);
    }
    struct sim_options o;
    sim_options_default(&o);
    o.mpu = r->mpu.cfg;
    o.timing = !r->opt.no_timing;
    o.core = &g->core;
    o.on_log = on_log;
    o.opaque = r;
    if (r->opt.budget)
        o.budget = r->opt.budget;
    g->sim = sim_new(&o, err);
    if (!g->sim || sim_load_elf(g->sim, elf, err) != 0)
        goto fail;
    if (g->ad.exempt_image && sim_exempt_image(g->sim, err) != 0)
        goto fail;
    for (unsigned i = 0; i < g->ad.nstubs; i++)
        if (sim_stub(g->sim, g->ad.stub[i].symbol, g->ad.stub[i].value, err) != 0)
            goto fail;
    if (g->ad.has_boot) {
        uint64_t from = sim_entry(g->sim);
        if (g->ad.boot_from[0]) {
            struct sim_symbol sym;
            if (sim_symbol(g->sim, g->ad.boot_from, &sym, err) != 0)
                goto fail;
            from = sym.addr;
        }
        if (sim_run(g->sim, from, g->ad.boot_until[0] ? g->ad.boot_until : NULL,
                    g->ad.boot_budget, NULL, err) != 0)
            goto fail;
    }
    int64_t rc;
    if (g->ad.init.present) {
        if (call(g, &g->ad.init, NULL, r, &rc, NULL, err) != 0)
            goto fail;
        if (rc != 0) {
            mpusim_error_set(err, MPUSIM_E_ENGINE, "%s returned %lld", g->ad.init.symbol,
                             (long long)rc);
            goto fail;
        }
    }
    if (t->has_boot && g->ad.boot_call.present) {
        struct sim_symbol buf;
        if (sim_symbol(g->sim, g->ad.boot_buffer, &buf, err) != 0)
            goto fail;
        for (unsigned i = 0; i < t->nboot; i++) {
            uint64_t w[3] = { t->boot[i].base, t->boot[i].limit, t->boot[i].flags };
            if (sim_mem_write(g->sim, buf.addr + 24u * i, w, sizeof w, err) != 0)
                goto fail;
        }
        if (call(g, &g->ad.boot_call, NULL, r, &rc, NULL, err) != 0)
            goto fail;
        if (rc != 0) {
            mpusim_error_at(err, MPUSIM_E_RANGE, t->source, -1, -1, -1,
                            "boot: %u boot regions do not fit in %u MPU regions (guest)",
                            t->nboot, r->mpu.el2.nregions);
            goto fail;
        }
    }
    return g;
fail:
    replay_guest_free(g);
    return NULL;
}

void replay_guest_free(struct replay_guest *g)
{
    if (!g)
        return;
    sim_free(g->sim);
    free(g);
}

struct mpu *replay_guest_mpu(struct replay_guest *g) { return sim_mpu(g->sim); }

int replay_guest_step(struct replay *r, const struct trace_event *ev,
                      struct replay_event_result *out, struct mpusim_error *err)
{
    struct replay_guest *g = r->guest;
    struct mpu *m = sim_mpu(g->sim);
    out->has_rc = 1;
    out->rc = 0;
    out->region = -1;
    out->acc.fault = MPU_FAULT_NONE;
    out->has_insns = 1;
    out->insns = 0;
    out->cycles[0] = out->cycles[1] = out->cycles[2] = 0;
    switch (ev->op) {
    case TRACE_OP_ACCESS: {
        static const enum mpu_acc kinds[] = { MPU_ACC_READ, MPU_ACC_WRITE, MPU_ACC_EXEC };
        out->has_rc = 0;
        out->acc = mpu_check(m, ev->base, ev->limit, kinds[ev->kind], ev->el);
        out->region = out->acc.region >= 0 ? out->acc.region : -1;
        break;
    }
    case TRACE_OP_SYSREG:
        out->has_rc = 0;
        sim_mpu_write(g->sim, ev->reg, ev->limit);
        break;
    default: {
        const struct replay_adapter_call *c = &g->ad.op[ev->op];
        if (!c->present)
            return mpusim_error_at(err, MPUSIM_E_USAGE, r->opt.adapter, -1, -1, r->event,
                                   "the adapter has no call for op '%s'", trace_op_name(ev->op));
        const struct sim_stats *st = sim_stats(g->sim);
        uint64_t rd = st->sysreg_reads, wr = st->sysreg_writes;
        int64_t rc;
        if (call(g, c, ev, r, &rc, out, err) != 0)
            return -1;
        r->cur.sysreg_reads += st->sysreg_reads - rd;
        r->cur.sysreg_writes += st->sysreg_writes - wr;
        out->rc = (int)rc;
        if (g->ad.result_region[0]) {
            int64_t v;
            if (getter(g, g->ad.result_region, &v, err) != 0)
                return -1;
            out->region = v >= 0 ? (int)v : -1;
        }
        break;
    }
    }
    if (g->ad.result_used[0] && r->algo_events) {
        int64_t v;
        if (getter(g, g->ad.result_used, &v, err) != 0)
            return -1;
        out->used = (unsigned)v;
    } else {
        out->used = m->el2.enabled; /* no getter: what the hardware has enabled */
    }
    return 0;
}
