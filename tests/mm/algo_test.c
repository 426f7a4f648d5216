/* mm/algo.c: initialisation, names, and what each trace operation calls in each variant. */
#include <criterion/criterion.h>

#include "tests/mm/rig.h"

Test(algo, names_round_trip_and_unknown_names_are_rejected)
{
    cr_expect_str_eq(mm_algo_name(MM_ALGO_XEN), "xen");
    cr_expect_str_eq(mm_algo_name(MM_ALGO_XEN_TRANSIENT), "xen-transient");
    cr_expect_eq(mm_algo_from_name("xen"), MM_ALGO_XEN);
    cr_expect_eq(mm_algo_from_name("xen-transient"), MM_ALGO_XEN_TRANSIENT);
    cr_expect_eq(mm_algo_from_name("xen-"), -1);
    cr_expect_eq(mm_algo_from_name("xe"), -1);
    cr_expect_eq(mm_algo_from_name(""), -1);
    cr_expect_eq(mm_algo_from_name(NULL), -1);
    cr_expect_str_eq(mm_algo_name(MM_ALGO_COUNT), "?");
}

Test(algo, init_gives_an_empty_table_and_copies_the_options)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN_TRANSIENT, 1);
    cr_expect_eq(r->ctx.opt.algo, MM_ALGO_XEN_TRANSIENT);
    cr_expect_eq(r->ctx.opt.xen_fixed, 1);
    cr_expect_eq(r->ctx.used, 0);
    cr_expect_eq(r->ctx.max_regions, 0);
    cr_expect_eq(r->ctx.last_region, -1);
    cr_expect_eq(r->ctx.scanned, 0);
    for (unsigned i = 0; i < MM_MAX_REGIONS; i++)
        cr_expect_eq(r->ctx.table[i].prlar, 0);
    cr_expect_eq(r->hw.nlog, 0, "init touches no hardware");
    rig_free(r);
}

Test(algo, before_boot_max_regions_is_0_so_every_map_exhausts_the_pool)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    cr_expect_eq(mm_map(&r->ctx, 0x1000, 0x2000, 0x2F), MM_ENOENT);
    rig_free(r);
}

Test(algo, unmap_is_destroy_xen_mappings_in_xen_and_unmap_mm_range_in_xen_transient)
{
    /* An exact unmap of one page in the middle of a 4-page region: xen refuses a partial
     * removal; xen-transient takes only the base and removes the whole transient region. */
    struct rig *x = rig_new(16, MM_ALGO_XEN, 0);
    struct rig *t = rig_new(16, MM_ALGO_XEN_TRANSIENT, 0);
    rig_boot_empty(x);
    rig_boot_empty(t);
    cr_assert_eq(mm_map(&x->ctx, 0x40000000, 0x40004000, 0x2F), 0);
    cr_assert_eq(mm_map(&t->ctx, 0x40000000, 0x40004000, 0x2F), 0);
    cr_expect_eq(mm_unmap(&x->ctx, 0x40001000, 0x40002000), MM_EINVAL);
    cr_expect_eq(mm_unmap(&t->ctx, 0x40001000, 0x40002000), 0);
    cr_expect_eq(x->ctx.used, 1);
    cr_expect_eq(t->ctx.used, 0);
    rig_free(x);
    rig_free(t);
}

Test(algo, every_call_resets_last_region_first)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_empty(r);
    cr_assert_eq(mm_map(&r->ctx, 0x1000, 0x2000, 0x2F), 0);
    cr_expect_eq(r->ctx.last_region, 0);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x9000), MM_EINVAL);
    cr_expect_eq(r->ctx.last_region, -1);
    cr_assert_eq(mm_map(&r->ctx, 0x1000, 0x2000, 0x2F), 0);
    uint64_t p;
    cr_expect_eq(mm_ioremap(&r->ctx, 0x8000, 0, 0x2C, &p), MM_EINVAL);
    cr_expect_eq(r->ctx.last_region, -1);
    rig_free(r);
}

Test(algo, an_unknown_variant_fails_every_call)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_empty(r);
    r->ctx.opt.algo = MM_ALGO_COUNT;
    uint64_t p = 1;
    cr_expect_eq(mm_map(&r->ctx, 0x1000, 0x2000, 0x2F), MM_EINVAL);
    cr_expect_eq(mm_unmap(&r->ctx, 0x1000, 0x2000), MM_EINVAL);
    cr_expect_eq(mm_unmap_containing(&r->ctx, 0x1000), MM_EINVAL);
    cr_expect_eq(mm_ioremap(&r->ctx, 0x1000, 0x1000, 0x2C, &p), MM_EINVAL);
    cr_expect_eq(p, 0);
    cr_expect_eq(r->ctx.used, 0);
    rig_free(r);
}
