/* mpusim run: run a guest ELF from its entry point in the guest engine (sim/). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "replay/record.h"
#include "sim/platform.h"
#include "replay/replay.h"
#include "replay/tarmac_export.h"
#include "sim/sim.h"

static const char help[] =
    "usage: mpusim run ELF [options]\n"
    "\n"
    "Run the AArch64 ELF from its entry point as if at EL2 of an Armv8-R PE: its MPU\n"
    "registers program the MPU model, and once it sets SCTLR_EL2.M every load, store and\n"
    "instruction fetch is checked. Guest output and exit go through hvc #0 (docs/guest.md).\n"
    "At the end: how it stopped (with a fault report), MPU and engine statistics.\n"
    "\n"
    "options:\n"
    "  --until SYMBOL      stop when execution reaches SYMBOL\n"
    "  --budget N          stop after exactly N instructions (default 10000000)\n"
    "  --regions N         EL2 (and EL1) MPU regions, 0..255 (default 16)\n"
    "  --fsc MODEL         FSC for no-hit / multi-hit faults: translation, qemu, renode\n"
    "  --stub SYM[=VAL]    answer calls of SYM with VAL (default 0) without running it\n"
    "  --ram BASE:SIZE     map a zeroed RAM window (hex or decimal, 4 KiB multiples)\n"
    "  --device BASE:SIZE  map a device window (reads 0, writes ignored)\n"
    "  --uart BASE         a PL011 UART at BASE (4 KiB): what the guest writes to its data\n"
    "                      register goes to stdout (to stderr when an output is '-')\n"
    "  --no-vectors        stop at a fault even when the guest installed vectors\n"
    "  --core FILE         timing costs (default: built-in cores/cortex-r82.json);\n"
    "                      cycles are reported as nominal [min..max] (docs/timing.md)\n"
    "  --no-timing         do not run the timing model\n"
    "  --platform NAME|FILE  boot on a machine: RAM and device windows, GICv3, generic\n"
    "                      timer, PSCI, MPU regions (bundled: fvp-baser; docs/platforms.md)\n"
    "  --dtb FILE[@ADDR]   place a device-tree blob in RAM (default: the platform's DTB\n"
    "                      address) and start with X0 = its address, X1..X3 = 0\n"
    "  --record OUT.jsonl  write every call of an adapter op the guest makes as a trace\n"
    "                      (arguments, expect.rc/used, caller as note; docs/boot.md);\n"
    "                      '-' is stdout: the console and the report then go to stderr\n"
    "  --adapter NAME|FILE which symbols are the ops (bundled: xen-upstream)\n"
    "  --tarmac FILE       write the execution as a Tarmac trace for Arm's\n"
    "                      tarmac-trace-utilities (timestamps: cycles, or instruction\n"
    "                      counts with --no-timing; docs/capture.md)\n"
    "  -h, --help          this help\n"
    "\n"
    "The run stops at --until, at the guest's exit call, at a WFI with nothing to wake the\n"
    "PE (idle), at PSCI SYSTEM_OFF/SYSTEM_RESET, or when the guest panics or hits a BUG\n"
    "(its panic/do_bug_frame symbols and console text): the report says which, with the\n"
    "last console lines.\n"
    "\n"
    "Numbers are decimal or 0x hex (no octal, sign or spaces; docs/cli.md).\n"
    "exit status: 0 the guest exited with code 0, reached --until, went idle or powered\n"
    "off; 1 it exited with another code, panicked, hit a BUG, reset, or stopped on a fault,\n"
    "the budget or an exception; 2 bad input or usage.\n";

/* What the run watches for its stop conditions (docs/boot.md): the last console lines, and
 * the guest's panic and BUG paths, found by symbol when the image has them. */
#define RUN_LINES 12
#define RUN_LINE_MAX 200

struct run_ctx {
    struct sim *s;
    char line[RUN_LINES][RUN_LINE_MAX]; /* the last complete console lines (ring) */
    unsigned long nlines;               /* complete lines so far */
    char cur[RUN_LINE_MAX];             /* the line being written */
    size_t ncur;
    int panic_console, bug_console;     /* "Panic on CPU", "Xen BUG at"/"Assertion '" seen */
    char panic_line[RUN_LINE_MAX];      /* the line after "Panic on CPU N:" */
    int panic_wanted_line;
    int panicked, bug;                  /* the panic symbol was entered (inside a BUG frame) */
    unsigned in_bug;                    /* BUG-frame handlers active */
    int has_halt;                       /* the image has a halt/restart symbol to stop at */
    char panic_at[160];                 /* caller of panic, symbol+offset */
    char panic_fmt[RUN_LINE_MAX];       /* its format string */
    FILE *human; /* the guest's console and the report: stdout, or stderr when an output is
                  * stdout ('-'), so that the trace written there stays a trace */
};

static const char *const panic_syms[] = { "panic", NULL };
static const char *const bug_syms[] = { "do_bug_frame", NULL };
static const char *const halt_syms[] = { "machine_restart", "machine_halt", NULL };

static void end_line(struct run_ctx *c)
{
    c->cur[c->ncur] = '\0';
    const char *text = c->cur;
    if (c->panic_wanted_line && strlen(text) > 0) {
        const char *t = strncmp(text, "(XEN) ", 6) ? text : text + 6;
        snprintf(c->panic_line, sizeof c->panic_line, "%s", t);
        c->panic_wanted_line = 0;
    }
    if (strstr(text, "Panic on CPU")) {
        c->panic_console = 1;
        c->panic_wanted_line = 1;
    }
    if (strstr(text, "Xen BUG at") || strstr(text, "Assertion '"))
        c->bug_console = 1;
    snprintf(c->line[c->nlines % RUN_LINES], RUN_LINE_MAX, "%s", text);
    c->nlines++;
    c->ncur = 0;
}

static void to_stdout(void *opaque, const char *buf, size_t len)
{
    struct run_ctx *c = opaque;
    fwrite(buf, 1, len, c && c->human ? c->human : stdout);
    if (!c)
        return;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n')
            end_line(c);
        else if (buf[i] != '\r' && c->ncur < RUN_LINE_MAX - 1)
            c->cur[c->ncur++] = buf[i];
    }
}

static void panic_text(const struct run_ctx *c, char *buf, size_t cap)
{
    const char *msg = c->panic_line[0] ? c->panic_line : c->panic_fmt;
    snprintf(buf, cap, "%s in %s: %s", c->bug || c->bug_console ? "BUG" : "panic",
             c->panic_at[0] ? c->panic_at : "?", msg[0] ? msg : "(no message)");
}

static void on_stop_symbol(void *opaque, struct sim *s, int is_return,
                           const struct sim_watch_call *w)
{
    struct run_ctx *c = opaque;
    char what[400];
    for (int i = 0; bug_syms[i]; i++)
        if (!strcmp(w->symbol, bug_syms[i])) {
            if (is_return && c->in_bug)
                c->in_bug--; /* a warning: the handler returned */
            else if (!is_return)
                c->in_bug++;
            return;
        }
    for (int i = 0; panic_syms[i]; i++)
        if (!strcmp(w->symbol, panic_syms[i])) {
            c->panicked = 1;
            c->bug |= c->in_bug > 0;
            sim_symbolize(s, w->lr, c->panic_at, sizeof c->panic_at);
            size_t n = 0;
            while (n < sizeof c->panic_fmt - 1 &&
                   sim_mem_read(s, w->args[0] + n, &c->panic_fmt[n], 1, NULL) == 0 &&
                   c->panic_fmt[n] && c->panic_fmt[n] != '\n')
                n++;
            c->panic_fmt[n] = '\0';
            if (!c->has_halt) { /* nowhere later to stop: stop before it prints */
                panic_text(c, what, sizeof what);
                sim_watch_stop(s, SIM_STOP_PANIC, what);
            }
            return;
        }
    if (c->panicked || c->panic_console) {
        panic_text(c, what, sizeof what);
        sim_watch_stop(s, SIM_STOP_PANIC, what);
    } else {
        snprintf(what, sizeof what, "the guest called %s (from %s)", w->symbol,
                 sim_symbolize(s, w->lr, c->panic_at, sizeof c->panic_at));
        sim_watch_stop(s, SIM_STOP_POWER, what);
    }
}

/* Watch the stop symbols the image has. 0, or -1 with err. */
static int watch_stops(struct run_ctx *c, struct mpusim_error *err)
{
    struct sim_symbol y;
    const char *const *lists[] = { halt_syms, bug_syms, panic_syms };
    for (int l = 0; l < 3; l++)
        for (int i = 0; lists[l][i]; i++) {
            if (sim_symbol(c->s, lists[l][i], &y, NULL) != 0)
                continue;
            if (sim_watch(c->s, lists[l][i], lists[l] == bug_syms, on_stop_symbol, c, err) != 0)
                return -1;
            c->has_halt |= lists[l] == halt_syms;
        }
    return 0;
}

static void print_last_lines(const struct run_ctx *c)
{
    if (!c->nlines)
        return;
    unsigned long from = c->nlines > RUN_LINES ? c->nlines - RUN_LINES : 0;
    fprintf(c->human, "last console lines:\n");
    for (unsigned long i = from; i < c->nlines; i++)
        fprintf(c->human, "  | %s\n", c->line[i % RUN_LINES]);
}

/* Read the whole file; *data is malloc'ed. 0, or -1 with err. */
static int slurp(const char *path, char **data, size_t *len, struct mpusim_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "cannot open: %s",
                               strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap >= (64u << 20))
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "out of memory reading it");
    if (bad) {
        free(buf);
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "read error");
    }
    *data = buf;
    *len = n;
    return 0;
}

/* --dtb FILE[@ADDR]: place the blob and pass its address in X0 (X1..X3 = 0). */
static int place_dtb(struct sim *s, const char *arg, uint64_t dtb_addr, uint64_t dflt,
                     struct mpusim_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", arg);
    uint64_t addr = dflt;
    char *at = strrchr(path, '@');
    if (at) {
        *at = '\0';
        addr = dtb_addr; /* checked with the options */
    } else if (dflt == UINT64_MAX) {
        return mpusim_error_at(err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                               "--dtb %s: the platform has no DTB window; give FILE@ADDR", arg);
    }
    char *blob = NULL;
    size_t len = 0;
    if (slurp(path, &blob, &len, err) != 0)
        return -1;
    int rc = sim_platform_load_dtb(s, blob, len, addr, path, err);
    free(blob);
    if (rc != 0)
        return -1;
    if (sim_reg_write(s, 0, addr, err) != 0)
        return -1;
    for (unsigned r = 1; r <= 3; r++)
        if (sim_reg_write(s, r, 0, err) != 0)
            return -1;
    return 0;
}

static void print_stats(struct sim *s, FILE *h)
{
    const struct sim_stats *st = sim_stats(s);
    const struct mpu *m = sim_mpu(s);
    const struct mpu_unit *u = mpu_unit_of(m, 2);
    fprintf(h, "instructions: %llu\n", (unsigned long long)st->insns);
    fprintf(h, "system registers: %llu reads, %llu writes; cache ops %llu, TLB ops %llu\n",
           (unsigned long long)st->sysreg_reads, (unsigned long long)st->sysreg_writes,
           (unsigned long long)st->cache_ops, (unsigned long long)st->tlb_ops);
    fprintf(h, "MPU: SCTLR_EL2 0x%llx, %u of %u EL2 regions enabled (peak %u), %llu checks "
           "(%llu fetch blocks, %llu loads/stores)\n",
           (unsigned long long)u->sctlr, u->enabled, u->nregions, u->enabled_hwm,
           (unsigned long long)m->ctr.checks, (unsigned long long)st->fetch_checks,
           (unsigned long long)st->data_checks);
    fprintf(h, "faults: %llu taken to guest vectors, %llu stopped the run; %llu stores undone\n",
           (unsigned long long)st->faults_taken, (unsigned long long)st->faults_stopped,
           (unsigned long long)st->stores_undone);
    if (st->stub_calls || st->hvc_calls)
        fprintf(h, "stub calls: %llu; service calls: %llu\n", (unsigned long long)st->stub_calls,
               (unsigned long long)st->hvc_calls);
    if (st->unknown_reads || st->unknown_writes) {
        fprintf(h, "unmodelled registers (read as 0, writes ignored): %llu reads, %llu writes\n",
               (unsigned long long)st->unknown_reads, (unsigned long long)st->unknown_writes);
        for (unsigned i = 0; i < st->nunknown; i++) {
            unsigned e = st->unknown[i].enc;
            fprintf(h, "  S%u_%u_C%u_C%u_%u: %llu reads, %llu writes\n", e >> 14, (e >> 11) & 7,
                   (e >> 7) & 15, (e >> 3) & 15, e & 7, (unsigned long long)st->unknown[i].reads,
                   (unsigned long long)st->unknown[i].writes);
        }
    }
    char buf[8192];
    if (u->enabled) {
        mpu_dump(m, 2, buf, sizeof buf);
        fprintf(h, "EL2 MPU regions:\n%s", buf);
    }
    if (sim_platform_format(s, buf, sizeof buf))
        fputs(buf, h);
}

int cli_run(int argc, char **argv)
{
    enum { O_UNTIL = 256, O_BUDGET, O_REGIONS, O_FSC, O_STUB, O_RAM, O_DEVICE, O_NOVEC, O_CORE,
           O_NOTIMING, O_UART, O_PLATFORM, O_DTB, O_RECORD, O_ADAPTER,
           O_TARMAC };
    static const struct option longopts[] = {
        { "until", required_argument, NULL, O_UNTIL },
        { "budget", required_argument, NULL, O_BUDGET },
        { "regions", required_argument, NULL, O_REGIONS },
        { "fsc", required_argument, NULL, O_FSC },
        { "stub", required_argument, NULL, O_STUB },
        { "ram", required_argument, NULL, O_RAM },
        { "device", required_argument, NULL, O_DEVICE },
        { "no-vectors", no_argument, NULL, O_NOVEC },
        { "core", required_argument, NULL, O_CORE },
        { "no-timing", no_argument, NULL, O_NOTIMING },
        { "uart", required_argument, NULL, O_UART },
        { "platform", required_argument, NULL, O_PLATFORM },
        { "dtb", required_argument, NULL, O_DTB },
        { "record", required_argument, NULL, O_RECORD },
        { "adapter", required_argument, NULL, O_ADAPTER },
        { "tarmac", required_argument, NULL, O_TARMAC },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct sim_options o;
    sim_options_default(&o);
    struct run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.human = stdout;
    o.on_console = to_stdout;
    o.opaque = &ctx;
    o.timing = 1;
    struct sim_core core; /* a few KiB: fine on the stack of the command */
    sim_core_default(&core);
    const char *core_path = NULL;
    const char *until = NULL, *tarmac = NULL;
    struct tarmac_export tx;
    struct outset outs;
    const char *uart_arg = NULL;
    uint64_t uart_base = 0, dtb_addr = 0;
    struct sim_pl011 uart;
    sim_pl011_init(&uart, to_stdout, &ctx);
    const char *platform = NULL, *dtb = NULL, *record = NULL, *adapter = NULL;
    int regions_given = 0;
    const char *stubs[64];
    uint64_t stub_val[64];
    unsigned nstubs = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case O_UNTIL:
            until = optarg;
            break;
        case O_BUDGET:
            if (cli_opt_u64("run", "--budget", optarg, 1, UINT64_MAX, &o.budget))
                return 2;
            break;
        case O_REGIONS:
            if (cli_opt_regions("run", optarg, 0, &o.mpu.regions_el2))
                return 2;
            o.mpu.regions_el1 = o.mpu.regions_el2;
            regions_given = 1;
            break;
        case O_FSC:
            if (cli_opt_fsc("run", optarg, &o.mpu.fsc))
                return 2;
            break;
        case O_STUB: {
            if (nstubs == sizeof stubs / sizeof stubs[0])
                return cli_usage_error("run", "too many --stub options (at most 64)");
            const char *eq = strchr(optarg, '=');
            if (eq && cli_opt_u64("run", "--stub VAL", eq + 1, 0, UINT64_MAX, &stub_val[nstubs]))
                return 2;
            stubs[nstubs++] = optarg;
            break;
        }
        case O_RAM:
        case O_DEVICE:
            if (o.nwindows == SIM_MAX_WINDOWS)
                return cli_usage_error("run", "too many --ram/--device windows");
            if (cli_opt_window("run", c == O_RAM ? "--ram" : "--device", optarg,
                               &o.window[o.nwindows].base, &o.window[o.nwindows].size))
                return 2;
            o.window[o.nwindows].what = c == O_RAM ? "--ram window" : "--device window";
            o.window[o.nwindows++].kind = c == O_RAM ? SIM_WINDOW_RAM : SIM_WINDOW_DEVICE;
            break;
        case O_NOVEC:
            o.deliver_faults = 0;
            break;
        case O_CORE:
            core_path = optarg;
            break;
        case O_NOTIMING:
            o.timing = 0;
            break;
        case O_TARMAC:
            tarmac = optarg;
            break;
        case O_UART:
            if (cli_opt_page_address("run", "--uart", optarg, &uart_base))
                return 2;
            uart_arg = optarg;
            break;
        case O_PLATFORM:
            platform = optarg;
            break;
        case O_DTB: {
            const char *at = strrchr(optarg, '@');
            if (at && cli_opt_u64("run", "--dtb ADDR", at + 1, 0, UINT64_MAX, &dtb_addr))
                return 2;
            dtb = optarg;
            break;
        }
        case O_RECORD:
            record = optarg;
            break;
        case O_ADAPTER:
            adapter = optarg;
            break;
        default:
            return cli_opt_error("run", c, argv);
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("run", "expected exactly one ELF file");
    const char *elf = argv[optind];
    struct mpusim_error err;
    mpusim_error_clear(&err);
    if (core_path && sim_core_read_file(core_path, &core, &err) != 0)
        return cli_fail(&err);
    o.core = &core;
    if (record && !adapter)
        return cli_usage_error("run", "--record needs --adapter (which symbols are the ops)");
    if (dtb && !platform)
        return cli_usage_error("run", "--dtb needs --platform (where RAM is)");
    struct sim_platform plat;
    if (platform) {
        char path[4096];
        if (cli_find_bundled(platform, "platforms", ".json", path, sizeof path) != 0) {
            mpusim_error_at(&err, MPUSIM_E_IO, platform, -1, -1, -1,
                            "no such platform file, and no bundled platform of that name");
            return cli_fail(&err);
        }
        if (sim_platform_read_file(path, &plat, &err) != 0)
            return cli_fail(&err);
        if (regions_given)
            plat.regions = o.mpu.regions_el2;
        o.mpu.regions_el2 = o.mpu.regions_el1 = plat.regions;
        o.stack_size = 0; /* the guest sets up its own stack in the platform's RAM */
    }
    tarmac_export_init(&tx, NULL, tarmac, o.timing); /* the file is opened once the set-up is done */
    if (tarmac) {
        o.on_exec = tarmac_export_exec;
        o.exec_opaque = &tx;
    }
    struct sim *s = sim_new(&o, &err);
    if (!s || sim_load_elf(s, elf, &err) != 0 ||
        (platform && sim_platform_attach(s, &plat, &err) != 0) ||
        (dtb && place_dtb(s, dtb, dtb_addr, plat.dtb_size ? plat.dtb_base : UINT64_MAX, &err) != 0)) {
        sim_free(s);
        return cli_fail(&err);
    }
    struct sim_device dev = sim_pl011_device(&uart);
    struct mpusim_error uerr;
    mpusim_error_clear(&uerr);
    if (uart_arg && sim_map_device(s, uart_base, SIM_PL011_SIZE, &dev, &uerr) != 0) {
        sim_free(s);
        mpusim_error_at(&err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1, "--uart %s: %s", uart_arg,
                        uerr.text);
        return cli_fail(&err);
    }
    for (unsigned i = 0; i < nstubs; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s", stubs[i]);
        char *eq = strchr(name, '=');
        uint64_t val = 0;
        if (eq) { /* VAL was checked with the options */
            *eq = '\0';
            val = stub_val[i];
        }
        if (sim_stub(s, name, val, &err) != 0) {
            sim_free(s);
            return cli_fail(&err);
        }
    }
    ctx.s = s;
    struct replay_recorder *rec = NULL;
    if (watch_stops(&ctx, &err) != 0) {
        sim_free(s);
        return cli_fail(&err);
    }
    /* --tarmac and --record: one output set, checked against the inputs before the run and
     * committed together after it */
    char apath[4096];
    FILE *rec_f = NULL;
    if (record && cli_find_adapter(adapter, apath, sizeof apath) != 0) {
        sim_free(s);
        mpusim_error_at(&err, MPUSIM_E_IO, adapter, -1, -1, -1,
                        "no such adapter file, and no bundled adapter of that name");
        return cli_fail(&err);
    }
    cli_outputs_begin(&outs);
    if (outset_input(&outs, elf, "ELF", &err) != 0 ||
        (record && outset_input(&outs, apath, "adapter", &err) != 0) ||
        (core_path && outset_input(&outs, core_path, "core file", &err) != 0) ||
        (tarmac && !(tx.f = outset_open(&outs, tarmac, "--tarmac", &err))) ||
        (record && !(rec_f = outset_open(&outs, record, "--record", &err)))) {
        cli_outputs_end(&outs);
        sim_free(s);
        return cli_fail(&err);
    }
    ctx.human = outset_uses_stdout(&outs) ? stderr : stdout;
    if (record) {
        struct replay_adapter *ad = malloc(sizeof *ad);
        if (!ad)
            mpusim_error_set(&err, MPUSIM_E_ENGINE, "out of memory");
        else if (replay_adapter_read_file(apath, ad, &err) == 0)
            rec = replay_recorder_new(s, ad, rec_f, "mpusim run --record", &err);
        free(ad);
        if (!rec) {
            cli_outputs_end(&outs);
            sim_free(s);
            return cli_fail(&err);
        }
    }
    struct sim_stop st;
    int rc = sim_run(s, sim_entry(s), until, 0, &st, &err);
    fflush(ctx.human);
    if (rc != 0 && st.kind == SIM_STOP_NONE) { /* e.g. --until names no symbol */
        replay_recorder_free(rec);
        sim_free(s);
        cli_outputs_end(&outs);
        return cli_fail(&err);
    }
    if (ctx.ncur) /* a last line without its newline */
        end_line(&ctx);
    if ((ctx.panicked || ctx.panic_console) &&
        (st.kind == SIM_STOP_BUDGET || st.kind == SIM_STOP_IDLE || st.kind == SIM_STOP_POWER)) {
        /* the guest panicked and then spun, waited or reset: the panic is what happened */
        char what[400], was[160];
        snprintf(was, sizeof was, "%s", st.kind == SIM_STOP_BUDGET ? "budget exhausted"
                                        : st.what[0]                ? st.what
                                                                    : sim_stop_kind_name(st.kind));
        panic_text(&ctx, what, sizeof what);
        snprintf(st.what, sizeof st.what, "%.86s (then: %.30s)", what, was);
        st.kind = SIM_STOP_PANIC;
    }
    /* the traces of a run that stopped on a fault are results too */
    mpusim_error_clear(&err);
    if ((tarmac && tarmac_export_finish(&tx, &err) != 0) ||
        (rec && replay_recorder_finish(rec, &err) != 0) || outset_commit(&outs, &err) != 0) {
        cli_outputs_end(&outs);
        replay_recorder_free(rec);
        sim_free(s);
        return cli_fail(&err);
    }
    cli_outputs_end(&outs);
    if (tarmac)
        fprintf(stderr, "run: %llu instructions written to %s\n", (unsigned long long)tx.insns,
                tarmac);
    char report[4096];
    sim_stop_format(s, &st, report, sizeof report);
    fprintf(ctx.human, "\n--- mpusim run: %s", report);
    if (st.kind == SIM_STOP_PANIC || st.kind == SIM_STOP_POWER || st.kind == SIM_STOP_IDLE ||
        st.kind == SIM_STOP_BUDGET || st.kind == SIM_STOP_FAULT || st.kind == SIM_STOP_EXCEPTION)
        print_last_lines(&ctx);
    print_stats(s, ctx.human);
    if (o.timing)
        fprintf(ctx.human, "cycles: %llu nominal [%llu..%llu] (%s %s, cycle-approximate; %llu mispredicts; "
               "docs/timing.md)\n",
               (unsigned long long)st.cycles.nominal, (unsigned long long)st.cycles.min,
               (unsigned long long)st.cycles.max, core.name, core.version,
               (unsigned long long)sim_stats(s)->mispredicts);
    int status = (st.kind == SIM_STOP_UNTIL || (st.kind == SIM_STOP_EXIT && st.exit_code == 0) ||
                  st.kind == SIM_STOP_RETURNED || st.kind == SIM_STOP_IDLE ||
                  (st.kind == SIM_STOP_POWER && !strstr(st.what, "RESET") &&
                   !strstr(st.what, "restart")))
                     ? 0
                     : 1;
    if (rec) {
        unsigned long calls = replay_recorder_calls(rec), nested = replay_recorder_nested(rec),
                      open_calls = replay_recorder_unfinished(rec);
        fprintf(ctx.human, "recorded %lu calls to %s (%lu calls made inside them not recorded again; %lu "
               "still active at the stop, not recorded)\n", calls, record, nested, open_calls);
        replay_recorder_free(rec);
    }
    sim_free(s);
    return status;
}
