/* Option values shared by every command (cli/cli.h): numbers (decimal or 0x hex only,
 * common/number.h), windows, shards, seconds, names; each error is a usage error naming the
 * option, the value and what was expected. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/number.h"

static int bad_value(const char *cmd, const char *opt, const char *arg, const char *what,
                     const char *expected)
{
    char msg[400];
    snprintf(msg, sizeof msg, "%s '%.80s': %s; expected %s", opt, arg, what, expected);
    return cli_usage_error(cmd, msg);
}

int cli_opt_u64(const char *cmd, const char *opt, const char *arg, uint64_t lo, uint64_t hi,
                uint64_t *out)
{
    enum number_status st = number_parse_u64(arg, lo, hi, out);
    if (st == NUMBER_OK)
        return 0;
    char range[64], expected[96];
    snprintf(expected, sizeof expected, "a number in %s",
             number_format_range(lo, hi, range, sizeof range));
    return bad_value(cmd, opt, arg, number_status_text(st), expected);
}

int cli_opt_unsigned(const char *cmd, const char *opt, const char *arg, unsigned lo,
                     unsigned hi, unsigned *out)
{
    uint64_t v;
    if (cli_opt_u64(cmd, opt, arg, lo, hi, &v) != 0)
        return 2;
    *out = (unsigned)v;
    return 0;
}

int cli_opt_page_address(const char *cmd, const char *opt, const char *arg, uint64_t *out)
{
    uint64_t v;
    if (cli_opt_u64(cmd, opt, arg, 0, UINT64_MAX - 0xfff, &v) != 0)
        return 2;
    if (v % 0x1000)
        return bad_value(cmd, opt, arg, "not 4 KiB aligned", "a multiple of 0x1000");
    *out = v;
    return 0;
}

int cli_opt_window(const char *cmd, const char *opt, const char *arg, uint64_t *base,
                   uint64_t *size)
{
    const char *colon = strchr(arg, ':');
    char part[96], name[48];
    if (!colon || (size_t)(colon - arg) >= sizeof part)
        return bad_value(cmd, opt, arg, "no ':'", "BASE:SIZE (decimal or 0x hex)");
    memcpy(part, arg, (size_t)(colon - arg));
    part[colon - arg] = '\0';
    uint64_t b, n;
    snprintf(name, sizeof name, "%s BASE", opt);
    if (cli_opt_u64(cmd, name, part, 0, UINT64_MAX, &b) != 0)
        return 2;
    snprintf(name, sizeof name, "%s SIZE", opt);
    if (cli_opt_u64(cmd, name, colon + 1, 1, UINT64_MAX - b + 1, &n) != 0)
        return 2; /* the window must end at or below 2^64 */
    *base = b;
    *size = n;
    return 0;
}

int cli_opt_shard(const char *cmd, const char *arg, unsigned *k, unsigned *n)
{
    const char *slash = strchr(arg, '/');
    char part[32];
    if (!slash || (size_t)(slash - arg) >= sizeof part)
        return bad_value(cmd, "--shard", arg, "no '/'", "K/N with 1 <= K <= N (e.g. 2/4)");
    memcpy(part, arg, (size_t)(slash - arg));
    part[slash - arg] = '\0';
    uint64_t kk, nn;
    if (cli_opt_u64(cmd, "--shard N", slash + 1, 1, 1000000, &nn) != 0 ||
        cli_opt_u64(cmd, "--shard K", part, 1, nn, &kk) != 0)
        return 2;
    *k = (unsigned)kk;
    *n = (unsigned)nn;
    return 0;
}

int cli_opt_seconds(const char *cmd, const char *opt, const char *arg, double *out)
{
    /* decimal digits, optionally '.' and more digits: no sign, space, exponent, hex float,
     * inf or nan, and no leading 0 before another digit */
    const char *p = arg;
    while (*p >= '0' && *p <= '9')
        p++;
    int ok = p > arg && !(arg[0] == '0' && p - arg > 1);
    if (ok && *p == '.') {
        const char *q = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        ok = p > q;
    }
    double v = 0;
    if (!ok || *p)
        return bad_value(cmd, opt, arg, "not a number of seconds",
                         "decimal seconds, e.g. 30 or 2.5");
    if (sscanf(arg, "%lf", &v) != 1 || !(v > 0) || v > 1e9)
        return bad_value(cmd, opt, arg, "out of range", "seconds, 0 < T <= 1000000000");
    *out = v;
    return 0;
}

int cli_opt_algo(const char *cmd, const char *arg, enum mm_algo *algo, unsigned *reserve_k)
{
    struct mm_options mo = { .algo = MM_ALGO_XEN };
    static const char reserve_prefix[] = "reserve:";
    uint64_t k;
    if (strncmp(arg, reserve_prefix, sizeof reserve_prefix - 1) == 0 &&
        cli_opt_u64(cmd, "--algo reserve:K", arg + sizeof reserve_prefix - 1, 0, 254, &k) != 0)
        return 2; /* says what is wrong with K (octal, sign, range) */
    if (mm_algo_parse(arg, &mo) != 0)
        return bad_value(cmd, "--algo", arg, "unknown algorithm",
                         "xen, xen-transient, merge, lazy, reserve, reserve:K (K 0..254), "
                         "zephyr or bao");
    *algo = mo.algo;
    *reserve_k = mo.reserve_k;
    return 0;
}

int cli_opt_regions(const char *cmd, const char *arg, unsigned lo, unsigned *regions)
{
    return cli_opt_unsigned(cmd, "--regions", arg, lo, 255, regions);
}

int cli_opt_fsc(const char *cmd, const char *arg, enum mpu_fsc_model *fsc)
{
    int f = mpu_fsc_model_from_name(arg);
    if (f < 0)
        return bad_value(cmd, "--fsc", arg, "unknown model", "translation, qemu or renode");
    *fsc = (enum mpu_fsc_model)f;
    return 0;
}

int cli_opt_error(const char *cmd, int c, char **argv)
{
    char msg[200], name[8];
    const char *arg = argv[optind - 1];
    if (optopt > 0 && optopt < 128 && strncmp(arg, "--", 2) != 0) { /* a short option */
        snprintf(name, sizeof name, "-%c", optopt);
        arg = name;
    }
    const char *eq = strchr(arg, '=');
    if (c == ':')
        snprintf(msg, sizeof msg, "option '%.100s' needs a value", arg);
    else if (eq && !strncmp(arg, "--", 2))
        snprintf(msg, sizeof msg, "unknown option '%.*s', or it takes no value",
                 (int)(eq - arg > 100 ? 100 : eq - arg), arg);
    else
        snprintf(msg, sizeof msg, "unknown option '%.100s'", arg);
    return cli_usage_error(cmd, msg);
}
