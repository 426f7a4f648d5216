/*
 * The timing model's core: the built-in Cortex-R82-like cost table, the decoder (capstone, once
 * per block) and the scoreboard of an in-order, dual-issue pipeline. No Unicorn here; sim/timing.c
 * feeds it the instructions the guest retires, bench/timing.c feeds it straight-line blocks.
 *
 * The scoreboard, per instruction (docs/timing.md has the same rules in prose):
 *   issue cycle t = the first cycle >= the current group's cycle such that
 *     - the group has a free slot (issue_width), is not closed, and the unit has capacity;
 *       instructions of a serialising or barrier class issue alone;
 *     - t >= front (after a redirect, a refill or a serialising instruction);
 *     - every source register is ready for this kind of reader (RAW with forwarding);
 *     - serialising classes: every older instruction is complete; barriers that drain: the
 *       store buffer is empty;
 *     - a non-pipelined unit is free;
 *     - in-order writeback: t + lat >= the latest writeback of an older instruction (except
 *       retire_ooo classes), as LLVM's in-order model does;
 *   then its destinations become ready at t + the latency for each kind of reader, stores
 *   enter the store buffer (each store drains store_drain cycles after the previous one or
 *   after its own completion), and a serialising class moves front to t + cost.
 * Branches: a correctly predicted taken branch closes the group and moves front to
 * t + 1 + taken_bubble; a mispredicted one to t + 1 + mispredict (ret_mispredict for a
 * return-stack miss). Conditional branches use the core's predictor (bimodal 2-bit counters
 * indexed by PC, or static backward-taken/forward-not-taken); returns a return stack; BR/BLR
 * the last target seen at the same PC.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

/* ---- names ---- */

static const char *const class_names[SIM_TC_COUNT] = {
    "alu", "mul", "div", "load", "load_regoffset", "load_pair", "store", "store_pair",
    "writeback", "branch", "nop", "msr_mpu", "msr_sysreg", "mrs_mpu", "mrs_sysreg", "isb", "dsb",
    "dmb", "sys_maint", "eret", "exception",
};
static const char *const unit_names[SIM_TU_COUNT] = { "alu", "mac", "div", "load", "store",
                                                      "branch", "sys" };
static const char *const read_names[SIM_TR_COUNT] = { "alu", "shift", "mac", "acc", "addr",
                                                      "other" };

const char *sim_tclass_name(enum sim_tclass c)
{
    return (unsigned)c < SIM_TC_COUNT ? class_names[c] : NULL;
}
const char *sim_tunit_name(enum sim_tunit u)
{
    return (unsigned)u < SIM_TU_COUNT ? unit_names[u] : NULL;
}
const char *sim_tread_name(enum sim_tread r)
{
    return (unsigned)r < SIM_TR_COUNT ? read_names[r] : NULL;
}

/* ---- the built-in core (cores/cortex-r82.json has the same numbers with their sources) ---- */

static struct sim_tnum num(uint32_t v) { return (struct sim_tnum){ { v, v, v } }; }
static struct sim_tnum range(uint32_t nominal, uint32_t min, uint32_t max)
{
    return (struct sim_tnum){ { nominal, min, max } };
}

/* A pipelined class: unit, raw latency, effective latencies to alu/shift/mac/acc/addr readers. */
static void set_class(struct sim_tclass_cost *c, enum sim_tunit unit, uint32_t lat, uint32_t alu,
                      uint32_t shift, uint32_t mac, uint32_t acc, uint32_t addr)
{
    c->unit = unit;
    c->occupancy = num(1);
    c->lat = num(lat);
    c->lat_second = num(lat);
    c->lat_to[SIM_TR_ALU] = num(alu);
    c->lat_to[SIM_TR_SHIFT] = num(shift);
    c->lat_to[SIM_TR_MAC] = num(mac);
    c->lat_to[SIM_TR_ACC] = num(acc);
    c->lat_to[SIM_TR_ADDR] = num(addr);
}

static void set_serial(struct sim_tclass_cost *c, struct sim_tnum cost, int serialize, int drain)
{
    set_class(c, SIM_TU_SYS, 1, 1, 1, 1, 1, 1);
    c->cost = cost;
    c->serialize = serialize;
    c->drain_stores = drain;
}

void sim_core_default(struct sim_core *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "cortex-r82-like");
    snprintf(c->version, sizeof c->version, "0.1");
    c->issue_width = 2;
    c->units[SIM_TU_ALU] = 2;
    c->units[SIM_TU_MAC] = 1;
    c->units[SIM_TU_DIV] = 1;
    c->units[SIM_TU_LOAD] = 1;
    c->units[SIM_TU_STORE] = 1;
    c->units[SIM_TU_BRANCH] = 1;
    c->units[SIM_TU_SYS] = 1;
    c->in_order_writeback = 1;
    struct sim_tclass_cost *k = c->cls;
    set_class(&k[SIM_TC_ALU], SIM_TU_ALU, 3, 1, 2, 2, 1, 3);
    set_class(&k[SIM_TC_MUL], SIM_TU_MAC, 4, 2, 3, 3, 2, 4);
    set_class(&k[SIM_TC_DIV], SIM_TU_DIV, 8, 8, 8, 8, 8, 8);
    struct sim_tnum div = range(8, 4, 20);
    k[SIM_TC_DIV].occupancy = div;
    k[SIM_TC_DIV].lat = div;
    k[SIM_TC_DIV].lat_second = div;
    for (int r = 0; r < SIM_TR_OTHER; r++)
        k[SIM_TC_DIV].lat_to[r] = div;
    set_class(&k[SIM_TC_LOAD], SIM_TU_LOAD, 3, 3, 3, 3, 3, 3);
    set_class(&k[SIM_TC_LOAD_REGOFF], SIM_TU_LOAD, 4, 4, 4, 4, 4, 4);
    set_class(&k[SIM_TC_LOAD_PAIR], SIM_TU_LOAD, 5, 5, 5, 5, 5, 5);
    k[SIM_TC_LOAD_PAIR].occupancy = num(2);
    set_class(&k[SIM_TC_STORE], SIM_TU_STORE, 1, 1, 1, 1, 1, 1);
    k[SIM_TC_STORE].retire_ooo = 1;
    set_class(&k[SIM_TC_STORE_PAIR], SIM_TU_STORE, 1, 1, 1, 1, 1, 1);
    k[SIM_TC_STORE_PAIR].retire_ooo = 1;
    set_class(&k[SIM_TC_WRITEBACK], SIM_TU_ALU, 3, 1, 2, 2, 1, 3);
    set_class(&k[SIM_TC_BRANCH], SIM_TU_BRANCH, 1, 1, 1, 1, 1, 1);
    set_class(&k[SIM_TC_NOP], SIM_TU_BRANCH, 1, 1, 1, 1, 1, 1);
    set_serial(&k[SIM_TC_MSR_MPU], range(4, 1, 8), 1, 0);
    set_serial(&k[SIM_TC_MSR_SYSREG], range(4, 1, 8), 1, 0);
    struct sim_tnum mrs = range(2, 1, 4);
    for (int i = SIM_TC_MRS_MPU; i <= SIM_TC_MRS_SYSREG; i++) {
        set_class(&k[i], SIM_TU_SYS, 2, 2, 2, 2, 2, 2);
        k[i].lat = k[i].lat_second = mrs;
        for (int r = 0; r < SIM_TR_OTHER; r++)
            k[i].lat_to[r] = mrs;
    }
    set_serial(&k[SIM_TC_ISB], range(8, 6, 12), 1, 0);
    set_serial(&k[SIM_TC_DSB], range(4, 1, 10), 1, 1);
    set_serial(&k[SIM_TC_DMB], range(2, 1, 6), 0, 1);
    set_serial(&k[SIM_TC_SYS_MAINT], range(4, 1, 8), 1, 0);
    set_serial(&k[SIM_TC_ERET], range(8, 6, 12), 1, 0);
    set_serial(&k[SIM_TC_EXCEPTION], range(8, 6, 12), 1, 0);
    c->taken_bubble = range(0, 0, 1);
    c->mispredict = range(8, 7, 9);
    c->ret_mispredict = range(9, 8, 10);
    c->store_drain = range(1, 0, 2);
    c->predictor = SIM_PRED_BIMODAL;
    c->pred_entries = 256;
    c->ras_depth = 8;
    c->btb_entries = 64;
}

static int check_num(const struct sim_tnum *n, const char *what, const char *cls,
                     struct mpusim_error *err)
{
    if (n->v[SIM_TS_MIN] > n->v[SIM_TS_NOMINAL] || n->v[SIM_TS_NOMINAL] > n->v[SIM_TS_MAX])
        return mpusim_error_set(err, MPUSIM_E_RANGE, "%s%s%s: min %u <= nominal %u <= max %u fails",
                                cls ? cls : "", cls ? "." : "", what, n->v[SIM_TS_MIN],
                                n->v[SIM_TS_NOMINAL], n->v[SIM_TS_MAX]);
    if (n->v[SIM_TS_MAX] > 100000)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "%s%s%s: %u cycles is too many",
                                cls ? cls : "", cls ? "." : "", what, n->v[SIM_TS_MAX]);
    return 0;
}

static int pow2(unsigned v) { return v && !(v & (v - 1)); }

int sim_core_check(const struct sim_core *c, struct mpusim_error *err)
{
    if (c->issue_width < 1 || c->issue_width > 8)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "issue_width %u: 1..8", c->issue_width);
    for (int u = 0; u < SIM_TU_COUNT; u++)
        if (c->units[u] < 1 || c->units[u] > 8)
            return mpusim_error_set(err, MPUSIM_E_RANGE, "units.%s %u: 1..8", unit_names[u],
                                    c->units[u]);
    for (int i = 0; i < SIM_TC_COUNT; i++) {
        const struct sim_tclass_cost *k = &c->cls[i];
        const char *n = class_names[i];
        if ((unsigned)k->unit >= SIM_TU_COUNT)
            return mpusim_error_set(err, MPUSIM_E_RANGE, "%s.unit: unknown", n);
        if (check_num(&k->occupancy, "occupancy", n, err) || check_num(&k->lat, "lat", n, err) ||
            check_num(&k->lat_second, "lat_second", n, err) || check_num(&k->cost, "cost", n, err))
            return -1;
        for (int r = 0; r < SIM_TR_OTHER; r++)
            if (check_num(&k->lat_to[r], read_names[r], n, err))
                return -1;
        if (k->occupancy.v[SIM_TS_MIN] < 1)
            return mpusim_error_set(err, MPUSIM_E_RANGE, "%s.occupancy: at least 1", n);
        if ((k->serialize || k->drain_stores) && k->cost.v[SIM_TS_MIN] < 1)
            return mpusim_error_set(err, MPUSIM_E_RANGE, "%s.cost: at least 1 for a serialising "
                                    "class", n);
    }
    if (check_num(&c->taken_bubble, "taken_bubble", NULL, err) ||
        check_num(&c->mispredict, "mispredict", NULL, err) ||
        check_num(&c->ret_mispredict, "ret_mispredict", NULL, err) ||
        check_num(&c->store_drain, "store_drain", NULL, err))
        return -1;
    if (c->predictor != SIM_PRED_BIMODAL && c->predictor != SIM_PRED_BTFN)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "predictor: bimodal or btfn");
    if (!pow2(c->pred_entries) || c->pred_entries > SIM_CORE_MAX_PRED)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "predictor entries %u: a power of 2 <= %d",
                                c->pred_entries, SIM_CORE_MAX_PRED);
    if (c->ras_depth < 1 || c->ras_depth > SIM_CORE_MAX_RAS)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "return stack depth %u: 1..%d",
                                c->ras_depth, SIM_CORE_MAX_RAS);
    if (!pow2(c->btb_entries) || c->btb_entries > SIM_CORE_MAX_BTB)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "btb entries %u: a power of 2 <= %d",
                                c->btb_entries, SIM_CORE_MAX_BTB);
    return 0;
}

/* ---- decoding ---- */

/* A64 encodings (Arm ARM C4.1) of the system instructions, classified from the word itself so
 * that capstone need not know the Armv8-R register names. */
#define A64_SYSREG_MASK 0xFFF00000u
#define A64_MRS 0xD5300000u
#define A64_MSR 0xD5100000u
#define A64_MSR_IMM_MASK 0xFFF8F01Fu
#define A64_MSR_IMM 0xD500401Fu
#define A64_SYS_MASK 0xFFF80000u
#define A64_SYS 0xD5080000u
#define A64_SYSL 0xD5280000u
#define A64_BARRIER_MASK 0xFFFFF0FFu
#define A64_DSB 0xD503309Fu
#define A64_DMB 0xD50330BFu
#define A64_ISB 0xD50330DFu
#define A64_CLREX 0xD503305Fu
#define A64_HINT_MASK 0xFFFFF01Fu
#define A64_HINT 0xD503201Fu
#define A64_EXC_MASK 0xFF000000u
#define A64_EXC 0xD4000000u
#define A64_ERET 0xD69F03E0u

/* MSR/MRS op0:op1:CRn:CRm:op2 in bits [20:5]: an MPU register is op0 3, op1 0 (EL1) or 4
 * (EL2), CRn 6, CRm 1..15 (PRENR c1, PRSELR c2, PRBAR/PRLAR c3 and c8..c15); CRm 0 is FAR. */
static int is_mpu_sysreg(uint32_t w)
{
    unsigned op0 = (w >> 19) & 3u, op1 = (w >> 16) & 7u, crn = (w >> 12) & 15u,
             crm = (w >> 8) & 15u;
    return op0 == 3 && (op1 == 0 || op1 == 4) && crn == 6 && crm >= 1;
}

/* System and hint classes from the word; -1 if not one of them. */
static int sys_class(uint32_t w)
{
    if ((w & A64_SYSREG_MASK) == A64_MSR)
        return is_mpu_sysreg(w) ? SIM_TC_MSR_MPU : SIM_TC_MSR_SYSREG;
    if ((w & A64_SYSREG_MASK) == A64_MRS)
        return is_mpu_sysreg(w) ? SIM_TC_MRS_MPU : SIM_TC_MRS_SYSREG;
    if ((w & A64_MSR_IMM_MASK) == A64_MSR_IMM)
        return SIM_TC_MSR_SYSREG;
    if ((w & A64_SYS_MASK) == A64_SYS || (w & A64_SYS_MASK) == A64_SYSL)
        return SIM_TC_SYS_MAINT;
    if ((w & A64_BARRIER_MASK) == A64_DSB)
        return SIM_TC_DSB;
    if ((w & A64_BARRIER_MASK) == A64_DMB)
        return SIM_TC_DMB;
    if ((w & A64_BARRIER_MASK) == A64_ISB)
        return SIM_TC_ISB;
    if ((w & A64_BARRIER_MASK) == A64_CLREX || (w & A64_HINT_MASK) == A64_HINT)
        return SIM_TC_NOP;
    if ((w & A64_EXC_MASK) == A64_EXC)
        return SIM_TC_EXCEPTION;
    if (w == A64_ERET)
        return SIM_TC_ERET;
    return -1;
}

/* Capstone register -> bit (SIM_TREG numbering), or -1 (XZR/WZR, FP/SIMD, others). */
static int reg_bit(unsigned r)
{
    if (r >= ARM64_REG_W0 && r <= ARM64_REG_W30)
        return (int)(r - ARM64_REG_W0);
    if (r >= ARM64_REG_X0 && r <= ARM64_REG_X28)
        return (int)(r - ARM64_REG_X0);
    switch (r) {
    case ARM64_REG_X29:
        return 29;
    case ARM64_REG_X30:
        return 30;
    case ARM64_REG_SP:
    case ARM64_REG_WSP:
        return SIM_TREG_SP;
    case ARM64_REG_NZCV:
        return SIM_TREG_NZCV;
    default:
        return -1;
    }
}

static uint64_t bit(unsigned r)
{
    int b = reg_bit(r);
    return b < 0 ? 0 : 1ull << b;
}

static int is_mul(unsigned id)
{
    switch (id) {
    case ARM64_INS_MADD: case ARM64_INS_MSUB: case ARM64_INS_MUL: case ARM64_INS_MNEG:
    case ARM64_INS_SMADDL: case ARM64_INS_SMSUBL: case ARM64_INS_SMULL: case ARM64_INS_SMNEGL:
    case ARM64_INS_UMADDL: case ARM64_INS_UMSUBL: case ARM64_INS_UMULL: case ARM64_INS_UMNEGL:
    case ARM64_INS_SMULH: case ARM64_INS_UMULH:
        return 1;
    default:
        return 0;
    }
}

/* Capstone 4 marks the destination of MOVZ/UBFX/... as read and written; only these read it. */
static int reads_destination(unsigned id)
{
    return id == ARM64_INS_MOVK || id == ARM64_INS_BFM || id == ARM64_INS_BFI ||
           id == ARM64_INS_BFXIL;
}

static void decode_one(const cs_insn *ci, uint32_t w, struct sim_tinsn *o)
{
    const cs_detail *d = ci->detail;
    const cs_arm64 *a = &d->arm64;
    unsigned id = ci->id;
    int sc = sys_class(w);
    int load = 0, store = 0, pair = 0, regoff = 0;
    if (sc < 0) {
        const char *m = ci->mnemonic;
        int mem = 0;
        for (int i = 0; i < a->op_count; i++)
            if (a->operands[i].type == ARM64_OP_MEM) {
                mem = 1;
                if (a->operands[i].mem.index != ARM64_REG_INVALID)
                    regoff = 1;
            }
        if (mem && (m[0] == 'l' || m[0] == 'p')) /* ld*, prfm */
            load = 1;
        else if (mem && m[0] == 's')
            store = 1;
        pair = (load || store) && strchr(m, 'p') && m[0] != 'p';
        int grp_jump = 0, grp_ret = 0, grp_call = 0;
        for (int g = 0; g < d->groups_count; g++) {
            grp_jump |= d->groups[g] == ARM64_GRP_JUMP;
            grp_ret |= d->groups[g] == ARM64_GRP_RET;
            grp_call |= d->groups[g] == ARM64_GRP_CALL;
        }
        (void)grp_call;
        if (grp_ret || id == ARM64_INS_RET) {
            sc = SIM_TC_BRANCH;
            o->br = TBR_RET;
        } else if (grp_jump || id == ARM64_INS_B || id == ARM64_INS_BL || id == ARM64_INS_BR ||
                   id == ARM64_INS_BLR || id == ARM64_INS_CBZ || id == ARM64_INS_CBNZ ||
                   id == ARM64_INS_TBZ || id == ARM64_INS_TBNZ) {
            sc = SIM_TC_BRANCH;
            if (id == ARM64_INS_BL)
                o->br = TBR_CALL;
            else if (id == ARM64_INS_BR)
                o->br = TBR_INDIRECT;
            else if (id == ARM64_INS_BLR)
                o->br = TBR_INDIRECT_CALL;
            else if (id == ARM64_INS_B && (a->cc == ARM64_CC_INVALID || a->cc == ARM64_CC_AL))
                o->br = TBR_DIRECT;
            else
                o->br = TBR_COND;
            for (int i = 0; i < a->op_count; i++)
                if (a->operands[i].type == ARM64_OP_IMM)
                    o->boff = (int32_t)(a->operands[i].imm - (int64_t)ci->address);
        } else if (is_mul(id)) {
            sc = SIM_TC_MUL;
        } else if (id == ARM64_INS_SDIV || id == ARM64_INS_UDIV) {
            sc = SIM_TC_DIV;
        } else if (load) {
            sc = pair ? SIM_TC_LOAD_PAIR : regoff ? SIM_TC_LOAD_REGOFF : SIM_TC_LOAD;
        } else if (store) {
            sc = pair ? SIM_TC_STORE_PAIR : SIM_TC_STORE;
        } else {
            sc = SIM_TC_ALU;
        }
    }
    o->cls = (uint8_t)sc;

    /* operands */
    int compare = id == ARM64_INS_CMP || id == ARM64_INS_CMN || id == ARM64_INS_TST;
    int ndst = 0;
    for (int i = 0; i < a->op_count; i++) {
        const cs_arm64_op *op = &a->operands[i];
        if (op->type == ARM64_OP_MEM) {
            o->rd[SIM_TR_ADDR] |= bit(op->mem.base) | bit(op->mem.index);
            if (a->writeback)
                o->wrb |= bit(op->mem.base);
            continue;
        }
        if (op->type != ARM64_OP_REG)
            continue;
        uint64_t b = bit(op->reg);
        int rd = (op->access & CS_AC_READ) != 0, wr = (op->access & CS_AC_WRITE) != 0;
        if (sc == SIM_TC_MSR_MPU || sc == SIM_TC_MSR_SYSREG || sc == SIM_TC_SYS_MAINT) {
            rd = 1; /* MSR Xt, DC op, Xt: Xt is read */
            wr = 0;
        } else if (sc == SIM_TC_MRS_MPU || sc == SIM_TC_MRS_SYSREG) {
            rd = 0;
            wr = 1;
        } else if (compare) {
            rd = 1;
            wr = 0;
        } else if (store) {
            /* capstone: a store-exclusive's status register is written, the data read */
            if (i == 0 && (id == ARM64_INS_STXR || id == ARM64_INS_STLXR ||
                           id == ARM64_INS_STXP || id == ARM64_INS_STLXP)) {
                rd = 0;
                wr = 1;
            } else {
                rd = 1;
                wr = 0;
            }
        } else if (i == 0 && rd && wr && !reads_destination(id)) {
            rd = 0;
        }
        if (wr) {
            if (load && pair && ndst == 1)
                o->wr2 |= b;
            else
                o->wr |= b;
            ndst++;
        }
        if (!rd)
            continue;
        enum sim_tread k = SIM_TR_ALU;
        if (store || sc == SIM_TC_BRANCH)
            k = SIM_TR_OTHER; /* store data and branch operands: no forwarding advance */
        else if (sc == SIM_TC_MUL)
            k = (i == 3) ? SIM_TR_ACC : SIM_TR_MAC;
        else if (op->shift.type != ARM64_SFT_INVALID || op->ext != ARM64_EXT_INVALID)
            k = SIM_TR_SHIFT;
        o->rd[k] |= b;
    }
    for (int i = 0; i < d->regs_read_count; i++) {
        uint64_t b = bit(d->regs_read[i]);
        o->rd[SIM_TR_OTHER] |= b; /* flags (B.cond, CSEL, ADC), implicit operands */
    }
    for (int i = 0; i < d->regs_write_count; i++)
        o->wr |= bit(d->regs_write[i]);
    if (o->br == TBR_RET && !(o->rd[SIM_TR_OTHER] & ~(1ull << SIM_TREG_NZCV)))
        o->rd[SIM_TR_OTHER] |= 1ull << 30; /* RET reads X30 */
    if (o->br == TBR_CALL || o->br == TBR_INDIRECT_CALL)
        o->wr |= 1ull << 30;
    o->wrb &= ~(o->wr | o->wr2); /* e.g. ldr x0, [x0], #8 is UNPREDICTABLE: keep the load */
}

int sim_tdecode_open(csh *cs, struct mpusim_error *err)
{
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, cs) != CS_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "capstone: cannot open AArch64");
    if (cs_option(*cs, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK) {
        cs_close(cs);
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "capstone: no instruction details");
    }
    return 0;
}

int sim_tdecode(csh cs, const uint32_t *words, size_t n, uint64_t pc, struct sim_tinsn *out,
                struct mpusim_error *err)
{
    cs_insn *ci = cs_malloc(cs);
    if (!ci)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "capstone: out of memory");
    for (size_t i = 0; i < n; i++) {
        struct sim_tinsn *o = &out[i];
        memset(o, 0, sizeof *o);
        const uint8_t *code = (const uint8_t *)&words[i];
        size_t size = 4;
        uint64_t addr = pc + 4 * i;
        if (cs_disasm_iter(cs, &code, &size, &addr, ci))
            decode_one(ci, words[i], o);
        else {
            int sc = sys_class(words[i]);
            o->cls = (uint8_t)(sc < 0 ? SIM_TC_ALU : sc);
        }
    }
    cs_free(ci, 1);
    return 0;
}

/* ---- the scoreboard ---- */

void sim_tmodel_init(struct sim_tmodel *m, const struct sim_core *core)
{
    memset(m, 0, sizeof *m);
    m->core = *core;
    memset(m->pred, 1, sizeof m->pred); /* weakly not-taken */
}

void sim_tmodel_reset(struct sim_tmodel *m)
{
    memset(m->sb, 0, sizeof m->sb);
}

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static void set_ready(struct sim_sb *s, uint64_t mask, uint64_t t,
                      const struct sim_tclass_cost *c, int k, int second)
{
    while (mask) {
        int b = __builtin_ctzll(mask);
        mask &= mask - 1;
        for (int r = 0; r < SIM_TR_OTHER; r++)
            s->ready[b][r] = t + (second ? c->lat_second.v[k] : c->lat_to[r].v[k]);
        s->ready[b][SIM_TR_OTHER] = t + (second ? c->lat_second.v[k] : c->lat.v[k]);
    }
}

static void sb_issue(struct sim_sb *s, const struct sim_core *core, int k,
                     const struct sim_tinsn *in)
{
    const struct sim_tclass_cost *c = &core->cls[in->cls];
    int alone = c->serialize || c->drain_stores;
    enum sim_tunit u = c->unit;
    uint64_t lat = c->lat.v[k];
    uint64_t t = s->cycle;
    if (s->any && (s->slots >= core->issue_width || s->closed || (alone && s->slots > 0)))
        t = s->cycle + 1;
    t = max64(t, s->front);
    for (int r = 0; r < SIM_TR_COUNT; r++) {
        uint64_t mask = in->rd[r];
        while (mask) {
            int b = __builtin_ctzll(mask);
            mask &= mask - 1;
            t = max64(t, s->ready[b][r]);
        }
    }
    if (c->serialize)
        t = max64(t, s->all_done);
    if (c->drain_stores)
        t = max64(t, s->store_done);
    t = max64(t, s->unit_free[u]);
    if (core->in_order_writeback && !c->retire_ooo && s->last_wb > lat)
        t = max64(t, s->last_wb - lat);
    if (s->any && t == s->cycle && s->used[u] >= core->units[u])
        t++;
    if (t != s->cycle || !s->any) {
        s->cycle = t;
        s->slots = 0;
        s->closed = 0;
        memset(s->used, 0, sizeof s->used);
    }
    s->any = 1;
    s->slots++;
    s->used[u]++;
    if (c->occupancy.v[k] > 1)
        s->unit_free[u] = t + c->occupancy.v[k];
    set_ready(s, in->wr, t, c, k, 0);
    set_ready(s, in->wr2, t, c, k, 1);
    uint64_t done = t + (in->wr2 ? max64(lat, c->lat_second.v[k]) : lat);
    if (in->wrb) {
        const struct sim_tclass_cost *wb = &core->cls[SIM_TC_WRITEBACK];
        set_ready(s, in->wrb, t, wb, k, 0);
        done = max64(done, t + wb->lat.v[k]);
    }
    s->all_done = max64(s->all_done, done);
    if (!c->retire_ooo)
        s->last_wb = max64(s->last_wb, done);
    if (in->cls == SIM_TC_STORE || in->cls == SIM_TC_STORE_PAIR)
        s->store_done = max64(s->store_done, t + lat) + core->store_drain.v[k];
    if (alone) {
        s->front = max64(s->front, t + c->cost.v[k]);
        s->closed = 1;
    }
    s->last_issue = t;
}

void sim_tmodel_issue(struct sim_tmodel *m, const struct sim_tinsn *in)
{
    for (int k = 0; k < SIM_TS_COUNT; k++)
        sb_issue(&m->sb[k], &m->core, k, in);
}

void sim_tmodel_issue_set(struct sim_tmodel *m, int k, const struct sim_tinsn *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_issue(&m->sb[k], &m->core, k, &in[i]);
}

void sim_tmodel_push_return(struct sim_tmodel *m, uint64_t addr)
{
    unsigned d = m->core.ras_depth;
    m->ras_top = (m->ras_top + 1) % d;
    m->ras[m->ras_top] = addr;
    if (m->ras_n < d)
        m->ras_n++;
}

static uint64_t pop_return(struct sim_tmodel *m)
{
    if (!m->ras_n)
        return 0;
    uint64_t a = m->ras[m->ras_top];
    m->ras_top = (m->ras_top + m->core.ras_depth - 1) % m->core.ras_depth;
    m->ras_n--;
    return a;
}

int sim_tmodel_predict(struct sim_tmodel *m, const struct sim_tinsn *in, uint64_t pc,
                       uint64_t target)
{
    const struct sim_core *c = &m->core;
    int taken = target != pc + 4, ok = 1, ret = 0;
    switch (in->br) {
    case TBR_COND: {
        int guess;
        if (c->predictor == SIM_PRED_BTFN) {
            guess = in->boff < 0;
        } else {
            uint8_t *ctr = &m->pred[(pc >> 2) & (c->pred_entries - 1)];
            guess = *ctr >= 2;
            if (taken && *ctr < 3)
                (*ctr)++;
            else if (!taken && *ctr > 0)
                (*ctr)--;
        }
        ok = guess == taken;
        break;
    }
    case TBR_DIRECT:
        break;
    case TBR_CALL:
        sim_tmodel_push_return(m, pc + 4);
        break;
    case TBR_RET:
        ret = 1;
        ok = pop_return(m) == target;
        break;
    case TBR_INDIRECT:
    case TBR_INDIRECT_CALL: {
        uint64_t *e = &m->btb[(pc >> 2) & (c->btb_entries - 1)];
        ok = *e == target;
        *e = target;
        if (in->br == TBR_INDIRECT_CALL)
            sim_tmodel_push_return(m, pc + 4);
        break;
    }
    default:
        return SIM_TREDIR_NONE;
    }
    if (!ok)
        m->mispredicts++;
    return !ok ? (ret ? SIM_TREDIR_RET_MISPREDICT : SIM_TREDIR_MISPREDICT)
               : taken ? SIM_TREDIR_TAKEN : SIM_TREDIR_NONE;
}

void sim_tsb_redirect(struct sim_sb *s, const struct sim_core *c, int k, int redirect)
{
    uint64_t lost;
    switch (redirect) {
    case SIM_TREDIR_TAKEN: lost = c->taken_bubble.v[k]; break;
    case SIM_TREDIR_MISPREDICT: lost = c->mispredict.v[k]; break;
    case SIM_TREDIR_RET_MISPREDICT: lost = c->ret_mispredict.v[k]; break;
    default: return;
    }
    s->front = max64(s->front, s->last_issue + 1 + lost);
    s->closed = 1;
}

void sim_tmodel_branch(struct sim_tmodel *m, const struct sim_tinsn *in, uint64_t pc,
                       uint64_t target)
{
    int redirect = sim_tmodel_predict(m, in, pc, target);
    for (int k = 0; k < SIM_TS_COUNT; k++)
        sim_tsb_redirect(&m->sb[k], &m->core, k, redirect);
}

void sim_tmodel_cycles(const struct sim_tmodel *m, struct sim_cycles *out)
{
    uint64_t v[SIM_TS_COUNT];
    for (int k = 0; k < SIM_TS_COUNT; k++) {
        const struct sim_sb *s = &m->sb[k];
        v[k] = s->any ? max64(s->front, s->cycle + 1) : 0;
    }
    out->nominal = v[SIM_TS_NOMINAL];
    out->min = v[SIM_TS_MIN];
    out->max = v[SIM_TS_MAX];
}

int sim_timing_block(const struct sim_core *core, const uint32_t *insns, size_t n,
                     unsigned iters, double cpi[SIM_TS_COUNT], struct mpusim_error *err)
{
    if (n == 0 || iters < 3)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "a block needs instructions and 3 iterations");
    if (sim_core_check(core, err) != 0)
        return -1;
    csh cs;
    if (sim_tdecode_open(&cs, err) != 0)
        return -1;
    struct sim_tinsn *d = calloc(n, sizeof *d);
    struct sim_tmodel *m = malloc(sizeof *m);
    int rc = -1;
    if (!d || !m) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory for the timing model");
        goto out;
    }
    if (sim_tdecode(cs, insns, n, 0, d, err) != 0)
        goto out;
    sim_tmodel_init(m, core);
    sim_tmodel_reset(m);
    uint64_t first[SIM_TS_COUNT] = { 0 };
    for (unsigned it = 0; it < iters; it++)
        for (size_t i = 0; i < n; i++) {
            sim_tmodel_issue(m, &d[i]);
            if (i == 0 && (it == 1 || it == iters - 1))
                for (int k = 0; k < SIM_TS_COUNT; k++) {
                    if (it == 1)
                        first[k] = m->sb[k].last_issue;
                    else
                        cpi[k] = (double)(m->sb[k].last_issue - first[k]) / (iters - 2);
                }
        }
    rc = 0;
out:
    free(d);
    free(m);
    cs_close(&cs);
    return rc;
}
