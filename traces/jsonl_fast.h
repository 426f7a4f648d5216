#ifndef MPUSIM_TRACES_JSONL_FAST_H
#define MPUSIM_TRACES_JSONL_FAST_H
/*
 * The JSON Lines fast path (traces/jsonl_fast.cpp, the one C++ unit: simdjson's DOM parser
 * behind this C interface; docs/trace-format.md, "Reading speed"). It decodes an event line to
 * exactly the event trace_decode_event gives from jansson's parse, or declines the line: any
 * line that is malformed, breaks the format, or that it is not sure to read as jansson does
 * (a non-ASCII byte, a \u escape, an integer above 2^63 - 1, over 32 keys in an object,
 * nesting over 64 levels) is declined, and the caller parses it again with
 * jansson, so that every error message (file, line, column, what is wrong) is jansson's.
 * Only traces/ includes this header.
 */
#include <stddef.h>

#include "traces/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes past a line that the fast path reads when the caller says they are readable (avail);
 * with fewer, it copies the line. */
#define TRACE_FAST_PADDING 64

/* A parser with its buffers, reused line after line; one per thread. */
struct trace_fast;

/* A new fast path, or NULL when out of memory (callers then use jansson alone). */
struct trace_fast *trace_fast_new(void);
/* NULL is a no-op. */
void trace_fast_free(struct trace_fast *f);

/**
 * trace_fast_event - decode one JSON Lines event line
 * @s, @n:  the line without its '\n' (borrowed)
 * @avail:  bytes readable from s (>= n); the line is parsed in place when avail >= n +
 *          TRACE_FAST_PADDING, else copied
 * @line:   its 1-based file line (ev->line)
 * @ev:     on 1: the event (ev->parts allocated for a domain_init with partitions, owned by
 *          the caller as after trace_decode_event); on 0: unspecified, nothing allocated
 * Returns 1 when decoded, 0 when declined (the caller decodes the line with jansson).
 */
int trace_fast_event(struct trace_fast *f, const char *s, size_t n, size_t avail, int line,
                     struct trace_event *ev);

#ifdef __cplusplus
}
#endif
#endif
