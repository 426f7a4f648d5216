/* mpusim fuzz: exit codes, the written trace replays with exit 0, JSON Lines, shards, usage. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/cli/helpers.h"

TestSuite(fuzz_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

Test(fuzz_cli, a_violation_exits_1_and_writes_a_trace_that_replays_with_exit_0)
{
    cr_assert_eq(sh_in_tdir("$MPUSIM fuzz --regions 64 --seed 1 --iterations 10 --length 200"), 1,
                 "%s", slurp("err"));
    const char *out = slurp("out");
    cr_expect_not_null(strstr(out, "table_matches_hw violated"), "%s", out);
    cr_expect_not_null(strstr(out, "written: fuzz-xen-1.json"), "%s", out);
    char *trace = slurp("fuzz-xen-1.json");
    cr_assert_not_null(trace);
    cr_expect_not_null(strstr(trace, "\"note\": \"fuzz: invariant table_matches_hw"));
    cr_expect_eq(sh_in_tdir("$MPUSIM replay fuzz-xen-1.json --algo xen"), 0, "%s", slurp("err"));
    cr_expect_not_null(strstr(slurp("out"), "PRENR"), "the replay reports the finding");
}

Test(fuzz_cli, zephyr_finds_lost_writes_and_the_trace_replays_showing_them)
{
    cr_assert_eq(sh_in_tdir("$MPUSIM fuzz --algo zephyr --seed 1 --iterations 5"), 1, "%s",
                 slurp("err"));
    const char *out = slurp("out");
    cr_expect_not_null(strstr(out, "kernel_ram_accessible violated"), "%s", out);
    cr_expect_not_null(strstr(out, "region_num 13"), "%s", out);
    cr_expect_not_null(strstr(out, "written: fuzz-zephyr-1.json"), "%s", out);
    char *trace = slurp("fuzz-zephyr-1.json");
    cr_assert_not_null(trace);
    cr_expect_not_null(strstr(trace, "\"zephyr\": {\"static\""), "%s", trace);
    cr_expect_not_null(strstr(trace, "\"op\": \"domain_add_partition\""), "%s", trace);
    cr_expect_eq(sh_in_tdir("$MPUSIM replay fuzz-zephyr-1.json --algo zephyr"), 0, "%s",
                 slurp("err"));
    out = slurp("out");
    cr_expect_not_null(strstr(out, "0 mismatches"), "%s", out);
    cr_expect_not_null(strstr(out, "the writes are lost"), "the replay reports the finding: %s",
                       out);
}

Test(fuzz_cli, bao_finds_the_merge_desync_and_the_trace_replays_showing_it)
{
    cr_assert_eq(sh_in_tdir("$MPUSIM fuzz --algo bao --seed 1 --iterations 5"), 1, "%s",
                 slurp("err"));
    const char *out = slurp("out");
    cr_expect_not_null(strstr(out, "cpus_consistent violated"), "%s", out);
    cr_expect_not_null(strstr(out, "allocated 0/4/4, enabled 0/4/4"), "per-CPU counts: %s", out);
    cr_expect_not_null(strstr(out, "written: fuzz-bao-1.json"), "%s", out);
    char *trace = slurp("fuzz-bao-1.json");
    cr_assert_not_null(trace);
    cr_expect_not_null(strstr(trace, "\"bao\": {\"cpus\": 3"), "%s", trace);
    cr_expect_not_null(strstr(trace, "\"op\": \"map\", \"cpu\": 2, \"as\": \"hyp\""), "%s",
                       trace);
    cr_expect_not_null(strstr(trace, "\"op\": \"access\""), "the witness: %s", trace);
    cr_expect_eq(sh_in_tdir("$MPUSIM replay fuzz-bao-1.json --algo bao"), 0, "%s", slurp("err"));
    out = slurp("out");
    cr_expect_not_null(strstr(out, "0 mismatches"), "%s", out);
    cr_expect_not_null(strstr(out, "broadcast REMOVE"), "the replay reports the finding: %s",
                       out);
    /* with --fixed cpu1 keeps the page: the faithful expectations are not met */
    cr_expect_eq(sh_in_tdir("$MPUSIM replay fuzz-bao-1.json --algo bao --fixed"), 1, "%s",
                 slurp("err"));
    cr_expect_not_null(strstr(slurp("err"), "expected cpus[1].writes"), "%s", slurp("err"));
}

Test(fuzz_cli, xen_fixed_exits_0_with_a_json_line_and_no_trace)
{
    cr_assert_eq(sh_in_tdir("$MPUSIM fuzz --regions 64 --xen-fixed --seed 1 --iterations 6 --length 100 "
                    "--json r.jsonl"), 0, "%s", slurp("err"));
    const char *j = slurp("r.jsonl");
    cr_assert_not_null(j);
    cr_expect_not_null(strstr(j, "\"iterations\": 6, \"ops\": 600, \"violations\": []}\n"),
                       "%s", j);
    cr_expect_not_null(strstr(slurp("out"), "no invariant violated"));
    struct stat st;
    char path[128];
    snprintf(path, sizeof path, "%s/fuzz-xen-1.json", tdir);
    cr_expect_neq(stat(path, &st), 0, "no trace without a violation");
}

Test(fuzz_cli, shards_concatenate_to_the_whole_run)
{
    cr_assert_eq(sh_in_tdir("for k in 1 2 3; do $MPUSIM fuzz --xen-fixed --regions 16 --iterations 7 "
                    "--length 40 --shard $k/3 --json - || exit 9; done > all.jsonl"), 0, "%s",
                 slurp("err"));
    const char *all = slurp("all.jsonl");
    cr_assert_not_null(all);
    cr_expect_not_null(strstr(all, "\"shard\": \"1/3\""));
    cr_expect_not_null(strstr(all, "\"shard\": \"1/3\", \"algo\": \"xen\", \"xen_fixed\": true, "
                                   "\"regions\": 16, \"seed\": 1, \"length\": 40, "
                                   "\"iterations\": 3"), "%s", all);
    cr_expect_not_null(strstr(all, "\"shard\": \"3/3\""));
    int lines = 0;
    for (const char *p = all; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 3, "%s", all);
}

Test(fuzz_cli, bad_options_exit_2_with_a_message)
{
    const char *bad[] = { "--regions 0", "--shard 3/2", "--shard x", "--algo nope",
                          "--time -1", "--length 0", "--seed", "extra" };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(sh_in_tdir("$MPUSIM fuzz %s", bad[i]), 2, "%s", bad[i]);
        cr_expect_not_null(strstr(slurp("err"), "mpusim fuzz:"), "%s: %s", bad[i],
                           slurp("err"));
    }
    cr_expect_eq(sh_in_tdir("$MPUSIM fuzz --help"), 0);
    cr_expect_not_null(strstr(slurp("out"), "--shard K/N"));
}
