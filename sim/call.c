/*
 * Running the guest: the run loop around uc_emu_start, runs from an address until a symbol,
 * calls of a symbol with AAPCS64 arguments that return through a sentinel address, the
 * instruction budget, and stubs.
 *
 * The loop: uc_emu_start stops at an exit address (the sentinel, and a run's until address).
 * Hooks that must stop the guest (a fault, the exit call, the budget, an undefined
 * instruction) record why in s->pending and send PC to the sentinel; the loop then undoes a
 * faulting store, takes the fault to the guest's vectors or ends the run with s->stop.
 * Instructions are counted per translated block by the block hook (sim/mem.c), corrected when
 * a hook leaves a block early; the budget is checked there too. uc_emu_start's own count
 * limit is not used for the budget (it counts through a code hook on every instruction, which
 * costs the whole run); instead, when a block would pass the budget, the hook leaves it before
 * it runs and the loop runs just the instructions of it that fit, instruction-counted, so a
 * runaway guest stops after exactly its budget.
 */
#include <string.h>

#include "sim/internal.h"

static void undo_store(struct sim *s)
{
    if (s->undo_len) {
        uc_mem_write(s->uc, s->undo_addr, s->undo, s->undo_len);
        s->stats.stores_undone++;
        s->undo_len = 0;
    }
}

/* Try to take the pending fault (s->stop) to the guest. Returns 1 if it did. */
static int take_fault(struct sim *s)
{
    if (!s->opt.deliver_faults || !s->vectors)
        return 0;
    if (s->fault_pc == s->last_vector) { /* the vector itself faults: do not loop */
        snprintf(s->stop.what, sizeof s->stop.what,
                 "fault at the exception vector 0x%llx while taking a fault",
                 (unsigned long long)s->fault_pc);
        return 0;
    }
    sim_set_pc(s, s->fault_pc);
    sim_exception_enter(s, s->stop.mpu.esr, s->stop.mpu.far, s->fault_pc);
    return 1;
}

/* Straddle, phase 2 is over: PC is at the first byte that cannot be fetched (or elsewhere
 * if the guest branched away). */
static void straddle_done(struct sim *s, uint64_t now)
{
    s->straddle_running = 0;
    if (now >= s->blk_start && now < s->blk_end) /* the count limit stopped mid-block */
        s->insns -= (s->blk_end - now) / SIM_INSN_SIZE;
    if (now != s->straddle_far) {
        s->pending = PENDING_NONE;
        return;
    }
    struct mpu_result r = mpu_check(&s->mpu, now, SIM_INSN_SIZE, MPU_ACC_EXEC, 2);
    s->stop.kind = SIM_STOP_FAULT;
    s->stop.pc = now;
    s->stop.acc = MPU_ACC_EXEC;
    s->stop.addr = now;
    s->stop.size = SIM_INSN_SIZE;
    s->stop.mpu = r;
    s->fault_pc = now;
    s->pending = r.fault == MPU_FAULT_NONE ? PENDING_NONE : PENDING_FAULT;
}

#define A64_WFI 0xD503207Fu

static int is_wfi(struct sim *s, uint64_t pc)
{
    uint32_t insn = 0;
    return uc_mem_read(s->uc, pc, &insn, sizeof insn) == UC_ERR_OK && insn == A64_WFI;
}

/* 1 if pc is one of the run's exit addresses (the sentinel, until, the watch trap). */
static int is_exit(const struct sim *s, uint64_t pc, const uint64_t *until, uint64_t trap)
{
    return pc == s->opt.sentinel || (until && pc == *until) || (trap && pc == trap);
}

/* Run from pc until an exit; fills s->stop. Returns 0 for returned/until/exit, else -1. */
static int run_loop(struct sim *s, uint64_t pc, const uint64_t *until, uint64_t budget)
{
    uint64_t trap = sim_watch_trap(s);
    uint64_t exits[3] = { s->opt.sentinel, until ? *until : s->opt.sentinel,
                          trap ? trap : s->opt.sentinel };
    uc_ctl_set_exits(s->uc, exits, 3);
    memset(&s->stop, 0, sizeof s->stop);
    s->insns = 0;
    s->budget = budget ? budget : s->opt.budget;
    s->pending = PENDING_NONE;
    s->straddle_running = 0;
    s->budget_running = 0;
    s->undo_len = 0;
    s->blk_start = s->blk_end = 0;
    s->adv_pc = 0;
    s->last_vector = UINT64_MAX;
    if (s->timing)
        sim_timing_begin(s);
    if (s->exec)
        sim_exec_begin(s); /* the arguments, LR and SP the harness set */
    for (;;) {
        uint64_t count = 0;
        if (s->pending == PENDING_STRADDLE) { /* phase 2: run up to the faulting byte */
            count = (s->straddle_far - s->straddle_block) / SIM_INSN_SIZE;
            s->straddle_running = 1;
        } else if (s->pending == PENDING_BUDGET) { /* the last instructions of the budget */
            count = s->budget_tail;
            s->budget_running = 1;
            /* a block translated before the count limit was set does not call the limit's
             * per-instruction hook: have it translated again */
            uc_ctl_remove_cache(s->uc, s->budget_block, s->budget_end);
        }
        s->pending = PENDING_NONE;
        uc_err e = uc_emu_start(s->uc, pc, 0, 0, count);
        uint64_t now = sim_pc(s);
        if (s->timing)
            sim_timing_stopped(s, now); /* a count-limited or failed run may stop mid-block */
        if (e != UC_ERR_OK) {
            if (s->pending != PENDING_STOP) {
                s->stop.kind = SIM_STOP_EXCEPTION;
                s->stop.pc = now;
                snprintf(s->stop.what, sizeof s->stop.what, "Unicorn: %s", uc_strerror(e));
            }
            break;
        }
        if (s->budget_running) {
            s->budget_running = 0;
            if (now >= s->blk_start && now < s->blk_end) /* the count stopped mid-block */
                s->insns -= (s->blk_end - now) / SIM_INSN_SIZE;
            if (s->pending == PENDING_NONE && !is_exit(s, now, until, trap)) {
                s->stop.kind = SIM_STOP_BUDGET;
                s->stop.pc = now;
                break;
            }
        }
        if (s->pending == PENDING_BUDGET) {
            pc = s->budget_block;
            continue;
        }
        if (s->straddle_running) {
            straddle_done(s, now);
            if (s->pending == PENDING_NONE) {
                pc = now;
                continue;
            }
        }
        if (s->pending == PENDING_STRADDLE) {
            pc = s->straddle_block;
            continue;
        }
        if (s->pending == PENDING_FAULT) {
            undo_store(s);
            if (take_fault(s)) {
                pc = sim_pc(s);
                continue;
            }
            s->stats.faults_stopped++;
            if (s->stop.what[0]) /* the vector loop guard spoke */
                s->stop.kind = SIM_STOP_EXCEPTION;
            sim_set_pc(s, s->fault_pc);
            break;
        }
        if (s->pending == PENDING_STOP) {
            if (s->stop.kind != SIM_STOP_EXIT)
                sim_set_pc(s, s->stop.pc);
            break;
        }
        /* reached an exit address by itself */
        s->stop.pc = now;
        if (until && now == *until) {
            s->stop.kind = SIM_STOP_UNTIL;
        } else if (now == s->opt.sentinel) {
            s->stop.kind = SIM_STOP_RETURNED;
        } else if (trap && now == trap) {
            if (sim_watch_returned(s, &pc))
                continue;
        } else if (is_wfi(s, now - SIM_INSN_SIZE)) {
            /* Unicorn ends the emulation after a WFI; no interrupt is ever delivered here,
             * so nothing can wake the PE: the guest is idle */
            s->stop.kind = SIM_STOP_IDLE;
            s->stop.pc = now - SIM_INSN_SIZE;
            snprintf(s->stop.what, sizeof s->stop.what,
                     "WFI with no interrupt that could wake the PE");
        } else {
            s->stop.kind = SIM_STOP_EXCEPTION;
            snprintf(s->stop.what, sizeof s->stop.what, "emulation stopped unexpectedly");
        }
        break;
    }
    if (s->exec)
        sim_exec_end(s);
    s->stop.insns = s->insns;
    s->stats.insns += s->insns;
    if (s->timing)
        sim_timing_end(s, sim_pc(s), &s->stop.cycles);
    return s->stop.kind == SIM_STOP_RETURNED || s->stop.kind == SIM_STOP_UNTIL ||
                   s->stop.kind == SIM_STOP_EXIT
               ? 0
               : -1;
}

/* One-line error text for a stop that is not a success. */
static int stop_error(struct sim *s, const char *name, struct mpusim_error *err)
{
    const struct sim_stop *st = &s->stop;
    char where[160];
    sim_symbolize(s, st->pc, where, sizeof where);
    switch (st->kind) {
    case SIM_STOP_BUDGET:
        return mpusim_error_set(err, MPUSIM_E_ENGINE,
                                "budget of %llu instructions exhausted in %s at %s (pc 0x%llx)",
                                (unsigned long long)s->budget, name, where,
                                (unsigned long long)st->pc);
    case SIM_STOP_FAULT:
        return mpusim_error_set(err, MPUSIM_E_ENGINE,
                                "MPU fault (%s) in %s: %s of %u bytes at 0x%llx by %s (pc 0x%llx)",
                                mpu_fault_name(st->mpu.fault), name,
                                st->acc == MPU_ACC_WRITE  ? "write"
                                : st->acc == MPU_ACC_READ ? "read"
                                                          : "instruction fetch",
                                st->size, (unsigned long long)st->addr, where,
                                (unsigned long long)st->pc);
    case SIM_STOP_EXIT:
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "guest exited with code %lld in %s at %s",
                                (long long)st->exit_code, name, where);
    case SIM_STOP_UNTIL:
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "%s stopped at its until address %s", name,
                                where);
    default:
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "%s in %s at %s (pc 0x%llx)",
                                st->what[0] ? st->what : sim_stop_kind_name(st->kind), name,
                                where, (unsigned long long)st->pc);
    }
}

int sim_run(struct sim *s, uint64_t pc, const char *until, uint64_t budget, struct sim_stop *out,
            struct mpusim_error *err)
{
    uint64_t until_addr = 0;
    if (until) {
        struct sim_symbol y;
        if (sim_symbol(s, until, &y, err) != 0) {
            if (out)
                memset(out, 0, sizeof *out);
            return -1;
        }
        until_addr = y.addr;
    }
    uint64_t lr = s->opt.sentinel;
    uc_reg_write(s->uc, UC_ARM64_REG_LR, &lr);
    if (s->call_sp)
        uc_reg_write(s->uc, UC_ARM64_REG_SP, &s->call_sp);
    s->stats.runs++;
    int rc = run_loop(s, pc, until ? &until_addr : NULL, budget);
    if (out)
        *out = s->stop;
    if (rc == 0 && s->stop.kind == SIM_STOP_UNTIL)
        uc_reg_read(s->uc, UC_ARM64_REG_SP, &s->call_sp); /* calls use the boot code's stack */
    if (rc != 0) {
        char name[160];
        snprintf(name, sizeof name, "the run from 0x%llx", (unsigned long long)pc);
        return stop_error(s, name, err);
    }
    return 0;
}

int sim_call_budget(struct sim *s, const char *name, const uint64_t *args, unsigned nargs,
                    uint64_t budget, struct sim_call_result *out, struct mpusim_error *err)
{
    struct sim_symbol y;
    if (nargs > SIM_MAX_ARGS)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "call of %s with %u arguments: at most %d",
                                name, nargs, SIM_MAX_ARGS);
    if (sim_symbol(s, name, &y, err) != 0)
        return -1;
    if (!s->call_sp)
        return mpusim_error_set(err, MPUSIM_E_RANGE,
                                "call of %s: no stack (give a stack window, or run boot code "
                                "that sets SP first)", name);
    for (unsigned i = 0; i < nargs; i++)
        uc_reg_write(s->uc, UC_ARM64_REG_X0 + (int)i, &args[i]);
    uint64_t lr = s->opt.sentinel;
    uc_reg_write(s->uc, UC_ARM64_REG_LR, &lr);
    uc_reg_write(s->uc, UC_ARM64_REG_SP, &s->call_sp);
    s->stats.calls++;
    if (run_loop(s, y.addr, NULL, budget) != 0 || s->stop.kind != SIM_STOP_RETURNED)
        return stop_error(s, name, err);
    uint64_t x0 = 0;
    uc_reg_read(s->uc, UC_ARM64_REG_X0, &x0);
    out->x0 = x0;
    out->insns = s->stop.insns;
    out->cycles = s->stop.cycles;
    return 0;
}

int sim_call(struct sim *s, const char *name, const uint64_t *args, unsigned nargs,
             struct sim_call_result *out, struct mpusim_error *err)
{
    return sim_call_budget(s, name, args, nargs, 0, out, err);
}

static void on_stub(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    (void)size;
    struct sim *s = opaque;
    for (unsigned i = 0; i < s->nstubs; i++)
        if (s->stub[i].addr == addr) {
            uint64_t lr = 0;
            uc_reg_write(uc, UC_ARM64_REG_X0, &s->stub[i].value);
            uc_reg_read(uc, UC_ARM64_REG_LR, &lr);
            s->stats.stub_calls++;
            sim_redirect(s, addr, 1, lr); /* counts as one instruction: the return */
            return;
        }
}

int sim_stub(struct sim *s, const char *name, uint64_t value, struct mpusim_error *err)
{
    struct sim_symbol y;
    if (sim_symbol(s, name, &y, err) != 0)
        return -1;
    for (unsigned i = 0; i < s->nstubs; i++)
        if (s->stub[i].addr == y.addr) { /* again: new value */
            s->stub[i].value = value;
            return 0;
        }
    if (s->nstubs == SIM_MAX_STUBS)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "more than %d stubs", SIM_MAX_STUBS);
    uc_hook h;
    uc_err e = uc_hook_add(s->uc, &h, UC_HOOK_CODE, (void *)on_stub, s, y.addr, y.addr);
    if (e == UC_ERR_OK) /* blocks translated before the hook existed do not call it */
        e = uc_ctl_remove_cache(s->uc, y.addr, y.addr + SIM_INSN_SIZE);
    if (e != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "stub for %s: %s", name, uc_strerror(e));
    s->stub[s->nstubs].addr = y.addr;
    s->stub[s->nstubs].value = value;
    s->nstubs++;
    return 0;
}
