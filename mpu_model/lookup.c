/*
 * Region lookup (armv8r-mpu.md §2.1, §2.2): which enabled region(s) of one MPU contain an address.
 *
 * Fast path: the address space is cut at every enabled region's base and last+1 into
 * elementary intervals; each interval records how many enabled regions cover it and the XOR
 * of their indices, hence its single covering region, none, or "several". A lookup is a binary
 * search over at most 2 * 255 + 1 interval starts. The index is built on the first lookup;
 * after that every region write updates it in place (mpu_region_changed): when one end of a
 * region moved within its neighbouring intervals (a map or unmap growing or shrinking it), the
 * interval start it made moves with it, at once; otherwise the region waits in a short
 * pending list (few regions: lookups scan the decoded bounds meanwhile), then its old range is
 * subtracted from the intervals it covered and its new range added, splitting at the new
 * range's ends, and neighbours that became equal are merged. Counts and XORs are exact
 * for every address at all times, so the result is the one a full rebuild would give.
 * The linear scan is the reference: tests/mpu_model/check_test.c checks both agree on random
 * region sets and under random writes between checks.
 */
#include <string.h>

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
    struct mpu_index *ix = &u->index;
    ix->npending = 0;
    memset(ix->is_pending, 0, sizeof ix->is_pending);
    for (unsigned r = 0; r < u->nregions; r++) {
        ix->base[r] = ix->cur_base[r] = 1;
        ix->last[r] = ix->cur_last[r] = 0; /* matches nothing */
        if (!prlar_en(u->prlar[r]))
            continue;
        uint64_t base = prbar_base(u->prbar[r]), last = prlar_last(u->prlar[r]);
        if (last < base) /* limit below base: the region matches nothing (armv8r-mpu.md §2.1) */
            continue;
        ix->base[r] = base;
        ix->last[r] = last;
        ix->cur_base[r] = base;
        ix->cur_last[r] = last;
        e[ne++] = (struct edge){ base, +1, (int16_t)r };
        e[ne++] = (struct edge){ last + 1, -1, (int16_t)r }; /* last < 2^48: no overflow */
    }
    sort_edges(e, ne);

    unsigned count = 0, xr = 0; /* covering regions now; XOR of their indices */
    ix->n = 1;
    ix->iv[0] = (struct mpu_ival){ 0, -1, 0, 0 };
    for (unsigned i = 0; i < ne;) {
        uint64_t pos = e[i].pos;
        for (; i < ne && e[i].pos == pos; i++) {
            count += (unsigned)e[i].delta;
            xr ^= (unsigned)e[i].region;
        }
        struct mpu_ival *v = &ix->iv[ix->n - 1];
        if (v->count == count && v->xr == xr)
            continue; /* the same as the interval before: merge */
        if (v->start != pos) /* else only at pos 0: overwrite */
            v = &ix->iv[ix->n++];
        *v = (struct mpu_ival){ pos, count == 0 ? -1 : count == 1 ? (int16_t)xr : -2,
                                (uint16_t)count, (uint16_t)xr };
    }
    ix->dirty = 0;
}

/* Largest i with iv[i].start <= addr (iv[0].start == 0). */
static unsigned find(const struct mpu_index *ix, uint64_t addr)
{
    /* branch-free binary search (a conditional move per step, no mispredictions): the
     * last interval starting at or below addr (iv[0].start == 0) */
    const struct mpu_ival *lo = ix->iv;
    unsigned n = ix->n;
    while (n > 1) {
        unsigned half = n / 2;
        lo = lo[half].start <= addr ? lo + half : lo;
        n -= half;
    }
    return (unsigned)(lo - ix->iv);
}

/* The index of the interval starting at pos, splitting the one holding it if needed. */
static unsigned split(struct mpu_index *ix, uint64_t pos)
{
    unsigned lo = find(ix, pos);
    if (ix->iv[lo].start == pos)
        return lo;
    unsigned at = lo + 1;
    memmove(&ix->iv[at + 1], &ix->iv[at], (ix->n - at) * sizeof ix->iv[0]);
    ix->iv[at] = ix->iv[lo];
    ix->iv[at].start = pos;
    ix->n++;
    return at;
}

/* Interval k merges into the one before when they now decide alike in every respect. */
static void merge(struct mpu_index *ix, unsigned k)
{
    if (k == 0 || k >= ix->n || ix->iv[k].count != ix->iv[k - 1].count ||
        ix->iv[k].xr != ix->iv[k - 1].xr)
        return;
    memmove(&ix->iv[k], &ix->iv[k + 1], (ix->n - k - 1) * sizeof ix->iv[0]);
    ix->n--;
}

/* Region r's membership toggles on [base, last] (delta +1: it enters, -1: it leaves). */
static void apply(struct mpu_index *ix, uint64_t base, uint64_t last, int delta, unsigned r)
{
    unsigned i = split(ix, base);
    unsigned j = split(ix, last + 1); /* last < 2^48: no wrap */
    for (unsigned k = i; k < j; k++) {
        struct mpu_ival *v = &ix->iv[k];
        v->count = (uint16_t)(v->count + delta);
        v->xr ^= (uint16_t)r;
        v->hit = v->count == 0 ? -1 : v->count == 1 ? (int16_t)v->xr : -2;
    }
    merge(ix, j); /* only the two ends can have become like their neighbours */
    merge(ix, i);
}

/* Region r's index bounds become its current ones, in place. */
static void update(struct mpu_index *ix, unsigned r)
{
    uint64_t nb = ix->cur_base[r], nl = ix->cur_last[r];
    uint64_t ob = ix->base[r], ol = ix->last[r];
    if (ob == nb && ol == nl)
        return;
    ix->base[r] = nb;
    ix->last[r] = nl;
    if (ol < ob || nl < nb || nl < ob || ol < nb) { /* one is empty, or they are disjoint */
        if (ol >= ob)
            apply(ix, ob, ol, -1, r);
        if (nl >= nb)
            apply(ix, nb, nl, +1, r);
        return;
    }
    /* overlapping: only the difference at each end changes (usually one end moved) */
    if (nb != ob)
        apply(ix, nb < ob ? nb : ob, (nb < ob ? ob : nb) - 1, nb < ob ? +1 : -1, r);
    if (nl != ol)
        apply(ix, (nl < ol ? nl : ol) + 1, nl < ol ? ol : nl, nl > ol ? +1 : -1, r);
}

/* The decision by the decoded current bounds. Branch-free (with addresses in no particular
 * order the compares are unpredictable), two regions a step; entries from nregions on match
 * nothing. */
static int scan(const struct mpu_index *ix, unsigned n, uint64_t addr)
{
    unsigned h0 = 0, h1 = 0, x0 = 0, x1 = 0;
    for (unsigned r = 0; r < n; r += 2) {
        unsigned a = (unsigned)(ix->cur_base[r] <= addr) & (unsigned)(addr <= ix->cur_last[r]);
        unsigned b = (unsigned)(ix->cur_base[r + 1] <= addr) &
                     (unsigned)(addr <= ix->cur_last[r + 1]);
        h0 += a;
        h1 += b;
        x0 ^= (0u - a) & r;
        x1 ^= (0u - b) & (r + 1);
    }
    unsigned hits = h0 + h1;
    return hits == 0 ? -1 : hits == 1 ? (int)(x0 ^ x1) : -2;
}

void mpu_index_reset(struct mpu_unit *u)
{
    struct mpu_index *ix = &u->index;
    for (unsigned r = 0; r <= MPU_MAX_REGIONS; r++) {
        ix->cur_base[r] = 1;
        ix->cur_last[r] = 0;
    }
    ix->dirty = 1;
    ix->scans = 0;
    ix->npending = 0;
    memset(ix->is_pending, 0, sizeof ix->is_pending);
}

/* Every pending region applied to the intervals. */
static void settle(struct mpu_index *ix)
{
    for (unsigned i = 0; i < ix->npending; i++)
        update(ix, ix->pending[i]);
    ix->npending = 0;
    memset(ix->is_pending, 0, sizeof ix->is_pending);
}

/* The common write of a map or an unmap: one end of region r moved, and the boundary it
 * made alone (the intervals either side differ by r only) stays between its neighbours. Then
 * moving that interval start is the whole update (no split, merge or pending region): 1 done,
 * 0 when the general update is needed. Also 1 when the bounds did not change. */
static int move_edge(struct mpu_index *ix, unsigned r)
{
    uint64_t ob = ix->base[r], ol = ix->last[r], nb = ix->cur_base[r], nl = ix->cur_last[r];
    if (ob == nb && ol == nl)
        return 1;
    if (ol < ob || nl < nb || (ob != nb && ol != nl))
        return 0; /* empty before or after, or both ends moved */
    int at_end = ob == nb;
    uint64_t p = at_end ? ol + 1 : ob, q = at_end ? nl + 1 : nb; /* last < 2^48: no wrap */
    unsigned k = find(ix, p);
    if (k == 0 || ix->iv[k].start != p)
        return 0;
    const struct mpu_ival *in = at_end ? &ix->iv[k - 1] : &ix->iv[k]; /* inside r */
    const struct mpu_ival *out = at_end ? &ix->iv[k] : &ix->iv[k - 1];
    if (in->count != out->count + 1 || (unsigned)(in->xr ^ out->xr) != r)
        return 0;
    if (q <= ix->iv[k - 1].start || (k + 1 < ix->n && q >= ix->iv[k + 1].start))
        return 0;
    ix->iv[k].start = q;
    ix->base[r] = nb;
    ix->last[r] = nl;
    return 1;
}

void mpu_region_changed(struct mpu_unit *u, unsigned r)
{
    struct mpu_index *ix = &u->index;
    uint64_t nb = 1, nl = 0; /* matches nothing */
    if (prlar_en(u->prlar[r]) && prlar_last(u->prlar[r]) >= prbar_base(u->prbar[r])) {
        nb = prbar_base(u->prbar[r]);
        nl = prlar_last(u->prlar[r]);
    }
    ix->cur_base[r] = nb;
    ix->cur_last[r] = nl;
    ix->scans = 0;
    if (ix->dirty || (ix->is_pending[r / 64] >> (r % 64)) & 1u)
        return; /* built from the registers on the next lookup, or noted already */
    if (move_edge(ix, r))
        return; /* applied in place */
    if (ix->npending == MPU_INDEX_PENDING) {
        if (u->nregions <= MPU_INDEX_SCAN_REGIONS) { /* few regions: scans, then a rebuild */
            ix->dirty = 1;
            return;
        }
        settle(ix);
    }
    ix->pending[ix->npending++] = (uint8_t)r;
    ix->is_pending[r / 64] |= 1ull << (r % 64);
}

int mpu_lookup_fast(struct mpu_unit *u, uint64_t addr, uint64_t *interval_last)
{
    struct mpu_index *ix = &u->index;
    if (ix->dirty || ix->npending) {
        if (u->nregions <= MPU_INDEX_SCAN_REGIONS && ix->scans < MPU_INDEX_SCANS) {
            ix->scans++;
            *interval_last = addr | (MPU_GRANULE - 1); /* a granule has one decision */
            return scan(ix, u->nregions, addr);
        }
        if (ix->dirty)
            mpu_index_build(u);
        else
            settle(ix);
    }
    unsigned i = find(ix, addr);
    *interval_last = i + 1 < ix->n ? ix->iv[i + 1].start - 1 : UINT64_MAX;
    return ix->iv[i].hit;
}

int mpu_any_overlap(struct mpu *m, unsigned el)
{
    struct mpu_unit *u = unit_of(m, el);
    if (u->index.dirty)
        mpu_index_build(u);
    settle(&u->index);
    for (unsigned i = 0; i < u->index.n; i++)
        if (u->index.iv[i].count >= 2)
            return 1;
    return 0;
}

int mpu_interval(struct mpu *m, unsigned el, uint64_t addr, uint64_t *first, uint64_t *last)
{
    struct mpu_unit *u = unit_of(m, el);
    if (u->index.dirty)
        mpu_index_build(u);
    settle(&u->index);
    const struct mpu_index *ix = &u->index;
    unsigned i = find(ix, addr); /* settled: what mpu_lookup_fast would find */
    *first = ix->iv[i].start;
    *last = i + 1 < ix->n ? ix->iv[i + 1].start - 1 : UINT64_MAX;
    return ix->iv[i].hit;
}

int mpu_lookup_linear(const struct mpu_unit *u, uint64_t addr, int *first, int *second)
{
    int hit = -1;
    *first = *second = -1;
    for (unsigned r = 0; r < u->nregions; r++) {
        if (!prlar_en(u->prlar[r]))
            continue;
        if (prbar_base(u->prbar[r]) <= addr && addr <= prlar_last(u->prlar[r])) {
            if (hit >= 0) { /* two or more hits: fault, whatever the permissions (armv8r-mpu.md §2.2) */
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
