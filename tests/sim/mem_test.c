/* sim/mem.c: every load, store and fetch checked by the model when SCTLR_EL2.M = 1; faults
 * are precise. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "tests/sim/helpers.h"

#include "mm/mm.h"

struct fault_case {
    char fn[16];          /* guest function: load_from, store_to, jump_to */
    uint64_t addr;        /* its argument */
    enum mpu_acc acc;
    enum mpu_fault fault;
};

/* Reads are never forbidden at EL2 (every AP value grants EL2 read), so permission faults come
 * from stores and fetches only. */
static struct fault_case fault_cases[] = {
    { "store_to", RODATA_PAGE, MPU_ACC_WRITE, MPU_FAULT_PERMISSION },
    { "jump_to", XDATA_PAGE, MPU_ACC_EXEC, MPU_FAULT_PERMISSION },
    { "load_from", HOLE_PAGE, MPU_ACC_READ, MPU_FAULT_NO_REGION },
    { "store_to", HOLE_PAGE, MPU_ACC_WRITE, MPU_FAULT_NO_REGION },
    { "jump_to", HOLE_PAGE + 8, MPU_ACC_EXEC, MPU_FAULT_NO_REGION },
    { "load_from", OVERLAP_PAGE, MPU_ACC_READ, MPU_FAULT_MULTIPLE_REGIONS },
    { "store_to", OVERLAP_PAGE, MPU_ACC_WRITE, MPU_FAULT_MULTIPLE_REGIONS },
    { "jump_to", OVERLAP_PAGE + 8, MPU_ACC_EXEC, MPU_FAULT_MULTIPLE_REGIONS },
};

ParameterizedTestParameters(mem, each_fault_cause_from_a_real_access)
{
    return cr_make_param_array(struct fault_case, fault_cases,
                               sizeof fault_cases / sizeof fault_cases[0]);
}

ParameterizedTest(struct fault_case *c, mem, each_fault_cause_from_a_real_access)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0);
    uint64_t args[2] = { c->addr, 0x5555 };
    struct sim_call_result r;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(sim_call(s, c->fn, args, 2, &r, &err), -1, "%s(0x%llx) must fault", c->fn,
                 (unsigned long long)c->addr);
    const struct sim_stop *st = sim_last_stop(s);
    cr_expect_eq(st->kind, SIM_STOP_FAULT);
    cr_expect_eq(st->acc, c->acc);
    cr_expect_eq(st->mpu.fault, c->fault);
    cr_expect_eq(st->addr, c->addr);
    cr_expect_eq(st->mpu.far, c->addr);
    cr_expect_neq(st->mpu.esr, 0u);
    if (c->acc == MPU_ACC_EXEC)
        cr_expect_eq(st->pc, c->addr, "a fetch fault stops at the target");
    else
        cr_expect_eq(st->pc, symbol_addr(s, c->fn) + (c->acc == MPU_ACC_WRITE ? 8 : 4));
    cr_expect_eq(err.code, MPUSIM_E_ENGINE);
    cr_expect_neq(strstr(err.text, "MPU fault"), NULL, "%s", err.text);
    cr_expect_eq(sim_stats(s)->faults_stopped, 1u);
    sim_free(s);
}

Test(mem, a_faulting_store_leaves_memory_unchanged)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0);
    uint64_t args[2] = { RODATA_PAGE, 0xAAAAAAAAAAAAAAAAull };
    struct sim_call_result r;
    cr_assert_eq(sim_call(s, "store_to", args, 2, &r, NULL), -1);
    cr_expect_eq(mem64(s, RODATA_PAGE), 0x1122334455667788ull);
    cr_expect_eq(sim_stats(s)->stores_undone, 1u);
    sim_free(s);
}

Test(mem, allowed_accesses_run_and_are_checked)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0);
    uint64_t rw = symbol_addr(s, "rw_word");
    uint64_t args[2] = { rw, 0x77 };
    cr_expect_eq(call_ok(s, "store_to", args, 2), 7u);
    cr_expect_eq(call_ok(s, "load_from", args, 1), 0x77u);
    cr_expect_eq(mem64(s, rw), 0x77u);
    cr_expect_gt(sim_stats(s)->data_checks, 0u);
    cr_expect_gt(sim_stats(s)->fetch_checks, 0u);
    sim_free(s);
}

Test(mem, nothing_is_checked_while_the_mpu_is_off)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    uint64_t args[2] = { RODATA_PAGE, 0x99 };
    cr_expect_eq(call_ok(s, "store_to", args, 2), 7u);
    cr_expect_eq(mem64(s, RODATA_PAGE), 0x99u);
    cr_expect_eq(sim_stats(s)->data_checks, 0u);
    sim_free(s);
}

Test(mem, a_block_running_off_executable_memory_faults_at_the_first_bad_instruction)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0);
    struct sim_call_result r;
    cr_assert_eq(sim_call(s, "edge", NULL, 0, &r, NULL), -1);
    const struct sim_stop *st = sim_last_stop(s);
    cr_expect_eq(st->kind, SIM_STOP_FAULT);
    cr_expect_eq(st->acc, MPU_ACC_EXEC);
    cr_expect_eq(st->pc, EDGE_XN_BYTE);
    cr_expect_eq(st->mpu.fault, MPU_FAULT_NO_REGION);
    cr_expect_eq(st->insns, 4u, "the four instructions before it ran");
    uint64_t x0 = 0;
    cr_assert_eq(sim_reg_read(s, 0, &x0, NULL), 0);
    cr_expect_eq(x0, 4u);
    sim_free(s);
}

Test(mem, exempt_ranges_are_not_checked)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0);
    cr_assert_eq(sim_exempt(s, HOLE_PAGE, HOLE_PAGE + 0x1000, NULL), 0);
    uint64_t arg = HOLE_PAGE;
    cr_expect_eq(call_ok(s, "load_from", &arg, 1), 0x4242u);
    sim_free(s);
}

Test(mem, the_fault_report_names_symbol_instruction_cause_and_region)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0);
    uint64_t args[2] = { RODATA_PAGE, 1 };
    struct sim_call_result r;
    cr_assert_eq(sim_call(s, "store_to", args, 2, &r, NULL), -1);
    char buf[2048];
    size_t n = sim_stop_format(s, sim_last_stop(s), buf, sizeof buf);
    cr_expect_lt(n, sizeof buf);
    cr_expect_neq(strstr(buf, "MPU fault: permission"), NULL, "%s", buf);
    cr_expect_neq(strstr(buf, "store_to+0x8"), NULL, "%s", buf);
    cr_expect_neq(strstr(buf, "str x1, [x2]"), NULL, "%s", buf);
    cr_expect_neq(strstr(buf, "write of 8 bytes at 0x40002000"), NULL, "%s", buf);
    cr_expect_neq(strstr(buf, "region 1: [0x40002000, 0x40002fff]"), NULL, "%s", buf);
    sim_free(s);
}

/* An exempt image (our mm.elf) with the MPU on: its blocks are allowed by exemption, and that
 * verdict is cached like the model's (sim/mem.c), across the MPU writes every map makes: after
 * the first block, no fetch takes the slow check. */
Test(mem, an_exempt_image_keeps_its_cached_verdict_across_mpu_writes)
{
    struct sim_options o;
    sim_options_default(&o);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct sim *s = sim_new(&o, &err);
    cr_assert_not_null(s, "%s", err.text);
    cr_assert_eq(sim_load_elf(s, MM_ELF, &err), 0, "%s", err.text);
    cr_assert_eq(sim_exempt_image(s, &err), 0, "%s", err.text);
    cr_assert_eq(sim_run(s, sim_entry(s), "guest_ready", 0, NULL, &err), 0, "%s", err.text);
    uint64_t init[3] = { MM_ALGO_XEN, 0, 0 };
    cr_assert_eq(call_ok(s, "guest_init", init, 3), 0u);
    sim_mpu_write(s, MPU_REG_ID(2, MPU_SLOT_SCTLR), 1u << SCTLR_M_BIT);
    uint64_t map[3] = { 0x10000000, 0x10001000, MM_PAGE_HYPERVISOR_RW };
    cr_assert_eq(sim_sext32(call_ok(s, "guest_map", map, 3)), 0);
    uint64_t fetch = sim_stats(s)->fetch_checks, data = sim_stats(s)->data_checks;
    uint64_t writes = sim_stats(s)->sysreg_writes;
    for (unsigned i = 1; i <= 20; i++) {
        uint64_t args[3] = { 0x10000000 + 0x2000ull * i, 0x10001000 + 0x2000ull * i,
                             MM_PAGE_HYPERVISOR_RW };
        cr_assert_eq(sim_sext32(call_ok(s, "guest_map", args, 3)), 0, "map %u", i);
        cr_assert_eq(sim_sext32(call_ok(s, "guest_unmap", args, 2)), 0, "unmap %u", i);
    }
    cr_expect_gt(sim_stats(s)->sysreg_writes - writes, 40u, "the MPU was written meanwhile");
    cr_expect_gt(sim_stats(s)->data_checks - data, 1000u, "loads and stores were checked");
    cr_expect_eq(sim_stats(s)->fetch_checks - fetch, 0u, "no fetch took the slow check");
    cr_expect_eq(mpu_unit_of(sim_mpu(s), 2)->sctlr & 1u, 1u, "the MPU stayed on");
    sim_free(s);
}
