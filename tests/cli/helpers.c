#include "tests/cli/helpers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char tdir[64];

void cli_tmp_init(void)
{
    snprintf(tdir, sizeof tdir, "/tmp/mpusim-cli-XXXXXX");
    cr_assert_not_null(mkdtemp(tdir));
}

void cli_tmp_fini(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tdir);
    cr_assert_eq(system(cmd), 0);
}

static int run(const char *full, const char *cmd)
{
    int st = system(full);
    cr_assert(WIFEXITED(st), "%s", cmd);
    return WEXITSTATUS(st);
}

int sh(const char *fmt, ...)
{
    char cmd[2048], full[2300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s >%s/out 2>%s/err", cmd, tdir, tdir);
    return run(full, cmd);
}

int sh_in_tdir(const char *fmt, ...)
{
    char cmd[1024], full[3200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char cwd[1024];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(full, sizeof full, "cd %s && MPUSIM=%s/%s; { %s; } >out 2>err", tdir, cwd, MPUSIM,
             cmd);
    return run(full, cmd);
}

char *slurp(const char *name)
{
    static char buf[2][65536];
    static int slot;
    char *b = buf[slot ^= 1];
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tdir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    b[n] = '\0';
    fclose(f);
    return b;
}

void write_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

int exists(const char *name)
{
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", tdir, name);
    return stat(path, &st) == 0;
}

int only_files(int n)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq %d", tdir, n);
    return system(cmd) == 0;
}

unsigned count(const char *s, const char *needle)
{
    unsigned n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

const char *xen_image(void)
{
    const char *p = getenv("MPUSIM_XEN_SYMS");
    if (!p)
        p = "../shared/xen/arm64-mpu-debug/xen-syms";
    return access(p, R_OK) == 0 ? p : NULL;
}
