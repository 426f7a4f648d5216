/* --tarmac on run and replay: the lines Arm's tools index, and the round trip (export a guest
 * replay, import it at call level with the same adapter: the same calls, results and final
 * regions), on build/guest/mm.elf and, where present, the real Xen image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/cli/helpers.h"
#include "traces/trace.h"

TestSuite(tarmac_export_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

static const char *xen_syms(void)
{
    const char *p = getenv("MPUSIM_XEN_SYMS");
    if (!p)
        p = "../shared/xen/arm64-mpu-debug/xen-syms";
    return access(p, R_OK) == 0 ? p : NULL;
}

Test(tarmac_export_cli, run_writes_instructions_registers_and_accesses)
{
    cr_assert_eq(sh(MPUSIM " run build/guest/mm.elf --until guest_ready --tarmac %s/t.tarmac",
                    tdir), 0, "%s", slurp("err"));
    const char *t = slurp("t.tarmac");
    cr_expect(strncmp(t, "0 clk R MPUIR_EL2 0000000000000010\n", 35) == 0, "%.200s", t);
    cr_expect(strstr(t, " clk IT (1) 7e000000 ") != NULL, "the first instruction, index 1");
    cr_expect(strstr(t, " O EL2h : ") != NULL);
    cr_expect(strstr(t, " clk R SP_EL2 ") != NULL);
    const char *mw = strstr(t, " clk MW8 ");
    cr_expect(mw && strstr(mw, " 00000000_00000000\n") != NULL, "the bss clearing stores");
    cr_expect(strstr(slurp("err"), "instructions written to") != NULL, "%s", slurp("err"));
}

Test(tarmac_export_cli, no_timing_timestamps_are_instruction_counts)
{
    cr_assert_eq(sh(MPUSIM " run build/guest/mm.elf --until guest_ready --no-timing --tarmac "
                    "%s/t.tarmac", tdir), 0);
    cr_expect(strstr(slurp("t.tarmac"), "\n9 clk IT (10) ") != NULL, "%.600s", slurp("t.tarmac"));
}

Test(tarmac_export_cli, tarmac_needs_a_guest_engine_and_bad_runs_leave_nothing)
{
    cr_expect_eq(sh(MPUSIM " replay traces/demo-faults/trace.json --tarmac %s/t.tarmac", tdir), 2);
    cr_expect(strstr(slurp("err"), "--tarmac need --engine guest or both") != NULL, "%s",
              slurp("err"));
    cr_expect(!exists("t.tarmac"));
    cr_expect_eq(sh(MPUSIM " run build/guest/mm.elf --until no_such_symbol --tarmac %s/t.tarmac",
                    tdir), 2);
    cr_expect_eq(sh("ls %s | grep -c tarmac", tdir), 1, "no file, no temporary: %s", slurp("out"));
}

/* rc of every call line of an --events-out file, in order; returns how many. */
static unsigned call_rcs(const char *events, int *rc, unsigned cap)
{
    unsigned n = 0;
    for (const char *p = events; (p = strstr(p, "\"rc\":")) && n < cap; p += 5)
        if (p[5] != 'n')
            rc[n++] = atoi(p + 5);
    return n;
}

static const char *final_regions(const char *json)
{
    const char *p = strstr(json, "\"final_regions\"");
    cr_assert_not_null(p, "no final_regions in %.200s", json);
    return p;
}

/* Replay trace with the guest engine of elf/adapter exporting Tarmac, import it at call level,
 * replay the import with the same engine; compare calls, results and final regions. */
static void round_trip(const char *trace, const char *engine_opts, const char *elf,
                       const char *adapter)
{
    cr_assert_eq(sh(MPUSIM " replay %s --engine guest %s --quiet --tarmac %s/x.tarmac "
                    "--events-out %s/a.ev --json %s/a.json", trace, engine_opts, tdir, tdir, tdir),
                 0, "%s", slurp("err"));
    cr_assert_eq(sh(MPUSIM " import tarmac %s/x.tarmac --level calls --elf %s --adapter %s "
                    "--out %s/rt.jsonl", tdir, elf, adapter, tdir), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("err"), " 0 never returned") != NULL, "%s", slurp("err"));
    struct trace a, b;
    struct mpusim_error err;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    cr_assert_eq(trace_read_file(trace, &a, &err), 0, "%s", err.text);
    char path[128];
    snprintf(path, sizeof path, "%s/rt.jsonl", tdir);
    cr_assert_eq(trace_read_file(path, &b, &err), 0, "%s", err.text);
    static int rc[4096];
    unsigned nrc = call_rcs(slurp("a.ev"), rc, 4096);
    size_t k = 0;
    for (size_t i = 0; i < a.nevents; i++) {
        const struct trace_event *e = &a.events[i];
        if (e->op == TRACE_OP_ACCESS || e->op == TRACE_OP_SYSREG)
            continue;
        cr_assert_lt(k, b.nevents, "the import lost calls from event %zu on", i);
        const struct trace_event *f = &b.events[k];
        /* one symbol serves map and modify: the import names it map */
        enum trace_op want = e->op == TRACE_OP_MODIFY ? TRACE_OP_MAP : e->op;
        cr_expect_eq(f->op, want, "event %zu", i);
        cr_expect_eq(f->base, e->base, "event %zu base", i);
        if (e->op != TRACE_OP_UNMAP_CONTAINING)
            cr_expect_eq(f->limit, e->limit, "event %zu limit/size", i);
        if (e->op == TRACE_OP_MAP || e->op == TRACE_OP_MODIFY || e->op == TRACE_OP_IOREMAP)
            cr_expect_eq(f->flags, e->flags, "event %zu flags", i);
        cr_expect(f->expect.has & TRACE_EXPECT_RC);
        cr_assert_lt(k, nrc);
        cr_expect_eq(f->expect.rc, rc[k], "event %zu: the import's rc is the replay's", i);
        k++;
    }
    cr_expect_eq(k, b.nevents, "as many calls as the replay made");
    trace_fini(&a);
    trace_fini(&b);
    cr_assert_eq(sh(MPUSIM " replay %s/rt.jsonl --engine guest %s --json %s/b.json", tdir,
                    engine_opts, tdir), 0, "the import's expectations hold: %s", slurp("err"));
    char fa[16384];
    snprintf(fa, sizeof fa, "%s", final_regions(slurp("a.json")));
    const char *fb = final_regions(slurp("b.json"));
    char *end = strchr(fa, ']');
    cr_assert_not_null(end);
    cr_expect(strncmp(fa, fb, (size_t)(end - fa)) == 0, "final regions differ:\n%.600s\n%.600s",
              fa, fb);
}

Test(tarmac_export_cli, round_trip_on_mm_elf)
{
    round_trip("traces/xen-boot-fvp/trace.json", "", "build/guest/mm.elf",
               "build/guest/mm.adapter.json");
}

Test(tarmac_export_cli, round_trip_on_mm_elf_error_paths)
{
    round_trip("traces/xen-error-paths/trace.json", "", "build/guest/mm.elf",
               "build/guest/mm.adapter.json");
}

/* The real image: the bundled real boot (65 calls of upstream Xen's xen_mpumap_update,
 * destroy_xen_mapping_containing and ioremap_attr, the same function called again right after
 * its RET) replayed on xen-syms and exported, imported with the xen-upstream adapter. About
 * 3 s: the commands are the plain build/mpusim also when this suite runs under ASan. */
Test(tarmac_export_cli, round_trip_on_the_real_xen_image)
{
    const char *xen = xen_syms();
    if (!xen) {
        cr_skip_test("../shared/xen/arm64-mpu-debug/xen-syms is absent (set MPUSIM_XEN_SYMS)");
        return;
    }
    char opts[600];
    snprintf(opts, sizeof opts, "--elf %s --adapter xen-upstream", xen);
    round_trip("traces/xen-real-boot/trace.jsonl", opts, xen, "xen-upstream");
}

Test(tarmac_export_cli, real_xen_boot_calls_cpu_init_and_zero_bss)
{
    const char *xen = xen_syms();
    if (!xen) {
        cr_skip_test("../shared/xen/arm64-mpu-debug/xen-syms is absent (set MPUSIM_XEN_SYMS)");
        return;
    }
    cr_assert_eq(sh(MPUSIM " run %s --until start_xen --tarmac %s/boot.tarmac", xen, tdir), 0,
                 "%s", slurp("err"));
    /* The calls a Tarmac reader finds: BL to the function, LR written after it, and the
     * function's first instruction next. Import them with an adapter naming the two
     * functions as ops, to count them by the same rules as any call. */
    write_file("boot.adapter.json",
               "{\"format\": \"mpusim-adapter\", \"version\": 1, \"ops\": {"
               "\"unmap_containing\": {\"symbol\": \"cpu_init\", \"args\": [\"addr\"], \"ret\": \"void\"},"
               "\"ioremap\": {\"symbol\": \"zero_bss\", \"args\": [\"addr\", \"size\", \"flags\"], "
               "\"ret\": \"void\"}}}");
    cr_assert_eq(sh(MPUSIM " import tarmac %s/boot.tarmac --level calls --elf %s --adapter "
                    "%s/boot.adapter.json --out %s/calls.jsonl", tdir, xen, tdir, tdir), 0, "%s",
                 slurp("err"));
    const char *c = slurp("calls.jsonl");
    cr_expect_eq(count(c, "\"op\": \"unmap_containing\""), 1, "cpu_init called once: %s", c);
    cr_expect_eq(count(c, "\"op\": \"ioremap\""), 1, "zero_bss called once: %s", c);
    cr_expect(strstr(slurp("err"), "2 returned, 0 never returned") != NULL, "%s", slurp("err"));
    const char *t = slurp("boot.tarmac");
    cr_expect(strstr(t, " clk R PRSELR_EL2 ") != NULL && strstr(t, " clk R SCTLR_EL2 ") != NULL,
              "the MPU programming by its architectural names");
}
