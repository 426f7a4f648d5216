/* mm/policy_reserve.c and mm/policy_refcount.c: K slots kept for short-lived (one-page)
 * mappings: long-lived ones may not take them, short-lived ones may use only them; otherwise
 * Xen's decision table, with the intended forms of the known bugs. */
#include <criterion/criterion.h>

#include "mm/policy.h"
#include "tests/mm/rig.h"

#define A 0x40000000ull
#define P 0x1000ull

static struct rig *reserve_rig(unsigned k)
{
    struct rig *r = rig_new(16, MM_ALGO_RESERVE, 0);
    r->ctx.opt.reserve_k = k;
    rig_boot_xen(r, 0); /* 11 free slots */
    return r;
}

Test(policy_reserve, short_lived_means_exactly_one_page)
{
    cr_expect(mm_reserve_short_lived(A, A + P));
    cr_expect_not(mm_reserve_short_lived(A, A + 2 * P));
    cr_expect_not(mm_reserve_short_lived(A, A + 16 * P));
}

Test(policy_reserve, long_lived_mappings_leave_the_last_k_slots_free)
{
    struct rig *r = reserve_rig(3);
    for (unsigned k = 0; k < 8; k++) /* 11 free -> 3 free */
        cr_assert_eq(mm_map(&r->ctx, A + 4 * k * P, A + (4 * k + 2) * P, RIG_RW), 0, "map %u", k);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, A + 64 * P, A + 66 * P, RIG_RW), MM_ENOENT);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_POOL_EXHAUSTED), 1);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_WRITE, MM_PRBAR_EL2(0)) +
                     fake_hw_count(&r->hw, FAKE_DSB, 0), 0, "nothing written, no sync");
    cr_expect_eq(r->ctx.used, 13);
    for (unsigned k = 0; k < 3; k++) /* short-lived: the reserved slots */
        cr_assert_eq(mm_map(&r->ctx, A + (80 + 2 * k) * P, A + (81 + 2 * k) * P, RIG_RW), 0);
    cr_expect_eq(r->ctx.used, 16);
    cr_expect_eq(mm_map(&r->ctx, A + 90 * P, A + 91 * P, RIG_RW), MM_ENOENT, "all in use");
    rig_free(r);
}

Test(policy_reserve, a_storm_of_short_lived_mappings_holds_at_most_k_slots)
{
    struct rig *r = reserve_rig(3);
    unsigned ok = 0;
    for (unsigned k = 0; k < 11; k++) /* 11 distinct pages held at the same time */
        ok += mm_map(&r->ctx, A + 2 * k * P, A + (2 * k + 1) * P, RIG_RW) == 0;
    cr_expect_eq(ok, 3, "only the reserve");
    cr_expect_eq(r->ctx.used, 8);
    for (unsigned k = 0; k < 8; k++) /* long-lived ones still get the other 8 slots */
        cr_assert_eq(mm_map(&r->ctx, A + (64 + 4 * k) * P, A + (66 + 4 * k) * P, RIG_RW), 0,
                     "long-lived %u", k);
    cr_expect_eq(r->ctx.used, 16);
    cr_assert_eq(mm_unmap_containing(&r->ctx, A), 0, "a short-lived one goes");
    cr_expect_eq(mm_map(&r->ctx, A + 96 * P, A + 98 * P, RIG_RW), MM_ENOENT,
                 "the freed slot is the reserve's");
    cr_expect_eq(mm_map(&r->ctx, A + 99 * P, A + 100 * P, RIG_RW), 0);
    rig_free(r);
}

Test(policy_reserve, an_ioremap_within_one_page_is_short_lived_one_across_two_is_not)
{
    struct rig *r = reserve_rig(11); /* every free slot reserved */
    uint64_t p;
    cr_expect_eq(mm_ioremap(&r->ctx, 0x9c090000, 0x1000, RIG_NOCACHE, &p), 0);
    cr_expect_eq(mm_ioremap(&r->ctx, 0x9c0a0800, 0x100, RIG_NOCACHE, &p), 0);
    cr_expect_eq(p, 0x9c0a0800);
    cr_expect_eq(mm_ioremap(&r->ctx, 0x9c0b0800, 0x1000, RIG_NOCACHE, &p), MM_EINVAL,
                 "two pages: long-lived, refused (NULL)");
    cr_expect_eq(p, 0);
    cr_expect_eq(mm_map(&r->ctx, 0x10000000, 0x20000000, RIG_RW), MM_ENOENT);
    rig_free(r);
}

Test(policy_reserve, refcounted_maps_need_no_slot_even_when_long_lived)
{
    struct rig *r = reserve_rig(11);
    cr_expect_eq(mm_map(&r->ctx, 0xc4000, 0xc8000, RIG_RW), 0, "INCLUSIVE in the bss region");
    cr_expect_eq(r->ctx.table[4].refcount, 1);
    cr_expect_eq(mm_map(&r->ctx, 0xa8000, 0xc4000, RIG_RW), 0, "in-place modify of init text");
    rig_free(r);
}

Test(policy_reserve, reserve_0_lets_long_lived_mappings_take_every_slot_as_xen)
{
    struct rig *r = reserve_rig(0);
    for (unsigned k = 0; k < 11; k++)
        cr_assert_eq(mm_map(&r->ctx, A + 4 * k * P, A + (4 * k + 2) * P, RIG_RW), 0, "map %u", k);
    cr_expect_eq(r->ctx.used, 16);
    cr_expect_eq(mm_map(&r->ctx, A + 64 * P, A + 65 * P, RIG_RW), MM_ENOENT);
    rig_free(r);
}

Test(policy_reserve, freeing_above_region_31_writes_the_zeroed_region_and_reports_nothing)
{
    struct rig *r = rig_new(64, MM_ALGO_RESERVE, 0);
    rig_boot_empty(r);
    for (unsigned k = 0; k < 33; k++)
        cr_assert_eq(mm_map(&r->ctx, A + 2 * k * P, A + (2 * k + 1) * P, RIG_RW), 0);
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_unmap_containing(&r->ctx, A + 64 * P), 0);
    cr_expect_eq(r->hw.r.prlar[32], 0);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_WRITE, MM_PRENR_EL2), 0);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_FINDING_PRENR_NOT_DISABLED), 0);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_FINDING_WHOLE_REGION_UNMAP), 0);
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_unmap(&r->ctx, A, A + P), 0);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_WRITE, MM_PRENR_EL2), 1, "index 0 through PRENR");
    rig_free(r);
}

Test(policy_reserve, an_overlapping_unmap_containing_is_a_plain_einval)
{
    struct rig *r = reserve_rig(2);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x79000), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_FINDING_CONTAINING_OVERLAP), 0);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x50000000), MM_EINVAL);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_REMOVE_ENTRY_NOT_EXIST), 1);
    rig_free(r);
}

Test(policy_reserve, one_lookup_is_counted_when_xen_s_rows_decide)
{
    struct rig *x = rig_new(16, MM_ALGO_XEN, 0);
    struct rig *r = reserve_rig(2);
    rig_boot_xen(x, 0);
    cr_assert_eq(mm_map(&x->ctx, 0xc4000, 0xc8000, RIG_RW), 0);
    cr_assert_eq(mm_map(&r->ctx, 0xc4000, 0xc8000, RIG_RW), 0);
    cr_expect_eq(r->ctx.scanned, x->ctx.scanned);
    rig_free(x);
    rig_free(r);
}
