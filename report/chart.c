/* Chart frames: value-to-pixel mapping, round ticks, axes, the series palette. */
#include "report/internal.h"

#include <math.h>

/* Colour-blind-safe qualitative palette (Okabe-Ito order, blue first). */
static const char *const palette[] = { "#2563c9", "#e07b00", "#1a9e77", "#c2185b",
                                       "#7b4fc9", "#8c6d1f", "#0097a7", "#5d6778" };

const char *rp_colour(unsigned k) { return palette[k % (sizeof palette / sizeof palette[0])]; }

double rp_x(const struct rp_frame *fr, double v)
{
    double span = fr->vx1 - fr->vx0;
    return fr->x0 + (span > 0 ? (v - fr->vx0) / span : 0) * (fr->x1 - fr->x0);
}

double rp_y(const struct rp_frame *fr, double v)
{
    double span = fr->vy1 - fr->vy0;
    return fr->y1 - (span > 0 ? (v - fr->vy0) / span : 0) * (fr->y1 - fr->y0);
}

double rp_tick_step(double lo, double hi, unsigned max)
{
    double span = hi - lo;
    if (span <= 0 || max == 0)
        return 1;
    double raw = span / max, mag = pow(10, floor(log10(raw)));
    static const double mult[] = { 1, 2, 2.5, 5, 10 };
    for (unsigned k = 0; k < 5; k++)
        if (mag * mult[k] >= raw)
            return mag * mult[k];
    return mag * 10;
}

void rp_svg_begin(FILE *f, const char *cls, double w, double h, const char *label)
{
    fprintf(f, "<svg class=\"chart %s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", cls,
            w, h);
    rp_text(f, label);
    fputs("\" xmlns=\"http://www.w3.org/2000/svg\">\n", f);
}

void rp_svg_end(FILE *f) { fputs("</svg>\n", f); }

/* A tick label: integers without decimals, large values with k/M suffixes. */
static void tick_label(FILE *f, double v)
{
    double a = fabs(v);
    if (a >= 1e6 && fmod(a, 1e5) == 0)
        fprintf(f, "%gM", v / 1e6);
    else if (a >= 1e4 && fmod(a, 1e3) == 0)
        fprintf(f, "%gk", v / 1e3);
    else
        fprintf(f, "%g", v);
}

void rp_axes(FILE *f, const struct rp_frame *fr, const char *xlabel, const char *ylabel,
             int integer_y)
{
    double sx = rp_tick_step(fr->vx0, fr->vx1, 10);
    double sy = rp_tick_step(fr->vy0, fr->vy1, 6);
    if (integer_y && sy < 1)
        sy = 1;
    if (sx < 1)
        sx = 1;
    fputs("<g class=\"axes\">\n", f);
    for (double v = ceil(fr->vy0 / sy) * sy; v <= fr->vy1 + 1e-9; v += sy) {
        double y = rp_y(fr, v);
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
                fr->x0, y, fr->x1, y, fr->x0 - 6, y + 4);
        tick_label(f, v);
        fputs("</text>\n", f);
    }
    for (double v = ceil(fr->vx0 / sx) * sx; v <= fr->vx1 + 1e-9; v += sx) {
        double x = rp_x(fr, v);
        fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                x, fr->y1, x, fr->y1 + 4, x, fr->y1 + 16);
        tick_label(f, v);
        fputs("</text>\n", f);
    }
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", fr->x0,
            fr->y1, fr->x1, fr->y1);
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", fr->x0,
            fr->y0, fr->x0, fr->y1);
    if (xlabel) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", (fr->x0 + fr->x1) / 2,
                fr->y1 + 32);
        rp_text(f, xlabel);
        fputs("</text>\n", f);
    }
    if (ylabel) {
        fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\">",
                fr->x0 - 38, (fr->y0 + fr->y1) / 2);
        rp_text(f, ylabel);
        fputs("</text>\n", f);
    }
    fputs("</g>\n", f);
}
