/*
 * Reading Tarmac lines (tarmac/tarmac.h). Lexing follows tarmac-trace-utilities' rule: words
 * are runs of letters, digits and "_-.#", any other punctuation character stands alone,
 * whitespace only separates. Each line form is parsed by its own function; a line that fits
 * no form is TARMAC_UNKNOWN, never an error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tarmac/tarmac.h"

/* ---- lexer ---- */

struct lex {
    const char *p, *end;
};

struct tok {
    const char *s;
    size_t n;
    int punct; /* 1: a single punctuation character */
};

/* Character classes, by table: the lexer is most of an import's time. */
#define CL_SPACE 1 /* separates words: space, tab, CR, VT, FF */
#define CL_WORD 2  /* part of a word: letters, digits, _ - . # */

static const unsigned char char_class[256] = {
    [' '] = CL_SPACE, ['\t'] = CL_SPACE, ['\r'] = CL_SPACE, ['\v'] = CL_SPACE, ['\f'] = CL_SPACE,
    ['0'] = CL_WORD, ['1'] = CL_WORD, ['2'] = CL_WORD, ['3'] = CL_WORD, ['4'] = CL_WORD,
    ['5'] = CL_WORD, ['6'] = CL_WORD, ['7'] = CL_WORD, ['8'] = CL_WORD, ['9'] = CL_WORD,
    ['a'] = CL_WORD, ['b'] = CL_WORD, ['c'] = CL_WORD, ['d'] = CL_WORD, ['e'] = CL_WORD,
    ['f'] = CL_WORD, ['g'] = CL_WORD, ['h'] = CL_WORD, ['i'] = CL_WORD, ['j'] = CL_WORD,
    ['k'] = CL_WORD, ['l'] = CL_WORD, ['m'] = CL_WORD, ['n'] = CL_WORD, ['o'] = CL_WORD,
    ['p'] = CL_WORD, ['q'] = CL_WORD, ['r'] = CL_WORD, ['s'] = CL_WORD, ['t'] = CL_WORD,
    ['u'] = CL_WORD, ['v'] = CL_WORD, ['w'] = CL_WORD, ['x'] = CL_WORD, ['y'] = CL_WORD,
    ['z'] = CL_WORD, ['A'] = CL_WORD, ['B'] = CL_WORD, ['C'] = CL_WORD, ['D'] = CL_WORD,
    ['E'] = CL_WORD, ['F'] = CL_WORD, ['G'] = CL_WORD, ['H'] = CL_WORD, ['I'] = CL_WORD,
    ['J'] = CL_WORD, ['K'] = CL_WORD, ['L'] = CL_WORD, ['M'] = CL_WORD, ['N'] = CL_WORD,
    ['O'] = CL_WORD, ['P'] = CL_WORD, ['Q'] = CL_WORD, ['R'] = CL_WORD, ['S'] = CL_WORD,
    ['T'] = CL_WORD, ['U'] = CL_WORD, ['V'] = CL_WORD, ['W'] = CL_WORD, ['X'] = CL_WORD,
    ['Y'] = CL_WORD, ['Z'] = CL_WORD, ['_'] = CL_WORD, ['-'] = CL_WORD, ['.'] = CL_WORD,
    ['#'] = CL_WORD,
};

static inline int is_space(char c) { return char_class[(unsigned char)c] == CL_SPACE; }
static inline int is_word(char c) { return char_class[(unsigned char)c] == CL_WORD; }

/* The next token; 0 at the end of the line. */
static int lex_next(struct lex *L, struct tok *t)
{
    while (L->p < L->end && is_space(*L->p))
        L->p++;
    if (L->p >= L->end)
        return 0;
    t->s = L->p;
    if (is_word(*L->p)) {
        while (L->p < L->end && is_word(*L->p))
            L->p++;
        t->punct = 0;
    } else {
        L->p++;
        t->punct = 1;
    }
    t->n = (size_t)(L->p - t->s);
    return 1;
}

static int lex_peek(const struct lex *L, struct tok *t)
{
    struct lex c = *L;
    return lex_next(&c, t);
}

static int is_punct(const struct tok *t, char c) { return t->punct && t->s[0] == c; }

/* t is the word w, in any case (w: letters and digits). */
static inline int tok_eq(const struct tok *t, const char *w)
{
    size_t n = strlen(w);
    if (t->punct || t->n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((t->s[i] | 0x20) != (w[i] | 0x20))
            return 0;
    return 1;
}

/* The rest of the line after L, trimmed. */
static void lex_rest(const struct lex *L, const char **s, size_t *n)
{
    const char *a = L->p, *b = L->end;
    while (a < b && is_space(*a))
        a++;
    while (b > a && is_space(b[-1]))
        b--;
    *s = a;
    *n = (size_t)(b - a);
}

/* ---- numbers ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int fail(struct tarmac_parser *p, enum mpusim_errc code, struct mpusim_error *err,
                const char *what, const struct tok *t)
{
    char word[40];
    size_t n = t->n < sizeof word - 1 ? t->n : sizeof word - 1;
    memcpy(word, t->s, n);
    word[n] = '\0';
    return mpusim_error_at(err, code, p->source, (int)p->line, -1, -1, "%s '%s%s'", what, word,
                           t->n > n ? "..." : "");
}

/* Hex word (underscores ignored) to 64 bits. 0, or -1 with err: not hex or beyond 64 bits. */
static int parse_hex64(struct tarmac_parser *p, const struct tok *t, const char *what,
                       uint64_t *out, struct mpusim_error *err)
{
    uint64_t v = 0;
    int any = 0;
    if (t->punct)
        return fail(p, MPUSIM_E_PARSE, err, what, t);
    for (size_t i = 0; i < t->n; i++) {
        if (t->s[i] == '_')
            continue;
        int h = hexval(t->s[i]);
        if (h < 0) {
            char msg[64];
            snprintf(msg, sizeof msg, "%s is not hex:", what);
            return fail(p, MPUSIM_E_PARSE, err, msg, t);
        }
        if (v >> 60) {
            char msg[64];
            snprintf(msg, sizeof msg, "%s beyond 64 bits:", what);
            return fail(p, MPUSIM_E_RANGE, err, msg, t);
        }
        v = (v << 4) | (uint64_t)h;
        any = 1;
    }
    if (!any)
        return fail(p, MPUSIM_E_PARSE, err, what, t);
    *out = v;
    return 0;
}

static int is_hex_word(const struct tok *t)
{
    if (t->punct || t->n == 0)
        return 0;
    int any = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->s[i] == '_')
            continue;
        if (hexval(t->s[i]) < 0)
            return 0;
        any = 1;
    }
    return any;
}

/* Decimal to 64 bits; -1 when it does not fit. */
static int parse_dec64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int is_unit(const char *s, size_t n)
{
    static const char *const units[] = { "clk", "ns", "ps", "cs", "cyc", "tic" };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i]) == n && strncasecmp(s, units[i], n) == 0)
            return 1;
    return 0;
}

/* ---- type words ---- */

enum ty { TY_NONE, TY_IT, TY_IS, TY_ES, TY_R, TY_MEM, TY_LD, TY_ST, TY_EVENT };

struct memtype {
    int write;
    unsigned size;
    int exclusive, fetch;
};

/* M?[RW]<size>[flags]: MR4, MW8X, R04, W02, MR4I. */
static int mem_type(const struct tok *t, struct memtype *m)
{
    size_t i = 0;
    if (t->punct || t->n < 2)
        return 0;
    if (t->s[0] == 'M' || t->s[0] == 'm') {
        i++;
        if (i + 1 < t->n && (t->s[i] == 'N' || t->s[i] == 'S' || t->s[i] == 'n' ||
                             t->s[i] == 's'))
            i++; /* a security-state letter before R/W (MNW4, MSR8) */
    }
    if (i >= t->n)
        return 0;
    char d = t->s[i];
    if (d == 'R' || d == 'r')
        m->write = 0;
    else if (d == 'W' || d == 'w')
        m->write = 1;
    else
        return 0;
    i++;
    size_t j = i;
    while (j < t->n && t->s[j] >= '0' && t->s[j] <= '9')
        j++;
    if (j == i || j - i > 3)
        return 0;
    uint64_t size;
    if (parse_dec64(t->s + i, j - i, &size) != 0 ||
        (size != 1 && size != 2 && size != 4 && size != 8 && size != 16))
        return 0;
    m->size = (unsigned)size;
    m->exclusive = m->fetch = 0;
    for (; j < t->n; j++) {
        char c = t->s[j];
        if (c == 'X' || c == 'x')
            m->exclusive = 1;
        else if (c == 'I' || c == 'i')
            m->fetch = 1;
        else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'))
            return 0; /* flag letters, '_' for a flag not set (MNR4O__I) */
    }
    return 1;
}

static enum ty type_of(const struct tok *t, struct memtype *m)
{
    if (t->punct)
        return TY_NONE;
    if (tok_eq(t, "IT") || tok_eq(t, "IF"))
        return TY_IT;
    if (tok_eq(t, "IS"))
        return TY_IS;
    if (tok_eq(t, "ES"))
        return TY_ES;
    if (tok_eq(t, "R"))
        return TY_R;
    if (tok_eq(t, "LD"))
        return TY_LD;
    if (tok_eq(t, "ST"))
        return TY_ST;
    if (tok_eq(t, "E") || tok_eq(t, "EXC") || tok_eq(t, "EXCEPTION"))
        return TY_EVENT;
    if (mem_type(t, m))
        return TY_MEM;
    return TY_NONE;
}

static void set_type(struct tarmac_record *rec, const struct tok *t)
{
    size_t n = t->n < TARMAC_NAME - 1 ? t->n : TARMAC_NAME - 1;
    memcpy(rec->type, t->s, n);
    rec->type[n] = '\0';
}

/* ---- instruction lines ---- */

static int is_state(const struct tok *t)
{
    return tok_eq(t, "O") || tok_eq(t, "A") || tok_eq(t, "T") || tok_eq(t, "T16") ||
           tok_eq(t, "T32");
}

/* Encoding word: hex (4 or 8 digits normally) or dashes. 1 ok, 0 not an encoding. */
static int parse_enc(const struct tok *t, struct tarmac_insn *in)
{
    if (t->punct || t->n == 0 || t->n > 8)
        return 0;
    int dashes = 1;
    for (size_t i = 0; i < t->n; i++)
        if (t->s[i] != '-')
            dashes = 0;
    if (dashes) {
        in->enc = 0;
        in->enc_digits = 0;
        return 1;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < t->n; i++) {
        int h = hexval(t->s[i]);
        if (h < 0)
            return 0;
        v = (v << 4) | (uint32_t)h;
    }
    in->enc = v;
    in->enc_digits = (unsigned)t->n;
    return 1;
}

static void set_state_mode(struct tarmac_insn *in, const struct tok *state, const struct tok *mode)
{
    in->state = state ? (char)(state->s[0] & ~0x20) : '?';
    if (in->state != 'O' && in->state != 'A' && in->state != 'T')
        in->state = '?';
    in->mode = mode ? mode->s : "";
    in->mode_len = mode ? mode->n : 0;
}

/* After the disassembly colon (or at the end): the disassembly, ES's CCFAIL. */
static void take_disasm(struct lex *L, struct tarmac_insn *in, int es)
{
    struct tok t;
    if (lex_peek(L, &t) && is_punct(&t, ':'))
        lex_next(L, &t);
    if (es && lex_peek(L, &t) && tok_eq(&t, "CCFAIL")) {
        lex_next(L, &t);
        in->executed = 0;
    }
    lex_rest(L, &in->disasm, &in->disasm_len);
}

/* A mode word: EL<n>..., an AArch32 or M-profile mode (svc, hyp_n, thrd_s...), or only
 * '-' and '_' (a producer's "unknown"). Used where a word may be the mode or already the
 * disassembly (producers that write no mode). */
static int looks_like_mode(const struct tok *t)
{
    static const char *const modes[] = { "usr", "fiq", "irq", "svc", "mon", "abt", "hyp",
                                         "und", "sys", "thrd", "thread", "handler", "hdlr" };
    if (t->punct || t->n == 0)
        return 0;
    if (t->n >= 3 && (t->s[0] | 0x20) == 'e' && (t->s[1] | 0x20) == 'l' && t->s[2] >= '0' &&
        t->s[2] <= '3')
        return 1;
    int only_marks = 1;
    for (size_t i = 0; i < t->n; i++)
        if (t->s[i] != '-' && t->s[i] != '_')
            only_marks = 0;
    if (only_marks)
        return 1;
    size_t n = 0;
    while (n < t->n && t->s[n] != '_')
        n++;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strlen(modes[i]) == n && strncasecmp(t->s, modes[i], n) == 0)
            return 1;
    return 0;
}

/* An address word, with what some producers write after it and the import does not need:
 * ":PADDR" (maybe with an _NS/_S suffix) and ",PADDR2" (a Thumb instruction across two
 * pages). The physical parts are consumed. */
static int take_address(struct lex *L, struct tok *addr)
{
    struct tok t;
    if (!lex_peek(L, &t) || t.punct)
        return 0;
    lex_next(L, addr);
    while (lex_peek(L, &t) && (is_punct(&t, ':') || is_punct(&t, ','))) {
        struct lex save = *L;
        struct tok w;
        lex_next(L, &t);
        if (!lex_next(L, &w) || w.punct) {
            *L = save;
            break;
        }
    }
    return 1;
}

/* IT/IS/IF, in every form the specification lists and those producers write:
 *   (INDEX) ADDR ENC STATE [MODE] [:] DISASM
 *   ADDR ENC STATE [MODE] [:] DISASM
 *   (ADDR) ENC STATE [MODE] [:] DISASM
 *   (ADDR:x) ADDR ENC STATE DISASM         (an M-profile RTL: the index is not given)
 *   ADDR ENC DISASM                        (a producer that writes no state: state '?')
 * ADDR may carry ":PADDR" and ",PADDR2". 1 parsed, 0 not an instruction line, -1 error. */
static int parse_it(struct tarmac_parser *p, struct lex *L, struct tarmac_record *rec,
                    int executed, struct mpusim_error *err)
{
    struct tarmac_insn *in = &rec->u.insn;
    memset(in, 0, sizeof *in);
    in->executed = executed;
    struct tok t, paren = { NULL, 0, 0 };
    int has_paren = 0, paren_colon = 0;
    if (lex_peek(L, &t) && is_punct(&t, '(')) {
        lex_next(L, &t);
        if (!lex_next(L, &paren) || paren.punct)
            return 0;
        while (lex_next(L, &t) && !is_punct(&t, ')'))
            if (is_punct(&t, ':'))
                paren_colon = 1;
        if (!is_punct(&t, ')'))
            return 0;
        has_paren = 1;
    }
    /* up to three words after the address: ENC STATE MODE or STATE MODE or ENC DISASM... */
    struct tok first, w[3];
    struct lex after[3];
    if (!take_address(L, &first))
        return 0;
    unsigned nw = 0;
    while (nw < 3 && lex_peek(L, &t) && !t.punct) {
        lex_next(L, &w[nw]);
        after[nw++] = *L;
    }
    const struct tok *addr, *enc, *state = NULL;
    struct lex rest; /* where the mode (or the disassembly) starts */
    if (has_paren && !paren_colon && nw >= 1 && is_state(&w[0]) &&
        !(nw >= 2 && is_state(&w[1]))) {
        addr = &paren; /* (ADDRESS) ENCODING STATE ... */
        enc = &first;
        state = &w[0];
        rest = after[0];
    } else if (nw >= 2 && is_state(&w[1])) {
        if (has_paren && !paren_colon) { /* (INDEX) ADDRESS ENCODING STATE ... */
            if (!all_digits(paren.s, paren.n))
                return 0;
            if (parse_dec64(paren.s, paren.n, &in->index) != 0)
                return fail(p, MPUSIM_E_RANGE, err, "instruction index beyond 64 bits:", &paren);
            in->has_index = 1;
        }
        addr = &first;
        enc = &w[0];
        state = &w[1];
        rest = after[1];
    } else if (!has_paren && nw >= 1 && is_hex_word(&first) && is_hex_word(&w[0]) &&
               (w[0].n == 4 || w[0].n == 8)) {
        addr = &first; /* ADDRESS ENCODING DISASSEMBLY: no state, no mode */
        enc = &w[0];
        rest = after[0];
    } else {
        return 0;
    }
    if (!parse_enc(enc, in))
        return 0;
    if (parse_hex64(p, addr, "instruction address", &in->pc, err) != 0)
        return -1;
    *L = rest;
    struct tok mode, nx;
    int has_mode = 0;
    if (state && lex_peek(L, &mode) && !mode.punct) {
        struct lex m = *L;
        lex_next(&m, &nx);
        has_mode = !lex_next(&m, &nx) || is_punct(&nx, ':') || looks_like_mode(&mode);
        if (has_mode)
            lex_next(L, &mode);
    }
    set_state_mode(in, state, has_mode ? &mode : NULL);
    take_disasm(L, in, 0);
    rec->kind = TARMAC_INSN;
    return 1;
}

/* ES (ADDR:ENC) STATE MODE : [CCFAIL] DISASM; ES without '(' is an event. */
static int parse_es(struct tarmac_parser *p, struct lex *L, struct tarmac_record *rec,
                    struct mpusim_error *err)
{
    struct tarmac_insn *in = &rec->u.insn;
    struct tok t, addr, enc, state, mode;
    if (!lex_peek(L, &t) || !is_punct(&t, '(')) {
        rec->kind = TARMAC_EVENT;
        lex_rest(L, &rec->rest, &rec->rest_len);
        return 1;
    }
    memset(in, 0, sizeof *in);
    in->executed = 1;
    lex_next(L, &t);
    if (!lex_next(L, &addr) || addr.punct || !lex_next(L, &t) || !is_punct(&t, ':') ||
        !lex_next(L, &enc) || !lex_next(L, &t) || !is_punct(&t, ')'))
        return 0;
    if (!parse_enc(&enc, in))
        return 0;
    int has_state = lex_peek(L, &state) && is_state(&state);
    if (has_state)
        lex_next(L, &state);
    int has_mode = has_state && lex_peek(L, &mode) && !mode.punct;
    if (has_mode)
        lex_next(L, &mode);
    if (parse_hex64(p, &addr, "instruction address", &in->pc, err) != 0)
        return -1;
    set_state_mode(in, has_state ? &state : NULL, has_mode ? &mode : NULL);
    take_disasm(L, in, 1);
    rec->kind = TARMAC_INSN;
    return 1;
}

/* ---- register lines ---- */

static int is_maint(const struct tok *t)
{
    static const char *const ops[] = { "DC", "IC", "TLBI", "AT", "SYS", "CFP", "CPP", "DVP",
                                       "BRB" };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (tok_eq(t, ops[i]))
            return 1;
    return 0;
}

/* A value word: hex digits, '-' (unknown nibble), '_' (visual). */
static int is_value_word(const struct tok *t)
{
    if (t->punct || t->n == 0)
        return 0;
    int any = 0;
    for (size_t i = 0; i < t->n; i++) {
        char c = t->s[i];
        if (c == '_')
            continue;
        if (c != '-' && hexval(c) < 0)
            return 0;
        any = 1;
    }
    return any;
}

#define MAX_DIGITS (2 * TARMAC_REG_BYTES)

struct digits {
    char d[MAX_DIGITS]; /* the last MAX_DIGITS digits, most significant first */
    size_t n;           /* digits kept */
};

static void digits_add(struct digits *D, const struct tok *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->s[i] == '_')
            continue;
        if (D->n == MAX_DIGITS) { /* keep the least significant digits */
            memmove(D->d, D->d + 1, MAX_DIGITS - 1);
            D->n--;
        }
        D->d[D->n++] = t->s[i];
    }
}

/* Bytes from digits (least significant last); known bit per byte whose digits are hex. */
static void digits_bytes(const struct digits *D, uint8_t *bytes, uint64_t *known,
                         unsigned *nbytes, unsigned cap)
{
    unsigned nb = (unsigned)((D->n + 1) / 2);
    if (nb > cap)
        nb = cap;
    *known = 0;
    for (unsigned b = 0; b < nb; b++) {
        size_t lo = D->n - 1 - 2 * (size_t)b; /* index of the low nibble */
        int l = hexval(D->d[lo]);
        int h = (2 * (size_t)b + 1 < D->n) ? hexval(D->d[lo - 1]) : 0;
        int hdash = (2 * (size_t)b + 1 < D->n) && D->d[lo - 1] == '-';
        if (l >= 0 && h >= 0 && !hdash) {
            bytes[b] = (uint8_t)(h << 4 | l);
            if (b < 64)
                *known |= 1ull << b;
        } else {
            bytes[b] = 0;
        }
    }
    *nbytes = nb;
}

static void name_copy(char *dst, const struct tok *t)
{
    size_t n = t->n < TARMAC_NAME - 1 ? t->n : TARMAC_NAME - 1;
    for (size_t i = 0; i < n; i++) {
        char c = t->s[i];
        dst[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    dst[n] = '\0';
}

static int parse_reg(struct tarmac_parser *p, struct lex *L, struct tarmac_record *rec)
{
    (void)p;
    struct tarmac_reg *r = &rec->u.reg;
    struct tok t, name;
    if (!lex_next(L, &name) || name.punct)
        return 0;
    if (is_maint(&name)) {
        rec->kind = TARMAC_MAINT;
        lex_rest(L, &rec->rest, &rec->rest_len);
        return 1;
    }
    r->name[0] = '\0';
    name_copy(r->name, &name);
    r->extra = NULL;
    r->extra_len = 0;
    r->has_bits = 0;
    r->value_ok = 0;
    r->bad_value[0] = '\0';
    r->nbytes = 0;
    r->known = 0;
    if (lex_peek(L, &t) && is_punct(&t, '(')) {
        lex_next(L, &t);
        const char *a = L->p;
        while (lex_next(L, &t) && !is_punct(&t, ')'))
            ;
        const char *b = t.s;
        while (a < b && is_space(*a))
            a++;
        r->extra = a;
        r->extra_len = (size_t)(b > a ? b - a : 0);
    }
    if (lex_peek(L, &t) && is_punct(&t, '<')) {
        struct tok hi, c, lo, gt;
        lex_next(L, &t);
        uint64_t h, l;
        if (lex_next(L, &hi) && all_digits(hi.s, hi.n) && lex_next(L, &c) && is_punct(&c, ':') &&
            lex_next(L, &lo) && all_digits(lo.s, lo.n) && lex_next(L, &gt) && is_punct(&gt, '>') &&
            parse_dec64(hi.s, hi.n, &h) == 0 && parse_dec64(lo.s, lo.n, &l) == 0 && h >= l &&
            h < 4096) {
            r->has_bits = 1;
            r->hi = (unsigned)h;
            r->lo = (unsigned)l;
        } else {
            return 0;
        }
    }
    rec->kind = TARMAC_REG;
    struct tok first;
    if (!lex_next(L, &first)) {
        snprintf(r->bad_value, sizeof r->bad_value, "(none)");
        return 1;
    }
    if (!is_value_word(&first)) {
        size_t n = first.n < sizeof r->bad_value - 1 ? first.n : sizeof r->bad_value - 1;
        memcpy(r->bad_value, first.s, n);
        r->bad_value[n] = '\0';
        return 1;
    }
    struct digits D;
    D.n = 0;
    digits_add(&D, &first);
    for (;;) {
        struct lex save = *L;
        if (!lex_next(L, &t))
            break;
        if (is_punct(&t, ':')) {
            struct tok v;
            if (lex_next(L, &v) && is_value_word(&v)) {
                digits_add(&D, &v);
                continue;
            }
        } else if (is_value_word(&t) && t.n == first.n) {
            digits_add(&D, &t);
            continue;
        }
        *L = save;
        break;
    }
    digits_bytes(&D, r->bytes, &r->known, &r->nbytes, TARMAC_REG_BYTES);
    r->value_ok = 1;
    return 1;
}

/* ---- memory lines ---- */

/* A physical address may name its address space after an underscore (010116fffcc0_NS,
 * 0000fffe0_S): the suffix is dropped. An underscore followed by hex digits is visual. */
static void drop_space_suffix(struct tok *t)
{
    for (size_t i = t->n; i-- > 0;) {
        if (t->s[i] != '_')
            continue;
        for (size_t j = i + 1; j < t->n; j++)
            if (hexval(t->s[j]) < 0) {
                t->n = i;
                return;
            }
        return;
    }
}

static int parse_mem(struct tarmac_parser *p, struct lex *L, struct tarmac_record *rec,
                     const struct memtype *mt, struct mpusim_error *err)
{
    struct tarmac_mem *m = &rec->u.mem;
    memset(m, 0, sizeof *m);
    m->write = mt->write;
    m->size = mt->size;
    m->exclusive = mt->exclusive;
    m->fetch = mt->fetch;
    struct tok t, va;
    if (lex_peek(L, &t) && tok_eq(&t, "X")) {
        lex_next(L, &t);
        m->exclusive = 1;
    }
    if (!lex_next(L, &va) || va.punct)
        return 0;
    if (parse_hex64(p, &va, "memory address", &m->addr, err) != 0)
        return -1;
    if (lex_peek(L, &t) && is_punct(&t, ':')) {
        struct tok pa;
        lex_next(L, &t);
        if (!lex_next(L, &pa) || pa.punct)
            return 0;
        drop_space_suffix(&pa);
        if (parse_hex64(p, &pa, "physical address", &m->paddr, err) != 0)
            return -1;
        m->has_paddr = 1;
    }
    m->accessed = (uint16_t)(m->size == 16 ? 0xFFFFu : (1u << m->size) - 1u);
    if (m->size > 1 && m->addr + (m->size - 1) < m->addr)
        return fail(p, MPUSIM_E_RANGE, err, "memory access wraps beyond 64 bits at", &va);
    struct digits D;
    D.n = 0;
    while (lex_next(L, &t)) {
        if (is_punct(&t, '(')) {
            struct tok w;
            if (lex_next(L, &w) && tok_eq(&w, "ABORTED"))
                m->aborted = 1;
            break;
        }
        if (!is_value_word(&t))
            break;
        digits_add(&D, &t);
        struct tok nx;
        if (!(lex_peek(L, &nx) && (is_value_word(&nx) || is_punct(&nx, '('))))
            break;
        if (is_value_word(&nx) && D.n >= 2 * (size_t)m->size)
            break;
    }
    if (D.n) {
        uint8_t b[TARMAC_REG_BYTES];
        uint64_t known;
        unsigned nb;
        digits_bytes(&D, b, &known, &nb, TARMAC_REG_BYTES);
        for (unsigned i = 0; i < m->size; i++) {
            if (i < nb) {
                m->bytes[i] = b[i];
                if (known >> i & 1)
                    m->known |= (uint16_t)(1u << i);
            } else { /* fewer digits than the size: zero-extended */
                m->known |= (uint16_t)(1u << i);
            }
        }
    }
    rec->kind = TARMAC_MEM;
    return 1;
}

/* Diagram: ADDR then 32 characters (2 per byte, byte 15 first) in whole-byte words. 1 ok, 0
 * not a diagram, -1 error. */
static int parse_diagram(struct tarmac_parser *p, struct lex *L, struct tarmac_record *rec,
                         int write, struct mpusim_error *err)
{
    struct tarmac_mem *m = &rec->u.mem;
    struct tok va, t;
    if (!lex_next(L, &va) || !is_hex_word(&va))
        return 0;
    char pic[32];
    size_t n = 0;
    while (n < 32 && lex_next(L, &t)) {
        if (t.punct || (t.n & 1) || n + t.n > 32)
            return 0;
        for (size_t i = 0; i < t.n; i++) {
            char c = t.s[i];
            if (c != '.' && c != '#' && hexval(c) < 0)
                return 0;
            pic[n++] = c;
        }
    }
    if (n != 32)
        return 0;
    memset(m, 0, sizeof *m);
    m->write = write;
    m->diagram = 1;
    if (parse_hex64(p, &va, "memory address", &m->addr, err) != 0)
        return -1;
    for (unsigned k = 0; k < 16; k++) {
        char a = pic[2 * k], b = pic[2 * k + 1];
        unsigned byte = 15 - k;
        if (a == '.' && b == '.')
            continue;
        if (a == '#' && b == '#') {
            m->accessed |= (uint16_t)(1u << byte);
            continue;
        }
        if (hexval(a) < 0 || hexval(b) < 0)
            return 0;
        m->accessed |= (uint16_t)(1u << byte);
        m->known |= (uint16_t)(1u << byte);
        m->bytes[byte] = (uint8_t)(hexval(a) << 4 | hexval(b));
    }
    if (m->accessed == 0)
        return 0;
    uint64_t top = 15;
    while (!(m->accessed >> top & 1))
        top--;
    if (m->addr + top < m->addr)
        return fail(p, MPUSIM_E_RANGE, err, "memory diagram wraps beyond 64 bits at", &va);
    lex_rest(L, &rec->rest, &rec->rest_len); /* physical address, attributes: not used */
    rec->kind = TARMAC_MEM;
    return 1;
}

/* ---- the line ---- */

void tarmac_parser_init(struct tarmac_parser *p, const char *source)
{
    memset(p, 0, sizeof *p);
    snprintf(p->source, sizeof p->source, "%s", source ? source : "");
}

/* The timestamp word(s) at L, consumed when present. 0, or -1 with err (beyond 64 bits). */
static int take_time(struct tarmac_parser *p, struct lex *L, struct tarmac_record *rec,
                     struct mpusim_error *err)
{
    struct tok t;
    if (!lex_peek(L, &t) || t.punct || t.s[0] < '0' || t.s[0] > '9')
        return 0;
    size_t d = 0;
    while (d < t.n && t.s[d] >= '0' && t.s[d] <= '9')
        d++;
    if (d < t.n && !is_unit(t.s + d, t.n - d))
        return 0; /* "0005f4a0": not a timestamp */
    uint64_t v;
    if (parse_dec64(t.s, d, &v) != 0)
        return fail(p, MPUSIM_E_RANGE, err, "timestamp beyond 64 bits:", &t);
    lex_next(L, &t);
    if (d == t.n && lex_peek(L, &t) && !t.punct && is_unit(t.s, t.n))
        lex_next(L, &t);
    p->has_time = 1;
    p->time = v;
    rec->has_time = 1;
    rec->time = v;
    return 0;
}

int tarmac_parse_line(struct tarmac_parser *p, const char *line, size_t len,
                      struct tarmac_record *rec, struct mpusim_error *err)
{
    p->line++;
    rec->kind = TARMAC_UNKNOWN;
    rec->line = p->line;
    rec->has_time = p->has_time;
    rec->time = p->time;
    rec->type[0] = '\0';
    rec->rest = NULL;
    rec->rest_len = 0;
    struct lex L = { line, line + len }, start;
    struct tok t, t2;
    if (!lex_peek(&L, &t)) {
        rec->kind = TARMAC_BLANK;
        return 0;
    }
    int last_diagram = p->last_diagram;
    p->last_diagram = 0;
    start = L;
    struct tarmac_parser save_time = *p;
    if (take_time(p, &L, rec, err) != 0)
        return -1;
    struct memtype mt;
    enum ty ty = TY_NONE;
    if (lex_next(&L, &t)) {
        ty = type_of(&t, &mt);
        if (ty == TY_NONE && lex_peek(&L, &t2) && type_of(&t2, &mt) != TY_NONE) {
            lex_next(&L, &t); /* a component word (cpu0) before the type */
            ty = type_of(&t, &mt);
        } else if (ty == TY_NONE && t.n && t.s[t.n - 1] >= '0' && t.s[t.n - 1] <= '9' &&
                   lex_peek(&L, &t2) && !t2.punct) {
            lex_next(&L, &t); /* cpu0 SOME_EVENT: name the line by its type, not by cpu0 */
        }
        set_type(rec, &t);
    }
    int rc = 0;
    switch (ty) {
    case TY_IT:
        rc = parse_it(p, &L, rec, 1, err);
        break;
    case TY_IS:
        rc = parse_it(p, &L, rec, 0, err);
        break;
    case TY_ES:
        rc = parse_es(p, &L, rec, err);
        break;
    case TY_R:
        rc = parse_reg(p, &L, rec);
        break;
    case TY_MEM:
        rc = parse_mem(p, &L, rec, &mt, err);
        break;
    case TY_LD:
    case TY_ST:
        rc = parse_diagram(p, &L, rec, ty == TY_ST, err);
        if (rc == 1)
            p->last_diagram = ty == TY_ST ? 2 : 1;
        break;
    case TY_EVENT:
        rec->kind = TARMAC_EVENT;
        lex_rest(&L, &rec->rest, &rec->rest_len);
        rc = 1;
        break;
    case TY_NONE:
        if (last_diagram) { /* a diagram line that leaves out the LD/ST of the one before */
            struct lex D = start;
            struct tarmac_record tmp = *rec;
            *p = save_time; /* the address may have looked like a timestamp */
            p->last_diagram = 0;
            rc = parse_diagram(p, &D, &tmp, last_diagram == 2, err);
            if (rc == 1) {
                *rec = tmp;
                snprintf(rec->type, sizeof rec->type, "%s", last_diagram == 2 ? "ST" : "LD");
                p->last_diagram = last_diagram;
                break;
            }
            if (rc < 0)
                return -1;
            struct tarmac_record again; /* not a diagram: take the timestamp after all */
            if (take_time(p, &start, &again, err) != 0)
                return -1;
            rec->has_time = p->has_time;
            rec->time = p->time;
        }
        rc = 0;
        break;
    }
    if (rc < 0)
        return -1;
    if (rc == 0) {
        rec->kind = TARMAC_UNKNOWN;
        lex_rest(&L, &rec->rest, &rec->rest_len);
    }
    if (rec->kind != TARMAC_BLANK && rec->kind != TARMAC_UNKNOWN)
        p->recognised++;
    return 0;
}

uint64_t tarmac_reg_u64(const struct tarmac_reg *r)
{
    uint64_t v = 0;
    unsigned n = r->nbytes < 8 ? r->nbytes : 8;
    for (unsigned i = 0; i < n; i++)
        if (r->known >> i & 1)
            v |= (uint64_t)r->bytes[i] << (8 * i);
    return v;
}

const char *tarmac_kind_name(enum tarmac_kind k)
{
    static const char *const names[TARMAC_KIND_COUNT] = {
        "blank", "instruction", "register", "maintenance", "memory", "event", "unknown",
    };
    return (unsigned)k < TARMAC_KIND_COUNT ? names[k] : "?";
}

/* ---- the streaming reader ---- */

#define READ_BUF (1u << 18) /* four of the longest lines */

struct tarmac_reader {
    FILE *f;
    int own;                 /* 1: f is ours to close */
    char *buf;               /* READ_BUF + 1 bytes */
    size_t start, end;       /* unread bytes: buf[start, end) */
    int eof;
    uint64_t offset;         /* bytes consumed */
    struct tarmac_parser p;
};

struct tarmac_reader *tarmac_reader_new(FILE *f, const char *source, struct mpusim_error *err)
{
    struct tarmac_reader *r = calloc(1, sizeof *r);
    if (r)
        r->buf = malloc(READ_BUF + 1);
    if (!r || !r->buf) {
        free(r);
        mpusim_error_at(err, MPUSIM_E_IO, source, -1, -1, -1, "out of memory for the reader");
        return NULL;
    }
    r->f = f;
    tarmac_parser_init(&r->p, source);
    return r;
}

struct tarmac_reader *tarmac_reader_open(const char *path, struct mpusim_error *err)
{
    int in = strcmp(path, "-") == 0;
    FILE *f = in ? stdin : fopen(path, "rb");
    if (!f) {
        mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct tarmac_reader *r = tarmac_reader_new(f, in ? "<stdin>" : path, err);
    if (!r) {
        if (!in)
            fclose(f);
        return NULL;
    }
    r->own = !in;
    return r;
}

void tarmac_reader_close(struct tarmac_reader *r)
{
    if (!r)
        return;
    if (r->own)
        fclose(r->f);
    free(r->buf);
    free(r);
}

uint64_t tarmac_reader_offset(const struct tarmac_reader *r) { return r->offset; }
const struct tarmac_parser *tarmac_reader_parser(const struct tarmac_reader *r) { return &r->p; }

/* Refill: move the unread bytes to the front and read more. -1 on a read error. */
static int refill(struct tarmac_reader *r, struct mpusim_error *err)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->eof || r->end == READ_BUF)
        return 0;
    size_t n = fread(r->buf + r->end, 1, READ_BUF - r->end, r->f);
    r->end += n;
    if (n == 0) {
        if (ferror(r->f))
            return mpusim_error_at(err, MPUSIM_E_IO, r->p.source, (int)r->p.line, -1, -1,
                                   "read error: %s", strerror(errno));
        r->eof = 1;
    }
    return 0;
}

static int not_tarmac(struct tarmac_reader *r, struct mpusim_error *err)
{
    return mpusim_error_at(err, MPUSIM_E_PARSE, r->p.source, (int)(r->p.line ? r->p.line : 1), -1,
                           -1, "not a Tarmac trace: no recognisable line in the first %ld lines",
                           r->p.line);
}

int tarmac_read(struct tarmac_reader *r, struct tarmac_record *rec, struct mpusim_error *err)
{
    for (;;) {
        char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        if (!nl && !r->eof && r->end - r->start < READ_BUF) {
            if (refill(r, err) != 0)
                return -1;
            continue;
        }
        size_t len;
        int skip_long = 0;
        if (nl) {
            len = (size_t)(nl - (r->buf + r->start));
        } else if (r->end > r->start) {
            len = r->end - r->start; /* a last line without newline, or an overlong one */
            if (!r->eof)
                skip_long = 1;
        } else {
            if (r->p.recognised == 0)
                return not_tarmac(r, err);
            return 0;
        }
        if (skip_long || len > TARMAC_MAX_LINE) {
            /* drop the rest of this line, whatever its length */
            r->offset += len;
            r->start += len;
            while (!nl) {
                r->start = r->end = 0;
                if (refill(r, err) != 0)
                    return -1;
                if (r->end == 0)
                    break;
                nl = memchr(r->buf, '\n', r->end);
                size_t k = nl ? (size_t)(nl - r->buf) : r->end;
                r->offset += k;
                r->start = k;
            }
            if (nl) {
                r->start++;
                r->offset++;
            }
            r->p.line++;
            rec->kind = TARMAC_UNKNOWN;
            rec->line = r->p.line;
            rec->has_time = r->p.has_time;
            rec->time = r->p.time;
            snprintf(rec->type, sizeof rec->type, "(line over %d bytes)", TARMAC_MAX_LINE);
            rec->rest = NULL;
            rec->rest_len = 0;
        } else {
            const char *line = r->buf + r->start;
            r->start += len + (nl ? 1 : 0);
            r->offset += len + (nl ? 1 : 0);
            if (tarmac_parse_line(&r->p, line, len, rec, err) != 0)
                return -1;
        }
        if (r->p.recognised == 0 && r->p.line >= TARMAC_SNIFF_LINES)
            return not_tarmac(r, err);
        return 1;
    }
}
