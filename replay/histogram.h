#ifndef MPUSIM_REPLAY_HISTOGRAM_H
#define MPUSIM_REPLAY_HISTOGRAM_H
/*
 * A histogram of non-negative integer values (instructions or cycles per call), exact: it
 * counts every distinct value, so percentiles are the same as sorting all the values. Memory
 * grows with the number of distinct values, not with the number of values: small values
 * (< HISTOGRAM_DENSE) are counted in an array allocated on first use, larger ones in a sorted
 * array of (value, count) pairs.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define HISTOGRAM_DENSE 4096u /* values 0..HISTOGRAM_DENSE-1 are counted by index */

struct histogram_bin {
    uint64_t value; /* the value */
    uint64_t count; /* how many times it was added */
};

struct histogram {
    uint64_t count;              /* values added */
    uint64_t *dense;             /* HISTOGRAM_DENSE counts, or NULL before the first small
                                    value; owned */
    struct histogram_bin *bins;  /* values >= HISTOGRAM_DENSE, ascending; owned */
    size_t nbins, cap;           /* bins in use, allocated */
};

/* An empty histogram (allocates nothing). */
void histogram_init(struct histogram *h);
/* Release what the histogram allocated; h is empty afterwards. */
void histogram_fini(struct histogram *h);

/* Count one value. Returns 0, or -1 with err set (MPUSIM_E_IO, out of memory; h unchanged). */
int histogram_add(struct histogram *h, uint64_t value, struct mpusim_error *err);

/* Counts of b added to h (b unchanged). Returns 0, or -1 with err set (out of memory). */
int histogram_merge(struct histogram *h, const struct histogram *b, struct mpusim_error *err);

/* The pct-th percentile, nearest rank (the ceil(count * pct / 100)-th smallest value, the
 * smallest for pct 0): pct 0..100. 0 for an empty histogram. Never fails. */
uint64_t histogram_percentile(const struct histogram *h, unsigned pct);

/* Largest value added; 0 for an empty histogram. */
uint64_t histogram_max(const struct histogram *h);

#endif
