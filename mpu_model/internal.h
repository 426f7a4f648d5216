#ifndef MPUSIM_MPU_MODEL_INTERNAL_H
#define MPUSIM_MPU_MODEL_INTERNAL_H
/* Helpers shared inside mpu_model/. */
#include "mpu_model/mpu.h"

/* Extract bits [lsb + bits - 1 : lsb] of v. */
static inline uint64_t field64(uint64_t v, unsigned lsb, unsigned bits)
{
    return (v >> lsb) & ((bits >= 64) ? ~0ull : ((1ull << bits) - 1));
}

static inline int bit64(uint64_t v, unsigned b) { return (int)((v >> b) & 1u); }

/* Region bounds exactly as the spec computes them (armv8r-mpu.md §2.1). */
static inline uint64_t prbar_base(uint64_t prbar)
{
    return field64(prbar, PRBAR_BASE_LSB, PRBAR_BASE_BITS) << PRBAR_BASE_LSB;
}
static inline uint64_t prlar_last(uint64_t prlar)
{
    return (field64(prlar, PRLAR_LIMIT_LSB, PRLAR_LIMIT_BITS) << PRLAR_LIMIT_LSB) | 0x3Full;
}
static inline int prlar_en(uint64_t prlar) { return bit64(prlar, PRLAR_EN_LSB); }

static inline struct mpu_unit *unit_of(struct mpu *m, unsigned el)
{
    return el == 2 ? &m->el2 : &m->el1;
}

/* A unit with every region disabled: the index is built on the first lookup (lookup.c). */
void mpu_index_reset(struct mpu_unit *u);
/* Region r's registers changed: bring the lookup index up to date (lookup.c). */
void mpu_region_changed(struct mpu_unit *u, unsigned r);

/* Region decision of one MPU for one address: -1 no enabled region, -2 several, else index. */
int mpu_lookup_fast(struct mpu_unit *u, uint64_t addr, uint64_t *interval_last);
int mpu_lookup_linear(const struct mpu_unit *u, uint64_t addr, int *first, int *second);
/* Rebuild u->index from the region registers. */
void mpu_index_build(struct mpu_unit *u);

/* Syndrome (syndrome.c) */
uint8_t mpu_fsc_for(const struct mpu_config *cfg, enum mpu_fault f);
uint64_t mpu_esr_for(enum mpu_acc acc, unsigned from_el, unsigned target_el, uint8_t fsc);

#endif
