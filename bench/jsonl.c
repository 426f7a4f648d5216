/*
 * The JSON Lines path and the memory of a streamed replay, in one run (README, docs/trace-format.md
 * "Reading speed"), on the generated traces of bench/trace_gen.h:
 *
 *   jsonl_replay_1core    `mpusim replay T --quiet` end to end (events/s) on a 1M-event trace,
 *                         against a bare jansson loop over the same file (getline, json_loadb,
 *                         json_decref per line, nothing else); both pinned to the same single
 *                         CPU, warm (one unmeasured run of each first), median of 5 paired runs.
 *                         Time is CPU time (user + system: what the one core spends, whatever
 *                         else the machine runs; mpusim's includes its start and exit).
 *                         Goal: ratio >= 3.
 *   jsonl_replay_cpus     CPUs the measured processes could run on (their affinity mask): 1.
 *   replay_rss_100k, _1m, _4m   peak RSS (MB) of `mpusim replay T --events-out E --json J` at
 *                         100k, 1M and 4M events, measured in the child (wait4's ru_maxrss).
 *                         Goal for 4M: <= 64 MB. Lower is better.
 *
 * The mpusim binary is build/mpusim (MPUSIM overrides it); a missing binary or a failing run
 * stops the benchmark (exit 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/trace_gen.h"

#define NAME "jsonl"
#define RUNS 5
#define SPEED_EVENTS 1000000u

/* CPU time (user + system) of this process so far, in seconds. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double tv_secs(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/* Run argv[0] with argv, stdout and stderr to /dev/null; its CPU time (user + system, s) and
 * peak RSS (KiB). */
static void run_child(char *const argv[], double *secs, long *rss_kb)
{
    pid_t pid = fork();
    if (pid < 0)
        bench_die(NAME, "fork failed");
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) != pid)
        bench_die(NAME, "wait4 failed");
    *secs = tv_secs(ru.ru_utime) + tv_secs(ru.ru_stime);
    *rss_kb = ru.ru_maxrss;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s %s ... failed (status %d)", argv[0], argv[1],
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        bench_die(NAME, msg);
    }
}

/* The baseline: every line of path through json_loadb and json_decref. CPU seconds. */
static double jansson_loop(const char *path, size_t *lines)
{
    FILE *f = fopen(path, "r");
    if (!f)
        bench_die(NAME, "cannot open the generated trace");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t count = 0;
    double t0 = cpu_now();
    while ((n = getline(&line, &cap, f)) > 0) {
        json_error_t je;
        json_t *v = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &je);
        if (!v)
            bench_die(NAME, "jansson refused a generated line");
        json_decref(v);
        count++;
    }
    double t = cpu_now() - t0;
    free(line);
    fclose(f);
    *lines = count;
    return t;
}

/* Pin this process (and its children) to the CPU it runs on; the CPUs in the mask after. */
static int pin_one_cpu(void)
{
    int cpu = sched_getcpu();
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu < 0 ? 0 : cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        bench_die(NAME, "sched_setaffinity failed");
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        bench_die(NAME, "sched_getaffinity failed");
    return CPU_COUNT(&set);
}

static void trace_file(const char *path, unsigned nevents)
{
    if (bench_write_trace(path, nevents) != 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "cannot write %s: %s", path, strerror(errno));
        bench_die(NAME, msg);
    }
}

int main(void)
{
    const char *env = getenv("MPUSIM");
    char mpusim[256];
    snprintf(mpusim, sizeof mpusim, "%s", env && *env ? env : "build/mpusim");
    if (access(mpusim, X_OK) != 0)
        bench_die(NAME, "build/mpusim is missing (make build/mpusim, or set MPUSIM)");
    mkdir("build/bench", 0777);

    /* Speed: paired runs on one CPU. */
    const char *speed = "build/bench/jsonl-1m.jsonl";
    trace_file(speed, SPEED_EVENTS);
    int cpus = pin_one_cpu();
    char *replay_argv[] = { mpusim, "replay", (char *)speed, "--quiet", NULL };
    double ours[RUNS], base[RUNS], secs;
    long rss;
    size_t lines;
    run_child(replay_argv, &secs, &rss); /* warm: page cache, binary */
    jansson_loop(speed, &lines);
    if (lines < SPEED_EVENTS)
        bench_die(NAME, "the generated trace is short");
    double nev = (double)(lines - 1); /* every line but the header is an event */
    for (int k = 0; k < RUNS; k++) {
        run_child(replay_argv, &secs, &rss);
        ours[k] = nev / secs;
        base[k] = nev / jansson_loop(speed, &lines);
    }
    remove(speed);
    fprintf(stderr, "bench %s: %u events on %d CPU(s): mpusim replay %.0f events/s, jansson "
            "loop %.0f lines/s\n", NAME, SPEED_EVENTS, cpus, bench_median(ours, RUNS),
            bench_median(base, RUNS));
    bench_paired("jsonl_replay_1core", ours, base, RUNS, "events/s", BENCH_HIGHER,
                 "ratio>=3");
    double c = cpus;
    bench_alone("jsonl_replay_cpus", &c, 1, "cpus", BENCH_LOWER, "value<=1");

    /* Memory: peak RSS of a replay writing both outputs, per trace length. */
    static const struct {
        unsigned events;
        const char *name, *goal;
    } sizes[] = {
        { 100000u, "replay_rss_100k", NULL },
        { 1000000u, "replay_rss_1m", NULL },
        { 4000000u, "replay_rss_4m", "value<=64" },
    };
    const char *trace = "build/bench/jsonl-rss.jsonl", *events = "build/bench/jsonl-rss.events",
               *json = "build/bench/jsonl-rss.json";
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        trace_file(trace, sizes[i].events);
        char *argv[] = { mpusim, "replay", (char *)trace, "--events-out", (char *)events,
                         "--json", (char *)json, "--quiet", NULL };
        double mb[RUNS];
        for (int k = 0; k < 3; k++) {
            run_child(argv, &secs, &rss);
            mb[k] = (double)rss / 1024.0;
        }
        remove(events);
        remove(json);
        fprintf(stderr, "bench %s: %u events: peak RSS %.1f MB\n", NAME, sizes[i].events,
                bench_median(mb, 3));
        bench_alone(sizes[i].name, mb, 3, "MB", BENCH_LOWER, sizes[i].goal);
    }
    remove(trace);
    return 0;
}
