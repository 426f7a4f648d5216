/* Decoding one trace event object (and its expectations). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpu_model/mpu.h"
#include "traces/internal.h"


static const char *const field_names[TRACE_F_COUNT] = {
    "op", "base", "limit", "flags", "addr", "size", "kind", "el", "reg", "value", "note", "expect",
    "thread", "domain", "stack_obj", "user", "partitions", "attr", "cpu", "as", "section",
    "locked", "broadcast", "alloc", "vm", "cpus", "from_as", "to_as", "va", "pages",
};
/* The fields only bao's form of map/unmap has (with them, the event is bao's). */
#define BAO_FORM (FB(CPU) | FB(AS) | FB(SECTION) | FB(LOCKED) | FB(BROADCAST) | \
                  FB(ALLOC))

#define FB(f) TRACE_F_BIT(TRACE_F_##f)
#define COMMON (FB(OP) | FB(NOTE) | FB(EXPECT))
/* Fields each op requires, and those it may carry on top (defaults in decode). */
static const unsigned required[TRACE_OP_COUNT] = {
    [TRACE_OP_MAP] = FB(BASE) | FB(LIMIT) | FB(FLAGS),
    [TRACE_OP_MODIFY] = FB(BASE) | FB(LIMIT) | FB(FLAGS),
    [TRACE_OP_UNMAP] = FB(BASE) | FB(LIMIT),
    [TRACE_OP_UNMAP_CONTAINING] = FB(ADDR),
    [TRACE_OP_IOREMAP] = FB(ADDR) | FB(SIZE) | FB(FLAGS),
    [TRACE_OP_ACCESS] = FB(ADDR) | FB(KIND),
    [TRACE_OP_SYSREG] = FB(REG) | FB(VALUE),
    [TRACE_OP_THREAD_CREATE] = FB(THREAD) | FB(STACK_OBJ) | FB(SIZE),
    [TRACE_OP_DOMAIN_INIT] = FB(DOMAIN),
    [TRACE_OP_DOMAIN_ADD_PARTITION] = FB(DOMAIN) | FB(BASE) | FB(LIMIT) | FB(ATTR),
    [TRACE_OP_DOMAIN_REMOVE_PARTITION] = FB(DOMAIN) | FB(BASE) | FB(LIMIT),
    [TRACE_OP_DOMAIN_ADD_THREAD] = FB(DOMAIN) | FB(THREAD),
    [TRACE_OP_USER_ENTER] = FB(THREAD),
    [TRACE_OP_SWITCH] = FB(THREAD),
    [TRACE_OP_CPU_BOOT] = FB(CPU),
    [TRACE_OP_VM_CREATE] = FB(VM) | FB(CPUS),
    [TRACE_OP_MAP_CPY] = FB(CPU) | FB(FROM_AS) | FB(TO_AS) | FB(VA) | FB(PAGES),
    [TRACE_OP_VM_ENTRY] = FB(CPU),
    [TRACE_OP_VM_EXIT] = FB(CPU),
};
static const unsigned optional[TRACE_OP_COUNT] = {
    [TRACE_OP_MAP] = BAO_FORM,
    [TRACE_OP_UNMAP] = FB(CPU) | FB(AS) | FB(BROADCAST),
    [TRACE_OP_MAP_CPY] = FB(SECTION),
    [TRACE_OP_ACCESS] = FB(SIZE) | FB(EL) | FB(CPU),
    [TRACE_OP_THREAD_CREATE] = FB(USER),
    [TRACE_OP_DOMAIN_INIT] = FB(PARTITIONS),
};

unsigned trace_event_required(enum trace_op op)
{
    return required[op];
}

unsigned trace_event_allowed(enum trace_op op)
{
    return COMMON | required[op] | optional[op];
}

#define ACCESS_SIZE_DEFAULT 4 /* bytes */
#define ACCESS_EL_DEFAULT 2

const char *trace_event_field_name(enum trace_field f)
{
    return (unsigned)f < TRACE_F_COUNT ? field_names[f] : "?";
}

enum trace_field trace_event_field(const char *key)
{
    for (int f = 0; f < TRACE_F_COUNT; f++)
        if (key[0] == field_names[f][0] && strcmp(key, field_names[f]) == 0)
            return (enum trace_field)f;
    return TRACE_F_UNKNOWN;
}

/* "base, limit, flags" for a set of field bits, into buf (error path only). */
static const char *field_list(unsigned mask, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int f = 0; f < TRACE_F_COUNT; f++) {
        if (f == TRACE_F_OP || !(mask & TRACE_F_BIT(f)))
            continue;
        int w = snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", field_names[f]);
        if (w < 0 || (size_t)w >= cap - n)
            break;
        n += (size_t)w;
    }
    return buf;
}

static int decode_expect(const struct trace_parse *p, json_t *obj, struct trace_expect *x)
{
    if (!json_is_object(obj))
        return trace_fail(p, MPUSIM_E_PARSE, "expect", "expected an object, got %s",
                          trace_json_type(obj));
    const char *key;
    json_t *v;
    long n;
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "rc") == 0) {
            if (trace_field_int(p, "expect.rc", v, INT_MIN, INT_MAX, &n) != 0)
                return -1;
            x->rc = (int)n;
            x->has |= TRACE_EXPECT_RC;
        } else if (strcmp(key, "used") == 0) {
            if (trace_field_int(p, "expect.used", v, 0, MPU_MAX_REGIONS, &n) != 0)
                return -1;
            x->used = (int)n;
            x->has |= TRACE_EXPECT_USED;
        } else if (strcmp(key, "region") == 0) {
            if (json_is_null(v))
                n = -1;
            else if (trace_field_int(p, "expect.region", v, 0, MPU_MAX_REGIONS - 1, &n) != 0)
                return -1;
            x->region = (int)n;
            x->has |= TRACE_EXPECT_REGION;
        } else if (strcmp(key, "fault") == 0) {
            int f = MPU_FAULT_NONE;
            if (!json_is_null(v)) {
                const char *s;
                if (trace_field_string(p, "expect.fault", v, &s) != 0)
                    return -1;
                f = mpu_fault_from_name(s);
                if (f <= MPU_FAULT_NONE)
                    return trace_fail(p, MPUSIM_E_RANGE, "expect.fault",
                                      "unknown fault \"%.40s\" (expected null, \"permission\", "
                                      "\"no_region\" or \"multiple_regions\")", s);
            }
            x->fault = f;
            x->has |= TRACE_EXPECT_FAULT;
        } else if (strcmp(key, "region_num") == 0) {
            if (json_is_null(v))
                n = -1;
            else if (trace_field_int(p, "expect.region_num", v, 0, 255, &n) != 0)
                return -1;
            x->region_num = (int)n;
            x->has |= TRACE_EXPECT_REGION_NUM;
        } else if (strcmp(key, "enabled") == 0) {
            if (trace_field_int(p, "expect.enabled", v, 0, MPU_MAX_REGIONS, &n) != 0)
                return -1;
            x->enabled = (int)n;
            x->has |= TRACE_EXPECT_ENABLED;
        } else if (strcmp(key, "writes") == 0 || strcmp(key, "barriers") == 0) {
            int w = key[0] == 'w';
            if (trace_field_int(p, w ? "expect.writes" : "expect.barriers", v, 0, LONG_MAX,
                                &n) != 0)
                return -1;
            if (w)
                x->writes = n;
            else
                x->barriers = n;
            x->has |= w ? TRACE_EXPECT_WRITES : TRACE_EXPECT_BARRIERS;
        } else if (strcmp(key, "cpus") == 0) {
            if (trace_decode_expect_cpus(p, v, x) != 0)
                return -1;
        } else if (!trace_is_extension(key)) {
            return trace_fail(p, MPUSIM_E_RANGE, NULL,
                              "unknown field 'expect.%.60s' (expected rc, used, region, fault, "
                              "region_num, enabled, writes, barriers, cpus, or an \"x-\" "
                              "extension)", key);
        }
    }
    return 0;
}

/* domain_init "partitions": [{base, limit, attr}, ...], at most TRACE_MAX_PARTITIONS. */
static int decode_partitions(const struct trace_parse *p, json_t *arr, struct trace_event *ev)
{
    if (!json_is_array(arr))
        return trace_fail(p, MPUSIM_E_PARSE, "partitions", "expected an array, got %s",
                          trace_json_type(arr));
    size_t n = json_array_size(arr);
    if (n > TRACE_MAX_PARTITIONS)
        return trace_fail(p, MPUSIM_E_RANGE, "partitions", "%zu partitions (at most %d)", n,
                          TRACE_MAX_PARTITIONS);
    if (n == 0)
        return 0;
    ev->parts = calloc(n, sizeof *ev->parts);
    if (!ev->parts)
        return trace_fail(p, MPUSIM_E_IO, "partitions", "out of memory");
    for (size_t i = 0; i < n; i++) {
        char field[40];
        snprintf(field, sizeof field, "partitions[%zu]", i);
        if (trace_decode_zregion(p, field, json_array_get(arr, i), &ev->parts[i]) != 0)
            return -1;
        ev->nparts++;
    }
    return 0;
}

static int decode_field(const struct trace_parse *p, enum trace_field f, json_t *v,
                        struct trace_event *ev)
{
    const char *name = field_names[f];
    const char *s;
    long n;
    int i;
    switch (f) {
    case TRACE_F_BASE:
    case TRACE_F_ADDR:
    case TRACE_F_STACK_OBJ:
        return trace_field_u64(p, name, v, &ev->base);
    case TRACE_F_THREAD:
        return trace_field_name(p, name, v, &ev->thread);
    case TRACE_F_DOMAIN:
        return trace_field_name(p, name, v, &ev->domain);
    case TRACE_F_USER:
        if (!json_is_boolean(v))
            return trace_fail(p, MPUSIM_E_PARSE, name, "expected true or false, got %s",
                              trace_json_type(v));
        ev->user = json_is_true(v) ? 1u : 0u;
        return 0;
    case TRACE_F_ATTR:
        return trace_field_zattr(p, name, v, &ev->flags);
    case TRACE_F_PARTITIONS:
        return decode_partitions(p, v, ev);
    case TRACE_F_LIMIT:
    case TRACE_F_SIZE:
    case TRACE_F_VALUE:
        return trace_field_u64(p, name, v, &ev->limit);
    case TRACE_F_FLAGS:
        return 0; /* by form, after the loop */
    case TRACE_F_KIND:
        if (trace_field_string(p, name, v, &s) != 0)
            return -1;
        if ((i = trace_access_kind_from_name(s)) < 0)
            return trace_fail(p, MPUSIM_E_RANGE, name,
                              "unknown access kind \"%.40s\" (expected read, write or exec)", s);
        ev->kind = (unsigned)i;
        return 0;
    case TRACE_F_EL:
        if (trace_field_int(p, name, v, 0, 2, &n) != 0)
            return -1;
        ev->el = (unsigned)n;
        return 0;
    case TRACE_F_REG:
        if (trace_field_string(p, name, v, &s) != 0)
            return -1;
        if ((ev->reg = mpu_reg_from_name(s)) < 0)
            return trace_fail(p, MPUSIM_E_RANGE, name, "unknown register '%.40s'", s);
        return 0;
    case TRACE_F_NOTE:
        return trace_field_string(p, name, v, &s);
    case TRACE_F_EXPECT:
        return decode_expect(p, v, &ev->expect);
    case TRACE_F_CPU:
    case TRACE_F_AS:
    case TRACE_F_SECTION:
    case TRACE_F_LOCKED:
    case TRACE_F_BROADCAST:
    case TRACE_F_ALLOC:
    case TRACE_F_VM:
    case TRACE_F_CPUS:
    case TRACE_F_FROM_AS:
    case TRACE_F_TO_AS:
    case TRACE_F_VA:
    case TRACE_F_PAGES:
        return 0; /* bao's: trace_decode_bao_event, after the loop */
    case TRACE_F_OP:
    case TRACE_F_UNKNOWN:
        break;
    }
    return 0;
}

void trace_event_begin(struct trace_event *ev, int line)
{
    memset(ev, 0, sizeof *ev);
    ev->expect.region_num = -1;
    ev->line = line;
    ev->reg = -1;
    ev->el = ACCESS_EL_DEFAULT;
}

void trace_event_set_op(struct trace_event *ev, enum trace_op op)
{
    ev->op = op;
    if (op == TRACE_OP_ACCESS)
        ev->limit = ACCESS_SIZE_DEFAULT;
}

int trace_event_check(const struct trace_parse *p, const struct trace_event *ev)
{
    if ((ev->op == TRACE_OP_DOMAIN_ADD_PARTITION || ev->op == TRACE_OP_DOMAIN_REMOVE_PARTITION) &&
        ev->limit < ev->base)
        return trace_fail(p, MPUSIM_E_RANGE, "limit", "limit 0x%llx is below base 0x%llx",
                          (unsigned long long)ev->limit, (unsigned long long)ev->base);
    if (ev->op == TRACE_OP_THREAD_CREATE && ev->base + ev->limit < ev->base)
        return trace_fail(p, MPUSIM_E_RANGE, "size",
                          "stack [0x%llx, +0x%llx) wraps around the address space",
                          (unsigned long long)ev->base, (unsigned long long)ev->limit);
    if (ev->op == TRACE_OP_ACCESS) {
        if (ev->limit == 0)
            return trace_fail(p, MPUSIM_E_RANGE, "size", "an access has at least 1 byte");
        if (ev->base + (ev->limit - 1) < ev->base)
            return trace_fail(p, MPUSIM_E_RANGE, "size",
                              "access [0x%llx, +0x%llx) wraps around the address space",
                              (unsigned long long)ev->base, (unsigned long long)ev->limit);
    }
    return 0;
}

int trace_event_same(const struct trace_event *a, const struct trace_event *b)
{
    const struct trace_expect *x = &a->expect, *y = &b->expect;
    if (a->op != b->op || a->base != b->base || a->limit != b->limit || a->flags != b->flags ||
        a->kind != b->kind || a->el != b->el || a->reg != b->reg || a->thread != b->thread ||
        a->domain != b->domain || a->user != b->user || a->nparts != b->nparts ||
        a->cpu != b->cpu || a->bao != b->bao || a->as != b->as || a->to_as != b->to_as ||
        a->cpus != b->cpus || a->opts != b->opts || a->line != b->line ||
        (a->parts == NULL) != (b->parts == NULL))
        return 0;
    if (x->has != y->has || x->rc != y->rc || x->used != y->used || x->region != y->region ||
        x->fault != y->fault || x->region_num != y->region_num || x->enabled != y->enabled ||
        x->writes != y->writes || x->barriers != y->barriers || x->ncpus != y->ncpus ||
        (x->cpus == NULL) != (y->cpus == NULL))
        return 0;
    for (unsigned i = 0; i < a->nparts; i++)
        if (a->parts[i].base != b->parts[i].base || a->parts[i].limit != b->parts[i].limit ||
            a->parts[i].attr != b->parts[i].attr)
            return 0;
    for (unsigned i = 0; i < x->ncpus; i++) {
        const struct trace_expect_cpu *c = &x->cpus[i], *d = &y->cpus[i];
        if (c->has != d->has || c->hyp != d->hyp || c->vm != d->vm ||
            c->allocated != d->allocated || c->enabled != d->enabled ||
            c->writes != d->writes || c->barriers != d->barriers)
            return 0;
    }
    return 1;
}

int trace_decode_event(struct trace_parse *p, json_t *v, struct trace_event *ev)
{
    trace_event_begin(ev, p->line);
    p->op = NULL;
    if (!json_is_object(v))
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "expected an event object, got %s",
                          trace_json_type(v));
    json_t *opv = json_object_get(v, "op");
    const char *s;
    if (!opv)
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'op'");
    if (trace_field_string(p, "op", opv, &s) != 0)
        return -1;
    int op = trace_op_from_name(s);
    if (op < 0)
        return trace_fail(p, MPUSIM_E_RANGE, "op",
                          "unknown op \"%.40s\" (expected map, modify, unmap, unmap_containing, "
                          "ioremap, access, sysreg, or a zephyr op: thread_create, "
                          "domain_init, domain_add_partition, domain_remove_partition, "
                          "domain_add_thread, user_enter, switch, or a bao op: cpu_boot, "
                          "vm_create, map_cpy, vm_entry, vm_exit)", s);
    trace_event_set_op(ev, (enum trace_op)op);
    p->op = trace_op_name(ev->op);

    unsigned allowed = trace_event_allowed(ev->op), seen = 0;
    const char *key;
    json_t *fv;
    json_object_foreach(v, key, fv) {
        enum trace_field f = trace_event_field(key);
        if (f == TRACE_F_UNKNOWN && trace_is_extension(key))
            continue;
        if (f == TRACE_F_UNKNOWN || !(allowed & TRACE_F_BIT(f))) {
            char list[96];
            return trace_fail(p, MPUSIM_E_RANGE, NULL,
                              "unknown field '%.60s' (%s takes %s, and \"x-\" extensions)", key,
                              p->op, field_list(allowed, list, sizeof list));
        }
        seen |= TRACE_F_BIT(f);
        if (decode_field(p, f, fv, ev) != 0)
            return -1;
    }
    unsigned missing = required[op] & ~seen;
    if (missing) {
        int f = 0;
        while (!(missing & TRACE_F_BIT(f)))
            f++;
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field '%s'", field_names[f]);
    }
    if (trace_decode_bao_event(p, v, seen & (BAO_FORM | FB(VM) | FB(CPUS) | FB(FROM_AS) |
                                             FB(TO_AS) | FB(VA) | FB(PAGES)), ev) != 0)
        return -1;
    if (!ev->bao && (seen & FB(FLAGS)) &&
        trace_field_flags(p, "flags", json_object_get(v, "flags"), &ev->flags) != 0)
        return -1;
    return trace_event_check(p, ev);
}
