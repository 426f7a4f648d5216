/* The 2025 proposal (variant "xen-transient", v3 of "Third series for R82 MPU support",
 * xen-mpu.md §10.1): map_mm_range reuses any existing mapping with equal attributes and otherwise creates
 * a region marked transient; unmap_mm_range removes only transient regions; ioremap_attr is
 * map_mm_range. No reference counting. */
#include "mm/internal.h"

/* The proposal's is_mm_attr_match: compares RO, XN and AI, one warning per mismatch
 * (arguments: the region's value, then the requested one). Returns 1 when all three agree. */
static int attrs_match(struct mm_ctx *ctx, const struct mm_region *e, unsigned flags)
{
    int match = 1;
    if (mm_region_ro(e) != mm_flags_ro(flags)) {
        mm_hw_log(&ctx->hw, MM_MSG_T_RO_MISMATCH, mm_region_ro(e), mm_flags_ro(flags), 0, 0);
        match = 0;
    }
    if (mm_region_xn(e) != mm_flags_xn(flags)) {
        mm_hw_log(&ctx->hw, MM_MSG_T_XN_MISMATCH, mm_region_xn(e), mm_flags_xn(flags), 0, 0);
        match = 0;
    }
    if (mm_region_ai(e) != mm_flags_ai(flags)) {
        mm_hw_log(&ctx->hw, MM_MSG_T_AI_MISMATCH, mm_region_ai(e), mm_flags_ai(flags), 0, 0);
        match = 0;
    }
    return match;
}

/* map_mm_range: the pointer it returns is base itself (not rounded); our return code is 0 for
 * a non-NULL pointer and MM_EINVAL for NULL, whatever the reason (see docs/algorithms.md). */
static int map_range(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    uint64_t start_pg = base & ~MM_PAGE_MASK;
    uint64_t end_pg = (limit + MM_PAGE_MASK) & ~MM_PAGE_MASK;
    if (!mm_check_mapping(ctx, start_pg, end_pg, flags))
        return MM_EINVAL;

    unsigned idx;
    int kind = mm_contains_region(ctx, start_pg, end_pg, &idx);
    if (kind == MM_REGION_OVERLAP) {
        mm_hw_log(&ctx->hw, MM_MSG_T_OVERLAP, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    if (kind != MM_REGION_NOTFOUND) {
        ctx->last_region = (int)idx;
        if (!attrs_match(ctx, &ctx->table[idx], flags)) {
            mm_hw_log(&ctx->hw, MM_MSG_T_DIFFERENT_FLAGS, start_pg, end_pg, 0, 0);
            return MM_EINVAL;
        }
        /* Already mapped with the same attributes: nothing created, nothing counted, and no
         * context sync (nothing changed). */
        return base != 0 ? 0 : MM_EINVAL;
    }
    /* Not mapped: the shared entry-update path (it looks the range up again, as the proposal
     * does), creating the region with transient = 1. */
    int rc = mm_update_entry(ctx, start_pg, end_pg, flags, 1);
    if (rc != 0)
        return MM_EINVAL; /* NULL */
    mm_context_sync(ctx);
    return base != 0 ? 0 : MM_EINVAL;
}

int mm_transient_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    return map_range(ctx, base, limit, flags);
}

/* unmap_mm_range is void in the proposal; our codes: 0 when it returns silently (nothing to
 * do for a non-transient region, or the region removed), MM_EINVAL when it logs a failure. */
int mm_transient_unmap(struct mm_ctx *ctx, uint64_t addr)
{
    unsigned idx;
    /* Mappings made by map_mm_range are at least a page: look up [addr, addr + 4K). */
    int kind = mm_contains_region(ctx, addr, addr + MM_PAGE_SIZE, &idx);
    if (kind < 0) {
        mm_hw_log(&ctx->hw, MM_MSG_T_LOOKUP_FAILED, addr, 0, 0, 0);
        return MM_EINVAL;
    }
    if (kind == MM_REGION_NOTFOUND) {
        mm_hw_log(&ctx->hw, MM_MSG_T_UNMAP_FAILED, addr, 0, 0, 0);
        return MM_EINVAL;
    }
    ctx->last_region = (int)idx;
    if (!ctx->table[idx].transient) /* only meant for transient regions: silently kept */
        return 0;
    mm_disable_region(ctx, idx); /* the whole region, whatever page addr names */
    mm_context_sync(ctx);
    return 0;
}

int mm_transient_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                         uint64_t *ret)
{
    int rc = map_range(ctx, addr, addr + size, flags);
    *ret = rc == 0 ? addr : 0; /* "mapped or already mapped": addr with its offset */
    return rc;
}
