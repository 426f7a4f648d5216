/* Xen's decision table (xen-mpu.md §6.2) with a policy's create and free steps, shared by lazy and
 * reserve:K: argument checks, lookup, refcounts, in-place modify and every message stay as in
 * the xen variant; only "NOTFOUND, present" (create) and "FOUND, refcount 0, remove" (free)
 * go through the policy. destroy_xen_mapping_containing and ioremap_attr likewise. */
#include "mm/policy.h"

static int policy_create(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    if (ctx->opt.algo == MM_ALGO_LAZY)
        return mm_lazy_create(ctx, base, limit, flags);
    return mm_reserve_create(ctx, base, limit, flags);
}

static void policy_free(struct mm_ctx *ctx, unsigned idx)
{
    ctx->last_region = (int)idx;
    if (ctx->opt.algo == MM_ALGO_LAZY)
        mm_lazy_free(ctx, idx);
    else
        mm_policy_disable(ctx, idx);
}

int mm_policy_update(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    if (!mm_check_mapping(ctx, base, limit, flags))
        return MM_EINVAL;
    uint64_t scanned0 = ctx->scanned;
    unsigned idx;
    int kind = mm_contains_region(ctx, base, limit, &idx);
    int rc;
    if (kind == MM_REGION_OVERLAP) {
        return MM_EINVAL; /* the lookup logged the overlap */
    } else if ((flags & MM_FLAG_PRESENT) && kind == MM_REGION_NOTFOUND) {
        rc = policy_create(ctx, base, limit, flags);
    } else if (!(flags & MM_FLAG_PRESENT) && kind == MM_REGION_FOUND &&
               ctx->table[idx].refcount == 0) {
        policy_free(ctx, idx);
        rc = 0;
    } else {
        /* Refcount changes, in-place modify and the refusals: Xen's own rows. Its lookup
         * repeats ours, so only one is counted. */
        ctx->scanned = scanned0;
        rc = mm_update_entry(ctx, base, limit, flags, 0);
    }
    if (rc == 0)
        mm_context_sync(ctx);
    return rc;
}

int mm_policy_destroy_containing(struct mm_ctx *ctx, uint64_t addr)
{
    unsigned idx;
    int kind = mm_contains_region(ctx, addr, addr + MM_PAGE_SIZE, &idx);
    if (kind == MM_REGION_NOTFOUND) {
        mm_hw_log(&ctx->hw, MM_MSG_REMOVE_ENTRY_NOT_EXIST, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    if (kind == MM_REGION_OVERLAP) /* the intended handling (xen-mpu.md §11.4): refuse */
        return MM_EINVAL;
    ctx->last_region = (int)idx;
    if (ctx->table[idx].refcount > 0)
        ctx->table[idx].refcount--;
    else
        policy_free(ctx, idx); /* the whole containing region, as Xen (xen-mpu.md §9) */
    mm_context_sync(ctx);
    return 0;
}

int mm_policy_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                      uint64_t *ret)
{
    uint64_t start_pg = addr & ~MM_PAGE_MASK;
    uint64_t end_pg = (addr + size + MM_PAGE_MASK) & ~MM_PAGE_MASK;
    int rc = mm_policy_update(ctx, start_pg, end_pg, flags);
    *ret = rc == 0 ? addr : 0;
    return *ret != 0 ? 0 : MM_EINVAL;
}
