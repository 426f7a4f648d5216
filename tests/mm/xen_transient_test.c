/* mm/xen_transient.c: the 2025 map_mm_range / unmap_mm_range proposal, v3 (xen-mpu.md §10.1). */
#include <criterion/criterion.h>

#include "tests/mm/rig.h"

#define DEV 0x9c090000ull

static struct rig *transient_rig(void)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN_TRANSIENT, 0);
    rig_boot_xen(r, 0);
    return r;
}

Test(xen_transient, map_of_an_unmapped_range_creates_a_transient_region_and_syncs)
{
    struct rig *r = transient_rig();
    cr_expect_eq(mm_map(&r->ctx, DEV, DEV + 0x1000, RIG_NOCACHE), 0);
    cr_expect_eq(r->ctx.last_region, 5);
    cr_expect_eq(r->ctx.table[5].transient, 1);
    cr_expect_eq(r->ctx.table[5].refcount, 0);
    cr_expect_eq(r->ctx.used, 6);
    char buf[512];
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf),
                     "W PRSELR 0x0\nISB\nW PRBAR5 0x9c090022\nW PRLAR5 0x9c090fc9\nDSB SY\nISB\n");
    rig_free(r);
}

Test(xen_transient, map_rounds_base_down_and_limit_up_to_pages)
{
    struct rig *r = transient_rig();
    cr_expect_eq(mm_map(&r->ctx, DEV + 0x10, DEV + 0x1010, RIG_NOCACHE), 0);
    cr_expect_eq(mm_region_base(&r->ctx.table[5]), DEV);
    cr_expect_eq(mm_region_last(&r->ctx.table[5]), DEV + 0x1fff);
    rig_free(r);
}

Test(xen_transient, a_second_map_with_the_same_attributes_succeeds_without_a_refcount)
{
    struct rig *r = transient_rig();
    cr_assert_eq(mm_map(&r->ctx, DEV, DEV + 0x2000, RIG_NOCACHE), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, DEV, DEV + 0x2000, RIG_NOCACHE), 0);
    cr_expect_eq(mm_map(&r->ctx, DEV + 0x1000, DEV + 0x2000, RIG_NOCACHE), 0, "inclusive too");
    cr_expect_eq(r->ctx.last_region, 5);
    cr_expect_eq(r->ctx.table[5].refcount, 0);
    cr_expect_eq(r->ctx.used, 6);
    cr_expect_eq(r->hw.nlog, 0, "nothing written, nothing synced");
    rig_free(r);
}

Test(xen_transient, a_map_inside_a_boot_region_with_its_attributes_reuses_it)
{
    struct rig *r = transient_rig();
    cr_expect_eq(mm_map(&r->ctx, 0xa2000, 0xa3000, RIG_RW), 0);
    cr_expect_eq(r->ctx.last_region, 2);
    cr_expect_eq(r->ctx.used, 5);
    rig_free(r);
}

Test(xen_transient, different_attributes_fail_with_one_warning_per_mismatch)
{
    struct rig *r = transient_rig();
    cr_assert_eq(mm_map(&r->ctx, DEV, DEV + 0x1000, RIG_NOCACHE), 0);
    fake_hw_clear_log(&r->hw);
    /* NOCACHE (RW, XN, AI 4) against RX (RO, not XN, AI 7): all three differ. */
    cr_expect_eq(mm_map(&r->ctx, DEV, DEV + 0x1000, RIG_RX), MM_EINVAL);
    char buf[512];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "MSG transient_ro_mismatch\nMSG transient_xn_mismatch\n"
                     "MSG transient_ai_mismatch\nMSG transient_different_flags\n");
    cr_expect_eq(r->hw.log[0].arg[0], 0, "the region's RO");
    cr_expect_eq(r->hw.log[0].arg[1], 1, "the requested RO");
    cr_expect_eq(r->hw.log[3].arg[0], DEV);
    cr_expect_eq(r->hw.log[3].arg[1], DEV + 0x1000);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, DEV, DEV + 0x1000, RIG_WC), MM_EINVAL, "AI only");
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "MSG transient_ai_mismatch\nMSG transient_different_flags\n");
    cr_expect_eq(r->ctx.table[5].prbar & 0x3F, 0x22, "no in-place modify in this variant");
    rig_free(r);
}

Test(xen_transient, an_overlapping_map_fails_with_both_messages)
{
    struct rig *r = transient_rig();
    cr_assert_eq(mm_map(&r->ctx, DEV, DEV + 0x2000, RIG_NOCACHE), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, DEV + 0x1000, DEV + 0x3000, RIG_NOCACHE), MM_EINVAL);
    char buf[512];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf), "MSG overlap\nMSG transient_overlap\n");
    cr_expect_eq(r->ctx.last_region, -1);
    rig_free(r);
}

Test(xen_transient, the_argument_checks_are_those_of_xen_mpumap_update)
{
    struct rig *r = transient_rig();
    cr_expect_eq(mm_map(&r->ctx, DEV, DEV + 0x1000, RIG_RWX), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_RWX), 1);
    cr_expect_eq(mm_map(&r->ctx, DEV, DEV, RIG_RW), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_BASE_GE_LIMIT), 1);
    cr_expect_eq(r->ctx.used, 5);
    rig_free(r);
}

Test(xen_transient, unmap_of_a_transient_region_disables_it_whatever_its_page)
{
    struct rig *r = transient_rig();
    cr_assert_eq(mm_map(&r->ctx, DEV, DEV + 0x4000, RIG_NOCACHE), 0);
    cr_assert_eq(mm_map(&r->ctx, DEV, DEV + 0x4000, RIG_NOCACHE), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_unmap_containing(&r->ctx, DEV + 0x2000), 0, "a page inside");
    cr_expect_eq(r->ctx.last_region, 5);
    cr_expect_eq(r->ctx.used, 5, "gone at once although mapped twice");
    char buf[512];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "R PRENR 0x3f\nW PRENR 0x1f\nDSB SY\nISB\n");
    rig_free(r);
}

Test(xen_transient, unmap_takes_only_the_base_and_ignores_the_limit)
{
    struct rig *r = transient_rig();
    cr_assert_eq(mm_map(&r->ctx, DEV, DEV + 0x4000, RIG_NOCACHE), 0);
    cr_expect_eq(mm_unmap(&r->ctx, DEV, DEV + 0x1000), 0);
    cr_expect_eq(r->ctx.used, 5);
    rig_free(r);
}

Test(xen_transient, unmap_of_a_non_transient_region_returns_0_silently_and_changes_nothing)
{
    struct rig *r = transient_rig();
    cr_expect_eq(mm_unmap(&r->ctx, 0xa2000, 0xa8000), 0);
    cr_expect_eq(r->ctx.last_region, 2);
    cr_expect_eq(r->ctx.used, 5);
    cr_expect_eq(r->hw.nlog, 0, "no message, no register, no barrier");
    rig_free(r);
}

Test(xen_transient, unmap_of_nothing_logs_the_failure_and_returns_einval)
{
    struct rig *r = transient_rig();
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x50000000), MM_EINVAL);
    char buf[256];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf), "MSG transient_unmap_failed\n");
    cr_expect_eq(r->hw.log[0].arg[0], 0x50000000);
    cr_expect_eq(r->ctx.last_region, -1);
    rig_free(r);
}

Test(xen_transient, unmap_of_a_page_straddling_a_region_end_logs_the_lookup_failure)
{
    struct rig *r = transient_rig();
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x79000), MM_EINVAL);
    char buf[256];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "MSG overlap\nMSG transient_lookup_failed\n");
    rig_free(r);
}

Test(xen_transient, the_pool_runs_out_with_a_null_result)
{
    struct rig *r = transient_rig();
    for (unsigned i = 0; i < 11; i++)
        cr_assert_eq(mm_map(&r->ctx, DEV + i * 0x10000, DEV + i * 0x10000 + 0x1000, RIG_NOCACHE), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, 0x40000000, 0x40001000, RIG_NOCACHE), MM_EINVAL,
                 "a pointer API: NULL is -EINVAL whatever the cause");
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_POOL_EXHAUSTED), 1);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_DSB, 0), 0);
    rig_free(r);
}

Test(xen_transient, a_notfound_create_looks_the_range_up_twice)
{
    struct rig *r = transient_rig();
    uint64_t s0 = r->ctx.scanned;
    cr_assert_eq(mm_map(&r->ctx, DEV, DEV + 0x1000, RIG_NOCACHE), 0);
    cr_expect_eq(r->ctx.scanned - s0, 16 + 16 + 1, "two full scans and one bitmap word");
    rig_free(r);
}

Test(xen_transient, ioremap_returns_the_start_with_its_offset_or_null)
{
    struct rig *r = transient_rig();
    uint64_t p = 0;
    cr_expect_eq(mm_ioremap(&r->ctx, DEV + 0x24, 0x10, RIG_NOCACHE, &p), 0);
    cr_expect_eq(p, DEV + 0x24);
    cr_expect_eq(mm_region_last(&r->ctx.table[5]), DEV + 0xfff);
    cr_expect_eq(mm_ioremap(&r->ctx, DEV, 0x1000, RIG_NOCACHE, &p), 0, "already mapped");
    cr_expect_eq(p, DEV);
    cr_expect_eq(mm_ioremap(&r->ctx, DEV, 0x1000, RIG_WC, &p), MM_EINVAL);
    cr_expect_eq(p, 0);
    p = 1;
    cr_expect_eq(mm_ioremap(&r->ctx, 0x40000000, 0, RIG_NOCACHE, &p), MM_EINVAL, "len 0");
    cr_expect_eq(p, 0);
    rig_free(r);
}

Test(xen_transient, the_prenr_findings_apply_to_this_variant_too)
{
    struct rig *r = rig_new(64, MM_ALGO_XEN_TRANSIENT, 0);
    rig_boot_empty(r);
    for (unsigned i = 0; i < 41; i++)
        cr_assert_eq(mm_map(&r->ctx, 0x40000000 + i * 0x1000, 0x40001000 + i * 0x1000, RIG_RW), 0);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x40000000 + 40 * 0x1000), 0);
    cr_expect_eq(r->hw.msg_count[MM_FINDING_PRENR_NOT_DISABLED], 1);
    cr_expect_eq(r->hw.r.prlar[40] & 1, 1);
    rig_free(r);
}
