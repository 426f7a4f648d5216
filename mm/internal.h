#ifndef MPUSIM_MM_INTERNAL_H
#define MPUSIM_MM_INTERNAL_H
/*
 * Helpers shared inside mm/. Section numbers (xen-mpu.md §n) refer to
 * docs/xen-mpu.md. Freestanding: no libc.
 *
 * Register layouts as the shadow table stores them (arm64 pr_t, xen-mpu.md §3.2):
 *
 *   PRBAR_EL2  63      48 47                     6 5  4 3  2  1    0
 *             +----------+------------------------+----+----+----+----+
 *             |   RES0   |     BASE[47:6]         | SH | AP[2:1] | XN |
 *             +----------+------------------------+----+----+----+----+
 *                                                       bit 3 = AP[2] = read-only ("ro")
 *                                                       bit 2 = AP[1] (0 for Xen's regions)
 *                                                       bit 1 = XN[1] ("xn"), bit 0 = XN[0] (0)
 *
 *   PRLAR_EL2  63      48 47                     6 5  4  3      1  0
 *             +----------+------------------------+---+----+--------+----+
 *             |   RES0   |     LIMIT[47:6]        | 0 | NS |AttrIndx| EN |
 *             +----------+------------------------+---+----+--------+----+
 *                                                  LIMIT is inclusive: last byte = LIMIT | 0x3F
 */
#include <stddef.h>
#include <stdint.h>

#include "mm/mm.h"

#define MM_PR_ADDR_MASK 0x0000FFFFFFFFFFC0ull /* BASE / LIMIT bits [47:6]; RES0 [63:48] off */
#define MM_PR_RES0_MASK 0xFFFF000000000000ull /* MPU_REGION_RES0 (xen-mpu.md §3.1) */
#define MM_PR_GRANULE_MASK 0x3Full            /* 64-byte hardware granule */

#define MM_PRBAR_XN_LSB 1 /* XN[1]: execute-never */
#define MM_PRBAR_RO_LSB 3 /* AP[2]: read-only */
#define MM_PRBAR_SH_LSB 4 /* SH[1:0] */
#define MM_PRBAR_SH_OUTER 0x2u /* 0b10: outer shareable */
#define MM_PRBAR_SH_INNER 0x3u /* 0b11: inner shareable */

#define MM_PRLAR_EN_LSB 0       /* EN: region enabled */
#define MM_PRLAR_ATTRINDX_LSB 1 /* AttrIndx[2:0] */
#define MM_PRLAR_ATTRINDX_WIDTH 3

/* Memory-type indices whose regions are outer shareable (xen-mpu.md §4.4). */
#define MM_MT_DEVICE_nGnRnE 0u
#define MM_MT_NORMAL_NC 1u
#define MM_MT_DEVICE_nGnRE 4u

#define MM_PAGE_MASK ((uint64_t)MM_PAGE_SIZE - 1)

/* Boot: the values head.S writes for the entries it leaves disabled (xen-mpu.md §8.1). */
#define MM_BOOT_DISABLED_PRBAR 0x32ull /* REGION_DATA_PRBAR with base 0 */
#define MM_BOOT_DISABLED_PRLAR 0x0ull  /* REGION_DISABLED_PRLAR */

/* SCTLR_EL2 bits enable_mpu touches (xen-mpu.md §8.1 step 4). */
#define MM_SCTLR_M_LSB 0    /* MPU enable */
#define MM_SCTLR_C_LSB 2    /* data cache enable */
#define MM_SCTLR_BR_LSB 17  /* background region */
#define MM_SCTLR_WXN_LSB 19 /* write implies execute-never */

/* PRENR_EL2 holds the EN bits of regions 0..31 only; bits 63:32 are RES0 (xen-mpu.md §11.1). */
#define MM_PRENR_BITS 32u
/* AArch64 LSL (register) shifts by the amount modulo the register width. */
#define MM_LSL_AMOUNT_MASK 63u

/* ---- field access (region.c) ---- */

static inline unsigned mm_field(uint64_t v, unsigned lsb, unsigned width)
{
    return (unsigned)((v >> lsb) & ((1ull << width) - 1u));
}
static inline unsigned mm_region_ro(const struct mm_region *r)
{
    return mm_field(r->prbar, MM_PRBAR_RO_LSB, 1);
}
static inline unsigned mm_region_xn(const struct mm_region *r)
{
    return mm_field(r->prbar, MM_PRBAR_XN_LSB, 1);
}
static inline unsigned mm_region_ai(const struct mm_region *r)
{
    return mm_field(r->prlar, MM_PRLAR_ATTRINDX_LSB, MM_PRLAR_ATTRINDX_WIDTH);
}
/* Flags-word fields (xen-mpu.md §4.1): PAGE_RO_MASK, PAGE_XN_MASK, PAGE_AI_MASK. */
static inline unsigned mm_flags_ro(unsigned flags) { return (flags & MM_FLAG_RO) ? 1u : 0u; }
static inline unsigned mm_flags_xn(unsigned flags) { return (flags & MM_FLAG_XN) ? 1u : 0u; }
static inline unsigned mm_flags_ai(unsigned flags) { return flags & MM_FLAG_AI_MASK; }

/* Zero one shadow entry field by field (a struct assignment may become a memset call). */
static inline void mm_region_clear(struct mm_region *r)
{
    r->prbar = 0;
    r->prlar = 0;
    r->refcount = 0;
    r->transient = 0;
}

/* ---- the in-use bitmap, xen_mpumap_mask (region.c) ---- */

void mm_bitmap_set(struct mm_ctx *ctx, unsigned idx);
void mm_bitmap_clear(struct mm_ctx *ctx, unsigned idx);
int mm_bitmap_test(const struct mm_ctx *ctx, unsigned idx);
/* Lowest clear bit in [0, max_regions), set it; returns the index or -1 when all are in use.
 * Adds the 64-bit bitmap words examined to ctx->scanned. */
int mm_bitmap_alloc(struct mm_ctx *ctx);
/* max_regions clamped to the table size. */
static inline unsigned mm_nr_regions(const struct mm_ctx *ctx)
{
    return ctx->max_regions < MM_MAX_REGIONS ? ctx->max_regions : MM_MAX_REGIONS;
}

/* ---- hardware (hw_regions.c) ---- */

/* write_protection_region (xen-mpu.md §6.4): select the 16-region group through PRSELR_EL2 if needed,
 * then write PRBAR<n>_EL2 and PRLAR<n>_EL2. No barrier: the caller syncs. */
void mm_write_protection_region(struct mm_ctx *ctx, const struct mm_region *pr, unsigned sel);
/* disable_mpu_region_from_index (xen-mpu.md §6.3): zero entry idx, clear its bitmap bit, disable it in
 * hardware (PRENR fast path or a zeroed region write; faithful or --xen-fixed test). */
void mm_disable_region(struct mm_ctx *ctx, unsigned idx);
/* context_sync_mpu: DSB SY then ISB. */
void mm_context_sync(struct mm_ctx *ctx);

/* ---- the shared algorithm core (xen.c) ---- */

/* check_mpu_mapping (xen-mpu.md §6.1): the three argument checks, each logging its message.
 * Returns 1 if the arguments are acceptable, 0 if not. */
int mm_check_mapping(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags);
/* xen_mpumap_update_entry (xen-mpu.md §6.2) with the proposal's transient flag for created regions
 * (xen-mpu.md §10.1). Sets ctx->last_region. Returns 0, MM_EINVAL or MM_ENOENT; no barrier. */
int mm_update_entry(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags,
                    int transient);

/* ---- the variants ---- */

int mm_xen_update(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags);
int mm_xen_destroy_containing(struct mm_ctx *ctx, uint64_t addr);
int mm_xen_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                   uint64_t *ret);

/* zephyr: forget every thread and domain (the default domain exists). */
void mm_z_init(struct mm_ctx *ctx);
/* bao: no CPU booted, no VM, no message queued. */
void mm_bao_init(struct mm_ctx *ctx);

int mm_transient_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags);
int mm_transient_unmap(struct mm_ctx *ctx, uint64_t addr);
int mm_transient_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                         uint64_t *ret);

#endif
