/* sim/call.c: the call harness: AAPCS64 arguments, sentinel return, instruction counts and
 * budget, stubs, runs until a symbol. */
#include "tests/sim/helpers.h"

Test(call, eight_integer_arguments_arrive_in_x0_to_x7)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    uint64_t args[8] = { 1, 2, 4, 8, 16, 32, 64, 128 };
    cr_expect_eq(call_ok(s, "sum8", args, 8), 255u);
    sim_free(s);
}

Test(call, more_than_eight_arguments_is_an_error)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    uint64_t args[9] = { 0 };
    struct sim_call_result r;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(sim_call(s, "sum8", args, 9, &r, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    sim_free(s);
}

Test(call, a_c_int_result_is_sign_extended_from_w0)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    uint64_t x0 = call_ok(s, "minus22", NULL, 0);
    cr_expect_eq(x0, 0xFFFFFFEAull, "W0 only");
    cr_expect_eq(sim_sext32(x0), -22);
    sim_free(s);
}

Test(call, instructions_are_counted_per_call)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    struct sim_call_result r;
    cr_assert_eq(sim_call(s, "ten_nops", NULL, 0, &r, NULL), 0);
    cr_expect_eq(r.insns, 11u);
    cr_assert_eq(sim_call(s, "call_helper", NULL, 0, &r, NULL), 0);
    cr_expect_eq(r.x0, 6u);
    cr_expect_eq(r.insns, 7u, "stp, bl, mov, ret, add, ldp, ret");
    sim_free(s);
}

Test(call, the_sentinel_return_is_not_checked_by_the_mpu)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0); /* MPU on: nothing covers the sentinel */
    cr_expect_eq(call_ok(s, "current_el", NULL, 0), 8u);
    cr_expect_eq(sim_last_stop(s)->kind, SIM_STOP_RETURNED);
    sim_free(s);
}

Test(call, a_runaway_guest_exhausts_its_budget_with_symbol_and_pc)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    struct sim_call_result r;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(sim_call_budget(s, "spin", NULL, 0, 1000, &r, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_ENGINE);
    cr_expect_neq(strstr(err.text, "budget of 1000 instructions exhausted in spin at spin"), NULL,
                  "%s", err.text);
    cr_expect_eq(sim_last_stop(s)->kind, SIM_STOP_BUDGET);
    cr_expect_eq(sim_last_stop(s)->pc, symbol_addr(s, "spin"));
    cr_expect_leq(sim_last_stop(s)->insns, 1000u);
    /* the engine is usable afterwards */
    cr_expect_eq(call_ok(s, "current_el", NULL, 0), 8u);
    sim_free(s);
}

Test(call, a_stub_returns_its_value_without_running_the_body)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    cr_expect_eq(call_ok(s, "call_helper", NULL, 0), 6u);
    cr_assert_eq(sim_stub(s, "helper", 100, NULL), 0);
    cr_expect_eq(call_ok(s, "call_helper", NULL, 0), 101u);
    cr_expect_eq(call_ok(s, "helper", NULL, 0), 100u, "a stubbed symbol called directly");
    cr_expect_eq(sim_stats(s)->stub_calls, 2u);
    sim_free(s);
}

Test(call, a_missing_symbol_is_a_clear_error)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    struct sim_call_result r;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(sim_call(s, "no_such_function", NULL, 0, &r, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect_str_eq(err.text, "no symbol 'no_such_function' in the ELF");
    cr_expect_str_eq(err.source, BASIC_ELF);
    mpusim_error_clear(&err);
    cr_expect_eq(sim_stub(s, "no_such_function", 0, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    mpusim_error_clear(&err);
    cr_expect_eq(sim_run(s, sim_entry(s), "no_such_function", 0, NULL, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    sim_free(s);
}

Test(call, a_run_from_the_entry_point_programs_the_mpu_and_exits)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    struct sim_stop st;
    cr_assert_eq(sim_run(s, sim_entry(s), NULL, 0, &st, NULL), 0);
    cr_expect_eq(st.kind, SIM_STOP_EXIT);
    cr_expect_eq(st.exit_code, 0);
    cr_expect_eq(mpu_unit_of(sim_mpu(s), 2)->enabled, 7u);
    sim_free(s);
}

Test(call, a_run_until_a_symbol_stops_there)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    struct sim_stop st;
    cr_assert_eq(sim_run(s, sim_entry(s), "setup_mpu", 0, &st, NULL), 0);
    cr_expect_eq(st.kind, SIM_STOP_UNTIL);
    cr_expect_eq(st.pc, symbol_addr(s, "setup_mpu"));
    cr_expect_eq(st.insns, 1u, "the bl");
    cr_expect_eq(mpu_unit_of(sim_mpu(s), 2)->enabled, 0u, "setup_mpu has not run");
    sim_free(s);
}
