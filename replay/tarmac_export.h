#ifndef MPUSIM_REPLAY_TARMAC_EXPORT_H
#define MPUSIM_REPLAY_TARMAC_EXPORT_H
/*
 * Tarmac export (--tarmac on run and replay; docs/capture.md): the guest engine's execution
 * report (struct sim_exec, sim/sim.h) written as Tarmac lines (tarmac/) in the shape Arm's
 * tarmac-trace-utilities index: "TS clk IT (INDEX) ADDR ENC O EL2h : DISASSEMBLY", R lines for
 * every changed general register, SP_EL2 and CPSR, one R line per system-register write by
 * its architectural name, MR<n>/MW<n> lines for data accesses, an E line and the ESR/FAR/ELR/
 * SPSR_EL2 values for each exception taken. Before the first record, a time-0 line gives
 * MPUIR_EL2 (the region count), as FVPs' reset dumps do. Streamed: nothing is kept.
 */
#include <stdio.h>

#include "common/error.h"
#include "sim/sim.h"

#define TARMAC_EXPORT_BUF 65536 /* lines are gathered here and written in blocks */

/* Caller-allocated (about 64 KiB); nothing to free. */
struct tarmac_export {
    FILE *f;          /* borrowed, not closed; may be set after init, before the first record */
    int timing;       /* 1: timestamps are the timing model's nominal cycles; 0: instructions */
    int started;      /* the time-0 lines are written */
    int io_error;     /* a write failed */
    int io_errno;     /* errno of the first failed write (0: unknown) */
    const char *path; /* borrowed: the file's name for messages (the user's, e.g. --tarmac's) */
    uint64_t insns;   /* instruction lines written */
    size_t used;      /* bytes of buf not yet written to f */
    char buf[TARMAC_EXPORT_BUF];
};

/* path: the output's name as the user gave it, for error messages (borrowed; may be NULL). */
void tarmac_export_init(struct tarmac_export *x, FILE *f, const char *path, int timing);
/* The sim_exec_fn: pass it as sim_options.on_exec with the export as exec_opaque. Records
 * arriving while f is NULL are dropped. */
void tarmac_export_exec(void *opaque, const struct sim_exec *e);
/* Write what is gathered and flush f; 0, or -1 with err (MPUSIM_E_IO, naming path and the
 * reason) when a write failed. */
int tarmac_export_finish(struct tarmac_export *x, struct mpusim_error *err);

#endif
