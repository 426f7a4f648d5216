/* The progress line on stderr (cli/cli.h, docs/cli.md "Progress"): one line rewritten in
 * place with '\r', at most four times a second; the clock is read only when the count has
 * grown by a step sized to about twenty reads a second, so a hot loop pays one comparison. */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

#define PROGRESS_INTERVAL 0.25 /* seconds between two drawings at least */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_init(struct cli_progress *p, int mode, const char *what, const char *unit)
{
    p->on = mode > 0 || (mode < 0 && isatty(2));
    p->what = what;
    p->unit = unit;
    p->total = 0;
    p->kind = CLI_PROGRESS_BYTES;
    p->total_unit = NULL;
    p->t0 = now_seconds();
    p->last = p->t0 - 1; /* the first update draws */
    p->next = 0;
    p->step = 1;
    p->width = 0;
}

void cli_progress_total(struct cli_progress *p, uint64_t total, enum cli_progress_kind kind,
                        const char *total_unit)
{
    p->total = total;
    p->kind = kind;
    p->total_unit = total_unit;
}

uint64_t cli_progress_file_size(const char *path)
{
    struct stat st;
    int rc = path[0] == '-' && path[1] == '\0' ? fstat(0, &st) : stat(path, &st);
    return rc == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
}

/* "12.3M" style: count with a k/M/G suffix. */
static void human(char *buf, size_t cap, double v)
{
    if (v >= 1e9)
        snprintf(buf, cap, "%.1fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, cap, "%.1fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, cap, "%.0fk", v / 1e3);
    else
        snprintf(buf, cap, "%.0f", v);
}

static void clock_text(char *buf, size_t cap, double s)
{
    unsigned long t = s > 0 && s < 1e9 ? (unsigned long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, cap, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, cap, "%lu:%02lu", t / 60, t % 60);
}

void cli_progress_draw(struct cli_progress *p, uint64_t count, uint64_t done)
{
    double now = now_seconds(), el = now - p->t0;
    if (count && now - p->last < PROGRESS_INTERVAL) {
        /* too soon: look at the clock again after about 1/20 s worth of counts */
        double rate = el > 0 ? (double)count / el : 0;
        p->step = rate / 20 >= 1 ? (uint64_t)(rate / 20) : 1;
        p->next = count + p->step;
        return;
    }
    p->last = now;
    double rate = el > 0 ? (double)count / el : 0;
    p->step = rate / 20 >= 1 ? (uint64_t)(rate / 20) : 1;
    p->next = count + p->step;
    char line[256], n[32], r[32], e[32], left[32], sz[32];
    human(n, sizeof n, (double)count);
    human(r, sizeof r, rate);
    clock_text(e, sizeof e, el);
    int len;
    if (p->total && done <= p->total) {
        double frac = (double)done / (double)p->total;
        if (frac > 0)
            clock_text(left, sizeof left, el * (1 - frac) / frac);
        else
            snprintf(left, sizeof left, "?");
        char of[64];
        if (p->kind == CLI_PROGRESS_BYTES) {
            human(sz, sizeof sz, (double)p->total);
            snprintf(of, sizeof of, "of %sB", sz);
        } else if (p->kind == CLI_PROGRESS_MILLISECONDS) {
            if (p->total < 60000)
                snprintf(of, sizeof of, "of %.1f s", (double)p->total / 1000);
            else
            {
                clock_text(sz, sizeof sz, (double)p->total / 1000);
                snprintf(of, sizeof of, "of %s", sz);
            }
        } else {
            human(sz, sizeof sz, (double)p->total);
            snprintf(of, sizeof of, "of %s %s", sz, p->total_unit ? p->total_unit : "");
        }
        len = snprintf(line, sizeof line, "%s: %s %s, %s %s/s, %.0f%% %s, %s elapsed, %s left",
                       p->what, n, p->unit, r, p->unit, frac * 100, of, e, left);
    } else {
        human(sz, sizeof sz, (double)done);
        len = snprintf(line, sizeof line, "%s: %s %s, %s %s/s, %sB read (size unknown), %s "
                       "elapsed", p->what, n, p->unit, r, p->unit, sz, e);
    }
    if (len < 0)
        return;
    size_t w = (size_t)len < sizeof line ? (size_t)len : sizeof line - 1;
    fprintf(stderr, "\r%s%*s", line, p->width > w ? (int)(p->width - w) : 0, "");
    fflush(stderr);
    p->width = w;
}

void cli_progress_clear(struct cli_progress *p)
{
    if (p->on && p->width) {
        fprintf(stderr, "\r%*s\r", (int)p->width, "");
        fflush(stderr);
    }
    p->width = 0;
    p->next = 0; /* drawn again at the next update */
    p->last = 0;
}

void cli_progress_end(struct cli_progress *p)
{
    cli_progress_clear(p);
    p->on = 0;
}
