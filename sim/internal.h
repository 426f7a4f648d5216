#ifndef MPUSIM_SIM_INTERNAL_H
#define MPUSIM_SIM_INTERNAL_H
/* Shared inside sim/: the engine's state and the functions one file offers the others. */
#include <stdio.h>
#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include "sim/sim.h"

#define SIM_PAGE 0x1000ull
#define SIM_MAX_SEGMENTS 16
#define SIM_MAX_STUBS 64
#define SIM_INSN_SIZE 4u
#define SIM_MAX_MAPPED (SIM_MAX_SEGMENTS + SIM_MAX_WINDOWS + SIM_MAX_DEVICES + 2)

/* A device window (sim_map_device): what Unicorn's MMIO callbacks get as their opaque. */
struct sim_devwin {
    struct sim *s;                /* the engine (back pointer) */
    uint64_t base, size;          /* the window [base, base + size) */
    struct sim_device dev;        /* the model's callbacks (copied) */
};

/* Loaded ELF (sim/elf.c). */
struct sim_elf {
    int loaded;                   /* 1 after sim_load_elf succeeded */
    char path[256];               /* as given, for messages */
    uint64_t entry;               /* e_entry */
    unsigned nseg;
    struct {
        uint64_t base, limit;     /* [base, limit) in memory (memsz) */
        unsigned flags;           /* PF_R/PF_W/PF_X */
    } seg[SIM_MAX_SEGMENTS];
    struct sim_symbol *sym;       /* owned; sorted by address (then name) */
    struct sim_symbol **by_name;  /* owned; the same symbols sorted by name */
    size_t nsym;
    char *names;                  /* owned: every symbol name, NUL-separated */
    int has_symtab;               /* 1: the file has a symbol table (0: stripped) */
    struct Dwarf *dwarf;          /* owned (libdw): the DWARF of the file; NULL: none */
    int dwarf_fd;                 /* owned: the file dwarf reads; -1: none */
};

/* EL2 registers kept in sim's state (the MPU ones, SCTLR_EL2, MAIR_EL2 and HCR_EL2 are in the
 * model). Indexes of enum sim_el2_reg; the table of encodings is in sim/el2.c. */
enum sim_el2_reg {
    EL2_VBAR, EL2_ESR, EL2_FAR, EL2_ELR, EL2_SPSR, EL2_TCR, EL2_VSCTLR, EL2_VTCR, EL2_VTTBR,
    EL2_VSTCR, EL2_TPIDR, EL2_CPTR, EL2_MDCR, EL2_HSTR, EL2_ACTLR, EL2_AFSR0, EL2_AFSR1,
    EL2_AMAIR, EL2_HPFAR, EL2_VPIDR, EL2_VMPIDR, EL2_SP_EL1, EL2_CNTHCTL, EL2_CNTVOFF,
    EL2_CONTEXTIDR, EL2_HACR,
    EL2_REG_COUNT,
};

enum sim_pending {
    PENDING_NONE,
    PENDING_FAULT,     /* an MPU fault was detected in a hook; PC went to the sentinel */
    PENDING_STOP,      /* stop requested (exit call, budget, exception); see stop */
    PENDING_STRADDLE,  /* a block is executable only up to straddle_far */
    PENDING_BUDGET,    /* a block would pass the budget: run budget_tail of it, then stop */
};

struct sim_stub {
    uint64_t addr;
    uint64_t value;
};

/* The engine. Heap-allocated by sim_new(). */
struct sim {
    struct sim_options opt;       /* as given */
    uc_engine *uc;                /* owned */
    struct mpu mpu;               /* the model */
    struct sim_elf elf;
    uint64_t el2[EL2_REG_COUNT];  /* EL2 state, enum sim_el2_reg */
    int vectors;                  /* 1 once the guest wrote VBAR_EL2 */
    uint64_t mmfr0;               /* ID_AA64MMFR0_EL1 as the guest reads it */
    struct sim_stub stub[SIM_MAX_STUBS];
    unsigned nstubs;
    struct { uint64_t base, limit; } exempt[SIM_MAX_EXEMPT]; /* [base, limit) not checked */
    unsigned nexempt;
    uint64_t call_sp;             /* SP at the start of a call */
    struct sim_devwin dev[SIM_MAX_DEVICES];
    unsigned ndev;
    struct {
        uint64_t base, limit;     /* [base, limit) mapped in Unicorn */
        char what[64];            /* "segment", "RAM window", "pl011", ... for messages */
    } mapped[SIM_MAX_MAPPED];
    unsigned nmapped;

    /* fast-path state of the current run (sim/mem.c) */
    int checking;                 /* SCTLR_EL2.M == 1 (mirrors the model) */
    uint64_t ok_lo[3], ok_hi[3];  /* per enum mpu_acc: [lo, hi] (inclusive) known allowed;
                                     empty when lo > hi; invalidated by any MPU write */
    uint64_t ex_lo[3], ex_hi[3];  /* per enum mpu_acc: [lo, hi] (inclusive), the exempt range
                                     the last exempt access fell in; empty when lo > hi; kept
                                     across MPU writes (exemption does not depend on them) */
    uint64_t blk_start, blk_end;  /* current translated block [start, end) */
    uint64_t adv_pc, adv_end;     /* a system-register hook moved PC to adv_pc inside the block
                                     ending at adv_end; 0: none (see sim_advance) */
    uint64_t insns;               /* instructions of the current run/call */
    uint64_t budget;              /* budget of the current run/call */

    /* a fault or stop detected inside a hook, handled by the run loop (sim/call.c) */
    enum sim_pending pending;
    struct sim_stop stop;         /* the stop being built / the last stop */
    uint64_t fault_pc;            /* instruction that faulted */
    uint8_t undo[64];             /* bytes a faulting store overwrote */
    uint64_t undo_addr;
    unsigned undo_len;            /* 0: nothing to undo */
    uint64_t straddle_far;        /* PENDING_STRADDLE: first non-executable byte */
    uint64_t straddle_block;      /* block start the straddle applies to */
    int straddle_running;         /* 1 while that block runs instruction-counted to the fault */
    uint64_t budget_block;        /* PENDING_BUDGET: [budget_block, budget_end): the block that */
    uint64_t budget_end;          /* passes the budget */
    uint64_t budget_tail;         /* PENDING_BUDGET: its instructions still within the budget */
    int budget_running;           /* 1 while those run instruction-counted (no budget check) */
    uint64_t last_vector;         /* vector entry of the last delivered fault (loop guard) */
    int fresh_vector;             /* 1 until the first block after a delivery passed */

    struct sim_stats stats;
    struct sim_timing *timing;    /* owned; NULL when the timing model is off */
    struct sim_board *board;      /* owned; NULL without a platform (sim/board.c) */
    struct sim_watchset *watch;   /* owned; NULL until the first sim_watch() (sim/watch.c) */
    struct sim_exec_state *exec;  /* owned; NULL unless opt.on_exec (sim/exec_report.c) */
};

/* sim/elf.c */
void sim_elf_fini(struct sim_elf *e);
const struct sim_symbol *sim_elf_find(const struct sim_elf *e, const char *name);
const struct sim_symbol *sim_elf_covering(const struct sim_elf *e, uint64_t addr);

/* sim/lines.c: DWARF line information (libdw). open: never fails (no DWARF, no lines). */
void sim_lines_open(struct sim_elf *e, const char *path);
void sim_lines_close(struct sim_elf *e);

/* sim/el2.c */
int sim_el2_install(struct sim *s, struct mpusim_error *err);
/* Count an access to a register nobody models (enc: MPU_ENC numbering). */
void sim_unknown(struct sim *s, unsigned enc, int is_write);
/* Name and encoding (MPU_ENC numbering) of an EL2 state register; NULL / 0 if none. */
const char *sim_el2_name(enum sim_el2_reg r);
unsigned sim_el2_encoding(enum sim_el2_reg r);
/* After any write to the model: refresh the check state and drop cached verdicts. */
void sim_mpu_changed(struct sim *s);
/* Write Unicorn's ELR_EL1 / SPSR_EL1 (the registers the guest's eret really uses). */
void sim_el2_mirror(struct sim *s);

/* sim/mem.c */
int sim_mem_install(struct sim *s, struct mpusim_error *err);
int sim_mem_map(struct sim *s, uint64_t base, uint64_t size, enum sim_window_kind kind,
                const char *what, struct mpusim_error *err);
/* From inside a hook, send the guest to new_pc. The instruction at addr ran (executed = 1)
 * or did not; the rest of the current block will not, and the instruction count is
 * corrected for it (the block hook counted the whole block). */
void sim_redirect(struct sim *s, uint64_t addr, int executed, uint64_t new_pc);
/* From a system-register hook: skip the instruction at pc (PC = pc + 4). Unicorn may or may
 * not end the translated block there (it does for registers it does not implement); the
 * block hook settles the instruction count when the next block starts. */
void sim_advance(struct sim *s, uint64_t pc);
/* The same to the sentinel, an exit of uc_emu_start: the run loop takes over. */
void sim_leave(struct sim *s, uint64_t addr, int executed);
/* Record a stop of kind k at pc and leave. */
void sim_stop_at(struct sim *s, enum sim_stop_kind k, uint64_t pc, int executed, const char *what);
int sim_exempted(const struct sim *s, uint64_t addr, uint64_t size);

/* sim/exception.c */
/* Take the pending fault (s->stop) to the guest's vectors: ESR/FAR/ELR/SPSR_EL2, PC. */
void sim_exception_enter(struct sim *s, uint64_t esr, uint64_t far, uint64_t elr);
/* Install the UC_HOOK_INTR handler (service calls, undefined instructions, BRK, SVC, SMC). */
int sim_exception_install(struct sim *s, struct mpusim_error *err);

/* sim/board.c: a platform's devices (sim/devices.h). Each returns 1 when it answered. */
int sim_board_sysreg_read(struct sim *s, unsigned enc, uint64_t *v);
int sim_board_sysreg_write(struct sim *s, unsigned enc, uint64_t v);
int sim_board_smc(struct sim *s, uint64_t pc); /* an SMC at pc: PSCI, or 0 without one */
void sim_board_free(struct sim *s);

/* sim/watch.c */
uint64_t sim_watch_trap(const struct sim *s);  /* the trap address, or 0 without watches */
/* The run loop stopped at the trap address: run the return hooks; 1 and *pc = where to go
 * on, or 0 when a hook asked to stop (s->stop filled) or the trap was not expected. */
int sim_watch_returned(struct sim *s, uint64_t *pc);
void sim_watch_free(struct sim *s);

/* sim/timing_core.c: decode and scoreboard of the timing model (no Unicorn). */
#define SIM_TREGS 33              /* X0..X30, SP (31), NZCV (32) */
#define SIM_TREG_SP 31
#define SIM_TREG_NZCV 32

enum sim_tbranch {
    TBR_NONE,          /* not a branch */
    TBR_COND,          /* B.cond, CBZ, CBNZ, TBZ, TBNZ */
    TBR_DIRECT,        /* B */
    TBR_CALL,          /* BL */
    TBR_RET,           /* RET */
    TBR_INDIRECT,      /* BR */
    TBR_INDIRECT_CALL, /* BLR */
};

/* One decoded instruction: what the scoreboard needs, nothing else. */
struct sim_tinsn {
    uint64_t rd[SIM_TR_COUNT];    /* registers read, bit = SIM_TREG numbering, per read kind */
    uint64_t wr;                  /* registers written with the class latency */
    uint64_t wr2;                 /* second destination of a pair load (lat_second) */
    uint64_t wrb;                 /* base register written back (SIM_TC_WRITEBACK latencies) */
    int32_t boff;                 /* TBR_COND/_DIRECT/_CALL: target - pc */
    uint8_t cls;                  /* enum sim_tclass */
    uint8_t br;                   /* enum sim_tbranch */
};

/* Decode n instruction words at pc into out[n]; undecodable words become ALU instructions
 * with no operands. 0, or -1 with err (capstone failure or memory). */
int sim_tdecode(csh cs, const uint32_t *words, size_t n, uint64_t pc, struct sim_tinsn *out,
                struct mpusim_error *err);
int sim_tdecode_open(csh *cs, struct mpusim_error *err);

/* One scoreboard: the state of the pipeline under one value set. All times in cycles. */
struct sim_sb {
    uint64_t ready[SIM_TREGS][SIM_TR_COUNT]; /* earliest issue of a reader of each kind */
    uint64_t cycle;               /* cycle of the current issue group */
    unsigned slots;               /* instructions issued in it */
    unsigned used[SIM_TU_COUNT];  /* per unit, in it */
    int closed;                   /* 1: nothing more issues in it (alone, taken branch) */
    uint64_t unit_free[SIM_TU_COUNT]; /* non-pipelined units: free from this cycle */
    uint64_t front;               /* earliest issue after a redirect, refill or serialiser */
    uint64_t last_wb;             /* latest writeback of an in-order instruction */
    uint64_t all_done;            /* every issued instruction complete */
    uint64_t store_done;          /* store buffer drained */
    uint64_t last_issue;          /* issue cycle of the last instruction */
    int any;                      /* 1 once something issued */
};

/* The model: three scoreboards (nominal, min, max) and one predictor. */
struct sim_tmodel {
    struct sim_core core;
    struct sim_sb sb[SIM_TS_COUNT];
    uint8_t pred[SIM_CORE_MAX_PRED];    /* bimodal 2-bit counters */
    uint64_t ras[SIM_CORE_MAX_RAS];     /* return stack (circular) */
    unsigned ras_top, ras_n;
    uint64_t btb[SIM_CORE_MAX_BTB];     /* last target per indirect branch */
    uint64_t mispredicts;               /* since init */
};

void sim_tmodel_init(struct sim_tmodel *m, const struct sim_core *core); /* predictor cold */
void sim_tmodel_reset(struct sim_tmodel *m); /* scoreboards drained, cycle 0; predictor kept */
void sim_tmodel_issue(struct sim_tmodel *m, const struct sim_tinsn *in);
/* The same, n instructions, on the scoreboard of value set k only. */
void sim_tmodel_issue_set(struct sim_tmodel *m, int k, const struct sim_tinsn *in, size_t n);
/* The branch just issued at pc went to target: predict, update, charge a redirect. */
/* The same in two steps: the predictor's verdict (predictor, return stack and targets
 * updated; enum sim_tredirect), then its effect on scoreboard k. */
enum sim_tredirect { SIM_TREDIR_NONE, SIM_TREDIR_TAKEN, SIM_TREDIR_MISPREDICT,
                     SIM_TREDIR_RET_MISPREDICT };
int sim_tmodel_predict(struct sim_tmodel *m, const struct sim_tinsn *in, uint64_t pc,
                       uint64_t target);
void sim_tsb_redirect(struct sim_sb *s, const struct sim_core *c, int k, int redirect);
void sim_tmodel_branch(struct sim_tmodel *m, const struct sim_tinsn *in, uint64_t pc,
                       uint64_t target);
void sim_tmodel_push_return(struct sim_tmodel *m, uint64_t addr);
/* Cycles since the reset: the cycle the next independent instruction could issue. */
void sim_tmodel_cycles(const struct sim_tmodel *m, struct sim_cycles *out);

/* sim/timing_memo.c: what a block does to a scoreboard, remembered by the scoreboard's state
 * relative to its cycle (exact: see the file). Between sim_tmemo_reset() and
 * sim_tmemo_materialise() the scoreboards m->sb[] may be stale: read them only after the
 * latter. Bounded: it starts afresh when full. */
struct sim_tmemo;
struct sim_tmemo *sim_tmemo_new(void);
void sim_tmemo_free(struct sim_tmemo *t);
/* sim_tmodel_reset(m) for a run or call that starts. */
void sim_tmemo_reset(struct sim_tmemo *t, struct sim_tmodel *m);
/* Cycles since the reset, as sim_tmodel_cycles() gives them, without materialising. */
void sim_tmemo_cycles(const struct sim_tmemo *t, const struct sim_tmodel *m,
                      struct sim_cycles *out);
/* Bring every scoreboard of m up to date. */
void sim_tmemo_materialise(struct sim_tmemo *t, struct sim_tmodel *m);
/* Block number id (n instructions in[], run to its end) issued on every scoreboard, then the
 * redirect its last branch caused (sim_tmodel_predict). */
void sim_tmemo_block(struct sim_tmemo *t, struct sim_tmodel *m, uint32_t id,
                     const struct sim_tinsn *in, uint32_t n, int redirect);

/* sim/timing.c: the model on the executed instructions (hooks, block cache). */
int sim_timing_new(struct sim *s, struct mpusim_error *err);
/* A translated block [addr, addr + size) is about to run: charge the one before it, look this
 * one up. Called first by sim/mem.c's block hook (one hook for both: Unicorn 2.0.1 calls a lone
 * block hook straight from the translated code, but dispatches two from its hook list). */
void sim_timing_enter_block(struct sim *s, uint64_t addr, uint32_t size);
void sim_timing_free(struct sim *s);
void sim_timing_begin(struct sim *s);               /* a run or call starts */
void sim_timing_stopped(struct sim *s, uint64_t pc); /* uc_emu_start returned with PC = pc */
void sim_timing_end(struct sim *s, uint64_t pc, struct sim_cycles *out); /* run or call over */

/* sim/exec_report.c: the execution report (opt.on_exec); each is called only when s->exec. */
int sim_exec_new(struct sim *s, struct mpusim_error *err);
void sim_exec_free(struct sim *s);
void sim_exec_begin(struct sim *s);  /* a run or call starts: report the harness's changes */
void sim_exec_end(struct sim *s);    /* it ended: report the last instruction */
void sim_exec_mem(struct sim *s, int write, uint64_t addr, unsigned size, uint64_t value);
void sim_exec_abort(struct sim *s);  /* the last access faulted */
void sim_exec_sysreg(struct sim *s, unsigned enc, uint64_t value);
void sim_exec_exception(struct sim *s, uint64_t vector);
/* Modelled nominal cycles since sim_new() up to the last charged block (timing on). */
uint64_t sim_timing_now(const struct sim *s);

/* Unicorn helpers */
static inline uint64_t sim_pc(struct sim *s)
{
    uint64_t pc = 0;
    uc_reg_read(s->uc, UC_ARM64_REG_PC, &pc);
    return pc;
}
static inline void sim_set_pc(struct sim *s, uint64_t pc)
{
    uc_reg_write(s->uc, UC_ARM64_REG_PC, &pc);
}

#endif
