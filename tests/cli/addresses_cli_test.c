/* Addresses PRBAR/PRLAR cannot hold (replay/replay.c check_address): a range reaching 2^48 is
 * a finding by default (the MPU gets the truncated range), an error with --strict-addresses
 * or the trace's mpu.addresses "strict". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/cli/helpers.h"

TestSuite(addresses_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

#define HEAD(extra) "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16" extra \
                    "},\"boot\":[{\"base\":\"0x0\",\"limit\":\"0x80000\",\"flags\":\"RX\"}]}\n"
/* A map of [2^48, 2^48 + 4K): the registers hold [0, 0x1000), over the text region. */
#define HIGH_MAP "{\"op\":\"map\",\"base\":\"0x1000000000000\",\"limit\":\"0x1000000001000\"," \
                 "\"flags\":\"RW\"}\n"
#define LOW_MAP "{\"op\":\"map\",\"base\":\"0x10000000\",\"limit\":\"0x10001000\",\"flags\":\"RW\"}\n"

Test(addresses_cli, a_range_at_2_48_is_a_finding_by_default)
{
    write_file("t.jsonl", HEAD("") LOW_MAP HIGH_MAP);
    cr_assert_eq(sh(MPUSIM " replay %s/t.jsonl --json %s/s.json", tdir, tdir), 0, "%s",
                 slurp("err"));
    const char *text = slurp("out");
    cr_expect(strstr(text, "finding: [0x1000000000000, 0x1000000001000) reaches 2^48 or beyond: "
                           "PRBAR/PRLAR hold address bits [47:6] only, so the MPU gets "
                           "[0x0, 0x1000)") != NULL, "%s", text);
    const char *js = slurp("s.json");
    cr_expect(strstr(js, "\"address_truncated\"") != NULL, "%s", js);
    cr_expect(strstr(js, "\"event\": 1") != NULL || strstr(js, "\"event\":1") != NULL, "%s", js);
}

Test(addresses_cli, limit_exactly_2_48_fits)
{
    write_file("t.jsonl", HEAD("") "{\"op\":\"map\",\"base\":\"0xfffffffff000\","
                                   "\"limit\":\"0x1000000000000\",\"flags\":\"RW\"}\n");
    cr_assert_eq(sh(MPUSIM " replay %s/t.jsonl --json -", tdir), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "address_truncated") == NULL, "%s", slurp("out"));
}

Test(addresses_cli, strict_addresses_exit_2_naming_file_line_and_event)
{
    write_file("t.jsonl", HEAD("") LOW_MAP HIGH_MAP);
    cr_expect_eq(sh(MPUSIM " replay %s/t.jsonl --strict-addresses --events-out %s/ev.jsonl",
                    tdir, tdir), 2);
    const char *err = slurp("err");
    cr_expect(strstr(err, "t.jsonl:3: event 1: map [0x1000000000000, 0x1000000001000): reaches "
                          "2^48 or beyond") != NULL, "%s", err);
    cr_expect(strstr(err, "--strict-addresses") != NULL, "%s", err);
    cr_expect(!exists("ev.jsonl"), "no output is left behind");
    /* the trace asks for it */
    write_file("t.jsonl", HEAD(",\"addresses\":\"strict\"") LOW_MAP HIGH_MAP);
    cr_expect_eq(sh(MPUSIM " replay %s/t.jsonl", tdir), 2);
    cr_expect(strstr(slurp("err"), "the trace's mpu.addresses") != NULL, "%s", slurp("err"));
    write_file("t.jsonl", HEAD(",\"addresses\":\"truncate\"") LOW_MAP HIGH_MAP);
    cr_expect_eq(sh(MPUSIM " replay %s/t.jsonl --quiet", tdir), 0, "%s", slurp("err"));
    write_file("t.jsonl", HEAD(",\"addresses\":\"loose\"") LOW_MAP);
    cr_expect_eq(sh(MPUSIM " replay %s/t.jsonl", tdir), 2);
    cr_expect(strstr(slurp("err"), "mpu.addresses") != NULL, "%s", slurp("err"));
}

Test(addresses_cli, every_op_with_a_range_and_boot_regions_are_checked)
{
    static const char *const events[] = {
        "{\"op\":\"unmap\",\"base\":\"0xfffffffffffff000\",\"limit\":\"0xffffffffffffffff\"}",
        "{\"op\":\"unmap_containing\",\"addr\":\"0x1000000000000\"}",
        "{\"op\":\"ioremap\",\"addr\":\"0xfffffffff000\",\"size\":\"0x2000\",\"flags\":\"NOCACHE\"}",
        "{\"op\":\"modify\",\"base\":\"0x0\",\"limit\":\"0x1000000001000\",\"flags\":\"RW\"}",
    };
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        char text[600];
        snprintf(text, sizeof text, HEAD("") "%s\n", events[i]);
        write_file("t.jsonl", text);
        cr_expect_eq(sh(MPUSIM " replay %s/t.jsonl --json -", tdir), 0, "%s: %s", events[i],
                     slurp("err"));
        cr_expect(strstr(slurp("out"), "address_truncated") != NULL, "%s: %s", events[i],
                  slurp("out"));
        cr_expect_eq(sh(MPUSIM " replay %s/t.jsonl --strict-addresses", tdir), 2, "%s",
                     events[i]);
    }
    write_file("t.jsonl", "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                          "\"boot\":[{\"base\":\"0x1000000000000\",\"limit\":\"0x1000000080000\","
                          "\"flags\":\"RX\"}]}\n" LOW_MAP);
    cr_expect_eq(sh(MPUSIM " replay %s/t.jsonl --json -", tdir), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "address_truncated") != NULL, "%s", slurp("out"));
    cr_expect_eq(sh(MPUSIM " replay %s/t.jsonl --strict-addresses", tdir), 2);
    cr_expect(strstr(slurp("err"), "boot[0] [0x1000000000000, 0x1000000080000)") != NULL, "%s",
              slurp("err"));
}

Test(addresses_cli, compare_counts_the_finding_and_honours_strictness)
{
    write_file("t.jsonl", HEAD("") LOW_MAP HIGH_MAP);
    cr_assert_eq(sh(MPUSIM " compare %s/t.jsonl --algo xen --json -", tdir), 0, "%s",
                 slurp("err"));
    cr_expect(strstr(slurp("out"), "\"findings\":1") != NULL, "%s", slurp("out"));
    cr_expect_eq(sh(MPUSIM " compare %s/t.jsonl --algo xen --strict-addresses", tdir), 2);
    cr_expect(strstr(slurp("err"), "reaches 2^48 or beyond") != NULL, "%s", slurp("err"));
}
