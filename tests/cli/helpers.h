#ifndef MPUSIM_TESTS_CLI_HELPERS_H
#define MPUSIM_TESTS_CLI_HELPERS_H
/* Shared by the tests of the mpusim binary: a scratch directory per test, commands run with
 * their output captured there, and small file helpers. Tests run from the repository root. */
#include <criterion/criterion.h>

#define MPUSIM "./build/mpusim"

extern char tdir[64]; /* the scratch directory of the running test */

/* TestSuite .init / .fini: create and remove tdir. */
void cli_tmp_init(void);
void cli_tmp_fini(void);

/* Run a shell command (printf format) from the repository root with stdout in tdir/out and
 * stderr in tdir/err; returns its exit status (asserts it exited). */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, run inside tdir, with $MPUSIM naming the binary. */
int sh_in_tdir(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Contents of tdir/name, NUL-terminated, or NULL if absent. Two buffers alternate, so two
 * results can be used at once. */
char *slurp(const char *name);
void write_file(const char *name, const char *text);
int exists(const char *name);
/* 1 if tdir holds exactly n entries (no temporary or partial outputs left). */
int only_files(int n);
/* The shared upstream Xen image ($MPUSIM_XEN_SYMS, else ../shared/xen/arm64-mpu-debug/xen-syms)
 * when readable, else NULL: the tests that need it skip, saying so. */
const char *xen_image(void);
/* Occurrences of needle in s. */
unsigned count(const char *s, const char *needle);
#endif
