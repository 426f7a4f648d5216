/* sim/exception.c: faults taken to the guest's vectors, service calls, undefined
 * instructions. */
#include "tests/sim/helpers.h"

Test(exception, a_fault_is_taken_to_the_guest_vectors_and_its_eret_returns)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0);
    call_ok(s, "install_vectors", NULL, 0);
    uint64_t arg = HOLE_PAGE;
    /* the handler logs ESR/FAR/ELR, sets x0 = 0xdead and skips the load */
    cr_expect_eq(call_ok(s, "load_from", &arg, 1), 0xdeadu);
    uint64_t log = symbol_addr(s, "fault_log");
    uint64_t esr = mem64(s, log), far = mem64(s, log + 8), elr = mem64(s, log + 16);
    cr_expect_eq(esr >> 26, 0x25u, "EC: data abort from the current EL");
    cr_expect_eq(esr & 0x3F, MPU_FSC_TRANSLATION_L0, "no region: translation fault L0");
    cr_expect_eq(far, HOLE_PAGE);
    cr_expect_eq(elr, symbol_addr(s, "load_from") + 4);
    cr_expect_eq(mem64(s, log + 24), 1u, "one fault taken");
    cr_expect_eq(sim_stats(s)->faults_taken, 1u);
    cr_expect_eq(sim_stats(s)->faults_stopped, 0u);
    sim_free(s);
}

Test(exception, a_store_fault_taken_to_the_vectors_leaves_memory_unchanged)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0);
    call_ok(s, "install_vectors", NULL, 0);
    uint64_t args[2] = { RODATA_PAGE, 0xBBBB };
    cr_expect_eq(call_ok(s, "store_to", args, 2), 0xdeadu);
    cr_expect_eq(mem64(s, RODATA_PAGE), 0x1122334455667788ull);
    uint64_t log = symbol_addr(s, "fault_log");
    cr_expect_eq(mem64(s, log) >> 26, 0x25u);
    cr_expect_eq(mem64(s, log) & 0x3F, MPU_FSC_PERMISSION_L0);
    cr_expect_eq((mem64(s, log) >> 6) & 1, 1u, "WnR: a write");
    sim_free(s);
}

Test(exception, without_vectors_the_run_stops_with_a_report)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    call_ok(s, "setup_mpu", NULL, 0);
    uint64_t arg = HOLE_PAGE;
    struct sim_call_result r;
    cr_expect_eq(sim_call(s, "load_from", &arg, 1, &r, NULL), -1);
    cr_expect_eq(sim_last_stop(s)->kind, SIM_STOP_FAULT);
    sim_free(s);
}

Test(exception, an_undefined_instruction_stops_the_run)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    struct sim_call_result r;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(sim_call(s, "undefined_insn", NULL, 0, &r, &err), -1);
    cr_expect_eq(sim_last_stop(s)->kind, SIM_STOP_EXCEPTION);
    cr_expect_eq(sim_last_stop(s)->pc, symbol_addr(s, "undefined_insn"));
    cr_expect_neq(strstr(err.text, "undefined instruction"), NULL, "%s", err.text);
    sim_free(s);
}

struct console {
    char text[64];
    size_t n;
};

static void collect(void *opaque, const char *buf, size_t len)
{
    struct console *c = opaque;
    for (size_t i = 0; i < len && c->n + 1 < sizeof c->text; i++)
        c->text[c->n++] = buf[i];
    c->text[c->n] = '\0';
}

Test(exception, service_calls_write_the_console)
{
    struct console c = { "", 0 };
    struct sim_options o;
    sim_options_default(&o);
    o.on_console = collect;
    o.opaque = &c;
    struct sim *s = sim_new(&o, NULL);
    cr_assert_not_null(s);
    cr_assert_eq(sim_load_elf(s, BASIC_ELF, NULL), 0);
    cr_expect_eq(call_ok(s, "say_hi", NULL, 0), 0u);
    cr_expect_str_eq(c.text, "hi\n!");
    cr_expect_eq(sim_stats(s)->console_bytes, 4u);
    sim_free(s);
}

Test(exception, a_c_guest_prints_and_exits_with_its_code)
{
    struct console c = { "", 0 };
    struct sim_options o;
    sim_options_default(&o);
    o.on_console = collect;
    o.opaque = &c;
    struct sim *s = sim_new(&o, NULL);
    cr_assert_not_null(s);
    cr_assert_eq(sim_load_elf(s, HELLO_ELF, NULL), 0);
    struct sim_stop st;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(sim_run(s, sim_entry(s), NULL, 0, &st, &err), 0, "%s", err.text);
    cr_expect_eq(st.kind, SIM_STOP_EXIT);
    cr_expect_eq(st.exit_code, 3);
    cr_expect_str_eq(c.text, "hello from C\nbye\n");
    sim_free(s);
}
