/* Upstream Xen's mapping algorithm (variant "xen"): xen_mpumap_update with its argument
 * checks (xen-mpu.md §6.1) and decision table (§6.2), the shared removal helper (§6.5),
 * destroy_xen_mapping_containing and ioremap_attr (xen-mpu.md §7). Reference counting per §9. */
#include "mm/internal.h"

/* ---- argument checks (xen-mpu.md §6.1) ---- */

/* flags_has_rwx (xen-mpu.md §4.5): present, writable and executable at once. */
static int flags_has_rwx(unsigned flags)
{
    return (flags & MM_FLAG_PRESENT) && !(flags & MM_FLAG_RO) && !(flags & MM_FLAG_XN);
}

int mm_check_mapping(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    if (flags_has_rwx(flags)) {
        mm_hw_log(&ctx->hw, MM_MSG_RWX, 0, 0, 0, 0);
        return 0;
    }
    if (base >= limit) {
        mm_hw_log(&ctx->hw, MM_MSG_BASE_GE_LIMIT, base, limit, 0, 0);
        return 0;
    }
    if ((base & MM_PAGE_MASK) || (limit & MM_PAGE_MASK)) {
        mm_hw_log(&ctx->hw, MM_MSG_NOT_PAGE_ALIGNED, base, limit, 0, 0);
        return 0;
    }
    return 1;
}

/* ---- removal (xen-mpu.md §6.5) ---- */

/* xen_mpumap_free_entry: drop one user, or disable the region when it has none left. */
static int free_entry(struct mm_ctx *ctx, unsigned idx, int kind)
{
    struct mm_region *e = &ctx->table[idx];
    if (kind == MM_REGION_NOTFOUND) { /* unreachable from the update path, kept as upstream */
        mm_hw_log(&ctx->hw, MM_MSG_REMOVE_ENTRY_NOT_EXIST, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    if (e->refcount > 0) {
        e->refcount--;
        return 0;
    }
    if (kind != MM_REGION_FOUND) {
        mm_hw_log(&ctx->hw, MM_MSG_REMOVE_PARTIAL, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    mm_disable_region(ctx, idx);
    return 0;
}

/* ---- the decision table (xen-mpu.md §6.2) ---- */

/* Create: lowest free index, pr_of_addr, program the hardware. */
static int create_region(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags,
                         int transient)
{
    int idx = mm_bitmap_alloc(ctx);
    if (idx < 0) {
        mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0);
        return MM_ENOENT;
    }
    struct mm_region *e = &ctx->table[idx];
    *e = mm_region_of(base, limit, flags);
    e->transient = transient ? 1 : 0;
    mm_write_protection_region(ctx, e, (unsigned)idx);
    ctx->last_region = idx;
    return 0;
}

/* A present request on a FOUND or INCLUSIVE region. is_mm_attr_match looks at RO and XN
 * first; only when both agree does AI decide. */
static int map_existing(struct mm_ctx *ctx, unsigned idx, int kind, unsigned flags)
{
    struct mm_region *e = &ctx->table[idx];
    if (mm_region_ro(e) != mm_flags_ro(flags) || mm_region_xn(e) != mm_flags_xn(flags)) {
        if (kind == MM_REGION_INCLUSIVE) {
            mm_hw_log(&ctx->hw, MM_MSG_PARTIAL_ATTR, 0, 0, 0, 0);
            return MM_EINVAL;
        }
        if (e->refcount != 0) {
            mm_hw_log(&ctx->hw, MM_MSG_MULTI_MAPPED_ATTR, 0, 0, 0, 0);
            return MM_EINVAL;
        }
        /* In-place modify of a whole region: only RO and XN change. Base, limit, AI and
         * refcount stay, even when the request's AI differs (xen-mpu.md §11.2). */
        if (mm_region_ai(e) != mm_flags_ai(flags))
            mm_hw_log(&ctx->hw, MM_FINDING_AI_DROPPED, idx, mm_flags_ai(flags), mm_region_ai(e),
                      0);
        e->prbar &= ~((1ull << MM_PRBAR_RO_LSB) | (1ull << MM_PRBAR_XN_LSB));
        e->prbar |= ((uint64_t)mm_flags_ro(flags) << MM_PRBAR_RO_LSB) |
                    ((uint64_t)mm_flags_xn(flags) << MM_PRBAR_XN_LSB);
        mm_write_protection_region(ctx, e, idx);
        return 0;
    }
    if (mm_region_ai(e) != mm_flags_ai(flags)) {
        mm_hw_log(&ctx->hw, MM_MSG_AI_CHANGE, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    /* Same RO, XN and AI: one more user, no hardware write. */
    if (e->refcount == MM_REFCOUNT_MAX) {
        mm_hw_log(&ctx->hw, MM_MSG_REFCOUNT_OVERFLOW, 0, 0, 0, 0);
        return MM_ENOENT;
    }
    e->refcount++;
    return 0;
}

int mm_update_entry(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags,
                    int transient)
{
    unsigned idx;
    int kind = mm_contains_region(ctx, base, limit, &idx);
    ctx->last_region = kind > 0 ? (int)idx : -1;
    if (kind == MM_REGION_OVERLAP) /* the lookup printed the overlap message */
        return MM_EINVAL;

    if (flags & MM_FLAG_PRESENT) {
        if (kind == MM_REGION_NOTFOUND)
            return create_region(ctx, base, limit, flags, transient);
        return map_existing(ctx, idx, kind, flags);
    }
    /* Remove: attributes are not looked at. */
    if (kind == MM_REGION_NOTFOUND) {
        mm_hw_log(&ctx->hw, MM_MSG_REMOVE_NOT_EXIST, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    return free_entry(ctx, idx, kind);
}

/* ---- entry points ---- */

int mm_xen_update(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    if (!mm_check_mapping(ctx, base, limit, flags))
        return MM_EINVAL; /* before the lock: no lookup, no barrier */
    int rc = mm_update_entry(ctx, base, limit, flags, 0);
    if (rc == 0)
        mm_context_sync(ctx);
    return rc;
}

int mm_xen_destroy_containing(struct mm_ctx *ctx, uint64_t addr)
{
    unsigned idx;
    int kind = mm_contains_region(ctx, addr, addr + MM_PAGE_SIZE, &idx);
    if (kind == MM_REGION_NOTFOUND) {
        mm_hw_log(&ctx->hw, MM_MSG_REMOVE_ENTRY_NOT_EXIST, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    if (kind == MM_REGION_OVERLAP) {
        /* Upstream goes on with index 0xFF, one past its table (xen-mpu.md §11.4); we stop here. */
        if (!ctx->opt.xen_fixed)
            mm_hw_log(&ctx->hw, MM_FINDING_CONTAINING_OVERLAP, addr, 0, 0, 0);
        return MM_EINVAL;
    }
    ctx->last_region = (int)idx;
    const struct mm_region *e = &ctx->table[idx];
    uint64_t rb = mm_region_base(e), rl = mm_region_last(e);
    int last_user = e->refcount == 0;
    /* Always claims FOUND: at refcount 0 the whole containing region goes (xen-mpu.md §9). */
    int rc = free_entry(ctx, idx, MM_REGION_FOUND);
    if (rc != 0)
        return rc;
    /* A finding when the page named is not where the region starts: an iounmap of a whole
     * ioremap (addr = region base) is the intended use and is not reported. */
    if (last_user && (addr & ~(uint64_t)(MM_PAGE_SIZE - 1)) != rb)
        mm_hw_log(&ctx->hw, MM_FINDING_WHOLE_REGION_UNMAP, addr, rb, rl + 1, idx);
    mm_context_sync(ctx);
    return 0;
}

int mm_xen_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                   uint64_t *ret)
{
    /* Post-9e8aa00f62: the end is rounded up from addr + size, and the pointer keeps addr's
     * offset inside its page. Unsigned arithmetic wraps as in Xen. */
    uint64_t start_pg = addr & ~MM_PAGE_MASK;
    uint64_t end_pg = (addr + size + MM_PAGE_MASK) & ~MM_PAGE_MASK;
    int rc = mm_xen_update(ctx, start_pg, end_pg, flags);
    *ret = rc == 0 ? addr : 0;
    return *ret != 0 ? 0 : MM_EINVAL; /* any NULL, including a mapping at address 0 */
}
