/* What head.S does before C runs (xen-mpu.md §8.1): enable_boot_cpu_mm programs the boot regions and the
 * remaining entries as disabled ones, fills the shadow table and bitmap, then enable_mpu. */
#include "mm/internal.h"

#define MPUIR_REGION_MASK 0xFFu /* MPUIR_EL2.REGION [7:0] */

/* The prepare_xen_region macro for one selector: PRSELR_EL2 = sel, ISB, PRBAR_EL2, PRLAR_EL2,
 * DSB SY, ISB; then the shadow entry (bytes 16..31 zeroed) and the bitmap bit per EN. */
static void prepare_region(struct mm_ctx *ctx, unsigned sel, uint64_t prbar, uint64_t prlar)
{
    mm_hw_write(&ctx->hw, MM_PRSELR_EL2, sel);
    mm_hw_barrier(&ctx->hw, MM_ISB);
    mm_hw_write(&ctx->hw, MM_PRBAR_EL2(0), prbar);
    mm_hw_write(&ctx->hw, MM_PRLAR_EL2(0), prlar);
    mm_hw_barrier(&ctx->hw, MM_DSB_SY);
    mm_hw_barrier(&ctx->hw, MM_ISB);

    struct mm_region *e = &ctx->table[sel];
    e->prbar = prbar;
    e->prlar = prlar;
    e->refcount = 0;
    e->transient = 0;
    if (mm_region_valid(e))
        mm_bitmap_set(ctx, sel);
    else
        mm_bitmap_clear(ctx, sel);
}

/* enable_mpu: background region off, MPU on, data cache on, WXN on. */
static void enable_mpu(struct mm_ctx *ctx)
{
    uint64_t sctlr = mm_hw_read(&ctx->hw, MM_SCTLR_EL2);
    sctlr &= ~(1ull << MM_SCTLR_BR_LSB);
    sctlr |= (1ull << MM_SCTLR_M_LSB) | (1ull << MM_SCTLR_C_LSB) | (1ull << MM_SCTLR_WXN_LSB);
    mm_hw_write(&ctx->hw, MM_SCTLR_EL2, sctlr);
    mm_hw_barrier(&ctx->hw, MM_ISB);
}

int mm_boot(struct mm_ctx *ctx, const struct mm_boot_region *r, unsigned n)
{
    ctx->last_region = -1;
    ctx->max_regions = (unsigned)(mm_hw_read(&ctx->hw, MM_MPUIR_EL2) & MPUIR_REGION_MASK);
    const unsigned max = mm_nr_regions(ctx);

    unsigned sel = 0;
    for (unsigned k = 0; k < n; k++) {
        if (r[k].base == r[k].limit) /* empty section: no index consumed */
            continue;
        if (sel >= max) { /* head.S prints this and hangs in a WFE loop */
            mm_hw_log(&ctx->hw, MM_MSG_BOOT_TOO_MANY, sel, max, 0, 0);
            return MM_EINVAL;
        }
        /* Same encoding as pr_of_addr: BASE = base & ~0x3F, LIMIT = (limit - 1) & ~0x3F. A
         * boot region without PRESENT is programmed with EN = 0 (the macro's disabled PRLAR
         * attributes) and still uses its index. */
        struct mm_region v = mm_region_of(r[k].base, r[k].limit, r[k].flags);
        if (!(r[k].flags & MM_FLAG_PRESENT))
            v.prlar &= ~(1ull << MM_PRLAR_EN_LSB);
        prepare_region(ctx, sel, v.prbar, v.prlar);
        sel++;
    }
    /* The rest up to max - 1: base 0, limit 1, data attributes, disabled. This is why boot
     * leaves PRSELR_EL2 = max - 1 (xen-mpu.md §6.4). */
    for (; sel < max; sel++)
        prepare_region(ctx, sel, MM_BOOT_DISABLED_PRBAR, MM_BOOT_DISABLED_PRLAR);

    enable_mpu(ctx);
    return 0;
}

void mm_attach(struct mm_ctx *ctx)
{
    ctx->max_regions = (unsigned)(mm_hw_read(&ctx->hw, MM_MPUIR_EL2) & 0xFFu);
    if (ctx->max_regions > MM_MAX_REGIONS)
        ctx->max_regions = MM_MAX_REGIONS;
}

#ifndef MM_GUEST /* host only (lockstep with a user's image): mm.elf stays as it was */
void mm_adopt(struct mm_ctx *ctx)
{
    ctx->last_region = -1;
    mm_attach(ctx);
    const unsigned max = mm_nr_regions(ctx);
    uint64_t sel0 = mm_hw_read(&ctx->hw, MM_PRSELR_EL2);
    for (unsigned i = 0; i < max; i++) { /* read_protection_region for every index */
        mm_hw_write(&ctx->hw, MM_PRSELR_EL2, i);
        mm_hw_barrier(&ctx->hw, MM_ISB);
        struct mm_region *e = &ctx->table[i];
        e->prbar = mm_hw_read(&ctx->hw, MM_PRBAR_EL2(0));
        e->prlar = mm_hw_read(&ctx->hw, MM_PRLAR_EL2(0));
        e->refcount = 0;
        e->transient = 0;
        if (mm_region_valid(e))
            mm_bitmap_set(ctx, i);
        else
            mm_bitmap_clear(ctx, i);
    }
    mm_hw_write(&ctx->hw, MM_PRSELR_EL2, sel0);
    mm_hw_barrier(&ctx->hw, MM_ISB);
}
#endif
