/* mm/policy_lazy.c: freed regions stay programmed but disabled; an identical map re-enables
 * one with a single EN write; eviction and invalidation rules. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/mm/rig.h"

#define A 0x40000000ull
#define P 0x1000ull

static struct rig *lazy_rig(void)
{
    struct rig *r = rig_new(16, MM_ALGO_LAZY, 0);
    rig_boot_xen(r, 0);
    return r;
}

Test(policy_lazy, an_unmap_clears_only_en_through_prenr_and_caches_the_region)
{
    struct rig *r = lazy_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + 2 * P, RIG_RW), 0);
    uint64_t prbar = r->ctx.table[5].prbar, prlar = r->ctx.table[5].prlar;
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_unmap(&r->ctx, A, A + 2 * P), 0);
    char buf[256];
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf),
                     "W PRENR 0x1f\nDSB SY\nISB\n");
    cr_expect_eq(r->ctx.used, 5);
    cr_expect_eq(r->ctx.table[5].prlar, 0, "free in the table");
    cr_expect_eq(r->hw.r.prbar[5], prbar, "bounds kept in hardware");
    cr_expect_eq(r->hw.r.prlar[5], prlar & ~1ull, "EN clear: not accessible");
    cr_expect(r->ctx.lazy.slot[5].cached);
    cr_expect_eq(r->ctx.lazy.slot[5].prlar, prlar);
    rig_free(r);
}

Test(policy_lazy, the_same_map_again_re_enables_it_with_one_prenr_write)
{
    struct rig *r = lazy_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + 2 * P, RIG_RW), 0);
    cr_assert_eq(mm_unmap(&r->ctx, A, A + 2 * P), 0);
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_map(&r->ctx, A, A + 2 * P, RIG_RW), 0);
    char buf[256];
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf),
                     "W PRENR 0x3f\nDSB SY\nISB\n");
    cr_expect_eq(r->ctx.last_region, 5);
    cr_expect_eq(r->ctx.lazy.hits, 1);
    cr_expect_not(r->ctx.lazy.slot[5].cached);
    cr_expect_eq(r->hw.r.prlar[5], r->ctx.table[5].prlar);
    rig_free(r);
}

Test(policy_lazy, other_attributes_are_no_hit)
{
    struct rig *r = lazy_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + P, RIG_RW), 0);
    cr_assert_eq(mm_unmap(&r->ctx, A, A + P), 0);
    cr_assert_eq(mm_map(&r->ctx, A, A + P, RIG_RO), 0);
    cr_expect_eq(r->ctx.lazy.hits, 0);
    cr_expect_eq(r->ctx.last_region, 6, "a never-used slot first");
    cr_expect_not(r->ctx.lazy.slot[5].cached, "dropped: it intersects the new region");
    rig_free(r);
}

Test(policy_lazy, above_region_31_disable_and_re_enable_are_one_prlar_write_each)
{
    struct rig *r = rig_new(64, MM_ALGO_LAZY, 0);
    rig_boot_empty(r);
    for (unsigned k = 0; k < 33; k++)
        cr_assert_eq(mm_map(&r->ctx, A + 2 * k * P, A + (2 * k + 1) * P, RIG_RW), 0);
    uint64_t prlar = r->ctx.table[32].prlar;
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_unmap_containing(&r->ctx, A + 64 * P), 0);
    char buf[256];
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf),
                     "W PRLAR 0x40040fce\nDSB SY\nISB\n", "PRSELR already selects group 32");
    cr_expect_eq(r->hw.r.prlar[32], prlar & ~1ull);
    fake_hw_clear_log(&r->hw);
    cr_assert_eq(mm_map(&r->ctx, A + 64 * P, A + 65 * P, RIG_RW), 0);
    cr_expect_str_eq(fake_hw_writes_str(&r->hw, buf, sizeof buf),
                     "W PRLAR 0x40040fcf\nDSB SY\nISB\n");
    cr_expect_eq(r->ctx.last_region, 32);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_WRITE, MM_PRENR_EL2), 0, "no PRENR bug");
    rig_free(r);
}

Test(policy_lazy, a_new_region_takes_a_never_used_slot_then_evicts_the_oldest_cached)
{
    struct rig *r = lazy_rig();
    for (unsigned k = 0; k < 11; k++) /* regions 5..15 */
        cr_assert_eq(mm_map(&r->ctx, A + 2 * k * P, A + (2 * k + 1) * P, RIG_RW), 0);
    cr_assert_eq(mm_unmap(&r->ctx, A + 4 * P, A + 5 * P), 0); /* region 7 cached first */
    cr_assert_eq(mm_unmap(&r->ctx, A + 2 * P, A + 3 * P), 0); /* region 6 cached second */
    cr_assert_eq(mm_map(&r->ctx, A + 40 * P, A + 41 * P, RIG_RW), 0);
    cr_expect_eq(r->ctx.last_region, 7, "the oldest cached slot is evicted");
    cr_expect_eq(r->ctx.lazy.evictions, 1);
    cr_expect(r->ctx.lazy.slot[6].cached);
    cr_assert_eq(mm_map(&r->ctx, A + 2 * P, A + 3 * P, RIG_RW), 0);
    cr_expect_eq(r->ctx.last_region, 6, "still a hit");
    cr_expect_eq(r->ctx.lazy.hits, 1);
    rig_free(r);
}

Test(policy_lazy, a_new_region_over_a_cached_range_invalidates_it)
{
    struct rig *r = lazy_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + P, RIG_RW), 0);        /* 5 */
    cr_assert_eq(mm_unmap(&r->ctx, A, A + P), 0);              /* 5 cached */
    cr_assert_eq(mm_map(&r->ctx, A, A + 4 * P, RIG_RW), 0);    /* 6, covers it */
    cr_expect_not(r->ctx.lazy.slot[5].cached);
    cr_assert_eq(mm_unmap(&r->ctx, A, A + 4 * P), 0);          /* 6 cached */
    cr_assert_eq(mm_map(&r->ctx, A, A + P, RIG_RW), 0);
    cr_expect_eq(r->ctx.lazy.hits, 0, "the small region was forgotten");
    cr_expect_eq(r->ctx.last_region, 5);
    cr_expect_not(r->ctx.lazy.slot[6].cached, "and the big one intersects the new one");
    rig_free(r);
}

Test(policy_lazy, refcounts_and_refusals_are_xen_s)
{
    struct rig *r = lazy_rig();
    cr_assert_eq(mm_map(&r->ctx, A, A + 4 * P, RIG_RW), 0);
    cr_assert_eq(mm_map(&r->ctx, A + P, A + 2 * P, RIG_RW), 0); /* INCLUSIVE: refcount 1 */
    cr_expect_eq(r->ctx.table[5].refcount, 1);
    cr_expect_eq(mm_unmap(&r->ctx, A, A + 4 * P), 0);
    cr_expect_eq(r->ctx.used, 6, "one user left");
    cr_expect_eq(mm_unmap(&r->ctx, A + P, A + 2 * P), MM_EINVAL, "a partial region");
    cr_expect_eq(mm_map(&r->ctx, A + 3 * P, A + 5 * P, RIG_RW), MM_EINVAL, "overlap");
    cr_expect_eq(mm_unmap_containing(&r->ctx, A + 2 * P), 0, "whole region, as Xen");
    cr_expect_eq(r->ctx.used, 5);
    cr_expect(r->ctx.lazy.slot[5].cached);
    rig_free(r);
}

Test(policy_lazy, exhaustion_fails_with_enoent_and_changes_nothing)
{
    struct rig *r = lazy_rig();
    for (unsigned k = 0; k < 11; k++)
        cr_assert_eq(mm_map(&r->ctx, A + 2 * k * P, A + (2 * k + 1) * P, RIG_RW), 0);
    struct fake_regs regs = r->hw.r;
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, A + 40 * P, A + 41 * P, RIG_RW), MM_ENOENT);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_POOL_EXHAUSTED), 1);
    cr_expect_eq(memcmp(&regs, &r->hw.r, sizeof regs), 0);
    cr_expect_eq(fake_hw_count(&r->hw, FAKE_DSB, 0), 0);
    rig_free(r);
}
