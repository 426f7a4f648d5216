/* mm/policy_merge.c: contiguous mappings with identical attributes share one region, with a
 * count per mapped sub-range; unmapping the middle splits; register order never doubles an
 * address. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/mm/rig.h"

#define A 0x40000000ull
#define P 0x1000ull

/* 16 regions, the 5 debug-build boot regions, merge policy. */
static struct rig *merge_rig(void)
{
    struct rig *r = rig_new(16, MM_ALGO_MERGE, 0);
    rig_boot_xen(r, 0);
    return r;
}

static unsigned records_of(const struct rig *r, unsigned idx)
{
    unsigned n = 0;
    for (unsigned k = 0; k < r->ctx.merge.n; k++)
        n += r->ctx.merge.rec[k].region == idx;
    return n;
}

Test(policy_merge, adjacent_maps_with_identical_attributes_share_one_region)
{
    struct rig *r = merge_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + P, RIG_RW), 0);
    cr_expect_eq(r->ctx.last_region, 5);
    cr_assert_eq(mm_map(&r->ctx, A + P, A + 2 * P, RIG_RW), 0);
    cr_expect_eq(r->ctx.last_region, 5, "joined, no new region");
    cr_assert_eq(mm_map(&r->ctx, A - P, A, RIG_RW), 0);
    cr_expect_eq(r->ctx.used, 6);
    cr_expect_eq(mm_region_base(&r->ctx.table[5]), A - P);
    cr_expect_eq(mm_region_last(&r->ctx.table[5]), A + 2 * P - 1);
    cr_expect_eq(r->hw.r.prbar[5], r->ctx.table[5].prbar, "hardware follows");
    cr_expect_eq(r->hw.r.prlar[5], r->ctx.table[5].prlar);
    cr_expect_eq(records_of(r, 5), 3, "one record per mapping");
    rig_free(r);
}

Test(policy_merge, a_map_inside_a_region_with_its_attributes_writes_no_register)
{
    struct rig *r = merge_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + 4 * P, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_map(&r->ctx, A + P, A + 2 * P, RIG_RW), 0);
    char buf[256];
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf), "DSB SY\nISB\n");
    cr_expect_eq(r->ctx.last_region, 5);
    rig_free(r);
}

Test(policy_merge, a_bridging_map_frees_the_higher_region_before_growing_the_lower)
{
    struct rig *r = merge_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + P, RIG_RW), 0);
    cr_assert_eq(mm_map(&r->ctx, A + 2 * P, A + 3 * P, RIG_RW), 0);
    cr_assert_eq(r->ctx.last_region, 6);
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_map(&r->ctx, A + P, A + 2 * P, RIG_RW), 0);
    cr_expect_eq(r->ctx.last_region, 5);
    cr_expect_eq(r->ctx.used, 6, "region 6 went into region 5");
    cr_expect_eq(mm_region_last(&r->ctx.table[5]), A + 3 * P - 1);
    cr_expect_eq(r->hw.r.prlar[6] & 1, 0);
    char buf[512];
    /* PRENR clears region 6 first (bit 6: 0x3f -> 0x3f & ~0x40, regions 0..5 enabled), then
     * region 5 is rewritten: PRBAR unchanged, PRLAR grown. */
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf),
                     "W PRENR 0x3f\nW PRBAR5 0x40000032\nW PRLAR5 0x40002fcf\nDSB SY\nISB\n");
    rig_free(r);
}

Test(policy_merge, other_attributes_may_touch_but_not_overlap)
{
    struct rig *r = merge_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + 2 * P, RIG_RW), 0);
    cr_expect_eq(mm_map(&r->ctx, A + 2 * P, A + 3 * P, RIG_NOCACHE), 0);
    cr_expect_eq(r->ctx.last_region, 6, "a neighbour with other attributes is its own region");
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, A + P, A + 3 * P, RIG_RW), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_OVERLAP), 1);
    cr_expect_eq(mm_map(&r->ctx, A + P, A + 2 * P, RIG_RO), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_PARTIAL_ATTR), 1);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_DSB, 0), 0);
    cr_expect_eq(r->ctx.used, 7);
    rig_free(r);
}

Test(policy_merge, unmapping_the_middle_splits_shrinking_before_programming_the_new_region)
{
    struct rig *r = merge_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + 4 * P, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_unmap(&r->ctx, A + P, A + 2 * P), 0);
    cr_expect_eq(r->ctx.used, 7);
    cr_expect_eq(r->ctx.last_region, 5);
    cr_expect_eq(mm_region_last(&r->ctx.table[5]), A + P - 1);
    cr_expect_eq(mm_region_base(&r->ctx.table[6]), A + 2 * P);
    cr_expect_eq(mm_region_last(&r->ctx.table[6]), A + 4 * P - 1);
    char buf[512];
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf),
                     "W PRBAR5 0x40000032\nW PRLAR5 0x40000fcf\n"
                     "W PRBAR6 0x40002032\nW PRLAR6 0x40003fcf\nDSB SY\nISB\n");
    cr_expect_eq(records_of(r, 5), 1);
    cr_expect_eq(records_of(r, 6), 1);
    rig_free(r);
}

Test(policy_merge, a_split_without_a_free_slot_fails_with_enoent_and_changes_nothing)
{
    struct rig *r = merge_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + 4 * P, RIG_RW), 0);
    for (unsigned k = 0; k < 10; k++) /* regions 6..15, not adjacent to anything */
        cr_assert_eq(mm_map(&r->ctx, A + (10 + 2 * k) * P, A + (11 + 2 * k) * P, RIG_RW), 0);
    cr_assert_eq(r->ctx.used, 16);
    struct mm_ctx before = r->ctx;
    struct fake_regs regs = r->hw.r;
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_unmap(&r->ctx, A + P, A + 2 * P), MM_ENOENT);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_POOL_EXHAUSTED), 1);
    cr_expect_eq(memcmp(&before.table, &r->ctx.table, sizeof before.table), 0);
    cr_expect_eq(before.merge.n, r->ctx.merge.n);
    cr_expect_eq(memcmp(before.merge.rec, r->ctx.merge.rec, before.merge.n * sizeof before.merge.rec[0]), 0);
    cr_expect_eq(memcmp(&regs, &r->hw.r, sizeof regs), 0);
    cr_expect_eq(mm_unmap(&r->ctx, A + 3 * P, A + 4 * P), 0, "cutting the end needs no slot");
    rig_free(r);
}

Test(policy_merge, each_sub_range_keeps_its_own_count)
{
    struct rig *r = merge_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + 2 * P, RIG_RW), 0);
    cr_assert_eq(mm_map(&r->ctx, A, A + 2 * P, RIG_RW), 0);
    cr_assert_eq(mm_map(&r->ctx, A + 2 * P, A + 3 * P, RIG_RW), 0);
    cr_expect_eq(records_of(r, 5), 2);
    cr_assert_eq(mm_unmap(&r->ctx, A + 2 * P, A + 3 * P), 0);
    cr_expect_eq(mm_region_last(&r->ctx.table[5]), A + 2 * P - 1, "shrunk to the rest");
    cr_assert_eq(mm_unmap(&r->ctx, A, A + 2 * P), 0);
    cr_expect_eq(r->ctx.used, 6, "still mapped once");
    cr_assert_eq(mm_unmap(&r->ctx, A, A + 2 * P), 0);
    cr_expect_eq(r->ctx.used, 5);
    cr_expect_eq(r->hw.r.prlar[5] & 1, 0, "disabled in hardware");
    cr_expect_eq(mm_unmap(&r->ctx, A, A + 2 * P), MM_EINVAL);
    rig_free(r);
}

Test(policy_merge, unmap_containing_removes_the_mapping_that_starts_at_that_page)
{
    struct rig *r = merge_rig();
    uint64_t p;
    cr_assert_eq(mm_map(&r->ctx, A, A + 16 * P, RIG_RW), 0);      /* a heap */
    cr_assert_eq(mm_map(&r->ctx, A + 3 * P, A + 4 * P, RIG_RW), 0); /* map_domain_page */
    cr_assert_eq(mm_unmap_containing(&r->ctx, A + 3 * P), 0);       /* unmap_domain_page */
    cr_expect_eq(r->ctx.used, 6, "the heap stays whole");
    cr_expect_eq(mm_region_last(&r->ctx.table[5]), A + 16 * P - 1);
    cr_assert_eq(mm_ioremap(&r->ctx, 0x9c090000, 0x4000, RIG_NOCACHE, &p), 0);
    cr_assert_eq(mm_unmap_containing(&r->ctx, 0x9c090000), 0); /* iounmap */
    cr_expect_eq(r->ctx.used, 6, "the whole ioremap goes");
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x9c090000), MM_EINVAL);
    rig_free(r);
}

Test(policy_merge, an_unmap_covered_only_by_several_mappings_together_is_refused)
{
    struct rig *r = merge_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + P, RIG_RW), 0);
    cr_assert_eq(mm_map(&r->ctx, A + P, A + 2 * P, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_unmap(&r->ctx, A, A + 2 * P), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_REMOVE_PARTIAL), 1);
    cr_expect_eq(mm_unmap(&r->ctx, A + P, A + 3 * P), MM_EINVAL, "straddles the end");
    cr_expect_eq(mm_unmap(&r->ctx, A + 8 * P, A + 9 * P), MM_EINVAL, "nothing there");
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_REMOVE_NOT_EXIST), 1);
    rig_free(r);
}

Test(policy_merge, boot_regions_are_adopted_as_one_mapping_and_can_be_modified_then_freed)
{
    struct rig *r = merge_rig();
    /* free_init_memory: init text RX -> RW in place, then destroyed. */
    cr_assert_eq(mm_map(&r->ctx, 0xa8000, 0xc4000, RIG_RW), 0);
    cr_expect_eq(r->ctx.last_region, 3);
    cr_expect_eq((r->ctx.table[3].prbar >> 1) & 1, 1, "XN now");
    cr_expect_eq(records_of(r, 3), 1);
    cr_assert_eq(mm_unmap(&r->ctx, 0xa8000, 0xc4000), 0);
    cr_expect_eq(r->ctx.used, 4);
    rig_free(r);
}

Test(policy_merge, a_modify_of_a_region_mapped_twice_is_refused)
{
    struct rig *r = merge_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + P, RIG_RW), 0);
    cr_assert_eq(mm_map(&r->ctx, A, A + P, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, A, A + P, RIG_RO), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_MULTI_MAPPED_ATTR), 1);
    cr_assert_eq(mm_unmap(&r->ctx, A, A + P), 0);
    cr_expect_eq(mm_map(&r->ctx, A, A + P, RIG_WC), 0, "one user: in place, AttrIndx too");
    cr_expect_eq((r->ctx.table[5].prlar >> 1) & 7, 1);
    rig_free(r);
}

Test(policy_merge, a_failed_first_call_leaves_no_records_behind)
{
    struct rig *r = merge_rig();
    cr_expect_eq(mm_map(&r->ctx, 0x79000, 0x7a000, RIG_RW), MM_EINVAL);
    cr_expect_eq(r->ctx.merge.n, 0);
    cr_expect_eq(r->ctx.merge.adopted, 0);
    cr_assert_eq(mm_map(&r->ctx, A, A + P, RIG_RW), 0);
    cr_expect_eq(r->ctx.merge.n, 6, "5 boot regions and the new mapping");
    rig_free(r);
}

Test(policy_merge, regions_above_31_are_disabled_by_a_zeroed_write_not_through_prenr)
{
    struct rig *r = rig_new(64, MM_ALGO_MERGE, 0);
    rig_boot_empty(r);
    for (unsigned k = 0; k < 33; k++) /* regions 0..32, one page apart */
        cr_assert_eq(mm_map(&r->ctx, A + 2 * k * P, A + (2 * k + 1) * P, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_unmap(&r->ctx, A + 64 * P, A + 65 * P), 0);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_WRITE, MM_PRENR_EL2), 0);
    cr_expect_eq(r->hw.r.prlar[32], 0);
    cr_expect_eq(r->ctx.used, 32);
    rig_free(r);
}

Test(policy_merge, ioremap_rounds_as_xen_and_returns_the_address_with_its_offset)
{
    struct rig *r = merge_rig();
    uint64_t p;
    cr_expect_eq(mm_ioremap(&r->ctx, A + 0x800, 0x1000, RIG_NOCACHE, &p), 0);
    cr_expect_eq(p, A + 0x800);
    cr_expect_eq(mm_region_last(&r->ctx.table[5]), A + 2 * P - 1);
    cr_expect_eq(mm_ioremap(&r->ctx, A + 4 * P, 0, RIG_NOCACHE, &p), MM_EINVAL);
    cr_expect_eq(p, 0);
    rig_free(r);
}
