#ifndef MPUSIM_REPLAY_REPLAY_H
#define MPUSIM_REPLAY_REPLAY_H
/*
 * Replay: drives trace events through the algorithm (mm/) on the MPU model (mpu_model/),
 * checks expectations, cross-checks the algorithm's table against the model's registers after
 * every event, and collects metrics (occupancy, faults, per-call cost, messages, findings).
 * Engine: native (mm/ compiled for the host; its hw calls go straight to the model).
 */
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "mm/mm.h"
#include "replay/histogram.h"
#include "replay/outfile.h"
#include "replay/timeline.h"
#include "mpu_model/mpu.h"
#include "traces/trace.h"

#define REPLAY_MAX_WINDOWS 8 /* --ram/--device windows of the guest engine */

struct sim_exec;  /* sim/sim.h */
struct sim_stats; /* sim/sim.h */

enum replay_result_kind { REPLAY_OK, REPLAY_ERR, REPLAY_RESULT_COUNT }; /* rc == 0 or not */

/* Which engine runs the algorithm: the host-compiled mm/ (native), the AArch64 build of mm/ or
 * a user's ELF under sim/ (guest), or both in lockstep, compared after every event. */
enum replay_engine { REPLAY_ENGINE_NATIVE, REPLAY_ENGINE_GUEST, REPLAY_ENGINE_BOTH,
                     REPLAY_ENGINE_COUNT };


/* Per-call cost counters (sums over calls). */
struct replay_cost {
    uint64_t calls;
    uint64_t scanned;       /* algorithm table entries examined */
    uint64_t sysreg_reads;  /* MRS of MPU/system registers */
    uint64_t sysreg_writes; /* MSR */
    uint64_t barriers;      /* DSB SY + ISB (native engine only) */
    uint64_t insns;         /* guest instructions (guest engine only) */
};

/* Outcome of one event, as written to --events-out. */
struct replay_event_result {
    int has_rc;            /* 0 for access/sysreg (rc is null) */
    int rc;                /* return code; pointer-returning calls: 0 non-NULL, -22 NULL */
    int region;            /* region created/changed/found/freed, or hit by an access; -1 null */
    unsigned used;         /* regions in use after the event */
    struct mpu_result acc; /* access events: the check result; else .fault == NONE */
    int has_insns;         /* guest engine: insns and cycles are valid */
    uint64_t insns;        /* guest instructions executed by the call (0 for access/sysreg) */
    uint64_t cycles[3];    /* modelled cycles of the call: nominal, min, max (docs/timing.md) */
    int region_num;        /* zephyr: region_num of the thread the event built or installed;
                              -1 null (other algorithms, or no thread) */
};

struct replay_options {
    enum mm_algo algo;        /* --algo */
    unsigned reserve_k;       /* --algo reserve:K: K (mm_algo_parse); 0 for the others */
    int xen_fixed;            /* --xen-fixed */
    unsigned regions;         /* --regions; 0: the trace's mpu.regions */
    enum mpu_fsc_model fsc;   /* --fsc */
    int keep_findings;        /* findings and divergences kept for reports (at most this many) */
    enum replay_engine engine;/* --engine */
    int strict_addresses;     /* --strict-addresses: an address at or above 2^48 stops the
                                 replay with an error (else a finding; also the trace's
                                 mpu.addresses "strict") */
    const char *adapter;      /* guest: adapter file (borrowed); required for the guest engine */
    const char *elf;          /* guest: ELF overriding the adapter's "elf" (borrowed); may be NULL */
    uint64_t budget;          /* guest: instructions per call; 0: the engine's default */
    const char *core;         /* guest: core file of the timing model (borrowed); NULL: the
                                 built-in Cortex-R82-like core (cores/cortex-r82.json) */
    int no_timing;            /* guest: 1 = no timing model (--no-timing): no cycles in any
                                 output, instruction counts only */
    struct replay_window {    /* guest: --ram / --device windows (4 KiB multiples) */
        uint64_t base, size;
        int device;           /* 1: reads 0, writes ignored; 0: RAM */
    } window[REPLAY_MAX_WINDOWS];
    unsigned nwindows;
    int has_uart;             /* guest: --uart given (replaces the adapter's uart) */
    uint64_t uart;            /* guest: its base (4 KiB aligned) */
    FILE *console;            /* guest: where UART output goes (borrowed); NULL: stderr */
    /* Optional sink for every algorithm message as it happens (e.g. --verbose); may be NULL. */
    void (*on_message)(void *opaque, long event, enum mm_msg id, const char *text);
    void *opaque;             /* borrowed; passed to on_message */
    /* guest: the execution report of the guest engine (sim_options.on_exec, e.g. the Tarmac
     * export of replay/tarmac_export.h); NULL: off */
    void (*on_exec)(void *exec_opaque, const struct sim_exec *e);
    void *exec_opaque;        /* borrowed; passed to on_exec */
};

/* A finding or a table/hardware divergence, kept for the report. */
struct replay_note {
    long event;          /* event index */
    enum mm_msg id;      /* finding id; MM_MSG_COUNT for a divergence */
    int region;          /* divergence: region index; finding: -1 */
    uint64_t table_prbar, table_prlar, hw_prbar, hw_prlar; /* divergence: both views */
    char text[200];      /* formatted message */
};

/* Guest engine: per-call latency of one op and result, exact (replay/histogram.h). */
struct replay_latency {
    struct histogram insns;     /* guest instructions per call */
    struct histogram cycles[3]; /* modelled cycles per call: nominal, min, max */
};

struct replay_mismatch {
    long event;          /* event index */
    int line;            /* source line or -1 */
    char text[200];      /* "expected rc -22, got 0" */
};

/* Guest engine: the image stopped inside a call (an MPU fault with no vectors, an undefined
 * instruction, the budget): a result, not an error. The replay ends at that event. */
struct replay_guest_stop {
    long event;          /* event index; -1 while the run goes on */
    enum trace_op op;    /* the event's op */
    char call[128];      /* the symbol the adapter called for it */
    char kind[16];       /* "fault", "budget" or "exception" (sim_stop_kind_name) */
    uint64_t pc;         /* the faulting or offending instruction */
    uint64_t insns;      /* instructions the call executed until it stopped */
    char where[160];     /* pc as symbol+offset */
    char insn[96];       /* the instruction disassembled; "" if unreadable */
    char source[256];    /* file:line from the ELF's DWARF; "" without */
    char what[160];      /* one line: "MPU fault (no_region) on exec of 4 bytes at 0x5f558" */
    int has_fault;       /* kind "fault": the fields below are set */
    struct mpu_result fault; /* the model's verdict (cause, ESR, FAR, regions) */
    char access[8];      /* "read", "write" or "exec" */
    uint64_t addr;       /* first byte of the access */
    unsigned size;       /* bytes */
    char report[2048];   /* the full human report (sim_stop_format: regions that matched) */
};

/* All replay state. Large (the model and the algorithm table); heap-allocate with replay_new. */
struct replay {
    struct replay_options opt;
    const struct trace *trace;   /* borrowed: must outlive the replay */
    struct mpu mpu;              /* the hardware model */
    struct mm_ctx mm;            /* the algorithm */
    /* mpu and mm: between steps, read them only (the cross-check after an event assumes that
     * only the event changed them; replay_step_bare may write) */
    int algo_events;             /* 1 if the trace has algorithm calls or boot regions */
    long event;                  /* index of the event being replayed */
    const struct trace_event *ev;/* the event being replayed or last replayed: in r->trace
                                    (replay_step), or &last_ev (replay_step_event) */
    struct trace_event last_ev;  /* a copy of the last event given to replay_step_event */
    struct replay_cost cur;      /* counters of the current call */
    struct replay_cost cost[TRACE_OP_COUNT][REPLAY_RESULT_COUNT];
    uint64_t msg_count[MM_MSG_COUNT];
    uint64_t faults[MPU_FAULT_COUNT];
    uint64_t expect_checked, expect_failed;
    uint64_t findings_total, divergences_total;
    int guest_echo;              /* --engine both: 1 while the guest replays an event the native
                                    engine already did: its messages are not counted again */
    unsigned peak_used;
    struct timeline timeline;    /* regions in use after each event, <= 1,000 buckets */
    uint64_t used_sum;           /* sum over events of regions in use after the event */
    uint64_t nevents;            /* events replayed */
    uint64_t diverged[4];        /* regions currently known to differ (reported once) */
    struct replay_xcheck *xlast; /* owned: the table the last cross-check saw (replay.c) */
    struct replay_note *notes;   /* owned; nnotes <= opt.keep_findings */
    unsigned nnotes;
    struct replay_mismatch *mismatches; /* owned; first 100 */
    unsigned nmismatches;
    struct replay_guest *guest;  /* guest engine state (engine_guest.c); NULL for native */
    struct replay_latency (*latency)[REPLAY_RESULT_COUNT]; /* guest: [TRACE_OP_COUNT] (owned);
                                                              NULL for the native engine */
    int failed;                  /* 1: the engine failed, 2: lockstep diverged, 3: the guest
                                    stopped inside a call (guest_stop); stop replaying */
    struct replay_guest_stop guest_stop; /* failed == 3: why; event -1 otherwise */
    struct mpusim_error engine_err; /* why, when failed (first error) */
    char lockstep_report[2048];  /* both: the first divergence with both states */
    unsigned last_used;          /* guest: regions in use after the last event */
    /* bao (replay/bao.c): one EL2 MPU per CPU; CPU 0's is mpu, the others bao_mpu[cpu - 1] */
    unsigned bao_ncpus;          /* CPUs of the trace (1 for a translated plain trace) */
    struct mpu *bao_mpu;         /* owned; bao_ncpus - 1 models */
    unsigned bao_cpu;            /* the CPU whose MPU mm/'s register accesses reach now */
    struct replay_bao_cost { uint64_t writes, barriers; } bao_cur[MM_BAO_CPUS]; /* the event's,
                                                                                    per CPU */
    unsigned bao_counts[MM_BAO_CPUS][3]; /* after the event, per CPU: vMPU entries of the
                                            hypervisor space, of its VM's; indices allocated */
};

/**
 * replay_new - set up the model and the algorithm for trace t and run the boot step
 * @t:   the trace; borrowed, must outlive the replay
 * @opt: copied
 * Returns a new replay (free with replay_free), or NULL with err set (bad options, no memory).
 */
struct replay *replay_new(const struct trace *t, const struct replay_options *opt,
                          struct mpusim_error *err);
void replay_free(struct replay *r);
/* Start r over on trace t (borrowed) with the same options, reusing its memory: the state is
 * that of replay_new(t, &r->opt) (replay_silence kept). Native engine only. Returns 0, or -1
 * with err set (then only replay_free may follow). */
int replay_restart(struct replay *r, const struct trace *t, struct mpusim_error *err);

/* Replay event i (events must be replayed in order, once). A failed call or a fault is a
 * result. Checks the event's expectations and cross-checks table vs. hardware (native). The
 * native engine never fails; the guest engine may (a runaway or faulting guest), and lockstep
 * may diverge: then r->failed is set, r->engine_err says why, and the caller stops. */
void replay_step(struct replay *r, size_t i, struct replay_event_result *out);

/* The same for an event that need not be in r->trace (a streamed trace): ev is borrowed and
 * must stay valid until the next step; its index is the number of events replayed before. */
void replay_step_event(struct replay *r, const struct trace_event *ev,
                       struct replay_event_result *out);

/* A streamed trace (r->trace has no events): whether it has algorithm calls, decided by the
 * caller from a look-ahead (replay/stream.c) before the first step; 1 once one is seen. */
void replay_set_algo_events(struct replay *r, int algo_events);
/* 1 for the ops that call the algorithm (all but access and sysreg). */
int replay_is_algo_op(enum trace_op op);

/* Names "native", "guest", "both"; from-name returns -1 if unknown. */
const char *replay_engine_name(enum replay_engine e);
int replay_engine_from_name(const char *name);

/* Event i with replay_step's result and per-event counters (r->cur), but none of the run's
 * metrics (timeline, costs, peak, faults), expectations or table cross-check (r->diverged
 * stays as it was): for a caller that checks each event itself (mpusim fuzz). Native
 * engine. */
void replay_step_lean(struct replay *r, size_t i, struct replay_event_result *out);

/* The same without metrics, expectations or cross-checks: the bare algorithm on the model
 * (for benchmarks). Returns the call's rc (0 for access/sysreg). */
int replay_step_bare(struct replay *r, const struct trace_event *ev);

/* Switch the algorithm's log sink off (benchmarks of the bare loop). */
void replay_silence(struct replay *r);

/* Count an algorithm message (from either engine): per-id counters, findings, on_message. */
void replay_note_message(struct replay *r, enum mm_msg id, uint64_t a, uint64_t b, uint64_t c,
                         uint64_t d);
/* The MPU whose registers are the results: the guest's for --engine guest, else native. */
const struct mpu *replay_hw(const struct replay *r);

/* Regions in use now (the algorithm's table; in a trace without algorithm calls, the regions
 * enabled in the EL2 MPU). */
unsigned replay_used(const struct replay *r);

/* zephyr (replay/zephyr.c), used by replay.c and engine_guest.c. */
/* 0, or -1 with err (exit 2) when the trace has events or a header algo does not understand. */
int replay_check_system(const struct trace *t, enum mm_algo algo, struct mpusim_error *err);
/* The same for one event i of a streamed trace t (header only). */
int replay_check_event_system(const struct trace *t, const struct trace_event *ev, long i,
                              enum mm_algo algo, struct mpusim_error *err);
/* The trace's "zephyr" header as mm/'s configuration. */
void replay_zephyr_config(const struct trace_zephyr *z, struct mm_z_config *c);
/* Native boot of the zephyr variant (header, or the translation of the boot regions). */
int replay_zephyr_boot(struct replay *r, struct mpusim_error *err);
/* The EL an access event is checked at: zephyr runs its kernel at EL1, so an access the trace
 * gives at EL2 (the hypervisor's, in a translated plain trace) is checked at EL1. */
unsigned replay_access_el(const struct replay *r, const struct trace_event *ev);
/* One zephyr event on mm (native); returns its rc. */
int replay_zephyr_event(struct mm_ctx *mm, const struct trace_event *ev);

/* bao (replay/bao.c), used by replay.c and report.c. */
/* The per-CPU models and mm/'s configuration (the "bao" header, or CPU 0's translated boot
 * of a plain trace). 0, or -1 with err. */
int replay_bao_setup(struct replay *r, struct mpusim_error *err);
void replay_bao_free(struct replay *r);
/* The MPU of CPU cpu (cpu < bao_ncpus; CPU 0's is r->mpu). */
struct mpu *replay_bao_mpu(struct replay *r, unsigned cpu);
/* One bao event (its own ops, map/unmap in bao form) on the native engine; its rc. */
int replay_bao_event(struct replay *r, const struct trace_event *ev);
/* After a native bao event: each CPU's vMPU entries and allocated indices into bao_counts. */
void replay_bao_counts(struct replay *r);
/* The "cpus" expectation of ev, mismatches through replay_mismatch_text. */
void replay_bao_check_expect(struct replay *r, const struct trace_event *ev);
/* The ",\"cpus\":[...]" member of an --events-out line. */
void replay_bao_write_cpus(FILE *f, struct replay *r);
/* The ",\n  \"final_regions_cpus\": [...]" member of the --json summary: every CPU's EL2
 * regions at the end (CPU 0's are also "final_regions"). */
void replay_bao_write_final_regions(FILE *f, struct replay *r);
/* Record one unmet expectation of event ev ("expected X, got Y" formatted by the caller). */
void replay_mismatch_text(struct replay *r, const struct trace_event *ev, const char *text);

/* Guest engine (engine_guest.c), used by replay.c. */
struct replay_guest *replay_guest_new(struct replay *r, struct mpusim_error *err);
void replay_guest_free(struct replay_guest *g);
/* Run event ev on the guest; fills out (rc, region, used, acc, insns). Returns 0; 1 when the
 * guest stopped inside the call (r->guest_stop filled; out has no rc); -1 with err on an
 * engine failure. */
int replay_guest_step(struct replay *r, const struct trace_event *ev,
                      struct replay_event_result *out, struct mpusim_error *err);
/* bao: CPU cpu's EL2 MPU on the guest engine. */
struct mpu *replay_guest_bao_mpu(struct replay_guest *g, unsigned cpu);
/* The guest's MPU model (registers the guest programmed). */
struct mpu *replay_guest_mpu(struct replay_guest *g);
/* The guest engine's sim counters (sim/sim.h struct sim_stats: calls made, instructions), e.g.
 * for a benchmark counting the calls per event. */
const struct sim_stats *replay_guest_stats(const struct replay_guest *g);
/* 1 when the image's own boot code programs the MPU (the adapter has no boot_regions call):
 * the native engine of lockstep then starts from the registers it left (mm_adopt). */
int replay_guest_boots_itself(const struct replay_guest *g);
/* The image's own region table as read after the last event (results.table of the adapter):
 * *table set, returns its entries (0: the adapter declares no table). */
unsigned replay_guest_table(const struct replay_guest *g, const struct mm_region **table);
/* Regions in use by the image's bookkeeping now (results.used.popcount), else the enabled EL2
 * regions; 0 with err on a read failure. */
unsigned replay_guest_used(struct replay_guest *g, struct mpusim_error *err);

/* Nominal cycles of the calls of op (all results) at the 50th and 99th percentiles (nearest
 * rank). Returns the number of calls (0: none, or not a guest engine; p50/p99 then 0). */
size_t replay_cycles_p50_p99(const struct replay *r, enum trace_op op, uint64_t *p50,
                             uint64_t *p99);

/* Write one --events-out line for event i (the event just replayed, r->ev) with its result. */
void replay_write_event_json(FILE *f, const struct replay *r, size_t i,
                             const struct replay_event_result *res);
/* Write the summary as JSON (--json) or as the human text (stdout). */
void replay_write_summary_json(FILE *f, const struct replay *r);
void replay_write_summary_text(FILE *f, const struct replay *r);

/* Write s as a JSON string literal (with quotes, escaped). */
void json_put_string(FILE *f, const char *s);

#endif
