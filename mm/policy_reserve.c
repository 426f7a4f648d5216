/* Policy reserve:K (docs/policies.md): Xen's algorithm, except that a long-lived mapping may
 * not take any of the last K free slots. Short-lived = a one-page range (map_domain_page, a
 * one-page vmap, an ioremap within one page); they may use any free slot. So a storm of
 * short-lived mappings can hold at most the free slots, and long-lived ones fail first, with K
 * slots still free for the short-lived traffic. */
#include "mm/policy.h"

int mm_reserve_short_lived(uint64_t base, uint64_t limit)
{
    return limit - base == MM_PAGE_SIZE;
}

int mm_reserve_create(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    unsigned n = mm_nr_regions(ctx);
    unsigned free_slots = n > ctx->used ? n - ctx->used : 0;
    if (!mm_reserve_short_lived(base, limit) && free_slots <= ctx->opt.reserve_k) {
        mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0); /* for long-lived mappings */
        return MM_ENOENT;
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
