/*
 * Tarmac import (replay/tarmac_import.h; docs/capture.md "What the import does").
 *
 * One pass over the records. State kept, all of fixed size: the general registers as the
 * trace shows them (for call arguments and results), the MPU model fed with every MPU
 * register write (for partial updates, expect.used and the boot regions), the mode of the
 * last instruction (the EL of its accesses), the open fetch run, and a bounded stack of op
 * calls not yet returned.
 *
 * Calls (level calls). An op symbol's address is reached:
 *   - right after a BL/BLR: a call returning to the BL's address + 4 (recursion included);
 *   - from inside the symbol itself and not by BL/BLR: a loop back to its first instruction,
 *     not a call (counted in not_calls);
 *   - any other way (B/BR: a tail call; the first instruction of the trace; a harness that set
 *     PC): a call returning to X30 as the trace last showed it (branch_entries), or not a call
 *     when X30 was never shown (not_calls).
 * A call returns at the first instruction executed at its return address, or right after a
 * RET whose target register holds the return address (the caller may not be in the trace: a
 * debugger or a harness called the function); its result is X0 (W0 for "int") then. An op
 * call made while another is open is part of the outer one (nested, recursion): no event of
 * its own. A call open when the trace ends becomes an event without expectations and with a
 * note. Calls deeper than CALL_STACK are not followed (counted as nested).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mm/mm.h"
#include "mpu_model/mpu.h"
#include "replay/adapter.h"
#include "replay/tarmac_import.h"
#include "sim/sim.h"
#include "tarmac/tarmac.h"
#include "traces/trace.h"

#define CALL_STACK 64
#define DEFAULT_REGIONS 16
#define PROGRESS_LINES (1u << 14) /* the caller rate-limits its drawing */
#define GPR_SP 31

/* A64 encodings used to follow calls (Arm ARM C6.2). */
#define A64_BL_MASK 0xFC000000u
#define A64_BL 0x94000000u
#define A64_BLR_MASK 0xFFFFFC1Fu
#define A64_BLR 0xD63F0000u
#define A64_RET_MASK 0xFFFFFC1Fu
#define A64_RET 0xD65F0000u
#define A64_RETAA 0xD65F0BFFu
#define A64_RETAB 0xD65F0FFFu
#define A64_BLRAx_MASK 0xFEFFF800u /* BLRAA/BLRAB/BLRAAZ/BLRABZ */
#define A64_BLRAx 0xD63F0800u

/* An op symbol and the ops it serves (Xen's xen_mpumap_update serves map, modify and, with
 * flags 0, unmap): a call is the most specific op whose constant arguments it matches. */
struct op_sym {
    uint64_t addr, size;                      /* [addr, addr + size); size 0: unknown */
    unsigned nops;
    enum trace_op op[TRACE_OP_COUNT];         /* in adapter order: map, modify, unmap, ... */
};

struct open_call {
    int nested;            /* 1: inside another op call (no event) */
    const struct op_sym *sym;
    uint64_t ret;          /* return address */
    int sp_known;          /* SP was known at the entry ... */
    uint64_t sp;           /* ... and was this: the return has it again */
    uint64_t args[REPLAY_ADAPTER_MAX_ARGS];
    long line;             /* line of the entry */
};

struct imp {
    const struct tarmac_import_options *o;
    struct tarmac_import_stats *st;
    FILE *out;
    const char *source;
    struct mpusim_error *err;

    /* registers as the trace shows them */
    uint64_t x[32];        /* X0..X30, SP */
    uint32_t xknown;       /* bit n: x[n] seen */

    /* MPU */
    int regions_known;     /* from MPUIR_EL2 or --regions */
    unsigned regions;
    int mpu_ready;         /* model initialised, header decided */
    int header_written;
    struct mpu mpu;
    int mpu_writes_seen;   /* any MPU register line so far */
    int started;           /* 1 after the first instruction line */
    uint64_t start_val[MPU_REG_COUNT];
    uint8_t start_seen[MPU_REG_COUNT];
    long start_line[MPU_REG_COUNT];

    /* the instruction stream */
    unsigned el;           /* EL of the last instruction's mode */
    int el_known;
    int have_prev;
    uint64_t prev_pc;
    uint32_t prev_enc;
    int prev_a64;          /* the previous instruction is an A64 encoding we may decode */
    int prev_ret;          /* ... and it was a RET (what follows is not a loop back) */
    int fetch_open;
    uint64_t fetch_base, fetch_end;
    unsigned fetch_el;
    long fetch_line;

    /* calls */
    struct op_sym sym[TRACE_OP_COUNT];
    unsigned nsym;
    uint64_t sym_lo, sym_hi; /* every op symbol address lies in [sym_lo, sym_hi] */
    struct replay_adapter ad;
    struct open_call stack[CALL_STACK];
    unsigned depth;
    int ret_pending;       /* the last instruction was a RET to the top call's address */
    uint64_t ret_x0;       /* X0 at that RET */
};

/* ---- output ---- */

static int write_header(struct imp *m, const struct trace_boot_region *boot, unsigned nboot)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    snprintf(t.source, sizeof t.source, "%s", m->source);
    t.regions = m->regions;
    t.has_boot = m->o->level == TARMAC_IMPORT_CALLS;
    t.nboot = nboot;
    t.boot = (struct trace_boot_region *)boot;
    m->st->regions = m->regions;
    m->header_written = 1;
    return trace_write_header_line(m->out, &t, "mpusim import tarmac", m->err);
}

static int emit(struct imp *m, const struct trace_event *ev, long line, const char *note,
                int aborted)
{
    char extra[64];
    snprintf(extra, sizeof extra, "\"x-tarmac-line\": %ld%s", line,
             aborted ? ", \"x-aborted\": true" : "");
    m->st->events++;
    return trace_write_event_line(m->out, ev, note, extra, m->err);
}

static int fail_at(struct imp *m, long line, enum mpusim_errc code, const char *text)
{
    return mpusim_error_at(m->err, code, m->source, (int)line, -1, -1, "%s", text);
}

/* 1 for the registers whose meaning depends on the region count: PRSELR, PRENR and the
 * PRBAR/PRLAR family. SCTLR, MAIR and HCR (in every reset dump, also of cores with no MPU)
 * do not need it. */
static int is_region_reg(int id)
{
    if (id < 0 || id >= 2 * MPU_SLOT_COUNT)
        return 0;
    int slot = id % MPU_SLOT_COUNT;
    return slot == MPU_SLOT_PRSELR || slot == MPU_SLOT_PRENR || slot >= MPU_SLOT_PRBAR;
}

/* Decide the region count and start the model; register level also writes the header.
 * for_write: a write to a region register (is_region_reg) is coming, which needs the real
 * count: an error when it is unknown. */
static int ensure_mpu(struct imp *m, long line, int for_write)
{
    if (m->mpu_ready) {
        if (for_write && m->st->regions_assumed) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "MPU register write, but the region count is unknown (no MPUIR_EL2 value "
                     "before the first event): give --regions");
            return fail_at(m, line, MPUSIM_E_RANGE, msg);
        }
        return 0;
    }
    if (!m->regions_known) {
        if (for_write)
            return fail_at(m, line, MPUSIM_E_RANGE,
                           "MPU register write, but the region count is unknown (no MPUIR_EL2 "
                           "value in the trace before it): give --regions");
        m->regions = DEFAULT_REGIONS;
        m->st->regions_assumed = 1;
    }
    struct mpu_config cfg = { m->regions, m->regions, MPU_FSC_TRANSLATION };
    if (mpu_init(&m->mpu, &cfg) != 0)
        return fail_at(m, line, MPUSIM_E_RANGE, "bad region count");
    m->mpu_ready = 1;
    if (m->o->level == TARMAC_IMPORT_REGISTERS)
        return write_header(m, NULL, 0);
    return 0;
}

/* ---- registers ---- */

/* The model register id for a Tarmac register name (AArch64 and AArch32 names), and how the
 * value lands in it: *lo_bit = the bit where the line's value starts (MAIR1, HMAIR1: 32),
 * *width = the bits it covers (0: the whole register). *direct = n for the AArch32 direct
 * aliases PRBARn/PRLARn/HPRBARn/HPRLARn (region n, not PRSELR-relative), else -1.
 * Returns -1 for a name the import does not use; MPUIR ids are returned too. */
static int mpu_id_of(const char *name, unsigned *lo_bit, unsigned *width, int *direct)
{
    *lo_bit = 0;
    *width = 0;
    *direct = -1;
    int id = mpu_reg_from_name(name);
    if (id >= 0)
        return id;
    static const struct {
        const char *name;
        unsigned el, slot;
        unsigned lo, width;
    } a32[] = {
        { "HPRSELR", 2, MPU_SLOT_PRSELR, 0, 0 }, { "HPRBAR", 2, MPU_SLOT_PRBAR, 0, 0 },
        { "HPRLAR", 2, MPU_SLOT_PRLAR, 0, 0 },   { "HPRENR", 2, MPU_SLOT_PRENR, 0, 0 },
        { "HSCTLR", 2, MPU_SLOT_SCTLR, 0, 0 },   { "HMAIR0", 2, MPU_SLOT_MAIR, 0, 32 },
        { "HMAIR1", 2, MPU_SLOT_MAIR, 32, 32 },  { "HMPUIR", 2, MPU_SLOT_MPUIR, 0, 0 },
        { "PRSELR", 1, MPU_SLOT_PRSELR, 0, 0 },  { "PRBAR", 1, MPU_SLOT_PRBAR, 0, 0 },
        { "PRLAR", 1, MPU_SLOT_PRLAR, 0, 0 },    { "PRENR", 1, MPU_SLOT_PRENR, 0, 0 },
        { "SCTLR", 1, MPU_SLOT_SCTLR, 0, 0 },    { "MAIR0", 1, MPU_SLOT_MAIR, 0, 32 },
        { "MAIR1", 1, MPU_SLOT_MAIR, 32, 32 },   { "MPUIR", 1, MPU_SLOT_MPUIR, 0, 0 },
    };
    for (size_t i = 0; i < sizeof a32 / sizeof a32[0]; i++)
        if (strcmp(name, a32[i].name) == 0) {
            *lo_bit = a32[i].lo;
            *width = a32[i].width;
            return MPU_REG_ID(a32[i].el, a32[i].slot);
        }
    if (strcmp(name, "HCR") == 0) {
        *width = 32;
        return MPU_REG_HCR_EL2;
    }
    if (strcmp(name, "HCR2") == 0) {
        *lo_bit = 32;
        *width = 32;
        return MPU_REG_HCR_EL2;
    }
    /* AArch32 direct aliases: [H]PRBAR<n>, [H]PRLAR<n>, n = 0..31 */
    const char *p = name;
    unsigned el = 1;
    if (*p == 'H') {
        el = 2;
        p++;
    }
    int lar;
    if (strncmp(p, "PRBAR", 5) == 0)
        lar = 0;
    else if (strncmp(p, "PRLAR", 5) == 0)
        lar = 1;
    else
        return -1;
    p += 5;
    if (*p < '0' || *p > '9')
        return -1;
    char *end;
    unsigned long n = strtoul(p, &end, 10);
    if (*end || n > 31)
        return -1;
    *direct = (int)n;
    return MPU_REG_ID(el, lar ? MPU_SLOT_PRLAR : MPU_SLOT_PRBAR);
}

/* The value the line gives, merged into old: <HI:LO> ranges, "--" bytes, 32-bit halves. */
static uint64_t merged(const struct tarmac_reg *r, uint64_t old, unsigned lo_bit, unsigned width)
{
    if (r->known == 0 && r->nbytes)
        return old; /* every byte "--": this line updates none of the register */
    uint64_t v = 0, known = 0;
    unsigned n = r->nbytes < 8 ? r->nbytes : 8;
    for (unsigned i = 0; i < n; i++)
        if (r->known >> i & 1) {
            v |= (uint64_t)r->bytes[i] << (8 * i);
            known |= 0xFFull << (8 * i);
        }
    /* bytes beyond the value's digits are written as zero (a short value is zero-extended) */
    for (unsigned i = n; i < 8; i++)
        known |= 0xFFull << (8 * i);
    if (r->has_bits) {
        if (r->lo >= 64)
            return old;
        unsigned w = r->hi - r->lo + 1;
        uint64_t mask = w >= 64 ? ~0ull : (1ull << w) - 1;
        v = (v & mask) << r->lo;
        known = (known & mask) << r->lo;
    }
    if (width) {
        uint64_t mask = (width >= 64 ? ~0ull : (1ull << width) - 1) << lo_bit;
        v = (v << lo_bit) & mask;
        known = (known << lo_bit) & mask;
    }
    return (old & ~known) | (v & known);
}

static int write_sysreg(struct imp *m, int id, uint64_t value, long line, int start)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.op = TRACE_OP_SYSREG;
    ev.reg = id;
    ev.limit = value;
    mpu_write(&m->mpu, id, value);
    if (start)
        m->st->start_writes++;
    else
        m->st->reg_writes++;
    if (m->o->level != TARMAC_IMPORT_REGISTERS)
        return 0;
    return emit(m, &ev, line, start ? "starting state (register value before the first "
                                      "instruction)"
                                    : NULL,
                0);
}

static int fetch_flush(struct imp *m);

/* A write to MPU register id (as named: direct alias n or -1) with the line's value. */
static int mpu_register_line(struct imp *m, const struct tarmac_reg *r, int id, int direct,
                             unsigned lo_bit, unsigned width, long line)
{
    if (ensure_mpu(m, line, is_region_reg(id)) != 0 || fetch_flush(m) != 0)
        return -1;
    int start = !m->started;
    if (direct < 0)
        return write_sysreg(m, id, merged(r, mpu_read(&m->mpu, id), lo_bit, width), line,
                            start);
    /* AArch32 direct alias of region n: select it, write, restore the selection. The
     * AArch64 alias PRBAR<n & 15> reaches region (PRSELR & 0xF0) | (n & 15). */
    unsigned el = id >= MPU_SLOT_COUNT ? 2 : 1;
    int sel = MPU_REG_ID(el, MPU_SLOT_PRSELR);
    uint64_t old_sel = mpu_read(&m->mpu, sel);
    unsigned n = (unsigned)direct;
    int lar = (id % MPU_SLOT_COUNT) >= MPU_SLOT_PRLAR;
    int alias = MPU_REG_ID(el, (lar ? MPU_SLOT_PRLAR : MPU_SLOT_PRBAR) + (n & 15));
    int need_sel = (n & 15) == 0 ? old_sel != n : (old_sel & 0xF0) != (n & 0xF0);
    uint64_t new_sel = (n & 15) == 0 ? n : (n & 0xF0) | (old_sel & 0x0F);
    if (need_sel && write_sysreg(m, sel, new_sel, line, start) != 0)
        return -1;
    uint64_t old = mpu_read(&m->mpu, alias);
    if (write_sysreg(m, alias, merged(r, old, lo_bit, width), line, start) != 0)
        return -1;
    if (need_sel && write_sysreg(m, sel, old_sel, line, start) != 0)
        return -1;
    return 0;
}

/* General registers: X/W/R n, LR, SP forms. Returns the index 0..31 or -1. */
static int gpr_of(const char *name, int *is32)
{
    *is32 = 0;
    if (!strcmp(name, "SP") || !strcmp(name, "XSP") || !strncmp(name, "SP_EL", 5))
        return GPR_SP;
    if (!strcmp(name, "WSP")) {
        *is32 = 1;
        return GPR_SP;
    }
    if (!strcmp(name, "LR"))
        return 30;
    char c = name[0];
    if (c != 'X' && c != 'W' && c != 'R' && c != 'E')
        return -1;
    if (name[1] < '0' || name[1] > '9')
        return -1;
    char *end;
    unsigned long n = strtoul(name + 1, &end, 10);
    if (*end || n > 30)
        return -1;
    if (c == 'R' && n > 14)
        return -1;
    *is32 = c == 'W' || c == 'R';
    return (int)n;
}

static int register_line(struct imp *m, const struct tarmac_record *rec)
{
    const struct tarmac_reg *r = &rec->u.reg;
    int is32;
    int g = gpr_of(r->name, &is32);
    if (g >= 0) {
        if (!r->value_ok)
            return 0; /* only a use of the register can tell; an unused one does not matter */
        uint64_t v = merged(r, (m->xknown >> g & 1) ? m->x[g] : 0, 0, is32 ? 32 : 0);
        if (is32) /* a W write clears the upper half; an AArch32 R write has none */
            v &= 0xFFFFFFFFull;
        m->x[g] = v;
        m->xknown |= 1u << g;
        return 0;
    }
    unsigned lo_bit, width;
    int direct;
    int id = mpu_id_of(r->name, &lo_bit, &width, &direct);
    if (id < 0) {
        m->st->unknown_regs++;
        return 0;
    }
    if (!r->value_ok) {
        char msg[160];
        snprintf(msg, sizeof msg, "register %s: value '%s' is not hex", r->name, r->bad_value);
        return fail_at(m, rec->line, MPUSIM_E_PARSE, msg);
    }
    if (id == MPU_REG_ID(2, MPU_SLOT_MPUIR) || id == MPU_REG_ID(1, MPU_SLOT_MPUIR)) {
        if (id == MPU_REG_ID(1, MPU_SLOT_MPUIR))
            return 0; /* the EL1 MPU's count: mpu.regions is the EL2 one */
        unsigned n = (unsigned)(tarmac_reg_u64(r) & MPUIR_REGION_MASK);
        if (n == 0)
            return fail_at(m, rec->line, MPUSIM_E_RANGE,
                           "MPUIR_EL2 says 0 regions: nothing to replay");
        if (m->o->regions)
            return 0; /* --regions wins */
        if (m->mpu_ready && n != m->regions) {
            char msg[160];
            snprintf(msg, sizeof msg, "MPUIR_EL2 = %u regions after the trace started with %u%s: "
                     "give --regions", n, m->regions,
                     m->st->regions_assumed ? " (assumed)" : "");
            return fail_at(m, rec->line, MPUSIM_E_RANGE, msg);
        }
        m->regions = n;
        m->regions_known = 1;
        return 0;
    }
    m->mpu_writes_seen = 1;
    if (!m->started && direct < 0) { /* starting state: applied at the first instruction */
        if (!m->start_seen[id])
            m->start_val[id] = 0;
        m->start_val[id] = merged(r, m->start_val[id], lo_bit, width);
        m->start_seen[id] = 1;
        m->start_line[id] = rec->line;
        return 0;
    }
    return mpu_register_line(m, r, id, direct, lo_bit, width, rec->line);
}

/* The starting state, once, at the first instruction: PRSELR of each EL first (the plain
 * PRBAR/PRLAR and the aliases are relative to it), then every other register by id. */
static int apply_start(struct imp *m)
{
    int any = 0, region = 0;
    long line = 0, region_line = 0;
    for (int id = 0; id < MPU_REG_COUNT; id++) {
        if (!m->start_seen[id])
            continue;
        any = 1;
        if (m->start_line[id] > line)
            line = m->start_line[id];
        if (is_region_reg(id)) {
            region = 1;
            if (m->start_line[id] > region_line)
                region_line = m->start_line[id];
        }
    }
    m->started = 1;
    if (!any)
        return 0;
    if (ensure_mpu(m, region ? region_line : line, region) != 0)
        return -1;
    int order[MPU_REG_COUNT], k = 0;
    order[k++] = MPU_REG_ID(1, MPU_SLOT_PRSELR);
    order[k++] = MPU_REG_ID(2, MPU_SLOT_PRSELR);
    for (int id = 0; id < MPU_REG_COUNT; id++)
        if (id != order[0] && id != order[1])
            order[k++] = id;
    for (int i = 0; i < k; i++) {
        int id = order[i];
        if (m->start_seen[id] && write_sysreg(m, id, m->start_val[id], m->start_line[id], 1) != 0)
            return -1;
    }
    return 0;
}

/* ---- accesses ---- */

static int el_of_mode(const char *s, size_t n, unsigned *el)
{
    if (n >= 3 && (s[0] == 'E' || s[0] == 'e') && (s[1] == 'L' || s[1] == 'l') && s[2] >= '0' &&
        s[2] <= '3') {
        *el = (unsigned)(s[2] - '0');
        return 1;
    }
    static const struct {
        const char *name;
        unsigned el;
    } a32[] = { { "hyp", 2 }, { "usr", 0 }, { "svc", 1 }, { "irq", 1 }, { "fiq", 1 },
                { "abt", 1 }, { "und", 1 }, { "sys", 1 }, { "mon", 3 } };
    for (size_t i = 0; i < sizeof a32 / sizeof a32[0]; i++)
        if (n >= 3 && strncasecmp(s, a32[i].name, 3) == 0 && (n == 3 || s[3] == '_')) {
            *el = a32[i].el;
            return 1;
        }
    return 0;
}

static int access_event(struct imp *m, uint64_t addr, uint64_t size, enum trace_access_kind kind,
                        unsigned el, long line, int aborted)
{
    if (ensure_mpu(m, line, 0) != 0)
        return -1;
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.op = TRACE_OP_ACCESS;
    ev.base = addr;
    ev.limit = size;
    ev.kind = kind;
    ev.el = el;
    if (kind == TRACE_ACC_EXEC)
        m->st->fetches++;
    else
        m->st->accesses++;
    if (aborted)
        m->st->aborted++;
    return emit(m, &ev, line, NULL, aborted);
}

static int fetch_flush(struct imp *m)
{
    if (!m->fetch_open)
        return 0;
    m->fetch_open = 0;
    return access_event(m, m->fetch_base, m->fetch_end - m->fetch_base, TRACE_ACC_EXEC,
                        m->fetch_el, m->fetch_line, 0);
}

static int memory_line(struct imp *m, const struct tarmac_record *rec)
{
    const struct tarmac_mem *mm = &rec->u.mem;
    if (m->o->level != TARMAC_IMPORT_REGISTERS || mm->fetch)
        return 0; /* instruction-side accesses: fetches come from the instruction lines */
    unsigned el = m->el_known ? m->el : 2;
    if (el == 3) {
        m->st->el3_accesses++;
        return 0;
    }
    /* one event per contiguous run of accessed bytes */
    for (unsigned i = 0; i < 16;) {
        if (!(mm->accessed >> i & 1)) {
            i++;
            continue;
        }
        unsigned j = i;
        while (j < 16 && (mm->accessed >> j & 1))
            j++;
        if (access_event(m, mm->addr + i, j - i, mm->write ? TRACE_ACC_WRITE : TRACE_ACC_READ,
                         el, rec->line, mm->aborted) != 0)
            return -1;
        i = j;
    }
    return 0;
}

/* ---- calls ---- */

static int is_a64(const struct tarmac_insn *in) { return in->state == 'O' && in->enc_digits == 8; }

static int is_call_insn(uint32_t enc)
{
    return (enc & A64_BL_MASK) == A64_BL || (enc & A64_BLR_MASK) == A64_BLR ||
           (enc & A64_BLRAx_MASK) == A64_BLRAx;
}

/* RET Xn / RETAA / RETAB: the register holding the target, else -1. */
static int ret_target(uint32_t enc)
{
    if (enc == A64_RETAA || enc == A64_RETAB)
        return 30;
    if ((enc & A64_RET_MASK) == A64_RET)
        return (int)((enc >> 5) & 31u);
    return -1;
}

static const struct op_sym *sym_at(const struct imp *m, uint64_t pc)
{
    if (pc < m->sym_lo || pc > m->sym_hi)
        return NULL;
    for (unsigned i = 0; i < m->nsym; i++)
        if (m->sym[i].addr == pc)
            return &m->sym[i];
    return NULL;
}

/* The op of a call (replay_adapter_op_of_call); a call no op fits (a constant argument that
 * matches none) is the symbol's first op. */
static enum trace_op op_of_call(const struct imp *m, const struct open_call *c)
{
    unsigned mask = 0;
    for (unsigned k = 0; k < c->sym->nops; k++)
        mask |= 1u << c->sym->op[k];
    int op = replay_adapter_op_of_call(&m->ad, mask, c->args);
    return op >= 0 ? (enum trace_op)op : c->sym->op[0];
}

static int call_event(struct imp *m, const struct open_call *c, int returned, uint64_t x0)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.op = op_of_call(m, c);
    const struct replay_adapter_call *ac = &m->ad.op[ev.op];
    for (unsigned i = 0; i < ac->nargs; i++) {
        uint64_t v = c->args[i];
        switch (ac->arg[i].kind) {
        case REPLAY_ARG_BASE:
        case REPLAY_ARG_ADDR:
            ev.base = v;
            break;
        case REPLAY_ARG_LIMIT:
        case REPLAY_ARG_SIZE:
            ev.limit = v;
            break;
        case REPLAY_ARG_FLAGS:
            ev.flags = (unsigned)(v & 0xFFFFFFFFu); /* an unsigned int parameter: W register */
            break;
        default:
            break;
        }
    }
    if (returned) {
        ev.expect.has = TRACE_EXPECT_RC | TRACE_EXPECT_USED;
        ev.expect.rc = (int)replay_adapter_rc(ac, x0);
        ev.expect.used = (int)m->mpu.el2.enabled;
        m->st->calls++;
    } else {
        m->st->unreturned++;
    }
    return emit(m, &ev, c->line, returned ? NULL : "the call never returned (the trace ends)", 0);
}

/* The boot regions: the EL2 regions enabled now, in index order. */
static int header_at_first_call(struct imp *m, long line)
{
    if (ensure_mpu(m, line, 0) != 0)
        return -1;
    struct trace_boot_region boot[MPU_MAX_REGIONS];
    unsigned n = 0;
    for (unsigned i = 0; i < m->mpu.el2.nregions; i++) {
        struct mpu_region_view v = mpu_region(&m->mpu, 2, i);
        if (!v.enabled)
            continue;
        struct trace_boot_region *b = &boot[n++];
        memset(b, 0, sizeof *b);
        b->base = v.base;
        b->limit = v.last + 1;
        b->flags = replay_boot_flags(&v);
        snprintf(b->name, sizeof b->name, "region %u", i);
    }
    return write_header(m, boot, n);
}

/* An instruction at the address of an op symbol. */
static int maybe_enter(struct imp *m, const struct tarmac_record *rec, const struct op_sym *s)
{
    const struct tarmac_insn *in = &rec->u.insn;
    uint64_t ret;
    int by_call = m->have_prev && m->prev_a64 && is_call_insn(m->prev_enc);
    if (by_call) {
        ret = m->prev_pc + 4;
    } else if (m->have_prev && !m->prev_ret && s->size && m->prev_pc >= s->addr &&
               m->prev_pc < s->addr + s->size) {
        m->st->not_calls++; /* a loop back to the first instruction (not a RET from the
                               function followed by a new call of it) */
        return 0;
    } else if (m->xknown >> 30 & 1) {
        ret = m->x[30];
        m->st->branch_entries++;
    } else {
        m->st->not_calls++;
        return 0;
    }
    (void)in;
    if (m->depth == CALL_STACK) {
        m->st->nested++;
        return 0;
    }
    if (m->depth == 0 && !m->header_written && header_at_first_call(m, rec->line) != 0)
        return -1;
    struct open_call *c = &m->stack[m->depth++];
    c->nested = m->depth > 1;
    c->sym = s;
    c->ret = ret;
    c->line = rec->line;
    for (unsigned i = 0; i < REPLAY_ADAPTER_MAX_ARGS; i++)
        c->args[i] = m->x[i];
    c->sp_known = m->xknown >> GPR_SP & 1;
    c->sp = m->x[GPR_SP];
    if (c->nested)
        m->st->nested++;
    return 0;
}

/* Pop calls down to and including index k, which returned with x0; those above it never
 * returned (their frames were abandoned). */
static int returned_to(struct imp *m, unsigned k, uint64_t x0)
{
    while (m->depth > k + 1) {
        struct open_call *c = &m->stack[--m->depth];
        if (!c->nested && call_event(m, c, 0, 0) != 0)
            return -1;
    }
    struct open_call *c = &m->stack[--m->depth];
    if (!c->nested)
        return call_event(m, c, 1, x0);
    return 0;
}

/* SP as at the call's entry (or unknown then or now): a return, not the callee (a recursive
 * activation) passing its caller's return address with its own frame pushed. */
static int same_frame(const struct imp *m, const struct open_call *c)
{
    return !c->sp_known || !(m->xknown >> GPR_SP & 1) || m->x[GPR_SP] == c->sp;
}

static int calls_insn(struct imp *m, const struct tarmac_record *rec)
{
    const struct tarmac_insn *in = &rec->u.insn;
    if (m->depth) {
        if (m->ret_pending) { /* the RET went to the return address: the caller may be untraced */
            m->ret_pending = 0;
            if (returned_to(m, m->depth - 1, m->ret_x0) != 0)
                return -1;
        } else {
            for (unsigned k = m->depth; k-- > 0;)
                if (m->stack[k].ret == in->pc && same_frame(m, &m->stack[k])) {
                    if (returned_to(m, k, m->x[0]) != 0)
                        return -1;
                    break;
                }
        }
    }
    const struct op_sym *s = sym_at(m, in->pc);
    if (s && maybe_enter(m, rec, s) != 0)
        return -1;
    if (m->depth && is_a64(in) && in->executed) {
        int t = ret_target(in->enc);
        if (t >= 0 && (m->xknown >> t & 1) && m->x[t] == m->stack[m->depth - 1].ret &&
            same_frame(m, &m->stack[m->depth - 1])) {
            m->ret_pending = 1;
            m->ret_x0 = m->x[0]; /* RET writes no general register */
        }
    }
    return 0;
}

/* ---- instructions ---- */

static int insn_line(struct imp *m, const struct tarmac_record *rec)
{
    const struct tarmac_insn *in = &rec->u.insn;
    m->st->insns++;
    if (!m->started && apply_start(m) != 0)
        return -1;
    unsigned el;
    if (el_of_mode(in->mode, in->mode_len, &el)) {
        m->el = el;
        m->el_known = 1;
    }
    if (m->o->level == TARMAC_IMPORT_CALLS) {
        if (calls_insn(m, rec) != 0)
            return -1;
    } else if (m->o->fetches) {
        unsigned sz = (in->state == 'T' && in->enc_digits == 4) ? 2 : 4;
        unsigned fel = m->el_known ? m->el : 2;
        if (fel == 3) {
            m->st->el3_accesses++;
        } else if (m->fetch_open && in->pc == m->fetch_end && fel == m->fetch_el &&
                   in->pc + sz > in->pc) {
            m->fetch_end += sz;
        } else {
            if (fetch_flush(m) != 0)
                return -1;
            if (in->pc + sz > in->pc) {
                m->fetch_open = 1;
                m->fetch_base = in->pc;
                m->fetch_end = in->pc + sz;
                m->fetch_el = fel;
                m->fetch_line = rec->line;
            }
        }
    }
    m->have_prev = 1;
    m->prev_pc = in->pc;
    m->prev_enc = in->enc;
    m->prev_a64 = is_a64(in) && in->executed;
    m->prev_ret = m->prev_a64 && ret_target(in->enc) >= 0;
    return 0;
}

/* ---- set-up ---- */

static int load_calls(struct imp *m)
{
    const struct tarmac_import_options *o = m->o;
    if (!o->elf || !o->elf[0])
        return mpusim_error_at(m->err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                               "--level calls needs --elf (the image that ran)");
    if (!o->adapter || !o->adapter[0])
        return mpusim_error_at(m->err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                               "--level calls needs an adapter (--adapter NAME or FILE)");
    if (replay_adapter_read_file(o->adapter, &m->ad, m->err) != 0)
        return -1;
    struct sim_options so;
    sim_options_default(&so);
    so.stack_size = 0;
    struct sim *s = sim_new(&so, m->err);
    if (!s)
        return -1;
    if (sim_load_elf(s, o->elf, m->err) != 0) {
        sim_free(s);
        return -1;
    }
    m->sym_lo = UINT64_MAX;
    m->sym_hi = 0;
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        const struct replay_adapter_call *c = &m->ad.op[op];
        if (!c->present)
            continue;
        if (op != TRACE_OP_MAP && op != TRACE_OP_MODIFY && op != TRACE_OP_UNMAP &&
            op != TRACE_OP_UNMAP_CONTAINING && op != TRACE_OP_IOREMAP)
            continue; /* other families' ops (zephyr's threads): not imported at call level */
        struct sim_symbol y;
        if (sim_symbol(s, c->symbol, &y, NULL) != 0) {
            mpusim_error_at(m->err, MPUSIM_E_RANGE, o->elf, -1, -1, -1,
                            "adapter %s: op %s's symbol '%s' is not in the ELF", o->adapter,
                            trace_op_name((enum trace_op)op), c->symbol);
            sim_free(s);
            return -1;
        }
        unsigned need = op == TRACE_OP_UNMAP_CONTAINING ? 1u << REPLAY_ARG_ADDR
                        : op == TRACE_OP_IOREMAP ? (1u << REPLAY_ARG_ADDR | 1u << REPLAY_ARG_SIZE |
                                                    1u << REPLAY_ARG_FLAGS)
                        : op == TRACE_OP_UNMAP ? (1u << REPLAY_ARG_BASE | 1u << REPLAY_ARG_LIMIT)
                                               : (1u << REPLAY_ARG_BASE | 1u << REPLAY_ARG_LIMIT |
                                                  1u << REPLAY_ARG_FLAGS);
        unsigned have = 0;
        for (unsigned i = 0; i < c->nargs; i++)
            have |= 1u << c->arg[i].kind;
        if ((need & have) != need) {
            mpusim_error_at(m->err, MPUSIM_E_RANGE, o->adapter, -1, -1, -1,
                            "op %s: the adapter's call of %s does not pass every field of the "
                            "event, so the import cannot recover them", trace_op_name((enum trace_op)op),
                            c->symbol);
            sim_free(s);
            return -1;
        }
        struct op_sym *os = NULL;
        for (unsigned i = 0; i < m->nsym; i++)
            if (m->sym[i].addr == y.addr)
                os = &m->sym[i];
        if (!os) {
            os = &m->sym[m->nsym++];
            os->addr = y.addr;
            os->size = y.size;
            os->nops = 0;
        }
        os->op[os->nops++] = (enum trace_op)op;
        if (y.addr < m->sym_lo)
            m->sym_lo = y.addr;
        if (y.addr > m->sym_hi)
            m->sym_hi = y.addr;
    }
    sim_free(s);
    return 0;
}

static void count_skipped(struct tarmac_import_stats *st, const char *type)
{
    st->skipped++;
    for (unsigned i = 0; i < st->ntypes; i++)
        if (strcmp(st->type[i].type, type) == 0) {
            st->type[i].lines++;
            return;
        }
    if (st->ntypes < TARMAC_IMPORT_MAX_TYPES) {
        snprintf(st->type[st->ntypes].type, sizeof st->type[0].type, "%s", type);
        st->type[st->ntypes++].lines = 1;
    } else {
        st->other_types++;
    }
}

static int import_from(struct tarmac_reader *r, const char *source, FILE *out,
                       const struct tarmac_import_options *o, struct tarmac_import_stats *st,
                       struct mpusim_error *err);

int tarmac_import(const char *path, FILE *out, const struct tarmac_import_options *o,
                  struct tarmac_import_stats *st, struct mpusim_error *err)
{
    memset(st, 0, sizeof *st);
    if (o->level == TARMAC_IMPORT_CALLS && (!o->elf || !o->elf[0] || !o->adapter || !o->adapter[0]))
        return import_from(NULL, path, out, o, st, err); /* the usage error, before opening */
    struct tarmac_reader *r = tarmac_reader_open(path, err);
    if (!r)
        return -1;
    int rc = import_from(r, strcmp(path, "-") == 0 ? "<stdin>" : path, out, o, st, err);
    tarmac_reader_close(r);
    return rc;
}

int tarmac_import_stream(FILE *in, const char *source, FILE *out,
                         const struct tarmac_import_options *o, struct tarmac_import_stats *st,
                         struct mpusim_error *err)
{
    memset(st, 0, sizeof *st);
    struct tarmac_reader *r = tarmac_reader_new(in, source, err);
    if (!r)
        return -1;
    int rc = import_from(r, source, out, o, st, err);
    tarmac_reader_close(r);
    return rc;
}

/* The import over reader r (NULL only for a calls-level usage error, reported by load_calls). */
static int import_from(struct tarmac_reader *r, const char *source, FILE *out,
                       const struct tarmac_import_options *o, struct tarmac_import_stats *st,
                       struct mpusim_error *err)
{
    struct imp *m = calloc(1, sizeof *m);
    if (!m)
        return mpusim_error_set(err, MPUSIM_E_IO, "out of memory");
    m->o = o;
    m->st = st;
    m->out = out;
    m->err = err;
    m->source = source;
    if (o->regions) {
        m->regions = o->regions;
        m->regions_known = 1;
    }
    int rc = -1;
    if (o->level == TARMAC_IMPORT_CALLS && load_calls(m) != 0)
        goto done;
    struct tarmac_record rec;
    int got;
    while ((got = tarmac_read(r, &rec, err)) > 0) {
        st->lines++;
        int e = 0;
        switch (rec.kind) {
        case TARMAC_INSN:
            e = insn_line(m, &rec);
            break;
        case TARMAC_REG:
            e = register_line(m, &rec);
            break;
        case TARMAC_MEM:
            e = memory_line(m, &rec);
            break;
        case TARMAC_MAINT:
            count_skipped(st, "R (maintenance)");
            break;
        case TARMAC_EVENT:
        case TARMAC_UNKNOWN:
            count_skipped(st, rec.type);
            break;
        case TARMAC_BLANK:
            count_skipped(st, "(blank)");
            break;
        default:
            break;
        }
        if (e != 0)
            goto done;
        if (o->on_progress && (st->lines & (PROGRESS_LINES - 1)) == 0)
            o->on_progress(o->opaque, st->lines, tarmac_reader_offset(r));
    }
    if (got < 0)
        goto done;
    if (!m->started && apply_start(m) != 0)
        goto done;
    if (fetch_flush(m) != 0)
        goto done;
    if (m->depth && m->ret_pending && returned_to(m, m->depth - 1, m->ret_x0) != 0)
        goto done; /* the trace ends right after the RET */
    while (m->depth) { /* calls the trace never saw return */
        struct open_call *c = &m->stack[--m->depth];
        if (!c->nested && call_event(m, c, 0, 0) != 0)
            goto done;
    }
    if (!m->header_written) {
        if (ensure_mpu(m, st->lines, 0) != 0)
            goto done;
        if (!m->header_written && write_header(m, NULL, 0) != 0)
            goto done;
    }
    rc = 0;
done:
    free(m);
    return rc;
}
