/* Every bundled trace replayed on the guest engine gives, byte for byte, the --events-out
 * committed in tests/expected/<name>.events.jsonl (results, instruction counts and the timing
 * model's cycles per call). Speed-ups of the engine, the timing model or the lookup must leave
 * these outputs as they are; tests/expected/update.sh regenerates them when a change of the
 * results is intended. A trace with no expected file yet is reported, not failed, so that a new
 * bundled trace does not break the suite before its expectations are committed. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cli/helpers.h"

TestSuite(expected_outputs, .init = cli_tmp_init, .fini = cli_tmp_fini, .timeout = 300);

/* The bundled trace directory names, from traces/<name>/trace.json[l]. */
static size_t bundled(glob_t *g)
{
    memset(g, 0, sizeof *g);
    int rc = glob("traces/*/trace.json", 0, NULL, g);
    cr_assert(rc == 0 || rc == GLOB_NOMATCH);
    rc = glob("traces/*/trace.jsonl", GLOB_APPEND, NULL, g);
    cr_assert(rc == 0 || rc == GLOB_NOMATCH);
    return g->gl_pathc;
}

/* Remove the ,"cycles":{...} member from an --events-out line (in place). */
static void strip_cycles(char *line)
{
    char *c = strstr(line, ",\"cycles\":{");
    if (!c)
        return;
    char *end = strchr(c, '}');
    cr_assert_not_null(end, "%s", line);
    memmove(c, end + 1, strlen(end + 1) + 1);
}

/* 0 when the files at paths a and b are identical (with no_cycles: once the cycles are
 * removed from a's lines); else 1 with the first differing line described in what. */
static int differ(const char *a, const char *b, int no_cycles, char *what, size_t cap)
{
    FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
    cr_assert_not_null(fa, "%s", a);
    cr_assert_not_null(fb, "%s", b);
    static char la[4096], lb[4096];
    int d = 0;
    for (unsigned long line = 1;; line++) {
        char *ra = fgets(la, sizeof la, fa), *rb = fgets(lb, sizeof lb, fb);
        if (!ra && !rb)
            break;
        if (ra && no_cycles)
            strip_cycles(la);
        if (!ra || !rb || strcmp(la, lb) != 0) {
            snprintf(what, cap, "line %lu:\n  expected: %s  got:      %s", line,
                     ra ? la : "(end of file)\n", rb ? lb : "(end of file)\n");
            d = 1;
            break;
        }
    }
    fclose(fa);
    fclose(fb);
    return d;
}

Test(expected_outputs, every_bundled_trace_on_the_guest_engine_gives_the_committed_events_out)
{
    glob_t g;
    size_t n = bundled(&g);
    cr_assert_geq(n, 10, "the bundled traces are missing (run from the repository root)");
    unsigned compared = 0;
    for (size_t i = 0; i < n; i++) {
        const char *trace = g.gl_pathv[i];
        char name[256], expected[400];
        const char *slash = strchr(trace + strlen("traces/"), '/');
        snprintf(name, sizeof name, "%.*s", (int)(slash - trace - strlen("traces/")),
                 trace + strlen("traces/"));
        snprintf(expected, sizeof expected, "tests/expected/%s.events.jsonl", name);
        FILE *f = fopen(expected, "r");
        if (!f) {
            cr_log_warn("%s: no %s yet (tests/expected/update.sh %s writes it)", trace,
                        expected, name);
            continue;
        }
        fclose(f);
        cr_assert_eq(sh(MPUSIM " replay %s --engine guest --quiet --events-out %s/ev.jsonl",
                        trace, tdir), 0, "%s: %s", trace, slurp("err"));
        char got[128], what[9000];
        snprintf(got, sizeof got, "%s/ev.jsonl", tdir);
        cr_expect(!differ(expected, got, 0, what, sizeof what),
                  "%s: --events-out differs from %s at %s", trace, expected, what);
        compared++;
    }
    globfree(&g);
    cr_expect_geq(compared, 13, "only %u bundled traces have expected outputs", compared);
}

Test(expected_outputs, no_timing_gives_the_same_results_and_insns_without_cycles)
{
    glob_t g;
    size_t n = bundled(&g);
    unsigned compared = 0;
    for (size_t i = 0; i < n; i++) {
        const char *trace = g.gl_pathv[i];
        char name[256], expected[400];
        const char *slash = strchr(trace + strlen("traces/"), '/');
        snprintf(name, sizeof name, "%.*s", (int)(slash - trace - strlen("traces/")),
                 trace + strlen("traces/"));
        snprintf(expected, sizeof expected, "tests/expected/%s.events.jsonl", name);
        FILE *f = fopen(expected, "r");
        if (!f)
            continue;
        fclose(f);
        cr_assert_eq(sh(MPUSIM " replay %s --engine guest --no-timing --quiet --events-out "
                        "%s/ev.jsonl", trace, tdir), 0, "%s: %s", trace, slurp("err"));
        char got[128], what[9000];
        snprintf(got, sizeof got, "%s/ev.jsonl", tdir);
        cr_expect(!differ(expected, got, 1, what, sizeof what),
                  "%s --no-timing: --events-out differs from %s without cycles at %s", trace,
                  expected, what);
        compared++;
    }
    globfree(&g);
    cr_expect_geq(compared, 13);
    cr_expect_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --no-timing"), 2,
                 "--no-timing needs the guest engine");
    cr_expect(strstr(slurp("err"), "--no-timing") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " compare traces/xen-boot-fvp/trace.json --engine guest --no-timing "
                    "--algo xen"), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "cycles") == NULL, "no cycles column: %s", slurp("out"));
    cr_expect_eq(sh(MPUSIM " compare traces/xen-boot-fvp/trace.json --engine guest --algo xen"),
                 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "cycles p50/p99") != NULL, "%s", slurp("out"));
}
