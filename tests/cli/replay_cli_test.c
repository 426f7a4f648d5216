/* The mpusim binary: exit codes, messages and output files for good and bad input. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/cli/helpers.h"
#include "traces/trace.h"

TestSuite(replay_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

Test(replay_cli, help_is_printed_with_exit_0)
{
    cr_expect_eq(sh(MPUSIM " replay --help"), 0);
    cr_expect(strstr(slurp("out"), "usage: mpusim replay") != NULL);
    cr_expect_eq(sh(MPUSIM " --help"), 0);
    cr_expect(strstr(slurp("out"), "replay") != NULL);
}

Test(replay_cli, bundled_boot_trace_replays_with_exit_0_and_writes_both_outputs)
{
    cr_assert_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --events-out %s/ev.jsonl "
                    "--json %s/sum.json", tdir, tdir), 0, "%s", slurp("err"));
    cr_expect(exists("ev.jsonl"));
    cr_expect(strstr(slurp("sum.json"), "\"final_regions\"") != NULL);
    cr_expect(strstr(slurp("out"), "regions    in use: peak") != NULL);
}

/* The zephyr fixtures through the command (the streaming reader): every expectation met,
 * from the document file, from stdin and as JSON Lines read through a pipe. */
Test(replay_cli, zephyr_fixtures_replay_with_every_expectation_met_from_a_file_and_a_pipe)
{
    const char *paths[] = { "traces/zephyr/z1/trace.json", "traces/zephyr/z2/trace.json" };
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(sh(MPUSIM " replay %s --algo zephyr", paths[k]), 0, "%s", slurp("err"));
        cr_expect(strstr(slurp("out"), " 0 mismatches") != NULL, "%s", slurp("out"));
        cr_assert_eq(sh("cat %s | " MPUSIM " replay - --algo zephyr", paths[k]), 0, "%s",
                     slurp("err"));
        cr_expect(strstr(slurp("out"), " 0 mismatches") != NULL, "%s", slurp("out"));
    }
    /* JSON Lines (the trace writer's): names resolved as the lines are streamed */
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(paths[0], &t, &err), 0, "%s", err.text);
    char path[128];
    snprintf(path, sizeof path, "%s/z1.jsonl", tdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    struct trace_write_options wo = { TRACE_FORM_JSONL, NULL, NULL };
    cr_assert_eq(trace_write(f, &t, &wo, &err), 0, "%s", err.text);
    cr_assert_eq(fclose(f), 0);
    trace_fini(&t);
    cr_assert_eq(sh("cat %s/z1.jsonl | " MPUSIM " replay - --algo zephyr", tdir), 0, "%s",
                 slurp("err"));
    cr_expect(strstr(slurp("out"), "21 events checked, 0 mismatches") != NULL, "%s",
              slurp("out"));
}

Test(replay_cli, unknown_option_and_missing_trace_are_usage_errors)
{
    cr_expect_eq(sh(MPUSIM " replay --frobnicate traces/xen-boot-fvp/trace.json"), 2);
    cr_expect(strstr(slurp("err"), "unknown option") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " replay"), 2);
    cr_expect(strstr(slurp("err"), "missing TRACE") != NULL);
    cr_expect_eq(sh(MPUSIM " replay --algo nope traces/xen-boot-fvp/trace.json"), 2);
    cr_expect_eq(sh(MPUSIM " replay --regions 256 traces/xen-boot-fvp/trace.json"), 2);
    cr_expect_eq(sh(MPUSIM " frobnicate"), 2);
}

Test(replay_cli, malformed_json_exits_2_naming_file_line_and_column_and_leaves_no_output)
{
    write_file("bad.json", "{\"format\": \"mpusim-trace\", \"version\": 1,\n  \"mpu\": {\"regions\": 16},\n"
                           "  \"events\": [ {\"op\": \"map\" \n");
    cr_expect_eq(sh(MPUSIM " replay %s/bad.json --events-out %s/ev.jsonl --json %s/s.json", tdir,
                    tdir, tdir), 2);
    char *e = slurp("err");
    cr_expect(strstr(e, "bad.json:") != NULL, "%s", e);
    cr_expect(!exists("ev.jsonl") && !exists("s.json"));
    cr_expect(only_files(3), "only bad.json, out and err remain");
}

Test(replay_cli, unknown_register_name_exits_2)
{
    write_file("reg.json", "{\"format\": \"mpusim-trace\", \"version\": 1, \"mpu\": {\"regions\": 16},\n"
                           " \"events\": [ {\"op\": \"sysreg\", \"reg\": \"PRBAR99_EL2\", \"value\": 0} ]}\n");
    cr_expect_eq(sh(MPUSIM " replay %s/reg.json --json %s/s.json", tdir, tdir), 2);
    cr_expect(strstr(slurp("err"), "PRBAR99_EL2") != NULL, "%s", slurp("err"));
    cr_expect(!exists("s.json"));
}

Test(replay_cli, failed_expectation_exits_1_and_names_the_event)
{
    write_file("x.jsonl", "{\"format\": \"mpusim-trace\", \"version\": 1, \"mpu\": {\"regions\": 16}, \"boot\": []}\n"
                          "{\"op\": \"map\", \"base\": \"0x1000\", \"limit\": \"0x2000\", \"flags\": \"RW\", \"expect\": {\"rc\": -22}}\n");
    cr_expect_eq(sh(MPUSIM " replay %s/x.jsonl", tdir), 1);
    char *e = slurp("err");
    cr_expect(strstr(e, "x.jsonl:2: event 0: map: expected rc -22, got 0") != NULL, "%s", e);
}

Test(replay_cli, json_to_stdout_and_to_a_non_regular_file_is_written_in_place)
{
    cr_assert_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --quiet --json -"), 0);
    cr_expect(strstr(slurp("out"), "\"final_regions\"") != NULL);
    char fifo[128];
    snprintf(fifo, sizeof fifo, "%s/fifo", tdir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_assert_eq(sh("cat %s/fifo > %s/got & " MPUSIM " replay traces/xen-boot-fvp/trace.json "
                    "--quiet --json %s/fifo; wait", tdir, tdir, tdir), 0);
    struct stat st;
    cr_expect_eq(stat(fifo, &st), 0);
    cr_expect(S_ISFIFO(st.st_mode), "the FIFO was not replaced by a regular file");
    cr_expect(strstr(slurp("got"), "\"final_regions\"") != NULL);
}

Test(replay_cli, nonexistent_trace_exits_2)
{
    cr_expect_eq(sh(MPUSIM " replay %s/nope.json", tdir), 2);
    cr_expect(strstr(slurp("err"), "nope.json") != NULL);
}

Test(replay_cli, unwritable_output_exits_2_and_leaves_nothing)
{
    cr_expect_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --json %s/no/such/tdir/s.json "
                    "--events-out %s/ev.jsonl", tdir, tdir), 2);
    cr_expect(!exists("ev.jsonl"));
    cr_expect(only_files(2));
}
