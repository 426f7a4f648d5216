/* The guest engine's speed, each figure in one run on the same guest code (docs/benchmarks.md):
 *  - guest_mips_checked_vs_bare_unicorn: guest MIPS of the mapping code with the MPU on and every
 *    hook installed (EL2 registers, fetch checks per block, load/store checks, counting, budget)
 *    against bare Unicorn with no hook at all, on the same realistic loop: the xen algorithm of
 *    mm/ mapping and unmapping 4 KiB over five boot regions (build/bench/guests/mm-loop.elf,
 *    bench/mm_loop/: the objects of mm.elf with the MPU registers in guest memory, so that bare
 *    Unicorn runs the same instructions), ~300 instructions per call;
 *  - guest_map_unmap_pairs_vs_native: guest_map + guest_unmap pairs of build/guest/mm.elf, each
 *    a call through the harness, untimed (baseline: the same pairs in the native engine);
 *    guest_calls_per_second: the same calls per second (one call per map or unmap);
 *  - guest_calls_per_second_replay: the same pairs as replay --engine guest runs them (timing on,
 *    the adapter's calls per event, results read the way the replay reads them), calls counted
 *    by the guest engine; guest_calls_per_event_replay: those calls per event;
 *    guest_events_per_second_replay_vs_harness: that replay's events per second against the
 *    harness's untimed calls per second (one call per event there).
 * Times are thread CPU time (bench_cpu_now): the machine is shared. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "mm/mm.h"
#include "mpu_model/mpu.h"
#include "replay/replay.h"
#include "sim/sim.h"
#include "traces/trace.h"

#define LOOP_ELF "build/bench/guests/mm-loop.elf"
#define MM_ELF "build/guest/mm.elf"
#define MM_ADAPTER "build/guest/mm.adapter.json"
#define LOOP_ROUNDS 40000ull /* map + unmap rounds per run (~26M instructions) */
#define PAIRS 20000

static int fail(const char *what, const struct mpusim_error *err)
{
    char buf[600];
    fprintf(stderr, "bench guest: %s: %s\n", what, mpusim_error_format(err, buf, sizeof buf));
    return 1;
}

/* The boot regions of the bundled Xen traces (traces/xen-boot-fvp): text, rodata, data, init
 * text, init data + bss; the loop maps above them. */
static const uint64_t boot_regions[5][3] = {
    { 0x0, 0x79cf4, MM_PAGE_HYPERVISOR_RX },     { 0x7a000, 0xa104c, MM_PAGE_HYPERVISOR_RO },
    { 0xa2000, 0xa8000, MM_PAGE_HYPERVISOR_RW }, { 0xa8000, 0xc4000, MM_PAGE_HYPERVISOR_RX },
    { 0xc4000, 0x1304e0, MM_PAGE_HYPERVISOR_RW },
};

struct loop_run {
    double seconds;         /* thread CPU time of the loop call */
    uint64_t insns;         /* instructions it executed (checked run only: bare counts nothing) */
    uint64_t memhw[3 + 32]; /* the loop's register file after the run (bench/mm_loop/hw_mem.c) */
};

/* One run of bench_mm_loop(LOOP_ROUNDS) after guest_init and guest_boot; checked: the EL2 MPU
 * on (bench_mpu_on) and every hook, bare: no hook at all. */
static int loop_run(int bare, struct loop_run *out, struct mpusim_error *err)
{
    struct sim_options o;
    sim_options_default(&o);
    o.bare = bare;
    o.budget = 2000 * LOOP_ROUNDS;
    struct sim *s = sim_new(&o, err);
    struct sim_call_result r;
    struct sim_symbol buf, hw;
    uint64_t init[3] = { MM_ALGO_XEN, 0, 0 }, nboot = 5, rounds = LOOP_ROUNDS;
    int rc = -1;
    if (!s || sim_load_elf(s, LOOP_ELF, err) != 0 ||
        sim_call(s, "guest_init", init, 3, &r, err) != 0 ||
        sim_symbol(s, "guest_boot_regions", &buf, err) != 0 ||
        sim_symbol(s, "bench_memhw", &hw, err) != 0 ||
        sim_mem_write(s, buf.addr, boot_regions, sizeof boot_regions, err) != 0 ||
        sim_call(s, "guest_boot", &nboot, 1, &r, err) != 0)
        goto out;
    if (r.x0 != 0) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "guest_boot returned %lld", (long long)r.x0);
        goto out;
    }
    if (!bare && sim_call(s, "bench_mpu_on", NULL, 0, &r, err) != 0)
        goto out;
    uint64_t checks = sim_stats(s)->data_checks;
    double t0 = bench_cpu_now();
    if (sim_call(s, "bench_mm_loop", &rounds, 1, &r, err) != 0)
        goto out;
    out->seconds = bench_cpu_now() - t0;
    out->insns = r.insns;
    if (r.x0 != 0) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "%llu map/unmap calls failed", (unsigned long long)r.x0);
        goto out;
    }
    /* every load and store checked (fetches are checked per block, cached by the engine) */
    if (!bare && (sim_mpu(s)->ctr.checks == 0 || sim_stats(s)->data_checks - checks < r.insns / 10)) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "the checked run did not check");
        goto out;
    }
    if (sim_mem_read(s, hw.addr, out->memhw, sizeof out->memhw, err) != 0)
        goto out;
    rc = 0;
out:
    sim_free(s);
    return rc;
}

/* The EL2 MPU model driven by the native engine. */
static uint64_t native_read(void *opaque, unsigned enc)
{
    struct mpu *m = opaque;
    int id = mpu_reg_from_encoding(enc);
    return id >= 0 ? mpu_read(m, id) : 0;
}
static void native_write(void *opaque, unsigned enc, uint64_t v)
{
    struct mpu *m = opaque;
    int id = mpu_reg_from_encoding(enc);
    if (id >= 0)
        mpu_write(m, id, v);
}
static void native_barrier(void *opaque, enum mm_barrier b)
{
    (void)opaque;
    (void)b;
}

static uint64_t pair_base(unsigned i) { return 0x10000000ull + (uint64_t)(i % 8) * 0x100000; }

/* Native map/unmap pairs per second (the same algorithm on the host). */
static double native_pairs(void)
{
    static struct mpu m;
    static struct mm_ctx ctx;
    struct mpu_config cfg = { 16, 16, MPU_FSC_TRANSLATION };
    mpu_init(&m, &cfg);
    struct mm_hw hw = { native_read, native_write, native_barrier, NULL, &m, NULL };
    struct mm_options opt = { .algo = MM_ALGO_XEN, .xen_fixed = 0 };
    mm_init(&ctx, &opt, &hw);
    struct mm_boot_region boot = { 0x0, 0x200000, MM_PAGE_HYPERVISOR_RX };
    mm_boot(&ctx, &boot, 1);
    double t0 = bench_cpu_now();
    for (unsigned i = 0; i < PAIRS * 10; i++) {
        mm_map(&ctx, pair_base(i), pair_base(i) + 0x1000, MM_PAGE_HYPERVISOR_RW);
        mm_unmap(&ctx, pair_base(i), pair_base(i) + 0x1000);
    }
    return PAIRS * 10 / (bench_cpu_now() - t0);
}

/* Guest map/unmap pairs per second through the call harness, untimed; *insns per call. */
static int guest_pairs(double *rate, double *insns, struct mpusim_error *err)
{
    struct sim_options o;
    sim_options_default(&o);
    struct sim *s = sim_new(&o, err);
    struct sim_call_result r;
    int rc = -1;
    if (!s || sim_load_elf(s, MM_ELF, err) != 0 || sim_exempt_image(s, err) != 0 ||
        sim_run(s, sim_entry(s), "guest_ready", 0, NULL, err) != 0)
        goto out;
    uint64_t init[3] = { MM_ALGO_XEN, 0, 0 };
    if (sim_call(s, "guest_init", init, 3, &r, err) != 0)
        goto out;
    struct sim_symbol buf;
    uint64_t region[3] = { 0x0, 0x200000, MM_PAGE_HYPERVISOR_RX };
    uint64_t one = 1;
    if (sim_symbol(s, "guest_boot_regions", &buf, err) != 0 ||
        sim_mem_write(s, buf.addr, region, sizeof region, err) != 0 ||
        sim_call(s, "guest_boot", &one, 1, &r, err) != 0 || r.x0 != 0)
        goto out;
    uint64_t total = 0;
    double t0 = bench_cpu_now();
    for (unsigned i = 0; i < PAIRS; i++) {
        uint64_t map[3] = { pair_base(i), pair_base(i) + 0x1000, MM_PAGE_HYPERVISOR_RW };
        if (sim_call(s, "guest_map", map, 3, &r, err) != 0 || sim_sext32(r.x0) != 0)
            goto out;
        total += r.insns;
        if (sim_call(s, "guest_unmap", map, 2, &r, err) != 0 || sim_sext32(r.x0) != 0)
            goto out;
        total += r.insns;
    }
    *rate = PAIRS / (bench_cpu_now() - t0);
    *insns = (double)total / (2.0 * PAIRS);
    rc = 0;
out:
    sim_free(s);
    return rc;
}

/* The pairs of guest_pairs as a trace: the same boot region, PAIRS map + unmap events. */
static int pairs_trace(struct trace *t, struct mpusim_error *err)
{
    size_t cap = 512 + (size_t)PAIRS * 160, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
    n += (size_t)snprintf(buf + n, cap - n,
                          "{\"format\": \"mpusim-trace\", \"version\": 1, \"mpu\": {\"regions\": "
                          "16}, \"boot\": [{\"base\": \"0x0\", \"limit\": \"0x200000\", "
                          "\"flags\": \"RX\"}]}\n");
    for (unsigned i = 0; i < PAIRS; i++) {
        unsigned long long b = pair_base(i), l = b + 0x1000;
        n += (size_t)snprintf(buf + n, cap - n,
                              "{\"op\": \"map\", \"base\": \"0x%llx\", \"limit\": \"0x%llx\", "
                              "\"flags\": \"RW\"}\n{\"op\": \"unmap\", \"base\": \"0x%llx\", "
                              "\"limit\": \"0x%llx\"}\n", b, l, b, l);
    }
    int rc = trace_read_buffer(buf, n, "<bench guest pairs>", t, err);
    free(buf);
    return rc;
}

/* replay --engine guest of t as users run it (timing on): guest calls per second of the event
 * steps and calls per event, counted by the engine (boot and set-up calls excluded). */
static int replay_calls(const struct trace *t, double *rate, double *per_event,
                        struct mpusim_error *err)
{
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .engine = REPLAY_ENGINE_GUEST, .adapter = MM_ADAPTER,
                                .keep_findings = 100 };
    struct replay *r = replay_new(t, &o, err);
    if (!r)
        return -1;
    uint64_t c0 = replay_guest_stats(r->guest)->calls;
    double t0 = bench_cpu_now();
    for (size_t i = 0; i < t->nevents && !r->failed; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
        if (!r->failed && (!res.has_rc || res.rc != 0 || res.cycles[0] == 0)) {
            mpusim_error_set(err, MPUSIM_E_ENGINE, "event %zu: rc %d, %llu cycles (expected rc "
                             "0 with timing on)", i, res.rc, (unsigned long long)res.cycles[0]);
            replay_free(r);
            return -1;
        }
    }
    double dt = bench_cpu_now() - t0;
    uint64_t calls = replay_guest_stats(r->guest)->calls - c0;
    int failed = r->failed;
    if (failed)
        *err = r->engine_err;
    replay_free(r);
    if (failed)
        return -1;
    *rate = (double)calls / dt;
    *per_event = (double)calls / (double)t->nevents;
    return 0;
}

static void need(const char *path, const char *what)
{
    if (access(path, R_OK) != 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s %s is missing (make build/bench/guest builds it)", what, path);
        bench_die("guest", msg);
    }
}

int main(void)
{
    need(LOOP_ELF, "the loop guest");
    need(MM_ELF, "the mm guest");
    need(MM_ADAPTER, "its adapter");
    struct mpusim_error err;
    mpusim_error_clear(&err);
    double bare[BENCH_RUNS], checked[BENCH_RUNS];
    uint64_t insns = 0;
    for (int rep = 0; rep < BENCH_RUNS; rep++) { /* each pair in the same run, order alternated */
        struct loop_run c, b;
        for (int k = 0; k < 2; k++) {
            int is_bare = (k + rep) % 2;
            if (loop_run(is_bare, is_bare ? &b : &c, &err) != 0)
                return fail(is_bare ? "bare loop" : "checked loop", &err);
        }
        if (memcmp(c.memhw, b.memhw, sizeof c.memhw) != 0) {
            fprintf(stderr, "bench guest: the checked and bare loops ended in different states\n");
            return 1;
        }
        insns = c.insns; /* the same instructions ran bare: same code, same state */
        checked[rep] = (double)insns / c.seconds / 1e6;
        bare[rep] = (double)insns / b.seconds / 1e6;
    }
    printf("mapping loop: %.1f instructions per map or unmap, %.1f MIPS checked, %.1f bare "
           "(medians)\n", (double)insns / (2.0 * LOOP_ROUNDS), bench_median(checked, BENCH_RUNS),
           bench_median(bare, BENCH_RUNS));
    bench_paired("guest_mips_checked_vs_bare_unicorn", checked, bare, BENCH_RUNS, "MIPS",
                 BENCH_HIGHER, NULL);

    double rate[BENCH_RUNS], native[BENCH_RUNS], calls[BENCH_RUNS], per_call = 0;
    double replay_rate[BENCH_RUNS], per_event[BENCH_RUNS], replay_events[BENCH_RUNS];
    struct trace t;
    if (pairs_trace(&t, &err) != 0)
        return fail("the pairs trace", &err);
    for (int rep = 0; rep < BENCH_RUNS; rep++) {
        if (guest_pairs(&rate[rep], &per_call, &err) != 0)
            return fail("guest map/unmap", &err);
        native[rep] = native_pairs();
        calls[rep] = 2 * rate[rep];
        if (replay_calls(&t, &replay_rate[rep], &per_event[rep], &err) != 0)
            return fail("replay --engine guest", &err);
        replay_events[rep] = replay_rate[rep] / per_event[rep];
    }
    trace_fini(&t);
    bench_paired("guest_map_unmap_pairs_vs_native", rate, native, BENCH_RUNS, "pairs/s",
                 BENCH_HIGHER, NULL);
    bench_alone("guest_calls_per_second", calls, BENCH_RUNS, "calls/s", BENCH_HIGHER, NULL);
    bench_alone("guest_calls_per_second_replay", replay_rate, BENCH_RUNS, "calls/s",
                BENCH_HIGHER, NULL);
    bench_alone("guest_calls_per_event_replay", per_event, BENCH_RUNS, "calls", BENCH_LOWER,
                NULL);
    /* events per second of that replay against the harness's one untimed call per event */
    bench_paired("guest_events_per_second_replay_vs_harness", replay_events, calls, BENCH_RUNS,
                 "events/s", BENCH_HIGHER, NULL);
    bench_result("guest_insns_per_map_or_unmap", per_call, "insns", NAN, NAN, BENCH_LOWER, NULL);
    return 0;
}
