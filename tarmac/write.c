/*
 * Writing Tarmac lines in the shape tarmac-trace-utilities index (tarmac/tarmac.h): the
 * Fast Models style, "TS clk IT (INDEX) ADDRESS ENCODING O MODE : DISASSEMBLY", "R NAME VALUE",
 * "MW8 VADDR:PADDR VALUE". Hand-formatted hex: an export writes one line per register change.
 */
#include <string.h>

#include "tarmac/tarmac.h"

static char *put_dec(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_hex(char *p, uint64_t v, unsigned digits)
{
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = digits; i-- > 0;)
        *p++ = hex[(v >> (4 * i)) & 15];
    return p;
}

static char *put_str(char *p, const char *s, size_t cap_left)
{
    size_t n = strlen(s);
    if (n > cap_left)
        n = cap_left;
    memcpy(p, s, n);
    return p + n;
}

static char *put_time(char *p, uint64_t time)
{
    p = put_dec(p, time);
    memcpy(p, " clk ", 5);
    return p + 5;
}

size_t tarmac_format_insn(char *buf, uint64_t time, uint64_t index, uint64_t pc, uint32_t enc,
                          const char *mode, const char *disasm)
{
    char *p = put_time(buf, time);
    memcpy(p, "IT (", 4);
    p = put_dec(p + 4, index);
    *p++ = ')';
    *p++ = ' ';
    p = put_hex(p, pc, pc >> 32 ? 16 : 8);
    *p++ = ' ';
    p = put_hex(p, enc, 8);
    memcpy(p, " O ", 3);
    p = put_str(p + 3, mode ? mode : "EL2h", 16);
    memcpy(p, " : ", 3);
    p += 3;
    size_t left = TARMAC_LINE_CAP - 2 - (size_t)(p - buf);
    const char *d = disasm && disasm[0] ? disasm : "?";
    for (; *d && left; d++, left--)
        *p++ = (*d == '\n' || *d == '\r') ? ' ' : *d;
    *p++ = '\n';
    return (size_t)(p - buf);
}

size_t tarmac_format_reg(char *buf, uint64_t time, const char *name, uint64_t value,
                         unsigned digits)
{
    char *p = put_time(buf, time);
    *p++ = 'R';
    *p++ = ' ';
    p = put_str(p, name, 64);
    *p++ = ' ';
    p = put_hex(p, value, digits > 16 ? 16 : digits);
    *p++ = '\n';
    return (size_t)(p - buf);
}

size_t tarmac_format_mem(char *buf, uint64_t time, int write, unsigned size, uint64_t vaddr,
                         uint64_t paddr, uint64_t value, int aborted)
{
    char *p = put_time(buf, time);
    *p++ = 'M';
    *p++ = write ? 'W' : 'R';
    p = put_dec(p, size);
    *p++ = ' ';
    p = put_hex(p, vaddr, vaddr >> 32 ? 16 : 8);
    *p++ = ':';
    p = put_hex(p, paddr, 12 + (paddr >> 48 ? 4 : 0));
    *p++ = ' ';
    if (aborted) {
        memcpy(p, "(ABORTED)", 9);
        p += 9;
    } else if (size == 8) {
        p = put_hex(p, value >> 32, 8);
        *p++ = '_';
        p = put_hex(p, value, 8);
    } else {
        p = put_hex(p, value, 2 * (size > 8 ? 8 : size));
    }
    *p++ = '\n';
    return (size_t)(p - buf);
}

size_t tarmac_format_event(char *buf, uint64_t time, const char *text)
{
    char *p = put_time(buf, time);
    *p++ = 'E';
    *p++ = ' ';
    size_t left = TARMAC_LINE_CAP - 2 - (size_t)(p - buf);
    for (const char *d = text; *d && left; d++, left--)
        *p++ = (*d == '\n' || *d == '\r') ? ' ' : *d;
    *p++ = '\n';
    return (size_t)(p - buf);
}
