#ifndef MPUSIM_SIM_PLATFORM_H
#define MPUSIM_SIM_PLATFORM_H
/*
 * A platform: the machine a guest image boots on (docs/platforms.md). What exists: memory
 * windows (RAM, device space), the devices and their bases (PL011 UART, GICv3 distributor and
 * redistributors, generic timer frequency, PSCI version), the MPU's region count, where a
 * device-tree blob goes by default. Read from a JSON platform file (sim/platform_file.c);
 * attached to a sim after its ELF is loaded (sim_platform_attach), which maps the windows
 * around the image and puts the device models (sim/gicv3.c, sim/gtimer.c, sim/psci.c) behind
 * their addresses and system registers.
 */
#include <stdint.h>

#include "common/error.h"

#define SIM_PLAT_MAX_WINDOWS 8
#define SIM_PLAT_MAX_CPUS 16

struct sim;

enum sim_plat_window_kind {
    SIM_PLAT_RAM,    /* zeroed read/write memory; the image and the DTB must lie in RAM */
    SIM_PLAT_DEVICE, /* device space: modelled devices answer, the rest reads 0 (counted) */
};

struct sim_plat_window {
    char name[32];
    enum sim_plat_window_kind kind;
    uint64_t base, size; /* [base, base + size): 4 KiB multiples, size > 0 */
};

struct sim_platform {
    char name[64];
    char source[128];         /* the file it came from, for messages */
    unsigned regions;         /* MPUIR_EL2.REGION: EL2 (and EL1) MPU regions, 1..255 */
    unsigned cpus;            /* PEs that exist (MPIDR Aff0 0..cpus-1); 1..SIM_PLAT_MAX_CPUS */
    uint64_t cpu_hz;          /* modelled core clock: one instruction per cycle for time */
    unsigned nwindows;
    struct sim_plat_window window[SIM_PLAT_MAX_WINDOWS];
    uint64_t dtb_base, dtb_size; /* default DTB placement: [base, base + size) in RAM */
    int has_uart;
    uint64_t uart_base, uart_size;       /* PL011 registers */
    int has_gic;
    uint64_t gicd_base;                  /* GICv3 distributor, 64 KiB */
    uint64_t gicr_base;                  /* redistributor frames: cpus x gicr_stride bytes */
    uint64_t gicr_stride;                /* 0x20000 (RD_base + SGI_base) */
    unsigned gic_spis;                   /* SPIs implemented (a multiple of 32, 32..988) */
    uint64_t timer_hz;                   /* CNTFRQ_EL0; 0: no generic timer model */
    unsigned psci_major, psci_minor;     /* PSCI version over SMC; 0.0: no PSCI */
};

/**
 * sim_platform_read_file - read and check a platform file
 * @path: borrowed; @out: written on success
 * Returns 0, or -1 with err naming the file and the field (MPUSIM_E_IO, MPUSIM_E_PARSE,
 * MPUSIM_E_RANGE: bad value, windows that overlap, a device outside every device window).
 */
int sim_platform_read_file(const char *path, struct sim_platform *out, struct mpusim_error *err);

/**
 * sim_platform_attach - make the loaded image's sim the platform's machine
 * @plat: copied. Call once, after sim_load_elf() and before running.
 * Maps every window (RAM windows around the image's segments), puts the devices behind their
 * addresses, answers CNTFRQ_EL0 etc., reports ID_AA64PFR0_EL1.GIC = 1 with a GIC. Errors
 * (MPUSIM_E_RANGE): the entry point is not in RAM, a window overlaps another mapping.
 */
int sim_platform_attach(struct sim *s, const struct sim_platform *plat, struct mpusim_error *err);

/**
 * sim_platform_load_dtb - check a device-tree blob and copy it into guest RAM at addr
 * @blob, @len: borrowed; @what: the file name, for messages
 * Checks (libfdt): the header (magic, version), totalsize == len, the structure; that
 * [addr, addr + len) lies in one RAM window of the attached platform and does not overlap
 * the image; addr is 8-byte aligned. 0, or -1 with err (MPUSIM_E_PARSE, MPUSIM_E_RANGE).
 */
int sim_platform_load_dtb(struct sim *s, const void *blob, uint64_t len, uint64_t addr,
                          const char *what, struct mpusim_error *err);

/* The devices' part of a run report (accesses, unmodelled device registers, PSCI calls),
 * lines ending in '\n'; "" without a platform. As snprintf: returns the length needed. */
size_t sim_platform_format(const struct sim *s, char *buf, size_t cap);

#endif
