/* Compare: metrics agree with replay's summary, JSON Lines and CSV outputs, shards, options. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/compare.h"
#include "traces/trace.h"

static const char *const bundled[] = {
    "traces/region-exhaustion/trace.json",
    "traces/transient-vs-refcount/trace.json",
    "traces/xen-error-paths/trace.json",
    "traces/demo-faults/trace.json",
};
#define NBUNDLED (sizeof bundled / sizeof bundled[0])

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static struct trace load(const char *path)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(path, &t, &err), 0, "%s: %s (run from the repository root)",
                 path, err.text);
    return t;
}

static struct compare_options options(const char *algos)
{
    struct compare_options o;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(compare_options_init(&o, &err), 0, "%s", err.text);
    if (algos)
        cr_assert_eq(compare_parse_algos(algos, &o, &err), 0, "%s", err.text);
    return o;
}

/* Run every algorithm of o on trace t (trace index ti); returns the number of runs. */
static unsigned run_trace(const struct trace *t, const struct compare_options *o, long ti,
                          struct compare_run *runs)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    unsigned n = 99;
    cr_assert_eq(compare_trace(t, o, ti, runs, &n, &err), 0, "%s", err.text);
    return n;
}

/* replay --json's regions_in_use.peak and .final for algo a on t. */
static void replay_peak_final(const struct trace *t, const struct mm_options *mo, int fixed,
                              long *peak, long *final)
{
    struct replay_options ro = { .algo = mo->algo, .reserve_k = mo->reserve_k, .xen_fixed = fixed,
                                 .fsc = MPU_FSC_TRANSLATION, .keep_findings = 10 };
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(t, &ro, &err);
    cr_assert_not_null(r, "%s", err.text);
    for (size_t i = 0; i < t->nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    replay_write_summary_json(f, r);
    fclose(f);
    json_error_t je;
    json_t *root = json_loads(buf, 0, &je);
    cr_assert_not_null(root, "summary JSON: %s", je.text);
    json_t *use = json_object_get(root, "regions_in_use");
    *peak = (long)json_integer_value(json_object_get(use, "peak"));
    *final = (long)json_integer_value(json_object_get(use, "final"));
    json_decref(root);
    free(buf);
    replay_free(r);
}

Test(compare, peak_and_final_match_replay_json_for_every_algorithm)
{
    for (size_t k = 0; k < NBUNDLED; k++) {
        struct trace t = load(bundled[k]);
        for (int fixed = 0; fixed <= 1; fixed++) {
            struct compare_options o = options(NULL);
            cr_assert_eq(compare_parse_algos("xen,xen-transient,merge,lazy,reserve,reserve:4,"
                                             "reserve:0", &o, NULL), 0);
            o.xen_fixed = fixed;
            struct compare_run runs[COMPARE_MAX_ALGOS];
            unsigned n = run_trace(&t, &o, 0, runs);
            cr_assert_eq(n, o.nalgo);
            for (unsigned a = 0; a < n; a++) {
                long peak, final;
                replay_peak_final(&t, &o.algo[a].mm, fixed, &peak, &final);
                cr_expect_eq((long)runs[a].peak_used, peak, "%s %s", bundled[k], runs[a].algo);
                cr_expect_eq((long)runs[a].final_used, final, "%s %s", bundled[k],
                             runs[a].algo);
                cr_expect_eq(runs[a].events, t.nevents);
                cr_expect_str_eq(runs[a].algo, o.algo[a].name);
                cr_expect_eq(runs[a].run, (long)a);
            }
        }
        trace_fini(&t);
    }
}

Test(compare, metrics_of_region_exhaustion_are_as_the_trace_describes)
{
    struct trace t = load("traces/region-exhaustion/trace.json");
    struct compare_options o = options("xen");
    struct compare_run run;
    cr_assert_eq(run_trace(&t, &o, 0, &run), 1);
    /* 5 boot regions, 11 ioremaps fill the 16 regions; the 12th ioremap and the direct map
     * fail; one read of an unmapped page faults with no region. */
    cr_expect_eq(run.peak_used, 16);
    cr_expect_eq(run.regions, 16);
    cr_expect_geq(run.failed_calls, 2);
    cr_expect_geq(run.faults[MPU_FAULT_NO_REGION], 1);
    cr_expect_eq(run.faults[MPU_FAULT_NONE], 0);
    cr_expect_gt(run.sysreg_writes, 0);
    cr_expect_gt(run.barriers, 0);
    cr_expect_gt(run.mean_used, 5.0);
    cr_expect_leq(run.mean_used, 16.0);
    cr_expect_eq(run.divergences, 0);
    trace_fini(&t);
}

Test(compare, json_lines_parse_back_one_line_per_run_with_every_key)
{
    struct trace t = load("traces/transient-vs-refcount/trace.json");
    struct compare_options o = options("xen,xen-transient");
    struct compare_run runs[2];
    cr_assert_eq(run_trace(&t, &o, 3, runs), 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    for (unsigned k = 0; k < 2; k++)
        compare_write_jsonl(f, &runs[k]);
    fclose(f);
    static const char *const keys[] = {
        "run", "trace", "algo", "engine", "xen_fixed", "regions", "events", "peak_used",
        "mean_used", "final_used", "calls", "failed_calls", "sysreg_writes", "sysreg_reads",
        "barriers", "faults", "findings", "divergences", "ctx_switch", "stopped",
    };
    char *line = buf;
    unsigned lines = 0;
    for (char *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1, lines++) {
        json_error_t je;
        json_t *v = json_loadb(line, (size_t)(nl - line), 0, &je);
        cr_assert_not_null(v, "line %u: %s", lines, je.text);
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            cr_expect_not_null(json_object_get(v, keys[k]), "key %s", keys[k]);
        cr_expect_eq(json_object_size(v), sizeof keys / sizeof keys[0]);
        cr_expect(json_is_null(json_object_get(v, "stopped")), "a run to the end: null");
        cr_expect_str_eq(json_string_value(json_object_get(v, "algo")), runs[lines].algo);
        cr_expect_eq(json_integer_value(json_object_get(v, "run")), 6 + (long)lines);
        cr_expect_eq(json_integer_value(json_object_get(v, "peak_used")),
                     (long)runs[lines].peak_used);
        json_t *fl = json_object_get(v, "faults");
        cr_expect_eq(json_integer_value(json_object_get(fl, "no_region")),
                     (long)runs[lines].faults[MPU_FAULT_NO_REGION]);
        cr_expect_str_eq(json_string_value(json_object_get(v, "trace")),
                         "traces/transient-vs-refcount/trace.json");
        json_decref(v);
    }
    cr_expect_eq(lines, 2);
    cr_expect_eq(*line, '\0', "the output ends with a newline");
    free(buf);
    trace_fini(&t);
}

Test(compare, shards_partition_the_runs)
{
    struct trace t[NBUNDLED];
    for (size_t k = 0; k < NBUNDLED; k++)
        t[k] = load(bundled[k]);
    struct compare_options o = options(NULL);
    unsigned total = (unsigned)NBUNDLED * o.nalgo;
    for (unsigned nshards = 1; nshards <= 5; nshards++) {
        int seen[NBUNDLED * COMPARE_MAX_ALGOS] = { 0 };
        for (unsigned k = 1; k <= nshards; k++) {
            o.shard_k = k;
            o.shard_n = nshards;
            for (size_t ti = 0; ti < NBUNDLED; ti++) {
                struct compare_run runs[COMPARE_MAX_ALGOS];
                unsigned n = run_trace(&t[ti], &o, (long)ti, runs);
                for (unsigned r = 0; r < n; r++) {
                    cr_assert_lt(runs[r].run, (long)total);
                    cr_expect_eq(runs[r].run % nshards, k - 1);
                    cr_expect_str_eq(runs[r].trace, t[ti].source);
                    seen[runs[r].run]++;
                }
            }
        }
        for (unsigned j = 0; j < total; j++)
            cr_expect_eq(seen[j], 1, "%u shards: run %u seen %d times", nshards, j, seen[j]);
    }
    for (size_t k = 0; k < NBUNDLED; k++)
        trace_fini(&t[k]);
}

Test(compare, csv_has_a_header_and_one_row_per_run)
{
    struct trace t = load("traces/region-exhaustion/trace.json");
    struct compare_options o = options(NULL);
    struct compare_run runs[COMPARE_MAX_ALGOS];
    unsigned n = run_trace(&t, &o, 0, runs);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    compare_write_csv_header(f);
    for (unsigned k = 0; k < n; k++)
        compare_write_csv_row(f, &runs[k]);
    fclose(f);
    unsigned lines = 0, header_commas = 0;
    for (char *p = buf; *p; p++) {
        if (*p == ',' && lines == 0)
            header_commas++;
        lines += *p == '\n';
    }
    cr_expect_eq(lines, n + 1);
    cr_expect(starts(buf, "run,trace,algo,"), "%s", buf);
    cr_expect_eq(header_commas, 25);
    for (char *p = buf, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        unsigned commas = 0;
        for (char *q = p; q < nl; q++)
            commas += *q == ',';
        cr_expect_eq(commas, 25, "every row has the header's fields: %.*s", (int)(nl - p), p);
    }
    char *row1 = strchr(buf, '\n') + 1;
    cr_expect(starts(row1, "0,traces/region-exhaustion/trace.json,xen,native,0,16,"), "%s", row1);
    free(buf);
    trace_fini(&t);
}

Test(compare, csv_quotes_fields_with_commas_and_quotes)
{
    struct compare_run r;
    memset(&r, 0, sizeof r);
    snprintf(r.trace, sizeof r.trace, "a,b\"c.json");
    snprintf(r.algo, sizeof r.algo, "xen");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    compare_write_csv_row(f, &r);
    fclose(f);
    cr_expect(starts(buf, "0,\"a,b\"\"c.json\",xen,"), "%s", buf);
    free(buf);
}

Test(compare, table_has_one_row_per_algorithm_under_a_heading)
{
    struct trace t = load("traces/transient-vs-refcount/trace.json");
    struct compare_options o = options("xen-transient,xen");
    struct compare_run runs[2];
    cr_assert_eq(run_trace(&t, &o, 0, runs), 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    compare_write_table(f, runs, 2);
    compare_write_table(f, runs, 0); /* nothing */
    fclose(f);
    cr_expect(starts(buf, "### traces/transient-vs-refcount/trace.json\n"), "%s", buf);
    char *row = strstr(buf, "| xen-transient |");
    cr_expect_not_null(row, "%s", buf);
    cr_expect_not_null(strstr(buf, "| xen |"), "%s", buf);
    cr_expect_lt(row, strstr(buf, "| xen |"), "rows follow --algo order");
    unsigned bars = 0;
    for (char *p = buf; *p; p++)
        bars += *p == '|';
    cr_expect_eq(bars, 4 * 14, "header, rule and two rows of 13 columns");
    free(buf);
    trace_fini(&t);
}

Test(compare, algorithm_lists_and_shards_parse_or_fail_with_a_message)
{
    struct compare_options o = options(NULL);
    cr_expect_geq(o.nalgo, 2);
    cr_expect_str_eq(o.algo[0].name, "xen");
    cr_expect_str_eq(o.algo[1].name, "xen-transient");
    struct mpusim_error err;
    static const char *const bad[] = { "", "xen,", ",xen", "xen,,xen-transient", "nope",
                                       "xen,xen", "reserve:", "reserve:x", "reserve:999" };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        mpusim_error_clear(&err);
        cr_expect_eq(compare_parse_algos(bad[k], &o, &err), -1, "'%s'", bad[k]);
        cr_expect_eq(err.code, MPUSIM_E_USAGE);
        cr_expect_neq(err.text[0], '\0');
    }
    cr_expect_geq(o.nalgo, 2, "unchanged after errors");
    mpusim_error_clear(&err);
    cr_expect_eq(compare_parse_algos("xen-transient", &o, &err), 0);
    cr_expect_eq(o.nalgo, 1);
    cr_expect_eq(o.algo[0].mm.algo, MM_ALGO_XEN_TRANSIENT);
    cr_expect_eq(compare_parse_algos("reserve:4,merge", &o, &err), 0);
    cr_expect_eq(o.nalgo, 2);
    cr_expect_str_eq(o.algo[0].name, "reserve:4");
    cr_expect_eq(o.algo[0].mm.algo, MM_ALGO_RESERVE);
    cr_expect_eq(o.algo[0].mm.reserve_k, 4);
    cr_expect_eq(o.algo[1].mm.algo, MM_ALGO_MERGE);

    /* K/N itself is parsed by cli_opt_shard (tests/cli/options_cli_test.c) */
    cr_expect(compare_in_shard(6, 3, 4));
    cr_expect(!compare_in_shard(6, 2, 4));
    cr_expect(compare_in_shard(0, 1, 1));
}

Test(compare, too_many_regions_in_boot_is_an_error_not_a_run)
{
    struct trace t = load("traces/region-exhaustion/trace.json");
    struct compare_options o = options("xen");
    o.regions = 2; /* 5 boot regions do not fit */
    struct compare_run run;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    unsigned n = 7;
    cr_expect_eq(compare_trace(&t, &o, 0, &run, &n, &err), -1);
    cr_expect_eq(n, 0);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    trace_fini(&t);
}

Test(compare, guest_engine_adds_cycles_per_op_that_match_a_guest_replay)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file("traces/xen-boot-fvp/trace.json", &t, &err), 0, "%s", err.text);
    struct compare_options o;
    cr_assert_eq(compare_options_init(&o, &err), 0);
    cr_assert_eq(compare_parse_algos("xen", &o, &err), 0);
    o.engine = REPLAY_ENGINE_GUEST;
    o.adapter = "build/guest/mm.adapter.json";
    struct compare_run run;
    unsigned n = 0;
    cr_assert_eq(compare_trace(&t, &o, 0, &run, &n, &err), 0, "%s", err.text);
    cr_assert_eq(n, 1);
    cr_expect(run.guest);
    cr_expect_eq(run.cycles[TRACE_OP_MAP].calls, 8);
    cr_expect_eq(run.cycles[TRACE_OP_ACCESS].calls, 0, "accesses are not calls");
    cr_expect_gt(run.cycles[TRACE_OP_MAP].p50, 0);
    cr_expect_leq(run.cycles[TRACE_OP_MAP].p50, run.cycles[TRACE_OP_MAP].p99);

    /* the same percentile from a guest replay's per-event cycles */
    struct replay_options ro = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                 .engine = REPLAY_ENGINE_GUEST, .adapter = o.adapter };
    struct replay *r = replay_new(&t, &ro, &err);
    cr_assert_not_null(r, "%s", err.text);
    uint64_t v[64];
    size_t k = 0;
    for (size_t i = 0; i < t.nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
        if (t.events[i].op == TRACE_OP_MAP)
            v[k++] = res.cycles[0];
    }
    for (size_t a = 0; a < k; a++) /* sort */
        for (size_t b = a + 1; b < k; b++)
            if (v[b] < v[a]) {
                uint64_t x = v[a];
                v[a] = v[b];
                v[b] = x;
            }
    cr_expect_eq(run.cycles[TRACE_OP_MAP].p50, v[(k * 50 + 99) / 100 - 1]);
    cr_expect_eq(run.cycles[TRACE_OP_MAP].p99, v[k - 1]);
    replay_free(r);
    trace_fini(&t);
}

/* The context switch of each system: zephyr's own switch events (Z1: five of them, each a
 * full re-flush of the 11 dynamic indices), a probe switch for zephyr on a plain trace, none
 * for xen and the policies; in the table, JSON Lines and CSV. */
Test(compare, the_context_switch_cost_of_each_system)
{
    struct trace t = load("traces/zephyr/z1/trace.json");
    struct compare_options o = options("zephyr");
    struct compare_run runs[1];
    cr_assert_eq(run_trace(&t, &o, 0, runs), 1);
    cr_expect_eq(runs[0].ctx.source, COMPARE_CTX_TRACE);
    cr_expect_eq(runs[0].ctx.count, 5);
    /* Z1 rows 4, 11, 13, 15, 16: 44 + 62 + 56 + 44 + 62 writes, 47 + 65 + 59 + 47 + 65 barriers */
    cr_expect_float_eq(runs[0].ctx.writes, 268.0 / 5, 1e-9);
    cr_expect_float_eq(runs[0].ctx.barriers, 283.0 / 5, 1e-9);
    trace_fini(&t);

    t = load("traces/xen-boot-fvp/trace.json");
    o = options("xen,zephyr,merge");
    struct compare_run three[3];
    cr_assert_eq(run_trace(&t, &o, 0, three), 3);
    cr_expect_eq(three[0].ctx.source, COMPARE_CTX_NONE);
    cr_expect_eq(three[2].ctx.source, COMPARE_CTX_NONE);
    cr_expect_eq(three[1].ctx.source, COMPARE_CTX_PROBE);
    cr_expect_eq(three[1].ctx.count, 1);
    /* the probe clears the 16 - S dynamic indices and programs the thread's list:
     * 2 + 3(N - S) + 3n writes; it is not counted in the run's own columns */
    cr_expect_gt(three[1].ctx.writes, 2);
    cr_expect_eq(((uint64_t)three[1].ctx.writes - 2) % 3, 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    compare_write_table(f, three, 3);
    for (unsigned k = 0; k < 3; k++)
        compare_write_jsonl(f, &three[k]);
    fclose(f);
    cr_expect_not_null(strstr(buf, "| ctx switch w/b |"), "%s", buf);
    cr_expect_not_null(strstr(buf, "(probe) |"), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"ctx_switch\":null,\"stopped\":null}"), "%s", buf);
    cr_expect_not_null(strstr(buf, "\"ctx_switch\":{\"source\":\"probe\",\"count\":1,"), "%s",
                       buf);
    free(buf);
    trace_fini(&t);
}
