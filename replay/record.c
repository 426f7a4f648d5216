/* Recording a guest's MPU calls as a trace (replay/record.h). */
#include <stdlib.h>
#include <string.h>

#include "common/bits.h"
#include "mm/mm.h"
#include "replay/record.h"
#include "replay/replay.h"

#define CALLER_DEPTH 3 /* frames named in a note: the caller, its caller, ... */

struct rec_sym {
    char symbol[REPLAY_ADAPTER_NAME];
    unsigned ops;                  /* bit per enum trace_op this symbol serves */
};

struct replay_recorder {
    struct sim *s;                 /* borrowed */
    struct replay_adapter a;
    char generator[128];
    FILE *f;                       /* the trace being written (borrowed) */
    int header_done;               /* the header line is written */
    struct rec_sym sym[TRACE_OP_COUNT];
    unsigned nsym;
    unsigned active;               /* recorded calls entered and not yet returned */
    struct { int op; uint64_t args[SIM_MAX_ARGS]; char note[256]; } top; /* the outer call */
    unsigned long calls, nested;
    int failed;                    /* a write failed: err holds why */
    struct mpusim_error err;
};

/* Boot regions: the EL2 regions enabled now, which must be 0..n-1 (the boot code's order). */
static void boot_regions(struct replay_recorder *r, struct trace *t,
                         struct trace_boot_region *boot)
{
    const struct mpu *m = sim_mpu(r->s);
    unsigned n = mpu_unit_of(m, 2)->nregions;
    t->nboot = 0;
    for (unsigned i = 0; i < n; i++) {
        struct mpu_region_view v = mpu_region(m, 2, i);
        if (!v.enabled)
            break;
        struct trace_boot_region *b = &boot[t->nboot++];
        memset(b, 0, sizeof *b);
        b->base = v.base;
        b->limit = v.last + 1;
        b->flags = replay_boot_flags(&v);
        snprintf(b->name, sizeof b->name, "boot region %u", i);
    }
}

/* Regions in use after a call: the adapter's in-use bitmap when it names one (the algorithm's
 * own count, what a replay compares), else the EL2 regions enabled in the model. */
static int used_now(struct replay_recorder *r)
{
    struct sim_symbol y;
    if (r->a.used_bitmap[0] && sim_symbol(r->s, r->a.used_bitmap, &y, NULL) == 0) {
        uint64_t bytes = r->a.used_bytes ? r->a.used_bytes : y.size;
        uint8_t buf[64];
        if (bytes && bytes <= sizeof buf && sim_mem_read(r->s, y.addr, buf, bytes, NULL) == 0) {
            return (int)bits_popcount_bytes(buf, (size_t)bytes);
        }
    }
    return (int)mpu_unit_of(sim_mpu(r->s), 2)->enabled;
}

static void fail_write(struct replay_recorder *r, const struct mpusim_error *e)
{
    if (!r->failed)
        r->err = *e;
    r->failed = 1;
}

static void write_header(struct replay_recorder *r)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    struct trace_boot_region boot[256];
    t.regions = mpu_unit_of(sim_mpu(r->s), 2)->nregions;
    t.has_boot = 1;
    boot_regions(r, &t, boot);
    t.boot = boot;
    struct mpusim_error e;
    mpusim_error_clear(&e);
    if (trace_write_header_line(r->f, &t, r->generator, &e) != 0)
        fail_write(r, &e);
    r->header_done = 1;
}

/* "caller+0x1c < its caller+0x40 < ...": X30 at entry, then the frame records from X29. */
static void caller_note(struct replay_recorder *r, const struct sim_watch_call *c, char *buf,
                        size_t cap)
{
    char name[160];
    size_t n = (size_t)snprintf(buf, cap, "%s from %s", c->symbol,
                                sim_symbolize(r->s, c->lr, name, sizeof name));
    uint64_t fp = c->fp;
    for (int d = 1; d < CALLER_DEPTH && fp && n < cap; d++) {
        uint64_t rec[2]; /* frame record: previous X29, return address */
        if (sim_mem_read(r->s, fp, rec, sizeof rec, NULL) != 0 || !rec[1])
            break;
        n += (size_t)snprintf(buf + n, cap - n, " < %s",
                              sim_symbolize(r->s, rec[1], name, sizeof name));
        if (rec[0] <= fp)
            break;
        fp = rec[0];
    }
}

static void on_call(void *opaque, struct sim *s, int is_return, const struct sim_watch_call *c)
{
    (void)s;
    struct replay_recorder *r = opaque;
    unsigned k = 0;
    for (unsigned i = 0; i < r->nsym; i++)
        if (!strcmp(r->sym[i].symbol, c->symbol))
            k = i;
    if (!is_return) {
        if (r->active++) {
            r->nested++;
            return;
        }
        if (!r->header_done)
            write_header(r);
        r->top.op = replay_adapter_op_of_call(&r->a, r->sym[k].ops, c->args);
        memcpy(r->top.args, c->args, sizeof r->top.args);
        caller_note(r, c, r->top.note, sizeof r->top.note);
        return;
    }
    if (r->active == 0 || --r->active)
        return;
    if (r->top.op < 0 || r->failed)
        return;
    const struct replay_adapter_call *a = &r->a.op[r->top.op];
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.op = (enum trace_op)r->top.op;
    ev.line = -1;
    for (unsigned i = 0; i < a->nargs; i++) {
        uint64_t v = r->top.args[i];
        switch (a->arg[i].kind) {
        case REPLAY_ARG_BASE:
        case REPLAY_ARG_ADDR:
            ev.base = v;
            break;
        case REPLAY_ARG_LIMIT:
        case REPLAY_ARG_SIZE:
            ev.limit = v;
            break;
        case REPLAY_ARG_FLAGS:
            ev.flags = (unsigned)v;
            break;
        default:
            break;
        }
    }
    ev.expect.has = TRACE_EXPECT_RC | TRACE_EXPECT_USED;
    ev.expect.rc = (int)replay_adapter_rc(a, c->x0);
    ev.expect.used = used_now(r);
    struct mpusim_error e;
    mpusim_error_clear(&e);
    if (trace_write_event_line(r->f, &ev, r->top.note, NULL, &e) != 0)
        fail_write(r, &e);
    r->calls++;
}

struct replay_recorder *replay_recorder_new(struct sim *s, const struct replay_adapter *a,
                                            FILE *f, const char *generator,
                                            struct mpusim_error *err)
{
    struct replay_recorder *r = calloc(1, sizeof *r);
    if (!r) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory for the recorder");
        return NULL;
    }
    r->s = s;
    r->a = *a;
    snprintf(r->generator, sizeof r->generator, "%s", generator ? generator : "mpusim run --record");
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        if (!a->op[op].present)
            continue;
        unsigned k = 0;
        while (k < r->nsym && strcmp(r->sym[k].symbol, a->op[op].symbol))
            k++;
        if (k == r->nsym) {
            snprintf(r->sym[k].symbol, sizeof r->sym[k].symbol, "%s", a->op[op].symbol);
            r->nsym++;
        }
        r->sym[k].ops |= 1u << op;
    }
    for (unsigned k = 0; k < r->nsym; k++)
        if (sim_watch(s, r->sym[k].symbol, 1, on_call, r, err) != 0) {
            mpusim_error_at(err, MPUSIM_E_RANGE, a->source, -1, -1, -1,
                            "op symbol '%s' is not in the image", r->sym[k].symbol);
            free(r);
            return NULL;
        }
    r->f = f;
    return r;
}

unsigned long replay_recorder_calls(const struct replay_recorder *r) { return r->calls; }
unsigned long replay_recorder_nested(const struct replay_recorder *r) { return r->nested; }
unsigned long replay_recorder_unfinished(const struct replay_recorder *r) { return r->active; }

int replay_recorder_finish(struct replay_recorder *r, struct mpusim_error *err)
{
    if (!r->header_done && !r->failed)
        write_header(r); /* no call at all: the header alone, with the regions of the end */
    if (r->failed) {
        if (err && err->code == MPUSIM_OK)
            *err = r->err;
        return -1;
    }
    return 0;
}

void replay_recorder_free(struct replay_recorder *r)
{
    free(r);
}
