/* Exact histograms of integer values (histogram.h). */
#include "replay/histogram.h"

#include <stdlib.h>
#include <string.h>

void histogram_init(struct histogram *h)
{
    memset(h, 0, sizeof *h);
}

void histogram_fini(struct histogram *h)
{
    free(h->dense);
    free(h->bins);
    histogram_init(h);
}

/* Index of the first bin whose value is >= v. */
static size_t lower_bound(const struct histogram *h, uint64_t v)
{
    size_t lo = 0, hi = h->nbins;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->bins[mid].value < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int add_n(struct histogram *h, uint64_t v, uint64_t n, struct mpusim_error *err)
{
    if (v < HISTOGRAM_DENSE) {
        if (!h->dense && !(h->dense = calloc(HISTOGRAM_DENSE, sizeof *h->dense)))
            return mpusim_error_set(err, MPUSIM_E_IO, "out of memory for a histogram");
        h->dense[v] += n;
        h->count += n;
        return 0;
    }
    size_t i = lower_bound(h, v);
    if (i < h->nbins && h->bins[i].value == v) {
        h->bins[i].count += n;
        h->count += n;
        return 0;
    }
    if (h->nbins == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        struct histogram_bin *nb = realloc(h->bins, cap * sizeof *nb);
        if (!nb)
            return mpusim_error_set(err, MPUSIM_E_IO, "out of memory for a histogram");
        h->bins = nb;
        h->cap = cap;
    }
    memmove(&h->bins[i + 1], &h->bins[i], (h->nbins - i) * sizeof *h->bins);
    h->bins[i] = (struct histogram_bin){ v, n };
    h->nbins++;
    h->count += n;
    return 0;
}

int histogram_add(struct histogram *h, uint64_t value, struct mpusim_error *err)
{
    return add_n(h, value, 1, err);
}

int histogram_merge(struct histogram *h, const struct histogram *b, struct mpusim_error *err)
{
    for (unsigned v = 0; b->dense && v < HISTOGRAM_DENSE; v++)
        if (b->dense[v] && add_n(h, v, b->dense[v], err) != 0)
            return -1;
    for (size_t i = 0; i < b->nbins; i++)
        if (add_n(h, b->bins[i].value, b->bins[i].count, err) != 0)
            return -1;
    return 0;
}

uint64_t histogram_percentile(const struct histogram *h, unsigned pct)
{
    if (!h->count)
        return 0;
    if (pct > 100)
        pct = 100;
    uint64_t rank = (h->count * pct + 99) / 100; /* 1-based */
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned v = 0; h->dense && v < HISTOGRAM_DENSE; v++) {
        seen += h->dense[v];
        if (seen >= rank)
            return v;
    }
    for (size_t i = 0; i < h->nbins; i++) {
        seen += h->bins[i].count;
        if (seen >= rank)
            return h->bins[i].value;
    }
    return histogram_max(h);
}

uint64_t histogram_max(const struct histogram *h)
{
    if (h->nbins)
        return h->bins[h->nbins - 1].value;
    for (unsigned v = HISTOGRAM_DENSE; h->dense && v-- > 0;)
        if (h->dense[v])
            return v;
    return 0;
}
