/* Programming one EL2 MPU region: write_protection_region with prepare_selector (xen-mpu.md §6.4), and
 * disable_mpu_region_from_index (xen-mpu.md §6.3) with upstream's PRENR test and the intended one. */
#include "mm/internal.h"

#define PRSELR_GROUP_MASK 0xF0u /* PRBAR<n>/PRLAR<n> reach region (PRSELR & 0xF0) | n */
#define PRSELR_SLOT_MASK 0x0Fu

/* prepare_selector: make PRSELR_EL2 select the 16-region group of sel, writing (and
 * synchronising with an ISB) only when it does not already; returns the alias number n. */
static unsigned prepare_selector(struct mm_ctx *ctx, unsigned sel)
{
    uint64_t group = sel & PRSELR_GROUP_MASK;
    if (mm_hw_read(&ctx->hw, MM_PRSELR_EL2) != group) {
        mm_hw_write(&ctx->hw, MM_PRSELR_EL2, group);
        mm_hw_barrier(&ctx->hw, MM_ISB);
    }
    return sel & PRSELR_SLOT_MASK;
}

void mm_write_protection_region(struct mm_ctx *ctx, const struct mm_region *pr, unsigned sel)
{
    unsigned n = prepare_selector(ctx, sel);
    /* n = 0 is the plain PRBAR_EL2 / PRLAR_EL2 (MM_PRBAR_EL2(0) is that encoding). */
    mm_hw_write(&ctx->hw, MM_PRBAR_EL2(n), pr->prbar & ~MM_PR_RES0_MASK);
    mm_hw_write(&ctx->hw, MM_PRLAR_EL2(n), pr->prlar & ~MM_PR_RES0_MASK);
}

void mm_context_sync(struct mm_ctx *ctx)
{
    mm_hw_barrier(&ctx->hw, MM_DSB_SY);
    mm_hw_barrier(&ctx->hw, MM_ISB);
}

/* Read-modify-write of PRENR_EL2 clearing bit (idx mod 64), as the AArch64 LSL computes
 * 1 << idx. Bits 32..63 are RES0, so for those nothing changes in hardware. */
static void prenr_clear(struct mm_ctx *ctx, unsigned idx)
{
    unsigned bit = idx & MM_LSL_AMOUNT_MASK; /* explicit: never a C shift of 64 or more */
    uint64_t prenr = mm_hw_read(&ctx->hw, MM_PRENR_EL2);
    mm_hw_write(&ctx->hw, MM_PRENR_EL2, prenr & ~(1ull << bit));
}

/* Write the zeroed entry: PRBAR = 0, PRLAR = 0 (EN clear). */
static void write_zeroed(struct mm_ctx *ctx, unsigned idx)
{
    struct mm_region zero;
    mm_region_clear(&zero);
    mm_write_protection_region(ctx, &zero, idx);
}

void mm_disable_region(struct mm_ctx *ctx, unsigned idx)
{
    struct mm_region *r = &ctx->table[idx];
    if (!mm_region_valid(r)) {
        mm_hw_log(&ctx->hw, MM_MSG_ALREADY_DISABLED, idx, 0, 0, 0);
        return;
    }
    mm_region_clear(r); /* the whole entry, refcount included */
    mm_bitmap_clear(ctx, idx);

    if (ctx->opt.xen_fixed) {
        /* Intended: PRENR only for the regions it has bits for. */
        if (idx < MM_PRENR_BITS)
            prenr_clear(ctx, idx);
        else
            write_zeroed(ctx, idx);
        return;
    }
    /* Upstream: (idx & GENMASK(31, 0)) != 0, true for every index but 0 (xen-mpu.md §11.1). */
    if (idx != 0) {
        prenr_clear(ctx, idx);
        if (idx >= 2 * MM_PRENR_BITS)
            mm_hw_log(&ctx->hw, MM_FINDING_PRENR_WRAPPED, idx, idx & MM_LSL_AMOUNT_MASK, 0, 0);
        else if (idx >= MM_PRENR_BITS)
            mm_hw_log(&ctx->hw, MM_FINDING_PRENR_NOT_DISABLED, idx, 0, 0, 0);
    } else {
        write_zeroed(ctx, idx);
    }
}
