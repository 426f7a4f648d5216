/* Replay: bundled traces meet their expectations, outputs are deterministic, and properties
 * hold over long random call sequences. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replay/replay.h"
#include "traces/trace.h"

static struct replay_options default_opts(void)
{
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .keep_findings = 100 };
    return o;
}

/* Replay a whole trace; returns the replay (caller frees) and fails the test on errors. */
static struct replay *run(const struct trace *t, const struct replay_options *o, FILE *events)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(t, o, &err);
    cr_assert_not_null(r, "replay_new: %s", err.text);
    for (size_t i = 0; i < t->nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
        if (events)
            replay_write_event_json(events, r, i, &res);
    }
    return r;
}

static int find_trace(const char *dir, char *out, size_t cap)
{
    const char *names[] = { "trace.json", "trace.jsonl" };
    for (int k = 0; k < 2; k++) {
        struct stat st;
        snprintf(out, cap, "traces/%s/%s", dir, names[k]);
        if (stat(out, &st) == 0)
            return 0;
    }
    return -1;
}

Test(replay, every_bundled_trace_meets_its_expectations)
{
    DIR *d = opendir("traces");
    cr_assert_not_null(d, "run the tests from the repository root");
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        char path[512];
        if (e->d_name[0] == '.' || find_trace(e->d_name, path, sizeof path) != 0)
            continue;
        struct trace t;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(trace_read_file(path, &t, &err), 0, "%s: %s", path, err.text);
        struct replay_options o = default_opts();
        struct replay *r = run(&t, &o, NULL);
        cr_expect_gt(r->expect_checked, 0, "%s has expectations", path);
        cr_expect_eq(r->expect_failed, 0, "%s: %llu mismatches, first: event %ld %s", path,
                     (unsigned long long)r->expect_failed,
                     r->nmismatches ? r->mismatches[0].event : -1L,
                     r->nmismatches ? r->mismatches[0].text : "");
        replay_free(r);
        trace_fini(&t);
        n++;
    }
    closedir(d);
    cr_expect_geq(n, 8, "bundled traces found: %d", n);
}

static char *replay_to_string(const char *path, size_t *len)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(path, &t, &err), 0, "%s", err.text);
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    cr_assert_not_null(f);
    struct replay_options o = default_opts();
    struct replay *r = run(&t, &o, f);
    replay_write_summary_json(f, r);
    replay_write_summary_text(f, r);
    fclose(f);
    replay_free(r);
    trace_fini(&t);
    return buf;
}

Test(replay, the_same_trace_gives_byte_identical_outputs_twice)
{
    size_t la, lb;
    char *a = replay_to_string("traces/xen-boot-fvp/trace.json", &la);
    char *b = replay_to_string("traces/xen-boot-fvp/trace.json", &lb);
    cr_assert_eq(la, lb);
    cr_expect_eq(memcmp(a, b, la), 0);
    cr_expect_gt(la, 100);
    free(a);
    free(b);
}

/* ---- properties over random sequences ---- */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* A random trace biased to collide: pages inside a small window, a few sizes, Xen's flags. */
static void random_trace(struct trace *t, unsigned regions, size_t n, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    snprintf(t->source, sizeof t->source, "<random %llu>", (unsigned long long)seed);
    t->regions = regions;
    t->has_boot = 1;
    t->nboot = 2;
    t->boot = calloc(2, sizeof *t->boot);
    cr_assert_not_null(t->boot);
    t->boot[0] = (struct trace_boot_region){ 0x0, 0x79cf4, 0x37, "text" };
    t->boot[1] = (struct trace_boot_region){ 0x7a000, 0xa104c, 0x3F, "rodata" };
    t->events = calloc(n, sizeof *t->events);
    cr_assert_not_null(t->events);
    t->nevents = t->cap = n;
    static const unsigned flags[] = { 0x2F, 0x3F, 0x37, 0x2C, 0x29, 0x27 };
    for (size_t i = 0; i < n; i++) {
        struct trace_event *ev = &t->events[i];
        uint64_t page = 0x10000000 + (rnd(&seed) % 64) * 0x1000;
        uint64_t len = (1 + rnd(&seed) % 4) * 0x1000;
        ev->line = -1;
        ev->flags = flags[rnd(&seed) % 6];
        switch (rnd(&seed) % 5) {
        case 0: case 1: ev->op = TRACE_OP_MAP; ev->base = page; ev->limit = page + len; break;
        case 2: ev->op = TRACE_OP_UNMAP; ev->base = page; ev->limit = page + len; break;
        case 3: ev->op = TRACE_OP_UNMAP_CONTAINING; ev->base = page; break;
        default: ev->op = TRACE_OP_IOREMAP; ev->base = page + (rnd(&seed) % 0x1000);
                 ev->limit = rnd(&seed) % 0x3000; break;
        }
    }
}

static void free_random(struct trace *t)
{
    free(t->boot);
    free(t->events);
}

/* No address is covered by two enabled EL2 regions. */
static int hw_overlaps(const struct mpu *m)
{
    const struct mpu_unit *u = &m->el2;
    for (unsigned i = 0; i < u->nregions; i++) {
        struct mpu_region_view a = mpu_region(m, 2, i);
        if (!a.enabled || a.last < a.base)
            continue;
        for (unsigned j = i + 1; j < u->nregions; j++) {
            struct mpu_region_view b = mpu_region(m, 2, j);
            if (b.enabled && b.base <= b.last && a.base <= b.last && b.base <= a.last)
                return 1;
        }
    }
    return 0;
}

Test(replay, random_sequences_keep_the_invariants)
{
    unsigned algos[] = { MM_ALGO_XEN, MM_ALGO_XEN_TRANSIENT };
    for (unsigned a = 0; a < 2; a++) {
        struct trace t;
        random_trace(&t, 16, 20000, 0xC0FFEE + a);
        struct replay_options o = default_opts();
        o.algo = (enum mm_algo)algos[a];
        struct mpusim_error err;
        mpusim_error_clear(&err);
        struct replay *r = replay_new(&t, &o, &err);
        cr_assert_not_null(r, "%s", err.text);
        static struct mpu before_mpu;
        static struct mm_ctx before_mm;
        for (size_t i = 0; i < t.nevents; i++) {
            before_mpu = r->mpu;
            before_mm = r->mm;
            struct replay_event_result res;
            replay_step(r, i, &res);
            cr_assert_leq(res.used, 16, "event %zu", i);
            cr_assert(!hw_overlaps(&r->mpu), "overlap after event %zu (%s)", i, mm_algo_name(o.algo));
            if (res.has_rc && res.rc != 0) {
                cr_assert_eq(memcmp(before_mm.table, r->mm.table, sizeof r->mm.table), 0,
                             "failed call changed the table at event %zu", i);
                cr_assert_eq(memcmp(before_mm.mask, r->mm.mask, sizeof r->mm.mask), 0);
                cr_assert_eq(memcmp(before_mpu.el2.prbar, r->mpu.el2.prbar,
                                    sizeof r->mpu.el2.prbar), 0, "event %zu", i);
                cr_assert_eq(memcmp(before_mpu.el2.prlar, r->mpu.el2.prlar,
                                    sizeof r->mpu.el2.prlar), 0, "event %zu", i);
            }
        }
        cr_expect_eq(r->divergences_total, 0, "%s at 16 regions: table == hardware",
                     mm_algo_name(o.algo));
        replay_free(r);
        free_random(&t);
    }
}

Test(replay, prenr_bug_shows_as_a_divergence_and_fixed_mode_has_none)
{
    for (int fixed = 0; fixed < 2; fixed++) {
        struct trace t;
        memset(&t, 0, sizeof t);
        snprintf(t.source, sizeof t.source, "<prenr>");
        t.regions = 64;
        t.has_boot = 1;
        size_t n = 40;
        t.events = calloc(n, sizeof *t.events);
        cr_assert_not_null(t.events);
        t.nevents = t.cap = n;
        for (size_t i = 0; i < 39; i++) /* regions 0..38 */
            t.events[i] = (struct trace_event){ .op = TRACE_OP_MAP, .base = 0x40000000 + i * 0x1000,
                                                .limit = 0x40001000 + i * 0x1000, .flags = 0x2F,
                                                .line = -1 };
        t.events[39] = (struct trace_event){ .op = TRACE_OP_UNMAP_CONTAINING,
                                             .base = 0x40000000 + 35 * 0x1000, .line = -1 };
        struct replay_options o = default_opts();
        o.xen_fixed = fixed;
        struct replay *r = run(&t, &o, NULL);
        cr_expect_eq(r->mm.used, 38);
        if (fixed) {
            cr_expect_eq(r->divergences_total, 0);
            cr_expect_eq(r->mpu.el2.prlar[35] & 1, 0, "fixed: region 35 disabled in hardware");
        } else {
            cr_expect_eq(r->divergences_total, 1);
            cr_expect_eq(r->mpu.el2.prlar[35] & 1, 1, "faithful: region 35 still enabled");
            cr_expect_geq(r->findings_total, 1);
        }
        replay_free(r);
        free(t.events);
    }
}

/* The cross-check is skipped after an event that wrote no register and left the table as it
 * was; a table entry that changes without a register write (what a faulty algorithm does,
 * made here by hand before a refused call, which writes nothing) must still be found, once. */
Test(replay, a_table_change_without_a_register_write_is_still_found)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    snprintf(t.source, sizeof t.source, "<table-only>");
    t.regions = 16;
    t.has_boot = 1;
    size_t n = 4;
    t.events = calloc(n, sizeof *t.events);
    cr_assert_not_null(t.events);
    t.nevents = t.cap = n;
    t.events[0] = (struct trace_event){ .op = TRACE_OP_MAP, .base = 0x40000000,
                                        .limit = 0x40001000, .flags = 0x2F, .line = -1 };
    t.events[1] = (struct trace_event){ .op = TRACE_OP_ACCESS, .base = 0x40000000, .limit = 4,
                                        .kind = TRACE_ACC_READ, .line = -1 };
    for (size_t i = 2; i < n; i++) /* misaligned: refused before any register is touched */
        t.events[i] = (struct trace_event){ .op = TRACE_OP_MAP, .base = 0x50000800,
                                            .limit = 0x50001000, .flags = 0x2F, .line = -1 };
    struct replay_options o = default_opts();
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(&t, &o, &err);
    cr_assert_not_null(r, "%s", err.text);
    struct replay_event_result res;
    replay_step(r, 0, &res);
    cr_assert(res.has_rc && res.rc == 0 && res.region >= 0 && res.region < 16);
    int k = res.region;
    replay_step(r, 1, &res);
    cr_expect_eq(r->divergences_total, 0);
    r->mm.table[k].prlar += 0x40; /* the table grows the region, the registers do not */
    replay_step(r, 2, &res);
    cr_expect_neq(res.rc, 0, "the misaligned map is refused");
    cr_expect_eq(r->cur.sysreg_writes, 0, "and writes no register");
    cr_expect_eq(r->divergences_total, 1, "found after the change");
    cr_expect_eq(r->diverged[0], 1ull << k);
    replay_step(r, 3, &res);
    cr_expect_eq(r->divergences_total, 1, "reported once");
    replay_free(r);
    free(t.events);
}

/* ---- guest engine: lockstep with the native engine ---- */

#define MM_ADAPTER "build/guest/mm.adapter.json"

/* Read a trace that must be valid. */
static void read_ok(const char *path, struct trace *t)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(path, t, &err), 0, "%s: %s", path, err.text);
}

/* A replay of t on the bundled guest (engine guest or both), default options otherwise. */
static struct replay *guest_replay(const struct trace *t, enum replay_engine engine)
{
    struct replay_options o = default_opts();
    o.engine = engine;
    o.adapter = MM_ADAPTER;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(t, &o, &err);
    cr_assert_not_null(r, "%s", err.text);
    return r;
}

Test(replay, lockstep_over_every_bundled_trace_has_no_divergence)
{
    DIR *d = opendir("traces");
    cr_assert_not_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        char path[512];
        if (e->d_name[0] == '.' || find_trace(e->d_name, path, sizeof path) != 0)
            continue;
        struct trace t;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(trace_read_file(path, &t, &err), 0, "%s: %s", path, err.text);
        for (int fixed = 0; fixed < 2; fixed++) {
            struct replay_options o = default_opts();
            o.engine = REPLAY_ENGINE_BOTH;
            o.adapter = MM_ADAPTER;
            o.xen_fixed = fixed;
            struct replay *r = replay_new(&t, &o, &err);
            cr_assert_not_null(r, "%s: %s", path, err.text);
            for (size_t i = 0; i < t.nevents && !r->failed; i++) {
                struct replay_event_result res;
                replay_step(r, i, &res);
                if (!r->failed && res.has_rc)
                    cr_assert(res.has_insns && res.insns > 0, "%s event %zu has insns", path, i);
            }
            cr_expect_eq(r->failed, 0, "%s (fixed %d): %s\n%s", path, fixed, r->engine_err.text,
                         r->lockstep_report);
            replay_free(r);
        }
        trace_fini(&t);
        n++;
    }
    closedir(d);
    cr_expect_geq(n, 8);
}

Test(replay, guest_engine_alone_meets_the_boot_trace_expectations)
{
    struct trace t;
    read_ok("traces/xen-boot-fvp/trace.json", &t);
    struct replay *r = guest_replay(&t, REPLAY_ENGINE_GUEST);
    for (size_t i = 0; i < t.nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
        cr_assert_eq(r->failed, 0, "%s", r->engine_err.text);
        if (t.events[i].op == TRACE_OP_ACCESS || t.events[i].op == TRACE_OP_SYSREG)
            continue;
        /* every call is timed: min <= nominal <= max, and at least one cycle per instruction
         * pair (dual issue) */
        cr_assert(res.has_insns, "event %zu", i);
        cr_expect_leq(res.cycles[1], res.cycles[0], "event %zu", i);
        cr_expect_leq(res.cycles[0], res.cycles[2], "event %zu", i);
        cr_expect_geq(2 * res.cycles[1], res.insns, "event %zu", i);
    }
    cr_expect_eq(r->expect_failed, 0, "first: %s", r->nmismatches ? r->mismatches[0].text : "");
    cr_expect_gt(r->expect_checked, 20);
    cr_expect_gt(r->cost[TRACE_OP_MAP][REPLAY_OK].insns, 100, "guest instructions counted");
    /* the latency histograms hold every call once */
    uint64_t calls = 0, hist = 0;
    for (int op = 0; op < TRACE_OP_COUNT; op++)
        for (int k = 0; k < REPLAY_RESULT_COUNT; k++) {
            if (op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
                continue;
            calls += r->cost[op][k].calls;
            hist += r->latency[op][k].insns.count;
        }
    cr_expect_eq(hist, calls);
    replay_free(r);
    trace_fini(&t);
}

Test(replay, guest_cycles_are_the_same_on_every_run)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file("traces/xen-error-paths/trace.json", &t, &err), 0, "%s", err.text);
    uint64_t total[2][3] = { { 0 } };
    for (int run = 0; run < 2; run++) {
        struct replay_options o = default_opts();
        o.engine = REPLAY_ENGINE_GUEST;
        o.adapter = MM_ADAPTER;
        struct replay *r = replay_new(&t, &o, &err);
        cr_assert_not_null(r, "%s", err.text);
        for (size_t i = 0; i < t.nevents; i++) {
            struct replay_event_result res;
            replay_step(r, i, &res);
            for (int k = 0; k < 3; k++)
                total[run][k] += res.cycles[k];
        }
        replay_free(r);
    }
    cr_expect_gt(total[0][0], 1000);
    cr_expect_eq(memcmp(total[0], total[1], sizeof total[0]), 0);
    trace_fini(&t);
}

Test(replay, a_bad_core_file_is_refused_with_its_name)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    t.regions = 16;
    struct replay_options o = default_opts();
    o.engine = REPLAY_ENGINE_GUEST;
    o.adapter = MM_ADAPTER;
    o.core = "traces/xen-boot-fvp/trace.json"; /* JSON, but not a core file */
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_null(replay_new(&t, &o, &err));
    cr_expect_neq(err.code, MPUSIM_OK);
    cr_expect_str_eq(err.source, "traces/xen-boot-fvp/trace.json");
}

Test(replay, lockstep_reports_a_divergence_with_both_states)
{
    /* make the native model differ from the guest's in a register the algorithm never
     * writes: the first comparison must catch it */
    struct trace t;
    read_ok("traces/xen-boot-fvp/trace.json", &t);
    struct replay *r = guest_replay(&t, REPLAY_ENGINE_BOTH);
    r->mpu.el2.prbar[15] = 0x40000032; /* native only */
    struct replay_event_result res;
    replay_step(r, 0, &res);
    cr_expect_eq(r->failed, 2);
    cr_expect(strstr(r->engine_err.text,
                     "lockstep divergence: region 15 PRBAR: native 0x40000032, guest 0x32") != NULL,
              "%s", r->engine_err.text);
    cr_expect(strstr(r->lockstep_report, "region 15: native PRBAR 0x40000032") != NULL, "%s",
              r->lockstep_report);
    cr_expect(strstr(r->lockstep_report, "at event 0 (map)") != NULL, "%s", r->lockstep_report);
    replay_free(r);
    trace_fini(&t);
}

Test(replay, guest_engine_without_an_adapter_is_refused)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    t.regions = 16;
    struct replay_options o = default_opts();
    o.engine = REPLAY_ENGINE_GUEST;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_null(replay_new(&t, &o, &err));
    cr_expect_eq(err.code, MPUSIM_E_USAGE);
}
