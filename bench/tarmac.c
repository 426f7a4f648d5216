/*
 * Tarmac import and export speed (docs/capture.md), each measured in one run against its
 * baseline on the same input, BENCH_RUNS times, medians reported:
 *
 *   tarmac_import_lines_per_s   `mpusim import tarmac` at register level (tarmac_import(),
 *                               the whole import: reading, parsing, the MPU model, writing the
 *                               JSON Lines to /dev/null) on a generated FVP-style trace of
 *                               IMPORT_INSNS instructions, against `wc -l` on the same file.
 *                               Goal: at least 1M lines/s (issue 10).
 *   tarmac_export_guest_mips    guest MIPS of a replay of the bundled heap-scrub-storm trace
 *                               on build/guest/mm.elf with --tarmac (every instruction written
 *                               as Tarmac to a file) against the same replay without.
 *
 * The generated trace is what the FVP's TarmacTrace plugin writes for hypervisor code at EL2:
 * a reset dump at time 0, then per instruction an IT line with index, address, encoding and
 * disassembly, the R lines of the registers it changed and MR/MW lines with physical
 * addresses, with a region being reprogrammed (PRSELR/PRBAR/PRLAR MSRs) every few thousand
 * instructions and an occasional exception. Inputs missing (wc, mm.elf, the bundled trace)
 * stop the benchmark with a message (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "replay/replay.h"
#include "replay/tarmac_export.h"
#include "replay/tarmac_import.h"
#include "traces/trace.h"

extern char **environ;

#define IMPORT_INSNS 2000000u
#define IMPORT_FILE "build/bench/tarmac-import.tarmac"
#define EXPORT_TRACE "traces/heap-scrub-storm/trace.jsonl"
#define EXPORT_ADAPTER "build/guest/mm.adapter.json"
#define EXPORT_FILE "build/bench/tarmac-export.tarmac"

/* ---- the generated trace ---- */

struct insn_shape {
    uint32_t enc;
    const char *disasm;
    int dest;    /* register written (-1 none) */
    int mem;     /* 0 none, 'R' load, 'W' store, 'P' store pair */
};

/* A mix of the instructions of hypervisor C code (loads, stores, arithmetic, branches, calls). */
static const struct insn_shape shapes[] = {
    { 0xf9400020, "LDR      x0,[x1,#0]", 0, 'R' },
    { 0xf9000020, "STR      x0,[x1,#0]", -1, 'W' },
    { 0x91002021, "ADD      x1,x1,#8", 1, 0 },
    { 0xeb02003f, "CMP      x1,x2", -1, 0 },
    { 0x54ffffa1, "B.NE     {pc}-0xc ; 0x40001000", -1, 0 },
    { 0xa9bf7bfd, "STP      x29,x30,[sp,#-0x10]!", 31, 'P' },
    { 0x910003fd, "MOV      x29,sp", 29, 0 },
    { 0xb9400c43, "LDR      w3,[x2,#0xc]", 3, 'R' },
    { 0x2a0303e4, "MOV      w4,w3", 4, 0 },
    { 0x940000f8, "BL       {pc}+0x3e0 ; 0x400013e0", 30, 0 },
    { 0xd65f03c0, "RET", -1, 0 },
    { 0x8b030084, "ADD      x4,x4,x3", 4, 0 },
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

/* Writes the trace; returns its line count, or 0 when it cannot be written. */
static uint64_t generate(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    uint64_t lines = 0, ts = 0, x[32] = { 0 };
    x[31] = 0x7ff10000;
    const char *dump[] = { "MPUIR_EL2 0000000000000010", "SCTLR_EL2 0000000030c50830",
                           "HCR_EL2 0000000000000000", "MAIR_EL2 0000000000000000",
                           "PRSELR_EL2 0000000000000000", "cpsr 000003c9" };
    for (unsigned i = 0; i < sizeof dump / sizeof dump[0]; i++, lines++)
        fprintf(f, "0 clk R %s\n", dump[i]);
    for (unsigned r = 0; r < 31; r++, lines++)
        fprintf(f, "0 clk R X%u 0000000000000000\n", r);
    fprintf(f, "0 clk SIGNAL: SIGNAL=ResetHold STATE=N\n0 clk E 40000000 00000000 CoreEvent_Reset\n");
    lines += 2;
    uint64_t pc = 0x40000000, s = 0x9e3779b97f4a7c15ull;
    for (uint64_t i = 1; i <= IMPORT_INSNS; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        ts += 1 + (s >> 60);
        if (i % 4096 == 0) { /* a region reprogrammed: select, base, limit, barrier */
            unsigned n = (unsigned)(i / 4096 % 16);
            uint64_t base = 0x80000000ull + (uint64_t)n * 0x200000;
            fprintf(f, "%llu clk IT (%llu) %08llx d51c6221 O EL2h : MSR      PRSELR_EL2,x1\n"
                       "%llu clk R PRSELR_EL2 %016x\n"
                       "%llu clk IT (%llu) %08llx d51c6802 O EL2h : MSR      PRBAR_EL2,x2\n"
                       "%llu clk R PRBAR_EL2 %016llx\n"
                       "%llu clk IT (%llu) %08llx d51c6823 O EL2h : MSR      PRLAR_EL2,x3\n"
                       "%llu clk R PRLAR_EL2 %016llx\n"
                       "%llu clk IT (%llu) %08llx d5033fdf O EL2h : ISB\n",
                    (unsigned long long)ts, (unsigned long long)i, (unsigned long long)pc,
                    (unsigned long long)ts, n, (unsigned long long)ts, (unsigned long long)i,
                    (unsigned long long)pc + 4, (unsigned long long)ts,
                    (unsigned long long)(base | 0x32), (unsigned long long)ts,
                    (unsigned long long)i, (unsigned long long)pc + 8, (unsigned long long)ts,
                    (unsigned long long)((base + 0x1fffc0) | 0x0f), (unsigned long long)ts,
                    (unsigned long long)i, (unsigned long long)pc + 12);
            lines += 7;
            continue;
        }
        if (i % 250000 == 0) { /* an exception taken and returned from */
            fprintf(f, "%llu clk E 40000800 00000004 CoreEvent_CURRENT_SPx_SYNC\n"
                       "%llu clk R ESR_EL2 0000000096000004\n"
                       "%llu clk R FAR_EL2 0000000050000000\n",
                    (unsigned long long)ts, (unsigned long long)ts, (unsigned long long)ts);
            lines += 3;
        }
        const struct insn_shape *sh = &shapes[(s >> 8) % NSHAPES];
        pc = 0x40000000 + ((s >> 16) % 0x20000) * 4;
        fprintf(f, "%llu clk IT (%llu) %08llx %08x O EL2h : %s\n", (unsigned long long)ts,
                (unsigned long long)i, (unsigned long long)pc, sh->enc, sh->disasm);
        lines++;
        uint64_t va = 0x40100000 + ((s >> 24) % 0x10000) * 8;
        if (sh->mem == 'R' || sh->mem == 'W') {
            fprintf(f, "%llu clk M%c8 %08llx:%012llx %08llx_%08llx\n", (unsigned long long)ts,
                    sh->mem, (unsigned long long)va, (unsigned long long)va,
                    (unsigned long long)(x[0] >> 32), (unsigned long long)(x[0] & 0xffffffff));
            lines++;
        } else if (sh->mem == 'P') {
            uint64_t sp = x[31] - 16;
            fprintf(f, "%llu clk MW8 %08llx:%012llx 00000000_%08llx\n"
                       "%llu clk MW8 %08llx:%012llx 00000000_%08llx\n",
                    (unsigned long long)ts, (unsigned long long)sp, (unsigned long long)sp,
                    (unsigned long long)(x[29] & 0xffffffff), (unsigned long long)ts,
                    (unsigned long long)sp + 8, (unsigned long long)sp + 8,
                    (unsigned long long)(x[30] & 0xffffffff));
            lines += 2;
        }
        if (sh->dest >= 0) {
            x[sh->dest] = sh->dest == 31 ? 0x7ff00000 + (s >> 40) % 0x10000 * 16 : s >> 20;
            if (sh->dest == 31)
                fprintf(f, "%llu clk R SP_EL2 %016llx\n", (unsigned long long)ts,
                        (unsigned long long)x[31]);
            else
                fprintf(f, "%llu clk R X%d %016llx\n", (unsigned long long)ts, sh->dest,
                        (unsigned long long)x[sh->dest]);
            lines++;
        }
        if (sh->enc == 0xeb02003f) {
            fprintf(f, "%llu clk R cpsr %08llx\n", (unsigned long long)ts,
                    (unsigned long long)(0x600003c9u & (s >> 3)));
            lines++;
        }
    }
    if (fclose(f) != 0)
        return 0;
    return lines;
}

/* ---- import ---- */

/* Seconds of `wc -l path` (its output discarded); -1 when wc cannot run or fails. */
static double wc_seconds(const char *path)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char *argv[] = { "wc", "-l", (char *)path, NULL };
    pid_t pid;
    double t0 = bench_now();
    int rc = posix_spawnp(&pid, "wc", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return bench_now() - t0;
}

static double import_seconds(const char *path, uint64_t lines)
{
    FILE *out = fopen("/dev/null", "w");
    if (!out)
        bench_die("tarmac", "cannot open /dev/null");
    struct tarmac_import_options o;
    memset(&o, 0, sizeof o);
    o.level = TARMAC_IMPORT_REGISTERS;
    struct tarmac_import_stats st;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    double t0 = bench_now();
    int rc = tarmac_import(path, out, &o, &st, &err);
    fclose(out);
    double t = bench_now() - t0;
    if (rc != 0) {
        char buf[600];
        fprintf(stderr, "bench tarmac: import: %s\n", mpusim_error_format(&err, buf, sizeof buf));
        exit(1);
    }
    /* a benchmark that did not do the work must not report a figure */
    if (st.lines != lines || st.insns < IMPORT_INSNS || st.reg_writes < IMPORT_INSNS / 4096 * 3 ||
        st.accesses == 0)
        bench_die("tarmac", "the import did not read the whole generated trace");
    return t;
}

/* ---- export ---- */

/* One guest replay of the bundled trace; *insns: guest instructions of its events. Returns
 * the seconds the events took. with_tarmac: every instruction exported to EXPORT_FILE. */
static double replay_seconds(const struct trace *t, int with_tarmac, uint64_t *insns)
{
    struct replay_options o;
    memset(&o, 0, sizeof o);
    o.algo = MM_ALGO_XEN;
    o.fsc = MPU_FSC_TRANSLATION;
    o.engine = REPLAY_ENGINE_GUEST;
    o.adapter = EXPORT_ADAPTER;
    o.keep_findings = 100;
    struct tarmac_export tx;
    FILE *f = NULL;
    if (with_tarmac) {
        f = fopen(EXPORT_FILE, "w");
        if (!f)
            bench_die("tarmac", "cannot write " EXPORT_FILE);
        tarmac_export_init(&tx, f, EXPORT_FILE, 1);
        o.on_exec = tarmac_export_exec;
        o.exec_opaque = &tx;
    }
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(t, &o, &err);
    if (!r) {
        fprintf(stderr, "bench tarmac: guest replay: %s\n", err.text);
        exit(1);
    }
    uint64_t n = 0;
    double t0 = bench_now();
    for (size_t i = 0; i < t->nevents && !r->failed; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
        if (res.has_insns)
            n += res.insns;
    }
    if (f && tarmac_export_finish(&tx, &err) != 0)
        bench_die("tarmac", "the export failed to write");
    double secs = bench_now() - t0;
    if (r->failed || r->expect_failed)
        bench_die("tarmac", "the guest replay of " EXPORT_TRACE " failed");
    if (f && tx.insns < n)
        bench_die("tarmac", "the export wrote fewer instructions than the replay ran");
    replay_free(r);
    if (f) {
        fclose(f);
        unlink(EXPORT_FILE);
    }
    *insns = n;
    return secs;
}

int main(void)
{
    if (access("build/guest/mm.elf", R_OK) != 0 || access(EXPORT_ADAPTER, R_OK) != 0)
        bench_die("tarmac", "build/guest/mm.elf or its adapter is missing (make all)");
    if (access(EXPORT_TRACE, R_OK) != 0)
        bench_die("tarmac", EXPORT_TRACE " is missing");

    uint64_t lines = generate(IMPORT_FILE);
    if (lines == 0) {
        unlink(IMPORT_FILE);
        bench_die("tarmac", "cannot write " IMPORT_FILE);
    }
    double ours[BENCH_RUNS], wc[BENCH_RUNS];
    for (int k = 0; k < BENCH_RUNS; k++) { /* each pair in the same round, the file cached */
        double w = wc_seconds(IMPORT_FILE);
        if (w < 0) {
            unlink(IMPORT_FILE);
            bench_die("tarmac", "`wc -l` (the baseline) cannot run");
        }
        wc[k] = (double)lines / w;
        ours[k] = (double)lines / import_seconds(IMPORT_FILE, lines);
    }
    unlink(IMPORT_FILE);
    fprintf(stderr, "bench tarmac: import of %llu lines (%u instructions)\n",
            (unsigned long long)lines, IMPORT_INSNS);
    bench_paired("tarmac_import_lines_per_s_vs_wc_l", ours, wc, BENCH_RUNS, "lines/s",
                 BENCH_HIGHER, "value>=1000000");

    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    if (trace_read_file(EXPORT_TRACE, &t, &err) != 0) {
        fprintf(stderr, "bench tarmac: %s\n", err.text);
        return 1;
    }
    double with[BENCH_RUNS], without[BENCH_RUNS];
    uint64_t n_with = 0, n_without = 0;
    for (int k = 0; k < BENCH_RUNS; k++) {
        double a = replay_seconds(&t, 0, &n_without);
        double b = replay_seconds(&t, 1, &n_with);
        if (n_with != n_without || n_with == 0)
            bench_die("tarmac", "the replays with and without --tarmac ran different code");
        without[k] = (double)n_without / a / 1e6;
        with[k] = (double)n_with / b / 1e6;
    }
    trace_fini(&t);
    fprintf(stderr, "bench tarmac: export of %llu guest instructions (%s)\n",
            (unsigned long long)n_with, EXPORT_TRACE);
    bench_paired("tarmac_export_guest_mips_vs_without", with, without, BENCH_RUNS, "MIPS",
                 BENCH_HIGHER, NULL);
    return 0;
}
