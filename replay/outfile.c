/* Output files that are written completely or not at all (temporary file + rename). */
#include "replay/replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int outfile_open(struct outfile *o, const char *path, struct mpusim_error *err)
{
    o->f = NULL;
    o->tmp[0] = '\0';
    o->direct = 0;
    struct stat st;
    if (strcmp(path, "-") == 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
        snprintf(o->path, sizeof o->path, "%s", path);
        o->f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
        if (!o->f)
            return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "cannot open: %s",
                                   strerror(errno));
        o->direct = 1;
        return 0;
    }
    if (strlen(path) + 16 >= sizeof o->tmp)
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "output path too long");
    snprintf(o->path, sizeof o->path, "%s", path);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        o->tmp[0] = '\0';
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "cannot create: %s",
                               strerror(e));
    }
    o->f = fdopen(fd, "w");
    if (!o->f) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "cannot open: %s",
                               strerror(e));
    }
    return 0;
}

int outfile_commit(struct outfile *o, struct mpusim_error *err)
{
    if (!o->f)
        return 0;
    if (o->direct) {
        int bad = fflush(o->f) != 0 || ferror(o->f);
        if (o->f != stdout && fclose(o->f) != 0)
            bad = 1;
        o->f = NULL;
        return bad ? mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "write failed")
                   : 0;
    }
    int bad = ferror(o->f);
    int e = errno;
    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->f = NULL;
    if (bad) {
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "write failed: %s",
                               strerror(e));
    }
    if (rename(o->tmp, o->path) != 0) {
        e = errno;
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return mpusim_error_at(err, MPUSIM_E_IO, o->path, -1, -1, -1, "cannot rename: %s",
                               strerror(e));
    }
    o->tmp[0] = '\0';
    return 0;
}

void outfile_abort(struct outfile *o)
{
    if (o->f && o->f != stdout)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp[0])
        unlink(o->tmp);
    o->tmp[0] = '\0';
}
