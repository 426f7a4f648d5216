/* common/number.c: decimal or 0x hex, and nothing else. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "common/number.h"

Test(number, decimal_and_hex_are_read)
{
    uint64_t v = 7;
    cr_expect_eq(number_parse_u64("0", 0, 10, &v), NUMBER_OK);
    cr_expect_eq(v, 0u);
    cr_expect_eq(number_parse_u64("4096", 0, UINT64_MAX, &v), NUMBER_OK);
    cr_expect_eq(v, 4096u);
    cr_expect_eq(number_parse_u64("0x1000", 0, UINT64_MAX, &v), NUMBER_OK);
    cr_expect_eq(v, 0x1000u);
    cr_expect_eq(number_parse_u64("0X00fF", 0, UINT64_MAX, &v), NUMBER_OK);
    cr_expect_eq(v, 0xffu);
    cr_expect_eq(number_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), NUMBER_OK);
    cr_expect_eq(v, UINT64_MAX);
    cr_expect_eq(number_parse_u64("0xffffffffffffffff", 0, UINT64_MAX, &v), NUMBER_OK);
    cr_expect_eq(v, UINT64_MAX);
}

Test(number, everything_else_is_refused_and_says_why)
{
    static const struct { const char *s; enum number_status st; } bad[] = {
        { "", NUMBER_EMPTY },          { " 16", NUMBER_SPACE },      { "16 ", NUMBER_SPACE },
        { "\t16", NUMBER_SPACE },      { "16\n", NUMBER_SPACE },     { "-1", NUMBER_SIGN },
        { "+16", NUMBER_SIGN },        { "010", NUMBER_OCTAL },      { "00", NUMBER_OCTAL },
        { "0x", NUMBER_SYNTAX },       { "0x1g", NUMBER_SYNTAX },    { "16k", NUMBER_SYNTAX },
        { "1 6", NUMBER_SYNTAX },      { "0b101", NUMBER_SYNTAX },   { "1e3", NUMBER_SYNTAX },
        { "18446744073709551616", NUMBER_RANGE },                    { "0x10000000000000000", NUMBER_RANGE },
        { "99999999999999999999x", NUMBER_SYNTAX },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 7;
        cr_expect_eq(number_parse_u64(bad[i].s, 0, UINT64_MAX, &v), bad[i].st, "'%s'", bad[i].s);
        cr_expect_eq(v, 7u, "'%s' left *out alone", bad[i].s);
    }
    uint64_t v = 7;
    cr_expect_eq(number_parse_u64(NULL, 0, 1, &v), NUMBER_EMPTY);
    cr_expect_eq(number_parse_u64("256", 1, 255, &v), NUMBER_RANGE);
    cr_expect_eq(number_parse_u64("0", 1, 255, &v), NUMBER_RANGE);
    cr_expect_eq(number_parse_u64("0xff", 1, 255, &v), NUMBER_OK);
    cr_expect(strstr(number_status_text(NUMBER_OCTAL), "octal") != NULL);
}

Test(number, ranges_print_small_bounds_in_decimal_and_large_in_hex)
{
    char buf[64];
    cr_expect_str_eq(number_format_range(1, 255, buf, sizeof buf), "1..255");
    cr_expect_str_eq(number_format_range(0, UINT64_MAX, buf, sizeof buf), "0..0xffffffffffffffff");
    cr_expect_str_eq(number_format_range(1, 4000000000u, buf, sizeof buf), "1..4000000000");
}
