/* replay/engine_guest.c: results read from guest memory (adapter READ results, docs/guest.md)
 * instead of getter calls: one guest call per event, the same results as the getters, and
 * precise errors for reads that do not fit the image. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim.h"
#include "tests/replay/helpers.h"

#define MM_ADAPTER "build/guest/mm.adapter.json"
#define MM_ELF "build/guest/mm.elf"
#define TRACE "traces/xen-error-paths/trace.json"

static char tmpdir[64];

static void tmp_init(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mpusim-guest-results-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void tmp_fini(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(guest_results, .init = tmp_init, .fini = tmp_fini);

/* The bundled mm adapter with "results" replaced by the JSON results (and elf by elf, if not
 * NULL), written to tmpdir/name; returns the path (static buffer per name slot). */
static const char *adapter_with(const char *name, const char *results, const char *elf)
{
    static char paths[4][256];
    static unsigned next;
    json_error_t je;
    json_t *doc = json_load_file(MM_ADAPTER, 0, &je);
    cr_assert_not_null(doc, "%s: %s", MM_ADAPTER, je.text);
    json_t *res = json_loads(results, 0, &je);
    cr_assert_not_null(res, "%s: %s", results, je.text);
    json_object_set_new(doc, "results", res);
    char abs[512];
    if (!elf) {
        cr_assert_not_null(getcwd(abs, 256));
        strcat(abs, "/" MM_ELF);
        elf = abs;
    }
    json_object_set_new(doc, "elf", json_string(elf));
    char *path = paths[next++ % 4];
    snprintf(path, 256, "%s/%s", tmpdir, name);
    cr_assert_eq(json_dump_file(doc, path, JSON_INDENT(1)), 0);
    json_decref(doc);
    return path;
}

struct run {
    size_t n;
    struct replay_event_result res[256];
    uint64_t calls[256]; /* guest calls the event made */
};

static void replay_with(const char *adapter, struct run *out)
{
    struct trace t = replay_test_load(TRACE);
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .keep_findings = 100, .engine = REPLAY_ENGINE_GUEST,
                                .adapter = adapter };
    struct replay *r = replay_test_start(&t, &o);
    cr_assert_leq(t.nevents, 256u);
    out->n = t.nevents;
    for (size_t i = 0; i < t.nevents; i++) {
        uint64_t before = replay_guest_stats(r->guest)->calls;
        replay_step(r, i, &out->res[i]);
        cr_assert_eq(r->failed, 0, "%s: event %zu: %s", adapter, i, r->engine_err.text);
        out->calls[i] = replay_guest_stats(r->guest)->calls - before;
    }
    replay_free(r);
    trace_fini(&t);
}

static void expect_same_results(const struct run *a, const struct run *b, const char *what)
{
    cr_assert_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const struct replay_event_result *x = &a->res[i], *y = &b->res[i];
        cr_expect_eq(x->rc, y->rc, "%s: event %zu rc", what, i);
        cr_expect_eq(x->region, y->region, "%s: event %zu region", what, i);
        cr_expect_eq(x->used, y->used, "%s: event %zu used", what, i);
        cr_expect_eq(x->insns, y->insns, "%s: event %zu insns", what, i);
        cr_expect_eq(memcmp(x->cycles, y->cycles, sizeof x->cycles), 0, "%s: event %zu cycles",
                     what, i);
    }
}

/* mm.elf loaded in a sim without timing (the caller frees it). */
static struct sim *mm_sim(void)
{
    struct sim_options so;
    sim_options_default(&so);
    so.timing = 0;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct sim *s = sim_new(&so, &err);
    cr_assert_not_null(s, "%s", err.text);
    cr_assert_eq(sim_load_elf(s, MM_ELF, &err), 0, "%s", err.text);
    return s;
}

/* The offset of guest_ctx.field in mm.elf, from its DWARF through the sim API. */
static uint64_t ctx_offset(const char *field)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct sim *s = mm_sim();
    struct sim_symbol y;
    struct sim_member m;
    cr_assert_eq(sim_symbol(s, "guest_ctx", &y, &err), 0, "%s", err.text);
    cr_assert_eq(sim_member(s, &y, field, &m, &err), 0, "%s", err.text);
    cr_expect_eq(m.size, 4u);
    cr_expect_eq(m.scalar, 1);
    cr_expect_lt(m.offset + m.size, y.size + 1);
    sim_free(s);
    return m.offset;
}

Test(guest_results, the_bundled_adapter_makes_one_guest_call_per_event)
{
    static struct run r;
    replay_with(MM_ADAPTER, &r);
    struct trace t = replay_test_load(TRACE);
    size_t algo = 0;
    for (size_t i = 0; i < r.n; i++) {
        int is_algo = t.events[i].op != TRACE_OP_ACCESS && t.events[i].op != TRACE_OP_SYSREG;
        algo += (size_t)is_algo;
        cr_expect_eq(r.calls[i], is_algo ? 1u : 0u, "event %zu (%s)", i,
                     trace_op_name(t.events[i].op));
    }
    cr_expect_gt(algo, 10u);
    trace_fini(&t);
}

Test(guest_results, getters_member_reads_and_offset_reads_give_the_same_results)
{
    static struct run getters, members, offsets;
    replay_with(adapter_with("getters.json",
                             "{\"region\": \"guest_last_region\", \"used\": \"guest_used\"}", NULL),
                &getters);
    replay_with(MM_ADAPTER, &members);
    char res[256];
    snprintf(res, sizeof res,
             "{\"region\": {\"symbol\": \"guest_ctx\", \"offset\": %llu, \"type\": \"int32\"},"
             " \"used\": {\"symbol\": \"guest_ctx\", \"offset\": \"0x%llx\", \"type\": \"uint32\"}}",
             (unsigned long long)ctx_offset("last_region"), (unsigned long long)ctx_offset("used"));
    replay_with(adapter_with("offsets.json", res, NULL), &offsets);
    expect_same_results(&getters, &members, "getters vs members");
    expect_same_results(&getters, &offsets, "getters vs offsets");
    int saw_region = 0, saw_none = 0;
    for (size_t i = 0; i < getters.n; i++) {
        if (!getters.res[i].has_rc)
            continue;
        saw_region |= getters.res[i].region >= 0;
        saw_none |= getters.res[i].region == -1;
        cr_expect_eq(getters.calls[i], 3u, "event %zu: the op and two getters", i);
        cr_expect_eq(offsets.calls[i], 1u, "event %zu: the op only", i);
    }
    cr_expect(saw_region && saw_none, "the trace has found and not-found regions (sign kept)");
}

struct bad_read {
    const char *results, *key, *text; /* the message starts with key and holds text */
};

Test(guest_results, reads_that_do_not_fit_the_image_are_refused_naming_the_key)
{
    static const struct bad_read cases[] = {
        { "{\"region\": {\"symbol\": \"guest_ctx\", \"member\": \"nope\"}}",
          "results.region.member: ", "mm.elf: no member 'nope' in 'guest_ctx.nope'" },
        { "{\"region\": {\"symbol\": \"guest_ctx\", \"member\": \"used.x\"}}",
          "results.region.member: ",
          "mm.elf: 'guest_ctx.used' is not a struct or union: no member 'x' in it" },
        { "{\"used\": {\"symbol\": \"guest_ctx\", \"member\": \"used\", \"type\": \"uint8\"}}",
          "results.used.type: ", "1 bytes, but 'guest_ctx.used' is 4 bytes in the DWARF" },
        { "{\"used\": {\"symbol\": \"guest_ctx\", \"member\": \"opt\"}}",
          "results.used.member: ",
          "'guest_ctx.opt' is not an integer, enum or pointer of 1, 2, 4 or 8 bytes" },
        { "{\"used\": {\"symbol\": \"guest_ctx\", \"offset\": \"0x1000000\", \"type\": \"int32\"}}",
          "results.used: ", "4 bytes at offset 16777216 run past the end of 'guest_ctx'" },
        { "{\"region_num\": {\"symbol\": \"no_such_thing\", \"offset\": 0, \"type\": \"int8\"}}",
          "results.region_num.symbol: ", "mm.elf: no symbol 'no_such_thing' in the ELF" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *path = adapter_with("bad.json", cases[k].results, NULL);
        struct trace t = replay_test_load(TRACE);
        struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                    .engine = REPLAY_ENGINE_GUEST, .adapter = path };
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_expect_null(replay_new(&t, &o, &err), "case %zu", k);
        cr_expect_eq(err.code, MPUSIM_E_RANGE, "case %zu: %s", k, err.text);
        cr_expect_str_eq(err.source, path, "case %zu", k);
        cr_expect_eq(strncmp(err.text, cases[k].key, strlen(cases[k].key)), 0, "case %zu: %s", k,
                     err.text);
        cr_expect_not_null(strstr(err.text, cases[k].text), "case %zu: %s", k, err.text);
        trace_fini(&t);
    }
}

Test(guest_results, a_member_needs_the_dwarf_and_an_offset_does_not)
{
    char stripped[256], cmd[768];
    snprintf(stripped, sizeof stripped, "%s/mm-nodebug.elf", tmpdir);
    snprintf(cmd, sizeof cmd, "aarch64-linux-gnu-objcopy --strip-debug %s %s", MM_ELF, stripped);
    if (system(cmd) != 0)
        cr_skip_test("aarch64-linux-gnu-objcopy is not installed (make deps)");
    uint64_t off = ctx_offset("used");
    struct trace t = replay_test_load(TRACE);
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .engine = REPLAY_ENGINE_GUEST };
    o.adapter = adapter_with("member.json", "{\"used\": {\"symbol\": \"guest_ctx\", \"member\": "
                             "\"used\"}}", stripped);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_null(replay_new(&t, &o, &err));
    cr_expect_not_null(strstr(err.text, "has no DWARF debug information: member 'used' of "
                              "'guest_ctx' cannot be found (give an offset and a type instead)"),
                       "%s", err.text);
    char res[160];
    snprintf(res, sizeof res, "{\"used\": {\"symbol\": \"guest_ctx\", \"offset\": %llu, \"type\": "
             "\"uint32\"}}", (unsigned long long)off);
    o.adapter = adapter_with("offset.json", res, stripped);
    mpusim_error_clear(&err);
    struct replay *r = replay_new(&t, &o, &err);
    cr_assert_not_null(r, "%s", err.text);
    unsigned last = 0;
    for (size_t i = 0; i < t.nevents; i++) {
        struct replay_event_result res1;
        replay_step(r, i, &res1);
        cr_assert_eq(r->failed, 0, "%s", r->engine_err.text);
        if (res1.has_rc)
            last = res1.used;
    }
    cr_expect_gt(last, 0u, "used read at its offset");
    replay_free(r);
    trace_fini(&t);
}

Test(guest_results, members_come_with_their_offset_width_and_sign_from_the_dwarf)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct sim *s = mm_sim();
    struct sim_symbol y;
    struct sim_member used, last, nested, whole;
    cr_assert_eq(sim_symbol(s, "guest_ctx", &y, &err), 0, "%s", err.text);
    cr_assert_eq(sim_member(s, &y, "used", &used, &err), 0, "%s", err.text);
    cr_assert_eq(sim_member(s, &y, "last_region", &last, &err), 0, "%s", err.text);
    cr_assert_eq(sim_member(s, &y, "z.last_thread", &nested, &err), 0, "%s", err.text);
    cr_assert_eq(sim_member(s, &y, "", &whole, &err), 0, "%s", err.text);
    cr_expect_eq(used.is_signed, 0, "unsigned used");
    cr_expect_eq(last.is_signed, 1, "int last_region");
    cr_expect_eq(last.offset, used.offset + 4, "declared one after the other");
    cr_expect_eq(nested.size, 4u);
    cr_expect_eq(nested.is_signed, 1);
    cr_expect_lt(nested.offset, y.size);
    cr_expect_eq(whole.offset, 0u);
    cr_expect_eq(whole.size, y.size, "the variable itself: its symbol's size");
    cr_expect_eq(whole.scalar, 0);
    /* the value the guest's own getter returns is the one at that offset */
    uint64_t arg[3] = { MM_ALGO_XEN, 0, 0 };
    struct sim_call_result cr;
    cr_assert_eq(sim_run(s, sim_entry(s), "guest_ready", 100000, NULL, &err), 0, "%s", err.text);
    cr_assert_eq(sim_call(s, "guest_init", arg, 3, &cr, &err), 0, "%s", err.text);
    cr_assert_eq(sim_call(s, "guest_last_region", NULL, 0, &cr, &err), 0, "%s", err.text);
    int32_t v;
    cr_assert_eq(sim_mem_read(s, y.addr + last.offset, &v, sizeof v, &err), 0, "%s", err.text);
    cr_expect_eq(v, (int32_t)cr.x0);
    sim_free(s);
}
