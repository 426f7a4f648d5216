/* Access checks per second against 16, 32 and 255 enabled regions: the model's interval-index
 * lookup (mpu_check) against a straightforward linear scan (mpu_check_linear), on the same
 * addresses in the same run. Also verifies that both give identical results. */
#include <stdint.h>
#include <stdlib.h>

#include "bench/bench.h"
#include "mpu_model/mpu.h"

#define NADDR (1u << 20)

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static void program(struct mpu *m, unsigned n)
{
    int sel = mpu_reg_from_name("PRSELR_EL2"), bar = mpu_reg_from_name("PRBAR_EL2"),
        lar = mpu_reg_from_name("PRLAR_EL2");
    for (unsigned i = 0; i < n; i++) { /* region i: [i * 64 KiB, i * 64 KiB + 48 KiB) RW */
        uint64_t base = (uint64_t)i << 16;
        mpu_write(m, sel, i);
        mpu_write(m, bar, base | (3u << 4) | 2u);
        mpu_write(m, lar, ((base + 0xC000 - 1) & ~0x3Full) | (7u << 1) | 1u);
    }
    mpu_write(m, mpu_reg_from_name("SCTLR_EL2"), 1u | (1u << 19));
}

int main(void)
{
    static struct mpu m;
    uint64_t *addr = malloc(NADDR * sizeof *addr);
    if (!addr) {
        fprintf(stderr, "bench lookup: out of memory\n");
        return 1;
    }
    unsigned counts[] = { 16, 32, 255 };
    for (unsigned c = 0; c < 3; c++) {
        unsigned n = counts[c];
        struct mpu_config cfg = { .regions_el2 = n, .regions_el1 = 16 };
        if (mpu_init(&m, &cfg) != 0)
            return 1;
        program(&m, n);
        uint64_t s = 12345 + n;
        for (unsigned i = 0; i < NADDR; i++) /* 3/4 of the addresses hit a region */
            addr[i] = rnd(&s) % ((uint64_t)n << 16);
        unsigned reps = n >= 255 ? 2 : 8;
        double t0 = bench_now();
        uint64_t sum_fast = 0;
        for (unsigned r = 0; r < reps; r++)
            for (unsigned i = 0; i < NADDR; i++) {
                struct mpu_result res = mpu_check(&m, addr[i], 8, (enum mpu_acc)(i & 1), 2);
                sum_fast += (uint64_t)res.fault * 1000003u + (uint64_t)(res.region + 2);
            }
        double t1 = bench_now();
        uint64_t sum_lin = 0;
        for (unsigned r = 0; r < reps; r++)
            for (unsigned i = 0; i < NADDR; i++) {
                struct mpu_result res = mpu_check_linear(&m, addr[i], 8, (enum mpu_acc)(i & 1), 2);
                sum_lin += (uint64_t)res.fault * 1000003u + (uint64_t)(res.region + 2);
            }
        double t2 = bench_now();
        if (sum_fast != sum_lin) {
            fprintf(stderr, "bench lookup: fast and linear results differ at %u regions\n", n);
            free(addr);
            return 1;
        }
        double total = (double)reps * NADDR;
        char name[64];
        snprintf(name, sizeof name, "mpu_check_%u_regions", n);
        bench_result(name, total / (t1 - t0), "checks/s", total / (t2 - t1));
    }
    free(addr);
    return 0;
}
