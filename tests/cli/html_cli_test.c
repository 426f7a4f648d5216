/* --html on replay and compare: written like every other output (together with the others or
 * not at all, '-' for standard output), and bad uses exit 2 leaving nothing behind. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cli/helpers.h"

TestSuite(html_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

Test(html_cli, replay_writes_the_page_with_the_other_outputs)
{
    cr_assert_eq(sh(MPUSIM " replay traces/demo-faults/trace.json --html %s/r.html --json "
                    "%s/s.json --quiet", tdir, tdir), 0, "%s", slurp("err"));
    char *html = slurp("r.html");
    cr_assert_not_null(html);
    cr_expect(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    cr_expect(exists("s.json"));
    cr_expect(only_files(4), "out, err and the two outputs: no temporary file left");
    cr_expect(strstr(slurp("out"), "<!DOCTYPE") == NULL, "--quiet prints nothing");
}

Test(html_cli, dash_writes_the_page_to_standard_output)
{
    cr_assert_eq(sh(MPUSIM " replay traces/demo-faults/trace.json --html - --quiet"), 0, "%s",
                 slurp("err"));
    cr_expect(strncmp(slurp("out"), "<!DOCTYPE html>", 15) == 0);
    cr_assert_eq(sh(MPUSIM " compare traces/policy-merge/trace.json --algo xen,merge --html - "
                    "--quiet"), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "</html>") != NULL);
}

Test(html_cli, unwritable_page_exits_2_and_leaves_no_other_output)
{
    cr_expect_eq(sh(MPUSIM " replay traces/demo-faults/trace.json --json %s/s.json --html "
                    "%s/nodir/r.html", tdir, tdir), 2);
    cr_expect(strstr(slurp("err"), "nodir/r.html") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " compare traces/policy-merge/trace.json --json %s/c.jsonl --html "
                    "%s/nodir/c.html", tdir, tdir), 2);
    cr_expect(only_files(2), "only out and err: nothing half-written");
}

Test(html_cli, bad_trace_leaves_no_page)
{
    write_file("bad.json", "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                           "\"events\":[{\"op\":\"map\"}]}");
    cr_expect_eq(sh(MPUSIM " replay %s/bad.json --html %s/r.html", tdir, tdir), 2);
    cr_expect(!exists("r.html"));
    cr_expect_eq(sh(MPUSIM " compare %s/bad.json --html %s/c.html", tdir, tdir), 2);
    cr_expect(!exists("c.html"));
}

Test(html_cli, html_needs_a_value_and_is_in_the_help)
{
    cr_expect_eq(sh(MPUSIM " replay traces/demo-faults/trace.json --html"), 2);
    cr_expect(strstr(slurp("err"), "needs a value") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " replay --help"), 0);
    cr_expect(strstr(slurp("out"), "--html F") != NULL);
    cr_expect_eq(sh(MPUSIM " compare --help"), 0);
    cr_expect(strstr(slurp("out"), "--html F") != NULL);
}
