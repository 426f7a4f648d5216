#ifndef MPUSIM_REPLAY_RECORD_H
#define MPUSIM_REPLAY_RECORD_H
/*
 * Recording a guest's own MPU calls as a trace (run --record, docs/boot.md): every call of an
 * adapter op symbol the guest makes while it runs, seen through sim/ call watches (entry and
 * return), becomes one event of a JSON Lines trace (format v1) with its arguments, expect.rc
 * and expect.used (the adapter's in-use bitmap, results.used.popcount, when it has one; else
 * the EL2 regions enabled), and the caller chain as its note. Calls made inside another recorded call
 * (ioremap_attr calling xen_mpumap_update) belong to the outer one and are not recorded
 * again. The header's boot regions are the EL2 regions enabled at the first call. Events are
 * streamed to the output as they complete (memory does not grow with the run), a stream the
 * caller owns: an output of its command's set (replay/outfile.h), committed with the others.
 */
#include <stdio.h>

#include "common/error.h"
#include "replay/adapter.h"
#include "sim/sim.h"

struct replay_recorder;

/**
 * replay_recorder_new - watch every op symbol of adapter a on s, writing to f
 * @s: borrowed, must outlive the recorder; its ELF loaded, not yet run
 * @a: copied; @f: the trace's stream (borrowed; e.g. outset_open's); @generator: "x-generator"
 * Returns a recorder (replay_recorder_finish after the run, then _free), or NULL with err
 * (MPUSIM_E_RANGE: the adapter names a symbol the image lacks).
 */
struct replay_recorder *replay_recorder_new(struct sim *s, const struct replay_adapter *a,
                                            FILE *f, const char *generator,
                                            struct mpusim_error *err);
/* Calls recorded so far; calls not recorded because they ran inside a recorded one. */
unsigned long replay_recorder_calls(const struct replay_recorder *r);
unsigned long replay_recorder_nested(const struct replay_recorder *r);
/* Calls still active when the run ended (entered, never returned): not in the trace. */
unsigned long replay_recorder_unfinished(const struct replay_recorder *r);
/* Write what is pending (the header alone when no call was made). 0, or -1 with err when a
 * write failed (the caller then drops its output). */
int replay_recorder_finish(struct replay_recorder *r, struct mpusim_error *err);
void replay_recorder_free(struct replay_recorder *r); /* r may be NULL */

#endif
