/* The progress line (cli/progress.c): on stderr, rewritten in place with '\r', only when
 * stderr is a terminal unless --progress forces it (--no-progress: never); cleared at the end;
 * the outputs are the same with and without it. Here stderr is a file, as in a pipe. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/cli/helpers.h"

TestSuite(progress_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

#define STORM "traces/heap-scrub-storm/trace.jsonl"

/* stderr holds a progress line of cmd (its "\rcmd: " prefix and the words given) and ends it
 * erased ("\r" + spaces + "\r"). */
static void has_line(const char *cmd, const char *w1, const char *w2)
{
    const char *err = slurp("err");
    char prefix[32];
    snprintf(prefix, sizeof prefix, "\r%s: ", cmd);
    cr_expect(strstr(err, prefix) != NULL, "%s: %s", cmd, err);
    cr_expect(strstr(err, w1) != NULL, "%s: no '%s' in %s", cmd, w1, err);
    if (w2)
        cr_expect(strstr(err, w2) != NULL, "%s: no '%s' in %s", cmd, w2, err);
    const char *last = strrchr(err, '\r');
    cr_expect(last && last > err && last[-1] == ' ', "%s: the line is not erased: %s", cmd, err);
}

static void no_line(void)
{
    cr_expect(strchr(slurp("err"), '\r') == NULL, "%s", slurp("err"));
}

Test(progress_cli, replay_draws_the_line_only_when_asked_and_outputs_are_unchanged)
{
    cr_assert_eq(sh(MPUSIM " replay " STORM " --quiet --events-out %s/a.jsonl --json %s/a.json",
                    tdir, tdir), 0, "%s", slurp("err"));
    no_line();
    cr_assert_eq(sh(MPUSIM " replay " STORM " --quiet --progress --events-out %s/b.jsonl --json "
                    "%s/b.json", tdir, tdir), 0, "%s", slurp("err"));
    has_line("replay", "events/s", "% of ");
    cr_expect(strstr(slurp("err"), "elapsed") && strstr(slurp("err"), "left"), "%s",
              slurp("err"));
    cr_expect_eq(sh("cmp %s/a.jsonl %s/b.jsonl && cmp %s/a.json %s/b.json", tdir, tdir, tdir,
                    tdir), 0, "the outputs differ with --progress");
    cr_assert_eq(sh(MPUSIM " replay " STORM " --quiet --progress --no-progress"), 0);
    no_line();
}

Test(progress_cli, a_pipe_has_no_size_the_line_says_so)
{
    cr_assert_eq(sh("cat " STORM " | " MPUSIM " replay - --quiet --progress"), 0, "%s",
                 slurp("err"));
    has_line("replay", "size unknown", "events/s");
    cr_expect(strstr(slurp("err"), " left") == NULL, "no time left without a size: %s",
              slurp("err"));
}

Test(progress_cli, compare_counts_traces)
{
    cr_assert_eq(sh(MPUSIM " compare traces/xen-boot-fvp/trace.json traces/prenr-wrap/trace.json "
                    "traces/policy-merge/trace.json --algo xen --quiet --progress --json %s/c.json",
                    tdir), 0, "%s", slurp("err"));
    has_line("compare", "of 3 traces", "events/s");
    cr_assert_eq(sh(MPUSIM " compare traces/xen-boot-fvp/trace.json --algo xen --quiet"), 0);
    no_line();
}

Test(progress_cli, fuzz_shows_the_share_of_its_time_or_iterations)
{
    cr_assert_eq(sh(MPUSIM " fuzz --time 0.3 --quiet --progress --out %s/f.json", tdir), 0,
                 "%s", slurp("err"));
    has_line("fuzz", "of 0.3 s", "ops/s");
    cr_assert_eq(sh(MPUSIM " fuzz --iterations 20 --quiet --progress --out %s/f.json", tdir), 0,
                 "%s", slurp("err"));
    has_line("fuzz", "of 20 iterations", "ops/s");
    cr_assert_eq(sh(MPUSIM " fuzz --iterations 20 --quiet --out %s/f.json", tdir), 0);
    no_line();
}

Test(progress_cli, import_shows_lines_and_the_file)
{
    cr_assert_eq(sh(MPUSIM " import tarmac tests/tarmac/xen-calls-fvp.tarmac --out %s/a.jsonl "
                    "--quiet", tdir), 0, "%s", slurp("err"));
    no_line();
    cr_assert_eq(sh(MPUSIM " import tarmac tests/tarmac/xen-calls-fvp.tarmac --out %s/b.jsonl "
                    "--progress", tdir), 0, "%s", slurp("err"));
    has_line("import", "lines/s", "% of ");
    cr_expect(strstr(slurp("err"), "import: ") != NULL, "the summary follows");
    cr_expect_eq(sh("cmp %s/a.jsonl %s/b.jsonl", tdir, tdir), 0);
}

/* By default the line is drawn only when stderr is a terminal: under script(1)'s
 * pseudo-terminal it appears, and --no-progress still turns it off. */
Test(progress_cli, by_default_only_a_terminal_gets_the_line)
{
    if (sh("command -v script") != 0)
        cr_skip_test("no script(1) (util-linux) to give the command a pseudo-terminal");
    cr_assert_eq(sh("script -qec '" MPUSIM " replay " STORM " --quiet' /dev/null </dev/null"), 0,
                 "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "\rreplay: ") != NULL, "%s", slurp("out"));
    cr_assert_eq(sh("script -qec '" MPUSIM " replay " STORM " --quiet --no-progress' /dev/null "
                    "</dev/null"), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "replay: ") == NULL, "%s", slurp("out"));
}
