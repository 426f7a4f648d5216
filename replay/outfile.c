/* Output files that never destroy data (outfile.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "replay/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINK_HOPS 40

void outset_init(struct outset *s)
{
    memset(s, 0, sizeof *s);
    mode_t mask = umask(0);
    umask(mask);
    s->mode = 0666 & ~mask;
}

static int stat_path(const char *path, struct stat *st)
{
    return strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, st) : stat(path, st);
}

int outset_input(struct outset *s, const char *path, const char *what, struct mpusim_error *err)
{
    struct stat st;
    if (!path || stat_path(path, &st) != 0)
        return 0;
    if (s->nin == s->cap_in) {
        unsigned cap = s->cap_in ? s->cap_in * 2 : 8;
        struct outset_input *n = realloc(s->in, cap * sizeof *n);
        if (!n)
            return mpusim_error_set(err, MPUSIM_E_IO, "out of memory");
        s->in = n;
        s->cap_in = cap;
    }
    struct outset_input *in = &s->in[s->nin++];
    in->dev = st.st_dev;
    in->ino = st.st_ino;
    in->what = what;
    snprintf(in->path, sizeof in->path, "%s", strcmp(path, "-") == 0 ? "<stdin>" : path);
    return 0;
}

/* The descriptor a path names directly ("/dev/stdout", "/dev/fd/N", "/proc/self/fd/N"), or
 * -1: writing through it must use that descriptor (it may be a file opened for appending). */
static int named_fd(const char *p)
{
    if (strcmp(p, "/dev/stdout") == 0)
        return STDOUT_FILENO;
    if (strcmp(p, "/dev/stderr") == 0)
        return STDERR_FILENO;
    const char *prefixes[] = { "/dev/fd/", "/proc/self/fd/" };
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(prefixes[k]);
        if (strncmp(p, prefixes[k], n) == 0 && p[n]) {
            char *end;
            long fd = strtol(p + n, &end, 10);
            if (!*end && fd >= 0 && fd < INT_MAX)
                return (int)fd;
        }
    }
    return -1;
}

/* Follow the symlinks of path into out. *fd: a descriptor the chain names (named_fd), or -1.
 * A dangling link resolves to the path it points to (created there). */
static int resolve(const struct outfile *o, char *out, int *fd, struct mpusim_error *err)
{
    char cur[OUTFILE_PATH_MAX], link[OUTFILE_PATH_MAX];
    snprintf(cur, sizeof cur, "%s", o->path);
    *fd = -1;
    for (int hops = 0; hops < MAX_LINK_HOPS; hops++) {
        if ((*fd = named_fd(cur)) >= 0)
            break;
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            snprintf(out, OUTFILE_PATH_MAX, "%s", cur);
            return 0;
        }
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0)
            return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "%s: cannot read "
                                   "the link: %s", o->what, strerror(errno));
        link[n] = '\0';
        if (link[0] == '/') {
            memcpy(cur, link, (size_t)n + 1);
        } else {
            char *slash = strrchr(cur, '/');
            size_t dir = slash ? (size_t)(slash - cur) + 1 : 0;
            if (dir + (size_t)n >= sizeof cur)
                return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1,
                                       "%s: path too long", o->what);
            memcpy(cur + dir, link, (size_t)n + 1);
        }
    }
    if (*fd >= 0) {
        snprintf(out, OUTFILE_PATH_MAX, "%s", cur);
        return 0;
    }
    return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "%s: too many levels of "
                           "symbolic links", o->what);
}

/* Identity of an output, if it exists. */
static int output_identity(const struct outfile *o, int fd, struct stat *st)
{
    if (strcmp(o->path, "-") == 0)
        return fstat(STDOUT_FILENO, st);
    if (fd >= 0)
        return fstat(fd, st);
    return stat(o->target, st);
}

/* The folder of path, resolved (realpath), into out; -1 if it cannot be resolved. */
static int real_folder(const char *path, char *out)
{
    char dir[OUTFILE_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    return realpath(dir, out) ? 0 : -1;
}

/* 1 if two paths that do not exist yet name the same file (same folder, same name). */
static int same_new_path(const char *a, const char *b)
{
    const char *na = strrchr(a, '/'), *nb = strrchr(b, '/');
    na = na ? na + 1 : a;
    nb = nb ? nb + 1 : b;
    if (strcmp(na, nb) != 0)
        return 0;
    char da[PATH_MAX], db[PATH_MAX];
    if (real_folder(a, da) != 0 || real_folder(b, db) != 0)
        return strcmp(a, b) == 0;
    return strcmp(da, db) == 0;
}

/* Another output of the set that is the same file: by identity when both exist, else by
 * the resolved path. */
static const struct outfile *duplicate_of(const struct outset *s, const struct outfile *o,
                                          const struct stat *st, int exists)
{
    for (unsigned i = 0; i < s->nout; i++) {
        const struct outfile *q = &s->out[i];
        struct stat qs;
        int qfd = named_fd(q->target);
        int qexists = output_identity(q, qfd, &qs) == 0;
        if (exists && qexists && qs.st_dev == st->st_dev && qs.st_ino == st->st_ino)
            return q;
        if (!exists && !qexists && same_new_path(q->target, o->target))
            return q;
    }
    return NULL;
}

static int fail_open(struct outfile *o, struct mpusim_error *err, const char *fmt,
                     const char *arg)
{
    char text[420];
    snprintf(text, sizeof text, fmt, arg);
    return mpusim_error_at(err, MPUSIM_E_USAGE, o->path[0] ? o->path : "<argv>", -1, -1, -1,
                           "%s: %s", o->what, text);
}

/* Open o (path and what set) for writing; checks against s (may be NULL). */
static int open_one(struct outset *s, struct outfile *o, mode_t mode, struct mpusim_error *err)
{
    o->f = NULL;
    o->tmp[0] = '\0';
    o->direct = 0;
    if (!o->path[0])
        return fail_open(o, err, "%sempty file name", "");
    int fd = -1;
    if (strcmp(o->path, "-") == 0)
        snprintf(o->target, sizeof o->target, "-");
    else if (resolve(o, o->target, &fd, err) != 0)
        return -1;
    struct stat st;
    int exists = output_identity(o, fd, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return fail_open(o, err, "%sis a directory", "");
    for (unsigned i = 0; s && exists && i < s->nin; i++)
        if (s->in[i].dev == st.st_dev && s->in[i].ino == st.st_ino) {
            char text[400];
            snprintf(text, sizeof text, "is the same file as the %s %.256s: refusing to "
                     "overwrite an input", s->in[i].what, s->in[i].path);
            return fail_open(o, err, "%s", text);
        }
    const struct outfile *other = s ? duplicate_of(s, o, &st, exists) : NULL;
    if (other) {
        char text[400];
        snprintf(text, sizeof text, "is the same file as %s %.256s: each output needs its own "
                 "file", other->what, other->path);
        return fail_open(o, err, "%s", text);
    }
    if (strcmp(o->path, "-") == 0 || fd >= 0) { /* a descriptor: write through it */
        o->direct = 1;
        if (strcmp(o->path, "-") == 0 || fd == STDOUT_FILENO) {
            o->f = stdout;
            return 0;
        }
        int nfd = dup(fd);
        if (nfd < 0 || !(o->f = fdopen(nfd, "w"))) {
            int e = errno;
            if (nfd >= 0)
                close(nfd);
            return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "%s: cannot open: %s",
                                   o->what, strerror(e));
        }
        return 0;
    }
    if (exists && !S_ISREG(st.st_mode)) { /* FIFO, tty, device: in place */
        o->direct = 1;
        if (!(o->f = fopen(o->target, "w")))
            return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "%s: cannot open: %s",
                                   o->what, strerror(errno));
        return 0;
    }
    if (strlen(o->target) + 16 >= sizeof o->tmp)
        return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "%s: path too long",
                               o->what);
    char tmp[OUTFILE_PATH_MAX];
    int tn = snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", o->target);
    if (tn < 0 || (size_t)tn >= sizeof tmp)
        return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "%s: path too long",
                               o->what);
    int tfd = mkstemp(tmp);
    if (tfd < 0)
        return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "%s: cannot create: %s",
                               o->what, strerror(errno));
    memcpy(o->tmp, tmp, sizeof tmp); /* now visible to a signal handler */
    if (fchmod(tfd, exists ? (st.st_mode & 07777) : mode) != 0 || !(o->f = fdopen(tfd, "w"))) {
        int e = errno;
        close(tfd);
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "%s: cannot open: %s",
                               o->what, strerror(e));
    }
    return 0;
}

FILE *outset_open(struct outset *s, const char *path, const char *what,
                  struct mpusim_error *err)
{
    if (s->nout == OUTSET_MAX_OUTPUTS) {
        mpusim_error_set(err, MPUSIM_E_USAGE, "too many output files");
        return NULL;
    }
    struct outfile *o = &s->out[s->nout];
    memset(o, 0, sizeof *o);
    o->what = what ? what : "output";
    snprintf(o->path, sizeof o->path, "%s", path ? path : "");
    if (open_one(s, o, s->mode, err) != 0)
        return NULL;
    s->nout++;
    return o->f;
}

int outset_uses_stdout(const struct outset *s)
{
    for (unsigned i = 0; i < s->nout; i++)
        if (s->out[i].f == stdout)
            return 1;
    return 0;
}

static void close_one(struct outfile *o)
{
    if (o->f && o->f != stdout)
        fclose(o->f);
    else if (o->f)
        fflush(o->f);
    o->f = NULL;
    if (o->tmp[0])
        unlink(o->tmp);
    o->tmp[0] = '\0';
}

void outset_discard(struct outset *s, FILE *f)
{
    for (unsigned i = 0; i < s->nout; i++)
        if (s->out[i].f == f && f)
            close_one(&s->out[i]);
}

/* Flush and close o; the temporary stays for the rename. 0 or -1 with err. */
static int finish_one(struct outfile *o, struct mpusim_error *err)
{
    if (!o->f)
        return 0;
    int bad = fflush(o->f) != 0 || ferror(o->f);
    int e = errno;
    if (o->f != stdout && fclose(o->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->f = NULL;
    if (bad)
        return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "%s: write failed: %s",
                               o->what, strerror(e ? e : EIO));
    return 0;
}

int outset_commit(struct outset *s, struct mpusim_error *err)
{
    /* Direct outputs first (they cannot be withdrawn), then the temporaries; any failure
     * withdraws every temporary, so no file appears. */
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++)
        for (unsigned i = 0; i < s->nout && rc == 0; i++)
            if (s->out[i].direct == (pass == 0))
                rc = finish_one(&s->out[i], err);
    if (rc != 0) {
        outset_abort(s);
        return -1;
    }
    for (unsigned i = 0; i < s->nout; i++) {
        struct outfile *o = &s->out[i];
        if (!o->tmp[0])
            continue;
        if (rename(o->tmp, o->target) != 0) {
            int e = errno;
            outset_abort(s);
            return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1,
                                   "%s: cannot rename: %s", o->what, strerror(e));
        }
        o->tmp[0] = '\0';
    }
    s->nout = 0;
    return 0;
}

void outset_abort(struct outset *s)
{
    for (unsigned i = 0; i < s->nout; i++)
        close_one(&s->out[i]);
}

void outset_fini(struct outset *s)
{
    outset_abort(s);
    free(s->in);
    s->in = NULL;
    s->nin = s->cap_in = 0;
}

void outset_unlink_temporaries(const struct outset *s)
{
    for (unsigned i = 0; i < s->nout && i < OUTSET_MAX_OUTPUTS; i++)
        if (s->out[i].tmp[0])
            unlink(s->out[i].tmp);
}
