/*
 * The execution report (sim_options.on_exec, struct sim_exec): one record per executed
 * instruction, for execution traces (the Tarmac export, docs/capture.md).
 *
 * A UC_HOOK_CODE over all addresses sees each instruction before it runs. The record of an
 * instruction is completed, and reported, when the next one starts or the run ends: by then
 * its register changes are known (the general registers, SP and NZCV are compared with the
 * previous snapshot), and the data accesses (sim/mem.c), system-register writes
 * (sim/el2.c) and exception entry (sim/exception.c) that happened while it ran have been
 * added. A faulting access is marked aborted; registers a faulting load would have written
 * stay unchanged, so none are reported. Disassembly comes from capstone, cached per address
 * and encoding. Fixed memory: one record, one snapshot, a 4096-entry text cache.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

#define DISASM_CACHE 4096u
#define DISASM_TEXT 64u
#define NREGS 33 /* X0..X30, SP, NZCV */
#define NZCV_MASK 0xF0000000ull /* N, Z, C, V: bits [31:28] */

struct disasm_line {
    uint64_t pc;
    uint32_t enc;
    int valid;
    char text[DISASM_TEXT];
};

struct sim_exec_state {
    csh cs;                        /* capstone, AArch64, no details */
    int pending;                   /* 1: rec describes an instruction that started */
    struct sim_exec rec;
    uint64_t snap[NREGS];          /* register values as last reported */
    uint64_t index;                /* instructions reported */
    int ids[NREGS];                /* Unicorn register ids, snap order */
    struct disasm_line cache[DISASM_CACHE];
};

static const char *disasm(struct sim_exec_state *x, uint64_t pc, uint32_t enc)
{
    struct disasm_line *d = &x->cache[((pc >> 2) ^ enc) & (DISASM_CACHE - 1)];
    if (d->valid && d->pc == pc && d->enc == enc)
        return d->text;
    d->pc = pc;
    d->enc = enc;
    d->valid = 1;
    cs_insn *insn = NULL;
    uint8_t bytes[4] = { (uint8_t)enc, (uint8_t)(enc >> 8), (uint8_t)(enc >> 16),
                         (uint8_t)(enc >> 24) };
    if (cs_disasm(x->cs, bytes, 4, pc, 1, &insn) == 1) {
        if (insn->op_str[0])
            snprintf(d->text, sizeof d->text, "%.15s %.46s", insn->mnemonic, insn->op_str);
        else
            snprintf(d->text, sizeof d->text, "%.31s", insn->mnemonic);
    } else {
        snprintf(d->text, sizeof d->text, ".inst 0x%08x", enc);
    }
    if (insn)
        cs_free(insn, 1);
    return d->text;
}

/* CPSR as the guest sees it: Unicorn's PSTATE with the mode EL1h/t shown as EL2h/t. */
static uint64_t guest_cpsr(struct sim *s)
{
    uint64_t p = 0;
    uc_reg_read(s->uc, UC_ARM64_REG_PSTATE, &p);
    uint64_t m = p & 0xFull;
    if (m == 0x5)
        m = 0x9;
    else if (m == 0x4)
        m = 0x8;
    return (p & ~0xFull) | m;
}

/* Compare the registers with the snapshot; put the changes in rec. */
static void diff_regs(struct sim *s, struct sim_exec_state *x)
{
    uint64_t now[NREGS];
    void *ptrs[NREGS];
    for (int i = 0; i < NREGS; i++)
        ptrs[i] = &now[i];
    if (uc_reg_read_batch(s->uc, x->ids, ptrs, NREGS) != UC_ERR_OK)
        return;
    now[SIM_EXEC_NZCV] &= NZCV_MASK; /* Unicorn's NZCV read may carry other bits */
    x->rec.nregs = 0;
    for (unsigned i = 0; i < NREGS; i++) {
        if (now[i] == x->snap[i])
            continue;
        x->snap[i] = now[i];
        x->rec.regs[x->rec.nregs].reg = i;
        x->rec.regs[x->rec.nregs].value = i == SIM_EXEC_NZCV ? guest_cpsr(s) : now[i];
        x->rec.nregs++;
    }
}

static void report(struct sim *s)
{
    struct sim_exec_state *x = s->exec;
    diff_regs(s, x);
    x->rec.mpu = &s->mpu;
    if (x->rec.has_insn) {
        x->rec.index = x->index++;
        x->rec.disasm = disasm(x, x->rec.pc, x->rec.enc);
    } else {
        x->rec.index = x->index;
        x->rec.disasm = NULL;
        if (x->rec.nregs == 0)
            return; /* nothing changed before this run */
    }
    s->opt.on_exec(s->opt.exec_opaque, &x->rec);
}

static void start_record(struct sim *s, int has_insn, uint64_t pc)
{
    struct sim_exec_state *x = s->exec;
    struct sim_exec *r = &x->rec;
    r->has_insn = has_insn;
    r->pc = pc;
    r->enc = 0;
    if (has_insn)
        uc_mem_read(s->uc, pc, &r->enc, sizeof r->enc);
    r->cycles = s->timing ? sim_timing_now(s) : 0;
    r->nregs = r->nsys = r->nmem = 0;
    r->exception = 0;
    x->pending = has_insn;
}

static void on_code(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    (void)uc;
    (void)size;
    struct sim *s = opaque;
    if (s->exec->pending)
        report(s);
    start_record(s, 1, addr);
}

void sim_exec_begin(struct sim *s)
{
    start_record(s, 0, 0);
    report(s);
}

void sim_exec_end(struct sim *s)
{
    if (s->exec->pending) {
        report(s);
        s->exec->pending = 0;
    }
}

void sim_exec_mem(struct sim *s, int write, uint64_t addr, unsigned size, uint64_t value)
{
    struct sim_exec_state *x = s->exec;
    if (!x->pending)
        return;
    if (x->rec.nmem == SIM_EXEC_MAX_MEM) {
        s->stats.exec_mem_dropped++;
        return;
    }
    uint64_t v = value;
    if (!write) { /* before the read: memory holds what it will read */
        v = 0;
        if (size <= 8)
            uc_mem_read(s->uc, addr, &v, size);
    }
    if (size < 8)
        v &= (1ull << (8 * size)) - 1;
    unsigned k = x->rec.nmem++;
    x->rec.mem[k].write = write;
    x->rec.mem[k].aborted = 0;
    x->rec.mem[k].size = size;
    x->rec.mem[k].addr = addr;
    x->rec.mem[k].value = v;
}

void sim_exec_abort(struct sim *s)
{
    struct sim_exec_state *x = s->exec;
    if (x->pending && x->rec.nmem)
        x->rec.mem[x->rec.nmem - 1].aborted = 1;
}

void sim_exec_sysreg(struct sim *s, unsigned enc, uint64_t value)
{
    struct sim_exec_state *x = s->exec;
    if (!x->pending || x->rec.nsys == SIM_EXEC_MAX_SYS)
        return;
    const char *name = NULL;
    int id = mpu_reg_from_encoding(enc);
    if (id >= 0) {
        name = mpu_reg_name(id);
    } else {
        for (int i = 0; i < EL2_REG_COUNT; i++)
            if (sim_el2_encoding((enum sim_el2_reg)i) == enc)
                name = sim_el2_name((enum sim_el2_reg)i);
    }
    unsigned k = x->rec.nsys++;
    x->rec.sys[k].enc = enc;
    x->rec.sys[k].name = name;
    x->rec.sys[k].value = value;
}

void sim_exec_exception(struct sim *s, uint64_t vector)
{
    struct sim_exec_state *x = s->exec;
    if (!x->pending)
        return;
    x->rec.exception = 1;
    x->rec.vector = vector;
    x->rec.esr = s->el2[EL2_ESR];
    x->rec.far = s->el2[EL2_FAR];
    x->rec.elr = s->el2[EL2_ELR];
    x->rec.spsr = s->el2[EL2_SPSR];
}

int sim_exec_new(struct sim *s, struct mpusim_error *err)
{
    struct sim_exec_state *x = calloc(1, sizeof *x);
    if (!x)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory for the execution report");
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &x->cs) != CS_ERR_OK) {
        free(x);
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "capstone: cannot open AArch64");
    }
    for (int i = 0; i <= 28; i++)
        x->ids[i] = UC_ARM64_REG_X0 + i;
    x->ids[29] = UC_ARM64_REG_X29;
    x->ids[30] = UC_ARM64_REG_X30;
    x->ids[31] = UC_ARM64_REG_SP;
    x->ids[SIM_EXEC_NZCV] = UC_ARM64_REG_NZCV;
    s->exec = x;
    uc_hook h;
    uc_err e = uc_hook_add(s->uc, &h, UC_HOOK_CODE, (void *)on_code, s, 1, 0);
    if (e != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "installing the execution report hook: %s",
                                uc_strerror(e));
    return 0;
}

void sim_exec_free(struct sim *s)
{
    if (!s->exec)
        return;
    cs_close(&s->exec->cs);
    free(s->exec);
    s->exec = NULL;
}
