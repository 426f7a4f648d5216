/* Latency per op and result (guest engines): a histogram of modelled cycles (nominal bars, the
 * histograms of the min and max bounds as outlines, and the [min..max] band of p50/p90/p99/max
 * under it), a histogram of instructions, and the percentile table. */
#include "report/internal.h"

#include <math.h>

#define W 1100.0
#define H 250.0

static const char *const pname[4] = { "p50", "p90", "p99", "max" };

static uint64_t pick(const struct report_dist *d, int q)
{
    return q == 0 ? d->p50 : q == 1 ? d->p90 : q == 2 ? d->p99 : d->max;
}

static void bars(FILE *f, const struct rp_frame *fr, uint64_t lo, uint64_t width, unsigned nbins,
                 const uint32_t *count, const char *colour, const char *unit)
{
    for (unsigned k = 0; k < nbins; k++) {
        if (!count[k])
            continue;
        double xa = rp_x(fr, (double)(lo + k * width)), xb = rp_x(fr, (double)(lo + (k + 1) * width));
        double y = rp_y(fr, count[k]);
        fprintf(f, "<rect class=\"hbar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "fill=\"%s\" rx=\"1.5\"><title>%llu..%llu %s: %u calls</title></rect>\n",
                xa + 0.8, y, fmax(xb - xa - 1.6, 1), fr->y1 - y, colour,
                (unsigned long long)(lo + k * width), (unsigned long long)(lo + (k + 1) * width - 1),
                unit, count[k]);
    }
}

static void outline(FILE *f, const struct rp_frame *fr, const struct report_latency *l, int m,
                    const char *colour)
{
    fprintf(f, "<path class=\"houtline\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
               "stroke-dasharray=\"4 2\" d=\"M%.1f,%.1f",
            colour, rp_x(fr, (double)l->cyc_lo), fr->y1);
    for (unsigned k = 0; k < l->cyc_nbins; k++) {
        double y = rp_y(fr, l->cyc_count[m][k]);
        fprintf(f, " V%.1f H%.1f", y, rp_x(fr, (double)(l->cyc_lo + (k + 1) * l->cyc_width)));
    }
    fprintf(f, " V%.1f\"/>\n", fr->y1);
}

static uint32_t top_count(const uint32_t *c, unsigned n)
{
    uint32_t m = 1;
    for (unsigned k = 0; k < n; k++)
        m = c[k] > m ? c[k] : m;
    return m;
}

static void panel_cycles(FILE *f, const struct report_latency *l)
{
    uint32_t top = 1;
    for (int m = 0; m < 3; m++) {
        uint32_t t = top_count(l->cyc_count[m], l->cyc_nbins);
        top = t > top ? t : top;
    }
    struct rp_frame fr = { 60, 560, 24, H - 96, (double)l->cyc_lo,
                           (double)(l->cyc_lo + l->cyc_nbins * l->cyc_width), 0, top * 1.1 };
    fprintf(f, "<text class=\"lbl\" x=\"60\" y=\"14\">cycles per call (nominal; min and max "
               "bounds dashed)</text>\n");
    rp_axes(f, &fr, NULL, "calls", 1);
    bars(f, &fr, l->cyc_lo, l->cyc_width, l->cyc_nbins, l->cyc_count[0], "#2563c9", "cycles");
    outline(f, &fr, l, 1, "#1a9e77");
    outline(f, &fr, l, 2, "#cf2f36");
    /* the [min..max] band of each percentile, under the axis */
    for (int q = 0; q < 4; q++) {
        double y = fr.y1 + 30 + q * 13;
        double xa = rp_x(&fr, (double)pick(&l->cycles[1], q));
        double xb = rp_x(&fr, (double)pick(&l->cycles[2], q));
        double xn = rp_x(&fr, (double)pick(&l->cycles[0], q));
        fprintf(f, "<g class=\"band\"><title>%s: %llu cycles nominal, [%llu..%llu]</title>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
                   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"8\" rx=\"4\" "
                   "fill=\"#2563c9\" fill-opacity=\"0.22\"/>"
                   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#1c2230\" "
                   "stroke-width=\"2\"/></g>\n",
                pname[q], (unsigned long long)pick(&l->cycles[0], q),
                (unsigned long long)pick(&l->cycles[1], q),
                (unsigned long long)pick(&l->cycles[2], q), fr.x0 - 6, y + 7, pname[q], xa, y,
                fmax(xb - xa, 3), xn, y - 1, xn, y + 9);
    }
}

static void panel_insns(FILE *f, const struct report_latency *l)
{
    uint32_t top = top_count(l->ins_count, l->ins_nbins);
    struct rp_frame fr = { 640, W - 20, 24, H - 96, (double)l->ins_lo,
                           (double)(l->ins_lo + l->ins_nbins * l->ins_width), 0, top * 1.1 };
    fprintf(f, "<text class=\"lbl\" x=\"640\" y=\"14\">instructions per call</text>\n");
    rp_axes(f, &fr, NULL, NULL, 1);
    bars(f, &fr, l->ins_lo, l->ins_width, l->ins_nbins, l->ins_count, "#7b4fc9", "instructions");
    for (int q = 0; q < 4; q++) {
        double x = rp_x(&fr, (double)pick(&l->insns, q));
        double frac = (x - fr.x0) / (fr.x1 - fr.x0);
        fprintf(f, "<g class=\"pct\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                   "stroke=\"#1c2230\" stroke-dasharray=\"2 2\"/><text x=\"%.1f\" y=\"%.1f\" "
                   "text-anchor=\"%s\">%s %llu</text></g>\n",
                x, fr.y0, x, fr.y1, x, fr.y1 + 30 + q * 13 + 7,
                frac > 0.85 ? "end" : frac < 0.15 ? "start" : "middle", pname[q],
                (unsigned long long)pick(&l->insns, q));
    }
}

static void row_label(char *buf, size_t cap, const struct report_latency *l)
{
    snprintf(buf, cap, "%s %s", trace_op_name(l->op), l->failed ? "error" : "ok");
}

static void bins_table(FILE *f, const struct report_latency *l)
{
    fputs("<details><summary>Histogram numbers</summary>", f);
    if (l->has_cycles)
        fputs("<table class=\"data latency-bins\">"
          "<thead><tr><th class=\"n\">cycles</th><th class=\"n\">nominal</th><th class=\"n\">min "
          "bound</th><th class=\"n\">max bound</th></tr></thead><tbody>\n",
          f);
    for (unsigned k = 0; l->has_cycles && k < l->cyc_nbins; k++)
        fprintf(f, "<tr><td class=\"n\">%llu..%llu</td><td class=\"n\">%u</td><td class=\"n\">%u"
                   "</td><td class=\"n\">%u</td></tr>\n",
                (unsigned long long)(l->cyc_lo + k * l->cyc_width),
                (unsigned long long)(l->cyc_lo + (k + 1) * l->cyc_width - 1), l->cyc_count[0][k],
                l->cyc_count[1][k], l->cyc_count[2][k]);
    if (l->has_cycles)
        fputs("</tbody></table>", f);
    fputs("<table class=\"data latency-bins\"><thead><tr><th class=\"n\">"
          "instructions</th><th class=\"n\">calls</th></tr></thead><tbody>\n",
          f);
    for (unsigned k = 0; k < l->ins_nbins; k++)
        fprintf(f, "<tr><td class=\"n\">%llu..%llu</td><td class=\"n\">%u</td></tr>\n",
                (unsigned long long)(l->ins_lo + k * l->ins_width),
                (unsigned long long)(l->ins_lo + (k + 1) * l->ins_width - 1), l->ins_count[k]);
    fputs("</tbody></table></details>\n", f);
}

void rp_latency(FILE *f, const struct report_latency *rows, unsigned n)
{
    rp_section_begin(f, "latency", "Latency per call");
    if (!n) {
        fputs("<p class=\"sub\">No latency: the native engine does not count instructions or "
              "cycles. Replay with <code>--engine guest</code> for this section.</p>\n",
              f);
        rp_section_end(f);
        return;
    }
    fputs("<p class=\"sub\">Per op and result: modelled cycles (docs/timing.md: nominal, with "
          "the bounds of the fastest and slowest memory system) and guest instructions. Under "
          "each cycle histogram, the [min..max] band of each percentile with its nominal value "
          "as a tick.</p>\n<div class=\"legend\"><span><i class=\"sw\" style=\"background:#2563c9"
          "\"></i>nominal cycles</span><span><i class=\"sw\" style=\"background:#fff;border:2px "
          "dashed #1a9e77\"></i>min bound</span><span><i class=\"sw\" style=\"background:#fff;"
          "border:2px dashed #cf2f36\"></i>max bound</span><span><i class=\"sw\" style=\""
          "background:#7b4fc9\"></i>instructions</span></div>\n",
          f);
    fputs("<table class=\"data latency-data\"><thead><tr><th>op</th><th class=\"n\">calls</th>",
          f);
    for (int q = 0; q < 4; q++)
        fprintf(f, "<th class=\"n\">insns %s</th>", pname[q]);
    for (int q = 0; q < 4; q++)
        fprintf(f, "<th class=\"n\">cycles %s [min..max]</th>", pname[q]);
    fputs("</tr></thead><tbody>\n", f);
    for (unsigned k = 0; k < n; k++) {
        char lbl[48];
        row_label(lbl, sizeof lbl, &rows[k]);
        fprintf(f, "<tr><td>%s</td><td class=\"n\">%zu</td>", lbl, rows[k].calls);
        for (int q = 0; q < 4; q++)
            fprintf(f, "<td class=\"n\">%llu</td>", (unsigned long long)pick(&rows[k].insns, q));
        for (int q = 0; q < 4 && !rows[k].has_cycles; q++)
            fputs("<td class=\"n\">-</td>", f);
        for (int q = 0; q < 4 && rows[k].has_cycles; q++)
            fprintf(f, "<td class=\"n\">%llu [%llu..%llu]</td>",
                    (unsigned long long)pick(&rows[k].cycles[0], q),
                    (unsigned long long)pick(&rows[k].cycles[1], q),
                    (unsigned long long)pick(&rows[k].cycles[2], q));
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
    for (unsigned k = 0; k < n; k++) {
        char lbl[48];
        row_label(lbl, sizeof lbl, &rows[k]);
        fprintf(f, "<h3>%s <span class=\"note\">%zu calls</span></h3>\n", lbl, rows[k].calls);
        rp_svg_begin(f, "latency", W, H, lbl);
        if (rows[k].has_cycles)
            panel_cycles(f, &rows[k]);
        else
            fputs("<text x=\"60\" y=\"100\">no cycles: replayed without the timing model "
                  "(--no-timing)</text>\n",
                  f);
        panel_insns(f, &rows[k]);
        rp_svg_end(f);
        bins_table(f, &rows[k]);
    }
    rp_section_end(f);
}
