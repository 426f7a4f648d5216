/* Reading a trace: the file into memory, the form (document or JSON Lines) from the content,
 * then the header and the events. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/internal.h"

#define LOAD_FLAGS JSON_REJECT_DUPLICATES
#define READ_CHUNK (1u << 20)

/* 1-based line and column (in bytes) of byte offset pos; error path only. */
static void position_of(const char *buf, size_t pos, int *line, int *column)
{
    int l = 1;
    size_t bol = 0;
    for (size_t i = 0; i < pos; i++)
        if (buf[i] == '\n') {
            l++;
            bol = i + 1;
        }
    *line = l;
    *column = (int)(pos - bol) + 1;
}

/* A syntax error reported by jansson; line_base is the file line of the text's first line. */
static int syntax_error(const struct trace_parse *p, const json_error_t *je, int line_base)
{
    int line = je->line > 0 ? line_base + je->line - 1 : line_base;
    return mpusim_error_at(p->err, MPUSIM_E_PARSE, p->source, line, je->column, p->event,
                           "invalid JSON: %s", je->text);
}

static int read_document(struct trace_parse *p, json_t *doc, struct trace *t)
{
    if (trace_decode_header(p, doc, 1, t) != 0)
        return -1;
    json_t *events = json_object_get(doc, "events");
    size_t n = json_array_size(events);
    if (n > 0) {
        t->events = calloc(n, sizeof *t->events);
        if (!t->events)
            return trace_fail(p, MPUSIM_E_IO, NULL, "out of memory for %zu events", n);
        t->cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        p->event = (long)i;
        if (trace_decode_event(p, json_array_get(events, i), &t->events[i]) != 0)
            return -1;
        t->nevents++;
    }
    return 0;
}

int trace_jsonl_header(struct trace_parse *p, const char *buf, size_t len, size_t skip,
                       json_t *first, size_t end, struct trace *t, size_t *pos, int *line_out)
{
    t->jsonl = 1;
    int line, column;
    position_of(buf, end, &line, &column);
    const char *nl = memchr(buf + end, '\n', len - end);
    size_t eol = nl ? (size_t)(nl - buf) : len;
    if (!trace_is_blank(buf + end, eol - end)) {
        size_t i = end;
        while (trace_is_space(buf[i]))
            i++;
        position_of(buf, i, &line, &column);
        return mpusim_error_at(p->err, MPUSIM_E_PARSE, p->source, line, column, -1,
                               "unexpected data after the header (JSON Lines: one header object "
                               "on the first line, then one event per line)");
    }
    /* Header errors are reported at the line where the header starts. */
    size_t start = skip;
    while (trace_is_space(buf[start]))
        start++;
    position_of(buf, start, &p->line, &column);
    if (trace_decode_header(p, first, 0, t) != 0)
        return -1;
    *pos = eol + 1;
    *line_out = line + 1;
    return 0;
}

int trace_read_buffer(const char *buf, size_t len, const char *source, struct trace *out,
                      struct mpusim_error *err)
{
    return trace_read_buffer_with(buf, len, source, 1, out, err);
}

int trace_read_buffer_with(const char *buf, size_t len, const char *source, int fast,
                           struct trace *out, struct mpusim_error *err)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    snprintf(t.source, sizeof t.source, "%s", source ? source : "<buffer>");
    struct trace_parse p = { err, t.source, -1, -1, -1, NULL };

    /* A UTF-8 byte order mark is skipped (it counts as one column of line 1). */
    size_t skip = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        skip = 3;
    if (trace_is_blank(buf + skip, len - skip))
        return mpusim_error_at(err, MPUSIM_E_PARSE, t.source, -1, -1, -1,
                               "empty trace: expected a header object "
                               "{\"format\": \"mpusim-trace\", ...}");

    /* The first value decides the form: an object with "events" is the document form;
     * anything else is the header line of JSON Lines. */
    json_error_t je;
    json_t *first = json_loadb(buf + skip, len - skip, LOAD_FLAGS | JSON_DISABLE_EOF_CHECK, &je);
    if (!first) {
        if (skip && je.line == 1)
            je.column++;
        return syntax_error(&p, &je, 1);
    }
    int rc = -1;
    if (!json_is_object(first)) {
        trace_fail(&p, MPUSIM_E_PARSE, NULL, "expected a header object, got %s",
                   trace_json_type(first));
        goto fail;
    }
    size_t end = skip + (size_t)je.position; /* first byte after the first value */
    if (json_object_get(first, "events")) {
        if (len - skip > (size_t)INT_MAX) { /* jansson reports positions as int */
            trace_fail(&p, MPUSIM_E_RANGE, NULL,
                       "a trace document over 2 GiB is not supported; use JSON Lines");
            goto fail;
        }
        size_t i = end;
        while (i < len && trace_is_space(buf[i]))
            i++;
        if (i < len) {
            int line, column;
            position_of(buf, i, &line, &column);
            mpusim_error_at(err, MPUSIM_E_PARSE, t.source, line, column, -1,
                            "unexpected data after the trace document (a JSON Lines header "
                            "has no \"events\")");
            goto fail;
        }
        rc = read_document(&p, first, &t);
    } else {
        size_t pos;
        int line;
        if (trace_jsonl_header(&p, buf, len, skip, first, end, &t, &pos, &line) == 0)
            rc = trace_read_lines(&p, buf, len, pos, line, fast, &t);
    }
    if (rc == 0)
        rc = trace_resolve_names(&p, &t);
    if (rc == 0)
        rc = trace_resolve_bao(&p, &t);
fail:
    json_decref(first);
    if (rc != 0) {
        trace_fini(&t);
        return -1;
    }
    *out = t;
    return 0;
}

/* The whole of f into a new buffer (*buf, *len); free(*buf) after use. */
static int slurp(FILE *f, const char *source, char **buf, size_t *len, struct mpusim_error *err)
{
    size_t cap = READ_CHUNK, n = 0;
    char *b = malloc(cap);
    if (!b)
        return mpusim_error_at(err, MPUSIM_E_IO, source, -1, -1, -1, "out of memory");
    for (;;) {
        if (n == cap) {
            if (cap > SIZE_MAX / 2) {
                free(b);
                return mpusim_error_at(err, MPUSIM_E_IO, source, -1, -1, -1, "file too large");
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                return mpusim_error_at(err, MPUSIM_E_IO, source, -1, -1, -1,
                                       "out of memory reading %zu bytes", cap * 2);
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno;
                free(b);
                return mpusim_error_at(err, MPUSIM_E_IO, source, -1, -1, -1,
                                       "cannot read: %s", strerror(e));
            }
            break;
        }
    }
    *buf = b;
    *len = n;
    return 0;
}

int trace_read_file(const char *path, struct trace *out, struct mpusim_error *err)
{
    int use_stdin = strcmp(path, "-") == 0;
    const char *source = use_stdin ? "<stdin>" : path;
    FILE *f = use_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return mpusim_error_at(err, MPUSIM_E_IO, source, -1, -1, -1, "cannot open: %s",
                               strerror(errno));
    char *buf = NULL;
    size_t len = 0;
    int rc = slurp(f, source, &buf, &len, err);
    if (!use_stdin)
        fclose(f);
    if (rc != 0)
        return -1;
    rc = trace_read_buffer(buf, len, source, out, err);
    free(buf);
    return rc;
}

void trace_fini(struct trace *t)
{
    for (size_t i = 0; t->events && i < t->cap; i++) {
        free(t->events[i].parts);
        free(t->events[i].expect.cpus);
    }
    free(t->zephyr);
    t->zephyr = NULL;
    free(t->bao);
    t->bao = NULL;
    free(t->boot);
    free(t->events);
    t->boot = NULL;
    t->events = NULL;
    t->nboot = 0;
    t->nevents = 0;
    t->cap = 0;
}
