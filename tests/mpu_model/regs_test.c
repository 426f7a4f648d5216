/* Register file rules: encodings, PRSELR and the PRBAR<n>/PRLAR<n> aliases, PRENR, RES0. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>

#include "mpu_model/mpu.h"
#include "tests/mpu_model/helpers.h"

/* Instruction words from binutils' Armv8-R test, as listed in mpu-architecture.md §1.2. */
/* Strings are arrays, not pointers: Criterion runs each parameter in a fresh process. */
struct word_case {
    char name[24];
    unsigned word; /* MRS x0 or MSR <reg>, x0 */
};
static struct word_case words[] = {
    { "MPUIR_EL1", 0xD5380080 }, { "MPUIR_EL2", 0xD53C0080 }, { "PRBAR_EL1", 0xD5386800 },
    { "PRBAR_EL1", 0xD5186800 }, { "PRBAR1_EL1", 0xD5386880 },
};
ParameterizedTestParameters(regs, instruction_words_decode_to_the_register)
{
    return cr_make_param_array(struct word_case, words, sizeof words / sizeof words[0]);
}
ParameterizedTest(struct word_case *c, regs, instruction_words_decode_to_the_register)
{
    unsigned enc = (c->word >> 5) & 0xFFFF; /* op0:op1:CRn:CRm:op2 = bits [20:5] */
    cr_expect_eq(mpu_reg_from_encoding(enc), mpu_reg_from_name(c->name), "%s", c->name);
    cr_expect_eq(mpu_reg_encoding(mpu_reg_from_name(c->name)), enc, "%s", c->name);
}

/* Generic names of the armv8r-mpu.md §1.2 table. */
struct enc_case {
    char name[24];
    char generic[24];
};
static struct enc_case encs[] = {
    { "MPUIR_EL1", "S3_0_C0_C0_4" },   { "MPUIR_EL2", "S3_4_C0_C0_4" },
    { "PRENR_EL1", "S3_0_C6_C1_1" },   { "PRENR_EL2", "S3_4_C6_C1_1" },
    { "PRSELR_EL1", "S3_0_C6_C2_1" },  { "PRSELR_EL2", "S3_4_C6_C2_1" },
    { "PRBAR_EL1", "S3_0_C6_C8_0" },   { "PRLAR_EL1", "S3_0_C6_C8_1" },
    { "PRBAR_EL2", "S3_4_C6_C8_0" },   { "PRLAR_EL2", "S3_4_C6_C8_1" },
    { "PRBAR1_EL1", "S3_0_C6_C8_4" },  { "PRBAR15_EL1", "S3_0_C6_C15_4" },
    { "PRLAR2_EL1", "S3_0_C6_C9_1" },  { "PRBAR3_EL2", "S3_4_C6_C9_4" },
    { "PRBAR2_EL2", "S3_4_C6_C9_0" },  { "PRBAR4_EL2", "S3_4_C6_C10_0" },
    { "PRBAR5_EL2", "S3_4_C6_C10_4" }, { "PRLAR5_EL2", "S3_4_C6_C10_5" },
    { "PRBAR14_EL2", "S3_4_C6_C15_0" }, { "PRLAR15_EL2", "S3_4_C6_C15_5" },
    { "SCTLR_EL1", "S3_0_C1_C0_0" },   { "SCTLR_EL2", "S3_4_C1_C0_0" },
    { "HCR_EL2", "S3_4_C1_C1_0" },     { "MAIR_EL1", "S3_0_C10_C2_0" },
    { "MAIR_EL2", "S3_4_C10_C2_0" },
};
ParameterizedTestParameters(regs, generic_names_match_the_reference_table)
{
    return cr_make_param_array(struct enc_case, encs, sizeof encs / sizeof encs[0]);
}
ParameterizedTest(struct enc_case *c, regs, generic_names_match_the_reference_table)
{
    int id = mpu_reg_from_name(c->name);
    cr_assert_geq(id, 0, "%s", c->name);
    cr_expect_eq(mpu_reg_from_name(c->generic), id, "%s vs %s", c->name, c->generic);
    cr_expect_str_eq(mpu_reg_name(id), c->name);
}

Test(regs, every_register_id_round_trips_through_name_and_encoding)
{
    for (int id = 0; id < MPU_REG_COUNT; id++) {
        cr_expect_eq(mpu_reg_from_name(mpu_reg_name(id)), id, "id %d", id);
        cr_expect_eq(mpu_reg_from_encoding(mpu_reg_encoding(id)), id, "id %d (%s)", id,
                     mpu_reg_name(id));
    }
    /* PRBAR<n>: CRm = 8 + n>>1, op2 = 4*(n&1); PRLAR<n>: op2 + 1 (armv8r-mpu.md §1.2) */
    for (unsigned n = 0; n < 16; n++) {
        char b[24], l[24];
        snprintf(b, sizeof b, n ? "PRBAR%u_EL2" : "PRBAR_EL2", n);
        snprintf(l, sizeof l, n ? "PRLAR%u_EL2" : "PRLAR_EL2", n);
        cr_expect_eq(mpu_reg_encoding(reg(b)), MPU_ENC(3, 4, 6, 8 + (n >> 1), (n & 1) * 4));
        cr_expect_eq(mpu_reg_encoding(reg(l)), MPU_ENC(3, 4, 6, 8 + (n >> 1), (n & 1) * 4 + 1));
    }
}

Test(regs, unknown_registers_have_no_id)
{
    cr_expect_eq(mpu_reg_from_name("PRBAR16_EL2"), -1);
    cr_expect_eq(mpu_reg_from_name("TTBR0_EL2"), -1);
    cr_expect_eq(mpu_reg_from_name("S3_4_C6_C8_2"), -1);
    cr_expect_eq(mpu_reg_from_name(""), -1);
    cr_expect_eq(mpu_reg_from_encoding(MPU_ENC(3, 1, 6, 8, 0)), -1);
    cr_expect_eq(mpu_reg_from_name("prselr_el2"), mpu_reg_from_name("PRSELR_EL2"));
}

Test(regs, mpuir_reports_the_region_count_and_ignores_writes)
{
    unsigned counts[] = { 1, 16, 32, 255 };
    for (unsigned i = 0; i < 4; i++) {
        struct mpu *m = mpu_for_test(counts[i]);
        cr_expect_eq(mpu_read(m, reg("MPUIR_EL2")), counts[i]);
        cr_expect_eq(mpu_read(m, reg("MPUIR_EL1")), counts[i]);
        mpu_write(m, reg("MPUIR_EL2"), 3);
        cr_expect_eq(mpu_read(m, reg("MPUIR_EL2")), counts[i]);
        cr_expect_eq(m->ctr.ignored_writes, 1);
    }
}

Test(regs, region_count_above_255_is_refused)
{
    struct mpu m;
    struct mpu_config cfg = { .regions_el2 = 256, .regions_el1 = 16 };
    cr_expect_eq(mpu_init(&m, &cfg), -1);
}

Test(regs, prselr_at_or_above_the_region_count_is_ignored_and_counted)
{
    struct mpu *m = mpu_for_test(16);
    mpu_write(m, reg("PRSELR_EL2"), 7);
    mpu_write(m, reg("PRSELR_EL2"), 16);
    cr_expect_eq(mpu_read(m, reg("PRSELR_EL2")), 7);
    cr_expect_eq(m->ctr.ignored_writes, 1);
    mpu_write(m, reg("PRSELR_EL2"), 0x100 | 3); /* RES0 bits dropped: REGION = 3 */
    cr_expect_eq(mpu_read(m, reg("PRSELR_EL2")), 3);
}

Test(regs, prbar_n_reaches_region_prselr_high_nibble_or_n_for_all_256_numbers)
{
    struct mpu *m = mpu_for_test(255);
    for (unsigned r = 0; r < 256; r++) {
        char b[24], l[24];
        unsigned n = r & 0xF;
        snprintf(b, sizeof b, n ? "PRBAR%u_EL2" : "PRBAR_EL2", n);
        snprintf(l, sizeof l, n ? "PRLAR%u_EL2" : "PRLAR_EL2", n);
        mpu_write(m, reg("PRSELR_EL2"), r & 0xF0);
        uint64_t before = m->ctr.ignored_writes;
        mpu_write(m, reg(b), (uint64_t)r << 12);
        mpu_write(m, reg(l), ((uint64_t)r << 12) | 0xFC0);
        if (r < 255) {
            cr_assert_eq(m->ctr.ignored_writes, before, "region %u", r);
            cr_expect_eq(m->el2.prbar[r], (uint64_t)r << 12, "region %u", r);
            cr_expect_eq(m->el2.prlar[r], ((uint64_t)r << 12) | 0xFC0, "region %u", r);
        } else { /* region 255 does not exist with 255 regions */
            cr_expect_eq(m->ctr.ignored_writes, before + 2);
            cr_expect_eq(mpu_read(m, reg(b)), 0);
        }
    }
    /* the plain PRBAR follows the whole PRSELR; the others were not disturbed */
    for (unsigned r = 0; r < 255; r++) {
        mpu_write(m, reg("PRSELR_EL2"), r);
        cr_expect_eq(mpu_read(m, reg("PRBAR_EL2")), (uint64_t)r << 12, "region %u", r);
    }
}

Test(regs, prbar_n_above_the_region_count_reads_zero_and_ignores_writes)
{
    struct mpu *m = mpu_for_test(20);
    mpu_write(m, reg("PRSELR_EL2"), 16);
    mpu_write(m, reg("PRBAR3_EL2"), 0x1000); /* region 19: exists */
    mpu_write(m, reg("PRBAR4_EL2"), 0x2000); /* region 20: does not */
    cr_expect_eq(m->el2.prbar[19], 0x1000);
    cr_expect_eq(mpu_read(m, reg("PRBAR4_EL2")), 0);
    cr_expect_eq(m->ctr.ignored_writes, 1);
}

Test(regs, prbar_and_prlar_res0_bits_read_as_zero)
{
    struct mpu *m = mpu_for_test(16);
    mpu_write(m, reg("PRBAR_EL2"), ~0ull);
    mpu_write(m, reg("PRLAR_EL2"), ~0ull);
    cr_expect_eq(mpu_read(m, reg("PRBAR_EL2")), 0x0000FFFFFFFFFFFFull);
    cr_expect_eq(mpu_read(m, reg("PRLAR_EL2")), 0x0000FFFFFFFFFFDFull); /* bit 5 RES0 */
}

Test(regs, prenr_reads_the_enable_bits_of_regions_0_to_31)
{
    struct mpu *m = mpu_for_test(40);
    set_region(m, 2, 0, 0x0, 0xFFF, 0, 2);
    set_region(m, 2, 5, 0x10000, 0x10FFF, 0, 2);
    set_region(m, 2, 31, 0x20000, 0x20FFF, 0, 2);
    set_region(m, 2, 35, 0x30000, 0x30FFF, 0, 2); /* above 31: not in PRENR */
    cr_expect_eq(mpu_read(m, reg("PRENR_EL2")), (1ull << 0) | (1ull << 5) | (1ull << 31));
    cr_expect_eq(m->el2.enabled, 4);
}

Test(regs, prenr_writes_set_and_clear_the_enable_bits_only)
{
    struct mpu *m = mpu_for_test(40);
    set_region(m, 2, 3, 0x3000, 0x3FFF, 0, 2);
    set_region(m, 2, 33, 0x33000, 0x33FFF, 0, 2);
    uint64_t prlar3 = m->el2.prlar[3];
    mpu_write(m, reg("PRENR_EL2"), 0xFFFFFFFF00000000ull | (1u << 7)); /* upper bits RES0 */
    cr_expect_eq(m->el2.prlar[3], prlar3 & ~1ull, "region 3 disabled, fields kept");
    cr_expect_eq(m->el2.prlar[7] & 1, 1, "region 7 enabled");
    cr_expect_eq(m->el2.prlar[33] & 1, 1, "region 33 is out of PRENR's reach");
    cr_expect_eq(mpu_read(m, reg("PRENR_EL2")), 1u << 7);
    cr_expect_eq(m->el2.enabled, 2);
}

Test(regs, prenr_ignores_bits_of_unimplemented_regions)
{
    struct mpu *m = mpu_for_test(8);
    mpu_write(m, reg("PRENR_EL2"), 0xFFFFFFFFull);
    cr_expect_eq(mpu_read(m, reg("PRENR_EL2")), 0xFFull);
    cr_expect_eq(m->el2.enabled, 8);
}

Test(regs, enabled_count_keeps_a_high_water_mark)
{
    struct mpu *m = mpu_for_test(16);
    for (unsigned r = 0; r < 4; r++)
        set_region(m, 2, r, r * 0x1000, r * 0x1000 + 0xFFF, 0, 2);
    mpu_write(m, reg("PRENR_EL2"), 0x1);
    cr_expect_eq(m->el2.enabled, 1);
    cr_expect_eq(m->el2.enabled_hwm, 4);
}

Test(regs, counters_count_reads_and_writes_per_register)
{
    struct mpu *m = mpu_for_test(16);
    mpu_write(m, reg("PRSELR_EL2"), 1);
    mpu_write(m, reg("PRSELR_EL2"), 2);
    (void)mpu_read(m, reg("PRSELR_EL2"));
    cr_expect_eq(m->ctr.writes[reg("PRSELR_EL2")], 2);
    cr_expect_eq(m->ctr.reads[reg("PRSELR_EL2")], 1);
    cr_expect_eq(m->ctr.writes[reg("PRSELR_EL1")], 0);
}

Test(regs, el1_and_el2_mpus_are_independent)
{
    struct mpu *m = mpu_for_test(16);
    set_region(m, 1, 2, 0x1000, 0x1FFF, 0, 2);
    cr_expect_eq(m->el2.prbar[2], 0);
    cr_expect_eq(m->el1.prlar[2] & 1, 1);
    cr_expect_eq(mpu_read(m, reg("PRSELR_EL2")), 0);
}

Test(regs, dump_lists_every_implemented_region)
{
    struct mpu *m = mpu_for_test(4);
    set_region(m, 2, 1, 0x1000, 0x1FFF, 2, 0);
    char buf[512];
    size_t n = mpu_dump(m, 2, buf, sizeof buf);
    cr_expect_lt(n, sizeof buf);
    cr_expect(strstr(buf, "  1 en  0x000000001000..0x000000001fff RO     X ") != NULL, "%s", buf);
    int lines = 0;
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 4);
}
