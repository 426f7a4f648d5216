#ifndef MPUSIM_MM_MM_H
#define MPUSIM_MM_MM_H
/*
 * The software under test: Xen's Arm MPU mapping algorithm, reimplemented from
 * docs/xen-mpu.md (sections cited as xen-mpu.md §n), as selectable variants.
 * Freestanding C: no libc, reaches hardware only through mm/hw.h. Compiled for the host
 * (native engine) and, with -DMM_GUEST, for an AArch64 guest.
 *
 * Ranges are [base, limit): base is the first byte, limit one past the last byte.
 * Return codes follow Xen: 0, MM_EINVAL (-22), MM_ENOENT (-2).
 */
#include <stdint.h>

#include "mm/hw.h"

#define MM_EINVAL (-22)
#define MM_ENOENT (-2)
#define MM_MAX_REGIONS 255   /* MAX_MPU_REGION_NR: table and bitmap size */
#define MM_INVALID_IDX 0xFF  /* INVALID_REGION_IDX */
#define MM_PAGE_SIZE 4096u
#define MM_REFCOUNT_MAX 0xFF

/* Xen's flags word (xen-mpu.md §4.1) */
#define MM_FLAG_AI_MASK 0x7u      /* AttrIndx [2:0] */
#define MM_FLAG_XN (1u << 3)      /* _PAGE_XN */
#define MM_FLAG_RO (1u << 4)      /* _PAGE_RO */
#define MM_FLAG_PRESENT (1u << 5) /* _PAGE_PRESENT; clear = remove */
/* Named sets (xen-mpu.md §4.3) */
#define MM_PAGE_HYPERVISOR_RO 0x3Fu
#define MM_PAGE_HYPERVISOR_RX 0x37u
#define MM_PAGE_HYPERVISOR_RW 0x2Fu
#define MM_PAGE_HYPERVISOR_NOCACHE 0x2Cu
#define MM_PAGE_HYPERVISOR_WC 0x29u

/* mpumap_contains_region results (xen-mpu.md §5) */
#define MM_REGION_OVERLAP (-1)
#define MM_REGION_NOTFOUND 0
#define MM_REGION_FOUND 1
#define MM_REGION_INCLUSIVE 2

enum mm_algo {
    MM_ALGO_XEN,           /* upstream Xen: refcount per region (default) */
    MM_ALGO_XEN_TRANSIENT, /* the 2025 map_mm_range/unmap_mm_range proposal, v3 (xen-mpu.md §10.1) */
    /* Policies a hypervisor could adopt instead (docs/policies.md); not Xen's code. */
    MM_ALGO_MERGE,         /* contiguous mappings with equal attributes share one region */
    MM_ALGO_LAZY,          /* freed regions stay programmed but disabled; re-enabled cheaply */
    MM_ALGO_RESERVE,       /* reserve:K: K free slots kept for short-lived (one-page) mappings */
    /* Other systems' allocators, reimplemented from their references (docs/algorithms.md). */
    MM_ALGO_ZEPHYR,        /* Zephyr's Armv8-R AArch64 EL1 MPU driver (mm/zephyr.c) */
    MM_ALGO_BAO,           /* Bao's vMPU on the Armv8-R EL2 MPU, per CPU (mm/bao.c) */
    MM_ALGO_COUNT,
};

struct mm_options {
    enum mm_algo algo;
    int xen_fixed; /* --fixed (alias --xen-fixed): the evidently intended forms of the known
                      bugs (xen: index < 32 PRENR test, -EINVAL for OVERLAP in
                      destroy_xen_mapping_containing; zephyr: docs/findings.md) */
    unsigned reserve_k; /* reserve:K: free slots a long-lived mapping may not take; others: 0 */
};

#define MM_RESERVE_DEFAULT_K 2 /* K of a plain "reserve" */

/* One shadow-table entry (Xen's pr_t): the register values and the software byte. */
struct mm_region {
    uint64_t prbar;    /* PRBAR value as written to hardware */
    uint64_t prlar;    /* PRLAR value; bit 0 = EN ("valid" in the software copy) */
    uint8_t refcount;  /* xen: additional users (0 = one user); transient: unused */
    uint8_t transient; /* xen-transient: created by map_mm_range; xen: unused */
};

/* A boot region as head.S programs it (xen-mpu.md §8.1): hardware BASE = base & ~0x3F,
 * LIMIT = (limit - 1) & ~0x3F; 64-byte granularity is kept. */
struct mm_boot_region {
    uint64_t base;  /* first byte */
    uint64_t limit; /* one past the last byte; base == limit: empty section, skipped */
    unsigned flags; /* Xen flags word (xen-mpu.md §4.1) */
};

/* ---- per-policy state (docs/policies.md); fixed capacity, no allocation ---- */

#define MM_MERGE_RECORDS 1024     /* mapping records of the merge policy, all regions together */
#define MM_MERGE_COUNT_MAX 0xFFFF /* identical mappings one record can count */

/* merge: one mapped sub-range and how many times exactly this range was mapped. */
struct mm_merge_record {
    uint64_t base;  /* first byte */
    uint64_t limit; /* one past the last byte */
    uint16_t count; /* identical mappings of [base, limit); 0 only transiently inside a call */
    uint8_t region; /* table index of the region that covers it */
};

struct mm_merge_state {
    struct mm_merge_record rec[MM_MERGE_RECORDS]; /* live records are rec[0..n), unordered */
    unsigned n;        /* live records */
    int adopted;       /* 1 once the regions found at the first call have their records */
};

/* lazy: a freed region kept in hardware with EN clear, for one cheap re-enable. */
struct mm_lazy_slot {
    uint64_t prbar; /* the region's PRBAR when it was freed (still in hardware) */
    uint64_t prlar; /* its PRLAR with EN set (hardware holds it with EN clear) */
    uint64_t stamp; /* lazy.clock when it was cached: the oldest is evicted first */
    uint8_t cached; /* 1: slot free in the table, region kept disabled in hardware */
};

struct mm_lazy_state {
    struct mm_lazy_slot slot[MM_MAX_REGIONS]; /* by region index */
    uint64_t clock;     /* regions cached so far */
    unsigned ncached;   /* slots with cached set */
    uint64_t hits;      /* maps served by re-enabling a cached region */
    uint64_t evictions; /* cached regions reprogrammed for another mapping */
};

/* ---- zephyr (mm/zephyr.c; docs/algorithms.md, variant zephyr) ---- */

#define MM_Z_STATIC_MAX 32  /* SoC and devicetree regions, each */
#define MM_Z_THREADS 32     /* threads a trace may create */
#define MM_Z_DOMAINS 16     /* memory domains, the default domain (id 0) included */
#define MM_Z_PART_SLOTS 32  /* partition slots searched per domain (the kernel's array holds
                               max_partitions_cfg of them; more is finding max_partitions) */
#define MM_Z_PARTS_CFG_MAX 16 /* largest CONFIG_MAX_DOMAIN_PARTITIONS accepted */
#define MM_Z_LIST_MAX (1 + (MM_Z_PARTS_CFG_MAX + 2) + 2 + 2) /* ARM64_MPU_MAX_DYNAMIC_REGIONS */
#define MM_Z_SYS_SLOTS 3    /* MPU_DYNAMIC_REGION_AREAS_NUM */
#define MM_Z_GUARD 64u      /* stack guard and region granule (MEM_DOMAIN_ALIGN_AND_SIZE) */
#define MM_Z_PARTS_CFG_DEFAULT 8   /* CONFIG_MAX_DOMAIN_PARTITIONS on the AArch64 FVP */
#define MM_Z_PRIV_STACK_DEFAULT 1024u /* CONFIG_PRIVILEGED_STACK_SIZE */

/* A Zephyr attribute word: PRBAR low bits [5:0] (XN bit 1, AP [3:2], SH [5:4]) and AttrIndx
 * [10:8]; or MM_Z_ATTR_NAMED | enum mm_z_part_attr, which the variant encodes (the stored
 * header, or PR #113561 with --fixed). */
#define MM_Z_ATTR(rbar, ai) ((unsigned)(rbar) | ((unsigned)(ai) << 8))
#define MM_Z_ATTR_RBAR(a) ((a)&0x3Fu)
#define MM_Z_ATTR_AI(a) (((a) >> 8) & 0x7u)
#define MM_Z_ATTR_NAMED 0x8000u
enum mm_z_part_attr { MM_Z_P_RW_U_RW, MM_Z_P_RW_U_NA, MM_Z_P_RO_U_RO, MM_Z_P_RO_U_NA,
                      MM_Z_PART_ATTR_COUNT };

struct mm_z_region {
    uint64_t base;  /* first byte */
    uint64_t limit; /* one past the last byte */
    unsigned attr;  /* MM_Z_ATTR(rbar, ai) */
};

/* What z_arm64_mm_init programs and finds (the trace's "zephyr" header). One CPU. */
struct mm_z_config {
    struct mm_z_region soc[MM_Z_STATIC_MAX]; /* the SoC table, indices 0.. */
    unsigned nsoc;
    struct mm_z_region dt[MM_Z_STATIC_MAX];  /* devicetree memory-attr regions, after them */
    unsigned ndt;
    uint64_t dyn_base, dyn_limit; /* the dynamic area [_app_smem_start, __kernel_ram_end) */
    uint64_t irq_stack;           /* z_interrupt_stacks[0] */
    int has_irq_stack;            /* 0: no IRQ-stack guard is punched */
    unsigned max_partitions_cfg;  /* CONFIG_MAX_DOMAIN_PARTITIONS, 1..MM_Z_PARTS_CFG_MAX */
    uint64_t priv_stack_size;     /* CONFIG_PRIVILEGED_STACK_SIZE */
};

/* One dynamic region: a list entry. limit exclusive; index -1 = append after the statics. */
struct mm_z_entry {
    uint64_t base, limit;
    uint8_t rbar, ai;
    int16_t index;
};

struct mm_z_thread {
    uint8_t created, user;        /* K_USER */
    int8_t domain;                /* -1: none */
    uint8_t region_num;           /* arch.region_num */
    uint64_t stack_obj, stack_size, stack_limit; /* stack_limit 0: no guard */
    struct mm_z_entry regions[MM_Z_LIST_MAX];   /* arch.regions */
};

struct mm_z_partition {
    uint64_t base, size; /* size 0: free slot */
    uint8_t rbar, ai;
};

struct mm_z_domain {
    uint8_t created;
    unsigned num_partitions;
    struct mm_z_partition part[MM_Z_PART_SLOTS];
    uint8_t member[MM_Z_THREADS]; /* thread ids in join order */
    unsigned nmembers;
};

struct mm_zephyr_state {
    struct mm_z_config cfg;
    unsigned static_num;    /* static_regions_num */
    unsigned max_partitions; /* what arch_mem_domain_max_partitions_get returned */
    struct mm_z_entry sys[MM_Z_SYS_SLOTS]; /* CPU 0's system list */
    unsigned sys_num;
    int current;            /* running thread, -1 before the first switch */
    int last_thread;        /* thread whose list the last call built or installed; -1 none */
    int translate_thread;   /* plain map/unmap traces: the thread of the translation, -1 */
    struct mm_z_thread thread[MM_Z_THREADS];
    struct mm_z_domain domain[MM_Z_DOMAINS];
    struct mm_z_config xlate_cfg; /* the configuration mm_z_boot_translated built */
};

/* ---- bao (mm/bao.c; docs/algorithms.md, variant bao) ---- */

#define MM_BAO_CPUS 8        /* CPUs a trace may have */
#define MM_BAO_VMS 8         /* VMs a trace may create */
#define MM_BAO_ENTRIES 64    /* VMPU_NUM_ENTRIES and MPU_ARCH_MAX_NUM_ENTRIES */
#define MM_BAO_MSGS 128      /* the pool of cross-CPU region messages */
#define MM_BAO_AS_HYP 0xFFu  /* the `as` argument naming the calling CPU's hypervisor space */
/* A flags word: PRBAR low bits [5:0] and PRLAR low bits [5:0] (EN as given; the arch layer
 * forces it by the address space's type). */
#define MM_BAO_FLAGS(prbar, prlar) ((unsigned)((prbar)&0x3Fu) | ((unsigned)((prlar)&0x3Fu) << 8))
#define MM_BAO_PRBAR_F(f) ((f)&0x3Fu)
#define MM_BAO_PRLAR_F(f) (((f) >> 8) & 0x3Fu)
#define MM_BAO_HYP_FLAGS MM_BAO_FLAGS(0x20, 0x03)      /* PTE_HYP_FLAGS */
#define MM_BAO_HYP_CODE_FLAGS MM_BAO_FLAGS(0x38, 0x03) /* PTE_HYP_FLAGS_CODE */
#define MM_BAO_HYP_DEV_FLAGS MM_BAO_FLAGS(0x32, 0x05)  /* PTE_HYP_DEV_FLAGS */
#define MM_BAO_VM_FLAGS MM_BAO_FLAGS(0x04, 0x03)       /* PTE_VM_FLAGS */
#define MM_BAO_VM_DEV_FLAGS MM_BAO_FLAGS(0x36, 0x05)   /* PTE_VM_DEV_FLAGS */
/* Sections (as_sec): the hypervisor's; a VM address space has only MM_BAO_SEC_GLOBAL (VM-any). */
enum mm_bao_sec { MM_BAO_SEC_GLOBAL, MM_BAO_SEC_IMAGE, MM_BAO_SEC_PRIVATE, MM_BAO_SEC_VM,
                  MM_BAO_SEC_COUNT };
/* mm_bao_map's opts word: the lock and broadcast arguments, mem_alloc_map (rc always "at"),
 * the section in bits [15:8]. */
#define MM_BAO_OPT_LOCKED 1u
#define MM_BAO_OPT_BROADCAST 2u
#define MM_BAO_OPT_ALLOC 4u
#define MM_BAO_OPT_SEC(s) ((unsigned)(s) << 8)
/* Return codes beyond 0 (true) and MM_EINVAL (false): the real code does not return. */
#define MM_EFAULT (-14)  /* a wild write (vMPU or physical pool exhausted): Bao crashes */
#define MM_EDEADLK (-35) /* the address-space lock is still held: the CPU spins forever */
#define MM_EHALT (-131)  /* ERROR(): Bao prints and spins (ENOTRECOVERABLE) */

/* What mem_prot_init maps on each CPU (the trace's "bao" header). */
struct mm_bao_config {
    unsigned ncpus;                 /* 1..MM_BAO_CPUS */
    uint64_t image_base, image_limit;       /* [_image_start, _image_end) */
    uint64_t image_load_end, image_noload;  /* load part end, no-load part start */
    int non_unified;                /* MEM_NON_UNIFIED: the load part gets PTE_HYP_FLAGS_CODE */
    uint64_t cpu_struct[MM_BAO_CPUS]; /* each CPU's struct cpu; 0: none is mapped */
    uint64_t cpu_struct_size;       /* bytes (whole pages) */
    unsigned implemented;           /* MPUIR_EL2.REGION: findings only (Bao never reads it;
                                       --fixed reads it) */
};

struct mm_bao_entry {
    uint64_t base, size;
    uint8_t prbar_f, prlar_f; /* low 6 bits of each register; EN as the arch layer left it */
    uint8_t state;            /* 0 free, 1 invalid (reserved), 2 valid */
    uint8_t locked, sec;
};

struct mm_bao_as {
    uint8_t type;      /* 0 hypervisor, 1 VM */
    uint8_t id;        /* 0 hypervisor; VMs 1, 2, ... */
    uint8_t lock_held; /* the spin lock */
    uint8_t nlist;     /* valid entries in list */
    uint8_t list[MM_BAO_ENTRIES]; /* vMPU indices of the valid entries by increasing base */
    struct mm_bao_entry e[MM_BAO_ENTRIES];
};

struct mm_bao_cpu {
    uint8_t booted, in_guest;
    int8_t vm;              /* VM of this CPU's vCPU, -1 none */
    unsigned nr;            /* indices the allocator may hand out (64; --fixed: MPUIR too) */
    uint64_t allocated, locked, hyp_mask, vcpu_mask;
    uint8_t owner[MM_BAO_ENTRIES]; /* address-space id per physical index */
    struct mm_bao_as hyp;   /* this CPU's own hypervisor address space */
};

struct mm_bao_vm {
    uint8_t created;
    uint64_t cpus;          /* CPUs with one of its vCPUs */
    struct mm_bao_as as;    /* shared by all its CPUs */
};

struct mm_bao_msg {
    uint8_t kind, target, as_type, as_id, locked, sec, prbar_f, prlar_f;
    uint64_t base, size;
};

struct mm_bao_state {
    struct mm_bao_config cfg;
    unsigned next_asid;     /* the address-space id counter (VMs from 1) */
    int cur;                /* CPU the hardware accesses reach now, -1 before the first */
    int halted;             /* 0, or the rc of the crash, halt or deadlock that stopped Bao */
    int call_cpu;           /* CPU of the running call (last_region is its index) */
    struct mm_bao_cpu cpu[MM_BAO_CPUS];
    struct mm_bao_vm vm[MM_BAO_VMS];
    struct mm_bao_msg q[MM_BAO_MSGS];
    unsigned qn;
    uint64_t ipis;          /* messages delivered so far */
};

/* Algorithm state: Xen's xen_mpumap, xen_mpumap_mask and max_mpu_regions, plus counters.
 * Caller-allocated; mm_init() first. Not thread-safe (Xen's lock is the caller's concern). */
struct mm_ctx {
    struct mm_options opt;                 /* as given to mm_init() */
    struct mm_hw hw;                       /* copied at mm_init() */
    unsigned max_regions;                  /* MPUIR_EL2.REGION as read at mm_boot() */
    struct mm_region table[MM_MAX_REGIONS]; /* xen_mpumap */
    uint64_t mask[4];                      /* xen_mpumap_mask: bit i = region i in use */
    unsigned used;                         /* popcount of mask */
    int last_region;   /* region the last call created, changed, found or freed; -1 if none */
    uint64_t scanned;  /* table entries examined by lookups and allocation, cumulative
                          (merge: records examined too) */
    struct mm_merge_state merge; /* merge policy only */
    struct mm_lazy_state lazy;   /* lazy policy only */
    struct mm_zephyr_state z;    /* zephyr only; table/mask mirror what it programmed (EL1) */
    struct mm_bao_state bao;     /* bao only; table/used mirror CPU 0's EL2 MPU */
};

/* Initialise ctx (table empty, nothing in use). The hw callbacks are copied. */
void mm_init(struct mm_ctx *ctx, const struct mm_options *opt, const struct mm_hw *hw);

/**
 * mm_boot - what head.S's enable_boot_cpu_mm and enable_mpu do (xen-mpu.md §8.1): read MPUIR_EL2, program
 * regions 0.. from r[0..n) (empty ones skipped, no index consumed) with PRSELR, ISB, PRBAR,
 * PRLAR, DSB SY, ISB each, mark them in use with refcount 0, then SCTLR_EL2: clear BR, set M,
 * C and WXN, ISB. Leaves PRSELR as the boot code does.
 * Returns 0, or MM_EINVAL (MM_MSG_BOOT_TOO_MANY logged) if a region index would reach
 * MPUIR_EL2.REGION (real Xen hangs there).
 */
int mm_boot(struct mm_ctx *ctx, const struct mm_boot_region *r, unsigned n);

/* Without a boot: read MPUIR_EL2 into max_regions and leave table, registers and SCTLR_EL2 as
 * they are (an empty table over an MPU the caller programs itself). */
void mm_attach(struct mm_ctx *ctx);

#ifndef MM_GUEST
/* Host only. After a boot someone else did (a real image's own head.S, run by the guest
 * engine): read MPUIR_EL2, then every region's PRBAR/PRLAR through PRSELR into the table
 * (refcount 0, in use per EN) as head.S's shadow copy has them; PRSELR_EL2 is left as it was. */
void mm_adopt(struct mm_ctx *ctx);
#endif

/* The policies (merge, lazy, reserve:K) serve the same four calls with the same meanings,
 * argument checks and return codes; docs/policies.md says what each does differently. */
/* map / modify: xen -> xen_mpumap_update(base, limit, flags); xen-transient ->
 * map_mm_range(base, limit, flags). flags without MM_FLAG_PRESENT removes (xen). */
int mm_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags);
/* unmap: xen -> xen_mpumap_update(base, limit, 0); xen-transient -> unmap_mm_range(base). */
int mm_unmap(struct mm_ctx *ctx, uint64_t base, uint64_t limit);
/* unmap_containing: xen -> destroy_xen_mapping_containing(addr); xen-transient ->
 * unmap_mm_range(addr). */
int mm_unmap_containing(struct mm_ctx *ctx, uint64_t addr);
/**
 * mm_ioremap - ioremap_attr(addr, size, flags) (xen-mpu.md §7; xen-transient: built on map_mm_range)
 * @ret: written always: the returned pointer value (addr with its sub-page offset), 0 for NULL
 * Returns 0 when the pointer is non-NULL, MM_EINVAL for NULL.
 */
int mm_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags, uint64_t *ret);

/* mpumap_contains_region over ctx's table: classification (xen-mpu.md §5); *idx = index or MM_INVALID_IDX.
 * Counts examined entries in ctx->scanned. Logs MM_MSG_OVERLAP on OVERLAP. */
int mm_contains_region(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned *idx);

/* pr_of_addr (xen-mpu.md §4.4): the region value for [base, limit) with flags; refcount 0, EN set. */
struct mm_region mm_region_of(uint64_t base, uint64_t limit, unsigned flags);

/* Decoded accessors of a table entry (software view). */
static inline int mm_region_valid(const struct mm_region *r) { return (int)(r->prlar & 1u); }
static inline uint64_t mm_region_base(const struct mm_region *r)
{
    return r->prbar & 0x0000FFFFFFFFFFC0ull;
}
/* Inclusive last byte: (LIMIT << 6) | 0x3F. */
static inline uint64_t mm_region_last(const struct mm_region *r)
{
    return (r->prlar & 0x0000FFFFFFFFFFC0ull) | 0x3Full;
}

/* ---- zephyr entry points (mm/zephyr.c). Thread and domain ids are small integers the
 * caller checked (created before use, < MM_Z_THREADS / MM_Z_DOMAINS; domain 0 is the default
 * domain and always exists). Each returns the call's rc: 0, MM_EINVAL, MM_ENOENT, -28. ---- */
#define MM_ENOSPC (-28)
/* z_arm64_mm_init(true): MPU off, MAIR, SoC and DT regions, MPU on, the system list (Z2),
 * the maximum-partitions query (Z11), flush of the system list. Returns 0, or MM_EINVAL when
 * the SoC table does not fit MPUIR_EL1 (nothing programmed). */
int mm_z_boot(struct mm_ctx *ctx, const struct mm_z_config *cfg);
/* Boot for a plain trace (docs/algorithms.md, translation): the Xen boot regions as the SoC
 * table, a background [MM_Z_XLATE_BASE, MM_Z_XLATE_LIMIT) after them as the dynamic area, no
 * IRQ stack; then thread 0 (kernel, no stack) in the default domain, switched to. */
#define MM_Z_XLATE_BASE 0x1000ull
#define MM_Z_XLATE_LIMIT 0x1000000000000ull
int mm_z_boot_translated(struct mm_ctx *ctx, const struct mm_boot_region *r, unsigned n);
int mm_z_thread_create(struct mm_ctx *ctx, unsigned thread, uint64_t stack_obj, uint64_t size,
                       int user);
int mm_z_domain_init(struct mm_ctx *ctx, unsigned domain);
/* One partition of a domain_init (k_mem_domain_init records and hooks them one by one). */
int mm_z_domain_init_partition(struct mm_ctx *ctx, unsigned domain, uint64_t base,
                               uint64_t limit, unsigned attr);
int mm_z_domain_add_partition(struct mm_ctx *ctx, unsigned domain, uint64_t base,
                              uint64_t limit, unsigned attr);
int mm_z_domain_remove_partition(struct mm_ctx *ctx, unsigned domain, uint64_t base,
                                 uint64_t limit);
int mm_z_domain_add_thread(struct mm_ctx *ctx, unsigned domain, unsigned thread);
int mm_z_user_enter(struct mm_ctx *ctx, unsigned thread);
int mm_z_switch(struct mm_ctx *ctx, unsigned thread);
/* region_num of the thread the last call built or installed, -1 when none. */
int mm_z_region_num(const struct mm_ctx *ctx);
/* The translation of the plain calls (mm_map & co. dispatch here for MM_ALGO_ZEPHYR). */
int mm_z_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags);
int mm_z_unmap(struct mm_ctx *ctx, uint64_t base, uint64_t limit);
int mm_z_unmap_containing(struct mm_ctx *ctx, uint64_t addr);
int mm_z_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                 uint64_t *ret);

/* ---- bao entry points (mm/bao.c). cpu < cfg.ncpus, booted (cpu_boot first); as is a VM
 * index (< MM_BAO_VMS, created) or MM_BAO_AS_HYP; the caller checked them. Each returns 0
 * (true), MM_EINVAL (false), or MM_EFAULT / MM_EHALT / MM_EDEADLK where Bao stops: after
 * that every call returns the same code and does nothing. Messages to other CPUs are
 * delivered at the end of each call, in order (exit, handler, entry for a CPU in its guest). */
/* Store the configuration; no hardware access. */
void mm_bao_setup(struct mm_ctx *ctx, const struct mm_bao_config *cfg);
/* mem_prot_init on cpu: image and struct cpu regions (locked), then the MPU on. */
int mm_bao_cpu_boot(struct mm_ctx *ctx, unsigned cpu);
/* as_init(AS_VM) for VM vm (next id) and one vCPU on each CPU of cpus (a bit mask). */
int mm_bao_vm_create(struct mm_ctx *ctx, unsigned vm, uint64_t cpus);
/* mem_map / mem_alloc_map[_dev] of [base, limit) with a flags word, opts MM_BAO_OPT_*. */
int mm_bao_map(struct mm_ctx *ctx, unsigned cpu, unsigned as, uint64_t base, uint64_t limit,
               unsigned flags, unsigned opts);
/* mem_unmap_range(as, base, limit - base, broadcast). */
int mm_bao_unmap(struct mm_ctx *ctx, unsigned cpu, unsigned as, uint64_t base, uint64_t limit,
                 int broadcast);
/* mem_map_cpy(from, to, sec, va, va, pages). */
int mm_bao_map_cpy(struct mm_ctx *ctx, unsigned cpu, unsigned from, unsigned to, unsigned sec,
                   uint64_t va, uint64_t pages);
/* The PRENR_EL2 writes of the exception entry and exit paths. */
int mm_bao_vm_entry(struct mm_ctx *ctx, unsigned cpu);
int mm_bao_vm_exit(struct mm_ctx *ctx, unsigned cpu);
/* Per-CPU outputs: valid vMPU entries of the CPU's hypervisor space and of its VM's space,
 * physical indices allocated. */
unsigned mm_bao_hyp_entries(const struct mm_ctx *ctx, unsigned cpu);
unsigned mm_bao_vm_entries(const struct mm_ctx *ctx, unsigned cpu);
unsigned mm_bao_allocated(const struct mm_ctx *ctx, unsigned cpu);
/* Plain traces (docs/algorithms.md, translation): the boot regions as CPU 0's image parts
 * (rounded out to pages), then mem_prot_init on CPU 0; map/unmap in its hypervisor space. */
int mm_bao_boot_translated(struct mm_ctx *ctx, const struct mm_boot_region *r, unsigned n);
int mm_bao_xlate_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags);
int mm_bao_xlate_unmap(struct mm_ctx *ctx, uint64_t base, uint64_t limit);
int mm_bao_xlate_unmap_containing(struct mm_ctx *ctx, uint64_t addr);
int mm_bao_xlate_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                         uint64_t *ret);

/* Name of an algorithm ("xen", "xen-transient", "merge", "lazy", "reserve"); from-name returns
 * -1 if unknown, and accepts "reserve:K" as MM_ALGO_RESERVE (K itself: mm_algo_parse). */
const char *mm_algo_name(enum mm_algo a);
int mm_algo_from_name(const char *name);
/**
 * mm_algo_parse - parse an --algo value into options
 * @name: "xen", "xen-transient", "merge", "lazy", "reserve" (K = MM_RESERVE_DEFAULT_K) or
 *        "reserve:K" with K decimal, 0..254
 * @opt:  on success: algo set, reserve_k set (0 unless reserve); other fields untouched.
 *        Untouched on failure.
 * Returns 0, or -1 for an unknown name or a bad K.
 */
int mm_algo_parse(const char *name, struct mm_options *opt);

#ifndef MM_GUEST
#include <stddef.h>
/* Host only: format a log message with the reference text (xen-mpu.md §6, §10) into buf (capacity cap,
 * NUL-terminated). Returns the length the full text needs. Findings get a "finding: " prefix
 * and mpusim's own wording. */
size_t mm_msg_format(enum mm_msg id, uint64_t a, uint64_t b, uint64_t c, uint64_t d, char *buf,
                     size_t cap);
/* Short stable name of a message id for JSON ("overlap", "prenr_not_disabled", ...). */
const char *mm_msg_name(enum mm_msg id);
/* 1 if id is a finding (MM_FINDING_*), else 0. */
int mm_msg_is_finding(enum mm_msg id);
/* The system whose code prints message id: "zephyr", "bao", or "xen" (Xen's and the policies
 * built on its code). */
const char *mm_msg_system(enum mm_msg id);
#endif

#endif
