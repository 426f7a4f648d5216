/*
 * libFuzzer harness: arbitrary sequences of Bao's vMPU calls on 1 to 4 CPUs (the bao events of
 * the trace format), replayed with --algo bao, faithful and --fixed, with the invariants that
 * hold for every valid sequence.
 *
 * Input bytes:
 *   byte 0      set-up: CPUs 1 + (b & 3); EL2 regions per CPU 8 + ((b >> 2) & 7) * 8 (8..64)
 *   then 4 bytes per event [op, a, l, f] (a trailing partial record is ignored):
 *   op % 8      cpu_boot, vm_create, map, unmap, map_cpy, vm_entry, vm_exit, access;
 *               op / 8 % 4 is the CPU (modulo the CPUs)
 *   a           base: page a & 63 of a 256 KiB window, (a >> 6) the window: hypervisor
 *               devices, private, VM RAM, VM devices
 *   l           length: 1 + (l & 15) pages (map_cpy: pages); (l >> 4) & 3: the address space
 *               (0 hyp, else VM (l >> 4) & 3 - 1; vm_create: the VM (l >> 4) & 3); l >> 6:
 *               vm_create's other CPUs (bits 1..2 of the mask, with the event's CPU)
 *   f           map: flags f % 6 (hyp, hyp_code, hyp_dev, vm, vm_dev, raw f & 0x3e / 0x7),
 *               section (f >> 3) & 3, locked f & 0x20, alloc f & 0x40, broadcast !(f & 0x80);
 *               access: kind f % 3, EL 1 + (f / 3) % 2
 * An event that would make the sequence invalid (a CPU used before its boot, a VM before its
 * creation, a call on a CPU in its guest, vm_entry/vm_exit out of turn: fuzz_bao_canonical) is
 * dropped, so every input is a valid trace. Sizes are whole pages (a size that is not stops
 * Bao with ERROR() by design).
 *
 * After every event: the replay's own table/hardware cross-check finds no divergence (both
 * modes); with --fixed, no call crashes or deadlocks (call_returns; an ERROR() halt is Bao's
 * own stop: a message for a VM the receiver does not run, an empty message pool) and no CPU
 * allocates an index at or above MPUIR_EL2.REGION (used_within_limit). The other bao
 * invariants of `mpusim fuzz` break on valid sequences in both modes by design (an overlap of
 * a VM region and a locked hypervisor region in the guest, a broadcast a full CPU drops:
 * docs/fuzzing.md, "bao"), so they are not asked for here. A broken one is reported on stderr
 * and ends the run with __builtin_trap(), which libFuzzer records as a crash.
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

#define PAGE 0x1000ull
#define REC 4 /* bytes per event */

static const uint64_t windows[4] = { 0x9c000000ull, 0x30000000ull, 0x20000000ull,
                                     0x9c0a0000ull };

static unsigned flags_of(uint8_t f)
{
    static const unsigned named[5] = { MM_BAO_HYP_FLAGS, MM_BAO_HYP_CODE_FLAGS,
                                       MM_BAO_HYP_DEV_FLAGS, MM_BAO_VM_FLAGS,
                                       MM_BAO_VM_DEV_FLAGS };
    if (f % 6 < 5)
        return named[f % 6];
    unsigned prbar = f & 0x3eu;
    if (((prbar >> 4) & 3u) == 1u) /* SH 0b01 is reserved: the reader refuses it */
        prbar &= ~0x10u;
    return MM_BAO_FLAGS(prbar, f & 0x7u);
}

static void decode_event(const uint8_t *p, unsigned ncpus, struct trace_event *ev)
{
    static const enum trace_op ops[8] = { TRACE_OP_CPU_BOOT, TRACE_OP_VM_CREATE, TRACE_OP_MAP,
                                          TRACE_OP_UNMAP, TRACE_OP_MAP_CPY, TRACE_OP_VM_ENTRY,
                                          TRACE_OP_VM_EXIT, TRACE_OP_ACCESS };
    memset(ev, 0, sizeof *ev);
    ev->line = -1;
    ev->reg = -1;
    ev->el = 2;
    ev->bao = 1;
    ev->op = ops[p[0] % 8];
    ev->cpu = (unsigned)(p[0] / 8 % 4) % ncpus;
    uint64_t base = windows[p[1] >> 6] + (uint64_t)(p[1] & 63) * PAGE;
    uint64_t pages = 1 + (p[2] & 15u);
    unsigned asel = (p[2] >> 4) & 3u;
    uint64_t as = asel ? asel - 1 : TRACE_AS_HYP;
    uint8_t f = p[3];
    switch (ev->op) {
    case TRACE_OP_VM_CREATE:
        ev->as = asel; /* a VM id; renumbered in creation order */
        ev->cpus = ((1ull << ev->cpu) | ((uint64_t)(p[2] >> 6) << 1)) & ((1ull << ncpus) - 1);
        break;
    case TRACE_OP_MAP:
    case TRACE_OP_UNMAP:
        ev->as = as;
        ev->base = base;
        ev->limit = base + pages * PAGE;
        ev->flags = flags_of(f);
        ev->opts = (f & 0x80 ? 0 : MM_BAO_OPT_BROADCAST) |
                   (ev->op == TRACE_OP_MAP
                        ? (f & 0x20 ? MM_BAO_OPT_LOCKED : 0) | (f & 0x40 ? MM_BAO_OPT_ALLOC : 0) |
                              MM_BAO_OPT_SEC(as == TRACE_AS_HYP ? (f >> 3) & 3u : 0)
                        : 0);
        break;
    case TRACE_OP_MAP_CPY:
        ev->as = as;
        ev->to_as = as == TRACE_AS_HYP ? (f & 3u) : TRACE_AS_HYP;
        ev->base = base;
        ev->limit = pages;
        ev->opts = MM_BAO_OPT_SEC(ev->to_as == TRACE_AS_HYP ? MM_BAO_SEC_PRIVATE
                                                             : MM_BAO_SEC_GLOBAL);
        break;
    case TRACE_OP_ACCESS:
        ev->base = base + (p[2] & 15u) * 0x100;
        ev->limit = 1;
        ev->kind = f % 3;
        ev->el = 1 + (f / 3) % 2;
        break;
    default: /* cpu_boot, vm_entry, vm_exit: the CPU alone */
        break;
    }
}

static void broken(const struct replay *r, const char *what, const char *text)
{
    fprintf(stderr, "bao_sequence: invariant %s broken: bao%s, event %ld: %s\n", what,
            r->opt.xen_fixed ? " --fixed" : "", r->event, text);
    __builtin_trap();
}

static void run(const struct trace *t, int fixed, struct fuzz_snapshot *before)
{
    struct replay_options o = { .algo = MM_ALGO_BAO, .xen_fixed = fixed,
                                .fsc = MPU_FSC_TRANSLATION };
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(t, &o, &err);
    if (!r) {
        fprintf(stderr, "bao_sequence: replay_new: %s\n", err.text);
        __builtin_trap(); /* the set-up always fits: a bug */
    }
    replay_silence(r);
    for (size_t i = 0; i < t->nevents; i++) {
        fuzz_snapshot_take(before, &r->mm, &r->mpu);
        fuzz_bao_snapshot_take(before, r);
        struct replay_event_result res;
        replay_step(r, i, &res);
        struct fuzz_violation v;
        if (fuzz_bao_check_event(r, &t->events[i], &res, before, &v) == FUZZ_BROKEN && fixed &&
            ((v.inv == FUZZ_INV_B_CALL_RETURNS && res.rc != MM_EHALT) ||
             v.inv == FUZZ_INV_USED_WITHIN_LIMIT))
            broken(r, fuzz_invariant_name(v.inv), v.text);
        if (r->divergences_total != 0)
            broken(r, "no_divergence", "the replay's cross-check found a divergence");
        if (res.has_rc && res.rc != 0 && res.rc != MM_EINVAL)
            break; /* Bao stopped (faithful): nothing runs after it */
    }
    replay_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct trace_bao bao;
    memset(&bao, 0, sizeof bao);
    bao.ncpus = 1 + (data[0] & 3u);
    bao.image_base = 0x10000000ull;
    bao.image_limit = bao.image_load_end = bao.image_noload = 0x10040000ull;
    for (unsigned c = 0; c < bao.ncpus; c++)
        bao.cpu_struct[c] = 0x10100000ull + c * 0x2000ull;
    bao.cpu_struct_size = 0x2000ull;
    struct trace t;
    memset(&t, 0, sizeof t);
    snprintf(t.source, sizeof t.source, "<fuzz>");
    t.regions = 8 + ((data[0] >> 2) & 7u) * 8;
    t.bao = &bao;
    size_t n = (size - 1) / REC;
    struct trace_event *events = malloc((n ? n : 1) * sizeof *events);
    struct trace_event *check = malloc((n ? n : 1) * sizeof *check);
    struct fuzz_snapshot *snap = malloc(sizeof *snap);
    if (!events || !check || !snap) {
        free(events);
        free(check);
        free(snap);
        return 0; /* out of memory: nothing to test */
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) { /* keep an event only when the prefix stays valid */
        decode_event(data + 1 + i * REC, bao.ncpus, &events[kept]);
        memcpy(check, events, (kept + 1) * sizeof *events);
        if (fuzz_bao_canonical(check, kept + 1, bao.ncpus) == 0)
            kept++;
    }
    fuzz_bao_canonical(events, kept, bao.ncpus); /* VM ids as the replay wants them */
    t.events = events;
    t.nevents = t.cap = kept;
    run(&t, 0, snap);
    run(&t, 1, snap);
    free(events);
    free(check);
    free(snap);
    return 0;
}
