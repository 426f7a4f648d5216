/* Shared set-up of the replay tests (Criterion assertions inside: a failure ends the test). */
#ifndef MPUSIM_TESTS_REPLAY_HELPERS_H
#define MPUSIM_TESTS_REPLAY_HELPERS_H

#include "replay/replay.h"
#include "traces/trace.h"

/* The trace document at path (the caller frees it with trace_free). */
struct trace replay_test_load(const char *path);
/* A replay of t with o (the caller frees it with replay_free). */
struct replay *replay_test_start(const struct trace *t, const struct replay_options *o);
/* Every event of t, in order, through r. */
void replay_test_run_all(struct replay *r, const struct trace *t);

#endif
