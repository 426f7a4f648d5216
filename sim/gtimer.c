/*
 * The generic timer (Arm DDI 0487, chapter D12: "The Generic Timer in AArch64 state") as the
 * PE's system registers see it, on modelled time: the system counter advances with the
 * instructions executed, at the platform's core clock (one instruction per cycle), so
 * CNTPCT_EL0 = instructions x CNTFRQ / core clock. Runs are deterministic, and a delay loop
 * that polls the counter ends after as many instructions as its delay is worth.
 *
 * Registers (op0, op1, CRn, CRm, op2):
 *   CNTFRQ_EL0      3 3 14 0 0   the platform's frequency; writes ignored (firmware's job)
 *   CNTPCT_EL0      3 3 14 0 1   the count (also CNTPCTSS_EL0, 3 3 14 0 5)
 *   CNTVCT_EL0      3 3 14 0 2   count - CNTVOFF_EL2 (also CNTVCTSS_EL0, 3 3 14 0 6)
 *   CNTKCTL_EL1     3 0 14 1 0   storage
 *   CNTP_{TVAL,CTL,CVAL}_EL0   3 3 14 2 {0,1,2}   EL1 physical timer
 *   CNTV_{TVAL,CTL,CVAL}_EL0   3 3 14 3 {0,1,2}   EL1 virtual timer
 *   CNTHP_{TVAL,CTL,CVAL}_EL2  3 4 14 2 {0,1,2}   EL2 physical timer
 *   CNTHV_{TVAL,CTL,CVAL}_EL2  3 4 14 3 {0,1,2}   EL2 virtual timer
 *   CNTHVS_/CNTHPS_{TVAL,CTL,CVAL}_EL2  3 4 14 4/5 {0,1,2}   secure EL2 virtual / physical
 *                              timers (an Armv8-R EL2 is Secure)
 * CTL: ENABLE (bit 0) and IMASK (bit 1) are storage; ISTATUS (bit 2) reads 1 when enabled and
 * the count has reached CVAL. TVAL reads CVAL - count (32 bits, signed) and a write sets
 * CVAL = count + sign-extended TVAL. No interrupt is delivered (docs/platforms.md).
 * CNTHCTL_EL2 and CNTVOFF_EL2 are EL2 state of sim/el2.c.
 */
#include <string.h>

#include "mpu_model/mpu.h"
#include "sim/devices.h"

#define CNTFRQ_EL0 MPU_ENC(3, 3, 14, 0, 0)
#define CNTPCT_EL0 MPU_ENC(3, 3, 14, 0, 1)
#define CNTVCT_EL0 MPU_ENC(3, 3, 14, 0, 2)
#define CNTPCTSS_EL0 MPU_ENC(3, 3, 14, 0, 5)
#define CNTVCTSS_EL0 MPU_ENC(3, 3, 14, 0, 6)
#define CNTKCTL_EL1 MPU_ENC(3, 0, 14, 1, 0)

#define CTL_ENABLE 1ull
#define CTL_IMASK 2ull
#define CTL_ISTATUS 4ull

enum { T_EL1_PHYS, T_EL1_VIRT, T_EL2_PHYS, T_EL2_VIRT, T_EL2_SVIRT, T_EL2_SPHYS };

void sim_gtimer_init(struct sim_gtimer *t, uint64_t frq, uint64_t cpu_hz)
{
    memset(t, 0, sizeof *t);
    t->frq = frq;
    t->cpu_hz = cpu_hz;
}

uint64_t sim_gtimer_count(const struct sim_gtimer *t, uint64_t insns)
{
    return (uint64_t)((unsigned __int128)insns * t->frq / t->cpu_hz);
}

/* Which timer and which of its registers (0 TVAL, 1 CTL, 2 CVAL); -1 when not a timer. */
static int timer_of(unsigned enc, unsigned *reg)
{
    unsigned op2 = enc & 7u, crm = (enc >> 3) & 15u, crn = (enc >> 7) & 15u;
    unsigned op1 = (enc >> 11) & 7u, op0 = enc >> 14;
    if (op0 != 3 || crn != 14 || op2 > 2 || crm < 2 || crm > 5)
        return -1;
    *reg = op2;
    if (op1 == 3 && crm <= 3)
        return crm == 2 ? T_EL1_PHYS : T_EL1_VIRT;
    if (op1 == 4) /* CNTHP (CRm 2), CNTHV (3), CNTHVS (4), CNTHPS (5) */
        return crm == 2 ? T_EL2_PHYS : crm == 3 ? T_EL2_VIRT : crm == 4 ? T_EL2_SVIRT : T_EL2_SPHYS;
    return -1;
}

int sim_gtimer_sysreg_read(struct sim_gtimer *t, unsigned enc, uint64_t insns, uint64_t cntvoff,
                           uint64_t *v)
{
    uint64_t pct = sim_gtimer_count(t, insns);
    unsigned reg;
    int n;
    switch (enc) {
    case CNTFRQ_EL0:
        *v = t->frq;
        return 1;
    case CNTPCT_EL0:
    case CNTPCTSS_EL0:
        *v = pct;
        return 1;
    case CNTVCT_EL0:
    case CNTVCTSS_EL0:
        *v = pct - cntvoff;
        return 1;
    case CNTKCTL_EL1:
        *v = t->kctl;
        return 1;
    default:
        break;
    }
    if ((n = timer_of(enc, &reg)) < 0)
        return 0;
    uint64_t now = (n == T_EL1_VIRT || n == T_EL2_VIRT || n == T_EL2_SVIRT) ? pct - cntvoff : pct;
    switch (reg) {
    case 0: /* TVAL: CVAL - count, low 32 bits */
        *v = (uint32_t)(t->t[n].cval - now);
        break;
    case 1:
        *v = t->t[n].ctl & (CTL_ENABLE | CTL_IMASK);
        if ((t->t[n].ctl & CTL_ENABLE) && now >= t->t[n].cval)
            *v |= CTL_ISTATUS;
        break;
    default:
        *v = t->t[n].cval;
        break;
    }
    return 1;
}

int sim_gtimer_sysreg_write(struct sim_gtimer *t, unsigned enc, uint64_t insns, uint64_t cntvoff,
                            uint64_t v)
{
    unsigned reg;
    int n;
    switch (enc) {
    case CNTFRQ_EL0: /* writable only at the highest EL: the platform's value stays */
    case CNTPCT_EL0:
    case CNTVCT_EL0:
    case CNTPCTSS_EL0:
    case CNTVCTSS_EL0:
        return 1;
    case CNTKCTL_EL1:
        t->kctl = v;
        return 1;
    default:
        break;
    }
    if ((n = timer_of(enc, &reg)) < 0)
        return 0;
    uint64_t pct = sim_gtimer_count(t, insns);
    uint64_t now = (n == T_EL1_VIRT || n == T_EL2_VIRT || n == T_EL2_SVIRT) ? pct - cntvoff : pct;
    if (reg == 0)
        t->t[n].cval = now + (uint64_t)(int64_t)(int32_t)(uint32_t)v;
    else if (reg == 1)
        t->t[n].ctl = v & (CTL_ENABLE | CTL_IMASK);
    else
        t->t[n].cval = v;
    return 1;
}
