/* Properties of both variants over long random call sequences (fixed seeds):
 *  - used never exceeds max_regions and is the popcount of the mask; the mask matches the
 *    table's EN bits;
 *  - a failed call changes nothing: table, mask and every fake register are identical;
 *  - the shadow table equals the hardware for every in-use region, and every free region is
 *    disabled in hardware, except the documented PRENR divergences of faithful mode (a region
 *    of index >= 32 stays enabled after being freed; a wrapped shift clears region (i mod 64)'s
 *    enable bit), which only ever appear together with their finding. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/mm/rig.h"

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

#define WINDOW_BASE 0x40000000ull

struct outcome {
    unsigned long ok, err, enoent;
    unsigned long prenr_not_disabled, prenr_wrapped, whole_unmap, ai_dropped;
};

static void random_call(struct rig *r, uint64_t *s, unsigned window, int *rc)
{
    static const unsigned flags[] = { RIG_RW, RIG_RW, RIG_RO, RIG_RX, RIG_NOCACHE, RIG_WC,
                                      RIG_RWX, RIG_NONE };
    uint64_t page = xorshift(s) % window;
    uint64_t base = WINDOW_BASE + page * 0x1000;
    unsigned pick = (unsigned)(xorshift(s) % 16);
    uint64_t len = (pick < 12 ? 1 + xorshift(s) % 3 : 1 + xorshift(s) % 32) * 0x1000;
    unsigned f = flags[xorshift(s) % (sizeof flags / sizeof flags[0])];
    if (xorshift(s) % 64 == 0) /* now and then: the tail page of the boot text region */
        base = 0x79000;
    uint64_t p;
    switch (xorshift(s) % 20) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
        *rc = mm_map(&r->ctx, base, base + len, f);
        break;
    case 10: case 11: case 12:
        *rc = mm_unmap(&r->ctx, base, base + len);
        break;
    case 13: case 14: case 15:
        *rc = mm_unmap_containing(&r->ctx, base);
        break;
    case 16: case 17: case 18:
        *rc = mm_ioremap(&r->ctx, base + xorshift(s) % 0x1000, xorshift(s) % (3 * 0x1000), f, &p);
        break;
    default: /* unaligned or empty */
        *rc = mm_map(&r->ctx, base + 0x800, base + len, f);
        break;
    }
}

static int regions_equal(const struct mm_region *a, const struct mm_region *b)
{
    return a->prbar == b->prbar && a->prlar == b->prlar && a->refcount == b->refcount &&
           a->transient == b->transient;
}

static void run_property(enum mm_algo algo, unsigned nregions, int fixed, uint64_t seed,
                         unsigned calls, struct outcome *out)
{
    struct rig *r = rig_new(nregions, algo, fixed);
    rig_boot_xen(r, 0);
    struct mm_ctx *before = malloc(sizeof *before);
    struct fake_regs *regs0 = malloc(sizeof *regs0);
    cr_assert(before && regs0);
    int stale[MM_MAX_REGIONS] = { 0 };    /* freed, may stay enabled in hardware */
    int lost_en[MM_MAX_REGIONS] = { 0 };  /* in use, may have lost EN through a wrapped shift */
    const int strict = fixed || nregions <= 32;
    const char *name = mm_algo_name(algo);
    memset(out, 0, sizeof *out);
    for (unsigned n = 0; n < calls; n++) {
        memcpy(before, &r->ctx, sizeof *before);
        *regs0 = r->hw.r;
        fake_hw_clear_log(&r->hw);
        int rc = 0;
        random_call(r, &seed, nregions * 2, &rc);

        for (size_t k = 0; k < r->hw.nlog && k < FAKE_LOG_CAP; k++) {
            const struct fake_event *e = &r->hw.log[k];
            if (e->op != FAKE_MSG)
                continue;
            if (e->msg == MM_FINDING_PRENR_NOT_DISABLED) {
                out->prenr_not_disabled++;
                stale[e->arg[0]] = 1;
            } else if (e->msg == MM_FINDING_PRENR_WRAPPED) {
                out->prenr_wrapped++;
                stale[e->arg[0]] = 1;
                lost_en[e->arg[1]] = 1;
            } else if (e->msg == MM_FINDING_WHOLE_REGION_UNMAP) {
                out->whole_unmap++;
            } else if (e->msg == MM_FINDING_AI_DROPPED) {
                out->ai_dropped++;
            }
        }
        if (rc == 0)
            out->ok++;
        else
            out->err++;
        if (rc == MM_ENOENT)
            out->enoent++;

        const struct mm_ctx *c = &r->ctx;
        cr_assert_leq(c->used, c->max_regions, "%s/%u call %u", name, nregions, n);
        unsigned pop = 0;
        for (unsigned w = 0; w < 4; w++)
            pop += (unsigned)__builtin_popcountll(c->mask[w]);
        cr_assert_eq(pop, c->used, "%s/%u call %u: used is the popcount", name, nregions, n);
        cr_assert_eq(r->hw.bad_accesses, 0, "%s/%u call %u: no access to an unimplemented "
                                            "register or region", name, nregions, n);

        if (rc != 0) {
            for (unsigned i = 0; i < MM_MAX_REGIONS; i++)
                cr_assert(regions_equal(&before->table[i], &c->table[i]),
                          "%s/%u call %u rc %d changed table entry %u", name, nregions, n, rc, i);
            cr_assert_eq(memcmp(before->mask, c->mask, sizeof c->mask), 0);
            cr_assert_eq(before->used, c->used);
            cr_assert_eq(memcmp(regs0, &r->hw.r, sizeof *regs0), 0,
                         "%s/%u call %u rc %d changed a register", name, nregions, n, rc);
            cr_assert_eq(fake_hw_count(&r->hw, FAKE_DSB, 0), 0, "no barrier after a failure");
        } else if (algo == MM_ALGO_XEN) {
            cr_assert_eq(fake_hw_count(&r->hw, FAKE_DSB, 0), 1, "one DSB after a success");
        }

        for (unsigned i = 0; i < MM_MAX_REGIONS; i++) {
            const struct mm_region *t = &c->table[i];
            cr_assert_eq(mm_region_valid(t), ((c->mask[i / 64] >> (i % 64)) & 1) != 0,
                         "mask bit %u", i);
            if (i >= c->max_regions) {
                cr_assert_eq(t->prlar, 0, "nothing beyond max_regions");
                continue;
            }
            uint64_t hb = r->hw.r.prbar[i], hl = r->hw.r.prlar[i];
            if (mm_region_valid(t)) {
                stale[i] = 0; /* (re)created or modified: written in full */
                cr_assert_eq(hb, t->prbar, "%s/%u call %u region %u prbar", name, nregions, n, i);
                if (strict || !lost_en[i] || (hl & 1))
                    cr_assert_eq(hl, t->prlar, "%s/%u call %u region %u prlar", name, nregions,
                                 n, i);
                else
                    cr_assert_eq(hl | 1, t->prlar, "only EN lost, through a wrapped shift");
            } else if (hl & 1) {
                cr_assert(!strict && stale[i], "%s/%u%s call %u: free region %u enabled in "
                          "hardware without a finding", name, nregions, fixed ? " fixed" : "",
                          n, i);
            }
        }
        if (strict)
            cr_assert_eq(out->prenr_not_disabled + out->prenr_wrapped, 0);
    }
    free(before);
    free(regs0);
    rig_free(r);
}

Test(property, xen_on_16_regions_keeps_every_invariant_strictly)
{
    struct outcome o;
    run_property(MM_ALGO_XEN, 16, 0, 0x9E3779B97F4A7C15ull, 20000, &o);
    cr_expect_gt(o.ok, 1000);
    cr_expect_gt(o.err, 1000);
    cr_expect_gt(o.enoent, 0, "the pool ran out at least once");
    cr_expect_gt(o.whole_unmap, 0);
}

Test(property, xen_on_32_regions_keeps_every_invariant_strictly)
{
    struct outcome o;
    run_property(MM_ALGO_XEN, 32, 0, 0x1234567887654321ull, 20000, &o);
    cr_expect_gt(o.ok, 1000);
    cr_expect_gt(o.ai_dropped, 0);
}

Test(property, xen_transient_on_16_and_32_regions_keeps_every_invariant_strictly)
{
    struct outcome o;
    run_property(MM_ALGO_XEN_TRANSIENT, 16, 0, 0xDEADBEEFCAFEF00Dull, 20000, &o);
    cr_expect_gt(o.ok, 1000);
    run_property(MM_ALGO_XEN_TRANSIENT, 32, 0, 0x0F1E2D3C4B5A6978ull, 20000, &o);
    cr_expect_gt(o.ok, 1000);
}

Test(property, faithful_on_64_regions_diverges_only_as_the_prenr_finding_says)
{
    struct outcome o;
    run_property(MM_ALGO_XEN, 64, 0, 0xA5A5A5A55A5A5A5Aull, 20000, &o);
    cr_expect_gt(o.prenr_not_disabled, 0, "indices 32..63 were freed");
    run_property(MM_ALGO_XEN_TRANSIENT, 64, 0, 0x5555AAAA3333CCCCull, 20000, &o);
    cr_expect_gt(o.prenr_not_disabled, 0);
}

Test(property, fixed_mode_on_64_and_128_regions_keeps_the_table_equal_to_the_hardware)
{
    struct outcome o;
    run_property(MM_ALGO_XEN, 64, 1, 0x0123456789ABCDEFull, 20000, &o);
    cr_expect_gt(o.ok, 1000);
    run_property(MM_ALGO_XEN, 128, 1, 0xFEDCBA9876543210ull, 20000, &o);
    cr_expect_gt(o.ok, 1000);
    run_property(MM_ALGO_XEN_TRANSIENT, 128, 1, 0x1111222233334444ull, 20000, &o);
    cr_expect_gt(o.ok, 1000);
}

Test(property, faithful_on_128_regions_diverges_only_as_the_wrap_finding_says)
{
    struct outcome o;
    run_property(MM_ALGO_XEN, 128, 0, 0x7777888899990000ull, 20000, &o);
    cr_expect_gt(o.prenr_wrapped, 0, "indices >= 64 were freed");
}
