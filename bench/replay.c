/*
 * Replay throughput on a generated 1,000,000-event JSON Lines trace, in one run:
 *   replay_end_to_end   read + parse + replay with all metrics (events/s)
 *   replay_from_memory  replay with all metrics, trace already in memory (events/s)
 *   replay_bare_loop    the algorithm on the model, no metrics/expectations/cross-check
 * Ratios: end-to-end and from-memory against the bare loop (metrics cost).
 * The trace mixes the workloads users replay: heap map/unmap pairs (refcount), per-page
 * create/destroy (dom0less build), ioremaps, errors, and accesses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "replay/replay.h"
#include "traces/trace.h"

#define NEVENTS 1000000u

static int generate(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"format\": \"mpusim-trace\", \"version\": 1, \"mpu\": {\"regions\": 16}, "
               "\"boot\": [{\"base\": \"0x0\", \"limit\": \"0x79cf4\", \"flags\": \"RX\"}, "
               "{\"base\": \"0x7a000\", \"limit\": \"0xa104c\", \"flags\": \"RO\"}, "
               "{\"base\": \"0xa2000\", \"limit\": \"0xa8000\", \"flags\": \"RW\"}, "
               "{\"base\": \"0xa8000\", \"limit\": \"0xc4000\", \"flags\": \"RX\"}, "
               "{\"base\": \"0xc4000\", \"limit\": \"0x1304e0\", \"flags\": \"RW\"}]}\n");
    fprintf(f, "{\"op\": \"map\", \"base\": \"0x10000000\", \"limit\": \"0x20000000\", "
               "\"flags\": \"RW\"}\n");
    uint64_t s = 88172645463325252ull;
    for (unsigned i = 1; i < NEVENTS; i += 2) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        unsigned long long page = (s >> 20) % 0xFFFF;
        switch (s % 8) {
        case 0: case 1: case 2: /* heap scrub pair */
            fprintf(f, "{\"op\": \"map\", \"base\": \"0x%llx\", \"limit\": \"0x%llx\", \"flags\": \"RW\"}\n",
                    0x10000000ull + page * 0x1000, 0x10001000ull + page * 0x1000);
            fprintf(f, "{\"op\": \"unmap_containing\", \"addr\": \"0x%llx\"}\n",
                    0x10000000ull + page * 0x1000);
            break;
        case 3: case 4: /* dom0less per-page create/destroy */
            fprintf(f, "{\"op\": \"map\", \"base\": %llu, \"limit\": %llu, \"flags\": 47}\n",
                    0x30000000ull + page * 0x1000, 0x30001000ull + page * 0x1000);
            fprintf(f, "{\"op\": \"unmap\", \"base\": %llu, \"limit\": %llu}\n",
                    0x30000000ull + page * 0x1000, 0x30001000ull + page * 0x1000);
            break;
        case 5: /* ioremap + iounmap */
            fprintf(f, "{\"op\": \"ioremap\", \"addr\": \"0x%llx\", \"size\": \"0x100\", \"flags\": \"NOCACHE\"}\n",
                    0x9c000000ull + page * 0x1000);
            fprintf(f, "{\"op\": \"unmap_containing\", \"addr\": \"0x%llx\"}\n",
                    0x9c000000ull + page * 0x1000);
            break;
        case 6: /* an error and an access */
            fprintf(f, "{\"op\": \"map\", \"base\": \"0x40000800\", \"limit\": \"0x40001000\", \"flags\": \"RW\"}\n");
            fprintf(f, "{\"op\": \"access\", \"addr\": \"0x%llx\", \"size\": 8, \"kind\": \"write\"}\n",
                    0x10000000ull + page * 0x1000);
            break;
        default: /* accesses */
            fprintf(f, "{\"op\": \"access\", \"addr\": \"0x%llx\", \"size\": 4, \"kind\": \"read\"}\n",
                    page * 0x10);
            fprintf(f, "{\"op\": \"access\", \"addr\": \"0x%llx\", \"size\": 4, \"kind\": \"exec\"}\n",
                    page * 0x10);
            break;
        }
    }
    return fclose(f);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "build/bench/replay-1m.jsonl";
    if (generate(path) != 0) {
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
        double t0 = bench_now();
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
        double t1 = bench_now();
        n = (double)t.nevents;
        peak = r->peak_used;
        replay_free(r);
        /* from memory, with metrics */
        r = replay_new(&t, &o, &err);
        if (!r)
            return 1;
        double a = bench_now();
        for (size_t i = 0; i < t.nevents; i++) {
            struct replay_event_result res;
            replay_step(r, i, &res);
        }
        double b = bench_now();
        replay_free(r);
        /* bare loop */
        r = replay_new(&t, &o, &err);
        if (!r)
            return 1;
        replay_silence(r);
        double c = bench_now();
        for (size_t i = 0; i < t.nevents; i++)
            sum += replay_step_bare(r, &t.events[i]);
        double d = bench_now();
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
