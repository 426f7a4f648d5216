/* The timing model against llvm-mca (docs/timing.md, "Validation"), and what timing costs.
 *
 * Corpus: every basic block (split after each branch) of build/guest/mm.elf with at least 3
 * instructions, and the AArch64 micro-kernels of bench/micro/. System
 * instructions (msr, mrs, isb, dsb, dmb, hints, exception calls, maintenance) and calls (bl, blr,
 * which llvm-mca charges 100 cycles) are stripped from both sides: llvm-mca costs them 1 cycle,
 * the model's guesses are checked by the hand-computed tests instead. Metric: steady-state cycles
 * per iteration, llvm-mca (TotalCycles(101) - TotalCycles(1)) / 100 with -mcpu=cortex-r82,
 * against sim_timing_block() (nominal costs). A block agrees when the two differ by at most
 * max(1 cycle, 10%). Prints the table and RESULT lines (bench/bench.h).
 * Also what timing costs: guest MIPS of the basic.elf loop with timing on and off, and events
 * per second of replay --engine guest on the bundled heap-scrub-storm and dom0less-build traces
 * with timing on and off (the same replay, the way users run it). */
#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "replay/replay.h"
#include "sim/sim.h"

#define MM_ELF "build/guest/mm.elf"
#define LOOP_ELF "build/tests/guests/basic.elf"
#define MICRO_DIR "bench/micro"
#define MAX_BLOCKS 2000
#define MAX_INSNS 64
#define LOOP_ITERS 5000000ull

struct block {
    char name[96];
    uint32_t w[MAX_INSNS];
    char text[MAX_INSNS][80];
    unsigned n;
    double mca, sim;
};

static struct block blocks[MAX_BLOCKS];
static unsigned nblocks;

static const char *const sys_prefixes[] = { "msr", "mrs", "isb", "dsb", "dmb", "nop", "hint",
                                            "hvc", "svc", "smc", "eret", "dc", "ic", "tlbi",
                                            "wfi", "wfe", "yield", "sev", "brk", "bl", "blr",
                                            "at", "clrex", "udf", NULL };

static int stripped(const char *mnem)
{
    for (int i = 0; sys_prefixes[i]; i++)
        if (!strcmp(mnem, sys_prefixes[i]))
            return 1;
    return 0;
}

static int is_branch(const char *m)
{
    return !strcmp(m, "b") || !strncmp(m, "b.", 2) || !strcmp(m, "br") || !strcmp(m, "ret") ||
           !strcmp(m, "cbz") || !strcmp(m, "cbnz") || !strcmp(m, "tbz") || !strcmp(m, "tbnz") ||
           !strcmp(m, "bl") || !strcmp(m, "blr") || !strcmp(m, "eret");
}

/* Parse objdump -d output into blocks named prefix_<symbol>_<n>; each block ends after a
 * branch or at a symbol. Keeps blocks of at least min_n kept instructions. */
static void parse_objdump(FILE *p, const char *prefix, unsigned min_n)
{
    char line[512], sym[64] = "?";
    struct block cur;
    memset(&cur, 0, sizeof cur);
    unsigned seq = 0;
    for (;;) {
        int more = fgets(line, sizeof line, p) != NULL;
        unsigned long long addr;
        char word[16], rest[400];
        int end = !more, brk = 0;
        if (more && strchr(line, '<') && strstr(line, ">:")) { /* "0000... <sym>:" */
            char *a = strchr(line, '<'), *b = strchr(line, '>');
            snprintf(sym, sizeof sym, "%.*s", (int)(b - a - 1), a + 1);
            end = 1;
            seq = 0;
        } else if (more && sscanf(line, " %llx: %8s %399[^\n]", &addr, word, rest) == 3 &&
                   strlen(word) == 8) {
            char mnem[32] = "";
            sscanf(rest, "%31s", mnem);
            brk = is_branch(mnem);
            if (!stripped(mnem) && cur.n < MAX_INSNS) {
                /* llvm-mca text: drop "<sym+off>", a bare address operand becomes "." */
                char t[400];
                snprintf(t, sizeof t, "%s", rest);
                for (char *q = t; *q; q++)
                    if (*q == '\t')
                        *q = ' ';
                char *lt = strchr(t, '<');
                if (lt)
                    *lt = '\0';
                char *cm = strstr(t, "//");
                if (cm)
                    *cm = '\0';
                size_t L = strlen(t);
                while (L && isspace((unsigned char)t[L - 1]))
                    t[--L] = '\0';
                char *last = strrchr(t, ' ');
                char *comma = strrchr(t, ',');
                char *op = comma && comma > last ? comma + 1 : last ? last + 1 : NULL;
                if (op && strspn(op, "0123456789abcdef") == strlen(op) && strpbrk(op, "0123456789"))
                    strcpy(op, "."); /* a branch, literal or ADR(P) target address */
                cur.w[cur.n] = (uint32_t)strtoul(word, NULL, 16);
                snprintf(cur.text[cur.n], sizeof cur.text[0], "%s", t);
                cur.n++;
            }
            end = brk;
        } else if (more) {
            continue;
        }
        if (end) {
            if (cur.n >= min_n && nblocks < MAX_BLOCKS) {
                snprintf(cur.name, sizeof cur.name, "%s%s_%u", prefix, sym, seq);
                blocks[nblocks++] = cur;
            }
            if (cur.n)
                seq++;
            memset(&cur, 0, sizeof cur);
        }
        if (!more)
            break;
    }
}

/* The micro-kernels of dir (every a64_*.s); a missing or empty directory fails the benchmark:
 * the share would silently change meaning without them. */
static int load_micro(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "bench timing: the micro-kernels %s are missing (run from the "
                        "repository root, or set MPUSIM_MICRO_DIR)\n", dir);
        exit(1);
    }
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t L = strlen(e->d_name);
        if (strncmp(e->d_name, "a64_", 4) || L < 3 || strcmp(e->d_name + L - 2, ".s"))
            continue;
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "aarch64-linux-gnu-as -march=armv8-a %s/%s -o /tmp/mpusim-micro.o",
                 dir, e->d_name);
        if (system(cmd) != 0) { /* a kernel that does not assemble would silently drop out */
            fprintf(stderr, "bench timing: cannot assemble %s/%s (aarch64-linux-gnu-as: make "
                            "bench installs binutils-aarch64-linux-gnu)\n", dir, e->d_name);
            exit(1);
        }
        FILE *p = popen("aarch64-linux-gnu-objdump -d /tmp/mpusim-micro.o", "r");
        if (!p) {
            fprintf(stderr, "bench timing: cannot run aarch64-linux-gnu-objdump\n");
            exit(1);
        }
        unsigned before = nblocks;
        char base[64];
        snprintf(base, sizeof base, "micro_%.*s", (int)(L - 2), e->d_name);
        /* a micro-kernel is one region even if it holds a branch: merge */
        parse_objdump(p, "", 1);
        pclose(p);
        if (nblocks > before) {
            struct block m;
            memset(&m, 0, sizeof m);
            for (unsigned i = before; i < nblocks; i++)
                for (unsigned j = 0; j < blocks[i].n && m.n < MAX_INSNS; j++) {
                    m.w[m.n] = blocks[i].w[j];
                    memcpy(m.text[m.n], blocks[i].text[j], sizeof m.text[0]);
                    m.n++;
                }
            snprintf(m.name, sizeof m.name, "%s", base);
            nblocks = before;
            blocks[nblocks++] = m;
            n++;
        } else { /* only instructions both sides strip: the hand-computed tests check it */
            printf("micro-kernel %.*s: system instructions only, not compared with llvm-mca\n",
                   (int)(L - 2), e->d_name);
        }
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "bench timing: no micro-kernel (a64_*.s) assembled from %s\n", dir);
        exit(1);
    }
    return n;
}

/* Run llvm-mca on every block as one region each; fills tc[] (TotalCycles) per block. */
static int run_mca(const char *mca, unsigned iters, double *tc)
{
    const char *path = "/tmp/mpusim-timing-regions.s";
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (unsigned i = 0; i < nblocks; i++) {
        fprintf(f, "# LLVM-MCA-BEGIN r%u\n", i);
        for (unsigned j = 0; j < blocks[i].n; j++)
            fprintf(f, "%s\n", blocks[i].text[j]);
        fprintf(f, "# LLVM-MCA-END\n");
    }
    fclose(f);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -mtriple=aarch64 -mcpu=cortex-r82 -iterations=%u %s 2>/dev/null",
             mca, iters, path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char line[512];
    int region = -1, got = 0;
    for (unsigned i = 0; i < nblocks; i++)
        tc[i] = -1;
    while (fgets(line, sizeof line, p)) {
        unsigned r;
        double v;
        if (sscanf(line, "[%*u] Code Region - r%u", &r) == 1)
            region = (int)r;
        else if (region >= 0 && (unsigned)region < nblocks &&
                 sscanf(line, "Total Cycles: %lf", &v) == 1) {
            tc[region] = v;
            got++;
        }
    }
    pclose(p);
    return got;
}

static double loop_mips(int timing, struct mpusim_error *err)
{
    struct sim_options o;
    sim_options_default(&o);
    o.timing = timing;
    o.budget = 10 * LOOP_ITERS;
    struct sim *s = sim_new(&o, err);
    struct sim_call_result r;
    if (!s || sim_load_elf(s, LOOP_ELF, err) != 0 ||
        sim_call(s, "setup_mpu", NULL, 0, &r, err) != 0) {
        sim_free(s);
        return -1;
    }
    uint64_t n = LOOP_ITERS;
    double t0 = bench_now();
    int rc = sim_call(s, "loop", &n, 1, &r, err);
    double t1 = bench_now();
    sim_free(s);
    return rc == 0 ? (double)r.insns / (t1 - t0) / 1e6 : -1;
}

/* Events per second of a guest-engine replay of t, timing on or off. */
static double replay_rate(const struct trace *t, int timing, struct mpusim_error *err)
{
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .engine = REPLAY_ENGINE_GUEST,
                                .adapter = "build/guest/mm.adapter.json", .no_timing = !timing };
    double t0 = bench_now();
    struct replay *r = replay_new(t, &o, err);
    if (!r)
        return -1;
    for (size_t i = 0; i < t->nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
    }
    int failed = r->failed;
    replay_free(r);
    double t1 = bench_now();
    if (failed) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "the guest replay failed");
        return -1;
    }
    return (double)t->nevents / (t1 - t0);
}

static void replay_timing_cost(void)
{
    static const char *const paths[] = { "traces/heap-scrub-storm/trace.jsonl",
                                         "traces/dom0less-build/trace.jsonl" };
    struct trace t[2];
    struct mpusim_error err;
    mpusim_error_clear(&err);
    for (int i = 0; i < 2; i++)
        if (trace_read_file(paths[i], &t[i], &err) != 0)
            bench_die("timing", err.text);
    double on[BENCH_RUNS], off[BENCH_RUNS];
    for (int k = 0; k < BENCH_RUNS; k++) {
        double ton = 0, toff = 0, n = 0;
        for (int i = 0; i < 2; i++) { /* seconds of each, on and off interleaved */
            double a = replay_rate(&t[i], 0, &err), b = replay_rate(&t[i], 1, &err);
            if (a < 0 || b < 0)
                bench_die("timing", err.text);
            toff += (double)t[i].nevents / a;
            ton += (double)t[i].nevents / b;
            n += (double)t[i].nevents;
        }
        on[k] = n / ton;
        off[k] = n / toff;
    }
    for (int i = 0; i < 2; i++)
        trace_fini(&t[i]);
    printf("guest replay: %.0f events/s without timing, %.0f with (medians)\n",
           bench_median(off, BENCH_RUNS), bench_median(on, BENCH_RUNS));
    bench_paired("timing_guest_replay_events", on, off, BENCH_RUNS, "events/s", BENCH_HIGHER,
                 "ratio>=0.7");
}

int main(void)
{
    if (getenv("BENCH_TIMING_REPLAY_ONLY")) { /* quick look at the cost of timing alone */
        replay_timing_cost();
        return 0;
    }
    const char *mca = getenv("LLVM_MCA") ? getenv("LLVM_MCA") : "llvm-mca-14";
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s --version >/dev/null 2>&1", mca);
    if (system(cmd) != 0) {
        mca = "llvm-mca";
        if (system("llvm-mca --version >/dev/null 2>&1") != 0) {
            fprintf(stderr, "bench timing: no llvm-mca (make bench installs llvm-14)\n");
            return 1;
        }
    }
    if (access(MM_ELF, R_OK) != 0 || access(LOOP_ELF, R_OK) != 0) {
        fprintf(stderr, "bench timing: %s or %s is missing (make build/bench/timing builds "
                        "them)\n", MM_ELF, LOOP_ELF);
        return 1;
    }
    FILE *p = popen("aarch64-linux-gnu-objdump -d " MM_ELF, "r");
    if (!p) {
        fprintf(stderr, "bench timing: cannot run objdump\n");
        return 1;
    }
    parse_objdump(p, "mm_", 3);
    if (pclose(p) != 0 || nblocks == 0) {
        fprintf(stderr, "bench timing: aarch64-linux-gnu-objdump -d %s failed or found no "
                        "block\n", MM_ELF);
        return 1;
    }
    unsigned nguest = nblocks;
    const char *micro = getenv("MPUSIM_MICRO_DIR") ? getenv("MPUSIM_MICRO_DIR") : MICRO_DIR;
    int nmicro = load_micro(micro);
    static double tc1[MAX_BLOCKS], tc101[MAX_BLOCKS];
    if (run_mca(mca, 1, tc1) < 0 || run_mca(mca, 101, tc101) < 0) {
        fprintf(stderr, "bench timing: llvm-mca failed\n");
        return 1;
    }
    struct sim_core core;
    sim_core_default(&core);
    unsigned ok = 0, total = 0, okg = 0, totg = 0, failed = 0;
    printf("%-44s %3s %9s %9s %7s %s\n", "block", "n", "mca", "model", "diff", "status");
    for (unsigned i = 0; i < nblocks; i++) {
        struct block *b = &blocks[i];
        double cpi[SIM_TS_COUNT];
        struct mpusim_error err;
        mpusim_error_clear(&err);
        if (tc1[i] < 0 || tc101[i] < 0 ||
            sim_timing_block(&core, b->w, b->n, 102, cpi, &err) != 0) {
            printf("%-44s %3u %9s %9s %7s %s\n", b->name, b->n, "-", "-", "-",
                   tc1[i] < 0 ? "MCA-ERROR" : err.text);
            failed++;
            continue;
        }
        b->mca = (tc101[i] - tc1[i]) / 100.0;
        b->sim = cpi[SIM_TS_NOMINAL];
        double diff = b->sim - b->mca, tol = b->mca * 0.10 > 1 ? b->mca * 0.10 : 1;
        int good = diff <= tol + 1e-9 && -diff <= tol + 1e-9;
        ok += good;
        total++;
        if (i < nguest) {
            okg += good;
            totg++;
        }
        printf("%-44s %3u %9.2f %9.2f %+7.2f %s\n", b->name, b->n, b->mca, b->sim, diff,
               good ? "OK" : "MISMATCH");
    }
    if (failed) { /* a block left out would change what the share means */
        fprintf(stderr, "bench timing: %u blocks could not be compared (see the table)\n", failed);
        return 1;
    }
    double share = total ? 100.0 * ok / total : 0;
    printf("\n%u of %u blocks within max(1 cycle, 10%%) of llvm-mca (%u of %u guest blocks, %d "
           "micro-kernels): %.1f%%\n", ok, total, okg, totg, nmicro, share);
    bench_result("timing_blocks_within_tolerance", share, "%", NAN, NAN, BENCH_HIGHER,
                 "value>=90");
    bench_result("timing_guest_blocks_within_tolerance", totg ? 100.0 * okg / totg : 0, "%",
                 NAN, NAN, BENCH_HIGHER, "value>=90");
    struct mpusim_error err;
    mpusim_error_clear(&err);
    double off[BENCH_RUNS], on[BENCH_RUNS];
    for (int k = 0; k < BENCH_RUNS; k++) {
        off[k] = loop_mips(0, &err);
        on[k] = loop_mips(1, &err);
        if (off[k] < 0 || on[k] < 0) {
            fprintf(stderr, "bench timing: guest loop: %s\n", err.text);
            return 1;
        }
    }
    printf("guest loop: %.1f MIPS without timing, %.1f MIPS with timing (medians)\n",
           bench_median(off, BENCH_RUNS), bench_median(on, BENCH_RUNS));
    bench_paired("timing_guest_mips", on, off, BENCH_RUNS, "MIPS", BENCH_HIGHER, "ratio>=0.7");
    replay_timing_cost();
    return 0; /* a share below the target is a result (the ratio says so), not a failure */
}
