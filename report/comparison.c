/* The comparison page: per trace, the occupancy of every algorithm on one chart (one colour
 * each, a legend) and the metrics table; written trace by trace. */
#include "report/internal.h"

#include <stdlib.h>
#include <string.h>

#define W 1100.0
#define H 380.0

struct kept_run {
    char algo[40];
    struct report_timeline tl;
};

struct report_compare {
    FILE *f;                                   /* borrowed */
    const struct compare_options *o;           /* borrowed */
    struct kept_run runs[COMPARE_MAX_ALGOS];   /* the runs of the current trace */
    unsigned nkept;
    unsigned ntraces;                          /* sections written */
};

static void head(FILE *f, const struct compare_options *o)
{
    rp_page_begin(f, "mpusim compare");
    fprintf(f, "<header class=\"top\">\n<h1>Comparison of %u algorithm%s</h1>\n"
               "<p class=\"sub\">Each trace replayed once per algorithm; expectations in the "
               "traces are ignored (docs/compare.md).</p>\n<dl class=\"facts\"><dt>algorithms"
               "</dt><dd>",
            o->nalgo, o->nalgo == 1 ? "" : "s");
    fputs("<span class=\"legend\" style=\"display:inline-flex\">", f);
    for (unsigned a = 0; a < o->nalgo; a++) {
        fprintf(f, "<span><i class=\"sw\" style=\"background:%s\"></i><code>", rp_colour(a));
        rp_text(f, o->algo[a].name);
        fputs("</code></span>", f);
    }
    fputs("</span></dd>", f);
    fprintf(f, "<dt>engine</dt><dd>%s</dd><dt>MPU</dt><dd>", replay_engine_name(o->engine));
    if (o->regions)
        fprintf(f, "%u EL2 regions", o->regions);
    else
        fputs("each trace's region count", f);
    fprintf(f, ", FSC model %s</dd><dt>semantics</dt><dd>%s</dd>", mpu_fsc_model_name(o->fsc),
            o->xen_fixed ? "<code>--xen-fixed</code> (upstream's bugs fixed)"
                         : "upstream, bugs included");
    if (o->shard_n > 1)
        fprintf(f, "<dt>shard</dt><dd>%u of %u</dd>", o->shard_k, o->shard_n);
    fputs("</dl>\n</header>\n", f);
}

struct report_compare *report_compare_new(FILE *f, const struct compare_options *o,
                                          struct mpusim_error *err)
{
    struct report_compare *p = calloc(1, sizeof *p);
    if (!p) {
        mpusim_error_set(err, MPUSIM_E_IO, "report: out of memory");
        return NULL;
    }
    p->f = f;
    p->o = o;
    head(f, o);
    return p;
}

void report_compare_on_run(void *opaque, const struct replay *r, const struct compare_run *run)
{
    struct report_compare *p = opaque;
    if (p->nkept >= COMPARE_MAX_ALGOS)
        return;
    struct kept_run *k = &p->runs[p->nkept++];
    snprintf(k->algo, sizeof k->algo, "%s", run->algo);
    report_timeline_of(r, &k->tl);
}

/* Colour of an algorithm: its place in the --algo list, so that it is the same on every
 * chart of the page. */
static const char *algo_colour(const struct compare_options *o, const char *algo)
{
    for (unsigned a = 0; a < o->nalgo; a++)
        if (!strcmp(o->algo[a].name, algo))
            return rp_colour(a);
    return rp_colour(0);
}

static size_t bucket_end(const struct report_timeline *tl, unsigned k)
{
    size_t e = (size_t)(k + 1) * tl->bucket;
    return e < tl->nevents ? e : tl->nevents;
}

static void step(FILE *f, const struct rp_frame *fr, const struct report_timeline *tl,
                 const uint16_t *v, int back)
{
    for (unsigned j = 0; j < tl->n; j++) {
        unsigned k = back ? tl->n - 1 - j : j;
        double y = rp_y(fr, v[k]);
        double xa = rp_x(fr, (double)k * tl->bucket), xb = rp_x(fr, (double)bucket_end(tl, k));
        if (back)
            fprintf(f, " L%.1f,%.1f L%.1f,%.1f", xb, y, xa, y);
        else if (j)
            fprintf(f, " V%.1f H%.1f", y, xb);
        else
            fprintf(f, "M%.1f,%.1f H%.1f", xa, y, xb);
    }
}

static void overlay(FILE *f, const struct report_compare *p)
{
    const struct report_timeline *t0 = &p->runs[0].tl;
    unsigned top = t0->limit;
    for (unsigned k = 0; k < p->nkept; k++)
        top = p->runs[k].tl.peak > top ? p->runs[k].tl.peak : top;
    struct rp_frame fr = { 60, W - 20, 24, H - 60, 0, (double)(t0->nevents ? t0->nevents : 1), 0,
                           top + (top >= 12 ? top / 12.0 : 1.0) };
    fputs("<div class=\"legend\">", f);
    for (unsigned k = 0; k < p->nkept; k++) {
        fprintf(f, "<span><i class=\"sw\" style=\"background:%s\"></i><code>",
                algo_colour(p->o, p->runs[k].algo));
        rp_text(f, p->runs[k].algo);
        fprintf(f, "</code> peak %u</span>", p->runs[k].tl.peak);
    }
    fputs("<span><i class=\"sw\" style=\"background:#fff;border:2px dashed #cf2f36\"></i>"
          "implemented-region limit</span></div>\n",
          f);
    rp_svg_begin(f, "overlay", W, H, "regions in use after each event, per algorithm");
    rp_axes(f, &fr, "event index", "regions in use", 1);
    double yl = rp_y(&fr, t0->limit);
    fprintf(f, "<line class=\"occ-limit\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
               "stroke=\"#cf2f36\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
               "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#cf2f36\">"
               "limit: %u implemented regions</text>\n",
            fr.x0, yl, fr.x1, yl, fr.x1 - 4, yl - 5, t0->limit);
    for (unsigned k = 0; k < p->nkept; k++) {
        const struct kept_run *kr = &p->runs[k];
        const char *c = algo_colour(p->o, kr->algo);
        fprintf(f, "<g class=\"series\" data-algo=\"");
        rp_text(f, kr->algo);
        fputs("\"><title>", f);
        rp_text(f, kr->algo);
        fprintf(f, ": peak %u, final %u</title>\n", kr->tl.peak,
                kr->tl.n ? kr->tl.max[kr->tl.n - 1] : 0);
        if (kr->tl.bucket > 1) {
            fprintf(f, "<path fill=\"%s\" fill-opacity=\"0.16\" stroke=\"none\" d=\"", c);
            step(f, &fr, &kr->tl, kr->tl.max, 0);
            step(f, &fr, &kr->tl, kr->tl.min, 1);
            fputs(" Z\"/>\n", f);
        }
        /* offset each line by a pixel so that equal series stay visible side by side */
        double dy = ((double)k - (p->nkept - 1) / 2.0) * 1.6;
        fprintf(f, "<path transform=\"translate(0 %.1f)\" fill=\"none\" stroke=\"%s\" "
                   "stroke-width=\"2\" stroke-opacity=\"0.9\" stroke-linejoin=\"round\" d=\"",
                dy, c);
        step(f, &fr, &kr->tl, kr->tl.max, 0);
        fputs("\"/>\n</g>\n", f);
    }
    rp_svg_end(f);
    if (t0->bucket > 1)
        fprintf(f, "<p class=\"note\">Each point covers %zu events: the line is the most regions "
                   "in use among them, the shaded band the fewest..most.</p>\n",
                t0->bucket);
}

/* The overlay's numbers: one row per bucket, one column per algorithm. */
static void overlay_numbers(FILE *f, const struct report_compare *p)
{
    const struct report_timeline *t0 = &p->runs[0].tl;
    fprintf(f, "<details%s><summary>Occupancy numbers (%u %s)</summary><div class=\"scroll\">"
               "<table class=\"data overlay-data\"><thead><tr><th class=\"n\">events</th>",
            t0->n <= 20 ? " open" : "", t0->n, t0->bucket > 1 ? "buckets" : "events");
    for (unsigned k = 0; k < p->nkept; k++) {
        fputs("<th class=\"n\">", f);
        rp_text(f, p->runs[k].algo);
        fputs(t0->bucket > 1 ? " fewest..most</th>" : "</th>", f);
    }
    fputs("</tr></thead><tbody>\n", f);
    for (unsigned j = 0; j < t0->n; j++) {
        if (t0->bucket == 1)
            fprintf(f, "<tr><td class=\"n\">%u</td>", j);
        else
            fprintf(f, "<tr><td class=\"n\">%zu-%zu</td>", (size_t)j * t0->bucket,
                    bucket_end(t0, j) - 1);
        for (unsigned k = 0; k < p->nkept; k++) {
            const struct report_timeline *tl = &p->runs[k].tl;
            if (j >= tl->n)
                fputs("<td></td>", f);
            else if (tl->bucket == 1)
                fprintf(f, "<td class=\"n\">%u</td>", tl->max[j]);
            else
                fprintf(f, "<td class=\"n\">%u..%u</td>", tl->min[j], tl->max[j]);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div></details>\n", f);
}

/* Metric m of a run, for finding the best (lowest) of a column. */
static double metric(const struct compare_run *r, int m)
{
    switch (m) {
    case 0: return r->peak_used;
    case 1: return r->mean_used;
    case 2: return r->final_used;
    case 3: return (double)r->failed_calls;
    case 4: return (double)r->sysreg_writes;
    case 5: return (double)r->sysreg_reads;
    case 6: return (double)r->barriers;
    case 7:
        return (double)(r->faults[MPU_FAULT_PERMISSION] + r->faults[MPU_FAULT_NO_REGION] +
                        r->faults[MPU_FAULT_MULTIPLE_REGIONS]);
    case 8: return (double)r->findings;
    default: return (double)r->divergences;
    }
}
#define NMETRICS 10

static void cell(FILE *f, const struct compare_run *runs, unsigned n, unsigned k, int m,
                 const char *text)
{
    double best = metric(&runs[0], m), worst = best;
    for (unsigned j = 1; j < n; j++) {
        double v = metric(&runs[j], m);
        best = v < best ? v : best;
        worst = v > worst ? v : worst;
    }
    int is_best = n > 1 && best < worst && metric(&runs[k], m) == best;
    fprintf(f, "<td class=\"n\"%s>%s</td>", is_best ? " style=\"font-weight:700;color:#18743f\""
                                                    : "",
            text);
}

static void metrics_table(FILE *f, const struct compare_run *runs, unsigned n)
{
    int guest = runs[0].guest;
    fputs("<h3>Metrics</h3><p class=\"note\">Lowest of each column in green "
          "(docs/compare.md defines every column).</p>\n<div class=\"scroll\">"
          "<table class=\"data metrics-data\"><thead><tr><th>algo</th><th class=\"n\">peak</th>"
          "<th class=\"n\">mean</th><th class=\"n\">final</th><th class=\"n\">calls</th>"
          "<th class=\"n\">failed</th><th class=\"n\">sysreg w</th><th class=\"n\">sysreg r</th>"
          "<th class=\"n\">barriers</th><th class=\"n\">faults perm/none/multi</th>"
          "<th class=\"n\">findings</th><th class=\"n\">divergences</th>",
          f);
    if (guest)
        fputs("<th>cycles p50/p99 per op</th>", f);
    fputs("</tr></thead><tbody>\n", f);
    for (unsigned k = 0; k < n; k++) {
        const struct compare_run *r = &runs[k];
        char t[NMETRICS][64];
        snprintf(t[0], sizeof t[0], "%u", r->peak_used);
        snprintf(t[1], sizeof t[1], "%.2f", r->mean_used);
        snprintf(t[2], sizeof t[2], "%u", r->final_used);
        snprintf(t[3], sizeof t[3], "%llu", (unsigned long long)r->failed_calls);
        snprintf(t[4], sizeof t[4], "%llu", (unsigned long long)r->sysreg_writes);
        snprintf(t[5], sizeof t[5], "%llu", (unsigned long long)r->sysreg_reads);
        snprintf(t[6], sizeof t[6], "%llu", (unsigned long long)r->barriers);
        snprintf(t[7], sizeof t[7], "%llu/%llu/%llu",
                 (unsigned long long)r->faults[MPU_FAULT_PERMISSION],
                 (unsigned long long)r->faults[MPU_FAULT_NO_REGION],
                 (unsigned long long)r->faults[MPU_FAULT_MULTIPLE_REGIONS]);
        snprintf(t[8], sizeof t[8], "%llu", (unsigned long long)r->findings);
        snprintf(t[9], sizeof t[9], "%llu", (unsigned long long)r->divergences);
        fputs("<tr><td><code>", f);
        rp_text(f, r->algo);
        fputs("</code></td>", f);
        for (int m = 0; m < 3; m++)
            cell(f, runs, n, k, m, t[m]);
        fprintf(f, "<td class=\"n\">%llu</td>", (unsigned long long)r->calls);
        for (int m = 3; m < NMETRICS; m++)
            cell(f, runs, n, k, m, t[m]);
        if (guest) {
            fputs("<td>", f);
            for (int op = 0, first = 1; op < TRACE_OP_COUNT; op++) {
                if (!r->cycles[op].calls)
                    continue;
                fprintf(f, "%s%s %llu/%llu", first ? "" : ", ", trace_op_name((enum trace_op)op),
                        (unsigned long long)r->cycles[op].p50,
                        (unsigned long long)r->cycles[op].p99);
                first = 0;
            }
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

int report_compare_trace(struct report_compare *p, const struct compare_run *runs, unsigned n,
                         struct mpusim_error *err)
{
    if (n == 0) {
        p->nkept = 0;
        return 0;
    }
    FILE *f = p->f;
    char id[32];
    snprintf(id, sizeof id, "trace-%u", p->ntraces++);
    fprintf(f, "<section id=\"%s\">\n<h2>Occupancy of every algorithm on <span class=\"mono\">",
            id);
    rp_text(f, runs[0].trace);
    fprintf(f, "</span></h2>\n<p class=\"sub\">%llu events, %u EL2 regions, engine %s.</p>\n",
            (unsigned long long)runs[0].events, runs[0].regions,
            runs[0].guest ? "guest" : "native");
    if (p->nkept)
        overlay(f, p);
    metrics_table(f, runs, n);
    if (p->nkept)
        overlay_numbers(f, p);
    rp_section_end(f);
    p->nkept = 0;
    return ferror(f) ? mpusim_error_set(err, MPUSIM_E_IO, "report: write failed") : 0;
}

int report_compare_finish(struct report_compare *p, struct mpusim_error *err)
{
    if (!p->ntraces)
        fputs("<section><p class=\"note\">No run in this shard.</p></section>\n", p->f);
    rp_page_end(p->f);
    int rc = ferror(p->f) ? mpusim_error_set(err, MPUSIM_E_IO, "report: write failed") : 0;
    free(p);
    return rc;
}

void report_compare_free(struct report_compare *p) { free(p); }
