/* Occupancy over time: regions in use after each event (min..max per bucket), the
 * implemented-region limit, the peak, failed calls / findings / mismatches on the time axis;
 * the marks as a list and the buckets as a table. */
#include "report/internal.h"

#include <math.h>

#define W 1100.0
#define H 350.0

static const char *const mark_name[RP_MARK_KIND_COUNT] = { "failed call", "fault", "finding",
                                                           "expectation mismatch",
                                                           "guest stop" };
static const char *const mark_class[RP_MARK_KIND_COUNT] = { "k-failed", "k-fault", "k-finding",
                                                            "k-mismatch", "k-stop" };
static const char *const mark_colour[RP_MARK_KIND_COUNT] = { "#cf2f36", "#1c2230", "#d98200",
                                                             "#7c3aed", "#8b0000" };

static size_t bucket_end(const struct report_timeline *tl, unsigned k)
{
    size_t e = (size_t)(k + 1) * tl->bucket;
    return e < tl->nevents ? e : tl->nevents;
}

/* Step path through v[k] over the buckets, left to right: "V y" is the step between two
 * buckets, "H x" the bucket's level. */
static void step_path(FILE *f, const struct rp_frame *fr, const struct report_timeline *tl,
                      const uint16_t *v)
{
    for (unsigned k = 0; k < tl->n; k++) {
        double y = rp_y(fr, v[k]);
        double xb = rp_x(fr, (double)bucket_end(tl, k));
        if (k)
            fprintf(f, " V%.1f H%.1f", y, xb);
        else
            fprintf(f, "M%.1f,%.1f H%.1f", rp_x(fr, 0), y, xb);
    }
}

/* The same right to left, continuing a path (the band's return leg). */
static void step_path_back(FILE *f, const struct rp_frame *fr, const struct report_timeline *tl,
                           const uint16_t *v)
{
    for (unsigned k = tl->n; k-- > 0;) {
        double y = rp_y(fr, v[k]);
        fprintf(f, " L%.1f,%.1f L%.1f,%.1f", rp_x(fr, (double)bucket_end(tl, k)), y,
                rp_x(fr, (double)k * tl->bucket), y);
    }
}

/* Long runs: the density of each kind of mark, one row per kind; runs of buckets of the same
 * shade (5 levels, log scale) are one rectangle with the count on hover. */
static void density_rows(FILE *f, const struct rp_frame *fr, const struct report_density *d,
                         size_t nevents)
{
    for (int m = 0; m < RP_MARK_KIND_COUNT; m++) {
        uint32_t top = 0;
        for (unsigned j = 0; j < d->n; j++)
            top = d->count[m][j] > top ? d->count[m][j] : top;
        if (!top)
            continue;
        double y = fr->y0 - 38 + 6.0 * m;
        unsigned j = 0;
        while (j < d->n) {
            unsigned level = d->count[m][j] ? 1 + (unsigned)(4.0 * log1p(d->count[m][j]) /
                                                           log1p(top) + 0.5) : 0;
            unsigned e = j;
            uint64_t sum = 0;
            while (e < d->n) {
                unsigned le = d->count[m][e] ? 1 + (unsigned)(4.0 * log1p(d->count[m][e]) /
                                                            log1p(top) + 0.5) : 0;
                if (le != level)
                    break;
                sum += d->count[m][e++];
            }
            if (level) {
                size_t a = j * d->width, b = e * d->width;
                b = b < nevents ? b : nevents;
                double xa = rp_x(fr, (double)a), xb = rp_x(fr, (double)b);
                fprintf(f, "<rect class=\"density %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
                           "height=\"5\" fill=\"%s\" fill-opacity=\"%.2f\"><title>events "
                           "%zu-%zu: %llu %s%s</title></rect>\n",
                        mark_class[m], xa, y, xb - xa > 0.8 ? xb - xa : 0.8, mark_colour[m],
                        0.15 + 0.17 * level, a, b - 1, (unsigned long long)sum, mark_name[m],
                        sum == 1 ? "" : "s");
            }
            j = e;
        }
    }
}

static void chart(FILE *f, const struct report_timeline *tl, long peak_event,
                  const struct rp_mark *marks, unsigned nmarks,
                  const struct report_density *d)
{
    unsigned top = tl->limit > tl->peak ? tl->limit : tl->peak;
    struct rp_frame fr = { 60, W - 20, 46, H - 62, 0, (double)(tl->nevents ? tl->nevents : 1), 0,
                           top + (top >= 12 ? top / 12.0 : 1.0) };
    rp_svg_begin(f, "occupancy", W, H, "regions in use after each event");
    rp_axes(f, &fr, "event index", "regions in use", 1);
    /* area under the maximum, then the min..max band of long traces */
    fputs("<path class=\"occ-area\" fill=\"#2563c9\" fill-opacity=\"0.10\" stroke=\"none\" d=\"", f);
    step_path(f, &fr, tl, tl->max);
    fprintf(f, " V%.1f H%.1f Z\"/>\n", fr.y1, fr.x0);
    if (tl->bucket > 1) {
        fputs("<path class=\"occ-band\" fill=\"#2563c9\" fill-opacity=\"0.28\" stroke=\"none\" d=\"",
              f);
        step_path(f, &fr, tl, tl->max);
        step_path_back(f, &fr, tl, tl->min);
        fputs(" Z\"/>\n<path class=\"occ-min\" fill=\"none\" stroke=\"#2563c9\" "
              "stroke-opacity=\"0.55\" stroke-width=\"1\" d=\"",
              f);
        step_path(f, &fr, tl, tl->min);
        fputs("\"/>\n", f);
    }
    fputs("<path class=\"occ-max\" fill=\"none\" stroke=\"#2563c9\" stroke-width=\"1.8\" "
          "stroke-linejoin=\"round\" d=\"",
          f);
    step_path(f, &fr, tl, tl->max);
    fputs("\"/>\n", f);
    /* the implemented-region limit */
    double yl = rp_y(&fr, tl->limit);
    fprintf(f, "<line class=\"occ-limit\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
               "stroke=\"#cf2f36\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
               "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#cf2f36\">"
               "limit: %u implemented regions</text>\n",
            fr.x0, yl, fr.x1, yl, fr.x1 - 4, yl - 5, tl->limit);
    /* the peak */
    if (tl->nevents) {
        double px = rp_x(&fr, peak_event < 0 ? 0 : (double)peak_event + 0.5);
        double py = rp_y(&fr, tl->peak);
        int right = px > (fr.x0 + fr.x1) / 2;
        fprintf(f, "<g class=\"occ-peak\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#fff\" "
                   "stroke=\"#1c2230\" stroke-width=\"2\"/><text class=\"lbl\" x=\"%.1f\" "
                   "y=\"%.1f\" text-anchor=\"%s\">peak %u",
                px, py, px + (right ? -9 : 9), py - fr.y0 < 24 ? py + 18 : py - 8,
                right ? "end" : "start", tl->peak);
        if (peak_event >= 0)
            fprintf(f, " at event %ld", peak_event);
        else
            fputs(" after boot", f);
        fputs("</text></g>\n", f);
    }
    /* the marks, in a lane above the plot, each with its text on hover */
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">marks</text>\n", fr.x0 - 6,
            fr.y0 - 22);
    fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", fr.x0,
            fr.y0 - 26, fr.x1, fr.y0 - 26);
    if (d->width > 1 || tl->nevents > REPORT_TIMELINE_MAX) {
        density_rows(f, &fr, d, tl->nevents);
        nmarks = 0; /* too many to draw one by one: their density instead */
    }
    for (unsigned k = 0; k < nmarks; k++) {
        const struct rp_mark *m = &marks[k];
        double x = rp_x(&fr, (double)m->event + 0.5);
        double y = fr.y0 - 36 + 6.0 * m->kind; /* one row per kind */
        fprintf(f, "<g class=\"mark %s\"><title>event %ld: %s: ", mark_class[m->kind], m->event,
                mark_name[m->kind]);
        rp_text(f, m->text);
        fprintf(f, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                   "stroke-opacity=\"0.25\"/>",
                x, y, x, fr.y1, mark_colour[m->kind]);
        if (m->kind == RP_MARK_FAILED)
            fprintf(f, "<path d=\"M%.1f,%.1f l4.5,-4.5 M%.1f,%.1f l-4.5,-4.5 M%.1f,%.1f l4.5,4.5 "
                       "M%.1f,%.1f l-4.5,4.5\" stroke=\"%s\" stroke-width=\"2\"/>",
                    x, y, x, y, x, y, x, y, mark_colour[m->kind]);
        else if (m->kind == RP_MARK_FAULT)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", x, y,
                    mark_colour[m->kind]);
        else if (m->kind == RP_MARK_STOP)
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"%s\"/>",
                    x - 4.5, y - 4.5, mark_colour[m->kind]);
        else if (m->kind == RP_MARK_FINDING)
            fprintf(f, "<path d=\"M%.1f,%.1f l5,8 h-10 z\" fill=\"%s\"/>", x, y - 5,
                    mark_colour[m->kind]);
        else
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\" "
                       "transform=\"rotate(45 %.1f %.1f)\"/>",
                    x - 4, y - 4, mark_colour[m->kind], x, y);
        fputs("</g>\n", f);
    }
    /* one invisible hover target per bucket with its numbers */
    fputs("<g class=\"occ-hover\" fill=\"transparent\">\n", f);
    for (unsigned k = 0; k < tl->n; k++) {
        double xa = rp_x(&fr, (double)k * tl->bucket), xb = rp_x(&fr, (double)bucket_end(tl, k));
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\"><title>", xa, fr.y0,
                xb - xa, fr.y1 - fr.y0);
        if (tl->bucket == 1)
            fprintf(f, "event %u: %u in use</title></rect>\n", k, tl->max[k]);
        else
            fprintf(f, "events %zu-%zu: %u..%u in use</title></rect>\n", (size_t)k * tl->bucket,
                    bucket_end(tl, k) - 1, tl->min[k], tl->max[k]);
    }
    fputs("</g>\n", f);
    rp_svg_end(f);
}

static void legend(FILE *f, const struct report_timeline *tl)
{
    fputs("<div class=\"legend\">", f);
    fputs("<span><i class=\"sw\" style=\"background:#2563c9\"></i>regions in use", f);
    fputs(tl->bucket > 1 ? " (most per bucket)</span>" : "</span>", f);
    if (tl->bucket > 1)
        fprintf(f, "<span><i class=\"sw\" style=\"background:rgba(37,99,201,.35)\"></i>"
                   "fewest..most in each bucket of %zu events</span>",
                tl->bucket);
    fputs("<span><i class=\"sw\" style=\"background:#fff;border:2px dashed #cf2f36\"></i>"
          "implemented-region limit</span>",
          f);
    for (int k = 0; k < RP_MARK_KIND_COUNT; k++)
        fprintf(f, "<span><i class=\"sw\" style=\"background:%s\"></i>%s</span>", mark_colour[k],
                mark_name[k]);
    fputs("</div>\n", f);
}

void rp_occupancy(FILE *f, const struct report_timeline *tl, long peak_event,
                  const struct rp_mark *marks, unsigned nmarks,
                  const struct report_density *density)
{
    rp_section_begin(f, "occupancy", "Occupancy over time");
    fprintf(f, "<p class=\"sub\">Regions in use after each of the %zu events; peak %u of %u "
               "implemented.",
            tl->nevents, tl->peak, tl->limit);
    if (tl->bucket > 1)
        fprintf(f, " Each point covers %zu consecutive events and shows both the fewest and the "
                   "most regions in use among them.",
                tl->bucket);
    fputs(" Hover a mark for its text.</p>\n", f);
    legend(f, tl);
    chart(f, tl, peak_event, marks, nmarks, density);
    uint64_t total[RP_MARK_KIND_COUNT] = { 0 }, all = 0;
    for (int m = 0; m < RP_MARK_KIND_COUNT; m++)
        for (unsigned j = 0; j < density->n; j++)
            total[m] += density->count[m][j];
    for (int m = 0; m < RP_MARK_KIND_COUNT; m++)
        all += total[m];
    fputs("<h3>Marks on the time axis (", f);
    for (int m = 0, first = 1; m < RP_MARK_KIND_COUNT; m++)
        if (total[m]) {
            fprintf(f, "%s%llu %s%s", first ? "" : ", ", (unsigned long long)total[m],
                    mark_name[m], total[m] == 1 ? "" : "s");
            first = 0;
        }
    if (!all)
        fputs("none", f);
    if (all > nmarks)
        fprintf(f, "; the first %u of each kind listed", REPORT_LIST_MAX);
    fputs(")</h3>\n", f);
    if (!nmarks) {
        fputs("<p class=\"note\">No failed call, fault, finding or expectation mismatch.</p>\n",
              f);
    } else {
        fputs("<div class=\"scroll\"><table class=\"marks\"><thead><tr><th class=\"n\">event</th>"
              "<th>kind</th><th>text</th></tr></thead><tbody>\n",
              f);
        for (unsigned k = 0; k < nmarks; k++) {
            fprintf(f, "<tr><td class=\"n\">%ld</td><td class=\"%s\">%s</td><td>", marks[k].event,
                    mark_class[marks[k].kind], mark_name[marks[k].kind]);
            rp_text(f, marks[k].text);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
    }
    fprintf(f, "<details%s><summary>Occupancy numbers (%u %s)</summary>\n<div class=\"scroll\">"
               "<table class=\"data occupancy-data\"><thead><tr><th class=\"n\">events</th>"
               "<th class=\"n\">fewest in use</th><th class=\"n\">most in use</th></tr></thead>"
               "<tbody>\n",
            tl->n <= 20 ? " open" : "", tl->n, tl->bucket > 1 ? "buckets" : "events");
    for (unsigned k = 0; k < tl->n; k++) {
        if (tl->bucket == 1)
            fprintf(f, "<tr><td class=\"n\">%u</td>", k);
        else
            fprintf(f, "<tr><td class=\"n\">%zu-%zu</td>", (size_t)k * tl->bucket,
                    bucket_end(tl, k) - 1);
        fprintf(f, "<td class=\"n\">%u</td><td class=\"n\">%u</td></tr>\n", tl->min[k], tl->max[k]);
    }
    fputs("</tbody></table></div></details>\n", f);
    rp_section_end(f);
}
