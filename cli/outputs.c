/* The outputs of a command as one set (replay/outfile.h): inputs registered, temporaries
 * removed on SIGINT/SIGTERM/SIGHUP/SIGPIPE (exit 128 + the signal: 130, 143, 129, 141). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "replay/adapter.h"

/* The one piece of process-wide state: a signal handler can reach nothing else. It points at
 * the set of the running command (one per process), or is NULL. */
static struct outset *volatile protected_set;

static void on_signal(int sig)
{
    struct outset *s = protected_set;
    if (s)
        outset_unlink_temporaries(s);
    _exit(128 + sig);
}

void cli_outputs_begin(struct outset *s)
{
    outset_init(s);
    protected_set = s;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old;
        /* a signal ignored on entry stays ignored (nohup, background jobs) */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

void cli_outputs_end(struct outset *s)
{
    protected_set = NULL;
    outset_fini(s);
}

int cli_outputs_guest_inputs(struct outset *s, const char *adapter, const char *elf,
                             const char *core, struct mpusim_error *err)
{
    if (adapter && outset_input(s, adapter, "adapter", err) != 0)
        return -1;
    if (core && outset_input(s, core, "core file", err) != 0)
        return -1;
    if (elf)
        return outset_input(s, elf, "ELF", err);
    if (!adapter)
        return 0;
    /* the ELF the adapter names; an unreadable adapter is reported by the engine */
    struct replay_adapter *ad = malloc(sizeof *ad);
    if (!ad)
        return mpusim_error_set(err, MPUSIM_E_IO, "out of memory");
    int rc = 0;
    if (replay_adapter_read_file(adapter, ad, NULL) == 0 && ad->elf[0])
        rc = outset_input(s, ad->elf, "ELF", err);
    free(ad);
    return rc;
}
