#ifndef MPUSIM_REPLAY_TARMAC_IMPORT_H
#define MPUSIM_REPLAY_TARMAC_IMPORT_H
/*
 * Tarmac import: the records of a Tarmac trace (tarmac/) turned into trace v1 events
 * (traces/), streamed, in constant memory, at one of two levels (docs/capture.md):
 *   - registers: every write to an MPU-related register as a sysreg event, every data access
 *     as an access event (optionally instruction fetches as exec accesses); register values
 *     given before the first instruction (reset dumps) are the starting state;
 *   - calls: with an ELF and an adapter, every call of an adapter op symbol as a map, modify,
 *     unmap, unmap_containing or ioremap event with expect.rc and expect.used, and a header
 *     whose boot regions are those enabled at the first call.
 */
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

enum tarmac_import_level { TARMAC_IMPORT_REGISTERS, TARMAC_IMPORT_CALLS };

#define TARMAC_IMPORT_MAX_TYPES 16 /* skipped line types counted by name; the rest as "other" */

struct tarmac_import_options {
    enum tarmac_import_level level;
    unsigned regions;        /* EL2 MPU regions; 0: from an MPUIR_EL2 value in the trace */
    int fetches;             /* registers: add instruction fetches as exec accesses */
    const char *elf;         /* calls: the image that ran (symbols); borrowed */
    const char *adapter;     /* calls: adapter file (replay/adapter.h); borrowed */
    /* Optional progress report every 2^20 lines: lines and bytes so far. May be NULL. */
    void (*on_progress)(void *opaque, uint64_t lines, uint64_t bytes);
    void *opaque;
};

struct tarmac_import_stats {
    uint64_t lines;          /* lines read */
    uint64_t insns;          /* instruction lines */
    uint64_t start_writes;   /* sysreg events from the starting state (before the first
                                instruction) */
    uint64_t reg_writes;     /* sysreg events from software writes */
    uint64_t accesses;       /* access events (data) */
    uint64_t aborted;        /* of which (ABORTED) */
    uint64_t fetches;        /* exec access events */
    uint64_t el3_accesses;   /* data accesses at EL3 (no MPU there): not imported */
    uint64_t calls;          /* call events */
    uint64_t nested;         /* op calls inside another op call: part of the outer event */
    uint64_t unreturned;     /* calls still open when the trace ended (events without
                                expect) */
    uint64_t branch_entries; /* calls entered by a branch that is not BL/BLR (tail calls) */
    uint64_t not_calls;      /* the op symbol reached without a call: a loop back to it, or
                                no known return address */
    uint64_t unknown_regs;   /* register lines naming registers the import does not use */
    uint64_t events;         /* event lines written */
    unsigned regions;        /* mpu.regions written */
    int regions_assumed;     /* 1: no MPUIR_EL2, no --regions and no MPU write: 16 assumed */
    uint64_t skipped;        /* lines skipped (unknown types, blank, maintenance, events) */
    unsigned ntypes;
    struct {
        char type[48];       /* as the reader saw it ("" for a line of no type) */
        uint64_t lines;
    } type[TARMAC_IMPORT_MAX_TYPES];
    uint64_t other_types;    /* skipped lines of further types */
};

/**
 * tarmac_import - read the Tarmac trace at path ("-": stdin) and write trace v1 JSON Lines to out
 * @out: borrowed; the caller makes the file appear atomically (replay/outfile.c)
 * @st:  written always (what was done until an error)
 * Returns 0, or -1 with err naming the file and line: not a Tarmac trace, a bad number, a
 * register value that is not hex for a register the import uses, MPU writes with no way to
 * know the region count, an ELF or adapter problem (calls: the ELF lacks an adapter symbol).
 */
int tarmac_import(const char *path, FILE *out, const struct tarmac_import_options *o,
                  struct tarmac_import_stats *st, struct mpusim_error *err);
/* The same over an open stream (borrowed, not closed); source names it in messages. */
int tarmac_import_stream(FILE *in, const char *source, FILE *out,
                         const struct tarmac_import_options *o, struct tarmac_import_stats *st,
                         struct mpusim_error *err);

#endif
