/* Platform files (sim/platform.h, docs/platforms.md): JSON read with jansson, every field
 * checked, windows checked against each other and devices against the windows. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sim/platform.h"
#include "common/number.h"

#define PAGE 0x1000ull
#define GICD_SIZE 0x10000ull   /* GICv3 distributor frame */
#define GICR_FRAME 0x20000ull  /* RD_base + SGI_base, 64 KiB each */

struct pctx {
    const char *path;
    struct mpusim_error *err;
};

static int fail(const struct pctx *c, enum mpusim_errc code, const char *field, const char *fmt,
                const char *arg)
{
    char what[200];
    snprintf(what, sizeof what, fmt, arg);
    return mpusim_error_at(c->err, code, c->path, -1, -1, -1, "%s: %s", field, what);
}

/* A number: non-negative JSON integer or "0x..."/decimal string. 1 if absent. */
static int get_u64(const struct pctx *c, json_t *o, const char *key, const char *where,
                   int required, uint64_t *out)
{
    char field[96];
    snprintf(field, sizeof field, "%s%s%s", where, where[0] ? "." : "", key);
    json_t *v = json_object_get(o, key);
    if (!v)
        return required ? fail(c, MPUSIM_E_RANGE, field, "%smissing", "") : 1;
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0)
            return fail(c, MPUSIM_E_RANGE, field, "%smust not be negative", "");
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        enum number_status st = number_parse_u64(s, 0, UINT64_MAX, out);
        if (st == NUMBER_OK)
            return 0;
        char why[160];
        snprintf(why, sizeof why, "\"%.40s\": %s", s, number_status_text(st));
        return fail(c, st == NUMBER_RANGE ? MPUSIM_E_RANGE : MPUSIM_E_PARSE, field, "%s", why);
    }
    return fail(c, MPUSIM_E_PARSE, field, "%sexpected a number or a hex string", "");
}

static int only_keys(const struct pctx *c, json_t *o, const char *where, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        (void)v;
        if (!strncmp(k, "x-", 2))
            continue;
        int ok = 0;
        for (const char *const *p = keys; *p; p++)
            ok |= !strcmp(*p, k);
        if (!ok) {
            char field[96];
            snprintf(field, sizeof field, "%s%s%s", where, where[0] ? "." : "", k);
            return fail(c, MPUSIM_E_RANGE, field, "%sunknown key", "");
        }
    }
    return 0;
}

static int aligned_range(const struct pctx *c, const char *field, uint64_t base, uint64_t size)
{
    if (size == 0 || (base | size) & (PAGE - 1) || base + size < base)
        return fail(c, MPUSIM_E_RANGE, field,
                    "%sbase and size must be non-zero multiples of 4 KiB", "");
    return 0;
}

static int read_windows(const struct pctx *c, json_t *arr, struct sim_platform *p)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(c, MPUSIM_E_PARSE, "windows", "%sexpected a non-empty array", "");
    if (json_array_size(arr) > SIM_PLAT_MAX_WINDOWS)
        return fail(c, MPUSIM_E_RANGE, "windows", "%sat most 8 windows", "");
    static const char *const keys[] = { "name", "kind", "base", "size", NULL };
    size_t i;
    json_t *w;
    json_array_foreach(arr, i, w) {
        char where[32];
        snprintf(where, sizeof where, "windows[%zu]", i);
        struct sim_plat_window *x = &p->window[i];
        if (!json_is_object(w))
            return fail(c, MPUSIM_E_PARSE, where, "%sexpected an object", "");
        if (only_keys(c, w, where, keys) != 0)
            return -1;
        json_t *name = json_object_get(w, "name"), *kind = json_object_get(w, "kind");
        snprintf(x->name, sizeof x->name, "%s", json_is_string(name) ? json_string_value(name)
                                                                     : where);
        if (!json_is_string(kind) || (strcmp(json_string_value(kind), "ram") &&
                                      strcmp(json_string_value(kind), "device")))
            return fail(c, MPUSIM_E_RANGE, where, "%skind: \"ram\" or \"device\"", "");
        x->kind = strcmp(json_string_value(kind), "ram") ? SIM_PLAT_DEVICE : SIM_PLAT_RAM;
        if (get_u64(c, w, "base", where, 1, &x->base) != 0 ||
            get_u64(c, w, "size", where, 1, &x->size) != 0 ||
            aligned_range(c, where, x->base, x->size) != 0)
            return -1;
        for (size_t j = 0; j < i; j++) {
            const struct sim_plat_window *y = &p->window[j];
            if (x->base < y->base + y->size && y->base < x->base + x->size) {
                char msg[160];
                snprintf(msg, sizeof msg, "[0x%llx, 0x%llx) overlaps windows[%zu] \"%s\"",
                         (unsigned long long)x->base, (unsigned long long)(x->base + x->size), j,
                         y->name);
                return fail(c, MPUSIM_E_RANGE, where, "%s", msg);
            }
        }
    }
    p->nwindows = (unsigned)json_array_size(arr);
    return 0;
}

/* The window of kind k holding [base, base + size), or NULL. */
static const struct sim_plat_window *inside(const struct sim_platform *p,
                                            enum sim_plat_window_kind k, uint64_t base,
                                            uint64_t size)
{
    for (unsigned i = 0; i < p->nwindows; i++) {
        const struct sim_plat_window *w = &p->window[i];
        if (w->kind == k && base >= w->base && size <= w->size && base - w->base <= w->size - size)
            return w;
    }
    return NULL;
}

static int device_in_window(const struct pctx *c, const struct sim_platform *p,
                            const char *field, uint64_t base, uint64_t size)
{
    if (inside(p, SIM_PLAT_DEVICE, base, size))
        return 0;
    char msg[160];
    snprintf(msg, sizeof msg, "[0x%llx, 0x%llx) is not inside a device window",
             (unsigned long long)base, (unsigned long long)(base + size));
    return fail(c, MPUSIM_E_RANGE, field, "%s", msg);
}

static int read_devices(const struct pctx *c, json_t *d, struct sim_platform *p)
{
    static const char *const keys[] = { "pl011", "gicv3", "timer", "psci", NULL };
    if (!json_is_object(d))
        return fail(c, MPUSIM_E_PARSE, "devices", "%sexpected an object", "");
    if (only_keys(c, d, "devices", keys) != 0)
        return -1;
    json_t *o;
    if ((o = json_object_get(d, "pl011"))) {
        static const char *const k[] = { "base", "size", NULL };
        if (!json_is_object(o) || only_keys(c, o, "devices.pl011", k) != 0)
            return json_is_object(o) ? -1
                                     : fail(c, MPUSIM_E_PARSE, "devices.pl011", "%sexpected an object", "");
        p->uart_size = PAGE;
        if (get_u64(c, o, "base", "devices.pl011", 1, &p->uart_base) != 0 ||
            get_u64(c, o, "size", "devices.pl011", 0, &p->uart_size) < 0 ||
            aligned_range(c, "devices.pl011", p->uart_base, p->uart_size) != 0 ||
            device_in_window(c, p, "devices.pl011", p->uart_base, p->uart_size) != 0)
            return -1;
        p->has_uart = 1;
    }
    if ((o = json_object_get(d, "gicv3"))) {
        static const char *const k[] = { "distributor", "redistributors", "redistributor_stride",
                                         "spis", NULL };
        if (!json_is_object(o))
            return fail(c, MPUSIM_E_PARSE, "devices.gicv3", "%sexpected an object", "");
        if (only_keys(c, o, "devices.gicv3", k) != 0)
            return -1;
        uint64_t spis = 64;
        p->gicr_stride = GICR_FRAME;
        if (get_u64(c, o, "distributor", "devices.gicv3", 1, &p->gicd_base) != 0 ||
            get_u64(c, o, "redistributors", "devices.gicv3", 1, &p->gicr_base) != 0 ||
            get_u64(c, o, "redistributor_stride", "devices.gicv3", 0, &p->gicr_stride) < 0 ||
            get_u64(c, o, "spis", "devices.gicv3", 0, &spis) < 0)
            return -1;
        if (p->gicr_stride != GICR_FRAME)
            return fail(c, MPUSIM_E_RANGE, "devices.gicv3.redistributor_stride",
                        "%sonly 0x20000 (GICv3 without VLPIs)", "");
        if (spis < 32 || spis > 988 || spis % 32)
            return fail(c, MPUSIM_E_RANGE, "devices.gicv3.spis", "%sa multiple of 32, 32..988",
                        "");
        p->gic_spis = (unsigned)spis;
        if (aligned_range(c, "devices.gicv3.distributor", p->gicd_base, GICD_SIZE) != 0 ||
            (p->gicd_base & (GICD_SIZE - 1)))
            return fail(c, MPUSIM_E_RANGE, "devices.gicv3.distributor", "%s64 KiB aligned", "");
        if (p->gicr_base & (GICD_SIZE - 1))
            return fail(c, MPUSIM_E_RANGE, "devices.gicv3.redistributors", "%s64 KiB aligned",
                        "");
        if (device_in_window(c, p, "devices.gicv3.distributor", p->gicd_base, GICD_SIZE) != 0 ||
            device_in_window(c, p, "devices.gicv3.redistributors", p->gicr_base,
                             p->gicr_stride * p->cpus) != 0)
            return -1;
        p->has_gic = 1;
    }
    if ((o = json_object_get(d, "timer"))) {
        static const char *const k[] = { "frequency", NULL };
        if (!json_is_object(o))
            return fail(c, MPUSIM_E_PARSE, "devices.timer", "%sexpected an object", "");
        if (only_keys(c, o, "devices.timer", k) != 0 ||
            get_u64(c, o, "frequency", "devices.timer", 1, &p->timer_hz) != 0)
            return -1;
        if (p->timer_hz == 0 || p->timer_hz > 0xFFFFFFFFull)
            return fail(c, MPUSIM_E_RANGE, "devices.timer.frequency", "%s1..4294967295 Hz "
                        "(CNTFRQ_EL0 holds 32 bits)", "");
    }
    if ((o = json_object_get(d, "psci"))) {
        static const char *const k[] = { "version", "conduit", NULL };
        if (!json_is_object(o))
            return fail(c, MPUSIM_E_PARSE, "devices.psci", "%sexpected an object", "");
        if (only_keys(c, o, "devices.psci", k) != 0)
            return -1;
        json_t *v = json_object_get(o, "version"), *cd = json_object_get(o, "conduit");
        unsigned maj, min;
        char tail;
        if (!json_is_string(v) ||
            sscanf(json_string_value(v), "%u.%u%c", &maj, &min, &tail) != 2 || maj == 0 ||
            maj > 0x7FFF || min > 0xFFFF)
            return fail(c, MPUSIM_E_RANGE, "devices.psci.version", "%s\"MAJOR.MINOR\", e.g. \"1.0\"", "");
        if (cd && (!json_is_string(cd) || strcmp(json_string_value(cd), "smc")))
            return fail(c, MPUSIM_E_RANGE, "devices.psci.conduit", "%sonly \"smc\"", "");
        p->psci_major = maj;
        p->psci_minor = min;
    }
    return 0;
}

static int read_doc(const struct pctx *c, json_t *doc, struct sim_platform *p)
{
    static const char *const top[] = { "format", "version", "name", "mpu", "cpus", "cpu_frequency",
                                       "windows", "dtb", "devices", NULL };
    if (!json_is_object(doc))
        return fail(c, MPUSIM_E_PARSE, "platform", "%sexpected a JSON object", "");
    json_t *f = json_object_get(doc, "format"), *v = json_object_get(doc, "version");
    if (!json_is_string(f) || strcmp(json_string_value(f), "mpusim-platform"))
        return fail(c, MPUSIM_E_RANGE, "format", "%snot \"mpusim-platform\"", "");
    if (!json_is_integer(v) || json_integer_value(v) != 1)
        return fail(c, MPUSIM_E_RANGE, "version", "%sonly version 1 is understood", "");
    if (only_keys(c, doc, "", top) != 0)
        return -1;
    json_t *name = json_object_get(doc, "name");
    if (!json_is_string(name) || !json_string_length(name))
        return fail(c, MPUSIM_E_RANGE, "name", "%sa non-empty string is needed", "");
    snprintf(p->name, sizeof p->name, "%s", json_string_value(name));
    json_t *mpu = json_object_get(doc, "mpu");
    static const char *const mk[] = { "regions", NULL };
    uint64_t regions = 0, cpus = 1, hz = 1000000000ull;
    if (!json_is_object(mpu))
        return fail(c, MPUSIM_E_PARSE, "mpu", "%san object {\"regions\": N} is needed", "");
    if (only_keys(c, mpu, "mpu", mk) != 0 || get_u64(c, mpu, "regions", "mpu", 1, &regions) != 0)
        return -1;
    if (regions < 1 || regions > 255)
        return fail(c, MPUSIM_E_RANGE, "mpu.regions", "%s1..255", "");
    if (get_u64(c, doc, "cpus", "", 0, &cpus) < 0 ||
        get_u64(c, doc, "cpu_frequency", "", 0, &hz) < 0)
        return -1;
    if (cpus < 1 || cpus > SIM_PLAT_MAX_CPUS)
        return fail(c, MPUSIM_E_RANGE, "cpus", "%s1..16", "");
    if (hz < 1000000ull || hz > 10000000000ull)
        return fail(c, MPUSIM_E_RANGE, "cpu_frequency", "%s1 MHz..10 GHz", "");
    p->regions = (unsigned)regions;
    p->cpus = (unsigned)cpus;
    p->cpu_hz = hz;
    if (read_windows(c, json_object_get(doc, "windows"), p) != 0)
        return -1;
    json_t *dtb = json_object_get(doc, "dtb");
    if (dtb) {
        static const char *const dk[] = { "base", "size", NULL };
        if (!json_is_object(dtb))
            return fail(c, MPUSIM_E_PARSE, "dtb", "%sexpected an object", "");
        if (only_keys(c, dtb, "dtb", dk) != 0 || get_u64(c, dtb, "base", "dtb", 1, &p->dtb_base) != 0 ||
            get_u64(c, dtb, "size", "dtb", 1, &p->dtb_size) != 0 ||
            aligned_range(c, "dtb", p->dtb_base, p->dtb_size) != 0)
            return -1;
        if (!inside(p, SIM_PLAT_RAM, p->dtb_base, p->dtb_size))
            return fail(c, MPUSIM_E_RANGE, "dtb", "%sthe DTB window is not inside a RAM window", "");
    }
    json_t *d = json_object_get(doc, "devices");
    if (d && read_devices(c, d, p) != 0)
        return -1;
    return 0;
}

int sim_platform_read_file(const char *path, struct sim_platform *out, struct mpusim_error *err)
{
    struct pctx c = { path, err };
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        FILE *f = fopen(path, "r");
        if (!f)
            return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "cannot open: %s",
                                   "no such file or not readable");
        fclose(f);
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, je.line, je.column, -1, "%s", je.text);
    }
    struct sim_platform p;
    memset(&p, 0, sizeof p);
    snprintf(p.source, sizeof p.source, "%s", path);
    int rc = read_doc(&c, doc, &p);
    json_decref(doc);
    if (rc == 0)
        *out = p;
    return rc;
}
