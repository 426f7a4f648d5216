#ifndef MPUSIM_MPU_MODEL_MPU_H
#define MPUSIM_MPU_MODEL_MPU_H
/*
 * Register-level model of the Armv8-R AArch64 MPUs (PMSAv8-64): the EL1 MPU (EL1&0 stage 1)
 * and the EL2 MPU (EL2 regime, and stage 2 for EL1&0 when HCR_EL2.VM=1).
 * Reference: docs/armv8r-mpu.md (sections cited as armv8r-mpu.md §n).
 *
 * Pure: no I/O, no allocation, no global state. All state of one PE's MPUs lives in struct mpu.
 * Addresses here are byte addresses; region bounds are `base` (first byte) and `last`
 * (last byte, inclusive: the hardware LIMIT field | 0x3F). This is the only module that
 * deals in inclusive limits.
 */
#include <stddef.h>
#include <stdint.h>

#define MPU_MAX_REGIONS 255 /* MPUIR.REGION is 8 bits: 0..255 implemented regions */
#define MPU_GRANULE 64u     /* region base/limit granule in bytes */

/*
 * PRBAR_ELx / PRBAR<n>_ELx (armv8r-mpu.md §1.4)
 *  63      48 47                                   6 5  4 3  2 1  0
 * +----------+--------------------------------------+----+----+----+
 * |   RES0   |                 BASE                 | SH | AP | XN |
 * +----------+--------------------------------------+----+----+----+
 */
#define PRBAR_XN_LSB 0   /* XN[1:0]; XN[1]=1 execute-never, XN[0] meaning UNCONFIRMED */
#define PRBAR_AP_LSB 2   /* AP[2:1]: bit 3 = AP[2] read-only, bit 2 = AP[1] lower-EL access */
#define PRBAR_SH_LSB 4   /* SH[1:0] */
#define PRBAR_BASE_LSB 6 /* BASE: address bits [47:6] */
#define PRBAR_BASE_BITS 42
/*
 * PRLAR_ELx / PRLAR<n>_ELx (armv8r-mpu.md §1.4)
 *  63      48 47                                   6 5    4   3      1 0
 * +----------+--------------------------------------+----+----+------+--+
 * |   RES0   |                 LIMIT                |RES0| NS | AIdx |EN|
 * +----------+--------------------------------------+----+----+------+--+
 */
#define PRLAR_EN_LSB 0
#define PRLAR_ATTRINDX_LSB 1 /* 3 bits, index into MAIR_ELx */
#define PRLAR_NS_LSB 4
#define PRLAR_LIMIT_LSB 6 /* LIMIT: address bits [47:6]; inclusive limit = LIMIT<<6 | 0x3F */
#define PRLAR_LIMIT_BITS 42
#define PRBAR_WRITABLE_MASK 0x0000FFFFFFFFFFFFull /* bits [63:48] RES0 */
#define PRLAR_WRITABLE_MASK 0x0000FFFFFFFFFFDFull /* bits [63:48] and [5] RES0 */
#define PRSELR_REGION_MASK 0xFFull                /* REGION [7:0]; rest RES0 */
#define PRENR_BITS 32                              /* PRENR bit n aliases PRLAR<n>.EN, n < 32 */
#define MPUIR_REGION_MASK 0xFFull

/* SCTLR_ELx bits the model interprets (armv8r-mpu.md §1.6); the rest is stored as written. */
#define SCTLR_M_BIT 0
#define SCTLR_BR_BIT 17
#define SCTLR_WXN_BIT 19
/* HCR_EL2 bits the model interprets. */
#define HCR_VM_BIT 0
#define HCR_TGE_BIT 27

/* System-register encoding as a 16-bit number: op0[15:14] op1[13:11] CRn[10:7] CRm[6:3] op2[2:0].
 * This is bits [20:5] of an MRS/MSR instruction word. */
#define MPU_ENC(op0, op1, crn, crm, op2)                                                  \
    ((unsigned)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2)))

/*
 * Register ids: dense, for counters and tables. Per EL a block of MPU_SLOT_COUNT slots;
 * slot 0..4 as below, PRBAR<n> at MPU_SLOT_PRBAR + n and PRLAR<n> at MPU_SLOT_PRLAR + n,
 * with n = 0 meaning the plain PRBAR_ELx/PRLAR_ELx (selected by PRSELR).
 */
enum mpu_slot {
    MPU_SLOT_MPUIR,
    MPU_SLOT_PRSELR,
    MPU_SLOT_PRENR,
    MPU_SLOT_SCTLR,
    MPU_SLOT_MAIR,
    MPU_SLOT_PRBAR,                      /* 16 slots: PRBAR, PRBAR1..PRBAR15 */
    MPU_SLOT_PRLAR = MPU_SLOT_PRBAR + 16, /* 16 slots: PRLAR, PRLAR1..PRLAR15 */
    MPU_SLOT_COUNT = MPU_SLOT_PRLAR + 16,
};
#define MPU_REG_ID(el, slot) (((el) == 2 ? MPU_SLOT_COUNT : 0) + (slot)) /* el: 1 or 2 */
#define MPU_REG_HCR_EL2 (2 * MPU_SLOT_COUNT)
#define MPU_REG_COUNT (2 * MPU_SLOT_COUNT + 1)

enum mpu_acc { MPU_ACC_READ, MPU_ACC_WRITE, MPU_ACC_EXEC };

enum mpu_fault {
    MPU_FAULT_NONE,
    MPU_FAULT_PERMISSION,       /* a region matched but forbids the access (AP, XN, WXN) */
    MPU_FAULT_NO_REGION,        /* no enabled region matched and no background map applies */
    MPU_FAULT_MULTIPLE_REGIONS, /* two or more enabled regions matched (PMSAv8: no priority) */
    MPU_FAULT_COUNT,
};

/* FSC values for the disputed cases (armv8r-mpu.md §3.2), chosen with a preset at mpu_init(). */
enum mpu_fsc_model {
    MPU_FSC_TRANSLATION, /* default: no hit and multiple hits -> Translation L0 (0x04) */
    MPU_FSC_QEMU,        /* QEMU Cortex-R52: both -> Permission L0 (0x0C) */
    MPU_FSC_RENODE,      /* Renode: no hit -> 0x00, multiple hits -> Translation L0 (0x04) */
    MPU_FSC_MODEL_COUNT,
};
#define MPU_FSC_PERMISSION_L0 0x0C
#define MPU_FSC_TRANSLATION_L0 0x04

struct mpu_config {
    unsigned regions_el2;        /* EL2 MPU regions, 0..255 (MPUIR_EL2.REGION) */
    unsigned regions_el1;        /* EL1 MPU regions, 0..255 (MPUIR_EL1.REGION) */
    enum mpu_fsc_model fsc;      /* FSC for no-hit and multi-hit faults */
};

/* Lookup acceleration for one MPU: the address space cut into elementary intervals, each with
 * the number of enabled regions covering it and the XOR of their indices, so the one region
 * covering it, none, or several. Built on the first lookup; after that a region write only
 * decodes the region's bounds (cur_base/cur_last) and notes it as pending. With up to
 * MPU_INDEX_SCAN_REGIONS regions, the next MPU_INDEX_SCANS lookups after a write scan the
 * decoded bounds (two compares a region, cheaper than touching the index); otherwise, or
 * after that, the pending regions are applied to the intervals in place (the old range
 * leaves, the new one enters: O(regions), no sort). No write ever costs a rebuild. */
#define MPU_INDEX_SCAN_REGIONS 48
#define MPU_INDEX_SCANS 8
#define MPU_INDEX_CAP (2 * MPU_MAX_REGIONS + 5) /* 2 per enabled region + 1, + room to split */
#define MPU_INDEX_PENDING 8
struct mpu_ival {
    uint64_t start;                /* first byte; the interval ends where the next starts */
    int16_t hit;                   /* covering region, -1 none, -2 two or more */
    uint16_t count;                /* enabled regions covering it */
    uint16_t xr;                   /* XOR of their indices (the region when count == 1) */
};
struct mpu_index {
    int dirty;                     /* 1: not built yet: built on the next lookup */
    unsigned n;                    /* intervals; iv[0].start == 0, the last one ends at 2^64 */
    struct mpu_ival iv[MPU_INDEX_CAP]; /* ascending starts */
    uint64_t base[MPU_MAX_REGIONS]; /* per region, as the index has it: first byte, or */
    uint64_t last[MPU_MAX_REGIONS]; /* last < base when it matches nothing (disabled) */
    uint64_t cur_base[MPU_MAX_REGIONS + 1]; /* per region, as the registers have it now; */
    uint64_t cur_last[MPU_MAX_REGIONS + 1]; /* the spare entry matches nothing (scan width) */
    uint8_t pending[MPU_INDEX_PENDING]; /* regions whose cur_* differ from what iv[] has */
    unsigned npending;
    uint64_t is_pending[4];        /* the same as a bitmap by region */
    unsigned scans;                /* lookups by scan since the last write */
};

/* One MPU (EL1's or EL2's). */
struct mpu_unit {
    unsigned el;                      /* 1 or 2: the EL that owns this MPU */
    unsigned nregions;                /* implemented regions, 0..255 */
    uint64_t prbar[MPU_MAX_REGIONS];  /* as written, RES0 bits cleared */
    uint64_t prlar[MPU_MAX_REGIONS];  /* as written, RES0 bits cleared */
    uint64_t prselr;                  /* REGION field; < nregions unless the config selects
                                         unimplemented regions */
    uint64_t sctlr;                   /* SCTLR_ELx as written */
    uint64_t mair;                    /* MAIR_ELx as written */
    unsigned enabled;                 /* regions with EN=1 now */
    unsigned enabled_hwm;             /* high-water mark of enabled */
    struct mpu_index index;           /* lookup acceleration */
};

struct mpu_counters {
    uint64_t reads[MPU_REG_COUNT];   /* register reads by register id */
    uint64_t writes[MPU_REG_COUNT];  /* register writes by register id (ignored ones included) */
    uint64_t ignored_writes;         /* writes with no effect: read-only register, PRSELR >= regions,
                                        PRBAR<n>/PRLAR<n> naming an unimplemented region */
    uint64_t checks;                 /* access checks made */
    uint64_t faults[MPU_FAULT_COUNT];/* faults by cause (index MPU_FAULT_NONE unused) */
};

/* The MPUs of one PE. Caller-allocated (about 20 KiB); init with mpu_init(). */
struct mpu {
    struct mpu_config cfg;   /* as given to mpu_init() */
    struct mpu_unit el1;     /* EL1 MPU */
    struct mpu_unit el2;     /* EL2 MPU */
    uint64_t hcr;            /* HCR_EL2 as written (VM, TGE interpreted) */
    struct mpu_counters ctr; /* statistics */
    int prselr_select_unimplemented; /* mpu_set_prselr_select(); 0 after mpu_init() */
};

/* A PRSELR value >= the region count is UNPREDICTABLE. on = 0 (mpu_init's default): ignored,
 * the register keeps its value (as QEMU does). on = 1: kept; PRBAR/PRLAR then reach no region
 * (reads 0, writes ignored), as the register models of the Zephyr and Bao fixtures did. */
void mpu_set_prselr_select(struct mpu *m, int on);

/* Result of one access check. A fault is a result, not an error. */
struct mpu_result {
    enum mpu_fault fault; /* MPU_FAULT_NONE when the access is allowed */
    int region;     /* deciding region of the deciding MPU; -1 background/default map or no hit;
                       for MPU_FAULT_MULTIPLE_REGIONS the lowest matching region */
    int region2;    /* MPU_FAULT_MULTIPLE_REGIONS: the second-lowest matching region; else -1 */
    unsigned stage; /* 1 or 2: the stage that decided (2 only for EL1/EL0 with HCR_EL2.VM) */
    unsigned target_el; /* EL the fault is taken to (1 or 2); 0 when no fault */
    uint8_t fsc;    /* fault status code (ESR ISS[5:0]); 0 when no fault */
    uint64_t esr;   /* ESR_ELx value the fault would set; 0 when no fault */
    uint64_t far;   /* FAR_ELx: first byte of the faulting part of the access; 0 when no fault */
};

/**
 * mpu_init - reset both MPUs (all region registers 0, PRSELR 0, SCTLR 0: MPUs off)
 * @m:   state to initialise (caller-allocated)
 * @cfg: region counts (each 0..255) and FSC model; copied
 *
 * Returns 0, or -1 if a region count is above 255 or the FSC model is unknown (m untouched).
 */
int mpu_init(struct mpu *m, const struct mpu_config *cfg);

/* Register ids from an encoding (MPU_ENC) or a name ("PRBAR5_EL2", "prselr_el1", "HCR_EL2",
 * or the generic "S3_4_C6_C10_4"); -1 when the model has no such register. */
int mpu_reg_from_encoding(unsigned enc);
int mpu_reg_from_name(const char *name);
/* Canonical name ("PRBAR5_EL2") and encoding of a register id (0 <= id < MPU_REG_COUNT). */
const char *mpu_reg_name(int id);
unsigned mpu_reg_encoding(int id);

/**
 * mpu_read / mpu_write - an MRS / MSR of register id (0 <= id < MPU_REG_COUNT)
 *
 * Behaves as the architecture says for each register (docs/model.md): RES0 bits read as 0,
 * PRBAR<n>/PRLAR<n> reach region (PRSELR & 0xF0) | n, PRENR aliases PRLAR.EN of regions
 * 0..31, MPUIR is read-only, a PRSELR value >= the region count is ignored (counted).
 * Never fails, never allocates.
 */
uint64_t mpu_read(struct mpu *m, int id);
void mpu_write(struct mpu *m, int id, uint64_t value);

/**
 * mpu_check - resolve one access against the MPUs
 * @m:    model state; counters and the lazy lookup index are updated
 * @addr: address of the first byte accessed
 * @size: access size in bytes, >= 1; an access touching several regions is checked for each
 * @acc:  MPU_ACC_READ, MPU_ACC_WRITE or MPU_ACC_EXEC
 * @el:   exception level of the access: 0, 1 or 2
 *
 * Returns the outcome; .fault is MPU_FAULT_NONE when allowed. Never fails, never allocates.
 */
struct mpu_result mpu_check(struct mpu *m, uint64_t addr, uint64_t size, enum mpu_acc acc,
                            unsigned el);

/* The same decision by a straightforward linear scan of all regions (the reference the fast
 * lookup is tested and benchmarked against). Does not update counters. */
/* The elementary interval of unit el's lookup index that holds addr: [*first, *last]
 * (inclusive) all have the same region decision, returned: the one covering region, -1 none,
 * -2 several. For callers that cache a verdict per interval. */
int mpu_interval(struct mpu *m, unsigned el, uint64_t addr, uint64_t *first, uint64_t *last);
/* The 1-byte accesses at addr by EL2 that mpu_check(m, addr, 1, acc, 2) allows, as bits
 * 1u << MPU_ACC_READ / MPU_ACC_WRITE / MPU_ACC_EXEC, in one lookup; *last: the last byte from
 * addr on with the same verdicts (inclusive). Counters unchanged; the index is settled. */
unsigned mpu_el2_allowed(struct mpu *m, uint64_t addr, uint64_t *last);
/* 1 if some address is in two or more enabled regions of unit el (from the lookup index:
 * O(intervals), no sort), else 0. */
int mpu_any_overlap(struct mpu *m, unsigned el);
struct mpu_result mpu_check_linear(const struct mpu *m, uint64_t addr, uint64_t size,
                                   enum mpu_acc acc, unsigned el);

/* Decoded view of one region (for dumps and reports). */
struct mpu_region_view {
    int enabled;      /* PRLAR.EN */
    uint64_t base;    /* first byte */
    uint64_t last;    /* last byte, inclusive */
    unsigned ap;      /* AP[2:1] */
    unsigned xn;      /* XN[1:0] */
    unsigned sh;      /* SH[1:0] */
    unsigned attrindx;/* PRLAR.AttrIndx */
};
/* The unit of EL el (1 or 2); read only. */
const struct mpu_unit *mpu_unit_of(const struct mpu *m, unsigned el);
/* Decode region i (< nregions) of the MPU of EL el. */
struct mpu_region_view mpu_region(const struct mpu *m, unsigned el, unsigned i);

/**
 * mpu_dump - write the region table of the MPU of EL el as text, one line per implemented
 * region: "idx en base..last AP XN SH attrindx". Writes at most cap bytes including the NUL;
 * returns the length the full text needs (as snprintf does).
 */
size_t mpu_dump(const struct mpu *m, unsigned el, char *buf, size_t cap);

/* Names: "permission", "no_region", "multiple_regions" ("none" for MPU_FAULT_NONE). */
const char *mpu_fault_name(enum mpu_fault f);
/* Name to enum; -1 if unknown. */
int mpu_fault_from_name(const char *name);
/* FSC model names: "translation", "qemu", "renode"; from-name returns -1 if unknown. */
const char *mpu_fsc_model_name(enum mpu_fsc_model f);
int mpu_fsc_model_from_name(const char *name);

#endif
