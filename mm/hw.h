#ifndef MPUSIM_MM_HW_H
#define MPUSIM_MM_HW_H
/*
 * The only way mm/ reaches hardware: system-register read/write, DSB SY, ISB, and a log sink.
 *
 * Host build (native engine): the calls go through function pointers to whatever the caller
 * provides (replay/ wires them to mpu_model/). Guest build (-DMM_GUEST, aarch64-linux-gnu-gcc
 * -ffreestanding): the same calls are real mrs/msr/dsb/isb instructions, and the log sink is
 * the extern function mm_guest_log() provided by guest/.
 *
 * Registers are named by their 16-bit encoding op0[15:14] op1[13:11] CRn[10:7] CRm[6:3]
 * op2[2:0] (bits [20:5] of the MRS/MSR word), the same numbering as mpu_model's MPU_ENC.
 */
#include <stdint.h>

#define MM_SYSREG_ENC(op0, op1, crn, crm, op2)                                            \
    ((unsigned)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2)))

#define MM_MPUIR_EL2 MM_SYSREG_ENC(3, 4, 0, 0, 4)
#define MM_PRENR_EL2 MM_SYSREG_ENC(3, 4, 6, 1, 1)
#define MM_PRSELR_EL2 MM_SYSREG_ENC(3, 4, 6, 2, 1)
#define MM_SCTLR_EL2 MM_SYSREG_ENC(3, 4, 1, 0, 0)
#define MM_MAIR_EL2 MM_SYSREG_ENC(3, 4, 10, 2, 0)
/* PRBAR<n>_EL2 / PRLAR<n>_EL2, n = 0..15; n = 0 is the plain PRBAR_EL2 / PRLAR_EL2. */
#define MM_PRBAR_EL2(n) MM_SYSREG_ENC(3, 4, 6, 8 + ((n) >> 1), ((n)&1) * 4)
#define MM_PRLAR_EL2(n) (MM_PRBAR_EL2(n) + 1)
/* The EL1 MPU (the zephyr variant programs it) and the registers its boot and flush read. */
#define MM_MPUIR_EL1 MM_SYSREG_ENC(3, 0, 0, 0, 4)
#define MM_PRSELR_EL1 MM_SYSREG_ENC(3, 0, 6, 2, 1)
#define MM_PRBAR_EL1 MM_SYSREG_ENC(3, 0, 6, 8, 0)
#define MM_PRLAR_EL1 MM_SYSREG_ENC(3, 0, 6, 8, 1)
#define MM_SCTLR_EL1 MM_SYSREG_ENC(3, 0, 1, 0, 0)
#define MM_MAIR_EL1 MM_SYSREG_ENC(3, 0, 10, 2, 0)
#define MM_CURRENTEL MM_SYSREG_ENC(3, 0, 4, 2, 2)
#define MM_ID_AA64MMFR0_EL1 MM_SYSREG_ENC(3, 0, 0, 7, 0)
#define MM_DAIF MM_SYSREG_ENC(3, 3, 4, 2, 1)

enum mm_barrier { MM_DSB_SY, MM_ISB, MM_DMB_SY, MM_DSB_ISH };

/* Log messages: mm/ reports an id and up to four integer arguments; the host formats them
 * with the reference text (mm_msg_format() in mm/mm.h). */
enum mm_msg {
    MM_MSG_RWX,                  /* "Mappings should not be both Writeable and Executable" */
    MM_MSG_BASE_GE_LIMIT,        /* a=base b=limit */
    MM_MSG_NOT_PAGE_ALIGNED,     /* a=base b=limit */
    MM_MSG_OVERLAP,              /* a=base b=limit c=region base d=region limit (exclusive) */
    MM_MSG_POOL_EXHAUSTED,       /* "EL2 MPU memory region mapping pool exhausted" */
    MM_MSG_REFCOUNT_OVERFLOW,    /* "Cannot allocate region as it would cause refcount overflow" */
    MM_MSG_AI_CHANGE,            /* "Modifying AI attribute is not supported" */
    MM_MSG_PARTIAL_ATTR,         /* "Cannot modify partial region attributes" */
    MM_MSG_MULTI_MAPPED_ATTR,    /* "Cannot modify RO,XN attributes for a region mapped multiple times" */
    MM_MSG_REMOVE_NOT_EXIST,     /* "Cannot remove an entry that does not exist" (update path) */
    MM_MSG_REMOVE_ENTRY_NOT_EXIST, /* "Cannot remove entry that does not exist" (free/containing) */
    MM_MSG_REMOVE_PARTIAL,       /* "Cannot remove a partial region" */
    MM_MSG_ALREADY_DISABLED,     /* a=index: "MPU memory region[%u] is already disabled" */
    MM_MSG_BOOT_TOO_MANY,        /* "- Selected MPU region is above the implemented number in MPUIR_EL2 -" */
    /* xen-transient (2025 proposal) */
    MM_MSG_T_OVERLAP,            /* "Cannot handle overlapping MPU memory protection regions" */
    MM_MSG_T_RO_MISMATCH,        /* per-attribute mismatch warnings of map_mm_range */
    MM_MSG_T_XN_MISMATCH,
    MM_MSG_T_AI_MISMATCH,
    MM_MSG_T_DIFFERENT_FLAGS,    /* a=base b=limit: "Range ... already mapped with different flags" */
    MM_MSG_T_LOOKUP_FAILED,      /* a=addr: unmap_mm_range lookup gave a negative result */
    MM_MSG_T_UNMAP_FAILED,       /* a=addr: "Failed to unmap_mm_range MPU memory region at ..." */
    /* zephyr (docs/algorithms.md, variant zephyr) */
    MM_MSG_Z_TOO_MANY_STATIC,    /* a=SoC regions b=MPUIR_EL1: "Request to configure: ..." */
    MM_MSG_Z_DYN_INIT_FAIL,      /* "Dynamic areas init fail" */
    MM_MSG_Z_SYS_TOO_LARGE,      /* "system dynamic region nums too large." */
    MM_MSG_Z_OUT_OF_BOUNDS,      /* a=list entries b=MPUIR_EL1: "Out-of-bounds error ..." */
    MM_MSG_Z_NOT_ENOUGH,         /* a=demand b=regions: "MPU regions not enough, ..." */
    MM_MSG_Z_PART_OVERLAP,       /* a=base b=size c=existing base d=existing size */
    /* Findings: behaviour of upstream that mpusim reports (docs/findings.md) */
    MM_FINDING_PRENR_NOT_DISABLED, /* a=index (32..63): freed, but PRENR cannot clear its EN bit */
    MM_FINDING_PRENR_WRAPPED,      /* a=index (>= 64) b=index mod 64: the shift wrapped */
    MM_FINDING_WHOLE_REGION_UNMAP, /* a=addr b=region base c=region limit (excl) d=index */
    MM_FINDING_AI_DROPPED,         /* a=index b=requested AI c=kept AI */
    MM_FINDING_CONTAINING_OVERLAP, /* a=addr: OVERLAP in destroy_xen_mapping_containing */
    /* zephyr (docs/findings.md; reference section 8) */
    MM_FINDING_Z_STALE_PARTITION,  /* a=base b=limit: removed partition still programmed */
    MM_FINDING_Z_HIDDEN_PARTITION, /* a=base b=limit: partition skipped by the countdown */
    MM_FINDING_Z_BASE0_SLOT,       /* a=slot b=base c=limit: a live base-0 piece taken as free */
    MM_FINDING_Z_WHOLE_SPACE,      /* a=index: an empty counted slot programmed: all of memory */
    MM_FINDING_Z_LOST_WRITES,      /* a=first index b=entries lost c=MPUIR_EL1 */
    MM_FINDING_Z_NOT_FLUSHED,      /* a=entries b=MPUIR_EL1: the previous map stays active */
    MM_FINDING_Z_FALLBACK,         /* a=thread b=rc: list build failed, system list only */
    MM_FINDING_Z_MAX_PARTITIONS,   /* a=returned b=configured */
    MM_FINDING_Z_MISALIGNED,       /* a=base b=limit: not 64-byte aligned, truncated */
    /* the trace (replay/replay.c) */
    MM_FINDING_ADDRESS_TRUNCATED,  /* a=base b=limit c,d: [base, limit) as the MPU holds it */
    /* bao (docs/findings.md; docs/algorithms.md, variant bao) */
    MM_MSG_BAO_GRANULARITY,        /* "trying to set mpu region which is not a multiple of ..." */
    MM_MSG_BAO_NO_MASK,            /* "Couldn't find an mpu_mask for as_id %d" (no argument) */
    MM_MSG_BAO_POOL,               /* "Failed allocating shared region node" */
    MM_MSG_BAO_UNKNOWN_VM,         /* "Received shared region for unknown vm address space." */
    MM_MSG_BAO_MAP_CPY_MAP,        /* "failed mem map on mem map cpy" */
    MM_MSG_BAO_MAP_CPY,            /* "failed mem map cpy" */
    MM_FINDING_BAO_OVERLAP,        /* a=base b=limit c=entry base d=entry limit: mapped anyway */
    MM_FINDING_BAO_DESYNC,         /* a=cpu b=base c=limit d=entry limit: REMOVE cut a merge */
    MM_FINDING_BAO_PHYS_FULL,      /* a=cpu: 65th physical index: out-of-bounds write */
    MM_FINDING_BAO_VMPU_FULL,      /* a=as id: 65th vMPU entry: NULL write */
    MM_FINDING_BAO_PHANTOM,        /* a=cpu b=index c=MPUIR_EL2.REGION: not implemented */
    MM_FINDING_BAO_LOST_INDEX,     /* a=cpu b=base: unmap found no index: it stays allocated */
    MM_FINDING_BAO_LOCK_HELD,      /* a=as id: unmap returned false holding the lock */
    MM_FINDING_BAO_DEADLOCK,       /* a=as id: the lock is still held: the CPU spins */
    MM_FINDING_BAO_PRENR_REACH,    /* a=cpu b=index: PRENR (bits 0..31) cannot switch it */
    MM_FINDING_BAO_IGNORED,        /* a=base b=limit: mem_alloc_map discarded a failed map */
    MM_FINDING_BAO_CPY_WINDOW,     /* a=va b=entry base: copied from the entry's base */
    MM_FINDING_BAO_STUCK_ENTRY,    /* a=cpu b=index: arch map failed: index leaked */
    MM_FINDING_BAO_MERGE_FAILED,   /* a=cpu b=base: merge update found no index: scan stops */
    MM_MSG_COUNT,
};

#ifdef MM_GUEST
/* ---- guest build: real instructions ---- */
void mm_guest_log(enum mm_msg id, uint64_t a, uint64_t b, uint64_t c, uint64_t d);

struct mm_hw {
    int unused; /* the guest needs no state: registers are the hardware's */
};
uint64_t mm_hw_read(struct mm_hw *hw, unsigned enc);            /* guest/hw_guest.c */
void mm_hw_write(struct mm_hw *hw, unsigned enc, uint64_t value); /* guest/hw_guest.c */
static inline void mm_hw_barrier(struct mm_hw *hw, enum mm_barrier b)
{
    (void)hw;
    if (b == MM_DSB_SY)
        __asm__ volatile("dsb sy" ::: "memory");
    else if (b == MM_DSB_ISH)
        __asm__ volatile("dsb ish" ::: "memory");
    else if (b == MM_DMB_SY)
        __asm__ volatile("dmb sy" ::: "memory");
    else
        __asm__ volatile("isb" ::: "memory");
}
static inline void mm_hw_log(struct mm_hw *hw, enum mm_msg id, uint64_t a, uint64_t b, uint64_t c,
                             uint64_t d)
{
    (void)hw;
    mm_guest_log(id, a, b, c, d);
}
/* The CPU whose MPU the next register accesses reach (bao: one MPU per CPU); guest/glue.c. */
void mm_guest_cpu(unsigned cpu);
static inline void mm_hw_cpu(struct mm_hw *hw, unsigned cpu)
{
    (void)hw;
    mm_guest_cpu(cpu);
}
#else
/* ---- host build: callbacks, each with the opaque pointer ---- */
struct mm_hw {
    uint64_t (*read)(void *opaque, unsigned enc);              /* MRS */
    void (*write)(void *opaque, unsigned enc, uint64_t value); /* MSR */
    void (*barrier)(void *opaque, enum mm_barrier b);          /* DSB SY / ISB */
    void (*log)(void *opaque, enum mm_msg id, uint64_t a, uint64_t b, uint64_t c,
                uint64_t d);                                   /* may be NULL: no logging */
    void *opaque;                                              /* borrowed */
    /* The CPU whose MPU the next accesses reach (bao: one MPU per CPU); NULL: one CPU. */
    void (*cpu)(void *opaque, unsigned cpu);
};
static inline uint64_t mm_hw_read(struct mm_hw *hw, unsigned enc)
{
    return hw->read(hw->opaque, enc);
}
static inline void mm_hw_write(struct mm_hw *hw, unsigned enc, uint64_t value)
{
    hw->write(hw->opaque, enc, value);
}
static inline void mm_hw_barrier(struct mm_hw *hw, enum mm_barrier b)
{
    hw->barrier(hw->opaque, b);
}
static inline void mm_hw_log(struct mm_hw *hw, enum mm_msg id, uint64_t a, uint64_t b, uint64_t c,
                             uint64_t d)
{
    if (hw->log)
        hw->log(hw->opaque, id, a, b, c, d);
}
static inline void mm_hw_cpu(struct mm_hw *hw, unsigned cpu)
{
    if (hw->cpu)
        hw->cpu(hw->opaque, cpu);
}
#endif

#endif
