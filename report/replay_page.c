/* The page of one replay: header (setup, outcome, counts), occupancy, region maps at the end
 * and at the peak, latency, faults and findings. */
#include "report/internal.h"

#include <stdlib.h>
#include <string.h>

static void algo_label(const struct replay *r, char *buf, size_t cap)
{
    if (r->opt.algo == MM_ALGO_RESERVE)
        snprintf(buf, cap, "reserve:%u", r->mm.opt.reserve_k);
    else
        snprintf(buf, cap, "%s", mm_algo_name(r->opt.algo));
}

static void tile(FILE *f, const char *cls, const char *name, unsigned long long v)
{
    fprintf(f, "<div class=\"tile %s\"><b>%llu</b><span>%s</span></div>\n", cls, v, name);
}

static void header(FILE *f, const struct replay *r)
{
    char algo[48];
    algo_label(r, algo, sizeof algo);
    uint64_t calls = 0, bad = 0;
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        if (op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
            continue;
        calls += r->cost[op][REPLAY_OK].calls + r->cost[op][REPLAY_ERR].calls;
        bad += r->cost[op][REPLAY_ERR].calls;
    }
    uint64_t faults = 0;
    for (int k = 0; k < MPU_FAULT_COUNT; k++)
        faults += k == MPU_FAULT_NONE ? 0 : r->faults[k];
    fputs("<header class=\"top\">\n<h1>Replay of <span class=\"mono\">", f);
    rp_text(f, r->trace->source);
    fputs("</span></h1>\n<p class=\"sub\">", f);
    const struct replay_guest_stop *g = &r->guest_stop;
    if (g->event >= 0)
        fprintf(f, "<span class=\"badge bad\">guest stopped at event %ld (%s)</span>", g->event,
                g->kind);
    else if (r->failed)
        fputs("<span class=\"badge bad\">stopped early</span>", f);
    else
        fputs("<span class=\"badge ok\">completed</span>", f);
    if (!r->expect_checked)
        fputs("<span class=\"badge warn\">no expectations in the trace</span>", f);
    else if (r->expect_failed)
        fprintf(f, "<span class=\"badge bad\">%llu of %llu expectations not met</span>",
                (unsigned long long)r->expect_failed, (unsigned long long)r->expect_checked);
    else
        fprintf(f, "<span class=\"badge ok\">all %llu expectations met</span>",
                (unsigned long long)r->expect_checked);
    if (r->findings_total || r->divergences_total)
        fprintf(f, "<span class=\"badge warn\">%llu findings, %llu divergences</span>",
                (unsigned long long)r->findings_total, (unsigned long long)r->divergences_total);
    fputs("</p>\n<dl class=\"facts\">", f);
    fprintf(f, "<dt>algorithm</dt><dd><code>%s</code>%s</dd>", algo,
            r->opt.xen_fixed ? " with <code>--xen-fixed</code>" : "");
    fprintf(f, "<dt>engine</dt><dd>%s</dd>", replay_engine_name(r->opt.engine));
    if (g->event >= 0) {
        fprintf(f, "<dt>guest stop</dt><dd class=\"k-stop\">event %ld, %s, in <code>", g->event,
                trace_op_name(g->op));
        rp_text(f, g->call);
        fputs("</code>: ", f);
        rp_text(f, g->what);
        fputs(" (<a href=\"#stop\">details</a>)</dd>", f);
    }
    fprintf(f, "<dt>MPU</dt><dd>%u EL2 regions implemented, FSC model %s</dd>",
            r->mpu.el2.nregions, mpu_fsc_model_name(r->mpu.cfg.fsc));
    fprintf(f, "<dt>events</dt><dd>%zu%s", (size_t)r->nevents, r->nevents ? ":" : "");
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        uint64_t n = r->cost[op][REPLAY_OK].calls + r->cost[op][REPLAY_ERR].calls;
        if (n)
            fprintf(f, " %s %llu", trace_op_name((enum trace_op)op), (unsigned long long)n);
    }
    fputs("</dd></dl>\n<div class=\"tiles\">\n", f);
    tile(f, "", "events", (size_t)r->nevents);
    tile(f, "", "calls", calls);
    tile(f, bad ? "bad" : "ok", "failed calls", bad);
    tile(f, faults ? "bad" : "ok", "faults", faults);
    tile(f, r->findings_total ? "warn" : "ok", "findings", r->findings_total);
    tile(f, r->divergences_total ? "bad" : "ok", "divergences", r->divergences_total);
    tile(f, r->expect_failed ? "bad" : "ok", "mismatches", r->expect_failed);
    tile(f, r->peak_used >= r->mpu.el2.nregions ? "warn" : "", "peak in use", r->peak_used);
    tile(f, "", "final in use", replay_used(r));
    fputs("</div>\n<p class=\"note\">Sections: <a href=\"#occupancy\">occupancy</a> &middot; "
          "<a href=\"#regions\">region map</a> &middot; <a href=\"#latency\">latency</a> &middot; "
          "<a href=\"#findings\">faults and findings</a></p>\n</header>\n",
          f);
}

static int cmp_mark(const void *a, const void *b)
{
    const struct rp_mark *x = a, *y = b;
    if (x->event != y->event)
        return x->event < y->event ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

/* The marks of the time axis: failed calls, findings and divergences, mismatches. */
static struct rp_mark *marks_of(const struct replay *r, const struct report_collector *c,
                                unsigned *n)
{
    unsigned cap = c->nfailed + c->nfaults + r->nnotes + r->nmismatches + 1;
    struct rp_mark *m = malloc((cap ? cap : 1) * sizeof *m);
    *n = 0;
    if (!m)
        return NULL;
    for (unsigned k = 0; k < c->nfailed; k++) {
        const struct report_failed *x = &c->failed[k];
        struct rp_mark *p = &m[(*n)++];
        p->event = x->event;
        p->kind = RP_MARK_FAILED;
        const char *op = trace_op_name(x->op);
        unsigned long long a = x->base, b = x->limit;
        if (x->op == TRACE_OP_MAP || x->op == TRACE_OP_MODIFY || x->op == TRACE_OP_UNMAP)
            snprintf(p->text, sizeof p->text, "%s [0x%llx, 0x%llx) returned %d", op, a, b, x->rc);
        else if (x->op == TRACE_OP_IOREMAP)
            snprintf(p->text, sizeof p->text, "%s 0x%llx size 0x%llx returned %d", op, a, b, x->rc);
        else
            snprintf(p->text, sizeof p->text, "%s 0x%llx returned %d", op, a, x->rc);
    }
    for (unsigned k = 0; k < c->nfaults; k++) {
        const struct report_fault *x = &c->faults[k];
        struct rp_mark *p = &m[(*n)++];
        p->event = x->event;
        p->kind = RP_MARK_FAULT;
        snprintf(p->text, sizeof p->text, "%s 0x%llx (%llu bytes, EL%u): %s, ESR 0x%llx, FAR 0x%llx",
                 trace_access_kind_name(x->kind), (unsigned long long)x->addr,
                 (unsigned long long)x->size, x->el, mpu_fault_name(x->acc.fault),
                 (unsigned long long)x->acc.esr, (unsigned long long)x->acc.far);
    }
    for (unsigned k = 0; k < r->nnotes; k++) {
        struct rp_mark *p = &m[(*n)++];
        p->event = r->notes[k].event;
        p->kind = RP_MARK_FINDING;
        snprintf(p->text, sizeof p->text, "%s", r->notes[k].text);
    }
    for (unsigned k = 0; k < r->nmismatches; k++) {
        struct rp_mark *p = &m[(*n)++];
        p->event = r->mismatches[k].event;
        p->kind = RP_MARK_MISMATCH;
        snprintf(p->text, sizeof p->text, "%s", r->mismatches[k].text);
    }
    if (r->guest_stop.event >= 0) {
        struct rp_mark *p = &m[(*n)++];
        p->event = r->guest_stop.event;
        p->kind = RP_MARK_STOP;
        snprintf(p->text, sizeof p->text, "%.120s in %.70s", r->guest_stop.what,
                 r->guest_stop.call);
    }
    qsort(m, *n, sizeof *m, cmp_mark);
    return m;
}

int report_write_replay(FILE *f, const struct replay *r, const struct report_collector *c,
                        struct mpusim_error *err)
{
    struct report_timeline *tl = malloc(sizeof *tl);
    struct report_snapshot *end = malloc(sizeof *end);
    struct report_latency *lat = calloc(2 * TRACE_OP_COUNT, sizeof *lat);
    unsigned nmarks = 0, nlat = 0;
    struct rp_mark *marks = marks_of(r, c, &nmarks);
    int rc = -1;
    if (!tl || !end || !lat || !marks) {
        mpusim_error_set(err, MPUSIM_E_IO, "report: out of memory");
        goto fail;
    }
    if (report_latency_of(r, lat, 2 * TRACE_OP_COUNT, &nlat, err) != 0)
        goto fail;
    report_timeline_of(r, tl);
    size_t ne = (size_t)r->nevents;
    report_snapshot_take(r, ne ? (long)ne - 1 : -1, replay_used(r), end);

    char title[200];
    snprintf(title, sizeof title, "mpusim replay: %s", r->trace->source);
    rp_page_begin(f, title);
    header(f, r);
    rp_occupancy(f, tl, c->peak.event, marks, nmarks, &c->density);
    rp_section_begin(f, "regions", "Region map");
    rp_region_legend(f);
    rp_region_map(f, "map-end", "At the end of the run", end, r->notes, r->nnotes);
    char peak[96];
    snprintf(peak, sizeof peak, "At the peak (%u in use)", c->peak.used);
    rp_region_map(f, "map-peak", peak, &c->peak, r->notes, r->nnotes);
    rp_section_end(f);
    rp_latency(f, lat, nlat);
    rp_findings(f, r, c);
    rp_page_end(f);
    rc = ferror(f) ? mpusim_error_set(err, MPUSIM_E_IO, "report: write failed") : 0;
fail:
    free(tl);
    free(end);
    free(lat);
    free(marks);
    return rc;
}
