/*
 * libFuzzer harness: arbitrary sequences of algorithm calls and accesses, replayed with every
 * algorithm in --xen-fixed mode, with invariants that must hold for all of them.
 *
 * Input bytes:
 *   byte 0      set-up: EL2 regions = 4 + (b & 15) (4..19); boot layout = (b >> 4) & 3:
 *               0 no boot (empty table, MPU off), 1..3 the first 1..3 boot regions below;
 *               K of the reserve policy = b >> 6 (0..3)
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
 * Every algorithm mm/ knows runs the same events in --xen-fixed mode. After every event the
 * named invariants of replay/invariants.c (fuzz_check_event, as mpusim fuzz uses them) must
 * hold: failed_call_changes_nothing, used_within_limit, table_matches_hw, no_overlap,
 * mapped_range_accessible, unmapped_range_inaccessible; and the replay's own table/hardware
 * cross-check must find no divergence. A broken one is reported on stderr and ends the run
 * with __builtin_trap(), which libFuzzer records as a crash.
 * Build and run: `make fuzz` (docs/compare.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/fuzz.h"
#include "replay/replay.h"
#include "traces/trace.h"

#define WINDOW 0x20000000ull  /* first byte of the address window */
#define PAGE 0x1000ull
#define REC 4                 /* bytes per event */

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
    default: /* sysreg (raw register writes break the invariants) and the zephyr thread and
              * domain events are never generated: ops[] holds only the plain operations */
        break;
    }
}

static void broken(const struct replay *r, const char *what, const char *text)
{
    fprintf(stderr, "op_sequence: invariant %s broken: algo %s (reserve K %u), event %ld: %s\n",
            what, mm_algo_name(r->mm.opt.algo), r->mm.opt.reserve_k, r->event, text);
    __builtin_trap();
}

static void run_algo(const struct trace *t, enum mm_algo algo, unsigned reserve_k,
                     struct fuzz_snapshot *before)
{
    struct mm_options mo = { .algo = algo };
    if (mm_algo_parse(mm_algo_name(algo), &mo) != 0)
        __builtin_trap(); /* mm/ cannot parse its own names: a bug */
    struct replay_options o = { .algo = algo, .xen_fixed = 1, .fsc = MPU_FSC_TRANSLATION,
                                .reserve_k = algo == MM_ALGO_RESERVE ? reserve_k : mo.reserve_k };
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(t, &o, &err);
    if (!r) {
        fprintf(stderr, "op_sequence: replay_new: %s\n", err.text);
        __builtin_trap(); /* the set-up always fits: a bug */
    }
    for (size_t i = 0; i < t->nevents; i++) {
        fuzz_snapshot_take(before, &r->mm, &r->mpu);
        struct replay_event_result res;
        replay_step(r, i, &res);
        struct fuzz_violation v;
        if (fuzz_check_event(r, &t->events[i], &res, before, &v) == FUZZ_BROKEN)
            broken(r, fuzz_invariant_name(v.inv), v.text);
        if (r->divergences_total != 0)
            broken(r, "no_divergence", "the replay's cross-check found a divergence");
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
    struct fuzz_snapshot *snap = malloc(sizeof *snap);
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
        if (a != MM_ALGO_ZEPHYR) /* its EL1 table is not what the EL2 invariants compare */
            run_algo(&t, (enum mm_algo)a, (unsigned)(data[0] >> 6), snap);
    free(events);
    free(snap);
    return 0;
}
