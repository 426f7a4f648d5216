/* The guest engine's speed, measured in one run on the same guest code:
 *  - guest MIPS with the MPU on and every hook installed (EL2 registers, fetch checks per
 *    block, load/store checks, counting, budget) against bare Unicorn with no hook at all,
 *    on a load/add/store loop (tests/sim/guests/basic.S: loop);
 *  - guest calls per second: guest_map + guest_unmap pairs of build/guest/mm.elf, each a
 *    call through the harness (baseline: the same pairs in the native engine). */
#include <stdint.h>
#include <stdlib.h>

#include "bench/bench.h"
#include "mm/mm.h"
#include "mpu_model/mpu.h"
#include "sim/sim.h"

#define LOOP_ELF "build/tests/guests/basic.elf"
#define MM_ELF "build/guest/mm.elf"
#define LOOP_ITERS 20000000ull
#define PAIRS 20000

static int fail(const char *what, const struct mpusim_error *err)
{
    char buf[600];
    fprintf(stderr, "bench guest: %s: %s\n", what, mpusim_error_format(err, buf, sizeof buf));
    return 1;
}

/* MIPS of loop(LOOP_ITERS); checked: MPU on through the guest's own setup_mpu. */
static int loop_mips(int bare, double *mips, struct mpusim_error *err)
{
    struct sim_options o;
    sim_options_default(&o);
    o.bare = bare;
    o.budget = 10 * LOOP_ITERS;
    struct sim *s = sim_new(&o, err);
    if (!s || sim_load_elf(s, LOOP_ELF, err) != 0) {
        sim_free(s);
        return -1;
    }
    struct sim_call_result r;
    if (!bare && sim_call(s, "setup_mpu", NULL, 0, &r, err) != 0) {
        sim_free(s);
        return -1;
    }
    uint64_t n = LOOP_ITERS;
    double t0 = bench_now();
    int rc = sim_call(s, "loop", &n, 1, &r, err);
    double t1 = bench_now();
    if (rc == 0 && !bare && (sim_mpu(s)->ctr.checks == 0 || sim_stats(s)->data_checks < n)) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "the checked run did not check");
        rc = -1;
    }
    *mips = (5.0 * (double)LOOP_ITERS + 2) / (t1 - t0) / 1e6;
    sim_free(s);
    return rc;
}

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
    double t0 = bench_now();
    for (unsigned i = 0; i < PAIRS * 10; i++) {
        uint64_t base = 0x10000000ull + (uint64_t)(i % 8) * 0x100000;
        mm_map(&ctx, base, base + 0x1000, MM_PAGE_HYPERVISOR_RW);
        mm_unmap(&ctx, base, base + 0x1000);
    }
    return PAIRS * 10 / (bench_now() - t0);
}

/* Guest map/unmap pairs per second through the call harness; *insns per call. */
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
    double t0 = bench_now();
    for (unsigned i = 0; i < PAIRS; i++) {
        uint64_t base = 0x10000000ull + (uint64_t)(i % 8) * 0x100000;
        uint64_t map[3] = { base, base + 0x1000, MM_PAGE_HYPERVISOR_RW };
        if (sim_call(s, "guest_map", map, 3, &r, err) != 0 || sim_sext32(r.x0) != 0)
            goto out;
        total += r.insns;
        if (sim_call(s, "guest_unmap", map, 2, &r, err) != 0 || sim_sext32(r.x0) != 0)
            goto out;
        total += r.insns;
    }
    *rate = PAIRS / (bench_now() - t0);
    *insns = (double)total / (2.0 * PAIRS);
    rc = 0;
out:
    sim_free(s);
    return rc;
}

int main(void)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    double bare[BENCH_RUNS], checked[BENCH_RUNS];
    for (int rep = 0; rep < BENCH_RUNS; rep++) { /* each pair in the same run, interleaved */
        if (loop_mips(1, &bare[rep], &err) != 0)
            return fail("bare loop", &err);
        if (loop_mips(0, &checked[rep], &err) != 0)
            return fail("checked loop", &err);
    }
    bench_paired("guest_mips_checked_vs_bare_unicorn", checked, bare, BENCH_RUNS, "MIPS",
                 BENCH_HIGHER, NULL);
    double rate[BENCH_RUNS], native[BENCH_RUNS], calls[BENCH_RUNS], insns = 0;
    for (int rep = 0; rep < BENCH_RUNS; rep++) {
        if (guest_pairs(&rate[rep], &insns, &err) != 0)
            return fail("guest map/unmap", &err);
        native[rep] = native_pairs();
        calls[rep] = 2 * rate[rep];
    }
    bench_paired("guest_map_unmap_pairs_vs_native", rate, native, BENCH_RUNS, "pairs/s",
                 BENCH_HIGHER, NULL);
    bench_alone("guest_calls_per_second", calls, BENCH_RUNS, "calls/s", BENCH_HIGHER, NULL);
    bench_result("guest_insns_per_map_or_unmap", insns, "insns", NAN, NAN, BENCH_LOWER, NULL);
    return 0;
}
