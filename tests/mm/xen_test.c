/* mm/xen.c: xen_mpumap_update's argument checks (xen-mpu.md §6.1), every row of the decision table
 * (xen-mpu.md §6.2), the removal helper (§6.5), destroy_xen_mapping_containing and ioremap_attr (§7). */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/mm/rig.h"

#define HEAP_BASE 0x10000000ull
#define HEAP_LIMIT 0x20000000ull
#define HEAP_PAGE 0x18000000ull

/* 16 regions, the 5 debug-build boot regions, and the static heap as region 5 (RW). */
static struct rig *heap_rig(int fixed)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, fixed);
    rig_boot_xen(r, 0);
    cr_assert_eq(mm_map(&r->ctx, HEAP_BASE, HEAP_LIMIT, RIG_RW), 0);
    cr_assert_eq(r->ctx.last_region, 5);
    fake_hw_clear_log(&r->hw);
    return r;
}

static const struct mm_region *heap(const struct rig *r)
{
    return &r->ctx.table[5];
}

/* ---- xen-mpu.md §6.1 argument checks ---- */

Test(xen, the_w_x_check_runs_first_and_needs_present)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_map(&r->ctx, 0x5000, 0x4000, RIG_RWX), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_RWX), 1, "W+X wins over base >= limit");
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_BASE_GE_LIMIT), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, 0x5000, 0x4000, RIG_RWX & ~MM_FLAG_PRESENT), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_RWX), 0, "without PRESENT it is a remove");
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_BASE_GE_LIMIT), 1);
    rig_free(r);
}

Test(xen, base_not_below_limit_is_checked_before_alignment)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_map(&r->ctx, 0x5800, 0x4800, RIG_RW), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_BASE_GE_LIMIT), 1);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_NOT_PAGE_ALIGNED), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, 0x40000000, 0x40000800, RIG_RW), MM_EINVAL,
                 "unaligned limit");
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_NOT_PAGE_ALIGNED), 1);
    rig_free(r);
}

Test(xen, argument_errors_exit_before_the_lookup)
{
    struct rig *r = heap_rig(0);
    uint64_t s0 = r->ctx.scanned;
    cr_expect_eq(mm_map(&r->ctx, 0x40000000, 0x40000800, RIG_RW), MM_EINVAL);
    cr_expect_eq(r->ctx.scanned, s0);
    cr_expect_eq(r->ctx.last_region, -1);
    rig_free(r);
}

/* ---- xen-mpu.md §6.2 decision table, row by row ---- */

Test(xen, overlap_fails_for_a_map_and_for_a_remove_and_changes_nothing)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_map(&r->ctx, 0x1ffff000, 0x20001000, RIG_RW), MM_EINVAL);
    cr_expect_eq(mm_unmap(&r->ctx, 0xf000000, 0x10001000), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_OVERLAP), 2);
    cr_expect_eq(r->ctx.last_region, -1);
    cr_expect_eq(r->ctx.used, 6);
    rig_free(r);
}

Test(xen, notfound_present_creates_at_the_lowest_free_index)
{
    struct rig *r = heap_rig(0);
    cr_assert_eq(mm_map(&r->ctx, 0x30000000, 0x30001000, RIG_RW), 0);
    cr_assert_eq(mm_map(&r->ctx, 0x30001000, 0x30002000, RIG_RW), 0);
    cr_assert_eq(mm_unmap(&r->ctx, 0x30000000, 0x30001000), 0);
    cr_expect_eq(r->ctx.last_region, 6);
    cr_assert_eq(mm_map(&r->ctx, 0x40000000, 0x40002000, RIG_WC), 0);
    cr_expect_eq(r->ctx.last_region, 6, "a freed index is handed out again");
    cr_expect_eq(r->ctx.table[6].refcount, 0);
    cr_expect_eq(r->ctx.used, 8);
    rig_free(r);
}

Test(xen, same_attributes_on_found_or_inclusive_only_bump_the_refcount)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_map(&r->ctx, HEAP_BASE, HEAP_LIMIT, RIG_RW), 0);
    cr_expect_eq(r->ctx.last_region, 5);
    cr_expect_eq(mm_map(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000, RIG_RW), 0);
    cr_expect_eq(heap(r)->refcount, 2);
    cr_expect_eq(r->ctx.used, 6);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_WRITE, MM_PRBAR_EL2(5)), 0);
    rig_free(r);
}

Test(xen, the_refcount_stops_at_0xff_with_enoent)
{
    struct rig *r = heap_rig(0);
    for (unsigned i = 0; i < 0xFF; i++)
        cr_assert_eq(mm_map(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000, RIG_RW), 0);
    cr_assert_eq(heap(r)->refcount, 0xFF);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000, RIG_RW), MM_ENOENT);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_REFCOUNT_OVERFLOW), 1);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_DSB, 0), 0);
    cr_expect_eq(heap(r)->refcount, 0xFF);
    rig_free(r);
}

Test(xen, an_ai_change_with_equal_ro_and_xn_is_refused_on_found_and_inclusive)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_map(&r->ctx, HEAP_BASE, HEAP_LIMIT, RIG_NOCACHE), MM_EINVAL);
    cr_expect_eq(mm_map(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000, RIG_WC), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_AI_CHANGE), 2);
    cr_expect_eq(r->ctx.last_region, 5, "the region was found");
    cr_expect_eq(heap(r)->refcount, 0);
    rig_free(r);
}

Test(xen, an_ro_or_xn_change_on_an_inclusive_range_is_refused_whatever_the_refcount)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_map(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000, RIG_RO), MM_EINVAL);
    cr_expect_eq(mm_map(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000, RIG_RW), 0);
    cr_expect_eq(mm_map(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000, RIG_RX), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_PARTIAL_ATTR), 2);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_MULTI_MAPPED_ATTR), 0);
    rig_free(r);
}

Test(xen, an_ro_or_xn_change_on_a_found_region_with_users_is_refused)
{
    struct rig *r = heap_rig(0);
    cr_assert_eq(mm_map(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, HEAP_BASE, HEAP_LIMIT, RIG_RO), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_MULTI_MAPPED_ATTR), 1);
    cr_expect_eq(heap(r)->prbar & 0x3F, 0x32);
    rig_free(r);
}

Test(xen, an_ro_xn_change_on_a_found_region_at_refcount_0_is_made_in_place)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_xen(r, 0);
    /* free_init_memory: init text RX -> RW: RO and XN both flip. */
    cr_assert_eq(mm_map(&r->ctx, 0xa8000, 0xc4000, RIG_RW), 0);
    cr_expect_eq(r->ctx.last_region, 3);
    const struct mm_region *e = &r->ctx.table[3];
    cr_expect_eq(e->prbar, 0xa8032);
    cr_expect_eq(e->prlar, 0xc3fcf, "limit, AI and EN unchanged");
    cr_expect_eq(e->refcount, 0, "a modify is not a user");
    char buf[256];
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf),
                     "W PRSELR 0x0\nISB\nW PRBAR3 0xa8032\nW PRLAR3 0xc3fcf\nDSB SY\nISB\n");
    cr_expect_eq(r->ctx.used, 5);
    rig_free(r);
}

Test(xen, an_in_place_modify_keeps_the_old_ai_and_reports_the_dropped_change)
{
    struct rig *r = heap_rig(0);
    cr_assert_eq(mm_map(&r->ctx, HEAP_BASE, HEAP_LIMIT, RIG_RO), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, HEAP_BASE, HEAP_LIMIT, RIG_WC), 0);
    cr_expect_eq(heap(r)->prbar & 0x3F, 0x32, "RW, XN, still inner shareable");
    cr_expect_eq((heap(r)->prlar >> 1) & 7, 7, "AI 7 kept");
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_FINDING_AI_DROPPED), 1);
    const struct fake_event *e = &r->hw.log[0];
    cr_assert_eq(e->op, FAKE_MSG);
    cr_expect_eq(e->arg[0], 5);
    cr_expect_eq(e->arg[1], 1, "requested AI");
    cr_expect_eq(e->arg[2], 7, "kept AI");
    rig_free(r);
}

Test(xen, removing_what_was_never_mapped_fails)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_unmap(&r->ctx, 0x50000000, 0x50001000), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_REMOVE_NOT_EXIST), 1);
    cr_expect_eq(r->ctx.last_region, -1);
    rig_free(r);
}

Test(xen, a_remove_on_found_or_inclusive_with_users_only_drops_the_refcount)
{
    struct rig *r = heap_rig(0);
    cr_assert_eq(mm_map(&r->ctx, HEAP_BASE, HEAP_LIMIT, RIG_RW), 0);
    cr_assert_eq(mm_map(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_unmap(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000), 0);
    cr_expect_eq(mm_unmap(&r->ctx, HEAP_BASE, HEAP_LIMIT), 0);
    cr_expect_eq(heap(r)->refcount, 0);
    cr_expect_eq(r->ctx.used, 6, "the region stays");
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_WRITE, MM_PRENR_EL2), 0);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_DSB, 0), 2);
    rig_free(r);
}

Test(xen, a_partial_remove_at_refcount_0_is_refused)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_unmap(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_REMOVE_PARTIAL), 1);
    cr_expect_eq(r->ctx.used, 6);
    rig_free(r);
}

Test(xen, an_exact_remove_at_refcount_0_disables_the_region)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_unmap(&r->ctx, HEAP_BASE, HEAP_LIMIT), 0);
    cr_expect_eq(r->ctx.last_region, 5);
    cr_expect_eq(r->ctx.used, 5);
    cr_expect_eq(mm_region_valid(heap(r)), 0);
    cr_expect_eq(r->hw.r.prlar[5] & 1, 0);
    rig_free(r);
}

Test(xen, any_flags_without_present_remove_and_attributes_are_not_compared)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_map(&r->ctx, HEAP_BASE, HEAP_LIMIT, 0x1F), 0, "RO|XN|AI 7, no PRESENT");
    cr_expect_eq(r->ctx.used, 5);
    rig_free(r);
}

Test(xen, map_twice_unmap_twice_disables_on_the_second_unmap)
{
    struct rig *r = heap_rig(0);
    cr_assert_eq(mm_map(&r->ctx, 0x30000000, 0x30004000, RIG_WC), 0);
    cr_assert_eq(mm_map(&r->ctx, 0x30000000, 0x30004000, RIG_WC), 0);
    cr_expect_eq(mm_unmap(&r->ctx, 0x30000000, 0x30004000), 0);
    cr_expect_eq(r->ctx.used, 7);
    cr_expect_eq(mm_unmap(&r->ctx, 0x30000000, 0x30004000), 0);
    cr_expect_eq(r->ctx.used, 6);
    rig_free(r);
}

/* ---- destroy_xen_mapping_containing (vunmap, iounmap, unmap_domain_page) ---- */

Test(xen, unmap_containing_drops_one_user_of_the_containing_region)
{
    struct rig *r = heap_rig(0);
    cr_assert_eq(mm_map(&r->ctx, HEAP_PAGE, HEAP_PAGE + 0x1000, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_unmap_containing(&r->ctx, HEAP_PAGE), 0);
    cr_expect_eq(heap(r)->refcount, 0);
    cr_expect_eq(r->ctx.last_region, 5);
    char buf[128];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf), "DSB SY\nISB\n");
    rig_free(r);
}

Test(xen, unmap_containing_at_refcount_0_disables_the_whole_region_and_reports_it)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_unmap_containing(&r->ctx, HEAP_PAGE), 0);
    cr_expect_eq(r->ctx.used, 5);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_FINDING_WHOLE_REGION_UNMAP), 1);
    const struct fake_event *e = NULL;
    for (size_t i = 0; i < r->hw.nlog; i++)
        if (r->hw.log[i].op == FAKE_MSG)
            e = &r->hw.log[i];
    cr_assert_not_null(e);
    cr_expect_eq(e->arg[0], HEAP_PAGE);
    cr_expect_eq(e->arg[1], HEAP_BASE);
    cr_expect_eq(e->arg[2], HEAP_LIMIT);
    cr_expect_eq(e->arg[3], 5);
    rig_free(r);
}

Test(xen, unmap_containing_of_a_one_page_region_is_not_a_finding)
{
    struct rig *r = heap_rig(0);
    cr_assert_eq(mm_map(&r->ctx, 0x30000000, 0x30001000, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x30000000), 0);
    cr_expect_eq(r->ctx.used, 6);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_FINDING_WHOLE_REGION_UNMAP), 0);
    rig_free(r);
}

Test(xen, unmap_containing_at_a_region_start_is_not_a_finding)
{
    struct rig *r = heap_rig(0);
    cr_assert_eq(mm_map(&r->ctx, 0x30000000, 0x30004000, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x30000000), 0, "iounmap of a 4-page ioremap");
    cr_expect_eq(r->ctx.used, 6);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_FINDING_WHOLE_REGION_UNMAP), 0);
    rig_free(r);
}

Test(xen, unmap_containing_of_an_unmapped_address_fails_without_a_barrier)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x50000000), MM_EINVAL);
    char buf[128];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf), "MSG remove_entry_not_exist\n");
    cr_expect_eq(r->ctx.last_region, -1);
    rig_free(r);
}

Test(xen, unmap_containing_of_a_page_straddling_a_boot_region_end_is_a_finding_in_faithful_mode)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x79000), MM_EINVAL);
    char buf[256];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "MSG overlap\nMSG containing_overlap\n");
    cr_expect_eq(r->ctx.used, 6);
    rig_free(r);
}

Test(xen, unmap_containing_overlap_in_fixed_mode_is_a_plain_einval)
{
    struct rig *r = heap_rig(1);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x79000), MM_EINVAL);
    char buf[256];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf), "MSG overlap\n");
    rig_free(r);
}

Test(xen, unmap_containing_at_the_top_of_the_address_space_finds_nothing)
{
    struct rig *r = heap_rig(0);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0xFFFFFFFFFFFFF000ull), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_REMOVE_ENTRY_NOT_EXIST), 1);
    rig_free(r);
}

/* ---- ioremap_attr (post-fix 9e8aa00f62) ---- */

Test(xen, ioremap_rounds_to_pages_and_returns_the_address_with_its_offset)
{
    struct rig *r = heap_rig(0);
    uint64_t p = 0;
    cr_expect_eq(mm_ioremap(&r->ctx, 0x9c090010, 0x20, RIG_NOCACHE, &p), 0);
    cr_expect_eq(p, 0x9c090010);
    const struct mm_region *e = &r->ctx.table[6];
    cr_expect_eq(mm_region_base(e), 0x9c090000);
    cr_expect_eq(mm_region_last(e), 0x9c090fff);
    rig_free(r);
}

Test(xen, ioremap_rounds_the_end_up_from_start_plus_len_not_from_the_rounded_start)
{
    struct rig *r = heap_rig(0);
    uint64_t p = 0;
    /* [0x9c090ff0, 0x9c091010) spans two pages; rounding from start_pg + len gives one. */
    cr_expect_eq(mm_ioremap(&r->ctx, 0x9c090ff0, 0x20, RIG_NOCACHE, &p), 0);
    cr_expect_eq(mm_region_last(&r->ctx.table[6]), 0x9c091fff);
    rig_free(r);
}

Test(xen, ioremap_of_length_0_at_an_aligned_start_is_null)
{
    struct rig *r = heap_rig(0);
    uint64_t p = 1;
    cr_expect_eq(mm_ioremap(&r->ctx, 0x9c090000, 0, RIG_NOCACHE, &p), MM_EINVAL);
    cr_expect_eq(p, 0);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_BASE_GE_LIMIT), 1);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_ioremap(&r->ctx, 0x9c090004, 0, RIG_NOCACHE, &p), 0,
                 "unaligned start: one page is mapped");
    cr_expect_eq(p, 0x9c090004);
    rig_free(r);
}

Test(xen, ioremap_returns_null_on_any_error)
{
    struct rig *r = heap_rig(0);
    uint64_t p = 1;
    cr_expect_eq(mm_ioremap(&r->ctx, HEAP_PAGE, 0x1000, RIG_NOCACHE, &p), MM_EINVAL, "AI");
    cr_expect_eq(p, 0);
    p = 1;
    cr_expect_eq(mm_ioremap(&r->ctx, 0x1ffff000, 0x2000, RIG_RW, &p), MM_EINVAL, "overlap");
    cr_expect_eq(p, 0);
    p = 1;
    cr_expect_eq(mm_ioremap(&r->ctx, 0x40000000, 0x1000, RIG_RWX, &p), MM_EINVAL, "W+X");
    cr_expect_eq(p, 0);
    rig_free(r);
}

Test(xen, a_second_ioremap_of_the_same_range_bumps_the_refcount_and_iounmap_drops_it)
{
    struct rig *r = heap_rig(0);
    uint64_t p;
    cr_assert_eq(mm_ioremap(&r->ctx, 0x9c090000, 0x1000, RIG_NOCACHE, &p), 0);
    cr_assert_eq(mm_ioremap(&r->ctx, 0x9c090000, 0x1000, RIG_NOCACHE, &p), 0);
    cr_expect_eq(r->ctx.table[6].refcount, 1);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x9c090000), 0);
    cr_expect_eq(r->ctx.used, 7);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x9c090000), 0);
    cr_expect_eq(r->ctx.used, 6);
    rig_free(r);
}

Test(xen, ioremap_at_physical_address_0_maps_but_returns_null)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_empty(r);
    uint64_t p = 1;
    cr_expect_eq(mm_ioremap(&r->ctx, 0x0, 0x1000, RIG_NOCACHE, &p), MM_EINVAL);
    cr_expect_eq(p, 0);
    cr_expect_eq(r->ctx.used, 1, "the region exists although the caller sees NULL");
    rig_free(r);
}
