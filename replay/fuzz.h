#ifndef MPUSIM_REPLAY_FUZZ_H
#define MPUSIM_REPLAY_FUZZ_H
/*
 * Fuzzing the mapping algorithm (docs/fuzzing.md): op sequences generated from a seed, biased
 * towards the edges (fuzz.c), invariants checked after every op (invariants.c), a failing
 * sequence shrunk by delta debugging (shrink.c), iterations, shards and results (fuzz_run.c).
 * Library code: nothing here prints; cli/fuzz.c does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "replay/replay.h"
#include "traces/trace.h"

/* What a fuzz run is configured with (fuzz_run.c validates it). */
struct fuzz_options {
    struct replay_options replay; /* algo, xen_fixed, regions (1..255, required), fsc */
    unsigned reserve_k;           /* --algo reserve:K: K (mm_algo_parse); 0 for the others */
    uint64_t seed;                /* base seed */
    unsigned length;              /* ops per iteration at most (>= 1) */
    unsigned shard_k, shard_n;    /* run iterations i with i % shard_n == shard_k - 1; 1/1 */
    uint64_t iterations;          /* iterations over all shards: i in [0, iterations); 0: no
                                     bound (then time_limit must be set) */
    double time_limit;            /* seconds; 0: none. Checked between iterations */
    int no_shrink;                /* 1: keep the failing iteration as generated */
    /* After every iteration: iterations and ops so far (e.g. a progress line); may be NULL */
    void (*on_iteration)(void *opaque, uint64_t iterations, uint64_t ops);
    void *opaque;                 /* borrowed; passed to on_iteration */
};

/**
 * fuzz_replay_new - a replay of t set up as o says (replay options, reserve K), with the
 * algorithm's log switched off. Returns it (free with replay_free) or NULL with err set.
 */
struct replay *fuzz_replay_new(const struct trace *t, const struct fuzz_options *o,
                               struct mpusim_error *err);

/* ---- invariants (invariants.c) ---- */

enum fuzz_invariant {
    FUZZ_INV_TABLE_MATCHES_HW,            /* EN entries equal PRBAR/PRLAR; free ones disabled */
    FUZZ_INV_NO_OVERLAP,                  /* no address in two enabled EL2 regions */
    FUZZ_INV_FAILED_CALL_CHANGES_NOTHING, /* rc != 0: table, mask, registers unchanged */
    FUZZ_INV_USED_WITHIN_LIMIT,           /* regions in use <= N */
    FUZZ_INV_MAPPED_RANGE_ACCESSIBLE,     /* a live mapping has exactly its permissions */
    FUZZ_INV_UNMAPPED_RANGE_INACCESSIBLE, /* an unmapped range outside in-use regions faults */
    /* zephyr: the running thread's map, from the kernel's bookkeeping (fuzz_zephyr.c) */
    FUZZ_INV_Z_GUARDS_FAULT,              /* its stack guard and the IRQ-stack guard: EL1 holes */
    FUZZ_INV_Z_KERNEL_RAM_ACCESSIBLE,     /* the dynamic area outside them: EL1 readable */
    FUZZ_INV_Z_STACK_ACCESSIBLE,          /* a user thread's stack: EL0 read and write */
    FUZZ_INV_Z_PARTITIONS_ACCESSIBLE,     /* its domain's partitions: EL0 as their AP says */
    FUZZ_INV_Z_USER_ISOLATION,            /* EL0 reaches nothing else (other domains' partitions,
                                             other stacks, a partition just removed) */
    /* bao: every CPU's EL2 MPU against Bao's bookkeeping (fuzz_bao.c) */
    FUZZ_INV_B_CALL_RETURNS,              /* rc 0 or -22: no crash, halt or deadlock */
    FUZZ_INV_B_ENABLED_MATCHES_MODE,      /* hyp entries enabled while Bao runs, VM entries and
                                             locked hyp entries in the guest, nothing else */
    FUZZ_INV_B_CPUS_CONSISTENT,           /* every CPU maps the same global bytes, same flags */
    FUZZ_INV_COUNT,                       /* also: "no violation" */
};

enum fuzz_verdict { FUZZ_HOLDS, FUZZ_BROKEN };

struct fuzz_violation;
/* Fill v as a violation of inv with a printf-style text (no event, no witness yet); returns
 * FUZZ_BROKEN. Shared by the invariants of every algorithm. */
enum fuzz_verdict fuzz_broken(struct fuzz_violation *v, enum fuzz_invariant inv, const char *fmt,
                              ...) __attribute__((format(printf, 3, 4)));

/* Names as used in output, traces and docs ("table_matches_hw", ...); from-name: -1 if unknown. */
const char *fuzz_invariant_name(enum fuzz_invariant inv);
int fuzz_invariant_from_name(const char *name);

struct fuzz_violation {
    enum fuzz_invariant inv; /* FUZZ_INV_COUNT when nothing is broken */
    long event;              /* index of the event after which it broke; -1 when none */
    char text[200];          /* what is wrong, one line: "region 35: table free, hardware ..." */
    int has_witness;         /* zephyr: an access that shows it (appended to the minimal trace) */
    uint64_t witness_addr;   /* its address (1 byte) */
    unsigned witness_el, witness_kind; /* its EL (0, 1; bao: 1, 2) and enum trace_access_kind */
    unsigned witness_cpu;    /* bao: the CPU it is made on */
};

/* bao: Bao's state and every CPU's EL2 registers (fuzz_bao_snapshot_take). */
struct fuzz_bao_snapshot {
    struct mm_bao_state st;
    uint64_t prbar[MM_BAO_CPUS][MPU_MAX_REGIONS], prlar[MM_BAO_CPUS][MPU_MAX_REGIONS];
};

/* What a failed call must leave unchanged, taken before the call. Fixed size (about 14 KiB,
 * and the bao part). */
struct fuzz_snapshot {
    unsigned nregions;                     /* entries below copied (the model's EL2 count) */
    struct mm_region table[MM_MAX_REGIONS]; /* the algorithm's table */
    uint64_t mask[4];                      /* its in-use bitmap */
    unsigned used;                         /* its in-use count */
    uint64_t prbar[MPU_MAX_REGIONS];       /* the model's PRBAR<n> of the MPU the algorithm
                                              programs (EL2; zephyr: EL1) */
    uint64_t prlar[MPU_MAX_REGIONS];       /* its PRLAR<n> (PRENR aliases EN) */
    struct fuzz_bao_snapshot bao;          /* bao only (fuzz_bao_snapshot_take) */
};

void fuzz_snapshot_take(struct fuzz_snapshot *s, const struct mm_ctx *mm, const struct mpu *m);

/*
 * The invariants one by one, on states built by a replay or by hand. Each returns FUZZ_HOLDS,
 * or FUZZ_BROKEN with *v written (inv, text; event set to -1: the caller knows the event).
 * Ranges are [base, limit); accessibility is checked at EL2 with mpu_check (which updates the
 * model's counters and lookup index, hence the non-const model).
 */
/* Indices below the algorithm's max_regions (and the model's count): an entry with EN set
 * equals the model's PRBAR/PRLAR exactly; an entry with EN clear is disabled in the model. */
enum fuzz_verdict fuzz_check_table_matches_hw(const struct mm_ctx *mm, const struct mpu *m,
                                              struct fuzz_violation *v);
/* No address is covered by two enabled EL2 regions (the model's lookup index says whether;
 * the message names the pair a sweep by base finds first). */
enum fuzz_verdict fuzz_check_no_overlap(struct mpu *m, struct fuzz_violation *v);
/* The same for the MPU of EL el (1 or 2). */
enum fuzz_verdict fuzz_check_no_overlap_el(struct mpu *m, unsigned el, struct fuzz_violation *v);
/* A call that returned rc != 0 changed nothing of what before holds. */
enum fuzz_verdict fuzz_check_failed_call_changes_nothing(const struct fuzz_snapshot *before,
                                                         const struct mm_ctx *mm,
                                                         const struct mpu *m,
                                                         struct fuzz_violation *v);
/* Regions in use (the algorithm's count and its bitmap) <= regions. */
enum fuzz_verdict fuzz_check_used_within_limit(const struct mm_ctx *mm, unsigned regions,
                                               struct fuzz_violation *v);
/* Every 4 KiB page of [base, limit) rounded out to pages is accessible at its first and last
 * byte: read always, write iff flags lack RO, exec iff flags lack XN and (with SCTLR_EL2.WXN)
 * the mapping is not writable. Holds trivially while the EL2 MPU is off. */
enum fuzz_verdict fuzz_check_mapped_range_accessible(struct mpu *m, uint64_t base,
                                                     uint64_t limit, unsigned flags,
                                                     struct fuzz_violation *v);
/* Every page of [base, limit) rounded out to pages (clipped to the range when it is not
 * page-aligned), at its first and last byte, is either inside a region the algorithm's table
 * has in use (bitmap bit and EN set) or gives a fault for a read at EL2. */
enum fuzz_verdict fuzz_check_unmapped_range_inaccessible(struct mpu *m, const struct mm_ctx *mm,
                                                         uint64_t base, uint64_t limit,
                                                         struct fuzz_violation *v);

/**
 * fuzz_check_event - all invariants after event ev was replayed on r
 * @r:      the replay (its model is checked; counters change)
 * @ev:     the event just replayed
 * @res:    its result from replay_step
 * @before: snapshot taken before the event (fuzz_snapshot_take)
 * @v:      written when an invariant is broken (event = r->event)
 *
 * Checks, in this order: failed_call_changes_nothing (calls with rc != 0), used_within_limit,
 * table_matches_hw, no_overlap, mapped_range_accessible (successful map/modify/ioremap with
 * PRESENT), unmapped_range_inaccessible (successful unmap/unmap_containing and map/modify
 * without PRESENT: the range asked for, the page named, and every region the call freed).
 * The first broken one is reported. Table checks only when the trace calls the algorithm.
 * no_overlap is skipped when the event left every EL2 region register as before holds it:
 * the verdict on the state before (checked after the previous event) stands.
 */
enum fuzz_verdict fuzz_check_event(struct replay *r, const struct trace_event *ev,
                                   const struct replay_event_result *res,
                                   const struct fuzz_snapshot *before, struct fuzz_violation *v);

/* What the checks carry from one event to the next of a replay (fuzz_check_event_memo): a
 * verdict that stands while nothing it depends on changes. Zero it for a fresh replay. */
struct fuzz_memo {
    int own_table;           /* set by the caller: the replay is stepped without its
                                cross-check (replay_step_lean), table_matches_hw is checked
                                here in full */
    int checked;             /* 1: every invariant held after the previous event */
    int mapped;              /* 1: mapped_range_accessible held for (base, limit, flags) below
                                and no event since may have changed a register of the model */
    uint64_t base, limit;    /* the range it was checked for, [base, limit) as passed */
    unsigned flags;
};

/* fuzz_check_event, with the verdicts of memo reused where they stand (memo updated; NULL:
 * none), for a caller that stops at the first violation: after an event that left the state
 * as it was (an access; a failed call found to change nothing), used_within_limit,
 * table_matches_hw and no_overlap stand as they held after the event before; a
 * mapped_range_accessible check that held stands for the same range and flags after events
 * that wrote no register (it depends on the model's registers only). Native engine. */
enum fuzz_verdict fuzz_check_event_memo(struct replay *r, const struct trace_event *ev,
                                        const struct replay_event_result *res,
                                        const struct fuzz_snapshot *before,
                                        struct fuzz_memo *memo, struct fuzz_violation *v);

/**
 * fuzz_check_trace - replay t from the start with the invariants checked after every event
 * @t:      the trace
 * @o:      the algorithm and region count (o->replay, o->reserve_k); the rest is unused
 * @record: 1: write each event's observed outcome into t->events[i].expect (rc and used for
 *          calls, fault for accesses) and replay every event; 0: stop at the first violation
 * @v:      always written: the first violation, or inv = FUZZ_INV_COUNT
 * @err:    replay set-up errors
 * Returns 0, or -1 when the replay cannot be set up.
 */
int fuzz_check_trace(struct trace *t, const struct fuzz_options *o, int record,
                     struct fuzz_violation *v, struct mpusim_error *err);

/* ---- generator (fuzz.c) ---- */

#define FUZZ_PENDING_CAP 600 /* ops a multi-op move may queue (refcount bursts: up to 264) */

/* The generator: a PRNG (splitmix64) and the queued ops of the current move. */
struct fuzz_gen {
    uint64_t state;                               /* splitmix64 state */
    unsigned regions;                             /* N, for exhaustion bursts */
    unsigned npending, next;                      /* queued runs, next run to hand out */
    unsigned nqueued;                             /* ops queued by the move (<= the cap) */
    unsigned handed;                              /* ops of run next handed out */
    struct trace_event pending[FUZZ_PENDING_CAP]; /* the current move's ops, in runs: */
    uint16_t repeat[FUZZ_PENDING_CAP];            /* pending[k] repeat[k] times (>= 1) */
    uint64_t freed_base[8], freed_limit[8];       /* recently unmapped ranges (ring) */
    unsigned nfreed;                              /* entries written to the ring so far */
    int zephyr;                                   /* 1: zephyr ops (fuzz_zephyr_gen_next) */
    unsigned zthreads_queued;                     /* zephyr: creations queued in this move */
};

/* splitmix64: one step of the generator's PRNG (state advanced). */
uint64_t fuzz_rand(uint64_t *state);
/* The seed of iteration iter of a run with base seed seed: independent of shards. */
uint64_t fuzz_iteration_seed(uint64_t seed, uint64_t iter);

void fuzz_gen_init(struct fuzz_gen *g, uint64_t seed, unsigned regions);
/* The next op, chosen relative to the algorithm's current table (mm; read only). */
void fuzz_gen_next(struct fuzz_gen *g, const struct mm_ctx *mm, struct trace_event *out);

/* The boot regions every iteration starts from: Xen's five debug-build sections with their
 * 64-byte tails (xen-fixtures.md). */
#define FUZZ_NBOOT 5
extern const struct trace_boot_region fuzz_boot[FUZZ_NBOOT];

/**
 * fuzz_trace_init - an empty trace with the fuzz boot regions and room for cap events
 * @t: written; free with trace_fini(); events zeroed, nevents = 0
 * Returns 0, or -1 (out of memory).
 */
int fuzz_trace_init(struct trace *t, unsigned regions, size_t cap, struct mpusim_error *err);

/* ---- zephyr (fuzz_zephyr.c; docs/fuzzing.md, "zephyr") ---- */

/* An empty trace with the "zephyr" header of the iteration (iter_seed picks the layout: the
 * fixtures' FVP layout, or one iteration in eight the dynamic area at address 0). */
int fuzz_zephyr_trace_init(struct trace *t, unsigned regions, size_t cap, uint64_t iter_seed,
                           struct mpusim_error *err);
/* Lay out t's "zephyr" header (allocated by fuzz_zephyr_trace_init) again for iter_seed. */
void fuzz_zephyr_trace_layout(struct trace *t, uint64_t iter_seed);
/* The next zephyr op, chosen relative to the variant's state (threads, domains, partitions). */
void fuzz_zephyr_gen_next(struct fuzz_gen *g, const struct mm_ctx *mm, struct trace_event *out);
/* Make ev[0..n)'s thread and domain ids dense in creation order (as the trace reader does);
 * -1 when the sequence is not a valid trace (a use before creation, a second creation, a
 * user_enter of a thread that is not running): a shrinking candidate that is not one. */
int fuzz_zephyr_canonical(struct trace_event *ev, size_t n);
/* The invariants that apply to zephyr after event ev: failed_call_changes_nothing,
 * used_within_limit, table_matches_hw and no_overlap on the EL1 MPU, then those of the
 * running thread's map (FUZZ_INV_Z_*), each at the points that decide it. */
enum fuzz_verdict fuzz_zephyr_check_event(struct replay *r, const struct trace_event *ev,
                                          const struct replay_event_result *res,
                                          const struct fuzz_snapshot *before,
                                          struct fuzz_violation *v);

/* ---- bao (fuzz_bao.c; docs/fuzzing.md, "bao") ---- */

/* An empty trace with the "bao" header of the iteration (iter_seed picks 1 to 4 CPUs and the
 * image layout). */
int fuzz_bao_trace_init(struct trace *t, unsigned regions, size_t cap, uint64_t iter_seed,
                        struct mpusim_error *err);
/* Lay out t's "bao" header (allocated by fuzz_bao_trace_init) again for iter_seed. */
void fuzz_bao_trace_layout(struct trace *t, uint64_t iter_seed);
/* The next bao op (every CPU's cpu_boot first), chosen relative to Bao's state. */
void fuzz_bao_gen_next(struct fuzz_gen *g, const struct mm_ctx *mm, struct trace_event *out);
/* Make ev[0..n)'s VM ids dense in creation order (as the trace reader does); -1 when the
 * sequence is not a valid trace on ncpus CPUs (a CPU used before its boot or booted twice, a
 * VM used before its creation, a vm_entry/vm_exit out of turn, a call on a CPU in its guest,
 * a copy into the hypervisor's space still mapped when its CPU enters the guest or copies
 * again): a shrinking candidate that is not one. */
int fuzz_bao_canonical(struct trace_event *ev, size_t n, unsigned ncpus);
/* The event that goes in a pair with ev[i] (a vm_entry: the CPU's next vm_exit; a map_cpy
 * into the hypervisor's space: the unmap of its copy on that CPU), or n. */
size_t fuzz_bao_partner(const struct trace_event *ev, size_t n, size_t i);
/* Bao's state and every CPU's registers into s->bao, before an event. */
void fuzz_bao_snapshot_take(struct fuzz_snapshot *s, struct replay *r);
/* The observed outcome of ev as its expectation: rc and every CPU's counts ("cpus", allocated
 * here, owned by ev), or the access's fault. 0, or -1 (out of memory). */
int fuzz_bao_record(struct replay *r, struct trace_event *ev,
                    const struct replay_event_result *res);
/* The invariants that apply to bao after event ev: call_returns,
 * failed_call_changes_nothing, used_within_limit, table_matches_hw, no_overlap,
 * enabled_matches_mode and cpus_consistent on every CPU, then mapped_range_accessible and
 * unmapped_range_inaccessible for the calling CPU's hypervisor space. */
enum fuzz_verdict fuzz_bao_check_event(struct replay *r, const struct trace_event *ev,
                                       const struct replay_event_result *res,
                                       const struct fuzz_snapshot *before,
                                       struct fuzz_violation *v);
/* A bao event in words ("map cpu0 hyp [0x9c090000, 0x9c091000) hyp_dev global alloc"). */
void fuzz_bao_format_event(const struct trace_event *ev, char *buf, size_t cap);

/* ---- shrinking (shrink.c) ---- */

/**
 * fuzz_shrink - delta debugging (ddmin) on t's events, keeping a violation of inv
 * @t:     the failing trace; on success its events are replaced by a 1-minimal subsequence
 *         (removing any single event no longer breaks inv) that still breaks inv
 * @o:     the algorithm and region count used for every candidate (as fuzz_check_trace)
 * @inv:   the invariant that must stay broken (the name, not the text, must match)
 * @tests: written: candidate replays made (may be NULL)
 * Returns 0, or -1 (out of memory, replay set-up) with t unchanged.
 */
int fuzz_shrink(struct trace *t, const struct fuzz_options *o, enum fuzz_invariant inv,
                unsigned long *tests, struct mpusim_error *err);

/* ---- runs (fuzz_run.c) ---- */

/* Default ops per iteration for N regions: 300, or 2N + 40 when larger. */
unsigned fuzz_default_length(unsigned regions);

struct fuzz_result {
    uint64_t iterations;        /* iterations run in this shard */
    uint64_t ops;               /* ops generated and checked (shrinking not counted) */
    double seconds;             /* wall time of the iterations (shrinking not counted) */
    int found;                  /* 1: a violation was found (the run stopped there) */
    uint64_t iteration;         /* found: its iteration number */
    size_t ops_failing;         /* found: ops of the failing iteration up to the violation */
    unsigned long shrink_tests; /* found: candidate replays made by the shrinker */
    struct fuzz_violation v;    /* found: the violation in the minimal trace */
    struct trace minimal;       /* found: the minimal trace, with expectations; else empty */
    unsigned witness;           /* found, zephyr: 1 when minimal ends in an access appended to
                                   show the violation (not one of the shrunk ops) */
};

/**
 * fuzz_run - run the shard's iterations until the bound, the time limit or a violation
 * @o:   options (validated: regions 1..255, length >= 1, 1 <= shard_k <= shard_n, a bound)
 * @res: always written; free with fuzz_result_fini()
 * Returns 0 (whether or not a violation was found), or -1 with err set.
 */
int fuzz_run(const struct fuzz_options *o, struct fuzz_result *res, struct mpusim_error *err);
void fuzz_result_fini(struct fuzz_result *res);

/* What iterations work in, allocated once and reused by each (an iteration allocates
 * nothing): the trace of its ops, the replay, the generator, the snapshot. */
struct fuzz_worker {
    struct fuzz_options o;       /* copied */
    struct trace trace;          /* the last iteration's ops (capacity o.length) */
    struct replay *r;            /* restarted by each iteration */
    struct fuzz_gen gen;
    struct fuzz_snapshot before; /* the state before the next event */
    struct fuzz_memo memo;
    int zephyr;                  /* o.replay.algo is zephyr: trace.zephyr per iteration */
    int bao;                     /* o.replay.algo is bao: trace.bao per iteration */
};

/* A worker for options o (regions, length); free with fuzz_worker_free. NULL with err set. */
struct fuzz_worker *fuzz_worker_new(const struct fuzz_options *o, struct mpusim_error *err);
void fuzz_worker_free(struct fuzz_worker *w);

/**
 * fuzz_run_iteration - one iteration on w: the replay restarted, up to o->length generated
 * ops, all invariants after each
 * @v:   always written: the violation or inv = FUZZ_INV_COUNT
 * The ops run (up to and including a violating op) are in w->trace until the next iteration
 * (fuzz_trace_copy keeps them). Returns 0 or -1.
 */
int fuzz_run_iteration(struct fuzz_worker *w, uint64_t iter, struct fuzz_violation *v,
                       struct mpusim_error *err);

/* A copy of a fuzz trace (boot regions and events) into out (free with trace_fini). 0 or -1. */
int fuzz_trace_copy(const struct trace *t, struct trace *out, struct mpusim_error *err);

/* Write the minimal trace of res (document form) with each call's expectations and a note on
 * the violating event naming the invariant. Returns 0 or -1. */
int fuzz_write_trace(FILE *f, const struct fuzz_options *o, const struct fuzz_result *res,
                     struct mpusim_error *err);

/* The --algo value of o as a user writes it: "xen", "reserve:2". */
void fuzz_algo_spelling(const struct fuzz_options *o, char *buf, size_t cap);

/* One JSON Lines result line (ends in '\n'); trace_path: the written trace, or NULL. */
void fuzz_write_result_json(FILE *f, const struct fuzz_options *o, const struct fuzz_result *res,
                            const char *trace_path);

/* One event in words, e.g. "map [0x40000000, 0x40001000) RW", into buf (capacity cap). */
void fuzz_format_event(const struct trace_event *ev, char *buf, size_t cap);

#endif
