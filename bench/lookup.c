/* Access checks per second against 16, 32, 64 and 255 enabled regions: the model's lookup
 * (mpu_check) against a straightforward linear scan (mpu_check_linear), on the same addresses
 * in the same run, and both give identical results (checked):
 *   mpu_check_<N>_regions        the regions stay as programmed
 *   mpu_check_<N>_regions_churn  one region register write (a PRLAR that grows or shrinks
 *                                its region by a granule, as a map or unmap does) before
 *                                every check: what the lookup costs while the table changes
 * Each figure: median of BENCH_RUNS runs, each ratio from one run. */
#include <stdint.h>
#include <stdlib.h>

#include "bench/bench.h"
#include "mpu_model/mpu.h"

#define NADDR (1u << 20)
#define NCHURN (1u << 18)

struct regs {
    int sel, bar, lar;
};

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* PRLAR of region i: [i * 64 KiB, i * 64 KiB + 48 KiB), or one granule shorter. */
static uint64_t prlar_of(unsigned i, int shorter)
{
    uint64_t base = (uint64_t)i << 16;
    uint64_t last = base + 0xC000 - 1 - (shorter ? 0x40 : 0);
    return (last & ~0x3Full) | (7u << 1) | 1u;
}

static void program(struct mpu *m, const struct regs *g, unsigned n)
{
    for (unsigned i = 0; i < n; i++) { /* region i: RW, 48 KiB every 64 KiB */
        uint64_t base = (uint64_t)i << 16;
        mpu_write(m, g->sel, i);
        mpu_write(m, g->bar, base | (3u << 4) | 2u);
        mpu_write(m, g->lar, prlar_of(i, 0));
    }
    mpu_write(m, mpu_reg_from_name("SCTLR_EL2"), 1u | (1u << 19));
}

static uint64_t fold(const struct mpu_result *r)
{
    return (uint64_t)r->fault * 1000003u + (uint64_t)(r->region + 2);
}

/* Checks per second over addr[0..count), reps times; churn: a region write before each. */
static double run(struct mpu *m, const struct regs *g, unsigned n, const uint64_t *addr,
                  unsigned count, unsigned reps, int churn, int linear, uint64_t *sum)
{
    struct mpu_config cfg = { .regions_el2 = n, .regions_el1 = 16 };
    if (mpu_init(m, &cfg) != 0)
        bench_die("lookup", "mpu_init failed");
    program(m, g, n);
    uint64_t acc = 0;
    double t0 = bench_cpu_now();
    for (unsigned r = 0; r < reps; r++)
        for (unsigned i = 0; i < count; i++) {
            if (churn) {
                unsigned j = (unsigned)(addr[i] >> 16) % n; /* the region near the address */
                mpu_write(m, g->sel, j);
                mpu_write(m, g->lar, prlar_of(j, (int)((i + r) & 1)));
            }
            struct mpu_result res =
                linear ? mpu_check_linear(m, addr[i], 8, (enum mpu_acc)(i & 1), 2)
                       : mpu_check(m, addr[i], 8, (enum mpu_acc)(i & 1), 2);
            acc += fold(&res);
        }
    double t1 = bench_cpu_now();
    *sum = acc;
    return (double)reps * count / (t1 - t0);
}

int main(void)
{
    static struct mpu m;
    struct regs g = { mpu_reg_from_name("PRSELR_EL2"), mpu_reg_from_name("PRBAR_EL2"),
                      mpu_reg_from_name("PRLAR_EL2") };
    uint64_t *addr = malloc(NADDR * sizeof *addr);
    if (!addr)
        bench_die("lookup", "out of memory");
    static const unsigned counts[] = { 16, 32, 64, 255 };
    for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        unsigned n = counts[c];
        uint64_t s = 12345 + n;
        for (unsigned i = 0; i < NADDR; i++) /* 3/4 of the addresses hit a region */
            addr[i] = rnd(&s) % ((uint64_t)n << 16);
        for (int churn = 0; churn <= 1; churn++) {
            unsigned count = churn ? NCHURN : NADDR;
            unsigned reps = churn ? 1 : n >= 255 ? 2 : 8;
            double fast[BENCH_RUNS], lin[BENCH_RUNS];
            for (int k = 0; k < BENCH_RUNS; k++) {
                uint64_t sum_fast, sum_lin;
                fast[k] = run(&m, &g, n, addr, count, reps, churn, 0, &sum_fast);
                lin[k] = run(&m, &g, n, addr, count, reps, churn, 1, &sum_lin);
                if (sum_fast != sum_lin) {
                    fprintf(stderr, "bench lookup: fast and linear results differ at %u "
                                    "regions%s\n", n, churn ? " (churn)" : "");
                    free(addr);
                    return 1;
                }
            }
            char name[64], goal[32];
            snprintf(name, sizeof name, "mpu_check_%u_regions%s", n, churn ? "_churn" : "");
            snprintf(goal, sizeof goal, "ratio>=%s", churn ? "1.0" : n >= 255 ? "4.0" : "1.0");
            bench_paired(name, fast, lin, BENCH_RUNS, "checks/s", BENCH_HIGHER, goal);
        }
    }
    free(addr);
    return 0;
}
