/* The report's view of a replay's summaries: occupancy buckets (replay/timeline.h) and latency
 * distributions (replay/histogram.h). The one file of report/ that reads those structures. */
#include "report/internal.h"

#include <string.h>

void report_timeline_of(const struct replay *r, struct report_timeline *tl)
{
    memset(tl, 0, sizeof *tl);
    struct timeline_bucket pts[REPORT_TIMELINE_MAX];
    uint64_t per = 1;
    size_t n = timeline_group(&r->timeline, REPORT_TIMELINE_MAX, pts, &per);
    tl->nevents = (size_t)r->timeline.events;
    tl->bucket = per ? (size_t)per : 1;
    tl->n = (unsigned)n;
    for (size_t k = 0; k < n; k++) {
        tl->min[k] = pts[k].min;
        tl->max[k] = pts[k].max;
    }
    tl->limit = r->mpu.el2.nregions;
    tl->peak = r->peak_used;
}

/* Visit the distinct values of h in ascending order with their counts. */
struct hist_iter {
    const struct histogram *h;
    size_t dense;  /* next dense index */
    size_t bin;    /* next sparse bin */
};

static int hist_next(struct hist_iter *it, uint64_t *value, uint64_t *count)
{
    const struct histogram *h = it->h;
    while (h->dense && it->dense < HISTOGRAM_DENSE) {
        size_t v = it->dense++;
        if (h->dense[v]) {
            *value = v;
            *count = h->dense[v];
            return 1;
        }
    }
    if (it->bin < h->nbins) {
        *value = h->bins[it->bin].value;
        *count = h->bins[it->bin].count;
        it->bin++;
        return 1;
    }
    return 0;
}

static struct report_dist dist_of(const struct histogram *h)
{
    struct report_dist d = { histogram_percentile(h, 0), histogram_percentile(h, 50),
                             histogram_percentile(h, 90), histogram_percentile(h, 99),
                             histogram_max(h) };
    return d;
}

/* Bins covering [*lo, hi]: at most REPORT_HIST_BINS, of a whole width. A span narrower than
 * REPORT_HIST_BINS values is centred in REPORT_HIST_BINS bins of width 1 (*lo moves down) so
 * that a single value is a bar, not the whole chart. */
static void bins_for(uint64_t *lo, uint64_t hi, uint64_t *width, unsigned *nbins)
{
    uint64_t span = hi - *lo + 1;
    if (span < REPORT_HIST_BINS) {
        uint64_t pad = (REPORT_HIST_BINS - span) / 2;
        *lo = *lo > pad ? *lo - pad : 0;
        *width = 1;
        *nbins = REPORT_HIST_BINS;
        return;
    }
    *width = (span + REPORT_HIST_BINS - 1) / REPORT_HIST_BINS;
    *nbins = (unsigned)((span + *width - 1) / *width);
}

/* Add the counts of h into bins [lo + k * width, ...) of count (saturating). */
static void fill(const struct histogram *h, uint64_t lo, uint64_t width, unsigned nbins,
                 uint32_t *count)
{
    struct hist_iter it = { h, 0, 0 };
    uint64_t v, c;
    while (hist_next(&it, &v, &c)) {
        if (v < lo)
            continue;
        uint64_t k = (v - lo) / width;
        if (k >= nbins)
            continue;
        uint64_t s = count[k] + c;
        count[k] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    }
}

int report_latency_of(const struct replay *r, struct report_latency *rows, unsigned cap,
                      unsigned *n, struct mpusim_error *err)
{
    (void)err; /* the histograms are already built: nothing here allocates */
    *n = 0;
    if (!r->latency)
        return 0;
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        if (op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
            continue;
        for (int failed = 0; failed < REPLAY_RESULT_COUNT && *n < cap; failed++) {
            const struct replay_latency *src = &r->latency[op][failed];
            if (!src->insns.count)
                continue;
            struct report_latency *l = &rows[(*n)++];
            memset(l, 0, sizeof *l);
            l->op = (enum trace_op)op;
            l->failed = failed;
            l->calls = (size_t)src->insns.count;
            l->insns = dist_of(&src->insns);
            l->ins_lo = l->insns.min;
            bins_for(&l->ins_lo, l->insns.max, &l->ins_width, &l->ins_nbins);
            fill(&src->insns, l->ins_lo, l->ins_width, l->ins_nbins, l->ins_count);
            l->has_cycles = src->cycles[0].count > 0;
            if (!l->has_cycles)
                continue;
            for (int m = 0; m < 3; m++)
                l->cycles[m] = dist_of(&src->cycles[m]);
            /* one axis for the three: from the fastest bound to the slowest */
            l->cyc_lo = l->cycles[1].min < l->cycles[0].min ? l->cycles[1].min : l->cycles[0].min;
            uint64_t hi = l->cycles[2].max > l->cycles[0].max ? l->cycles[2].max : l->cycles[0].max;
            bins_for(&l->cyc_lo, hi, &l->cyc_width, &l->cyc_nbins);
            for (int m = 0; m < 3; m++)
                fill(&src->cycles[m], l->cyc_lo, l->cyc_width, l->cyc_nbins, l->cyc_count[m]);
        }
    }
    return 0;
}
