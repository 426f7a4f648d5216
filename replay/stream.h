#ifndef MPUSIM_REPLAY_STREAM_H
#define MPUSIM_REPLAY_STREAM_H
/*
 * Replaying a streamed trace (traces/trace.h, trace_reader): events are replayed as they are
 * read, through one or several replays at once (compare), in memory independent of the
 * number of events.
 *
 * Whether the trace has algorithm calls (which decides what "used" counts, trace-format.md)
 * is known from the header when it has boot regions; otherwise the driver looks ahead at most
 * REPLAY_LOOKAHEAD events for the first call. A trace with no boot and more than that many
 * access/sysreg events before its first call counts the regions enabled in the model until
 * that call, and the algorithm's table from then on.
 */
#include "replay/replay.h"

#define REPLAY_LOOKAHEAD 4096 /* events */

struct replay_stream_sink {
    /* After replay k (0-based, of n) replayed event i (0-based) with result res; may be NULL. */
    void (*on_event)(void *opaque, unsigned k, struct replay *r, long i,
                     const struct trace_event *ev, const struct replay_event_result *res);
    /* The reader is about to wait for input: flush what a live reader is waiting for; may be
     * NULL. */
    void (*on_idle)(void *opaque);
    /* Every REPLAY_PROGRESS_EVERY events and at the end: events read, bytes read; may be
     * NULL. */
    void (*on_progress)(void *opaque, unsigned long long events, unsigned long long offset);
    void *opaque; /* borrowed */
};
#define REPLAY_PROGRESS_EVERY 65536

/**
 * replay_run_stream - replay every event of rd through each of the n replays
 * @rs:   n replays set up from rd's header (replay_new), each replayed in the same order
 * @rd:   the reader, positioned after the header (trace_reader_open)
 * @sink: optional callbacks (NULL: none)
 * Returns 0 when the trace ended or a replay failed (r->failed set: the caller reports it), or
 * -1 with err set for a trace error (bad event, I/O, out of memory).
 */
int replay_run_stream(struct replay **rs, unsigned n, struct trace_reader *rd,
                      const struct replay_stream_sink *sink, struct mpusim_error *err);

#endif
