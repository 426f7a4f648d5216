/*
 * Fuzzing throughput, in one run:
 *   fuzz_ops_with_invariants  generated ops per second with every invariant checked after each
 *                             op (generation, replay with metrics, the six invariants)
 *   baseline                  the same ops (kept from the fuzz run) replayed bare: the algorithm
 *                             on the model, no metrics, no checks (replay_step_bare)
 * Ratio = checked rate / bare rate: what the checks cost. Upstream xen at 16 regions (no
 * violation, so every iteration runs its full length). BENCH_RUNS rounds, each a checked run
 * followed by the bare replay of the ops it generated; medians, each ratio from one round.
 */
#include <stdlib.h>

#include "bench/bench.h"
#include "replay/fuzz.h"

#define ITERATIONS 400u
#define LENGTH 300u

int main(void)
{
    struct fuzz_options o = { .replay = { .algo = MM_ALGO_XEN, .regions = 16,
                                          .fsc = MPU_FSC_TRANSLATION },
                              .seed = 1, .length = LENGTH, .shard_k = 1, .shard_n = 1,
                              .iterations = ITERATIONS };
    struct trace *traces = calloc(ITERATIONS, sizeof *traces);
    if (!traces)
        return 1;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    double checked[BENCH_RUNS], bare[BENCH_RUNS];
    uint64_t ops = 0;
    int sum = 0;
    struct replay_options ro = o.replay;
    for (int round = 0; round < BENCH_RUNS; round++) {
        ops = 0;
        double a = bench_now();
        for (unsigned i = 0; i < ITERATIONS; i++) {
            struct fuzz_violation v;
            if (round > 0)
                trace_fini(&traces[i]);
            if (fuzz_run_iteration(&o, i, &traces[i], &v, &err) != 0) {
                fprintf(stderr, "bench fuzz: %s\n", err.text);
                return 1;
            }
            if (v.inv != FUZZ_INV_COUNT) {
                fprintf(stderr, "bench fuzz: unexpected violation: %s\n", v.text);
                return 1;
            }
            ops += traces[i].nevents;
        }
        double b = bench_now();
        for (unsigned i = 0; i < ITERATIONS; i++) {
            struct replay *r = replay_new(&traces[i], &ro, &err);
            if (!r) {
                fprintf(stderr, "bench fuzz: %s\n", err.text);
                return 1;
            }
            replay_silence(r);
            for (size_t k = 0; k < traces[i].nevents; k++)
                sum += replay_step_bare(r, &traces[i].events[k]);
            replay_free(r);
        }
        double c = bench_now();
        checked[round] = (double)ops / (b - a);
        bare[round] = (double)ops / (c - b);
    }
    for (unsigned i = 0; i < ITERATIONS; i++)
        trace_fini(&traces[i]);
    free(traces);
    fprintf(stderr, "bench fuzz: %llu ops in %u iterations per round, checksum %d\n",
            (unsigned long long)ops, ITERATIONS, sum);
    bench_paired("fuzz_ops_with_invariants", checked, bare, BENCH_RUNS, "ops/s", BENCH_HIGHER,
                 "ratio>=0.35");
    return 0;
}
