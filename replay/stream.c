/* Replaying a streamed trace (stream.h). */
#include "replay/stream.h"

#include <stdlib.h>

/* Replay ev through every replay that has not failed; 1 if one failed, -1 for an event an
 * algorithm does not understand (err set). */
static int step_all(struct replay **rs, unsigned n, const struct trace_event *ev, long i,
                    const struct replay_stream_sink *sink, struct mpusim_error *err)
{
    int failed = 0;
    for (unsigned k = 0; k < n; k++)
        if (replay_check_event_system(rs[k]->trace, ev, i, rs[k]->opt.algo, err) != 0)
            return -1;
    for (unsigned k = 0; k < n; k++) {
        struct replay *r = rs[k];
        if (r->failed) {
            failed = 1;
            continue;
        }
        if (replay_is_algo_op(ev->op))
            replay_set_algo_events(r, 1);
        struct replay_event_result res;
        replay_step_event(r, ev, &res);
        if (r->failed && r->failed != 3) {
            failed = 1;
            continue;
        }
        /* a guest stop (failed 3) is this event's result: reported, then the replay ends */
        if (sink && sink->on_event)
            sink->on_event(sink->opaque, k, r, i, ev, &res);
        if (r->failed)
            failed = 1;
    }
    return failed;
}

static void progress(const struct replay_stream_sink *sink, struct trace_reader *rd,
                     unsigned long long events)
{
    if (sink && sink->on_progress)
        sink->on_progress(sink->opaque, events, trace_reader_offset(rd));
}

int replay_run_stream(struct replay **rs, unsigned n, struct trace_reader *rd,
                      const struct replay_stream_sink *sink, struct mpusim_error *err)
{
    long i = 0;
    int got;
    struct trace_event ev;
    /* Look ahead for the first algorithm call when the header cannot say. */
    int decided = n == 0 || rs[0]->algo_events;
    if (!decided) {
        struct trace_event *win = malloc(REPLAY_LOOKAHEAD * sizeof *win);
        if (!win)
            return mpusim_error_set(err, MPUSIM_E_IO, "out of memory");
        size_t nwin = 0;
        int calls = 0;
        while (nwin < REPLAY_LOOKAHEAD && !calls) {
            got = trace_reader_next(rd, &win[nwin], err);
            if (got < 0) {
                free(win);
                return -1;
            }
            if (got == 0)
                break;
            calls = replay_is_algo_op(win[nwin].op);
            nwin++;
        }
        for (unsigned k = 0; k < n; k++)
            replay_set_algo_events(rs[k], calls);
        for (size_t j = 0; j < nwin; j++, i++) {
            int st = step_all(rs, n, &win[j], i, sink, err);
            if (st) {
                free(win);
                return st < 0 ? -1 : 0;
            }
        }
        free(win);
    }
    while ((got = trace_reader_next(rd, &ev, err)) > 0) {
        int st = step_all(rs, n, &ev, i, sink, err);
        if (st)
            return st < 0 ? -1 : 0;
        i++;
        if ((i & (REPLAY_PROGRESS_EVERY - 1)) == 0)
            progress(sink, rd, (unsigned long long)i);
        if (sink && sink->on_idle && trace_reader_would_block(rd))
            sink->on_idle(sink->opaque);
    }
    if (got < 0)
        return -1;
    progress(sink, rd, (unsigned long long)i);
    return 0;
}
