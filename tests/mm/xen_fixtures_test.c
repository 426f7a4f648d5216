/* The verified call sequences of ../shared/reference/xen-fixtures.md, row by row: rc and
 * regions used after each call, the message each error row names, and the final table. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/mm/rig.h"

enum row_op { MAP, CONTAINING };

struct row {
    enum row_op op;
    uint64_t base;  /* map: base; containing: addr */
    uint64_t limit; /* map only */
    unsigned flags; /* map only */
    int rc;
    unsigned used;
    int msg; /* message the row's note names, or -1 */
};

static void run_rows(struct rig *r, const struct row *rows, size_t n, const char *scenario)
{
    for (size_t i = 0; i < n; i++) {
        const struct row *w = &rows[i];
        fake_hw_clear_log(&r->hw);
        int rc = w->op == MAP ? mm_map(&r->ctx, w->base, w->limit, w->flags)
                              : mm_unmap_containing(&r->ctx, w->base);
        cr_expect_eq(rc, w->rc, "%s row %zu: rc %d, expected %d", scenario, i + 1, rc, w->rc);
        cr_expect_eq(r->ctx.used, w->used, "%s row %zu: used %u, expected %u", scenario, i + 1,
                     r->ctx.used, w->used);
        if (w->msg >= 0)
            cr_expect_eq(fake_hw_msgs(&r->hw, (enum mm_msg)w->msg), 1, "%s row %zu: message %s",
                         scenario, i + 1, mm_msg_name((enum mm_msg)w->msg));
        /* Every successful call ends with exactly one DSB SY + ISB; a failed one has none. */
        cr_expect_eq(fake_hw_count(&r->hw, FAKE_DSB, 0), rc == 0 ? 1u : 0u, "%s row %zu DSB",
                     scenario, i + 1);
    }
}

/* Scenario A (and A2, which differs only in the boot UART region). */
static const struct row scenario_a[] = {
    { MAP, 0x8000000, 0x8001000, RIG_RO, 0, 6, -1 },
    { MAP, 0x8000000, 0x8001000, RIG_NONE, 0, 5, -1 },
    { MAP, 0x8000000, 0x8003000, RIG_RO, 0, 6, -1 },
    { MAP, 0x10000000, 0x20000000, RIG_RW, 0, 7, -1 },
    { MAP, 0xaf000000, 0xaf010000, RIG_NOCACHE, 0, 8, -1 },
    { MAP, 0xaf100000, 0xaf300000, RIG_NOCACHE, 0, 9, -1 },
    { MAP, 0x9c090000, 0x9c091000, RIG_NOCACHE, 0, 10, -1 },
    { MAP, 0x1f000000, 0x1f001000, RIG_RW, 0, 10, -1 },
    { CONTAINING, 0x1f000000, 0, 0, 0, 10, -1 },
    { MAP, 0x20000000, 0x20001000, RIG_WC, 0, 11, -1 },
    { MAP, 0x20000000, 0x20001000, RIG_NONE, 0, 10, -1 },
    { MAP, 0x20000000, 0x20001000, RIG_WC, 0, 11, -1 },
    { MAP, 0x20000000, 0x20001000, RIG_NONE, 0, 10, -1 },
    { MAP, 0x20000000, 0x20001000, RIG_WC, 0, 11, -1 },
    { MAP, 0x20000000, 0x20001000, RIG_NONE, 0, 10, -1 },
    { MAP, 0x20000000, 0x21400000, RIG_WC, 0, 11, -1 },
    { MAP, 0x30000000, 0x30001000, RIG_RW, 0, 12, -1 },
    { CONTAINING, 0x30000000, 0, 0, 0, 11, -1 },
    { CONTAINING, 0x20000000, 0, 0, 0, 10, -1 },
    { MAP, 0x8000000, 0x8003000, RIG_NONE, 0, 9, -1 },
    { MAP, 0xa8000, 0xc4000, RIG_RW, 0, 9, -1 },
    { MAP, 0xa8000, 0xc4000, RIG_NONE, 0, 8, -1 },
};

Test(xen_fixtures, scenario_a_boot_on_an_fvp_like_board_matches_every_row_and_the_final_table)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_xen(r, 0);
    cr_assert_eq(r->ctx.used, 5);
    run_rows(r, scenario_a, sizeof scenario_a / sizeof scenario_a[0], "A");
    char buf[1024];
    cr_expect_str_eq(rig_dump(r, buf, sizeof buf),
                     "0:[0x0,0x79cff]ROX ai7 ref0 1:[0x7a000,0xa107f]ROXN ai7 ref0 "
                     "2:[0xa2000,0xa7fff]RWXN ai7 ref0 4:[0xc4000,0x1304ff]RWXN ai7 ref0 "
                     "6:[0x10000000,0x1fffffff]RWXN ai7 ref0 7:[0xaf000000,0xaf00ffff]RWXN ai4 ref0 "
                     "8:[0xaf100000,0xaf2fffff]RWXN ai4 ref0 9:[0x9c090000,0x9c090fff]RWXN ai4 ref0");
    rig_free(r);
}

Test(xen_fixtures, scenario_a2_with_the_early_uart_boot_region_matches_every_row_and_the_final_table)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_xen(r, 1);
    cr_assert_eq(r->ctx.used, 6);
    struct row rows[sizeof scenario_a / sizeof scenario_a[0]];
    memcpy(rows, scenario_a, sizeof rows);
    /* A2's column: one more region in use until row 7, where the pl011 ioremap finds the boot
     * UART region (refcount 1) instead of creating one. */
    static const unsigned used_a2[] = { 7, 6, 7, 8, 9, 10, 10, 10, 10, 11, 10,
                                        11, 10, 11, 10, 11, 12, 11, 10, 9, 9, 8 };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        rows[i].used = used_a2[i];
    run_rows(r, rows, sizeof rows / sizeof rows[0], "A2");
    char buf[1024];
    cr_expect_str_eq(rig_dump(r, buf, sizeof buf),
                     "0:[0x0,0x79cff]ROX ai7 ref0 1:[0x7a000,0xa107f]ROXN ai7 ref0 "
                     "2:[0xa2000,0xa7fff]RWXN ai7 ref0 4:[0xc4000,0x1304ff]RWXN ai7 ref0 "
                     "5:[0x9c090000,0x9c090fff]RWXN ai4 ref1 7:[0x10000000,0x1fffffff]RWXN ai7 ref0 "
                     "8:[0xaf000000,0xaf00ffff]RWXN ai4 ref0 9:[0xaf100000,0xaf2fffff]RWXN ai4 ref0");
    rig_free(r);
}

static const struct row scenario_b[] = {
    { MAP, 0x10000000, 0x20000000, RIG_RW, 0, 6, -1 },
    { MAP, 0x40000000, 0x40001000, RIG_RWX, -22, 6, MM_MSG_RWX },
    { MAP, 0x40000000, 0x40000000, RIG_RW, -22, 6, MM_MSG_BASE_GE_LIMIT },
    { MAP, 0x40000800, 0x40001000, RIG_RW, -22, 6, MM_MSG_NOT_PAGE_ALIGNED },
    { MAP, 0x1ffff000, 0x20001000, RIG_RW, -22, 6, MM_MSG_OVERLAP },
    { MAP, 0x10000000, 0x10001000, RIG_WC, -22, 6, MM_MSG_AI_CHANGE },
    { MAP, 0x10000000, 0x10001000, RIG_RO, -22, 6, MM_MSG_PARTIAL_ATTR },
    { MAP, 0x10000000, 0x10001000, RIG_RW, 0, 6, -1 },
    { MAP, 0x10000000, 0x20000000, RIG_RO, -22, 6, MM_MSG_MULTI_MAPPED_ATTR },
    { MAP, 0x10000000, 0x20000000, RIG_NONE, 0, 6, -1 },
    { MAP, 0x10000000, 0x10001000, RIG_NONE, -22, 6, MM_MSG_REMOVE_PARTIAL },
    { MAP, 0x50000000, 0x50001000, RIG_NONE, -22, 6, MM_MSG_REMOVE_NOT_EXIST },
    { MAP, 0x79000, 0x7a000, RIG_RX, -22, 6, MM_MSG_OVERLAP },
    { MAP, 0x10000000, 0x20000000, RIG_RO, 0, 6, -1 },
    { MAP, 0x10000000, 0x20000000, RIG_WC, 0, 6, MM_FINDING_AI_DROPPED },
    { MAP, 0x10000000, 0x20000000, RIG_NOCACHE, -22, 6, MM_MSG_AI_CHANGE },
    { MAP, 0x10000000, 0x20000000, RIG_RW, 0, 6, -1 },
    { MAP, 0x10000000, 0x20000000, RIG_NONE, 0, 6, -1 },
    { CONTAINING, 0x18000000, 0, 0, 0, 5, MM_FINDING_WHOLE_REGION_UNMAP },
};

Test(xen_fixtures, scenario_b_error_paths_match_every_row_message_and_the_final_table)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_xen(r, 0);
    run_rows(r, scenario_b, sizeof scenario_b / sizeof scenario_b[0], "B");
    char buf[1024];
    cr_expect_str_eq(rig_dump(r, buf, sizeof buf),
                     "0:[0x0,0x79cff]ROX ai7 ref0 1:[0x7a000,0xa107f]ROXN ai7 ref0 "
                     "2:[0xa2000,0xa7fff]RWXN ai7 ref0 3:[0xa8000,0xc3fff]ROX ai7 ref0 "
                     "4:[0xc4000,0x1304ff]RWXN ai7 ref0");
    rig_free(r);
}

Test(xen_fixtures, scenario_b_messages_have_the_reference_text)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_xen(r, 0);
    static const struct {
        size_t row;
        const char *text;
    } want[] = {
        { 3, "Base address 0x40000000 must be smaller than limit address 0x40000000" },
        { 4, "base address 0x40000800, or limit address 0x40001000 is not page aligned" },
        { 5, "Range 0x1ffff000 - 0x20001000 overlaps with the existing region 0x10000000 - "
             "0x20000000" },
        { 13, "Range 0x79000 - 0x7a000 overlaps with the existing region 0x0 - 0x79d00" },
    };
    size_t k = 0;
    for (size_t i = 0; i < sizeof scenario_b / sizeof scenario_b[0]; i++) {
        const struct row *w = &scenario_b[i];
        fake_hw_clear_log(&r->hw);
        if (w->op == MAP)
            mm_map(&r->ctx, w->base, w->limit, w->flags);
        else
            mm_unmap_containing(&r->ctx, w->base);
        if (k < sizeof want / sizeof want[0] && want[k].row == i + 1) {
            const struct fake_event *e = NULL;
            for (size_t j = 0; j < r->hw.nlog && j < FAKE_LOG_CAP; j++)
                if (r->hw.log[j].op == FAKE_MSG)
                    e = &r->hw.log[j];
            cr_assert_not_null(e, "row %zu logged nothing", i + 1);
            char text[256];
            mm_msg_format(e->msg, e->arg[0], e->arg[1], e->arg[2], e->arg[3], text, sizeof text);
            cr_expect_str_eq(text, want[k].text, "row %zu", i + 1);
            k++;
        }
    }
    cr_expect_eq(k, 4);
    rig_free(r);
}

Test(xen_fixtures, scenario_c_the_twelfth_page_ioremap_exhausts_a_16_region_pool)
{
    struct rig *r = rig_new(16, MM_ALGO_XEN, 0);
    rig_boot_xen(r, 0);
    for (unsigned i = 0; i < 11; i++) {
        uint64_t ptr;
        cr_assert_eq(mm_ioremap(&r->ctx, 0x9c000000 + i * 0x10000, 0x1000, RIG_NOCACHE, &ptr), 0,
                     "ioremap %u", i + 1);
        cr_expect_eq(r->ctx.last_region, (int)(5 + i));
    }
    cr_assert_eq(r->ctx.used, 16);
    fake_hw_clear_log(&r->hw);
    cr_expect_eq(mm_map(&r->ctx, 0x9c0b0000, 0x9c0b1000, RIG_NOCACHE), MM_ENOENT);
    cr_expect_eq(fake_hw_msgs(&r->hw, MM_MSG_POOL_EXHAUSTED), 1);
    cr_expect_eq(r->ctx.last_region, -1);
    uint64_t ptr = 1;
    cr_expect_eq(mm_ioremap(&r->ctx, 0x9c0b0000, 0x1000, RIG_NOCACHE, &ptr), MM_EINVAL,
                 "ioremap gives NULL");
    cr_expect_eq(ptr, 0);
    cr_expect_eq(r->ctx.used, 16);
    rig_free(r);
}
