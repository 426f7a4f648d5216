#ifndef MPUSIM_TRACES_INTERNAL_H
#define MPUSIM_TRACES_INTERNAL_H
/*
 * Helpers shared inside traces/: the parse context that every decoder reports errors through,
 * field decoders (numbers, flags), and the header and event decoders. Only traces/ includes
 * this header (and <jansson.h>).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "traces/trace.h"

/* Where the decoder is, for error messages. Nothing here is owned. */
struct trace_parse {
    struct mpusim_error *err; /* borrowed; may be NULL */
    const char *source;       /* borrowed: file name for messages */
    int line;                 /* 1-based line of the object being decoded; -1 in the document form */
    long event;               /* event index (0-based); -1 while decoding the header */
    long boot;                /* boot region index; -1 when not decoding a boot region */
    const char *op;           /* op name of the event being decoded; NULL until known */
};

/**
 * trace_fail - record an error about the object being decoded (the first error wins)
 * @p:     context; gives source, line, event index and the message prefix
 *         ("header", "boot[2]", the op name, or "event" while the op is unknown)
 * @code:  MPUSIM_E_PARSE (wrong type, missing field) or MPUSIM_E_RANGE (bad value, unknown name)
 * @field: field name quoted in the message ("limit", "expect.rc"); NULL for the whole object
 *
 * Message: "<prefix>: field '<field>': <text>". Column is -1. Returns -1. Never allocates.
 */
int trace_fail(const struct trace_parse *p, enum mpusim_errc code, const char *field,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* JSON type of v in words ("string", "integer", "boolean", ...), for messages. */
const char *trace_json_type(const json_t *v);

/* 1 if key is an extension field ("x-..."), which every object may carry and readers ignore. */
static inline int trace_is_extension(const char *key)
{
    return key[0] == 'x' && key[1] == '-';
}

/* 1 for JSON whitespace (space, tab, CR, LF). */
static inline int trace_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* 1 if [s, s + n) holds only JSON whitespace (blank JSON Lines lines are skipped). */
static inline int trace_is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!trace_is_space(s[i]))
            return 0;
    return 1;
}

/* Field decoders: on success write *out and return 0; on error return -1 with a message that
 * names field. */
/* Address, size or value: "0x..." hex string (1..16 significant digits, either case) or a
 * non-negative JSON integer. */
int trace_field_u64(const struct trace_parse *p, const char *field, const json_t *v,
                    uint64_t *out);
/* Xen flags word: a name (RO, RX, RW, NOCACHE, WC) or a number 0..0x1FF. */
int trace_field_flags(const struct trace_parse *p, const char *field, const json_t *v,
                      unsigned *out);
/* A JSON integer in [lo, hi] (inclusive). */
int trace_field_int(const struct trace_parse *p, const char *field, const json_t *v, long lo,
                    long hi, long *out);
/* A JSON string; *out borrowed from v. */
int trace_field_string(const struct trace_parse *p, const char *field, const json_t *v,
                       const char **out);

/* A thread, domain (or other object) name: a string of 1..31 characters or a non-negative
 * integer (the same name as its decimal string); *out is its 64-bit FNV-1a hash, which
 * trace_resolve_names() turns into a dense id. */
int trace_field_name(const struct trace_parse *p, const char *field, const json_t *v,
                     uint64_t *out);
/* A zephyr attribute: {"rbar": 6-bit PRBAR low bits with bit 0 clear, "ai": 0..7} or a name
 * (FLASH, RAM_TEXT, RAM_RO, RAM, RAM_NOCACHE, IO, P_RW_U_RW, P_RW_U_NA, P_RO_U_RO,
 * P_RO_U_NA); *out is the mm/ attribute word. */
int trace_field_zattr(const struct trace_parse *p, const char *field, const json_t *v,
                      unsigned *out);
/* A zephyr region {base, limit, attr, name?}; field names it in messages. */
int trace_decode_zregion(const struct trace_parse *p, const char *field, const json_t *obj,
                         struct trace_partition *out);

/* After all events are decoded, in event order: thread and domain names become dense ids
 * (threads by thread_create, domains by domain_init; "default" is domain 0), and each use is
 * checked: a name never created, a second creation, a user_enter of a thread that is not
 * running, a zephyr op without a "zephyr" header or the reverse. Returns 0 or -1 (event index
 * and field in the error). */
int trace_resolve_names(struct trace_parse *p, struct trace *t);
/* The same one event at a time (a streamed trace): the state of the names seen so far. */
struct trace_names_table {
    uint64_t hash[64]; /* names by id */
    unsigned n, cap;
};
struct trace_names {
    struct trace_names_table thread, domain;
    int current; /* the running thread's id, -1 before the first switch */
};
void trace_names_init(struct trace_names *s);
/* Event i (has_zephyr: the trace has the "zephyr" header): 0, or -1 with the error. */
int trace_resolve_event(struct trace_parse *p, struct trace_names *s, int has_zephyr,
                        struct trace_event *ev, long i);
/* The name of a zephyr attribute word ("RAM", "P_RW_U_RW"), or NULL when it has none. */
const char *trace_zattr_name(unsigned attr);
/* The "zephyr" header object into t->zephyr (allocated here). */
int trace_decode_zephyr(struct trace_parse *p, json_t *obj, struct trace *t);

/* bao (bao.c): the "bao" header into t->bao; an event's bao fields after the generic decode
 * (flags by form, defaults, consistency; json the event object); expect.cpus; and the pass
 * in event order that turns VM names into ids and checks CPUs, VMs and guest state. */
int trace_decode_bao(struct trace_parse *p, json_t *obj, struct trace *t);
int trace_decode_bao_event(struct trace_parse *p, json_t *obj, unsigned seen_bao,
                           struct trace_event *ev);
int trace_decode_expect_cpus(const struct trace_parse *p, json_t *arr, struct trace_expect *x);
int trace_resolve_bao(struct trace_parse *p, struct trace *t);
/* The same one event at a time (a streamed trace): what the events seen so far created, in
 * bounded memory (at most TRACE_BAO_VMS VM names, TRACE_BAO_CPUS CPUs; bao.c checks they are
 * mm's MM_BAO_VMS and MM_BAO_CPUS). */
#define TRACE_BAO_VMS 8
#define TRACE_BAO_CPUS 8
struct trace_bao_names {
    uint64_t vmhash[TRACE_BAO_VMS];  /* VM names (hashes) by id */
    unsigned nvm;
    uint8_t booted[TRACE_BAO_CPUS], in_guest[TRACE_BAO_CPUS];
    int8_t vm_of[TRACE_BAO_CPUS];    /* the VM whose vCPU a CPU runs, -1 none */
};
void trace_bao_names_init(struct trace_bao_names *s);
/* Event i (hdr: the trace's "bao" header, NULL if none): 0, or -1 with the error (event index,
 * ev->line, field). A VM name becomes its id. */
int trace_resolve_bao_event(struct trace_parse *p, struct trace_bao_names *s,
                            const struct trace_bao *hdr, struct trace_event *ev, long i);

/* Name tables (names.c): -1 when unknown. */
int trace_op_from_name(const char *name);
int trace_access_kind_from_name(const char *name);

/**
 * trace_decode_header - check and decode a header object into t
 * @p:        context (line of the header, event -1)
 * @hdr:      the header object (borrowed)
 * @document: 1 for the document form ("events" expected, not decoded here), 0 for JSON Lines
 * @t:        regions, has_boot, nboot and boot written; boot is allocated (owned by t) also on
 *            error, so that the caller frees it with trace_fini()
 * Returns 0 or -1.
 */
int trace_decode_header(struct trace_parse *p, json_t *hdr, int document, struct trace *t);

/**
 * trace_decode_event - check and decode one event object
 * @p:  context: line and event index set by the caller; p->op is set here
 * @v:  the event value (borrowed); anything but an object is an error
 * @ev: written always (partially on error); ev->line is set from p->line
 * Returns 0 or -1.
 */
int trace_decode_event(struct trace_parse *p, json_t *v, struct trace_event *ev);

/**
 * trace_jsonl_header - check and decode the header of a JSON Lines trace
 * @buf, @len:  the trace's first bytes: at least the header and the rest of its line (through
 *              its '\n', or the whole trace); borrowed
 * @skip:       bytes of a byte order mark before the header (0 or 3)
 * @first:      the header value parsed from buf + skip (borrowed); end: offset after it
 * @t:          jsonl, regions, boot written (boot owned by t also on error)
 * @pos, @line: on success, offset and file line of the first event line
 * Returns 0 or -1 (data after the header on its line, or a header error at its line).
 */
int trace_jsonl_header(struct trace_parse *p, const char *buf, size_t len, size_t skip,
                       json_t *first, size_t end, struct trace *t, size_t *pos, int *line);

/**
 * trace_read_lines - decode the events of a JSON Lines trace
 * @p:    context (source, err); line and event fields are not used
 * @buf:  the whole trace, len bytes (borrowed); events are the non-blank lines of [pos, len)
 * @line: file line of the byte at pos
 * @fast: 1 to decode through the fast path (jsonl_fast.h), 0 with jansson alone
 * @t:    events, nevents and cap written; events is owned by t also on error (free with
 *        trace_fini())
 * Returns 0 or -1 with the first error in file order (line, column for syntax errors, event).
 */
int trace_read_lines(struct trace_parse *p, const char *buf, size_t len, size_t pos, int line,
                     int fast, struct trace *t);

/* ---- pieces shared by the jansson decoder and the fast path (jsonl_fast.h) ---- */

/* The fields an event object may carry; TRACE_F_UNKNOWN for any other key. */
enum trace_field {
    TRACE_F_OP, TRACE_F_BASE, TRACE_F_LIMIT, TRACE_F_FLAGS, TRACE_F_ADDR, TRACE_F_SIZE,
    TRACE_F_KIND, TRACE_F_EL, TRACE_F_REG, TRACE_F_VALUE, TRACE_F_NOTE, TRACE_F_EXPECT,
    TRACE_F_THREAD, TRACE_F_DOMAIN, TRACE_F_STACK_OBJ, TRACE_F_USER, TRACE_F_PARTITIONS,
    TRACE_F_ATTR, TRACE_F_CPU, TRACE_F_AS, TRACE_F_SECTION, TRACE_F_LOCKED, TRACE_F_BROADCAST,
    TRACE_F_ALLOC, TRACE_F_VM, TRACE_F_CPUS, TRACE_F_FROM_AS, TRACE_F_TO_AS, TRACE_F_VA,
    TRACE_F_PAGES,
    TRACE_F_COUNT,
    TRACE_F_UNKNOWN = TRACE_F_COUNT,
};
#define TRACE_F_BIT(f) (1u << (f))

/* The field key names (NUL-terminated), TRACE_F_UNKNOWN when none (an "x-" key included). */
enum trace_field trace_event_field(const char *key);
/* The key of field f ("base"); "?" for TRACE_F_UNKNOWN. */
const char *trace_event_field_name(enum trace_field f);
/* Sets of TRACE_F_BIT: the fields op requires; those it accepts (required, optional, common). */
unsigned trace_event_required(enum trace_op op);
unsigned trace_event_allowed(enum trace_op op);
/* An event before its fields: everything zero, expect.region_num -1, reg -1, el 2, line. */
void trace_event_begin(struct trace_event *ev, int line);
/* The op, and the defaults that depend on it (an access's size 4). */
void trace_event_set_op(struct trace_event *ev, enum trace_op op);
/* The checks across fields once all are decoded (limit >= base, no wrap, access size >= 1):
 * 0, or -1 through trace_fail (p->err NULL: nothing recorded). */
int trace_event_check(const struct trace_parse *p, const struct trace_event *ev);
/* 1 if a and b are the same decoded event (every field, partitions by value), else 0. */
int trace_event_same(const struct trace_event *a, const struct trace_event *b);

/* "0x" then hex digits (NUL-terminated s): 0 and *out; -1 malformed; -2 over 64 bits. */
int trace_hex_value(const char *s, uint64_t *out);
/* The id hash trace_field_name gives the name s (NUL-terminated). */
uint64_t trace_name_hash(const char *s);
/* A zephyr attribute by name: 0 and *out, or -1 when unknown. */
int trace_zattr_named(const char *s, unsigned *out);
/* A zephyr attribute from PRBAR low bits and AttrIndx (0..7, checked by the caller): 0 and
 * *out; -1 bits outside XN/AP/SH; -2 the reserved SH 0b01. */
int trace_zattr_bits(uint64_t rbar, long ai, unsigned *out);

/* One JSON Lines event line [s, s + n) (not blank) decoded with jansson: as trace_decode_event,
 * and "invalid JSON: ..." with the column for a syntax error. p gives source, line, event. On
 * error ev holds nothing allocated (parts NULL). */
int trace_jsonl_event(struct trace_parse *p, const char *s, size_t n, struct trace_event *ev);

/* The same through the fast path f first (NULL: jansson only); avail (>= n) bytes are readable
 * from s. Identical result and error to trace_jsonl_event. */
struct trace_fast;
int trace_jsonl_decode(struct trace_fast *f, struct trace_parse *p, const char *s, size_t n,
                       size_t avail, struct trace_event *ev);

/* The differential check (tests, libFuzzer): the fast path f and jansson on one line [s, s + n)
 * (avail bytes readable). 0 when they agree (f declines, or decodes the very event jansson
 * does), else -1 with what differs in why (capacity cap). */
int trace_fast_check(struct trace_fast *f, const char *s, size_t n, size_t avail, char *why,
                     size_t cap);

/* The reader's path (trace_jsonl_decode through f) against jansson alone (trace_jsonl_event)
 * on one line [s, s + n) (avail bytes readable), with source and line for the messages: 0 when
 * both succeed with the same event or fail with the same error (code, source, line, column,
 * event, text), else -1 with what differs in why (capacity cap). Tests and libFuzzer. */
int trace_path_check(struct trace_fast *f, const char *s, size_t n, size_t avail,
                     const char *source, int line, char *why, size_t cap);

/* trace_read_buffer with the fast path off (fast 0) or on (1): for the differential test. */
int trace_read_buffer_with(const char *buf, size_t len, const char *source, int fast,
                           struct trace *out, struct mpusim_error *err);

#endif
