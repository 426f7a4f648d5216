/* The device models of a platform: GICv3, generic timer, PSCI (sim/gicv3.c, gtimer.c,
 * psci.c), from their register maps. */
#include <criterion/criterion.h>

#include "mpu_model/mpu.h"
#include "sim/devices.h"

#define PIDR2 0xFFE8
#define GICR_WAKER 0x14
#define GICR_TYPER 0x8

Test(gicv3, distributor_identifies_as_gicv3_with_its_lines)
{
    struct sim_gicv3 g;
    sim_gicv3_init(&g, 64, 1);
    int known;
    cr_expect_eq((sim_gicd_read(&g, PIDR2, 4, &known) >> 4) & 0xF, 3, "ArchRev 3: GICv3");
    cr_expect_eq(known, 1);
    uint64_t typer = sim_gicd_read(&g, 0x4, 4, &known);
    cr_expect_eq(typer & 0x1F, 2, "ITLinesNumber: (64 SPIs + 32) / 32 - 1");
    cr_expect_eq((typer >> 19) & 0x1F, 9, "IDbits: 10-bit INTIDs");
    sim_gicd_write(&g, 0x0, 4, 0x80000012u, &known);
    cr_expect_eq(sim_gicd_read(&g, 0x0, 4, &known) & 0x80000000u, 0, "RWP always reads 0");
    cr_expect_eq(sim_gicd_read(&g, 0x0, 4, &known) & 0x12u, 0x12u, "CTLR keeps what was written");
}

Test(gicv3, set_and_clear_enable_registers_share_one_bank)
{
    struct sim_gicv3 g;
    sim_gicv3_init(&g, 64, 1);
    int known;
    sim_gicd_write(&g, 0x104, 4, 0x5, &known);  /* ISENABLER1: INTIDs 32 and 34 */
    sim_gicd_write(&g, 0x104, 4, 0x8, &known);  /* and 35 */
    sim_gicd_write(&g, 0x184, 4, 0x1, &known);  /* ICENABLER1: clear 32 */
    cr_expect_eq(sim_gicd_read(&g, 0x104, 4, &known), 0xC);
    cr_expect_eq(sim_gicd_read(&g, 0x184, 4, &known), 0xC);
    sim_gicd_write(&g, 0x420, 1, 0xA0, &known); /* IPRIORITYR byte of INTID 32 */
    cr_expect_eq(sim_gicd_read(&g, 0x420, 4, &known), 0xA0);
    sim_gicd_write(&g, 0x6000 + 8 * 40, 8, 0x100000000ull, &known); /* IROUTER40 */
    cr_expect_eq(sim_gicd_read(&g, 0x6000 + 8 * 40, 8, &known), 0x100000000ull);
}

Test(gicv3, unknown_offsets_are_reported_not_invented)
{
    struct sim_gicv3 g;
    sim_gicv3_init(&g, 64, 1);
    int known = 1;
    cr_expect_eq(sim_gicd_read(&g, 0x5000, 4, &known), 0);
    cr_expect_eq(known, 0);
    sim_gicr_write(&g, 0x3000, 4, 1, &known);
    cr_expect_eq(known, 0);
    sim_gicr_read(&g, 2 * 0x20000, 4, &known); /* the frame of a second PE that is absent */
    cr_expect_eq(known, 0);
}

Test(gicv3, redistributor_wakes_up_and_names_its_pe)
{
    struct sim_gicv3 g;
    sim_gicv3_init(&g, 64, 2);
    int known;
    cr_expect_eq(sim_gicr_read(&g, GICR_WAKER, 4, &known) & 6, 6, "asleep out of reset");
    sim_gicr_write(&g, GICR_WAKER, 4, 0, &known);
    cr_expect_eq(sim_gicr_read(&g, GICR_WAKER, 4, &known) & 6, 0, "ChildrenAsleep follows");
    uint64_t t1 = sim_gicr_read(&g, 0x20000 + GICR_TYPER, 8, &known);
    cr_expect_eq(t1 >> 32, 1, "affinity of PE 1");
    cr_expect_eq(t1 & 0x10, 0x10, "Last on the last PE");
    cr_expect_eq(sim_gicr_read(&g, GICR_TYPER, 8, &known) & 0x10, 0);
    cr_expect_eq((sim_gicr_read(&g, PIDR2, 4, &known) >> 4) & 0xF, 3);
    sim_gicr_write(&g, 0x10100, 4, 0x10000, &known); /* GICR_ISENABLER0: PPI 16 */
    cr_expect_eq(sim_gicr_read(&g, 0x10100, 4, &known), 0x10000);
}

Test(gicv3, cpu_interface_system_registers)
{
    struct sim_gicv3 g;
    sim_gicv3_init(&g, 64, 1);
    uint64_t v;
    cr_assert(sim_gic_sysreg_write(&g, MPU_ENC(3, 4, 12, 9, 5), 0x8)); /* ICC_SRE_EL2.Enable */
    cr_assert(sim_gic_sysreg_read(&g, MPU_ENC(3, 4, 12, 9, 5), &v));
    cr_expect_eq(v, 0x9, "SRE reads as one: system registers only");
    cr_assert(sim_gic_sysreg_read(&g, MPU_ENC(3, 0, 12, 12, 0), &v)); /* ICC_IAR1_EL1 */
    cr_expect_eq(v, 1023, "nothing pending: spurious");
    cr_assert(sim_gic_sysreg_read(&g, MPU_ENC(3, 4, 12, 11, 1), &v)); /* ICH_VTR_EL2 */
    cr_expect_eq(v & 0x1F, SIM_GIC_LRS - 1);
    cr_assert(sim_gic_sysreg_write(&g, MPU_ENC(3, 4, 12, 12, 1), 1ull << 62)); /* ICH_LR1 pending */
    cr_assert(sim_gic_sysreg_read(&g, MPU_ENC(3, 4, 12, 11, 5), &v));       /* ICH_ELRSR_EL2 */
    cr_expect_eq(v, 0xD, "LR1 is not empty");
    cr_expect_not(sim_gic_sysreg_read(&g, MPU_ENC(3, 4, 1, 1, 0), &v), "not a GIC register");
}

Test(gtimer, counter_follows_modelled_time)
{
    struct sim_gtimer t;
    sim_gtimer_init(&t, 100000000, 1000000000); /* 100 MHz counter, 1 GHz core */
    uint64_t v;
    cr_assert(sim_gtimer_sysreg_read(&t, MPU_ENC(3, 3, 14, 0, 0), 0, 0, &v));
    cr_expect_eq(v, 100000000, "CNTFRQ_EL0 from the platform");
    cr_assert(sim_gtimer_sysreg_read(&t, MPU_ENC(3, 3, 14, 0, 1), 12345, 0, &v));
    cr_expect_eq(v, 1234, "one tick per 10 instructions");
    cr_assert(sim_gtimer_sysreg_read(&t, MPU_ENC(3, 3, 14, 0, 2), 12345, 34, &v));
    cr_expect_eq(v, 1200, "CNTVCT = CNTPCT - CNTVOFF");
}

Test(gtimer, el2_timer_condition_and_tval)
{
    struct sim_gtimer t;
    sim_gtimer_init(&t, 100000000, 1000000000);
    uint64_t v;
    unsigned ctl = MPU_ENC(3, 4, 14, 2, 1), tval = MPU_ENC(3, 4, 14, 2, 0);
    cr_assert(sim_gtimer_sysreg_write(&t, tval, 1000, 0, 50)); /* CVAL = 100 + 50 */
    cr_assert(sim_gtimer_sysreg_write(&t, ctl, 1000, 0, 1));
    cr_assert(sim_gtimer_sysreg_read(&t, ctl, 1000, 0, &v));
    cr_expect_eq(v, 1, "enabled, not yet fired");
    cr_assert(sim_gtimer_sysreg_read(&t, ctl, 1500, 0, &v));
    cr_expect_eq(v, 5, "ISTATUS once the count reached CVAL");
    cr_assert(sim_gtimer_sysreg_read(&t, tval, 1600, 0, &v));
    cr_expect_eq(v, 0xFFFFFFF6u, "TVAL counts down past zero");
}

Test(psci, version_features_and_cpu_on)
{
    struct sim_psci p;
    sim_psci_init(&p, 1, 0, 1);
    uint64_t x[4] = { 0x84000000u, 0, 0, 0 };
    cr_expect_eq(sim_psci_call(&p, x), SIM_PSCI_RUNNING);
    cr_expect_eq(x[0], 0x10000, "PSCI 1.0");
    uint64_t f[4] = { 0x8400000Au, 0x84000009u, 0, 0 };
    sim_psci_call(&p, f);
    cr_expect_eq(f[0], 0, "SYSTEM_RESET is implemented");
    uint64_t g[4] = { 0x8400000Au, 0xC4000005u, 0, 0 };
    sim_psci_call(&p, g);
    cr_expect_eq((int64_t)g[0], -1, "CPU_SUSPEND is not");
    uint64_t on[4] = { 0xC4000003u, 0x1, 0x1000, 0 };
    sim_psci_call(&p, on);
    cr_expect_eq((int64_t)on[0], -2, "CPU_ON of an absent PE: INVALID_PARAMETERS");
    uint64_t self[4] = { 0xC4000003u, 0x0, 0x1000, 0 };
    sim_psci_call(&p, self);
    cr_expect_eq((int64_t)self[0], -4, "CPU_ON of the running PE: ALREADY_ON");
}

Test(psci, reset_and_off_end_the_run)
{
    struct sim_psci p;
    sim_psci_init(&p, 1, 0, 1);
    uint64_t r[4] = { 0x84000009u, 0, 0, 0 }, o[4] = { 0x84000008u, 0, 0, 0 };
    cr_expect_eq(sim_psci_call(&p, r), SIM_PSCI_SYSTEM_RESET);
    cr_expect_eq(sim_psci_call(&p, o), SIM_PSCI_SYSTEM_OFF);
    uint64_t u[4] = { 0x8400001Fu, 0, 0, 0 };
    cr_expect_eq(sim_psci_call(&p, u), SIM_PSCI_RUNNING);
    cr_expect_eq(p.unknown, 1);
    cr_expect_eq(p.last_unknown, 0x8400001Fu);
}
