/* mpusim fuzz: generated op sequences with invariants checked after every op; a violation is
 * shrunk, written as a replayable trace and printed (docs/fuzzing.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "replay/fuzz.h"

static const char help[] =
    "usage: mpusim fuzz [options] (--iterations I | --time T)\n"
    "\n"
    "Generate op sequences biased towards the edges (same, inside, straddling, adjacent and\n"
    "superset ranges, boot-region tails, region exhaustion, refcounts near 0xFF, attribute\n"
    "changes, accesses at range edges), run each from a fresh boot through the algorithm on\n"
    "the MPU model, and check the invariants after every op: table_matches_hw, no_overlap,\n"
    "failed_call_changes_nothing, used_within_limit, mapped_range_accessible,\n"
    "unmapped_range_inaccessible. With --algo zephyr: Zephyr's thread and memory-domain\n"
    "calls (and plain map/unmap as translated), checked on the EL1 MPU against what the\n"
    "kernel's bookkeeping says the running thread's map is: guards_fault,\n"
    "kernel_ram_accessible, stack_accessible, partitions_accessible, user_isolation (and the\n"
    "first four above). With --algo bao: Bao's vMPU calls on 1 to 4 CPUs (cpu_boot, vm_create,\n"
    "map/unmap with as and cpu, map_cpy, vm_entry, vm_exit), every CPU's EL2 MPU checked\n"
    "against Bao's entries: call_returns, enabled_matches_mode, cpus_consistent (and the six\n"
    "above, on every CPU). The first violation is shrunk to a minimal sequence (delta\n"
    "debugging), written as a replayable trace with expectations, and printed.\n"
    "\n"
    "options:\n"
    "  --algo A          algorithm: xen (upstream, default), xen-transient, merge, lazy,\n"
    "                    reserve or reserve:K (docs/policies.md), zephyr, bao\n"
    "                    (docs/algorithms.md)\n"
    "  --fixed           the intended forms of upstream's known bugs (docs/findings.md);\n"
    "                    --xen-fixed is an alias\n"
    "  --regions N       EL2 MPU regions (zephyr: EL1; bao: each CPU's), 1..255 (default 16)\n"
    "  --seed S          base seed (default 1); iteration i uses a seed derived from S and i\n"
    "  --iterations I    iterations over all shards: 0 .. I-1 (default 1000 without --time)\n"
    "  --time T          stop starting new iterations after T seconds\n"
    "  --length L        ops per iteration at most (default 300, or 2N+40 when larger)\n"
    "  --shard K/N       run only iterations i with i % N == K-1 (1 <= K <= N)\n"
    "  --out F           the minimal trace (default fuzz-<algo>-<seed>.json, with\n"
    "                    -<K>of<N> before .json when sharded)\n"
    "  --json F          write the result as one JSON Lines line to F ('-': stdout; the\n"
    "                    human report then goes to stderr); shards merge by concatenation\n"
    "  --fsc MODEL       FSC for no-hit / multi-hit faults: translation, qemu, renode\n"
    "  --no-shrink       keep the failing iteration as generated\n"
    "  --quiet           print nothing but errors\n"
    "  --progress, --no-progress\n"
    "                    the progress line on stderr (ops/s, share of --time or of the\n"
    "                    iterations, time left) always, or never (default: when stderr is a\n"
    "                    terminal)\n"
    "  -h, --help        this help\n"
    "\n"
    "Numbers are decimal or 0x hex (no octal, sign or spaces; docs/cli.md).\n"
    "exit status: 0 no violation, 1 a violation (trace written), 2 bad input or usage.\n";

/* The progress line: ops so far; the share of --time elapsed, or of the iterations done. */
struct fuzz_progress {
    struct cli_progress line;
    double time_limit;     /* seconds; 0: none */
};

static void on_iteration(void *opaque, uint64_t iterations, uint64_t ops)
{
    struct fuzz_progress *fp = opaque;
    struct cli_progress *p = &fp->line;
    if (!p->on || ops < p->next)
        return;
    uint64_t done = iterations;
    if (fp->time_limit > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double el = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 - p->t0;
        done = el > 0 ? (uint64_t)(el * 1000) : 0;
        if (done > p->total)
            done = p->total;
    }
    cli_progress_draw(p, ops, done);
}

static void print_report(FILE *f, const struct fuzz_options *o, const struct fuzz_result *res,
                         const char *trace_path)
{
    const struct trace *t = &res->minimal;
    fprintf(f, "fuzz: %s violated in iteration %llu (after %zu ops); shrunk to %zu ops in %lu "
               "replays%s:\n", fuzz_invariant_name(res->v.inv),
            (unsigned long long)res->iteration, res->ops_failing, t->nevents - res->witness,
            res->shrink_tests, res->witness ? " (and an access that shows it)" : "");
    for (size_t i = 0; i < t->nevents; i++) {
        const struct trace_event *ev = &t->events[i];
        char what[128];
        fuzz_format_event(ev, what, sizeof what);
        fprintf(f, "  %3zu  %-48s", i, what);
        if (ev->expect.has & TRACE_EXPECT_CPUS) { /* bao: per CPU, "/"-separated */
            fprintf(f, " rc %d, allocated", ev->expect.rc);
            for (unsigned c = 0; c < ev->expect.ncpus; c++)
                fprintf(f, "%c%d", c ? '/' : ' ', ev->expect.cpus[c].allocated);
            fputs(", enabled", f);
            for (unsigned c = 0; c < ev->expect.ncpus; c++)
                fprintf(f, "%c%d", c ? '/' : ' ', ev->expect.cpus[c].enabled);
        } else if (ev->expect.has & TRACE_EXPECT_REGION_NUM)
            fprintf(f, " rc %d, region_num %d, enabled %d", ev->expect.rc,
                    ev->expect.region_num, ev->expect.enabled);
        else if (ev->expect.has & TRACE_EXPECT_RC)
            fprintf(f, " rc %d, used %d", ev->expect.rc, ev->expect.used);
        else if (ev->expect.has & TRACE_EXPECT_FAULT)
            fprintf(f, " %s", ev->expect.fault == MPU_FAULT_NONE
                                  ? "allowed"
                                  : mpu_fault_name((enum mpu_fault)ev->expect.fault));
        fputc('\n', f);
        if ((long)i == res->v.event)
            fprintf(f, "       ^ %s: %s\n", fuzz_invariant_name(res->v.inv), res->v.text);
    }
    char algo[32];
    fuzz_algo_spelling(o, algo, sizeof algo);
    fprintf(f, "written: %s\nreplay:  mpusim replay %s --algo %s%s\n", trace_path, trace_path,
            algo, o->replay.xen_fixed ? " --fixed" : "");
}

int cli_fuzz(int argc, char **argv)
{
    enum { O_ALGO = 256, O_FIXED, O_REGIONS, O_SEED, O_ITER, O_TIME, O_LENGTH, O_SHARD, O_OUT,
           O_JSON, O_FSC, O_NOSHRINK, O_QUIET, O_PROGRESS, O_NO_PROGRESS };
    static const struct option longopts[] = {
        { "algo", required_argument, NULL, O_ALGO },
        { "fixed", no_argument, NULL, O_FIXED },
        { "xen-fixed", no_argument, NULL, O_FIXED },
        { "regions", required_argument, NULL, O_REGIONS },
        { "seed", required_argument, NULL, O_SEED },
        { "iterations", required_argument, NULL, O_ITER },
        { "time", required_argument, NULL, O_TIME },
        { "length", required_argument, NULL, O_LENGTH },
        { "shard", required_argument, NULL, O_SHARD },
        { "out", required_argument, NULL, O_OUT },
        { "json", required_argument, NULL, O_JSON },
        { "fsc", required_argument, NULL, O_FSC },
        { "no-shrink", no_argument, NULL, O_NOSHRINK },
        { "quiet", no_argument, NULL, O_QUIET },
        { "progress", no_argument, NULL, O_PROGRESS },
        { "no-progress", no_argument, NULL, O_NO_PROGRESS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct fuzz_options o = { .replay = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                          .regions = 16 },
                              .seed = 1, .shard_k = 1, .shard_n = 1 };
    const char *out_path = NULL, *json_path = NULL;
    int quiet = 0, have_iter = 0, progress_mode = -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case O_ALGO:
            if (cli_opt_algo("fuzz", optarg, &o.replay.algo, &o.reserve_k))
                return 2;
            break;
        case O_FIXED: o.replay.xen_fixed = 1; break;
        case O_REGIONS:
            if (cli_opt_regions("fuzz", optarg, 1, &o.replay.regions))
                return 2;
            break;
        case O_SEED:
            if (cli_opt_u64("fuzz", "--seed", optarg, 0, UINT64_MAX, &o.seed))
                return 2;
            break;
        case O_ITER:
            if (cli_opt_u64("fuzz", "--iterations", optarg, 1, 4000000000u, &o.iterations))
                return 2;
            have_iter = 1;
            break;
        case O_TIME:
            if (cli_opt_seconds("fuzz", "--time", optarg, &o.time_limit))
                return 2;
            break;
        case O_LENGTH:
            if (cli_opt_unsigned("fuzz", "--length", optarg, 1, 1000000, &o.length))
                return 2;
            break;
        case O_SHARD:
            if (cli_opt_shard("fuzz", optarg, &o.shard_k, &o.shard_n))
                return 2;
            break;
        case O_OUT: out_path = optarg; break;
        case O_JSON: json_path = optarg; break;
        case O_FSC:
            if (cli_opt_fsc("fuzz", optarg, &o.replay.fsc))
                return 2;
            break;
        case O_NOSHRINK: o.no_shrink = 1; break;
        case O_QUIET: quiet = 1; break;
        case O_PROGRESS: progress_mode = 1; break;
        case O_NO_PROGRESS: progress_mode = 0; break;
        default:
            return cli_opt_error("fuzz", c, argv);
        }
    }
    if (optind != argc)
        return cli_usage_error("fuzz", "no operands expected");
    if (!have_iter && !(o.time_limit > 0))
        o.iterations = 1000;
    if (!o.length)
        o.length = fuzz_default_length(o.replay.regions);

    char default_out[160], algo[32];
    fuzz_algo_spelling(&o, algo, sizeof algo);
    if (!out_path) {
        char name[32]; /* the algorithm as a file name part: "reserve:2" -> "reserve-2" */
        snprintf(name, sizeof name, "%s", algo);
        for (char *p = name; *p; p++)
            if (*p == ':')
                *p = '-';
        if (o.shard_n > 1)
            snprintf(default_out, sizeof default_out, "fuzz-%s-%llu-%uof%u.json", name,
                     (unsigned long long)o.seed, o.shard_k, o.shard_n);
        else
            snprintf(default_out, sizeof default_out, "fuzz-%s-%llu.json", name,
                     (unsigned long long)o.seed);
        out_path = default_out;
    }
    /* Both outputs are checked and opened before the run; --out is dropped when no
     * invariant is violated. */
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct outset outs;
    cli_outputs_begin(&outs);
    FILE *trace_f = outset_open(&outs, out_path, "--out", &err), *json_f = NULL;
    if (!trace_f || (json_path && !(json_f = outset_open(&outs, json_path, "--json", &err)))) {
        cli_outputs_end(&outs);
        return cli_fail(&err);
    }
    FILE *human = outset_uses_stdout(&outs) ? stderr : stdout;

    struct fuzz_progress fp = { .time_limit = o.time_limit };
    cli_progress_init(&fp.line, progress_mode, "fuzz", "ops");
    if (o.time_limit > 0)
        cli_progress_total(&fp.line, (uint64_t)(o.time_limit * 1000), CLI_PROGRESS_MILLISECONDS,
                           NULL);
    else /* this shard's share of the iterations */
        cli_progress_total(&fp.line, (o.iterations + o.shard_n - o.shard_k) / o.shard_n,
                           CLI_PROGRESS_ITEMS, "iterations");
    o.on_iteration = on_iteration;
    o.opaque = &fp;
    struct fuzz_result res;
    int fuzz_rc = fuzz_run(&o, &res, &err);
    cli_progress_end(&fp.line);
    if (fuzz_rc != 0) {
        cli_outputs_end(&outs);
        return cli_fail(&err);
    }
    const char *written = NULL;
    if (res.found) {
        if (fuzz_write_trace(trace_f, &o, &res, &err) != 0) {
            cli_outputs_end(&outs);
            fuzz_result_fini(&res);
            return cli_fail(&err);
        }
        written = out_path;
    } else {
        outset_discard(&outs, trace_f);
    }
    if (json_f)
        fuzz_write_result_json(json_f, &o, &res, written);
    if (outset_commit(&outs, &err) != 0) {
        cli_outputs_end(&outs);
        fuzz_result_fini(&res);
        return cli_fail(&err);
    }
    cli_outputs_end(&outs);
    double rate = res.seconds > 0 ? (double)res.ops / res.seconds : 0.0;
    if (!quiet) {
        fprintf(human, "fuzz: %s%s, %u regions, seed %llu, shard %u/%u: %llu iterations, %llu "
                       "ops, %.0f ops/s\n", algo,
                o.replay.xen_fixed ? " --fixed" : "", o.replay.regions,
                (unsigned long long)o.seed, o.shard_k, o.shard_n,
                (unsigned long long)res.iterations, (unsigned long long)res.ops, rate);
        if (res.found)
            print_report(human, &o, &res, written);
        else
            fprintf(human, "fuzz: no invariant violated\n");
    }
    int rc = res.found ? 1 : 0;
    fuzz_result_fini(&res);
    return rc;
}
