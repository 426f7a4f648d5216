/* Decoding single field values (numbers, flags, strings) with errors that name the field. */
#include <stdarg.h>
#include <stdio.h>

#include "traces/internal.h"

#define MAX_FLAGS 0x1FFu /* Xen's flag bits [8:0] (xen-mpu.md §4.1) */

int trace_fail(const struct trace_parse *p, enum mpusim_errc code, const char *field,
               const char *fmt, ...)
{
    if (!p->err || p->err->code != MPUSIM_OK)
        return -1;
    char prefix[32], text[200];
    if (p->boot >= 0)
        snprintf(prefix, sizeof prefix, "boot[%ld]", p->boot);
    else if (p->event >= 0)
        snprintf(prefix, sizeof prefix, "%s", p->op ? p->op : "event");
    else
        snprintf(prefix, sizeof prefix, "header");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (field)
        return mpusim_error_at(p->err, code, p->source, p->line, -1, p->event,
                               "%s: field '%s': %s", prefix, field, text);
    return mpusim_error_at(p->err, code, p->source, p->line, -1, p->event, "%s: %s", prefix,
                           text);
}

const char *trace_json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "real number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* Hex digit values, 0xFF for any other byte. */
static const unsigned char hex_value[256] = {
    ['0'] = 0, ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6, ['7'] = 7,
    ['8'] = 8, ['9'] = 9, ['a'] = 10, ['b'] = 11, ['c'] = 12, ['d'] = 13, ['e'] = 14,
    ['f'] = 15, ['A'] = 10, ['B'] = 11, ['C'] = 12, ['D'] = 13, ['E'] = 14, ['F'] = 15,
};

static int hex_digit(char c)
{
    unsigned char u = (unsigned char)c;
    if (u == '0')
        return 0;
    return hex_value[u] ? hex_value[u] : -1;
}

/* "0x" then one or more hex digits; the value must fit in 64 bits (leading zeros are fine). */
int trace_hex_value(const char *s, uint64_t *out)
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || s[2] == '\0')
        return -1;
    uint64_t v = 0;
    for (s += 2; *s; s++) {
        int d = hex_digit(*s);
        if (d < 0)
            return -1;
        if (v > (UINT64_MAX >> 4))
            return -2;
        v = (v << 4) | (unsigned)d;
    }
    *out = v;
    return 0;
}

int trace_field_u64(const struct trace_parse *p, const char *field, const json_t *v,
                    uint64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0)
            return trace_fail(p, MPUSIM_E_RANGE, field,
                              "negative value %lld (expected a hex string or non-negative "
                              "integer)", (long long)i);
        *out = (uint64_t)i;
        return 0;
    }
    if (!json_is_string(v))
        return trace_fail(p, MPUSIM_E_PARSE, field,
                          "expected a hex string or non-negative integer, got %s",
                          trace_json_type(v));
    const char *s = json_string_value(v);
    switch (trace_hex_value(s, out)) {
    case 0: return 0;
    case -2:
        return trace_fail(p, MPUSIM_E_RANGE, field, "hex string \"%.40s\" does not fit in 64 bits",
                          s);
    default:
        return trace_fail(p, MPUSIM_E_RANGE, field,
                          "bad hex string \"%.40s\" (expected \"0x\" followed by hex digits)", s);
    }
}

int trace_field_flags(const struct trace_parse *p, const char *field, const json_t *v,
                      unsigned *out)
{
    uint64_t n;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        int f = trace_flags_from_name(s);
        if (f >= 0) {
            *out = (unsigned)f;
            return 0;
        }
        if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
            return trace_fail(p, MPUSIM_E_RANGE, field,
                              "unknown flags name \"%.40s\" (expected RO, RX, RW, NOCACHE, WC "
                              "or a number 0..0x1ff)", s);
    } else if (!json_is_integer(v)) {
        return trace_fail(p, MPUSIM_E_PARSE, field,
                          "expected a flags name or a number, got %s", trace_json_type(v));
    }
    if (trace_field_u64(p, field, v, &n) != 0)
        return -1;
    if (n > MAX_FLAGS)
        return trace_fail(p, MPUSIM_E_RANGE, field, "flags 0x%llx out of range 0..0x1ff",
                          (unsigned long long)n);
    *out = (unsigned)n;
    return 0;
}

int trace_field_int(const struct trace_parse *p, const char *field, const json_t *v, long lo,
                    long hi, long *out)
{
    if (!json_is_integer(v))
        return trace_fail(p, MPUSIM_E_PARSE, field, "expected an integer, got %s",
                          trace_json_type(v));
    json_int_t i = json_integer_value(v);
    if (i < lo || i > hi)
        return trace_fail(p, MPUSIM_E_RANGE, field, "%lld out of range %ld..%ld", (long long)i,
                          lo, hi);
    *out = (long)i;
    return 0;
}

int trace_field_string(const struct trace_parse *p, const char *field, const json_t *v,
                       const char **out)
{
    if (!json_is_string(v))
        return trace_fail(p, MPUSIM_E_PARSE, field, "expected a string, got %s",
                          trace_json_type(v));
    *out = json_string_value(v);
    return 0;
}
