/* mpusim replay: replay a trace through the algorithm on the MPU model. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "replay/replay.h"
#include "replay/stream.h"
#include "report/report.h"
#include "replay/tarmac_export.h"
#include "traces/trace.h"

static const char help[] =
    "usage: mpusim replay TRACE [options]\n"
    "\n"
    "Replay TRACE (trace format v1, JSON document or JSON Lines; '-' reads stdin) through\n"
    "Xen's MPU mapping algorithm on the MPU model, check each event's expectations, and\n"
    "report regions in use, faults, findings and per-call cost.\n"
    "\n"
    "options:\n"
    "  --algo A          algorithm: xen (upstream, default), xen-transient (2025 proposal),\n"
    "                    or a policy (docs/policies.md): merge, lazy, reserve:K,\n"
    "                    or another system's allocator (docs/algorithms.md): zephyr, bao\n"
    "  --fixed           the intended forms of upstream's known bugs (docs/findings.md);\n"
    "                    --xen-fixed is an alias\n"
    "  --regions N       EL2 MPU regions, 1..255 (default: the trace's mpu.regions)\n"
    "  --fsc MODEL       FSC for no-hit / multi-hit faults: translation (default), qemu,\n"
    "                    renode (docs/model.md)\n"
    "  --strict-addresses  a range at or above 2^48 (beyond what PRBAR/PRLAR hold) is an\n"
    "                    error, exit 2 (default: the finding address_truncated; the trace's\n"
    "                    mpu.addresses \"strict\" asks for the same)\n"
    "  --events-out F    write one JSON line per event to F\n"
    "  --json F          write the summary as JSON to F\n"
    "  --html F          write a self-contained HTML report to F (docs/report.md)\n"
    "  --engine E        native (default: mm/ compiled for the host), guest (mm/ built for\n"
    "                    AArch64 run under Unicorn as EL2, per-call instruction counts) or\n"
    "                    both (lockstep: results and MPU registers compared after every\n"
    "                    event; the first divergence exits 1)\n"
    "  --adapter F       guest: adapter file saying which symbol serves which op, or the\n"
    "                    name of a bundled one: mm (default: our mm.elf), xen-upstream\n"
    "                    (upstream Xen's xen-syms, with --elf; docs/guest.md)\n"
    "  --elf F           guest: the ELF to run (default: the adapter's \"elf\")\n"
    "  --budget N        guest: instructions per call before it counts as a runaway\n"
    "  --core F          guest: core file of the timing model (default: the built-in\n"
    "                    Cortex-R82-like core, cores/cortex-r82.json; docs/timing.md)\n"
    "  --no-timing       guest: do not run the timing model (no cycles; faster)\n"
    "  --ram BASE:SIZE   guest: a zeroed RAM window (4 KiB multiples); repeatable\n"
    "  --device BASE:SIZE  guest: a device window (reads 0, writes ignored); repeatable\n"
    "  --uart BASE       guest: a PL011 UART at BASE (replaces the adapter's uart)\n"
    "  --console F       guest: write what the guest sends to its UART to F (default: stderr)\n"
    "  --tarmac F        guest: write the guest's execution as a Tarmac trace to F, for\n"
    "                    Arm's tarmac-trace-utilities (docs/capture.md)\n"
    "  --verbose         print every algorithm message to stderr as it happens\n"
    "  --quiet           do not print the summary\n"
    "  --progress, --no-progress\n"
    "                    the progress line on stderr (events/s, percent of the file, time\n"
    "                    left) always, or never (default: when stderr is a terminal)\n"
    "  -h, --help        this help\n"
    "\n"
    "Numbers are decimal or 0x hex (no octal, sign or spaces; docs/cli.md).\n"
    "exit status: 0 success, 1 an expectation failed, lockstep diverged or the guest stopped\n"
    "inside a call (fault, undefined instruction, budget: reported, outputs written up to\n"
    "that event), 2 bad input or usage.\n"
    "Outputs ('-' is stdout; the summary then goes to stderr) are checked before the run and\n"
    "written completely or not at all: never over an input, symlinks written through.\n";

/* Where each replayed event goes. */
struct replay_outputs {
    FILE *events;                    /* --events-out, or NULL */
    struct report_collector *html;   /* --html, or NULL */
    struct cli_progress *progress;   /* the progress line (events, bytes of the trace read) */
    struct trace_reader *rd;
};

static void write_event(void *opaque, unsigned k, struct replay *r, long i,
                        const struct trace_event *ev, const struct replay_event_result *res)
{
    struct replay_outputs *o = opaque;
    (void)k;
    if (o->events)
        replay_write_event_json(o->events, r, (size_t)i, res);
    if (o->html)
        report_collector_observe(o->html, r, (size_t)i, ev, res);
    if (o->progress->on && (uint64_t)i + 1 >= o->progress->next)
        cli_progress_draw(o->progress, (uint64_t)i + 1, trace_reader_offset(o->rd));
}

static void flush_events(void *opaque)
{
    struct replay_outputs *o = opaque;
    if (o->events)
        fflush(o->events);
}

static void print_message(void *opaque, long event, enum mm_msg id, const char *text)
{
    (void)opaque;
    if (mm_msg_is_finding(id))
        fprintf(stderr, "event %ld: %s\n", event, text);
    else
        fprintf(stderr, "event %ld: %s: %s\n", event, mm_msg_system(id), text);
}

int cli_replay(int argc, char **argv)
{
    enum { O_ALGO = 256, O_FIXED, O_REGIONS, O_FSC, O_EVENTS, O_JSON, O_VERBOSE, O_QUIET,
           O_ENGINE, O_ADAPTER, O_ELF, O_BUDGET, O_CORE, O_NOTIMING, O_HTML, O_RAM, O_DEVICE,
           O_UART, O_CONSOLE, O_TARMAC, O_STRICT_ADDR, O_PROGRESS,
           O_NO_PROGRESS };
    static const struct option longopts[] = {
        { "algo", required_argument, NULL, O_ALGO },
        { "fixed", no_argument, NULL, O_FIXED },
        { "xen-fixed", no_argument, NULL, O_FIXED },
        { "regions", required_argument, NULL, O_REGIONS },
        { "fsc", required_argument, NULL, O_FSC },
        { "events-out", required_argument, NULL, O_EVENTS },
        { "json", required_argument, NULL, O_JSON },
        { "html", required_argument, NULL, O_HTML },
        { "verbose", no_argument, NULL, O_VERBOSE },
        { "quiet", no_argument, NULL, O_QUIET },
        { "engine", required_argument, NULL, O_ENGINE },
        { "adapter", required_argument, NULL, O_ADAPTER },
        { "elf", required_argument, NULL, O_ELF },
        { "budget", required_argument, NULL, O_BUDGET },
        { "core", required_argument, NULL, O_CORE },
        { "no-timing", no_argument, NULL, O_NOTIMING },
        { "ram", required_argument, NULL, O_RAM },
        { "device", required_argument, NULL, O_DEVICE },
        { "uart", required_argument, NULL, O_UART },
        { "console", required_argument, NULL, O_CONSOLE },
        { "tarmac", required_argument, NULL, O_TARMAC },
        { "strict-addresses", no_argument, NULL, O_STRICT_ADDR },
        { "progress", no_argument, NULL, O_PROGRESS },
        { "no-progress", no_argument, NULL, O_NO_PROGRESS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct replay_options opt = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                  .keep_findings = 1000 };
    const char *events_path = NULL, *json_path = NULL, *html_path = NULL, *console_path = NULL,
               *tarmac_path = NULL;
    int quiet = 0, progress_mode = -1;
    uint64_t v;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case O_ALGO:
            if (cli_opt_algo("replay", optarg, &opt.algo, &opt.reserve_k))
                return 2;
            break;
        case O_FIXED: opt.xen_fixed = 1; break;
        case O_STRICT_ADDR: opt.strict_addresses = 1; break;
        case O_PROGRESS: progress_mode = 1; break;
        case O_NO_PROGRESS: progress_mode = 0; break;
        case O_REGIONS:
            if (cli_opt_regions("replay", optarg, 1, &opt.regions))
                return 2;
            break;
        case O_FSC:
            if (cli_opt_fsc("replay", optarg, &opt.fsc))
                return 2;
            break;
        case O_EVENTS: events_path = optarg; break;
        case O_JSON: json_path = optarg; break;
        case O_HTML: html_path = optarg; break;
        case O_TARMAC: tarmac_path = optarg; break;
        case O_VERBOSE:
            opt.on_message = print_message;
            break;
        case O_QUIET: quiet = 1; break;
        case O_ENGINE: {
            int e = replay_engine_from_name(optarg);
            if (e < 0)
                return cli_usage_error("replay", "--engine: expected native, guest or both");
            opt.engine = (enum replay_engine)e;
            break;
        }
        case O_ADAPTER: opt.adapter = optarg; break;
        case O_CORE: opt.core = optarg; break;
        case O_NOTIMING: opt.no_timing = 1; break;
        case O_RAM:
        case O_DEVICE: {
            struct replay_window *w = &opt.window[opt.nwindows];
            if (opt.nwindows == REPLAY_MAX_WINDOWS)
                return cli_usage_error("replay", "too many --ram/--device windows");
            if (cli_opt_window("replay", c == O_RAM ? "--ram" : "--device", optarg, &w->base,
                               &w->size))
                return 2;
            w->device = c == O_DEVICE;
            opt.nwindows++;
            break;
        }
        case O_UART:
            if (cli_opt_page_address("replay", "--uart", optarg, &v))
                return 2;
            opt.has_uart = 1;
            opt.uart = v;
            break;
        case O_CONSOLE: console_path = optarg; break;
        case O_ELF: opt.elf = optarg; break;
        case O_BUDGET:
            if (cli_opt_u64("replay", "--budget", optarg, 1, 4000000000u, &v))
                return 2;
            opt.budget = v;
            break;
        default:
            return cli_opt_error("replay", c, argv);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("replay", optind >= argc ? "missing TRACE" : "one TRACE only");
    const char *path = argv[optind];
    char default_adapter[4096];
    if (opt.engine == REPLAY_ENGINE_NATIVE &&
        (opt.adapter || opt.elf || opt.budget || opt.core || opt.no_timing || opt.nwindows ||
         opt.has_uart || console_path || tarmac_path))
        return cli_usage_error("replay", "--adapter, --elf, --budget, --core, --no-timing, --ram, "
                                         "--device, --uart, --console and --tarmac need --engine "
                                         "guest or both");
    if (opt.adapter) {
        if (cli_find_adapter(opt.adapter, default_adapter, sizeof default_adapter) != 0) {
            char msg[300];
            snprintf(msg, sizeof msg, "--adapter %.100s: no such file, and no bundled adapter of "
                                      "that name (bundled: mm, xen-upstream)", opt.adapter);
            return cli_usage_error("replay", msg);
        }
        opt.adapter = default_adapter;
    } else if (opt.engine != REPLAY_ENGINE_NATIVE) {
        if (cli_default_adapter(default_adapter, sizeof default_adapter) != 0)
            return cli_usage_error("replay", "no bundled guest adapter found beside the binary: "
                                             "give --adapter (run 'make' to build build/guest/)");
        opt.adapter = default_adapter;
    }

    struct mpusim_error err;
    mpusim_error_clear(&err);
    /* Every output is checked and opened before the run, against the inputs. */
    struct outset outs;
    cli_outputs_begin(&outs);
    FILE *ev_f = NULL, *js_f = NULL, *html_f = NULL, *tm_f = NULL;
    if (outset_input(&outs, path, "trace", &err) != 0 ||
        (opt.engine != REPLAY_ENGINE_NATIVE &&
         cli_outputs_guest_inputs(&outs, opt.adapter, opt.elf, opt.core, &err) != 0) ||
        (events_path && !(ev_f = outset_open(&outs, events_path, "--events-out", &err))) ||
        (json_path && !(js_f = outset_open(&outs, json_path, "--json", &err))) ||
        (html_path && !(html_f = outset_open(&outs, html_path, "--html", &err))) ||
        (console_path && !(opt.console = outset_open(&outs, console_path, "--console", &err))) ||
        (tarmac_path && !(tm_f = outset_open(&outs, tarmac_path, "--tarmac", &err)))) {
        cli_outputs_end(&outs);
        return cli_fail(&err);
    }
    FILE *human = outset_uses_stdout(&outs) ? stderr : stdout;
    struct trace t;
    struct trace_reader *rd = trace_reader_open(path, &t, &err);
    if (!rd) {
        cli_outputs_end(&outs);
        return cli_fail(&err);
    }
    struct tarmac_export tx; /* before replay_new: the guest's boot is part of the trace */
    tarmac_export_init(&tx, tm_f, tarmac_path, !opt.no_timing);
    if (tm_f) {
        opt.on_exec = tarmac_export_exec;
        opt.exec_opaque = &tx;
    }
    struct replay *r = replay_new(&t, &opt, &err);
    struct report_collector *rc_html = NULL;
    if (!r || (html_f && !(rc_html = report_collector_new(r, &err)))) {
        replay_free(r);
        trace_reader_free(rd);
        trace_fini(&t);
        cli_outputs_end(&outs);
        return cli_fail(&err);
    }
    /* Events are replayed as they are read; --events-out lines are written as they come (and
     * flushed whenever the reader waits for input, for a live pipe). */
    struct cli_progress prog;
    cli_progress_init(&prog, progress_mode, "replay", "events");
    cli_progress_total(&prog, cli_progress_file_size(path), CLI_PROGRESS_BYTES, NULL);
    struct replay_outputs ro = { ev_f, rc_html, &prog, rd };
    struct replay_stream_sink sink = { write_event, flush_events, NULL, &ro };
    int stream_rc = replay_run_stream(&r, 1, rd, &sink, &err);
    cli_progress_end(&prog);
    if (stream_rc != 0) {
        cli_outputs_end(&outs);
        report_collector_free(rc_html);
        replay_free(r);
        trace_reader_free(rd);
        trace_fini(&t);
        return cli_fail(&err);
    }
    trace_reader_free(rd);
    if (r->failed && r->failed != 3) { /* engine failure (2) or lockstep divergence (1) */
        int code = r->failed == 2 ? 1 : 2;
        cli_outputs_end(&outs);
        report_collector_free(rc_html);
        cli_fail(&r->engine_err);
        if (r->lockstep_report[0])
            fputs(r->lockstep_report, stderr);
        replay_free(r);
        trace_fini(&t);
        return code;
    }
    if (js_f)
        replay_write_summary_json(js_f, r);
    int html_bad = rc_html && report_write_replay(html_f, r, rc_html, &err) != 0;
    report_collector_free(rc_html);
    if (html_bad || (tm_f && tarmac_export_finish(&tx, &err) != 0) ||
        outset_commit(&outs, &err) != 0) {
        cli_outputs_end(&outs);
        replay_free(r);
        trace_fini(&t);
        return cli_fail(&err);
    }
    cli_outputs_end(&outs);
    if (!quiet)
        replay_write_summary_text(human, r);
    if (r->guest_stop.event >= 0) {
        const struct replay_guest_stop *g = &r->guest_stop;
        char at[160] = "";
        if (r->ev && r->ev->line > 0) /* the stop ends the replay: the last event's line */
            snprintf(at, sizeof at, ":%d", r->ev->line);
        fprintf(stderr, "mpusim: %s%s: event %ld: the guest stopped in %s: %s at %s%s%s\n",
                t.source, at, g->event, g->call, g->what, g->where, g->source[0] ? ", " : "",
                g->source);
    }
    for (unsigned k = 0; k < r->nmismatches; k++) {
        const struct replay_mismatch *m = &r->mismatches[k];
        if (m->line > 0)
            fprintf(stderr, "mpusim: %s:%d: event %ld: %s\n", t.source, m->line, m->event, m->text);
        else
            fprintf(stderr, "mpusim: %s: event %ld: %s\n", t.source, m->event, m->text);
    }
    if (r->expect_failed > r->nmismatches)
        fprintf(stderr, "mpusim: ... %llu more expectation mismatches\n",
                (unsigned long long)(r->expect_failed - r->nmismatches));
    int rc = r->expect_failed || r->guest_stop.event >= 0 ? 1 : 0;
    replay_free(r);
    trace_fini(&t);
    return rc;
}
