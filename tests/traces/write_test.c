/* The trace writer: what it writes reads back as the same trace, in both forms. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpu_model/mpu.h"
#include "traces/internal.h"
#include "traces/trace.h"

/* A trace with every op, every expectation field, named and numeric flags, and boot regions. */
static void sample(struct trace *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->source, sizeof t->source, "<sample>");
    t->regions = 24;
    t->has_boot = 1;
    t->nboot = 2;
    t->boot = calloc(2, sizeof *t->boot);
    cr_assert_not_null(t->boot);
    t->boot[0] = (struct trace_boot_region){ 0x0, 0x79cf4, 0x37, "text" };
    t->boot[1] = (struct trace_boot_region){ 0x7a000, 0xa104c, 0x3F, "" };
    size_t n = 9;
    t->events = calloc(n, sizeof *t->events);
    cr_assert_not_null(t->events);
    t->nevents = t->cap = n;
    struct trace_event *e = t->events;
    for (size_t i = 0; i < n; i++) {
        e[i].line = -1;
        e[i].reg = -1;
        e[i].el = 2;
    }
    e[0].op = TRACE_OP_MAP, e[0].base = 0x40000000, e[0].limit = 0x40002000, e[0].flags = 0x2F;
    e[0].expect = (struct trace_expect){ TRACE_EXPECT_RC | TRACE_EXPECT_USED, 0, 3, 0, 0, -1, 0, 0, 0, 0, NULL };
    e[1].op = TRACE_OP_MODIFY, e[1].base = 0x40000000, e[1].limit = 0x40002000, e[1].flags = 0x22;
    e[1].expect = (struct trace_expect){ TRACE_EXPECT_RC | TRACE_EXPECT_REGION, -22, 0, 2, 0, -1, 0, 0, 0, 0, NULL };
    e[2].op = TRACE_OP_UNMAP, e[2].base = 0x40000000, e[2].limit = 0x40002000;
    e[2].expect = (struct trace_expect){ TRACE_EXPECT_REGION, 0, 0, -1, 0, -1, 0, 0, 0, 0, NULL };
    e[3].op = TRACE_OP_UNMAP_CONTAINING, e[3].base = 0x40001234;
    e[4].op = TRACE_OP_IOREMAP, e[4].base = 0x9c090010, e[4].limit = 0x100, e[4].flags = 0x2C;
    e[5].op = TRACE_OP_ACCESS, e[5].base = 0x79cff, e[5].limit = 1, e[5].kind = TRACE_ACC_EXEC;
    e[5].expect = (struct trace_expect){ TRACE_EXPECT_FAULT, 0, 0, 0, MPU_FAULT_NONE, -1, 0, 0, 0, 0, NULL };
    e[6].op = TRACE_OP_ACCESS, e[6].base = 0xFFFFFFFFFFFFFFF8ull, e[6].limit = 8,
    e[6].kind = TRACE_ACC_WRITE, e[6].el = 1;
    e[6].expect = (struct trace_expect){ TRACE_EXPECT_FAULT, 0, 0, 0, MPU_FAULT_NO_REGION, -1, 0, 0, 0, 0, NULL };
    e[7].op = TRACE_OP_SYSREG, e[7].reg = mpu_reg_from_name("PRBAR5_EL2"), e[7].limit = 0x1000;
    e[8].op = TRACE_OP_MAP, e[8].base = 0, e[8].limit = 0x1000, e[8].flags = 0;
}

static void expect_same(const struct trace *a, const struct trace *b)
{
    cr_assert_eq(b->regions, a->regions);
    cr_assert_eq(b->has_boot, a->has_boot);
    cr_assert_eq(b->nboot, a->nboot);
    for (unsigned i = 0; i < a->nboot; i++) {
        cr_expect_eq(b->boot[i].base, a->boot[i].base, "boot %u", i);
        cr_expect_eq(b->boot[i].limit, a->boot[i].limit, "boot %u", i);
        cr_expect_eq(b->boot[i].flags, a->boot[i].flags, "boot %u", i);
        cr_expect_str_eq(b->boot[i].name, a->boot[i].name, "boot %u", i);
    }
    cr_assert_eq(b->nevents, a->nevents);
    for (size_t i = 0; i < a->nevents; i++) {
        const struct trace_event *x = &a->events[i], *y = &b->events[i];
        cr_expect_eq(y->op, x->op, "event %zu", i);
        cr_expect_eq(y->base, x->base, "event %zu", i);
        cr_expect_eq(y->limit, x->limit, "event %zu", i);
        cr_expect_eq(y->flags, x->flags, "event %zu", i);
        cr_expect_eq(y->kind, x->kind, "event %zu", i);
        cr_expect_eq(y->el, x->el, "event %zu", i);
        cr_expect_eq(y->reg, x->reg, "event %zu", i);
        cr_expect_eq(y->expect.has, x->expect.has, "event %zu", i);
        if (x->expect.has & TRACE_EXPECT_RC)
            cr_expect_eq(y->expect.rc, x->expect.rc, "event %zu", i);
        if (x->expect.has & TRACE_EXPECT_USED)
            cr_expect_eq(y->expect.used, x->expect.used, "event %zu", i);
        if (x->expect.has & TRACE_EXPECT_REGION)
            cr_expect_eq(y->expect.region, x->expect.region, "event %zu", i);
        if (x->expect.has & TRACE_EXPECT_FAULT)
            cr_expect_eq(y->expect.fault, x->expect.fault, "event %zu", i);
    }
}

static char *write_to_string(const struct trace *t, const struct trace_write_options *o,
                             size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    cr_assert_not_null(f);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    int rc = trace_write(f, t, o, &err);
    fclose(f);
    cr_assert_eq(rc, 0, "trace_write: %s", err.text);
    return buf;
}

static void round_trip(enum trace_form form)
{
    struct trace t, back;
    sample(&t);
    const char *notes[9] = { NULL, "second \"quoted\" note", NULL, NULL, NULL, NULL, NULL, NULL,
                             "last" };
    struct trace_write_options o = { form, notes, "write_test" };
    size_t len;
    char *s = write_to_string(&t, &o, &len);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_buffer(s, len, "<written>", &back, &err), 0, "%s:%d: %s\n%s",
                 err.source, err.line, err.text, s);
    cr_expect_eq(back.jsonl, form == TRACE_FORM_JSONL);
    expect_same(&t, &back);
    cr_expect_not_null(strstr(s, "\"note\": \"second \\\"quoted\\\" note\""), "%s", s);
    cr_expect_not_null(strstr(s, "\"x-generator\": \"write_test\""));
    cr_expect_not_null(strstr(s, "\"flags\": \"RW\""), "named flags by name");
    trace_fini(&back);
    trace_fini(&t);
    free(s);
}

Test(write, the_document_form_reads_back_identical)
{
    round_trip(TRACE_FORM_DOCUMENT);
}

Test(write, the_json_lines_form_reads_back_identical)
{
    round_trip(TRACE_FORM_JSONL);
}

Test(write, one_event_per_line_in_the_document_form)
{
    struct trace t;
    sample(&t);
    size_t len;
    char *s = write_to_string(&t, NULL, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += s[i] == '\n';
    cr_expect_eq(lines, 1 + t.nevents + 1, "header line, one per event, closing line:\n%s", s);
    cr_expect_eq(s[len - 1], '\n');
    trace_fini(&t);
    free(s);
}

Test(write, a_written_file_is_valid_for_the_reader)
{
    struct trace t, back;
    sample(&t);
    char path[] = "/tmp/mpusim-write-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_write(f, &t, NULL, &err), 0, "%s", err.text);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(trace_read_file(path, &back, &err), 0, "%s", err.text);
    expect_same(&t, &back);
    unlink(path);
    trace_fini(&back);
    trace_fini(&t);
}

Test(write, a_trace_without_boot_and_events_reads_back)
{
    struct trace t, back;
    memset(&t, 0, sizeof t);
    t.regions = 1;
    size_t len;
    char *s = write_to_string(&t, NULL, &len);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_buffer(s, len, "<empty>", &back, &err), 0, "%s\n%s", err.text, s);
    cr_expect_eq(back.has_boot, 0);
    cr_expect_eq(back.nevents, 0);
    cr_expect_eq(back.regions, 1);
    trace_fini(&back);
    free(s);
}

Test(write, an_unknown_register_is_an_error_naming_the_event)
{
    struct trace t;
    sample(&t);
    t.events[7].reg = -1;
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(trace_write(f, &t, NULL, &err), -1);
    fclose(f);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect_eq(err.event, 7);
    cr_expect_not_null(strstr(err.text, "register"), "%s", err.text);
    free(buf);
    trace_fini(&t);
}

Test(write, flags_names_are_xens)
{
    cr_expect_str_eq(trace_flags_name(0x2F), "RW");
    cr_expect_str_eq(trace_flags_name(0x2C), "NOCACHE");
    cr_expect_null(trace_flags_name(0x27));
    cr_expect_null(trace_flags_name(0));
}

/* The zephyr parts: the bundled fixture traces written in both forms read back with the same
 * header, the same events (ids, attributes, partitions) and the same expectations, and the
 * streaming reader resolves the names of a written JSON Lines trace as the whole-file one. */
static void zephyr_round_trip(const char *path, enum trace_form form)
{
    struct trace t, back;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(path, &t, &err), 0, "%s", err.text);
    cr_assert_not_null(t.zephyr);
    struct trace_write_options o = { form, NULL, NULL };
    size_t len;
    char *s = write_to_string(&t, &o, &len);
    cr_assert_eq(trace_read_buffer(s, len, "<written>", &back, &err), 0, "%s:%d: %s\n%s",
                 err.source, err.line, err.text, s);
    expect_same(&t, &back);
    cr_assert_not_null(back.zephyr);
    cr_expect_eq(memcmp(back.zephyr, t.zephyr, sizeof *t.zephyr), 0, "zephyr header");
    for (size_t i = 0; i < t.nevents; i++) {
        const struct trace_event *x = &t.events[i], *y = &back.events[i];
        cr_expect_eq(y->thread, x->thread, "event %zu", i);
        cr_expect_eq(y->domain, x->domain, "event %zu", i);
        cr_expect_eq(y->user, x->user, "event %zu", i);
        cr_assert_eq(y->nparts, x->nparts, "event %zu", i);
        for (unsigned k = 0; k < x->nparts; k++)
            cr_expect_eq(memcmp(&y->parts[k], &x->parts[k], sizeof x->parts[k]), 0,
                         "event %zu partition %u", i, k);
        cr_expect_eq(y->expect.region_num, x->expect.region_num, "event %zu", i);
        cr_expect_eq(y->expect.enabled, x->expect.enabled, "event %zu", i);
        cr_expect_eq(y->expect.writes, x->expect.writes, "event %zu", i);
        cr_expect_eq(y->expect.barriers, x->expect.barriers, "event %zu", i);
    }
    if (form == TRACE_FORM_JSONL) {
        char tmp[] = "/tmp/mpusim-write-z-XXXXXX";
        int fd = mkstemp(tmp);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, s, len), (ssize_t)len);
        close(fd);
        struct trace hdr;
        struct trace_reader *rd = trace_reader_open(tmp, &hdr, &err);
        cr_assert_not_null(rd, "%s", err.text);
        cr_expect_not_null(hdr.zephyr, "the streamed header keeps \"zephyr\"");
        struct trace_event ev;
        size_t i = 0;
        int rc;
        while ((rc = trace_reader_next(rd, &ev, &err)) == 1) {
            cr_assert_lt(i, t.nevents);
            cr_expect_eq(ev.thread, t.events[i].thread, "streamed event %zu", i);
            cr_expect_eq(ev.domain, t.events[i].domain, "streamed event %zu", i);
            cr_expect_eq(ev.nparts, t.events[i].nparts, "streamed event %zu", i);
            i++;
        }
        cr_expect_eq(rc, 0, "%s", err.text);
        cr_expect_eq(i, t.nevents);
        trace_reader_free(rd);
        trace_fini(&hdr);
        unlink(tmp);
    }
    trace_fini(&back);
    trace_fini(&t);
    free(s);
}

Test(write, zephyr_traces_read_back_identical_in_both_forms)
{
    const char *paths[] = { "traces/zephyr/z1/trace.json", "traces/zephyr/z2/trace.json" };
    for (int k = 0; k < 2; k++) {
        zephyr_round_trip(paths[k], TRACE_FORM_DOCUMENT);
        zephyr_round_trip(paths[k], TRACE_FORM_JSONL);
    }
}

Test(write, the_document_reader_as_a_stream_keeps_the_zephyr_header)
{
    struct trace hdr;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct trace_reader *rd = trace_reader_open("traces/zephyr/z1/trace.json", &hdr, &err);
    cr_assert_not_null(rd, "%s", err.text);
    cr_assert_not_null(hdr.zephyr);
    cr_expect_eq(hdr.zephyr->nsoc, 4);
    cr_expect_eq(hdr.zephyr->irq_stack, 0x30000);
    trace_reader_free(rd);
    trace_fini(&hdr);
}

/* The streaming line writer (trace_write_header_line, trace_write_event_line: what import and
 * record write) on zephyr traces: every event, with its expectations, reads back as the same
 * event, and extra members land inside the line. */
Test(write, the_line_writer_writes_zephyr_events_that_read_back_identical)
{
    const char *paths[] = { "traces/zephyr/z1/trace.json", "traces/zephyr/z2/trace.json",
                            "traces/zephyr/z3/trace.json" };
    for (int k = 0; k < 3; k++) {
        struct trace t;
        struct mpusim_error err;
        mpusim_error_clear(&err);
        cr_assert_eq(trace_read_file(paths[k], &t, &err), 0, "%s", err.text);
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);
        cr_assert_not_null(f);
        cr_assert_eq(trace_write_header_line(f, &t, "test", &err), 0, "%s", err.text);
        for (size_t i = 0; i < t.nevents; i++)
            cr_assert_eq(trace_write_event_line(f, &t.events[i], i == 0 ? "first" : NULL,
                                                i == 1 ? "\"x-mark\": 1" : NULL, &err),
                         0, "%s event %zu: %s", paths[k], i, err.text);
        cr_assert_eq(fclose(f), 0);
        cr_expect(strstr(s, "\"note\": \"first\"") != NULL, "%s", s);
        cr_expect(strstr(s, ", \"x-mark\": 1}\n") != NULL, "%s", s);
        struct trace back;
        cr_assert_eq(trace_read_buffer(s, len, "lines.jsonl", &back, &err), 0, "%s: %s\n%s",
                     paths[k], err.text, s);
        cr_assert_eq(back.nevents, t.nevents);
        cr_expect_not_null(back.zephyr, "the header line keeps \"zephyr\"");
        for (size_t i = 0; i < t.nevents; i++) {
            struct trace_event a = t.events[i], b = back.events[i];
            a.line = b.line = 0;
            cr_expect(trace_event_same(&a, &b), "%s: event %zu (%s) differs", paths[k], i,
                      trace_op_name(a.op));
        }
        trace_fini(&back);
        trace_fini(&t);
        free(s);
    }
}
