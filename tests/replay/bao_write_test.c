/* Bao traces through the writer: the fixture traces B1 and B2 (and a trace with every bao
 * field in its less common forms) written in both forms read back as the same header and the
 * same events, and replay to the same results, event by event and CPU by CPU, faithful and
 * --fixed: what the fuzzer shrinks and writes keeps every bao field. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"
#include "tests/replay/helpers.h"
#include "traces/internal.h"

static char *write_string(const struct trace *t, enum trace_form form, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    cr_assert_not_null(f);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct trace_write_options o = { form, NULL, "bao_write_test" };
    int rc = trace_write(f, t, &o, &err);
    fclose(f);
    cr_assert_eq(rc, 0, "trace_write: %s", err.text);
    return buf;
}

static struct trace read_string(const char *s, size_t len)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_buffer(s, len, "<written>", &t, &err), 0, "%s:%d: event %ld: %s\n%s",
                 err.source, err.line, err.event, err.text, s);
    return t;
}

/* Same header and the same events (source lines aside: the JSON Lines reader records them). */
static void expect_same_trace(const struct trace *a, const struct trace *b)
{
    cr_assert_eq(b->regions, a->regions);
    cr_assert_not_null(b->bao, "the \"bao\" header is written");
    cr_expect_eq(memcmp(b->bao, a->bao, sizeof *a->bao), 0, "bao header");
    cr_assert_eq(b->nevents, a->nevents);
    for (size_t i = 0; i < a->nevents; i++) {
        struct trace_event x = a->events[i], y = b->events[i];
        x.line = y.line = -1;
        cr_expect(trace_event_same(&x, &y), "event %zu (%s) differs after the round trip", i,
                  trace_op_name(x.op));
    }
}

/* Replays a and b side by side: the same rc, region, per-CPU counts and costs after every
 * event, every expectation met, the same registers on every CPU at the end. */
static void expect_same_replay(const struct trace *a, const struct trace *b, int fixed)
{
    struct replay_options o = { .algo = MM_ALGO_BAO, .xen_fixed = fixed,
                                .fsc = MPU_FSC_TRANSLATION };
    struct replay *ra = replay_test_start(a, &o), *rb = replay_test_start(b, &o);
    for (size_t i = 0; i < a->nevents; i++) {
        struct replay_event_result x, y;
        replay_step(ra, i, &x);
        replay_step(rb, i, &y);
        cr_expect_eq(y.has_rc, x.has_rc, "event %zu", i);
        cr_expect_eq(y.rc, x.rc, "event %zu rc", i);
        cr_expect_eq(y.region, x.region, "event %zu region", i);
        cr_expect_eq(y.acc.fault, x.acc.fault, "event %zu fault", i);
        cr_expect_eq(memcmp(rb->bao_counts, ra->bao_counts, sizeof ra->bao_counts), 0,
                     "event %zu: per-CPU entries and indices", i);
        cr_expect_eq(memcmp(rb->bao_cur, ra->bao_cur, sizeof ra->bao_cur), 0,
                     "event %zu: per-CPU writes and barriers", i);
    }
    if (!fixed) { /* the bundled expectations are the faithful results */
        cr_expect_eq(ra->expect_failed, 0);
        cr_expect_eq(rb->expect_failed, 0, "%s", rb->nmismatches ? rb->mismatches[0].text : "");
    }
    cr_expect_gt(rb->expect_checked, 0, "the expectations were written");
    cr_expect_eq(rb->expect_checked, ra->expect_checked);
    for (unsigned c = 0; c < ra->bao_ncpus; c++) {
        const struct mpu_unit *ua = &replay_bao_mpu(ra, c)->el2,
                              *ub = &replay_bao_mpu(rb, c)->el2;
        cr_expect_eq(memcmp(ub->prbar, ua->prbar, ua->nregions * sizeof ua->prbar[0]), 0,
                     "cpu%u PRBAR", c);
        cr_expect_eq(memcmp(ub->prlar, ua->prlar, ua->nregions * sizeof ua->prlar[0]), 0,
                     "cpu%u PRLAR", c);
    }
    replay_free(ra);
    replay_free(rb);
}

/* t written in each form reads back the same and replays the same; each of the strings in
 * shows (NULL-terminated, may be NULL) appears in what was written. */
static void round_trip_trace(const struct trace *t, const char *const *shows)
{
    enum trace_form forms[2] = { TRACE_FORM_DOCUMENT, TRACE_FORM_JSONL };
    for (int k = 0; k < 2; k++) {
        size_t len;
        char *s = write_string(t, forms[k], &len);
        for (unsigned i = 0; shows && shows[i]; i++)
            cr_expect_not_null(strstr(s, shows[i]), "%s in:\n%s", shows[i], s);
        struct trace back = read_string(s, len);
        expect_same_trace(t, &back);
        expect_same_replay(t, &back, 0);
        expect_same_replay(t, &back, 1);
        trace_fini(&back);
        free(s);
    }
}

static void round_trip(const char *path)
{
    struct trace t = replay_test_load(path);
    round_trip_trace(&t, NULL);
    trace_fini(&t);
}

Test(bao_write, b1_reads_back_and_replays_the_same_in_both_forms)
{
    round_trip("traces/bao/b1/trace.json");
}

Test(bao_write, b2_reads_back_and_replays_the_same_in_both_forms)
{
    round_trip("traces/bao/b2/trace.json");
}

/* The less common forms: raw flags, locked, alloc, broadcast false, sections, map_cpy into a
 * VM and into the hypervisor, an access with a CPU and an EL, two VMs, non_unified. */
static const char every_field[] =
    "{\"format\": \"mpusim-trace\", \"version\": 1, \"mpu\": {\"regions\": 20},\n"
    " \"bao\": {\"cpus\": 3, \"image\": {\"base\": \"0x10000000\", \"limit\": \"0x10040000\", "
    "\"load_end\": \"0x10020000\", \"noload\": \"0x10030000\"}, \"non_unified\": true, "
    "\"cpu_structs\": [\"0x10100000\", \"0x10102000\", \"0x10104000\"], "
    "\"cpu_struct_size\": \"0x2000\"},\n"
    " \"events\": [\n"
    "  {\"op\": \"cpu_boot\", \"cpu\": 0},\n"
    "  {\"op\": \"cpu_boot\", \"cpu\": 1},\n"
    "  {\"op\": \"cpu_boot\", \"cpu\": 2},\n"
    "  {\"op\": \"vm_create\", \"vm\": \"guest-a\", \"cpus\": [1, 0]},\n"
    "  {\"op\": \"vm_create\", \"vm\": 7, \"cpus\": [2]},\n"
    "  {\"op\": \"map\", \"cpu\": 0, \"as\": \"hyp\", \"base\": \"0x9c000000\", \"limit\": "
    "\"0x9c001000\", \"flags\": {\"prbar\": \"0x3a\", \"prlar\": \"0x5\"}, \"section\": "
    "\"global\", \"alloc\": true, \"expect\": {\"rc\": 0, \"cpus\": [{\"hyp\": 4}, {}, "
    "{\"allocated\": 4, \"writes\": 3}]}},\n"
    "  {\"op\": \"map\", \"cpu\": 1, \"as\": \"hyp\", \"base\": \"0x30000000\", \"limit\": "
    "\"0x30002000\", \"flags\": \"hyp\", \"section\": \"private\", \"locked\": true, "
    "\"broadcast\": false},\n"
    "  {\"op\": \"map\", \"cpu\": 0, \"as\": \"guest-a\", \"base\": \"0x20000000\", \"limit\": "
    "\"0x20100000\", \"flags\": \"vm\", \"section\": \"vm_any\"},\n"
    "  {\"op\": \"map\", \"cpu\": 2, \"as\": 7, \"base\": \"0x40000000\", \"limit\": "
    "\"0x40001000\", \"flags\": \"vm_dev\"},\n"
    "  {\"op\": \"map_cpy\", \"cpu\": 0, \"from_as\": \"guest-a\", \"to_as\": \"hyp\", "
    "\"va\": \"0x20001000\", \"pages\": 2},\n"
    "  {\"op\": \"map_cpy\", \"cpu\": 2, \"from_as\": \"hyp\", \"to_as\": 7, \"section\": "
    "\"vm_any\", \"va\": \"0x10000000\", \"pages\": 1},\n"
    "  {\"op\": \"map_cpy\", \"cpu\": 0, \"from_as\": \"hyp\", \"to_as\": \"hyp\", \"section\": "
    "\"vm\", \"va\": \"0x10000000\", \"pages\": 1, \"expect\": {\"rc\": -22}},\n"
    "  {\"op\": \"unmap\", \"cpu\": 0, \"as\": \"guest-a\", \"base\": \"0x20080000\", "
    "\"limit\": \"0x20090000\", \"broadcast\": false},\n"
    "  {\"op\": \"unmap\", \"cpu\": 1, \"as\": \"hyp\", \"base\": \"0x30000000\", \"limit\": "
    "\"0x30001000\"},\n"
    "  {\"op\": \"vm_entry\", \"cpu\": 2, \"expect\": {\"cpus\": [{}, {}, {\"enabled\": 5}]}},\n"
    "  {\"op\": \"access\", \"cpu\": 2, \"addr\": \"0x40000000\", \"size\": 1, \"kind\": "
    "\"read\", \"el\": 1, \"expect\": {\"fault\": null}},\n"
    "  {\"op\": \"access\", \"addr\": \"0x10000000\", \"kind\": \"exec\"},\n"
    "  {\"op\": \"vm_exit\", \"cpu\": 2, \"note\": \"back\"}\n"
    " ]}\n";

Test(bao_write, every_bao_field_reads_back_and_replays_the_same)
{
    struct trace t = read_string(every_field, sizeof every_field - 1);
    cr_assert_eq(t.nevents, 18);
    static const char *const shows[] = { "\"prbar\": \"0x3a\"", "\"as\": \"vm2\"",
                                         "\"broadcast\": false", "\"non_unified\": true",
                                         "\"locked\": true", NULL };
    round_trip_trace(&t, shows);
    trace_fini(&t);
}
