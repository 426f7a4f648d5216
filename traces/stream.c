/*
 * Reading a trace as a stream (trace.h, "reading as a stream"). The first JSON value decides
 * the form, as in read.c: a JSON Lines header is decoded from the first bytes, then each line
 * is read, parsed and decoded when asked for, in a buffer that holds one line. Anything else
 * (the document form, a malformed or empty start) is read whole and handed to
 * trace_read_buffer, so that every error is the same as trace_read_file's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traces/internal.h"
#include "traces/jsonl_fast.h"

#define LOAD_FLAGS JSON_REJECT_DUPLICATES
#define READ_CHUNK (64u * 1024u)

struct trace_reader {
    int fd;                    /* input; STDIN_FILENO for "-" */
    int own_fd;                /* 1: close fd at the end */
    char source[128];          /* file name for messages */
    char *buf;                 /* buffered input [start, len) (owned; capacity cap) */
    size_t start, len, cap;
    int eof;                   /* read() returned 0 */
    int failed;                /* an error was returned: stay failed */
    int line;                  /* file line of the byte at buf[start] */
    long event;                /* index of the next event */
    unsigned long long consumed; /* bytes before buf[start] */
    long long size;            /* input size, -1 when not a regular file */
    int in_memory;             /* 1: events come from mem (document form) */
    struct trace mem;          /* the whole trace, document form (owned) */
    size_t next;               /* next event of mem */
    char *next_nl;             /* the '\n' ending the line at buf[start], or NULL: not found
                                  yet (cached between calls) */
    struct trace_names names;  /* JSON Lines: zephyr names seen so far (trace_resolve_event) */
    int has_zephyr;            /* the header has "zephyr" */
    struct trace_bao_names bao_names; /* JSON Lines: bao VMs and CPU states seen so far */
    struct trace_bao bao;      /* a copy of the header's "bao" */
    int has_bao;               /* the header has "bao" */
    struct trace_partition *parts; /* the partitions of the last event handed out (owned:
                                      valid until the next call) */
    struct trace_fast *fast;   /* the JSON Lines fast path (owned); NULL: jansson alone */
};

/* Read more input after [start, len), growing the buffer when it is full. 0, or -1 with err. */
static int fill(struct trace_reader *rd, struct mpusim_error *err)
{
    if (rd->start > 0 && rd->start == rd->len) {
        rd->consumed += rd->start;
        rd->start = rd->len = 0;
    }
    if (rd->len == rd->cap) {
        if (rd->start > rd->cap / 2) { /* slide the partial line to the front */
            memmove(rd->buf, rd->buf + rd->start, rd->len - rd->start);
            rd->consumed += rd->start;
            rd->len -= rd->start;
            rd->start = 0;
        } else {
            size_t cap = rd->cap ? rd->cap * 2 : READ_CHUNK;
            char *nb = realloc(rd->buf, cap + TRACE_FAST_PADDING); /* readable past a line */
            if (!nb)
                return mpusim_error_at(err, MPUSIM_E_IO, rd->source, -1, -1, -1,
                                       "out of memory reading a line of %zu bytes", rd->cap);
            rd->buf = nb;
            rd->cap = cap;
        }
    }
    for (;;) {
        ssize_t n = read(rd->fd, rd->buf + rd->len, rd->cap - rd->len);
        if (n > 0) {
            rd->len += (size_t)n;
            return 0;
        }
        if (n == 0) {
            rd->eof = 1;
            return 0;
        }
        if (errno != EINTR)
            return mpusim_error_at(err, MPUSIM_E_IO, rd->source, -1, -1, -1, "cannot read: %s",
                                   strerror(errno));
    }
}

/* The rest of the input into the buffer (document form). */
static int fill_all(struct trace_reader *rd, struct mpusim_error *err)
{
    while (!rd->eof)
        if (fill(rd, err) != 0)
            return -1;
    return 0;
}

/* Read the first value: JSON Lines header (streamed), or the whole input into rd->mem. */
static int read_start(struct trace_reader *rd, struct trace *hdr, struct mpusim_error *err)
{
    for (;;) {
        size_t skip = rd->len >= 3 && memcmp(rd->buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        json_error_t je;
        json_t *first = NULL;
        if (rd->len > skip && !trace_is_blank(rd->buf + skip, rd->len - skip))
            first = json_loadb(rd->buf + skip, rd->len - skip,
                               LOAD_FLAGS | JSON_DISABLE_EOF_CHECK, &je);
        size_t end = first ? skip + (size_t)je.position : 0;
        int complete_line = first && (rd->eof || memchr(rd->buf + end, '\n', rd->len - end));
        int more = !rd->eof && (!first || !complete_line) &&
                   (first || rd->len <= skip || trace_is_blank(rd->buf + skip, rd->len - skip) ||
                    json_error_code(&je) == json_error_premature_end_of_input);
        if (more && !(first && json_is_object(first) && json_object_get(first, "events"))) {
            json_decref(first);
            if (fill(rd, err) != 0)
                return -1;
            continue;
        }
        if (first && json_is_object(first) && !json_object_get(first, "events") &&
            complete_line) {
            struct trace_parse p = { err, rd->source, -1, -1, -1, NULL };
            size_t pos;
            int line;
            int rc = trace_jsonl_header(&p, rd->buf, rd->len, skip, first, end, hdr, &pos,
                                        &line);
            json_decref(first);
            if (rc != 0)
                return -1;
            rd->start = pos < rd->len ? pos : rd->len;
            rd->line = line;
            rd->has_zephyr = hdr->zephyr != NULL;
            trace_names_init(&rd->names);
            trace_bao_names_init(&rd->bao_names);
            rd->has_bao = hdr->bao != NULL;
            if (hdr->bao)
                rd->bao = *hdr->bao;
            rd->fast = trace_fast_new(); /* NULL (out of memory): jansson alone */
            return 0;
        }
        /* The document form, or an error: the whole input, read as trace_read_file does. */
        json_decref(first);
        if (fill_all(rd, err) != 0)
            return -1;
        if (trace_read_buffer(rd->buf, rd->len, rd->source, &rd->mem, err) != 0)
            return -1;
        rd->in_memory = 1;
        hdr->regions = rd->mem.regions;
        hdr->has_boot = rd->mem.has_boot;
        hdr->nboot = rd->mem.nboot;
        hdr->boot = rd->mem.boot; /* moved */
        hdr->jsonl = rd->mem.jsonl;
        hdr->bao = rd->mem.bao; /* moved */
        rd->mem.bao = NULL;
        hdr->zephyr = rd->mem.zephyr; /* moved */
        rd->mem.zephyr = NULL;
        rd->mem.boot = NULL;
        rd->mem.nboot = 0;
        rd->consumed = rd->len;
        free(rd->buf); /* the events are decoded: the text is no longer needed */
        rd->buf = NULL;
        rd->start = rd->len = rd->cap = 0;
        return 0;
    }
}

struct trace_reader *trace_reader_open(const char *path, struct trace *hdr,
                                       struct mpusim_error *err)
{
    int use_stdin = strcmp(path, "-") == 0;
    struct trace_reader *rd = calloc(1, sizeof *rd);
    if (!rd) {
        mpusim_error_set(err, MPUSIM_E_IO, "out of memory");
        return NULL;
    }
    snprintf(rd->source, sizeof rd->source, "%s", use_stdin ? "<stdin>" : path);
    rd->fd = use_stdin ? STDIN_FILENO : open(path, O_RDONLY);
    rd->own_fd = !use_stdin;
    rd->size = -1;
    if (rd->fd < 0) {
        mpusim_error_at(err, MPUSIM_E_IO, rd->source, -1, -1, -1, "cannot open: %s",
                        strerror(errno));
        rd->own_fd = 0;
        trace_reader_free(rd);
        return NULL;
    }
    struct stat st;
    if (fstat(rd->fd, &st) == 0 && S_ISREG(st.st_mode))
        rd->size = (long long)st.st_size;
    memset(hdr, 0, sizeof *hdr);
    snprintf(hdr->source, sizeof hdr->source, "%s", rd->source);
    if (read_start(rd, hdr, err) != 0) {
        trace_fini(hdr);
        trace_reader_free(rd);
        return NULL;
    }
    return rd;
}

int trace_reader_next(struct trace_reader *rd, struct trace_event *ev, struct mpusim_error *err)
{
    free(rd->parts);
    rd->parts = NULL;
    if (rd->failed)
        return -1;
    if (rd->in_memory) {
        if (rd->next == rd->mem.nevents)
            return 0;
        *ev = rd->mem.events[rd->next++];
        return 1;
    }
    for (;;) {
        char *s = rd->buf + rd->start;
        char *nl = rd->next_nl ? rd->next_nl : memchr(s, '\n', rd->len - rd->start);
        rd->next_nl = NULL;
        if (!nl && !rd->eof) {
            if (fill(rd, err) != 0) {
                rd->failed = 1;
                return -1;
            }
            continue;
        }
        if (!nl && rd->start == rd->len)
            return 0; /* end of the trace */
        size_t n = nl ? (size_t)(nl - s) : rd->len - rd->start;
        rd->start += n + (nl != NULL);
        rd->next_nl = memchr(rd->buf + rd->start, '\n', rd->len - rd->start);
        int line = rd->line++;
        if (trace_is_blank(s, n))
            continue;
        struct trace_parse p = { err, rd->source, line, rd->event, -1, NULL };
        size_t avail = rd->cap + TRACE_FAST_PADDING - (size_t)(s - rd->buf);
        int rc = trace_jsonl_decode(rd->fast, &p, s, n, avail, ev);
        rd->parts = ev->parts;
        if (rc == 0)
            rc = trace_resolve_event(&p, &rd->names, rd->has_zephyr, ev, rd->event);
        if (rc == 0)
            rc = trace_resolve_bao_event(&p, &rd->bao_names, rd->has_bao ? &rd->bao : NULL,
                                         ev, rd->event);
        if (rc != 0) {
            rd->failed = 1;
            return -1;
        }
        rd->event++;
        return 1;
    }
}

int trace_reader_would_block(const struct trace_reader *rd)
{
    return !rd->in_memory && !rd->eof && !rd->failed && !rd->next_nl;
}

unsigned long long trace_reader_offset(const struct trace_reader *rd)
{
    return rd->consumed + rd->start;
}

long long trace_reader_size(const struct trace_reader *rd)
{
    return rd->size;
}

void trace_reader_free(struct trace_reader *rd)
{
    if (!rd)
        return;
    if (rd->own_fd)
        close(rd->fd);
    free(rd->buf);
    free(rd->parts);
    trace_fast_free(rd->fast);
    trace_fini(&rd->mem);
    free(rd);
}
