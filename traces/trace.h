#ifndef MPUSIM_TRACES_TRACE_H
#define MPUSIM_TRACES_TRACE_H
/*
 * Trace format v1 (docs/trace-format.md; a public contract: changed only additively):
 * reading a JSON document or JSON Lines trace into memory, with precise errors.
 * Other JSON files are read beside their owners (adapters in replay/, core files in sim/).
 * Ranges are [base, limit) as everywhere in mpusim.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

enum trace_op {
    TRACE_OP_MAP,              /* base, limit, flags */
    TRACE_OP_MODIFY,           /* base, limit, flags */
    TRACE_OP_UNMAP,            /* base, limit */
    TRACE_OP_UNMAP_CONTAINING, /* addr */
    TRACE_OP_IOREMAP,          /* addr, size, flags */
    TRACE_OP_ACCESS,           /* addr, size, kind, el */
    TRACE_OP_SYSREG,           /* reg, value */
    /* zephyr (docs/trace-format.md; docs/algorithms.md, variant zephyr) */
    TRACE_OP_THREAD_CREATE,    /* thread, stack_obj (base), size (limit), user */
    TRACE_OP_DOMAIN_INIT,      /* domain, partitions (parts, nparts) */
    TRACE_OP_DOMAIN_ADD_PARTITION,    /* domain, base, limit, attr (flags) */
    TRACE_OP_DOMAIN_REMOVE_PARTITION, /* domain, base, limit */
    TRACE_OP_DOMAIN_ADD_THREAD, /* domain, thread */
    TRACE_OP_USER_ENTER,       /* thread (the running one) */
    TRACE_OP_SWITCH,           /* thread: context switch to it */
    /* bao (docs/trace-format.md; docs/algorithms.md, variant bao); map/unmap with cpu and as
     * are bao's too (trace_event.bao) */
    TRACE_OP_CPU_BOOT,         /* cpu */
    TRACE_OP_VM_CREATE,        /* as (the vm), cpus */
    TRACE_OP_MAP_CPY,          /* cpu, as (from_as), to_as, opts (section), base (va),
                                  limit (pages) */
    TRACE_OP_VM_ENTRY,         /* cpu */
    TRACE_OP_VM_EXIT,          /* cpu */
    TRACE_OP_COUNT,
};

enum trace_access_kind { TRACE_ACC_READ, TRACE_ACC_WRITE, TRACE_ACC_EXEC };

/* Which expectation fields an event carries (bit set in trace_expect.has). */
#define TRACE_EXPECT_RC (1u << 0)
#define TRACE_EXPECT_USED (1u << 1)
#define TRACE_EXPECT_REGION (1u << 2)
#define TRACE_EXPECT_FAULT (1u << 3)
#define TRACE_EXPECT_REGION_NUM (1u << 4)
#define TRACE_EXPECT_ENABLED (1u << 5)
#define TRACE_EXPECT_WRITES (1u << 6)
#define TRACE_EXPECT_BARRIERS (1u << 7)
#define TRACE_EXPECT_CPUS (1u << 8)

/* bao: one CPU's state after the event ("expect.cpus"[i]); fields given in has (bits as
 * below). */
#define TRACE_XCPU_HYP (1u << 0)
#define TRACE_XCPU_VM (1u << 1)
#define TRACE_XCPU_ALLOCATED (1u << 2)
#define TRACE_XCPU_ENABLED (1u << 3)
#define TRACE_XCPU_WRITES (1u << 4)
#define TRACE_XCPU_BARRIERS (1u << 5)
struct trace_expect_cpu {
    unsigned has;
    int hyp, vm;        /* valid vMPU entries: the CPU's hypervisor space, its VM's space */
    int allocated;      /* physical indices allocated */
    int enabled;        /* EL2 regions with EN = 1 */
    long writes, barriers; /* system-register writes and barriers the event issued there */
};

struct trace_expect {
    unsigned has; /* TRACE_EXPECT_* bits */
    int rc;       /* expected return code (0, -22, -2, ...) */
    int used;     /* expected regions in use after the event */
    int region;   /* expected region index; -1 means "expect null" */
    int fault;    /* expected enum mpu_fault (MPU_FAULT_NONE for "fault": null) */
    int region_num; /* zephyr: the thread's list length after the event; -1 means null */
    int enabled;  /* regions enabled in the MPU the algorithm programs, after the event */
    long writes;  /* system-register writes the event issued */
    long barriers;/* DSB/DMB/ISB the event issued (not counted by --engine guest alone) */
    unsigned ncpus;                /* bao: entries of cpus */
    struct trace_expect_cpu *cpus; /* bao: owned (freed by trace_fini), else NULL */
};

/* A zephyr partition of a domain_init: [base, limit) with a zephyr attribute word. */
struct trace_partition {
    uint64_t base, limit;
    unsigned attr; /* MM_Z_ATTR(rbar, ai) or MM_Z_ATTR_NAMED | name (mm/mm.h) */
};
#define TRACE_MAX_PARTITIONS 16

/* One event, compact: field use depends on op (see enum trace_op). */
struct trace_event {
    enum trace_op op;
    uint64_t base;   /* map/modify/unmap: base; unmap_containing/ioremap/access: addr */
    uint64_t limit;  /* map/modify/unmap: limit (exclusive); ioremap/access: size; sysreg: value */
    unsigned flags;  /* map/modify/ioremap: Xen flags word */
    unsigned kind;   /* access: enum trace_access_kind */
    unsigned el;     /* access: 0, 1 or 2 (default 2) */
    int reg;         /* sysreg: mpu_model register id (mpu_reg_from_name) */
    /* zephyr ops: base = stack_obj and limit = size for thread_create; flags = attr */
    uint64_t thread; /* thread id (0.. in thread_create order; trace_resolve_names) */
    uint64_t domain; /* domain id (0 = "default", then domain_init order) */
    unsigned user;   /* thread_create: 1 for a K_USER thread */
    unsigned nparts; /* domain_init: partitions in parts */
    struct trace_partition *parts; /* domain_init: owned (freed by trace_fini), else NULL */
    /* bao: the CPU; the address space (a VM id, or TRACE_AS_HYP); map_cpy's destination;
     * vm_create's CPUs as a mask; map's MM_BAO_OPT_* word; map/unmap: 1 in bao form
     * (flags is then a bao flags word, MM_BAO_FLAGS) */
    unsigned cpu;
    int bao;
    uint64_t as, to_as;
    uint64_t cpus;
    unsigned opts;
    int line;        /* 1-based source line of the event (JSON Lines), -1 in the document form */
    struct trace_expect expect;
};

struct trace_boot_region {
    uint64_t base;   /* first byte */
    uint64_t limit;  /* one past the last byte */
    unsigned flags;  /* Xen flags word */
    char name[32];   /* optional name, "" when absent (truncated to fit) */
};

/* The "zephyr" header: what z_arm64_mm_init programs and finds (trace-format.md). */
#define TRACE_Z_STATIC_MAX 32
struct trace_zephyr {
    struct trace_partition soc[TRACE_Z_STATIC_MAX]; /* "static": the SoC table */
    unsigned nsoc;
    struct trace_partition dt[TRACE_Z_STATIC_MAX];  /* "dt": devicetree memory-attr regions */
    unsigned ndt;
    uint64_t dyn_base, dyn_limit; /* "dyn_area" */
    uint64_t irq_stack;           /* "irq_stacks"[0] */
    int has_irq_stack;
    unsigned max_partitions;      /* "max_partitions" (CONFIG_MAX_DOMAIN_PARTITIONS), default 8 */
    uint64_t priv_stack_size;     /* "priv_stack_size", default 0x400 */
};

/* The "bao" header: what mem_prot_init maps on each CPU (trace-format.md). */
#define TRACE_AS_HYP UINT64_MAX
struct trace_bao {
    unsigned ncpus;                         /* "cpus" 1..8 */
    uint64_t image_base, image_limit;       /* "image" */
    uint64_t image_load_end, image_noload;  /* "image".load_end / .noload (default: limit) */
    int non_unified;                        /* "non_unified" */
    uint64_t cpu_struct[8];                 /* "cpu_structs" */
    uint64_t cpu_struct_size;               /* "cpu_struct_size" */
};

struct trace {
    char source[128];              /* file name as given, for messages */
    unsigned regions;              /* mpu.regions: MPUIR_EL2.REGION, 1..255 */
    int has_boot;                  /* 1 if the header has a "boot" key (even empty) */
    unsigned nboot;                /* boot regions */
    struct trace_boot_region *boot;/* owned */
    size_t nevents;                /* events */
    struct trace_event *events;    /* owned; capacity cap */
    size_t cap;
    int jsonl;                     /* 1 if read from the JSON Lines form */
    struct trace_zephyr *zephyr;   /* the "zephyr" header (owned), NULL when absent */
    int strict_addresses;          /* mpu.addresses "strict": an address at or above 2^48 is
                                      an error; 0 ("truncate", the default): a finding */
    struct trace_bao *bao;         /* the "bao" header (owned), NULL when absent */
};

/* Which system an op belongs to: 0 the plain (v1) ops, 1 zephyr, 2 bao. */
int trace_op_system(enum trace_op op);
/* The same for an event: a map/unmap in bao form is bao's (2). */
int trace_event_system(const struct trace_event *ev);

/**
 * trace_read_file - read a trace (document or JSON Lines, detected from the content)
 * @path: file to read; "-" reads standard input
 * @out:  written only on success; free with trace_fini()
 * @err:  on failure: code, source (= path), line/column when known, event index when known
 *
 * Returns 0 or -1. Validates everything the format page fixes: unknown fields (except "x-"),
 * types, ranges, flag names, register names, expectation fields.
 */
int trace_read_file(const char *path, struct trace *out, struct mpusim_error *err);

/* The same from a buffer (len bytes, need not be NUL-terminated); source names it in errors. */
int trace_read_buffer(const char *buf, size_t len, const char *source, struct trace *out,
                      struct mpusim_error *err);

/* Release what trace_read_* allocated; t may be zeroed or already finalised. */
void trace_fini(struct trace *t);

/* Names used in the format: "map", "modify", ...; "read", "write", "exec". */
const char *trace_op_name(enum trace_op op);
const char *trace_access_kind_name(enum trace_access_kind k);

/* Parse a flags value name ("RO", "RX", "RW", "NOCACHE", "WC"); -1 if unknown. */
int trace_flags_from_name(const char *name);

/* ---- reading as a stream (traces/stream.c) ---- */

/* A trace read incrementally: JSON Lines event by event from a file, a FIFO or stdin, in
 * memory independent of the number of events (one line at a time); the document form is read
 * whole (it is one JSON value) and its events handed out one by one. Errors are exactly those
 * of trace_read_file, reported when the reader reaches them. */
struct trace_reader;

/**
 * trace_reader_open - open a trace and read its header
 * @path: file to read; "-" reads standard input
 * @hdr:  on success: source, regions, has_boot, nboot, boot, zephyr and bao (owned by hdr: free
 *        with trace_fini()), jsonl; nevents 0 and events NULL
 * Returns a new reader (free with trace_reader_free), or NULL with err set as
 * trace_read_file sets it.
 */
struct trace_reader *trace_reader_open(const char *path, struct trace *hdr,
                                       struct mpusim_error *err);

/* The next event into *ev: 1, 0 at the end of the trace, or -1 with err set (file, line,
 * column, event index; further calls return -1). ev->line is its source line. Zephyr names
 * and bao VM names are resolved to ids, and bao CPU/guest states checked, as trace_read_file
 * does; ev->parts belongs to the reader and stays
 * valid until the next call. */
int trace_reader_next(struct trace_reader *rd, struct trace_event *ev, struct mpusim_error *err);

/* 1 if the next trace_reader_next may wait for input (no whole line is buffered): the moment
 * to flush outputs that someone may be reading live. */
int trace_reader_would_block(const struct trace_reader *rd);

/* Bytes consumed so far and the input's size (-1 when unknown: a pipe), for progress. */
unsigned long long trace_reader_offset(const struct trace_reader *rd);
long long trace_reader_size(const struct trace_reader *rd);

/* Close the file (not stdin) and free the reader; NULL is a no-op. */
void trace_reader_free(struct trace_reader *rd);

/* ---- writing (traces/write.c) ---- */

enum trace_form { TRACE_FORM_DOCUMENT, TRACE_FORM_JSONL };

/* What trace_write adds beyond the trace itself; all fields optional (zero = none). */
struct trace_write_options {
    enum trace_form form;      /* document (default) or JSON Lines */
    const char *const *notes;  /* NULL, or t->nevents entries: the "note" of each event (NULL:
                                  none); borrowed */
    const char *generator;     /* NULL, or a string written as the header's "x-generator" */
};

/**
 * trace_write - write t in trace format v1, readable by trace_read_file with identical events
 * @f:   destination; borrowed, not closed (the caller makes the file appear atomically)
 * @t:   the trace: mpu.regions, boot (written when t->has_boot), events with their
 *       expectations; event lines (ev->line) are not written
 * @o:   form, notes and generator; may be NULL (document form, no notes)
 * @err: on failure: MPUSIM_E_RANGE for a value the format cannot express (unknown op or
 *       register id), MPUSIM_E_IO for an out-of-memory or write error
 *
 * Addresses, sizes and values are written as hex strings, flags by Xen's name when they are
 * one of the named sets (else as a number). One event per line in both forms.
 * Returns 0 or -1 (f may then hold a partial trace).
 */
int trace_write(FILE *f, const struct trace *t, const struct trace_write_options *o,
                struct mpusim_error *err);

/* Streaming JSON Lines, for producers that cannot hold the trace (mpusim import): the header
 * line of t (mpu.regions, boot when t->has_boot; t's events are not written), then one line per
 * event, in the same shape as trace_write (every op, zephyr's and bao's included, as far as
 * trace_write writes them). note may be NULL; extra is NULL or more members
 * (JSON text, trusted: e.g. "\"x-aborted\": true"). Both return 0, or -1 with err
 * (MPUSIM_E_RANGE for an unknown op or register id, MPUSIM_E_IO for a write error). */
int trace_write_header_line(FILE *f, const struct trace *t, const char *generator,
                            struct mpusim_error *err);
int trace_write_event_line(FILE *f, const struct trace_event *ev, const char *note,
                           const char *extra, struct mpusim_error *err);

/* Name of a flags word when it is one of Xen's named sets ("RW"), else NULL. */
const char *trace_flags_name(unsigned flags);
/* bao: the name of a flags word when it is one of Bao's sets ("hyp_dev"), else NULL; the
 * name of a hypervisor section ("private"; "?" when out of range). */
const char *trace_bao_flags_name(unsigned flags);
const char *trace_bao_section_name(unsigned sec);

#endif
