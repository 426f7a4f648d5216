/* mpusim compare: replay traces with several algorithms and tabulate the metrics side by side. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "replay/compare.h"
#include "report/report.h"
#include "traces/trace.h"

static const char help[] =
    "usage: mpusim compare TRACE... [options]\n"
    "\n"
    "Replay each TRACE (trace format v1) once per algorithm and print, per trace, a markdown\n"
    "table with one row per algorithm: regions in use (peak, mean, final), calls and failed\n"
    "calls, system-register writes and reads, barriers, faults by cause, findings and\n"
    "table/hardware divergences (docs/compare.md). Expectations in the traces are ignored.\n"
    "\n"
    "options:\n"
    "  --algo LIST       comma-separated algorithms, e.g. xen,xen-transient\n"
    "                    (default: every algorithm mpusim knows)\n"
    "  --fixed           the intended forms of upstream's known bugs, for every run;\n"
    "                    --xen-fixed is an alias\n"
    "  --regions N       EL2 MPU regions, 1..255 (default: each trace's mpu.regions)\n"
    "  --fsc MODEL       FSC for no-hit / multi-hit faults: translation (default), qemu,\n"
    "                    renode\n"
    "  --strict-addresses  a range at or above 2^48 is an error, exit 2 (default: counted\n"
    "                    as the finding address_truncated)\n"
    "  --engine E        native (default) or guest: each call runs as AArch64 code under\n"
    "                    the timing model; adds cycles p50/p99 per op (docs/timing.md)\n"
    "  --adapter F       guest: adapter file, or a bundled one by name: mm (default),\n"
    "                    xen-upstream (with --elf xen-syms)\n"
    "  --elf F           guest: the ELF to run (default: the adapter's \"elf\")\n"
    "  --ram BASE:SIZE, --device BASE:SIZE, --uart BASE\n"
    "                    guest: memory windows and a PL011 UART (docs/guest.md)\n"
    "  --core F          guest: core file of the timing model (default: built-in R82-like)\n"
    "  --no-timing       guest: do not run the timing model (no cycles column; faster)\n"
    "  --shard K/N       only the runs j (numbered over traces, then algorithms, from 0)\n"
    "                    with j % N == K-1; shards' --json files merge by concatenation\n"
    "  --json F          write one JSON line per run to F (JSON Lines)\n"
    "  --csv F           write a CSV header and one row per run to F\n"
    "  --html F          write a self-contained HTML report to F: per trace, the occupancy\n"
    "                    of every algorithm on one chart and the metrics (docs/report.md)\n"
    "  --quiet           do not print the tables\n"
    "  --progress, --no-progress\n"
    "                    the progress line on stderr (events/s, traces done, time left)\n"
    "                    always, or never (default: when stderr is a terminal)\n"
    "  -h, --help        this help\n"
    "\n"
    "Numbers are decimal or 0x hex (no octal, sign or spaces; docs/cli.md).\n"
    "exit status: 0 success, 1 a run stopped early with a result (the guest stopped inside a\n"
    "call, or lockstep diverged: said under the table; its row counts the events before),\n"
    "2 bad input or usage.\n"
    "Outputs ('-' is stdout; the tables then go to stderr) are checked before the runs and\n"
    "written completely or not at all: never over an input, symlinks written through.\n";

static int usage_msg(const char *fmt, const char *arg)
{
    char msg[160];
    snprintf(msg, sizeof msg, fmt, arg);
    return cli_usage_error("compare", msg);
}

/* The command's outputs, written together or not at all. */
struct outputs {
    struct outset set;           /* --json, --csv, --html */
    FILE *js, *csv, *html;       /* their streams, or NULL */
    struct report_compare *page; /* the HTML page being written, or NULL */
};

static int fail_outputs(struct outputs *o, const struct mpusim_error *err)
{
    report_compare_free(o->page);
    cli_outputs_end(&o->set);
    return cli_fail(err);
}

int cli_compare(int argc, char **argv)
{
    enum { O_ALGO = 256, O_FIXED, O_REGIONS, O_FSC, O_ENGINE, O_SHARD, O_JSON, O_CSV, O_QUIET,
           O_ADAPTER, O_CORE, O_NOTIMING, O_HTML, O_ELF, O_RAM, O_DEVICE, O_UART, O_STRICT_ADDR, O_PROGRESS, O_NO_PROGRESS };
    static const struct option longopts[] = {
        { "algo", required_argument, NULL, O_ALGO },
        { "fixed", no_argument, NULL, O_FIXED },
        { "xen-fixed", no_argument, NULL, O_FIXED },
        { "regions", required_argument, NULL, O_REGIONS },
        { "fsc", required_argument, NULL, O_FSC },
        { "engine", required_argument, NULL, O_ENGINE },
        { "adapter", required_argument, NULL, O_ADAPTER },
        { "elf", required_argument, NULL, O_ELF },
        { "ram", required_argument, NULL, O_RAM },
        { "device", required_argument, NULL, O_DEVICE },
        { "uart", required_argument, NULL, O_UART },
        { "core", required_argument, NULL, O_CORE },
        { "no-timing", no_argument, NULL, O_NOTIMING },
        { "shard", required_argument, NULL, O_SHARD },
        { "json", required_argument, NULL, O_JSON },
        { "csv", required_argument, NULL, O_CSV },
        { "html", required_argument, NULL, O_HTML },
        { "quiet", no_argument, NULL, O_QUIET },
        { "strict-addresses", no_argument, NULL, O_STRICT_ADDR },
        { "progress", no_argument, NULL, O_PROGRESS },
        { "no-progress", no_argument, NULL, O_NO_PROGRESS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct compare_options opt;
    if (compare_options_init(&opt, &err) != 0)
        return cli_fail(&err);
    const char *json_path = NULL, *csv_path = NULL, *html_path = NULL;
    int quiet = 0, progress_mode = -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case O_ALGO:
            if (compare_parse_algos(optarg, &opt, &err) != 0)
                return cli_usage_error("compare", err.text);
            break;
        case O_FIXED: opt.xen_fixed = 1; break;
        case O_STRICT_ADDR: opt.strict_addresses = 1; break;
        case O_PROGRESS: progress_mode = 1; break;
        case O_NO_PROGRESS: progress_mode = 0; break;
        case O_REGIONS:
            if (cli_opt_regions("compare", optarg, 1, &opt.regions))
                return 2;
            break;
        case O_FSC:
            if (cli_opt_fsc("compare", optarg, &opt.fsc))
                return 2;
            break;
        case O_ENGINE:
            if (!strcmp(optarg, "guest"))
                opt.engine = REPLAY_ENGINE_GUEST;
            else if (!strcmp(optarg, "native"))
                opt.engine = REPLAY_ENGINE_NATIVE;
            else
                return usage_msg("--engine: expected native or guest, got '%.60s'", optarg);
            break;
        case O_ADAPTER: opt.adapter = optarg; break;
        case O_ELF: opt.elf = optarg; break;
        case O_RAM:
        case O_DEVICE: {
            struct replay_window *w = &opt.window[opt.nwindows];
            if (opt.nwindows == REPLAY_MAX_WINDOWS)
                return cli_usage_error("compare", "too many --ram/--device windows");
            if (cli_opt_window("compare", c == O_RAM ? "--ram" : "--device", optarg, &w->base,
                               &w->size))
                return 2;
            w->device = c == O_DEVICE;
            opt.nwindows++;
            break;
        }
        case O_UART: {
            uint64_t u;
            if (cli_opt_page_address("compare", "--uart", optarg, &u))
                return 2;
            opt.has_uart = 1;
            opt.uart = u;
            break;
        }
        case O_CORE: opt.core = optarg; break;
        case O_NOTIMING: opt.no_timing = 1; break;
        case O_SHARD:
            if (cli_opt_shard("compare", optarg, &opt.shard_k, &opt.shard_n))
                return 2;
            break;
        case O_JSON: json_path = optarg; break;
        case O_CSV: csv_path = optarg; break;
        case O_HTML: html_path = optarg; break;
        case O_QUIET: quiet = 1; break;
        default: return cli_opt_error("compare", c, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("compare", "missing TRACE");
    int ntraces = argc - optind;
    char default_adapter[4096];
    if (opt.engine == REPLAY_ENGINE_NATIVE && (opt.adapter || opt.core || opt.no_timing ||
                                               opt.elf || opt.nwindows || opt.has_uart))
        return cli_usage_error("compare", "--adapter, --elf, --core, --no-timing, --ram, --device "
                                          "and --uart need --engine guest");
    if (opt.adapter) {
        if (cli_find_adapter(opt.adapter, default_adapter, sizeof default_adapter) != 0)
            return cli_usage_error("compare", "--adapter: no such file, and no bundled adapter of "
                                              "that name (bundled: mm, xen-upstream)");
        opt.adapter = default_adapter;
    } else if (opt.engine == REPLAY_ENGINE_GUEST) {
        if (cli_default_adapter(default_adapter, sizeof default_adapter) != 0)
            return cli_usage_error("compare", "no bundled guest adapter found beside the binary: "
                                              "give --adapter (run 'make' to build build/guest/)");
        opt.adapter = default_adapter;
    }

    struct compare_run *runs = calloc(opt.nalgo, sizeof *runs);
    if (!runs) {
        mpusim_error_set(&err, MPUSIM_E_IO, "out of memory");
        return cli_fail(&err);
    }
    /* Every output is checked and opened before the runs, against every input. */
    struct outputs out;
    memset(&out, 0, sizeof out);
    cli_outputs_begin(&out.set);
    int bad = opt.engine == REPLAY_ENGINE_GUEST &&
              cli_outputs_guest_inputs(&out.set, opt.adapter, opt.elf, opt.core, &err) != 0;
    for (int ti = 0; ti < ntraces && !bad; ti++)
        bad = outset_input(&out.set, argv[optind + ti], "trace", &err) != 0;
    if (bad || (json_path && !(out.js = outset_open(&out.set, json_path, "--json", &err))) ||
        (csv_path && !(out.csv = outset_open(&out.set, csv_path, "--csv", &err))) ||
        (html_path && (!(out.html = outset_open(&out.set, html_path, "--html", &err)) ||
                       !(out.page = report_compare_new(out.html, &opt, &err))))) {
        free(runs);
        return fail_outputs(&out, &err);
    }
    FILE *human = outset_uses_stdout(&out.set) ? stderr : stdout;
    if (out.page) {
        opt.on_run = report_compare_on_run;
        opt.opaque = out.page;
    }
    if (out.csv)
        compare_write_csv_header(out.csv);
    struct cli_progress prog; /* per trace: events replayed, traces done */
    cli_progress_init(&prog, progress_mode, "compare", "events");
    cli_progress_total(&prog, (uint64_t)ntraces, CLI_PROGRESS_ITEMS, "traces");
    uint64_t events = 0;
    int stopped = 0; /* a run ended early with a result: exit 1 */
    for (int ti = 0; ti < ntraces; ti++) {
        cli_progress_update(&prog, events, (uint64_t)ti);
        /* Skip traces with no run in this shard without reading them. */
        int any = 0;
        for (unsigned a = 0; a < opt.nalgo && !any; a++)
            any = compare_in_shard((long)ti * (long)opt.nalgo + (long)a, opt.shard_k,
                                   opt.shard_n);
        if (!any)
            continue;
        struct trace t;
        memset(&t, 0, sizeof t);
        unsigned n = 0;
        struct trace_reader *rd = trace_reader_open(argv[optind + ti], &t, &err);
        if (!rd || compare_trace_stream(&t, rd, &opt, ti, runs, &n, &err) != 0) {
            cli_progress_end(&prog);
            trace_reader_free(rd);
            trace_fini(&t);
            free(runs);
            return fail_outputs(&out, &err);
        }
        trace_reader_free(rd);
        trace_fini(&t);
        for (unsigned k = 0; k < n; k++) {
            events += runs[k].events;
            stopped |= runs[k].stopped_event >= 0;
        }
        cli_progress_update(&prog, events, (uint64_t)ti + 1);
        if (!quiet)
            cli_progress_clear(&prog); /* the table comes next; the line is drawn again */
        for (unsigned k = 0; k < n; k++) {
            if (out.js)
                compare_write_jsonl(out.js, &runs[k]);
            if (out.csv)
                compare_write_csv_row(out.csv, &runs[k]);
        }
        if (out.page && report_compare_trace(out.page, runs, n, &err) != 0) {
            cli_progress_end(&prog);
            free(runs);
            return fail_outputs(&out, &err);
        }
        if (!quiet)
            compare_write_table(human, runs, n);
    }
    cli_progress_end(&prog);
    free(runs);
    struct report_compare *page = out.page;
    out.page = NULL; /* finished (and freed) below, whatever the result */
    if ((page && report_compare_finish(page, &err) != 0) || outset_commit(&out.set, &err) != 0)
        return fail_outputs(&out, &err);
    cli_outputs_end(&out.set);
    return stopped ? 1 : 0;
}
