/* Access-check rules, one by one: hit test, overlap, background, AP x kind x EL, XN, WXN,
 * spanning accesses, stage 2, region counts, syndromes; and fast lookup == linear scan. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "mpu_model/mpu.h"
#include "tests/mpu_model/helpers.h"

#define EL2 2
#define RD MPU_ACC_READ
#define WR MPU_ACC_WRITE
#define EX MPU_ACC_EXEC

Test(check, region_limit_is_inclusive_at_the_64_byte_granule_edge)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, 2, 0, 0x1000, 0x1FC0, 0, 0); /* LIMIT field 0x1FC0 -> last byte 0x1FFF */
    enable_mpu(m, 2, 0, 0);
    cr_expect_eq(mpu_check(m, 0x1FFF, 1, RD, EL2).fault, MPU_FAULT_NONE);
    cr_expect_eq(mpu_check(m, 0x2000, 1, RD, EL2).fault, MPU_FAULT_NO_REGION);
    cr_expect_eq(mpu_check(m, 0x1000, 1, RD, EL2).fault, MPU_FAULT_NONE);
    cr_expect_eq(mpu_check(m, 0x0FFF, 1, RD, EL2).fault, MPU_FAULT_NO_REGION);
    /* base low bits are not part of BASE: the region starts at the granule */
    set_region(m, 2, 1, 0x3020, 0x3040, 0, 0);
    cr_expect_eq(mpu_check(m, 0x3000, 1, RD, EL2).region, 1);
    cr_expect_eq(mpu_check(m, 0x307F, 1, RD, EL2).region, 1);
    cr_expect_eq(mpu_check(m, 0x3080, 1, RD, EL2).fault, MPU_FAULT_NO_REGION);
}

Test(check, overlapping_enabled_regions_fault_whatever_their_permissions)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, 2, 3, 0x0, 0xFFFF, 0, 0);
    set_region(m, 2, 9, 0x8000, 0x8FFF, 0, 0);
    enable_mpu(m, 2, 1, 0); /* BR does not help either */
    struct mpu_result r = mpu_check(m, 0x8100, 4, RD, EL2);
    cr_expect_eq(r.fault, MPU_FAULT_MULTIPLE_REGIONS);
    cr_expect_eq(r.region, 3);
    cr_expect_eq(r.region2, 9);
    cr_expect_eq(mpu_check(m, 0x7FFC, 4, RD, EL2).fault, MPU_FAULT_NONE);
    /* a disabled region does not count */
    mpu_write(m, reg("PRENR_EL2"), 1u << 3);
    cr_expect_eq(mpu_check(m, 0x8100, 4, RD, EL2).fault, MPU_FAULT_NONE);
}

Test(check, region_with_limit_below_base_matches_nothing)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, 2, 0, 0x2000, 0x1000, 0, 0);
    enable_mpu(m, 2, 0, 0);
    cr_expect_eq(mpu_check(m, 0x1800, 1, RD, EL2).fault, MPU_FAULT_NO_REGION);
}

/* No hit: background map only for a privileged access at the MPU's own EL with BR=1. */
struct bg_case {
    unsigned el;     /* access EL */
    int br;          /* SCTLR.BR of the deciding MPU */
    enum mpu_fault expect;
};
static struct bg_case bg[] = {
    { 2, 0, MPU_FAULT_NO_REGION }, { 2, 1, MPU_FAULT_NONE },
    { 1, 0, MPU_FAULT_NO_REGION }, { 1, 1, MPU_FAULT_NONE },
    { 0, 0, MPU_FAULT_NO_REGION }, { 0, 1, MPU_FAULT_NO_REGION },
};
ParameterizedTestParameters(check, no_hit_uses_background_only_when_br_and_privileged)
{
    return cr_make_param_array(struct bg_case, bg, sizeof bg / sizeof bg[0]);
}
ParameterizedTest(struct bg_case *c, check, no_hit_uses_background_only_when_br_and_privileged)
{
    struct mpu *m = mpu_for_test(16);
    unsigned mpu_el = c->el == 2 ? 2 : 1;
    set_region(m, mpu_el, 0, 0x100000, 0x100FFF, 1, 0);
    enable_mpu(m, mpu_el, c->br, 0);
    struct mpu_result r = mpu_check(m, 0x4000, 4, RD, c->el);
    cr_expect_eq(r.fault, c->expect, "el %u br %d", c->el, c->br);
    if (c->expect == MPU_FAULT_NONE)
        cr_expect_eq(r.region, -1, "background map decides");
}

Test(check, background_never_applies_to_stage_2)
{
    struct mpu *m = mpu_for_test(16);
    enable_mpu(m, 2, 1, 0);                 /* EL2 BR = 1 */
    mpu_write(m, reg("HCR_EL2"), 1);        /* VM: EL2 MPU is stage 2 */
    struct mpu_result r = mpu_check(m, 0x4000, 4, RD, 1); /* EL1 MPU off: stage 1 default */
    cr_expect_eq(r.fault, MPU_FAULT_NO_REGION);
    cr_expect_eq(r.stage, 2);
    cr_expect_eq(r.target_el, 2);
    cr_expect_eq(r.esr >> 26, 0x24, "data abort from a lower EL");
}

Test(check, mpu_off_uses_the_default_map)
{
    struct mpu *m = mpu_for_test(16);
    cr_expect_eq(mpu_check(m, 0x1000, 4, EX, EL2).fault, MPU_FAULT_NONE);
    cr_expect_eq(mpu_check(m, 0x90000000, 4, WR, EL2).fault, MPU_FAULT_NONE);
    cr_expect_eq(mpu_check(m, 0x90000000, 4, EX, EL2).fault, MPU_FAULT_PERMISSION,
                 "default map: device range is XN");
}

/* AP[2:1] x access kind x EL (armv8r-mpu.md §2.4); XN clear, WXN off. */
struct ap_case {
    unsigned mpu_el; /* 1: EL1 MPU (stage 1); 2: EL2 MPU */
    unsigned ap;
    unsigned el;
    int stage2;      /* access from EL1/EL0 checked by the EL2 MPU at stage 2 */
    int r, w, x;     /* expected allowed */
};
static struct ap_case aps[] = {
    /* EL2 MPU, EL2 accesses */
    { 2, 0, 2, 0, 1, 1, 1 }, { 2, 1, 2, 0, 1, 1, 1 }, { 2, 2, 2, 0, 1, 0, 1 }, { 2, 3, 2, 0, 1, 0, 1 },
    /* EL1 MPU, EL1 accesses */
    { 1, 0, 1, 0, 1, 1, 1 }, { 1, 1, 1, 0, 1, 1, 1 }, { 1, 2, 1, 0, 1, 0, 1 }, { 1, 3, 1, 0, 1, 0, 1 },
    /* EL1 MPU, EL0 accesses */
    { 1, 0, 0, 0, 0, 0, 0 }, { 1, 1, 0, 0, 1, 1, 1 }, { 1, 2, 0, 0, 0, 0, 0 }, { 1, 3, 0, 0, 1, 0, 1 },
    /* EL2 MPU as stage 2 for EL1 and EL0: AP[1] must be 1 */
    { 2, 0, 1, 1, 0, 0, 0 }, { 2, 1, 1, 1, 1, 1, 1 }, { 2, 2, 1, 1, 0, 0, 0 }, { 2, 3, 1, 1, 1, 0, 1 },
    { 2, 0, 0, 1, 0, 0, 0 }, { 2, 1, 0, 1, 1, 1, 1 }, { 2, 2, 0, 1, 0, 0, 0 }, { 2, 3, 0, 1, 1, 0, 1 },
};
ParameterizedTestParameters(check, ap_by_kind_by_el_follows_the_table)
{
    return cr_make_param_array(struct ap_case, aps, sizeof aps / sizeof aps[0]);
}
ParameterizedTest(struct ap_case *c, check, ap_by_kind_by_el_follows_the_table)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, c->mpu_el, 4, 0x10000, 0x1FFFF, c->ap, 0);
    if (c->stage2)
        mpu_write(m, reg("HCR_EL2"), 1); /* VM; EL1 MPU stays off (default map, RWX) */
    else
        enable_mpu(m, c->mpu_el, 0, 0);
    int exp[3] = { c->r, c->w, c->x };
    enum mpu_acc k[3] = { RD, WR, EX };
    for (int i = 0; i < 3; i++) {
        struct mpu_result r = mpu_check(m, 0x10040, 4, k[i], c->el);
        cr_expect_eq(r.fault == MPU_FAULT_NONE, exp[i], "mpu EL%u AP=%u EL%u stage2=%d kind %d",
                     c->mpu_el, c->ap, c->el, c->stage2, i);
        if (!exp[i]) {
            cr_expect_eq(r.fault, MPU_FAULT_PERMISSION);
            cr_expect_eq(r.region, 4);
        }
    }
}

Test(check, xn_forbids_execution_only)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, 2, 0, 0x0, 0xFFFF, 2, 2); /* RO, XN */
    enable_mpu(m, 2, 0, 0);
    cr_expect_eq(mpu_check(m, 0x100, 4, EX, EL2).fault, MPU_FAULT_PERMISSION);
    cr_expect_eq(mpu_check(m, 0x100, 4, RD, EL2).fault, MPU_FAULT_NONE);
}

Test(check, wxn_makes_writable_regions_execute_never)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, 2, 0, 0x0, 0xFFFF, 0, 0);      /* RW, executable */
    set_region(m, 2, 1, 0x10000, 0x1FFFF, 2, 0); /* RO, executable */
    enable_mpu(m, 2, 0, 0);
    cr_expect_eq(mpu_check(m, 0x100, 4, EX, EL2).fault, MPU_FAULT_NONE);
    enable_mpu(m, 2, 0, 1);
    cr_expect_eq(mpu_check(m, 0x100, 4, EX, EL2).fault, MPU_FAULT_PERMISSION);
    cr_expect_eq(mpu_check(m, 0x10100, 4, EX, EL2).fault, MPU_FAULT_NONE);
    cr_expect_eq(mpu_check(m, 0x100, 4, WR, EL2).fault, MPU_FAULT_NONE);
}

Test(check, access_spanning_two_regions_is_checked_against_each)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, 2, 0, 0x0, 0xFFF, 0, 2);      /* RW */
    set_region(m, 2, 1, 0x1000, 0x1FFF, 2, 2);  /* RO */
    enable_mpu(m, 2, 0, 0);
    cr_expect_eq(mpu_check(m, 0xFFC, 8, RD, EL2).fault, MPU_FAULT_NONE);
    struct mpu_result r = mpu_check(m, 0xFFC, 8, WR, EL2);
    cr_expect_eq(r.fault, MPU_FAULT_PERMISSION);
    cr_expect_eq(r.region, 1);
    cr_expect_eq(r.far, 0x1000, "FAR: first byte of the faulting part");
    /* into a hole */
    r = mpu_check(m, 0x1FFC, 8, RD, EL2);
    cr_expect_eq(r.fault, MPU_FAULT_NO_REGION);
    cr_expect_eq(r.far, 0x2000);
}

Test(check, region_counts_1_16_32_255_all_work_at_their_last_region)
{
    unsigned counts[] = { 1, 16, 32, 255 };
    for (unsigned i = 0; i < 4; i++) {
        struct mpu *m = mpu_for_test(counts[i]);
        unsigned last = counts[i] - 1;
        mpu_write(m, reg("PRSELR_EL2"), last & 0xF0);
        char b[24], l[24];
        snprintf(b, sizeof b, (last & 0xF) ? "PRBAR%u_EL2" : "PRBAR_EL2", last & 0xF);
        snprintf(l, sizeof l, (last & 0xF) ? "PRLAR%u_EL2" : "PRLAR_EL2", last & 0xF);
        mpu_write(m, reg(b), 0x40000000);
        mpu_write(m, reg(l), 0x40000FC0 | 1);
        enable_mpu(m, 2, 0, 0);
        struct mpu_result r = mpu_check(m, 0x40000010, 4, RD, EL2);
        cr_expect_eq(r.fault, MPU_FAULT_NONE, "%u regions", counts[i]);
        cr_expect_eq(r.region, (int)last);
        cr_expect_eq(m->el2.enabled, 1);
    }
}

Test(check, data_abort_syndrome_and_far)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, 2, 0, 0x0, 0xFFFF, 2, 2); /* RO */
    enable_mpu(m, 2, 0, 0);
    struct mpu_result r = mpu_check(m, 0x1234, 4, WR, EL2);
    cr_expect_eq(r.fault, MPU_FAULT_PERMISSION);
    cr_expect_eq(r.fsc, 0x0C);
    /* EC 0x25 (same EL), IL, WnR, DFSC 0x0C */
    cr_expect_eq(r.esr, (0x25ull << 26) | (1ull << 25) | (1ull << 6) | 0x0C);
    cr_expect_eq(r.far, 0x1234);
    cr_expect_eq(r.target_el, 2);
    r = mpu_check(m, 0x20000, 4, RD, EL2);
    cr_expect_eq(r.fault, MPU_FAULT_NO_REGION);
    cr_expect_eq(r.esr, (0x25ull << 26) | (1ull << 25) | 0x04, "read: WnR clear, FSC 0x04");
}

Test(check, instruction_abort_syndrome_and_far)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, 2, 0, 0x0, 0xFFFF, 0, 2); /* RW XN */
    enable_mpu(m, 2, 0, 0);
    struct mpu_result r = mpu_check(m, 0x2000, 4, EX, EL2);
    cr_expect_eq(r.fault, MPU_FAULT_PERMISSION);
    cr_expect_eq(r.esr, (0x21ull << 26) | (1ull << 25) | 0x0C);
    cr_expect_eq(r.far, 0x2000);
    /* EL1 stage-1 fault from EL0 goes to EL1 as "from a lower EL" */
    set_region(m, 1, 0, 0x0, 0xFFFF, 0, 0);
    enable_mpu(m, 1, 0, 0);
    r = mpu_check(m, 0x2000, 4, EX, 0);
    cr_expect_eq(r.target_el, 1);
    cr_expect_eq(r.esr >> 26, 0x20);
}

Test(check, fsc_model_setting_chooses_the_disputed_codes)
{
    enum mpu_fsc_model models[] = { MPU_FSC_TRANSLATION, MPU_FSC_QEMU, MPU_FSC_RENODE };
    uint8_t nohit[] = { 0x04, 0x0C, 0x00 }, multi[] = { 0x04, 0x0C, 0x04 };
    for (int i = 0; i < 3; i++) {
        struct mpu m;
        struct mpu_config cfg = { 16, 16, models[i] };
        cr_assert_eq(mpu_init(&m, &cfg), 0);
        set_region(&m, 2, 0, 0x0, 0xFFFF, 0, 2);
        set_region(&m, 2, 1, 0x0, 0xFFF, 0, 2);
        enable_mpu(&m, 2, 0, 0);
        cr_expect_eq(mpu_check(&m, 0x100000, 4, RD, EL2).fsc, nohit[i], "%s",
                     mpu_fsc_model_name(models[i]));
        cr_expect_eq(mpu_check(&m, 0x10, 4, RD, EL2).fsc, multi[i], "%s",
                     mpu_fsc_model_name(models[i]));
    }
}

Test(check, counters_count_checks_and_faults_by_cause)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, 2, 0, 0x0, 0xFFFF, 2, 2);
    enable_mpu(m, 2, 0, 0);
    (void)mpu_check(m, 0x10, 4, RD, EL2);
    (void)mpu_check(m, 0x10, 4, WR, EL2);
    (void)mpu_check(m, 0x100000, 4, RD, EL2);
    cr_expect_eq(m->ctr.checks, 3);
    cr_expect_eq(m->ctr.faults[MPU_FAULT_PERMISSION], 1);
    cr_expect_eq(m->ctr.faults[MPU_FAULT_NO_REGION], 1);
}

/* xorshift64*: deterministic pseudo-random numbers for the property tests */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

Test(check, fast_lookup_gives_the_same_results_as_the_linear_scan)
{
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    unsigned counts[] = { 1, 16, 32, 255 };
    for (unsigned c = 0; c < 4; c++) {
        struct mpu *m = mpu_for_test(counts[c]);
        enable_mpu(m, 2, (int)(c & 1), 1);
        for (int round = 0; round < 200; round++) {
            /* mutate a few regions, sometimes overlapping, sometimes disabled */
            for (int k = 0; k < 3; k++) {
                unsigned r = (unsigned)(rnd(&seed) % counts[c]);
                uint64_t base = (rnd(&seed) % 0x400) << 10;
                uint64_t last = base + (rnd(&seed) % 0x10000);
                mpu_write(m, reg("PRSELR_EL2"), r);
                mpu_write(m, reg("PRBAR_EL2"), base | (rnd(&seed) & 0x3F));
                mpu_write(m, reg("PRLAR_EL2"), (last & ~0x3Full) | (rnd(&seed) & 0x1F));
            }
            for (int k = 0; k < 50; k++) {
                uint64_t a = rnd(&seed) % 0x120000;
                uint64_t sz = 1 + rnd(&seed) % 300;
                enum mpu_acc acc = (enum mpu_acc)(rnd(&seed) % 3);
                struct mpu_result f = mpu_check(m, a, sz, acc, 2);
                struct mpu_result l = mpu_check_linear(m, a, sz, acc, 2);
                cr_assert_eq(f.fault, l.fault, "addr %#llx size %llu", (unsigned long long)a,
                             (unsigned long long)sz);
                cr_assert_eq(f.region, l.region);
                cr_assert_eq(f.region2, l.region2);
                cr_assert_eq(f.esr, l.esr);
                cr_assert_eq(f.far, l.far);
            }
        }
    }
}

/* The index follows every region write (pending, then in place): under random writes before every
 * check (regions moving, growing, overlapping, disabled, limit below base, PRENR), it gives
 * what the linear scan gives, and it never holds more intervals than the regions explain. */
Test(check, fast_lookup_stays_exact_under_a_region_write_before_every_check)
{
    uint64_t seed = 0x1234567887654321ull;
    unsigned counts[] = { 1, 16, 64, 255 };
    for (unsigned c = 0; c < 4; c++) {
        unsigned n = counts[c];
        struct mpu *m = mpu_for_test(n);
        enable_mpu(m, 2, (int)(c & 1), 1);
        for (int k = 0; k < 20000; k++) {
            unsigned r = (unsigned)(rnd(&seed) % n);
            uint64_t base = (rnd(&seed) % 0x400) << 10;
            uint64_t last = base + (rnd(&seed) % 0x10000) - 0x800; /* sometimes below base */
            mpu_write(m, reg("PRSELR_EL2"), r);
            switch (rnd(&seed) % 4) {
            case 0:
                mpu_write(m, reg("PRBAR_EL2"), base | (rnd(&seed) & 0x3F));
                break;
            case 1:
                mpu_write(m, reg("PRLAR_EL2"), (last & ~0x3Full) | (rnd(&seed) & 0x1F));
                break;
            case 2:
                mpu_write(m, reg("PRENR_EL2"), (uint32_t)rnd(&seed));
                break;
            default: /* the same value again: nothing changes */
                mpu_write(m, reg("PRLAR_EL2"), m->el2.prlar[r]);
                break;
            }
            uint64_t a = rnd(&seed) % 0x120000;
            uint64_t sz = 1 + rnd(&seed) % 300;
            enum mpu_acc acc = (enum mpu_acc)(rnd(&seed) % 3);
            struct mpu_result f = mpu_check(m, a, sz, acc, 2);
            struct mpu_result l = mpu_check_linear(m, a, sz, acc, 2);
            cr_assert_eq(f.fault, l.fault, "%u regions, write %d: addr %#llx size %llu", n, k,
                         (unsigned long long)a, (unsigned long long)sz);
            cr_assert_eq(f.region, l.region);
            cr_assert_eq(f.region2, l.region2);
            cr_assert_eq(f.far, l.far);
            cr_assert_leq(m->el2.index.n, 2 * (m->el2.enabled + MPU_INDEX_PENDING) + 1, "%u intervals for %u regions",
                          m->el2.index.n, m->el2.enabled);
        }
    }
}

/* mpu_el2_allowed: the three verdicts of mpu_check for a byte at EL2 in one lookup, the same at
 * every byte up to the last it names (MPU off, background on and off, WXN, overlaps, regions
 * with limit below base, a default-map boundary inside the range). */
Test(check, el2_allowed_gives_mpu_check_verdicts_for_its_whole_stretch)
{
    uint64_t seed = 0x0DDBA11CAFEF00Dull;
    for (unsigned c = 0; c < 6; c++) {
        unsigned n = c < 3 ? 16 : 64;
        struct mpu *m = mpu_for_test(n);
        if (c % 3)
            enable_mpu(m, 2, (int)(c % 3 == 2), (int)(c & 1)); /* c % 3 == 0: MPU off */
        for (int round = 0; round < 300; round++) {
            unsigned r = (unsigned)(rnd(&seed) % n);
            uint64_t base = 0x7FF00000ull + ((rnd(&seed) % 0x400) << 10);
            uint64_t last = base + (rnd(&seed) % 0x40000) - 0x800;
            mpu_write(m, reg("PRSELR_EL2"), r);
            mpu_write(m, reg("PRBAR_EL2"), base | (rnd(&seed) & 0x3F));
            mpu_write(m, reg("PRLAR_EL2"), (last & ~0x3Full) | (rnd(&seed) & 0x1F));
            for (int k = 0; k < 20; k++) {
                uint64_t a = 0x7FF00000ull + rnd(&seed) % 0x200000, e;
                unsigned allowed = mpu_el2_allowed(m, a, &e);
                cr_assert_geq(e, a);
                uint64_t at[3] = { a, e, a + (e - a) / 2 };
                for (int p = 0; p < 3; p++)
                    for (int acc = RD; acc <= EX; acc++) {
                        struct mpu_result l = mpu_check_linear(m, at[p], 1, (enum mpu_acc)acc, 2);
                        cr_assert_eq((allowed >> acc) & 1u, l.fault == MPU_FAULT_NONE,
                                     "case %u: %#llx (stretch from %#llx to %#llx) acc %d", c,
                                     (unsigned long long)at[p], (unsigned long long)a,
                                     (unsigned long long)e, acc);
                    }
            }
        }
    }
}
