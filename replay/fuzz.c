/* The fuzzer's op generator: deterministic from a seed (splitmix64), each op chosen relative to
 * the algorithm's current table and biased towards the edges (docs/fuzzing.md): the same,
 * inside, straddling, adjacent and superset ranges, the 64-byte tails of the boot regions,
 * region exhaustion, refcounts near 0xFF, attribute changes and accesses at range edges. */
#include <stdlib.h>
#include <string.h>

#include "replay/fuzz.h"

#define PAGE 0x1000ull
#define PAGE_MASK (PAGE - 1)
#define HEAP_BASE 0x40000000ull  /* fresh mappings: a 256-page window */
#define HEAP_PAGES 256u
#define DEV_BASE 0x9c000000ull   /* ioremap window: 32 pages */
#define DEV_PAGES 32u

/* Xen's debug-build sections (xen-fixtures.md), with their 64-byte tails. */
const struct trace_boot_region fuzz_boot[FUZZ_NBOOT] = {
    { 0x0, 0x79cf4, MM_PAGE_HYPERVISOR_RX, "text" },
    { 0x7a000, 0xa104c, MM_PAGE_HYPERVISOR_RO, "rodata" },
    { 0xa2000, 0xa8000, MM_PAGE_HYPERVISOR_RW, "data" },
    { 0xa8000, 0xc4000, MM_PAGE_HYPERVISOR_RX, "init.text" },
    { 0xc4000, 0x1304e0, MM_PAGE_HYPERVISOR_RW, "init.data+bss" },
};

uint64_t fuzz_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t fuzz_iteration_seed(uint64_t seed, uint64_t iter)
{
    uint64_t s = iter;
    uint64_t mixed = fuzz_rand(&s);
    s = seed ^ mixed;
    return fuzz_rand(&s);
}

/* Uniform in [0, n); n >= 1. The modulo bias is irrelevant here. */
static unsigned below(struct fuzz_gen *g, unsigned n)
{
    return (unsigned)(fuzz_rand(&g->state) % n);
}

/* 1 with probability num/den. */
static int chance(struct fuzz_gen *g, unsigned num, unsigned den)
{
    return below(g, den) < num;
}

void fuzz_gen_init(struct fuzz_gen *g, uint64_t seed, unsigned regions)
{
    /* pending[] is written before it is read (npending = 0): not cleared, a reused
     * generator costs nothing to restart */
    g->state = seed;
    g->regions = regions;
    g->npending = g->next = g->nqueued = g->handed = 0;
    memset(g->freed_base, 0, sizeof g->freed_base);
    memset(g->freed_limit, 0, sizeof g->freed_limit);
    g->nfreed = 0;
}

/* ---- flags ---- */

static unsigned random_flags(struct fuzz_gen *g)
{
    static const unsigned named[] = { MM_PAGE_HYPERVISOR_RO, MM_PAGE_HYPERVISOR_RX,
                                      MM_PAGE_HYPERVISOR_RW, MM_PAGE_HYPERVISOR_NOCACHE,
                                      MM_PAGE_HYPERVISOR_WC };
    unsigned k = below(g, 40);
    if (k == 0)
        return 0x27; /* RWX: refused by the argument checks */
    if (k == 1)
        return 0; /* no PRESENT: a removal */
    if (k < 20)
        return MM_PAGE_HYPERVISOR_RW; /* the common case, so that repeats collide */
    return named[k % 5];
}

/* The flags a table entry was made with (PRESENT, RO, XN, AttrIndx), from its register
 * values as mpu_model decodes them. */
static unsigned flags_of(const struct mm_region *e)
{
    unsigned ap = (unsigned)(e->prbar >> PRBAR_AP_LSB) & 3u; /* AP[2:1] */
    unsigned xn = (unsigned)(e->prbar >> PRBAR_XN_LSB) & 3u; /* XN[1:0] */
    unsigned ai = (unsigned)(e->prlar >> PRLAR_ATTRINDX_LSB) & 7u;
    return MM_FLAG_PRESENT | ((ap >> 1) ? MM_FLAG_RO : 0) | ((xn >> 1) ? MM_FLAG_XN : 0) | ai;
}

/* ---- queue ---- */

/* The queue's slot for a run of an op repeated times times (at most FUZZ_PENDING_CAP ops a
 * move, the rest dropped): the queue holds runs, handed out op by op. The slot is zeroed but
 * for el 2, line -1 and reg -1; the caller fills in the op. NULL when the move is full. */
static struct trace_event *push_slot(struct fuzz_gen *g, unsigned times)
{
    if (times > FUZZ_PENDING_CAP - g->nqueued)
        times = FUZZ_PENDING_CAP - g->nqueued;
    if (times == 0)
        return NULL;
    g->nqueued += times;
    struct trace_event *e = &g->pending[g->npending];
    memset(e, 0, sizeof *e);
    e->el = 2;
    e->line = -1;
    e->reg = -1;
    g->repeat[g->npending++] = (uint16_t)times;
    return e;
}

static void push_range(struct fuzz_gen *g, enum trace_op op, uint64_t base, uint64_t limit,
                       unsigned flags)
{
    struct trace_event *e = push_slot(g, 1);
    if (e) {
        e->op = op;
        e->base = base;
        e->limit = limit;
        e->flags = flags;
    }
    if (op == TRACE_OP_UNMAP || ((op == TRACE_OP_MAP || op == TRACE_OP_MODIFY) &&
                                 !(flags & MM_FLAG_PRESENT))) {
        g->freed_base[g->nfreed % 8] = base;
        g->freed_limit[g->nfreed % 8] = limit;
        g->nfreed++;
    }
}

static void push_containing(struct fuzz_gen *g, uint64_t addr)
{
    struct trace_event *e = push_slot(g, 1);
    if (e) {
        e->op = TRACE_OP_UNMAP_CONTAINING;
        e->base = addr;
    }
    g->freed_base[g->nfreed % 8] = addr & ~PAGE_MASK;
    g->freed_limit[g->nfreed % 8] = (addr & ~PAGE_MASK) + PAGE;
    g->nfreed++;
}

static void push_ioremap(struct fuzz_gen *g, uint64_t addr, uint64_t size, unsigned flags)
{
    if (addr < PAGE) /* page 0: Xen's NULL; a mapping there "fails" but stays (see docs) */
        addr += PAGE;
    struct trace_event *e = push_slot(g, 1);
    if (e) {
        e->op = TRACE_OP_IOREMAP;
        e->base = addr;
        e->limit = size;
        e->flags = flags;
    }
}

static void push_access(struct fuzz_gen *g, uint64_t addr)
{
    static const uint64_t sizes[] = { 1, 4, 8 };
    uint64_t size = sizes[below(g, 3)];
    unsigned kind = below(g, 3);
    if (addr + size - 1 < addr)
        addr -= size;
    struct trace_event *e = push_slot(g, 1);
    if (e) {
        e->op = TRACE_OP_ACCESS;
        e->base = addr;
        e->limit = size;
        e->kind = kind;
    }
}

/* ---- ranges relative to the table ---- */

/* A random entry in use (boot regions included); -1 when the table is empty. */
static int pick_entry(struct fuzz_gen *g, const struct mm_ctx *mm)
{
    unsigned idx[MM_MAX_REGIONS + 1], n = 0;
    for (unsigned i = 0; i < mm->max_regions && i < MM_MAX_REGIONS; i++) {
        idx[n] = i; /* kept when valid: no branch on the table's contents */
        n += mm_region_valid(&mm->table[i]) ? 1u : 0u;
    }
    return n ? (int)idx[below(g, n)] : -1;
}

/* A small page count, mostly 1. */
static uint64_t pages(struct fuzz_gen *g)
{
    unsigned k = below(g, 16);
    if (k < 9)
        return 1;
    if (k < 14)
        return 2 + below(g, 3);
    return 5 + below(g, 12);
}

static uint64_t heap_page(struct fuzz_gen *g)
{
    return HEAP_BASE + below(g, HEAP_PAGES) * PAGE;
}

enum shape { SAME, INSIDE, STRADDLE, ADJACENT, SUPERSET, SHAPE_COUNT };

/* A range of the given shape relative to entry e: [*base, *limit). */
static void shaped(struct fuzz_gen *g, const struct mm_region *e, enum shape s, uint64_t *base,
                   uint64_t *limit)
{
    uint64_t rb = mm_region_base(e), rl = mm_region_last(e) + 1; /* [rb, rl) */
    uint64_t pb = rb & ~PAGE_MASK, pe = rl & ~PAGE_MASK;        /* whole pages inside */
    uint64_t np = pe > pb ? (pe - pb) / PAGE : 0;
    uint64_t up = (rl + PAGE_MASK) & ~PAGE_MASK;                /* rl rounded up */
    switch (s) {
    case SAME:
        *base = rb;
        *limit = rl;
        return;
    case INSIDE:
        if (np == 0) {
            *base = pb;
            *limit = pb + PAGE;
            return;
        }
        *base = pb + below(g, (unsigned)(np < 4096 ? np : 4096)) * PAGE;
        *limit = *base + PAGE * (1 + below(g, (unsigned)((pe - *base) / PAGE)));
        return;
    case STRADDLE:
        if (chance(g, 1, 2) || pb < PAGE) { /* across the end: the boot tails live here */
            *base = (np ? pe - PAGE : pb);
            *limit = up + (chance(g, 1, 2) ? 0 : PAGE);
            if (*limit <= *base + PAGE)
                *limit = *base + 2 * PAGE;
        } else { /* across the start */
            *base = pb - PAGE;
            *limit = pb + PAGE;
        }
        return;
    case ADJACENT:
        if (chance(g, 2, 3) || pb < PAGE * 4) {
            *base = up;
            *limit = up + pages(g) * PAGE;
        } else {
            uint64_t n = pages(g);
            *base = pb - n * PAGE;
            *limit = pb;
        }
        return;
    case SUPERSET:
    case SHAPE_COUNT:
        *base = pb >= PAGE && chance(g, 1, 2) ? pb - PAGE : pb;
        *limit = up + (*base == pb || chance(g, 1, 2) ? PAGE : 0);
        return;
    }
}

/* ---- moves ---- */

/* Region exhaustion: distinct one-page mappings until the table is full (and a few more),
 * then some of them unmapped (the PRENR path for indices 32..63), and accesses to those. */
static void move_exhaust(struct fuzz_gen *g, const struct mm_ctx *mm)
{
    unsigned free_now = g->regions > mm->used ? g->regions - mm->used : 0;
    unsigned n = free_now + below(g, 4);
    if (n > 250)
        n = 250;
    uint64_t base = HEAP_BASE + (uint64_t)below(g, 4) * HEAP_PAGES * PAGE;
    unsigned flags = chance(g, 3, 4) ? MM_PAGE_HYPERVISOR_RW : random_flags(g) | MM_FLAG_PRESENT;
    if (flags == 0x27)
        flags = MM_PAGE_HYPERVISOR_RW;
    for (unsigned k = 0; k < n; k++)
        push_range(g, TRACE_OP_MAP, base + k * PAGE, base + (k + 1) * PAGE, flags);
    unsigned m = 1 + below(g, 4);
    for (unsigned j = 0; j < m && n; j++) {
        uint64_t p = base + below(g, n) * PAGE;
        if (chance(g, 1, 2))
            push_range(g, TRACE_OP_UNMAP, p, p + PAGE, 0);
        else
            push_containing(g, p + below(g, (unsigned)PAGE));
        if (chance(g, 1, 2))
            push_access(g, p);
    }
}

/* Refcount near 0xFF: the same mapping 250..263 times, then a few removals. */
static void move_refcount(struct fuzz_gen *g, const struct mm_ctx *mm)
{
    uint64_t base = heap_page(g), limit = base + PAGE;
    unsigned flags = MM_PAGE_HYPERVISOR_RW;
    int e = chance(g, 1, 3) ? pick_entry(g, mm) : -1;
    if (e >= 0) { /* a page inside an existing region: INCLUSIVE users */
        shaped(g, &mm->table[e], INSIDE, &base, &limit);
        flags = flags_of(&mm->table[e]);
    }
    unsigned n = 250 + below(g, 14);
    struct trace_event *ev = push_slot(g, n); /* as n push_range() of a map with PRESENT: the
                                                 freed ring stays */
    if (ev) {
        ev->op = TRACE_OP_MAP;
        ev->base = base;
        ev->limit = limit;
        ev->flags = flags;
    }
    unsigned m = below(g, 4);
    for (unsigned k = 0; k < m; k++)
        push_range(g, TRACE_OP_UNMAP, base, limit, 0);
}

/* One op relative to an entry (or a fresh one when the table is empty). */
static void move_single(struct fuzz_gen *g, const struct mm_ctx *mm)
{
    int ei = pick_entry(g, mm);
    const struct mm_region *e = ei >= 0 ? &mm->table[ei] : NULL;
    uint64_t base, limit;
    unsigned k = below(g, 100);
    if (!e || k < 14) { /* a fresh mapping */
        base = heap_page(g);
        limit = base + pages(g) * PAGE;
        push_range(g, chance(g, 1, 8) ? TRACE_OP_MODIFY : TRACE_OP_MAP, base, limit,
                   random_flags(g));
        return;
    }
    enum shape s = (enum shape)below(g, SHAPE_COUNT);
    if (k < 40) { /* map relative to an entry: same flags (a user more) or an attribute change */
        shaped(g, e, s, &base, &limit);
        unsigned flags = chance(g, 1, 2) ? flags_of(e) : random_flags(g);
        push_range(g, chance(g, 1, 5) ? TRACE_OP_MODIFY : TRACE_OP_MAP, base, limit, flags);
        return;
    }
    if (k < 56) { /* unmap relative to an entry, mostly the same range */
        shaped(g, e, chance(g, 1, 2) ? SAME : s, &base, &limit);
        push_range(g, TRACE_OP_UNMAP, base, limit, 0);
        return;
    }
    if (k < 70) { /* unmap_containing at a range edge: first page, last page, middle */
        uint64_t rb = mm_region_base(e), rl = mm_region_last(e);
        uint64_t at[4] = { rb, rl, rb + (rl - rb) / 2, rl + 1 };
        push_containing(g, at[below(g, chance(g, 1, 8) ? 4 : 3)] & ~(uint64_t)below(g, 2));
        return;
    }
    if (k < 78) { /* ioremap: device window or relative to the entry */
        if (chance(g, 1, 2)) {
            base = DEV_BASE + below(g, DEV_PAGES) * PAGE + below(g, 0x1000);
            push_ioremap(g, base, 1 + below(g, 0x3000),
                         chance(g, 3, 4) ? MM_PAGE_HYPERVISOR_NOCACHE : random_flags(g));
        } else {
            shaped(g, e, s, &base, &limit);
            push_ioremap(g, base + below(g, 0x100), limit - base - below(g, 0x100),
                         chance(g, 1, 2) ? flags_of(e) : random_flags(g));
        }
        return;
    }
    if (k < 84) { /* the 64-byte boot tails and the pages around them */
        static const uint64_t tails[] = { 0x79000, 0xa1000, 0x130000, 0x7a000, 0xa2000 };
        base = tails[below(g, 5)];
        limit = base + PAGE * (1 + below(g, 2));
        unsigned what = below(g, 4);
        if (what == 0)
            push_range(g, TRACE_OP_MAP, base, limit, random_flags(g));
        else if (what == 1)
            push_range(g, TRACE_OP_UNMAP, base, limit, 0);
        else if (what == 2)
            push_containing(g, base + below(g, (unsigned)PAGE));
        else
            push_access(g, base + PAGE - 0x40 + below(g, 0x80));
        return;
    }
    /* accesses at the edges of an entry or of a recently unmapped range */
    uint64_t rb = mm_region_base(e), rl = mm_region_last(e) + 1;
    if (g->nfreed && chance(g, 1, 2)) {
        unsigned j = below(g, g->nfreed < 8 ? g->nfreed : 8);
        rb = g->freed_base[j];
        rl = g->freed_limit[j];
    }
    uint64_t at[5] = { rb, rl - 1, rb - 1, rl, rb + (rl - rb) / 2 };
    push_access(g, at[below(g, 5)]);
}

void fuzz_gen_next(struct fuzz_gen *g, const struct mm_ctx *mm, struct trace_event *out)
{
    while (g->next >= g->npending) {
        g->next = g->npending = g->nqueued = g->handed = 0;
        unsigned k = below(g, 100);
        if (k < 4)
            move_exhaust(g, mm);
        else if (k < 5)
            move_refcount(g, mm);
        else
            move_single(g, mm);
    }
    *out = g->pending[g->next];
    if (++g->handed == g->repeat[g->next]) {
        g->next++;
        g->handed = 0;
    }
}

int fuzz_trace_init(struct trace *t, unsigned regions, size_t cap, struct mpusim_error *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->source, sizeof t->source, "<fuzz>");
    t->regions = regions;
    t->has_boot = 1;
    t->boot = calloc(FUZZ_NBOOT, sizeof *t->boot);
    t->events = calloc(cap ? cap : 1, sizeof *t->events);
    if (!t->boot || !t->events) {
        trace_fini(t);
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
    }
    memcpy(t->boot, fuzz_boot, sizeof fuzz_boot);
    t->nboot = FUZZ_NBOOT;
    t->cap = cap ? cap : 1;
    return 0;
}
