/* mpusim import tarmac: a Tarmac trace of a real run turned into a trace v1 (docs/capture.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "replay/replay.h"
#include "replay/tarmac_import.h"

static const char help[] =
    "usage: mpusim import tarmac FILE --out OUT.jsonl [options]\n"
    "\n"
    "Turn a Tarmac trace (FVP TarmacTrace plugin, Cycle Models, RTL, gem5; '-' reads stdin)\n"
    "into trace format v1 JSON Lines that `mpusim replay` and `mpusim compare` read.\n"
    "\n"
    "options:\n"
    "  --out F           the trace to write ('-': stdout); written completely or not at all\n"
    "  --level L         registers (default): every MPU register write as a sysreg event and\n"
    "                    every data access as an access event; calls: every call of an\n"
    "                    adapter op symbol as a map/modify/unmap/unmap_containing/ioremap\n"
    "                    event with expect.rc and expect.used\n"
    "  --elf F           calls: the image that ran (its symbols)\n"
    "  --adapter A       calls: adapter NAME (bundled: mm, xen-upstream) or FILE\n"
    "  --regions N       EL2 MPU regions, 1..255, when the trace has no MPUIR_EL2 value\n"
    "  --fetches         registers: also instruction fetches, as exec accesses merged per\n"
    "                    straight-line run\n"
    "  --quiet           no summary on stderr (and no progress line unless --progress)\n"
    "  --progress, --no-progress\n"
    "                    the progress line on stderr (lines/s, percent of the file, time\n"
    "                    left) always, or never (default: when stderr is a terminal)\n"
    "  -h, --help        this help\n"
    "\n"
    "Register values shown before the first instruction (reset dumps) are the starting state.\n"
    "Lines of unknown types are counted and skipped. The summary goes to stderr.\n"
    "Numbers are decimal or 0x hex (no octal, sign or spaces; docs/cli.md).\n"
    "exit status: 0 success, 2 bad input or usage (file and line named).\n";

static void progress(void *opaque, uint64_t lines, uint64_t bytes)
{
    cli_progress_update(opaque, lines, bytes);
}

static void summary(const struct tarmac_import_stats *st, const char *level)
{
    fprintf(stderr, "import: %llu lines read, %llu instructions; level %s\n",
            (unsigned long long)st->lines, (unsigned long long)st->insns, level);
    fprintf(stderr, "  MPU register writes imported: %llu (+ %llu of the starting state); "
                    "mpu.regions %u%s\n",
            (unsigned long long)st->reg_writes, (unsigned long long)st->start_writes,
            st->regions, st->regions_assumed ? " (assumed: no MPUIR_EL2, no region-register write)" : "");
    fprintf(stderr, "  accesses: %llu data (%llu aborted), %llu fetch runs; %llu at EL3 not "
                    "imported\n",
            (unsigned long long)st->accesses, (unsigned long long)st->aborted,
            (unsigned long long)st->fetches, (unsigned long long)st->el3_accesses);
    fprintf(stderr, "  calls: %llu returned, %llu never returned, %llu nested, %llu entered by "
                    "a branch, %llu entries that were not calls\n",
            (unsigned long long)st->calls, (unsigned long long)st->unreturned,
            (unsigned long long)st->nested, (unsigned long long)st->branch_entries,
            (unsigned long long)st->not_calls);
    fprintf(stderr, "  events written: %llu; register lines of unused registers: %llu\n",
            (unsigned long long)st->events, (unsigned long long)st->unknown_regs);
    fprintf(stderr, "  lines skipped: %llu", (unsigned long long)st->skipped);
    for (unsigned i = 0; i < st->ntypes; i++)
        fprintf(stderr, "%s %s %llu", i ? "," : ":", st->type[i].type[0] ? st->type[i].type : "?",
                (unsigned long long)st->type[i].lines);
    if (st->other_types)
        fprintf(stderr, ", other types %llu", (unsigned long long)st->other_types);
    fputc('\n', stderr);
}

int cli_import(int argc, char **argv)
{
    enum { O_OUT = 256, O_LEVEL, O_ELF, O_ADAPTER, O_REGIONS, O_FETCHES, O_QUIET, O_PROGRESS,
           O_NO_PROGRESS };
    static const struct option longopts[] = {
        { "out", required_argument, NULL, O_OUT },
        { "level", required_argument, NULL, O_LEVEL },
        { "elf", required_argument, NULL, O_ELF },
        { "adapter", required_argument, NULL, O_ADAPTER },
        { "regions", required_argument, NULL, O_REGIONS },
        { "fetches", no_argument, NULL, O_FETCHES },
        { "quiet", no_argument, NULL, O_QUIET },
        { "progress", no_argument, NULL, O_PROGRESS },
        { "no-progress", no_argument, NULL, O_NO_PROGRESS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct tarmac_import_options o;
    memset(&o, 0, sizeof o);
    const char *out = NULL, *adapter = NULL;
    int quiet = 0, progress_mode = -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case O_OUT: out = optarg; break;
        case O_LEVEL:
            if (!strcmp(optarg, "registers"))
                o.level = TARMAC_IMPORT_REGISTERS;
            else if (!strcmp(optarg, "calls"))
                o.level = TARMAC_IMPORT_CALLS;
            else
                return cli_usage_error("import", "--level: expected registers or calls");
            break;
        case O_ELF: o.elf = optarg; break;
        case O_ADAPTER: adapter = optarg; break;
        case O_REGIONS:
            if (cli_opt_regions("import", optarg, 1, &o.regions))
                return 2;
            break;
        case O_FETCHES: o.fetches = 1; break;
        case O_QUIET: quiet = 1; break;
        case O_PROGRESS: progress_mode = 1; break;
        case O_NO_PROGRESS: progress_mode = 0; break;
        default:
            return cli_opt_error("import", c, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("import", "expected a format: mpusim import tarmac FILE --out F");
    if (strcmp(argv[optind], "tarmac") != 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "unknown format '%s': only 'tarmac' is imported", argv[optind]);
        return cli_usage_error("import", msg);
    }
    if (optind + 2 != argc)
        return cli_usage_error("import", optind + 1 >= argc ? "missing the Tarmac FILE"
                                                            : "one Tarmac FILE only");
    const char *path = argv[optind + 1];
    if (!out)
        return cli_usage_error("import", "--out F is required ('-' for stdout)");
    if (o.level == TARMAC_IMPORT_REGISTERS && (o.elf || adapter))
        return cli_usage_error("import", "--elf and --adapter are for --level calls");
    if (o.level == TARMAC_IMPORT_CALLS && o.fetches)
        return cli_usage_error("import", "--fetches is for --level registers");
    if (o.level == TARMAC_IMPORT_CALLS && !o.elf)
        return cli_usage_error("import", "--level calls needs --elf (the image that ran)");
    if (o.level == TARMAC_IMPORT_CALLS && !adapter)
        return cli_usage_error("import", "--level calls needs --adapter NAME or FILE");
    char adapter_path[4096];
    if (adapter) {
        if (cli_find_adapter(adapter, adapter_path, sizeof adapter_path) != 0) {
            char msg[300];
            snprintf(msg, sizeof msg, "--adapter %s: no such file, and no bundled adapter of "
                     "that name (mm, xen-upstream)", adapter);
            return cli_usage_error("import", msg);
        }
        o.adapter = adapter_path;
    }
    struct cli_progress prog; /* lines read, bytes of the Tarmac file */
    cli_progress_init(&prog, progress_mode < 0 && quiet ? 0 : progress_mode, "import", "lines");
    cli_progress_total(&prog, cli_progress_file_size(path), CLI_PROGRESS_BYTES, NULL);
    o.on_progress = progress;
    o.opaque = &prog;

    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct outset outs; /* the output is checked against the inputs before the work */
    cli_outputs_begin(&outs);
    FILE *f = NULL;
    if (outset_input(&outs, path, "Tarmac trace", &err) != 0 ||
        (o.elf && outset_input(&outs, o.elf, "ELF", &err) != 0) ||
        (o.adapter && outset_input(&outs, o.adapter, "adapter", &err) != 0) ||
        !(f = outset_open(&outs, out, "--out", &err))) {
        cli_outputs_end(&outs);
        return cli_fail(&err);
    }
    struct tarmac_import_stats st;
    cli_progress_update(&prog, 0, 0);
    int rc = tarmac_import(path, f, &o, &st, &err);
    cli_progress_end(&prog);
    if (rc != 0 || outset_commit(&outs, &err) != 0) {
        cli_outputs_end(&outs);
        return cli_fail(&err);
    }
    cli_outputs_end(&outs);
    if (!quiet)
        summary(&st, o.level == TARMAC_IMPORT_CALLS ? "calls" : "registers");
    return 0;
}
