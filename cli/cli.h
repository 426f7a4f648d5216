#ifndef MPUSIM_CLI_CLI_H
#define MPUSIM_CLI_CLI_H
/* Subcommands of mpusim. Each takes argc/argv starting at the subcommand name and returns the
 * process exit code: 0 success, 1 an expectation or check failed, 2 bad input or usage. */
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "mm/mm.h"
#include "mpu_model/mpu.h"
#include "replay/outfile.h"

int cli_replay(int argc, char **argv);
int cli_compare(int argc, char **argv); /* cli/compare.c: algorithms side by side */
int cli_fuzz(int argc, char **argv); /* cli/fuzz.c: generated sequences, invariants, shrinking */
int cli_run(int argc, char **argv); /* cli/run.c: run a guest ELF in the guest engine */
int cli_import(int argc, char **argv); /* cli/import.c: Tarmac traces to trace v1 */

/* Print "mpusim: <formatted error>" to stderr and return 2. */
int cli_fail(const struct mpusim_error *err);
/* Print "mpusim <cmd>: <msg>" and a hint to use --help; return 2. */
int cli_usage_error(const char *cmd, const char *msg);
/* Path of the bundled guest adapter: <dir of the binary>/guest/mm.adapter.json, else
 * <dir of the binary>/../lib/mpusim/guest/mm.adapter.json. 0 and buf filled, or -1. */
int cli_default_adapter(char *buf, unsigned long cap);
/* A file by name, or by the name of a bundled one: arg itself when it exists or has a '/',
 * else <dir of the binary>/DIR/ARG.SUFFIX, else <dir of the binary>/../lib/mpusim/DIR/ARG.SUFFIX
 * (platforms/NAME.json, guest/NAME.adapter.json). 0 and buf filled, or -1. */
int cli_find_bundled(const char *arg, const char *dir, const char *suffix, char *buf,
                     size_t cap);
/* The adapter --adapter names: a file, or a bundled adapter by name ("mm", "xen-upstream"). */
int cli_find_adapter(const char *arg, char *buf, unsigned long cap);
/* cli/options.c: option values shared by the commands. Numbers are decimal or 0x hex only
 * (common/number.h: no octal, sign or spaces). Each parses arg, prints a usage error naming
 * cmd, the option, the value and what was expected on failure, and returns 0 (value written)
 * or 2 (the exit code; nothing written). Bounds are inclusive. */
int cli_opt_u64(const char *cmd, const char *opt, const char *arg, uint64_t lo, uint64_t hi,
                uint64_t *out);
int cli_opt_unsigned(const char *cmd, const char *opt, const char *arg, unsigned lo,
                     unsigned hi, unsigned *out);
/* A 4 KiB-aligned address (--uart). */
int cli_opt_page_address(const char *cmd, const char *opt, const char *arg, uint64_t *out);
/* BASE:SIZE (--ram, --device): SIZE >= 1 and BASE + SIZE <= 2^64. */
int cli_opt_window(const char *cmd, const char *opt, const char *arg, uint64_t *base,
                   uint64_t *size);
/* --shard K/N: 1 <= K <= N <= 1000000. */
int cli_opt_shard(const char *cmd, const char *arg, unsigned *k, unsigned *n);
/* Seconds as decimal digits with an optional fraction ("30", "2.5"), 0 < T <= 1e9. */
int cli_opt_seconds(const char *cmd, const char *opt, const char *arg, double *out);
int cli_opt_algo(const char *cmd, const char *arg, enum mm_algo *algo, unsigned *reserve_k);
int cli_opt_regions(const char *cmd, const char *arg, unsigned lo, unsigned *regions);
int cli_opt_fsc(const char *cmd, const char *arg, enum mpu_fsc_model *fsc);
/* The usage error of a getopt_long result c that is ':' (missing value) or '?' (unknown
 * option, or a value given to an option that takes none), naming the option; returns 2.
 * Commands pass an optstring starting with ':' so that a missing value is told apart. */
int cli_opt_error(const char *cmd, int c, char **argv);
/* cli/outputs.c: a command's outputs as one set. begin: outset_init, and SIGINT/SIGTERM/SIGHUP/
 * SIGPIPE remove its temporaries and exit 128 + signal; end: abort what was not committed and
 * drop the handler's reference. guest_inputs registers the adapter, the ELF (elf, else the
 * adapter's) and the core file as inputs (NULL: none). */
void cli_outputs_begin(struct outset *s);
void cli_outputs_end(struct outset *s);
int cli_outputs_guest_inputs(struct outset *s, const char *adapter, const char *elf,
                             const char *core, struct mpusim_error *err);
/* cli/progress.c: the progress line on stderr (docs/cli.md, "Progress"). mode: 1 --progress
 * (always), 0 --no-progress (never), -1 (the default: when stderr is a terminal). The line is
 * rewritten in place, at most 4 times a second, and cleared by cli_progress_end. */
enum cli_progress_kind {
    CLI_PROGRESS_BYTES,        /* done/total: bytes of the input read */
    CLI_PROGRESS_MILLISECONDS, /* done/total: milliseconds of a time limit */
    CLI_PROGRESS_ITEMS,        /* done/total: items (total_unit names them) */
};
struct cli_progress {
    int on;                    /* 1: drawing */
    const char *what, *unit;   /* "replay", "events"; borrowed */
    uint64_t total;            /* of the work, in kind's unit; 0: unknown (a pipe) */
    enum cli_progress_kind kind;
    const char *total_unit;    /* CLI_PROGRESS_ITEMS: "traces", "iterations"; borrowed */
    double t0, last;           /* start, last drawing (monotonic seconds) */
    uint64_t next, step;       /* the clock is read when the count reaches next */
    size_t width;              /* characters of the line on screen; 0: none */
};
void cli_progress_init(struct cli_progress *p, int mode, const char *what, const char *unit);
void cli_progress_total(struct cli_progress *p, uint64_t total, enum cli_progress_kind kind,
                        const char *total_unit);
/* Size of a regular file ("-": standard input), else 0 (a pipe, a terminal: unknown). */
uint64_t cli_progress_file_size(const char *path);
/* count: events (lines, ops) so far; done: progress in kind's unit. Cheap unless count has
 * reached p->next. */
void cli_progress_draw(struct cli_progress *p, uint64_t count, uint64_t done);
static inline void cli_progress_update(struct cli_progress *p, uint64_t count, uint64_t done)
{
    if (p->on && count >= p->next)
        cli_progress_draw(p, count, done);
}
/* Erase the line (before other output); the next update draws it again. */
void cli_progress_clear(struct cli_progress *p);
/* Erase the line and stop drawing. */
void cli_progress_end(struct cli_progress *p);
#endif
