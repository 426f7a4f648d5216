/* mpusim: the one command-line program. main() dispatches to one file per subcommand. */
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
    "  import tarmac FILE --out F\n"
    "                 turn a Tarmac trace of a real run into a trace\n"
    "\n"
    "Numbers in options are decimal or 0x hex: no octal (010 is refused), sign or spaces.\n"
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
