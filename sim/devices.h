#ifndef MPUSIM_SIM_DEVICES_H
#define MPUSIM_SIM_DEVICES_H
/*
 * Device models of a platform (inside sim/; docs/platforms.md). Each is pure state plus
 * register accessors: no Unicorn, no allocation, no printing. sim/board.c puts them behind
 * their MMIO windows and system-register encodings.
 *
 *   GICv3 (sim/gicv3.c)     distributor + redistributors (MMIO), CPU interface ICC_* and
 *                           hypervisor interface ICH_* (system registers). Arm IHI 0069.
 *   generic timer (gtimer.c) CNTFRQ/CNTPCT/CNTVCT and the EL0/EL2 timers. Arm DDI 0487 D12.
 *   PSCI (sim/psci.c)       firmware calls over SMC. Arm DEN 0022.
 *
 * MMIO accessors take an offset into the device's frame and an access size of 1, 2, 4 or 8
 * bytes, and set *known = 0 for an offset the model does not have (the access then reads 0 and
 * a write is dropped; the caller counts it). System-register accessors take an MPU_ENC()
 * encoding and return 1 when the register belongs to the model.
 */
#include <stdint.h>

#include "sim/platform.h"
#include "sim/sim.h"

#define SIM_GIC_MAX_INTID 1020 /* SGIs, PPIs and SPIs: INTIDs 0..1019 */
#define SIM_GIC_LRS 4          /* list registers of the hypervisor interface */

struct sim_gic_redist {
    uint32_t ctlr;            /* GICR_CTLR (EnableLPIs, ...): storage */
    uint32_t waker;           /* GICR_WAKER: ProcessorSleep bit 1; ChildrenAsleep follows it */
    uint64_t propbaser, pendbaser;
    uint32_t group0, grpmod0, enable0, pend0, active0; /* SGI_base banks of INTIDs 0..31 */
    uint32_t cfg[2];          /* GICR_ICFGR0/1 */
    uint32_t nsacr;
    uint8_t prio[32];         /* GICR_IPRIORITYR<n>, one byte per INTID */
};

struct sim_gicv3 {
    unsigned spis;            /* implemented SPIs (INTIDs 32..32+spis-1) */
    unsigned cpus;            /* redistributors */
    uint32_t ctlr;            /* GICD_CTLR (RWP reads 0: writes take effect at once) */
    uint32_t group[32], grpmod[32], enable[32], pend[32], active[32]; /* bit per INTID */
    uint32_t cfg[64], nsacr[64];
    uint8_t prio[SIM_GIC_MAX_INTID + 4];
    uint64_t irouter[SIM_GIC_MAX_INTID];
    struct sim_gic_redist rd[SIM_PLAT_MAX_CPUS];
    /* CPU interface (ICC_*) and hypervisor interface (ICH_*): storage, with ID fields */
    uint64_t icc_sre_el2, icc_sre_el1, icc_pmr, icc_bpr0, icc_bpr1, icc_ctlr, icc_igrpen0,
        icc_igrpen1, icc_ap0r[4], icc_ap1r[4];
    uint64_t ich_hcr, ich_vmcr, ich_lr[SIM_GIC_LRS], ich_ap0r[4], ich_ap1r[4];
};

void sim_gicv3_init(struct sim_gicv3 *g, unsigned spis, unsigned cpus);
uint64_t sim_gicd_read(struct sim_gicv3 *g, uint64_t off, unsigned size, int *known);
void sim_gicd_write(struct sim_gicv3 *g, uint64_t off, unsigned size, uint64_t v, int *known);
/* off: into the redistributor region (cpu = off / 0x20000, then RD_base or SGI_base) */
uint64_t sim_gicr_read(struct sim_gicv3 *g, uint64_t off, unsigned size, int *known);
void sim_gicr_write(struct sim_gicv3 *g, uint64_t off, unsigned size, uint64_t v, int *known);
int sim_gic_sysreg_read(struct sim_gicv3 *g, unsigned enc, uint64_t *v);
int sim_gic_sysreg_write(struct sim_gicv3 *g, unsigned enc, uint64_t v);

struct sim_gtimer {
    uint64_t frq;             /* CNTFRQ_EL0, Hz */
    uint64_t cpu_hz;          /* modelled core clock: instructions per second */
    uint64_t kctl;            /* CNTKCTL_EL1 */
    struct { uint64_t ctl, cval; } t[6]; /* EL1 phys, EL1 virt, EL2 phys, EL2 virt, EL2 secure
                                            virt, EL2 secure phys */
};

void sim_gtimer_init(struct sim_gtimer *t, uint64_t frq, uint64_t cpu_hz);
/* insns: instructions executed since the sim started (modelled time); cntvoff: CNTVOFF_EL2 */
uint64_t sim_gtimer_count(const struct sim_gtimer *t, uint64_t insns);
int sim_gtimer_sysreg_read(struct sim_gtimer *t, unsigned enc, uint64_t insns, uint64_t cntvoff,
                           uint64_t *v);
int sim_gtimer_sysreg_write(struct sim_gtimer *t, unsigned enc, uint64_t insns, uint64_t cntvoff,
                            uint64_t v);

enum sim_psci_power {
    SIM_PSCI_RUNNING,
    SIM_PSCI_SYSTEM_OFF,      /* SYSTEM_OFF was called */
    SIM_PSCI_SYSTEM_RESET,    /* SYSTEM_RESET (or SYSTEM_RESET2) was called */
    SIM_PSCI_CPU_OFF,         /* the only running PE called CPU_OFF */
};

struct sim_psci {
    unsigned major, minor;    /* version reported by PSCI_VERSION */
    unsigned cpus;            /* PEs that exist; only PE 0 runs */
    uint64_t calls, unknown;  /* SMCs handled; of them function IDs not implemented */
    uint32_t last_unknown;    /* the last function ID not implemented */
};

void sim_psci_init(struct sim_psci *p, unsigned major, unsigned minor, unsigned cpus);
/* One SMC: x[0..3] are X0..X3 at the call; writes the result to x[0]. Returns the power
 * state the call leaves (SIM_PSCI_RUNNING for anything but off/reset). */
enum sim_psci_power sim_psci_call(struct sim_psci *p, uint64_t x[4]);
const char *sim_psci_power_name(enum sim_psci_power w);

/* ---- The board: a platform's devices attached to one sim (sim/board.c) ---- */
#define SIM_BOARD_MAX_UNKNOWN 32

/* A device-window address no model answers (reads 0, writes dropped). */
struct sim_dev_unknown {
    uint64_t addr;            /* guest physical address of the access */
    unsigned size;            /* bytes */
    uint64_t reads, writes;
};

#define SIM_BOARD_MAX_GAPS 8

struct sim_board;
struct sim_board_window {    /* opaque of a part of a device window with no device */
    struct sim_board *b;
    uint64_t base;            /* its first byte */
};

struct sim_board {
    struct sim_platform plat;
    struct sim_gicv3 gic;
    struct sim_gtimer timer;
    struct sim_psci psci;
    uint64_t pfr0;            /* ID_AA64PFR0_EL1 as the guest reads it */
    struct sim_pl011 uart;    /* sim/pl011.c; output to the sim's console callback */
    struct sim_device uart_dev;
    struct sim_board_window gap[SIM_BOARD_MAX_GAPS];
    unsigned ngaps;
    enum sim_psci_power power; /* what the last SMC left */
    uint64_t dev_reads, dev_writes;         /* device-window accesses, all */
    uint64_t unknown_reads, unknown_writes; /* of them, to no modelled register */
    unsigned nunknown;        /* entries of unknown[] (the totals count all) */
    struct sim_dev_unknown unknown[SIM_BOARD_MAX_UNKNOWN];
};

#endif
