/* sim/timing.c and sim/timing_core.c: cycle counts of short sequences, worked out by hand from
 * the default core (cores/cortex-r82.json; docs/timing.md has the rules), as nominal [min..max].
 *
 * Rules used below (default core): ALU result to an ALU reader 1 cycle, to a shifted operand 2,
 * to an address or branch 3; load result 3 to any reader; MADD accumulator to accumulator 2;
 * raw latencies (in-order writeback): ALU 3, load 3, MUL 4, branch 1, so an instruction may not
 * issue before (latest older writeback - its own latency); a correctly predicted taken branch
 * (the call's RET hits the return stack) lets the next instruction issue 1 + taken_bubble
 * [0, min 0, max 1] cycles later; a mispredict 1 + 8 [7..9]. A call's cycles run from the issue
 * of its first instruction (cycle 0) to the cycle the return target could issue. */
#include "tests/sim/helpers.h"

#include <criterion/parameterized.h>

#define TIMING_ELF "build/tests/guests/timing.elf"

static struct sim *timing_sim(void)
{
    struct sim_options o;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    sim_options_default(&o);
    o.timing = 1;
    struct sim *s = sim_new(&o, &err);
    cr_assert_not_null(s, "sim_new: %s", err.text);
    cr_assert_eq(sim_load_elf(s, TIMING_ELF, &err), 0, "%s", err.text);
    return s;
}

static struct sim_call_result timed_call(struct sim *s, const char *name, const uint64_t *args,
                                         unsigned nargs)
{
    struct sim_call_result r;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(sim_call(s, name, args, nargs, &r, &err), 0, "%s: %s", name, err.text);
    return r;
}

static void expect_cycles(struct sim_cycles c, uint64_t nominal, uint64_t min, uint64_t max,
                          const char *what)
{
    cr_expect_eq(c.nominal, nominal, "%s: nominal %llu, want %llu", what,
                 (unsigned long long)c.nominal, (unsigned long long)nominal);
    cr_expect_eq(c.min, min, "%s: min %llu, want %llu", what, (unsigned long long)c.min,
                 (unsigned long long)min);
    cr_expect_eq(c.max, max, "%s: max %llu, want %llu", what, (unsigned long long)c.max,
                 (unsigned long long)max);
}

Test(timing, dependent_alu_chain)
{
    /* add@0, add@1, add@2, add@3 (ALU->ALU 1); ret: last writeback 3+3 = 6, ret latency 1 ->
     * issues at 5; return predicted: next at 6 (+1 with the max taken bubble) */
    struct sim *s = timing_sim();
    uint64_t x = 0;
    struct sim_call_result r = timed_call(s, "alu_chain", &x, 1);
    cr_expect_eq(r.x0, 4u);
    cr_expect_eq(r.insns, 5u);
    expect_cycles(r.cycles, 6, 6, 7, "alu_chain");
    sim_free(s);
}

Test(timing, load_use)
{
    /* ldr@0; add@3 (load->ALU 3); add@4; ret: last writeback 4+3 = 7 -> 6; next 7 */
    struct sim *s = timing_sim();
    uint64_t a = symbol_addr(s, "scratch");
    struct sim_call_result r = timed_call(s, "load_use", &a, 1);
    cr_expect_eq(r.x0, 43u);
    expect_cycles(r.cycles, 7, 7, 8, "load_use");
    sim_free(s);
}

Test(timing, multiply_accumulate_chain)
{
    /* madd@0, madd@2, madd@4 (accumulator->accumulator 2); ret: writeback 4+4 = 8 -> 7; next 8 */
    struct sim *s = timing_sim();
    uint64_t args[3] = { 1, 2, 3 };
    struct sim_call_result r = timed_call(s, "madd_chain", args, 3);
    cr_expect_eq(r.x0, 19u);
    expect_cycles(r.cycles, 8, 8, 9, "madd_chain");
    sim_free(s);
}

Test(timing, taken_and_mispredicted_branches)
{
    /* Loop subs; b.ne (flags->branch 3): b.ne issues 3 after subs. Bimodal counter starts
     * weakly not-taken. First call, n = 3:
     *   it1 subs@0 b.ne@3 taken, predicted not taken: mispredict, next at 3+1+8 = 12 [11, 13]
     *   it2 subs@12 b.ne@15 taken, predicted taken: next at 16 [min 11+4 = 15, max 13+4+1 = 18]
     *   it3 subs@16 b.ne@19 not taken, predicted taken: next at 28 [15+3+8 = 26, 18+3+10 = 31]
     *   ret@28, next 29 [27, 33] */
    struct sim *s = timing_sim();
    uint64_t n = 3;
    struct sim_call_result r = timed_call(s, "count_down", &n, 1);
    cr_expect_eq(r.insns, 7u);
    expect_cycles(r.cycles, 29, 27, 33, "count_down, cold predictor");
    cr_expect_eq(sim_stats(s)->mispredicts, 2u);
    /* Second call: the counter is weakly taken. it1 b.ne@3 predicted: next 4 [4, 5];
     * it2 subs@4 b.ne@7: next 8 [8, 10]; it3 subs@8 b.ne@11 mispredicted: next 20 [19, 23];
     * ret@20: 21 [20, 25] */
    r = timed_call(s, "count_down", &n, 1);
    expect_cycles(r.cycles, 21, 20, 25, "count_down, warm predictor");
    cr_expect_eq(sim_stats(s)->mispredicts, 3u);
    sim_free(s);
}

Test(timing, msr_then_isb)
{
    /* msr PRSELR_EL2 issues at 0 alone, next at 0 + 4 [1..8]; isb waits, issues at 4 [1, 8],
     * next at +8 [6..12] = 12 [7, 20]; ret@12: 13 [8, 22] */
    struct sim *s = timing_sim();
    uint64_t sel = 0;
    struct sim_call_result r = timed_call(s, "msr_isb", &sel, 1);
    cr_expect_eq(r.insns, 3u);
    expect_cycles(r.cycles, 13, 8, 22, "msr; isb; ret");
    sim_free(s);
}

Test(timing, dsb_waits_for_the_stores_to_drain)
{
    /* str@0 (drained at 0+1+1 = 2), str@1 (one store per cycle; drained at 3); dsb alone,
     * after the drain: @3, next +4 = 7; ret@7: 8. min (drain 0, dsb 1): drained at 1, 2; dsb@2,
     * ret@3: 4. max (drain 2, dsb 10, bubble 1): drained at 3, 5; dsb@5; ret@15: 17 */
    struct sim *s = timing_sim();
    uint64_t a = symbol_addr(s, "scratch") + 16;
    struct sim_call_result r = timed_call(s, "dsb_stores", &a, 1);
    expect_cycles(r.cycles, 8, 4, 17, "str; str; dsb sy; ret");
    sim_free(s);
}

Test(timing, instructions_cut_off_by_a_fault_are_not_charged)
{
    struct sim *s = timing_sim();
    timed_call(s, "mpu_on", NULL, 0);
    uint64_t before = sim_stats(s)->timed_insns;
    cr_expect_eq(before, sim_stats(s)->insns, "every retired instruction is charged");
    uint64_t hole = symbol_addr(s, "hole");
    struct sim_call_result r;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(sim_call(s, "fault_mid", &hole, 1, &r, &err), -1);
    const struct sim_stop *st = sim_last_stop(s);
    cr_expect_eq(st->kind, SIM_STOP_FAULT);
    cr_expect_eq(st->insns, 1u, "only the first add retired");
    cr_expect_eq(sim_stats(s)->timed_insns - before, 1u, "the faulting ldr and after: not charged");
    expect_cycles(st->cycles, 1, 1, 1, "add@0, nothing after it");
    sim_free(s);
}

Test(timing, system_register_hooks_keep_the_count_exact)
{
    struct sim *s = timing_sim();
    timed_call(s, "mpu_on", NULL, 0);
    uint64_t sel = 1;
    timed_call(s, "msr_isb", &sel, 1);
    cr_expect_eq(sim_stats(s)->timed_insns, sim_stats(s)->insns);
    sim_free(s);
}

Test(timing, same_run_twice_same_cycles)
{
    struct sim_cycles got[2][4];
    for (int run = 0; run < 2; run++) {
        struct sim *s = timing_sim();
        uint64_t a = symbol_addr(s, "scratch");
        uint64_t n = 5, args[3] = { 1, 2, 3 };
        got[run][0] = timed_call(s, "count_down", &n, 1).cycles;
        got[run][1] = timed_call(s, "madd_chain", args, 3).cycles;
        got[run][2] = timed_call(s, "load_use", &a, 1).cycles;
        got[run][3] = timed_call(s, "count_down", &n, 1).cycles;
        sim_free(s);
    }
    for (int i = 0; i < 4; i++) {
        cr_expect_eq(got[0][i].nominal, got[1][i].nominal, "call %d", i);
        cr_expect_eq(got[0][i].min, got[1][i].min, "call %d", i);
        cr_expect_eq(got[0][i].max, got[1][i].max, "call %d", i);
    }
}

Test(timing, mm_guest_calls_are_timed_and_deterministic)
{
    uint64_t cyc[2] = { 0, 0 };
    for (int run = 0; run < 2; run++) {
        struct sim_options o;
        sim_options_default(&o);
        o.timing = 1;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        struct sim *s = sim_new(&o, &err);
        cr_assert_not_null(s, "%s", err.text);
        cr_assert_eq(sim_load_elf(s, MM_ELF, &err), 0, "%s", err.text);
        cr_assert_eq(sim_exempt_image(s, &err), 0);
        cr_assert_eq(sim_run(s, sim_entry(s), "guest_ready", 0, NULL, &err), 0, "%s", err.text);
        uint64_t init[2] = { 0, 0 };
        struct sim_call_result r = timed_call(s, "guest_init", init, 2);
        uint64_t args[3] = { 0x8000000, 0x8001000, 0 };
        r = timed_call(s, "guest_map", args, 3);
        cr_expect_gt(r.cycles.nominal, r.insns / 2, "dual issue at best");
        cr_expect_leq(r.cycles.min, r.cycles.nominal);
        cr_expect_leq(r.cycles.nominal, r.cycles.max);
        cyc[run] = r.cycles.nominal;
        cr_expect_eq(sim_stats(s)->timed_insns, sim_stats(s)->insns);
        sim_free(s);
    }
    cr_expect_eq(cyc[0], cyc[1]);
}

Test(timing, off_by_default_and_zero)
{
    struct sim *s = sim_for_test(TIMING_ELF, 16);
    uint64_t x = 0;
    struct sim_call_result r;
    cr_assert_eq(sim_call(s, "alu_chain", &x, 1, &r, NULL), 0);
    expect_cycles(r.cycles, 0, 0, 0, "timing off");
    cr_expect_eq(sim_stats(s)->timed_insns, 0u);
    sim_free(s);
}

Test(timing, not_with_bare)
{
    struct sim_options o;
    sim_options_default(&o);
    o.timing = 1;
    o.bare = 1;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_null(sim_new(&o, &err));
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
}

/* ---- straight-line blocks in a loop (no Unicorn; what bench/timing.c compares) ---- */

struct block_case {
    const char *name;
    uint32_t w[4];
    unsigned n;
    double nominal, min, max; /* cycles per iteration, steady state */
};

static const struct block_case blocks[] = {
    /* add x1, x1, #1 x4: 1 each */
    { "alu_chain", { 0x91000421, 0x91000421, 0x91000421, 0x91000421 }, 4, 4, 4, 4 },
    /* add x1, x9, #1 x4: independent, two per cycle */
    { "alu_indep", { 0x91000521, 0x91000521, 0x91000521, 0x91000521 }, 4, 2, 2, 2 },
    /* add x1, x2, x1, lsl #2 x4: ALU->shifted operand 2 */
    { "shift_chain", { 0x8b010841, 0x8b010841, 0x8b010841, 0x8b010841 }, 4, 8, 8, 8 },
    /* ldr x1, [x0]; add x2, x1, #1: the next ldr pairs with the add */
    { "load_use", { 0xf9400001, 0x91000422 }, 2, 3, 3, 3 },
    /* ldr x0, [x0] x4: load->address 3 */
    { "ptr_chase", { 0xf9400000, 0xf9400000, 0xf9400000, 0xf9400000 }, 4, 12, 12, 12 },
    /* mul x1, x1, x1 x4: MUL->MUL operand 3 */
    { "mul_chain", { 0x9b017c21, 0x9b017c21, 0x9b017c21, 0x9b017c21 }, 4, 12, 12, 12 },
    /* madd x1, x2, x3, x1 x4: accumulator 2 */
    { "madd_acc", { 0x9b030441, 0x9b030441, 0x9b030441, 0x9b030441 }, 4, 8, 8, 8 },
    /* udiv x1, x1, x2 x2: not pipelined, 8 [4..20] */
    { "udiv", { 0x9ac20821, 0x9ac20821 }, 2, 16, 8, 40 },
};

ParameterizedTestParameters(timing_block, cycles_per_iteration)
{
    return cr_make_param_array(struct block_case, blocks, sizeof blocks / sizeof blocks[0]);
}

ParameterizedTest(const struct block_case *c, timing_block, cycles_per_iteration)
{
    struct sim_core core;
    sim_core_default(&core);
    double cpi[SIM_TS_COUNT];
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(sim_timing_block(&core, c->w, c->n, 20, cpi, &err), 0, "%s", err.text);
    cr_expect_float_eq(cpi[SIM_TS_NOMINAL], c->nominal, 1e-9, "%s nominal %g", c->name,
                       cpi[SIM_TS_NOMINAL]);
    cr_expect_float_eq(cpi[SIM_TS_MIN], c->min, 1e-9, "%s min %g", c->name, cpi[SIM_TS_MIN]);
    cr_expect_float_eq(cpi[SIM_TS_MAX], c->max, 1e-9, "%s max %g", c->name, cpi[SIM_TS_MAX]);
}

Test(timing_block, a_core_with_min_above_nominal_is_refused)
{
    struct sim_core core;
    sim_core_default(&core);
    core.cls[SIM_TC_ISB].cost.v[SIM_TS_MIN] = 9;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(sim_core_check(&core, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect(strstr(err.text, "isb.cost") != NULL, "%s", err.text);
}
