/* Strict unsigned numbers: decimal or 0x hex (common/number.h). */
#include "common/number.h"

#include <stdio.h>

static int digit_value(char c, unsigned base)
{
    int d = -1;
    if (c >= '0' && c <= '9')
        d = c - '0';
    else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
    return d >= 0 && (unsigned)d < base ? d : -1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

enum number_status number_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!s || !*s)
        return NUMBER_EMPTY;
    size_t n = 0;
    while (s[n])
        n++;
    if (is_space(s[0]) || is_space(s[n - 1]))
        return NUMBER_SPACE;
    if (s[0] == '-' || s[0] == '+')
        return NUMBER_SIGN;
    unsigned base = 10;
    const char *p = s;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
        if (!*p)
            return NUMBER_SYNTAX;
    } else if (p[0] == '0' && p[1] >= '0' && p[1] <= '9') {
        return NUMBER_OCTAL;
    }
    uint64_t v = 0;
    int overflow = 0;
    for (; *p; p++) {
        int d = digit_value(*p, base);
        if (d < 0)
            return NUMBER_SYNTAX;
        if (v > (UINT64_MAX - (unsigned)d) / base)
            overflow = 1; /* keep scanning: a bad character is reported first */
        else
            v = v * base + (unsigned)d;
    }
    if (overflow || v < lo || v > hi)
        return NUMBER_RANGE;
    *out = v;
    return NUMBER_OK;
}

const char *number_status_text(enum number_status st)
{
    switch (st) {
    case NUMBER_OK: return "a number";
    case NUMBER_EMPTY: return "empty";
    case NUMBER_SPACE: return "white space around the number";
    case NUMBER_SIGN: return "a sign (the value is unsigned)";
    case NUMBER_OCTAL: return "a leading 0 (octal is not accepted: write decimal or 0x hex)";
    case NUMBER_SYNTAX: return "not a number (decimal or 0x hex)";
    case NUMBER_RANGE: return "out of range";
    }
    return "?";
}

char *number_format_range(uint64_t lo, uint64_t hi, char *buf, unsigned long cap)
{
    snprintf(buf, cap, lo > UINT32_MAX ? "0x%llx.." : "%llu..", (unsigned long long)lo);
    size_t n = 0;
    while (buf[n])
        n++;
    if (n < cap)
        snprintf(buf + n, cap - n, hi > UINT32_MAX ? "0x%llx" : "%llu", (unsigned long long)hi);
    return buf;
}
