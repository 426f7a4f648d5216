/*
 * Fuzzing throughput, in one run:
 *   fuzz_ops_with_invariants  generated ops per second with every invariant checked after each
 *                             op (generation, replay with metrics, the six invariants), as
 *                             mpusim fuzz runs them: one worker reused by every iteration
 *   baseline                  the same ops (kept from the fuzz run) replayed bare: the algorithm
 *                             on the model, no metrics, no checks (replay_step_bare), one replay
 *                             restarted for each iteration's trace (no allocation either)
 * Ratio = checked rate / bare rate: what the checks cost. Upstream xen at 16 regions (no
 * violation, so every iteration runs its full length). BENCH_RUNS rounds, each a checked run
 * followed by the bare replay of the ops it generated; medians, each ratio from one round.
 * Only the iterations are timed (not the copy of each iteration's ops for the baseline).
 */
#include <stdlib.h>

#include "bench/bench.h"
#include "replay/fuzz.h"

#define ITERATIONS 400u
#define LENGTH 300u

static int fail(const char *what)
{
    fprintf(stderr, "bench fuzz: %s\n", what);
    return 1;
}

int main(void)
{
    struct fuzz_options o = { .replay = { .algo = MM_ALGO_XEN, .regions = 16,
                                          .fsc = MPU_FSC_TRANSLATION },
                              .seed = 1, .length = LENGTH, .shard_k = 1, .shard_n = 1,
                              .iterations = ITERATIONS };
    struct trace *traces = calloc(ITERATIONS, sizeof *traces);
    if (!traces)
        return fail("out of memory");
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct fuzz_worker *w = fuzz_worker_new(&o, &err);
    if (!w)
        return fail(err.text);
    double checked[BENCH_RUNS], bare[BENCH_RUNS];
    uint64_t ops = 0;
    int sum = 0;
    for (int round = 0; round < BENCH_RUNS; round++) {
        ops = 0;
        double spent = 0;
        for (unsigned i = 0; i < ITERATIONS; i++) {
            struct fuzz_violation v;
            double a = bench_now();
            if (fuzz_run_iteration(w, i, &v, &err) != 0)
                return fail(err.text);
            spent += bench_now() - a;
            if (v.inv != FUZZ_INV_COUNT)
                return fail(v.text);
            ops += w->trace.nevents;
            if (round > 0)
                trace_fini(&traces[i]);
            if (fuzz_trace_copy(&w->trace, &traces[i], &err) != 0)
                return fail(err.text);
        }
        struct replay *r = fuzz_replay_new(&traces[0], &o, &err);
        if (!r)
            return fail(err.text);
        double b = bench_now();
        for (unsigned i = 0; i < ITERATIONS; i++) {
            if (replay_restart(r, &traces[i], &err) != 0)
                return fail(err.text);
            for (size_t k = 0; k < traces[i].nevents; k++)
                sum += replay_step_bare(r, &traces[i].events[k]);
        }
        double c = bench_now();
        replay_free(r);
        checked[round] = (double)ops / spent;
        bare[round] = (double)ops / (c - b);
    }
    fuzz_worker_free(w);
    for (unsigned i = 0; i < ITERATIONS; i++)
        trace_fini(&traces[i]);
    free(traces);
    fprintf(stderr, "bench fuzz: %llu ops in %u iterations per round, checksum %d\n",
            (unsigned long long)ops, ITERATIONS, sum);
    bench_paired("fuzz_ops_with_invariants", checked, bare, BENCH_RUNS, "ops/s", BENCH_HIGHER,
                 "ratio>=0.35");
    return 0;
}
