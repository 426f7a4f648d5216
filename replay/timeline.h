#ifndef MPUSIM_REPLAY_TIMELINE_H
#define MPUSIM_REPLAY_TIMELINE_H
/*
 * The occupancy timeline: regions in use after each event, downsampled online into at most
 * TIMELINE_MAX_BUCKETS buckets of equal width, each keeping the minimum and the maximum of
 * its events. Fixed size (no allocation), whatever the number of events.
 *
 * Buckets start one event wide; when the buckets are full, neighbours are merged pairwise and
 * the width doubles (1, 2, 4, ... events). Bucket j covers events [j * bucket, (j + 1) *
 * bucket); the last bucket may be partial. Up to TIMELINE_MAX_BUCKETS events, every bucket is
 * one event (the series itself).
 */
#include <stddef.h>
#include <stdint.h>

#define TIMELINE_MAX_BUCKETS 1000 /* even: pairwise merging halves it exactly */

struct timeline_bucket {
    uint16_t min; /* smallest value of the bucket's events */
    uint16_t max; /* largest value of the bucket's events */
};

struct timeline {
    uint64_t events;   /* values added */
    uint64_t bucket;   /* events per bucket: a power of two, >= 1 */
    size_t nbuckets;   /* buckets in use, <= TIMELINE_MAX_BUCKETS */
    uint64_t room;     /* events the last bucket still takes (0: the next opens a bucket) */
    struct timeline_bucket b[TIMELINE_MAX_BUCKETS]; /* [0, nbuckets) in event order */
};

/* An empty timeline (bucket width 1). Never fails. */
void timeline_init(struct timeline *tl);

/* Add the value after the next event (values above 0xFFFF are stored as 0xFFFF). O(1)
 * amortised; never fails, never allocates. The common case (room in the last bucket) inline;
 * timeline_add_bucket opens the next bucket. */
void timeline_add_bucket(struct timeline *tl, uint16_t value);
static inline void timeline_add(struct timeline *tl, unsigned value)
{
    uint16_t v = value > 0xFFFFu ? 0xFFFFu : (uint16_t)value;
    if (!tl->room) {
        timeline_add_bucket(tl, v);
        return;
    }
    struct timeline_bucket *last = &tl->b[tl->nbuckets - 1];
    if (v < last->min)
        last->min = v;
    if (v > last->max)
        last->max = v;
    tl->events++;
    tl->room--;
}

/**
 * timeline_group - the timeline regrouped into at most width points, for drawing
 * @tl:    read only
 * @width: points wanted, >= 1
 * @out:   at least width entries; out[k] = min and max over buckets [k * g, (k + 1) * g),
 *         g = ceil(nbuckets / width)
 * @per:   written with g * tl->bucket: events per point (the last point may hold fewer)
 * Returns the number of points written (0 for an empty timeline).
 */
size_t timeline_group(const struct timeline *tl, size_t width, struct timeline_bucket *out,
                      uint64_t *per);

#endif
