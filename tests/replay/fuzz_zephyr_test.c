/* Fuzzing the zephyr variant: what the seeded runs find (Zephyr's silent overflow behaviours),
 * their shrunk reproducers (bundled in traces/zephyr/fuzz-*), --fixed, determinism, candidate
 * validity, and the running-thread invariants on the fixture scenarios. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "replay/fuzz.h"

static struct fuzz_options zopts(unsigned regions, int fixed, uint64_t seed)
{
    struct fuzz_options o = { .replay = { .algo = MM_ALGO_ZEPHYR, .xen_fixed = fixed,
                                          .regions = regions, .fsc = MPU_FSC_TRANSLATION },
                              .seed = seed, .length = 300, .shard_k = 1, .shard_n = 1,
                              .iterations = 20 };
    return o;
}

static struct trace load(const char *path)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(path, &t, &err), 0, "%s: %s", path, err.text);
    return t;
}

/* Replay t natively (zephyr, fixed or not): expectations failed; *findings[id] counted. */
static uint64_t replay_zephyr(const struct trace *t, int fixed, uint64_t msg[MM_MSG_COUNT])
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay_options o = { .algo = MM_ALGO_ZEPHYR, .xen_fixed = fixed,
                                .fsc = MPU_FSC_TRANSLATION, .keep_findings = 10 };
    struct replay *r = replay_new(t, &o, &err);
    cr_assert_not_null(r, "%s", err.text);
    for (size_t i = 0; i < t->nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
    }
    cr_expect_eq(r->expect_checked, t->nevents, "every event carries expectations");
    uint64_t failed = r->expect_failed;
    memcpy(msg, r->msg_count, sizeof r->msg_count);
    replay_free(r);
    return failed;
}

Test(fuzz_zephyr, seed_1_finds_the_lost_writes_of_an_overlong_list_and_shrinks_them)
{
    struct fuzz_options o = zopts(16, 0, 1);
    struct fuzz_result res;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(fuzz_run(&o, &res, &err), 0, "%s", err.text);
    cr_assert(res.found);
    cr_expect_eq(res.v.inv, FUZZ_INV_Z_KERNEL_RAM_ACCESSIBLE, "%s: %s",
                 fuzz_invariant_name(res.v.inv), res.v.text);
    /* a kernel thread (3 entries) and five partitions inside pieces (2 each): 13 entries, 12
     * appended after 5 static regions of 16; and the access that shows it */
    cr_expect_eq(res.minimal.nevents, 8, "shrunk to %zu ops", res.minimal.nevents);
    cr_expect_eq(res.witness, 1);
    const struct trace_event *last = &res.minimal.events[res.minimal.nevents - 1];
    cr_expect_eq(last->op, TRACE_OP_ACCESS, "the witness access is appended");
    cr_expect_eq(last->el, 1);
    uint64_t msg[MM_MSG_COUNT];
    cr_expect_eq(replay_zephyr(&res.minimal, 0, msg), 0);
    cr_expect_eq(msg[MM_FINDING_Z_LOST_WRITES], 1);
    fuzz_result_fini(&res);
}

/* The seeds that find each of Zephyr's bugs; with --fixed the faithful-only findings vanish
 * (what remains is reported in both modes: docs/findings.md). */
Test(fuzz_zephyr, seeded_runs_find_the_stale_partition_the_fallback_and_the_base0_slot)
{
    static const struct {
        uint64_t seed;
        enum fuzz_invariant inv;
        enum mm_msg finding;
    } want[] = {
        { 5, FUZZ_INV_Z_USER_ISOLATION, MM_FINDING_Z_STALE_PARTITION },
        { 11, FUZZ_INV_Z_GUARDS_FAULT, MM_FINDING_Z_FALLBACK },
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        struct fuzz_options o = zopts(16, 0, want[k].seed);
        struct fuzz_result res;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(fuzz_run(&o, &res, &err), 0, "%s", err.text);
        cr_assert(res.found, "seed %llu", (unsigned long long)want[k].seed);
        cr_expect_eq(res.v.inv, want[k].inv, "seed %llu: %s: %s",
                     (unsigned long long)want[k].seed, fuzz_invariant_name(res.v.inv),
                     res.v.text);
        cr_expect_leq(res.minimal.nevents, 8);
        uint64_t msg[MM_MSG_COUNT];
        cr_expect_eq(replay_zephyr(&res.minimal, 0, msg), 0);
        cr_expect_geq(msg[want[k].finding], 1, "seed %llu", (unsigned long long)want[k].seed);
        fuzz_result_fini(&res);
    }
    /* one iteration in eight has the dynamic area at 0: the base-0 slot and its region over
     * the whole address space, found by no_overlap */
    int base0 = 0;
    for (uint64_t seed = 1; seed <= 40 && !base0; seed++) {
        struct fuzz_options o = zopts(16, 0, seed);
        o.no_shrink = 1;
        struct fuzz_result res;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(fuzz_run(&o, &res, &err), 0, "%s", err.text);
        if (res.found && res.v.inv == FUZZ_INV_NO_OVERLAP && res.minimal.zephyr->dyn_base == 0) {
            uint64_t msg[MM_MSG_COUNT];
            replay_zephyr(&res.minimal, 0, msg);
            base0 = msg[MM_FINDING_Z_BASE0_SLOT] > 0 && msg[MM_FINDING_Z_WHOLE_SPACE] > 0;
        }
        fuzz_result_fini(&res);
    }
    cr_expect(base0, "no seed of 1..40 found the base-0 slot");
}

Test(fuzz_zephyr, with_fixed_only_the_findings_of_both_modes_remain)
{
    for (uint64_t seed = 1; seed <= 12; seed++) {
        struct fuzz_options o = zopts(16, 1, seed);
        struct fuzz_result res;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(fuzz_run(&o, &res, &err), 0, "%s", err.text);
        if (res.found) {
            uint64_t msg[MM_MSG_COUNT];
            cr_expect_eq(replay_zephyr(&res.minimal, 1, msg), 0, "seed %llu",
                         (unsigned long long)seed);
            cr_expect_eq(msg[MM_FINDING_Z_LOST_WRITES] + msg[MM_FINDING_Z_STALE_PARTITION] +
                             msg[MM_FINDING_Z_HIDDEN_PARTITION] + msg[MM_FINDING_Z_BASE0_SLOT] +
                             msg[MM_FINDING_Z_WHOLE_SPACE], 0, "seed %llu",
                         (unsigned long long)seed);
            cr_expect_geq(msg[MM_FINDING_Z_NOT_FLUSHED] + msg[MM_FINDING_Z_FALLBACK] +
                              msg[MM_FINDING_Z_MISALIGNED], 1, "seed %llu: %s",
                          (unsigned long long)seed, res.v.text);
        }
        fuzz_result_fini(&res);
    }
}

/* The bundled reproducers: every expectation met, the finding reported, the invariant broken
 * where the note says. */
Test(fuzz_zephyr, the_bundled_reproducers_replay_with_their_finding)
{
    static const struct {
        const char *path;
        enum fuzz_invariant inv;
        enum mm_msg finding;
    } b[] = {
        { "traces/zephyr/fuzz-lost-writes/trace.json", FUZZ_INV_Z_KERNEL_RAM_ACCESSIBLE,
          MM_FINDING_Z_LOST_WRITES },
        { "traces/zephyr/fuzz-fallback/trace.json", FUZZ_INV_Z_GUARDS_FAULT,
          MM_FINDING_Z_FALLBACK },
    };
    for (size_t k = 0; k < sizeof b / sizeof b[0]; k++) {
        struct trace t = load(b[k].path);
        uint64_t msg[MM_MSG_COUNT];
        cr_expect_eq(replay_zephyr(&t, 0, msg), 0, "%s", b[k].path);
        cr_expect_eq(msg[b[k].finding], 1, "%s", b[k].path);
        struct fuzz_options o = zopts(t.regions, 0, 1);
        struct fuzz_violation v;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(fuzz_check_trace(&t, &o, 0, &v, &err), 0, "%s", err.text);
        cr_expect_eq(v.inv, b[k].inv, "%s: %s", b[k].path, fuzz_invariant_name(v.inv));
        cr_expect_eq(v.event, (long)t.nevents - 2, "it breaks just before the witness access");
        trace_fini(&t);
    }
    /* lost writes become a refused flush with --fixed: the witness access no longer faults
     * the same way, the expectations of the faithful run are not met */
    struct trace t = load("traces/zephyr/fuzz-lost-writes/trace.json");
    uint64_t msg[MM_MSG_COUNT];
    cr_expect_gt(replay_zephyr(&t, 1, msg), 0);
    cr_expect_eq(msg[MM_FINDING_Z_LOST_WRITES], 0);
    cr_expect_eq(msg[MM_FINDING_Z_NOT_FLUSHED], 1);
    trace_fini(&t);
}

Test(fuzz_zephyr, the_same_seed_gives_the_same_trace)
{
    struct fuzz_options o = zopts(16, 0, 7);
    char *text[2];
    for (int k = 0; k < 2; k++) {
        struct fuzz_result res;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(fuzz_run(&o, &res, &err), 0, "%s", err.text);
        cr_assert(res.found);
        size_t len;
        FILE *f = open_memstream(&text[k], &len);
        cr_assert_not_null(f);
        cr_assert_eq(fuzz_write_trace(f, &o, &res, &err), 0, "%s", err.text);
        fclose(f);
        fuzz_result_fini(&res);
    }
    cr_expect_str_eq(text[0], text[1]);
    /* and it reads back as a zephyr trace */
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(trace_read_buffer(text[0], strlen(text[0]), "<fuzz>", &t, &err), 0, "%s",
                 err.text);
    cr_expect_not_null(t.zephyr);
    trace_fini(&t);
    free(text[0]);
    free(text[1]);
}

Test(fuzz_zephyr, candidates_are_renumbered_and_invalid_ones_rejected)
{
    struct trace_event ev[4];
    memset(ev, 0, sizeof ev);
    ev[0].op = TRACE_OP_THREAD_CREATE, ev[0].thread = 3;
    ev[1].op = TRACE_OP_DOMAIN_INIT, ev[1].domain = 4;
    ev[2].op = TRACE_OP_DOMAIN_ADD_THREAD, ev[2].domain = 4, ev[2].thread = 3;
    ev[3].op = TRACE_OP_SWITCH, ev[3].thread = 3;
    cr_assert_eq(fuzz_zephyr_canonical(ev, 4), 0);
    cr_expect_eq(ev[0].thread, 0);
    cr_expect_eq(ev[1].domain, 1, "domain 0 is the default domain");
    cr_expect_eq(ev[2].domain, 1);
    cr_expect_eq(ev[2].thread, 0);
    cr_expect_eq(ev[3].thread, 0);
    struct trace_event bad[2];
    memset(bad, 0, sizeof bad);
    bad[0].op = TRACE_OP_SWITCH, bad[0].thread = 1; /* never created */
    cr_expect_eq(fuzz_zephyr_canonical(bad, 1), -1);
    bad[0].op = TRACE_OP_THREAD_CREATE, bad[0].thread = 1;
    bad[1].op = TRACE_OP_USER_ENTER, bad[1].thread = 1; /* not running */
    cr_expect_eq(fuzz_zephyr_canonical(bad, 2), -1);
    bad[1].op = TRACE_OP_THREAD_CREATE; /* created twice */
    cr_expect_eq(fuzz_zephyr_canonical(bad, 2), -1);
}

/* The fixture scenarios: Z1 (no bug on its path) keeps every invariant; Z2 breaks
 * partitions_accessible at row 14, where the failed add leaves u1 with the system list. */
Test(fuzz_zephyr, the_invariants_hold_on_z1_and_break_on_z2_where_the_fixture_says)
{
    struct fuzz_violation v;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct trace t = load("traces/zephyr/z1/trace.json");
    struct fuzz_options o = zopts(t.regions, 0, 1);
    cr_assert_eq(fuzz_check_trace(&t, &o, 0, &v, &err), 0, "%s", err.text);
    cr_expect_eq(v.inv, FUZZ_INV_COUNT, "z1: %s at %ld: %s", fuzz_invariant_name(v.inv), v.event,
                 v.text);
    trace_fini(&t);
    t = load("traces/zephyr/z2/trace.json");
    cr_assert_eq(fuzz_check_trace(&t, &o, 0, &v, &err), 0, "%s", err.text);
    cr_expect_neq(v.inv, FUZZ_INV_COUNT);
    cr_expect_eq(v.inv, FUZZ_INV_Z_PARTITIONS_ACCESSIBLE, "%s: %s", fuzz_invariant_name(v.inv),
                 v.text);
    cr_expect_eq(t.events[v.event].op, TRACE_OP_DOMAIN_ADD_PARTITION);
    cr_expect_eq(t.events[v.event].base, 0x7ff00, "Z2/14: the partition that fits no piece");
    trace_fini(&t);
}
