/*
 * libFuzzer harness: the JSON Lines fast path (traces/jsonl_fast.cpp) against jansson.
 *
 * Each input is read as a JSON Lines trace twice, with the fast path and with jansson alone:
 * both must give the same events or the same error (code, line, column, event, message). Each
 * line of the input is also decoded on its own both ways, in place and copied (the fast path
 * reads past a line only when told it may): the fast path must decline it or decode exactly
 * jansson's event. ASan, UBSan and LeakSanitizer watch both. Seeds: libfuzzer/corpus/jsonl_fast/.
 * Build and run: `make fuzz` (docs/compare.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/internal.h"
#include "traces/jsonl_fast.h"

#define REQUIRE(cond, what)                                                                      \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "jsonl_fast: broken: %s\n", what);                                   \
            __builtin_trap();                                                                    \
        }                                                                                        \
    } while (0)

static int same_error(const struct mpusim_error *a, const struct mpusim_error *b)
{
    return a->code == b->code && a->line == b->line && a->column == b->column &&
           a->event == b->event && strcmp(a->text, b->text) == 0 &&
           strcmp(a->source, b->source) == 0;
}

static void one_line(struct trace_fast *f, const char *s, size_t n, size_t avail)
{
    char why[600];
    if (trace_fast_check(f, s, n, avail, why, sizeof why) != 0 ||
        trace_path_check(f, s, n, avail, "<fuzz>", 2, why, sizeof why) != 0) {
        fprintf(stderr, "jsonl_fast: %s\n  line: %.*s\n", why, (int)n, s);
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct trace t1, t2;
    struct mpusim_error e1, e2;
    mpusim_error_clear(&e1);
    mpusim_error_clear(&e2);
    int r1 = trace_read_buffer_with(text, size, "<fuzz>", 1, &t1, &e1);
    int r2 = trace_read_buffer_with(text, size, "<fuzz>", 0, &t2, &e2);
    REQUIRE(r1 == r2, "fast and jansson reads disagree on success");
    if (r1 == 0) {
        REQUIRE(t1.nevents == t2.nevents, "fast and jansson reads count other events");
        for (size_t i = 0; i < t1.nevents; i++)
            REQUIRE(trace_event_same(&t1.events[i], &t2.events[i]),
                    "fast and jansson reads decode other events");
        trace_fini(&t1);
        trace_fini(&t2);
    } else {
        REQUIRE(same_error(&e1, &e2), "fast and jansson reads give other errors");
    }

    /* every line alone: in place (the input's own buffer, padded copy) and at a buffer's end */
    struct trace_fast *f = trace_fast_new();
    if (!f)
        return 0;
    char *padded = malloc(size + TRACE_FAST_PADDING);
    if (!padded) {
        trace_fast_free(f);
        return 0;
    }
    memcpy(padded, text, size);
    memset(padded + size, 0, TRACE_FAST_PADDING);
    for (size_t pos = 0; pos < size;) {
        const char *nl = memchr(padded + pos, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - (padded + pos)) : size - pos;
        if (!trace_is_blank(padded + pos, n)) {
            one_line(f, padded + pos, n, size + TRACE_FAST_PADDING - pos);
            one_line(f, text + pos, n, n); /* copied by the fast path */
        }
        pos += n + 1;
    }
    free(padded);
    trace_fast_free(f);
    return 0;
}
