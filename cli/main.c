/* mpusim: the one command-line program. main() dispatches to one file per subcommand. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

#define MPUSIM_VERSION "0.1.0"

static const char usage[] =
    "usage: mpusim <command> [options]\n"
    "\n"
    "Simulator of the Armv8-R AArch64 MPU and of the hypervisor code that programs it.\n"
    "\n"
    "commands:\n"
    "  replay TRACE   replay a map/unmap/access trace through Xen's MPU algorithm on the\n"
    "                 MPU model; report region occupancy, faults and per-call cost\n"
    "  compare TRACE...\n"
    "                 replay traces with several algorithms; one table of occupancy,\n"
    "                 failed calls, register writes, barriers and faults per trace\n"
    "  fuzz           generate edge-biased op sequences, check invariants after every op,\n"
    "                 shrink and write the first violation as a replayable trace\n"
    "  run ELF        run an AArch64 guest (e.g. a hypervisor build) as EL2 on the MPU\n"
    "                 model; report how it stopped, faults and MPU statistics\n"
    "\n"
    "  mpusim <command> --help   options of a command\n"
    "  mpusim --version          version\n";

int cli_fail(const struct mpusim_error *err)
{
    char buf[600];
    fprintf(stderr, "mpusim: %s\n", mpusim_error_format(err, buf, sizeof buf));
    return 2;
}

int cli_usage_error(const char *cmd, const char *msg)
{
    fprintf(stderr, "mpusim %s: %s\n(see 'mpusim %s --help')\n", cmd, msg, cmd);
    return 2;
}

int cli_opt_algo(const char *cmd, const char *arg, enum mm_algo *algo, unsigned *reserve_k)
{
    struct mm_options mo = { .algo = MM_ALGO_XEN };
    if (mm_algo_parse(arg, &mo) != 0)
        return cli_usage_error(cmd, "--algo: expected xen, xen-transient, merge, lazy, reserve "
                                    "or reserve:K (K 0..254)");
    *algo = mo.algo;
    *reserve_k = mo.reserve_k;
    return 0;
}

int cli_opt_regions(const char *cmd, const char *arg, unsigned lo, unsigned *regions)
{
    unsigned long v;
    if (cli_parse_uint(arg, lo, 255, &v) != 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "--regions: expected a number %u..255", lo);
        return cli_usage_error(cmd, msg);
    }
    *regions = (unsigned)v;
    return 0;
}

int cli_opt_fsc(const char *cmd, const char *arg, enum mpu_fsc_model *fsc)
{
    int f = mpu_fsc_model_from_name(arg);
    if (f < 0)
        return cli_usage_error(cmd, "--fsc: expected translation, qemu or renode");
    *fsc = (enum mpu_fsc_model)f;
    return 0;
}

int cli_opt_error(const char *cmd, int c, char **argv)
{
    char msg[160];
    snprintf(msg, sizeof msg, c == ':' ? "option '%s' needs a value" : "unknown option '%s'",
             argv[optind - 1]);
    return cli_usage_error(cmd, msg);
}

int cli_parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    if (!s || !*s || *s == '-')
        return -1;
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (*end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_find_bundled(const char *arg, const char *dir, const char *suffix, char *buf,
                     size_t cap)
{
    struct stat st; /* a file in the current directory, not a folder such as mm/ */
    if (strchr(arg, '/') || (stat(arg, &st) == 0 && !S_ISDIR(st.st_mode))) {
        if ((size_t)snprintf(buf, cap, "%s", arg) >= cap)
            return -1;
        return 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    const char *tails[] = { "/", "/../lib/mpusim/" };
    for (int i = 0; i < 2; i++) {
        if ((size_t)snprintf(buf, cap, "%s%s%s/%s%s", exe, tails[i], dir, arg, suffix) >= cap)
            return -1;
        if (access(buf, R_OK) == 0)
            return 0;
    }
    return -1;
}

int cli_default_adapter(char *buf, unsigned long cap)
{
    return cli_find_bundled("mm", "guest", ".adapter.json", buf, cap);
}

int cli_find_adapter(const char *arg, char *buf, unsigned long cap)
{
    return cli_find_bundled(arg, "guest", ".adapter.json", buf, cap);
}

int cli_parse_window(const char *s, uint64_t *base, uint64_t *size)
{
    char tmp[128];
    if (snprintf(tmp, sizeof tmp, "%s", s) >= (int)sizeof tmp)
        return -1;
    char *colon = strchr(tmp, ':');
    unsigned long b, n;
    if (!colon)
        return -1;
    *colon = '\0';
    if (cli_parse_uint(tmp, 0, ~0ul, &b) != 0 || cli_parse_uint(colon + 1, 1, ~0ul, &n) != 0)
        return -1;
    *base = b;
    *size = n;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("mpusim %s\n", MPUSIM_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "replay"))
        return cli_replay(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare"))
        return cli_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "fuzz"))
        return cli_fuzz(argc - 1, argv + 1);
    if (!strcmp(cmd, "run"))
        return cli_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "import"))
        return cli_import(argc - 1, argv + 1);
    fprintf(stderr, "mpusim: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
