/* mm/algo.c, the policies' part: names, mm_algo_parse with reserve:K, dispatch. */
#include <criterion/criterion.h>

#include "tests/mm/rig.h"

Test(policy_algo, policy_names_round_trip)
{
    cr_expect_str_eq(mm_algo_name(MM_ALGO_MERGE), "merge");
    cr_expect_str_eq(mm_algo_name(MM_ALGO_LAZY), "lazy");
    cr_expect_str_eq(mm_algo_name(MM_ALGO_RESERVE), "reserve");
    for (int a = 0; a < MM_ALGO_COUNT; a++)
        cr_expect_eq(mm_algo_from_name(mm_algo_name((enum mm_algo)a)), a, "%d", a);
    cr_expect_eq(mm_algo_from_name("reserve:4"), MM_ALGO_RESERVE);
    cr_expect_eq(mm_algo_from_name("reserve:"), -1);
    cr_expect_eq(mm_algo_from_name("lazy:1"), -1);
}

Test(policy_algo, parse_sets_algo_and_k_and_nothing_else)
{
    struct mm_options o = { .algo = MM_ALGO_XEN, .xen_fixed = 1, .reserve_k = 77 };
    cr_assert_eq(mm_algo_parse("reserve:4", &o), 0);
    cr_expect_eq(o.algo, MM_ALGO_RESERVE);
    cr_expect_eq(o.reserve_k, 4);
    cr_expect_eq(o.xen_fixed, 1, "untouched");
    cr_assert_eq(mm_algo_parse("reserve", &o), 0);
    cr_expect_eq(o.reserve_k, MM_RESERVE_DEFAULT_K);
    cr_assert_eq(mm_algo_parse("reserve:0", &o), 0);
    cr_expect_eq(o.reserve_k, 0);
    cr_assert_eq(mm_algo_parse("reserve:0xfe", &o), 0);
    cr_expect_eq(o.reserve_k, 254);
    cr_assert_eq(mm_algo_parse("reserve:0X0a", &o), 0);
    cr_expect_eq(o.reserve_k, 10);
    cr_assert_eq(mm_algo_parse("reserve:254", &o), 0);
    cr_expect_eq(o.reserve_k, 254);
    cr_assert_eq(mm_algo_parse("merge", &o), 0);
    cr_expect_eq(o.algo, MM_ALGO_MERGE);
    cr_expect_eq(o.reserve_k, 0);
}

Test(policy_algo, bad_names_and_bad_k_leave_the_options_untouched)
{
    static const char *const bad[] = { "reserve:255", "reserve:-1", "reserve:+1", "reserve:4x",
                                       "reserve:", "reserve:99999999999", "reserve:010", "reserve:00", "reserve:0x", "reserve:0xff", "reserve:0xg", "reserve4", "Merge",
                                       "lazy ", "", "xen:1" };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mm_options o = { .algo = MM_ALGO_LAZY, .reserve_k = 9 };
        cr_expect_eq(mm_algo_parse(bad[i], &o), -1, "'%s'", bad[i]);
        cr_expect_eq(o.algo, MM_ALGO_LAZY);
        cr_expect_eq(o.reserve_k, 9);
    }
    struct mm_options o = { .algo = MM_ALGO_XEN };
    cr_expect_eq(mm_algo_parse(NULL, &o), -1);
}

Test(policy_algo, init_clears_the_policy_state)
{
    struct rig *r = rig_new(16, MM_ALGO_LAZY, 0);
    cr_expect_eq(r->ctx.merge.n, 0);
    cr_expect_eq(r->ctx.merge.adopted, 0);
    cr_expect_eq(r->ctx.lazy.clock, 0);
    cr_expect_eq(r->ctx.lazy.hits, 0);
    for (unsigned i = 0; i < MM_MAX_REGIONS; i++)
        cr_expect_eq(r->ctx.lazy.slot[i].cached, 0);
    rig_free(r);
}

Test(policy_algo, every_policy_serves_every_trace_operation)
{
    static const enum mm_algo algos[] = { MM_ALGO_MERGE, MM_ALGO_LAZY, MM_ALGO_RESERVE };
    for (unsigned a = 0; a < 3; a++) {
        struct rig *r = rig_new(16, algos[a], 0);
        rig_boot_xen(r, 0);
        uint64_t p;
        cr_expect_eq(mm_map(&r->ctx, 0x40000000, 0x40002000, RIG_RW), 0, "%s", mm_algo_name(algos[a]));
        cr_expect_eq(mm_map(&r->ctx, 0x40000000, 0x40002000, RIG_NONE), 0, "a remove");
        cr_expect_eq(mm_ioremap(&r->ctx, 0x9c090010, 0x10, RIG_NOCACHE, &p), 0);
        cr_expect_eq(p, 0x9c090010);
        cr_expect_eq(mm_unmap_containing(&r->ctx, 0x9c090000), 0);
        cr_expect_eq(mm_map(&r->ctx, 0x50000000, 0x50001000, RIG_RWX), MM_EINVAL);
        cr_expect_eq(mm_map(&r->ctx, 0x50000800, 0x50001000, RIG_RW), MM_EINVAL);
        cr_expect_eq(mm_unmap(&r->ctx, 0x50000000, 0x50001000), MM_EINVAL);
        cr_expect_eq(r->ctx.used, 5);
        rig_free(r);
    }
}
