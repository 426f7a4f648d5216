/* The bao variant on per-CPU MPU models: the fixture scenarios B1 and B2 of
 * ../shared/reference/bao-armv8r-mpu-fixtures.md (every result an expectation in
 * traces/bao/, final hardware tables here), the findings, --fixed, the translation of plain
 * traces, and bad bao input. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replay/replay.h"
#include "tests/replay/helpers.h"
#include "traces/trace.h"

static struct replay_options bopts(int fixed)
{
    struct replay_options o = { .algo = MM_ALGO_BAO, .xen_fixed = fixed,
                                .fsc = MPU_FSC_TRANSLATION, .keep_findings = 100 };
    return o;
}

static struct trace load_file(const char *path)
{
    return replay_test_load(path);
}

static struct replay *start(const struct trace *t, int fixed)
{
    struct replay_options o = bopts(fixed);
    return replay_test_start(t, &o);
}

/* Final hardware tables of B1 (both CPUs) and B2 (fixtures file); B2's after its VM entry. */
static const uint64_t b1_cpu0[9][2] = {
    { 0x10000020, 0x1003ffc3 }, { 0x10100020, 0x10101fc3 }, { 0x9c090032, 0x9c090fc5 },
    { 0xaf000032, 0xaf00ffc5 }, { 0xaf100032, 0xaf13ffc5 }, { 0x10200020, 0x10201fc3 },
    { 0x20000004, 0x27ffffc2 }, { 0x9c0a0036, 0x9c0a0fc4 }, { 0xaa430032, 0xaa431fc5 },
};
static const uint64_t b1_cpu1[9][2] = {
    { 0x10000020, 0x1003ffc3 }, { 0x10102020, 0x10103fc3 }, { 0x9c090032, 0x9c090fc4 },
    { 0xaf000032, 0xaf00ffc4 }, { 0xaf100032, 0xaf13ffc4 }, { 0x10200020, 0x10201fc3 },
    { 0x20000004, 0x27ffffc3 }, { 0x9c0a0036, 0x9c0a0fc5 }, { 0xaa430032, 0xaa430fc4 },
};
static const uint64_t b2_cpu0[7][2] = {
    { 0x10000020, 0x1003ffc3 }, { 0x10100020, 0x10101fc3 }, { 0x21000036, 0x211fffc5 },
    { 0x20000004, 0x20ffffc3 }, { 0x20fff004, 0x21000fc3 }, { 0x21010004, 0x210fffc3 },
    { 0x1ff00004, 0x20feffc3 },
};

static void expect_table(const struct mpu *m, const uint64_t (*want)[2], unsigned n,
                         const char *what)
{
    for (unsigned i = 0; i < n; i++) {
        cr_expect_eq(m->el2.prbar[i], want[i][0], "%s PRBAR %u: 0x%llx", what, i,
                     (unsigned long long)m->el2.prbar[i]);
        cr_expect_eq(m->el2.prlar[i], want[i][1], "%s PRLAR %u: 0x%llx", what, i,
                     (unsigned long long)m->el2.prlar[i]);
    }
    for (unsigned i = n; i < m->el2.nregions; i++)
        cr_expect_eq(m->el2.prlar[i] | m->el2.prbar[i], 0, "%s region %u clear", what, i);
}

/* Replay events [0, n) of t. */
static void run_first(struct replay *r, const struct trace *t, size_t n)
{
    for (size_t i = 0; i < n && i < t->nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
    }
}


Test(bao, b1_meets_every_expectation_and_ends_with_both_fixture_tables)
{
    struct trace t = load_file("traces/bao/b1/trace.json");
    struct replay *r = start(&t, 0);
    run_first(r, &t, 20); /* the fixture's 20 calls */
    expect_table(&r->mpu, b1_cpu0, 9, "cpu0");
    expect_table(replay_bao_mpu(r, 1), b1_cpu1, 9, "cpu1");
    cr_expect_eq(r->mm.bao.cpu[0].hyp_mask, 0x13f);
    cr_expect_eq(r->mm.bao.cpu[0].locked, 0x23);
    cr_expect_eq(r->mm.bao.cpu[0].vcpu_mask, 0xc0);
    cr_expect_eq(r->mm.bao.cpu[1].hyp_mask, 0x13f);
    cr_expect_eq(r->mm.bao.cpu[1].vcpu_mask, 0xc0);
    cr_expect_eq(r->mm.bao.ipis, 12, "IPIs sent in the scenario: 12");
    for (size_t i = 20; i < t.nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
    }
    cr_expect_eq(r->expect_checked, t.nevents);
    cr_expect_eq(r->expect_failed, 0, "%s", r->nmismatches ? r->mismatches[0].text : "");
    cr_expect_eq(r->divergences_total, 0, "the mirror table agrees with cpu0's MPU");
    cr_expect_eq(r->msg_count[MM_FINDING_BAO_DESYNC], 1, "row 20 on cpu1");
    cr_expect_eq(r->findings_total, 1);
    replay_free(r);
    trace_fini(&t);
}

Test(bao, b2_meets_every_expectation_and_reports_the_overlaps)
{
    struct trace t = load_file("traces/bao/b2/trace.json");
    struct replay *r = start(&t, 0);
    run_first(r, &t, 16); /* through the VM entry, where the fixture's table was taken */
    expect_table(&r->mpu, b2_cpu0, 7, "cpu0");
    cr_expect_eq(r->mm.bao.cpu[0].vcpu_mask, 0x7c);
    cr_expect_eq(r->mm.bao.cpu[0].locked, 0x3);
    for (size_t i = 16; i < t.nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
    }
    cr_expect_eq(r->expect_failed, 0, "%s", r->nmismatches ? r->mismatches[0].text : "");
    cr_expect_eq(r->msg_count[MM_FINDING_BAO_OVERLAP], 2, "rows 12 and 13");
    cr_expect_eq(r->msg_count[MM_MSG_BAO_GRANULARITY], 1, "row 17");
    cr_expect_eq(r->mm.bao.halted, MM_EHALT);
    replay_free(r);
    trace_fini(&t);
}

Test(bao, fixed_keeps_the_cpus_in_sync_and_refuses_overlaps)
{
    struct trace t = load_file("traces/bao/b1/trace.json");
    struct replay *r = start(&t, 1);
    run_first(r, &t, 20);
    cr_expect_eq(r->msg_count[MM_FINDING_BAO_DESYNC], 0);
    const struct mpu *m1 = replay_bao_mpu(r, 1);
    cr_expect_eq(m1->el2.prlar[8] & ~0x3Full, 0xaa431fc0, "cpu1 has both pages: 0x%llx",
                 (unsigned long long)m1->el2.prlar[8]);
    replay_free(r);
    trace_fini(&t);

    t = load_file("traces/bao/b2/trace.json");
    r = start(&t, 1);
    struct replay_event_result res;
    for (size_t i = 0; i < 12; i++)
        replay_step(r, i, &res);
    cr_expect_eq(res.rc, MM_EINVAL, "row 12: the straddling map is refused");
    replay_step(r, 12, &res);
    cr_expect_eq(res.rc, MM_EINVAL, "row 13: the superset is refused");
    cr_expect_eq(r->msg_count[MM_FINDING_BAO_OVERLAP], 0);
    replay_free(r);
    trace_fini(&t);
}

#define HDR(n)                                                                              \
    "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":" #n "},"              \
    "\"bao\":{\"cpus\":2,\"image\":{\"base\":\"0x10000000\",\"limit\":\"0x10040000\"}},"  \
    "\"events\":["
#define BOOT0 "{\"op\":\"cpu_boot\",\"cpu\":0},"

static struct trace read_ok(const char *text)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_buffer(text, strlen(text), "t.json", &t, &err), 0, "%s", err.text);
    return t;
}

Test(bao, phantom_indices_above_mpuir_lose_their_writes_and_cannot_be_unmapped)
{
    /* 4 implemented regions: the image is 0, so indices 4.. are phantoms */
    char text[4096];
    int n = snprintf(text, sizeof text, "%s", HDR(4) BOOT0);
    for (unsigned k = 0; k < 4; k++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "{\"op\":\"map\",\"cpu\":0,\"as\":\"hyp\",\"base\":\"0x%x\",\"limit\":"
                      "\"0x%x\",\"flags\":\"hyp_dev\"},",
                      0x40000000 + k * 0x10000, 0x40001000 + k * 0x10000);
    n += snprintf(text + n, sizeof text - (size_t)n,
                  "{\"op\":\"unmap\",\"cpu\":0,\"as\":\"hyp\",\"base\":\"0x40030000\","
                  "\"limit\":\"0x40031000\"}]}");
    struct trace t = read_ok(text);
    struct replay *r = start(&t, 0);
    replay_test_run_all(r, &t);
    cr_expect_eq(r->msg_count[MM_FINDING_BAO_PHANTOM], 1, "index 4");
    cr_expect_eq(r->msg_count[MM_FINDING_BAO_LOST_INDEX], 1, "its base reads back 0");
    cr_expect_eq(mm_bao_allocated(&r->mm, 0), 5, "the phantom stays allocated");
    cr_expect_eq(r->divergences_total, 0);
    replay_free(r);
    trace_fini(&t);
    /* --fixed: the allocator reads MPUIR and the fifth map fails */
    t = read_ok(text);
    r = start(&t, 1);
    struct replay_event_result res;
    for (size_t i = 0; i < 5; i++)
        replay_step(r, i, &res);
    cr_expect_eq(res.rc, MM_EINVAL);
    cr_expect_eq(r->msg_count[MM_FINDING_BAO_PHANTOM], 0);
    replay_free(r);
    trace_fini(&t);
}

/* 1 image region + 64 maps: in the hypervisor's space alone (vmpu = 1) the 65th vMPU entry
 * runs out first; alternating with a VM's space the 65th physical index does. */
static char *exhaustion_trace(int vmpu)
{
    char *text = malloc(65536);
    cr_assert_not_null(text);
    int n = snprintf(text, 65536, "%s", HDR(255) BOOT0
                     "{\"op\":\"vm_create\",\"vm\":\"v\",\"cpus\":[0]},");
    for (unsigned k = 0; k < 65; k++)
        n += snprintf(text + n, 65536 - (size_t)n,
                      "{\"op\":\"map\",\"cpu\":0,\"as\":\"%s\",\"base\":\"0x%x\",\"limit\":"
                      "\"0x%x\",\"flags\":\"%s\"},",
                      vmpu || k % 2 ? "hyp" : "v", 0x40000000 + k * 0x2000,
                      0x40001000 + k * 0x2000, vmpu || k % 2 ? "hyp_dev" : "vm_dev");
    snprintf(text + n - 1, 65536 - (size_t)n + 1, "]}");
    return text;
}

Test(bao, the_65th_entry_crashes_and_everything_after_is_dead)
{
    for (int vmpu = 0; vmpu < 2; vmpu++) {
        char *text = exhaustion_trace(vmpu);
        struct trace t = read_ok(text);
        struct replay *r = start(&t, 0);
        struct replay_event_result res;
        for (size_t i = 0; i < 65; i++) {
            replay_step(r, i, &res);
            cr_assert_eq(res.rc, 0, "event %zu", i);
        }
        replay_step(r, 65, &res);
        cr_expect_eq(res.rc, MM_EFAULT, "the 65th entry: a wild write");
        cr_expect_eq(r->msg_count[vmpu ? MM_FINDING_BAO_VMPU_FULL : MM_FINDING_BAO_PHYS_FULL], 1);
        cr_expect(r->msg_count[MM_FINDING_BAO_PRENR_REACH] > 0, "indices 32.. are past PRENR");
        replay_step(r, 66, &res);
        cr_expect_eq(res.rc, MM_EFAULT, "Bao is dead");
        replay_free(r);
        trace_fini(&t);
        /* --fixed: the call fails and Bao goes on */
        t = read_ok(text);
        r = start(&t, 1);
        for (size_t i = 0; i < t.nevents; i++)
            replay_step(r, i, &res);
        cr_expect_eq(res.rc, MM_EINVAL);
        cr_expect_eq(r->mm.bao.halted, 0);
        replay_free(r);
        trace_fini(&t);
        free(text);
    }
}

Test(bao, plain_xen_traces_run_through_the_translation)
{
    DIR *d = opendir("traces");
    cr_assert_not_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        char path[512];
        struct stat st;
        snprintf(path, sizeof path, "traces/%s/trace.json", e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) != 0) {
            snprintf(path, sizeof path, "traces/%s/trace.jsonl", e->d_name);
            if (e->d_name[0] == '.' || stat(path, &st) != 0)
                continue;
        }
        struct trace t = load_file(path);
        struct replay *r = start(&t, 0);
        replay_test_run_all(r, &t);
        cr_expect_eq(r->divergences_total, 0, "%s", path);
        /* Bao stops where the real code would: an unaligned map halts it (ERROR), the 65th
         * region crashes it; every other trace runs to its end */
        int want = strstr(path, "xen-error-paths") ? MM_EHALT
                   : strstr(path, "prenr-wrap")    ? MM_EFAULT
                                                   : 0;
        cr_expect_eq(r->mm.bao.halted, want, "%s: stopped with %d", path, r->mm.bao.halted);
        if (t.has_boot)
            cr_expect(mm_bao_hyp_entries(&r->mm, 0) > 0, "%s: boot regions mapped", path);
        replay_free(r);
        trace_fini(&t);
        n++;
    }
    closedir(d);
    cr_expect_geq(n, 10);
    /* and in lockstep: the guest's translation agrees register for register */
    const char *both[] = { "traces/xen-boot-fvp/trace.json", "traces/prenr-wrap/trace.json" };
    for (int k = 0; k < 2; k++) {
        struct trace t = load_file(both[k]);
        struct mpusim_error err;
        mpusim_error_clear(&err);
        struct replay_options o = bopts(0);
        o.engine = REPLAY_ENGINE_BOTH;
        o.adapter = "build/guest/mm.adapter.json";
        struct replay *r = replay_new(&t, &o, &err);
        cr_assert_not_null(r, "%s: %s", both[k], err.text);
        replay_test_run_all(r, &t);
        cr_expect_eq(r->failed, 0, "%s: %s\n%s", both[k], r->engine_err.text,
                     r->lockstep_report);
        replay_free(r);
        trace_fini(&t);
    }
}

static void expect_read_error(const char *text, const char *needle, long event)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_neq(trace_read_buffer(text, strlen(text), "bad.json", &t, &err), 0, "%s", needle);
    cr_expect(strstr(err.text, needle) != NULL, "'%s' not in: %s", needle, err.text);
    cr_expect_eq(err.event, event, "%s: event %ld", err.text, err.event);
}

Test(bao, bad_input_names_the_event_and_the_field)
{
    expect_read_error(HDR(32) "{\"op\":\"cpu_boot\",\"cpu\":2}]}", "field 'cpu': unknown CPU 2",
                      0);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"cpu_boot\",\"cpu\":0}]}", "booted twice", 1);
    expect_read_error(HDR(32) "{\"op\":\"map\",\"cpu\":0,\"as\":\"hyp\",\"base\":0,\"limit\":"
                      "4096,\"flags\":\"hyp\"}]}", "CPU 0 not booted", 0);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"map\",\"cpu\":0,\"as\":\"vm9\",\"base\":0,"
                      "\"limit\":4096,\"flags\":\"vm\"}]}", "field 'as': unknown VM", 1);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"map\",\"cpu\":0,\"as\":\"hyp\",\"base\":0,"
                      "\"limit\":4096,\"flags\":{\"prbar\":\"0x10\",\"prlar\":1}}]}",
                      "field 'flags.prbar': 0x10 does not encode: SH = 0b01", 1);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"map\",\"cpu\":0,\"as\":\"hyp\",\"base\":0,"
                      "\"limit\":4096,\"flags\":{\"prbar\":\"0x20\",\"prlar\":\"0x9\"}}]}",
                      "field 'flags.prlar': 0x9 does not encode", 1);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"map\",\"cpu\":0,\"as\":\"hyp\",\"base\":0,"
                      "\"limit\":4096,\"flags\":\"RW\"}]}", "unknown bao flags \"RW\"", 1);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"map\",\"as\":\"hyp\",\"base\":0,\"limit\":4096,"
                      "\"flags\":\"hyp\"}]}", "missing field 'cpu'", 1);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"map\",\"cpu\":0,\"as\":\"hyp\",\"base\":0,"
                      "\"limit\":4096,\"flags\":\"hyp\",\"section\":\"vm_any\"}]}",
                      "field 'section': unknown section", 1);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"vm_entry\",\"cpu\":0}]}", "has no vCPU", 1);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"vm_create\",\"vm\":\"v\",\"cpus\":[0,1]}]}",
                      "field 'cpus': CPU 1 not booted", 1);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"vm_create\",\"vm\":\"v\",\"cpus\":[0]},"
                      "{\"op\":\"vm_entry\",\"cpu\":0},{\"op\":\"unmap\",\"cpu\":0,\"as\":\"v\","
                      "\"base\":0,\"limit\":4096}]}", "runs its guest", 3);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"vm_exit\",\"cpu\":0}]}", "not in its guest", 1);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"map_cpy\",\"cpu\":0,\"from_as\":\"hyp\","
                      "\"to_as\":\"hyp\",\"va\":\"0x10\",\"pages\":1}]}",
                      "field 'va': 0x10 is not page aligned", 1);
    expect_read_error(HDR(32) BOOT0 "{\"op\":\"map\",\"cpu\":0,\"as\":\"hyp\",\"base\":0,"
                      "\"limit\":4096,\"flags\":\"hyp\",\"expect\":{\"cpus\":[{\"hyp\":-1}]}}]}",
                      "field 'expect.cpus[0].hyp'", 1);
    expect_read_error("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                      "\"events\":[{\"op\":\"cpu_boot\",\"cpu\":0}]}",
                      "needs the \"bao\" header", 0);
    expect_read_error("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                      "\"bao\":{\"image\":{\"base\":0,\"limit\":4096}},\"events\":[]}",
                      "missing field 'bao.cpus'", -1);
}

Test(bao, other_algorithms_refuse_bao_events_naming_event_and_algorithm)
{
    struct trace t = load_file("traces/bao/b1/trace.json");
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay_options o = bopts(0);
    o.algo = MM_ALGO_XEN;
    cr_expect_null(replay_new(&t, &o, &err));
    cr_expect(strstr(err.text, "cpu_boot: algorithm 'xen' does not understand") != NULL, "%s",
              err.text);
    cr_expect_eq(err.event, 0);
    o.algo = MM_ALGO_ZEPHYR;
    cr_expect_null(replay_new(&t, &o, &err));
    cr_expect(strstr(err.text, "need --algo bao") != NULL, "%s", err.text);
    trace_fini(&t);
}

/* The fixture scenarios and the kept-back exhaustion ones (B3*) on the guest engine (mm/bao.c
 * built into mm.elf; each CPU's EL2 MPU swapped into the sim on the guest's SIM_HVC_CPU call)
 * and in lockstep, faithful and fixed:
 * every expectation met (barriers are not counted by the guest engine alone), no divergence
 * on any CPU. */
Test(bao, fixtures_on_the_guest_engine_and_in_lockstep, .timeout = 120)
{
    const char *paths[] = { "traces/bao/b1/trace.json", "traces/bao/b2/trace.json",
                            "traces/bao/b3/trace.json", "traces/bao/b3alt/trace.json",
                            "traces/bao/b3lock/trace.json" };
    for (int p = 0; p < 5; p++)
        for (int e = REPLAY_ENGINE_GUEST; e <= REPLAY_ENGINE_BOTH; e++)
            for (int fixed = 0; fixed < 2; fixed++) {
                if (fixed && e == REPLAY_ENGINE_GUEST)
                    continue;
                struct trace t = load_file(paths[p]);
                struct mpusim_error err;
                mpusim_error_clear(&err);
                struct replay_options o = bopts(fixed);
                o.engine = (enum replay_engine)e;
                o.adapter = "build/guest/mm.adapter.json";
                struct replay *r = replay_new(&t, &o, &err);
                cr_assert_not_null(r, "%s: %s", paths[p], err.text);
                run_first(r, &t, 20);
                if (p == 0 && !fixed) /* the fixture's tables, after its 20 calls */
                    for (unsigned c = 0; c < 2; c++)
                        expect_table(e == REPLAY_ENGINE_GUEST ? replay_guest_bao_mpu(r->guest, c)
                                                              : replay_bao_mpu(r, c),
                                     c ? b1_cpu1 : b1_cpu0, 9, c ? "cpu1" : "cpu0");
                for (size_t i = 20; i < t.nevents; i++) {
                    struct replay_event_result res;
                    replay_step(r, i, &res);
                }
                cr_expect_eq(r->failed, 0, "%s %s fixed %d: %s\n%s", paths[p],
                             replay_engine_name(o.engine), fixed, r->engine_err.text,
                             r->lockstep_report);
                if (!fixed) {
                    cr_expect_eq(r->expect_failed, 0, "%s %s: %s", paths[p],
                                 replay_engine_name(o.engine),
                                 r->nmismatches ? r->mismatches[0].text : "");
                }
                replay_free(r);
                trace_fini(&t);
            }
}

/* The kept-back exhaustion scenarios (B3, B3alt, B3lock), rebuilt from the behaviours the
 * reference says they verified (traces/bao/b3*): every stated outcome met natively, the
 * findings, the registers the description names, and what --fixed does instead. */
Test(bao, the_exhaustion_scenarios_show_phantoms_both_crashes_and_the_held_lock)
{
    static const struct {
        const char *path;
        enum mm_msg finding[2];
        int halted;
    } s[] = {
        { "traces/bao/b3/trace.json", { MM_FINDING_BAO_PHANTOM, MM_FINDING_BAO_PHYS_FULL },
          MM_EFAULT },
        { "traces/bao/b3alt/trace.json", { MM_FINDING_BAO_VMPU_FULL, MM_FINDING_BAO_PRENR_REACH },
          MM_EFAULT },
        { "traces/bao/b3lock/trace.json", { MM_FINDING_BAO_LOCK_HELD, MM_FINDING_BAO_DEADLOCK },
          MM_EDEADLK },
    };
    for (int k = 0; k < 3; k++) {
        struct trace t = load_file(s[k].path);
        struct replay *r = start(&t, 0);
        for (size_t i = 0; i < t.nevents; i++) {
            struct replay_event_result res;
            replay_step(r, i, &res);
            if (k == 0 && i == 16) /* the 17th entry: index 16 allocated, nothing written */
                cr_expect_eq(r->mm.bao.cpu[0].allocated, 0x1FFFFull);
            if (k == 2 && i == 64) { /* the failed unmap: the top remainder at index 2 */
                cr_expect_eq(r->mpu.el2.prbar[2] & ~0x3Full, 0x80005000ull);
                cr_expect_eq(r->mpu.el2.prlar[2] & ~0x3Full, 0x8000FFC0ull);
            }
        }
        cr_expect_eq(r->expect_checked, t.nevents, "%s", s[k].path);
        cr_expect_eq(r->expect_failed, 0, "%s: %s", s[k].path,
                     r->nmismatches ? r->mismatches[0].text : "");
        cr_expect_eq(r->divergences_total, 0, "%s", s[k].path);
        for (int f = 0; f < 2; f++)
            cr_expect_eq(r->msg_count[s[k].finding[f]] > 0, 1, "%s: finding %d", s[k].path, f);
        cr_expect_eq(r->mm.bao.halted, s[k].halted, "%s", s[k].path);
        if (k == 0) {
            cr_expect_eq(r->msg_count[MM_FINDING_BAO_LOST_INDEX], 1, "the phantom's unmap");
            cr_expect_eq(r->msg_count[MM_FINDING_BAO_PHANTOM], 48, "indices 16..63");
        }
        if (k == 2)
            cr_expect_eq(r->mm.bao.cpu[0].hyp.lock_held, 1);
        replay_free(r);
        trace_fini(&t);
    }
    /* --fixed: B3's allocator stops at MPUIR (the 17th entry fails, no phantom); B3alt's
     * 65th entry fails (-22) and Bao goes on; B3lock's split is refused before anything is
     * removed: the window stays whole, the lock is free, the next map runs */
    struct replay_event_result res;
    struct trace t = load_file("traces/bao/b3/trace.json");
    struct replay *r = start(&t, 1);
    replay_test_run_all(r, &t);
    cr_expect_eq(r->msg_count[MM_FINDING_BAO_PHANTOM], 0);
    cr_expect_eq(r->msg_count[MM_FINDING_BAO_PHYS_FULL], 0);
    cr_expect_eq(mm_bao_allocated(&r->mm, 0), 15, "16 implemented, then the last unmap runs");
    cr_expect_eq(r->mm.bao.halted, 0);
    replay_free(r);
    trace_fini(&t);
    t = load_file("traces/bao/b3alt/trace.json");
    r = start(&t, 1);
    for (size_t i = 0; i < t.nevents; i++) {
        replay_step(r, i, &res);
        if (i == 66)
            cr_expect_eq(res.rc, MM_EINVAL, "the 65th entry fails");
    }
    cr_expect_eq(r->mm.bao.halted, 0);
    replay_free(r);
    trace_fini(&t);
    t = load_file("traces/bao/b3lock/trace.json");
    r = start(&t, 1);
    for (size_t i = 0; i < t.nevents; i++) {
        replay_step(r, i, &res);
        if (i == 64)
            cr_expect_eq(res.rc, MM_EINVAL, "the split is refused");
        if (i == 65)
            cr_expect_eq(res.acc.fault, MPU_FAULT_NONE, "the window is still mapped");
        if (i == 67)
            cr_expect_eq(res.rc, MM_EINVAL, "the lock is free: the map runs (and finds no "
                         "entry)");
    }
    cr_expect_eq(r->mm.bao.cpu[0].hyp.lock_held, 0);
    cr_expect_eq(r->msg_count[MM_FINDING_BAO_DEADLOCK], 0);
    replay_free(r);
    trace_fini(&t);
}
