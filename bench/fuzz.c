/*
 * Fuzzing throughput, in one run:
 *   fuzz_ops_with_invariants  generated ops per second with every invariant checked after each
 *                             op (generation, replay with metrics, the six invariants), as
 *                             mpusim fuzz runs them: one worker reused by every iteration
 *   baseline                  the same ops (kept from the fuzz run) replayed bare: the algorithm
 *                             on the model, no metrics, no checks (replay_step_bare), one replay
 *                             restarted for each iteration's trace (no allocation either)
 * Ratio = checked rate / bare rate: what the checks cost. Upstream xen at 16 regions (no
 * violation, so every iteration runs its full length). BENCH_RUNS rounds; in each, every
 * iteration is followed at once by the bare replay of the ops it generated (so a busy moment
 * of the machine falls on both sides alike), each side timed on its own in thread CPU time
 * (a preemption does not count on either side); medians, each ratio from one round.
 */
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
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct fuzz_worker *w = fuzz_worker_new(&o, &err);
    struct replay *r = w ? fuzz_replay_new(&w->trace, &o, &err) : NULL;
    if (!r)
        return fail(err.text);
    double checked[BENCH_RUNS], bare[BENCH_RUNS];
    uint64_t ops = 0;
    int sum = 0;
    for (int round = 0; round < BENCH_RUNS; round++) {
        ops = 0;
        double t_checked = 0, t_bare = 0;
        for (unsigned i = 0; i < ITERATIONS; i++) {
            struct fuzz_violation v;
            double a = bench_cpu_now();
            if (fuzz_run_iteration(w, i, &v, &err) != 0)
                return fail(err.text);
            double b = bench_cpu_now();
            if (v.inv != FUZZ_INV_COUNT)
                return fail(v.text);
            const struct trace *t = &w->trace;
            if (replay_restart(r, t, &err) != 0)
                return fail(err.text);
            for (size_t k = 0; k < t->nevents; k++)
                sum += replay_step_bare(r, &t->events[k]);
            double c = bench_cpu_now();
            t_checked += b - a;
            t_bare += c - b;
            ops += t->nevents;
        }
        checked[round] = (double)ops / t_checked;
        bare[round] = (double)ops / t_bare;
    }
    replay_free(r);
    fuzz_worker_free(w);
    fprintf(stderr, "bench fuzz: %llu ops in %u iterations per round, checksum %d\n",
            (unsigned long long)ops, ITERATIONS, sum);
    bench_paired("fuzz_ops_with_invariants", checked, bare, BENCH_RUNS, "ops/s", BENCH_HIGHER,
                 "ratio>=0.35");
    return 0;
}
