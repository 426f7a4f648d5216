/* Region map: the enabled EL2 regions on a segmented address axis (each stretch between two
 * region bounds gets a width that grows with the logarithm of its size, and gaps with no region
 * are cut to a fixed width), coloured by permission and memory type; overlaps and regions
 * whose table entry differs from the registers are drawn so they cannot be missed. */
#include "report/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W 1100.0
#define LANE_H 34.0
#define TOP 26.0
#define GAP_W 16.0       /* width of a cut gap */
#define MAX_BOUNDS (4 * MPU_MAX_REGIONS + 2)

/* MAIR_EL2 as Xen's cpu_init programs it (Xen's MAIRVAL: AttrIndx 0 Device-nGnRnE 0x00,
 * 1 Normal NC 0x44, 2 WT 0xaa, 3 WB 0xee, 4 Device-nGnRE 0x04, 7 Normal WB-WA 0xff). A trace
 * starts after cpu_init, so a run that never writes MAIR_EL2 is drawn with these bytes. */
#define XEN_MAIRVAL 0xff000004eeaa4400ull

static uint64_t field(uint64_t v, unsigned lsb, unsigned width)
{
    return (v >> lsb) & ((1ull << width) - 1);
}

/* One bar: a region as the registers hold it, or a diverged region as the table holds it. */
struct bar {
    unsigned idx;
    uint64_t base, limit;     /* [base, limit) */
    int ro, xn, device, el0;  /* AP[2] read-only, XN[1] execute-never, MAIR attr is Device,
                                 AP[1] lower-EL access */
    unsigned attrindx, attr;  /* PRLAR.AttrIndx and the MAIR_EL2 byte it selects */
    int table;                /* 1: the table's view of a diverged region */
    int diverged, overlaps;   /* drawn in red */
    int table_free;           /* diverged: the table holds the region as free (no table bar) */
    unsigned lane;
};

static struct bar decode(unsigned idx, uint64_t prbar, uint64_t prlar, uint64_t mair)
{
    struct bar b = { .idx = idx };
    b.base = field(prbar, PRBAR_BASE_LSB, PRBAR_BASE_BITS) << PRBAR_BASE_LSB;
    /* LIMIT is inclusive with a 64-byte granule: the last byte is LIMIT:0x3f */
    b.limit = (field(prlar, PRLAR_LIMIT_LSB, PRLAR_LIMIT_BITS) << PRLAR_LIMIT_LSB) + MPU_GRANULE;
    unsigned ap = (unsigned)field(prbar, PRBAR_AP_LSB, 2), xn = (unsigned)field(prbar,
                                                                              PRBAR_XN_LSB, 2);
    b.ro = (ap >> 1) & 1;
    b.el0 = ap & 1;
    b.xn = (xn >> 1) & 1;
    b.attrindx = (unsigned)field(prlar, PRLAR_ATTRINDX_LSB, 3);
    b.attr = (unsigned)field(mair, 8 * b.attrindx, 8);
    b.device = (b.attr & 0xf0) == 0; /* MAIR Attr<n>[7:4] == 0000: Device memory */
    return b;
}

static const char *perm_colour(const struct bar *b)
{
    if (b->ro)
        return b->xn ? "#2563c9" : "#1a9e77"; /* read-only data; code */
    return b->xn ? "#e07b00" : "#c2185b";     /* read-write data; writable and executable */
}

static const char *perm_text(const struct bar *b)
{
    return b->ro ? (b->xn ? "RO XN" : "RO X") : (b->xn ? "RW XN" : "RW X");
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_bar(const void *a, const void *b)
{
    const struct bar *x = a, *y = b;
    if (x->table != y->table)
        return x->table - y->table;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The segmented axis: bounds[0..n) ascending; stretch j = [bounds[j], bounds[j+1]) starts at
 * pixel px[j]. */
struct axis {
    uint64_t bounds[MAX_BOUNDS];
    double px[MAX_BOUNDS];
    unsigned n;
    double x0, x1;
};

static double axis_x(const struct axis *a, uint64_t v)
{
    unsigned lo = 0, hi = a->n; /* first bound > v */
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (a->bounds[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return a->px[0];
    if (lo == a->n)
        return a->px[a->n - 1];
    unsigned j = lo - 1;
    double frac = (double)(v - a->bounds[j]) / (double)(a->bounds[j + 1] - a->bounds[j]);
    return a->px[j] + frac * (a->px[j + 1] - a->px[j]);
}

/* Is [lo, hi) covered by a bar? */
static int covered(const struct bar *bars, unsigned n, uint64_t lo, uint64_t hi)
{
    for (unsigned k = 0; k < n; k++)
        if (bars[k].base <= lo && hi <= bars[k].limit)
            return 1;
    return 0;
}

static void build_axis(struct axis *a, const struct bar *bars, unsigned nb, double x0, double x1)
{
    a->n = 0;
    for (unsigned k = 0; k < nb; k++) {
        a->bounds[a->n++] = bars[k].base;
        a->bounds[a->n++] = bars[k].limit;
    }
    qsort(a->bounds, a->n, sizeof a->bounds[0], cmp_u64);
    unsigned u = 0;
    for (unsigned k = 0; k < a->n; k++)
        if (u == 0 || a->bounds[k] != a->bounds[u - 1])
            a->bounds[u++] = a->bounds[k];
    a->n = u;
    a->x0 = x0;
    a->x1 = x1;
    /* raw widths: log-scaled for covered stretches, fixed for gaps; then scaled to fit */
    double w[MAX_BOUNDS], total = 0;
    for (unsigned j = 0; j + 1 < a->n; j++) {
        uint64_t size = a->bounds[j + 1] - a->bounds[j];
        if (covered(bars, nb, a->bounds[j], a->bounds[j + 1]))
            w[j] = 14.0 + 4.0 * fmax(0.0, log2((double)size) - 6.0);
        else
            w[j] = GAP_W;
        total += w[j];
    }
    double scale = total > 0 ? (x1 - x0) / total : 1;
    a->px[0] = x0;
    for (unsigned j = 0; j + 1 < a->n; j++)
        a->px[j + 1] = a->px[j] + w[j] * scale;
}

/* Greedy lanes: a bar goes to the first lane whose last bar ends at or before its base. */
static unsigned assign_lanes(struct bar *bars, unsigned nb)
{
    uint64_t end[MPU_MAX_REGIONS * 2];
    unsigned lanes = 0;
    for (unsigned k = 0; k < nb; k++) {
        if (bars[k].table)
            continue;
        unsigned l = 0;
        while (l < lanes && end[l] > bars[k].base)
            l++;
        if (l == lanes)
            lanes++;
        end[l] = bars[k].limit;
        bars[k].lane = l;
    }
    if (lanes == 0)
        lanes = 1;
    unsigned table_lane = lanes, any = 0;
    for (unsigned k = 0; k < nb; k++)
        if (bars[k].table) {
            bars[k].lane = table_lane;
            any = 1;
        }
    return lanes + any;
}

/* The latest divergence note about region idx at or before event (-1: any). */
static const struct replay_note *divergence_of(const struct replay_note *notes, unsigned n,
                                               unsigned idx, long event)
{
    const struct replay_note *best = NULL;
    for (unsigned k = 0; k < n; k++)
        if (notes[k].id == MM_MSG_COUNT && notes[k].region == (int)idx &&
            (event < 0 || notes[k].event <= event))
            best = &notes[k];
    return best;
}

static void bar_title(FILE *f, const struct bar *b)
{
    char x[24], y[24], sz[24];
    fprintf(f, "<title>%s#%u [%s, %s) %s, %s, %s (MAIR attr %u = 0x%02x)%s%s</title>",
            b->table ? "table view of " : "", b->idx, rp_hex(b->base, x, sizeof x),
            rp_hex(b->limit, y, sizeof y), rp_size(b->limit - b->base, sz, sizeof sz),
            perm_text(b), b->device ? "Device" : "Normal", b->attrindx, b->attr,
            b->overlaps ? "; OVERLAPS another region" : "",
            b->diverged ? "; table and registers DIFFER" : "");
}

static void draw(FILE *f, const char *id, struct bar *bars, unsigned nb, unsigned lanes)
{
    struct axis *a = malloc(sizeof *a);
    if (!a) {
        fputs("<p class=\"note\">(no memory to draw the map)</p>\n", f);
        return;
    }
    build_axis(a, bars, nb, 20, W - 20);
    int anydiv = 0; /* a strip under the lanes for the "differs from the table" labels */
    for (unsigned k = 0; k < nb; k++)
        anydiv |= bars[k].diverged && !bars[k].table;
    double strip = anydiv ? 14 : 0;
    double h = TOP + lanes * LANE_H + strip + 86;
    rp_svg_begin(f, "regionmap", W, h, "enabled regions on a segmented address axis");
    fprintf(f, "<defs><pattern id=\"%s-dev\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
               "patternTransform=\"rotate(45)\"><rect width=\"2.2\" height=\"6\" fill=\"#000\" "
               "fill-opacity=\"0.35\"/></pattern>"
               "<pattern id=\"%s-ovl\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" "
               "patternTransform=\"rotate(-45)\"><rect width=\"3\" height=\"8\" fill=\"#cf2f36\" "
               "fill-opacity=\"0.5\"/></pattern></defs>\n",
            id, id);
    double ybot = TOP + lanes * LANE_H + strip;
    /* stretches: gaps cut with a break mark, overlaps hatched red across the lanes */
    for (unsigned j = 0; j + 1 < a->n; j++) {
        uint64_t lo = a->bounds[j], hi = a->bounds[j + 1];
        unsigned cover = 0;
        for (unsigned k = 0; k < nb; k++)
            if (!bars[k].table && bars[k].base <= lo && hi <= bars[k].limit)
                cover++;
        double xa = a->px[j], xb = a->px[j + 1];
        char sz[24];
        if (!covered(bars, nb, lo, hi)) {
            fprintf(f, "<g class=\"gap\"><title>no region: %s</title><rect x=\"%.1f\" y=\"%.1f\" "
                       "width=\"%.1f\" height=\"%.1f\" fill=\"#f3f5f8\"/><path d=\"M%.1f,%.1f "
                       "l4,-6 l4,12 l4,-6\" fill=\"none\" stroke=\"#8a93a3\"/></g>\n",
                    rp_size(hi - lo, sz, sizeof sz), xa, TOP - 6, xb - xa, ybot - TOP + 12,
                    (xa + xb) / 2 - 6, ybot + 6);
        } else if (cover >= 2) {
            fprintf(f, "<g class=\"overlap\"><title>OVERLAP: %u regions cover [0x%llx, 0x%llx)"
                       "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                       "fill=\"url(#%s-ovl)\" stroke=\"#cf2f36\" stroke-width=\"1.5\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"lbl\" "
                       "style=\"fill:#cf2f36\">overlap</text></g>\n",
                    cover, (unsigned long long)lo, (unsigned long long)hi, xa, TOP - 6, xb - xa,
                    ybot - TOP + 6, id, (xa + xb) / 2, TOP - 10);
        }
    }
    /* the bars, each with its details on hover */
    for (unsigned k = 0; k < nb; k++) {
        struct bar *b = &bars[k];
        double xa = axis_x(a, b->base), xb = axis_x(a, b->limit);
        double y = TOP + b->lane * LANE_H + 3, bh = LANE_H - 8;
        const char *cls = b->table ? "bar table" : b->diverged ? "bar diverged"
                          : b->overlaps ? "bar overlapping" : "bar";
        fprintf(f, "<g class=\"%s\" data-idx=\"%u\">", cls, b->idx);
        bar_title(f, b);
        if (b->table) {
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" "
                       "fill=\"%s\" fill-opacity=\"0.18\" stroke=\"#cf2f36\" stroke-width=\"2\" "
                       "stroke-dasharray=\"4 3\"/>",
                    xa + 0.5, y, fmax(xb - xa - 1, 1), bh, perm_colour(b));
        } else {
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" "
                       "fill=\"%s\"",
                    xa + 0.5, y, fmax(xb - xa - 1, 1), bh, perm_colour(b));
            if (b->diverged || b->overlaps)
                fputs(" stroke=\"#cf2f36\" stroke-width=\"3\"", f);
            fputs("/>", f);
            if (b->device)
                fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" "
                           "fill=\"url(#%s-dev)\"/>",
                        xa + 0.5, y, fmax(xb - xa - 1, 1), bh, id);
        }
        if (xb - xa >= 14)
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" style=\"fill:%s;"
                       "font-weight:600\">%s%u</text>",
                    (xa + xb) / 2, y + bh / 2 + 4, b->table ? "#cf2f36" : "#fff",
                    xb - xa >= 26 ? "#" : "", b->idx);
        if (b->diverged && !b->table)
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"lbl\" "
                       "style=\"fill:#cf2f36\">&#8800; table</text>",
                    (xa + xb) / 2, TOP + lanes * LANE_H + 8);
        fputs("</g>\n", f);
    }
    if (bars[nb - 1].table) /* the table's views sort last, in the last lane */
        fprintf(f, "<text x=\"2\" y=\"%.1f\" fill=\"#cf2f36\">table</text>\n",
                TOP + (lanes - 1) * LANE_H + LANE_H / 2);
    /* the address axis: a tick at every bound, labels where they do not collide */
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", a->x0,
            ybot + 2, a->x1, ybot + 2);
    double last = -1e9;
    for (unsigned j = 0; j < a->n; j++) {
        double x = a->px[j];
        fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x,
                ybot + 2, x, ybot + 7);
        if (x - last >= 14) {
            char hx[24];
            fprintf(f, "<text class=\"mono\" transform=\"translate(%.1f %.1f) rotate(-45)\" "
                       "text-anchor=\"end\" style=\"font-size:10px\">%s</text>",
                    x + 3, ybot + 14, rp_hex(a->bounds[j], hx, sizeof hx));
            last = x;
        }
        fputc('\n', f);
    }
    rp_svg_end(f);
    free(a);
}

void rp_region_legend(FILE *f)
{
    fputs("<div class=\"legend\">"
          "<span><i class=\"sw\" style=\"background:#1a9e77\"></i>read-only, executable (code)</span>"
          "<span><i class=\"sw\" style=\"background:#2563c9\"></i>read-only, execute-never</span>"
          "<span><i class=\"sw\" style=\"background:#e07b00\"></i>read-write, execute-never</span>"
          "<span><i class=\"sw\" style=\"background:#c2185b\"></i>read-write and executable</span>"
          "<span><i class=\"sw\" style=\"background:repeating-linear-gradient(45deg,#888 0 2px,"
          "#ddd 2px 5px)\"></i>Device memory (hatched)</span>"
          "<span><i class=\"sw\" style=\"background:#fff;border:2px solid #cf2f36\"></i>overlap "
          "or table/register divergence</span>"
          "<span>&#8776; cut gap with no region</span></div>\n",
          f);
}

static void table(FILE *f, const struct bar *bars, unsigned nb)
{
    fputs("<div class=\"scroll\"><table class=\"data regions-data\"><thead><tr>"
          "<th class=\"n\">region</th><th>base</th><th>limit (exclusive)</th><th class=\"n\">size"
          "</th><th>access</th><th>memory</th><th>remarks</th></tr></thead><tbody>\n",
          f);
    for (unsigned k = 0; k < nb; k++) {
        const struct bar *b = &bars[k];
        char x[24], y[24], sz[24];
        fprintf(f, "<tr><td class=\"n\">%u%s</td><td class=\"mono\">%s</td><td class=\"mono\">%s"
                   "</td><td class=\"n\">%s</td><td>%s%s</td><td>%s (attr %u = 0x%02x)</td><td>",
                b->idx, b->table ? " (table)" : "", rp_hex(b->base, x, sizeof x),
                rp_hex(b->limit, y, sizeof y), rp_size(b->limit - b->base, sz, sizeof sz),
                perm_text(b), b->el0 ? ", EL1/EL0" : "", b->device ? "Device" : "Normal",
                b->attrindx, b->attr);
        if (b->table)
            fputs("<span class=\"k-failed\">the algorithm's table holds this; the registers "
                  "differ</span>",
                  f);
        else if (b->diverged)
            fprintf(f, "<span class=\"k-failed\">table and registers differ: %s</span>",
                    b->table_free ? "the table holds this region as free, the hardware has it "
                                    "enabled" : "the table's view is drawn dashed");
        if (b->overlaps)
            fprintf(f, "%s<span class=\"k-failed\">overlaps another region</span>",
                    b->diverged ? "; " : "");
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

void rp_region_map(FILE *f, const char *id, const char *title, const struct report_snapshot *s,
                   const struct replay_note *notes, unsigned nnotes)
{
    struct bar *bars = malloc(2 * MPU_MAX_REGIONS * sizeof *bars);
    fprintf(f, "<div class=\"regionmap-wrap\" id=\"%s\">\n<h3>", id);
    rp_text(f, title);
    fputs("</h3>\n", f);
    if (!bars) {
        fputs("<p class=\"note\">(no memory to draw the map)</p></div>\n", f);
        return;
    }
    unsigned nb = 0, enabled = 0;
    uint64_t mair = s->mair ? s->mair : XEN_MAIRVAL;
    for (unsigned i = 0; i < s->nregions && i < MPU_MAX_REGIONS; i++) {
        int differs = (s->diverged[i >> 6] >> (i & 63)) & 1;
        if (field(s->prlar[i], PRLAR_EN_LSB, 1)) {
            bars[nb] = decode(i, s->prbar[i], s->prlar[i], mair);
            bars[nb++].diverged = differs;
            enabled++;
        }
        const struct replay_note *n = differs ? divergence_of(notes, nnotes, i, s->event) : NULL;
        if (n && !field(n->table_prlar, PRLAR_EN_LSB, 1) && nb && bars[nb - 1].idx == i &&
            !bars[nb - 1].table)
            bars[nb - 1].table_free = 1;
        if (n && field(n->table_prlar, PRLAR_EN_LSB, 1)) {
            bars[nb] = decode(i, n->table_prbar, n->table_prlar, mair);
            bars[nb].table = 1;
            bars[nb++].diverged = 1;
        }
    }
    qsort(bars, nb, sizeof *bars, cmp_bar);
    for (unsigned k = 0; k < nb; k++)
        for (unsigned m = 0; m < nb; m++)
            if (k != m && !bars[k].table && !bars[m].table && bars[k].base < bars[m].limit &&
                bars[m].base < bars[k].limit)
                bars[k].overlaps = 1;
    fprintf(f, "<p class=\"sub\">%u of %u regions enabled", enabled, s->nregions);
    if (s->event >= 0)
        fprintf(f, " after event %ld", s->event);
    else
        fputs(" after the boot step", f);
    fputs(". The address axis is segmented: each stretch between two region bounds is as wide "
          "as the logarithm of its size, so a 4 KiB page and a 256 MiB heap both show; gaps "
          "without a region are cut (&#8776;). Hover a bar for its details.",
          f);
    if (!s->mair)
        fputs(" MAIR_EL2 was not written in this run: memory types are read with the bytes "
              "Xen's <code>cpu_init</code> programs (AttrIndx 7 Normal, 4 and 0 Device).",
              f);
    fputs("</p>\n", f);
    if (!nb) {
        fputs("<p class=\"note\">No enabled region.</p></div>\n", f);
        free(bars);
        return;
    }
    unsigned lanes = assign_lanes(bars, nb);
    draw(f, id, bars, nb, lanes);
    table(f, bars, nb);
    fputs("</div>\n", f);
    free(bars);
}
