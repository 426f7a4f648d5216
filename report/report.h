#ifndef MPUSIM_REPORT_REPORT_H
#define MPUSIM_REPORT_REPORT_H
/*
 * The HTML report (docs/report.md): one self-contained page (inline SVG and CSS, no script,
 * nothing fetched) drawing a replay or a comparison. It reads the replay's summary structures
 * and, for what the summary does not keep (which events faulted or failed, the regions at the
 * peak), a bounded collector fed with each event's result as the replay produces it; it never
 * walks the trace. Size is bounded whatever the trace length: every series is downsampled to
 * at most REPORT_TIMELINE_MAX buckets and every list is capped (the totals are still shown).
 *
 * Library code: writes only to the FILE * it is given; the caller opens it (outset_open) and
 * commits it with the command's other outputs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "replay/compare.h"
#include "replay/replay.h"
#include "traces/trace.h"

#define REPORT_TIMELINE_MAX 1000 /* occupancy buckets drawn, at most */
#define REPORT_LIST_MAX 500      /* faults, failed calls kept for the page, at most */

/* ---- replay report ---- */

/* Per-event observations of one replay, bounded (the first REPORT_LIST_MAX of each kind, and
 * the MPU at the first event that reached the peak). Heap-allocated: report_collector_new. */
struct report_collector;

/* A new collector for replay r (borrowed, must outlive the collector); it records the regions
 * in use after the boot step. NULL with err set when out of memory. */
struct report_collector *report_collector_new(const struct replay *r, struct mpusim_error *err);
void report_collector_free(struct report_collector *c);

/* Observe event i (ev: the event as replayed, borrowed for the call) after replay_step wrote
 * res. Call once per event, in order, with the same replay. Never fails, never allocates. */
void report_collector_observe(struct report_collector *c, const struct replay *r, size_t i,
                              const struct trace_event *ev, const struct replay_event_result *res);

/**
 * report_write_replay - write the page of a finished replay
 * @f: destination; @r: the replay after its last event; @c: its collector (both borrowed)
 * Returns 0, or -1 with err set (no memory for the summaries, a write error).
 */
int report_write_replay(FILE *f, const struct replay *r, const struct report_collector *c,
                        struct mpusim_error *err);

/* ---- comparison report ---- */

/* A comparison page written incrementally: the head when it is opened, one section per trace
 * as its runs finish, the end on report_compare_finish. Memory holds one trace's runs. */
struct report_compare;

/* A new comparison page on f (borrowed) for the options o (borrowed, must outlive it); writes
 * the page head. NULL with err set when out of memory. */
struct report_compare *report_compare_new(FILE *f, const struct compare_options *o,
                                          struct mpusim_error *err);
/* compare_options.on_run hook: keep run's occupancy timeline from its replay (opaque is the
 * struct report_compare *). */
void report_compare_on_run(void *opaque, const struct replay *r, const struct compare_run *run);
/* Write the section of one trace: the overlay of the runs kept since the last call, and the
 * metrics table of runs[0..n). */
int report_compare_trace(struct report_compare *p, const struct compare_run *runs, unsigned n,
                         struct mpusim_error *err);
/* Write the end of the page and free p. Returns 0, or -1 with err set on a write error. */
int report_compare_finish(struct report_compare *p, struct mpusim_error *err);
/* Free p without finishing (on an error path). */
void report_compare_free(struct report_compare *p);

#endif
