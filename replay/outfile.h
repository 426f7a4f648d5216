#ifndef MPUSIM_REPLAY_OUTFILE_H
#define MPUSIM_REPLAY_OUTFILE_H
/*
 * Output files that never destroy data (docs/cli.md, "Outputs").
 *
 * A command gathers all its outputs in one struct outset, with the files it reads (trace,
 * ELF, adapter, core file) as inputs, before any long work:
 *   - an output that is the same file as an input (same device and inode) is refused, and so
 *     are two outputs naming one file, and an empty path;
 *   - "-" is standard output; a symlink is followed and its target written (the link stays);
 *     a target that exists and is not a regular file (a FIFO, a tty, /dev/stdout, /dev/fd/N)
 *     is written in place, as data comes (never replaced);
 *   - a regular target is written to a temporary file beside it (mode 0666 & ~umask for a new
 *     file, the old file's mode otherwise) and renamed over it by outset_commit, which commits
 *     all outputs or none: any write error removes every temporary file.
 * outset_unlink_temporaries is async-signal-safe, for a SIGINT/SIGTERM handler.
 */
#include <stdio.h>
#include <sys/types.h>

#include "common/error.h"

#define OUTSET_MAX_OUTPUTS 8
#define OUTFILE_PATH_MAX 4096

struct outfile {
    FILE *f;                        /* write here; NULL when closed */
    char path[OUTFILE_PATH_MAX];    /* as given ("-": standard output) */
    char target[OUTFILE_PATH_MAX];  /* the file written: path with its symlinks followed */
    char tmp[OUTFILE_PATH_MAX];     /* temporary beside target; "" when writing directly */
    int direct;                     /* 1: written in place (stdout, FIFO, tty, device) */
    const char *what;               /* option naming it in messages ("--json"); borrowed */
};

struct outset_input {
    dev_t dev;         /* identity of the input file */
    ino_t ino;
    const char *what;  /* "trace", "ELF", "adapter", "core file"; borrowed */
    char path[256];    /* as given, for messages (truncated) */
};

struct outset {
    struct outfile out[OUTSET_MAX_OUTPUTS]; /* [0, nout) opened */
    volatile unsigned nout;
    struct outset_input *in;                /* [0, nin) inputs (owned; capacity cap_in) */
    unsigned nin, cap_in;
    mode_t mode;                            /* 0666 & ~umask: mode of new files */
};

/* An empty set; reads the umask (restored at once). Never fails. */
void outset_init(struct outset *s);

/* Register an input: "-" is standard input. A path that cannot be stat()ed is skipped (its
 * reader reports it). Returns 0, or -1 with err (out of memory). */
int outset_input(struct outset *s, const char *path, const char *what, struct mpusim_error *err);

/**
 * outset_open - check and open one output of the set
 * @path: the output path as given; "-" is standard output
 * @what: the option naming it ("--json"); borrowed, must outlive the set
 * Returns the stream to write (owned by the set), or NULL with err naming the option and the
 * path: empty path, the same file as an input or as another output, a directory, a path that
 * cannot be created. Nothing is left behind on error.
 */
FILE *outset_open(struct outset *s, const char *path, const char *what,
                  struct mpusim_error *err);

/* 1 if an output of the set is standard output (then the human summary goes to stderr). */
int outset_uses_stdout(const struct outset *s);

/* Drop the output whose stream is f (its temporary file is removed; a direct output is only
 * closed). For an output that turned out not to be needed. */
void outset_discard(struct outset *s, FILE *f);

/* Flush and close every output, then rename the temporaries over their targets. On any
 * error, every temporary is removed and -1 is returned with err naming the output. */
int outset_commit(struct outset *s, struct mpusim_error *err);

/* Close everything and remove every temporary (nothing is committed). Idempotent. */
void outset_abort(struct outset *s);
/* outset_abort, and free the inputs. */
void outset_fini(struct outset *s);

/* Remove the temporary files; only unlink(2): async-signal-safe. */
void outset_unlink_temporaries(const struct outset *s);

#endif
