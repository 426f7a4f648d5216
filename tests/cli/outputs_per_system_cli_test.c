/* What replay prints for the other systems' allocators: every bao CPU's final regions in
 * --json, --verbose naming the system whose code printed a message, and --engine both
 * counting each finding and message once. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "tests/cli/helpers.h"

TestSuite(outputs_per_system_cli, .init = cli_tmp_init, .fini = cli_tmp_fini, .timeout = 300);

static json_t *load_json(const char *name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s", tdir, name);
    json_error_t je;
    json_t *v = json_load_file(path, 0, &je);
    cr_assert_not_null(v, "%s: %s", path, je.text);
    return v;
}

static unsigned long long hex_of(json_t *regions, size_t idx, const char *key)
{
    json_t *s = json_object_get(json_array_get(regions, idx), key);
    cr_assert(json_is_string(s), "regions[%zu].%s", idx, key);
    return strtoull(json_string_value(s), NULL, 16);
}

/* B1's final tables (bao-armv8r-mpu fixtures): cpu1 has its own struct cpu at index 1, and at
 * index 8 only the first device page (the merge/broadcast desync), cpu0 both. */
Test(outputs_per_system_cli, json_final_regions_cpus_has_every_bao_cpu_and_keeps_cpu0_s_field)
{
    static const char *const engines[] = { "native", "guest" };
    for (int e = 0; e < 2; e++) {
        cr_assert_eq(sh(MPUSIM " replay traces/bao/b1/trace.json --algo bao --engine %s --quiet "
                        "--json %s/s.json", engines[e], tdir), 0, "%s", slurp("err"));
        json_t *s = load_json("s.json");
        json_t *cpus = json_object_get(s, "final_regions_cpus");
        cr_assert(json_is_array(cpus) && json_array_size(cpus) == 2, "%s", engines[e]);
        for (size_t c = 0; c < 2; c++) {
            json_t *o = json_array_get(cpus, c);
            cr_expect_eq(json_integer_value(json_object_get(o, "cpu")), (json_int_t)c);
            cr_expect_eq(json_array_size(json_object_get(o, "regions")), 32, "32 implemented");
        }
        json_t *r0 = json_object_get(json_array_get(cpus, 0), "regions");
        json_t *r1 = json_object_get(json_array_get(cpus, 1), "regions");
        cr_expect(json_equal(json_object_get(s, "final_regions"), r0),
                  "final_regions is CPU 0's, as before");
        cr_expect_eq(hex_of(r0, 1, "prbar"), 0x10100020ull);
        cr_expect_eq(hex_of(r1, 1, "prbar"), 0x10102020ull, "cpu1's own struct cpu");
        cr_expect_eq(hex_of(r0, 8, "prlar") & ~0x3Full, 0xaa431fc0ull, "cpu0: both pages");
        cr_expect_eq(hex_of(r1, 8, "prlar") & ~0x3Full, 0xaa430fc0ull, "cpu1: the first only");
        json_decref(s);
    }
    /* other algorithms: no new key */
    cr_assert_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --quiet --json %s/x.json",
                    tdir), 0);
    json_t *x = load_json("x.json");
    cr_expect_null(json_object_get(x, "final_regions_cpus"));
    cr_expect_not_null(json_object_get(x, "final_regions"));
    json_decref(x);
}

Test(outputs_per_system_cli, verbose_names_the_system_whose_code_printed_the_message)
{
    cr_assert_eq(sh(MPUSIM " replay traces/bao/b2/trace.json --algo bao --verbose --quiet"), 0);
    char *e = slurp("err");
    cr_expect(strstr(e, "event 21: bao: trying to set mpu region which is not a multiple of "
                        "granularity") != NULL, "%s", e);
    cr_expect(strstr(e, "xen:") == NULL, "%s", e);
    cr_assert_eq(sh(MPUSIM " replay traces/zephyr/z2/trace.json --algo zephyr --verbose "
                    "--quiet"), 0);
    e = slurp("err");
    cr_expect(strstr(e, ": zephyr: partition base ") != NULL, "%s", e);
    cr_expect(strstr(e, "xen:") == NULL, "%s", e);
    cr_assert_eq(sh(MPUSIM " replay traces/xen-error-paths/trace.json --verbose --quiet"), 0);
    e = slurp("err");
    cr_expect(strstr(e, "event 1: xen: Mappings should not be both Writeable and Executable") !=
                  NULL, "%s", e);
}

/* --engine both: the engines run the same code; each finding and message is counted once (the
 * native engine's), so the summary is the native one's. */
Test(outputs_per_system_cli, engine_both_counts_each_finding_and_message_once)
{
    static const struct {
        const char *path, *algo;
    } s[] = {
        { "traces/xen-error-paths/trace.json", "xen" },
        { "traces/zephyr/z2/trace.json", "zephyr" }, /* messages at boot too */
        { "traces/bao/b1/trace.json", "bao" },
        { "traces/bao/b3lock/trace.json", "bao" },
    };
    for (size_t k = 0; k < sizeof s / sizeof s[0]; k++) {
        cr_assert_eq(sh(MPUSIM " replay %s --algo %s --quiet --json %s/n.json", s[k].path,
                        s[k].algo, tdir), 0, "%s", slurp("err"));
        cr_assert_eq(sh(MPUSIM " replay %s --algo %s --engine both --quiet --json %s/b.json",
                        s[k].path, s[k].algo, tdir), 0, "%s", slurp("err"));
        json_t *n = load_json("n.json"), *b = load_json("b.json");
        json_int_t nf = json_integer_value(json_object_get(n, "findings_total"));
        cr_expect_gt(nf, 0, "%s has findings", s[k].path);
        cr_expect_eq(json_integer_value(json_object_get(b, "findings_total")), nf, "%s",
                     s[k].path);
        cr_expect(json_equal(json_object_get(b, "messages"), json_object_get(n, "messages")),
                  "%s: messages by name", s[k].path);
        cr_expect(json_equal(json_object_get(b, "findings"), json_object_get(n, "findings")),
                  "%s: the findings list", s[k].path);
        json_decref(n);
        json_decref(b);
    }
}
