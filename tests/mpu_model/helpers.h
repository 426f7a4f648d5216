#ifndef MPUSIM_TESTS_MPU_MODEL_HELPERS_H
#define MPUSIM_TESTS_MPU_MODEL_HELPERS_H
/* Shared by the mpu_model tests: fresh state and region programming by register writes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "mpu_model/mpu.h"

static inline struct mpu *mpu_for_test(unsigned regions)
{
    static _Thread_local struct mpu m; /* one per test process; reset by every call */
    struct mpu_config cfg = { .regions_el2 = regions, .regions_el1 = regions,
                              .fsc = MPU_FSC_TRANSLATION };
    cr_assert_eq(mpu_init(&m, &cfg), 0);
    return &m;
}

static inline int reg(const char *name)
{
    int id = mpu_reg_from_name(name);
    cr_assert_geq(id, 0, "no register %s", name);
    return id;
}

/* Program region r of the MPU of EL el through PRSELR + PRBAR/PRLAR: [base, last] inclusive,
 * ap = AP[2:1], xn = 0 or 2, enabled. */
static inline void set_region(struct mpu *m, unsigned el, unsigned r, uint64_t base,
                              uint64_t last, unsigned ap, unsigned xn)
{
    const char *sfx = el == 2 ? "_EL2" : "_EL1";
    char n[32];
    snprintf(n, sizeof n, "PRSELR%s", sfx);
    mpu_write(m, reg(n), r);
    snprintf(n, sizeof n, "PRBAR%s", sfx);
    mpu_write(m, reg(n), (base & ~0x3Full) | (3u << 4) | (ap << 2) | xn);
    snprintf(n, sizeof n, "PRLAR%s", sfx);
    mpu_write(m, reg(n), (last & ~0x3Full) | (7u << 1) | 1u);
}

static inline void enable_mpu(struct mpu *m, unsigned el, int br, int wxn)
{
    uint64_t v = 1u | ((uint64_t)br << 17) | ((uint64_t)wxn << 19);
    mpu_write(m, reg(el == 2 ? "SCTLR_EL2" : "SCTLR_EL1"), v);
}
#endif
