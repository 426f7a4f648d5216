/*
 * Exceptions: entry to the guest's EL2 vectors, and what Unicorn reports to UC_HOOK_INTR.
 *
 * Unicorn 2.0.1 never takes an exception to the guest's vector table (unicorn-notes.md point
 * 2), and at EL1 it finds HVC undefined. sim takes exceptions itself, as the Arm ARM's
 * AArch64.TakeException does for a synchronous exception to the current EL (EL2):
 * ESR_EL2, FAR_EL2 (aborts), ELR_EL2 = the faulting instruction, SPSR_EL2 = PSTATE with the
 * mode as EL2h/EL2t, PC = VBAR_EL2 + 0x200 (current EL with SP_ELx) or + 0x000 (SP_EL0).
 * ELR_EL2 and SPSR_EL2 are mirrored into ELR_EL1 and SPSR_EL1 (mode EL1h/EL1t), so the
 * handler's eret, which Unicorn executes at EL1, returns where the guest expects.
 * Unlike the architecture, PSTATE.DAIF is not masked and SPSel is not set to 1 at entry
 * (Unicorn 2.0.1 does not rebuild its state on a PSTATE write, and no interrupts exist here).
 */
#include <string.h>

#include "sim/internal.h"

/* QEMU's exception numbers as Unicorn passes them to UC_HOOK_INTR (target/arm/cpu.h). The
 * others (EXCP_SWI 2, EXCP_HVC 11, EXCP_SMC 13) leave PC after the instruction. */
#define EXCP_UDEF 1
#define EXCP_BKPT 7

/* A64 encodings (Arm ARM C6): exception generation and system instructions. */
#define A64_EXC_MASK 0xFFE0001Fu
#define A64_SVC 0xD4000001u
#define A64_HVC 0xD4000002u
#define A64_SMC 0xD4000003u
#define A64_BRK 0xD4200000u
#define A64_SYSREG_MASK 0xFFF00000u
#define A64_MRS 0xD5300000u /* MRS Xt, (op0=2|3) */
#define A64_MSR 0xD5100000u /* MSR (register), (op0=2|3) */
#define A64_SYS_MASK 0xFFF80000u
#define A64_SYS 0xD5080000u
#define A64_SYSL 0xD5280000u

#define ESR_EC_LSB 26
#define ESR_IL (1ull << 25)
#define ESR_EC_UNKNOWN 0x00
#define VECTOR_SYNC_SPX 0x200
#define VECTOR_SYNC_SP0 0x000
#define PSTATE_SP_BIT 0x1ull /* M[0]: 1 = SP_ELx */
#define PSCI_NOT_SUPPORTED ((uint64_t)-1)

void sim_exception_enter(struct sim *s, uint64_t esr, uint64_t far, uint64_t elr)
{
    uint64_t pstate = 0;
    uc_reg_read(s->uc, UC_ARM64_REG_PSTATE, &pstate);
    int spx = (pstate & PSTATE_SP_BIT) != 0;
    s->el2[EL2_ESR] = esr;
    s->el2[EL2_FAR] = far;
    s->el2[EL2_ELR] = elr;
    s->el2[EL2_SPSR] = (pstate & ~0xFull) | (spx ? 0x9u : 0x8u); /* EL2h / EL2t */
    sim_el2_mirror(s);
    uint64_t vec = s->el2[EL2_VBAR] + (spx ? VECTOR_SYNC_SPX : VECTOR_SYNC_SP0);
    s->last_vector = vec;
    s->stats.faults_taken++;
    if (s->exec)
        sim_exec_exception(s, vec);
    sim_set_pc(s, vec);
}

static uint64_t xreg(struct sim *s, unsigned n)
{
    uint64_t v = 0;
    uc_reg_read(s->uc, UC_ARM64_REG_X0 + (int)n, &v);
    return v;
}

static void set_xreg(struct sim *s, unsigned n, uint64_t v)
{
    if (n < 31)
        uc_reg_write(s->uc, UC_ARM64_REG_X0 + (int)n, &v);
}

static void console(struct sim *s, const char *buf, size_t len)
{
    s->stats.console_bytes += len;
    if (s->opt.on_console)
        s->opt.on_console(s->opt.opaque, buf, len);
}

/* hvc #0 service call at pc (docs/guest.md). Returns 1 to go on after it, 0 if it stopped. */
static int service_call(struct sim *s, uint64_t pc)
{
    s->stats.hvc_calls++;
    uint64_t fn = xreg(s, 0);
    switch (fn) {
    case SIM_HVC_EXIT:
        s->stop.exit_code = (int64_t)xreg(s, 1);
        sim_stop_at(s, SIM_STOP_EXIT, pc, 1, NULL);
        return 0;
    case SIM_HVC_PUTC: {
        char c = (char)(xreg(s, 1) & 0xFF);
        console(s, &c, 1);
        break;
    }
    case SIM_HVC_WRITE: {
        uint64_t addr = xreg(s, 1), len = xreg(s, 2);
        char buf[256];
        while (len) {
            size_t n = len < sizeof buf ? (size_t)len : sizeof buf;
            if (uc_mem_read(s->uc, addr, buf, n) != UC_ERR_OK) {
                char what[96];
                snprintf(what, sizeof what, "console write from unmapped address 0x%llx",
                         (unsigned long long)addr);
                sim_stop_at(s, SIM_STOP_EXCEPTION, pc, 0, what);
                return 0;
            }
            console(s, buf, n);
            addr += n;
            len -= n;
        }
        break;
    }
    case SIM_HVC_LOG: {
        uint64_t arg[4] = { xreg(s, 2), xreg(s, 3), xreg(s, 4), xreg(s, 5) };
        if (s->opt.on_log)
            s->opt.on_log(s->opt.opaque, xreg(s, 1), arg);
        break;
    }
    case SIM_HVC_CPU:
        if (s->opt.on_cpu) {
            s->opt.on_cpu(s->opt.opaque, xreg(s, 1));
            sim_mpu_changed(s); /* another CPU's MPU: the cached verdicts are stale */
        }
        break;
    default: {
        char what[96];
        snprintf(what, sizeof what, "unknown service call hvc #0 with X0 = 0x%llx",
                 (unsigned long long)fn);
        sim_stop_at(s, SIM_STOP_EXCEPTION, pc, 0, what);
        return 0;
    }
    }
    set_xreg(s, 0, 0);
    return 1;
}

/* An undefined instruction: to the guest's vectors (EC 0x00) when it has some, else stop. */
static void undefined(struct sim *s, uint64_t pc, uint32_t insn)
{
    if (s->opt.deliver_faults && s->vectors && pc != s->last_vector) {
        sim_redirect(s, pc, 0, pc); /* end the block here, then enter */
        sim_exception_enter(s, ((uint64_t)ESR_EC_UNKNOWN << ESR_EC_LSB) | ESR_IL, 0, pc);
        return;
    }
    char what[96];
    snprintf(what, sizeof what, "undefined instruction 0x%08x", insn);
    sim_stop_at(s, SIM_STOP_EXCEPTION, pc, 0, what);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
    struct sim *s = opaque;
    uint64_t now = sim_pc(s);
    /* UDEF and BKPT leave PC at the instruction; SVC, HVC and SMC after it. */
    uint64_t pc = (intno == EXCP_UDEF || intno == EXCP_BKPT) ? now : now - SIM_INSN_SIZE;
    uint32_t insn = 0;
    if (uc_mem_read(uc, pc, &insn, sizeof insn) != UC_ERR_OK) {
        sim_stop_at(s, SIM_STOP_EXCEPTION, pc, 0, "exception at an unreadable address");
        return;
    }
    char what[96];
    if ((insn & A64_EXC_MASK) == A64_HVC) {
        unsigned imm = (insn >> 5) & 0xFFFFu;
        if (imm == 0) {
            if (service_call(s, pc))
                sim_redirect(s, pc, 1, pc + SIM_INSN_SIZE);
            return;
        }
        snprintf(what, sizeof what, "hvc #0x%x (only hvc #0 is a service call)", imm);
        sim_stop_at(s, SIM_STOP_EXCEPTION, pc, 0, what);
    } else if ((insn & A64_EXC_MASK) == A64_SMC) {
        if (s->board && sim_board_smc(s, pc)) /* the platform's PSCI firmware */
            return;
        s->stats.hvc_calls++; /* firmware calls (PSCI): not supported */
        set_xreg(s, 0, PSCI_NOT_SUPPORTED);
        sim_redirect(s, pc, 1, pc + SIM_INSN_SIZE);
    } else if ((insn & A64_SYSREG_MASK) == A64_MRS) {
        sim_unknown(s, (insn >> 5) & 0xFFFFu, 0); /* Unicorn has no such register either */
        set_xreg(s, insn & 31u, 0);
        s->stats.sysreg_reads++;
        sim_redirect(s, pc, 1, pc + SIM_INSN_SIZE);
    } else if ((insn & A64_SYSREG_MASK) == A64_MSR) {
        sim_unknown(s, (insn >> 5) & 0xFFFFu, 1);
        s->stats.sysreg_writes++;
        sim_redirect(s, pc, 1, pc + SIM_INSN_SIZE);
    } else if ((insn & A64_SYS_MASK) == A64_SYS || (insn & A64_SYS_MASK) == A64_SYSL) {
        sim_unknown(s, (insn >> 5) & 0xFFFFu, 1);
        if ((insn & A64_SYS_MASK) == A64_SYSL)
            set_xreg(s, insn & 31u, 0);
        sim_redirect(s, pc, 1, pc + SIM_INSN_SIZE);
    } else if ((insn & A64_EXC_MASK) == A64_BRK) {
        snprintf(what, sizeof what, "brk #0x%x", (insn >> 5) & 0xFFFFu);
        sim_stop_at(s, SIM_STOP_EXCEPTION, pc, 0, what);
    } else if ((insn & A64_EXC_MASK) == A64_SVC) {
        snprintf(what, sizeof what, "svc #0x%x (not supported)", (insn >> 5) & 0xFFFFu);
        sim_stop_at(s, SIM_STOP_EXCEPTION, pc, 0, what);
    } else if (intno == EXCP_UDEF) {
        undefined(s, pc, insn);
    } else {
        snprintf(what, sizeof what, "exception %u from Unicorn", intno);
        sim_stop_at(s, SIM_STOP_EXCEPTION, pc, 0, what);
    }
}

int sim_exception_install(struct sim *s, struct mpusim_error *err)
{
    uc_hook h;
    uc_err e = uc_hook_add(s->uc, &h, UC_HOOK_INTR, (void *)on_intr, s, 1, 0);
    if (e != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "installing the exception hook: %s",
                                uc_strerror(e));
    return 0;
}
