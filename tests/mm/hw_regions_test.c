/* mm/hw_regions.c: write_protection_region with prepare_selector (xen-mpu.md §6.4), the disable path
 * with upstream's PRENR test and the --xen-fixed one (xen-mpu.md §6.3, §11.1), checked on the fake
 * hardware register by register. */
#include <criterion/criterion.h>

#include "mm/internal.h"
#include "tests/mm/rig.h"

#define PAGE(i) (0x40000000ull + (uint64_t)(i) * 0x1000)

/* Boot with no boot regions on n entries, then map pages 0..count-1 (regions 0..count-1). */
static struct rig *pages(unsigned n, unsigned count, int fixed)
{
    struct rig *r = rig_new(n, MM_ALGO_XEN, fixed);
    rig_boot_empty(r);
    for (unsigned i = 0; i < count; i++) {
        cr_assert_eq(mm_map(&r->ctx, PAGE(i), PAGE(i + 1), MM_PAGE_HYPERVISOR_RW), 0);
        cr_assert_eq(r->ctx.last_region, (int)i);
    }
    fake_hw_clear_log(&r->hw);
    return r;
}

Test(hw_regions, a_create_at_index_5_after_boot_first_moves_prselr_from_15_to_0)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_xen(r, 0);
    cr_assert_eq(r->hw.r.prselr, 15);
    cr_assert_eq(mm_map(&r->ctx, 0x8000000, 0x8001000, MM_PAGE_HYPERVISOR_RO), 0);
    cr_expect_eq(r->ctx.last_region, 5);
    char buf[1024];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "R PRSELR 0xf\nW PRSELR 0x0\nISB\nW PRBAR5 0x800003a\nW PRLAR5 0x8000fcf\n"
                     "DSB SY\nISB\n");
    cr_expect_eq(r->hw.r.prbar[5], 0x800003a);
    cr_expect_eq(r->hw.r.prlar[5], 0x8000fcf);
    /* The next create in the same group reads PRSELR and does not write it. */
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_map(&r->ctx, 0x9000000, 0x9001000, MM_PAGE_HYPERVISOR_RW), 0);
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "R PRSELR 0x0\nW PRBAR6 0x9000032\nW PRLAR6 0x9000fcf\nDSB SY\nISB\n");
    rig_free(r);
}

Test(hw_regions, a_create_at_index_17_selects_group_16_and_uses_the_prbar1_alias)
{
    struct rig *r = pages(32, 17, 0); /* regions 0..16 in use; PRSELR now 16 */
    cr_assert_eq(r->hw.r.prselr, 16);
    r->hw.r.prselr = 0; /* as if a lower region had been written last */
    cr_assert_eq(mm_map(&r->ctx, PAGE(17), PAGE(18), MM_PAGE_HYPERVISOR_RW), 0);
    cr_expect_eq(r->ctx.last_region, 17);
    char buf[1024];
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf),
                     "W PRSELR 0x10\nISB\nW PRBAR1 0x40011032\nW PRLAR1 0x40011fcf\nDSB SY\nISB\n");
    cr_expect_eq(r->hw.r.prbar[17], 0x40011032, "PRBAR1 with PRSELR 16 reaches region 17");
    cr_expect_eq(r->hw.r.prlar[17], 0x40011fcf);
    cr_expect_eq(r->hw.r.prbar[1], 0x40001032, "region 1 untouched");
    rig_free(r);
}

Test(hw_regions, index_16_uses_the_plain_prbar_after_selecting_16)
{
    struct rig *r = pages(32, 16, 0);
    cr_assert_eq(mm_map(&r->ctx, PAGE(16), PAGE(17), MM_PAGE_HYPERVISOR_RW), 0);
    char buf[1024];
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf),
                     "W PRSELR 0x10\nISB\nW PRBAR 0x40010032\nW PRLAR 0x40010fcf\nDSB SY\nISB\n");
    cr_expect_eq(r->hw.r.prlar[16], 0x40010fcf);
    rig_free(r);
}

Test(hw_regions, a_refcount_call_writes_no_register_but_still_syncs)
{
    struct rig *r = pages(16, 1, 0);
    cr_assert_eq(mm_map(&r->ctx, PAGE(0), PAGE(1), MM_PAGE_HYPERVISOR_RW), 0);
    cr_expect_eq(r->ctx.table[0].refcount, 1);
    char buf[256];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf), "DSB SY\nISB\n");
    rig_free(r);
}

Test(hw_regions, a_failed_call_touches_no_register_and_issues_no_barrier)
{
    struct rig *r = pages(16, 1, 0);
    cr_assert_eq(mm_map(&r->ctx, PAGE(0), PAGE(1), MM_PAGE_HYPERVISOR_WC), MM_EINVAL);
    char buf[256];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf), "MSG ai_change\n");
    rig_free(r);
}

Test(hw_regions, disabling_index_3_is_a_prenr_read_modify_write)
{
    struct rig *r = pages(16, 5, 0);
    cr_assert_eq(mm_unmap(&r->ctx, PAGE(3), PAGE(4)), 0);
    cr_expect_eq(r->ctx.last_region, 3);
    char buf[256];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "R PRENR 0x1f\nW PRENR 0x17\nDSB SY\nISB\n");
    cr_expect_eq(r->hw.r.prlar[3] & 1, 0, "region 3 disabled in hardware");
    /* xen-mpu.md §6.3 step 4: the hardware keeps the old bounds, the shadow is all zero. */
    cr_expect_eq(r->hw.r.prbar[3], 0x40003032);
    cr_expect_eq(r->ctx.table[3].prbar, 0);
    cr_expect_eq(r->ctx.table[3].prlar, 0);
    cr_expect_eq(r->ctx.used, 4);
    rig_free(r);
}

Test(hw_regions, disabling_index_0_writes_prbar_and_prlar_zero)
{
    struct rig *r = pages(16, 2, 0);
    r->hw.r.prselr = 0;
    cr_assert_eq(mm_unmap(&r->ctx, PAGE(0), PAGE(1)), 0);
    char buf[256];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "R PRSELR 0x0\nW PRBAR 0x0\nW PRLAR 0x0\nDSB SY\nISB\n");
    cr_expect_eq(r->hw.r.prbar[0], 0);
    cr_expect_eq(r->hw.r.prlar[0], 0);
    rig_free(r);
}

Test(hw_regions, faithful_disable_of_index_40_leaves_the_hardware_region_enabled_and_reports_it)
{
    struct rig *r = pages(64, 41, 0);
    cr_assert_eq(mm_unmap(&r->ctx, PAGE(40), PAGE(41)), 0);
    char buf[512];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "R PRENR 0xffffffff\nW PRENR 0xffffffff\nMSG prenr_not_disabled\nDSB SY\nISB\n");
    cr_expect_eq(r->hw.r.prlar[40] & 1, 1, "PRENR has no bit for region 40");
    cr_expect_eq(mm_region_valid(&r->ctx.table[40]), 0, "the table says free");
    cr_expect_eq(r->ctx.used, 40);
    cr_expect_eq(r->hw.log[2].arg[0], 40);
    rig_free(r);
}

Test(hw_regions, fixed_disable_of_index_40_writes_the_zeroed_region)
{
    struct rig *r = pages(64, 41, 1);
    cr_assert_eq(mm_unmap(&r->ctx, PAGE(40), PAGE(41)), 0);
    char buf[512];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "R PRSELR 0x20\nW PRBAR8 0x0\nW PRLAR8 0x0\nDSB SY\nISB\n");
    cr_expect_eq(r->hw.r.prlar[40], 0);
    cr_expect_eq(r->hw.r.prbar[40], 0);
    cr_expect_eq(r->hw.msg_count[MM_FINDING_PRENR_NOT_DISABLED], 0);
    rig_free(r);
}

Test(hw_regions, faithful_disable_of_index_64_wraps_and_clears_region_0s_enable_bit)
{
    struct rig *r = pages(66, 65, 0);
    cr_assert_eq(mm_unmap(&r->ctx, PAGE(64), PAGE(65)), 0);
    char buf[512];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "R PRENR 0xffffffff\nW PRENR 0xfffffffe\nMSG prenr_wrapped\nDSB SY\nISB\n");
    cr_expect_eq(r->hw.r.prlar[0] & 1, 0, "region 0 lost its enable bit");
    cr_expect_eq(mm_region_valid(&r->ctx.table[0]), 1, "while the table still has it in use");
    cr_expect_eq(r->hw.r.prlar[64] & 1, 1, "region 64 stays enabled");
    cr_expect_eq(r->hw.log[2].arg[0], 64);
    cr_expect_eq(r->hw.log[2].arg[1], 0);
    rig_free(r);
}

Test(hw_regions, faithful_disable_of_index_100_clears_res0_bit_36_so_nothing_changes)
{
    struct rig *r = pages(101, 101, 0);
    cr_assert_eq(mm_unmap(&r->ctx, PAGE(100), PAGE(101)), 0);
    cr_expect_eq(r->hw.r.prlar[100] & 1, 1);
    for (unsigned i = 0; i < 100; i++)
        cr_expect_eq(r->hw.r.prlar[i] & 1, 1, "region %u", i);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_FINDING_PRENR_WRAPPED), 1);
    cr_expect_eq(r->hw.log[2].arg[1], 36);
    rig_free(r);
}

Test(hw_regions, fixed_disable_of_index_64_leaves_region_0_alone)
{
    struct rig *r = pages(66, 65, 1);
    cr_assert_eq(mm_unmap(&r->ctx, PAGE(64), PAGE(65)), 0);
    cr_expect_eq(r->hw.r.prlar[0] & 1, 1);
    cr_expect_eq(r->hw.r.prlar[64], 0);
    cr_expect_eq(r->hw.msg_count[MM_FINDING_PRENR_WRAPPED], 0);
    rig_free(r);
}

Test(hw_regions, fixed_disable_of_index_0_uses_prenr_like_every_index_below_32)
{
    struct rig *r = pages(16, 2, 1);
    cr_assert_eq(mm_unmap(&r->ctx, PAGE(0), PAGE(1)), 0);
    char buf[256];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "R PRENR 0x3\nW PRENR 0x2\nDSB SY\nISB\n");
    rig_free(r);
}

Test(hw_regions, disabling_an_already_disabled_entry_only_warns)
{
    struct rig *r = pages(16, 2, 0);
    mm_disable_region(&r->ctx, 7);
    char buf[256];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf), "MSG already_disabled\n");
    cr_expect_eq(r->hw.log[0].arg[0], 7);
    cr_expect_eq(r->ctx.used, 2);
    rig_free(r);
}

Test(hw_regions, write_protection_region_masks_res0_bits)
{
    struct rig *r = pages(16, 0, 0);
    struct mm_region v = { 0xFFFF000000001032ull, 0xABCD00000000100Full, 0, 0 };
    mm_write_protection_region(&r->ctx, &v, 2);
    cr_expect_eq(r->hw.r.prbar[2], 0x1032);
    cr_expect_eq(r->hw.r.prlar[2], 0x100F);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_DSB, 0), 0, "no barrier inside the function");
    rig_free(r);
}
