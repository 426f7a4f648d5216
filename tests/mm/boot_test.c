/* mm/boot.c: head.S's enable_boot_cpu_mm and enable_mpu (xen-mpu.md §8.1). */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/mm/rig.h"

static const struct mm_boot_region boot5[] = {
    { 0x0, 0x79cf4, 0x37 },      { 0x7a000, 0xa104c, 0x3F }, { 0xa2000, 0xa8000, 0x2F },
    { 0xa8000, 0xc4000, 0x37 },  { 0xc4000, 0x1304e0, 0x2F },
};

Test(boot, the_exact_register_sequence_of_head_s_on_a_6_region_part)
{
    struct rig *r = rig_new(6, MM_ALGO_XEN, 0);
    static const struct mm_boot_region two[] = { { 0x0, 0x79cf4, 0x37 },
                                                 { 0x7a000, 0xa104c, 0x3F } };
    cr_assert_eq(mm_boot(&r->ctx, two, 2), 0);
    char buf[4096];
    cr_expect_str_eq(fake_hw_log_str(&r->hw, buf, sizeof buf),
                     "R MPUIR 0x6\n"
                     "W PRSELR 0x0\nISB\nW PRBAR 0x38\nW PRLAR 0x79ccf\nDSB SY\nISB\n"
                     "W PRSELR 0x1\nISB\nW PRBAR 0x7a03a\nW PRLAR 0xa104f\nDSB SY\nISB\n"
                     "W PRSELR 0x2\nISB\nW PRBAR 0x32\nW PRLAR 0x0\nDSB SY\nISB\n"
                     "W PRSELR 0x3\nISB\nW PRBAR 0x32\nW PRLAR 0x0\nDSB SY\nISB\n"
                     "W PRSELR 0x4\nISB\nW PRBAR 0x32\nW PRLAR 0x0\nDSB SY\nISB\n"
                     "W PRSELR 0x5\nISB\nW PRBAR 0x32\nW PRLAR 0x0\nDSB SY\nISB\n"
                     "R SCTLR 0x20000\nW SCTLR 0x80005\nISB\n");
    rig_free(r);
}

Test(boot, max_regions_comes_from_mpuir_and_boot_regions_are_in_use_with_refcount_0)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    cr_assert_eq(mm_boot(&r->ctx, boot5, 5), 0);
    cr_expect_eq(r->ctx.max_regions, 16);
    cr_expect_eq(r->ctx.used, 5);
    cr_expect_eq(r->ctx.mask[0], 0x1Full);
    for (unsigned i = 0; i < 5; i++) {
        cr_expect_eq(mm_region_valid(&r->ctx.table[i]), 1, "region %u", i);
        cr_expect_eq(r->ctx.table[i].refcount, 0);
        cr_expect_eq(r->ctx.table[i].transient, 0);
    }
    cr_expect_eq(r->ctx.last_region, -1);
    rig_free(r);
}

Test(boot, boot_leaves_prselr_at_max_minus_1_and_the_rest_disabled_with_prbar_0x32)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    cr_assert_eq(mm_boot(&r->ctx, boot5, 5), 0);
    cr_expect_eq(r->hw.r.prselr, 15);
    for (unsigned i = 5; i < 16; i++) {
        cr_expect_eq(r->ctx.table[i].prbar, 0x32, "shadow prbar of disabled entry %u", i);
        cr_expect_eq(r->ctx.table[i].prlar, 0);
        cr_expect_eq(r->hw.r.prbar[i], 0x32);
        cr_expect_eq(r->hw.r.prlar[i], 0);
        cr_expect_eq(mm_region_valid(&r->ctx.table[i]), 0);
    }
    rig_free(r);
}

Test(boot, the_shadow_table_equals_the_hardware_after_boot)
{
    struct rig *r = rig_new(40, MM_ALGO_XEN, 0);
    cr_assert_eq(mm_boot(&r->ctx, boot5, 5), 0);
    for (unsigned i = 0; i < 40; i++) {
        cr_expect_eq(r->hw.r.prbar[i], r->ctx.table[i].prbar, "region %u", i);
        cr_expect_eq(r->hw.r.prlar[i], r->ctx.table[i].prlar, "region %u", i);
    }
    cr_expect_eq(r->hw.bad_accesses, 0);
    rig_free(r);
}

Test(boot, enable_mpu_clears_br_and_sets_m_c_and_wxn_keeping_other_sctlr_bits)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    r->hw.r.sctlr = (1ull << 17) | (1ull << 12) | (1ull << 30); /* BR, I, and another bit */
    cr_assert_eq(mm_boot(&r->ctx, boot5, 5), 0);
    cr_expect_eq(r->hw.r.sctlr, (1ull << 12) | (1ull << 30) | 1ull | 4ull | (1ull << 19));
    const struct fake_event *lastev = &r->hw.log[r->hw.nlog - 1];
    cr_expect_eq(lastev->op, FAKE_ISB, "the SCTLR write is followed by an ISB");
    rig_free(r);
}

Test(boot, an_empty_section_consumes_no_index)
{
    struct rig *r = rig_new(8, MM_ALGO_XEN, 0);
    static const struct mm_boot_region b[] = { { 0x0, 0x1000, 0x37 },
                                               { 0x5000, 0x5000, 0x2F }, /* empty */
                                               { 0x8000, 0x9000, 0x2F } };
    cr_assert_eq(mm_boot(&r->ctx, b, 3), 0);
    cr_expect_eq(r->ctx.used, 2);
    cr_expect_eq(mm_region_base(&r->ctx.table[1]), 0x8000);
    rig_free(r);
}

Test(boot, more_boot_regions_than_mpuir_reports_fails_with_the_head_s_message)
{
    struct rig *r = rig_new(4, MM_ALGO_XEN, 0);
    cr_expect_eq(mm_boot(&r->ctx, boot5, 5), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_BOOT_TOO_MANY), 1);
    char text[128];
    mm_msg_format(MM_MSG_BOOT_TOO_MANY, 4, 4, 0, 0, text, sizeof text);
    cr_expect_str_eq(text, "- Selected MPU region is above the implemented number in MPUIR_EL2 -");
    rig_free(r);
}

Test(boot, a_boot_region_without_present_is_programmed_disabled_and_keeps_its_index)
{
    struct rig *r = rig_new(8, MM_ALGO_XEN, 0);
    static const struct mm_boot_region b[] = { { 0x0, 0x1000, 0x37 }, { 0x4000, 0x5000, 0x0F },
                                               { 0x8000, 0x9000, 0x2F } };
    cr_assert_eq(mm_boot(&r->ctx, b, 3), 0);
    cr_expect_eq(r->ctx.used, 2);
    cr_expect_eq(mm_region_valid(&r->ctx.table[1]), 0);
    cr_expect_eq(r->hw.r.prlar[1] & 1, 0);
    cr_expect_eq(mm_region_base(&r->ctx.table[2]), 0x8000);
    rig_free(r);
}

Test(boot, boot_with_no_regions_disables_every_entry_up_to_max)
{
    struct rig *r = rig_new(255, MM_ALGO_XEN, 0);
    cr_assert_eq(mm_boot(&r->ctx, NULL, 0), 0);
    cr_expect_eq(r->ctx.used, 0);
    cr_expect_eq(r->hw.r.prselr, 254);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_WRITE, MM_PRSELR_EL2), 255);
    rig_free(r);
}
