/* Adapter files: JSON -> struct replay_adapter, with precise errors (replay/adapter.h). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/adapter.h"
#include "common/number.h"
#include "mm/mm.h"
#include "mpu_model/mpu.h"

struct ctx {
    const char *source;
    struct mpusim_error *err;
};

__attribute__((format(printf, 3, 4))) static int fail(struct ctx *c, enum mpusim_errc code,
                                                      const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return mpusim_error_at(c->err, code, c->source, -1, -1, -1, "%s", text);
}

/* A number: JSON integer >= 0 or a "0x..." / decimal string. */
static int number(struct ctx *c, json_t *v, const char *what, uint64_t *out)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (json_is_string(v)) {
        enum number_status st = number_parse_u64(json_string_value(v), 0, UINT64_MAX, out);
        if (st == NUMBER_OK)
            return 0;
        return fail(c, st == NUMBER_RANGE ? MPUSIM_E_RANGE : MPUSIM_E_PARSE,
                    "%s: \"%.40s\": %s", what, json_string_value(v), number_status_text(st));
    }
    return fail(c, MPUSIM_E_PARSE, "%s: expected a non-negative number or a hex string", what);
}

static int name(struct ctx *c, json_t *v, const char *what, char *out)
{
    if (!json_is_string(v) || !*json_string_value(v))
        return fail(c, MPUSIM_E_PARSE, "%s: expected a symbol name", what);
    if (strlen(json_string_value(v)) >= REPLAY_ADAPTER_NAME)
        return fail(c, MPUSIM_E_RANGE, "%s: name longer than %d bytes", what,
                    REPLAY_ADAPTER_NAME - 1);
    strcpy(out, json_string_value(v));
    return 0;
}

/* Every key of obj must be one of allowed (NULL-terminated) or start with "x-". */
static int known_keys(struct ctx *c, json_t *obj, const char *what, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int ok = !strncmp(key, "x-", 2);
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(key, *a);
        if (!ok)
            return fail(c, MPUSIM_E_RANGE, "%s: unknown key \"%s\"", what, key);
    }
    return 0;
}

static const char *const arg_names[REPLAY_ARG_COUNT] = {
    [REPLAY_ARG_CONST] = "", [REPLAY_ARG_BASE] = "base", [REPLAY_ARG_LIMIT] = "limit",
    [REPLAY_ARG_FLAGS] = "flags", [REPLAY_ARG_ADDR] = "addr", [REPLAY_ARG_SIZE] = "size",
    [REPLAY_ARG_ALGO] = "algo", [REPLAY_ARG_XEN_FIXED] = "xen_fixed", [REPLAY_ARG_NBOOT] = "nboot",
    [REPLAY_ARG_RESERVE_K] = "reserve_k", [REPLAY_ARG_THREAD] = "thread",
    [REPLAY_ARG_DOMAIN] = "domain", [REPLAY_ARG_USER] = "user", [REPLAY_ARG_STACK_OBJ] = "stack_obj",
    [REPLAY_ARG_ATTR] = "attr", [REPLAY_ARG_CPU] = "cpu", [REPLAY_ARG_AS] = "as",
    [REPLAY_ARG_TO_AS] = "to_as", [REPLAY_ARG_CPUS] = "cpus", [REPLAY_ARG_OPTS] = "opts",
};

static int call(struct ctx *c, json_t *v, const char *what, struct replay_adapter_call *out)
{
    static const char *const keys[] = { "symbol", "args", "ret", "buffer", NULL };
    if (!json_is_object(v))
        return fail(c, MPUSIM_E_PARSE, "%s: expected an object {symbol, args, ret}", what);
    if (known_keys(c, v, what, keys) != 0)
        return -1;
    memset(out, 0, sizeof *out);
    char w[96];
    snprintf(w, sizeof w, "%s.symbol", what);
    if (name(c, json_object_get(v, "symbol"), w, out->symbol) != 0)
        return -1;
    json_t *args = json_object_get(v, "args");
    if (args) {
        if (!json_is_array(args))
            return fail(c, MPUSIM_E_PARSE, "%s.args: expected an array", what);
        if (json_array_size(args) > REPLAY_ADAPTER_MAX_ARGS)
            return fail(c, MPUSIM_E_RANGE, "%s.args: %zu arguments, at most %d", what,
                        json_array_size(args), REPLAY_ADAPTER_MAX_ARGS);
        size_t i;
        json_t *a;
        json_array_foreach(args, i, a) {
            snprintf(w, sizeof w, "%s.args[%zu]", what, i);
            out->arg[i].kind = REPLAY_ARG_CONST;
            int found = 0;
            if (json_is_string(a))
                for (int k = 1; k < REPLAY_ARG_COUNT; k++)
                    if (!strcmp(json_string_value(a), arg_names[k])) {
                        out->arg[i].kind = (enum replay_adapter_arg)k;
                        found = 1;
                    }
            if (!found && number(c, a, w, &out->arg[i].value) != 0) {
                mpusim_error_clear(c->err);
                return fail(c, MPUSIM_E_RANGE,
                            "%s: expected base, limit, flags, addr, size, algo, xen_fixed, "
                            "nboot, reserve_k, thread, domain, user, stack_obj, attr, cpu, as, "
                            "to_as, cpus, opts or a number", w);
            }
        }
        out->nargs = (unsigned)json_array_size(args);
    }
    json_t *ret = json_object_get(v, "ret");
    const char *r = ret ? json_string_value(ret) : "int";
    if (!r)
        return fail(c, MPUSIM_E_PARSE, "%s.ret: expected a string", what);
    if (!strcmp(r, "int"))
        out->ret = REPLAY_RET_INT;
    else if (!strcmp(r, "long"))
        out->ret = REPLAY_RET_LONG;
    else if (!strcmp(r, "ptr"))
        out->ret = REPLAY_RET_PTR;
    else if (!strcmp(r, "void"))
        out->ret = REPLAY_RET_VOID;
    else
        return fail(c, MPUSIM_E_RANGE, "%s.ret: \"%s\" is not int, long, ptr or void", what, r);
    out->present = 1;
    return 0;
}

/* results.used = {"popcount": SYMBOL, "bytes": N} */
static int bitmap(struct ctx *c, json_t *v, struct replay_adapter *a)
{
    static const char *const keys[] = { "popcount", "bytes", NULL };
    if (known_keys(c, v, "results.used", keys) != 0 ||
        name(c, json_object_get(v, "popcount"), "results.used.popcount", a->used_bitmap) != 0)
        return -1;
    json_t *b = json_object_get(v, "bytes");
    if (b && number(c, b, "results.used.bytes", &a->used_bytes) != 0)
        return -1;
    if (b && (a->used_bytes == 0 || a->used_bytes > REPLAY_ADAPTER_MAX_BITMAP))
        return fail(c, MPUSIM_E_RANGE, "results.used.bytes: %llu is not 1..%d",
                    (unsigned long long)a->used_bytes, REPLAY_ADAPTER_MAX_BITMAP);
    return 0;
}

/* A result read from guest memory: {"symbol": S, "member": "a.b"} (offset, width and sign
 * from the DWARF, checked against "type" if given) or {"symbol": S, "offset": N, "type": T}. */
static int value_read(struct ctx *c, json_t *v, const char *what, struct replay_adapter_read *r)
{
    static const char *const keys[] = { "symbol", "member", "offset", "type", NULL };
    static const struct { const char *name; unsigned bytes; int is_signed; } types[] = {
        { "int8", 1, 1 },  { "uint8", 1, 0 },  { "int16", 2, 1 }, { "uint16", 2, 0 },
        { "int32", 4, 1 }, { "uint32", 4, 0 }, { "int64", 8, 1 }, { "uint64", 8, 0 },
    };
    char w[96];
    if (known_keys(c, v, what, keys) != 0)
        return -1;
    memset(r, 0, sizeof *r);
    snprintf(w, sizeof w, "%s.symbol", what);
    if (name(c, json_object_get(v, "symbol"), w, r->symbol) != 0)
        return -1;
    json_t *m = json_object_get(v, "member"), *o = json_object_get(v, "offset"),
           *t = json_object_get(v, "type");
    snprintf(w, sizeof w, "%s.member", what);
    if (m && o)
        return fail(c, MPUSIM_E_RANGE, "%s: give \"member\" or \"offset\", not both", what);
    if (m && (!json_is_string(m) || strlen(json_string_value(m)) >= REPLAY_ADAPTER_NAME))
        return fail(c, MPUSIM_E_PARSE, "%s: expected a member name (\"used\", \"a.b\") of at "
                    "most %d bytes", w, REPLAY_ADAPTER_NAME - 1);
    if (m)
        strcpy(r->member, json_string_value(m));
    snprintf(w, sizeof w, "%s.offset", what);
    if (o && number(c, o, w, &r->offset) != 0)
        return -1;
    snprintf(w, sizeof w, "%s.type", what);
    if (!t && !m)
        return fail(c, MPUSIM_E_PARSE, "%s: missing (with an offset, the type is needed: int8, "
                    "uint8, int16, uint16, int32, uint32, int64 or uint64)", w);
    if (t) {
        const char *tn = json_is_string(t) ? json_string_value(t) : "";
        for (size_t i = 0; i < sizeof types / sizeof types[0] && !r->bytes; i++)
            if (!strcmp(tn, types[i].name)) {
                r->bytes = types[i].bytes;
                r->is_signed = types[i].is_signed;
            }
        if (!r->bytes)
            return fail(c, MPUSIM_E_RANGE, "%s: \"%.20s\" is not int8, uint8, int16, uint16, "
                        "int32, uint32, int64 or uint64", w, tn);
    }
    return 0;
}

/* results.table = {"symbol", "stride", "prbar", "prlar", "refcount", "entries"}: the fields
 * must lie inside an entry and not overlap each other (the symbol's size is checked against
 * the image by the engine). */
static int table(struct ctx *c, json_t *v, struct replay_adapter_table *t)
{
    static const char *const keys[] = { "symbol", "stride", "prbar", "prlar", "refcount",
                                        "entries", NULL };
    if (!json_is_object(v))
        return fail(c, MPUSIM_E_PARSE, "results.table: expected an object {symbol, stride, "
                                       "prbar, prlar, refcount}");
    if (known_keys(c, v, "results.table", keys) != 0 ||
        name(c, json_object_get(v, "symbol"), "results.table.symbol", t->symbol) != 0)
        return -1;
    static const char *const need[] = { "stride", "prbar", "prlar" };
    uint64_t *dst[] = { &t->stride, &t->prbar, &t->prlar };
    for (int i = 0; i < 3; i++) {
        char w[48];
        snprintf(w, sizeof w, "results.table.%s", need[i]);
        json_t *f = json_object_get(v, need[i]);
        if (!f)
            return fail(c, MPUSIM_E_PARSE, "%s: missing", w);
        if (number(c, f, w, dst[i]) != 0)
            return -1;
    }
    json_t *f;
    if ((f = json_object_get(v, "refcount"))) {
        if (number(c, f, "results.table.refcount", &t->refcount) != 0)
            return -1;
        t->has_refcount = 1;
    }
    if ((f = json_object_get(v, "entries"))) {
        if (number(c, f, "results.table.entries", &t->entries) != 0)
            return -1;
        if (t->entries == 0 || t->entries > 255)
            return fail(c, MPUSIM_E_RANGE, "results.table.entries: %llu is not 1..255",
                        (unsigned long long)t->entries);
    }
    if (t->stride == 0 || t->stride > 4096)
        return fail(c, MPUSIM_E_RANGE, "results.table.stride: %llu is not 1..4096",
                    (unsigned long long)t->stride);
    struct { const char *key; uint64_t off, width; } fld[3] = {
        { "prbar", t->prbar, 8 }, { "prlar", t->prlar, 8 }, { "refcount", t->refcount, 1 } };
    unsigned nf = t->has_refcount ? 3 : 2;
    for (unsigned i = 0; i < nf; i++) {
        if (fld[i].off > t->stride || fld[i].width > t->stride - fld[i].off)
            return fail(c, MPUSIM_E_RANGE,
                        "results.table.%s: %llu bytes at offset %llu run past the %llu-byte "
                        "entry (stride)", fld[i].key, (unsigned long long)fld[i].width,
                        (unsigned long long)fld[i].off, (unsigned long long)t->stride);
        for (unsigned j = 0; j < i; j++)
            if (fld[i].off < fld[j].off + fld[j].width && fld[j].off < fld[i].off + fld[i].width)
                return fail(c, MPUSIM_E_RANGE, "results.table.%s: overlaps %s",
                            fld[i].key, fld[j].key);
    }
    return 0;
}

/* memory = [{"kind", "base", "size"}, ...] */
static int memory(struct ctx *c, json_t *v, struct replay_adapter *a)
{
    static const char *const keys[] = { "kind", "base", "size", NULL };
    if (!json_is_array(v))
        return fail(c, MPUSIM_E_PARSE, "memory: expected an array of {kind, base, size}");
    if (json_array_size(v) > REPLAY_ADAPTER_MAX_WINDOWS)
        return fail(c, MPUSIM_E_RANGE, "memory: %zu windows, at most %d", json_array_size(v),
                    REPLAY_ADAPTER_MAX_WINDOWS);
    size_t i;
    json_t *w;
    json_array_foreach(v, i, w) {
        char key[48];
        snprintf(key, sizeof key, "memory[%zu]", i);
        if (!json_is_object(w))
            return fail(c, MPUSIM_E_PARSE, "%s: expected an object {kind, base, size}", key);
        if (known_keys(c, w, key, keys) != 0)
            return -1;
        json_t *k = json_object_get(w, "kind");
        const char *kind = json_is_string(k) ? json_string_value(k) : "";
        enum replay_adapter_mem m;
        if (!strcmp(kind, "ram"))
            m = REPLAY_MEM_RAM;
        else if (!strcmp(kind, "device"))
            m = REPLAY_MEM_DEVICE;
        else if (!strcmp(kind, "uart"))
            m = REPLAY_MEM_UART;
        else
            return fail(c, MPUSIM_E_RANGE, "%s.kind: expected \"ram\", \"device\" or \"uart\"",
                        key);
        uint64_t base = 0, size = 0x1000;
        char f[64];
        snprintf(f, sizeof f, "%s.base", key);
        if (!json_object_get(w, "base"))
            return fail(c, MPUSIM_E_PARSE, "%s: missing", f);
        if (number(c, json_object_get(w, "base"), f, &base) != 0)
            return -1;
        snprintf(f, sizeof f, "%s.size", key);
        json_t *sz = json_object_get(w, "size");
        if (m == REPLAY_MEM_UART && sz)
            return fail(c, MPUSIM_E_RANGE, "%s: a uart is 4 KiB: no size", f);
        if (m != REPLAY_MEM_UART && (!sz || number(c, sz, f, &size) != 0))
            return sz ? -1 : fail(c, MPUSIM_E_PARSE, "%s: missing", f);
        if ((base | size) & 0xfff || size == 0 || base + size < base)
            return fail(c, MPUSIM_E_RANGE, "%s: base 0x%llx and size 0x%llx must be non-zero "
                        "multiples of 4 KiB", key, (unsigned long long)base,
                        (unsigned long long)size);
        for (unsigned j = 0; j < a->nwindows; j++)
            if (base < a->window[j].base + a->window[j].size &&
                a->window[j].base < base + size)
                return fail(c, MPUSIM_E_RANGE, "%s: [0x%llx, 0x%llx) overlaps memory[%u]", key,
                            (unsigned long long)base, (unsigned long long)(base + size), j);
        a->window[a->nwindows].kind = m;
        a->window[a->nwindows].base = base;
        a->window[a->nwindows].size = size;
        a->nwindows++;
    }
    return 0;
}

static int read_doc(struct ctx *c, json_t *doc, const char *dir, struct replay_adapter *a)
{
    static const char *const top[] = { "format", "version", "elf", "exempt_image", "boot",
                                       "stubs", "init", "boot_regions", "zephyr_boot", "bao_setup", "ops", "results",
                                       "memory", NULL };
    if (!json_is_object(doc))
        return fail(c, MPUSIM_E_PARSE, "expected a JSON object");
    if (known_keys(c, doc, "adapter", top) != 0)
        return -1;
    json_t *fmt = json_object_get(doc, "format"), *ver = json_object_get(doc, "version");
    if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "mpusim-adapter"))
        return fail(c, MPUSIM_E_PARSE, "format: expected \"mpusim-adapter\"");
    if (!json_is_integer(ver) || json_integer_value(ver) != 1)
        return fail(c, MPUSIM_E_RANGE, "version: only version 1 is known");
    json_t *v;
    if ((v = json_object_get(doc, "elf"))) {
        if (!json_is_string(v) || !*json_string_value(v))
            return fail(c, MPUSIM_E_PARSE, "elf: expected a file name");
        const char *e = json_string_value(v);
        int n = e[0] == '/' || !dir || !*dir
                    ? snprintf(a->elf, sizeof a->elf, "%s", e)
                    : snprintf(a->elf, sizeof a->elf, "%s/%s", dir, e);
        if (n < 0 || (size_t)n >= sizeof a->elf)
            return fail(c, MPUSIM_E_RANGE, "elf: path too long");
    }
    if ((v = json_object_get(doc, "exempt_image"))) {
        if (!json_is_boolean(v))
            return fail(c, MPUSIM_E_PARSE, "exempt_image: expected true or false");
        a->exempt_image = json_is_true(v);
    }
    if ((v = json_object_get(doc, "boot"))) {
        static const char *const keys[] = { "from", "until", "budget", NULL };
        if (!json_is_object(v))
            return fail(c, MPUSIM_E_PARSE, "boot: expected an object {from, until, budget}");
        if (known_keys(c, v, "boot", keys) != 0 ||
            name(c, json_object_get(v, "until"), "boot.until", a->boot_until) != 0)
            return -1;
        json_t *from = json_object_get(v, "from");
        if (from && name(c, from, "boot.from", a->boot_from) != 0)
            return -1;
        if (!strcmp(a->boot_from, "entry"))
            a->boot_from[0] = '\0';
        json_t *b = json_object_get(v, "budget");
        if (b && number(c, b, "boot.budget", &a->boot_budget) != 0)
            return -1;
        a->has_boot = 1;
    }
    if ((v = json_object_get(doc, "stubs"))) {
        if (!json_is_object(v))
            return fail(c, MPUSIM_E_PARSE, "stubs: expected an object {symbol: value}");
        const char *key;
        json_t *val;
        json_object_foreach(v, key, val) {
            if (a->nstubs == REPLAY_ADAPTER_MAX_STUBS)
                return fail(c, MPUSIM_E_RANGE, "stubs: more than %d", REPLAY_ADAPTER_MAX_STUBS);
            if (strlen(key) >= REPLAY_ADAPTER_NAME)
                return fail(c, MPUSIM_E_RANGE, "stubs: name \"%.40s...\" too long", key);
            char w[REPLAY_ADAPTER_NAME + 16];
            snprintf(w, sizeof w, "stubs.%s", key);
            if (number(c, val, w, &a->stub[a->nstubs].value) != 0)
                return -1;
            strcpy(a->stub[a->nstubs].symbol, key);
            a->nstubs++;
        }
    }
    if ((v = json_object_get(doc, "init")) && call(c, v, "init", &a->init) != 0)
        return -1;
    if ((v = json_object_get(doc, "boot_regions"))) {
        if (call(c, v, "boot_regions", &a->boot_call) != 0 ||
            name(c, json_object_get(v, "buffer"), "boot_regions.buffer", a->boot_buffer) != 0)
            return -1;
    }
    if ((v = json_object_get(doc, "zephyr_boot"))) {
        if (call(c, v, "zephyr_boot", &a->zephyr_boot) != 0 ||
            name(c, json_object_get(v, "buffer"), "zephyr_boot.buffer", a->zephyr_buffer) != 0)
            return -1;
    }
    if ((v = json_object_get(doc, "bao_setup"))) {
        if (call(c, v, "bao_setup", &a->bao_setup) != 0 ||
            name(c, json_object_get(v, "buffer"), "bao_setup.buffer", a->bao_buffer) != 0)
            return -1;
    }
    json_t *ops = json_object_get(doc, "ops");
    if (!json_is_object(ops) || json_object_size(ops) == 0)
        return fail(c, MPUSIM_E_PARSE, "ops: expected an object with at least one operation");
    const char *key;
    json_object_foreach(ops, key, v) {
        if (!strcmp(key, "bao_map") || !strcmp(key, "bao_unmap")) {
            if (call(c, v, key[4] == 'm' ? "ops.bao_map" : "ops.bao_unmap",
                     key[4] == 'm' ? &a->bao_map : &a->bao_unmap) != 0)
                return -1;
            continue;
        }
        int op = -1;
        for (int k = 0; k < TRACE_OP_COUNT; k++)
            if (!strcmp(key, trace_op_name((enum trace_op)k)))
                op = k;
        if (op < 0 || op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
            return fail(c, MPUSIM_E_RANGE,
                        "ops: \"%s\" is not map, modify, unmap, unmap_containing, ioremap, a "
                        "zephyr op, a bao op, bao_map or bao_unmap", key);
        char w[64];
        snprintf(w, sizeof w, "ops.%s", key);
        if (call(c, v, w, &a->op[op]) != 0)
            return -1;
    }
    if ((v = json_object_get(doc, "results"))) {
        static const char *const keys[] = { "region", "used", "table", "region_num",
                                            "bao_state", NULL };
        if (!json_is_object(v))
            return fail(c, MPUSIM_E_PARSE, "results: expected an object");
        if (known_keys(c, v, "results", keys) != 0)
            return -1;
        json_t *r = json_object_get(v, "region"), *u = json_object_get(v, "used");
        if (r && (json_is_object(r) ? value_read(c, r, "results.region", &a->read_region)
                                    : name(c, r, "results.region", a->result_region)) != 0)
            return -1;
        if (u && (!json_is_object(u)                   ? name(c, u, "results.used", a->result_used)
                  : json_object_get(u, "popcount") ? bitmap(c, u, a)
                                                   : value_read(c, u, "results.used",
                                                                &a->read_used)) != 0)
            return -1;
        json_t *t = json_object_get(v, "table");
        if (t && table(c, t, &a->table) != 0)
            return -1;
        json_t *rn = json_object_get(v, "region_num");
        if (rn && (json_is_object(rn)
                       ? value_read(c, rn, "results.region_num", &a->read_region_num)
                       : name(c, rn, "results.region_num", a->result_region_num)) != 0)
            return -1;
        json_t *bs = json_object_get(v, "bao_state");
        if (bs && name(c, bs, "results.bao_state", a->result_bao_state) != 0)
            return -1;
    }
    if ((v = json_object_get(doc, "memory")) && memory(c, v, a) != 0)
        return -1;
    return 0;
}

int replay_adapter_read_buffer(const char *buf, size_t len, const char *source, const char *dir,
                              struct replay_adapter *out, struct mpusim_error *err)
{
    struct ctx c = { source, err };
    json_error_t je;
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        return mpusim_error_at(err, MPUSIM_E_PARSE, source, je.line, je.column, -1, "%s",
                               je.text);
    struct replay_adapter *a = calloc(1, sizeof *a);
    if (!a) {
        json_decref(doc);
        return mpusim_error_at(err, MPUSIM_E_IO, source, -1, -1, -1, "out of memory");
    }
    snprintf(a->source, sizeof a->source, "%s", source);
    int rc = read_doc(&c, doc, dir, a);
    if (rc == 0)
        *out = *a;
    free(a);
    json_decref(doc);
    return rc;
}

int replay_adapter_read_file(const char *path, struct replay_adapter *out,
                             struct mpusim_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "cannot open the adapter file");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 8192;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "out of memory");
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "read error");
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        dir[0] = '\0';
    int rc = replay_adapter_read_buffer(buf, len, path, dir, out, err);
    free(buf);
    return rc;
}

uint64_t replay_adapter_arg_value(const struct replay_adapter_call *c, unsigned i,
                                 const struct trace_event *ev, unsigned algo, int xen_fixed,
                                 unsigned nboot, unsigned reserve_k)
{
    switch (c->arg[i].kind) {
    case REPLAY_ARG_CONST:
        return c->arg[i].value;
    case REPLAY_ARG_BASE:
    case REPLAY_ARG_ADDR: /* one field: base of map/unmap, addr of unmap_containing/ioremap */
        return ev ? ev->base : 0;
    case REPLAY_ARG_LIMIT:
    case REPLAY_ARG_SIZE: /* limit of map/unmap, size of ioremap */
        return ev ? ev->limit : 0;
    case REPLAY_ARG_FLAGS:
        return ev ? ev->flags : 0;
    case REPLAY_ARG_ALGO:
        return algo;
    case REPLAY_ARG_XEN_FIXED:
        return (uint64_t)xen_fixed;
    case REPLAY_ARG_NBOOT:
        return nboot;
    case REPLAY_ARG_RESERVE_K:
        return reserve_k;
    case REPLAY_ARG_THREAD:
        return ev ? ev->thread : 0;
    case REPLAY_ARG_DOMAIN:
        return ev ? ev->domain : 0;
    case REPLAY_ARG_USER:
        return ev ? ev->user : 0;
    case REPLAY_ARG_STACK_OBJ:
        return ev ? ev->base : 0;
    case REPLAY_ARG_ATTR:
        return ev ? ev->flags : 0;
    case REPLAY_ARG_CPU:
        return ev ? ev->cpu : 0;
    case REPLAY_ARG_AS:
        return !ev ? 0 : ev->as == TRACE_AS_HYP ? 0xFFu : ev->as;
    case REPLAY_ARG_TO_AS:
        return !ev ? 0 : ev->to_as == TRACE_AS_HYP ? 0xFFu : ev->to_as;
    case REPLAY_ARG_CPUS:
        return ev ? ev->cpus : 0;
    case REPLAY_ARG_OPTS:
        return ev ? ev->opts : 0;
    default:
        return 0;
    }
}

int replay_adapter_op_of_call(const struct replay_adapter *a, unsigned mask,
                              const uint64_t *args)
{
    for (int pass = 0; pass < 2; pass++)
        for (int op = 0; op < TRACE_OP_COUNT; op++) {
            const struct replay_adapter_call *c = &a->op[op];
            if (!(mask & (1u << op)))
                continue;
            int consts = 0, match = 1;
            for (unsigned i = 0; i < c->nargs; i++)
                if (c->arg[i].kind == REPLAY_ARG_CONST) {
                    consts++;
                    match &= args[i] == c->arg[i].value ||
                             (uint32_t)args[i] == (uint32_t)c->arg[i].value;
                }
            if ((pass == 0 && consts && match) || (pass == 1 && !consts))
                return op;
        }
    return -1;
}

int64_t replay_adapter_rc(const struct replay_adapter_call *c, uint64_t x0)
{
    switch (c->ret) {
    case REPLAY_RET_INT:
        return (int64_t)(int32_t)(uint32_t)x0;
    case REPLAY_RET_LONG:
        return (int64_t)x0;
    case REPLAY_RET_PTR:
        return x0 ? 0 : -22;
    default:
        return 0;
    }
}

unsigned replay_boot_flags(const struct mpu_region_view *v)
{
    return MM_FLAG_PRESENT | (v->attrindx & MM_FLAG_AI_MASK) | ((v->xn >> 1) & 1u ? MM_FLAG_XN : 0) |
           ((v->ap >> 1) & 1u ? MM_FLAG_RO : 0);
}
