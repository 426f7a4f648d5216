/* The HTML reports of the two "done when" commands rendered by a real browser (headless
 * Chromium): the page loads, a screenshot is made, and the DOM the browser built holds every
 * section's chart elements and references nothing external. Skipped, with the reason, where
 * chromium is not installed (make deps-browser installs it). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cli/helpers.h"
#include "tests/report/helpers.h"

TestSuite(report_browser, .init = cli_tmp_init, .fini = cli_tmp_fini); /* chromium runs under timeout(1) */

static void need_chromium(void)
{
    if (system("command -v chromium >/dev/null 2>&1") != 0)
        cr_skip_test("chromium is not installed (make deps-browser installs it): the report "
                     "is not rendered in a browser");
}

/* Render tdir/name.html with chromium: the screenshot in tdir/name.png; returns the DOM the
 * browser built (caller frees). */
static char *render(const char *name)
{
    const char *flags = "--headless --no-sandbox --disable-gpu --hide-scrollbars "
                        "--window-size=1280,2400 --no-first-run --disable-extensions";
    cr_assert_eq(sh("timeout 120 chromium %s --user-data-dir=%s/profile --screenshot=%s/%s.png "
                    "file://%s/%s.html",
                    flags, tdir, tdir, name, tdir, name),
                 0, "chromium --screenshot failed: %s", slurp("err"));
    cr_assert_eq(sh("timeout 120 chromium %s --user-data-dir=%s/profile --dump-dom "
                    "file://%s/%s.html",
                    flags, tdir, tdir, name),
                 0, "chromium --dump-dom failed: %s", slurp("err"));
    char path[160];
    snprintf(path, sizeof path, "%s/%s.png", tdir, name);
    char *png = report_read_file(path);
    cr_assert_not_null(png, "no screenshot");
    cr_expect(memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0, "the screenshot is a PNG");
    free(png);
    snprintf(path, sizeof path, "%s/out", tdir); /* the DOM, as sh() captured it */
    char *dom = report_read_file(path);
    cr_assert_not_null(dom);
    return dom;
}

Test(report_browser, boot_trace_report_renders_every_section)
{
    need_chromium();
    cr_assert_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --engine guest --html "
                    "%s/boot.html --quiet", tdir), 0, "%s", slurp("err"));
    char *dom = render("boot");
    static const char *const want[] = {
        "<section id=\"occupancy\">", "<svg class=\"chart occupancy\"", "class=\"occ-max\"",
        "class=\"occ-limit\"", "class=\"occ-peak\"", "<section id=\"regions\">",
        "<svg class=\"chart regionmap\"", "<g class=\"bar\"", "<section id=\"latency\">",
        "<svg class=\"chart latency\"", "class=\"hbar\"", "class=\"band\"",
        "<section id=\"findings\">", "faults-data", "regions-data", "latency-data",
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        cr_expect(strstr(dom, want[k]) != NULL, "the rendered DOM lacks %s", want[k]);
    cr_expect_eq(report_table_rows(dom, "faults-data"), 4, "the trace's 4 faulting accesses");
    cr_expect_eq(report_external_refs(dom), 0, "the page references something external");
    free(dom);
}

Test(report_browser, policy_comparison_renders_every_algorithm)
{
    need_chromium();
    cr_assert_eq(sh(MPUSIM " compare traces/policy-reserve/trace.json --algo "
                    "xen,merge,lazy,reserve:2 --html %s/cmp.html --quiet", tdir),
                 0, "%s", slurp("err"));
    char *dom = render("cmp");
    cr_expect(strstr(dom, "<svg class=\"chart overlay\"") != NULL);
    cr_expect_eq(count(dom, "<g class=\"series\""), 4, "one series per algorithm");
    for (const char *a = "xen\0merge\0lazy\0reserve:2\0"; *a; a += strlen(a) + 1) {
        char key[48];
        snprintf(key, sizeof key, "data-algo=\"%s\"", a);
        cr_expect(strstr(dom, key) != NULL, "no series for %s", a);
    }
    cr_expect_eq(report_table_rows(dom, "metrics-data"), 4);
    cr_expect_eq(report_external_refs(dom), 0);
    free(dom);
}
