/* mm/msg.c: message texts, names, the finding flag, and buffer handling. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/mm.h"

struct text_case {
    enum mm_msg id;
    uint64_t a, b, c, d;
    const char *text;
};

static const struct text_case xen_texts[] = {
    { MM_MSG_RWX, 0, 0, 0, 0, "Mappings should not be both Writeable and Executable" },
    { MM_MSG_BASE_GE_LIMIT, 0x40000000, 0x40000000, 0, 0,
      "Base address 0x40000000 must be smaller than limit address 0x40000000" },
    { MM_MSG_NOT_PAGE_ALIGNED, 0x40000800, 0x40001000, 0, 0,
      "base address 0x40000800, or limit address 0x40001000 is not page aligned" },
    { MM_MSG_OVERLAP, 0x79000, 0x7a000, 0x0, 0x79d00,
      "Range 0x79000 - 0x7a000 overlaps with the existing region 0x0 - 0x79d00" },
    { MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0, "EL2 MPU memory region mapping pool exhausted" },
    { MM_MSG_REFCOUNT_OVERFLOW, 0, 0, 0, 0,
      "Cannot allocate region as it would cause refcount overflow" },
    { MM_MSG_AI_CHANGE, 0, 0, 0, 0, "Modifying AI attribute is not supported" },
    { MM_MSG_PARTIAL_ATTR, 0, 0, 0, 0, "Cannot modify partial region attributes" },
    { MM_MSG_MULTI_MAPPED_ATTR, 0, 0, 0, 0,
      "Cannot modify RO,XN attributes for a region mapped multiple times" },
    { MM_MSG_REMOVE_NOT_EXIST, 0, 0, 0, 0, "Cannot remove an entry that does not exist" },
    { MM_MSG_REMOVE_ENTRY_NOT_EXIST, 0, 0, 0, 0, "Cannot remove entry that does not exist" },
    { MM_MSG_REMOVE_PARTIAL, 0, 0, 0, 0, "Cannot remove a partial region" },
    { MM_MSG_ALREADY_DISABLED, 7, 0, 0, 0, "MPU memory region[7] is already disabled" },
    { MM_MSG_BOOT_TOO_MANY, 0, 0, 0, 0,
      "- Selected MPU region is above the implemented number in MPUIR_EL2 -" },
    { MM_MSG_T_OVERLAP, 0, 0, 0, 0, "Cannot handle overlapping MPU memory protection regions" },
    { MM_MSG_T_RO_MISMATCH, 0, 1, 0, 0,
      "Mismatched Access Permission attributes (0x00 instead of 0x10)" },
    { MM_MSG_T_XN_MISMATCH, 1, 0, 0, 0, "Mismatched Execute Never attributes (0x1 instead of 0x0)" },
    { MM_MSG_T_AI_MISMATCH, 4, 7, 0, 0,
      "Mismatched Memory Attribute Index (0x4 instead of 0x7)" },
    { MM_MSG_T_DIFFERENT_FLAGS, 0x9c090000, 0x9c091000, 0, 0,
      "Range 0x9c090000-0x9c091000 already mapped with different flags" },
    { MM_MSG_T_LOOKUP_FAILED, 0x79000, 0, 0, 0,
      "Cannot handle overlapping MPU memory protection regions" },
    { MM_MSG_T_UNMAP_FAILED, 0x50000000, 0, 0, 0,
      "Failed to unmap_mm_range MPU memory region at 0x50000000" },
};

Test(msg, xen_messages_have_the_reference_printk_text)
{
    for (size_t i = 0; i < sizeof xen_texts / sizeof xen_texts[0]; i++) {
        const struct text_case *c = &xen_texts[i];
        char buf[256];
        size_t n = mm_msg_format(c->id, c->a, c->b, c->c, c->d, buf, sizeof buf);
        cr_expect_str_eq(buf, c->text, "%s", mm_msg_name(c->id));
        cr_expect_eq(n, strlen(c->text));
    }
}

Test(msg, findings_carry_the_prefix_and_their_numbers)
{
    char buf[512];
    mm_msg_format(MM_FINDING_PRENR_NOT_DISABLED, 40, 0, 0, 0, buf, sizeof buf);
    cr_expect_eq(strncmp(buf, "finding: region 40 ", 19), 0, "%s", buf);
    mm_msg_format(MM_FINDING_PRENR_WRAPPED, 64, 0, 0, 0, buf, sizeof buf);
    cr_expect_not_null(strstr(buf, "disabling region 0"), "%s", buf);
    mm_msg_format(MM_FINDING_PRENR_WRAPPED, 100, 36, 0, 0, buf, sizeof buf);
    cr_expect_not_null(strstr(buf, "bit 36 is RES0"), "%s", buf);
    mm_msg_format(MM_FINDING_WHOLE_REGION_UNMAP, 0x18000000, 0x10000000, 0x20000000, 5, buf,
                  sizeof buf);
    cr_expect_str_eq(buf, "finding: unmap of the page at 0x18000000 disabled the whole region 5 "
                          "[0x10000000, 0x20000000) (refcount was 0)");
    mm_msg_format(MM_FINDING_AI_DROPPED, 5, 1, 7, 0, buf, sizeof buf);
    cr_expect_str_eq(buf, "finding: region 5: RO/XN changed in place, requested AttrIndx 1 "
                          "dropped (AttrIndx 7 kept)");
    mm_msg_format(MM_FINDING_CONTAINING_OVERLAP, 0x79000, 0, 0, 0, buf, sizeof buf);
    cr_expect_eq(strncmp(buf, "finding: destroy_xen_mapping_containing(0x79000)", 48), 0, "%s",
                 buf);
}

Test(msg, exactly_the_mm_finding_ids_are_findings)
{
    for (int id = 0; id < MM_MSG_COUNT; id++) {
        char buf[512];
        mm_msg_format((enum mm_msg)id, 1, 2, 3, 4, buf, sizeof buf);
        int prefixed = strncmp(buf, "finding: ", 9) == 0;
        cr_expect_eq(mm_msg_is_finding((enum mm_msg)id), prefixed, "%s", mm_msg_name((enum mm_msg)id));
    }
    cr_expect_eq(mm_msg_is_finding(MM_FINDING_PRENR_NOT_DISABLED), 1);
    cr_expect_eq(mm_msg_is_finding(MM_FINDING_CONTAINING_OVERLAP), 1);
    cr_expect_eq(mm_msg_is_finding(MM_MSG_T_UNMAP_FAILED), 0);
}

Test(msg, every_id_has_a_distinct_lower_case_name)
{
    for (int i = 0; i < MM_MSG_COUNT; i++) {
        const char *a = mm_msg_name((enum mm_msg)i);
        cr_assert_not_null(a);
        cr_expect_gt(strlen(a), 2);
        for (const char *p = a; *p; p++)
            cr_expect((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9'), "%s", a);
        for (int j = i + 1; j < MM_MSG_COUNT; j++)
            cr_expect_str_neq(a, mm_msg_name((enum mm_msg)j));
    }
    cr_expect_str_eq(mm_msg_name(MM_MSG_OVERLAP), "overlap");
    cr_expect_str_eq(mm_msg_name(MM_FINDING_PRENR_NOT_DISABLED), "prenr_not_disabled");
    cr_expect_str_eq(mm_msg_name(MM_MSG_COUNT), "unknown");
}

Test(msg, a_short_buffer_is_truncated_and_terminated_and_the_full_length_returned)
{
    char buf[8];
    size_t n = mm_msg_format(MM_MSG_AI_CHANGE, 0, 0, 0, 0, buf, sizeof buf);
    cr_expect_eq(n, strlen("Modifying AI attribute is not supported"));
    cr_expect_str_eq(buf, "Modifyi");
    char one = 'x';
    cr_expect_eq(mm_msg_format(MM_MSG_RWX, 0, 0, 0, 0, &one, 0), 52);
    cr_expect_eq(one, 'x', "capacity 0 writes nothing");
}

Test(msg, zero_prints_as_0x0_as_xens_vsnprintf_does)
{
    char buf[128];
    mm_msg_format(MM_MSG_BASE_GE_LIMIT, 0, 0, 0, 0, buf, sizeof buf);
    cr_expect_str_eq(buf, "Base address 0x0 must be smaller than limit address 0x0");
    mm_msg_format(MM_MSG_BASE_GE_LIMIT, UINT64_MAX, 0, 0, 0, buf, sizeof buf);
    cr_expect_str_eq(buf,
                     "Base address 0xffffffffffffffff must be smaller than limit address 0x0");
}
