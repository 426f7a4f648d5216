#ifndef MPUSIM_BENCH_BENCH_H
#define MPUSIM_BENCH_BENCH_H
/* Shared by the benchmark programs: a monotonic clock and the result-line format that
 * bench/run.sh collects into bench/results.json:
 *   RESULT <name> <value> <unit> <baseline> <ratio>
 * ratio = value / baseline for rates (higher is better). */
#include <stdio.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void bench_result(const char *name, double value, const char *unit, double baseline)
{
    printf("RESULT %s %.6g %s %.6g %.4f\n", name, value, unit, baseline,
           baseline > 0 ? value / baseline : 0.0);
    fflush(stdout);
}
#endif
