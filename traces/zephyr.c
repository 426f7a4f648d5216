/* The zephyr parts of the trace format (docs/trace-format.md): names of threads and domains,
 * attributes, the "zephyr" header, and the pass that turns names into ids and checks their
 * use in event order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/mm.h"
#include "traces/internal.h"

#define NAME_MAX_LEN 31
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define DEFAULT_DOMAIN "default"

uint64_t trace_name_hash(const char *s)
{
    uint64_t h = FNV_OFFSET;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * FNV_PRIME;
    return h;
}

int trace_field_name(const struct trace_parse *p, const char *field, const json_t *v,
                     uint64_t *out)
{
    char buf[24];
    const char *s;
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0)
            return trace_fail(p, MPUSIM_E_RANGE, field, "negative id %lld",
                              (long long)json_integer_value(v));
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        s = buf;
    } else if (json_is_string(v)) {
        s = json_string_value(v);
        size_t n = strlen(s);
        if (n == 0 || n > NAME_MAX_LEN)
            return trace_fail(p, MPUSIM_E_RANGE, field, "a name has 1 to %d characters, got %zu",
                              NAME_MAX_LEN, n);
    } else {
        return trace_fail(p, MPUSIM_E_PARSE, field, "expected a name (string) or an id "
                          "(non-negative integer), got %s", trace_json_type(v));
    }
    *out = trace_name_hash(s);
    return 0;
}

/* Zephyr's attribute sets (reference section 3.4): PRBAR low bits and AttrIndx. */
static const struct {
    const char *name;
    unsigned attr;
} zattrs[] = {
    { "FLASH", MM_Z_ATTR(0x0C, 1) },   { "RAM_TEXT", MM_Z_ATTR(0x3C, 2) },
    { "RAM_RO", MM_Z_ATTR(0x3E, 2) },  { "RAM", MM_Z_ATTR(0x22, 2) },
    { "RAM_NOCACHE", MM_Z_ATTR(0x02, 3) }, { "IO", MM_Z_ATTR(0x02, 0) },
    { "P_RW_U_RW", MM_Z_ATTR_NAMED | MM_Z_P_RW_U_RW },
    { "P_RW_U_NA", MM_Z_ATTR_NAMED | MM_Z_P_RW_U_NA },
    { "P_RO_U_RO", MM_Z_ATTR_NAMED | MM_Z_P_RO_U_RO },
    { "P_RO_U_NA", MM_Z_ATTR_NAMED | MM_Z_P_RO_U_NA },
};
#define RBAR_BITS 0x3Eull /* XN (bit 1), AP [3:2], SH [5:4]; bit 0 is never set */
#define SH_RESERVED 1u    /* SH = 0b01 does not encode */

int trace_zattr_named(const char *s, unsigned *out)
{
    for (size_t i = 0; i < sizeof zattrs / sizeof zattrs[0]; i++)
        if (strcmp(s, zattrs[i].name) == 0) {
            *out = zattrs[i].attr;
            return 0;
        }
    return -1;
}

int trace_zattr_bits(uint64_t rbar, long ai, unsigned *out)
{
    if (rbar & ~RBAR_BITS)
        return -1;
    if (((rbar >> 4) & 3u) == SH_RESERVED)
        return -2;
    *out = MM_Z_ATTR(rbar, ai);
    return 0;
}

int trace_field_zattr(const struct trace_parse *p, const char *field, const json_t *v,
                      unsigned *out)
{
    char sub[64];
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (trace_zattr_named(s, out) == 0)
            return 0;
        return trace_fail(p, MPUSIM_E_RANGE, field,
                          "unknown attribute \"%.40s\" (expected FLASH, RAM_TEXT, RAM_RO, RAM, "
                          "RAM_NOCACHE, IO, P_RW_U_RW, P_RW_U_NA, P_RO_U_RO, P_RO_U_NA or "
                          "{\"rbar\": ..., \"ai\": ...})", s);
    }
    if (!json_is_object(v))
        return trace_fail(p, MPUSIM_E_PARSE, field, "expected an attribute name or object, got %s",
                          trace_json_type(v));
    uint64_t rbar = 0;
    long ai = -1;
    int have_rbar = 0;
    const char *key;
    json_t *fv;
    json_object_foreach((json_t *)v, key, fv) {
        snprintf(sub, sizeof sub, "%s.%s", field, key);
        if (strcmp(key, "rbar") == 0) {
            if (trace_field_u64(p, sub, fv, &rbar) != 0)
                return -1;
            have_rbar = 1;
        } else if (strcmp(key, "ai") == 0) {
            if (trace_field_int(p, sub, fv, 0, 7, &ai) != 0)
                return -1;
        } else if (!trace_is_extension(key)) {
            return trace_fail(p, MPUSIM_E_RANGE, field,
                              "unknown field '%.40s' (an attribute takes rbar and ai)", key);
        }
    }
    snprintf(sub, sizeof sub, "%s.rbar", field);
    if (!have_rbar)
        return trace_fail(p, MPUSIM_E_PARSE, field, "missing field 'rbar'");
    if (ai < 0)
        return trace_fail(p, MPUSIM_E_PARSE, field, "missing field 'ai'");
    switch (trace_zattr_bits(rbar, ai, out)) {
    case 0: return 0;
    case -1:
        return trace_fail(p, MPUSIM_E_RANGE, sub,
                          "0x%llx does not encode: PRBAR low bits are XN (0x2), AP (0xc) and SH "
                          "(0x30)", (unsigned long long)rbar);
    default:
        return trace_fail(p, MPUSIM_E_RANGE, sub, "0x%llx does not encode: SH = 0b01 is reserved",
                          (unsigned long long)rbar);
    }
}

int trace_decode_zregion(const struct trace_parse *p, const char *field, const json_t *obj,
                         struct trace_partition *out)
{
    char sub[64];
    if (!json_is_object(obj))
        return trace_fail(p, MPUSIM_E_PARSE, field, "expected an object, got %s",
                          trace_json_type(obj));
    unsigned seen = 0;
    const char *key;
    json_t *v;
    memset(out, 0, sizeof *out);
    json_object_foreach((json_t *)obj, key, v) {
        snprintf(sub, sizeof sub, "%s.%s", field, key);
        int rc = 0;
        if (strcmp(key, "base") == 0) {
            rc = trace_field_u64(p, sub, v, &out->base);
            seen |= 1;
        } else if (strcmp(key, "limit") == 0) {
            rc = trace_field_u64(p, sub, v, &out->limit);
            seen |= 2;
        } else if (strcmp(key, "attr") == 0) {
            rc = trace_field_zattr(p, sub, v, &out->attr);
            seen |= 4;
        } else if (strcmp(key, "name") == 0) {
            const char *s;
            rc = trace_field_string(p, sub, v, &s);
        } else if (!trace_is_extension(key)) {
            return trace_fail(p, MPUSIM_E_RANGE, field,
                              "unknown field '%.40s' (a region takes base, limit, attr, name)",
                              key);
        }
        if (rc != 0)
            return -1;
    }
    static const char *const need[] = { "base", "limit", "attr" };
    for (int i = 0; i < 3; i++)
        if (!(seen & (1u << i)))
            return trace_fail(p, MPUSIM_E_PARSE, field, "missing field '%s'", need[i]);
    if (out->base >= out->limit)
        return trace_fail(p, MPUSIM_E_RANGE, field, "base 0x%llx must be below limit 0x%llx",
                          (unsigned long long)out->base, (unsigned long long)out->limit);
    return 0;
}

static int decode_zregions(struct trace_parse *p, const char *name, json_t *arr,
                           struct trace_partition *out, unsigned *n)
{
    if (!json_is_array(arr))
        return trace_fail(p, MPUSIM_E_PARSE, name, "expected an array, got %s",
                          trace_json_type(arr));
    if (json_array_size(arr) > TRACE_Z_STATIC_MAX)
        return trace_fail(p, MPUSIM_E_RANGE, name, "%zu regions (at most %d)",
                          json_array_size(arr), TRACE_Z_STATIC_MAX);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char field[48];
        snprintf(field, sizeof field, "%s[%zu]", name, i);
        if (trace_decode_zregion(p, field, json_array_get(arr, i), &out[i]) != 0)
            return -1;
        (*n)++;
    }
    return 0;
}

int trace_decode_zephyr(struct trace_parse *p, json_t *obj, struct trace *t)
{
    if (!json_is_object(obj))
        return trace_fail(p, MPUSIM_E_PARSE, "zephyr", "expected an object, got %s",
                          trace_json_type(obj));
    struct trace_zephyr *z = calloc(1, sizeof *z);
    if (!z)
        return trace_fail(p, MPUSIM_E_IO, "zephyr", "out of memory");
    t->zephyr = z;
    z->max_partitions = MM_Z_PARTS_CFG_DEFAULT;
    z->priv_stack_size = MM_Z_PRIV_STACK_DEFAULT;
    int have_static = 0, have_area = 0;
    const char *key;
    json_t *v;
    long n;
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "static") == 0) {
            if (decode_zregions(p, "zephyr.static", v, z->soc, &z->nsoc) != 0)
                return -1;
            have_static = 1;
        } else if (strcmp(key, "dt") == 0) {
            if (decode_zregions(p, "zephyr.dt", v, z->dt, &z->ndt) != 0)
                return -1;
        } else if (strcmp(key, "dyn_area") == 0) {
            json_t *b = json_is_object(v) ? json_object_get(v, "base") : NULL;
            json_t *l = json_is_object(v) ? json_object_get(v, "limit") : NULL;
            if (!json_is_object(v) || !b || !l || json_object_size(v) != 2)
                return trace_fail(p, MPUSIM_E_PARSE, "zephyr.dyn_area",
                                  "expected {\"base\": ..., \"limit\": ...}");
            if (trace_field_u64(p, "zephyr.dyn_area.base", b, &z->dyn_base) != 0 ||
                trace_field_u64(p, "zephyr.dyn_area.limit", l, &z->dyn_limit) != 0)
                return -1;
            if (z->dyn_base >= z->dyn_limit)
                return trace_fail(p, MPUSIM_E_RANGE, "zephyr.dyn_area",
                                  "base 0x%llx must be below limit 0x%llx",
                                  (unsigned long long)z->dyn_base,
                                  (unsigned long long)z->dyn_limit);
            have_area = 1;
        } else if (strcmp(key, "irq_stacks") == 0) {
            if (!json_is_array(v) || json_array_size(v) > 1)
                return trace_fail(p, MPUSIM_E_RANGE, "zephyr.irq_stacks",
                                  "expected an array of at most one address (one CPU)");
            if (json_array_size(v) == 1) {
                if (trace_field_u64(p, "zephyr.irq_stacks[0]", json_array_get(v, 0),
                                    &z->irq_stack) != 0)
                    return -1;
                z->has_irq_stack = 1;
            }
        } else if (strcmp(key, "max_partitions") == 0) {
            if (trace_field_int(p, "zephyr.max_partitions", v, 1, MM_Z_PARTS_CFG_MAX, &n) != 0)
                return -1;
            z->max_partitions = (unsigned)n;
        } else if (strcmp(key, "priv_stack_size") == 0) {
            if (trace_field_u64(p, "zephyr.priv_stack_size", v, &z->priv_stack_size) != 0)
                return -1;
        } else if (!trace_is_extension(key)) {
            return trace_fail(p, MPUSIM_E_RANGE, NULL,
                              "unknown field 'zephyr.%.40s' (expected static, dt, dyn_area, "
                              "irq_stacks, max_partitions, priv_stack_size)", key);
        }
    }
    if (!have_static)
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'zephyr.static'");
    if (!have_area)
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'zephyr.dyn_area'");
    return 0;
}

/* ---- names to ids, in event order ---- */

static int name_find(const struct trace_names_table *t, uint64_t h)
{
    for (unsigned i = 0; i < t->n; i++)
        if (t->hash[i] == h)
            return (int)i;
    return -1;
}

/* Error at event i: prefix, field and text, like trace_fail. */
static int event_fail(struct trace_parse *p, const struct trace_event *ev, long i,
                      const char *field, const char *text)
{
    p->event = i;
    p->line = ev->line;
    p->op = trace_op_name(ev->op);
    p->boot = -1;
    return trace_fail(p, MPUSIM_E_RANGE, field, "%s", text);
}

/* A creation: the name gets the next id (*id holds the hash, then the id). */
static int name_create(struct trace_parse *p, const struct trace_event *ev, long i,
                       struct trace_names_table *tab, const char *what, uint64_t *id)
{
    char msg[96];
    if (name_find(tab, *id) >= 0) {
        snprintf(msg, sizeof msg, "%s created twice%s", what,
                 tab->hash[0] == trace_name_hash(DEFAULT_DOMAIN) && what[0] == 'd'
                     ? " (\"default\" always exists)" : "");
        return event_fail(p, ev, i, what, msg);
    }
    if (tab->n == tab->cap) {
        snprintf(msg, sizeof msg, "too many %ss (at most %u)", what, tab->cap);
        return event_fail(p, ev, i, what, msg);
    }
    tab->hash[tab->n] = *id;
    *id = tab->n++;
    return 0;
}

void trace_names_init(struct trace_names *s)
{
    memset(s, 0, sizeof *s);
    s->thread.cap = MM_Z_THREADS;
    s->domain.cap = MM_Z_DOMAINS;
    s->domain.n = 1;
    s->domain.hash[0] = trace_name_hash(DEFAULT_DOMAIN);
    s->current = -1;
}

int trace_resolve_event(struct trace_parse *p, struct trace_names *s, int has_zephyr,
                        struct trace_event *ev, long i)
{
    if (trace_op_system(ev->op) != 1) /* 1: zephyr */
        return 0;
    if (!has_zephyr)
        return event_fail(p, ev, i, NULL,
                          "a zephyr event needs the \"zephyr\" header (static, dyn_area)");
    int k;
    switch (ev->op) {
    case TRACE_OP_THREAD_CREATE:
        return name_create(p, ev, i, &s->thread, "thread", &ev->thread);
    case TRACE_OP_DOMAIN_INIT:
        return name_create(p, ev, i, &s->domain, "domain", &ev->domain);
    default:
        if (ev->op == TRACE_OP_DOMAIN_ADD_PARTITION || ev->op == TRACE_OP_DOMAIN_REMOVE_PARTITION ||
            ev->op == TRACE_OP_DOMAIN_ADD_THREAD) {
            if ((k = name_find(&s->domain, ev->domain)) < 0)
                return event_fail(p, ev, i, "domain", "unknown domain (never initialised)");
            ev->domain = (unsigned)k;
        }
        if (ev->op == TRACE_OP_DOMAIN_ADD_THREAD || ev->op == TRACE_OP_USER_ENTER ||
            ev->op == TRACE_OP_SWITCH) {
            if ((k = name_find(&s->thread, ev->thread)) < 0)
                return event_fail(p, ev, i, "thread", "unknown thread (never created)");
            if (ev->op == TRACE_OP_USER_ENTER && k != s->current)
                return event_fail(p, ev, i, "thread",
                                  "user_enter applies to the running thread (switch first)");
            ev->thread = (unsigned)k;
            if (ev->op == TRACE_OP_SWITCH)
                s->current = k;
        }
        return 0;
    }
}

int trace_resolve_names(struct trace_parse *p, struct trace *t)
{
    struct trace_names s;
    trace_names_init(&s);
    for (size_t i = 0; i < t->nevents; i++)
        if (trace_resolve_event(p, &s, t->zephyr != NULL, &t->events[i], (long)i) != 0)
            return -1;
    p->event = -1;
    p->op = NULL;
    return 0;
}

/* ---- writing ---- */

const char *trace_zattr_name(unsigned attr)
{
    for (size_t i = 0; i < sizeof zattrs / sizeof zattrs[0]; i++)
        if (zattrs[i].attr == attr)
            return zattrs[i].name;
    return NULL;
}
