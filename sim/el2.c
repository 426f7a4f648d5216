/*
 * EL2 virtualised on EL1 (docs/unicorn.md, points 1-4).
 *
 * Unicorn 2.0.1 runs the guest at EL1. Every MRS, MSR and SYS instruction reaches our hooks
 * before Unicorn looks the register up; we answer:
 *   - CurrentEL: 8 (EL2);
 *   - the registers the MPU model has (MPU registers of EL1 and EL2, SCTLR_ELx, MAIR_ELx,
 *     HCR_EL2): mpu_read / mpu_write;
 *   - ID_AA64MMFR0_EL1: Unicorn's value with MSA = 0xF and MSA_frac = 0x2 (PMSAv8-64 at EL2,
 *     PMSA or VMSA at EL1&0: an Armv8-R AArch64 PE);
 *   - other *_EL2 registers in table el2_regs: kept in struct sim (ELR_EL2 and SPSR_EL2 are
 *     mirrored into ELR_EL1 and SPSR_EL1, the registers the guest's eret really uses at EL1);
 *   - any other register of EL2 or EL3 (op1 = 4 or 6): reads 0, writes ignored, counted;
 *   - SYS: cache (DC, IC) and TLB maintenance and address translation are no-ops, except
 *     DC ZVA (it writes memory), which Unicorn executes;
 *   - everything else (EL0/EL1 registers: NZCV, DAIF, TPIDR_EL0, CNTVCT_EL0, ID registers)
 *     is left to Unicorn; if Unicorn then finds it undefined, sim/exception.c treats it as an
 *     unmodelled register too.
 *
 * PC-advance rule: a hook that returns 1 skips the instruction, but for a register Unicorn
 * does not implement at EL1 the skipped instruction would be executed again forever. We
 * therefore always write PC = address + 4 ourselves (sim_advance): for a register Unicorn
 * implements the block simply goes on, for the others it ends and the next one starts at
 * address + 4; either way exactly one instruction is skipped and counted.
 */
#include <string.h>

#include "sim/internal.h"

/* Encodings, MPU_ENC(op0, op1, CRn, CRm, op2). */
#define ENC_CURRENTEL MPU_ENC(3, 0, 4, 2, 2)
#define ENC_ID_AA64MMFR0_EL1 MPU_ENC(3, 0, 0, 7, 0)
#define ENC_SPSR_EL2 MPU_ENC(3, 4, 4, 0, 0)
#define ENC_ELR_EL2 MPU_ENC(3, 4, 4, 0, 1)
#define ENC_VBAR_EL2 MPU_ENC(3, 4, 12, 0, 0)
#define ENC_SPSR_EL1 MPU_ENC(3, 0, 4, 0, 0)

#define MMFR0_MSA_LSB 48      /* MSA [51:48]: 0xF = PMSAv8-64, see MSA_frac */
#define MMFR0_MSA_FRAC_LSB 52 /* MSA_frac [55:52]: 0x2 = PMSA at EL2, PMSA or VMSA at EL1&0 */

#define OP1_EL2 4
#define OP1_EL3 6

/* EL2 registers kept in sim's state, in enum sim_el2_reg order. */
static const struct {
    unsigned enc;
    const char *name;
} el2_regs[EL2_REG_COUNT] = {
    [EL2_VBAR] = { MPU_ENC(3, 4, 12, 0, 0), "VBAR_EL2" },
    [EL2_ESR] = { MPU_ENC(3, 4, 5, 2, 0), "ESR_EL2" },
    [EL2_FAR] = { MPU_ENC(3, 4, 6, 0, 0), "FAR_EL2" },
    [EL2_ELR] = { MPU_ENC(3, 4, 4, 0, 1), "ELR_EL2" },
    [EL2_SPSR] = { MPU_ENC(3, 4, 4, 0, 0), "SPSR_EL2" },
    [EL2_TCR] = { MPU_ENC(3, 4, 2, 0, 2), "TCR_EL2" },
    /* Armv8-R: VSCTLR_EL2 takes the encoding of Armv8-A's TTBR0_EL2 */
    [EL2_VSCTLR] = { MPU_ENC(3, 4, 2, 0, 0), "VSCTLR_EL2" },
    [EL2_VTCR] = { MPU_ENC(3, 4, 2, 1, 2), "VTCR_EL2" },
    [EL2_VTTBR] = { MPU_ENC(3, 4, 2, 1, 0), "VTTBR_EL2" },
    [EL2_VSTCR] = { MPU_ENC(3, 4, 2, 6, 2), "VSTCR_EL2" },
    [EL2_TPIDR] = { MPU_ENC(3, 4, 13, 0, 2), "TPIDR_EL2" },
    [EL2_CPTR] = { MPU_ENC(3, 4, 1, 1, 2), "CPTR_EL2" },
    [EL2_MDCR] = { MPU_ENC(3, 4, 1, 1, 1), "MDCR_EL2" },
    [EL2_HSTR] = { MPU_ENC(3, 4, 1, 1, 3), "HSTR_EL2" },
    [EL2_ACTLR] = { MPU_ENC(3, 4, 1, 0, 1), "ACTLR_EL2" },
    [EL2_AFSR0] = { MPU_ENC(3, 4, 5, 1, 0), "AFSR0_EL2" },
    [EL2_AFSR1] = { MPU_ENC(3, 4, 5, 1, 1), "AFSR1_EL2" },
    [EL2_AMAIR] = { MPU_ENC(3, 4, 10, 3, 0), "AMAIR_EL2" },
    [EL2_HPFAR] = { MPU_ENC(3, 4, 6, 0, 4), "HPFAR_EL2" },
    [EL2_VPIDR] = { MPU_ENC(3, 4, 0, 0, 0), "VPIDR_EL2" },
    [EL2_VMPIDR] = { MPU_ENC(3, 4, 0, 0, 5), "VMPIDR_EL2" },
    [EL2_SP_EL1] = { MPU_ENC(3, 4, 4, 1, 0), "SP_EL1" },
    [EL2_CNTHCTL] = { MPU_ENC(3, 4, 14, 1, 0), "CNTHCTL_EL2" },
    [EL2_CNTVOFF] = { MPU_ENC(3, 4, 14, 0, 3), "CNTVOFF_EL2" },
    [EL2_CONTEXTIDR] = { MPU_ENC(3, 4, 13, 0, 1), "CONTEXTIDR_EL2" },
    [EL2_HACR] = { MPU_ENC(3, 4, 1, 1, 7), "HACR_EL2" },
};

const char *sim_el2_name(enum sim_el2_reg r)
{
    return (unsigned)r < EL2_REG_COUNT ? el2_regs[r].name : NULL;
}

unsigned sim_el2_encoding(enum sim_el2_reg r)
{
    return (unsigned)r < EL2_REG_COUNT ? el2_regs[r].enc : 0;
}

static int el2_find(unsigned enc)
{
    for (int i = 0; i < EL2_REG_COUNT; i++)
        if (el2_regs[i].enc == enc)
            return i;
    return -1;
}

static unsigned enc_op0(unsigned enc) { return (enc >> 14) & 3u; }
static unsigned enc_op1(unsigned enc) { return (enc >> 11) & 7u; }
static unsigned enc_crn(unsigned enc) { return (enc >> 7) & 15u; }
static unsigned enc_crm(unsigned enc) { return (enc >> 3) & 15u; }
static unsigned enc_op2(unsigned enc) { return enc & 7u; }

/* Count an access to a register nobody models; remember the first SIM_MAX_UNKNOWN. */
void sim_unknown(struct sim *s, unsigned enc, int is_write)
{
    struct sim_stats *st = &s->stats;
    if (is_write)
        st->unknown_writes++;
    else
        st->unknown_reads++;
    for (unsigned i = 0; i < st->nunknown; i++)
        if (st->unknown[i].enc == enc) {
            if (is_write)
                st->unknown[i].writes++;
            else
                st->unknown[i].reads++;
            return;
        }
    if (st->nunknown < SIM_MAX_UNKNOWN) {
        struct sim_unknown_reg *u = &st->unknown[st->nunknown++];
        u->enc = enc;
        u->reads = !is_write;
        u->writes = !!is_write;
    }
}

void sim_mpu_changed(struct sim *s)
{
    uint64_t sctlr = mpu_unit_of(&s->mpu, 2)->sctlr;
    s->checking = (int)((sctlr >> SCTLR_M_BIT) & 1u);
    for (int a = 0; a < 3; a++) { /* forget every cached verdict */
        s->ok_lo[a] = 1;
        s->ok_hi[a] = 0;
    }
}

/* SPSR mode field M[3:0]: EL2h/EL2t as the guest sees them, EL1h/EL1t as Unicorn runs. */
#define SPSR_M_MASK 0xFull
#define SPSR_M_EL2T 0x8ull
#define SPSR_M_EL2H 0x9ull
#define SPSR_M_EL1T 0x4ull
#define SPSR_M_EL1H 0x5ull

void sim_el2_mirror(struct sim *s)
{
    uint64_t spsr = s->el2[EL2_SPSR];
    uint64_t m = spsr & SPSR_M_MASK;
    if (m == SPSR_M_EL2H)
        m = SPSR_M_EL1H;
    else if (m == SPSR_M_EL2T)
        m = SPSR_M_EL1T;
    uc_arm64_cp_reg cp = { .op0 = 3, .op1 = 0, .crn = 4, .crm = 0, .op2 = 0,
                           .val = (spsr & ~SPSR_M_MASK) | m }; /* SPSR_EL1 */
    uc_reg_write(s->uc, UC_ARM64_REG_CP_REG, &cp);
    uc_reg_write(s->uc, UC_ARM64_REG_ELR_EL1, &s->el2[EL2_ELR]);
}

/* MRS: 1 and *v when sim answers, 0 to leave the instruction to Unicorn. */
static int answer_read(struct sim *s, unsigned enc, uint64_t *v)
{
    int id, i;
    if (enc == ENC_CURRENTEL) {
        *v = 2u << 2; /* EL [3:2] = 2 */
    } else if (s->board && sim_board_sysreg_read(s, enc, v)) {
        /* a device of the platform: GIC CPU interface, generic timer, ID_AA64PFR0_EL1 */
    } else if ((id = mpu_reg_from_encoding(enc)) >= 0) {
        *v = mpu_read(&s->mpu, id);
    } else if ((i = el2_find(enc)) >= 0) {
        *v = s->el2[i];
    } else if (enc == ENC_ID_AA64MMFR0_EL1) {
        *v = s->mmfr0;
    } else if (enc_op1(enc) == OP1_EL2 || enc_op1(enc) == OP1_EL3) {
        sim_unknown(s, enc, 0);
        *v = 0;
    } else {
        return 0;
    }
    return 1;
}

/* MSR: 1 when sim took the write, 0 to leave it to Unicorn. */
static int answer_write(struct sim *s, unsigned enc, uint64_t v)
{
    int id, i;
    if ((id = mpu_reg_from_encoding(enc)) >= 0) {
        mpu_write(&s->mpu, id, v);
        sim_mpu_changed(s);
    } else if (s->board && sim_board_sysreg_write(s, enc, v)) {
        /* a device of the platform */
    } else if ((i = el2_find(enc)) >= 0) {
        s->el2[i] = v;
        if (i == EL2_VBAR)
            s->vectors = 1;
        if (i == EL2_ELR || i == EL2_SPSR)
            sim_el2_mirror(s);
    } else if (enc == ENC_CURRENTEL || enc == ENC_ID_AA64MMFR0_EL1 ||
               enc_op1(enc) == OP1_EL2 || enc_op1(enc) == OP1_EL3) {
        sim_unknown(s, enc, 1); /* read-only, or nobody models it */
    } else {
        return 0;
    }
    return 1;
}

static unsigned cp_enc(const uc_arm64_cp_reg *cp)
{
    return MPU_ENC(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
}

static uint32_t on_mrs(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *opaque)
{
    struct sim *s = opaque;
    uint64_t v;
    if (!answer_read(s, cp_enc(cp), &v))
        return 0;
    s->stats.sysreg_reads++;
    uc_reg_write(uc, reg, &v);
    sim_advance(s, sim_pc(s));
    return 1;
}

static uint32_t on_msr(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *opaque)
{
    (void)uc;
    (void)reg;
    struct sim *s = opaque;
    if (!answer_write(s, cp_enc(cp), cp->val))
        return 0;
    s->stats.sysreg_writes++;
    if (s->exec)
        sim_exec_sysreg(s, cp_enc(cp), cp->val);
    sim_advance(s, sim_pc(s));
    return 1;
}

/* SYS (op0 = 1): DC, IC, TLBI, AT and the rest of the space are no-ops but DC ZVA. */
static int answer_sys(struct sim *s, unsigned enc)
{
    unsigned crn = enc_crn(enc);
    if (enc_op1(enc) == 3 && crn == 7 && enc_crm(enc) == 4 && enc_op2(enc) == 1)
        return 0; /* DC ZVA: zeroes a block of memory; Unicorn does it */
    if (crn == 8)
        s->stats.tlb_ops++; /* TLBI: there is no TLB in a PMSA EL2 */
    else if (crn == 7)
        s->stats.cache_ops++; /* DC, IC (and AT): caches are not modelled */
    else
        sim_unknown(s, enc, 1);
    return 1;
}

static uint32_t on_sys(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp, void *opaque)
{
    (void)uc;
    (void)reg;
    struct sim *s = opaque;
    unsigned enc = cp_enc(cp);
    if (enc_op0(enc) != 1 || !answer_sys(s, enc))
        return 0;
    sim_advance(s, sim_pc(s));
    return 1;
}

static uint32_t on_sysl(uc_engine *uc, uc_arm64_reg reg, const uc_arm64_cp_reg *cp,
                        void *opaque)
{
    struct sim *s = opaque;
    uint64_t zero = 0;
    sim_unknown(s, cp_enc(cp), 0);
    uc_reg_write(uc, reg, &zero);
    sim_advance(s, sim_pc(s));
    return 1;
}

int sim_el2_install(struct sim *s, struct mpusim_error *err)
{
    static const struct {
        int insn;
        void *fn;
    } hooks[] = {
        { UC_ARM64_INS_MRS, (void *)on_mrs },
        { UC_ARM64_INS_MSR, (void *)on_msr },
        { UC_ARM64_INS_SYS, (void *)on_sys },
        { UC_ARM64_INS_SYSL, (void *)on_sysl },
    };
    uc_arm64_cp_reg cp = { .op0 = 3, .op1 = 0, .crn = 0, .crm = 7, .op2 = 0, .val = 0 };
    uc_err e = uc_reg_read(s->uc, UC_ARM64_REG_CP_REG, &cp);
    if (e != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "reading ID_AA64MMFR0_EL1: %s",
                                uc_strerror(e));
    s->mmfr0 = (cp.val & ~(0xFFull << MMFR0_MSA_LSB)) | (0xFull << MMFR0_MSA_LSB) |
               (0x2ull << MMFR0_MSA_FRAC_LSB);
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++) {
        uc_hook h;
        e = uc_hook_add(s->uc, &h, UC_HOOK_INSN, hooks[i].fn, s, 1, 0, hooks[i].insn);
        if (e != UC_ERR_OK)
            return mpusim_error_set(err, MPUSIM_E_ENGINE, "installing the system register hooks: %s",
                                    uc_strerror(e));
    }
    sim_mpu_changed(s);
    return 0;
}
