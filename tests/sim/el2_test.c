/* sim/el2.c: EL2 virtualised on EL1: CurrentEL, ID registers, MPU registers to the model,
 * unknown registers, cache/TLB no-ops, the PC-advance rule. */
#include "tests/sim/helpers.h"

Test(el2, current_el_reads_el2)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    cr_expect_eq(call_ok(s, "current_el", NULL, 0), 8); /* EL [3:2] = 2 */
    sim_free(s);
}

Test(el2, id_aa64mmfr0_reports_pmsa)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    uint64_t v = call_ok(s, "read_mmfr0", NULL, 0);
    cr_expect_eq((v >> 48) & 0xF, 0xFu, "MSA");
    cr_expect_eq((v >> 52) & 0xF, 0x2u, "MSA_frac");
    sim_free(s);
}

Test(el2, prselr_and_prbar_n_program_the_model)
{
    struct sim *s = sim_for_test(BASIC_ELF, 24);
    call_ok(s, "setup_mpu", NULL, 0);
    struct mpu *m = sim_mpu(s);
    struct mpu_region_view r0 = mpu_region(m, 2, 0), r3 = mpu_region(m, 2, 3),
                           r4 = mpu_region(m, 2, 4);
    cr_expect_eq(r0.enabled, 1);
    cr_expect_eq(r0.base, 0x40000000ull);
    cr_expect_eq(r0.last, 0x40000FFFull);
    cr_expect_eq(r0.ap, 2u);
    cr_expect_eq(r0.xn, 0u);
    cr_expect_eq(r3.base, XDATA_PAGE);
    cr_expect_eq(r3.xn, 2u);
    cr_expect_eq(r4.base, 0x7FF00000ull);
    cr_expect_eq(r4.last, 0x7FF0FFFFull);
    cr_expect_eq(mpu_unit_of(m, 2)->enabled, 7u);
    cr_expect_eq(mpu_unit_of(m, 2)->sctlr & 1u, 1u, "SCTLR_EL2.M");
    call_ok(s, "program_region_17", NULL, 0);
    struct mpu_region_view r17 = mpu_region(m, 2, 17);
    cr_expect_eq(r17.enabled, 1);
    cr_expect_eq(r17.base, 0x50000000ull);
    cr_expect_eq(r17.last, 0x50001FFFull);
    cr_expect_eq(mpu_unit_of(m, 2)->prselr, 16u);
    sim_free(s);
}

Test(el2, unknown_register_reads_zero_and_the_pc_advances_one_instruction)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    struct sim_call_result r;
    cr_assert_eq(sim_call(s, "unknown_regs", NULL, 0, &r, NULL), 0);
    cr_expect_eq(r.x0, 42u, "mrs gave 0, then add 42 ran once");
    cr_expect_eq(r.insns, 4u, "mrs, msr, add, ret");
    const struct sim_stats *st = sim_stats(s);
    cr_expect_eq(st->unknown_reads, 1u);
    cr_expect_eq(st->unknown_writes, 1u);
    cr_expect_eq(st->nunknown, 1u);
    cr_expect_eq(st->unknown[0].enc, MPU_ENC(3, 4, 15, 15, 7));
    sim_free(s);
}

Test(el2, registers_unicorn_knows_advance_one_instruction_too)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    struct sim_call_result r;
    cr_assert_eq(sim_call(s, "current_el", NULL, 0, &r, NULL), 0);
    cr_expect_eq(r.insns, 2u, "mrs CurrentEL, ret");
    cr_assert_eq(sim_call(s, "read_mmfr0", NULL, 0, &r, NULL), 0);
    cr_expect_eq(r.insns, 2u);
    sim_free(s);
}

Test(el2, cache_and_tlb_maintenance_are_no_ops)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    uint64_t arg = DATA_PAGE;
    cr_expect_eq(call_ok(s, "cache_ops", &arg, 1), 1u);
    const struct sim_stats *st = sim_stats(s);
    cr_expect_eq(st->cache_ops, 2u, "ic iallu, dc civac");
    cr_expect_eq(st->tlb_ops, 1u, "tlbi alle2");
    cr_expect_eq(st->unknown_writes, 0u);
    sim_free(s);
}

Test(el2, host_writes_through_sim_mpu_write_reach_the_checks)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0);
    uint64_t arg = RODATA_PAGE;
    cr_expect_eq(call_ok(s, "load_from", &arg, 1), 0x1122334455667788ull);
    sim_mpu_write(s, mpu_reg_from_name("PRSELR_EL2"), 1);
    sim_mpu_write(s, mpu_reg_from_name("PRLAR_EL2"), 0); /* disable region 1 (rodata) */
    struct sim_call_result r;
    cr_expect_eq(sim_call(s, "load_from", &arg, 1, &r, NULL), -1);
    cr_expect_eq(sim_last_stop(s)->mpu.fault, MPU_FAULT_NO_REGION);
    sim_free(s);
}
