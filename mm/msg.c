/* Host only: the text of each message mm/ logs. Xen's own messages use the printk text of the
 * reference (xen-mpu.md §6, §8.1, §10.1) with %#lx rendered as Xen's vsnprintf does ("0x" also for 0);
 * findings are mpusim's own words with a "finding: " prefix (docs/findings.md). */
#ifndef MM_GUEST
#include <string.h>

#include "mm/internal.h"

/*
 * Templates: "%x<i>" prints argument i (0 = a .. 3 = d) in hex with "0x", "%h<i>" in hex without
 * it, "%u<i>" in decimal, "%d<i>" in signed decimal.
 */
static const char *const templates[MM_MSG_COUNT] = {
    [MM_MSG_RWX] = "Mappings should not be both Writeable and Executable",
    [MM_MSG_BASE_GE_LIMIT] = "Base address %x0 must be smaller than limit address %x1",
    [MM_MSG_NOT_PAGE_ALIGNED] = "base address %x0, or limit address %x1 is not page aligned",
    [MM_MSG_OVERLAP] = "Range %x0 - %x1 overlaps with the existing region %x2 - %x3",
    [MM_MSG_POOL_EXHAUSTED] = "EL2 MPU memory region mapping pool exhausted",
    [MM_MSG_REFCOUNT_OVERFLOW] = "Cannot allocate region as it would cause refcount overflow",
    [MM_MSG_AI_CHANGE] = "Modifying AI attribute is not supported",
    [MM_MSG_PARTIAL_ATTR] = "Cannot modify partial region attributes",
    [MM_MSG_MULTI_MAPPED_ATTR] =
        "Cannot modify RO,XN attributes for a region mapped multiple times",
    [MM_MSG_REMOVE_NOT_EXIST] = "Cannot remove an entry that does not exist",
    [MM_MSG_REMOVE_ENTRY_NOT_EXIST] = "Cannot remove entry that does not exist",
    [MM_MSG_REMOVE_PARTIAL] = "Cannot remove a partial region",
    [MM_MSG_ALREADY_DISABLED] = "MPU memory region[%u0] is already disabled",
    [MM_MSG_BOOT_TOO_MANY] =
        "- Selected MPU region is above the implemented number in MPUIR_EL2 -",
    [MM_MSG_T_OVERLAP] = "Cannot handle overlapping MPU memory protection regions",
    /* The proposal's format was "%#x0": the value in hex followed by a literal 0. */
    [MM_MSG_T_RO_MISMATCH] = "Mismatched Access Permission attributes (%x00 instead of %x10)",
    [MM_MSG_T_XN_MISMATCH] = "Mismatched Execute Never attributes (%x0 instead of %x1)",
    [MM_MSG_T_AI_MISMATCH] = "Mismatched Memory Attribute Index (%x0 instead of %x1)",
    [MM_MSG_T_DIFFERENT_FLAGS] = "Range %x0-%x1 already mapped with different flags",
    /* v3's unmap_mm_range reused the map path's text for a negative lookup result. */
    [MM_MSG_T_LOOKUP_FAILED] = "Cannot handle overlapping MPU memory protection regions",
    [MM_MSG_T_UNMAP_FAILED] = "Failed to unmap_mm_range MPU memory region at %x0",
    [MM_MSG_Z_TOO_MANY_STATIC] = "Request to configure: %u0 regions (supported: %u1)",
    [MM_MSG_Z_DYN_INIT_FAIL] = "Dynamic areas init fail",
    [MM_MSG_Z_SYS_TOO_LARGE] = "system dynamic region nums too large.",
    [MM_MSG_Z_OUT_OF_BOUNDS] =
        "Out-of-bounds error for mpu regions. region num: %u0, total mpu regions: %u1",
    [MM_MSG_Z_NOT_ENOUGH] = "MPU regions not enough, demand: %u0, regions: %u1",
    [MM_MSG_Z_PART_OVERLAP] =
        "partition base %h0 (size %u1) overlaps existing base %h2 (size %u3)",
    [MM_FINDING_PRENR_NOT_DISABLED] =
        "finding: region %u0 freed by clearing PRENR_EL2 bit %u0, which is RES0 (PRENR holds "
        "regions 0..31 only): the region stays enabled in hardware while the table marks it "
        "free",
    [MM_FINDING_PRENR_WRAPPED] = NULL, /* two forms, chosen in mm_msg_format */
    [MM_FINDING_WHOLE_REGION_UNMAP] =
        "finding: unmap of the page at %x0 disabled the whole region %u3 [%x1, %x2) "
        "(refcount was 0)",
    [MM_FINDING_AI_DROPPED] = "finding: region %u0: RO/XN changed in place, requested AttrIndx "
                              "%u1 dropped (AttrIndx %u2 kept)",
    [MM_FINDING_CONTAINING_OVERLAP] =
        "finding: destroy_xen_mapping_containing(%x0): the page overlaps a region without lying "
        "inside it; upstream then uses index 0xFF, one past the end of xen_mpumap (mpusim "
        "returns -EINVAL)",
    [MM_FINDING_Z_STALE_PARTITION] =
        "finding: removed partition [%x0, %x1) is programmed again: the remove hook runs before "
        "the kernel frees the slot, so access stays granted until the next reconfiguration",
    [MM_FINDING_Z_HIDDEN_PARTITION] =
        "finding: partition [%x0, %x1) skipped: the countdown over the domain's slots also "
        "counts empty slots, so the thread gets no region for it",
    [MM_FINDING_Z_BASE0_SLOT] =
        "finding: list slot %u0 holding [%x1, %x2) taken as free because its base is 0, and "
        "overwritten",
    [MM_FINDING_Z_WHOLE_SPACE] =
        "finding: an empty list slot is counted and programmed at index %u0: limit 0 - 1 "
        "wraps, the region covers the whole address space",
    [MM_FINDING_Z_LOST_WRITES] =
        "finding: %u1 region(s) programmed from index %u0 on, past the %u2 the MPU implements: "
        "the writes are lost and those entries are missing",
    [MM_FINDING_Z_NOT_FLUSHED] =
        "finding: a list of %u0 entries is refused for %u1 regions without reprogramming: the "
        "previous thread's map stays active",
    [MM_FINDING_Z_FALLBACK] =
        "finding: thread %u0's list could not be built (rc %d1): region_num 0, it runs with the "
        "system list only (no stack or partitions) and the MPU is not re-flushed",
    [MM_FINDING_Z_MAX_PARTITIONS] =
        "finding: maximum partitions %u0 exceeds CONFIG_MAX_DOMAIN_PARTITIONS %u1: the slot "
        "search runs past the domain's partition array",
    [MM_FINDING_Z_MISALIGNED] =
        "finding: partition [%x0, %x1) is not 64-byte aligned: the region masks truncate it "
        "silently",
    [MM_FINDING_ADDRESS_TRUNCATED] =
        "finding: [%x0, %x1) reaches 2^48 or beyond: PRBAR/PRLAR hold address bits [47:6] "
        "only, so the MPU gets [%x2, %x3)",
    [MM_MSG_BAO_GRANULARITY] =
        "trying to set mpu region which is not a multiple of granularity",
    /* Bao's format has a %d with no argument: the value printed is whatever the register
     * held; mpusim prints the format as it stands. */
    [MM_MSG_BAO_NO_MASK] = "Couldn't find an mpu_mask for as_id %d",
    [MM_MSG_BAO_POOL] = "Failed allocating shared region node",
    [MM_MSG_BAO_UNKNOWN_VM] = "Received shared region for unknown vm address space.",
    [MM_MSG_BAO_MAP_CPY_MAP] = "failed mem map on mem map cpy",
    [MM_MSG_BAO_MAP_CPY] = "failed mem map cpy",
    [MM_FINDING_BAO_OVERLAP] =
        "finding: [%x0, %x1) overlaps the entry [%x2, %x3) without lying inside it: the "
        "containment-only check maps it as a second, overlapping region",
    [MM_FINDING_BAO_DESYNC] =
        "finding: cpu %u0: the broadcast REMOVE of [%x1, %x2) cuts the entry this CPU merged "
        "locally (up to %x3): the range stays mapped on the sender only",
    [MM_FINDING_BAO_PHYS_FULL] =
        "finding: cpu %u0: all 64 physical indices allocated: the not-found index (all ones) "
        "is written into the bitmap and owner table, out of bounds: Bao crashes",
    [MM_FINDING_BAO_VMPU_FULL] =
        "finding: address space %u0: all 64 vMPU entries in use: the clean-up dereferences "
        "the missing entry (NULL write): Bao crashes",
    [MM_FINDING_BAO_PHANTOM] =
        "finding: cpu %u0: index %u1 allocated, but MPUIR_EL2 implements %u2 regions (never "
        "read): the writes are lost and the entry cannot be found again",
    [MM_FINDING_BAO_LOST_INDEX] =
        "finding: cpu %u0: no allocated index reads back base %x1: mpu_unmap returns true and "
        "the index stays allocated for ever",
    [MM_FINDING_BAO_LOCK_HELD] =
        "finding: address space %u0: a remainder insert failed and mem_unmap_range returned "
        "false holding the lock: the next map or unmap of it deadlocks",
    [MM_FINDING_BAO_DEADLOCK] =
        "finding: address space %u0: its lock is still held (a failed unmap): the CPU spins "
        "for ever",
    [MM_FINDING_BAO_PRENR_REACH] =
        "finding: cpu %u0: index %u1 is switched by PRENR_EL2 on VM entry and exit, which holds "
        "indices 0..31 only: its enable bit never changes",
    [MM_FINDING_BAO_IGNORED] =
        "finding: mem_alloc_map of [%x0, %x1) failed and returned the address anyway: the "
        "caller believes it mapped",
    [MM_FINDING_BAO_CPY_WINDOW] =
        "finding: mem_map_cpy from %x0 copies from the entry's base %x1 instead: the copied "
        "window is shifted",
    [MM_FINDING_BAO_STUCK_ENTRY] =
        "finding: cpu %u0: the arch map found no entry mask: physical index %u1 stays "
        "allocated and the vMPU entry stays reserved (invalid) for ever",
    [MM_FINDING_BAO_MERGE_FAILED] =
        "finding: cpu %u0: the merge update of the entry at %x1 found no index (read back "
        "differs): the entries stay apart (the real loop would retry the same pair)",
};

static const char *const wrapped_clears =
    "finding: region %u0 freed through PRENR_EL2 with a shift that wraps modulo 64: bit %u1 is "
    "cleared instead, disabling region %u1; region %u0 stays enabled in hardware";
static const char *const wrapped_res0 =
    "finding: region %u0 freed through PRENR_EL2 with a shift that wraps modulo 64: bit %u1 is "
    "RES0, nothing is disabled; region %u0 stays enabled in hardware";

static const char *const names[MM_MSG_COUNT] = {
    [MM_MSG_RWX] = "rwx",
    [MM_MSG_BASE_GE_LIMIT] = "base_ge_limit",
    [MM_MSG_NOT_PAGE_ALIGNED] = "not_page_aligned",
    [MM_MSG_OVERLAP] = "overlap",
    [MM_MSG_POOL_EXHAUSTED] = "pool_exhausted",
    [MM_MSG_REFCOUNT_OVERFLOW] = "refcount_overflow",
    [MM_MSG_AI_CHANGE] = "ai_change",
    [MM_MSG_PARTIAL_ATTR] = "partial_attr",
    [MM_MSG_MULTI_MAPPED_ATTR] = "multi_mapped_attr",
    [MM_MSG_REMOVE_NOT_EXIST] = "remove_not_exist",
    [MM_MSG_REMOVE_ENTRY_NOT_EXIST] = "remove_entry_not_exist",
    [MM_MSG_REMOVE_PARTIAL] = "remove_partial",
    [MM_MSG_ALREADY_DISABLED] = "already_disabled",
    [MM_MSG_BOOT_TOO_MANY] = "boot_too_many",
    [MM_MSG_T_OVERLAP] = "transient_overlap",
    [MM_MSG_T_RO_MISMATCH] = "transient_ro_mismatch",
    [MM_MSG_T_XN_MISMATCH] = "transient_xn_mismatch",
    [MM_MSG_T_AI_MISMATCH] = "transient_ai_mismatch",
    [MM_MSG_T_DIFFERENT_FLAGS] = "transient_different_flags",
    [MM_MSG_T_LOOKUP_FAILED] = "transient_lookup_failed",
    [MM_MSG_T_UNMAP_FAILED] = "transient_unmap_failed",
    [MM_FINDING_PRENR_NOT_DISABLED] = "prenr_not_disabled",
    [MM_FINDING_PRENR_WRAPPED] = "prenr_wrapped",
    [MM_FINDING_WHOLE_REGION_UNMAP] = "whole_region_unmap",
    [MM_FINDING_AI_DROPPED] = "ai_dropped",
    [MM_FINDING_CONTAINING_OVERLAP] = "containing_overlap",
    [MM_MSG_Z_TOO_MANY_STATIC] = "zephyr_too_many_static",
    [MM_MSG_Z_DYN_INIT_FAIL] = "zephyr_dynamic_areas_init_fail",
    [MM_MSG_Z_SYS_TOO_LARGE] = "zephyr_system_list_too_large",
    [MM_MSG_Z_OUT_OF_BOUNDS] = "zephyr_out_of_bounds",
    [MM_MSG_Z_NOT_ENOUGH] = "zephyr_regions_not_enough",
    [MM_MSG_Z_PART_OVERLAP] = "zephyr_partition_overlap",
    [MM_FINDING_Z_STALE_PARTITION] = "zephyr_stale_partition",
    [MM_FINDING_Z_HIDDEN_PARTITION] = "zephyr_hidden_partition",
    [MM_FINDING_Z_BASE0_SLOT] = "zephyr_base0_slot",
    [MM_FINDING_Z_WHOLE_SPACE] = "zephyr_whole_space_region",
    [MM_FINDING_Z_LOST_WRITES] = "zephyr_lost_writes",
    [MM_FINDING_Z_NOT_FLUSHED] = "zephyr_not_flushed",
    [MM_FINDING_Z_FALLBACK] = "zephyr_fallback_system_list",
    [MM_FINDING_Z_MAX_PARTITIONS] = "zephyr_max_partitions",
    [MM_FINDING_Z_MISALIGNED] = "zephyr_misaligned",
    [MM_FINDING_ADDRESS_TRUNCATED] = "address_truncated",
    [MM_MSG_BAO_GRANULARITY] = "bao_granularity",
    [MM_MSG_BAO_NO_MASK] = "bao_no_mpu_mask",
    [MM_MSG_BAO_POOL] = "bao_message_pool",
    [MM_MSG_BAO_UNKNOWN_VM] = "bao_unknown_vm",
    [MM_MSG_BAO_MAP_CPY_MAP] = "bao_map_cpy_map_failed",
    [MM_MSG_BAO_MAP_CPY] = "bao_map_cpy_failed",
    [MM_FINDING_BAO_OVERLAP] = "bao_overlap_accepted",
    [MM_FINDING_BAO_DESYNC] = "bao_merge_broadcast_desync",
    [MM_FINDING_BAO_PHYS_FULL] = "bao_physical_exhausted",
    [MM_FINDING_BAO_VMPU_FULL] = "bao_vmpu_exhausted",
    [MM_FINDING_BAO_PHANTOM] = "bao_phantom_index",
    [MM_FINDING_BAO_LOST_INDEX] = "bao_lost_index",
    [MM_FINDING_BAO_LOCK_HELD] = "bao_lock_held",
    [MM_FINDING_BAO_DEADLOCK] = "bao_deadlock",
    [MM_FINDING_BAO_PRENR_REACH] = "bao_prenr_unreachable",
    [MM_FINDING_BAO_IGNORED] = "bao_alloc_map_ignored",
    [MM_FINDING_BAO_CPY_WINDOW] = "bao_map_cpy_window",
    [MM_FINDING_BAO_STUCK_ENTRY] = "bao_stuck_entry",
    [MM_FINDING_BAO_MERGE_FAILED] = "bao_merge_failed",
};

/* A bounded writer that keeps counting past the capacity. */
struct out {
    char *buf;
    size_t cap;
    size_t len; /* characters the full text needs so far */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

static void put_num_bare(struct out *o, uint64_t v, unsigned radix)
{
    char digits[20];
    unsigned n = 0;
    do {
        unsigned d = (unsigned)(v % radix);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= radix;
    } while (v);
    while (n)
        put(o, digits[--n]);
}

static void put_num(struct out *o, uint64_t v, unsigned radix)
{
    if (radix == 16) {
        put(o, '0');
        put(o, 'x');
    }
    put_num_bare(o, v, radix);
}

size_t mm_msg_format(enum mm_msg id, uint64_t a, uint64_t b, uint64_t c, uint64_t d, char *buf,
                     size_t cap)
{
    const uint64_t arg[4] = { a, b, c, d };
    struct out o = { buf, cap, 0 };
    const char *t;
    if ((unsigned)id >= MM_MSG_COUNT)
        t = "unknown message";
    else if (id == MM_FINDING_PRENR_WRAPPED)
        t = b < MM_PRENR_BITS ? wrapped_clears : wrapped_res0;
    else
        t = templates[id];
    while (*t) {
        if (t[0] == '%' && (t[1] == 'x' || t[1] == 'u' || t[1] == 'h' || t[1] == 'd') &&
            t[2] >= '0' && t[2] <= '3') {
            uint64_t v = arg[t[2] - '0'];
            if (t[1] == 'd' && (int64_t)v < 0) {
                put(&o, '-');
                v = (uint64_t)(-(int64_t)v);
            }
            if (t[1] == 'h') /* hex without "0x", as Zephyr's %lx */
                put_num_bare(&o, v, 16);
            else
                put_num(&o, v, t[1] == 'x' ? 16 : 10);
            t += 3;
        } else {
            put(&o, *t++);
        }
    }
    if (cap > 0)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    return o.len;
}

const char *mm_msg_name(enum mm_msg id)
{
    return (unsigned)id < MM_MSG_COUNT ? names[id] : "unknown";
}

const char *mm_msg_system(enum mm_msg id)
{
    const char *n = mm_msg_name(id);
    if (strncmp(n, "zephyr_", 7) == 0)
        return "zephyr";
    if (strncmp(n, "bao_", 4) == 0)
        return "bao";
    return "xen";
}

int mm_msg_is_finding(enum mm_msg id)
{
    if (id >= MM_MSG_BAO_GRANULARITY && id < MM_FINDING_BAO_OVERLAP)
        return 0; /* bao's own messages */
    return id >= MM_FINDING_PRENR_NOT_DISABLED && id < MM_MSG_COUNT;
}
#endif
