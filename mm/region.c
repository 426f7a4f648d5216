/* The shadow table as data: building a region value (pr_of_addr, xen-mpu.md §4.4), classifying a range
 * against the table (mpumap_contains_region, xen-mpu.md §5), and the in-use bitmap (xen_mpumap_mask). */
#include "mm/internal.h"

/* Shareability Xen picks for a memory type: outer for Normal non-cacheable and the two Device
 * types it uses, inner for everything else (xen-mpu.md §4.4). */
static unsigned shareability_of(unsigned ai)
{
    switch (ai) {
    case MM_MT_DEVICE_nGnRnE: /* Device-nGnRnE */
    case MM_MT_NORMAL_NC:     /* Normal non-cacheable */
    case MM_MT_DEVICE_nGnRE:  /* Device-nGnRE */
        return MM_PRBAR_SH_OUTER;
    default: /* Normal write-through / write-back, and the unused indices 5 and 6 */
        return MM_PRBAR_SH_INNER;
    }
}

struct mm_region mm_region_of(uint64_t base, uint64_t limit, unsigned flags)
{
    unsigned ai = mm_flags_ai(flags);
    struct mm_region r;
    /* The low 6 bits of base and of (limit - 1) are silently dropped by the field width. */
    r.prbar = (base & MM_PR_ADDR_MASK) | ((uint64_t)shareability_of(ai) << MM_PRBAR_SH_LSB) |
              ((uint64_t)mm_flags_ro(flags) << MM_PRBAR_RO_LSB) |
              ((uint64_t)mm_flags_xn(flags) << MM_PRBAR_XN_LSB);
    r.prlar = ((limit - 1) & MM_PR_ADDR_MASK) | ((uint64_t)ai << MM_PRLAR_ATTRINDX_LSB) |
              (1ull << MM_PRLAR_EN_LSB); /* NS = 0: Secure */
    r.refcount = 0;
    r.transient = 0;
    return r;
}

int mm_contains_region(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned *idx)
{
    const uint64_t last = limit - 1; /* inclusive; callers guarantee base < limit */
    const unsigned n = mm_nr_regions(ctx);
    *idx = MM_INVALID_IDX;
    /* Ascending index order: the first enabled entry that intersects the range decides. */
    for (unsigned i = 0; i < n; i++) {
        const struct mm_region *r = &ctx->table[i];
        if (!mm_region_valid(r)) /* only the software copy's EN bit is consulted */
            continue;
        uint64_t rb = mm_region_base(r), rl = mm_region_last(r);
        if (rl < base || rb > last) /* no intersection */
            continue;
        ctx->scanned += i + 1;
        if (rb == base && rl == last) {
            *idx = i;
            return MM_REGION_FOUND;
        }
        if (base >= rb && last <= rl) { /* the request lies inside the region */
            *idx = i;
            return MM_REGION_INCLUSIVE;
        }
        /* Straddles a boundary or is a superset; both limits printed exclusive. */
        mm_hw_log(&ctx->hw, MM_MSG_OVERLAP, base, limit, rb, rl + 1);
        return MM_REGION_OVERLAP;
    }
    ctx->scanned += n;
    return MM_REGION_NOTFOUND;
}

/* ---- bitmap ---- */

#define WORD_BITS 64u

void mm_bitmap_set(struct mm_ctx *ctx, unsigned idx)
{
    uint64_t bit = 1ull << (idx % WORD_BITS);
    if (!(ctx->mask[idx / WORD_BITS] & bit)) {
        ctx->mask[idx / WORD_BITS] |= bit;
        ctx->used++;
    }
}

void mm_bitmap_clear(struct mm_ctx *ctx, unsigned idx)
{
    uint64_t bit = 1ull << (idx % WORD_BITS);
    if (ctx->mask[idx / WORD_BITS] & bit) {
        ctx->mask[idx / WORD_BITS] &= ~bit;
        ctx->used--;
    }
}

int mm_bitmap_test(const struct mm_ctx *ctx, unsigned idx)
{
    return (int)((ctx->mask[idx / WORD_BITS] >> (idx % WORD_BITS)) & 1u);
}

int mm_bitmap_alloc(struct mm_ctx *ctx)
{
    const unsigned n = mm_nr_regions(ctx);
    /* find_next_zero_bit over [0, n), one 64-bit word at a time */
    for (unsigned w = 0; w * WORD_BITS < n; w++) {
        ctx->scanned++;
        uint64_t free_bits = ~ctx->mask[w];
        unsigned in_word = n - w * WORD_BITS; /* valid bits in this word */
        if (in_word < WORD_BITS)
            free_bits &= (1ull << in_word) - 1u;
        if (free_bits) {
            unsigned idx = w * WORD_BITS + (unsigned)__builtin_ctzll(free_bits);
            mm_bitmap_set(ctx, idx);
            return (int)idx;
        }
    }
    return -1;
}
