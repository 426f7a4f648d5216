/* The guest engine on a real upstream Xen image with the bundled xen-upstream adapter: every
 * bundled trace in lockstep without a divergence, region and used as the native engine gives
 * them, the PRENR divergence found from Xen's own table, the prenr-wrap crash as a result.
 * Needs ../shared/xen/arm64-mpu-debug/xen-syms (or $MPUSIM_XEN_SYMS): skipped, saying so,
 * where it is absent. Under ASan the long JSON Lines traces are left out (the same code runs
 * on every other trace; the plain run covers them all). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replay/replay.h"

#define XEN_ADAPTER "guest/xen-upstream.adapter.json"

TestSuite(xen_image, .timeout = 600);

static const char *xen_image(void)
{
    const char *p = getenv("MPUSIM_XEN_SYMS");
    if (!p)
        p = "../shared/xen/arm64-mpu-debug/xen-syms";
    return access(p, R_OK) == 0 ? p : NULL;
}

#define NEED_XEN(x)                                                                           \
    const char *x = xen_image();                                                              \
    if (!x)                                                                                   \
        cr_skip_test("no Xen image at ../shared/xen/arm64-mpu-debug/xen-syms (set "           \
                     "MPUSIM_XEN_SYMS): the real-image tests do not run");

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#else
#define UNDER_ASAN 0
#endif

/* The bundled traces, sorted: paths into out[]; returns how many. */
static unsigned bundled(char out[][300], unsigned cap)
{
    DIR *d = opendir("traces");
    cr_assert_not_null(d, "run from the repository root");
    unsigned n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < cap) {
        if (e->d_name[0] == '.')
            continue;
        const char *names[] = { "trace.json", "trace.jsonl" };
        for (int k = 0; k < 2; k++) {
            struct stat st;
            snprintf(out[n], sizeof out[n], "traces/%s/%s", e->d_name, names[k]);
            if (stat(out[n], &st) == 0) {
                if (!(UNDER_ASAN && k == 1))
                    n++;
                break;
            }
        }
    }
    closedir(d);
    qsort(out, n, sizeof out[0], (int (*)(const void *, const void *))strcmp);
    return n;
}

static struct replay *xen_replay(const struct trace *t, const char *xen, enum replay_engine e)
{
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .keep_findings = 100, .engine = e, .adapter = XEN_ADAPTER,
                                .elf = xen, .no_timing = 1 };
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(t, &o, &err);
    cr_assert_not_null(r, "%s: %s", t->source, err.text);
    return r;
}

static void read_trace(const char *path, struct trace *t)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    memset(t, 0, sizeof *t);
    cr_assert_eq(trace_read_file(path, t, &err), 0, "%s: %s", path, err.text);
}

/* Results of every event of t on engine e; stops at a failure. Returns events replayed. */
static size_t run_all(struct replay *r, const struct trace *t, struct replay_event_result *res)
{
    size_t i = 0;
    for (; i < t->nevents; i++) {
        replay_step(r, i, &res[i]);
        if (r->failed)
            return i + (r->failed == 3);
    }
    return i;
}

Test(xen_image, lockstep_over_every_bundled_trace_has_no_divergence)
{
    NEED_XEN(xen);
    static char paths[64][300];
    unsigned n = bundled(paths, 64), ran = 0;
    cr_assert_geq(n, 10);
    for (unsigned k = 0; k < n; k++) {
        struct trace t;
        read_trace(paths[k], &t);
        struct replay_event_result *res = calloc(t.nevents + 1, sizeof *res);
        cr_assert_not_null(res);
        struct replay *r = xen_replay(&t, xen, REPLAY_ENGINE_BOTH);
        run_all(r, &t, res);
        cr_expect_neq(r->failed, 2, "%s: %s\n%s", paths[k], r->engine_err.text,
                      r->lockstep_report);
        cr_expect_neq(r->failed, 1, "%s: %s", paths[k], r->engine_err.text);
        if (strstr(paths[k], "prenr-wrap"))
            cr_expect_eq(r->failed, 3, "prenr-wrap: Xen takes its own text away");
        else
            cr_expect_eq(r->failed, 0, "%s stopped at event %ld", paths[k], r->event);
        ran++;
        replay_free(r);
        free(res);
        trace_fini(&t);
    }
    cr_expect_eq(ran, n);
}

Test(xen_image, guest_region_and_used_equal_the_native_engine_on_every_event)
{
    NEED_XEN(xen);
    static char paths[64][300];
    unsigned n = bundled(paths, 64);
    for (unsigned k = 0; k < n; k++) {
        struct trace t;
        read_trace(paths[k], &t);
        struct replay_event_result *g = calloc(t.nevents + 1, sizeof *g),
                                   *b = calloc(t.nevents + 1, sizeof *b);
        cr_assert(g && b);
        /* the native engine as lockstep starts it (from the image's own boot), and alone */
        struct replay *rg = xen_replay(&t, xen, REPLAY_ENGINE_GUEST);
        struct replay *rb = xen_replay(&t, xen, REPLAY_ENGINE_BOTH);
        size_t ng = run_all(rg, &t, g), nb = run_all(rb, &t, b);
        cr_expect_eq(ng, nb, "%s: %zu vs %zu events", paths[k], ng, nb);
        size_t regions = 0;
        for (size_t i = 0; i < ng && i < nb; i++) {
            if (rg->guest_stop.event == (long)i)
                break; /* the stop is compared by the crash test */
            cr_expect_eq(g[i].rc, b[i].rc, "%s: event %zu: rc", paths[k], i);
            cr_expect_eq(g[i].region, b[i].region, "%s: event %zu: region guest %d, native %d",
                         paths[k], i, g[i].region, b[i].region);
            cr_expect_eq(g[i].used, b[i].used, "%s: event %zu: used guest %u, native %u",
                         paths[k], i, g[i].used, b[i].used);
            regions += g[i].region >= 0;
        }
        if (rg->algo_events && t.nevents)
            cr_expect_gt(regions, 0u, "%s: region is never null-only", paths[k]);
        replay_free(rg);
        replay_free(rb);
        free(g);
        free(b);
        trace_fini(&t);
    }
}

Test(xen_image, the_boot_trace_meets_every_expectation_with_the_trace_s_own_boot_regions)
{
    NEED_XEN(xen);
    struct trace t;
    read_trace("traces/xen-boot-fvp/trace.json", &t);
    struct replay_event_result res[64];
    struct replay *r = xen_replay(&t, xen, REPLAY_ENGINE_GUEST);
    cr_assert_lt(t.nevents, 64u);
    run_all(r, &t, res);
    cr_expect_eq(r->failed, 0);
    cr_expect_gt(r->expect_checked, 20u);
    cr_expect_eq(r->expect_failed, 0u, "%s", r->nmismatches ? r->mismatches[0].text : "");
    cr_expect_eq(res[0].region, 5, "the DTB header page is Xen's region 5");
    cr_expect_eq(res[0].used, 6u, "popcount of xen_mpumap_mask");
    replay_free(r);
    trace_fini(&t);
}

Test(xen_image, the_prenr_divergence_is_found_from_xen_s_own_table)
{
    NEED_XEN(xen);
    struct trace t;
    read_trace("traces/prenr-64-regions/trace.json", &t);
    struct replay_event_result res[64];
    cr_assert_lt(t.nevents, 64u);
    struct replay *g = xen_replay(&t, xen, REPLAY_ENGINE_GUEST);
    run_all(g, &t, res);
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .keep_findings = 100 };
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *nat = replay_new(&t, &o, &err);
    cr_assert_not_null(nat, "%s", err.text);
    run_all(nat, &t, res);
    cr_expect_gt(g->divergences_total, 0u, "the headline finding, on the real code");
    cr_expect_eq(g->divergences_total, nat->divergences_total);
    unsigned found = 0;
    for (unsigned k = 0; k < g->nnotes; k++) {
        const struct replay_note *n = &g->notes[k];
        if (n->id != MM_MSG_COUNT)
            continue;
        found++;
        cr_expect_geq(n->region, 32, "regions 32..63: PRENR cannot disable them");
        cr_expect_eq(n->table_prlar & 1u, 0u, "Xen's table says free");
        cr_expect_eq(n->hw_prlar & 1u, 1u, "the hardware region is still enabled");
        cr_expect(strstr(n->text, "table free") && strstr(n->text, "hardware enabled"), "%s",
                  n->text);
        int same = 0;
        for (unsigned j = 0; j < nat->nnotes; j++)
            same |= nat->notes[j].id == MM_MSG_COUNT && nat->notes[j].event == n->event &&
                    nat->notes[j].region == n->region;
        cr_expect(same, "event %ld region %d: the native engine reports it too", n->event,
                  n->region);
    }
    cr_expect_gt(found, 0u);
    replay_free(g);
    replay_free(nat);
    trace_fini(&t);
}

Test(xen_image, prenr_wrap_stops_at_event_61_in_xen_mpumap_free_entry)
{
    NEED_XEN(xen);
    struct trace t;
    read_trace("traces/prenr-wrap/trace.json", &t);
    struct replay_event_result res[80];
    cr_assert_lt(t.nevents, 80u);
    struct replay *r = xen_replay(&t, xen, REPLAY_ENGINE_GUEST);
    size_t n = run_all(r, &t, res);
    const struct replay_guest_stop *s = &r->guest_stop;
    cr_assert_eq(r->failed, 3);
    cr_expect_eq(n, 62u, "events 0..61, the stop included");
    cr_expect_eq(s->event, 61);
    cr_expect_eq(s->op, TRACE_OP_UNMAP);
    cr_expect_str_eq(s->call, "xen_mpumap_update");
    cr_expect_str_eq(s->kind, "fault");
    cr_expect(!strncmp(s->where, "xen_mpumap_free_entry+0x", 24), "%s", s->where);
    cr_expect(strstr(s->source, "arch/arm/mpu/mm.c:") != NULL, "DWARF line: %s", s->source);
    cr_expect(s->insn[0], "disassembled");
    cr_expect_eq(s->has_fault, 1);
    cr_expect_eq(s->fault.fault, MPU_FAULT_NO_REGION, "its own text is disabled");
    cr_expect_str_eq(s->access, "exec");
    cr_expect_eq(s->fault.far, s->pc, "a prefetch abort at the next instruction");
    cr_expect_eq(s->fault.esr >> 26, 0x21u, "EC: instruction abort from the current EL");
    cr_expect(strstr(s->report, "source: arch/arm/mpu/mm.c:"), "%s", s->report);
    cr_expect_eq(res[60].region, 0, "event 60 still fetches from text");
    replay_free(r);
    trace_fini(&t);
}

Test(xen_image, the_adapter_needs_a_symbol_table_and_names_its_keys)
{
    NEED_XEN(xen);
    struct trace t;
    read_trace("traces/xen-boot-fvp/trace.json", &t);
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .engine = REPLAY_ENGINE_GUEST, .elf = xen, .no_timing = 1 };
    char path[] = "/tmp/mpusim-xen-adapter-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    static const struct { const char *results, *want; } cases[] = {
        { "\"used\": {\"popcount\": \"max_mpu_regions\"}",
          "results.used.popcount: 'max_mpu_regions' is 1 bytes: a bitmap of 16 regions needs "
          "2..32" },
        { "\"table\": {\"symbol\": \"xen_mpumap\", \"stride\": 32, \"prbar\": 0, \"prlar\": 8, "
          "\"entries\": 255}, \"used\": {\"popcount\": \"xen_mpumap_lock\"}",
          "results.used.popcount" },
        { "\"table\": {\"symbol\": \"xen_mpumap\", \"stride\": 64, \"prbar\": 0, \"prlar\": 8, "
          "\"entries\": 255}",
          "results.table.entries: 255 entries of 64 bytes run past the end of 'xen_mpumap' "
          "(8160 bytes)" },
        { "\"table\": {\"symbol\": \"xen_mpumap_not_here\", \"stride\": 32, \"prbar\": 0, "
          "\"prlar\": 8}",
          "results.table.symbol: ../shared/xen/arm64-mpu-debug/xen-syms: no symbol "
          "'xen_mpumap_not_here' in the ELF" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fprintf(f, "{\"format\": \"mpusim-adapter\", \"version\": 1, \"boot\": {\"until\": "
                   "\"start_xen\"}, \"stubs\": {\"printk\": 0}, \"ops\": {\"map\": {\"symbol\": "
                   "\"xen_mpumap_update\", \"args\": [\"base\", \"limit\", \"flags\"]}}, "
                   "\"results\": {%s}}",
                cases[k].results);
        fclose(f);
        o.adapter = path;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_expect_null(replay_new(&t, &o, &err), "case %zu", k);
        cr_expect_str_eq(err.source, path, "case %zu: the adapter file is named", k);
        if (strcmp(xen, "../shared/xen/arm64-mpu-debug/xen-syms") == 0 || k != 3)
            cr_expect(strstr(err.text, cases[k].want), "case %zu: %s", k, err.text);
        cr_expect(!strncmp(err.text, "results.", 8), "case %zu: the key first: %s", k, err.text);
    }
    close(fd);
    remove(path);
    trace_fini(&t);
}
