#ifndef MPUSIM_COMMON_NUMBER_H
#define MPUSIM_COMMON_NUMBER_H
/*
 * Unsigned numbers written as text, in options and in the string fields of input files
 * (docs/cli.md, "Numbers"): decimal ("4096") or 0x hex ("0x1000", "0X1000"), and nothing
 * else: no sign, no spaces, no suffix, and no octal: a decimal number with a leading 0
 * ("010") is refused rather than read as 8 or as 10 ("0" itself is fine; hex may have
 * leading zeros, "0x0010").
 */
#include <stdint.h>

enum number_status {
    NUMBER_OK = 0,
    NUMBER_EMPTY,    /* "" or NULL */
    NUMBER_SPACE,    /* leading or trailing white space */
    NUMBER_SIGN,     /* a leading '-' or '+' */
    NUMBER_OCTAL,    /* a decimal number with a leading 0 */
    NUMBER_SYNTAX,   /* any other character, or "0x" without digits */
    NUMBER_RANGE,    /* well formed, but outside [lo, hi] (or beyond 64 bits) */
};

/* Parse s into *out when it is a number in [lo, hi] (inclusive bounds); *out is left as it
 * is otherwise. Returns NUMBER_OK or why s was refused. */
enum number_status number_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* What is wrong, in a few words ("a leading 0 (octal is not accepted)"), for messages. */
const char *number_status_text(enum number_status st);

/* The range [lo, hi] for messages: "1..255"; a bound above 2^32 - 1 in hex
 * ("0..0xffffffffffffffff"). buf has capacity cap, always NUL-terminated. Returns buf. */
char *number_format_range(uint64_t lo, uint64_t hi, char *buf, unsigned long cap);

#endif
