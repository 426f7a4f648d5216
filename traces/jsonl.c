/*
 * The events of a JSON Lines trace: one parse per line (the fast path, jsonl_fast.h, then
 * jansson for a line it declines), in parallel.
 *
 * Decoding is still most of the cost of reading a trace into memory, so a long trace is cut
 * into chunks of whole lines decoded by worker threads. The
 * result does not depend on the number of threads: a first pass counts the event lines, so
 * every event's index and line are known before decoding, each chunk writes its own slice of
 * the events array, and the error reported is the first one in file order.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traces/internal.h"
#include "traces/jsonl_fast.h"

#define LOAD_FLAGS JSON_REJECT_DUPLICATES
#define MAX_THREADS 16
#define MIN_CHUNK_EVENTS 8192 /* below this, threads cost more than they save */

struct chunk {
    const char *buf;            /* borrowed: the whole trace, len bytes */
    size_t len;
    size_t pos, end;            /* byte range [pos, end) of whole lines */
    int line;                   /* file line of the byte at pos */
    long event;                 /* index of the first event in the chunk */
    struct trace_event *events; /* borrowed: the trace's array */
    const char *source;         /* borrowed */
    int fast;                   /* 1: through the fast path */
    struct mpusim_error err;    /* this chunk's first error; MPUSIM_OK if none */
};

/* Length of the line at s (without its '\n'), within [s, end). */
static size_t line_length(const char *s, const char *end)
{
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    return nl ? (size_t)(nl - s) : (size_t)(end - s);
}

int trace_jsonl_event(struct trace_parse *p, const char *s, size_t n, struct trace_event *ev)
{
    json_error_t je;
    json_t *v = json_loadb(s, n, LOAD_FLAGS, &je);
    if (!v) {
        trace_event_begin(ev, p->line);
        return mpusim_error_at(p->err, MPUSIM_E_PARSE, p->source, p->line, je.column, p->event,
                               "invalid JSON: %s", je.text);
    }
    int rc = trace_decode_event(p, v, ev);
    json_decref(v);
    if (rc != 0) { /* nothing of a refused event outlives it */
        free(ev->parts);
        ev->parts = NULL;
        ev->nparts = 0;
    }
    return rc;
}

int trace_jsonl_decode(struct trace_fast *f, struct trace_parse *p, const char *s, size_t n,
                       size_t avail, struct trace_event *ev)
{
    if (f && trace_fast_event(f, s, n, avail, p->line, ev))
        return 0;
    return trace_jsonl_event(p, s, n, ev);
}

int trace_fast_check(struct trace_fast *f, const char *s, size_t n, size_t avail, char *why,
                     size_t cap)
{
    struct trace_event fast, slow;
    if (!trace_fast_event(f, s, n, avail, 1, &fast))
        return 0; /* declined: the reader uses jansson's result */
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct trace_parse p = { &err, "<line>", 1, 0, -1, NULL };
    int rc = trace_jsonl_event(&p, s, n, &slow);
    int same = rc == 0 && trace_event_same(&fast, &slow);
    if (rc != 0)
        snprintf(why, cap, "the fast path decoded a line jansson refuses (%s)", err.text);
    else if (!same)
        snprintf(why, cap, "the fast path decoded another event than jansson (op %s/%s, base "
                 "0x%llx/0x%llx, limit 0x%llx/0x%llx)", trace_op_name(fast.op),
                 trace_op_name(slow.op), (unsigned long long)fast.base,
                 (unsigned long long)slow.base, (unsigned long long)fast.limit,
                 (unsigned long long)slow.limit);
    free(fast.parts);
    if (rc == 0)
        free(slow.parts);
    return same ? 0 : -1;
}

int trace_path_check(struct trace_fast *f, const char *s, size_t n, size_t avail,
                     const char *source, int line, char *why, size_t cap)
{
    struct mpusim_error e1, e2;
    mpusim_error_clear(&e1);
    mpusim_error_clear(&e2);
    struct trace_parse p1 = { &e1, source, line, 3 /* not 0: must be carried */, -1, NULL }, p2 = p1;
    p2.err = &e2;
    struct trace_event a, b;
    int r1 = trace_jsonl_decode(f, &p1, s, n, avail, &a);
    int r2 = trace_jsonl_event(&p2, s, n, &b);
    int ok = r1 == r2;
    if (!ok)
        snprintf(why, cap, "the reader's path %s, jansson %s", r1 ? "fails" : "succeeds",
                 r2 ? "fails" : "succeeds");
    else if (r1 == 0 && !(ok = trace_event_same(&a, &b)))
        snprintf(why, cap, "the reader's path and jansson decode other events (op %s/%s)",
                 trace_op_name(a.op), trace_op_name(b.op));
    else if (r1 != 0 &&
             !(ok = e1.code == e2.code && e1.line == e2.line && e1.column == e2.column &&
                    e1.event == e2.event && !strcmp(e1.text, e2.text) &&
                    !strcmp(e1.source, e2.source)))
        snprintf(why, cap, "other errors: %s:%d:%d event %ld: %s | %s:%d:%d event %ld: %s",
                 e1.source, e1.line, e1.column, e1.event, e1.text, e2.source, e2.line, e2.column,
                 e2.event, e2.text);
    if (r1 == 0)
        free(a.parts);
    if (r2 == 0)
        free(b.parts);
    return ok ? 0 : -1;
}

static void *decode_chunk(void *arg)
{
    struct chunk *c = arg;
    struct trace_parse p = { &c->err, c->source, c->line, c->event, -1, NULL };
    struct trace_fast *fast = c->fast ? trace_fast_new() : NULL;
    const char *end = c->buf + c->end, *all = c->buf + c->len;
    for (const char *s = c->buf + c->pos; s < end; p.line++) {
        size_t n = line_length(s, end);
        if (!trace_is_blank(s, n)) {
            if (trace_jsonl_decode(fast, &p, s, n, (size_t)(all - s), &c->events[p.event]) != 0)
                break;
            p.event++;
        }
        s += n + 1;
    }
    trace_fast_free(fast);
    return NULL;
}

static unsigned thread_count(size_t nevents)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = nevents / MIN_CHUNK_EVENTS;
    if (cpus < 1)
        cpus = 1;
    if (n > (size_t)cpus)
        n = (size_t)cpus;
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    return n ? (unsigned)n : 1;
}

int trace_read_lines(struct trace_parse *p, const char *buf, size_t len, size_t pos, int line,
                     int fast, struct trace *t)
{
    /* Pass 1: count event lines. */
    size_t total = 0;
    for (const char *s = buf + pos, *end = buf + len; s < end;) {
        size_t n = line_length(s, end);
        total += !trace_is_blank(s, n);
        s += n + 1;
    }
    if (total == 0)
        return 0;
    if (total > SIZE_MAX / sizeof *t->events || total > (size_t)LONG_MAX)
        return trace_fail(p, MPUSIM_E_IO, NULL, "too many events (%zu)", total);
    t->events = calloc(total, sizeof *t->events); /* zeroed: trace_fini frees .parts */
    if (!t->events)
        return trace_fail(p, MPUSIM_E_IO, NULL, "out of memory for %zu events", total);
    t->cap = total;

    /* Pass 2: cut into chunks of about total / nthreads events, at line starts. */
    struct chunk chunks[MAX_THREADS];
    unsigned nchunks = thread_count(total);
    size_t per = (total + nchunks - 1) / nchunks, seen = 0;
    unsigned k = 0;
    const char *end = buf + len, *s = buf + pos;
    int ln = line;
    chunks[0] = (struct chunk){ .buf = buf, .len = len, .pos = pos, .end = len, .line = line,
                                .event = 0, .events = t->events, .source = p->source,
                                .fast = fast };
    while (s < end && k + 1 < nchunks) {
        size_t n = line_length(s, end);
        if (!trace_is_blank(s, n) && ++seen == per * (k + 1)) {
            size_t next = (size_t)(s - buf) + n + 1;
            chunks[k].end = next < len ? next : len;
            k++;
            chunks[k] = (struct chunk){ .buf = buf, .len = len, .pos = chunks[k - 1].end,
                                        .end = len, .line = ln + 1, .event = (long)seen,
                                        .events = t->events, .source = p->source,
                                        .fast = fast };
        }
        s += n + 1;
        ln++;
    }
    nchunks = k + 1;

    /* Decode: chunk 0 on this thread, the others on workers (or here if a thread fails). */
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = { 0 };
    for (unsigned i = 0; i < nchunks; i++)
        mpusim_error_clear(&chunks[i].err);
    for (unsigned i = 1; i < nchunks; i++)
        started[i] = pthread_create(&tid[i], NULL, decode_chunk, &chunks[i]) == 0;
    decode_chunk(&chunks[0]);
    for (unsigned i = 1; i < nchunks; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            decode_chunk(&chunks[i]);
    }
    for (unsigned i = 0; i < nchunks; i++) {
        if (chunks[i].err.code != MPUSIM_OK) {
            if (p->err && p->err->code == MPUSIM_OK)
                *p->err = chunks[i].err;
            return -1;
        }
    }
    t->nevents = total;
    return 0;
}
