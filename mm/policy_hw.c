/* Register writes the policies need beyond write_protection_region (xen-mpu.md §6.4): disabling a region
 * in the intended form of xen-mpu.md §6.3, and changing only a region's EN bit. */
#include "mm/policy.h"

#define PRSELR_GROUP_MASK 0xF0u /* PRBAR<n>/PRLAR<n> reach region (PRSELR & 0xF0) | n */
#define PRSELR_SLOT_MASK 0x0Fu

/* PRENR_EL2 read-modify-write of bit idx (idx < 32: the register has no other bits). */
static void prenr_update(struct mm_ctx *ctx, unsigned idx, int en)
{
    uint64_t prenr = mm_hw_read(&ctx->hw, MM_PRENR_EL2);
    if (en)
        prenr |= 1ull << idx;
    else
        prenr &= ~(1ull << idx);
    mm_hw_write(&ctx->hw, MM_PRENR_EL2, prenr);
}

/* Select idx's 16-region group as prepare_selector does (write and ISB only on a change);
 * returns the alias number n. */
static unsigned select_group(struct mm_ctx *ctx, unsigned idx)
{
    uint64_t group = idx & PRSELR_GROUP_MASK;
    if (mm_hw_read(&ctx->hw, MM_PRSELR_EL2) != group) {
        mm_hw_write(&ctx->hw, MM_PRSELR_EL2, group);
        mm_hw_barrier(&ctx->hw, MM_ISB);
    }
    return idx & PRSELR_SLOT_MASK;
}

void mm_policy_set_en(struct mm_ctx *ctx, unsigned idx, uint64_t prlar, int en)
{
    if (idx < MM_PRENR_BITS) {
        prenr_update(ctx, idx, en);
        return;
    }
    uint64_t v = prlar & ~MM_PR_RES0_MASK & ~(1ull << MM_PRLAR_EN_LSB);
    if (en)
        v |= 1ull << MM_PRLAR_EN_LSB;
    mm_hw_write(&ctx->hw, MM_PRLAR_EL2(select_group(ctx, idx)), v);
}

void mm_policy_disable(struct mm_ctx *ctx, unsigned idx)
{
    mm_region_clear(&ctx->table[idx]);
    mm_bitmap_clear(ctx, idx);
    if (idx < MM_PRENR_BITS) {
        prenr_update(ctx, idx, 0);
    } else {
        struct mm_region zero;
        mm_region_clear(&zero);
        mm_write_protection_region(ctx, &zero, idx);
    }
}
