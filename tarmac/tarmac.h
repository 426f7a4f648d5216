#ifndef MPUSIM_TARMAC_TARMAC_H
#define MPUSIM_TARMAC_TARMAC_H
/*
 * Tarmac, Arm's plain-text execution trace: reading lines into instruction, register and
 * memory records (streamed, one line at a time) and writing them. The line formats are those
 * of Arm's tarmac-trace-utilities documentation ("Specification of the recognized Tarmac trace
 * format"); user documentation: docs/capture.md. Nothing here knows traces, guests or the MPU.
 *
 * Reading: every line is parsed on its own, with three pieces of state carried over: the
 * timestamp (a line without one has the previous line's), the type of the last diagram line
 * (a diagram line may leave out its LD/ST) and the line number. Unknown types, unknown forms
 * of known types and blank lines are records of kind TARMAC_UNKNOWN / TARMAC_BLANK: counted
 * by the caller, never errors. Errors (-1) are kept for what the issue calls bad input: a
 * number that does not fit in 64 bits, an address that is not hex, a file with no
 * recognisable line in its first TARMAC_SNIFF_LINES lines. A register value that is not hex
 * is reported in the record (value_ok = 0), since only the caller knows whether it matters.
 *
 * Typical use:
 *     struct tarmac_reader *r = tarmac_reader_open("run.tarmac", &err);   // "-": stdin
 *     struct tarmac_record rec;
 *     while ((rc = tarmac_read(r, &rec, &err)) > 0) { ... rec.kind ... }
 *     tarmac_reader_close(r);
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

#define TARMAC_SNIFF_LINES 1000 /* a file with no recognisable line in these is not Tarmac */
#define TARMAC_MAX_LINE 65536   /* longer lines are skipped (TARMAC_UNKNOWN, type "") */
#define TARMAC_REG_BYTES 64     /* register values kept up to 512 bits; wider are truncated */
#define TARMAC_NAME 48          /* register names and type words kept up to 47 characters */

enum tarmac_kind {
    TARMAC_BLANK,   /* empty or only whitespace */
    TARMAC_INSN,    /* IT, IS, IF, ES with an address */
    TARMAC_REG,     /* R NAME ... VALUE */
    TARMAC_MAINT,   /* a maintenance operation written as a register line: R DC/IC/TLBI/AT */
    TARMAC_MEM,     /* MR<n>/MW<n>/R0<n>/W0<n> (contiguous) or LD/ST (diagram) */
    TARMAC_EVENT,   /* E, EXC, ES EXC ...: exceptions and simulator events */
    TARMAC_UNKNOWN, /* anything else; type says which word was taken for the type */
    TARMAC_KIND_COUNT,
};

struct tarmac_insn {
    int has_index;           /* 1: the (INDEX) form */
    uint64_t index;
    uint64_t pc;             /* the instruction's true address */
    uint32_t enc;            /* the logical encoding */
    unsigned enc_digits;     /* 8 (A64/A32/T32), 4 (T16); 0: dashes, the fetch failed */
    int executed;            /* 1 for IT/IF/ES; 0 for IS and ES ... CCFAIL */
    char state;              /* 'O' AArch64, 'A' A32, 'T' Thumb, '?' anything else */
    const char *mode;        /* the mode word (EL2h, EL2h_s, svc...): borrowed, mode_len bytes */
    size_t mode_len;
    const char *disasm;      /* the rest of the line: borrowed, disasm_len bytes */
    size_t disasm_len;
};

struct tarmac_reg {
    char name[TARMAC_NAME];  /* upper-cased, as written (PRBAR3_EL2, X0, CPSR) */
    const char *extra;       /* text inside (EXTRA), e.g. AARCH32; borrowed; NULL if none */
    size_t extra_len;
    int has_bits;            /* 1: <HI:LO> given: the update covers bits hi..lo only */
    unsigned hi, lo;         /* inclusive bit positions */
    int value_ok;            /* 1: value parsed; 0: the value is not hex (bad_value says) */
    char bad_value[24];      /* value_ok = 0: the offending word, truncated */
    unsigned nbytes;         /* bytes the value has (digits / 2, rounded up) */
    uint64_t known;          /* bit i: bytes[i] given (not "--"); i < 64 */
    uint8_t bytes[TARMAC_REG_BYTES]; /* the value, bytes[0] least significant */
};

struct tarmac_mem {
    int write;               /* 1 for MW/W0n/ST */
    int diagram;             /* 1 for LD/ST */
    uint64_t addr;           /* first byte of the access (contiguous) or of the diagram */
    int has_paddr;
    uint64_t paddr;          /* contiguous style: the physical address when given */
    unsigned size;           /* contiguous: the size of the type word (1, 2, 4, 8 or 16) */
    uint16_t accessed;       /* bit i: byte addr + i accessed */
    uint16_t known;          /* bit i: its data is given (not ## / --) */
    uint8_t bytes[16];       /* data of byte addr + i */
    int aborted;             /* (ABORTED) */
    int exclusive;           /* X flag */
    int fetch;               /* I flag: an instruction-side access */
};

struct tarmac_record {
    enum tarmac_kind kind;
    long line;               /* 1-based line number */
    int has_time;            /* 0: no timestamp on this line or any before it */
    uint64_t time;           /* the line's timestamp, else the last one seen */
    char type[TARMAC_NAME];  /* the type word as written (IT, R, MW4, LD, E, ...) */
    const char *rest;        /* EVENT/UNKNOWN: the text after the type word; borrowed */
    size_t rest_len;
    union {
        struct tarmac_insn insn;
        struct tarmac_reg reg;
        struct tarmac_mem mem;
    } u;
};

/* The line parser's state. Caller-allocated; tarmac_parser_init() first. */
struct tarmac_parser {
    char source[128];        /* for messages */
    long line;               /* lines parsed so far */
    int has_time;
    uint64_t time;           /* last timestamp */
    int last_diagram;        /* 0 none, 1 LD, 2 ST: the previous line was a diagram line */
    long recognised;         /* lines of a kind other than BLANK/UNKNOWN so far */
};

void tarmac_parser_init(struct tarmac_parser *p, const char *source);

/**
 * tarmac_parse_line - parse one line (without its newline; a trailing CR is ignored)
 * @line, @len: the bytes (need not be NUL-terminated); borrowed pointers in @rec point into
 *              them and stay valid as long as they do
 * @rec: written always on success
 * Returns 0, or -1 with err (MPUSIM_E_PARSE or MPUSIM_E_RANGE, source and line set) for a
 * number beyond 64 bits or an address that is not hex.
 */
int tarmac_parse_line(struct tarmac_parser *p, const char *line, size_t len,
                      struct tarmac_record *rec, struct mpusim_error *err);

/* Streaming reader over a file: a fixed buffer, one line at a time; constant memory. */
struct tarmac_reader;

/* Open path ("-": standard input). Returns a new reader (tarmac_reader_close) or NULL with
 * err (MPUSIM_E_IO). */
struct tarmac_reader *tarmac_reader_open(const char *path, struct mpusim_error *err);
/* The same over an open stream (borrowed, not closed); source names it in messages. */
struct tarmac_reader *tarmac_reader_new(FILE *f, const char *source, struct mpusim_error *err);
void tarmac_reader_close(struct tarmac_reader *r);

/**
 * tarmac_read - the next line's record
 * Returns 1 with rec written (borrowed pointers valid until the next call), 0 at the end of
 * the input, -1 with err: a parse error (see tarmac_parse_line), a read error (MPUSIM_E_IO),
 * or no recognisable line in the first TARMAC_SNIFF_LINES lines or in the whole file
 * (MPUSIM_E_PARSE "not a Tarmac trace").
 */
int tarmac_read(struct tarmac_reader *r, struct tarmac_record *rec, struct mpusim_error *err);
/* Bytes consumed so far (for progress). */
uint64_t tarmac_reader_offset(const struct tarmac_reader *r);
const struct tarmac_parser *tarmac_reader_parser(const struct tarmac_reader *r);

/* The low 64 bits of a register value (bytes not given count as 0). */
uint64_t tarmac_reg_u64(const struct tarmac_reg *r);

/* Kind names: "blank", "instruction", "register", "maintenance", "memory", "event",
 * "unknown". */
const char *tarmac_kind_name(enum tarmac_kind k);

/* ---- writing (tarmac/write.c): lines in the shape tarmac-trace-utilities index ----
 * Every function formats one line ending in '\n' into buf (at least TARMAC_LINE_CAP bytes)
 * and returns its length; the caller writes it. Timestamps are written "TS clk". */
#define TARMAC_LINE_CAP 512

/* TS clk IT (INDEX) ADDRESS ENCODING O MODE : DISASSEMBLY; address 8 hex digits when it fits
 * in 32 bits, else 16; disasm may be NULL (written as "?"); mode e.g. "EL2h". */
size_t tarmac_format_insn(char *buf, uint64_t time, uint64_t index, uint64_t pc, uint32_t enc,
                          const char *mode, const char *disasm);
/* TS clk R NAME VALUE with digits hex digits (16 for 64-bit registers, 8 for 32-bit). */
size_t tarmac_format_reg(char *buf, uint64_t time, const char *name, uint64_t value,
                         unsigned digits);
/* TS clk MR<size>/MW<size> VADDR:PADDR VALUE (or "(ABORTED)" in place of the value); size
 * 1, 2, 4 or 8. */
size_t tarmac_format_mem(char *buf, uint64_t time, int write, unsigned size, uint64_t vaddr,
                         uint64_t paddr, uint64_t value, int aborted);
/* TS clk E TEXT (an exception or event line; text without newline, truncated to fit). */
size_t tarmac_format_event(char *buf, uint64_t time, const char *text);

#endif
