/* Host only: the text of each message mm/ logs. Xen's own messages use the printk text of the
 * reference (§6, §8.1, §10.1) with %#lx rendered as Xen's vsnprintf does ("0x" also for 0);
 * findings are mpusim's own words with a "finding: " prefix (docs/findings.md). */
#ifndef MM_GUEST
#include "mm/internal.h"

/*
 * Templates: "%x<i>" prints argument i (0 = a .. 3 = d) in hex with "0x", "%u<i>" in decimal.
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

static void put_num(struct out *o, uint64_t v, unsigned radix)
{
    char digits[20];
    unsigned n = 0;
    do {
        unsigned d = (unsigned)(v % radix);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= radix;
    } while (v);
    if (radix == 16) {
        put(o, '0');
        put(o, 'x');
    }
    while (n)
        put(o, digits[--n]);
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
        if (t[0] == '%' && (t[1] == 'x' || t[1] == 'u') && t[2] >= '0' && t[2] <= '3') {
            put_num(&o, arg[t[2] - '0'], t[1] == 'x' ? 16 : 10);
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

int mm_msg_is_finding(enum mm_msg id)
{
    return id >= MM_FINDING_PRENR_NOT_DISABLED && id < MM_MSG_COUNT;
}
#endif
