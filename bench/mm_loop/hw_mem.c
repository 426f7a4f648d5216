/* mm/hw.h for the realistic loop of bench/guest (build/bench/guests/mm-loop.elf): the same mm/
 * and guest/glue.c objects as build/guest/mm.elf, with the EL2 MPU registers kept in guest
 * memory instead of reached by MRS/MSR, so that the mapping code also runs on bare Unicorn
 * (which has no EL2 registers). The registers the xen algorithms use: PRSELR_EL2; PRBAR_EL2 /
 * PRLAR_EL2 (region PRSELR) and their aliases PRBAR<n> / PRLAR<n> (region (PRSELR & 0xF0) | n);
 * PRENR_EL2 (bit i: EN of region i); MPUIR_EL2 (16 regions); SCTLR_EL2. Others read 0 and
 * ignore writes. Barriers stay real instructions (mm/hw.h). */
#include "mm/hw.h"

#define MEMHW_REGIONS 16u
#define MEMHW_PRLAR_EN 1ull
#define MEMHW_GROUP_MASK 0xF0u

/* The register file; the host may read it (sim_mem_read) to compare runs. */
struct memhw {
    uint64_t prselr, sctlr;
    uint64_t en; /* bit i: PRLAR[i].EN, what PRENR_EL2 reads */
    uint64_t prbar[MEMHW_REGIONS], prlar[MEMHW_REGIONS];
};
struct memhw bench_memhw;

/* PRBAR/PRLAR (n = 0) and PRBAR<n>/PRLAR<n>: op0 3, op1 4, CRn 6, CRm 8..15, op2 0, 1, 4, 5. */
static uint64_t *region_reg(unsigned enc)
{
    unsigned crm = (enc >> 3) & 0xFu, op2 = enc & 7u;
    if ((enc >> 7) != ((3u << 7) | (4u << 4) | 6u) || crm < 8 || (op2 & 2u))
        return 0;
    unsigned n = ((crm - 8) << 1) | (op2 >> 2);
    unsigned sel = n ? (unsigned)(bench_memhw.prselr & MEMHW_GROUP_MASK) | n
                     : (unsigned)bench_memhw.prselr;
    if (sel >= MEMHW_REGIONS)
        return 0;
    return (op2 & 1u) ? &bench_memhw.prlar[sel] : &bench_memhw.prbar[sel];
}

uint64_t mm_hw_read(struct mm_hw *hw, unsigned enc)
{
    (void)hw;
    switch (enc) {
    case MM_MPUIR_EL2:
        return MEMHW_REGIONS;
    case MM_PRSELR_EL2:
        return bench_memhw.prselr;
    case MM_SCTLR_EL2:
        return bench_memhw.sctlr;
    case MM_PRENR_EL2:
        return bench_memhw.en;
    default: {
        const uint64_t *r = region_reg(enc);
        return r ? *r : 0;
    }
    }
}

void mm_hw_write(struct mm_hw *hw, unsigned enc, uint64_t value)
{
    (void)hw;
    switch (enc) {
    case MM_PRSELR_EL2:
        bench_memhw.prselr = value & 0xFFu;
        break;
    case MM_SCTLR_EL2:
        bench_memhw.sctlr = value;
        break;
    case MM_PRENR_EL2: /* the EN bits that change, one region at a time */
        for (uint64_t d = (bench_memhw.en ^ value) & ((1ull << MEMHW_REGIONS) - 1); d; d &= d - 1)
            bench_memhw.prlar[__builtin_ctzll(d)] ^= MEMHW_PRLAR_EN;
        bench_memhw.en = value & ((1ull << MEMHW_REGIONS) - 1);
        break;
    default: {
        uint64_t *r = region_reg(enc);
        if (!r)
            break;
        *r = value;
        if (r >= bench_memhw.prlar) { /* a PRLAR: its EN bit in PRENR */
            uint64_t bit = 1ull << (r - bench_memhw.prlar);
            bench_memhw.en = (value & MEMHW_PRLAR_EN) ? bench_memhw.en | bit : bench_memhw.en & ~bit;
        }
        break;
    }
    }
}
