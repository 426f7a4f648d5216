/* Policy merge (docs/policies.md): contiguous mappings with identical attributes share one
 * region.
 *
 * Every successful map leaves a record [base, limit) with a count of identical maps
 * (struct mm_merge_record, a fixed pool of MM_MERGE_RECORDS for all regions). A region covers
 * exactly the union of its records, and that union is one interval. A map with RO, XN and
 * AttrIndx equal to those of the regions it intersects or touches joins them: one region over
 * the union (the lowest index survives, the others are freed), no new slot. A map that
 * intersects a region with other attributes is refused (-EINVAL), except the in-place modify of
 * a region that is exactly the range and has one record mapped once. An unmap names one
 * mapping: a record equal to the range, else the smallest record containing it, which is then
 * cut around the range. When the region's remaining records fall apart into several intervals,
 * the region is split: the lowest interval keeps the slot, each other one needs a free slot
 * (none: -ENOENT, nothing changed).
 *
 * Register order: never two enabled regions over one address. Joining frees the absorbed
 * regions first, then grows the survivor (the absorbed ranges are unmapped for the few
 * instructions in between, never mapped twice). Splitting shrinks the old region first, then
 * programs the new ones. A region is rewritten PRBAR then PRLAR; the intermediate region lies
 * inside the old and the new one.
 *
 * Regions mm_boot programmed have no records: the first call adopts each as one record mapped
 * once (bookkeeping, no register access). Disabling takes the intended form (policy_hw.c). */
#include "mm/policy.h"

/* ---- regions ---- */

/* One past the region's last byte. */
static uint64_t region_end(const struct mm_region *r) { return mm_region_last(r) + 1; }

static int same_attrs(const struct mm_region *r, unsigned flags)
{
    return mm_region_ro(r) == mm_flags_ro(flags) && mm_region_xn(r) == mm_flags_xn(flags) &&
           mm_region_ai(r) == mm_flags_ai(flags);
}

/* Program region idx as [base, limit) with the attributes of flags, table and hardware. */
static void program(struct mm_ctx *ctx, unsigned idx, uint64_t base, uint64_t limit,
                    unsigned flags)
{
    ctx->table[idx] = mm_region_of(base, limit, flags);
    mm_bitmap_set(ctx, idx);
    mm_write_protection_region(ctx, &ctx->table[idx], idx);
}

/* The flags word that gives region r's attributes back through mm_region_of. */
static unsigned flags_of(const struct mm_region *r)
{
    return MM_FLAG_PRESENT | (mm_region_ro(r) ? MM_FLAG_RO : 0u) |
           (mm_region_xn(r) ? MM_FLAG_XN : 0u) | mm_region_ai(r);
}

/* ---- records ---- */

static struct mm_merge_state *st(struct mm_ctx *ctx) { return &ctx->merge; }

static int add_record(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned region)
{
    struct mm_merge_state *m = st(ctx);
    if (m->n >= MM_MERGE_RECORDS)
        return -1;
    m->rec[m->n].base = base;
    m->rec[m->n].limit = limit;
    m->rec[m->n].count = 1;
    m->rec[m->n].region = (uint8_t)region;
    m->n++;
    return 0;
}

/* Drop records whose count reached 0 (swap with the last live one). */
static void compact(struct mm_ctx *ctx)
{
    struct mm_merge_state *m = st(ctx);
    for (unsigned k = 0; k < m->n;) {
        if (m->rec[k].count == 0)
            m->rec[k] = m->rec[--m->n];
        else
            k++;
    }
}

/* A record of region idx equal to [base, limit), or -1. */
static int find_exact(struct mm_ctx *ctx, unsigned idx, uint64_t base, uint64_t limit)
{
    struct mm_merge_state *m = st(ctx);
    for (unsigned k = 0; k < m->n; k++) {
        ctx->scanned++;
        const struct mm_merge_record *r = &m->rec[k];
        if (r->count && r->region == idx && r->base == base && r->limit == limit)
            return (int)k;
    }
    return -1;
}

/* The record of region idx that contains [base, limit): one starting at base if prefer_base
 * and one exists, else the smallest; ties go to the lowest pool position. -1 if none. */
static int find_containing(struct mm_ctx *ctx, unsigned idx, uint64_t base, uint64_t limit,
                           int prefer_base)
{
    struct mm_merge_state *m = st(ctx);
    int best = -1, best_at_base = 0;
    for (unsigned k = 0; k < m->n; k++) {
        ctx->scanned++;
        const struct mm_merge_record *r = &m->rec[k];
        if (!r->count || r->region != idx || r->base > base || r->limit < limit)
            continue;
        int at_base = prefer_base && r->base == base;
        if (best >= 0) {
            const struct mm_merge_record *b = &m->rec[best];
            if (best_at_base > at_base)
                continue;
            if (best_at_base == at_base && b->limit - b->base <= r->limit - r->base)
                continue;
        }
        best = (int)k;
        best_at_base = at_base;
    }
    return best;
}

/* One mapping more of [base, limit) in region idx: bump an identical record or add one.
 * The caller checked capacity and overflow (can_add). */
static void add_mapping(struct mm_ctx *ctx, unsigned idx, uint64_t base, uint64_t limit)
{
    int k = find_exact(ctx, idx, base, limit);
    if (k >= 0)
        st(ctx)->rec[k].count++;
    else
        (void)add_record(ctx, base, limit, idx);
}

/* 0 if add_mapping(idx, base, limit) can succeed, else MM_ENOENT with its message. */
static int can_add(struct mm_ctx *ctx, unsigned idx, uint64_t base, uint64_t limit)
{
    int k = find_exact(ctx, idx, base, limit);
    if (k >= 0 && st(ctx)->rec[k].count == MM_MERGE_COUNT_MAX) {
        mm_hw_log(&ctx->hw, MM_MSG_REFCOUNT_OVERFLOW, 0, 0, 0, 0);
        return MM_ENOENT;
    }
    if (k < 0 && st(ctx)->n >= MM_MERGE_RECORDS) {
        mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0);
        return MM_ENOENT;
    }
    return 0;
}

static void retag(struct mm_ctx *ctx, unsigned from, unsigned to, uint64_t base, uint64_t limit)
{
    struct mm_merge_state *m = st(ctx);
    for (unsigned k = 0; k < m->n; k++) {
        struct mm_merge_record *r = &m->rec[k];
        if (r->count && r->region == from && r->base >= base && r->limit <= limit)
            r->region = (uint8_t)to;
    }
}

/* The first interval of the union of region idx's live records that starts after `after`
 * (any start when first). Adjacent records belong to one interval. Returns 0 and sets
 * [*cb, *ce), or -1 when there is none. */
static int next_interval(struct mm_ctx *ctx, unsigned idx, int first, uint64_t after,
                         uint64_t *cb, uint64_t *ce)
{
    const struct mm_merge_state *m = st(ctx);
    int found = 0;
    uint64_t start = 0;
    for (unsigned k = 0; k < m->n; k++) {
        ctx->scanned++;
        const struct mm_merge_record *r = &m->rec[k];
        if (!r->count || r->region != idx || (!first && r->base <= after))
            continue;
        if (!found || r->base < start)
            start = r->base;
        found = 1;
    }
    if (!found)
        return -1;
    uint64_t end = start;
    for (int grew = 1; grew;) {
        grew = 0;
        for (unsigned k = 0; k < m->n; k++) {
            ctx->scanned++;
            const struct mm_merge_record *r = &m->rec[k];
            if (r->count && r->region == idx && r->base <= end && r->limit > end) {
                end = r->limit;
                grew = 1;
            }
        }
    }
    *cb = start;
    *ce = end;
    return 0;
}

static unsigned count_intervals(struct mm_ctx *ctx, unsigned idx)
{
    uint64_t cb, ce = 0;
    unsigned c = 0;
    while (next_interval(ctx, idx, c == 0, ce, &cb, &ce) == 0)
        c++;
    return c;
}

/* At the first call (no record yet), give every enabled region one record over the whole
 * region. Returns 1 if it did, so that a failing first call can undo it with unadopt. */
static int adopt(struct mm_ctx *ctx)
{
    struct mm_merge_state *m = st(ctx);
    if (m->adopted)
        return 0;
    m->adopted = 1;
    const unsigned n = mm_nr_regions(ctx);
    for (unsigned i = 0; i < n; i++) {
        const struct mm_region *r = &ctx->table[i];
        if (!mm_region_valid(r))
            continue;
        int has = 0;
        for (unsigned k = 0; k < m->n && !has; k++)
            has = m->rec[k].count && m->rec[k].region == i;
        if (!has)
            (void)add_record(ctx, mm_region_base(r), region_end(r), i); /* at most 255 */
    }
    return 1;
}

/* Undo adopt after a failed call: a failed call changes nothing, bookkeeping included. */
static int unadopt(struct mm_ctx *ctx, int adopted, int rc)
{
    if (adopted && rc != 0) {
        st(ctx)->n = 0;
        st(ctx)->adopted = 0;
    }
    return rc;
}

void mm_merge_init(struct mm_ctx *ctx)
{
    ctx->merge.n = 0;
    ctx->merge.adopted = 0;
}

/* ---- map ---- */

/* In-place modify of region idx, which is exactly [base, limit) with other attributes: only
 * when it has a single record mapped once (one user), as Xen's FOUND at refcount 0. All of
 * RO, XN and AttrIndx change (no dropped AttrIndx). Neighbours are not joined. */
static int modify(struct mm_ctx *ctx, unsigned idx, uint64_t base, uint64_t limit,
                  unsigned flags)
{
    const struct mm_merge_state *m = st(ctx);
    int k = find_exact(ctx, idx, base, limit);
    int users = 0;
    for (unsigned j = 0; j < m->n; j++)
        if (m->rec[j].count && m->rec[j].region == idx)
            users += m->rec[j].count;
    if (k < 0 || users != 1) {
        mm_hw_log(&ctx->hw, MM_MSG_MULTI_MAPPED_ATTR, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    program(ctx, idx, base, limit, flags);
    ctx->last_region = (int)idx;
    return 0;
}

static int merge_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    const unsigned n = mm_nr_regions(ctx);
    uint64_t join[4] = { 0, 0, 0, 0 }; /* regions to join: same attributes, touching the range */
    int survivor = -1;
    uint64_t ub = base, ue = limit; /* the joined region */
    for (unsigned i = 0; i < n; i++) {
        ctx->scanned++;
        const struct mm_region *r = &ctx->table[i];
        if (!mm_region_valid(r))
            continue;
        uint64_t rb = mm_region_base(r), re = region_end(r);
        int intersects = rb < limit && base < re;
        if (!intersects && re != base && rb != limit)
            continue;
        if (!same_attrs(r, flags)) {
            if (!intersects)
                continue; /* a neighbour with other attributes stays as it is */
            if (rb == base && re == limit)
                return modify(ctx, i, base, limit, flags);
            if (rb <= base && limit <= re)
                mm_hw_log(&ctx->hw, MM_MSG_PARTIAL_ATTR, 0, 0, 0, 0);
            else
                mm_hw_log(&ctx->hw, MM_MSG_OVERLAP, base, limit, rb, re);
            return MM_EINVAL;
        }
        join[i / 64] |= 1ull << (i % 64);
        if (survivor < 0)
            survivor = (int)i;
        ub = rb < ub ? rb : ub;
        ue = re > ue ? re : ue;
    }

    if (survivor < 0) { /* nothing to join: a new region at the lowest free index */
        if (st(ctx)->n >= MM_MERGE_RECORDS) {
            mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0);
            return MM_ENOENT;
        }
        int idx = mm_bitmap_alloc(ctx);
        if (idx < 0) {
            mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0);
            return MM_ENOENT;
        }
        program(ctx, (unsigned)idx, base, limit, flags);
        (void)add_record(ctx, base, limit, (unsigned)idx);
        ctx->last_region = idx;
        return 0;
    }

    const unsigned s = (unsigned)survivor;
    /* An identical record may sit in any joined region: look there before retagging. */
    int k = -1;
    for (unsigned i = s; i < n && k < 0; i++)
        if ((join[i / 64] >> (i % 64)) & 1u)
            k = find_exact(ctx, i, base, limit);
    if (k >= 0 && st(ctx)->rec[k].count == MM_MERGE_COUNT_MAX) {
        mm_hw_log(&ctx->hw, MM_MSG_REFCOUNT_OVERFLOW, 0, 0, 0, 0);
        return MM_ENOENT;
    }
    if (k < 0 && st(ctx)->n >= MM_MERGE_RECORDS) {
        mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0);
        return MM_ENOENT;
    }
    for (unsigned i = s + 1; i < n; i++)
        if ((join[i / 64] >> (i % 64)) & 1u)
            retag(ctx, i, s, 0, ~0ull);
    add_mapping(ctx, s, base, limit);
    unsigned sflags = flags_of(&ctx->table[s]);
    for (unsigned i = s + 1; i < n; i++) /* free the absorbed regions first */
        if ((join[i / 64] >> (i % 64)) & 1u)
            mm_policy_disable(ctx, i);
    if (ub != mm_region_base(&ctx->table[s]) || ue != region_end(&ctx->table[s]))
        program(ctx, s, ub, ue, sflags); /* then grow the survivor */
    ctx->last_region = (int)s;
    return 0;
}

/* ---- unmap ---- */

/* Remove one mapping from region idx: record k loses one count; when cut is set, the parts of
 * its range outside [base, limit) stay mapped (they gain a record each). Then the region
 * follows its records: freed, shrunk, or split. Nothing changes on failure. */
static int remove_mapping(struct mm_ctx *ctx, unsigned idx, unsigned k, uint64_t base,
                          uint64_t limit, int cut)
{
    struct mm_merge_state *m = st(ctx);
    const uint64_t kb = m->rec[k].base, kl = m->rec[k].limit;
    uint64_t part_b[2], part_l[2];
    unsigned nparts = 0;
    if (cut && kb < base) {
        part_b[nparts] = kb;
        part_l[nparts++] = base;
    }
    if (cut && limit < kl) {
        part_b[nparts] = limit;
        part_l[nparts++] = kl;
    }
    /* Tentative: drop the count, add the parts; undone below if the split cannot happen. */
    int bumped[2] = { -1, -1 };
    unsigned added = 0;
    for (unsigned p = 0; p < nparts; p++)
        if (can_add(ctx, idx, part_b[p], part_l[p]) != 0)
            return MM_ENOENT;
    if (m->n + nparts > MM_MERGE_RECORDS) {
        mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0);
        return MM_ENOENT;
    }
    m->rec[k].count--;
    for (unsigned p = 0; p < nparts; p++) {
        int e = find_exact(ctx, idx, part_b[p], part_l[p]);
        if (e >= 0) {
            m->rec[e].count++;
            bumped[p] = e;
        } else {
            (void)add_record(ctx, part_b[p], part_l[p], idx);
            added++;
        }
    }
    unsigned intervals = count_intervals(ctx, idx);
    unsigned free_slots = mm_nr_regions(ctx) - ctx->used;
    if (intervals > 1 && intervals - 1 > free_slots) {
        for (unsigned p = 0; p < nparts; p++)
            if (bumped[p] >= 0)
                m->rec[bumped[p]].count--;
        m->n -= added; /* appended last, nothing compacted since */
        m->rec[k].count++;
        mm_hw_log(&ctx->hw, MM_MSG_POOL_EXHAUSTED, 0, 0, 0, 0);
        return MM_ENOENT;
    }

    ctx->last_region = (int)idx;
    if (intervals == 0) {
        mm_policy_disable(ctx, idx);
        compact(ctx);
        return 0;
    }
    const struct mm_region *r = &ctx->table[idx];
    const unsigned f = flags_of(r);
    uint64_t cb, ce;
    (void)next_interval(ctx, idx, 1, 0, &cb, &ce);
    if (cb != mm_region_base(r) || ce != region_end(r))
        program(ctx, idx, cb, ce, f); /* shrink first */
    while (next_interval(ctx, idx, 0, ce, &cb, &ce) == 0) { /* then the other pieces */
        int slot = mm_bitmap_alloc(ctx); /* enough were checked above */
        program(ctx, (unsigned)slot, cb, ce, f);
        retag(ctx, idx, (unsigned)slot, cb, ce);
    }
    compact(ctx);
    return 0;
}

static int merge_unmap(struct mm_ctx *ctx, uint64_t base, uint64_t limit)
{
    unsigned idx;
    int kind = mm_contains_region(ctx, base, limit, &idx);
    if (kind == MM_REGION_OVERLAP)
        return MM_EINVAL;
    if (kind == MM_REGION_NOTFOUND) {
        mm_hw_log(&ctx->hw, MM_MSG_REMOVE_NOT_EXIST, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    int k = find_exact(ctx, idx, base, limit);
    int cut = 0;
    if (k < 0) {
        k = find_containing(ctx, idx, base, limit, 0);
        cut = 1;
    }
    if (k < 0) { /* covered only by several mappings together */
        mm_hw_log(&ctx->hw, MM_MSG_REMOVE_PARTIAL, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    return remove_mapping(ctx, idx, (unsigned)k, base, limit, cut);
}

/* ---- entry points ---- */

int mm_merge_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    if (!mm_check_mapping(ctx, base, limit, flags))
        return MM_EINVAL;
    int adopted = adopt(ctx);
    int rc = (flags & MM_FLAG_PRESENT) ? merge_map(ctx, base, limit, flags)
                                       : merge_unmap(ctx, base, limit);
    if (rc == 0)
        mm_context_sync(ctx);
    return unadopt(ctx, adopted, rc);
}

int mm_merge_unmap(struct mm_ctx *ctx, uint64_t base, uint64_t limit)
{
    return mm_merge_map(ctx, base, limit, 0);
}

int mm_merge_unmap_containing(struct mm_ctx *ctx, uint64_t addr)
{
    int adopted = adopt(ctx);
    uint64_t page = addr & ~MM_PAGE_MASK;
    unsigned idx;
    int kind = mm_contains_region(ctx, page, page + MM_PAGE_SIZE, &idx);
    if (kind == MM_REGION_NOTFOUND)
        mm_hw_log(&ctx->hw, MM_MSG_REMOVE_ENTRY_NOT_EXIST, 0, 0, 0, 0);
    if (kind <= 0)
        return unadopt(ctx, adopted, MM_EINVAL);
    /* The mapping that starts at that page (vunmap, iounmap of what vmap or ioremap
     * returned), else the smallest one containing it; all of it goes. */
    int k = find_containing(ctx, idx, page, page + MM_PAGE_SIZE, 1);
    if (k < 0) {
        mm_hw_log(&ctx->hw, MM_MSG_REMOVE_PARTIAL, 0, 0, 0, 0);
        return unadopt(ctx, adopted, MM_EINVAL);
    }
    int rc = remove_mapping(ctx, idx, (unsigned)k, 0, 0, 0);
    if (rc == 0)
        mm_context_sync(ctx);
    return unadopt(ctx, adopted, rc);
}

int mm_merge_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                     uint64_t *ret)
{
    uint64_t start_pg = addr & ~MM_PAGE_MASK;
    uint64_t end_pg = (addr + size + MM_PAGE_MASK) & ~MM_PAGE_MASK;
    int rc = mm_merge_map(ctx, start_pg, end_pg, flags);
    *ret = rc == 0 ? addr : 0;
    return *ret != 0 ? 0 : MM_EINVAL;
}
