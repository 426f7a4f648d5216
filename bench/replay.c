/*
 * Replay throughput on a generated 1,000,000-event JSON Lines trace, in one run:
 *   replay_end_to_end   read + parse + replay with all metrics (events/s)
 *   replay_from_memory  replay with all metrics, trace already in memory (events/s)
 *   replay_bare_loop    the algorithm on the model, no metrics/expectations/cross-check
 * Ratios: end-to-end and from-memory against the bare loop (metrics cost). Thread CPU time:
 * the machine is shared (docs/benchmarks.md).
 * The trace mixes the workloads users replay: heap map/unmap pairs (refcount), per-page
 * create/destroy (dom0less build), ioremaps, errors, and accesses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/trace_gen.h"
#include "replay/replay.h"
#include "traces/trace.h"

#define NEVENTS 1000000u

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "build/bench/replay-1m.jsonl";
    if (bench_write_trace(path, NEVENTS) != 0) {
        fprintf(stderr, "bench replay: cannot write %s\n", path);
        return 1;
    }
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .keep_findings = 100 };
    struct mpusim_error err;
    mpusim_error_clear(&err);

    /* BENCH_RUNS rounds; each measures the three in turn, so every ratio is from one round */
    double e2e[BENCH_RUNS], mem[BENCH_RUNS], bare[BENCH_RUNS], cost[BENCH_RUNS];
    double n = 0;
    unsigned peak = 0;
    int sum = 0;
    for (int k = 0; k < BENCH_RUNS; k++) {
        /* end to end: read + parse + replay with metrics */
        double t0 = bench_cpu_now();
        struct trace t;
        if (trace_read_file(path, &t, &err) != 0) {
            fprintf(stderr, "bench replay: %s\n", err.text);
            return 1;
        }
        struct replay *r = replay_new(&t, &o, &err);
        if (!r)
            return 1;
        for (size_t i = 0; i < t.nevents; i++) {
            struct replay_event_result res;
            replay_step(r, i, &res);
        }
        double t1 = bench_cpu_now();
        n = (double)t.nevents;
        peak = r->peak_used;
        replay_free(r);
        /* from memory, with metrics */
        r = replay_new(&t, &o, &err);
        if (!r)
            return 1;
        double a = bench_cpu_now();
        for (size_t i = 0; i < t.nevents; i++) {
            struct replay_event_result res;
            replay_step(r, i, &res);
        }
        double b = bench_cpu_now();
        replay_free(r);
        /* bare loop */
        r = replay_new(&t, &o, &err);
        if (!r)
            return 1;
        replay_silence(r);
        double c = bench_cpu_now();
        for (size_t i = 0; i < t.nevents; i++)
            sum += replay_step_bare(r, &t.events[i]);
        double d = bench_cpu_now();
        replay_free(r);
        trace_fini(&t);
        e2e[k] = n / (t1 - t0);
        mem[k] = n / (b - a);
        bare[k] = n / (d - c);
        cost[k] = (b - a) / (d - c); /* time with metrics / bare time */
    }
    fprintf(stderr, "bench replay: %zu events, peak %u regions, checksum %d\n", (size_t)n, peak,
            sum);
    bench_paired("replay_end_to_end_jsonl_1M", e2e, bare, BENCH_RUNS, "events/s", BENCH_HIGHER,
                 NULL);
    bench_paired("replay_from_memory_1M", mem, bare, BENCH_RUNS, "events/s", BENCH_HIGHER, NULL);
    bench_alone("replay_bare_loop_1M", bare, BENCH_RUNS, "events/s", BENCH_HIGHER, NULL);
    /* metrics cost: time with metrics / bare time of the same round (lower is better) */
    bench_alone("replay_metrics_cost", cost, BENCH_RUNS, "x", BENCH_LOWER, "value<=1.5");
    return 0;
}
