/*
 * libFuzzer harness: arbitrary sequences of algorithm calls and accesses, replayed with every
 * algorithm in --xen-fixed mode, with invariants that must hold for all of them.
 *
 * Input bytes:
 *   byte 0      set-up: EL2 regions = 4 + (b & 15) (4..19); boot layout = (b >> 4) & 3:
 *               0 no boot (empty table, MPU off), 1..3 the first 1..3 boot regions below
 *   then 4 bytes per event [op, a, l, f] (a trailing partial record is ignored):
 *   op % 6      map, modify, unmap, unmap_containing, ioremap, access
 *   a           base: page a & 63 of a 256 KiB window, plus an offset (a >> 6): 0, 0x40, 1,
 *               0x800, so that the page-alignment checks are exercised
 *   l           length: (l & 15) pages plus an offset ((l >> 4) & 3, as for a);
 *               (l >> 6) == 3 turns the range around (limit below base)
 *   f           map/modify/ioremap: flags f % 8: RO, RX, RW, NOCACHE, WC, 0 (not present),
 *               RW without PRESENT, raw f & 0x3f; access: kind f % 3, EL (f / 3) % 3,
 *               size 1 << ((f / 9) % 5)
 * The window starts above 0 (a pointer to address 0 is NULL, which ioremap/map_mm_range
 * report as a failure after creating the region) and holds the boot regions, so calls collide
 * with them and with each other.
 *
 * Invariants, checked after every event (__builtin_trap() when one breaks):
 *   used_le_regions   regions in use never exceed the MPU's region count
 *   mask_matches      the algorithm's in-use mask, its count and its table agree
 *   failed_no_change  a call with rc != 0 leaves the table, the mask and the EL2 PRBAR/PRLAR
 *                     registers unchanged
 *   no_overlap        no two enabled EL2 regions overlap
 *   no_divergence     the replay's table/hardware cross-check finds nothing (--xen-fixed)
 * These are minimal local checks; replay/invariants.c (mpusim fuzz) names the full set.
 * Build and run: `make fuzz` (docs/compare.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"
#include "traces/trace.h"

#define WINDOW 0x20000000ull  /* first byte of the address window */
#define PAGE 0x1000ull
#define REC 4                 /* bytes per event */

#define REQUIRE(cond, name, r, i)                                                                \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "op_sequence: invariant %s broken: algo %s, event %zu\n", name,      \
                    mm_algo_name((r)->opt.algo), (size_t)(i));                                   \
            __builtin_trap();                                                                    \
        }                                                                                        \
    } while (0)

static const struct trace_boot_region boot_layout[3] = {
    { WINDOW, WINDOW + 0x8000, MM_PAGE_HYPERVISOR_RX, "text" },
    { WINDOW + 0x8000, WINDOW + 0x10000, MM_PAGE_HYPERVISOR_RW, "data" },
    { WINDOW + 0x10000, WINDOW + 0x1234c, MM_PAGE_HYPERVISOR_RO, "rodata" }, /* 64 B granule */
};

static const uint64_t offsets[4] = { 0, 0x40, 1, 0x800 };

static unsigned flags_of(uint8_t f)
{
    static const unsigned named[7] = { MM_PAGE_HYPERVISOR_RO, MM_PAGE_HYPERVISOR_RX,
                                       MM_PAGE_HYPERVISOR_RW, MM_PAGE_HYPERVISOR_NOCACHE,
                                       MM_PAGE_HYPERVISOR_WC, 0,
                                       MM_PAGE_HYPERVISOR_RW & ~MM_FLAG_PRESENT };
    return f % 8 < 7 ? named[f % 8] : (unsigned)(f & 0x3f);
}

static void decode_event(const uint8_t *p, struct trace_event *ev)
{
    static const enum trace_op ops[6] = { TRACE_OP_MAP, TRACE_OP_MODIFY, TRACE_OP_UNMAP,
                                          TRACE_OP_UNMAP_CONTAINING, TRACE_OP_IOREMAP,
                                          TRACE_OP_ACCESS };
    memset(ev, 0, sizeof *ev);
    ev->line = -1;
    ev->op = ops[p[0] % 6];
    uint64_t page = WINDOW + (uint64_t)(p[1] & 63) * PAGE;
    uint64_t base = page + offsets[p[1] >> 6];
    uint64_t len = (uint64_t)(p[2] & 15) * PAGE + offsets[(p[2] >> 4) & 3];
    uint64_t limit = (p[2] >> 6) == 3 ? page - len : base + len;
    uint8_t f = p[3];
    switch (ev->op) {
    case TRACE_OP_MAP:
    case TRACE_OP_MODIFY:
    case TRACE_OP_UNMAP:
        ev->base = base;
        ev->limit = limit;
        ev->flags = flags_of(f);
        break;
    case TRACE_OP_UNMAP_CONTAINING:
        ev->base = base;
        break;
    case TRACE_OP_IOREMAP:
        ev->base = base;
        ev->limit = len;
        ev->flags = flags_of(f);
        break;
    case TRACE_OP_ACCESS:
        ev->base = base + (p[2] & 15) * 0x100; /* anywhere in the page */
        ev->kind = f % 3;
        ev->el = (f / 3) % 3;
        ev->limit = 1ull << ((f / 9) % 5);
        break;
    case TRACE_OP_SYSREG: /* not generated: raw register writes break the invariants */
    case TRACE_OP_COUNT:
        break;
    }
}

/* What a failed call must leave as it was. */
struct snapshot {
    struct mm_region table[MPU_MAX_REGIONS];
    uint64_t mask[4];
    unsigned used;
    uint64_t prbar[MPU_MAX_REGIONS], prlar[MPU_MAX_REGIONS];
};

static void take(const struct replay *r, unsigned n, struct snapshot *s)
{
    for (unsigned i = 0; i < n; i++) {
        s->table[i] = r->mm.table[i];
        s->prbar[i] = r->mpu.el2.prbar[i];
        s->prlar[i] = r->mpu.el2.prlar[i];
    }
    memcpy(s->mask, r->mm.mask, sizeof s->mask);
    s->used = r->mm.used;
}

static int unchanged(const struct replay *r, unsigned n, const struct snapshot *s)
{
    if (memcmp(s->mask, r->mm.mask, sizeof s->mask) || s->used != r->mm.used)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        const struct mm_region *a = &s->table[i], *b = &r->mm.table[i];
        if (a->prbar != b->prbar || a->prlar != b->prlar || a->refcount != b->refcount ||
            a->transient != b->transient || s->prbar[i] != r->mpu.el2.prbar[i] ||
            s->prlar[i] != r->mpu.el2.prlar[i])
            return 0;
    }
    return 1;
}

static int mask_matches(const struct replay *r, unsigned n)
{
    unsigned count = 0;
    for (unsigned i = 0; i < MM_MAX_REGIONS; i++) {
        int in_mask = (int)((r->mm.mask[i >> 6] >> (i & 63)) & 1u);
        if (in_mask != mm_region_valid(&r->mm.table[i]) || (in_mask && i >= n))
            return 0;
        count += (unsigned)in_mask;
    }
    return count == r->mm.used;
}

static int no_overlap(const struct replay *r)
{
    const struct mpu_unit *u = &r->mpu.el2;
    for (unsigned i = 0; i < u->nregions; i++) {
        struct mm_region a = { .prbar = u->prbar[i], .prlar = u->prlar[i] };
        if (!mm_region_valid(&a))
            continue;
        for (unsigned j = i + 1; j < u->nregions; j++) {
            struct mm_region b = { .prbar = u->prbar[j], .prlar = u->prlar[j] };
            if (mm_region_valid(&b) && mm_region_base(&a) <= mm_region_last(&b) &&
                mm_region_base(&b) <= mm_region_last(&a))
                return 0;
        }
    }
    return 1;
}

static void run_algo(const struct trace *t, enum mm_algo algo, struct snapshot *snap)
{
    struct replay_options o = { .algo = algo, .xen_fixed = 1, .fsc = MPU_FSC_TRANSLATION };
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(t, &o, &err);
    if (!r) {
        fprintf(stderr, "op_sequence: replay_new: %s\n", err.text);
        __builtin_trap(); /* the set-up always fits: a bug */
    }
    unsigned n = t->regions;
    for (size_t i = 0; i < t->nevents; i++) {
        take(r, n, snap);
        struct replay_event_result res;
        replay_step(r, i, &res);
        REQUIRE(res.used <= n && r->peak_used <= n, "used_le_regions", r, i);
        REQUIRE(mask_matches(r, n), "mask_matches", r, i);
        if (res.has_rc && res.rc != 0)
            REQUIRE(unchanged(r, n, snap), "failed_no_change", r, i);
        REQUIRE(no_overlap(r), "no_overlap", r, i);
        REQUIRE(r->divergences_total == 0, "no_divergence", r, i);
    }
    replay_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct trace t;
    memset(&t, 0, sizeof t);
    snprintf(t.source, sizeof t.source, "<fuzz>");
    t.regions = 4 + (data[0] & 15u);
    unsigned layout = (data[0] >> 4) & 3u;
    t.has_boot = layout != 0;
    t.nboot = layout;
    struct trace_boot_region boot[3];
    memcpy(boot, boot_layout, sizeof boot);
    t.boot = boot;
    t.nevents = (size - 1) / REC;
    struct trace_event *events = malloc((t.nevents ? t.nevents : 1) * sizeof *events);
    struct snapshot *snap = malloc(sizeof *snap);
    if (!events || !snap) {
        free(events);
        free(snap);
        return 0; /* out of memory: nothing to test */
    }
    for (size_t i = 0; i < t.nevents; i++)
        decode_event(data + 1 + i * REC, &events[i]);
    t.events = events;
    t.cap = t.nevents;
    for (int a = 0; a < MM_ALGO_COUNT; a++)
        run_algo(&t, (enum mm_algo)a, snap);
    free(events);
    free(snap);
    return 0;
}
