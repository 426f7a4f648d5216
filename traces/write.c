/* Writing a trace in format v1 (document or JSON Lines), one event per line, so that what the
 * fuzzer shrinks (and any other producer) can be replayed and read by people. */
#include <stdlib.h>
#include <string.h>

#include "mm/mm.h"
#include "mpu_model/mpu.h"
#include "traces/internal.h"

#define TRACE_FORMAT "mpusim-trace"
#define TRACE_VERSION 1

const char *trace_flags_name(unsigned flags)
{
    static const char *const names[] = { "RO", "RX", "RW", "NOCACHE", "WC" };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (trace_flags_from_name(names[i]) == (int)flags)
            return names[i];
    return NULL;
}

/* The building context: the first failure is kept in err; later calls see ok == 0. */
struct writer {
    struct mpusim_error *err; /* borrowed; may be NULL */
    int ok;                   /* 0 once something failed */
};

static void oom(struct writer *w)
{
    if (w->ok)
        mpusim_error_set(w->err, MPUSIM_E_IO, "trace writer: out of memory");
    w->ok = 0;
}

/* Set key to v (takes ownership of v, also on failure). */
static void put(struct writer *w, json_t *obj, const char *key, json_t *v)
{
    if (!w->ok) {
        json_decref(v);
        return;
    }
    if (!v || json_object_set_new(obj, key, v) != 0)
        oom(w);
}

static void put_hex(struct writer *w, json_t *obj, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
    put(w, obj, key, json_string(buf));
}

static void put_flags(struct writer *w, json_t *obj, unsigned flags)
{
    const char *name = trace_flags_name(flags);
    put(w, obj, "flags", name ? json_string(name) : json_integer((json_int_t)flags));
}

/* A zephyr thread or domain id as a name the reader gives the same id: "t0", "d1"; domain 0
 * is "default". Ids must be dense in creation order (as trace_resolve_names makes them). */
static void put_name(struct writer *w, json_t *obj, const char *key, uint64_t id, char prefix)
{
    char buf[24];
    if (prefix == 'd' && id == 0)
        snprintf(buf, sizeof buf, "default");
    else
        snprintf(buf, sizeof buf, "%c%llu", prefix, (unsigned long long)id);
    put(w, obj, key, json_string(buf));
}

/* A zephyr attribute word: its name, else {"rbar": ..., "ai": ...}. */
static json_t *zattr_value(struct writer *w, unsigned attr)
{
    const char *name = trace_zattr_name(attr);
    if (name)
        return json_string(name);
    json_t *a = json_object();
    if (!a)
        return NULL;
    char buf[8];
    snprintf(buf, sizeof buf, "0x%02x", MM_Z_ATTR_RBAR(attr));
    put(w, a, "rbar", json_string(buf));
    put(w, a, "ai", json_integer(MM_Z_ATTR_AI(attr)));
    return a;
}

/* A zephyr region or partition {base, limit, attr}; NULL on failure (recorded in w). */
static json_t *zregion_object(struct writer *w, const struct trace_partition *r)
{
    json_t *o = json_object();
    if (!o) {
        oom(w);
        return NULL;
    }
    put_hex(w, o, "base", r->base);
    put_hex(w, o, "limit", r->limit);
    put(w, o, "attr", zattr_value(w, r->attr));
    if (!w->ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *zregions_array(struct writer *w, const struct trace_partition *r, unsigned n)
{
    json_t *a = json_array();
    if (!a)
        oom(w);
    for (unsigned k = 0; w->ok && k < n; k++) {
        json_t *o = zregion_object(w, &r[k]);
        if (o && json_array_append_new(a, o) != 0)
            oom(w);
    }
    return a;
}

/* The "zephyr" header (trace-format.md), every field written. */
static json_t *zephyr_object(struct writer *w, const struct trace_zephyr *z)
{
    json_t *o = json_object();
    if (!o) {
        oom(w);
        return NULL;
    }
    put(w, o, "static", zregions_array(w, z->soc, z->nsoc));
    put(w, o, "dt", zregions_array(w, z->dt, z->ndt));
    json_t *area = json_object();
    if (area) {
        put_hex(w, area, "base", z->dyn_base);
        put_hex(w, area, "limit", z->dyn_limit);
    }
    put(w, o, "dyn_area", area);
    json_t *irq = json_array();
    if (irq && z->has_irq_stack) {
        char buf[24];
        snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)z->irq_stack);
        if (json_array_append_new(irq, json_string(buf)) != 0)
            oom(w);
    }
    put(w, o, "irq_stacks", irq);
    put(w, o, "max_partitions", json_integer(z->max_partitions));
    put_hex(w, o, "priv_stack_size", z->priv_stack_size);
    return o;
}

/* The "bao" header (trace-format.md, "Bao events"), every field written. */
static json_t *bao_object(struct writer *w, const struct trace_bao *b)
{
    json_t *o = json_object();
    if (!o) {
        oom(w);
        return NULL;
    }
    put(w, o, "cpus", json_integer(b->ncpus));
    if (b->image_limit > b->image_base) {
        json_t *img = json_object();
        if (img) {
            put_hex(w, img, "base", b->image_base);
            put_hex(w, img, "limit", b->image_limit);
            put_hex(w, img, "load_end", b->image_load_end);
            put_hex(w, img, "noload", b->image_noload);
        }
        put(w, o, "image", img);
    }
    if (b->non_unified)
        put(w, o, "non_unified", json_true());
    int structs = 0;
    for (unsigned c = 0; c < b->ncpus && c < MM_BAO_CPUS; c++)
        structs |= b->cpu_struct[c] != 0;
    if (structs) {
        json_t *a = json_array();
        if (!a)
            oom(w);
        for (unsigned c = 0; w->ok && c < b->ncpus && c < MM_BAO_CPUS; c++) {
            char buf[24];
            snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)b->cpu_struct[c]);
            if (json_array_append_new(a, json_string(buf)) != 0)
                oom(w);
        }
        put(w, o, "cpu_structs", a);
    }
    if (b->cpu_struct_size)
        put_hex(w, o, "cpu_struct_size", b->cpu_struct_size);
    return o;
}

/* A bao address space: "hyp", or VM id k as "vm<k+1>" (the reader gives ids in vm_create
 * order, so any dense numbering reads back the same; +1 matches Bao's asids). */
static void put_bao_as(struct writer *w, json_t *obj, const char *key, uint64_t as)
{
    char buf[24];
    if (as == TRACE_AS_HYP)
        snprintf(buf, sizeof buf, "hyp");
    else
        snprintf(buf, sizeof buf, "vm%llu", (unsigned long long)as + 1);
    put(w, obj, key, json_string(buf));
}

/* A bao flags word: its set name, else {"prbar": ..., "prlar": ...}. */
static void put_bao_flags(struct writer *w, json_t *obj, unsigned flags)
{
    const char *name = trace_bao_flags_name(flags);
    if (name) {
        put(w, obj, "flags", json_string(name));
        return;
    }
    json_t *f = json_object();
    if (f) {
        char buf[8];
        snprintf(buf, sizeof buf, "0x%02x", MM_BAO_PRBAR_F(flags));
        put(w, f, "prbar", json_string(buf));
        snprintf(buf, sizeof buf, "0x%02x", MM_BAO_PRLAR_F(flags));
        put(w, f, "prlar", json_string(buf));
    }
    put(w, obj, "flags", f);
}

/* The bao fields of a map/unmap in bao form, or of a bao op (not access). */
static void put_bao_event(struct writer *w, json_t *o, const struct trace_event *ev)
{
    unsigned sec = ev->opts >> 8;
    switch (ev->op) {
    case TRACE_OP_VM_CREATE: {
        put_bao_as(w, o, "vm", ev->as);
        json_t *a = json_array();
        if (!a)
            oom(w);
        for (unsigned c = 0; w->ok && c < 64; c++)
            if ((ev->cpus >> c) & 1u && json_array_append_new(a, json_integer(c)) != 0)
                oom(w);
        put(w, o, "cpus", a);
        return;
    }
    case TRACE_OP_MAP_CPY:
        put(w, o, "cpu", json_integer(ev->cpu));
        put_bao_as(w, o, "from_as", ev->as);
        put_bao_as(w, o, "to_as", ev->to_as);
        put(w, o, "section", json_string(ev->to_as == TRACE_AS_HYP ? trace_bao_section_name(sec)
                                                                   : "vm_any"));
        put_hex(w, o, "va", ev->base);
        put(w, o, "pages", json_integer((json_int_t)ev->limit));
        return;
    case TRACE_OP_MAP:
    case TRACE_OP_UNMAP:
        put(w, o, "cpu", json_integer(ev->cpu));
        put_bao_as(w, o, "as", ev->as);
        put_hex(w, o, "base", ev->base);
        put_hex(w, o, "limit", ev->limit);
        if (ev->op == TRACE_OP_MAP) {
            put_bao_flags(w, o, ev->flags);
            if (ev->as == TRACE_AS_HYP)
                put(w, o, "section", json_string(trace_bao_section_name(sec)));
            if (ev->opts & MM_BAO_OPT_LOCKED)
                put(w, o, "locked", json_true());
            if (ev->opts & MM_BAO_OPT_ALLOC)
                put(w, o, "alloc", json_true());
        }
        if (!(ev->opts & MM_BAO_OPT_BROADCAST))
            put(w, o, "broadcast", json_false());
        return;
    default: /* cpu_boot, vm_entry, vm_exit */
        put(w, o, "cpu", json_integer(ev->cpu));
        return;
    }
}

/* bao's "expect.cpus": one object per CPU with the fields it has. */
static json_t *expect_cpus_array(struct writer *w, const struct trace_expect *x)
{
    json_t *a = json_array();
    if (!a) {
        oom(w);
        return NULL;
    }
    for (unsigned c = 0; w->ok && c < x->ncpus; c++) {
        const struct trace_expect_cpu *e = &x->cpus[c];
        json_t *o = json_object();
        if (!o || json_array_append_new(a, o) != 0) {
            oom(w);
            break;
        }
        if (e->has & TRACE_XCPU_HYP)
            put(w, o, "hyp", json_integer(e->hyp));
        if (e->has & TRACE_XCPU_VM)
            put(w, o, "vm", json_integer(e->vm));
        if (e->has & TRACE_XCPU_ALLOCATED)
            put(w, o, "allocated", json_integer(e->allocated));
        if (e->has & TRACE_XCPU_ENABLED)
            put(w, o, "enabled", json_integer(e->enabled));
        if (e->has & TRACE_XCPU_WRITES)
            put(w, o, "writes", json_integer(e->writes));
        if (e->has & TRACE_XCPU_BARRIERS)
            put(w, o, "barriers", json_integer(e->barriers));
    }
    return a;
}

static json_t *expect_object(struct writer *w, const struct trace_expect *x)
{
    json_t *o = json_object();
    if (!o) {
        oom(w);
        return NULL;
    }
    if (x->has & TRACE_EXPECT_RC)
        put(w, o, "rc", json_integer(x->rc));
    if (x->has & TRACE_EXPECT_USED)
        put(w, o, "used", json_integer(x->used));
    if (x->has & TRACE_EXPECT_REGION)
        put(w, o, "region", x->region < 0 ? json_null() : json_integer(x->region));
    if (x->has & TRACE_EXPECT_FAULT)
        put(w, o, "fault", x->fault == MPU_FAULT_NONE
                               ? json_null()
                               : json_string(mpu_fault_name((enum mpu_fault)x->fault)));
    if (x->has & TRACE_EXPECT_REGION_NUM)
        put(w, o, "region_num", x->region_num < 0 ? json_null() : json_integer(x->region_num));
    if (x->has & TRACE_EXPECT_ENABLED)
        put(w, o, "enabled", json_integer(x->enabled));
    if (x->has & TRACE_EXPECT_WRITES)
        put(w, o, "writes", json_integer(x->writes));
    if (x->has & TRACE_EXPECT_BARRIERS)
        put(w, o, "barriers", json_integer(x->barriers));
    if ((x->has & TRACE_EXPECT_CPUS) && x->cpus)
        put(w, o, "cpus", expect_cpus_array(w, x));
    return o;
}

/* The JSON object of event i; NULL on failure (recorded in w). */
static json_t *event_object(struct writer *w, const struct trace_event *ev, long i,
                            const char *note)
{
    json_t *o = json_object();
    if (!o) {
        oom(w);
        return NULL;
    }
    if ((unsigned)ev->op >= TRACE_OP_COUNT) {
        mpusim_error_at(w->err, MPUSIM_E_RANGE, "<writer>", -1, -1, i, "unknown op %d",
                        (int)ev->op);
        w->ok = 0;
        json_decref(o);
        return NULL;
    }
    put(w, o, "op", json_string(trace_op_name(ev->op)));
    if (ev->bao && ev->op != TRACE_OP_ACCESS) {
        put_bao_event(w, o, ev);
        goto tail;
    }
    switch (ev->op) {
    case TRACE_OP_MAP:
    case TRACE_OP_MODIFY:
        put_hex(w, o, "base", ev->base);
        put_hex(w, o, "limit", ev->limit);
        put_flags(w, o, ev->flags);
        break;
    case TRACE_OP_UNMAP:
        put_hex(w, o, "base", ev->base);
        put_hex(w, o, "limit", ev->limit);
        break;
    case TRACE_OP_UNMAP_CONTAINING:
        put_hex(w, o, "addr", ev->base);
        break;
    case TRACE_OP_IOREMAP:
        put_hex(w, o, "addr", ev->base);
        put_hex(w, o, "size", ev->limit);
        put_flags(w, o, ev->flags);
        break;
    case TRACE_OP_ACCESS:
        put_hex(w, o, "addr", ev->base);
        put(w, o, "size", json_integer((json_int_t)ev->limit));
        put(w, o, "kind", json_string(trace_access_kind_name((enum trace_access_kind)ev->kind)));
        if (ev->el != 2)
            put(w, o, "el", json_integer(ev->el));
        if (ev->bao)
            put(w, o, "cpu", json_integer(ev->cpu));
        break;
    case TRACE_OP_SYSREG:
        if (ev->reg < 0 || ev->reg >= MPU_REG_COUNT) {
            if (w->ok)
                mpusim_error_at(w->err, MPUSIM_E_RANGE, "<writer>", -1, -1, i,
                                "sysreg: unknown register id %d", ev->reg);
            w->ok = 0;
            break;
        }
        put(w, o, "reg", json_string(mpu_reg_name(ev->reg)));
        put_hex(w, o, "value", ev->limit);
        break;
    case TRACE_OP_THREAD_CREATE:
        put_name(w, o, "thread", ev->thread, 't');
        put_hex(w, o, "stack_obj", ev->base);
        put_hex(w, o, "size", ev->limit);
        if (ev->user)
            put(w, o, "user", json_true());
        break;
    case TRACE_OP_DOMAIN_INIT: {
        put_name(w, o, "domain", ev->domain, 'd');
        json_t *parts = json_array();
        if (!parts)
            oom(w);
        for (unsigned k = 0; w->ok && k < ev->nparts; k++) {
            json_t *po = zregion_object(w, &ev->parts[k]);
            if (po && json_array_append_new(parts, po) != 0)
                oom(w);
        }
        put(w, o, "partitions", parts);
        break;
    }
    case TRACE_OP_DOMAIN_ADD_PARTITION:
    case TRACE_OP_DOMAIN_REMOVE_PARTITION:
        put_name(w, o, "domain", ev->domain, 'd');
        put_hex(w, o, "base", ev->base);
        put_hex(w, o, "limit", ev->limit);
        if (ev->op == TRACE_OP_DOMAIN_ADD_PARTITION)
            put(w, o, "attr", zattr_value(w, ev->flags));
        break;
    case TRACE_OP_DOMAIN_ADD_THREAD:
        put_name(w, o, "domain", ev->domain, 'd');
        put_name(w, o, "thread", ev->thread, 't');
        break;
    case TRACE_OP_USER_ENTER:
    case TRACE_OP_SWITCH:
        put_name(w, o, "thread", ev->thread, 't');
        break;
    default: /* the bao ops (ev->bao) */
        put_bao_event(w, o, ev);
        break;
    }
tail:
    if (note)
        put(w, o, "note", json_string(note));
    if (ev->expect.has)
        put(w, o, "expect", expect_object(w, &ev->expect));
    if (!w->ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *header_object(struct writer *w, const struct trace *t, const char *generator)
{
    json_t *h = json_object();
    if (!h) {
        oom(w);
        return NULL;
    }
    put(w, h, "format", json_string(TRACE_FORMAT));
    put(w, h, "version", json_integer(TRACE_VERSION));
    if (generator)
        put(w, h, "x-generator", json_string(generator));
    json_t *mpu = json_object();
    if (mpu)
        put(w, mpu, "regions", json_integer(t->regions));
    put(w, h, "mpu", mpu);
    if (t->has_boot) {
        json_t *boot = json_array();
        if (!boot)
            oom(w);
        for (unsigned i = 0; w->ok && i < t->nboot; i++) {
            const struct trace_boot_region *b = &t->boot[i];
            json_t *o = json_object();
            if (!o) {
                oom(w);
                break;
            }
            put_hex(w, o, "base", b->base);
            put_hex(w, o, "limit", b->limit);
            put_flags(w, o, b->flags);
            if (b->name[0])
                put(w, o, "name", json_string(b->name));
            if (w->ok && json_array_append_new(boot, o) != 0)
                oom(w);
            else if (!w->ok)
                json_decref(o);
        }
        put(w, h, "boot", boot);
    }
    if (t->zephyr)
        put(w, h, "zephyr", zephyr_object(w, t->zephyr));
    if (t->bao)
        put(w, h, "bao", bao_object(w, t->bao));
    if (!w->ok) {
        json_decref(h);
        return NULL;
    }
    return h;
}

/* Write v compactly but readably ({"op": "map", ...}); returns 0 or -1. */
static int dump(struct writer *w, FILE *f, const json_t *v)
{
    char *s = json_dumps(v, JSON_PRESERVE_ORDER);
    if (!s) {
        oom(w);
        return -1;
    }
    int rc = fputs(s, f) < 0 ? -1 : 0;
    free(s);
    return rc;
}

int trace_write(FILE *f, const struct trace *t, const struct trace_write_options *o,
                struct mpusim_error *err)
{
    struct trace_write_options none = { TRACE_FORM_DOCUMENT, NULL, NULL };
    if (!o)
        o = &none;
    struct writer w = { err, 1 };
    json_t *h = header_object(&w, t, o->generator);
    if (!h)
        return -1;
    int io = 0; /* nonzero after a failed write */
    if (o->form == TRACE_FORM_JSONL) {
        io |= dump(&w, f, h);
        io |= fputc('\n', f) == EOF;
    } else {
        /* The header object without its closing brace, then "events" one per line. */
        char *s = json_dumps(h, JSON_PRESERVE_ORDER);
        if (!s) {
            json_decref(h);
            oom(&w);
            return -1;
        }
        size_t n = strlen(s);
        io |= fwrite(s, 1, n - 1, f) != n - 1; /* drop the final '}' */
        free(s);
        io |= fputs(", \"events\": [", f) < 0;
    }
    json_decref(h);
    for (size_t i = 0; i < t->nevents && w.ok && !io; i++) {
        const char *note = o->notes ? o->notes[i] : NULL;
        json_t *ev = event_object(&w, &t->events[i], (long)i, note);
        if (!ev)
            return -1;
        if (o->form == TRACE_FORM_JSONL) {
            io |= dump(&w, f, ev);
            io |= fputc('\n', f) == EOF;
        } else {
            io |= fputs(i ? ",\n  " : "\n  ", f) < 0;
            io |= dump(&w, f, ev);
        }
        json_decref(ev);
    }
    if (!w.ok)
        return -1;
    if (o->form == TRACE_FORM_DOCUMENT)
        io |= fputs(t->nevents ? "\n]}\n" : "]}\n", f) < 0;
    if (io || ferror(f))
        return mpusim_error_set(err, MPUSIM_E_IO, "trace writer: write failed");
    return 0;
}

/* ---- streaming: one header line, then one event line at a time (JSON Lines) ---- */

int trace_write_header_line(FILE *f, const struct trace *t, const char *generator,
                            struct mpusim_error *err)
{
    struct writer w = { err, 1 };
    json_t *h = header_object(&w, t, generator);
    if (!h)
        return -1;
    int io = dump(&w, f, h);
    io |= fputc('\n', f) == EOF;
    json_decref(h);
    if (!w.ok)
        return -1;
    if (io || ferror(f))
        return mpusim_error_set(err, MPUSIM_E_IO, "trace writer: write failed");
    return 0;
}

/* A JSON string of s (ASCII control characters, quote and backslash escaped). */
static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* A zephyr or bao event: the document writer's object (every field and expectation it
 * writes), with extra before the closing brace. */
static int write_object_line(FILE *f, const struct trace_event *ev, const char *note,
                             const char *extra, struct mpusim_error *err)
{
    struct writer w = { err, 1 };
    json_t *o = event_object(&w, ev, -1, note);
    if (!o)
        return -1;
    char *s = json_dumps(o, JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return mpusim_error_set(err, MPUSIM_E_IO, "trace writer: out of memory");
    size_t n = strlen(s); /* "{...}": the members without the closing brace */
    int io = fwrite(s, 1, n - 1, f) != n - 1;
    free(s);
    if (extra && extra[0])
        io |= fprintf(f, ", %s", extra) < 0;
    if (io || fputs("}\n", f) == EOF || ferror(f))
        return mpusim_error_set(err, MPUSIM_E_IO, "trace writer: write failed");
    return 0;
}

int trace_write_event_line(FILE *f, const struct trace_event *ev, const char *note,
                           const char *extra, struct mpusim_error *err)
{
    if (trace_event_system(ev) != 0)
        return write_object_line(f, ev, note, extra, err);
    unsigned long long b = ev->base, l = ev->limit;
    const char *fl = NULL;
    char flnum[16];
    if (ev->op == TRACE_OP_MAP || ev->op == TRACE_OP_MODIFY || ev->op == TRACE_OP_IOREMAP) {
        fl = trace_flags_name(ev->flags);
        if (fl) {
            snprintf(flnum, sizeof flnum, "\"%s\"", fl);
        } else {
            snprintf(flnum, sizeof flnum, "%u", ev->flags);
        }
    }
    switch (ev->op) {
    case TRACE_OP_MAP:
    case TRACE_OP_MODIFY:
        fprintf(f, "{\"op\": \"%s\", \"base\": \"0x%llx\", \"limit\": \"0x%llx\", \"flags\": %s",
                trace_op_name(ev->op), b, l, flnum);
        break;
    case TRACE_OP_UNMAP:
        fprintf(f, "{\"op\": \"unmap\", \"base\": \"0x%llx\", \"limit\": \"0x%llx\"", b, l);
        break;
    case TRACE_OP_UNMAP_CONTAINING:
        fprintf(f, "{\"op\": \"unmap_containing\", \"addr\": \"0x%llx\"", b);
        break;
    case TRACE_OP_IOREMAP:
        fprintf(f, "{\"op\": \"ioremap\", \"addr\": \"0x%llx\", \"size\": \"0x%llx\", \"flags\": %s",
                b, l, flnum);
        break;
    case TRACE_OP_ACCESS:
        fprintf(f, "{\"op\": \"access\", \"addr\": \"0x%llx\", \"size\": %llu, \"kind\": \"%s\"", b,
                l, trace_access_kind_name((enum trace_access_kind)ev->kind));
        if (ev->el != 2)
            fprintf(f, ", \"el\": %u", ev->el);
        break;
    case TRACE_OP_SYSREG:
        if (ev->reg < 0 || ev->reg >= MPU_REG_COUNT)
            return mpusim_error_set(err, MPUSIM_E_RANGE, "sysreg: unknown register id %d",
                                    ev->reg);
        fprintf(f, "{\"op\": \"sysreg\", \"reg\": \"%s\", \"value\": \"0x%llx\"",
                mpu_reg_name(ev->reg), l);
        break;
    default:
        return mpusim_error_set(err, MPUSIM_E_RANGE, "unknown op %d", (int)ev->op);
    }
    if (note) {
        fputs(", \"note\": ", f);
        put_json_string(f, note);
    }
    const struct trace_expect *x = &ev->expect;
    if (x->has) {
        const char *sep = "";
        fputs(", \"expect\": {", f);
        if (x->has & TRACE_EXPECT_RC) {
            fprintf(f, "\"rc\": %d", x->rc);
            sep = ", ";
        }
        if (x->has & TRACE_EXPECT_USED) {
            fprintf(f, "%s\"used\": %d", sep, x->used);
            sep = ", ";
        }
        if (x->has & TRACE_EXPECT_REGION) {
            if (x->region < 0)
                fprintf(f, "%s\"region\": null", sep);
            else
                fprintf(f, "%s\"region\": %d", sep, x->region);
            sep = ", ";
        }
        if (x->has & TRACE_EXPECT_FAULT) {
            if (x->fault == MPU_FAULT_NONE)
                fprintf(f, "%s\"fault\": null", sep);
            else
                fprintf(f, "%s\"fault\": \"%s\"", sep, mpu_fault_name((enum mpu_fault)x->fault));
        }
        fputc('}', f);
    }
    if (extra && extra[0])
        fprintf(f, ", %s", extra);
    if (fputs("}\n", f) == EOF || ferror(f))
        return mpusim_error_set(err, MPUSIM_E_IO, "trace writer: write failed");
    return 0;
}
