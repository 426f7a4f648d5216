/* Replay of trace events through the algorithm on the MPU model (native engine). */
#include "replay/replay.h"

#include <stdlib.h>
#include <string.h>

#define MAX_MISMATCHES 100

/* The native engine's table as the last cross-check saw it (cross_check_native). The check's
 * outcome (r->diverged, the notes) depends only on the table's PRBAR/PRLAR and the registers,
 * and after a check r->diverged is what it found: so when an event wrote no register and left
 * the table's PRBAR/PRLAR as they were (an access, a refcount change, a refused call),
 * checking again would change nothing, and is skipped. */
struct replay_xcheck {
    int valid;                   /* 0: no check yet, or registers may have changed unseen */
    const struct mpu_unit *unit; /* the registers compared */
    unsigned n;                  /* table entries compared */
    uint64_t prbar[MPU_MAX_REGIONS], prlar[MPU_MAX_REGIONS];
};

/* ---- native engine: mm/'s hw interface wired to the model, with per-call counters ---- */

/* The MPU mm/ reaches now: CPU 0's, or under bao the selected CPU's. */
static struct mpu *hw_mpu(struct replay *r)
{
    return r->bao_cpu ? replay_bao_mpu(r, r->bao_cpu) : &r->mpu;
}

static uint64_t hw_read(void *opaque, unsigned enc)
{
    struct replay *r = opaque;
    r->cur.sysreg_reads++;
    return mpu_read(hw_mpu(r), mpu_reg_from_encoding(enc));
}

static void hw_write(void *opaque, unsigned enc, uint64_t value)
{
    struct replay *r = opaque;
    r->cur.sysreg_writes++;
    r->bao_cur[r->bao_cpu].writes++;
    mpu_write(hw_mpu(r), mpu_reg_from_encoding(enc), value);
}

static void hw_barrier(void *opaque, enum mm_barrier b)
{
    struct replay *r = opaque;
    (void)b; /* the model applies every write at once: barriers are counted, not modelled */
    r->cur.barriers++;
    r->bao_cur[r->bao_cpu].barriers++;
}

static void hw_cpu(void *opaque, unsigned cpu)
{
    struct replay *r = opaque;
    r->bao_cpu = cpu < r->bao_ncpus ? cpu : 0;
}

static void add_note(struct replay *r, const struct replay_note *n)
{
    if (r->nnotes < (unsigned)r->opt.keep_findings)
        r->notes[r->nnotes++] = *n;
}

void replay_note_message(struct replay *r, enum mm_msg id, uint64_t a, uint64_t b, uint64_t c,
                         uint64_t d)
{
    if (r->guest_echo)
        return; /* --engine both: each message once, the native engine's */
    r->msg_count[id]++;
    int finding = mm_msg_is_finding(id);
    if (!finding && !r->opt.on_message)
        return;
    struct replay_note n = { .event = r->event, .id = id, .region = -1 };
    mm_msg_format(id, a, b, c, d, n.text, sizeof n.text);
    if (r->opt.on_message)
        r->opt.on_message(r->opt.opaque, r->event, id, n.text);
    if (finding) {
        r->findings_total++;
        add_note(r, &n);
    }
}

static void hw_log(void *opaque, enum mm_msg id, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    replay_note_message(opaque, id, a, b, c, d);
}

static void hw_log_bare(void *opaque, enum mm_msg id, uint64_t a, uint64_t b, uint64_t c,
                        uint64_t d)
{
    (void)opaque, (void)id, (void)a, (void)b, (void)c, (void)d;
}

/* ---- set-up ---- */

/* Lockstep with an image that boots itself: the native engine starts from the MPU state the
 * image's boot code left (its regions, SCTLR_EL2, MAIR_EL2, HCR_EL2), not from the trace's
 * boot list, and its table from those registers, as head.S's shadow copy (mm_adopt). */
static void adopt_guest_boot(struct replay *r)
{
    const struct mpu *g = replay_guest_mpu(r->guest);
    const struct mpu_unit *gu = &g->el2;
    int prselr = mpu_reg_from_name("PRSELR_EL2"), prbar = mpu_reg_from_name("PRBAR_EL2"),
        prlar = mpu_reg_from_name("PRLAR_EL2");
    for (unsigned i = 0; i < gu->nregions && i < r->mpu.el2.nregions; i++) {
        mpu_write(&r->mpu, prselr, i);
        mpu_write(&r->mpu, prbar, gu->prbar[i]);
        mpu_write(&r->mpu, prlar, gu->prlar[i]);
    }
    mpu_write(&r->mpu, prselr, gu->prselr);
    mpu_write(&r->mpu, mpu_reg_from_name("MAIR_EL2"), gu->mair);
    mpu_write(&r->mpu, mpu_reg_from_name("HCR_EL2"), g->hcr);
    mpu_write(&r->mpu, mpu_reg_from_name("SCTLR_EL2"), gu->sctlr);
    mm_adopt(&r->mm);
}

static int is_algo_op(enum trace_op op)
{
    return op != TRACE_OP_ACCESS && op != TRACE_OP_SYSREG;
}

/* PRBAR/PRLAR hold address bits [47:6]: a range reaching 2^48 or beyond is truncated. */
#define ADDRESS_LIMIT (1ull << 48)

/* A range [base, limit) of the trace the MPU cannot hold: a finding, or with strict addresses
 * an error (what names it: "boot[2]", "map"). Returns 0, or -1 with err. */
static int check_address(struct replay *r, const char *what, int line, uint64_t base,
                         uint64_t limit, struct mpusim_error *err)
{
    if (base < ADDRESS_LIMIT && limit <= ADDRESS_LIMIT)
        return 0;
    if (r->opt.strict_addresses || r->trace->strict_addresses)
        return mpusim_error_at(err, MPUSIM_E_RANGE, r->trace->source, line, -1, r->event,
                               "%s [0x%llx, 0x%llx): reaches 2^48 or beyond, which PRBAR/PRLAR "
                               "cannot hold (strict addresses: %s)", what,
                               (unsigned long long)base, (unsigned long long)limit,
                               r->opt.strict_addresses ? "--strict-addresses"
                                                       : "the trace's mpu.addresses");
    uint64_t m = ADDRESS_LIMIT - 1;
    replay_note_message(r, MM_FINDING_ADDRESS_TRUNCATED, base, limit, base & m,
                        ((limit - 1) & m) + 1);
    return 0;
}

/* The range an algorithm call names (its end saturates at 2^64 - 1); 0 if it names none. */
static int event_range(const struct trace_event *ev, uint64_t *base, uint64_t *limit)
{
    *base = ev->base;
    switch (ev->op) {
    case TRACE_OP_MAP:
    case TRACE_OP_MODIFY:
    case TRACE_OP_UNMAP: *limit = ev->limit; return 1;
    case TRACE_OP_UNMAP_CONTAINING:
        *limit = ev->base == UINT64_MAX ? UINT64_MAX : ev->base + 1;
        return 1;
    case TRACE_OP_IOREMAP:
        *limit = ev->limit > UINT64_MAX - ev->base ? UINT64_MAX : ev->base + ev->limit;
        return 1;
    default: return 0;
    }
}

/* Everything of replay_new after the allocations: the model, the algorithm, the engine and
 * the boot step on r (zeroed but for opt, trace and the owned buffers). 0, or -1 with err set;
 * the caller frees r. */
static int setup(struct replay *r, const struct trace *t, struct mpusim_error *err)
{
    const struct replay_options *opt = &r->opt;
    unsigned regions = opt->regions ? opt->regions : t->regions;
    r->event = -1;
    timeline_init(&r->timeline);
    struct mpu_config cfg = { .regions_el2 = regions, .regions_el1 = regions, .fsc = opt->fsc };
    if (mpu_init(&r->mpu, &cfg) != 0)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "bad MPU configuration");
    mpu_set_prselr_select(&r->mpu, opt->algo == MM_ALGO_ZEPHYR); /* the fixtures' model */
    struct mm_hw hw = { hw_read, hw_write, hw_barrier, hw_log, r, hw_cpu };
    struct mm_options mo = { .algo = opt->algo, .xen_fixed = opt->xen_fixed,
                             .reserve_k = opt->algo == MM_ALGO_RESERVE ? opt->reserve_k : 0 };
    mm_init(&r->mm, &mo, &hw);

    r->algo_events = t->has_boot || opt->algo == MM_ALGO_ZEPHYR || opt->algo == MM_ALGO_BAO;
    r->bao_ncpus = opt->algo == MM_ALGO_BAO && t->bao ? t->bao->ncpus : 1;
    if (opt->algo == MM_ALGO_BAO && opt->engine != REPLAY_ENGINE_GUEST &&
        replay_bao_setup(r, err) != 0)
        return -1;
    for (size_t i = 0; i < t->nevents && !r->algo_events; i++)
        r->algo_events = is_algo_op(t->events[i].op);

    mpusim_error_clear(&r->engine_err);
    r->guest_stop.event = -1;
    for (unsigned i = 0; i < t->nboot; i++) { /* boot regions: event -1 */
        char what[32];
        snprintf(what, sizeof what, "boot[%u]", i);
        if (check_address(r, what, -1, t->boot[i].base, t->boot[i].limit, err) != 0)
            return -1;
    }
    if (opt->engine != REPLAY_ENGINE_NATIVE) {
        uint64_t keep_count[MM_MSG_COUNT], keep_findings = r->findings_total;
        unsigned keep_notes = r->nnotes;
        memcpy(keep_count, r->msg_count, sizeof keep_count);
        r->guest = replay_guest_new(r, err);
        if (!r->guest)
            return -1;
        if (opt->engine == REPLAY_ENGINE_BOTH && !replay_guest_boots_itself(r->guest)) {
            /* the native engine boots too (below): its boot messages are the ones counted */
            memcpy(r->msg_count, keep_count, sizeof keep_count);
            r->findings_total = keep_findings;
            r->nnotes = keep_notes;
        }
    }
    if (opt->engine == REPLAY_ENGINE_GUEST) {
        /* the native algorithm and model stay unused; the guest's are the results */
        struct mpusim_error e;
        mpusim_error_clear(&e);
        r->last_used = r->algo_events ? replay_guest_used(r->guest, &e)
                                      : replay_guest_mpu(r->guest)->el2.enabled;
        if (e.code) {
            if (err)
                *err = e;
            return -1;
        }
    } else if (opt->engine == REPLAY_ENGINE_BOTH && replay_guest_boots_itself(r->guest)) {
        adopt_guest_boot(r);
    } else if (opt->algo == MM_ALGO_BAO) {
        /* replay_bao_setup booted what it boots */
    } else if (opt->algo == MM_ALGO_ZEPHYR) {
        if (replay_zephyr_boot(r, err) != 0)
            return -1;
    } else if (t->has_boot) {
        struct mm_boot_region br[MPU_MAX_REGIONS];
        unsigned n = 0;
        for (unsigned i = 0; i < t->nboot && n < MPU_MAX_REGIONS; i++)
            br[n++] = (struct mm_boot_region){ t->boot[i].base, t->boot[i].limit,
                                               t->boot[i].flags };
        if (t->nboot > MPU_MAX_REGIONS || mm_boot(&r->mm, br, n) != 0)
            return mpusim_error_at(err, MPUSIM_E_RANGE, t->source, -1, -1, -1,
                                   "boot: %u boot regions do not fit in %u MPU regions",
                                   t->nboot, regions);
    } else {
        /* No boot: the algorithm starts with an empty table; the MPU stays off. */
        mm_attach(&r->mm);
    }
    r->peak_used = replay_used(r);
    memset(&r->cur, 0, sizeof r->cur);
    return 0;
}

/* The checks replay_new and replay_restart make before touching anything. */
static int check_new(const struct trace *t, const struct replay_options *opt,
                     struct mpusim_error *err)
{
    unsigned regions = opt->regions ? opt->regions : t->regions;
    if (regions < 1 || regions > MPU_MAX_REGIONS)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "region count %u out of range 1..255",
                                regions);
    return replay_check_system(t, opt->algo, err);
}

struct replay *replay_new(const struct trace *t, const struct replay_options *opt,
                          struct mpusim_error *err)
{
    if (check_new(t, opt, err) != 0)
        return NULL;
    struct replay *r = calloc(1, sizeof *r);
    if (!r) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
        return NULL;
    }
    r->opt = *opt;
    r->trace = t;
    r->notes = opt->keep_findings > 0 ? calloc((size_t)opt->keep_findings, sizeof *r->notes)
                                      : NULL;
    r->mismatches = calloc(MAX_MISMATCHES, sizeof *r->mismatches);
    r->xlast = calloc(1, sizeof *r->xlast);
    if (opt->engine != REPLAY_ENGINE_NATIVE) {
        r->latency = calloc(TRACE_OP_COUNT, sizeof *r->latency); /* all histograms empty */
    }
    if ((opt->keep_findings > 0 && !r->notes) || !r->mismatches || !r->xlast ||
        (opt->engine != REPLAY_ENGINE_NATIVE && !r->latency)) {
        replay_free(r);
        mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
        return NULL;
    }
    if (setup(r, t, err) != 0) {
        replay_free(r);
        return NULL;
    }
    return r;
}

int replay_restart(struct replay *r, const struct trace *t, struct mpusim_error *err)
{
    if (r->opt.engine != REPLAY_ENGINE_NATIVE)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "replay_restart: native engine only");
    if (check_new(t, &r->opt, err) != 0)
        return -1;
    replay_bao_free(r); /* bao's other CPUs: set up again */
    struct replay_options opt = r->opt;
    struct replay_note *notes = r->notes;
    struct replay_mismatch *mismatches = r->mismatches;
    struct replay_xcheck *xlast = r->xlast;
    void (*log)(void *, enum mm_msg, uint64_t, uint64_t, uint64_t, uint64_t) = r->mm.hw.log;
    memset(r, 0, sizeof *r);
    r->opt = opt;
    r->trace = t;
    r->notes = notes;
    r->mismatches = mismatches;
    r->xlast = xlast;
    xlast->valid = 0;
    if (opt.keep_findings > 0)
        memset(notes, 0, (size_t)opt.keep_findings * sizeof *notes);
    memset(mismatches, 0, MAX_MISMATCHES * sizeof *mismatches);
    if (setup(r, t, err) != 0)
        return -1;
    r->mm.hw.log = log; /* replay_silence stays in force */
    return 0;
}

void replay_free(struct replay *r)
{
    if (!r)
        return;
    replay_guest_free(r->guest);
    replay_bao_free(r);
    for (int op = 0; r->latency && op < TRACE_OP_COUNT; op++)
        for (int k = 0; k < REPLAY_RESULT_COUNT; k++) {
            histogram_fini(&r->latency[op][k].insns);
            for (int c = 0; c < 3; c++)
                histogram_fini(&r->latency[op][k].cycles[c]);
        }
    free(r->latency);
    free(r->notes);
    free(r->mismatches);
    free(r->xlast);
    free(r);
}

unsigned replay_used(const struct replay *r)
{
    if (r->opt.engine == REPLAY_ENGINE_GUEST)
        return r->last_used;
    return r->algo_events ? r->mm.used : r->mpu.el2.enabled;
}

const struct mpu *replay_hw(const struct replay *r)
{
    return r->opt.engine == REPLAY_ENGINE_GUEST ? replay_guest_mpu(r->guest) : &r->mpu;
}

static const char *const engine_names[REPLAY_ENGINE_COUNT] = { "native", "guest", "both" };

const char *replay_engine_name(enum replay_engine e)
{
    return (unsigned)e < REPLAY_ENGINE_COUNT ? engine_names[e] : "?";
}

int replay_engine_from_name(const char *name)
{
    for (int i = 0; i < REPLAY_ENGINE_COUNT; i++)
        if (strcmp(name, engine_names[i]) == 0)
            return i;
    return -1;
}

/* ---- one event ---- */

/* Run the event on the engine; sets rc/has_rc/region/acc. */
static void run_event(struct replay *r, const struct trace_event *ev,
                      struct replay_event_result *out)
{
    out->has_rc = 1;
    out->rc = 0;
    out->region = -1;
    out->acc.fault = MPU_FAULT_NONE;
    out->region_num = -1;
    r->mm.last_region = -1;
    if (ev->bao && ev->op != TRACE_OP_ACCESS) {
        out->rc = replay_bao_event(r, ev);
        out->region = r->mm.last_region;
        replay_bao_counts(r);
        return;
    }
    switch (ev->op) {
    case TRACE_OP_MAP:
    case TRACE_OP_MODIFY:
        out->rc = mm_map(&r->mm, ev->base, ev->limit, ev->flags);
        break;
    case TRACE_OP_UNMAP:
        out->rc = mm_unmap(&r->mm, ev->base, ev->limit);
        break;
    case TRACE_OP_UNMAP_CONTAINING:
        out->rc = mm_unmap_containing(&r->mm, ev->base);
        break;
    case TRACE_OP_IOREMAP: {
        uint64_t ptr;
        out->rc = mm_ioremap(&r->mm, ev->base, ev->limit, ev->flags, &ptr);
        break;
    }
    case TRACE_OP_ACCESS: {
        static const enum mpu_acc kinds[] = { MPU_ACC_READ, MPU_ACC_WRITE, MPU_ACC_EXEC };
        out->has_rc = 0;
        struct mpu *m = ev->bao ? replay_bao_mpu(r, ev->cpu) : &r->mpu;
        out->acc = mpu_check(m, ev->base, ev->limit, kinds[ev->kind], replay_access_el(r, ev));
        out->region = out->acc.fault == MPU_FAULT_NONE && out->acc.region >= 0 ? out->acc.region
                                                                              : -1;
        if (out->acc.fault != MPU_FAULT_NONE && out->acc.region >= 0)
            out->region = out->acc.region;
        return;
    }
    case TRACE_OP_SYSREG:
        out->has_rc = 0;
        mpu_write(&r->mpu, ev->reg, ev->limit);
        return;
    default: /* the zephyr ops (replay_check_system let them through) */
        out->rc = replay_zephyr_event(&r->mm, ev);
        break;
    }
    out->region = r->mm.last_region;
    if (r->opt.algo == MM_ALGO_ZEPHYR)
        out->region_num = mm_z_region_num(&r->mm);
    if (r->opt.algo == MM_ALGO_BAO)
        replay_bao_counts(r);
}

int replay_step_bare(struct replay *r, const struct trace_event *ev)
{
    struct replay_event_result res;
    r->xlast->valid = 0; /* its writes are not counted */
    run_event(r, ev, &res);
    return res.rc;
}

void replay_mismatch_text(struct replay *r, const struct trace_event *ev, const char *text)
{
    r->expect_failed++;
    if (r->nmismatches >= MAX_MISMATCHES)
        return;
    struct replay_mismatch *m = &r->mismatches[r->nmismatches++];
    m->event = r->event;
    m->line = ev->line;
    snprintf(m->text, sizeof m->text, "%s", text);
}

static void mismatch(struct replay *r, const struct trace_event *ev, const char *what,
                     long expected, long got, int expected_null, int got_null)
{
    char e[24], g[24], text[200];
    if (expected_null)
        snprintf(e, sizeof e, "null");
    else
        snprintf(e, sizeof e, "%ld", expected);
    if (got_null)
        snprintf(g, sizeof g, "null");
    else
        snprintf(g, sizeof g, "%ld", got);
    snprintf(text, sizeof text, "%s: expected %s %s, got %s", trace_op_name(ev->op), what, e, g);
    replay_mismatch_text(r, ev, text);
}

static void check_expect(struct replay *r, const struct trace_event *ev,
                         const struct replay_event_result *res)
{
    const struct trace_expect *x = &ev->expect;
    if (!x->has)
        return;
    r->expect_checked++;
    if ((x->has & TRACE_EXPECT_RC) && (!res->has_rc || res->rc != x->rc))
        mismatch(r, ev, "rc", x->rc, res->rc, 0, !res->has_rc);
    if ((x->has & TRACE_EXPECT_USED) && res->used != (unsigned)x->used)
        mismatch(r, ev, "used", x->used, (long)res->used, 0, 0);
    if ((x->has & TRACE_EXPECT_REGION) && res->region != x->region)
        mismatch(r, ev, "region", x->region, res->region, x->region < 0, res->region < 0);
    if ((x->has & TRACE_EXPECT_REGION_NUM) && res->region_num != x->region_num)
        mismatch(r, ev, "region_num", x->region_num, res->region_num, x->region_num < 0,
                 res->region_num < 0);
    if (x->has & TRACE_EXPECT_ENABLED) {
        const struct mpu *m = replay_hw(r);
        if (r->opt.algo == MM_ALGO_BAO && r->opt.engine != REPLAY_ENGINE_GUEST)
            m = replay_bao_mpu(r, ev->cpu);
        unsigned en = r->opt.algo == MM_ALGO_ZEPHYR ? m->el1.enabled : m->el2.enabled;
        if (en != (unsigned)x->enabled)
            mismatch(r, ev, "enabled", x->enabled, (long)en, 0, 0);
    }
    if ((x->has & TRACE_EXPECT_WRITES) && (long)r->cur.sysreg_writes != x->writes)
        mismatch(r, ev, "writes", x->writes, (long)r->cur.sysreg_writes, 0, 0);
    /* barriers are counted by the native engine only (lockstep reports the native count) */
    if ((x->has & TRACE_EXPECT_BARRIERS) && r->opt.engine != REPLAY_ENGINE_GUEST &&
        (long)r->cur.barriers != x->barriers)
        mismatch(r, ev, "barriers", x->barriers, (long)r->cur.barriers, 0, 0);
    if (x->has & TRACE_EXPECT_CPUS)
        replay_bao_check_expect(r, ev);
    if ((x->has & TRACE_EXPECT_FAULT) && res->acc.fault != (enum mpu_fault)x->fault) {
        r->expect_failed++;
        if (r->nmismatches < MAX_MISMATCHES) {
            struct replay_mismatch *m = &r->mismatches[r->nmismatches++];
            m->event = r->event;
            m->line = ev->line;
            snprintf(m->text, sizeof m->text, "%s: expected fault %s, got %s",
                     trace_op_name(ev->op),
                     x->fault == MPU_FAULT_NONE ? "null" : mpu_fault_name(x->fault),
                     res->acc.fault == MPU_FAULT_NONE ? "null" : mpu_fault_name(res->acc.fault));
        }
    }
}

/* Cross-check the algorithm's table against the model's EL2 registers; report each new
 * divergence once (a region that stays diverged is not reported again). The fast path builds
 * the set of differing regions without branches on the data and returns when it equals the
 * set already known. */
static void cross_check(struct replay *r, const struct mm_region *table, unsigned ntable,
                        const struct mpu_unit *u)
{
    unsigned n = ntable < u->nregions ? ntable : u->nregions;
    if (!(r->diverged[0] | r->diverged[1] | r->diverged[2] | r->diverged[3])) {
        /* the common case, nothing known to differ: whether anything differs now */
        uint64_t any = 0;
        for (unsigned i = 0; i < n; i++) { /* the rule below, in fewer operations */
            uint64_t x = table[i].prlar ^ u->prlar[i], in_use = 0 - (table[i].prlar & 1u);
            any |= (((table[i].prbar ^ u->prbar[i]) | x) & in_use) | (x & 1u);
        }
        if (!any)
            return;
    }
    uint64_t now[4] = { 0, 0, 0, 0 };
    for (unsigned w = 0; w * 64 < n; w++) {
        unsigned end = n - w * 64 < 64 ? n - w * 64 : 64;
        const struct mm_region *t = &table[w * 64];
        const uint64_t *hb = &u->prbar[w * 64], *hl = &u->prlar[w * 64];
        uint64_t bits = 0;
        for (unsigned j = 0; j < end; j++) {
            /* in use: both registers must match; free: the hardware region must be disabled
             * (branch-free: the table's EN bit selects; x & 1 is the hardware's EN bit for a
             * free entry and adds nothing for one in use) */
            uint64_t x = t[j].prlar ^ hl[j], in_use = 0 - (t[j].prlar & 1u);
            uint64_t d = (((t[j].prbar ^ hb[j]) | x) & in_use) | (x & 1u);
            bits |= (uint64_t)(d != 0) << j;
        }
        now[w] = bits;
    }
    if (!((now[0] ^ r->diverged[0]) | (now[1] ^ r->diverged[1]) | (now[2] ^ r->diverged[2]) |
          (now[3] ^ r->diverged[3])))
        return;
    for (unsigned i = 0; i < n; i++) {
        uint64_t bit = 1ull << (i & 63);
        int differs = (now[i >> 6] & bit) != 0, known = (r->diverged[i >> 6] & bit) != 0;
        if (!differs || known)
            continue;
        const struct mm_region *t = &table[i];
        r->divergences_total++;
        struct replay_note note = { .event = r->event, .id = MM_MSG_COUNT, .region = (int)i,
                                    .table_prbar = t->prbar, .table_prlar = t->prlar,
                                    .hw_prbar = u->prbar[i], .hw_prlar = u->prlar[i] };
        snprintf(note.text, sizeof note.text,
                 "region %u: table %s (prbar 0x%llx prlar 0x%llx), hardware %s (prbar 0x%llx "
                 "prlar 0x%llx)",
                 i, mm_region_valid(t) ? "in use" : "free", (unsigned long long)t->prbar,
                 (unsigned long long)t->prlar, (u->prlar[i] & 1u) ? "enabled" : "disabled",
                 (unsigned long long)u->prbar[i], (unsigned long long)u->prlar[i]);
        add_note(r, &note);
    }
    memcpy(r->diverged, now, sizeof now);
}

/* The native engine's cross-check after event ev, skipped when ev changed nothing it compares
 * (struct replay_xcheck): every write to the native model during an event goes through
 * hw_write (counted in r->cur.sysreg_writes) or is a sysreg event, an access runs no algorithm
 * code, and between events only the replay changes the table or the model (replay.h);
 * replay_step_bare, which writes unseen, drops the snapshot. */
static void cross_check_native(struct replay *r, const struct trace_event *ev)
{
    const struct mpu_unit *u = r->opt.algo == MM_ALGO_ZEPHYR ? &r->mpu.el1 : &r->mpu.el2;
    const struct mm_region *table = r->mm.table;
    struct replay_xcheck *x = r->xlast;
    unsigned n = r->mm.max_regions < u->nregions ? r->mm.max_regions : u->nregions;
    if (x->valid && x->unit == u && x->n == n && ev->op == TRACE_OP_ACCESS)
        return;
    if (x->valid && x->unit == u && x->n == n && r->cur.sysreg_writes == 0 &&
        ev->op != TRACE_OP_SYSREG) {
        uint64_t d0 = 0, d1 = 0, d2 = 0, d3 = 0; /* unrolled by two, four accumulators */
        unsigned i = 0;
        for (; i + 2 <= n; i += 2) {
            d0 |= table[i].prbar ^ x->prbar[i];
            d1 |= table[i].prlar ^ x->prlar[i];
            d2 |= table[i + 1].prbar ^ x->prbar[i + 1];
            d3 |= table[i + 1].prlar ^ x->prlar[i + 1];
        }
        if (i < n)
            d0 |= (table[i].prbar ^ x->prbar[i]) | (table[i].prlar ^ x->prlar[i]);
        if (!(d0 | d1 | d2 | d3))
            return;
    }
    cross_check(r, table, r->mm.max_regions, u);
    x->valid = 1;
    x->unit = u;
    x->n = n;
    for (unsigned i = 0; i < n; i++) {
        x->prbar[i] = table[i].prbar;
        x->prlar[i] = table[i].prlar;
    }
}

/* SCTLR_EL2 bits the MPU model gives meaning to (the architecture's MPU state); the cache,
 * endianness and RES1 bits an image sets for itself are not compared. */
static const struct { const char *name; unsigned lsb; } sctlr_bits[] = {
    { "M", 0 }, { "BR", 17 }, { "WXN", 19 } };

/* Compare the native and the guest engine after an event (lockstep); 0 if they agree. The
 * MPU state compared: every EL2 region's PRBAR and PRLAR (enable included) and SCTLR_EL2's M,
 * BR and WXN; PRSELR, MAIR and the other SCTLR bits are each engine's own business. */
static int lockstep_compare(struct replay *r, const struct replay_event_result *n,
                            const struct replay_event_result *g)
{
    const struct mpu_unit *a = &r->mpu.el2, *b = &replay_guest_mpu(r->guest)->el2;
    char what[200] = "";
    if (n->has_rc != g->has_rc || n->rc != g->rc)
        snprintf(what, sizeof what, "rc: native %d, guest %d", n->rc, g->rc);
    else if (n->region != g->region)
        snprintf(what, sizeof what, "region: native %d, guest %d", n->region, g->region);
    else if (n->region_num != g->region_num)
        snprintf(what, sizeof what, "region_num: native %d, guest %d", n->region_num,
                 g->region_num);
    else if (n->used != g->used)
        snprintf(what, sizeof what, "used: native %u, guest %u", n->used, g->used);
    else if (n->acc.fault != g->acc.fault)
        snprintf(what, sizeof what, "fault: native %s, guest %s", mpu_fault_name(n->acc.fault),
                 mpu_fault_name(g->acc.fault));
    for (unsigned i = 0; i < a->nregions && !what[0]; i++) {
        if (a->prbar[i] != b->prbar[i])
            snprintf(what, sizeof what, "region %u PRBAR: native 0x%llx, guest 0x%llx", i,
                     (unsigned long long)a->prbar[i], (unsigned long long)b->prbar[i]);
        else if (a->prlar[i] != b->prlar[i])
            snprintf(what, sizeof what, "region %u PRLAR: native 0x%llx, guest 0x%llx", i,
                     (unsigned long long)a->prlar[i], (unsigned long long)b->prlar[i]);
    }
    for (unsigned k = 0; k < sizeof sctlr_bits / sizeof sctlr_bits[0] && !what[0]; k++) {
        unsigned x = (unsigned)(a->sctlr >> sctlr_bits[k].lsb) & 1u,
                 y = (unsigned)(b->sctlr >> sctlr_bits[k].lsb) & 1u;
        if (x != y)
            snprintf(what, sizeof what, "SCTLR_EL2.%s: native %u, guest %u", sctlr_bits[k].name,
                     x, y);
    }
    for (unsigned c = 1; c < r->bao_ncpus && r->opt.algo == MM_ALGO_BAO && !what[0]; c++) {
        const struct mpu_unit *ac = &replay_bao_mpu(r, c)->el2,
                              *bc = &replay_guest_bao_mpu(r->guest, c)->el2;
        for (unsigned i = 0; i < ac->nregions && !what[0]; i++)
            if (ac->prbar[i] != bc->prbar[i] || ac->prlar[i] != bc->prlar[i])
                snprintf(what, sizeof what, "cpu %u region %u: native 0x%llx/0x%llx, guest "
                         "0x%llx/0x%llx", c, i, (unsigned long long)ac->prbar[i],
                         (unsigned long long)ac->prlar[i], (unsigned long long)bc->prbar[i],
                         (unsigned long long)bc->prlar[i]);
    }
    const struct mpu_unit *a1 = &r->mpu.el1, *b1 = &replay_guest_mpu(r->guest)->el1;
    for (unsigned i = 0; i < a1->nregions && !what[0]; i++) /* the EL1 MPU (zephyr) */
        if (a1->prbar[i] != b1->prbar[i] || a1->prlar[i] != b1->prlar[i])
            snprintf(what, sizeof what, "EL1 region %u: native 0x%llx/0x%llx, guest 0x%llx/0x%llx",
                     i, (unsigned long long)a1->prbar[i], (unsigned long long)a1->prlar[i],
                     (unsigned long long)b1->prbar[i], (unsigned long long)b1->prlar[i]);
    if (!what[0] && a1->sctlr != b1->sctlr)
        snprintf(what, sizeof what, "SCTLR_EL1: native 0x%llx, guest 0x%llx",
                 (unsigned long long)a1->sctlr, (unsigned long long)b1->sctlr);
    if (!what[0])
        return 0;
    const struct trace_event *ev = r->ev;
    size_t len = (size_t)snprintf(
        r->lockstep_report, sizeof r->lockstep_report,
        "lockstep divergence at event %ld (%s): %s\n"
        "  native: rc %d region %d used %u; SCTLR_EL2 M %u BR %u WXN %u; %u regions enabled\n"
        "  guest:  rc %d region %d used %u; SCTLR_EL2 M %u BR %u WXN %u; %u regions enabled\n",
        r->event, trace_op_name(ev->op), what, n->rc, n->region, n->used,
        (unsigned)(a->sctlr & 1u), (unsigned)(a->sctlr >> 17) & 1u,
        (unsigned)(a->sctlr >> 19) & 1u, a->enabled, g->rc, g->region, g->used,
        (unsigned)(b->sctlr & 1u), (unsigned)(b->sctlr >> 17) & 1u,
        (unsigned)(b->sctlr >> 19) & 1u, b->enabled);
    for (unsigned i = 0; i < a->nregions && len < sizeof r->lockstep_report; i++) {
        if (a->prbar[i] == b->prbar[i] && a->prlar[i] == b->prlar[i])
            continue;
        len += (size_t)snprintf(r->lockstep_report + len, sizeof r->lockstep_report - len,
                                "  region %u: native PRBAR 0x%llx PRLAR 0x%llx, guest PRBAR "
                                "0x%llx PRLAR 0x%llx\n",
                                i, (unsigned long long)a->prbar[i],
                                (unsigned long long)a->prlar[i],
                                (unsigned long long)b->prbar[i],
                                (unsigned long long)b->prlar[i]);
    }
    mpusim_error_at(&r->engine_err, MPUSIM_E_ENGINE, r->trace->source, ev->line, -1, r->event,
                    "lockstep divergence: %s", what);
    return -1;
}

/* Guest engine: count the call's instructions and cycles in its op's histograms. */
static int record_latency(struct replay *r, const struct trace_event *ev,
                          const struct replay_event_result *out)
{
    struct replay_latency *l = &r->latency[ev->op][out->has_rc && out->rc != 0];
    int bad = histogram_add(&l->insns, out->insns, &r->engine_err);
    for (int k = 0; k < 3 && !bad; k++)
        bad = histogram_add(&l->cycles[k], out->cycles[k], &r->engine_err);
    if (bad)
        r->failed = 1;
    return bad;
}

static void step(struct replay *r, const struct trace_event *ev, struct replay_event_result *out);

/* An event of r->trace outlives the replay: no copy. */
void replay_step(struct replay *r, size_t i, struct replay_event_result *out)
{
    step(r, &r->trace->events[i], out);
}

void replay_step_event(struct replay *r, const struct trace_event *ev,
                       struct replay_event_result *out)
{
    r->last_ev = *ev; /* a streamed event need not outlive the step */
    step(r, &r->last_ev, out);
}

/* ev stays valid until the next step. */
static void step(struct replay *r, const struct trace_event *ev, struct replay_event_result *out)
{
    r->ev = ev;
    r->event = (long)r->nevents;
    memset(&r->cur, 0, sizeof r->cur);
    for (unsigned c = 0; c < r->bao_ncpus; c++) /* the CPUs that count (one but for bao) */
        r->bao_cur[c] = (struct replay_bao_cost){ 0, 0 };
    uint64_t scanned0 = r->mm.scanned;
    if (r->failed) {
        memset(out, 0, sizeof *out);
        return;
    }
    uint64_t base, limit;
    if (event_range(ev, &base, &limit) && (base >= ADDRESS_LIMIT || limit > ADDRESS_LIMIT) &&
        check_address(r, trace_op_name(ev->op), ev->line, base, limit, &r->engine_err) != 0) {
        r->failed = 1;
        memset(out, 0, sizeof *out);
        return;
    }
    if (r->opt.engine == REPLAY_ENGINE_GUEST) {
        int k = replay_guest_step(r, ev, out, &r->engine_err);
        if (k != 0) {
            r->failed = k > 0 ? 3 : 1;
            return;
        }
        r->last_used = out->used;
    } else {
        run_event(r, ev, out);
        out->has_insns = 0;
        out->insns = 0;
        out->used = replay_used(r);
        if (r->opt.engine == REPLAY_ENGINE_BOTH) {
            struct replay_event_result g;
            struct replay_cost keep = r->cur;
            struct replay_bao_cost keep_bao[MM_BAO_CPUS];
            memcpy(keep_bao, r->bao_cur, sizeof keep_bao);
            unsigned keep_counts[MM_BAO_CPUS][3];
            memcpy(keep_counts, r->bao_counts, sizeof keep_counts);
            r->guest_echo = 1;
            int k = replay_guest_step(r, ev, &g, &r->engine_err);
            r->guest_echo = 0;
            if (k != 0) {
                r->failed = k > 0 ? 3 : 1;
                if (k > 0) { /* the result of this event is the guest's stop */
                    out->has_rc = 0;
                    out->region = -1;
                    out->has_insns = 1;
                    out->insns = g.insns;
                }
                return;
            }
            r->cur = keep; /* costs are the native engine's; the guest adds insns */
            memcpy(r->bao_cur, keep_bao, sizeof keep_bao);
            memcpy(r->bao_counts, keep_counts, sizeof keep_counts);
            out->has_insns = 1;
            out->insns = g.insns;
            memcpy(out->cycles, g.cycles, sizeof out->cycles);
            if (lockstep_compare(r, out, &g) != 0) {
                r->failed = 2;
                return;
            }
        }
    }
    if (out->has_insns) {
        r->cur.insns = out->insns;
        if (is_algo_op(ev->op) && record_latency(r, ev, out) != 0)
            return;
    }
    if (out->used > r->peak_used)
        r->peak_used = out->used;
    timeline_add(&r->timeline, out->used);
    r->used_sum += out->used;
    r->nevents++;
    if (out->acc.fault != MPU_FAULT_NONE)
        r->faults[out->acc.fault]++;
    if (is_algo_op(ev->op)) {
        struct replay_cost *c = &r->cost[ev->op][out->rc == 0 ? REPLAY_OK : REPLAY_ERR];
        c->calls++;
        c->scanned += r->mm.scanned - scanned0;
        c->sysreg_reads += r->cur.sysreg_reads;
        c->sysreg_writes += r->cur.sysreg_writes;
        c->barriers += r->cur.barriers;
        c->insns += r->cur.insns;
    } else {
        r->cost[ev->op][REPLAY_OK].calls++;
    }
    check_expect(r, ev, out);
    if (r->algo_events && r->opt.engine != REPLAY_ENGINE_GUEST) {
        cross_check_native(r, ev);
    } else if (r->algo_events) { /* the image's own table, read from its memory */
        const struct mm_region *table;
        unsigned n = replay_guest_table(r->guest, &table);
        if (n)
            cross_check(r, table, n,
                        r->opt.algo == MM_ALGO_ZEPHYR ? &replay_guest_mpu(r->guest)->el1
                                                      : &replay_guest_mpu(r->guest)->el2);
    }
}

void replay_step_lean(struct replay *r, size_t i, struct replay_event_result *out)
{
    const struct trace_event *ev = &r->trace->events[i];
    r->ev = ev;
    r->event = (long)r->nevents;
    memset(&r->cur, 0, sizeof r->cur);
    for (unsigned c = 0; c < r->bao_ncpus; c++) /* the CPUs that count (one but for bao) */
        r->bao_cur[c] = (struct replay_bao_cost){ 0, 0 };
    r->xlast->valid = 0; /* no cross-check here: the next replay_step's is in full */
    uint64_t base, limit;
    if (!r->failed && event_range(ev, &base, &limit) &&
        (base >= ADDRESS_LIMIT || limit > ADDRESS_LIMIT) &&
        check_address(r, trace_op_name(ev->op), ev->line, base, limit, &r->engine_err) != 0)
        r->failed = 1;
    if (r->failed) {
        memset(out, 0, sizeof *out);
        return;
    }
    run_event(r, ev, out);
    out->has_insns = 0;
    out->insns = 0;
    out->used = replay_used(r);
    r->nevents++;
}

void replay_silence(struct replay *r) { r->mm.hw.log = hw_log_bare; }

void replay_set_algo_events(struct replay *r, int algo_events)
{
    if (algo_events && !r->algo_events) {
        r->algo_events = 1;
        if (r->nevents == 0)
            r->peak_used = replay_used(r);
    }
}

int replay_is_algo_op(enum trace_op op) { return is_algo_op(op); }
