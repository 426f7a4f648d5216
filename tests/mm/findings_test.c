/* The minimal call sequences of docs/findings.md, exactly as written there, in faithful mode
 * and with --xen-fixed. */
#include <criterion/criterion.h>

#include "tests/mm/rig.h"

static struct rig *pages(unsigned nregions, unsigned count, int fixed)
{
    struct rig *r = rig_new(nregions, MM_ALGO_XEN, fixed);
    rig_boot_empty(r);
    for (unsigned k = 0; k < count; k++)
        cr_assert_eq(mm_map(&r->ctx, 0x40000000 + k * 0x1000, 0x40001000 + k * 0x1000, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    return r;
}

Test(findings, prenr_not_disabled_sequence)
{
    for (int fixed = 0; fixed < 2; fixed++) {
        struct rig *r = pages(64, 33, fixed);
        cr_expect_eq(mm_unmap(&r->ctx, 0x40020000, 0x40021000), 0);
        cr_expect_eq(r->hw.msg_count[MM_FINDING_PRENR_NOT_DISABLED], fixed ? 0u : 1u);
        cr_expect_eq(r->hw.r.prlar[32] & 1, fixed ? 0u : 1u, "region 32 in hardware");
        rig_free(r);
    }
}

Test(findings, prenr_wrapped_sequence)
{
    for (int fixed = 0; fixed < 2; fixed++) {
        struct rig *r = pages(66, 65, fixed);
        cr_expect_eq(mm_unmap(&r->ctx, 0x40040000, 0x40041000), 0);
        cr_expect_eq(r->hw.msg_count[MM_FINDING_PRENR_WRAPPED], fixed ? 0u : 1u);
        cr_expect_eq(r->hw.r.prlar[0] & 1, fixed ? 1u : 0u, "region 0 in hardware");
        cr_expect_eq(r->hw.r.prlar[64] & 1, fixed ? 0u : 1u, "region 64 in hardware");
        rig_free(r);
    }
}

Test(findings, whole_region_unmap_sequence_in_both_modes)
{
    for (int fixed = 0; fixed < 2; fixed++) {
        struct rig *r = rig_new(16, MM_ALGO_XEN, fixed);
        rig_boot_xen(r, 0);
        cr_assert_eq(mm_map(&r->ctx, 0x10000000, 0x20000000, RIG_RW), 0);
        cr_expect_eq(mm_unmap_containing(&r->ctx, 0x18000000), 0);
        cr_expect_eq(mm_region_valid(&r->ctx.table[5]), 0);
        cr_expect_eq(r->hw.msg_count[MM_FINDING_WHOLE_REGION_UNMAP], 1);
        rig_free(r);
    }
}

Test(findings, ai_dropped_sequence_in_both_modes)
{
    for (int fixed = 0; fixed < 2; fixed++) {
        struct rig *r = rig_new(16, MM_ALGO_XEN, fixed);
        rig_boot_xen(r, 0);
        cr_assert_eq(mm_map(&r->ctx, 0x10000000, 0x20000000, RIG_RW), 0);
        cr_assert_eq(mm_map(&r->ctx, 0x10000000, 0x20000000, RIG_RO), 0);
        cr_expect_eq(mm_map(&r->ctx, 0x10000000, 0x20000000, RIG_WC), 0);
        cr_expect_eq((r->ctx.table[5].prlar >> 1) & 7, 7);
        cr_expect_eq(r->hw.msg_count[MM_FINDING_AI_DROPPED], 1);
        rig_free(r);
    }
}

Test(findings, containing_overlap_sequence)
{
    for (int fixed = 0; fixed < 2; fixed++) {
        struct rig *r = rig_new(16, MM_ALGO_XEN, fixed);
        rig_boot_xen(r, 0);
        cr_expect_eq(mm_unmap_containing(&r->ctx, 0x79000), MM_EINVAL);
        cr_expect_eq(r->hw.msg_count[MM_MSG_OVERLAP], 1);
        cr_expect_eq(r->hw.msg_count[MM_FINDING_CONTAINING_OVERLAP], fixed ? 0u : 1u);
        cr_expect_eq(r->ctx.used, 5);
        rig_free(r);
    }
}
