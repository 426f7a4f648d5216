/* Policy reserve:K (docs/policies.md): Xen's algorithm, except that K region slots are kept
 * for short-lived mappings. Short-lived = a one-page range (map_domain_page, a one-page vmap,
 * an ioremap within one page). Short-lived regions may only use the K reserved slots (at most
 * K of them in use), and long-lived regions may not take a reserved slot: a storm of
 * short-lived mappings cannot starve long-lived ones, and long-lived ones cannot starve
 * map_domain_page. reserve:0 is Xen's algorithm. */
#include "mm/policy.h"

int mm_reserve_short_lived(uint64_t base, uint64_t limit)
{
    return limit - base == MM_PAGE_SIZE;
}

/* Regions in use that are one page long (short-lived by the rule). */
static unsigned short_lived_in_use(struct mm_ctx *ctx)
{
    unsigned n = mm_nr_regions(ctx), s = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct mm_region *e = &ctx->table[i];
        ctx->scanned++;
        if (mm_region_valid(e) && mm_region_last(e) - mm_region_base(e) + 1 == MM_PAGE_SIZE)
            s++;
    }
    return s;
}

int mm_reserve_create(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    unsigned k = ctx->opt.reserve_k;
    if (k > 0) {
        unsigned n = mm_nr_regions(ctx);
        unsigned free_slots = n > ctx->used ? n - ctx->used : 0;
        unsigned s = short_lived_in_use(ctx);
        unsigned reserve_free = s < k ? k - s : 0; /* reserved slots not yet taken */
        int allowed = mm_reserve_short_lived(base, limit) ? s < k : free_slots > reserve_free;
        if (!allowed) {
            mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0); /* for this kind */
            return MM_ENOENT;
        }
    }
    int idx = mm_bitmap_alloc(ctx);
    if (idx < 0) {
        mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0);
        return MM_ENOENT;
    }
    struct mm_region *e = &ctx->table[idx];
    *e = mm_region_of(base, limit, flags);
    mm_write_protection_region(ctx, e, (unsigned)idx);
    ctx->last_region = idx;
    return 0;
}
