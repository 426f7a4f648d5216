/* Numbers and options on every command (cli/options.c, common/number.h): decimal or 0x hex
 * only, every refusal exits 2 with a message on stderr naming the option, the value and the
 * range; unknown options and missing values are named. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/cli/helpers.h"

TestSuite(options_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

#define TRACE "traces/xen-boot-fvp/trace.json"
#define ELF "build/tests/guests/pl011.elf"

/* The command exits 2, prints nothing on stdout and each of the needles on stderr. */
static void refused(const char *cmd, const char *n1, const char *n2)
{
    cr_expect_eq(sh("%s", cmd), 2, "%s", cmd);
    const char *err = slurp("err");
    cr_expect(err && strstr(err, n1), "%s\n-> %s", cmd, err);
    if (n2)
        cr_expect(err && strstr(err, n2), "%s\n-> %s", cmd, err);
    const char *out = slurp("out");
    cr_expect(out && !*out, "%s: stdout: %s", cmd, out);
}

/* "--regions X" on every command that takes it. */
static const char *const region_cmds[] = {
    MPUSIM " replay " TRACE " --quiet --regions %s",
    MPUSIM " compare " TRACE " --quiet --regions %s",
    MPUSIM " fuzz --iterations 1 --quiet --regions %s",
    MPUSIM " run " ELF " --regions %s",
    MPUSIM " import tarmac /nonexistent --out x.jsonl --regions %s",
};

static void each_regions(const char *value, const char *n1, const char *n2)
{
    for (size_t i = 0; i < sizeof region_cmds / sizeof region_cmds[0]; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, region_cmds[i], value);
        refused(cmd, n1, n2);
    }
}

Test(options_cli, octal_is_an_error_on_every_command_not_8)
{
    each_regions("010", "--regions '010'", "octal");
    each_regions("08", "--regions '08'", "octal");
}

Test(options_cli, reserve_k_is_strict_decimal_on_every_command)
{
    static const char *const cmds[] = {
        MPUSIM " replay " TRACE " --quiet --algo %s",
        MPUSIM " compare " TRACE " --quiet --algo xen,%s",
        MPUSIM " fuzz --iterations 1 --quiet --algo %s",
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, cmds[i], "reserve:010");
        refused(cmd, "reserve:K '010'", "octal");
        snprintf(cmd, sizeof cmd, cmds[i], "reserve:255");
        refused(cmd, "reserve:K '255'", "0..254");
        snprintf(cmd, sizeof cmd, cmds[i], "reserve:0x");
        refused(cmd, "reserve:K '0x'", "not a number");
    }
    cr_expect_eq(sh(MPUSIM " fuzz --iterations 1 --quiet --algo reserve:10"), 0);
    cr_expect_eq(sh(MPUSIM " fuzz --iterations 1 --quiet --algo reserve:0xa"), 0);
    cr_expect_eq(sh(MPUSIM " compare " TRACE " --quiet --algo reserve:0xa"), 0);
}

Test(options_cli, spaces_and_signs_are_refused)
{
    each_regions("' 16'", "--regions ' 16'", "white space");
    each_regions("'16 '", "--regions '16 '", "white space");
    each_regions("+16", "--regions '+16'", "sign");
    each_regions("-1", "--regions '-1'", "sign");
    each_regions("16k", "--regions '16k'", "not a number");
    each_regions("0x", "--regions '0x'", "not a number");
}

Test(options_cli, out_of_range_names_the_range)
{
    each_regions("256", "--regions '256'", "out of range; expected a number in ");
    each_regions("0x100", "--regions '0x100'", "..255");
}

Test(options_cli, decimal_and_hex_are_accepted)
{
    cr_expect_eq(sh(MPUSIM " replay " TRACE " --quiet --regions 0x10"), 0, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " replay " TRACE " --quiet --regions 16"), 0, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " fuzz --iterations 0x2 --length 0x10 --seed 0xffffffffffffffff "
                    "--quiet --out f.json"), 0, "%s", slurp("err"));
}

Test(options_cli, an_oversized_seed_is_an_error_not_clamped)
{
    refused(MPUSIM " fuzz --iterations 1 --seed 18446744073709551616",
            "--seed '18446744073709551616': out of range", "0..0xffffffffffffffff");
    refused(MPUSIM " fuzz --iterations 1 --seed 0x10000000000000000", "--seed", "out of range");
    cr_expect_eq(sh(MPUSIM " fuzz --iterations 1 --length 8 --quiet --json - --out f.json "
                    "--seed 18446744073709551615"), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "\"seed\": 18446744073709551615") != NULL, "%s", slurp("out"));
}

Test(options_cli, fuzz_numbers_time_and_shards)
{
    refused(MPUSIM " fuzz --iterations 0", "--iterations '0'", "1..4000000000");
    refused(MPUSIM " fuzz --iterations 4000000001", "--iterations", "out of range");
    refused(MPUSIM " fuzz --length 1000001", "--length '1000001'", "1..1000000");
    static const char *const times[] = { "1e3", "-1", "inf", "nan", "0x10", "' 5'", "5.", ".5",
                                         "05" };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, MPUSIM " fuzz --time %s", times[i]);
        refused(cmd, "--time", "not a number of seconds");
    }
    refused(MPUSIM " fuzz --time 0", "--time '0'", "out of range");
    refused(MPUSIM " fuzz --time 0.0", "--time '0.0'", "out of range");
    refused(MPUSIM " fuzz --shard 3/2", "--shard K '3'", "1..2");
    refused(MPUSIM " fuzz --shard 1/0", "--shard N '0'", "1..1000000");
    refused(MPUSIM " fuzz --shard 1/010", "--shard N '010'", "octal");
    refused(MPUSIM " fuzz --shard 2", "--shard '2'", "K/N");
    refused(MPUSIM " compare " TRACE " --shard 0/4", "--shard K '0'", "1..4");
    refused(MPUSIM " compare " TRACE " --shard '1/ 4'", "--shard N ' 4'", "white space");
    refused(MPUSIM " compare " TRACE " --shard 1/10000000", "--shard N", "out of range");
}

Test(options_cli, guest_engine_numbers)
{
    refused(MPUSIM " replay " TRACE " --engine guest --budget 0", "--budget '0'",
            "1..4000000000");
    refused(MPUSIM " replay " TRACE " --engine guest --budget 010", "--budget '010'", "octal");
    refused(MPUSIM " replay " TRACE " --engine guest --uart 0x9c090004",
            "--uart '0x9c090004': not 4 KiB aligned", NULL);
    refused(MPUSIM " replay " TRACE " --engine guest --ram 0x1000", "--ram '0x1000'", "BASE:SIZE");
    refused(MPUSIM " replay " TRACE " --engine guest --ram 0x1000:0", "--ram SIZE '0'",
            "out of range");
    refused(MPUSIM " compare " TRACE " --engine guest --device ' 0x1000:0x1000'",
            "--device BASE ' 0x1000'", "white space");
    refused(MPUSIM " compare " TRACE " --engine guest --ram 0xfffffffffffff000:0x2000",
            "--ram SIZE '0x2000'", "out of range");
    refused(MPUSIM " run " ELF " --budget 0", "--budget '0'", "out of range");
    refused(MPUSIM " run " ELF " --budget 18446744073709551616", "--budget", "out of range");
    refused(MPUSIM " run " ELF " --uart 0x9c090004", "--uart '0x9c090004'", "4 KiB");
    refused(MPUSIM " run " ELF " --uart 010000", "--uart '010000'", "octal");
    refused(MPUSIM " run " ELF " --stub printk=-1", "--stub VAL '-1'", "sign");
    refused(MPUSIM " run " ELF " --stub printk=012", "--stub VAL '012'", "octal");
    refused(MPUSIM " run " ELF " --platform fvp-baser --dtb x.dtb@0x8000000x",
            "--dtb ADDR '0x8000000x'", "not a number");
}

Test(options_cli, unknown_options_and_missing_values_are_named_by_every_command)
{
    static const char *const cmds[] = {
        MPUSIM " replay " TRACE, MPUSIM " compare " TRACE, MPUSIM " fuzz",
        MPUSIM " run " ELF,      MPUSIM " import tarmac /nonexistent --out x.jsonl",
    };
    static const char *const needs_value[] = { "--regions", "--regions", "--seed", "--budget",
                                               "--level" };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char cmd[256], what[64];
        snprintf(cmd, sizeof cmd, "%s --frobnicate 3", cmds[i]);
        refused(cmd, "unknown option '--frobnicate'", "--help");
        snprintf(cmd, sizeof cmd, "%s -Z", cmds[i]);
        refused(cmd, "unknown option '-Z'", NULL);
        snprintf(cmd, sizeof cmd, "%s --quiet=1", cmds[i]);
        if (i != 3) /* run has no --quiet */
            refused(cmd, "unknown option '--quiet', or it takes no value", NULL);
        snprintf(cmd, sizeof cmd, "%s %s", cmds[i], needs_value[i]);
        snprintf(what, sizeof what, "option '%s' needs a value", needs_value[i]);
        refused(cmd, what, NULL);
    }
}

Test(options_cli, numbers_in_platform_and_adapter_files_are_strict_too)
{
    cr_assert_eq(sh("sed 's/\"base\": \"0x0\"/\"base\": \"00\"/' platforms/fvp-baser.json"), 0);
    write_file("octal.json", slurp("out"));
    cr_expect_eq(sh(MPUSIM " run " ELF " --platform %s/octal.json", tdir), 2);
    cr_expect(strstr(slurp("err"), "\"00\": a leading 0") != NULL, "%s", slurp("err"));
    cr_assert_eq(sh("sed 's/\"0x9c090000\"/\" 0x9c090000\"/' guest/xen-upstream.adapter.json"), 0);
    write_file("space.adapter.json", slurp("out"));
    cr_expect_eq(sh(MPUSIM " replay " TRACE " --engine guest --adapter %s/space.adapter.json",
                    tdir), 2);
    cr_expect(strstr(slurp("err"), "\" 0x9c090000\": white space") != NULL, "%s", slurp("err"));
}
