/* The report's view of a replay's summaries: occupancy buckets and latency distributions. The
 * only file of report/ that reads the replay's per-event summary structures. */
#include "report/internal.h"

#include <stdlib.h>
#include <string.h>

void report_timeline_of(const struct replay *r, struct report_timeline *tl)
{
    memset(tl, 0, sizeof *tl);
    size_t n = r->trace->nevents;
    tl->nevents = n;
    tl->limit = r->mpu.el2.nregions;
    tl->peak = r->peak_used;
    tl->bucket = n <= REPORT_TIMELINE_MAX ? 1 : (n + REPORT_TIMELINE_MAX - 1) / REPORT_TIMELINE_MAX;
    for (size_t j = 0; j < n; j += tl->bucket) {
        uint16_t lo = UINT16_MAX, hi = 0;
        for (size_t i = j; i < j + tl->bucket && i < n; i++) {
            uint16_t v = r->used_series[i];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        tl->min[tl->n] = lo;
        tl->max[tl->n] = hi;
        tl->n++;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile q of sorted v[0..n), n > 0. */
static uint64_t rank(const uint64_t *v, size_t n, unsigned q)
{
    size_t i = (n * q + 99) / 100;
    return v[i ? i - 1 : 0];
}

static struct report_dist dist_of(uint64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_u64);
    struct report_dist d = { v[0], rank(v, n, 50), rank(v, n, 90), rank(v, n, 99), v[n - 1] };
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
    if (*width == 0)
        *width = 1;
    *nbins = (unsigned)((span + *width - 1) / *width);
}

/* The values of metric m (0 insns, 1 + k cycles[k]) of the calls of kind op * 2 + failed. */
static size_t gather(const struct replay *r, unsigned kind, int m, uint64_t *v)
{
    size_t n = 0;
    for (size_t i = 0; i < r->trace->nevents; i++)
        if (r->kind_series[i] == kind)
            v[n++] = m == 0 ? r->insns_series[i] : r->cycle_series[m - 1][i];
    return n;
}

int report_latency_of(const struct replay *r, struct report_latency *rows, unsigned cap,
                      unsigned *n, struct mpusim_error *err)
{
    *n = 0;
    if (!r->insns_series || !r->kind_series)
        return 0;
    size_t ne = r->trace->nevents;
    uint64_t *v = malloc((ne ? ne : 1) * sizeof *v);
    if (!v)
        return mpusim_error_set(err, MPUSIM_E_IO, "report: out of memory");
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        if (op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
            continue;
        for (int failed = 0; failed < 2 && *n < cap; failed++) {
            unsigned kind = (unsigned)(op * 2 + failed);
            struct report_latency *l = &rows[*n];
            memset(l, 0, sizeof *l);
            l->op = (enum trace_op)op;
            l->failed = failed;
            l->calls = gather(r, kind, 0, v);
            if (!l->calls)
                continue;
            l->insns = dist_of(v, l->calls);
            l->ins_lo = l->insns.min;
            bins_for(&l->ins_lo, l->insns.max, &l->ins_width, &l->ins_nbins);
            for (size_t i = 0; i < l->calls; i++)
                l->ins_count[(v[i] - l->ins_lo) / l->ins_width]++;
            for (int m = 0; m < 3; m++) {
                gather(r, kind, 1 + m, v);
                l->cycles[m] = dist_of(v, l->calls);
            }
            /* one axis for the three: from the fastest bound to the slowest */
            l->cyc_lo = l->cycles[1].min < l->cycles[0].min ? l->cycles[1].min : l->cycles[0].min;
            uint64_t hi = l->cycles[2].max > l->cycles[0].max ? l->cycles[2].max : l->cycles[0].max;
            bins_for(&l->cyc_lo, hi, &l->cyc_width, &l->cyc_nbins);
            for (int m = 0; m < 3; m++) {
                gather(r, kind, 1 + m, v);
                for (size_t i = 0; i < l->calls; i++)
                    l->cyc_count[m][(v[i] - l->cyc_lo) / l->cyc_width]++;
            }
            ++*n;
        }
    }
    free(v);
    return 0;
}
