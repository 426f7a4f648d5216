/* The bao parts of the trace format (docs/trace-format.md, "Bao events"): the "bao" header,
 * the fields of the bao events and of map/unmap in bao form, the per-CPU expectations, and
 * the pass that turns VM names into ids and checks CPUs, VMs and guest state in event order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/mm.h"
#include "traces/internal.h"

#define HYP_NAME "hyp"

_Static_assert(TRACE_BAO_VMS == MM_BAO_VMS && TRACE_BAO_CPUS == MM_BAO_CPUS,
               "the streamed name table holds every VM and CPU mm has");

static int decode_range(struct trace_parse *p, const char *field, json_t *v, struct trace_bao *b)
{
    if (!json_is_object(v))
        return trace_fail(p, MPUSIM_E_PARSE, field, "expected an object, got %s",
                          trace_json_type(v));
    int have = 0;
    const char *key;
    json_t *fv;
    char sub[48];
    b->image_load_end = b->image_noload = 0;
    json_object_foreach(v, key, fv) {
        snprintf(sub, sizeof sub, "%s.%s", field, key);
        uint64_t *dst = strcmp(key, "base") == 0       ? &b->image_base
                        : strcmp(key, "limit") == 0    ? &b->image_limit
                        : strcmp(key, "load_end") == 0 ? &b->image_load_end
                        : strcmp(key, "noload") == 0   ? &b->image_noload
                                                       : NULL;
        if (!dst) {
            if (trace_is_extension(key))
                continue;
            return trace_fail(p, MPUSIM_E_RANGE, field, "unknown field '%.40s' (the image takes "
                              "base, limit, load_end, noload)", key);
        }
        if (trace_field_u64(p, sub, fv, dst) != 0)
            return -1;
        have |= dst == &b->image_base ? 1 : dst == &b->image_limit ? 2 : 0;
    }
    if (!(have & 1))
        return trace_fail(p, MPUSIM_E_PARSE, field, "missing field 'base'");
    if (!(have & 2))
        return trace_fail(p, MPUSIM_E_PARSE, field, "missing field 'limit'");
    if (b->image_base >= b->image_limit)
        return trace_fail(p, MPUSIM_E_RANGE, field, "base 0x%llx must be below limit 0x%llx",
                          (unsigned long long)b->image_base,
                          (unsigned long long)b->image_limit);
    if (!b->image_load_end)
        b->image_load_end = b->image_limit;
    if (!b->image_noload)
        b->image_noload = b->image_load_end;
    if (b->image_load_end < b->image_base || b->image_load_end > b->image_noload ||
        b->image_noload > b->image_limit)
        return trace_fail(p, MPUSIM_E_RANGE, field, "expected base <= load_end <= noload <= "
                          "limit");
    return 0;
}

int trace_decode_bao(struct trace_parse *p, json_t *obj, struct trace *t)
{
    if (!json_is_object(obj))
        return trace_fail(p, MPUSIM_E_PARSE, "bao", "expected an object, got %s",
                          trace_json_type(obj));
    struct trace_bao *b = calloc(1, sizeof *b);
    if (!b)
        return trace_fail(p, MPUSIM_E_IO, "bao", "out of memory");
    t->bao = b;
    int have_cpus = 0;
    json_t *structs = NULL;
    const char *key;
    json_t *v;
    long n;
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "cpus") == 0) {
            if (trace_field_int(p, "bao.cpus", v, 1, MM_BAO_CPUS, &n) != 0)
                return -1;
            b->ncpus = (unsigned)n;
            have_cpus = 1;
        } else if (strcmp(key, "image") == 0) {
            if (decode_range(p, "bao.image", v, b) != 0)
                return -1;
        } else if (strcmp(key, "non_unified") == 0) {
            if (!json_is_boolean(v))
                return trace_fail(p, MPUSIM_E_PARSE, "bao.non_unified",
                                  "expected true or false, got %s", trace_json_type(v));
            b->non_unified = json_is_true(v);
        } else if (strcmp(key, "cpu_structs") == 0) {
            structs = v;
        } else if (strcmp(key, "cpu_struct_size") == 0) {
            if (trace_field_u64(p, "bao.cpu_struct_size", v, &b->cpu_struct_size) != 0)
                return -1;
        } else if (!trace_is_extension(key)) {
            return trace_fail(p, MPUSIM_E_RANGE, NULL,
                              "unknown field 'bao.%.40s' (expected cpus, image, non_unified, "
                              "cpu_structs, cpu_struct_size)", key);
        }
    }
    if (!have_cpus)
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'bao.cpus'");
    if (structs) {
        if (!json_is_array(structs) || json_array_size(structs) != b->ncpus)
            return trace_fail(p, MPUSIM_E_RANGE, "bao.cpu_structs",
                              "expected an array of %u addresses (one per CPU)", b->ncpus);
        for (unsigned i = 0; i < b->ncpus; i++) {
            char sub[32];
            snprintf(sub, sizeof sub, "bao.cpu_structs[%u]", i);
            if (trace_field_u64(p, sub, json_array_get(structs, i), &b->cpu_struct[i]) != 0)
                return -1;
        }
    }
    return 0;
}

/* Bao's flag sets (reference 3.3) and raw {"prbar", "prlar"} low bits. */
static const struct {
    const char *name;
    unsigned flags;
} sets[] = {
    { "hyp", MM_BAO_HYP_FLAGS },    { "hyp_code", MM_BAO_HYP_CODE_FLAGS },
    { "hyp_dev", MM_BAO_HYP_DEV_FLAGS }, { "vm", MM_BAO_VM_FLAGS },
    { "vm_dev", MM_BAO_VM_DEV_FLAGS },
};
const char *trace_bao_flags_name(unsigned flags)
{
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (sets[i].flags == flags)
            return sets[i].name;
    return NULL;
}

#define PRBAR_BITS 0x3Eull /* XN (bit 1), AP [3:2], SH [5:4] */
#define PRLAR_BITS 0x07ull /* EN, AttrIndx [2:1] (Bao's mask is two bits wide) */

static int decode_flags(const struct trace_parse *p, const json_t *v, unsigned *out)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
            if (strcmp(s, sets[i].name) == 0) {
                *out = sets[i].flags;
                return 0;
            }
        return trace_fail(p, MPUSIM_E_RANGE, "flags", "unknown bao flags \"%.40s\" (expected "
                          "hyp, hyp_code, hyp_dev, vm, vm_dev or {\"prbar\": ..., \"prlar\": "
                          "...})", s);
    }
    if (!json_is_object(v))
        return trace_fail(p, MPUSIM_E_PARSE, "flags", "expected a bao flags name or object, got "
                          "%s", trace_json_type(v));
    uint64_t prbar = 0, prlar = 0;
    int have = 0;
    const char *key;
    json_t *fv;
    json_object_foreach((json_t *)v, key, fv) {
        if (strcmp(key, "prbar") == 0 || strcmp(key, "prlar") == 0) {
            int b = key[2] == 'b';
            if (trace_field_u64(p, b ? "flags.prbar" : "flags.prlar", fv, b ? &prbar : &prlar))
                return -1;
            have |= b ? 1 : 2;
        } else if (!trace_is_extension(key)) {
            return trace_fail(p, MPUSIM_E_RANGE, "flags", "unknown field '%.40s' (bao flags "
                              "take prbar and prlar)", key);
        }
    }
    if (have != 3)
        return trace_fail(p, MPUSIM_E_PARSE, "flags", "missing field '%s'",
                          have & 1 ? "prlar" : "prbar");
    if (prbar & ~PRBAR_BITS)
        return trace_fail(p, MPUSIM_E_RANGE, "flags.prbar", "0x%llx does not encode: PRBAR low "
                          "bits are XN (0x2), AP (0xc) and SH (0x30)", (unsigned long long)prbar);
    if (((prbar >> 4) & 3u) == 1u)
        return trace_fail(p, MPUSIM_E_RANGE, "flags.prbar", "0x%llx does not encode: SH = 0b01 "
                          "is reserved", (unsigned long long)prbar);
    if (prlar & ~PRLAR_BITS)
        return trace_fail(p, MPUSIM_E_RANGE, "flags.prlar", "0x%llx does not encode: PRLAR low "
                          "bits are EN (0x1) and a two-bit AttrIndx (0x6)",
                          (unsigned long long)prlar);
    *out = MM_BAO_FLAGS(prbar, prlar);
    return 0;
}

/* "hyp" or a VM name. */
static int decode_as(const struct trace_parse *p, const char *field, const json_t *v,
                     uint64_t *out)
{
    if (json_is_string(v) && strcmp(json_string_value(v), HYP_NAME) == 0) {
        *out = TRACE_AS_HYP;
        return 0;
    }
    return trace_field_name(p, field, v, out);
}

static const char *const sec_names[MM_BAO_SEC_COUNT] = { "global", "image", "private", "vm" };

const char *trace_bao_section_name(unsigned sec)
{
    return sec < MM_BAO_SEC_COUNT ? sec_names[sec] : "?";
}

static int decode_section(const struct trace_parse *p, const json_t *v, int vm_as,
                          unsigned *out)
{
    const char *s;
    if (trace_field_string(p, "section", v, &s) != 0)
        return -1;
    if (vm_as) {
        if (strcmp(s, "vm_any") != 0)
            return trace_fail(p, MPUSIM_E_RANGE, "section", "\"%.40s\": a VM address space has "
                              "one section, vm_any", s);
        *out = MM_BAO_SEC_GLOBAL;
        return 0;
    }
    for (unsigned i = 0; i < MM_BAO_SEC_COUNT; i++)
        if (strcmp(s, sec_names[i]) == 0) {
            *out = i;
            return 0;
        }
    return trace_fail(p, MPUSIM_E_RANGE, "section", "unknown section \"%.40s\" (the hypervisor's "
                      "are global, image, private, vm)", s);
}

static int decode_bool(const struct trace_parse *p, const char *field, const json_t *v, int *out)
{
    if (!json_is_boolean(v))
        return trace_fail(p, MPUSIM_E_PARSE, field, "expected true or false, got %s",
                          trace_json_type(v));
    *out = json_is_true(v);
    return 0;
}

int trace_decode_bao_event(struct trace_parse *p, json_t *obj, unsigned seen_bao,
                           struct trace_event *ev)
{
    long n;
    json_t *v;
    if (!seen_bao && ev->op != TRACE_OP_CPU_BOOT && ev->op != TRACE_OP_VM_ENTRY &&
        ev->op != TRACE_OP_VM_EXIT)
        return 0;
    int plain_op = ev->op == TRACE_OP_MAP || ev->op == TRACE_OP_UNMAP;
    if (plain_op && !json_object_get(obj, "as"))
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'as' (a %s in bao form takes "
                          "cpu and as)", p->op);
    if (plain_op && !json_object_get(obj, "cpu"))
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'cpu' (a %s in bao form takes "
                          "cpu and as)", p->op);
    ev->bao = 1;
    if ((v = json_object_get(obj, "cpu"))) {
        if (trace_field_int(p, "cpu", v, 0, MM_BAO_CPUS - 1, &n) != 0)
            return -1;
        ev->cpu = (unsigned)n;
    }
    if (ev->op == TRACE_OP_ACCESS)
        return 0;
    if (ev->op == TRACE_OP_VM_CREATE) {
        if (decode_as(p, "vm", json_object_get(obj, "vm"), &ev->as) != 0)
            return -1;
        if (ev->as == TRACE_AS_HYP)
            return trace_fail(p, MPUSIM_E_RANGE, "vm", "\"hyp\" names the hypervisor's address "
                              "space, not a VM");
        v = json_object_get(obj, "cpus");
        if (!json_is_array(v) || json_array_size(v) == 0)
            return trace_fail(p, MPUSIM_E_PARSE, "cpus", "expected a non-empty array of CPU "
                              "numbers");
        for (size_t i = 0; i < json_array_size(v); i++) {
            char sub[32];
            snprintf(sub, sizeof sub, "cpus[%zu]", i);
            if (trace_field_int(p, sub, json_array_get(v, i), 0, MM_BAO_CPUS - 1, &n) != 0)
                return -1;
            if (ev->cpus & (1ull << n))
                return trace_fail(p, MPUSIM_E_RANGE, sub, "CPU %ld given twice", n);
            ev->cpus |= 1ull << n;
        }
        return 0;
    }
    int vm_as = 0;
    if (ev->op == TRACE_OP_MAP_CPY) {
        if (decode_as(p, "from_as", json_object_get(obj, "from_as"), &ev->as) != 0 ||
            decode_as(p, "to_as", json_object_get(obj, "to_as"), &ev->to_as) != 0 ||
            trace_field_u64(p, "va", json_object_get(obj, "va"), &ev->base) != 0 ||
            trace_field_u64(p, "pages", json_object_get(obj, "pages"), &ev->limit) != 0)
            return -1;
        if (ev->base & 0xFFFu)
            return trace_fail(p, MPUSIM_E_RANGE, "va", "0x%llx is not page aligned",
                              (unsigned long long)ev->base);
        if (ev->limit > (1ull << 36))
            return trace_fail(p, MPUSIM_E_RANGE, "pages", "%llu pages is past the address space",
                              (unsigned long long)ev->limit);
        vm_as = ev->to_as != TRACE_AS_HYP;
        unsigned sec = vm_as ? MM_BAO_SEC_GLOBAL : MM_BAO_SEC_PRIVATE;
        if ((v = json_object_get(obj, "section")) && decode_section(p, v, vm_as, &sec) != 0)
            return -1;
        ev->opts = MM_BAO_OPT_SEC(sec);
        return 0;
    }
    if (!plain_op)
        return 0;
    if (decode_as(p, "as", json_object_get(obj, "as"), &ev->as) != 0)
        return -1;
    vm_as = ev->as != TRACE_AS_HYP;
    int broadcast = 1, locked = 0, alloc = 0;
    if ((v = json_object_get(obj, "broadcast")) && decode_bool(p, "broadcast", v, &broadcast))
        return -1;
    if (ev->limit < ev->base)
        return trace_fail(p, MPUSIM_E_RANGE, "limit", "limit 0x%llx is below base 0x%llx",
                          (unsigned long long)ev->limit, (unsigned long long)ev->base);
    ev->opts = broadcast ? MM_BAO_OPT_BROADCAST : 0;
    if (ev->op == TRACE_OP_UNMAP)
        return 0;
    if (decode_flags(p, json_object_get(obj, "flags"), &ev->flags) != 0)
        return -1;
    unsigned sec = MM_BAO_SEC_GLOBAL;
    if ((v = json_object_get(obj, "section")) && decode_section(p, v, vm_as, &sec) != 0)
        return -1;
    if ((v = json_object_get(obj, "locked")) && decode_bool(p, "locked", v, &locked))
        return -1;
    if ((v = json_object_get(obj, "alloc")) && decode_bool(p, "alloc", v, &alloc))
        return -1;
    ev->opts |= (locked ? MM_BAO_OPT_LOCKED : 0) | (alloc ? MM_BAO_OPT_ALLOC : 0) |
                MM_BAO_OPT_SEC(sec);
    return 0;
}

int trace_decode_expect_cpus(const struct trace_parse *p, json_t *arr, struct trace_expect *x)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > MM_BAO_CPUS)
        return trace_fail(p, MPUSIM_E_PARSE, "expect.cpus", "expected an array of 1 to %d "
                          "objects (one per CPU)", MM_BAO_CPUS);
    size_t n = json_array_size(arr);
    free(x->cpus);
    x->cpus = calloc(n, sizeof *x->cpus);
    if (!x->cpus)
        return trace_fail(p, MPUSIM_E_IO, "expect.cpus", "out of memory");
    x->ncpus = (unsigned)n;
    x->has |= TRACE_EXPECT_CPUS;
    static const char *const keys[] = { "hyp", "vm", "allocated", "enabled", "writes",
                                        "barriers" };
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        char field[48];
        snprintf(field, sizeof field, "expect.cpus[%zu]", i);
        if (!json_is_object(o))
            return trace_fail(p, MPUSIM_E_PARSE, field, "expected an object, got %s",
                              trace_json_type(o));
        struct trace_expect_cpu *c = &x->cpus[i];
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v) {
            unsigned k = 0;
            while (k < 6 && strcmp(key, keys[k]) != 0)
                k++;
            if (k == 6) {
                if (trace_is_extension(key))
                    continue;
                return trace_fail(p, MPUSIM_E_RANGE, field, "unknown field '%.40s' (expected "
                                  "hyp, vm, allocated, enabled, writes, barriers)", key);
            }
            char sub[64];
            snprintf(sub, sizeof sub, "%s.%s", field, key);
            long val;
            if (trace_field_int(p, sub, v, 0, k < 4 ? 255 : 1000000000L, &val) != 0)
                return -1;
            c->has |= 1u << k;
            switch (k) {
            case 0: c->hyp = (int)val; break;
            case 1: c->vm = (int)val; break;
            case 2: c->allocated = (int)val; break;
            case 3: c->enabled = (int)val; break;
            case 4: c->writes = val; break;
            default: c->barriers = val; break;
            }
        }
    }
    return 0;
}

/* ---- names to ids and state checks, in event order ---- */

static int fail_at(struct trace_parse *p, const struct trace_event *ev, long i, const char *field,
                   const char *fmt, unsigned a)
{
    char msg[160];
    snprintf(msg, sizeof msg, fmt, a);
    p->event = i;
    p->line = ev->line;
    p->op = trace_op_name(ev->op);
    return trace_fail(p, MPUSIM_E_RANGE, field, "%s", msg);
}

static int vm_find(const uint64_t *hash, unsigned n, uint64_t h)
{
    for (unsigned k = 0; k < n; k++)
        if (hash[k] == h)
            return (int)k;
    return -1;
}

void trace_bao_names_init(struct trace_bao_names *s)
{
    memset(s, 0, sizeof *s);
    for (unsigned c = 0; c < MM_BAO_CPUS; c++)
        s->vm_of[c] = -1;
}

int trace_resolve_bao_event(struct trace_parse *p, struct trace_bao_names *s,
                            const struct trace_bao *hdr, struct trace_event *ev, long i)
{
    if (trace_event_system(ev) != 2)
        return 0;
    if (!hdr)
        return fail_at(p, ev, i, NULL, "a bao event needs the \"bao\" header (cpus, image)%.0u",
                       0);
    unsigned c = ev->cpu;
    if (c >= hdr->ncpus)
        return fail_at(p, ev, i, "cpu", "unknown CPU %u (the header has fewer cpus)", c);
    if (ev->op == TRACE_OP_CPU_BOOT) {
        if (s->booted[c])
            return fail_at(p, ev, i, "cpu", "CPU %u booted twice", c);
        s->booted[c] = 1;
        return 0;
    }
    if (ev->op == TRACE_OP_VM_CREATE) {
        if (vm_find(s->vmhash, s->nvm, ev->as) >= 0)
            return fail_at(p, ev, i, "vm", "VM created twice%.0u", 0);
        if (s->nvm == MM_BAO_VMS)
            return fail_at(p, ev, i, "vm", "too many VMs (at most %u)", MM_BAO_VMS);
        for (unsigned k = 0; k < MM_BAO_CPUS; k++) {
            if (!(ev->cpus & (1ull << k)))
                continue;
            if (k >= hdr->ncpus)
                return fail_at(p, ev, i, "cpus", "unknown CPU %u", k);
            if (!s->booted[k])
                return fail_at(p, ev, i, "cpus", "CPU %u not booted (cpu_boot first)", k);
            if (s->vm_of[k] >= 0)
                return fail_at(p, ev, i, "cpus", "CPU %u already runs a vCPU of another VM", k);
        }
        for (unsigned k = 0; k < MM_BAO_CPUS; k++)
            if (ev->cpus & (1ull << k))
                s->vm_of[k] = (int8_t)s->nvm;
        s->vmhash[s->nvm] = ev->as;
        ev->as = s->nvm++;
        return 0;
    }
    if (ev->op == TRACE_OP_ACCESS)
        return 0;
    if (!s->booted[c])
        return fail_at(p, ev, i, "cpu", "CPU %u not booted (cpu_boot first)", c);
    if (ev->op == TRACE_OP_VM_ENTRY) {
        if (s->vm_of[c] < 0)
            return fail_at(p, ev, i, "cpu", "CPU %u has no vCPU (vm_create first)", c);
        if (s->in_guest[c])
            return fail_at(p, ev, i, "cpu", "CPU %u already runs its guest", c);
        s->in_guest[c] = 1;
        return 0;
    }
    if (ev->op == TRACE_OP_VM_EXIT) {
        if (!s->in_guest[c])
            return fail_at(p, ev, i, "cpu", "CPU %u is not in its guest (vm_entry first)", c);
        s->in_guest[c] = 0;
        return 0;
    }
    if (s->in_guest[c])
        return fail_at(p, ev, i, "cpu", "CPU %u runs its guest: Bao is not running there "
                       "(vm_exit first)", c);
    uint64_t *as[2] = { &ev->as, ev->op == TRACE_OP_MAP_CPY ? &ev->to_as : NULL };
    for (unsigned k = 0; k < 2; k++) {
        if (!as[k] || *as[k] == TRACE_AS_HYP)
            continue;
        int v = vm_find(s->vmhash, s->nvm, *as[k]);
        const char *f = ev->op == TRACE_OP_MAP_CPY ? (k ? "to_as" : "from_as") : "as";
        if (v < 0)
            return fail_at(p, ev, i, f, "unknown VM (never created)%.0u", 0);
        *as[k] = (unsigned)v;
    }
    return 0;
}

int trace_resolve_bao(struct trace_parse *p, struct trace *t)
{
    struct trace_bao_names s;
    trace_bao_names_init(&s);
    for (size_t i = 0; i < t->nevents; i++)
        if (trace_resolve_bao_event(p, &s, t->bao, &t->events[i], (long)i) != 0)
            return -1;
    p->event = -1;
    p->op = NULL;
    return 0;
}
