#ifndef MPUSIM_TESTS_MM_FAKE_HW_H
#define MPUSIM_TESTS_MM_FAKE_HW_H
/*
 * A test-local EL2 MPU behind mm/hw.h: the registers mm/ touches, with the architectural alias
 * rules (PRBAR<n>/PRLAR<n> reach region (PRSELR & 0xF0) | n for n = 1..15 and region PRSELR
 * for n = 0; PRENR_EL2 bit i is PRLAR<i>.EN for i < 32, bits 63:32 RES0), and a log of every
 * register access, barrier and message so tests can assert exact programming sequences.
 */
#include <stddef.h>
#include <stdint.h>

#include "mm/mm.h"

#define FAKE_MAX_REGIONS 255
#define FAKE_LOG_CAP 4096

enum fake_op { FAKE_READ, FAKE_WRITE, FAKE_DSB, FAKE_ISB, FAKE_MSG };

struct fake_event {
    enum fake_op op;
    unsigned enc;      /* register encoding (READ/WRITE) */
    uint64_t value;    /* value read or written */
    enum mm_msg msg;   /* FAKE_MSG: message id */
    uint64_t arg[4];   /* FAKE_MSG: a..d */
};

/* The register file; compared as a whole by the property tests. */
struct fake_regs {
    unsigned nregions;                  /* MPUIR_EL2.REGION */
    uint64_t prbar[FAKE_MAX_REGIONS];   /* per region */
    uint64_t prlar[FAKE_MAX_REGIONS];   /* per region; bit 0 = EN */
    uint64_t prselr;                    /* PRSELR_EL2 */
    uint64_t sctlr;                     /* SCTLR_EL2 */
};

struct fake_hw {
    struct fake_regs r;
    struct fake_event log[FAKE_LOG_CAP]; /* first FAKE_LOG_CAP events since the last clear */
    size_t nlog;                         /* events since the last clear (may exceed the cap) */
    unsigned bad_accesses;               /* unknown registers, unimplemented regions */
    unsigned msg_count[MM_MSG_COUNT];    /* messages by id since fake_hw_init */
};

/* Reset to nregions implemented regions, all zero, PRSELR 0; SCTLR has BR set (as at reset
 * for the test's purpose, so boot's clearing is visible). */
void fake_hw_init(struct fake_hw *f, unsigned nregions);
/* The mm_hw callbacks bound to f (borrowed: f must outlive the ctx). */
struct mm_hw fake_hw_bind(struct fake_hw *f);
void fake_hw_clear_log(struct fake_hw *f);
/* Count of logged events of one kind; for READ/WRITE only those of register enc. */
size_t fake_hw_count(const struct fake_hw *f, enum fake_op op, unsigned enc);
/* Number of messages with this id in the current log. */
size_t fake_hw_msgs(const struct fake_hw *f, enum mm_msg id);
/* Render the current log as one line per event ("W PRSELR 0x0", "ISB", "MSG overlap") into
 * buf; returns buf. Register names: MPUIR PRSELR PRENR SCTLR PRBAR<n> PRLAR<n>. */
const char *fake_hw_log_str(const struct fake_hw *f, char *buf, size_t cap);
/* Same, but only register writes and barriers (reads and messages left out). */
const char *fake_hw_writes_str(const struct fake_hw *f, char *buf, size_t cap);

#endif
