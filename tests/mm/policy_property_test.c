/* Properties of the policies (merge, lazy, reserve:K) over long random call sequences, on the
 * real MPU model (mpu_model/) so that every access is checked as the hardware would. After
 * every call:
 *  - regions in use never exceed the implemented number; used is the popcount of the mask;
 *  - the table matches the registers: an entry with EN set equals PRBAR/PRLAR exactly, an
 *    entry with EN clear is disabled in hardware (lazy: a cached region keeps its bounds);
 *  - no address hits two enabled regions;
 *  - a failed call changes nothing (table, mask, registers, policy state) and syncs nothing;
 *    a successful one ends with exactly one DSB SY;
 *  - every region in use is accessible over its whole range with exactly its permissions
 *    (RO: no write; XN: no exec; WXN: writable is never executable), and every page of the
 *    window outside the regions in use faults (a cached or freed region is not accessible);
 *  - merge: the records' per-page counts move by +1 over a mapped range and -1 over an
 *    unmapped one, and a page is covered by a region exactly when its count is positive;
 *  - lazy: cached regions stay disabled with their bounds and intersect neither an enabled
 *    region nor each other. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/mm.h"
#include "mpu_model/mpu.h"

#define WINDOW_BASE 0x40000000ull
#define PAGE 0x1000ull
#define MAX_WINDOW 256

struct mhw {
    struct mpu mpu;
    unsigned dsb; /* DSB SY since the last clear */
};

static uint64_t mhw_read(void *opaque, unsigned enc)
{
    struct mhw *h = opaque;
    return mpu_read(&h->mpu, mpu_reg_from_encoding(enc));
}

static void mhw_write(void *opaque, unsigned enc, uint64_t value)
{
    struct mhw *h = opaque;
    mpu_write(&h->mpu, mpu_reg_from_encoding(enc), value);
}

static void mhw_barrier(void *opaque, enum mm_barrier b)
{
    struct mhw *h = opaque;
    if (b == MM_DSB_SY)
        h->dsb++;
}

enum call { C_MAP, C_UNMAP, C_CONTAINING, C_IOREMAP, C_BAD };

struct done {
    enum call call;
    uint64_t base, limit; /* the page-rounded range named */
    int rc;
    int modify; /* C_MAP: a region in use was exactly the range, with other attributes */
    unsigned flags; /* flags word of a map or ioremap */
};

#define HIST 16 /* recent successful maps, replayed now and then */

struct prop {
    struct mhw hw;
    struct mm_ctx ctx;
    struct mm_ctx before;
    uint64_t prbar0[MPU_MAX_REGIONS], prlar0[MPU_MAX_REGIONS];
    unsigned window; /* pages in the window */
    int count0[MAX_WINDOW]; /* merge: per-page record counts before the call */
    struct done hist[HIST]; /* recent successful maps */
    unsigned nhist;
    unsigned long ok, err, enoent;
};

static const struct mm_boot_region boot[] = {
    { 0x0, 0x79cf4, 0x37 },      /* text, RX */
    { 0x7a000, 0xa104c, 0x3F },  /* rodata, RO */
    { 0xa2000, 0xa8000, 0x2F },  /* data, RW */
    { 0xa8000, 0xc4000, 0x37 },  /* init text, RX */
    { 0xc4000, 0x1304e0, 0x2F }, /* init data + bss, RW */
};

static struct prop *prop_new(const char *algo, unsigned nregions, unsigned window)
{
    struct prop *p = calloc(1, sizeof *p);
    cr_assert_not_null(p);
    struct mpu_config cfg = { .regions_el2 = nregions, .regions_el1 = nregions,
                              .fsc = MPU_FSC_TRANSLATION };
    cr_assert_eq(mpu_init(&p->hw.mpu, &cfg), 0);
    struct mm_options opt = { .algo = MM_ALGO_XEN };
    cr_assert_eq(mm_algo_parse(algo, &opt), 0, "%s", algo);
    struct mm_hw hw = { mhw_read, mhw_write, mhw_barrier, NULL, &p->hw, NULL };
    mm_init(&p->ctx, &opt, &hw);
    cr_assert_eq(mm_boot(&p->ctx, boot, 5), 0);
    p->window = window;
    return p;
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Per-page count of the merge records (pages of the window). */
static void merge_counts(const struct mm_ctx *c, unsigned window, int *count)
{
    for (unsigned pg = 0; pg < window; pg++)
        count[pg] = 0;
    for (unsigned k = 0; k < c->merge.n; k++) {
        const struct mm_merge_record *r = &c->merge.rec[k];
        for (unsigned pg = 0; pg < window; pg++) {
            uint64_t a = WINDOW_BASE + pg * PAGE;
            if (r->base <= a && a + PAGE <= r->limit)
                count[pg] += r->count;
        }
    }
}


/* 1 if a region in use is exactly [base, limit) with attributes other than flags: the map is
 * an in-place modify (merge: no mapping added). */
static int is_modify(const struct mm_ctx *c, uint64_t base, uint64_t limit, unsigned f)
{
    for (unsigned i = 0; i < c->max_regions; i++) {
        const struct mm_region *t = &c->table[i];
        int same = ((t->prbar >> 3) & 1) == ((f & MM_FLAG_RO) != 0) &&
                   ((t->prbar >> 1) & 1) == ((f & MM_FLAG_XN) != 0) &&
                   ((t->prlar >> 1) & 7) == (f & MM_FLAG_AI_MASK);
        if (mm_region_valid(t) && mm_region_base(t) == base && mm_region_last(t) + 1 == limit &&
            !same)
            return 1;
    }
    return 0;
}

/* A region in use inside the window, at random; -1 if none. */
static int random_region(const struct prop *p, uint64_t *s)
{
    unsigned n = p->ctx.max_regions, start = (unsigned)(rnd(s) % n);
    for (unsigned k = 0; k < n; k++) {
        unsigned i = (start + k) % n;
        const struct mm_region *t = &p->ctx.table[i];
        if (mm_region_valid(t) && mm_region_base(t) >= WINDOW_BASE)
            return (int)i;
    }
    return -1;
}

static struct done random_call(struct prop *p, uint64_t *s)
{
    static const unsigned flags[] = { 0x2F, 0x2F, 0x2F, 0x3F, 0x37, 0x2C, 0x29, 0x27, 0x0 };
    struct done d = { .call = C_BAD };
    uint64_t page = rnd(s) % p->window;
    uint64_t len = (rnd(s) % 8 < 6 ? 1 + rnd(s) % 3 : 1 + rnd(s) % 12) * PAGE;
    d.base = WINDOW_BASE + page * PAGE;
    d.limit = d.base + len;
    if (d.limit > WINDOW_BASE + p->window * PAGE)
        d.limit = WINDOW_BASE + p->window * PAGE;
    unsigned f = flags[rnd(s) % (sizeof flags / sizeof flags[0])];
    unsigned pick = (unsigned)(rnd(s) % 24);
    struct done freed = { .limit = 0 }; /* a region in use this call unmaps */
    unsigned used0 = p->ctx.used;
    if (pick >= 20) { /* replay a recent mapping (lazy hits), or unmap a region in use */
        const struct done *h = &p->hist[rnd(s) % HIST];
        int i = random_region(p, s);
        if (pick < 22 && h->limit) {
            d.base = h->base;
            d.limit = h->limit;
            f = h->flags;
            pick = 0;
        } else if (i >= 0) {
            const struct mm_region *t = &p->ctx.table[i];
            d.base = mm_region_base(t);
            d.limit = mm_region_last(t) + 1;
            freed.base = d.base;
            freed.limit = d.limit;
            freed.flags = MM_FLAG_PRESENT | (((t->prbar >> 3) & 1) ? MM_FLAG_RO : 0) |
                          (((t->prbar >> 1) & 1) ? MM_FLAG_XN : 0) | ((t->prlar >> 1) & 7);
            pick = pick == 23 ? 12 : 8;
        } else {
            pick = 19;
        }
    }
    uint64_t ptr;
    switch (pick) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
        d.call = f & MM_FLAG_PRESENT ? C_MAP : C_UNMAP;
        d.modify = is_modify(&p->ctx, d.base, d.limit, f);
        d.rc = mm_map(&p->ctx, d.base, d.limit, f);
        break;
    case 8: case 9: case 10: case 11:
        d.call = C_UNMAP;
        d.rc = mm_unmap(&p->ctx, d.base, d.limit);
        break;
    case 12: case 13: case 14:
        d.call = C_CONTAINING;
        d.rc = mm_unmap_containing(&p->ctx, d.base + rnd(s) % PAGE);
        break;
    case 15: case 16: case 17: {
        uint64_t off = rnd(s) % PAGE, size = rnd(s) % (2 * PAGE);
        d.call = f & MM_FLAG_PRESENT ? C_IOREMAP : C_UNMAP;
        d.base = WINDOW_BASE + page * PAGE;
        d.limit = (d.base + off + size + PAGE - 1) & ~(PAGE - 1);
        d.modify = is_modify(&p->ctx, d.base, d.limit, f);
        d.rc = mm_ioremap(&p->ctx, d.base + off, size, f, &ptr);
        if (d.rc == 0)
            cr_assert_eq(ptr, d.base + off);
        break;
    }
    default:
        d.call = C_BAD;
        d.rc = mm_map(&p->ctx, d.base + 0x800, d.limit, f);
        break;
    }
    d.flags = f;
    if (d.rc == 0 && (d.call == C_MAP || d.call == C_IOREMAP))
        p->hist[p->nhist++ % HIST] = d;
    if (d.rc == 0 && freed.limit && p->ctx.used < used0) /* worth mapping again (lazy) */
        p->hist[p->nhist++ % HIST] = freed;
    return d;
}

/* Expected outcome of each access for a region's attributes: read always; write iff not RO;
 * exec iff not XN and not writable (SCTLR_EL2.WXN = 1). */
static void check_region_access(struct prop *p, const struct mm_region *t, unsigned i,
                                const char *where)
{
    unsigned ro = (unsigned)((t->prbar >> 3) & 1), xn = (unsigned)((t->prbar >> 1) & 1);
    uint64_t addrs[3] = { mm_region_base(t), mm_region_last(t) & ~0xFull,
                          (mm_region_base(t) + mm_region_last(t)) / 2 & ~0xFull };
    for (unsigned a = 0; a < 3; a++) {
        struct mpu_result r = mpu_check(&p->hw.mpu, addrs[a], 4, MPU_ACC_READ, 2);
        cr_assert_eq(r.fault, MPU_FAULT_NONE, "%s: region %u read at 0x%llx", where, i,
                     (unsigned long long)addrs[a]);
        cr_assert_eq(r.region, (int)i);
        r = mpu_check(&p->hw.mpu, addrs[a], 4, MPU_ACC_WRITE, 2);
        cr_assert_eq(r.fault == MPU_FAULT_NONE, !ro, "%s: region %u write", where, i);
        r = mpu_check(&p->hw.mpu, addrs[a], 4, MPU_ACC_EXEC, 2);
        cr_assert_eq(r.fault == MPU_FAULT_NONE, !xn && ro, "%s: region %u exec", where, i);
    }
}

static void check_after(struct prop *p, const struct done *d, const char *where)
{
    const struct mm_ctx *c = &p->ctx;
    const struct mpu_unit *u = &p->hw.mpu.el2;
    const unsigned n = c->max_regions;
    cr_assert_leq(c->used, n, "%s", where);
    unsigned pop = 0;
    for (unsigned w = 0; w < 4; w++)
        pop += (unsigned)__builtin_popcountll(c->mask[w]);
    cr_assert_eq(pop, c->used, "%s: used is the popcount", where);

    if (d->rc != 0) {
        cr_assert_eq(memcmp(p->before.table, c->table, sizeof c->table), 0,
                     "%s: failed call (rc %d) changed the table", where, d->rc);
        cr_assert_eq(memcmp(p->before.mask, c->mask, sizeof c->mask), 0, "%s", where);
        cr_assert_eq(memcmp(p->prbar0, u->prbar, n * sizeof u->prbar[0]), 0,
                     "%s: failed call changed PRBAR", where);
        cr_assert_eq(memcmp(p->prlar0, u->prlar, n * sizeof u->prlar[0]), 0,
                     "%s: failed call changed PRLAR", where);
        cr_assert_eq(p->before.merge.n, c->merge.n, "%s: merge records", where);
        cr_assert_eq(memcmp(p->before.merge.rec, c->merge.rec,
                            c->merge.n * sizeof c->merge.rec[0]), 0, "%s", where);
        cr_assert_eq(memcmp(p->before.lazy.slot, c->lazy.slot, sizeof c->lazy.slot), 0,
                     "%s: lazy cache", where);
        cr_assert_eq(p->hw.dsb, 0, "%s: no barrier after a failure", where);
    } else {
        cr_assert_eq(p->hw.dsb, 1, "%s: one DSB SY after a success", where);
    }

    for (unsigned i = 0; i < n; i++) {
        const struct mm_region *t = &c->table[i];
        if (mm_region_valid(t)) {
            cr_assert_eq(u->prbar[i], t->prbar, "%s: region %u PRBAR", where, i);
            cr_assert_eq(u->prlar[i], t->prlar, "%s: region %u PRLAR", where, i);
            check_region_access(p, t, i, where);
        } else {
            cr_assert_eq(u->prlar[i] & 1, 0, "%s: free region %u enabled in hardware", where, i);
        }
        if (c->opt.algo == MM_ALGO_LAZY && c->lazy.slot[i].cached) {
            const struct mm_lazy_slot *sl = &c->lazy.slot[i];
            cr_assert(!mm_region_valid(t), "%s: cached region %u in use", where, i);
            cr_assert_eq(u->prbar[i], sl->prbar, "%s: cached %u keeps PRBAR", where, i);
            cr_assert_eq(u->prlar[i], sl->prlar & ~1ull, "%s: cached %u keeps PRLAR", where, i);
            struct mm_region cr = { .prbar = sl->prbar, .prlar = sl->prlar };
            for (unsigned j = 0; j < n; j++) {
                const struct mm_region *o = &c->table[j];
                int other_cached = j != i && c->lazy.slot[j].cached;
                struct mm_region oc = { .prbar = c->lazy.slot[j].prbar,
                                        .prlar = c->lazy.slot[j].prlar };
                const struct mm_region *x = mm_region_valid(o) ? o : other_cached ? &oc : NULL;
                if (!x)
                    continue;
                cr_assert(mm_region_last(x) < mm_region_base(&cr) ||
                              mm_region_last(&cr) < mm_region_base(x),
                          "%s: cached region %u intersects region %u", where, i, j);
            }
        }
    }
    unsigned ncached = 0;
    for (unsigned i = 0; i < MM_MAX_REGIONS; i++)
        ncached += c->lazy.slot[i].cached;
    cr_assert_eq(ncached, c->lazy.ncached, "%s: lazy.ncached", where);
    for (unsigned i = 0; i < u->nregions; i++) {
        struct mpu_region_view a = mpu_region(&p->hw.mpu, 2, i);
        if (!a.enabled)
            continue;
        for (unsigned j = i + 1; j < u->nregions; j++) {
            struct mpu_region_view b = mpu_region(&p->hw.mpu, 2, j);
            cr_assert(!(b.enabled && a.base <= b.last && b.base <= a.last),
                      "%s: regions %u and %u overlap", where, i, j);
        }
    }

    /* Pages of the window: covered by a region in use, or not accessible at all. */
    for (unsigned pg = 0; pg < p->window; pg++) {
        uint64_t a = WINDOW_BASE + pg * PAGE;
        int covered = 0;
        for (unsigned i = 0; i < n && !covered; i++)
            covered = mm_region_valid(&c->table[i]) && mm_region_base(&c->table[i]) <= a &&
                      a + PAGE - 1 <= mm_region_last(&c->table[i]);
        struct mpu_result r = mpu_check(&p->hw.mpu, a, 4, MPU_ACC_READ, 2);
        cr_assert_eq(r.fault == MPU_FAULT_NONE, covered, "%s: page 0x%llx", where,
                     (unsigned long long)a);
    }

    if (c->opt.algo == MM_ALGO_MERGE) {
        int count[MAX_WINDOW];
        merge_counts(c, p->window, count);
        for (unsigned pg = 0; pg < p->window; pg++) {
            uint64_t a = WINDOW_BASE + pg * PAGE;
            int delta = 0, in = a >= d->base && a < d->limit;
            if (d->rc == 0 && d->call == C_MAP)
                delta = d->modify ? 0 : in;
            else if (d->rc == 0 && d->call == C_IOREMAP)
                delta = d->modify ? 0 : in;
            else if (d->rc == 0 && d->call == C_UNMAP)
                delta = -in;
            if (d->rc == 0 && d->call == C_CONTAINING)
                cr_assert(count[pg] == p->count0[pg] || count[pg] == p->count0[pg] - 1,
                          "%s: page 0x%llx", where, (unsigned long long)a);
            else
                cr_assert_eq(count[pg], p->count0[pg] + delta, "%s: count of page 0x%llx",
                             where, (unsigned long long)a);
            struct mpu_result r = mpu_check(&p->hw.mpu, a, 4, MPU_ACC_READ, 2);
            cr_assert_eq(r.fault == MPU_FAULT_NONE, count[pg] > 0,
                         "%s: page 0x%llx count %d", where, (unsigned long long)a, count[pg]);
        }
        if (d->rc == 0 && d->call == C_CONTAINING) {
            int page_count_dropped = 0;
            uint64_t pg = (d->base - WINDOW_BASE) / PAGE;
            page_count_dropped = pg >= p->window || count[pg] == p->count0[pg] - 1;
            cr_assert(page_count_dropped, "%s: the named page 0x%llx lost one mapping (%d -> %d)",
                      where, (unsigned long long)d->base, p->count0[pg], count[pg]);
        }
    }
}

static void run(const char *algo, unsigned nregions, unsigned window, uint64_t seed,
                unsigned calls, struct prop **out)
{
    struct prop *p = prop_new(algo, nregions, window);
    char where[96];
    for (unsigned k = 0; k < calls; k++) {
        p->before = p->ctx;
        memcpy(p->prbar0, p->hw.mpu.el2.prbar, sizeof p->prbar0);
        memcpy(p->prlar0, p->hw.mpu.el2.prlar, sizeof p->prlar0);
        if (p->ctx.opt.algo == MM_ALGO_MERGE)
            merge_counts(&p->ctx, window, p->count0);
        p->hw.dsb = 0;
        struct done d = random_call(p, &seed);
        snprintf(where, sizeof where, "%s/%u call %u (op %d rc %d)", algo, nregions, k,
                 (int)d.call, d.rc);
        if (d.rc == 0)
            p->ok++;
        else
            p->err++;
        if (d.rc == MM_ENOENT)
            p->enoent++;
        check_after(p, &d, where);
    }
    cr_log_info("%s/%u: %lu ok, %lu failed (%lu -ENOENT); lazy: %llu hits, %llu evictions", algo,
                nregions, p->ok, p->err, p->enoent, (unsigned long long)p->ctx.lazy.hits,
                (unsigned long long)p->ctx.lazy.evictions);
    *out = p;
}

Test(policy_property, merge_keeps_every_invariant_on_16_regions)
{
    struct prop *p;
    run("merge", 16, 48, 0x9E3779B97F4A7C15ull, 6000, &p);
    cr_expect_gt(p->ok, 1000);
    cr_expect_gt(p->err, 500);
    cr_expect_gt(p->enoent, 0, "the pool ran out at least once");
    free(p);
}

Test(policy_property, merge_keeps_every_invariant_on_64_regions)
{
    struct prop *p;
    run("merge", 64, 160, 0x1234567887654321ull, 4000, &p);
    cr_expect_gt(p->ok, 1000);
    free(p);
}

Test(policy_property, lazy_keeps_every_invariant_on_16_and_64_regions)
{
    struct prop *p;
    run("lazy", 16, 48, 0xDEADBEEFCAFEF00Dull, 6000, &p);
    cr_expect_gt(p->ok, 1000);
    cr_expect_gt(p->ctx.lazy.hits, 10, "cached regions were re-enabled");
    cr_expect_gt(p->ctx.lazy.evictions, 10, "cached regions were evicted");
    free(p);
    run("lazy", 64, 160, 0x0F1E2D3C4B5A6978ull, 4000, &p);
    cr_expect_gt(p->ctx.lazy.hits, 10);
    free(p);
}

Test(policy_property, reserve_keeps_every_invariant_on_16_and_64_regions)
{
    struct prop *p;
    run("reserve:3", 16, 48, 0xA5A5A5A55A5A5A5Aull, 6000, &p);
    cr_expect_gt(p->ok, 500);
    cr_expect_gt(p->enoent, 0);
    free(p);
    run("reserve:8", 64, 160, 0x5555AAAA3333CCCCull, 4000, &p);
    cr_expect_gt(p->ok, 500);
    free(p);
}

static unsigned one_page_regions(const struct mm_ctx *c)
{
    unsigned s = 0;
    for (unsigned i = 0; i < c->max_regions; i++)
        s += mm_region_valid(&c->table[i]) &&
             mm_region_last(&c->table[i]) - mm_region_base(&c->table[i]) + 1 == PAGE;
    return s;
}

Test(policy_property, reserve_partitions_the_slots_between_long_and_short_lived_mappings)
{
    struct prop *p = prop_new("reserve:3", 16, 48);
    uint64_t seed = 0x7777888899990000ull;
    unsigned s0 = one_page_regions(&p->ctx);
    for (unsigned k = 0; k < 6000; k++) {
        unsigned used0 = p->ctx.used;
        p->before = p->ctx;
        struct done d = random_call(p, &seed);
        unsigned s = one_page_regions(&p->ctx);
        cr_assert_leq(s, s0 > 3 ? s0 : 3, "call %u: more short-lived regions than the reserve", k);
        if (d.rc == 0 && p->ctx.used > used0 && d.limit - d.base > PAGE)
            cr_assert_leq(p->ctx.used - s, 16 - 3,
                          "call %u: a long-lived region in a reserved slot", k);
    }
    free(p);
}
