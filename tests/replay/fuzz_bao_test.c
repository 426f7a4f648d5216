/* Fuzzing the bao variant: what the seeded runs find (Bao's real bugs), their shrunk
 * reproducers (bundled in traces/bao/fuzz-*) on the native engine, the guest engine and in
 * lockstep, --fixed, determinism, candidate validity, and the invariants on the fixture
 * scenarios B1 and B2. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "replay/fuzz.h"

static struct fuzz_options bopts(unsigned regions, int fixed, uint64_t seed)
{
    struct fuzz_options o = { .replay = { .algo = MM_ALGO_BAO, .xen_fixed = fixed,
                                          .regions = regions, .fsc = MPU_FSC_TRANSLATION },
                              .seed = seed, .length = 300, .shard_k = 1, .shard_n = 1,
                              .iterations = 20 };
    return o;
}

static struct trace load(const char *path)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(path, &t, &err), 0, "%s: %s", path, err.text);
    return t;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = 2 * cap + 8192;
            buf = realloc(buf, cap);
            cr_assert_not_null(buf);
        }
        size_t k = fread(buf + n, 1, 4096, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Replay t on engine e (bao, fixed or not): expectations failed; msg[id] counted. */
static uint64_t replay_bao(const struct trace *t, int fixed, enum replay_engine e,
                           uint64_t msg[MM_MSG_COUNT])
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay_options o = { .algo = MM_ALGO_BAO, .xen_fixed = fixed, .engine = e,
                                .fsc = MPU_FSC_TRANSLATION, .keep_findings = 10,
                                .adapter = "build/guest/mm.adapter.json" };
    struct replay *r = replay_new(t, &o, &err);
    cr_assert_not_null(r, "%s", err.text);
    for (size_t i = 0; i < t->nevents && !r->failed; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
    }
    cr_expect_eq(r->failed, 0, "%s: %s\n%s", replay_engine_name(e), r->engine_err.text,
                 r->lockstep_report);
    cr_expect_eq(r->expect_checked, t->nevents, "every event carries expectations");
    uint64_t failed = r->expect_failed;
    if (msg)
        memcpy(msg, r->msg_count, sizeof r->msg_count);
    replay_free(r);
    return failed;
}

static const struct reproducer {
    const char *name;        /* traces/bao/fuzz-<name>/trace.json */
    uint64_t seed;
    unsigned regions;
    enum fuzz_invariant inv; /* what it breaks */
    enum mm_msg finding;     /* what the replay reports */
    int fixed_too;           /* the finding is reported with --fixed as well */
    int witness;             /* an access appended shows it */
} reproducers[] = {
    { "desync", 1, 16, FUZZ_INV_B_CPUS_CONSISTENT, MM_FINDING_BAO_DESYNC, 0, 1 },
    { "map-cpy-window", 2, 16, FUZZ_INV_MAPPED_RANGE_ACCESSIBLE, MM_FINDING_BAO_CPY_WINDOW, 0,
      1 },
    { "alloc-ignored", 25, 16, FUZZ_INV_MAPPED_RANGE_ACCESSIBLE, MM_FINDING_BAO_IGNORED, 0, 1 },
    /* an unlocked hypervisor entry left enabled in the guest: no access tells (EL2-only) */
    { "prenr", 29, 64, FUZZ_INV_B_ENABLED_MATCHES_MODE, MM_FINDING_BAO_PRENR_REACH, 1, 0 },
};
#define NREPRODUCERS (sizeof reproducers / sizeof reproducers[0])

static void path_of(const struct reproducer *p, char *buf, size_t cap)
{
    snprintf(buf, cap, "traces/bao/fuzz-%s/trace.json", p->name);
}

/* The seeded runs find the bugs and shrink them to exactly the bundled traces (the bundled
 * file is what `mpusim fuzz --out` wrote, with an "x-description" added). */
Test(fuzz_bao, seeded_runs_find_the_bundled_reproducers_byte_for_byte)
{
    for (size_t k = 0; k < NREPRODUCERS; k++) {
        const struct reproducer *p = &reproducers[k];
        struct fuzz_options o = bopts(p->regions, 0, p->seed);
        o.iterations = 1;
        struct fuzz_result res;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(fuzz_run(&o, &res, &err), 0, "%s", err.text);
        cr_assert(res.found, "%s", p->name);
        cr_expect_eq(res.v.inv, p->inv, "%s: %s: %s", p->name, fuzz_invariant_name(res.v.inv),
                     res.v.text);
        cr_expect_eq(res.witness, (unsigned)p->witness, "%s: an access shows it", p->name);
        char *got = NULL;
        size_t len;
        FILE *f = open_memstream(&got, &len);
        cr_assert_not_null(f);
        cr_assert_eq(fuzz_write_trace(f, &o, &res, &err), 0, "%s", err.text);
        fclose(f);
        char path[96];
        path_of(p, path, sizeof path);
        char *want = slurp(path);
        char *d = strstr(want, "\"x-description\": \"");
        char *e = d ? strstr(d, "\", \"x-generator\"") : NULL;
        cr_assert(d && e, "%s: the description before the generator", path);
        memmove(d, e + 3, strlen(e + 3) + 1);
        cr_expect_str_eq(got, want, "%s: regenerate it (docs/fuzzing.md, \"bao\")", path);
        free(want);
        free(got);
        fuzz_result_fini(&res);
    }
}

/* Each bundled reproducer: every expectation met on the native engine, the guest engine and
 * in lockstep, its finding reported, the invariant broken just before the witness access;
 * with --fixed the faithful-only ones break nothing. */
Test(fuzz_bao, the_bundled_reproducers_replay_on_every_engine_with_their_finding,
     .timeout = 120)
{
    for (size_t k = 0; k < NREPRODUCERS; k++) {
        const struct reproducer *p = &reproducers[k];
        char path[96];
        path_of(p, path, sizeof path);
        struct trace t = load(path);
        uint64_t msg[MM_MSG_COUNT];
        cr_expect_eq(replay_bao(&t, 0, REPLAY_ENGINE_NATIVE, msg), 0, "%s", path);
        cr_expect_geq(msg[p->finding], 1, "%s: %s reported", path, mm_msg_name(p->finding));
        cr_expect_eq(replay_bao(&t, 0, REPLAY_ENGINE_GUEST, NULL), 0, "%s guest", path);
        cr_expect_eq(replay_bao(&t, 0, REPLAY_ENGINE_BOTH, NULL), 0, "%s both", path);
        struct fuzz_options o = bopts(t.regions, 0, 1);
        struct fuzz_violation v;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(fuzz_check_trace(&t, &o, 0, &v, &err), 0, "%s", err.text);
        cr_expect_eq(v.inv, p->inv, "%s: %s", path, fuzz_invariant_name(v.inv));
        cr_expect_eq(v.event, (long)t.nevents - 1 - p->witness,
                     "%s: it breaks at the last op (before the witness)", path);
        o.replay.xen_fixed = 1;
        cr_assert_eq(fuzz_check_trace(&t, &o, 0, &v, &err), 0, "%s", err.text);
        if (p->fixed_too) {
            cr_expect_eq(v.inv, p->inv, "%s --fixed: %s", path, fuzz_invariant_name(v.inv));
        } else {
            cr_expect_eq(v.inv, FUZZ_INV_COUNT, "%s --fixed: %s: %s", path,
                         fuzz_invariant_name(v.inv), v.text);
            cr_expect_gt(replay_bao(&t, 1, REPLAY_ENGINE_NATIVE, msg), 0,
                         "%s: --fixed does not meet the faithful expectations", path);
            cr_expect_eq(msg[p->finding], 0, "%s --fixed", path);
        }
        trace_fini(&t);
    }
}

/* Over seeds 1..16, faithful: each run finds one of Bao's bugs, and the replay of the shrunk
 * trace reports the finding behind it. With --fixed none of the faithful-only findings is
 * reported: what remains are the consequences of running out of regions that the fixed forms
 * keep (a broadcast a full CPU drops, a split half done). */
Test(fuzz_bao, seeded_runs_find_bugs_faithful_and_fewer_kinds_with_fixed, .timeout = 120)
{
    static const enum mm_msg faithful_only[] = {
        MM_FINDING_BAO_OVERLAP,    MM_FINDING_BAO_DESYNC,      MM_FINDING_BAO_PHYS_FULL,
        MM_FINDING_BAO_VMPU_FULL,  MM_FINDING_BAO_PHANTOM,     MM_FINDING_BAO_LOST_INDEX,
        MM_FINDING_BAO_LOCK_HELD,  MM_FINDING_BAO_DEADLOCK,    MM_FINDING_BAO_IGNORED,
        MM_FINDING_BAO_CPY_WINDOW, MM_FINDING_BAO_STUCK_ENTRY,
    };
    unsigned kinds[2][FUZZ_INV_COUNT + 1];
    memset(kinds, 0, sizeof kinds);
    for (int fixed = 0; fixed < 2; fixed++)
        for (uint64_t seed = 1; seed <= 16; seed++) {
            struct fuzz_options o = bopts(16, fixed, seed);
            o.iterations = 4;
            struct fuzz_result res;
            struct mpusim_error err;
            mpusim_error_clear(&err);
            cr_assert_eq(fuzz_run(&o, &res, &err), 0, "%s", err.text);
            kinds[fixed][res.found ? res.v.inv : FUZZ_INV_COUNT]++;
            if (res.found) {
                uint64_t msg[MM_MSG_COUNT];
                cr_expect_eq(replay_bao(&res.minimal, fixed, REPLAY_ENGINE_NATIVE, msg), 0,
                             "seed %llu fixed %d", (unsigned long long)seed, fixed);
                uint64_t n = 0;
                for (size_t k = 0; k < sizeof faithful_only / sizeof faithful_only[0]; k++)
                    n += msg[faithful_only[k]];
                if (fixed)
                    cr_expect_eq(n, 0, "seed %llu --fixed: %s: %s", (unsigned long long)seed,
                                 fuzz_invariant_name(res.v.inv), res.v.text);
                else if (res.v.inv != FUZZ_INV_USED_WITHIN_LIMIT) /* the phantom's own */
                    cr_expect_geq(n, 1, "seed %llu: %s: %s", (unsigned long long)seed,
                                  fuzz_invariant_name(res.v.inv), res.v.text);
            }
            fuzz_result_fini(&res);
        }
    cr_expect_eq(kinds[0][FUZZ_INV_COUNT], 0, "every faithful run finds a bug");
    unsigned distinct = 0;
    for (int i = 0; i < FUZZ_INV_COUNT; i++)
        distinct += kinds[0][i] != 0;
    cr_expect_geq(distinct, 4, "faithful runs break several invariants");
    cr_expect_eq(kinds[1][FUZZ_INV_NO_OVERLAP] + kinds[1][FUZZ_INV_USED_WITHIN_LIMIT] +
                     kinds[1][FUZZ_INV_MAPPED_RANGE_ACCESSIBLE],
                 0, "--fixed refuses overlaps, stops at MPUIR, copies from va, returns failures");
}

Test(fuzz_bao, the_same_seed_gives_the_same_trace_and_it_reads_back)
{
    struct fuzz_options o = bopts(16, 0, 9);
    char *text[2];
    for (int k = 0; k < 2; k++) {
        struct fuzz_result res;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(fuzz_run(&o, &res, &err), 0, "%s", err.text);
        cr_assert(res.found);
        size_t len;
        FILE *f = open_memstream(&text[k], &len);
        cr_assert_not_null(f);
        cr_assert_eq(fuzz_write_trace(f, &o, &res, &err), 0, "%s", err.text);
        fclose(f);
        fuzz_result_fini(&res);
    }
    cr_expect_str_eq(text[0], text[1]);
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_buffer(text[0], strlen(text[0]), "<fuzz>", &t, &err), 0, "%s",
                 err.text);
    cr_expect_not_null(t.bao, "the \"bao\" header is written");
    cr_expect_eq(replay_bao(&t, 0, REPLAY_ENGINE_NATIVE, NULL), 0);
    trace_fini(&t);
    free(text[0]);
    free(text[1]);
}

static struct trace_event bev(enum trace_op op, unsigned cpu)
{
    struct trace_event e;
    memset(&e, 0, sizeof e);
    e.op = op;
    e.cpu = cpu;
    e.bao = 1;
    e.reg = -1;
    e.el = 2;
    e.line = -1;
    return e;
}

Test(fuzz_bao, candidates_are_renumbered_and_invalid_ones_rejected)
{
    struct trace_event ev[6];
    ev[0] = bev(TRACE_OP_CPU_BOOT, 0);
    ev[1] = bev(TRACE_OP_CPU_BOOT, 1);
    ev[2] = bev(TRACE_OP_VM_CREATE, 0), ev[2].as = 2, ev[2].cpus = 2; /* VM 2 on CPU 1 */
    ev[3] = bev(TRACE_OP_MAP, 1), ev[3].as = 2, ev[3].base = 0x20000000,
    ev[3].limit = 0x20001000;
    ev[4] = bev(TRACE_OP_VM_ENTRY, 1);
    ev[5] = bev(TRACE_OP_VM_EXIT, 1);
    cr_assert_eq(fuzz_bao_canonical(ev, 6, 2), 0);
    cr_expect_eq(ev[2].as, 0, "the first VM created is VM 0");
    cr_expect_eq(ev[3].as, 0);
    struct trace_event bad[4];
    bad[0] = bev(TRACE_OP_MAP, 0), bad[0].as = TRACE_AS_HYP; /* CPU not booted */
    cr_expect_eq(fuzz_bao_canonical(bad, 1, 1), -1);
    bad[0] = bev(TRACE_OP_CPU_BOOT, 0);
    bad[1] = bev(TRACE_OP_CPU_BOOT, 0); /* booted twice */
    cr_expect_eq(fuzz_bao_canonical(bad, 2, 1), -1);
    bad[1] = bev(TRACE_OP_VM_ENTRY, 0); /* no vCPU */
    cr_expect_eq(fuzz_bao_canonical(bad, 2, 1), -1);
    bad[1] = bev(TRACE_OP_MAP, 0), bad[1].as = 1; /* a VM never created */
    cr_expect_eq(fuzz_bao_canonical(bad, 2, 1), -1);
    bad[1] = bev(TRACE_OP_CPU_BOOT, 3); /* a CPU the header does not have */
    cr_expect_eq(fuzz_bao_canonical(bad, 2, 2), -1);
    /* a call on a CPU in its guest; a copy still mapped when its CPU enters the guest */
    bad[1] = bev(TRACE_OP_VM_CREATE, 0), bad[1].as = 0, bad[1].cpus = 1;
    bad[2] = bev(TRACE_OP_VM_ENTRY, 0);
    bad[3] = bev(TRACE_OP_MAP, 0), bad[3].as = TRACE_AS_HYP;
    cr_expect_eq(fuzz_bao_canonical(bad, 4, 1), -1);
    bad[2] = bev(TRACE_OP_MAP_CPY, 0), bad[2].as = 0, bad[2].to_as = TRACE_AS_HYP,
    bad[2].base = 0x20000000, bad[2].limit = 1;
    bad[3] = bev(TRACE_OP_VM_ENTRY, 0);
    cr_expect_eq(fuzz_bao_canonical(bad, 4, 1), -1);
    bad[3] = bev(TRACE_OP_UNMAP, 0), bad[3].as = TRACE_AS_HYP, bad[3].base = 0x20000000,
    bad[3].limit = 0x20001000;
    cr_expect_eq(fuzz_bao_canonical(bad, 4, 1), 0, "the copy unmapped: valid");
    cr_expect_eq(fuzz_bao_partner(bad, 4, 2), 3, "a copy goes with its unmap");
}

/* The fixture scenarios: B1 breaks cpus_consistent at row 20 (the merge/broadcast
 * divergence) and keeps everything with --fixed; B2 breaks no_overlap at its VM entry (row
 * 16: the overlapping VM regions enabled together), and with --fixed only the halt of row 17
 * (a size that is not a multiple of 4 KiB) remains. */
Test(fuzz_bao, the_invariants_break_on_b1_and_b2_where_the_fixtures_say)
{
    struct fuzz_violation v;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct trace t = load("traces/bao/b1/trace.json");
    struct fuzz_options o = bopts(t.regions, 0, 1);
    cr_assert_eq(fuzz_check_trace(&t, &o, 0, &v, &err), 0, "%s", err.text);
    cr_expect_eq(v.inv, FUZZ_INV_B_CPUS_CONSISTENT, "b1: %s: %s", fuzz_invariant_name(v.inv),
                 v.text);
    cr_expect_eq(v.event, 19, "B1/20");
    o.replay.xen_fixed = 1;
    cr_assert_eq(fuzz_check_trace(&t, &o, 0, &v, &err), 0, "%s", err.text);
    cr_expect_eq(v.inv, FUZZ_INV_COUNT, "b1 --fixed: %s at %ld: %s", fuzz_invariant_name(v.inv),
                 v.event, v.text);
    trace_fini(&t);
    t = load("traces/bao/b2/trace.json");
    o.replay.xen_fixed = 0;
    cr_assert_eq(fuzz_check_trace(&t, &o, 0, &v, &err), 0, "%s", err.text);
    cr_expect_eq(v.inv, FUZZ_INV_NO_OVERLAP, "b2: %s: %s", fuzz_invariant_name(v.inv), v.text);
    cr_expect_eq(t.events[v.event].op, TRACE_OP_VM_ENTRY, "B2/16");
    o.replay.xen_fixed = 1;
    cr_assert_eq(fuzz_check_trace(&t, &o, 0, &v, &err), 0, "%s", err.text);
    cr_expect_eq(v.inv, FUZZ_INV_B_CALL_RETURNS, "b2 --fixed: %s: %s",
                 fuzz_invariant_name(v.inv), v.text);
    cr_expect_eq(v.event, (long)t.nevents - 2, "B2/17: the halt");
    trace_fini(&t);
}

/* Two gaps of the fixed form that the fuzzer found (seeds 25 at 64 regions and 14 at 16, with
 * --fixed): an unmap whose split needs a second vMPU entry when the space is full crashed
 * (-14) in both modes; faithfully it returns false holding the lock (the reference's B3lock),
 * with --fixed it fails (-22) and Bao keeps running. (A REMOVE that a
 * full receiver never had an entry for cut its merged neighbour: seeded_runs_... above.) */
Test(fuzz_bao, a_split_in_a_full_space_holds_the_lock_faithful_and_fails_with_fixed)
{
    char *doc = NULL;
    size_t len;
    FILE *f = open_memstream(&doc, &len);
    cr_assert_not_null(f);
    fputs("{\"format\": \"mpusim-trace\", \"version\": 1, \"mpu\": {\"regions\": 64}, \"bao\": "
          "{\"cpus\": 1, \"image\": {\"base\": \"0x10000000\", \"limit\": \"0x10040000\"}, "
          "\"cpu_structs\": [\"0x10100000\"], \"cpu_struct_size\": \"0x2000\"}, \"events\": [\n"
          "{\"op\": \"cpu_boot\", \"cpu\": 0},\n"
          "{\"op\": \"map\", \"cpu\": 0, \"as\": \"hyp\", \"base\": \"0xaf000000\", \"limit\": "
          "\"0xaf003000\", \"flags\": \"hyp_dev\"}", f);
    for (unsigned k = 0; k < 61; k++) /* 64 entries in all: the space and the MPU are full */
        fprintf(f, ",\n{\"op\": \"map\", \"cpu\": 0, \"as\": \"hyp\", \"base\": \"0x%x\", "
                   "\"limit\": \"0x%x\", \"flags\": \"hyp_dev\"}", 0xaf100000u + 0x2000u * k,
                0xaf101000u + 0x2000u * k);
    fputs(",\n{\"op\": \"unmap\", \"cpu\": 0, \"as\": \"hyp\", \"base\": \"0xaf001000\", "
          "\"limit\": \"0xaf002000\"},\n{\"op\": \"unmap\", \"cpu\": 0, \"as\": \"hyp\", \"base\": "
          "\"0xaf100000\", \"limit\": \"0xaf101000\"}]}\n", f);
    fclose(f);
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_buffer(doc, len, "<split>", &t, &err), 0, "%s", err.text);
    for (int fixed = 0; fixed < 2; fixed++) {
        struct replay_options o = { .algo = MM_ALGO_BAO, .xen_fixed = fixed,
                                    .fsc = MPU_FSC_TRANSLATION };
        struct replay *r = replay_new(&t, &o, &err);
        cr_assert_not_null(r, "%s", err.text);
        struct replay_event_result res;
        for (size_t i = 0; i + 2 < t.nevents; i++) {
            replay_step(r, i, &res);
            cr_assert_eq(res.rc, 0, "event %zu", i);
        }
        cr_expect_eq(mm_bao_allocated(&r->mm, 0), 64);
        replay_step(r, t.nevents - 2, &res); /* the split */
        cr_expect_eq(res.rc, MM_EINVAL, "fixed %d: rc %d", fixed, res.rc);
        cr_expect_eq(r->msg_count[MM_FINDING_BAO_VMPU_FULL], 0u);
        /* faithful (B3lock, traces/bao/b3lock): false with the lock held, then a deadlock */
        cr_expect_eq(r->msg_count[MM_FINDING_BAO_LOCK_HELD], fixed ? 0u : 1u);
        replay_step(r, t.nevents - 1, &res); /* and Bao goes on (or spins on the lock) */
        cr_expect_eq(res.rc, fixed ? 0 : MM_EDEADLK, "fixed %d: the next unmap", fixed);
        replay_free(r);
    }
    trace_fini(&t);
    free(doc);
}
