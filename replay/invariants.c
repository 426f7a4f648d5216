/* The fuzzer's invariants (docs/fuzzing.md): checked after every op on the replay's algorithm
 * table and MPU model, each reported under its name. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/bits.h"
#include "replay/fuzz.h"

#define PAGE 0x1000ull
#define PAGE_MASK (PAGE - 1)

static const char *const inv_names[FUZZ_INV_COUNT] = {
    [FUZZ_INV_TABLE_MATCHES_HW] = "table_matches_hw",
    [FUZZ_INV_NO_OVERLAP] = "no_overlap",
    [FUZZ_INV_FAILED_CALL_CHANGES_NOTHING] = "failed_call_changes_nothing",
    [FUZZ_INV_USED_WITHIN_LIMIT] = "used_within_limit",
    [FUZZ_INV_MAPPED_RANGE_ACCESSIBLE] = "mapped_range_accessible",
    [FUZZ_INV_UNMAPPED_RANGE_INACCESSIBLE] = "unmapped_range_inaccessible",
    [FUZZ_INV_Z_GUARDS_FAULT] = "guards_fault",
    [FUZZ_INV_Z_KERNEL_RAM_ACCESSIBLE] = "kernel_ram_accessible",
    [FUZZ_INV_Z_STACK_ACCESSIBLE] = "stack_accessible",
    [FUZZ_INV_Z_PARTITIONS_ACCESSIBLE] = "partitions_accessible",
    [FUZZ_INV_Z_USER_ISOLATION] = "user_isolation",
    [FUZZ_INV_B_CALL_RETURNS] = "call_returns",
    [FUZZ_INV_B_ENABLED_MATCHES_MODE] = "enabled_matches_mode",
    [FUZZ_INV_B_CPUS_CONSISTENT] = "cpus_consistent",
};

const char *fuzz_invariant_name(enum fuzz_invariant inv)
{
    return (unsigned)inv < FUZZ_INV_COUNT ? inv_names[inv] : "none";
}

int fuzz_invariant_from_name(const char *name)
{
    for (int i = 0; i < FUZZ_INV_COUNT; i++)
        if (strcmp(name, inv_names[i]) == 0)
            return i;
    return -1;
}

enum fuzz_verdict fuzz_broken(struct fuzz_violation *v, enum fuzz_invariant inv, const char *fmt,
                              ...)
{
    v->inv = inv;
    v->event = -1;
    v->has_witness = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->text, sizeof v->text, fmt, ap);
    va_end(ap);
    return FUZZ_BROKEN;
}

static int hw_enabled(const struct mpu_unit *u, unsigned i)
{
    return (int)((u->prlar[i] >> PRLAR_EN_LSB) & 1u);
}

/* The MPU the algorithm programs: EL2, or EL1 for zephyr (an RTOS at EL1). */
static const struct mpu_unit *algo_unit(const struct mm_ctx *mm, const struct mpu *m)
{
    return mm->opt.algo == MM_ALGO_ZEPHYR ? &m->el1 : &m->el2;
}

void fuzz_snapshot_take(struct fuzz_snapshot *s, const struct mm_ctx *mm, const struct mpu *m)
{
    const struct mpu_unit *u = algo_unit(mm, m);
    unsigned n = u->nregions;
    s->nregions = n;
    memcpy(s->table, mm->table, (n < MM_MAX_REGIONS ? n : MM_MAX_REGIONS) * sizeof s->table[0]);
    memcpy(s->mask, mm->mask, sizeof s->mask);
    s->used = mm->used;
    memcpy(s->prbar, u->prbar, n * sizeof s->prbar[0]);
    memcpy(s->prlar, u->prlar, n * sizeof s->prlar[0]);
}

enum fuzz_verdict fuzz_check_table_matches_hw(const struct mm_ctx *mm, const struct mpu *m,
                                              struct fuzz_violation *v)
{
    const struct mpu_unit *u = algo_unit(mm, m);
    unsigned n = mm->max_regions < u->nregions ? mm->max_regions : u->nregions;
    /* whether any entry differs, without branches on the data (two chains); the walk below
     * only names the first one */
    uint64_t any0 = 0, any1 = 0;
    unsigned i = 0;
    for (; i + 1 < n; i += 2) {
        const struct mm_region *t0 = &mm->table[i], *t1 = &mm->table[i + 1];
        uint64_t in0 = 0 - (t0->prlar & 1u), in1 = 0 - (t1->prlar & 1u);
        any0 |= (((t0->prbar ^ u->prbar[i]) | (t0->prlar ^ u->prlar[i])) & in0) |
                (u->prlar[i] & 1u & ~in0);
        any1 |= (((t1->prbar ^ u->prbar[i + 1]) | (t1->prlar ^ u->prlar[i + 1])) & in1) |
                (u->prlar[i + 1] & 1u & ~in1);
    }
    if (i < n) {
        const struct mm_region *t0 = &mm->table[i];
        uint64_t in0 = 0 - (t0->prlar & 1u);
        any0 |= (((t0->prbar ^ u->prbar[i]) | (t0->prlar ^ u->prlar[i])) & in0) |
                (u->prlar[i] & 1u & ~in0);
    }
    if (!(any0 | any1))
        return FUZZ_HOLDS;
    for (i = 0; i < n; i++) {
        const struct mm_region *t = &mm->table[i];
        if (mm_region_valid(t)) {
            if (t->prbar != u->prbar[i] || t->prlar != u->prlar[i])
                return fuzz_broken(v, FUZZ_INV_TABLE_MATCHES_HW,
                              "region %u: table prbar 0x%llx prlar 0x%llx, hardware prbar "
                              "0x%llx prlar 0x%llx", i, (unsigned long long)t->prbar,
                              (unsigned long long)t->prlar, (unsigned long long)u->prbar[i],
                              (unsigned long long)u->prlar[i]);
        } else if (hw_enabled(u, i)) {
            struct mpu_region_view h = mpu_region(m, u->el, i);
            return fuzz_broken(v, FUZZ_INV_TABLE_MATCHES_HW,
                          "region %u: free in the table, enabled in hardware [0x%llx, 0x%llx)",
                          i, (unsigned long long)h.base, (unsigned long long)h.last + 1);
        }
    }
    return FUZZ_HOLDS;
}

/* An enabled region's bounds, for the overlap sweep. */
struct span {
    uint64_t base, last; /* first and last byte (inclusive) */
    unsigned idx;        /* region index */
};

/* Insertion sort by base: the regions are few and mostly in address order already. */
static void sort_spans(struct span *s, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        struct span x = s[i];
        unsigned j = i;
        for (; j > 0 && s[j - 1].base > x.base; j--)
            s[j] = s[j - 1];
        s[j] = x;
    }
}

enum fuzz_verdict fuzz_check_no_overlap(struct mpu *m, struct fuzz_violation *v)
{
    return fuzz_check_no_overlap_el(m, 2, v);
}

enum fuzz_verdict fuzz_check_no_overlap_el(struct mpu *m, unsigned el, struct fuzz_violation *v)
{
    if (!mpu_any_overlap(m, el)) /* the lookup index knows: no sort in the common case */
        return FUZZ_HOLDS;
    /* an overlap: the sweep names the same two regions it always named */
    const struct mpu_unit *u = mpu_unit_of(m, el);
    struct span s[MPU_MAX_REGIONS];
    unsigned n = 0;
    for (unsigned i = 0; i < u->nregions; i++) {
        if (!hw_enabled(u, i))
            continue;
        struct mpu_region_view r = mpu_region(m, el, i);
        if (r.last < r.base) /* LIMIT below BASE: matches nothing */
            continue;
        s[n++] = (struct span){ r.base, r.last, i };
    }
    /* Sorted by base, two regions overlap iff some region starts at or before the largest
     * last byte seen so far. */
    sort_spans(s, n);
    for (unsigned k = 1, far = 0; k < n; k++) {
        if (s[k].base <= s[far].last)
            return fuzz_broken(v, FUZZ_INV_NO_OVERLAP,
                          "regions %u [0x%llx, 0x%llx] and %u [0x%llx, 0x%llx] both enabled "
                          "and overlapping", s[far].idx, (unsigned long long)s[far].base,
                          (unsigned long long)s[far].last, s[k].idx,
                          (unsigned long long)s[k].base, (unsigned long long)s[k].last);
        if (s[k].last > s[far].last)
            far = k;
    }
    return FUZZ_HOLDS;
}

enum fuzz_verdict fuzz_check_failed_call_changes_nothing(const struct fuzz_snapshot *before,
                                                         const struct mm_ctx *mm,
                                                         const struct mpu *m,
                                                         struct fuzz_violation *v)
{
    const struct mpu_unit *u = algo_unit(mm, m);
    unsigned n = before->nregions < u->nregions ? before->nregions : u->nregions;
    /* the common case, all equal bytewise (the snapshot copied the entries whole); else the
     * walk below names the first difference, if any field differs */
    if (memcmp(before->table, mm->table, n * sizeof before->table[0]) == 0 &&
        memcmp(before->prbar, u->prbar, n * sizeof before->prbar[0]) == 0 &&
        memcmp(before->prlar, u->prlar, n * sizeof before->prlar[0]) == 0)
        n = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct mm_region *a = &before->table[i], *b = &mm->table[i];
        if (a->prbar != b->prbar || a->prlar != b->prlar || a->refcount != b->refcount ||
            a->transient != b->transient)
            return fuzz_broken(v, FUZZ_INV_FAILED_CALL_CHANGES_NOTHING,
                          "table entry %u changed: prbar 0x%llx -> 0x%llx, prlar 0x%llx -> "
                          "0x%llx, refcount %u -> %u", i, (unsigned long long)a->prbar,
                          (unsigned long long)b->prbar, (unsigned long long)a->prlar,
                          (unsigned long long)b->prlar, a->refcount, b->refcount);
        if (before->prbar[i] != u->prbar[i] || before->prlar[i] != u->prlar[i])
            return fuzz_broken(v, FUZZ_INV_FAILED_CALL_CHANGES_NOTHING,
                          "hardware region %u changed: prbar 0x%llx -> 0x%llx, prlar 0x%llx -> "
                          "0x%llx", i, (unsigned long long)before->prbar[i],
                          (unsigned long long)u->prbar[i],
                          (unsigned long long)before->prlar[i],
                          (unsigned long long)u->prlar[i]);
    }
    if (memcmp(before->mask, mm->mask, sizeof before->mask) != 0 || before->used != mm->used)
        return fuzz_broken(v, FUZZ_INV_FAILED_CALL_CHANGES_NOTHING,
                      "in-use bitmap changed: %u regions in use before, %u after", before->used,
                      mm->used);
    return FUZZ_HOLDS;
}

/* 1 if w (256 bits) has a bit set at an index >= n. */
static int bit_at_or_above(const uint64_t w[4], unsigned n)
{
    if (n >= 256)
        return 0;
    uint64_t beyond = w[n / 64] & (~0ull << (n % 64));
    for (unsigned k = n / 64 + 1; k < 4; k++)
        beyond |= w[k];
    return beyond != 0;
}

enum fuzz_verdict fuzz_check_used_within_limit(const struct mm_ctx *mm, unsigned regions,
                                               struct fuzz_violation *v)
{
    /* at most `regions` bits are set when none is set at an index >= regions: the count is
     * needed only when one is (to decide, and to report) */
    if (mm->used <= regions && !bit_at_or_above(mm->mask, regions))
        return FUZZ_HOLDS;
    unsigned bits = bits_popcount64(mm->mask[0]) + bits_popcount64(mm->mask[1]) +
                    bits_popcount64(mm->mask[2]) + bits_popcount64(mm->mask[3]);
    if (mm->used > regions || bits > regions)
        return fuzz_broken(v, FUZZ_INV_USED_WITHIN_LIMIT,
                      "%u regions in use (bitmap: %u) with %u implemented", mm->used, bits,
                      regions);
    return FUZZ_HOLDS;
}

static int sctlr_bit(const struct mpu *m, unsigned bit)
{
    return (int)((m->el2.sctlr >> bit) & 1u);
}

static const char *acc_name(enum mpu_acc a)
{
    return a == MPU_ACC_READ ? "read" : a == MPU_ACC_WRITE ? "write" : "exec";
}

/* Page rounding outwards: [base & ~0xFFF, roundup(limit)); limit 0 or a wrap stays. */
static void round_out(uint64_t *base, uint64_t *limit)
{
    *base &= ~PAGE_MASK;
    uint64_t l = (*limit + PAGE_MASK) & ~PAGE_MASK;
    if (l >= *limit) /* no wrap */
        *limit = l;
}

/*
 * The points the range invariants look at: the first and last byte of every page of
 * [lo, hi] (inclusive), clipped to it. Instead of visiting every page, the checks walk the
 * stretches over which nothing they compare can change (the bytes with the verdicts of their
 * first one, mpu_el2_allowed, cut where a table region begins or ends): every point in a
 * stretch gets the verdict of its first point, so only the first point of each stretch is
 * checked (one model lookup for the three access kinds), and the first point that breaks an
 * invariant is the one a page-by-page walk finds. mpu_check only names the fault.
 */

/* The first point >= y, or 0 with *none set when there is none. */
static uint64_t next_point(uint64_t y, uint64_t lo, uint64_t hi, int *none)
{
    *none = 0;
    if (y <= lo)
        return lo;
    if (y > hi) {
        *none = 1;
        return 0;
    }
    uint64_t p = y & ~PAGE_MASK;
    if (y == p)
        return y;
    return p + PAGE_MASK < hi ? p + PAGE_MASK : hi;
}

/* The page-by-page walk of the range invariants, kept for ranges at the top of the address
 * space (a page end that wraps), where the stretch walk does not apply. */
static int plain_range(uint64_t base, uint64_t limit)
{
    return limit == 0 || (limit & PAGE_MASK) || limit > (1ull << 60) || base > limit;
}

static enum fuzz_verdict mapped_by_page(struct mpu *m, uint64_t base, uint64_t limit,
                                        unsigned flags, const int want[3],
                                        struct fuzz_violation *v);

enum fuzz_verdict fuzz_check_mapped_range_accessible(struct mpu *m, uint64_t base,
                                                     uint64_t limit, unsigned flags,
                                                     struct fuzz_violation *v)
{
    if (!sctlr_bit(m, SCTLR_M_BIT)) /* MPU off: nothing is protected, nothing to compare */
        return FUZZ_HOLDS;
    round_out(&base, &limit);
    int writable = !(flags & MM_FLAG_RO);
    int want[3] = { 1, writable,
                    !(flags & MM_FLAG_XN) && !(writable && sctlr_bit(m, SCTLR_WXN_BIT)) };
    if (plain_range(base, limit))
        return mapped_by_page(m, base, limit, flags, want, v);
    int none = 0;
    for (uint64_t x = base; !none; ) {
        uint64_t e;
        unsigned allowed = mpu_el2_allowed(m, x, &e);
        for (int a = MPU_ACC_READ; a <= MPU_ACC_EXEC; a++) {
            int ok = (allowed >> a) & 1u;
            if (ok == want[a])
                continue;
            struct mpu_result res = mpu_check(m, x, 1, (enum mpu_acc)a, 2);
            return fuzz_broken(v, FUZZ_INV_MAPPED_RANGE_ACCESSIBLE,
                          "[0x%llx, 0x%llx) mapped with flags 0x%x: %s at 0x%llx %s "
                          "(%s, region %d)", (unsigned long long)base,
                          (unsigned long long)limit, flags, acc_name((enum mpu_acc)a),
                          (unsigned long long)x, ok ? "allowed" : "faults",
                          ok ? "expected a fault" : mpu_fault_name(res.fault), res.region);
        }
        if (e >= limit - 1)
            break;
        x = next_point(e + 1, base, limit - 1, &none);
    }
    return FUZZ_HOLDS;
}

static enum fuzz_verdict mapped_by_page(struct mpu *m, uint64_t base, uint64_t limit,
                                        unsigned flags, const int want[3],
                                        struct fuzz_violation *v)
{
    for (uint64_t p = base; p < limit && p >= base; p += PAGE) {
        uint64_t at[2] = { p, p + PAGE - 1 };
        for (int k = 0; k < 2; k++)
            for (int a = MPU_ACC_READ; a <= MPU_ACC_EXEC; a++) {
                struct mpu_result res = mpu_check(m, at[k], 1, (enum mpu_acc)a, 2);
                int ok = res.fault == MPU_FAULT_NONE;
                if (ok != want[a])
                    return fuzz_broken(v, FUZZ_INV_MAPPED_RANGE_ACCESSIBLE,
                                  "[0x%llx, 0x%llx) mapped with flags 0x%x: %s at 0x%llx %s "
                                  "(%s, region %d)", (unsigned long long)base,
                                  (unsigned long long)limit, flags, acc_name((enum mpu_acc)a),
                                  (unsigned long long)at[k], ok ? "allowed" : "faults",
                                  ok ? "expected a fault" : mpu_fault_name(res.fault),
                                  res.region);
            }
        if (p + PAGE < p)
            break;
    }
    return FUZZ_HOLDS;
}

/* 1 if addr lies in a region the table has in use (bitmap bit and EN set). *edge, when
 * given, is lowered to the last byte from addr on before any such region begins or ends. */
static int in_use_covers_to(const struct mm_ctx *mm, uint64_t addr, uint64_t *edge)
{
    int in = 0;
    for (unsigned i = 0; i < mm->max_regions && i < MM_MAX_REGIONS; i++) {
        if (!((mm->mask[i / 64] >> (i % 64)) & 1u))
            continue;
        const struct mm_region *r = &mm->table[i];
        if (!mm_region_valid(r))
            continue;
        uint64_t b = mm_region_base(r), l = mm_region_last(r);
        if (b <= addr && addr <= l)
            in = 1;
        if (!edge)
            continue;
        if (b > addr && b - 1 < *edge)
            *edge = b - 1;
        if (l >= addr && l < *edge)
            *edge = l;
    }
    return in;
}

static int in_use_covers(const struct mm_ctx *mm, uint64_t addr)
{
    return in_use_covers_to(mm, addr, NULL);
}

enum fuzz_verdict fuzz_check_unmapped_range_inaccessible(struct mpu *m, const struct mm_ctx *mm,
                                                         uint64_t base, uint64_t limit,
                                                         struct fuzz_violation *v)
{
    if (!sctlr_bit(m, SCTLR_M_BIT) || limit <= base)
        return FUZZ_HOLDS;
    uint64_t last = limit - 1;
    if (last < (1ull << 60)) { /* by stretches (see above); the first point that breaks */
        int none = 0;
        for (uint64_t x = base; !none; ) {
            uint64_t e;
            unsigned allowed = mpu_el2_allowed(m, x, &e);
            if (!in_use_covers_to(mm, x, &e) && (allowed & (1u << MPU_ACC_READ))) {
                struct mpu_result res = mpu_check(m, x, 1, MPU_ACC_READ, 2);
                return fuzz_broken(v, FUZZ_INV_UNMAPPED_RANGE_INACCESSIBLE,
                              "0x%llx in unmapped [0x%llx, 0x%llx) is not in any region in "
                              "use, but a read is allowed (hardware region %d)",
                              (unsigned long long)x, (unsigned long long)base,
                              (unsigned long long)limit, res.region);
            }
            if (e >= last)
                break;
            x = next_point(e + 1, base, last, &none);
        }
        return FUZZ_HOLDS;
    }
    for (uint64_t p = base & ~PAGE_MASK; p <= last; p += PAGE) {
        uint64_t first = p < base ? base : p;
        uint64_t end = p + PAGE - 1 > last ? last : p + PAGE - 1;
        uint64_t at[2] = { first, end };
        for (int k = 0; k < 2; k++) {
            if (in_use_covers(mm, at[k]))
                continue;
            struct mpu_result res = mpu_check(m, at[k], 1, MPU_ACC_READ, 2);
            if (res.fault == MPU_FAULT_NONE)
                return fuzz_broken(v, FUZZ_INV_UNMAPPED_RANGE_INACCESSIBLE,
                              "0x%llx in unmapped [0x%llx, 0x%llx) is not in any region in "
                              "use, but a read is allowed (hardware region %d)",
                              (unsigned long long)at[k], (unsigned long long)base,
                              (unsigned long long)limit, res.region);
        }
        if (p + PAGE < p)
            break;
    }
    return FUZZ_HOLDS;
}

/* The range an event asks to unmap, page-rounded; 0 when the event unmaps nothing. */
static int unmap_range(const struct trace_event *ev, uint64_t *base, uint64_t *limit)
{
    switch (ev->op) {
    case TRACE_OP_MAP:
    case TRACE_OP_MODIFY:
        if (ev->flags & MM_FLAG_PRESENT)
            return 0;
        /* without PRESENT a map removes, like an unmap */
        *base = ev->base;
        *limit = ev->limit;
        if (*limit <= *base)
            return 0;
        round_out(base, limit);
        return 1;
    case TRACE_OP_UNMAP:
        *base = ev->base;
        *limit = ev->limit;
        if (*limit <= *base)
            return 0;
        round_out(base, limit);
        return 1;
    case TRACE_OP_UNMAP_CONTAINING:
        *base = ev->base & ~PAGE_MASK;
        *limit = *base + PAGE;
        return *limit > *base;
    default:
        return 0;
    }
}

enum fuzz_verdict fuzz_check_event(struct replay *r, const struct trace_event *ev,
                                   const struct replay_event_result *res,
                                   const struct fuzz_snapshot *before, struct fuzz_violation *v)
{
    return fuzz_check_event_memo(r, ev, res, before, NULL, v);
}

/* mapped_range_accessible for [base, limit) and flags, or the verdict memo holds for them */
static enum fuzz_verdict mapped_memo(struct mpu *m, uint64_t base, uint64_t limit,
                                     unsigned flags, struct fuzz_memo *memo,
                                     struct fuzz_violation *v)
{
    if (memo && memo->mapped && memo->base == base && memo->limit == limit &&
        memo->flags == flags)
        return FUZZ_HOLDS;
    enum fuzz_verdict verdict = fuzz_check_mapped_range_accessible(m, base, limit, flags, v);
    if (memo && verdict == FUZZ_HOLDS) {
        memo->mapped = 1;
        memo->base = base;
        memo->limit = limit;
        memo->flags = flags;
    }
    return verdict;
}

enum fuzz_verdict fuzz_check_event_memo(struct replay *r, const struct trace_event *ev,
                                        const struct replay_event_result *res,
                                        const struct fuzz_snapshot *before,
                                        struct fuzz_memo *memo, struct fuzz_violation *v)
{
    if (r->opt.algo == MM_ALGO_ZEPHYR)
        return fuzz_zephyr_check_event(r, ev, res, before, v);
    if (r->opt.algo == MM_ALGO_BAO && r->trace->bao)
        return fuzz_bao_check_event(r, ev, res, before, v);
    enum fuzz_verdict verdict = FUZZ_HOLDS;
    int call = res->has_rc;
    int native = r->opt.engine == REPLAY_ENGINE_NATIVE;
    if (call && res->rc != 0)
        verdict = fuzz_check_failed_call_changes_nothing(before, &r->mm, &r->mpu, v);
    /* With a memo, every invariant held after the previous event (memo->checked): when this
     * one left the state they look at as it was (an access reaches neither the algorithm nor
     * a register; a failed call was just found to change nothing of the table, bitmap, count
     * and registers), used_within_limit, table_matches_hw and no_overlap stand. */
    int stands = memo && memo->checked && native && verdict == FUZZ_HOLDS &&
                 ((call && res->rc != 0) || ev->op == TRACE_OP_ACCESS);
    if (verdict == FUZZ_HOLDS && r->algo_events && !stands)
        verdict = fuzz_check_used_within_limit(&r->mm, r->mpu.el2.nregions, v);
    /* The replay cross-checked the same table against the same registers after the event
     * (r->diverged: the regions that differ now), unless it was stepped without
     * (memo->own_table); the full check only when one differs, to name it. */
    int cross_checked = native && r->opt.algo != MM_ALGO_ZEPHYR && !(memo && memo->own_table);
    int differs = (r->diverged[0] | r->diverged[1] | r->diverged[2] | r->diverged[3]) != 0;
    if (verdict == FUZZ_HOLDS && r->algo_events && !stands && (differs || !cross_checked))
        verdict = fuzz_check_table_matches_hw(&r->mm, &r->mpu, v);
    /* Overlap depends on the region registers only: when the event left them as they were
     * (accesses, most failed calls, refcount changes), the verdict of the state before
     * stands. */
    unsigned n = before->nregions < r->mpu.el2.nregions ? before->nregions
                                                         : r->mpu.el2.nregions;
    /* the native engine's algorithm writes registers through the replay, which counts them:
     * none written, none changed (a sysreg event writes the model directly) */
    int unwritten = native && ev->op != TRACE_OP_SYSREG && r->cur.sysreg_writes == 0;
    if (memo && !unwritten) /* a register may have changed: no verdict on them stands */
        memo->mapped = 0;
    int hw_same = stands ||
                  (n == r->mpu.el2.nregions &&
                   (unwritten ||
                    (memcmp(before->prbar, r->mpu.el2.prbar, n * sizeof before->prbar[0]) == 0 &&
                     memcmp(before->prlar, r->mpu.el2.prlar, n * sizeof before->prlar[0]) == 0)));
    if (verdict == FUZZ_HOLDS && !hw_same)
        verdict = fuzz_check_no_overlap(&r->mpu, v);
    if (verdict == FUZZ_HOLDS && call && res->rc == 0) {
        uint64_t b, l;
        if ((ev->op == TRACE_OP_MAP || ev->op == TRACE_OP_MODIFY) &&
            (ev->flags & MM_FLAG_PRESENT) && ev->limit > ev->base)
            verdict = mapped_memo(&r->mpu, ev->base, ev->limit, ev->flags, memo, v);
        else if (ev->op == TRACE_OP_IOREMAP && (ev->flags & MM_FLAG_PRESENT) &&
                 ev->base + ev->limit > ev->base)
            verdict = mapped_memo(&r->mpu, ev->base, ev->base + ev->limit, ev->flags, memo, v);
        else if (unmap_range(ev, &b, &l)) {
            verdict = fuzz_check_unmapped_range_inaccessible(&r->mpu, &r->mm, b, l, v);
            /* Every region the call freed: its whole former range. */
            n = before->nregions < r->mm.max_regions ? before->nregions
                                                                : r->mm.max_regions;
            for (unsigned i = 0; verdict == FUZZ_HOLDS && i < n; i++) {
                int was = (before->mask[i / 64] >> (i % 64)) & 1u;
                int is = (r->mm.mask[i / 64] >> (i % 64)) & 1u;
                const struct mm_region *e = &before->table[i];
                if (was && !is && mm_region_valid(e))
                    verdict = fuzz_check_unmapped_range_inaccessible(
                        &r->mpu, &r->mm, mm_region_base(e), mm_region_last(e) + 1, v);
            }
        }
    }
    if (memo)
        memo->checked = verdict == FUZZ_HOLDS;
    if (verdict == FUZZ_BROKEN)
        v->event = r->event;
    return verdict;
}

struct replay *fuzz_replay_new(const struct trace *t, const struct fuzz_options *o,
                               struct mpusim_error *err)
{
    struct replay_options ro = o->replay;
    ro.reserve_k = o->replay.algo == MM_ALGO_RESERVE ? o->reserve_k : 0;
    ro.keep_findings = 0;
    ro.on_message = NULL;
    struct replay *r = replay_new(t, &ro, err);
    if (!r)
        return NULL;
    replay_silence(r);
    return r;
}

int fuzz_check_trace(struct trace *t, const struct fuzz_options *o, int record,
                     struct fuzz_violation *v, struct mpusim_error *err)
{
    v->inv = FUZZ_INV_COUNT;
    v->event = -1;
    v->text[0] = '\0';
    v->has_witness = 0;
    if (o->replay.algo == MM_ALGO_ZEPHYR && fuzz_zephyr_canonical(t->events, t->nevents) != 0)
        return 0; /* not a valid trace: a candidate that shows nothing */
    if (o->replay.algo == MM_ALGO_BAO && t->bao &&
        fuzz_bao_canonical(t->events, t->nevents, t->bao->ncpus) != 0)
        return 0;
    struct replay *r = fuzz_replay_new(t, o, err);
    if (!r)
        return -1;
    struct fuzz_snapshot *before = malloc(sizeof *before);
    if (!before) {
        replay_free(r);
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
    }
    for (size_t i = 0; i < t->nevents; i++) {
        struct trace_event *ev = &t->events[i];
        struct replay_event_result res;
        fuzz_snapshot_take(before, &r->mm, &r->mpu);
        if (o->replay.algo == MM_ALGO_BAO && t->bao)
            fuzz_bao_snapshot_take(before, r);
        replay_step(r, i, &res);
        struct fuzz_violation now;
        if (fuzz_check_event(r, ev, &res, before, &now) == FUZZ_BROKEN &&
            v->inv == FUZZ_INV_COUNT) {
            *v = now;
            if (!record)
                break;
        }
        if (record && o->replay.algo == MM_ALGO_BAO && t->bao) {
            if (fuzz_bao_record(r, ev, &res) != 0) {
                free(before);
                replay_free(r);
                return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
            }
        } else if (record) {
            ev->expect.has = 0;
            if (res.has_rc && o->replay.algo == MM_ALGO_ZEPHYR) {
                ev->expect.has = TRACE_EXPECT_RC | TRACE_EXPECT_REGION_NUM |
                                 TRACE_EXPECT_ENABLED | TRACE_EXPECT_WRITES |
                                 TRACE_EXPECT_BARRIERS;
                ev->expect.rc = res.rc;
                ev->expect.region_num = res.region_num;
                ev->expect.enabled = (int)r->mpu.el1.enabled;
                ev->expect.writes = (long)r->cur.sysreg_writes;
                ev->expect.barriers = (long)r->cur.barriers;
            } else if (res.has_rc) {
                ev->expect.has = TRACE_EXPECT_RC | TRACE_EXPECT_USED;
                ev->expect.rc = res.rc;
                ev->expect.used = (int)res.used;
            } else if (ev->op == TRACE_OP_ACCESS) {
                ev->expect.has = TRACE_EXPECT_FAULT;
                ev->expect.fault = (int)res.acc.fault;
            }
        }
    }
    free(before);
    replay_free(r);
    return 0;
}
