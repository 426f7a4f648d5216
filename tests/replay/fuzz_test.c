/* Fuzzing: the seeded PRENR finding and its absence with --xen-fixed, shrinking, the written
 * trace, determinism, shards, and each invariant against a deliberately broken state. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "replay/fuzz.h"

/* The budget of the seeded tests: 10 iterations of 200 ops at most = 2000 ops. */
#define BUDGET_ITERATIONS 10
#define BUDGET_LENGTH 200

static struct fuzz_options opts(enum mm_algo algo, unsigned regions, int fixed)
{
    struct fuzz_options o = { .replay = { .algo = algo, .xen_fixed = fixed, .regions = regions,
                                          .fsc = MPU_FSC_TRANSLATION },
                              .seed = 1, .length = BUDGET_LENGTH, .shard_k = 1, .shard_n = 1,
                              .iterations = BUDGET_ITERATIONS };
    return o;
}

static void run(const struct fuzz_options *o, struct fuzz_result *res)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_run(o, res, &err), 0, "fuzz_run: %s", err.text);
}

/* Replay t through the replay API; returns expectations failed (checked must be > 0). */
static uint64_t replay_expectations(const struct trace *t, const struct replay_options *ro)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay_options o = *ro;
    o.regions = 0; /* the trace's mpu.regions, as `mpusim replay FILE` does */
    o.keep_findings = 10;
    struct replay *r = replay_new(t, &o, &err);
    cr_assert_not_null(r, "%s", err.text);
    for (size_t i = 0; i < t->nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
    }
    cr_expect_eq(r->expect_checked, t->nevents, "every event carries expectations");
    uint64_t failed = r->expect_failed;
    replay_free(r);
    return failed;
}

Test(fuzz, xen_at_64_regions_breaks_on_prenr_within_the_budget)
{
    struct fuzz_options o = opts(MM_ALGO_XEN, 64, 0);
    struct fuzz_result res;
    run(&o, &res);
    cr_assert(res.found, "no violation in %llu ops", (unsigned long long)res.ops);
    cr_expect_leq(res.ops, BUDGET_ITERATIONS * BUDGET_LENGTH);
    cr_expect(res.v.inv == FUZZ_INV_TABLE_MATCHES_HW ||
                  res.v.inv == FUZZ_INV_UNMAPPED_RANGE_INACCESSIBLE,
              "violated: %s", fuzz_invariant_name(res.v.inv));
    cr_expect_leq(res.minimal.nevents, 40, "shrunk to %zu ops", res.minimal.nevents);
    cr_expect_geq(res.minimal.nevents, 28, "the 28 maps that reach index 32 and an unmap");
    cr_expect_eq(res.v.event, (long)res.minimal.nevents - 1, "it breaks at the last op");
    cr_expect_not_null(strstr(res.v.text, "region 3"), "%s", res.v.text);
    cr_expect_eq(replay_expectations(&res.minimal, &o.replay), 0);
    fuzz_result_fini(&res);
}

Test(fuzz, the_written_trace_reads_back_and_replays_with_its_expectations_met)
{
    struct fuzz_options o = opts(MM_ALGO_XEN, 64, 0);
    struct fuzz_result res;
    run(&o, &res);
    cr_assert(res.found);
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_write_trace(f, &o, &res, &err), 0, "%s", err.text);
    fclose(f);
    cr_expect_not_null(strstr(buf, "\"note\": \"fuzz: invariant table_matches_hw breaks here"),
                       "%s", buf);
    struct trace back;
    cr_assert_eq(trace_read_buffer(buf, len, "<fuzz>", &back, &err), 0, "%s\n%s", err.text, buf);
    cr_expect_eq(back.regions, 64);
    cr_expect_eq(back.nboot, FUZZ_NBOOT);
    cr_assert_eq(back.nevents, res.minimal.nevents);
    cr_expect_eq(replay_expectations(&back, &o.replay), 0);
    /* and the invariant still breaks on what was read */
    struct fuzz_violation v;
    cr_assert_eq(fuzz_check_trace(&back, &o, 0, &v, &err), 0);
    cr_expect_eq(v.inv, res.v.inv);
    trace_fini(&back);
    free(buf);
    fuzz_result_fini(&res);
}

Test(fuzz, xen_fixed_at_64_regions_breaks_nothing_in_the_same_budget)
{
    for (int a = 0; a < 2; a++) {
        struct fuzz_options o = opts(a ? MM_ALGO_XEN_TRANSIENT : MM_ALGO_XEN, 64, 1);
        struct fuzz_result res;
        run(&o, &res);
        cr_expect(!res.found, "%s --xen-fixed: %s at op %ld: %s", mm_algo_name(o.replay.algo),
                  fuzz_invariant_name(res.v.inv), res.v.event, res.v.text);
        cr_expect_eq(res.iterations, BUDGET_ITERATIONS);
        cr_expect_eq(res.ops, BUDGET_ITERATIONS * BUDGET_LENGTH);
        fuzz_result_fini(&res);
    }
}

Test(fuzz, xen_at_16_and_32_regions_breaks_nothing)
{
    unsigned regions[] = { 16, 32 };
    for (int k = 0; k < 2; k++) {
        struct fuzz_options o = opts(MM_ALGO_XEN, regions[k], 0);
        o.length = 300; /* long enough for the refcount bursts */
        o.iterations = 20;
        struct fuzz_result res;
        run(&o, &res);
        cr_expect(!res.found, "%u regions: %s at op %ld: %s", regions[k],
                  fuzz_invariant_name(res.v.inv), res.v.event, res.v.text);
        fuzz_result_fini(&res);
    }
}

Test(fuzz, the_same_seed_gives_the_same_result)
{
    struct fuzz_options o = opts(MM_ALGO_XEN, 64, 0);
    o.seed = 12345;
    struct fuzz_result a, b;
    run(&o, &a);
    run(&o, &b);
    cr_assert(a.found && b.found);
    cr_expect_eq(a.iteration, b.iteration);
    cr_expect_eq(a.ops, b.ops);
    cr_expect_eq(a.ops_failing, b.ops_failing);
    cr_expect_eq(a.v.inv, b.v.inv);
    cr_expect_str_eq(a.v.text, b.v.text);
    cr_assert_eq(a.minimal.nevents, b.minimal.nevents);
    cr_expect_eq(memcmp(a.minimal.events, b.minimal.events,
                        a.minimal.nevents * sizeof a.minimal.events[0]), 0);
    fuzz_result_fini(&a);
    fuzz_result_fini(&b);
}

/* What a run's iterations check, with their shortcuts (replay_step_lean, the memo, the snapshot
 * taken again only after an event that may change the state), against the plain path on the
 * same ops (replay_step, fuzz_check_event and a snapshot before every event): the same first
 * violation, at the same event, with the same text, or none in both. */
Test(fuzz, an_iteration_finds_exactly_what_checking_every_event_in_full_finds)
{
    static const struct { enum mm_algo algo; unsigned regions; int fixed; } cfg[] = {
        { MM_ALGO_XEN, 16, 0 },          { MM_ALGO_XEN, 64, 0 },  { MM_ALGO_XEN, 64, 1 },
        { MM_ALGO_XEN_TRANSIENT, 64, 0 }, { MM_ALGO_MERGE, 32, 0 }, { MM_ALGO_LAZY, 12, 0 },
        { MM_ALGO_RESERVE, 8, 0 },       { MM_ALGO_XEN, 255, 0 }, { MM_ALGO_ZEPHYR, 16, 0 },
        { MM_ALGO_BAO, 16, 0 },          { MM_ALGO_BAO, 16, 1 },
    };
    unsigned found = 0, clean = 0;
    for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
        struct fuzz_options o = opts(cfg[c].algo, cfg[c].regions, cfg[c].fixed);
        o.length = 300;
        o.reserve_k = cfg[c].algo == MM_ALGO_RESERVE ? 2 : 0;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        struct fuzz_worker *w = fuzz_worker_new(&o, &err);
        cr_assert_not_null(w, "%s", err.text);
        for (uint64_t i = 0; i < 12; i++) {
            struct fuzz_violation a, b;
            cr_assert_eq(fuzz_run_iteration(w, i, &a, &err), 0, "%s", err.text);
            struct trace t;
            cr_assert_eq(fuzz_trace_copy(&w->trace, &t, &err), 0);
            cr_assert_eq(fuzz_check_trace(&t, &o, 0, &b, &err), 0, "%s", err.text);
            cr_expect_eq(a.inv, b.inv, "config %zu iteration %llu: %s vs %s", c,
                         (unsigned long long)i, fuzz_invariant_name(a.inv),
                         fuzz_invariant_name(b.inv));
            cr_expect_eq(a.event, b.event, "config %zu iteration %llu", c,
                         (unsigned long long)i);
            cr_expect_str_eq(a.text, b.text, "config %zu iteration %llu", c,
                             (unsigned long long)i);
            if (a.inv == FUZZ_INV_COUNT)
                clean++;
            else
                found++;
            trace_fini(&t);
        }
        fuzz_worker_free(w);
    }
    /* both kinds were compared: iterations that break something, and full-length ones */
    cr_expect_gt(found, 10u);
    cr_expect_gt(clean, 10u);
}

/* replay_step_lean: the results and per-event counters of replay_step, event by event. */
Test(fuzz, replay_step_lean_gives_what_replay_step_gives)
{
    struct fuzz_options o = opts(MM_ALGO_XEN, 64, 0);
    o.length = 300;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct fuzz_worker *w = fuzz_worker_new(&o, &err);
    cr_assert_not_null(w, "%s", err.text);
    size_t compared = 0;
    for (uint64_t i = 0; i < 4; i++) {
        struct fuzz_violation v;
        cr_assert_eq(fuzz_run_iteration(w, i, &v, &err), 0, "%s", err.text);
        struct replay *full = fuzz_replay_new(&w->trace, &o, &err);
        struct replay *lean = fuzz_replay_new(&w->trace, &o, &err);
        cr_assert(full && lean, "%s", err.text);
        for (size_t k = 0; k < w->trace.nevents; k++) {
            struct replay_event_result a, b;
            replay_step(full, k, &a);
            replay_step_lean(lean, k, &b);
            cr_expect(a.has_rc == b.has_rc && a.rc == b.rc && a.region == b.region &&
                      a.used == b.used && a.acc.fault == b.acc.fault &&
                      a.region_num == b.region_num, "iteration %llu event %zu",
                      (unsigned long long)i, k);
            cr_expect_eq(memcmp(&full->cur, &lean->cur, sizeof full->cur), 0, "event %zu", k);
            cr_expect_eq(full->event, lean->event);
            compared++;
        }
        cr_expect_eq(lean->nevents, full->nevents);
        cr_expect_eq(memcmp(full->mpu.el2.prbar, lean->mpu.el2.prbar,
                            sizeof full->mpu.el2.prbar), 0);
        cr_expect_eq(memcmp(full->mpu.el2.prlar, lean->mpu.el2.prlar,
                            sizeof full->mpu.el2.prlar), 0);
        replay_free(full);
        replay_free(lean);
    }
    fuzz_worker_free(w);
    cr_expect_gt(compared, 300u);
}

Test(fuzz, iterations_are_generated_deterministically_and_differ_between_seeds)
{
    /* A worker reused across iterations gives iteration 3 the same ops as a fresh one: the
     * restarted replay and generator keep nothing of the iterations before. */
    struct fuzz_options o = opts(MM_ALGO_XEN, 16, 0);
    struct trace t1, t2, t3;
    struct fuzz_violation v;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct fuzz_worker *fresh = fuzz_worker_new(&o, &err), *reused = fuzz_worker_new(&o, &err);
    cr_assert(fresh && reused, "%s", err.text);
    cr_assert_eq(fuzz_run_iteration(fresh, 3, &v, &err), 0);
    cr_assert_eq(fuzz_trace_copy(&fresh->trace, &t1, &err), 0);
    for (uint64_t it = 0; it < 3; it++)
        cr_assert_eq(fuzz_run_iteration(reused, it, &v, &err), 0);
    cr_assert_eq(fuzz_run_iteration(reused, 3, &v, &err), 0);
    cr_assert_eq(fuzz_trace_copy(&reused->trace, &t2, &err), 0);
    cr_assert_eq(t1.nevents, t2.nevents);
    cr_expect_eq(memcmp(t1.events, t2.events, t1.nevents * sizeof t1.events[0]), 0);
    /* and the replay's counters as after a fresh replay_new */
    cr_expect_eq(memcmp(fresh->r->msg_count, reused->r->msg_count, sizeof fresh->r->msg_count),
                 0);
    cr_expect_eq(memcmp(fresh->r->cost, reused->r->cost, sizeof fresh->r->cost), 0);
    cr_expect_eq(memcmp(fresh->r->faults, reused->r->faults, sizeof fresh->r->faults), 0);
    cr_expect_eq(fresh->r->nevents, reused->r->nevents);
    cr_expect_eq(fresh->r->used_sum, reused->r->used_sum);
    cr_assert_eq(fuzz_run_iteration(reused, 4, &v, &err), 0);
    cr_assert_eq(fuzz_trace_copy(&reused->trace, &t3, &err), 0);
    size_t n = t1.nevents < t3.nevents ? t1.nevents : t3.nevents;
    cr_expect_neq(memcmp(t1.events, t3.events, n * sizeof t1.events[0]), 0);
    fuzz_worker_free(fresh);
    fuzz_worker_free(reused);
    trace_fini(&t1);
    trace_fini(&t2);
    trace_fini(&t3);
}

Test(fuzz, the_generator_reaches_the_edges)
{
    /* Over a few iterations at 16 regions: every op kind, failed calls, exhaustion (-2) and
     * refcount overflow (-2 on a repeated map), indices >= 32 at 64 regions. */
    struct fuzz_options o = opts(MM_ALGO_XEN, 16, 0);
    o.length = 300;
    unsigned ops[TRACE_OP_COUNT] = { 0 };
    unsigned enoent = 0, einval = 0, overflow_seen = 0;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct fuzz_worker *w = fuzz_worker_new(&o, &err);
    cr_assert(w, "%s", err.text);
    for (uint64_t it = 0; it < 30; it++) {
        struct trace t;
        struct fuzz_violation v;
        cr_assert_eq(fuzz_run_iteration(w, it, &v, &err), 0);
        cr_assert_eq(fuzz_trace_copy(&w->trace, &t, &err), 0);
        cr_assert_eq(fuzz_check_trace(&t, &o, 1, &v, &err), 0);
        for (size_t i = 0; i < t.nevents; i++) {
            const struct trace_event *e = &t.events[i];
            ops[e->op]++;
            if (e->expect.has & TRACE_EXPECT_RC) {
                enoent += e->expect.rc == MM_ENOENT;
                einval += e->expect.rc == MM_EINVAL;
                /* a map repeated at least 256 times in a row ends in -2 */
                if (i >= 256 && e->expect.rc == MM_ENOENT && e->op == TRACE_OP_MAP &&
                    t.events[i - 255].op == TRACE_OP_MAP && t.events[i - 255].base == e->base)
                    overflow_seen = 1;
            }
        }
        trace_fini(&t);
    }
    fuzz_worker_free(w);
    for (int k = 0; k < TRACE_OP_SYSREG; k++)
        cr_expect_gt(ops[k], 0, "op %s generated", trace_op_name((enum trace_op)k));
    cr_expect_gt(enoent, 0);
    cr_expect_gt(einval, 0);
    cr_expect(overflow_seen, "a refcount overflow");
}

Test(fuzz, shards_partition_the_iterations)
{
    struct fuzz_options o = opts(MM_ALGO_XEN, 16, 1);
    o.iterations = 12;
    o.length = 50;
    struct fuzz_result all;
    run(&o, &all);
    cr_assert(!all.found);
    uint64_t iterations = 0, ops = 0;
    for (unsigned k = 1; k <= 5; k++) {
        o.shard_k = k;
        o.shard_n = 5;
        struct fuzz_result part;
        run(&o, &part);
        cr_expect_eq(part.iterations, 12 / 5 + (k - 1 < 12 % 5), "shard %u/5", k);
        iterations += part.iterations;
        ops += part.ops;
        fuzz_result_fini(&part);
    }
    cr_expect_eq(iterations, all.iterations);
    cr_expect_eq(ops, all.ops, "the same iterations, whatever the shard count");
    fuzz_result_fini(&all);
}

Test(fuzz, a_result_is_one_json_line)
{
    struct fuzz_options o = opts(MM_ALGO_XEN, 64, 0);
    o.shard_k = 1;
    o.shard_n = 2;
    struct fuzz_result res;
    run(&o, &res);
    cr_assert(res.found);
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    fuzz_write_result_json(f, &o, &res, "out \"x\".json");
    fclose(f);
    cr_assert_gt(len, 0);
    cr_expect_eq(buf[len - 1], '\n');
    cr_expect_eq(strchr(buf, '\n'), buf + len - 1, "one line: %s", buf);
    cr_expect_not_null(strstr(buf, "\"shard\": \"1/2\""), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"invariant\": \"table_matches_hw\""), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"trace\": \"out \\\"x\\\".json\""), "%s", buf);
    free(buf);
    fuzz_result_fini(&res);
}

Test(fuzz, bad_options_are_errors)
{
    struct fuzz_options o = opts(MM_ALGO_XEN, 16, 0);
    struct fuzz_result res;
    struct mpusim_error err;
    o.shard_k = 3;
    o.shard_n = 2;
    mpusim_error_clear(&err);
    cr_expect_eq(fuzz_run(&o, &res, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    o = opts(MM_ALGO_XEN, 0, 0);
    mpusim_error_clear(&err);
    cr_expect_eq(fuzz_run(&o, &res, &err), -1);
    o = opts(MM_ALGO_XEN, 16, 0);
    o.iterations = 0;
    mpusim_error_clear(&err);
    cr_expect_eq(fuzz_run(&o, &res, &err), -1);
    cr_expect_not_null(strstr(err.text, "bound"), "%s", err.text);
}

/* ---- shrinking ---- */

Test(fuzz, shrinking_removes_everything_the_violation_does_not_need)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_trace_init(&t, 64, 200, &err), 0);
    /* noise (accesses, a map and its unmap) around the 28 maps that reach index 32 */
    size_t n = 0;
    for (unsigned k = 0; k < 28; k++) {
        t.events[n++] = (struct trace_event){ .op = TRACE_OP_ACCESS, .base = 0x1000 * k,
                                              .limit = 4, .el = 2, .line = -1 };
        t.events[n++] = (struct trace_event){ .op = TRACE_OP_MAP, .base = 0x50000000 + k * 0x1000,
                                              .limit = 0x50001000 + k * 0x1000, .flags = 0x2F,
                                              .line = -1 };
    }
    t.events[n++] = (struct trace_event){ .op = TRACE_OP_MAP, .base = 0x60000000,
                                          .limit = 0x60002000, .flags = 0x3F, .line = -1 };
    t.events[n++] = (struct trace_event){ .op = TRACE_OP_UNMAP, .base = 0x60000000,
                                          .limit = 0x60002000, .line = -1 };
    t.events[n++] = (struct trace_event){ .op = TRACE_OP_UNMAP_CONTAINING,
                                          .base = 0x50000000 + 27 * 0x1000 + 0x10, .line = -1 };
    t.nevents = n;
    struct fuzz_options ro = opts(MM_ALGO_XEN, 64, 0);
    struct fuzz_violation v;
    cr_assert_eq(fuzz_check_trace(&t, &ro, 0, &v, &err), 0);
    cr_assert_eq(v.inv, FUZZ_INV_TABLE_MATCHES_HW, "%s", fuzz_invariant_name(v.inv));
    unsigned long tests = 0;
    cr_assert_eq(fuzz_shrink(&t, &ro, v.inv, &tests, &err), 0, "%s", err.text);
    cr_expect_eq(t.nevents, 29, "28 maps and an unmap of the 28th, got %zu", t.nevents);
    cr_expect_gt(tests, 0);
    for (size_t i = 0; i < t.nevents; i++)
        cr_expect_neq(t.events[i].op, TRACE_OP_ACCESS, "event %zu", i);
    enum trace_op last = t.events[t.nevents - 1].op;
    cr_expect(last == TRACE_OP_UNMAP_CONTAINING || last == TRACE_OP_UNMAP, "ends in %s",
              trace_op_name(last));
    cr_assert_eq(fuzz_check_trace(&t, &ro, 0, &v, &err), 0);
    cr_expect_eq(v.inv, FUZZ_INV_TABLE_MATCHES_HW);
    trace_fini(&t);
}

/* ---- each invariant against a broken state ---- */

/* A fresh replay of t (boot only, or with t's events run by the caller). */
static struct replay *fresh(const struct trace *t, unsigned regions)
{
    struct replay_options ro = { .algo = MM_ALGO_XEN, .regions = regions };
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(t, &ro, &err);
    cr_assert_not_null(r, "%s", err.text);
    return r;
}

static struct trace_event sysreg(const char *name, uint64_t value)
{
    int id = mpu_reg_from_name(name);
    cr_assert_geq(id, 0, "%s", name);
    return (struct trace_event){ .op = TRACE_OP_SYSREG, .reg = id, .limit = value, .line = -1 };
}

Test(invariants, names_round_trip)
{
    for (int i = 0; i < FUZZ_INV_COUNT; i++)
        cr_expect_eq(fuzz_invariant_from_name(fuzz_invariant_name((enum fuzz_invariant)i)), i);
    cr_expect_str_eq(fuzz_invariant_name(FUZZ_INV_TABLE_MATCHES_HW), "table_matches_hw");
    cr_expect_str_eq(fuzz_invariant_name(FUZZ_INV_UNMAPPED_RANGE_INACCESSIBLE),
                     "unmapped_range_inaccessible");
    cr_expect_eq(fuzz_invariant_from_name("nope"), -1);
}

Test(invariants, an_injected_region_breaks_table_matches_hw_and_no_overlap)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_trace_init(&t, 16, 4, &err), 0);
    /* region 10, free in the table, enabled in hardware over [0x1000, 0x2000) inside text */
    t.events[0] = sysreg("PRSELR_EL2", 10);
    t.events[1] = sysreg("PRBAR_EL2", 0x1000 | 0x8 /* AP: read-only */);
    t.events[2] = sysreg("PRLAR_EL2", 0x1FC0 | 1 /* EN */);
    t.nevents = 3;
    struct fuzz_options ro = opts(MM_ALGO_XEN, 16, 0);
    struct fuzz_violation v;
    cr_assert_eq(fuzz_check_trace(&t, &ro, 0, &v, &err), 0);
    cr_expect_eq(v.inv, FUZZ_INV_TABLE_MATCHES_HW);
    cr_expect_eq(v.event, 2);
    cr_expect_not_null(strstr(v.text, "region 10"), "%s", v.text);

    struct replay *r = fresh(&t, 16);
    cr_expect_eq(fuzz_check_no_overlap(&r->mpu, &v), FUZZ_HOLDS, "boot regions are disjoint");
    cr_expect_eq(fuzz_check_table_matches_hw(&r->mm, &r->mpu, &v), FUZZ_HOLDS);
    for (size_t i = 0; i < 3; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
    }
    cr_expect_eq(fuzz_check_no_overlap(&r->mpu, &v), FUZZ_BROKEN);
    cr_expect_eq(v.inv, FUZZ_INV_NO_OVERLAP);
    cr_expect_not_null(strstr(v.text, "regions 0 "), "%s", v.text);
    cr_expect_eq(fuzz_check_table_matches_hw(&r->mm, &r->mpu, &v), FUZZ_BROKEN);
    replay_free(r);
    trace_fini(&t);
}

Test(invariants, a_changed_register_of_a_region_in_use_breaks_table_matches_hw)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_trace_init(&t, 16, 1, &err), 0);
    t.events[0] = sysreg("PRBAR2_EL2", 0xa2000); /* data: RW XN -> RW executable */
    t.nevents = 1;
    struct fuzz_options ro = opts(MM_ALGO_XEN, 16, 0);
    struct fuzz_violation v;
    cr_assert_eq(fuzz_check_trace(&t, &ro, 0, &v, &err), 0);
    cr_expect_eq(v.inv, FUZZ_INV_TABLE_MATCHES_HW);
    cr_expect_not_null(strstr(v.text, "region 2: table prbar"), "%s", v.text);
    trace_fini(&t);
}

Test(invariants, a_failed_call_that_changed_state_breaks_failed_call_changes_nothing)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_trace_init(&t, 16, 1, &err), 0);
    struct replay *r = fresh(&t, 16);
    struct fuzz_snapshot *s = malloc(sizeof *s);
    cr_assert_not_null(s);
    struct fuzz_violation v;
    fuzz_snapshot_take(s, &r->mm, &r->mpu);
    cr_expect_eq(fuzz_check_failed_call_changes_nothing(s, &r->mm, &r->mpu, &v), FUZZ_HOLDS);
    r->mm.table[3].refcount++;
    cr_expect_eq(fuzz_check_failed_call_changes_nothing(s, &r->mm, &r->mpu, &v), FUZZ_BROKEN);
    cr_expect_eq(v.inv, FUZZ_INV_FAILED_CALL_CHANGES_NOTHING);
    cr_expect_not_null(strstr(v.text, "entry 3"), "%s", v.text);
    r->mm.table[3].refcount--;
    r->mpu.el2.prlar[7] |= 1; /* hardware only */
    cr_expect_eq(fuzz_check_failed_call_changes_nothing(s, &r->mm, &r->mpu, &v), FUZZ_BROKEN);
    cr_expect_not_null(strstr(v.text, "hardware region 7"), "%s", v.text);
    r->mpu.el2.prlar[7] &= ~1ull;
    r->mm.used++;
    cr_expect_eq(fuzz_check_failed_call_changes_nothing(s, &r->mm, &r->mpu, &v), FUZZ_BROKEN);
    cr_expect_not_null(strstr(v.text, "bitmap"), "%s", v.text);

    /* through fuzz_check_event: a call with rc != 0 */
    r->mm.used--;
    struct trace_event ev = { .op = TRACE_OP_MAP, .base = 0x1000, .limit = 0x800, .flags = 0x2F };
    struct replay_event_result res = { .has_rc = 1, .rc = MM_EINVAL, .region = -1, .used = 5 };
    r->event = 0;
    cr_expect_eq(fuzz_check_event(r, &ev, &res, s, &v), FUZZ_HOLDS);
    r->mm.table[4].prbar ^= 0x8;
    cr_expect_eq(fuzz_check_event(r, &ev, &res, s, &v), FUZZ_BROKEN);
    cr_expect_eq(v.inv, FUZZ_INV_FAILED_CALL_CHANGES_NOTHING, "%s", fuzz_invariant_name(v.inv));
    cr_expect_eq(v.event, 0);
    free(s);
    replay_free(r);
    trace_fini(&t);
}

Test(invariants, more_regions_in_use_than_implemented_breaks_used_within_limit)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_trace_init(&t, 16, 1, &err), 0);
    struct replay *r = fresh(&t, 16);
    struct fuzz_violation v;
    cr_expect_eq(fuzz_check_used_within_limit(&r->mm, 16, &v), FUZZ_HOLDS);
    cr_expect_eq(fuzz_check_used_within_limit(&r->mm, 4, &v), FUZZ_BROKEN);
    cr_expect_eq(v.inv, FUZZ_INV_USED_WITHIN_LIMIT);
    r->mm.used = 17;
    cr_expect_eq(fuzz_check_used_within_limit(&r->mm, 16, &v), FUZZ_BROKEN);
    /* bits at indices at or above N are counted wherever they are: a few are within the
     * limit, more than N are not */
    r->mm.used = 5;
    r->mm.mask[3] |= 1ull << 63;
    r->mm.mask[1] |= 1ull << 7;
    cr_expect_eq(fuzz_check_used_within_limit(&r->mm, 16, &v), FUZZ_HOLDS);
    cr_expect_eq(fuzz_check_used_within_limit(&r->mm, 7, &v), FUZZ_HOLDS);
    cr_expect_eq(fuzz_check_used_within_limit(&r->mm, 6, &v), FUZZ_BROKEN);
    cr_expect_str_eq(v.text, "5 regions in use (bitmap: 7) with 6 implemented");
    r->mm.mask[2] = 0xFFFFF; /* 20 more, all above index 16 */
    cr_expect_eq(fuzz_check_used_within_limit(&r->mm, 16, &v), FUZZ_BROKEN);
    cr_expect_str_eq(v.text, "5 regions in use (bitmap: 27) with 16 implemented");
    cr_expect_eq(fuzz_check_used_within_limit(&r->mm, 255, &v), FUZZ_HOLDS);
    replay_free(r);
    trace_fini(&t);
}

Test(invariants, mapped_range_accessible_wants_exactly_the_requested_permissions)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_trace_init(&t, 16, 1, &err), 0);
    struct replay *r = fresh(&t, 16);
    struct fuzz_violation v;
    /* boot: text RX, rodata RO, data RW */
    cr_expect_eq(fuzz_check_mapped_range_accessible(&r->mpu, 0x0, 0x3000, 0x37, &v), FUZZ_HOLDS,
                 "%s", v.text);
    cr_expect_eq(fuzz_check_mapped_range_accessible(&r->mpu, 0x7a000, 0x7b000, 0x3F, &v),
                 FUZZ_HOLDS, "%s", v.text);
    cr_expect_eq(fuzz_check_mapped_range_accessible(&r->mpu, 0xa2000, 0xa8000, 0x2F, &v),
                 FUZZ_HOLDS, "%s", v.text);
    /* page-rounded: [0xa2010, 0xa2020) means the page [0xa2000, 0xa3000) */
    cr_expect_eq(fuzz_check_mapped_range_accessible(&r->mpu, 0xa2010, 0xa2020, 0x2F, &v),
                 FUZZ_HOLDS, "%s", v.text);
    /* text asked for as RW: writes fault */
    cr_expect_eq(fuzz_check_mapped_range_accessible(&r->mpu, 0x0, 0x1000, 0x2F, &v),
                 FUZZ_BROKEN);
    cr_expect_eq(v.inv, FUZZ_INV_MAPPED_RANGE_ACCESSIBLE);
    cr_expect_not_null(strstr(v.text, "write at 0x0 faults"), "%s", v.text);
    /* rodata asked for as RX: exec faults */
    cr_expect_eq(fuzz_check_mapped_range_accessible(&r->mpu, 0x7a000, 0x7b000, 0x37, &v),
                 FUZZ_BROKEN);
    cr_expect_not_null(strstr(v.text, "exec"), "%s", v.text);
    /* text asked for as RO (XN): exec is allowed, which RO forbids */
    cr_expect_eq(fuzz_check_mapped_range_accessible(&r->mpu, 0x0, 0x1000, 0x3F, &v),
                 FUZZ_BROKEN);
    cr_expect_not_null(strstr(v.text, "allowed"), "%s", v.text);
    /* nothing there; and the last page of text only up to its 64-byte tail */
    cr_expect_eq(fuzz_check_mapped_range_accessible(&r->mpu, 0x40000000, 0x40001000, 0x2F, &v),
                 FUZZ_BROKEN);
    cr_expect_eq(fuzz_check_mapped_range_accessible(&r->mpu, 0x79000, 0x79cf4, 0x37, &v),
                 FUZZ_BROKEN);
    cr_expect_not_null(strstr(v.text, "0x79fff"), "%s", v.text);
    replay_free(r);
    trace_fini(&t);
}

Test(invariants, a_freed_region_still_enabled_breaks_unmapped_range_inaccessible)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_trace_init(&t, 16, 1, &err), 0);
    struct replay *r = fresh(&t, 16);
    struct fuzz_violation v;
    /* text is in use: covered, fine; nothing mapped at 0x40000000: faults, fine */
    cr_expect_eq(fuzz_check_unmapped_range_inaccessible(&r->mpu, &r->mm, 0x1000, 0x2000, &v),
                 FUZZ_HOLDS);
    cr_expect_eq(fuzz_check_unmapped_range_inaccessible(&r->mpu, &r->mm, 0x40000000,
                                                        0x40004000, &v), FUZZ_HOLDS);
    /* the table forgets region 3 (init text) while the hardware keeps it */
    r->mm.mask[0] &= ~(1ull << 3);
    r->mm.used--;
    cr_expect_eq(fuzz_check_unmapped_range_inaccessible(&r->mpu, &r->mm, 0xa8000, 0xa9000, &v),
                 FUZZ_BROKEN);
    cr_expect_eq(v.inv, FUZZ_INV_UNMAPPED_RANGE_INACCESSIBLE);
    cr_expect_not_null(strstr(v.text, "0xa8000"), "%s", v.text);
    cr_expect_not_null(strstr(v.text, "region 3"), "%s", v.text);
    replay_free(r);
    trace_fini(&t);
}

Test(invariants, fuzz_check_event_checks_every_region_a_call_freed)
{
    /* PRENR at 64 regions: unmap_containing of a page inside region 32 frees it whole */
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_trace_init(&t, 64, 40, &err), 0);
    size_t n = 0;
    for (unsigned k = 0; k < 27; k++)
        t.events[n++] = (struct trace_event){ .op = TRACE_OP_MAP, .base = 0x50000000 + k * 0x1000,
                                              .limit = 0x50001000 + k * 0x1000, .flags = 0x2F,
                                              .line = -1 };
    t.events[n++] = (struct trace_event){ .op = TRACE_OP_MAP, .base = 0x60000000,
                                          .limit = 0x60004000, .flags = 0x2F, .line = -1 };
    t.events[n++] = (struct trace_event){ .op = TRACE_OP_UNMAP_CONTAINING, .base = 0x60002000,
                                          .line = -1 };
    t.nevents = n;
    struct replay *r = fresh(&t, 64);
    struct fuzz_snapshot *s = malloc(sizeof *s);
    cr_assert_not_null(s);
    struct fuzz_violation v;
    enum fuzz_verdict last = FUZZ_HOLDS;
    for (size_t i = 0; i < n; i++) {
        struct replay_event_result res;
        fuzz_snapshot_take(s, &r->mm, &r->mpu);
        replay_step(r, i, &res);
        if (i + 1 < n)
            cr_assert_eq(fuzz_check_event(r, &t.events[i], &res, s, &v), FUZZ_HOLDS,
                         "event %zu: %s", i, v.text);
        else
            last = fuzz_check_event(r, &t.events[i], &res, s, &v);
    }
    cr_expect_eq(last, FUZZ_BROKEN);
    cr_expect_eq(v.inv, FUZZ_INV_TABLE_MATCHES_HW, "checked first");
    /* the unmapped check alone, on the freed region's whole range */
    cr_expect_eq(fuzz_check_unmapped_range_inaccessible(&r->mpu, &r->mm, 0x60000000, 0x60004000,
                                                        &v), FUZZ_BROKEN);
    cr_expect_not_null(strstr(v.text, "0x60000000"), "%s", v.text);
    free(s);
    replay_free(r);
    trace_fini(&t);
}
