/*
 * Fuzzing throughput, in one run:
 *   fuzz_ops_with_invariants  generated ops per second with every invariant checked after each
 *                             op (generation, the replay step, the six invariants), as
 *                             mpusim fuzz runs them: one worker reused by every iteration
 *   baseline                  the same ops (kept from the fuzz run) replayed bare: the algorithm
 *                             on the model, no metrics, no checks (replay_step_bare), one replay
 *                             restarted for each iteration's trace (no allocation either)
 * Ratio = checked rate / bare rate: what the checks cost. Upstream xen at 16 regions (no
 * violation, so every iteration runs its full length). BENCH_RUNS rounds; in each, every batch
 * of BATCH iterations is followed at once by the bare replay of the ops it generated (so a busy
 * moment of the machine falls on both sides alike), each side timed on its own in thread CPU
 * time (a preemption does not count on either side); medians, each ratio from one round.
 *
 * Fair to both sides: reading the thread CPU clock is a system call here (about 1.6 us of the
 * thread's CPU time per reading on this project's VM, against about 20 us for the bare replay of
 * one iteration), so the clock is read once per batch and side, not once per iteration; and
 * both sides restart their replay the same way (on the trace's header with no events: the bare
 * side does not validate the events the checked side never validates either).
 */
#include "bench/bench.h"
#include "replay/fuzz.h"

#define ITERATIONS 400u
#define LENGTH 300u
#define BATCH 4u /* iterations per clock reading: ~2% of the bare side's time is the clock; more
                   * spreads the batch's events over more cache than a fuzz run's one trace */

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
    /* each iteration of a batch generates into its own event buffer (the worker's trace is
     * pointed at it), so that the batch's ops are all there for the bare side */
    struct trace_event *buf[BATCH];
    size_t nev[BATCH];
    struct trace_event *own = w->trace.events;
    for (unsigned k = 0; k < BATCH; k++) {
        buf[k] = calloc(LENGTH, sizeof *buf[k]);
        if (!buf[k])
            return fail("out of memory");
    }
    double checked[BENCH_RUNS], bare[BENCH_RUNS];
    uint64_t ops = 0;
    int sum = 0;
    for (int round = 0; round < BENCH_RUNS; round++) {
        ops = 0;
        double t_checked = 0, t_bare = 0;
        for (unsigned i0 = 0; i0 < ITERATIONS; i0 += BATCH) {
            unsigned nb = ITERATIONS - i0 < BATCH ? ITERATIONS - i0 : BATCH;
            struct fuzz_violation v[BATCH];
            double a = bench_cpu_now();
            for (unsigned k = 0; k < nb; k++) {
                w->trace.events = buf[k];
                if (fuzz_run_iteration(w, i0 + k, &v[k], &err) != 0)
                    return fail(err.text);
                nev[k] = w->trace.nevents;
            }
            double b = bench_cpu_now();
            for (unsigned k = 0; k < nb; k++) {
                struct trace view = w->trace;
                view.events = buf[k];
                view.nevents = 0; /* as the checked side restarts: the header only */
                if (replay_restart(r, &view, &err) != 0)
                    return fail(err.text);
                for (size_t j = 0; j < nev[k]; j++)
                    sum += replay_step_bare(r, &buf[k][j]);
            }
            double c = bench_cpu_now();
            for (unsigned k = 0; k < nb; k++) {
                if (v[k].inv != FUZZ_INV_COUNT)
                    return fail(v[k].text);
                ops += nev[k];
            }
            t_checked += b - a;
            t_bare += c - b;
        }
        checked[round] = (double)ops / t_checked;
        bare[round] = (double)ops / t_bare;
    }
    w->trace.events = own;
    for (unsigned k = 0; k < BATCH; k++)
        free(buf[k]);
    replay_free(r);
    fuzz_worker_free(w);
    fprintf(stderr, "bench fuzz: %llu ops in %u iterations per round, checksum %d\n",
            (unsigned long long)ops, ITERATIONS, sum);
    bench_paired("fuzz_ops_with_invariants", checked, bare, BENCH_RUNS, "ops/s", BENCH_HIGHER,
                 "ratio>=0.35");
    return 0;
}
