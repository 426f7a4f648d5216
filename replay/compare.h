#ifndef MPUSIM_REPLAY_COMPARE_H
#define MPUSIM_REPLAY_COMPARE_H
/*
 * Comparison of algorithms over traces (mpusim compare, docs/compare.md): every (trace,
 * algorithm) pair is one run, a full replay whose summary metrics are kept in a
 * struct compare_run and rendered as a markdown table, JSON Lines or CSV.
 *
 * Runs are numbered j = 0, 1, ... in the order traces, then algorithms within a trace:
 * j = trace_index * nalgo + algo_index. Shard K of N (1 <= K <= N) holds the runs with
 * j % N == K - 1, so N shards partition the runs and their JSON Lines outputs merge by
 * concatenation. Expectations in the traces are ignored: they are written for one algorithm.
 * Library code: writes only to the FILE * it is given.
 */
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "replay/replay.h"
#include "traces/trace.h"

#define COMPARE_MAX_ALGOS 32 /* algorithms in one --algo list */

struct compare_run;

/* One algorithm of the --algo list. */
struct compare_algo {
    char name[40];             /* as given on the command line: "xen", "reserve:4" */
    struct mm_options mm;      /* algo and reserve_k as mm_algo_parse gives them; xen_fixed
                                  comes from struct compare_options */
};

struct compare_options {
    struct compare_algo algo[COMPARE_MAX_ALGOS]; /* the algorithms, in --algo order */
    unsigned nalgo;                              /* 1..COMPARE_MAX_ALGOS */
    int xen_fixed;                               /* --xen-fixed, for every run */
    int strict_addresses;                        /* --strict-addresses (replay_options) */
    unsigned regions;                            /* --regions; 0: each trace's mpu.regions */
    enum mpu_fsc_model fsc;                      /* --fsc, for every run */
    unsigned shard_k, shard_n;                   /* shard K of N, 1 <= K <= N; 1/1: all */
    enum replay_engine engine;                   /* native or guest (cycles per op) */
    const char *adapter;                         /* guest: adapter file (borrowed) */
    const char *core;                            /* guest: core file, NULL: built-in */
    int no_timing;                               /* guest: --no-timing, no cycles */
    const char *elf;                             /* guest: --elf (borrowed); NULL: the adapter's */
    struct replay_window window[REPLAY_MAX_WINDOWS]; /* guest: --ram/--device */
    unsigned nwindows;
    int has_uart;                                /* guest: --uart given */
    uint64_t uart;                               /* its base */
    /* Optional (NULL: none): called with each finished run and its replay, before the
     * replay is freed (e.g. the HTML report keeps its occupancy); opaque is passed on. */
    void (*on_run)(void *opaque, const struct replay *r, const struct compare_run *run);
    void *opaque;
};

/* The metrics of one (trace, algorithm) run. Counts are over the trace's events; the boot
 * step (the trace's "boot" regions) is not a call and is not counted, except that its regions
 * are in use from the start. */
struct compare_run {
    long run;                  /* run number j (see above) */
    char trace[128];           /* the trace's source name */
    char algo[40];             /* the algorithm's name as given */
    int xen_fixed;             /* 1 with --xen-fixed */
    unsigned regions;          /* EL2 MPU regions of the run */
    uint64_t events;           /* events replayed */
    unsigned peak_used;        /* most regions in use at once, boot included */
    double mean_used;          /* mean of the regions in use after each event; with no
                                  events, the regions in use after boot */
    unsigned final_used;       /* regions in use after the last event */
    uint64_t calls;            /* algorithm calls (map, modify, unmap, unmap_containing,
                                  ioremap) */
    uint64_t failed_calls;     /* calls whose rc != 0 */
    uint64_t sysreg_writes;    /* MSRs made by the calls */
    uint64_t sysreg_reads;     /* MRSs made by the calls */
    uint64_t barriers;         /* DSB SY and ISB issued by the calls, each counts 1 */
    uint64_t faults[MPU_FAULT_COUNT]; /* access events that faulted, by cause (index
                                         MPU_FAULT_NONE unused, 0) */
    uint64_t findings;         /* algorithm findings (docs/findings.md) */
    uint64_t divergences;      /* table/hardware divergences found by the cross-check */
    int guest;                 /* 1: run on the guest engine */
    int timed;                 /* 1: guest with the timing model (cycles below are valid) */
    struct {
        uint64_t calls;        /* calls of this op (0: the op did not occur) */
        uint64_t p50, p99;     /* nominal cycles per call (docs/timing.md) */
    } cycles[TRACE_OP_COUNT];  /* by op; access and sysreg never have any */
    /* The cost of one context switch (docs/compare.md): the trace's own switch events, or,
     * when it has none, one switch to the running thread after the last event (a probe, not
     * counted in the columns above); none for the algorithms whose context switch does not
     * touch the MPU they program (xen and the policies). */
    struct compare_ctx_switch {
        enum { COMPARE_CTX_NONE, COMPARE_CTX_TRACE, COMPARE_CTX_PROBE } source;
        uint64_t count;        /* switches measured */
        double writes;         /* MSRs per switch (mean) */
        double barriers;       /* barriers per switch (mean; native only) */
        double insns;          /* guest instructions per switch (mean; guest only) */
        uint64_t p50, p99;     /* timed guest: nominal cycles per switch */
    } ctx;
    /* A run that ended early with a result, not an error (docs/compare.md): the guest stopped
     * inside a call, or lockstep diverged. The metrics above cover events up to that one. */
    long stopped_event;        /* -1: the run replayed every event */
    char stopped[400];         /* why, one line: "the guest stopped at event 61 (unmap, in ...)" */
};

/**
 * compare_options_init - the defaults: every algorithm mm/ knows (compare_default_algos),
 * upstream semantics, the traces' region counts, FSC model "translation", shard 1/1.
 * @o: written always
 * Returns 0, or -1 with err set if a default algorithm cannot be set up (a bug).
 */
int compare_options_init(struct compare_options *o, struct mpusim_error *err);

/**
 * compare_parse_algos - parse a comma-separated algorithm list ("xen,xen-transient,reserve:4")
 * into o->algo / o->nalgo
 * @list: borrowed; names as mpusim replay --algo takes them
 * Returns 0, or -1 with err set (MPUSIM_E_USAGE: empty item, unknown algorithm, duplicate,
 * more than COMPARE_MAX_ALGOS). o is changed only on success.
 */
int compare_parse_algos(const char *list, struct compare_options *o, struct mpusim_error *err);


/* 1 if run j belongs to shard k of n (j % n == k - 1), else 0. */
int compare_in_shard(long run, unsigned k, unsigned n);

/**
 * compare_trace - replay trace t once per algorithm of o whose run falls in o's shard
 * @t:          the trace; borrowed
 * @o:          options; borrowed
 * @trace_index: 0-based position of t in the list of traces (for the run numbers)
 * @runs:       capacity o->nalgo; runs[0..*nruns) written on success, in algorithm order
 * @nruns:      written always (0 on error)
 * Returns 0, or -1 with err set (bad region count, boot regions that do not fit, no memory,
 * an engine failure).
 */
int compare_trace(const struct trace *t, const struct compare_options *o, long trace_index,
                  struct compare_run *runs, unsigned *nruns, struct mpusim_error *err);

/* The same for a streamed trace: hdr and rd from trace_reader_open; every run of the shard
 * replays the events as they are read (memory independent of the number of events). A trace
 * error is returned as -1 with err (the reader's message). */
int compare_trace_stream(const struct trace *hdr, struct trace_reader *rd,
                         const struct compare_options *o, long trace_index,
                         struct compare_run *runs, unsigned *nruns, struct mpusim_error *err);

/* Write the markdown table of runs[0..n) of one trace (a heading naming the trace, one row
 * per algorithm, a blank line after). n == 0 writes nothing. */
void compare_write_table(FILE *f, const struct compare_run *runs, unsigned n);

/* Write one run as one JSON line (JSON Lines: one object per line, '\n'-terminated). */
void compare_write_jsonl(FILE *f, const struct compare_run *run);

/* CSV (RFC 4180): the header line, and one run as one row; same fields as the JSON line, the
 * faults flattened to faults_permission, faults_no_region, faults_multiple_regions. */
void compare_write_csv_header(FILE *f);
void compare_write_csv_row(FILE *f, const struct compare_run *run);

#endif
