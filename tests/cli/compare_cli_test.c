/* mpusim compare: exit codes, tables and output files for good and bad input. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACES "traces/region-exhaustion/trace.json traces/transient-vs-refcount/trace.json"

#include "tests/cli/helpers.h"

TestSuite(compare_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

Test(compare_cli, help_is_printed_with_exit_0)
{
    cr_expect_eq(sh(MPUSIM " compare --help"), 0);
    cr_expect(strstr(slurp("out"), "usage: mpusim compare TRACE...") != NULL);
    cr_expect_eq(sh(MPUSIM " --help"), 0);
    cr_expect(strstr(slurp("out"), "compare") != NULL);
}

Test(compare_cli, bundled_traces_give_one_table_each_and_exit_0)
{
    cr_assert_eq(sh(MPUSIM " compare --algo xen,xen-transient " TRACES), 0, "%s", slurp("err"));
    char *out = slurp("out");
    cr_expect_eq(count(out, "### "), 2, "%s", out);
    cr_expect(strstr(out, "### traces/region-exhaustion/trace.json") != NULL, "%s", out);
    cr_expect_eq(count(out, "| xen |"), 2, "%s", out);
    cr_expect_eq(count(out, "| xen-transient |"), 2, "%s", out);
    cr_expect(strstr(out, "| algo | peak | mean |") != NULL, "%s", out);
}

Test(compare_cli, every_bundled_trace_compares_with_exit_0_although_expectations_fail)
{
    /* The expectations are written for xen; xen-transient fails some: compare ignores them. */
    cr_expect_eq(sh(MPUSIM " compare --quiet traces/*/trace.json traces/*/trace.jsonl"), 0, "%s",
                 slurp("err"));
    cr_expect_str_eq(slurp("out"), "");
    cr_expect_eq(sh(MPUSIM " compare --xen-fixed --regions 64 traces/*/trace.json"), 0, "%s",
                 slurp("err"));
}

Test(compare_cli, json_lines_and_csv_have_one_line_per_run)
{
    cr_assert_eq(sh(MPUSIM " compare --algo xen,xen-transient --json %s/r.jsonl --csv %s/r.csv "
                    TRACES, tdir, tdir), 0, "%s", slurp("err"));
    char *js = slurp("r.jsonl");
    cr_expect_eq(count(js, "\n"), 4, "%s", js);
    cr_expect_eq(count(js, "{\"run\":"), 4, "%s", js);
    cr_expect(strstr(js, "{\"run\":3,\"trace\":\"traces/transient-vs-refcount/trace.json\","
                         "\"algo\":\"xen-transient\",") != NULL, "%s", js);
    char *csv = slurp("r.csv");
    cr_expect_eq(count(csv, "\n"), 5, "%s", csv);
    cr_expect_eq(strncmp(csv, "run,trace,algo,", 15), 0, "%s", csv);
}

Test(compare_cli, shards_concatenate_to_the_whole_run)
{
    cr_assert_eq(sh(MPUSIM " compare --quiet --json %s/all.jsonl " TRACES, tdir), 0);
    for (int k = 1; k <= 3; k++)
        cr_assert_eq(sh(MPUSIM " compare --quiet --shard %d/3 --json %s/p%d.jsonl " TRACES, k,
                        tdir, k), 0, "%s", slurp("err"));
    cr_assert_eq(sh("cat %s/p1.jsonl %s/p2.jsonl %s/p3.jsonl | sort > %s/merged && "
                    "sort %s/all.jsonl | cmp - %s/merged", tdir, tdir, tdir, tdir, tdir, tdir), 0,
                 "sorted union of the shards equals the whole run");
    cr_expect_gt(strlen(slurp("p1.jsonl")), 0);
}

Test(compare_cli, usage_errors_exit_2)
{
    cr_expect_eq(sh(MPUSIM " compare --algo xen,nope " TRACES), 2);
    cr_expect(strstr(slurp("err"), "nope") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " compare"), 2);
    cr_expect(strstr(slurp("err"), "missing TRACE") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " compare --shard 5/4 " TRACES), 2);
    cr_expect_eq(sh(MPUSIM " compare --shard x " TRACES), 2);
    cr_expect_eq(sh(MPUSIM " compare --regions 0 " TRACES), 2);
    cr_expect_eq(sh(MPUSIM " compare --engine warp " TRACES), 2);
    cr_expect_eq(sh(MPUSIM " compare --frobnicate " TRACES), 2);
    cr_expect_eq(sh(MPUSIM " compare " TRACES " --json"), 2);
    cr_expect(strstr(slurp("err"), "needs a value") != NULL, "%s", slurp("err"));
}

Test(compare_cli, guest_engine_adds_a_cycles_column_and_a_cycles_object)
{
    cr_expect_eq(sh(MPUSIM " compare --engine guest --algo xen,merge --json %s/c.jsonl " TRACES,
                    tdir), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "| cycles p50/p99 per op |") != NULL, "%s", slurp("out"));
    cr_expect(strstr(slurp("out"), "engine guest") != NULL);
    char *j = slurp("c.jsonl");
    cr_expect(strstr(j, "\"engine\":\"guest\"") && strstr(j, "\"cycles\":{\"map\":{"), "%s", j);
    cr_expect_eq(sh(MPUSIM " compare --core /nonexistent " TRACES), 2, "--core needs guest");
    cr_expect_eq(sh(MPUSIM " compare --engine guest --core %s/none.json " TRACES, tdir), 2);
    cr_expect(strstr(slurp("err"), "none.json") != NULL, "%s", slurp("err"));
}

Test(compare_cli, bad_trace_exits_2_with_the_reader_error_and_no_output_files)
{
    write_file("bad.json", "{\"format\": \"mpusim-trace\", \"version\": 1,\n"
                           "  \"mpu\": {\"regions\": 16},\n  \"events\": [ {\"op\": \"map\" \n");
    cr_expect_eq(sh(MPUSIM " compare traces/region-exhaustion/trace.json %s/bad.json "
                    "--json %s/r.jsonl --csv %s/r.csv", tdir, tdir, tdir), 2);
    char *e = slurp("err");
    cr_expect(strstr(e, "bad.json:4:") != NULL, "%s", e);
    cr_expect(!exists("r.jsonl") && !exists("r.csv"));
    cr_expect(only_files(3), "only bad.json, out and err remain");
    cr_expect_eq(sh(MPUSIM " compare %s/nope.json --json %s/r.jsonl", tdir, tdir), 2);
    cr_expect(strstr(slurp("err"), "nope.json") != NULL);
    cr_expect(!exists("r.jsonl"));
}

Test(compare_cli, boot_that_does_not_fit_exits_2)
{
    cr_expect_eq(sh(MPUSIM " compare --regions 2 traces/region-exhaustion/trace.json "
                    "--json %s/r.jsonl", tdir), 2);
    cr_expect(strstr(slurp("err"), "boot") != NULL, "%s", slurp("err"));
    cr_expect(!exists("r.jsonl"));
}

/* The cross-system table: every bundled Xen trace (traces/<name>/trace.json[l]) through xen,
 * zephyr, bao, merge and lazy: exit 0, one table per trace with one row per algorithm, and
 * each system's context-switch column. */
Test(compare_cli, every_bundled_xen_trace_compares_across_xen_zephyr_bao_merge_and_lazy,
     .timeout = 120)
{
    glob_t g;
    memset(&g, 0, sizeof g);
    cr_assert_eq(glob("traces/*/trace.json", 0, NULL, &g), 0);
    cr_assert_eq(glob("traces/*/trace.jsonl", GLOB_APPEND, NULL, &g), 0);
    char cmd[8192];
    size_t n = (size_t)snprintf(cmd, sizeof cmd, MPUSIM " compare --algo xen,zephyr,bao,merge,lazy");
    for (size_t i = 0; i < g.gl_pathc; i++)
        n += (size_t)snprintf(cmd + n, sizeof cmd - n, " %s", g.gl_pathv[i]);
    cr_assert_lt(n, sizeof cmd);
    cr_assert_eq(sh("%s", cmd), 0, "%s", slurp("err"));
    const char *out = slurp("out");
    cr_expect_eq(count(out, "### traces/"), g.gl_pathc, "one table per trace:\n%s", out);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char head[256];
        snprintf(head, sizeof head, "### %s\n", g.gl_pathv[i]);
        cr_expect_not_null(strstr(out, head), "%s", head);
    }
    static const char *const rows[] = { "| xen |", "| zephyr |", "| bao |", "| merge |",
                                        "| lazy |" };
    for (int k = 0; k < 5; k++)
        cr_expect_eq(count(out, rows[k]), g.gl_pathc, "%s", rows[k]);
    cr_expect_eq(count(out, "(probe) |"), g.gl_pathc, "zephyr's switch on every trace");
    globfree(&g);
}

/* A guest that stops inside a call (here the real Xen faulting in xen_mpumap_update at event
 * 61 of prenr-wrap) is a result, as in replay: the row counts the events before, the stop is
 * said under the table and in the JSON Lines and CSV rows, and compare exits 1, not 2. */
Test(compare_cli, a_guest_stop_is_a_result_exit_1_with_the_row_up_to_that_event)
{
    const char *xen = xen_image();
    if (!xen)
        cr_skip_test("no Xen image at ../shared/xen/arm64-mpu-debug/xen-syms (set MPUSIM_XEN_SYMS)");
    cr_expect_eq(sh(MPUSIM " compare traces/prenr-wrap/trace.json traces/xen-boot-fvp/trace.json "
                    "--engine guest --elf %s --adapter xen-upstream --no-timing --algo xen "
                    "--json %s/c.jsonl --csv %s/c.csv", xen, tdir, tdir), 1, "%s", slurp("err"));
    const char *out = slurp("out");
    cr_expect(strstr(out, "61 events, 80 EL2 regions, engine guest"), "%s", out);
    cr_expect(strstr(out, "stopped: xen: the guest stopped at event 61 (unmap, in "
                          "xen_mpumap_update): MPU fault (no_region) on exec"), "%s", out);
    cr_expect(strstr(out, "### traces/xen-boot-fvp/trace.json"), "the next trace still runs: %s",
              out);
    cr_expect_eq(count(out, "stopped: "), 1u, "only the run that stopped: %s", out);
    const char *js = slurp("c.jsonl");
    cr_expect_eq(count(js, "\n"), 2u, "%s", js);
    cr_expect(strstr(js, "\"stopped\":{\"event\":61,\"what\":\"the guest stopped at event 61"),
              "%s", js);
    cr_expect(strstr(js, "\"stopped\":null}"), "the boot trace ran to the end: %s", js);
    const char *csv = slurp("c.csv");
    cr_expect(strstr(csv, ",stopped_event,stopped\n"), "%s", csv);
    cr_expect(strstr(csv, ",61,\"the guest stopped at event 61"), "%s", csv);
}
