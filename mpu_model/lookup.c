/*
 * Region lookup (§2.1, §2.2): which enabled region(s) of one MPU contain an address.
 *
 * Fast path: the address space is cut at every enabled region's base and last+1 into
 * elementary intervals; each interval records its single covering region, none, or "several".
 * A lookup is a binary search over at most 2 * 255 + 1 interval starts. The index is rebuilt
 * lazily, on the first lookup after a write to PRBAR/PRLAR/PRENR (mpu_write sets dirty).
 * The linear scan is the reference: the result is the same by construction, and
 * tests/mpu_model/lookup_test.c checks it on random region sets.
 */
#include "mpu_model/internal.h"

struct edge {
    uint64_t pos;   /* first byte where the coverage changes */
    int16_t delta;  /* +1 region starts, -1 region ends */
    int16_t region; /* region index */
};

/* Heap sort by pos: no allocation, O(n log n), n <= 510. */
static void sift_down(struct edge *e, unsigned start, unsigned n)
{
    unsigned root = start;
    for (;;) {
        unsigned child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && e[child + 1].pos > e[child].pos)
            child++;
        if (e[root].pos >= e[child].pos)
            return;
        struct edge t = e[root];
        e[root] = e[child];
        e[child] = t;
        root = child;
    }
}

static void sort_edges(struct edge *e, unsigned n)
{
    if (n < 2)
        return;
    for (unsigned i = n / 2; i-- > 0;)
        sift_down(e, i, n);
    for (unsigned end = n - 1; end > 0; end--) {
        struct edge t = e[0];
        e[0] = e[end];
        e[end] = t;
        sift_down(e, 0, end);
    }
}

void mpu_index_build(struct mpu_unit *u)
{
    struct edge e[2 * MPU_MAX_REGIONS];
    unsigned ne = 0;
    for (unsigned r = 0; r < u->nregions; r++) {
        if (!prlar_en(u->prlar[r]))
            continue;
        uint64_t base = prbar_base(u->prbar[r]), last = prlar_last(u->prlar[r]);
        if (last < base) /* limit below base: the region matches nothing (§2.1) */
            continue;
        e[ne++] = (struct edge){ base, +1, (int16_t)r };
        e[ne++] = (struct edge){ last + 1, -1, (int16_t)r }; /* last < 2^48: no overflow */
    }
    sort_edges(e, ne);

    struct mpu_index *ix = &u->index;
    unsigned count = 0, xr = 0; /* covering regions now; XOR of their indices */
    ix->n = 0;
    ix->start[ix->n] = 0;
    ix->hit[ix->n++] = -1;
    for (unsigned i = 0; i < ne;) {
        uint64_t pos = e[i].pos;
        for (; i < ne && e[i].pos == pos; i++) {
            count += (unsigned)e[i].delta;
            xr ^= (unsigned)e[i].region;
        }
        int16_t hit = count == 0 ? -1 : count == 1 ? (int16_t)xr : -2;
        if (ix->hit[ix->n - 1] == hit)
            continue; /* same decision as the interval before: merge */
        if (ix->start[ix->n - 1] == pos)
            ix->hit[ix->n - 1] = hit; /* only at pos 0 */
        else {
            ix->start[ix->n] = pos;
            ix->hit[ix->n++] = hit;
        }
    }
    ix->dirty = 0;
}

int mpu_lookup_fast(struct mpu_unit *u, uint64_t addr, uint64_t *interval_last)
{
    if (u->index.dirty)
        mpu_index_build(u);
    const struct mpu_index *ix = &u->index;
    /* largest i with start[i] <= addr; start[0] == 0 */
    unsigned lo = 0, hi = ix->n;
    while (hi - lo > 1) {
        unsigned mid = (lo + hi) / 2;
        if (ix->start[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    *interval_last = lo + 1 < ix->n ? ix->start[lo + 1] - 1 : UINT64_MAX;
    return ix->hit[lo];
}

int mpu_lookup_linear(const struct mpu_unit *u, uint64_t addr, int *first, int *second)
{
    int hit = -1;
    *first = *second = -1;
    for (unsigned r = 0; r < u->nregions; r++) {
        if (!prlar_en(u->prlar[r]))
            continue;
        if (prbar_base(u->prbar[r]) <= addr && addr <= prlar_last(u->prlar[r])) {
            if (hit >= 0) { /* two or more hits: fault, whatever the permissions (§2.2) */
                *first = hit;
                *second = (int)r;
                return -2;
            }
            hit = (int)r;
        }
    }
    if (hit >= 0)
        return hit;
    return -1;
}
