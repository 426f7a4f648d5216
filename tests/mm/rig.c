/* The test rig of rig.h. */
#include "tests/mm/rig.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

struct rig *rig_new(unsigned nregions, enum mm_algo algo, int fixed)
{
    struct rig *r = calloc(1, sizeof *r);
    cr_assert_not_null(r);
    fake_hw_init(&r->hw, nregions);
    struct mm_options opt = { .algo = algo, .xen_fixed = fixed };
    struct mm_hw hw = fake_hw_bind(&r->hw);
    mm_init(&r->ctx, &opt, &hw);
    return r;
}

void rig_free(struct rig *r)
{
    free(r);
}

static const struct mm_boot_region xen_boot[] = {
    { 0x0, 0x79cf4, RIG_RX },               /* text */
    { 0x7a000, 0xa104c, RIG_RO },           /* rodata */
    { 0xa2000, 0xa8000, RIG_RW },           /* data */
    { 0xa8000, 0xc4000, RIG_RX },           /* init text */
    { 0xc4000, 0x1304e0, RIG_RW },          /* init data + bss */
    { 0x9c090000, 0x9c091000, RIG_NOCACHE }, /* early UART */
};

void rig_boot_xen(struct rig *r, int early_uart)
{
    cr_assert_eq(mm_boot(&r->ctx, xen_boot, early_uart ? 6 : 5), 0);
    fake_hw_clear_log(&r->hw);
}

void rig_boot_empty(struct rig *r)
{
    cr_assert_eq(mm_boot(&r->ctx, NULL, 0), 0);
    fake_hw_clear_log(&r->hw);
}

const char *rig_dump(const struct rig *r, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < MM_MAX_REGIONS && len < cap; i++) {
        const struct mm_region *e = &r->ctx.table[i];
        if (!mm_region_valid(e))
            continue;
        int ro = (int)((e->prbar >> 3) & 1), xn = (int)((e->prbar >> 1) & 1);
        int ai = (int)((e->prlar >> 1) & 7);
        int k = snprintf(buf + len, cap - len, "%s%u:[0x%llx,0x%llx]%s%s ai%d ref%u",
                         len ? " " : "", i, (unsigned long long)mm_region_base(e),
                         (unsigned long long)mm_region_last(e), ro ? "RO" : "RW", xn ? "XN" : "X",
                         ai, e->refcount);
        if (k > 0)
            len += (size_t)k;
    }
    return buf;
}
