#ifndef MPUSIM_SIM_SIM_H
#define MPUSIM_SIM_SIM_H
/*
 * The guest engine: an AArch64 ELF run in Unicorn 2.0.1 as if at EL2 of an Armv8-R PE, with
 * every MPU register and every checked access going to the MPU model (mpu_model/).
 * Reference: docs/unicorn.md; user documentation: docs/guest.md.
 *
 * Unicorn 2.0.1 runs AArch64 at EL1 only, so EL2 is virtualised on EL1 (sim/el2.c):
 * `mrs CurrentEL` reads 8; MRS/MSR of MPU registers, SCTLR_EL2, MAIR_EL2 and HCR_EL2 go to the
 * model; the other *_EL2 registers the guest uses live in struct sim's EL2 state; cache and
 * TLB maintenance are no-ops; registers nobody models read as zero, ignore writes and are
 * counted (struct sim_stats). When SCTLR_EL2.M = 1 every data access and every instruction
 * fetch is checked by the model (sim/mem.c). A fault is precise (a faulting store leaves
 * memory unchanged, a faulting load leaves its registers unchanged) and is taken to the
 * guest's vectors at VBAR_EL2 + 0x200 (or + 0x000 with SP_EL0) once the guest has written
 * VBAR_EL2; otherwise the run stops with a report (struct sim_stop, sim_stop_format()).
 *
 * Typical use (the guest engine of replay, `mpusim run`):
 *
 *     struct sim_options o; sim_options_default(&o); o.mpu.regions_el2 = 16;
 *     struct sim *s = sim_new(&o, &err);                 // Unicorn + model, nothing loaded
 *     sim_load_elf(s, "build/guest/mm.elf", &err);       // PT_LOAD segments, entry, symbols
 *     sim_stub(s, "printk", 0, &err);                    // optional, any number
 *     sim_run(s, sim_entry(s), "start_xen", 0, &st, &err); // boot code programs the MPU
 *     sim_call(s, "xen_mpumap_update", args, 3, &r, &err);  // r.x0, r.insns; once per event
 *     sim_mpu(s);                                        // the model: registers, counters
 *     sim_free(s);
 *
 * Errors: functions returning int give 0 on success and -1 with err set (MPUSIM_E_IO: file,
 * MPUSIM_E_PARSE: not a usable AArch64 ELF, MPUSIM_E_RANGE: unknown symbol or bad option,
 * MPUSIM_E_ENGINE: Unicorn failed, or the guest stopped abnormally: MPU fault with no
 * vectors, budget exhausted, undefined instruction, unmapped access). After a run or call,
 * sim_last_stop() tells what happened in full. Nothing here prints or exits.
 * Not thread-safe; one struct sim per thread. Runs are deterministic.
 */
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "mpu_model/mpu.h"

#define SIM_MAX_WINDOWS 8     /* RAM/device windows from options */
#define SIM_MAX_DEVICES 16    /* device models (sim_map_device) */
#define SIM_MAX_EXEMPT 4      /* address ranges exempt from MPU checks */
#define SIM_MAX_ARGS 8        /* integer arguments of a call (X0..X7, AAPCS64) */
#define SIM_MAX_UNKNOWN 32    /* distinct unmodelled registers remembered for the report */
#define SIM_DEFAULT_BUDGET 10000000ull /* instructions per run or call when 0 is given */
#define SIM_DEFAULT_STACK_BASE 0x7FF00000ull /* harness stack window when none is given */
#define SIM_DEFAULT_STACK_SIZE 0x10000ull
#define SIM_DEFAULT_SENTINEL 0xFFFFFFFF0000ull /* return address of calls; never mapped */

/* Guest service calls (docs/guest.md): `hvc #0` with the function number in X0. */
enum sim_hvc {
    SIM_HVC_EXIT = 0,    /* X1 = exit code: the run stops (SIM_STOP_EXIT) */
    SIM_HVC_PUTC = 1,    /* X1 = one character */
    SIM_HVC_WRITE = 2,   /* X1 = guest address of the bytes, X2 = length */
    SIM_HVC_LOG = 3,     /* X1 = message id, X2..X5 = four arguments (mm_guest_log) */
    SIM_HVC_CPU = 4,     /* X1 = CPU: the MPU the next register accesses reach (mm_guest_cpu;
                            sim_options.on_cpu swaps the model's state; cached verdicts drop) */
};

enum sim_window_kind {
    SIM_WINDOW_RAM,    /* zero-filled read/write memory */
    SIM_WINDOW_DEVICE, /* MMIO: reads return 0, writes are ignored; both counted */
};

struct sim_window {
    uint64_t base;             /* first byte; multiple of 4 KiB */
    uint64_t size;             /* bytes; multiple of 4 KiB, > 0 */
    enum sim_window_kind kind;
    const char *what;          /* names it in messages ("--ram 0x0:0x1000"; borrowed, used by
                                  sim_new only); NULL: "RAM window" / "device window" */
};

/* Guest console output (SIM_HVC_PUTC, SIM_HVC_WRITE): len bytes, not NUL-terminated. */
typedef void (*sim_console_fn)(void *opaque, const char *buf, size_t len);

/* ---- Device models (dispatch: sim/mem.c; models in their own files: sim/pl011.c) ----
 * A device is a pair of callbacks on a window of guest memory: every guest load or store in
 * [base, base + size) that the MPU allows reaches read or write with its offset from base. A
 * faulting access does not reach the device; host accesses (sim_mem_read/write) never do. */
struct sim_device {
    const char *name;   /* for messages and reports, e.g. "pl011" (borrowed) */
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);   /* size: 1, 2, 4 or 8 */
    void (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
    void *opaque;       /* borrowed: the device's state; must outlive the sim */
};

/* PrimeCell UART PL011 (Arm DDI 0183): data register writes go to a console; the flag
 * register reports an empty, idle transmitter and an empty receiver; the other registers
 * read back what was written; the identification registers read as a PL011 r1p5. State is
 * the caller's (no allocation); connect it with sim_map_device(s, base, SIM_PL011_SIZE,
 * &dev, err) where dev = sim_pl011_device(&uart). */
#define SIM_PL011_SIZE 0x1000ull
struct sim_pl011 {
    sim_console_fn out;       /* transmitted bytes, one call per byte; may be NULL (dropped) */
    void *opaque;             /* borrowed; passed to out */
    uint32_t reg[0x50 / 4];   /* registers 0x000..0x04c as last written (by word offset) */
    uint32_t ris;             /* raw interrupt status: TXRIS once a byte was sent, until ICR */
    uint64_t tx_bytes;        /* bytes written to the data register */
};
void sim_pl011_init(struct sim_pl011 *u, sim_console_fn out, void *opaque);
struct sim_device sim_pl011_device(struct sim_pl011 *u);
/* 1 while the UART's combined interrupt (UARTINTR = RIS & IMSC != 0) is asserted. */
int sim_pl011_irq(const struct sim_pl011 *u);
/* Guest log call (SIM_HVC_LOG): id and the four arguments as the guest passed them. */
typedef void (*sim_log_fn)(void *opaque, uint64_t id, const uint64_t arg[4]);

/* ---- Timing (sim/timing.c, sim/timing_core.c; docs/timing.md) ----
 * A cycle-approximate model of an in-order, dual-issue Cortex-R82-like core, run on the
 * instructions the guest really executes. Every cost comes from a core description
 * (struct sim_core: the built-in default equals cores/cortex-r82.json; other files are read by
 * sim_core_read_file(), sim/core_file.c). Each number has three values: nominal, min and
 * max; the model runs three scoreboards at once, one per value set, so every cycle count comes
 * as nominal [min..max]. */

/* Cycles of one run or call under the nominal, all-min and all-max cost sets. */
struct sim_cycles {
    uint64_t nominal, min, max;
};

/* Instruction classes of the timing model. */
enum sim_tclass {
    SIM_TC_ALU,          /* integer ALU, moves, bitfield, conditional select, ADR/ADRP */
    SIM_TC_MUL,          /* MUL/MADD/MSUB/[SU]MULL/[SU]MADDL/[SU]MULH */
    SIM_TC_DIV,          /* SDIV/UDIV */
    SIM_TC_LOAD,         /* loads with an immediate offset (incl. pre/post-index, exclusive) */
    SIM_TC_LOAD_REGOFF,  /* loads with a register offset */
    SIM_TC_LOAD_PAIR,    /* LDP/LDNP/LDXP/LDAXP */
    SIM_TC_STORE,        /* stores */
    SIM_TC_STORE_PAIR,   /* STP/STNP/STXP/STLXP */
    SIM_TC_WRITEBACK,    /* the base-register update of a pre/post-indexed load or store */
    SIM_TC_BRANCH,       /* B, BL, B.cond, CBZ, TBZ, BR, BLR, RET */
    SIM_TC_NOP,          /* NOP and the other hints (YIELD, WFE, WFI, SEV, ...) */
    SIM_TC_MSR_MPU,      /* MSR to PRSELR/PRBAR/PRLAR/PRBARn/PRLARn/PRENR (EL1 or EL2) */
    SIM_TC_MSR_SYSREG,   /* MSR to any other system register, MSR (immediate) to PSTATE */
    SIM_TC_MRS_MPU,      /* MRS from an MPU register */
    SIM_TC_MRS_SYSREG,   /* MRS from any other system register */
    SIM_TC_ISB,
    SIM_TC_DSB,
    SIM_TC_DMB,
    SIM_TC_SYS_MAINT,    /* SYS/SYSL: DC, IC, TLBI, AT */
    SIM_TC_ERET,
    SIM_TC_EXCEPTION,    /* SVC, HVC, SMC, BRK (the call itself; entry is not modelled) */
    SIM_TC_COUNT,
};

/* Execution units. */
enum sim_tunit { SIM_TU_ALU, SIM_TU_MAC, SIM_TU_DIV, SIM_TU_LOAD, SIM_TU_STORE, SIM_TU_BRANCH,
                 SIM_TU_SYS, SIM_TU_COUNT };

/* How a consumer reads a source register: the producer's effective latency depends on it. */
enum sim_tread {
    SIM_TR_ALU,    /* plain ALU operand */
    SIM_TR_SHIFT,  /* shifted or extended register operand */
    SIM_TR_MAC,    /* multiply operand */
    SIM_TR_ACC,    /* multiply-accumulate accumulator */
    SIM_TR_ADDR,   /* load/store base or index */
    SIM_TR_OTHER,  /* store data, flags, branch operands, system-register writes: the raw
                      latency (struct sim_tclass_cost.lat) */
    SIM_TR_COUNT,
};

enum sim_tset { SIM_TS_NOMINAL, SIM_TS_MIN, SIM_TS_MAX, SIM_TS_COUNT };

/* One number of the core description under the three value sets (all equal unless guessed). */
struct sim_tnum {
    uint32_t v[SIM_TS_COUNT]; /* cycles: [SIM_TS_NOMINAL], [SIM_TS_MIN], [SIM_TS_MAX] */
};

struct sim_tclass_cost {
    enum sim_tunit unit;        /* unit it issues to */
    struct sim_tnum occupancy;  /* cycles the unit stays busy (1: pipelined) */
    struct sim_tnum lat;        /* raw result latency: issue to writeback; SIM_TR_OTHER readers */
    struct sim_tnum lat_to[SIM_TR_OTHER]; /* effective latency to each other kind of reader */
    struct sim_tnum lat_second; /* second destination of a pair load */
    struct sim_tnum cost;       /* serialising classes: issue to the next issue, in cycles */
    int serialize;              /* 1: waits for every older instruction, issues alone */
    int drain_stores;           /* 1: also waits until the store buffer has drained */
    int retire_ooo;             /* 1: exempt from the in-order writeback rule (stores) */
};

enum sim_predictor {
    SIM_PRED_BIMODAL,  /* 2-bit counters indexed by PC, initialised weakly not-taken */
    SIM_PRED_BTFN,     /* static: backward taken, forward not taken */
};

#define SIM_CORE_MAX_PRED 4096  /* bimodal counters at most */
#define SIM_CORE_MAX_RAS 64     /* return-stack entries at most */
#define SIM_CORE_MAX_BTB 1024   /* indirect-target entries at most */

/* A core description. sim_core_default() gives the built-in Cortex-R82-like profile. */
struct sim_core {
    char name[64];              /* e.g. "cortex-r82-like" */
    char version[32];
    unsigned issue_width;       /* instructions per cycle at most */
    unsigned units[SIM_TU_COUNT]; /* instructions per cycle per unit */
    int in_order_writeback;     /* 1: an instruction may not write back before an older one
                                   (except retire_ooo classes), as LLVM's in-order model */
    struct sim_tclass_cost cls[SIM_TC_COUNT];
    struct sim_tnum taken_bubble;   /* extra cycles after a correctly predicted taken branch */
    struct sim_tnum mispredict;     /* cycles lost on a mispredicted branch */
    struct sim_tnum ret_mispredict; /* cycles lost on a return-stack miss */
    struct sim_tnum store_drain;    /* cycles per store to drain the store buffer */
    enum sim_predictor predictor;
    unsigned pred_entries;      /* bimodal counters: power of 2, <= SIM_CORE_MAX_PRED */
    unsigned ras_depth;         /* return stack entries, 1..SIM_CORE_MAX_RAS */
    unsigned btb_entries;       /* indirect-branch targets: power of 2, <= SIM_CORE_MAX_BTB */
};

/* The built-in Cortex-R82-like core (the numbers of cores/cortex-r82.json). */
void sim_core_default(struct sim_core *c);
/* Check a core for consistency (units, widths, min <= nominal <= max, sizes). 0 or -1 with err
 * MPUSIM_E_RANGE naming the field. */
int sim_core_check(const struct sim_core *c, struct mpusim_error *err);
/**
 * sim_core_read_file - read and check a core file (format: sim/core_file.c, docs/timing.md)
 * @path: borrowed; @out: written on success only
 * Returns 0, or -1 with err: MPUSIM_E_IO (cannot open), MPUSIM_E_PARSE (not JSON, with line
 * and column; a field of the wrong type), MPUSIM_E_RANGE (a missing class or field, an unknown
 * name, min > nominal, ...), the message naming the field ("classes.isb.cost: ...").
 */
int sim_core_read_file(const char *path, struct sim_core *out, struct mpusim_error *err);
/* Names: "alu", "mul", ... (the keys of the core file); NULL for out-of-range values. */
const char *sim_tclass_name(enum sim_tclass c);
const char *sim_tunit_name(enum sim_tunit u);
const char *sim_tread_name(enum sim_tread r);

/**
 * sim_timing_block - cycles per iteration of a straight-line block run in a loop, from a
 * cold scoreboard, with branch outcomes ignored (as llvm-mca sees a block; bench/timing.c)
 * @core:  the costs (borrowed)
 * @insns: n A64 instruction words; @iters: iterations (>= 3)
 * @cpi:   out, per value set: (issue cycle of the first instruction of the last iteration -
 *         that of the second) / (iters - 2): steady state, no warm-up; written on success
 * Returns 0, or -1 with err (MPUSIM_E_PARSE: an instruction capstone cannot decode,
 * MPUSIM_E_ENGINE: capstone failed or memory is short).
 */
int sim_timing_block(const struct sim_core *core, const uint32_t *insns, size_t n,
                     unsigned iters, double cpi[SIM_TS_COUNT], struct mpusim_error *err);

/* ---- Execution report (sim/exec_report.c): what an execution trace (Tarmac export,
 * docs/capture.md) needs, one record per executed instruction, after it completed. Off (no
 * hook, one NULL test per data access and system-register write) unless on_exec is set. */
#define SIM_EXEC_MAX_MEM 8 /* data accesses per instruction kept (LDP/STP: 2); more are counted */
#define SIM_EXEC_MAX_SYS 2 /* system-register writes per instruction */
#define SIM_EXEC_NZCV 32   /* regs[].reg of the flags (reported with the mode as CPSR) */

struct sim_exec {
    int has_insn;            /* 0: changes the harness made before a run or call (arguments,
                                LR = the sentinel, SP): registers only */
    uint64_t index;          /* instructions reported before this one, since sim_new() */
    uint64_t cycles;         /* timing on: modelled nominal cycles since sim_new() when the
                                instruction's translated block began; else 0 */
    uint64_t pc;
    uint32_t enc;            /* the instruction word */
    const char *disasm;      /* capstone's text ("msr prselr_el2, x1"); borrowed for the call */
    const struct mpu *mpu;   /* the model (borrowed), e.g. for MPUIR_EL2 */
    unsigned nregs;          /* general registers it changed, ascending */
    struct {
        unsigned reg;        /* 0..30 X0..X30, 31 SP, SIM_EXEC_NZCV flags */
        uint64_t value;      /* new value; flags: CPSR as the guest sees it (mode EL2h/t) */
    } regs[33];
    unsigned nsys;           /* system-register writes (MSR) sim took */
    struct {
        unsigned enc;        /* MPU_ENC numbering */
        const char *name;    /* architectural name, or NULL when sim has none (S3_...) */
        uint64_t value;
    } sys[SIM_EXEC_MAX_SYS];
    unsigned nmem;           /* data accesses, in order */
    struct {
        int write;
        int aborted;         /* an MPU fault stopped it: nothing was read or written */
        unsigned size;       /* bytes */
        uint64_t addr;
        uint64_t value;      /* data read or written (sizes up to 8; little-endian) */
    } mem[SIM_EXEC_MAX_MEM];
    int exception;           /* 1: an exception was taken after it (to the EL2 vectors) */
    uint64_t vector, esr, far, elr, spsr; /* exception: where it went, and the registers */
};
typedef void (*sim_exec_fn)(void *opaque, const struct sim_exec *e);

struct sim_options {
    struct mpu_config mpu;       /* the model sim creates (region counts, FSC model) */
    uint64_t stack_base;         /* harness stack window, first byte (4 KiB aligned) */
    uint64_t stack_size;         /* bytes; 0: no stack window (the guest's own SP is used) */
    struct sim_window window[SIM_MAX_WINDOWS]; /* extra RAM/device windows */
    unsigned nwindows;
    uint64_t budget;             /* default instructions per run/call; 0: SIM_DEFAULT_BUDGET */
    int deliver_faults;          /* 1: take faults to the guest's vectors once VBAR_EL2 was
                                    written; 0: always stop with a report */
    uint64_t sentinel;           /* return address of calls (4 KiB aligned, not mapped by the
                                    ELF or a window; fetching it is never checked) */
    int bare;                    /* benchmark baseline: install no hook at all (no EL2, no
                                    checks, no counting, no budget, no stubs): bare Unicorn */
    int timing;                  /* 1: run the timing model; every run and call reports
                                    cycles (struct sim_cycles); 0: no cost at all */
    const struct sim_core *core; /* timing costs; NULL: sim_core_default(). Copied by
                                    sim_new() */
    sim_console_fn on_console;   /* may be NULL: output is dropped (still counted) */
    sim_log_fn on_log;           /* may be NULL: log calls are counted only */
    void (*on_cpu)(void *opaque, uint64_t cpu); /* SIM_HVC_CPU; may be NULL: ignored */
    sim_exec_fn on_exec;         /* may be NULL (off); struct sim_exec, every instruction */
    void *exec_opaque;           /* borrowed; passed to on_exec */
    void *opaque;                /* borrowed; passed to the callbacks */
};

/* Defaults: 16 + 16 regions, FSC translation, stack window at SIM_DEFAULT_STACK_BASE, no other
 * windows, SIM_DEFAULT_BUDGET, deliver_faults = 1, SIM_DEFAULT_SENTINEL, no callbacks. */
void sim_options_default(struct sim_options *o);

/* A symbol of the loaded ELF (STT_FUNC or STT_OBJECT with a name). */
struct sim_symbol {
    const char *name;  /* borrowed from the sim: valid until sim_free() */
    uint64_t addr;     /* st_value */
    uint64_t size;     /* st_size in bytes (0 when the ELF gives none) */
    int is_func;       /* 1 for STT_FUNC, 0 for STT_OBJECT */
};

enum sim_stop_kind {
    SIM_STOP_NONE,      /* nothing ran yet */
    SIM_STOP_RETURNED,  /* a call returned to the sentinel */
    SIM_STOP_UNTIL,     /* a run reached its until address */
    SIM_STOP_EXIT,      /* the guest made the exit call (SIM_HVC_EXIT) */
    SIM_STOP_FAULT,     /* MPU fault that could not be taken to guest vectors */
    SIM_STOP_BUDGET,    /* instruction budget exhausted */
    SIM_STOP_EXCEPTION, /* undefined instruction, BRK, SVC/SMC, unmapped access, fault loop */
    SIM_STOP_IDLE,      /* WFI with nothing that could wake the PE (what: how it was seen) */
    SIM_STOP_POWER,     /* PSCI SYSTEM_OFF, SYSTEM_RESET or CPU_OFF (what: which) */
    SIM_STOP_PANIC,     /* the guest panicked or hit a BUG (what: which, and where) */
    SIM_STOP_KIND_COUNT,
};

/* What ended the last run or call. */
struct sim_stop {
    enum sim_stop_kind kind;
    uint64_t pc;              /* PC when it stopped: the faulting or offending instruction,
                                 the until address, or the sentinel */
    uint64_t insns;           /* instructions executed by this run/call */
    struct sim_cycles cycles; /* timing on: cycles of this run/call (docs/timing.md); else 0 */
    int64_t exit_code;        /* SIM_STOP_EXIT: X1 of the exit call */
    /* SIM_STOP_FAULT (and, for the record, the last fault taken to vectors): */
    enum mpu_acc acc;         /* MPU_ACC_READ, _WRITE or _EXEC */
    uint64_t addr;            /* first byte of the access */
    unsigned size;            /* access size in bytes (block size for fetches) */
    struct mpu_result mpu;    /* the model's verdict: cause, regions, ESR, FAR */
    char what[128];           /* SIM_STOP_EXCEPTION: what happened ("undefined instruction") */
};

/* Register the guest touched that nobody models (read as zero, writes ignored). */
struct sim_unknown_reg {
    unsigned enc;             /* op0:op1:CRn:CRm:op2 (MPU_ENC numbering) */
    uint64_t reads, writes;
};

struct sim_stats {
    uint64_t insns;           /* instructions executed in total */
    uint64_t runs, calls;     /* sim_run / sim_call invocations */
    uint64_t sysreg_reads;    /* MRS handled by sim (model + EL2 state + unknown) */
    uint64_t sysreg_writes;   /* MSR handled by sim */
    uint64_t cache_ops;       /* DC/IC maintenance (no-ops) */
    uint64_t tlb_ops;         /* TLBI (no-ops) */
    uint64_t fetch_checks;    /* translated blocks checked for execution */
    uint64_t data_checks;     /* loads and stores checked (including cached verdicts) */
    uint64_t faults_taken;    /* faults delivered to guest vectors */
    uint64_t faults_stopped;  /* faults that stopped the run */
    uint64_t stores_undone;   /* faulting stores whose bytes were restored */
    uint64_t hvc_calls;       /* service calls */
    uint64_t console_bytes;   /* bytes written by the guest console */
    uint64_t device_reads, device_writes; /* accesses to device windows */
    uint64_t stub_calls;      /* calls answered by a stub */
    uint64_t unknown_reads, unknown_writes; /* unmodelled registers, all together */
    uint64_t timed_insns;     /* timing on: instructions charged (retired) */
    uint64_t timed_blocks;    /* timing on: distinct blocks decoded */
    uint64_t mispredicts;     /* timing on: mispredicted branches (nominal) */
    uint64_t exec_mem_dropped; /* on_exec: data accesses beyond SIM_EXEC_MAX_MEM in one insn */
    struct sim_cycles cycles; /* timing on: sum over runs and calls */
    unsigned nunknown;        /* entries in unknown[] (capacity SIM_MAX_UNKNOWN; the totals
                                 above also count registers that did not fit) */
    struct sim_unknown_reg unknown[SIM_MAX_UNKNOWN];
};

struct sim;

/**
 * sim_new - open Unicorn (UC_CPU_ARM64_MAX), create the model, install the hooks
 * @opt: copied; callbacks and opaque are borrowed and must outlive the sim
 * Returns a new sim (free with sim_free()), or NULL with err set (MPUSIM_E_RANGE for bad
 * options, MPUSIM_E_ENGINE when Unicorn fails or memory is short).
 */
struct sim *sim_new(const struct sim_options *opt, struct mpusim_error *err);
void sim_free(struct sim *s); /* s may be NULL */

/**
 * sim_load_elf - load an AArch64 ELF64 executable: map and fill its PT_LOAD segments (bss
 * zeroed), remember its entry point and its function and object symbols. Once per sim.
 * @path: borrowed. Errors: MPUSIM_E_IO (cannot open/read), MPUSIM_E_PARSE (not ELF, truncated,
 * not ELF64 little-endian, e_machine not AArch64, no PT_LOAD, segment overlapping a window or
 * the sentinel), each message naming the file. After a failure the sim may hold part of the
 * image: free it.
 */
int sim_load_elf(struct sim *s, const char *path, struct mpusim_error *err);

/* Entry point of the loaded ELF (0 before sim_load_elf). */
uint64_t sim_entry(const struct sim *s);
/* Look a symbol up by name. Returns 0 and fills *out, or -1 with err MPUSIM_E_RANGE
 * ("no symbol 'x' in file"). */
int sim_symbol(const struct sim *s, const char *name, struct sim_symbol *out,
               struct mpusim_error *err);
/* A member of a global variable, from the ELF's DWARF (sim/members.c). */
struct sim_member {
    uint64_t offset;   /* bytes from the variable's address to the member */
    uint64_t size;     /* bytes of the member's type */
    int scalar;        /* 1: an integer, enum or pointer */
    int is_signed;     /* 1: a signed integer or character, or an enum over one */
};
/* The member path ("used", "z.last_thread": dotted, through nested and anonymous structs and
 * unions; "" is the variable itself) of variable var (the DWARF variable at var->addr, else the
 * first of its name). -1 with err MPUSIM_E_RANGE naming the file: no DWARF, no such variable or
 * member, a bit-field. */
int sim_member(const struct sim *s, const struct sim_symbol *var, const char *path,
               struct sim_member *out, struct mpusim_error *err);
/* Write "name+0x1c" (or "name", or "0x..." when no symbol covers addr) into buf (capacity cap,
 * always NUL-terminated). Returns buf. */
char *sim_symbolize(const struct sim *s, uint64_t addr, char *buf, size_t cap);

/**
 * sim_stub - answer every call of symbol name with X0 = value without running its body
 * (the stub returns to LR). Call before running. Errors: MPUSIM_E_RANGE (no such symbol).
 */
int sim_stub(struct sim *s, const char *name, uint64_t value, struct mpusim_error *err);

/**
 * sim_exempt - exclude [base, limit) from MPU checks (data and fetch). For harness images
 * whose own code and data are not part of the system being modelled (our guest/mm.elf).
 * At most SIM_MAX_EXEMPT ranges. sim_exempt_image() exempts every PT_LOAD segment and the
 * harness stack window.
 */
int sim_exempt(struct sim *s, uint64_t base, uint64_t limit, struct mpusim_error *err);
int sim_exempt_image(struct sim *s, struct mpusim_error *err);

/**
 * sim_run - run the guest from pc until it reaches the address of symbol until (NULL: no until
 * address: until it exits through SIM_HVC_EXIT or returns to the sentinel, which LR holds)
 * @budget: instructions at most; 0: the default budget
 * @out:    written always (may be NULL); also kept for sim_last_stop()
 * Returns 0 when the run reached until, exited or returned; -1 otherwise, with err
 * MPUSIM_E_ENGINE and a one-line text (the full report: sim_stop_format()).
 * After a run that reached until, the guest's SP becomes the SP of later calls, so boot code
 * that sets up its own stack serves the calls (no harness stack needed).
 */
int sim_run(struct sim *s, uint64_t pc, const char *until, uint64_t budget, struct sim_stop *out,
            struct mpusim_error *err);

struct sim_call_result {
    uint64_t x0;      /* X0 at return (raw 64 bits; see sim_sext32 for a C int) */
    uint64_t insns;   /* instructions executed by the call (a stubbed call counts 1) */
    struct sim_cycles cycles; /* timing on: issue of the first instruction to the issue
                                 the return target could have; else all 0 */
};

/**
 * sim_call - call symbol name with nargs (<= SIM_MAX_ARGS) integer arguments in X0..X7
 * (AAPCS64), LR = the sentinel, SP = the call stack (harness stack top, or the SP a run left,
 * see sim_run), with the default budget (sim_call_budget() for another).
 * @out: written on success
 * Returns 0 when the function returned; -1 with err otherwise: MPUSIM_E_RANGE for an unknown
 * symbol, MPUSIM_E_ENGINE when the guest stopped another way ("budget of N instructions
 * exhausted in xen_mpumap_update at xen_mpumap_update+0x40 (0x2a4c0)", an MPU fault, ...).
 */
int sim_call(struct sim *s, const char *name, const uint64_t *args, unsigned nargs,
             struct sim_call_result *out, struct mpusim_error *err);
int sim_call_budget(struct sim *s, const char *name, const uint64_t *args, unsigned nargs,
                    uint64_t budget, struct sim_call_result *out, struct mpusim_error *err);

/* Sign-extend W0 (a C int return value) to 64 bits. */
static inline int64_t sim_sext32(uint64_t x0) { return (int64_t)(int32_t)(uint32_t)x0; }

/**
 * sim_map_device - map [base, base + size) as the window of a device model
 * @base, @size: multiples of 4 KiB, size > 0; @dev: copied (its opaque is borrowed)
 * Returns 0, or -1 with err MPUSIM_E_RANGE when the window overlaps memory already mapped
 * (the ELF, the stack, another window or device: the message names it) or is misaligned, or
 * when more than SIM_MAX_DEVICES are mapped.
 */
int sim_map_device(struct sim *s, uint64_t base, uint64_t size, const struct sim_device *dev,
                   struct mpusim_error *err);

/* ---- Call watches (sim/watch.c) ----
 * Entry and return hooks on a function symbol, however the call is reached (a direct BL, a
 * tail call, a call through a pointer). At entry the return address (X30) is replaced by a
 * trap address that is never mapped (the sentinel + 4); when the function returns there, the
 * return hook runs and execution goes on at the caller's real return address. Nested calls
 * (watched functions calling each other) are tracked on a stack of SIM_WATCH_DEPTH frames; a
 * call deeper than that is reported at entry only. A guest that reads its own X30 inside a
 * watched function sees the trap address. */
#define SIM_MAX_WATCHES 16
#define SIM_WATCH_DEPTH 64
#define SIM_WATCH_TRAP_OFFSET 4 /* trap address = sentinel + 4 */

struct sim_watch_call {
    const char *symbol;          /* the watched symbol (borrowed from the sim) */
    unsigned id;                 /* the watch (0.. in sim_watch() order) */
    unsigned depth;              /* watched calls active around this one (0: outermost) */
    uint64_t args[SIM_MAX_ARGS]; /* X0..X7 at entry */
    uint64_t lr;                 /* the caller's return address */
    uint64_t fp;                 /* X29 at entry: the caller's frame record */
    uint64_t x0;                 /* return hook: X0 at return */
    uint64_t insns;              /* return hook: instructions from entry to return */
};
/* is_return: 0 at entry, 1 at return. The callback may call sim_watch_stop(). */
typedef void (*sim_watch_fn)(void *opaque, struct sim *s, int is_return,
                             const struct sim_watch_call *c);

/**
 * sim_watch - call fn at every entry of symbol name and, with want_return, at its return
 * @fn, @opaque: borrowed; must outlive the sim. Call before running; at most SIM_MAX_WATCHES.
 * Returns 0, or -1 with err (MPUSIM_E_RANGE: no such symbol, its address already watched,
 * too many watches).
 */
int sim_watch(struct sim *s, const char *name, int want_return, sim_watch_fn fn, void *opaque,
              struct mpusim_error *err);
/* From a watch callback: end the run now with a stop of this kind (SIM_STOP_PANIC, ...) and
 * what as its text. At an entry, PC is the watched function's first instruction. */
void sim_watch_stop(struct sim *s, enum sim_stop_kind kind, const char *what);

/* Guest memory access for the host (not checked by the MPU, not counted). 0 or -1 with err
 * (MPUSIM_E_RANGE when [addr, addr+len) is not mapped). */
int sim_mem_read(struct sim *s, uint64_t addr, void *buf, size_t len, struct mpusim_error *err);
int sim_mem_write(struct sim *s, uint64_t addr, const void *buf, size_t len,
                  struct mpusim_error *err);
/* General registers X0..X30 (n = 0..30), 31 = SP, 32 = PC. 0 or -1 with err. */
int sim_reg_read(struct sim *s, unsigned n, uint64_t *value, struct mpusim_error *err);
int sim_reg_write(struct sim *s, unsigned n, uint64_t value, struct mpusim_error *err);

/* The model the guest programs: registers, counters. Owned by the sim; the host may read it,
 * and may write it (e.g. a trace's sysreg event) between runs. */
struct mpu *sim_mpu(struct sim *s);
/* Write an MPU model register from the host (a trace's sysreg event), keeping the engine's
 * cached verdicts in step. id: as mpu_write(). Use this instead of mpu_write(sim_mpu(s)). */
void sim_mpu_write(struct sim *s, int id, uint64_t value);
/* After the caller replaced the whole model (*sim_mpu(s) = ...): drop the cached verdicts. */
void sim_mpu_reload(struct sim *s);
/* Counters since sim_new(). */
const struct sim_stats *sim_stats(const struct sim *s);
/* What ended the last run or call. */
const struct sim_stop *sim_last_stop(const struct sim *s);

/**
 * sim_stop_format - a human report of st (several lines, each ending in '\n'): what stopped,
 * PC as symbol+offset with the instruction disassembled, and for faults the address, access
 * kind and size, cause, ESR/FAR, and the regions that matched. Writes at most cap bytes
 * including the NUL; returns the length the full text needs (as snprintf does).
 */
size_t sim_stop_format(const struct sim *s, const struct sim_stop *st, char *buf, size_t cap);

/* The instruction at pc disassembled ("ldr x0, [x1]"), "" when unreadable. Returns buf. */
char *sim_disassemble(const struct sim *s, uint64_t pc, char *buf, size_t cap);
/* The source line of addr from the ELF's DWARF line table (libdw), "file:line" into buf
 * (capacity cap, NUL-terminated). Returns 0, or -1 with buf "" when the ELF has no line for
 * addr (no DWARF, or an address outside every unit). sim_stop_format() includes it. */
int sim_source_line(const struct sim *s, uint64_t addr, char *buf, size_t cap);

/* Names: "returned", "until", "exit", "fault", "budget", "exception", "idle", "power",
 * "panic". */
const char *sim_stop_kind_name(enum sim_stop_kind k);

#endif
