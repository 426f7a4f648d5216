/* mm/region.c: pr_of_addr encodings (xen-mpu.md §4.3, §4.4), mpumap_contains_region (§5), the bitmap. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "mm/internal.h"
#include "tests/mm/rig.h"

/* xen-mpu.md §4.3, one row per named flag set: PRBAR bits [5:0] and PRLAR bits [5:0]. */
struct encoding_case {
    unsigned flags;
    uint64_t prbar_low;
    uint64_t prlar_low;
};

ParameterizedTestParameters(region, named_flag_sets_encode_as_the_reference_table)
{
    static struct encoding_case cases[] = {
        { 0x3F, 0x3A, 0x0F }, /* PAGE_HYPERVISOR_RO: inner, RO, XN, AI 7 */
        { 0x37, 0x38, 0x0F }, /* PAGE_HYPERVISOR_RX: inner, RO */
        { 0x2F, 0x32, 0x0F }, /* PAGE_HYPERVISOR_RW: inner, XN */
        { 0x2C, 0x22, 0x09 }, /* PAGE_HYPERVISOR_NOCACHE: outer, XN, AI 4 */
        { 0x29, 0x22, 0x03 }, /* PAGE_HYPERVISOR_WC: outer, XN, AI 1 */
        { 0x28, 0x22, 0x01 }, /* Device-nGnRnE, XN: outer, AI 0 */
        { 0x2A, 0x32, 0x05 }, /* Normal WT (AI 2), XN: inner */
        { 0x2B, 0x32, 0x07 }, /* Normal WB (AI 3), XN: inner */
    };
    return cr_make_param_array(struct encoding_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct encoding_case *c, region, named_flag_sets_encode_as_the_reference_table)
{
    struct mm_region r = mm_region_of(0x10000000, 0x10001000, c->flags);
    cr_expect_eq(r.prbar & 0x3F, c->prbar_low, "flags %#x: prbar %#llx", c->flags,
                 (unsigned long long)r.prbar);
    cr_expect_eq(r.prlar & 0x3F, c->prlar_low, "flags %#x: prlar %#llx", c->flags,
                 (unsigned long long)r.prlar);
    cr_expect_eq(mm_region_base(&r), 0x10000000);
    cr_expect_eq(mm_region_last(&r), 0x10000fff);
    cr_expect_eq(r.refcount, 0);
    cr_expect_eq(r.transient, 0);
}

Test(region, low_six_bits_of_base_and_limit_are_dropped_so_boot_limits_keep_64_byte_granules)
{
    struct mm_region r = mm_region_of(0x7a010, 0xa104c, MM_PAGE_HYPERVISOR_RO);
    cr_expect_eq(mm_region_base(&r), 0x7a000);
    cr_expect_eq(mm_region_last(&r), 0xa107f);
    cr_expect_eq(r.prlar & ~0x3Full, 0xa1040);
}

Test(region, res0_bits_63_to_48_are_masked_off)
{
    struct mm_region r = mm_region_of(0xFFFF000010000000ull, 0xFFFF000010001000ull, 0x2F);
    cr_expect_eq(r.prbar >> 48, 0);
    cr_expect_eq(r.prlar >> 48, 0);
    cr_expect_eq(mm_region_base(&r), 0x10000000);
}

Test(region, a_region_is_valid_exactly_when_its_software_en_bit_is_set)
{
    struct mm_region r = mm_region_of(0x1000, 0x2000, 0x2F);
    cr_expect_eq(mm_region_valid(&r), 1);
    r.prlar &= ~1ull;
    cr_expect_eq(mm_region_valid(&r), 0);
}

/* A rig with regions: 0 = [0x10000, 0x20000), 1 = [0x40000, 0x50000), on 16 entries. */
static struct rig *two_regions(void)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_empty(r);
    cr_assert_eq(mm_map(&r->ctx, 0x10000, 0x20000, 0x2F), 0);
    cr_assert_eq(mm_map(&r->ctx, 0x40000, 0x50000, 0x2F), 0);
    fake_hw_clear_log(&r->hw);
    return r;
}

Test(region, contains_region_classifies_found_inclusive_overlap_and_notfound)
{
    struct rig *r = two_regions();
    unsigned idx;
    cr_expect_eq(mm_contains_region(&r->ctx, 0x40000, 0x50000, &idx), MM_REGION_FOUND);
    cr_expect_eq(idx, 1);
    cr_expect_eq(mm_contains_region(&r->ctx, 0x41000, 0x42000, &idx), MM_REGION_INCLUSIVE);
    cr_expect_eq(idx, 1);
    cr_expect_eq(mm_contains_region(&r->ctx, 0x40000, 0x41000, &idx), MM_REGION_INCLUSIVE,
                 "same base, shorter: inside");
    cr_expect_eq(mm_contains_region(&r->ctx, 0x4f000, 0x51000, &idx), MM_REGION_OVERLAP,
                 "straddles the end");
    cr_expect_eq(idx, MM_INVALID_IDX);
    cr_expect_eq(mm_contains_region(&r->ctx, 0x3f000, 0x51000, &idx), MM_REGION_OVERLAP,
                 "a superset also overlaps");
    cr_expect_eq(mm_contains_region(&r->ctx, 0x20000, 0x40000, &idx), MM_REGION_NOTFOUND,
                 "touching both neighbours but intersecting neither");
    cr_expect_eq(idx, MM_INVALID_IDX);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_OVERLAP), 2);
    rig_free(r);
}

Test(region, a_range_touching_two_regions_is_reported_against_the_lower_index)
{
    struct rig *r = two_regions();
    unsigned idx;
    cr_expect_eq(mm_contains_region(&r->ctx, 0x1f000, 0x41000, &idx), MM_REGION_OVERLAP);
    const struct fake_event *e = &r->hw.log[0];
    cr_assert_eq(e->op, FAKE_MSG);
    cr_expect_eq(e->msg, MM_MSG_OVERLAP);
    cr_expect_eq(e->arg[0], 0x1f000);
    cr_expect_eq(e->arg[1], 0x41000);
    cr_expect_eq(e->arg[2], 0x10000, "region 0's base");
    cr_expect_eq(e->arg[3], 0x20000, "region 0's limit, printed exclusive");
    rig_free(r);
}

Test(region, lookup_touches_no_hardware)
{
    struct rig *r = two_regions();
    unsigned idx;
    mm_contains_region(&r->ctx, 0x41000, 0x42000, &idx);
    mm_contains_region(&r->ctx, 0x90000, 0x91000, &idx);
    cr_expect_eq(r->hw.nlog, 0);
    rig_free(r);
}

Test(region, a_hit_at_index_k_costs_k_plus_1_and_notfound_scans_all_max_regions)
{
    struct rig *r = two_regions();
    unsigned idx;
    uint64_t s0 = r->ctx.scanned;
    mm_contains_region(&r->ctx, 0x40000, 0x50000, &idx);
    cr_expect_eq(r->ctx.scanned - s0, 2);
    s0 = r->ctx.scanned;
    mm_contains_region(&r->ctx, 0x10000, 0x11000, &idx);
    cr_expect_eq(r->ctx.scanned - s0, 1);
    s0 = r->ctx.scanned;
    mm_contains_region(&r->ctx, 0x90000, 0x91000, &idx);
    cr_expect_eq(r->ctx.scanned - s0, 16, "disabled entries are examined too");
    rig_free(r);
}

Test(region, disabled_entries_are_skipped_even_if_their_bounds_match)
{
    struct rig *r = two_regions();
    r->ctx.table[0].prlar &= ~1ull; /* software EN clear, bounds kept */
    unsigned idx;
    cr_expect_eq(mm_contains_region(&r->ctx, 0x10000, 0x20000, &idx), MM_REGION_NOTFOUND);
    rig_free(r);
}

Test(region, bitmap_allocation_takes_the_lowest_clear_index_below_max_regions)
{
    struct rig *r = rig_new(200, MM_ALGO_XEN, 0);
    rig_boot_empty(r);
    cr_assert_eq(r->ctx.max_regions, 200);
    for (unsigned i = 0; i < 200; i++)
        cr_assert_eq(mm_bitmap_alloc(&r->ctx), (int)i);
    cr_expect_eq(r->ctx.used, 200);
    cr_expect_eq(mm_bitmap_alloc(&r->ctx), -1, "no bit at or above max_regions is handed out");
    mm_bitmap_clear(&r->ctx, 130);
    mm_bitmap_clear(&r->ctx, 70);
    cr_expect_eq(r->ctx.used, 198);
    cr_expect_eq(mm_bitmap_test(&r->ctx, 70), 0);
    uint64_t s0 = r->ctx.scanned;
    cr_expect_eq(mm_bitmap_alloc(&r->ctx), 70);
    cr_expect_eq(r->ctx.scanned - s0, 2, "two 64-bit words examined");
    cr_expect_eq(mm_bitmap_alloc(&r->ctx), 130);
    cr_expect_eq(mm_bitmap_test(&r->ctx, 130), 1);
    cr_expect_eq(r->ctx.used, 200);
    rig_free(r);
}

Test(region, used_is_the_popcount_of_the_mask)
{
    struct rig *r = rig_new(255, MM_ALGO_XEN, 0);
    rig_boot_empty(r);
    mm_bitmap_set(&r->ctx, 254);
    mm_bitmap_set(&r->ctx, 254);
    mm_bitmap_set(&r->ctx, 0);
    mm_bitmap_clear(&r->ctx, 5);
    cr_expect_eq(r->ctx.used, 2);
    unsigned pop = 0;
    for (unsigned w = 0; w < 4; w++)
        pop += (unsigned)__builtin_popcountll(r->ctx.mask[w]);
    cr_expect_eq(pop, 2);
    rig_free(r);
}
