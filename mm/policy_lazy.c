/* Policy lazy (docs/policies.md): a region freed by an unmap stays programmed in hardware with
 * only EN cleared (one PRENR write below region 32, one PRLAR write above), and is remembered
 * as cached. A later map of exactly the same range and attributes, when nothing enabled
 * intersects it (NOTFOUND), re-enables it with one EN write instead of a full reprogramming.
 *
 * Invariants: a cached region is free in the table (EN clear, bitmap bit clear) and disabled
 * in hardware, so it is never accessible; cached regions intersect neither an enabled region
 * nor each other (creating a region drops every cached one it intersects), so re-enabling one
 * can never make two enabled regions overlap.
 *
 * Slot choice for a new region: an identical cached region; else the lowest free slot that is
 * not cached; else the cached slot cached longest ago (oldest stamp) is evicted and
 * reprogrammed. */
#include "mm/policy.h"

void mm_lazy_init(struct mm_ctx *ctx)
{
    for (unsigned i = 0; i < MM_MAX_REGIONS; i++) {
        ctx->lazy.slot[i].prbar = 0;
        ctx->lazy.slot[i].prlar = 0;
        ctx->lazy.slot[i].stamp = 0;
        ctx->lazy.slot[i].cached = 0;
    }
    ctx->lazy.clock = 0;
    ctx->lazy.ncached = 0;
    ctx->lazy.hits = 0;
    ctx->lazy.evictions = 0;
}

/* The cached region of slot i covers [base, last] (inclusive, 64-byte granule). */
static int cached_intersects(const struct mm_lazy_slot *s, uint64_t base, uint64_t limit)
{
    uint64_t cb = s->prbar & MM_PR_ADDR_MASK;
    uint64_t cl = (s->prlar & MM_PR_ADDR_MASK) | MM_PR_GRANULE_MASK;
    return cb <= limit - 1 && base <= cl;
}

/* Slot for a new region other than a hit: lowest free never-cached, else the oldest cached;
 * -1 when every slot is in use. Sets *evict when the slot is a cached one. Changes nothing. */
static int pick_slot(struct mm_ctx *ctx, int *evict)
{
    const unsigned n = mm_nr_regions(ctx);
    int oldest = -1;
    *evict = 0;
    for (unsigned i = 0; i < n; i++) {
        ctx->scanned++;
        if (mm_bitmap_test(ctx, i))
            continue;
        if (!ctx->lazy.slot[i].cached)
            return (int)i;
        if (oldest < 0 || ctx->lazy.slot[i].stamp < ctx->lazy.slot[oldest].stamp)
            oldest = (int)i;
    }
    *evict = oldest >= 0;
    return oldest;
}

int mm_lazy_create(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    const unsigned n = mm_nr_regions(ctx);
    struct mm_region v = mm_region_of(base, limit, flags);

    /* A hit: same PRBAR and PRLAR, so same range and attributes. NOTFOUND guarantees that no
     * enabled region intersects it. */
    for (unsigned i = 0; i < n && ctx->lazy.ncached; i++) {
        ctx->scanned++;
        struct mm_lazy_slot *s = &ctx->lazy.slot[i];
        if (!s->cached || s->prbar != v.prbar || s->prlar != v.prlar)
            continue;
        s->cached = 0;
        ctx->lazy.ncached--;
        ctx->table[i] = v;
        mm_bitmap_set(ctx, i);
        mm_policy_set_en(ctx, i, v.prlar, 1);
        ctx->lazy.hits++;
        ctx->last_region = (int)i;
        return 0;
    }

    int evict;
    int idx = pick_slot(ctx, &evict);
    if (idx < 0) {
        mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0);
        return MM_ENOENT;
    }
    if (evict)
        ctx->lazy.evictions++;
    /* Cached regions the new one intersects could never be re-enabled safely: drop them (they
     * are disabled already; bookkeeping only). The evicted slot is reprogrammed below. */
    for (unsigned i = 0; i < n && ctx->lazy.ncached; i++)
        if (ctx->lazy.slot[i].cached &&
            ((int)i == idx || cached_intersects(&ctx->lazy.slot[i], base, limit))) {
            ctx->lazy.slot[i].cached = 0;
            ctx->lazy.ncached--;
        }
    ctx->table[idx] = v;
    mm_bitmap_set(ctx, (unsigned)idx);
    /* The slot is disabled in hardware: PRBAR first, then PRLAR with EN, as Xen writes. */
    mm_write_protection_region(ctx, &v, (unsigned)idx);
    ctx->last_region = idx;
    return 0;
}

void mm_lazy_free(struct mm_ctx *ctx, unsigned idx)
{
    struct mm_region *e = &ctx->table[idx];
    struct mm_lazy_slot *s = &ctx->lazy.slot[idx];
    s->prbar = e->prbar;
    s->prlar = e->prlar;
    s->stamp = ++ctx->lazy.clock;
    s->cached = 1;
    ctx->lazy.ncached++;
    mm_region_clear(e);
    mm_bitmap_clear(ctx, idx);
    mm_policy_set_en(ctx, idx, s->prlar, 0);
}
