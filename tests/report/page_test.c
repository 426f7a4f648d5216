/* The HTML report as written by report/: every section and chart is there, nothing external
 * is referenced, text is escaped, the region map shows overlaps and small regions, long runs
 * stay bounded, and the comparison page draws every algorithm. (tests/report/browser_test.c
 * renders the pages in a real browser.) */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/internal.h"
#include "tests/cli/helpers.h"
#include "tests/report/helpers.h"
#include "traces/trace.h"

static struct trace load(const char *path)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(path, &t, &err), 0, "%s: %s (run from the repository root)",
                 path, err.text);
    return t;
}

/* Replay t natively with a collector and return the page (caller frees); the replay goes to
 * *out_r if it is non-NULL (caller frees), else it is freed; *len gets the page's length. */
static char *render(const struct trace *t, size_t *len, struct replay **out_r)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .keep_findings = 1000 };
    struct replay *r = replay_new(t, &o, &err);
    cr_assert_not_null(r, "%s", err.text);
    struct report_collector *c = report_collector_new(r, &err);
    cr_assert_not_null(c, "%s", err.text);
    for (size_t i = 0; i < t->nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
        report_collector_observe(c, r, i, &t->events[i], &res);
    }
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    cr_assert_not_null(f);
    cr_assert_eq(report_write_replay(f, r, c, &err), 0, "%s", err.text);
    cr_assert_eq(fclose(f), 0);
    report_collector_free(c);
    if (out_r)
        *out_r = r;
    else
        replay_free(r);
    if (len)
        *len = n;
    return buf;
}

TestSuite(report_page);

Test(report_page, replay_page_has_every_section_chart_and_table)
{
    struct trace t = load("traces/xen-boot-fvp/trace.json");
    struct replay *r;
    char *html = render(&t, NULL, &r);
    cr_expect(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    static const char *const want[] = {
        "id=\"occupancy\"", "id=\"regions\"", "id=\"latency\"", "id=\"findings\"",
        "class=\"occ-max\"", "class=\"occ-limit\"", "class=\"occ-peak\"", "occupancy-data",
        "id=\"map-end\"", "id=\"map-peak\"", "regions-data", "faults-data",
        "class=\"chart regionmap\"", "class=\"chart occupancy\"",
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        cr_expect(strstr(html, want[k]) != NULL, "missing %s", want[k]);
    /* the numbers: one occupancy row per event, one fault row per fault, one map row per
     * enabled region at the end */
    cr_expect_eq(report_table_rows(html, "occupancy-data"), t.nevents);
    uint64_t faults = r->faults[MPU_FAULT_PERMISSION] + r->faults[MPU_FAULT_NO_REGION] +
                      r->faults[MPU_FAULT_MULTIPLE_REGIONS];
    cr_assert_gt(faults, 0, "the boot trace has faulting accesses");
    cr_expect_eq(report_table_rows(html, "faults-data"), faults);
    const char *me = strstr(html, "id=\"map-end\"");
    const char *me_end = strstr(me, "</table>");
    unsigned bars = 0;
    for (const char *p = me; (p = strstr(p, "<g class=\"bar")) != NULL && p < me_end; p++)
        bars++;
    cr_expect_eq(bars, replay_hw(r)->el2.enabled, "one bar per enabled region");
    cr_expect_eq(report_external_refs(html), 0, "the page must fetch nothing");
    free(html);
    replay_free(r);
    trace_fini(&t);
}

Test(report_page, native_run_says_where_latency_comes_from_and_guest_free_page_is_complete)
{
    struct trace t = load("traces/xen-error-paths/trace.json");
    char *html = render(&t, NULL, NULL);
    cr_expect(strstr(html, "--engine guest") != NULL, "the latency section says how to get it");
    cr_expect(strstr(html, "Failed calls (") != NULL);
    cr_expect(strstr(html, "</html>\n") != NULL);
    free(html);
    trace_fini(&t);
}

Test(report_page, text_from_the_trace_is_escaped)
{
    struct trace t = load("traces/demo-faults/trace.json");
    snprintf(t.source, sizeof t.source, "<script>alert('x')</script>&\"");
    char *html = render(&t, NULL, NULL);
    cr_expect(strstr(html, "<script>") == NULL);
    cr_expect(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;") != NULL);
    free(html);
    trace_fini(&t);
}

/* A long run with failures and faults throughout: Xen's text as the boot region, cycles of
 * 20 maps of distinct 64 KiB pages
 * (the last ones fail: the MPU is full) and 20 unmaps, an access to an unmapped page every
 * 7th event. */
static struct trace long_trace(size_t n)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    snprintf(t.source, sizeof t.source, "generated");
    t.regions = 16;
    t.has_boot = 1;
    t.nboot = 1;
    t.boot = calloc(1, sizeof *t.boot);
    cr_assert_not_null(t.boot);
    t.boot[0] = (struct trace_boot_region){ .base = 0, .limit = 0x80000,
                                            .flags = MM_PAGE_HYPERVISOR_RX };
    t.events = calloc(n, sizeof *t.events);
    cr_assert_not_null(t.events);
    t.nevents = t.cap = n;
    for (size_t i = 0; i < n; i++) {
        struct trace_event *e = &t.events[i];
        uint64_t page = 0x40000000u + (uint64_t)(i % 20) * 0x10000u;
        e->line = -1;
        if (i % 7 == 6) {
            e->op = TRACE_OP_ACCESS;
            e->base = 0x80000000u;
            e->limit = 4;
            e->kind = TRACE_ACC_READ;
            e->el = 2;
        } else if ((i / 20) % 2 == 0) {
            e->op = TRACE_OP_MAP;
            e->base = page;
            e->limit = page + 0x10000u;
            e->flags = MM_PAGE_HYPERVISOR_RW;
        } else {
            e->op = TRACE_OP_UNMAP;
            e->base = page;
            e->limit = page + 0x10000u;
        }
    }
    return t;
}

Test(report_page, long_run_is_bounded_and_its_marks_cover_the_whole_run)
{
    struct trace t = long_trace(400000);
    struct replay *r;
    size_t len = 0;
    char *html = render(&t, &len, &r);
    cr_expect_lt(len, 3u << 20, "%zu bytes", len);
    unsigned rows = report_table_rows(html, "occupancy-data");
    cr_expect_leq(rows, REPORT_TIMELINE_MAX);
    cr_expect_geq(rows, REPORT_TIMELINE_MAX / 2);
    /* the density strips reach the end of the run, not just the first kept marks */
    cr_expect(strstr(html, "class=\"density k-failed\"") != NULL);
    cr_expect(strstr(html, "class=\"density k-fault\"") != NULL);
    cr_expect(strstr(html, "-399999: ") != NULL, "a strip ends at the last event");
    cr_expect_eq(report_external_refs(html), 0);
    free(html);
    replay_free(r);
    trace_fini(&t);
}

Test(report_page, collector_density_counts_every_mark_in_at_most_the_bucket_limit)
{
    struct trace t = long_trace(250000);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION };
    struct replay *r = replay_new(&t, &o, &err);
    cr_assert_not_null(r, "%s", err.text);
    struct report_collector *c = report_collector_new(r, &err);
    cr_assert_not_null(c);
    for (size_t i = 0; i < t.nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
        report_collector_observe(c, r, i, &t.events[i], &res);
    }
    const struct report_density *d = &c->density;
    cr_expect_leq(d->n, REPORT_TIMELINE_MAX);
    cr_expect_eq(d->width, 256, "250000 events in 1000 buckets: width 256 (a power of two)");
    uint64_t faults = 0, failed = 0;
    for (unsigned j = 0; j < d->n; j++) {
        faults += d->count[RP_MARK_FAULT][j];
        failed += d->count[RP_MARK_FAILED][j];
    }
    cr_expect_eq(faults, c->faults_total);
    cr_expect_eq(failed, c->failed_total);
    cr_expect_eq(c->faults_total, r->faults[MPU_FAULT_NO_REGION]);
    cr_expect_eq(c->nfaults, REPORT_LIST_MAX, "the list keeps the first ones only");
    report_collector_free(c);
    replay_free(r);
    trace_fini(&t);
}

/* The region map of a hand-made MPU state. */
static char *map_of(const struct report_snapshot *s)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    cr_assert_not_null(f);
    rp_region_map(f, "m", "test", s, NULL, 0);
    cr_assert_eq(fclose(f), 0);
    return buf;
}

static void set_region(struct report_snapshot *s, unsigned i, uint64_t base, uint64_t limit,
                       unsigned ap, unsigned xn, unsigned attrindx)
{
    s->prbar[i] = base | (uint64_t)ap << PRBAR_AP_LSB | (uint64_t)xn << PRBAR_XN_LSB;
    s->prlar[i] = ((limit - 1) & ~0x3full) | (uint64_t)attrindx << PRLAR_ATTRINDX_LSB | 1;
}

/* Width of the first rect of bar idx in the map. */
static double bar_width(const char *html, unsigned idx)
{
    char key[48];
    snprintf(key, sizeof key, "data-idx=\"%u\">", idx);
    const char *p = strstr(html, key);
    cr_assert_not_null(p, "no bar %u", idx);
    p = strstr(p, "width=\"");
    cr_assert_not_null(p);
    return atof(p + 7);
}

Test(report_page, region_map_shows_a_page_beside_a_heap_and_marks_overlaps)
{
    struct report_snapshot s;
    memset(&s, 0, sizeof s);
    s.nregions = 16;
    s.event = 3;
    s.mair = 0xff000004eeaa4400ull;
    set_region(&s, 0, 0x0, 0x80000, 2, 0, 7);                  /* RO X code */
    set_region(&s, 1, 0x10000000, 0x20000000, 0, 2, 7);        /* 256 MiB RW XN heap */
    set_region(&s, 2, 0x9c090000, 0x9c091000, 0, 2, 4);        /* 4 KiB UART, Device */
    char *html = map_of(&s);
    double page = bar_width(html, 2), heap = bar_width(html, 1);
    cr_expect_geq(page, 14, "a 4 KiB page stays visible (%.1f px)", page);
    cr_expect_lt(heap, 1100 / 2.0, "a 256 MiB heap does not crowd it out (%.1f px)", heap);
    cr_expect_gt(heap, page);
    cr_expect(strstr(html, "url(#m-dev)") != NULL, "the Device region is hatched");
    cr_expect(strstr(html, "class=\"overlap\"") == NULL);
    free(html);

    set_region(&s, 3, 0x1ff00000, 0x20100000, 0, 2, 7);        /* overlaps the heap's end */
    html = map_of(&s);
    cr_expect(strstr(html, "class=\"overlap\"") != NULL);
    cr_expect_eq(count(html, "<g class=\"bar overlapping\""), 2);
    cr_expect(strstr(html, "OVERLAPS another region") != NULL);
    free(html);
}

Test(report_page, region_map_draws_the_table_view_of_a_diverged_region)
{
    struct report_snapshot s;
    memset(&s, 0, sizeof s);
    s.nregions = 8;
    s.event = 5;
    set_region(&s, 1, 0x10000000, 0x10010000, 0, 2, 7);
    s.diverged[0] = 1u << 1;
    struct replay_note note = { .event = 4, .id = MM_MSG_COUNT, .region = 1 };
    note.table_prbar = 0x10000000 | 2u << PRBAR_AP_LSB;
    note.table_prlar = ((0x10020000 - 1) & ~0x3full) | 7u << PRLAR_ATTRINDX_LSB | 1;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    rp_region_map(f, "d", "test", &s, &note, 1);
    fclose(f);
    cr_expect(strstr(buf, "<g class=\"bar diverged\" data-idx=\"1\">") != NULL);
    cr_expect(strstr(buf, "<g class=\"bar table\" data-idx=\"1\">") != NULL);
    cr_expect(strstr(buf, "0x10020000") != NULL, "the table's limit is on the axis");
    free(buf);
}

static void keep(void *opaque, const struct replay *r, const struct compare_run *run)
{
    report_compare_on_run(opaque, r, run);
}

Test(report_page, comparison_page_draws_every_algorithm_and_its_metrics)
{
    struct trace t = load("traces/policy-reserve/trace.json");
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct compare_options o;
    cr_assert_eq(compare_options_init(&o, &err), 0);
    cr_assert_eq(compare_parse_algos("xen,merge,lazy,reserve:2", &o, &err), 0, "%s", err.text);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    struct report_compare *p = report_compare_new(f, &o, &err);
    cr_assert_not_null(p);
    o.on_run = keep;
    o.opaque = p;
    struct compare_run runs[4];
    unsigned nr = 0;
    cr_assert_eq(compare_trace(&t, &o, 0, runs, &nr, &err), 0, "%s", err.text);
    cr_assert_eq(nr, 4);
    cr_assert_eq(report_compare_trace(p, runs, nr, &err), 0);
    cr_assert_eq(report_compare_finish(p, &err), 0);
    fclose(f);
    cr_expect_eq(count(buf, "<g class=\"series\""), 4);
    cr_expect(strstr(buf, "data-algo=\"reserve:2\"") != NULL);
    cr_expect_eq(report_table_rows(buf, "metrics-data"), 4);
    char peak[64];
    snprintf(peak, sizeof peak, "<code>merge</code> peak %u", runs[1].peak_used);
    cr_expect(strstr(buf, peak) != NULL, "the legend gives each algorithm's peak");
    cr_expect(strstr(buf, "overlay-data") != NULL);
    cr_expect_eq(report_external_refs(buf), 0);
    free(buf);
    trace_fini(&t);
}

Test(report_page, a_guest_stop_is_in_the_header_on_the_time_axis_and_in_detail)
{
    struct trace t = load("traces/demo-faults/trace.json");
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION };
    struct replay *r = replay_new(&t, &o, &err);
    cr_assert_not_null(r, "%s", err.text);
    struct report_collector *c = report_collector_new(r, &err);
    cr_assert_not_null(c);
    for (size_t i = 0; i < 5; i++) { /* the run ends where the guest stopped */
        struct replay_event_result res;
        replay_step(r, i, &res);
        report_collector_observe(c, r, i, &t.events[i], &res);
    }
    /* what the guest engine fills in when the image stops inside a call (replay/replay.h) */
    struct replay_guest_stop *g = &r->guest_stop;
    g->event = 4;
    g->op = TRACE_OP_MAP;
    snprintf(g->call, sizeof g->call, "map_pages");
    snprintf(g->kind, sizeof g->kind, "fault");
    g->pc = 0x5f558;
    snprintf(g->where, sizeof g->where, "map_pages+0x18");
    snprintf(g->insn, sizeof g->insn, "ldr x0, [x1]");
    snprintf(g->what, sizeof g->what, "MPU fault (no_region) on read of 8 bytes at 0x900000");
    snprintf(g->report, sizeof g->report, "regions that matched: <none>");
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    cr_assert_eq(report_write_replay(f, r, c, &err), 0, "%s", err.text);
    fclose(f);
    cr_expect(strstr(buf, "guest stopped at event 4 (fault)") != NULL, "the header says so");
    cr_expect(strstr(buf, "<h3 id=\"stop\"") != NULL, "the details section");
    cr_expect(strstr(buf, "map_pages+0x18") != NULL);
    cr_expect(strstr(buf, "regions that matched: &lt;none&gt;") != NULL, "escaped report");
    cr_expect(strstr(buf, "<g class=\"mark k-stop\"><title>event 4: guest stop: MPU fault") !=
                  NULL,
              "marked on the time axis");
    free(buf);
    report_collector_free(c);
    replay_free(r);
    trace_fini(&t);
}
