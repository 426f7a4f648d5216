#ifndef MPUSIM_BENCH_BENCH_H
#define MPUSIM_BENCH_BENCH_H
/*
 * Shared by the benchmark programs (bench/<name>.c -> build/bench/<name>): a monotonic clock,
 * medians, and the result line that bench/run.sh collects into bench/results.json:
 *
 *   RESULT <name> <value> <unit> <baseline|null> <ratio|null> <higher|lower> <goal|->
 *
 *   value     the figure (median of BENCH_RUNS runs at least)
 *   baseline  the same measurement of the fair baseline (median), null when there is none
 *   ratio     the median of value_i / baseline_i, each pair measured in the same run, so a
 *             quiet or busy moment affects both sides alike; null without a baseline
 *   better    which direction is good for value (and ratio): higher or lower
 *   goal      what the figure must reach: "ratio>=0.7", "value<=1.5", or "-" for none
 *
 * A benchmark whose input is missing (a file, a tool) fails: it prints why on
 * stderr and exits 1, never a partial figure. Names: [a-z0-9_]+.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_RUNS 3 /* runs per figure at least; the median is reported */

enum bench_better { BENCH_HIGHER, BENCH_LOWER };

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread, seconds: for short paired measurements on a shared machine,
 * where a preemption would otherwise land on one side of a pair only. */
static inline double bench_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of v[0..n) (n >= 1); v is left as it was. */
static inline double bench_median(const double *v, unsigned n)
{
    double s[64];
    if (n > 64)
        n = 64;
    for (unsigned i = 0; i < n; i++)
        s[i] = v[i];
    qsort(s, n, sizeof s[0], bench_cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* One result line. baseline and ratio: NAN for none (printed as null); goal may be NULL. */
static inline void bench_result(const char *name, double value, const char *unit,
                                double baseline, double ratio, enum bench_better better,
                                const char *goal)
{
    char b[32] = "null", r[32] = "null";
    if (!isnan(baseline))
        snprintf(b, sizeof b, "%.6g", baseline);
    if (!isnan(ratio))
        snprintf(r, sizeof r, "%.4f", ratio);
    printf("RESULT %s %.6g %s %s %s %s %s\n", name, value, unit, b, r,
           better == BENCH_HIGHER ? "higher" : "lower", goal && goal[0] ? goal : "-");
    fflush(stdout);
}

/* n paired runs (ours[i] and base[i] measured in the same run): value and baseline are the
 * medians, ratio the median of the per-run ratios. */
static inline void bench_paired(const char *name, const double *ours, const double *base,
                                unsigned n, const char *unit, enum bench_better better,
                                const char *goal)
{
    double q[64];
    if (n > 64)
        n = 64;
    for (unsigned i = 0; i < n; i++)
        q[i] = ours[i] / base[i];
    bench_result(name, bench_median(ours, n), unit, bench_median(base, n), bench_median(q, n),
                 better, goal);
}

/* A figure with no baseline: the median of n runs. */
static inline void bench_alone(const char *name, const double *v, unsigned n, const char *unit,
                               enum bench_better better, const char *goal)
{
    bench_result(name, bench_median(v, n), unit, NAN, NAN, better, goal);
}

/* Stop the benchmark: its input is missing or it failed. Never returns. */
static inline void bench_die(const char *bench, const char *what)
{
    fprintf(stderr, "bench %s: %s\n", bench, what);
    exit(1);
}
#endif
