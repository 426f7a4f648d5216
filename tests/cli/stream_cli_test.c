/* Streaming replay: memory independent of the number of events (a generated trace piped
 * through a FIFO while the replay's memory is sampled), and --events-out lines that appear
 * while the input is still open (a live pipe). */
#define _DEFAULT_SOURCE /* wait4 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/cli/helpers.h"

TestSuite(stream_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

static const char header[] =
    "{\"format\": \"mpusim-trace\", \"version\": 1, \"mpu\": {\"regions\": 16}, \"boot\": "
    "[{\"base\": \"0x0\", \"limit\": \"0x79cf4\", \"flags\": \"RX\"}]}\n";

/* Write a trace of n events (map / unmap_containing pairs and accesses) to fd. */
static void generate(int fd, unsigned n)
{
    FILE *f = fdopen(fd, "w");
    fputs(header, f);
    uint64_t s = 7;
    for (unsigned i = 0; i < n; i += 2) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        unsigned long long page = (s >> 20) % 0xFFFF;
        if (s % 4)
            fprintf(f, "{\"op\": \"map\", \"base\": \"0x%llx\", \"limit\": \"0x%llx\", \"flags\": "
                       "\"RW\"}\n{\"op\": \"unmap_containing\", \"addr\": \"0x%llx\"}\n",
                    0x10000000ull + page * 0x1000, 0x10001000ull + page * 0x1000,
                    0x10000000ull + page * 0x1000);
        else
            fprintf(f, "{\"op\": \"access\", \"addr\": \"0x%llx\", \"size\": 4, \"kind\": "
                       "\"read\"}\n{\"op\": \"access\", \"addr\": \"0x%llx\", \"kind\": \"exec\"}\n",
                    page * 16, page * 16);
    }
    fclose(f);
}

/* Resident set size of pid in KiB (VmRSS), or -1 once it has exited. */
static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Replay n generated events read from a FIFO, with --events-out and --json; returns the
 * peak RSS (KiB: the kernel's ru_maxrss, and the largest sample) and the number of event lines written. */
static long replay_through_fifo(unsigned n, unsigned *lines)
{
    char fifo[128], ev[128], js[128];
    snprintf(fifo, sizeof fifo, "%s/in.fifo", tdir);
    snprintf(ev, sizeof ev, "%s/ev.jsonl", tdir);
    snprintf(js, sizeof js, "%s/s.json", tdir);
    unlink(fifo);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    pid_t gen = fork();
    cr_assert_geq(gen, 0);
    if (gen == 0) {
        int fd = open(fifo, O_WRONLY);
        generate(fd, n);
        _exit(0);
    }
    pid_t rep = fork();
    cr_assert_geq(rep, 0);
    if (rep == 0) {
        execl(MPUSIM, "mpusim", "replay", fifo, "--quiet", "--events-out", ev, "--json", js,
              (char *)NULL);
        _exit(127);
    }
    long peak = 0;
    int status = 0;
    for (;;) {
        long k = rss_kib(rep);
        if (k > peak)
            peak = k;
        struct rusage ru;
        if (wait4(rep, &status, WNOHANG, &ru) == rep) {
            /* the kernel's own peak (KiB): sampling alone can miss a short run's peak */
            if (ru.ru_maxrss > peak)
                peak = ru.ru_maxrss;
            break;
        }
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    waitpid(gen, NULL, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "replay exit %d", status);
    FILE *f = fopen(ev, "r");
    cr_assert_not_null(f);
    unsigned c = 0;
    for (int ch; (ch = fgetc(f)) != EOF;)
        c += ch == '\n';
    fclose(f);
    *lines = c;
    return peak;
}

Test(stream_cli, memory_does_not_grow_with_the_number_of_events, .timeout = 120)
{
    unsigned small_lines, large_lines;
    long small = replay_through_fifo(20000, &small_lines);
    long large = replay_through_fifo(200000, &large_lines);
    cr_expect_eq(small_lines, 20000);
    cr_expect_eq(large_lines, 200000);
    cr_expect(strstr(slurp("s.json"), "\"events\": 200000") != NULL);
    /* the old reader held ~155 bytes per event: 28 MB more for the large trace */
    cr_expect_lt(large - small, 4096, "RSS %ld KiB at 20k events, %ld KiB at 200k", small, large);
    cr_expect_lt(large, 32 * 1024, "RSS %ld KiB", large);
}

Test(stream_cli, events_out_lines_appear_while_the_input_is_still_open, .timeout = 30)
{
    int in[2], out[2];
    cr_assert_eq(pipe(in), 0);
    cr_assert_eq(pipe(out), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(MPUSIM, "mpusim", "replay", "-", "--quiet", "--events-out", "-", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    const char *events = "{\"op\": \"map\", \"base\": \"0x10000000\", \"limit\": \"0x10001000\", "
                         "\"flags\": \"RW\"}\n{\"op\": \"access\", \"addr\": \"0x10000000\", "
                         "\"kind\": \"write\"}\n";
    cr_assert_eq(write(in[1], header, strlen(header)), (ssize_t)strlen(header));
    cr_assert_eq(write(in[1], events, strlen(events)), (ssize_t)strlen(events));
    /* both result lines must come while stdin stays open */
    char buf[4096];
    size_t got = 0;
    unsigned nl = 0;
    while (nl < 2) {
        struct pollfd p = { out[0], POLLIN, 0 };
        cr_assert_eq(poll(&p, 1, 10000), 1, "no output within 10 s of the events (got %u lines)",
                     nl);
        ssize_t n = read(out[0], buf + got, sizeof buf - 1 - got);
        cr_assert_gt(n, 0);
        for (ssize_t i = 0; i < n; i++)
            nl += buf[got + (size_t)i] == '\n';
        got += (size_t)n;
    }
    buf[got] = '\0';
    cr_expect(strstr(buf, "{\"i\":0,\"op\":\"map\",\"rc\":0,") != NULL, "%s", buf);
    cr_expect(strstr(buf, "{\"i\":1,\"op\":\"access\",") != NULL, "%s", buf);
    close(in[1]);
    int status;
    waitpid(pid, &status, 0);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(out[0]);
}
