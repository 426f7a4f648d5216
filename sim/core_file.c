/*
 * Core files (docs/timing.md): the costs of the timing model, one JSON document per core, read
 * beside the timing model that runs it (sim_core_read_file(), sim/sim.h); the result is the
 * plain struct sim_core. cores/cortex-r82.json is the default (its numbers are also built in:
 * sim_core_default()).
 *
 *   {"format": "mpusim-core", "format_version": 1, "name": "...", "version": "...",
 *    "pipeline": {"issue_width": NUM, "in_order_writeback": NUM},
 *    "units": {"alu": NUM, "mac": NUM, "div": NUM, "load": NUM, "store": NUM, "branch": NUM,
 *              "sys": NUM},
 *    "branch": {"predictor": {"kind": "bimodal"|"btfn", "entries": N, "source", "status"},
 *               "ras_depth": NUM, "btb_entries": NUM, "taken_bubble": NUM, "mispredict": NUM,
 *               "ret_mispredict": NUM},
 *    "memory": {"store_drain": NUM},
 *    "classes": {"<class>": {"unit": "<unit>", "lat": NUM, "occupancy": NUM, "lat_alu": NUM,
 *                "lat_shift": NUM, "lat_mac": NUM, "lat_acc": NUM, "lat_addr": NUM,
 *                "lat_second": NUM, "cost": NUM, "serialize": BOOL, "drain_stores": BOOL,
 *                "retire_ooo": BOOL}, ... one for every class of sim_tclass_name()}}
 *   NUM = {"value": N, "source": "...", "status": S}
 *       | {"nominal": N, "min": N, "max": N, "source": "...", "status": S}
 *   S: "published", "published-proxy", "llvm", "gem5", "guess", "measured", "assumption", or
 *   one of these followed by a remark ("llvm (range guess)"). A status starting with "guess"
 *   needs min and max. In a class, lat is required; occupancy defaults to 1, cost to 0,
 *   lat_second and each lat_<reader> to lat; booleans to false.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"

struct cctx {
    const char *path;
    struct mpusim_error *err;
};

static int fail(const struct cctx *c, enum mpusim_errc code, const char *field, const char *what)
{
    return mpusim_error_at(c->err, code, c->path, -1, -1, -1, "%s: %s", field, what);
}

static const char *const statuses[] = { "published-proxy", "published", "llvm", "gem5", "guess",
                                        "measured", "assumption" };

static int check_status(const struct cctx *c, json_t *o, const char *field, int *guess)
{
    json_t *src = json_object_get(o, "source"), *st = json_object_get(o, "status");
    if (!json_is_string(src) || !json_string_length(src))
        return fail(c, MPUSIM_E_RANGE, field, "every number needs a \"source\" string");
    if (!json_is_string(st))
        return fail(c, MPUSIM_E_RANGE, field, "every number needs a \"status\" string");
    const char *s = json_string_value(st);
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (!strncmp(s, statuses[i], strlen(statuses[i]))) {
            *guess = !strncmp(s, "guess", 5);
            return 0;
        }
    return fail(c, MPUSIM_E_RANGE, field,
                "status: published, published-proxy, llvm, gem5, guess, measured or assumption");
}

static int get_u32(const struct cctx *c, json_t *o, const char *key, const char *field,
                   uint32_t *out)
{
    json_t *v = json_object_get(o, key);
    char f[160];
    snprintf(f, sizeof f, "%s.%s", field, key);
    if (!json_is_integer(v))
        return fail(c, MPUSIM_E_PARSE, f, "an integer is needed");
    json_int_t i = json_integer_value(v);
    if (i < 0 || i > 100000)
        return fail(c, MPUSIM_E_RANGE, f, "0..100000");
    *out = (uint32_t)i;
    return 0;
}

/* NUM at o[key] into *n; absent and optional: *n unchanged, returns 1. */
static int read_num(const struct cctx *c, json_t *parent, const char *key, const char *where,
                    int required, struct sim_tnum *n)
{
    char field[160];
    snprintf(field, sizeof field, "%s%s%s", where, where[0] ? "." : "", key);
    json_t *o = json_object_get(parent, key);
    if (!o)
        return required ? fail(c, MPUSIM_E_RANGE, field, "missing") : 1;
    if (!json_is_object(o))
        return fail(c, MPUSIM_E_PARSE, field, "an object {value|nominal, source, status} is needed");
    int guess = 0;
    if (check_status(c, o, field, &guess) != 0)
        return -1;
    if (json_object_get(o, "value")) {
        uint32_t v;
        if (get_u32(c, o, "value", field, &v) != 0)
            return -1;
        if (guess)
            return fail(c, MPUSIM_E_RANGE, field, "a guess needs nominal, min and max");
        n->v[SIM_TS_NOMINAL] = n->v[SIM_TS_MIN] = n->v[SIM_TS_MAX] = v;
        return 0;
    }
    if (get_u32(c, o, "nominal", field, &n->v[SIM_TS_NOMINAL]) != 0 ||
        get_u32(c, o, "min", field, &n->v[SIM_TS_MIN]) != 0 ||
        get_u32(c, o, "max", field, &n->v[SIM_TS_MAX]) != 0)
        return -1;
    if (n->v[SIM_TS_MIN] > n->v[SIM_TS_NOMINAL] || n->v[SIM_TS_NOMINAL] > n->v[SIM_TS_MAX])
        return fail(c, MPUSIM_E_RANGE, field, "min <= nominal <= max is needed");
    return 0;
}

static int read_plain(const struct cctx *c, json_t *parent, const char *key, const char *where,
                      unsigned *out)
{
    struct sim_tnum n;
    int rc = read_num(c, parent, key, where, 1, &n);
    if (rc != 0)
        return -1;
    if (n.v[SIM_TS_MIN] != n.v[SIM_TS_MAX]) {
        char field[160];
        snprintf(field, sizeof field, "%s.%s", where, key);
        return fail(c, MPUSIM_E_RANGE, field, "a structural number takes a single value");
    }
    *out = n.v[SIM_TS_NOMINAL];
    return 0;
}

static int read_bool(const struct cctx *c, json_t *o, const char *key, const char *where,
                     int *out)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        *out = 0;
        return 0;
    }
    if (!json_is_boolean(v)) {
        char field[160];
        snprintf(field, sizeof field, "%s.%s", where, key);
        return fail(c, MPUSIM_E_PARSE, field, "true or false");
    }
    *out = json_is_true(v);
    return 0;
}

static json_t *section(const struct cctx *c, json_t *doc, const char *key)
{
    json_t *o = json_object_get(doc, key);
    if (!json_is_object(o)) {
        fail(c, MPUSIM_E_RANGE, key, "missing object");
        return NULL;
    }
    return o;
}

static const char *const lat_keys[SIM_TR_OTHER] = { "lat_alu", "lat_shift", "lat_mac", "lat_acc",
                                                    "lat_addr" };

static int read_class(const struct cctx *c, json_t *o, const char *name,
                      struct sim_tclass_cost *k)
{
    char where[96];
    snprintf(where, sizeof where, "classes.%s", name);
    if (!json_is_object(o))
        return fail(c, MPUSIM_E_PARSE, where, "an object is needed");
    json_t *u = json_object_get(o, "unit");
    int unit = -1;
    for (int i = 0; json_is_string(u) && i < SIM_TU_COUNT; i++)
        if (!strcmp(json_string_value(u), sim_tunit_name((enum sim_tunit)i)))
            unit = i;
    if (unit < 0)
        return fail(c, MPUSIM_E_RANGE, where, "unit: alu, mac, div, load, store, branch or sys");
    k->unit = (enum sim_tunit)unit;
    if (read_num(c, o, "lat", where, 1, &k->lat) != 0)
        return -1;
    k->occupancy = (struct sim_tnum){ { 1, 1, 1 } };
    k->lat_second = k->lat;
    for (int r = 0; r < SIM_TR_OTHER; r++)
        k->lat_to[r] = k->lat;
    if (read_num(c, o, "occupancy", where, 0, &k->occupancy) < 0 ||
        read_num(c, o, "lat_second", where, 0, &k->lat_second) < 0 ||
        read_num(c, o, "cost", where, 0, &k->cost) < 0)
        return -1;
    for (int r = 0; r < SIM_TR_OTHER; r++)
        if (read_num(c, o, lat_keys[r], where, 0, &k->lat_to[r]) < 0)
            return -1;
    if (read_bool(c, o, "serialize", where, &k->serialize) != 0 ||
        read_bool(c, o, "drain_stores", where, &k->drain_stores) != 0 ||
        read_bool(c, o, "retire_ooo", where, &k->retire_ooo) != 0)
        return -1;
    return 0;
}

static int read_doc(const struct cctx *c, json_t *doc, struct sim_core *core)
{
    if (!json_is_object(doc))
        return fail(c, MPUSIM_E_PARSE, "document", "an object is needed");
    json_t *f = json_object_get(doc, "format"), *fv = json_object_get(doc, "format_version");
    if (!json_is_string(f) || strcmp(json_string_value(f), "mpusim-core"))
        return fail(c, MPUSIM_E_RANGE, "format", "\"mpusim-core\" is needed");
    if (!json_is_integer(fv) || json_integer_value(fv) != 1)
        return fail(c, MPUSIM_E_RANGE, "format_version", "1 is needed");
    json_t *name = json_object_get(doc, "name"), *ver = json_object_get(doc, "version");
    if (!json_is_string(name) || !json_is_string(ver))
        return fail(c, MPUSIM_E_RANGE, "name", "name and version strings are needed");
    snprintf(core->name, sizeof core->name, "%s", json_string_value(name));
    snprintf(core->version, sizeof core->version, "%s", json_string_value(ver));
    json_t *pipe = section(c, doc, "pipeline"), *units = section(c, doc, "units"),
           *br = section(c, doc, "branch"), *mem = section(c, doc, "memory"),
           *cls = section(c, doc, "classes");
    if (!pipe || !units || !br || !mem || !cls)
        return -1;
    unsigned iow;
    if (read_plain(c, pipe, "issue_width", "pipeline", &core->issue_width) != 0 ||
        read_plain(c, pipe, "in_order_writeback", "pipeline", &iow) != 0)
        return -1;
    core->in_order_writeback = iow != 0;
    for (int u = 0; u < SIM_TU_COUNT; u++)
        if (read_plain(c, units, sim_tunit_name((enum sim_tunit)u), "units", &core->units[u]) != 0)
            return -1;
    json_t *p = json_object_get(br, "predictor");
    int guess;
    if (!json_is_object(p))
        return fail(c, MPUSIM_E_RANGE, "branch.predictor", "missing object");
    if (check_status(c, p, "branch.predictor", &guess) != 0)
        return -1;
    json_t *kind = json_object_get(p, "kind");
    if (json_is_string(kind) && !strcmp(json_string_value(kind), "bimodal"))
        core->predictor = SIM_PRED_BIMODAL;
    else if (json_is_string(kind) && !strcmp(json_string_value(kind), "btfn"))
        core->predictor = SIM_PRED_BTFN;
    else
        return fail(c, MPUSIM_E_RANGE, "branch.predictor.kind", "bimodal or btfn");
    uint32_t entries;
    if (get_u32(c, p, "entries", "branch.predictor", &entries) != 0)
        return -1;
    core->pred_entries = entries;
    if (read_plain(c, br, "ras_depth", "branch", &core->ras_depth) != 0 ||
        read_plain(c, br, "btb_entries", "branch", &core->btb_entries) != 0 ||
        read_num(c, br, "taken_bubble", "branch", 1, &core->taken_bubble) != 0 ||
        read_num(c, br, "mispredict", "branch", 1, &core->mispredict) != 0 ||
        read_num(c, br, "ret_mispredict", "branch", 1, &core->ret_mispredict) != 0 ||
        read_num(c, mem, "store_drain", "memory", 1, &core->store_drain) != 0)
        return -1;
    const char *key;
    json_t *val;
    json_object_foreach(cls, key, val) {
        int known = 0;
        for (int i = 0; i < SIM_TC_COUNT; i++)
            known |= !strcmp(key, sim_tclass_name((enum sim_tclass)i));
        if (!known) {
            char field[96];
            snprintf(field, sizeof field, "classes.%s", key);
            return fail(c, MPUSIM_E_RANGE, field, "unknown class");
        }
    }
    for (int i = 0; i < SIM_TC_COUNT; i++) {
        const char *n = sim_tclass_name((enum sim_tclass)i);
        json_t *o = json_object_get(cls, n);
        if (!o) {
            char field[96];
            snprintf(field, sizeof field, "classes.%s", n);
            return fail(c, MPUSIM_E_RANGE, field, "missing (every class needs an entry)");
        }
        if (read_class(c, o, n, &core->cls[i]) != 0)
            return -1;
    }
    struct mpusim_error e2;
    mpusim_error_clear(&e2);
    if (sim_core_check(core, &e2) != 0)
        return mpusim_error_at(c->err, e2.code, c->path, -1, -1, -1, "%s", e2.text);
    return 0;
}

int sim_core_read_file(const char *path, struct sim_core *out, struct mpusim_error *err)
{
    struct cctx c = { path, err };
    json_error_t je;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "cannot open the core file");
    json_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (!doc)
        return mpusim_error_at(err, MPUSIM_E_PARSE, path, je.line, je.column, -1, "%s", je.text);
    struct sim_core *core = calloc(1, sizeof *core);
    if (!core) {
        json_decref(doc);
        return mpusim_error_at(err, MPUSIM_E_IO, path, -1, -1, -1, "out of memory");
    }
    int rc = read_doc(&c, doc, core);
    if (rc == 0)
        *out = *core;
    free(core);
    json_decref(doc);
    return rc;
}
