/* Trace format v1 reader (traces/read.c and its helpers): both forms, every op, numbers, flags,
 * expectations, extensions; and every kind of bad input, checked field by field. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm/mm.h"
#include "mpu_model/mpu.h"
#include "traces/trace.h"

/* One-line JSON Lines header and the document prefix (no boot key). */
#define HDR "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16}}\n"
#define DOC_OPEN "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},\"events\":["

/* ---- helpers ---- */

static struct trace read_ok(const char *text)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    int rc = trace_read_buffer(text, strlen(text), "t.json", &t, &err);
    cr_assert_eq(rc, 0, "unexpected error: %s (line %d column %d event %ld)", err.text, err.line,
                 err.column, err.event);
    cr_assert_eq(err.code, MPUSIM_OK);
    return t;
}

/* Reads text expecting an error; checks that out was not written. */
static struct mpusim_error read_bad(const char *text)
{
    struct trace t;
    memset(&t, 0xA5, sizeof t);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    int rc = trace_read_buffer(text, strlen(text), "bad.json", &t, &err);
    cr_assert_eq(rc, -1, "accepted bad input: %s", text);
    cr_assert_neq(err.code, MPUSIM_OK);
    cr_expect_str_eq(err.source, "bad.json");
    unsigned char *b = (unsigned char *)&t;
    for (size_t i = 0; i < sizeof t; i++)
        cr_assert_eq(b[i], 0xA5, "out was written on error (byte %zu)", i);
    return err;
}

/* The single event of a one-event JSON Lines trace. */
static struct trace_event one_event(const char *line)
{
    char buf[1024];
    snprintf(buf, sizeof buf, HDR "%s\n", line);
    struct trace t = read_ok(buf);
    cr_assert_eq(t.nevents, 1);
    struct trace_event ev = t.events[0];
    trace_fini(&t);
    return ev;
}

/* An error about the single event line of a one-event JSON Lines trace (line 2, event 0). */
static struct mpusim_error event_error(const char *line)
{
    char buf[1024];
    snprintf(buf, sizeof buf, HDR "%s\n", line);
    struct mpusim_error err = read_bad(buf);
    cr_expect_eq(err.line, 2, "line of: %s", line);
    cr_expect_eq(err.event, 0);
    return err;
}

/* An error about the header (document form: line -1, event -1). */
static struct mpusim_error header_error(const char *text)
{
    struct mpusim_error err = read_bad(text);
    cr_expect_eq(err.line, -1);
    cr_expect_eq(err.column, -1);
    cr_expect_eq(err.event, -1);
    return err;
}

#define expect_text(err, needle)                                                          \
    cr_expect_not_null(strstr((err).text, (needle)), "message \"%s\" lacks \"%s\"",       \
                       (err).text, (needle))

static void expect_same_events(const struct trace *a, const struct trace *b)
{
    cr_assert_eq(a->nevents, b->nevents);
    for (size_t i = 0; i < a->nevents; i++) {
        const struct trace_event *x = &a->events[i], *y = &b->events[i];
        cr_expect_eq(x->op, y->op, "event %zu", i);
        cr_expect_eq(x->base, y->base, "event %zu", i);
        cr_expect_eq(x->limit, y->limit, "event %zu", i);
        cr_expect_eq(x->flags, y->flags, "event %zu", i);
        cr_expect_eq(x->kind, y->kind, "event %zu", i);
        cr_expect_eq(x->el, y->el, "event %zu", i);
        cr_expect_eq(x->reg, y->reg, "event %zu", i);
        cr_expect_eq(x->expect.has, y->expect.has, "event %zu", i);
        cr_expect_eq(x->expect.rc, y->expect.rc, "event %zu", i);
        cr_expect_eq(x->expect.used, y->expect.used, "event %zu", i);
        cr_expect_eq(x->expect.region, y->expect.region, "event %zu", i);
        cr_expect_eq(x->expect.fault, y->expect.fault, "event %zu", i);
    }
}

/* ---- good traces ---- */

static const char *const sample_events[] = {
    "{\"op\":\"map\",\"base\":\"0x8000000\",\"limit\":\"0x8001000\",\"flags\":\"RO\","
    "\"note\":\"early_fdt_map\",\"expect\":{\"rc\":0,\"used\":6,\"region\":5}}",
    "{\"op\":\"modify\",\"base\":688128,\"limit\":\"0xc4000\",\"flags\":\"RW\"}",
    "{\"op\":\"unmap\",\"base\":\"0x8000000\",\"limit\":\"0x8001000\",\"expect\":{\"rc\":0}}",
    "{\"op\":\"unmap_containing\",\"addr\":\"0x1f000000\",\"expect\":{\"rc\":-22,"
    "\"region\":null}}",
    "{\"op\":\"ioremap\",\"addr\":\"0x9c090000\",\"size\":4096,\"flags\":\"NOCACHE\"}",
    "{\"op\":\"access\",\"addr\":\"0x100\",\"kind\":\"exec\",\"expect\":{\"fault\":null}}",
    "{\"op\":\"access\",\"addr\":\"0x200\",\"size\":8,\"kind\":\"write\",\"el\":0,"
    "\"expect\":{\"fault\":\"permission\"}}",
    "{\"op\":\"sysreg\",\"reg\":\"PRBAR5_EL2\",\"value\":\"0x1032\"}",
};
#define NSAMPLE (sizeof sample_events / sizeof sample_events[0])

static char *sample_jsonl(void)
{
    static char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf,
                                "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                                "\"boot\":[{\"base\":\"0x0\",\"limit\":\"0x79cf4\",\"flags\":\"RX\","
                                "\"name\":\"text\"}]}\n");
    for (size_t i = 0; i < NSAMPLE; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\n", sample_events[i]);
    return buf;
}

static char *sample_document(void)
{
    static char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf,
                                "{\n  \"format\": \"mpusim-trace\", \"version\": 1,\n"
                                "  \"mpu\": {\"regions\": 16},\n"
                                "  \"boot\": [{\"base\": \"0x0\", \"limit\": \"0x79cf4\", "
                                "\"flags\": \"RX\", \"name\": \"text\"}],\n  \"events\": [\n");
    for (size_t i = 0; i < NSAMPLE; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "    %s%s\n", sample_events[i],
                              i + 1 < NSAMPLE ? "," : "");
    snprintf(buf + n, sizeof buf - n, "  ]\n}\n");
    return buf;
}

Test(read, document_and_json_lines_forms_give_identical_traces)
{
    struct trace d = read_ok(sample_document());
    struct trace l = read_ok(sample_jsonl());
    cr_expect_eq(d.jsonl, 0);
    cr_expect_eq(l.jsonl, 1);
    cr_expect_eq(d.regions, 16);
    cr_expect_eq(l.regions, 16);
    cr_expect_eq(d.has_boot, 1);
    cr_expect_eq(l.has_boot, 1);
    cr_assert_eq(d.nboot, 1);
    cr_assert_eq(l.nboot, 1);
    cr_expect_eq(memcmp(d.boot, l.boot, sizeof *d.boot), 0);
    cr_expect_eq(d.nevents, NSAMPLE);
    expect_same_events(&d, &l);
    for (size_t i = 0; i < d.nevents; i++) {
        cr_expect_eq(d.events[i].line, -1);
        cr_expect_eq(l.events[i].line, (int)i + 2);
    }
    cr_expect_str_eq(d.source, "t.json");
    trace_fini(&d);
    trace_fini(&l);
}

Test(read, a_map_event_carries_base_limit_and_flags)
{
    struct trace_event ev = one_event(
        "{\"op\":\"map\",\"base\":\"0x10000000\",\"limit\":\"0x20000000\",\"flags\":\"RW\"}");
    cr_expect_eq(ev.op, TRACE_OP_MAP);
    cr_expect_eq(ev.base, 0x10000000u);
    cr_expect_eq(ev.limit, 0x20000000u);
    cr_expect_eq(ev.flags, 0x2Fu);
    cr_expect_eq(ev.expect.has, 0u);
    cr_expect_eq(ev.line, 2);
}

Test(read, a_modify_event_carries_base_limit_and_flags)
{
    struct trace_event ev =
        one_event("{\"op\":\"modify\",\"base\":\"0xa8000\",\"limit\":\"0xc4000\",\"flags\":\"RW\"}");
    cr_expect_eq(ev.op, TRACE_OP_MODIFY);
    cr_expect_eq(ev.base, 0xa8000u);
    cr_expect_eq(ev.limit, 0xc4000u);
    cr_expect_eq(ev.flags, 0x2Fu);
}

Test(read, an_unmap_event_carries_base_and_limit)
{
    struct trace_event ev = one_event("{\"op\":\"unmap\",\"base\":\"0x8000000\",\"limit\":\"0x8003000\"}");
    cr_expect_eq(ev.op, TRACE_OP_UNMAP);
    cr_expect_eq(ev.base, 0x8000000u);
    cr_expect_eq(ev.limit, 0x8003000u);
}

Test(read, an_unmap_containing_event_carries_addr_in_base)
{
    struct trace_event ev = one_event("{\"op\":\"unmap_containing\",\"addr\":\"0x1f000000\"}");
    cr_expect_eq(ev.op, TRACE_OP_UNMAP_CONTAINING);
    cr_expect_eq(ev.base, 0x1f000000u);
}

Test(read, an_ioremap_event_carries_addr_size_and_flags)
{
    struct trace_event ev = one_event(
        "{\"op\":\"ioremap\",\"addr\":\"0x20000000\",\"size\":\"0x1400000\",\"flags\":\"WC\"}");
    cr_expect_eq(ev.op, TRACE_OP_IOREMAP);
    cr_expect_eq(ev.base, 0x20000000u);
    cr_expect_eq(ev.limit, 0x1400000u);
    cr_expect_eq(ev.flags, 0x29u);
}

Test(read, an_access_event_defaults_to_4_bytes_at_el2)
{
    struct trace_event ev = one_event("{\"op\":\"access\",\"addr\":\"0x100\",\"kind\":\"read\"}");
    cr_expect_eq(ev.op, TRACE_OP_ACCESS);
    cr_expect_eq(ev.base, 0x100u);
    cr_expect_eq(ev.limit, 4u);
    cr_expect_eq(ev.kind, (unsigned)TRACE_ACC_READ);
    cr_expect_eq(ev.el, 2u);
}

Test(read, an_access_event_takes_size_kind_and_el)
{
    struct trace_event ev = one_event(
        "{\"op\":\"access\",\"addr\":\"0x2000\",\"size\":16,\"kind\":\"write\",\"el\":0}");
    cr_expect_eq(ev.limit, 16u);
    cr_expect_eq(ev.kind, (unsigned)TRACE_ACC_WRITE);
    cr_expect_eq(ev.el, 0u);
    ev = one_event("{\"op\":\"access\",\"addr\":\"0x2000\",\"kind\":\"exec\",\"el\":1}");
    cr_expect_eq(ev.kind, (unsigned)TRACE_ACC_EXEC);
    cr_expect_eq(ev.el, 1u);
}

Test(read, a_sysreg_event_resolves_the_register_name_and_keeps_the_value)
{
    struct trace_event ev =
        one_event("{\"op\":\"sysreg\",\"reg\":\"PRLAR1_EL2\",\"value\":\"0xffffffffffffffff\"}");
    cr_expect_eq(ev.op, TRACE_OP_SYSREG);
    cr_expect_eq(ev.reg, mpu_reg_from_name("PRLAR1_EL2"));
    cr_expect_eq(ev.limit, UINT64_MAX);
    ev = one_event("{\"op\":\"sysreg\",\"reg\":\"SCTLR_EL2\",\"value\":524289}");
    cr_expect_eq(ev.reg, mpu_reg_from_name("SCTLR_EL2"));
    cr_expect_eq(ev.limit, 0x80001u);
}

Test(read, hex_strings_and_integers_give_the_same_numbers)
{
    struct trace_event a = one_event("{\"op\":\"unmap_containing\",\"addr\":\"0x9c090000\"}");
    struct trace_event b = one_event("{\"op\":\"unmap_containing\",\"addr\":2617835520}");
    cr_expect_eq(a.base, 0x9c090000u);
    cr_expect_eq(b.base, a.base);
}

Test(read, hex_strings_accept_either_case_and_leading_zeros)
{
    cr_expect_eq(one_event("{\"op\":\"unmap_containing\",\"addr\":\"0xABCdef\"}").base, 0xABCDEFu);
    cr_expect_eq(one_event("{\"op\":\"unmap_containing\",\"addr\":\"0X1F\"}").base, 0x1Fu);
    cr_expect_eq(one_event("{\"op\":\"unmap_containing\",\"addr\":\"0x0\"}").base, 0u);
    cr_expect_eq(
        one_event("{\"op\":\"unmap_containing\",\"addr\":\"0x00000000000000000000001\"}").base,
        1u);
    cr_expect_eq(one_event("{\"op\":\"unmap_containing\",\"addr\":\"0xFFFFFFFFFFFFFFFF\"}").base,
                 UINT64_MAX);
    cr_expect_eq(one_event("{\"op\":\"unmap_containing\",\"addr\":9223372036854775807}").base,
                 0x7FFFFFFFFFFFFFFFu);
}

Test(read, flag_names_give_xen_flag_words)
{
    static const struct { const char *name; unsigned flags; } cases[] = {
        { "RO", MM_PAGE_HYPERVISOR_RO }, { "RX", MM_PAGE_HYPERVISOR_RX },
        { "RW", MM_PAGE_HYPERVISOR_RW }, { "NOCACHE", MM_PAGE_HYPERVISOR_NOCACHE },
        { "WC", MM_PAGE_HYPERVISOR_WC },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[200];
        snprintf(line, sizeof line,
                 "{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":\"%s\"}", cases[i].name);
        cr_expect_eq(one_event(line).flags, cases[i].flags, "%s", cases[i].name);
        cr_expect_eq(trace_flags_from_name(cases[i].name), (int)cases[i].flags);
    }
    cr_expect_eq(cases[0].flags, 0x3Fu);
    cr_expect_eq(cases[1].flags, 0x37u);
    cr_expect_eq(cases[2].flags, 0x2Fu);
    cr_expect_eq(cases[3].flags, 0x2Cu);
    cr_expect_eq(cases[4].flags, 0x29u);
}

Test(read, flags_may_be_numbers_from_0_to_0x1ff)
{
    cr_expect_eq(one_event("{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":0}").flags, 0u);
    cr_expect_eq(one_event("{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":39}").flags, 0x27u);
    cr_expect_eq(one_event("{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":\"0x2f\"}").flags,
                 0x2Fu);
    cr_expect_eq(one_event("{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":\"0x1FF\"}").flags,
                 0x1FFu);
}

Test(read, flag_names_are_case_sensitive)
{
    cr_expect_eq(trace_flags_from_name("rw"), -1);
    cr_expect_eq(trace_flags_from_name("Nocache"), -1);
    cr_expect_eq(trace_flags_from_name(""), -1);
}

Test(read, expectations_record_which_fields_are_present)
{
    struct trace_event ev = one_event(
        "{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":\"RW\","
        "\"expect\":{\"rc\":-2,\"used\":16,\"region\":15,\"fault\":\"no_region\"}}");
    cr_expect_eq(ev.expect.has,
                 TRACE_EXPECT_RC | TRACE_EXPECT_USED | TRACE_EXPECT_REGION | TRACE_EXPECT_FAULT);
    cr_expect_eq(ev.expect.rc, -2);
    cr_expect_eq(ev.expect.used, 16);
    cr_expect_eq(ev.expect.region, 15);
    cr_expect_eq(ev.expect.fault, MPU_FAULT_NO_REGION);
    ev = one_event("{\"op\":\"unmap_containing\",\"addr\":0,\"expect\":{\"used\":0}}");
    cr_expect_eq(ev.expect.has, TRACE_EXPECT_USED);
    cr_expect_eq(ev.expect.used, 0);
    ev = one_event("{\"op\":\"unmap_containing\",\"addr\":0,\"expect\":{}}");
    cr_expect_eq(ev.expect.has, 0u);
}

Test(read, null_region_and_null_fault_are_expectations_too)
{
    struct trace_event ev = one_event(
        "{\"op\":\"access\",\"addr\":0,\"kind\":\"read\",\"expect\":{\"region\":null,"
        "\"fault\":null}}");
    cr_expect_eq(ev.expect.has, TRACE_EXPECT_REGION | TRACE_EXPECT_FAULT);
    cr_expect_eq(ev.expect.region, -1);
    cr_expect_eq(ev.expect.fault, MPU_FAULT_NONE);
}

Test(read, every_fault_name_is_accepted)
{
    cr_expect_eq(one_event("{\"op\":\"access\",\"addr\":0,\"kind\":\"read\","
                           "\"expect\":{\"fault\":\"permission\"}}").expect.fault,
                 MPU_FAULT_PERMISSION);
    cr_expect_eq(one_event("{\"op\":\"access\",\"addr\":0,\"kind\":\"read\","
                           "\"expect\":{\"fault\":\"multiple_regions\"}}").expect.fault,
                 MPU_FAULT_MULTIPLE_REGIONS);
}

Test(read, x_fields_are_accepted_anywhere_and_ignored)
{
    struct trace t = read_ok(
        "{\"format\":\"mpusim-trace\",\"version\":1,\"x-tool\":\"capture 1.0\","
        "\"mpu\":{\"regions\":32,\"x-part\":\"R82\"},"
        "\"boot\":[{\"base\":0,\"limit\":64,\"flags\":\"RX\",\"x-section\":[1,2]}]}\n"
        "{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":\"RW\",\"x-cpu\":0,"
        "\"expect\":{\"rc\":0,\"x-why\":{\"a\":null}}}\n");
    cr_expect_eq(t.regions, 32);
    cr_expect_eq(t.nboot, 1);
    cr_assert_eq(t.nevents, 1);
    cr_expect_eq(t.events[0].expect.has, TRACE_EXPECT_RC);
    trace_fini(&t);
}

Test(read, boot_regions_keep_their_fields_and_names)
{
    struct trace t = read_ok(
        "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},\"boot\":["
        "{\"base\":\"0x0\",\"limit\":\"0x79cf4\",\"flags\":\"RX\",\"name\":\"text\"},"
        "{\"base\":\"0xa2000\",\"limit\":\"0xa8000\",\"flags\":47},"
        "{\"base\":1,\"limit\":2,\"flags\":\"RW\",\"name\":"
        "\"a very long section name that does not fit in the field\"}],\"events\":[]}");
    cr_assert_eq(t.nboot, 3);
    cr_expect_eq(t.has_boot, 1);
    cr_expect_eq(t.boot[0].base, 0u);
    cr_expect_eq(t.boot[0].limit, 0x79cf4u);
    cr_expect_eq(t.boot[0].flags, 0x37u);
    cr_expect_str_eq(t.boot[0].name, "text");
    cr_expect_eq(t.boot[1].flags, 0x2Fu);
    cr_expect_str_eq(t.boot[1].name, "");
    cr_expect_eq(strlen(t.boot[2].name), sizeof t.boot[2].name - 1);
    cr_expect_eq(strncmp(t.boot[2].name, "a very long", 11), 0);
    cr_expect_eq(t.nevents, 0);
    trace_fini(&t);
}

Test(read, an_empty_boot_list_still_counts_as_a_boot_key)
{
    struct trace t = read_ok(
        "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},\"boot\":[]}\n");
    cr_expect_eq(t.has_boot, 1);
    cr_expect_eq(t.nboot, 0);
    cr_expect_null(t.boot);
    trace_fini(&t);
    t = read_ok(HDR);
    cr_expect_eq(t.has_boot, 0);
    cr_expect_eq(t.nevents, 0);
    trace_fini(&t);
}

Test(read, blank_lines_and_crlf_line_ends_are_allowed_in_json_lines)
{
    struct trace t = read_ok("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":8}}"
                             "\r\n\r\n"
                             "{\"op\":\"unmap_containing\",\"addr\":1}\r\n"
                             "   \n\t\n"
                             "{\"op\":\"unmap_containing\",\"addr\":2}");
    cr_assert_eq(t.nevents, 2);
    cr_expect_eq(t.events[0].line, 3);
    cr_expect_eq(t.events[1].line, 6);
    cr_expect_eq(t.events[1].base, 2u);
    trace_fini(&t);
}

Test(read, algorithm_arguments_are_not_judged_by_the_reader)
{
    /* base >= limit, unaligned ranges and size 0 are inputs the algorithm rejects itself */
    struct trace_event ev =
        one_event("{\"op\":\"map\",\"base\":\"0x40000000\",\"limit\":\"0x40000000\",\"flags\":\"RW\"}");
    cr_expect_eq(ev.base, ev.limit);
    ev = one_event("{\"op\":\"unmap\",\"base\":\"0x2000\",\"limit\":\"0x1800\"}");
    cr_expect_gt(ev.base, ev.limit);
    ev = one_event("{\"op\":\"ioremap\",\"addr\":\"0x1000\",\"size\":0,\"flags\":\"NOCACHE\"}");
    cr_expect_eq(ev.limit, 0u);
}

Test(read, a_utf8_byte_order_mark_is_skipped)
{
    struct trace t = read_ok("\xEF\xBB\xBF" HDR "{\"op\":\"unmap_containing\",\"addr\":1}\n");
    cr_expect_eq(t.nevents, 1);
    trace_fini(&t);
}

Test(read, names_of_ops_and_access_kinds_are_those_of_the_format)
{
    cr_expect_str_eq(trace_op_name(TRACE_OP_MAP), "map");
    cr_expect_str_eq(trace_op_name(TRACE_OP_MODIFY), "modify");
    cr_expect_str_eq(trace_op_name(TRACE_OP_UNMAP), "unmap");
    cr_expect_str_eq(trace_op_name(TRACE_OP_UNMAP_CONTAINING), "unmap_containing");
    cr_expect_str_eq(trace_op_name(TRACE_OP_IOREMAP), "ioremap");
    cr_expect_str_eq(trace_op_name(TRACE_OP_ACCESS), "access");
    cr_expect_str_eq(trace_op_name(TRACE_OP_SYSREG), "sysreg");
    cr_expect_str_eq(trace_op_name(TRACE_OP_COUNT), "?");
    cr_expect_str_eq(trace_access_kind_name(TRACE_ACC_READ), "read");
    cr_expect_str_eq(trace_access_kind_name(TRACE_ACC_WRITE), "write");
    cr_expect_str_eq(trace_access_kind_name(TRACE_ACC_EXEC), "exec");
}

Test(read, trace_fini_accepts_a_zeroed_or_finalised_trace)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    trace_fini(&t);
    t = read_ok(sample_jsonl());
    trace_fini(&t);
    trace_fini(&t);
    cr_expect_null(t.events);
    cr_expect_null(t.boot);
    cr_expect_eq(t.nevents, 0);
}

/* ---- long traces (decoded in parallel chunks) ---- */

#define LONG_EVENTS 50000

/* A JSON Lines trace of n unmap_containing events (addr = index), a blank line after every
 * 1000th event; if bad >= 0, event bad has a string where addr needs a number. */
static char *long_trace(long n, long bad, size_t *len)
{
    size_t cap = (size_t)n * 64 + 256, pos = 0;
    char *buf = malloc(cap);
    cr_assert_not_null(buf);
    pos += (size_t)snprintf(buf, cap, HDR);
    for (long i = 0; i < n; i++) {
        if (i == bad)
            pos += (size_t)snprintf(buf + pos, cap - pos,
                                    "{\"op\":\"unmap_containing\",\"addr\":\"zz\"}\n");
        else
            pos += (size_t)snprintf(buf + pos, cap - pos,
                                    "{\"op\":\"unmap_containing\",\"addr\":%ld}\n", i);
        if (i % 1000 == 999)
            pos += (size_t)snprintf(buf + pos, cap - pos, "\n");
    }
    *len = pos;
    return buf;
}

/* File line of event i in long_trace(): header on line 1, a blank line after every 1000th. */
static int long_trace_line(long i)
{
    return (int)(2 + i + i / 1000);
}

Test(read, a_long_json_lines_trace_keeps_every_event_in_order)
{
    size_t len;
    char *buf = long_trace(LONG_EVENTS, -1, &len);
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_buffer(buf, len, "long.jsonl", &t, &err), 0, "%s", err.text);
    cr_assert_eq(t.nevents, LONG_EVENTS);
    for (long i = 0; i < LONG_EVENTS; i++) {
        if (t.events[i].base != (uint64_t)i || t.events[i].line != long_trace_line(i))
            cr_assert_fail("event %ld: base %llu line %d", i,
                           (unsigned long long)t.events[i].base, t.events[i].line);
    }
    trace_fini(&t);
    free(buf);
}

Test(read, an_error_late_in_a_long_trace_names_its_line_and_event)
{
    size_t len;
    long bad = LONG_EVENTS - 123;
    char *buf = long_trace(LONG_EVENTS, bad, &len);
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_buffer(buf, len, "long.jsonl", &t, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect_str_eq(err.source, "long.jsonl");
    cr_expect_eq(err.line, long_trace_line(bad));
    cr_expect_eq(err.column, -1);
    cr_expect_eq(err.event, bad);
    expect_text(err, "field 'addr'");
    free(buf);
}

Test(read, the_first_error_in_file_order_wins_across_chunks)
{
    size_t len;
    char *buf = long_trace(LONG_EVENTS, 7, &len);
    /* a second error near the end, in another chunk */
    char *late = strstr(buf + len - 200, "\"addr\":");
    cr_assert_not_null(late);
    memcpy(late, "\"addr!\"", 7);
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_buffer(buf, len, "long.jsonl", &t, &err), -1);
    cr_expect_eq(err.event, 7);
    cr_expect_eq(err.line, long_trace_line(7));
    free(buf);
}

/* ---- files ---- */

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mpusim-read-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char path[128];
    const char *names[] = { "t.json", "t.jsonl", "empty.json" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

static void write_file(const char *name, const char *text, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

TestSuite(read_file, .init = make_tmpdir, .fini = remove_tmpdir);

Test(read_file, files_in_both_forms_read_like_buffers)
{
    char pd[128], pl[128];
    write_file("t.json", sample_document(), pd, sizeof pd);
    write_file("t.jsonl", sample_jsonl(), pl, sizeof pl);
    struct trace d, l;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(pd, &d, &err), 0, "%s", err.text);
    cr_assert_eq(trace_read_file(pl, &l, &err), 0, "%s", err.text);
    cr_expect_str_eq(d.source, pd);
    cr_expect_str_eq(l.source, pl);
    cr_expect_eq(l.jsonl, 1);
    expect_same_events(&d, &l);
    trace_fini(&d);
    trace_fini(&l);
}

Test(read_file, a_nonexistent_file_is_an_io_error_naming_the_file)
{
    char path[128];
    snprintf(path, sizeof path, "%s/no-such-trace.json", tmpdir);
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(path, &t, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_IO);
    cr_expect_str_eq(err.source, path);
    cr_expect_eq(err.line, -1);
    cr_expect_eq(err.column, -1);
    cr_expect_eq(err.event, -1);
    expect_text(err, "cannot open");
}

Test(read_file, an_empty_file_is_a_parse_error)
{
    char path[128];
    write_file("empty.json", "", path, sizeof path);
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(path, &t, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_str_eq(err.source, path);
    cr_expect_eq(err.line, -1);
    cr_expect_eq(err.event, -1);
    expect_text(err, "empty trace");
}

/* ---- bad input, one by one ---- */

Test(read_bad, malformed_json_reports_line_and_column)
{
    struct mpusim_error err = read_bad("{\"format\":\"mpusim-trace\",\n"
                                       "\"version\":1 \"mpu\":{}}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.line, 2);
    cr_expect_eq(err.column, 17); /* the end of the unexpected token "mpu" */
    cr_expect_eq(err.event, -1);
    expect_text(err, "invalid JSON");
}

Test(read_bad, malformed_json_on_an_event_line_reports_the_file_line)
{
    struct mpusim_error err = read_bad(HDR "\n{\"op\":\"unmap_containing\",\"addr\":1}\n"
                                           "{\"op\":\"unmap_containing\" \"addr\":2}\n");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.line, 4);
    cr_expect_eq(err.column, 31); /* jansson: last character of the unexpected token */
    cr_expect_eq(err.event, 1);
    expect_text(err, "invalid JSON");
}

Test(read_bad, a_document_cut_mid_object_is_a_parse_error_at_the_end)
{
    struct mpusim_error err = read_bad(DOC_OPEN "\n{\"op\":\"unmap_containing\",\"addr\":1},\n"
                                                "{\"op\":\"unmap_cont");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.line, 3);
    cr_expect_gt(err.column, 0);
    expect_text(err, "invalid JSON");
}

Test(read_bad, a_json_lines_trace_cut_mid_line_is_a_parse_error_on_that_line)
{
    struct mpusim_error err = read_bad(HDR "{\"op\":\"unmap_containing\",\"addr\":1}\n"
                                           "{\"op\":\"map\",\"base\":\"0x1000\",\"li");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.line, 3);
    cr_expect_gt(err.column, 0);
    cr_expect_eq(err.event, 1);
    expect_text(err, "invalid JSON");
}

Test(read_bad, an_empty_or_blank_buffer_is_a_parse_error)
{
    struct mpusim_error err = read_bad("");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.line, -1);
    cr_expect_eq(err.event, -1);
    expect_text(err, "empty trace");
    err = read_bad(" \n\t\r\n");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "empty trace");
}

Test(read_bad, a_field_of_the_wrong_type_is_a_parse_error_naming_it)
{
    struct mpusim_error err =
        event_error("{\"op\":\"map\",\"base\":\"0x1000\",\"limit\":true,\"flags\":\"RW\"}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.column, -1);
    cr_expect_str_eq(err.text, "map: field 'limit': expected a hex string or non-negative "
                               "integer, got boolean");
    err = event_error("{\"op\":\"map\",\"base\":1.5,\"limit\":4096,\"flags\":\"RW\"}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'base'");
    err = event_error("{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'flags'");
    err = event_error("{\"op\":\"access\",\"addr\":0,\"kind\":\"read\",\"el\":\"2\"}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'el'");
    err = event_error("{\"op\":\"access\",\"addr\":0,\"kind\":1}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'kind'");
    err = event_error("{\"op\":\"unmap_containing\",\"addr\":0,\"note\":7}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'note'");
    err = event_error("{\"op\":\"unmap_containing\",\"addr\":0,\"expect\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'expect'");
    err = event_error("{\"op\":\"unmap_containing\",\"addr\":0,\"expect\":{\"rc\":\"0\"}}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'expect.rc'");
    err = event_error("{\"op\":\"unmap_containing\",\"addr\":0,\"expect\":{\"fault\":3}}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'expect.fault'");
    err = event_error("[1,2]");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "expected an event object, got array");
    err = event_error("{\"op\":5}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'op'");
}

Test(read_bad, wrong_types_in_the_document_form_give_the_event_index)
{
    struct mpusim_error err = read_bad(DOC_OPEN "{\"op\":\"unmap_containing\",\"addr\":1},"
                                                "{\"op\":\"unmap_containing\",\"addr\":1},"
                                                "{\"op\":\"unmap\",\"base\":0,\"limit\":{}}]}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.line, -1);
    cr_expect_eq(err.column, -1);
    cr_expect_eq(err.event, 2);
    cr_expect_str_eq(err.text, "unmap: field 'limit': expected a hex string or non-negative "
                               "integer, got object");
    char buf[512];
    cr_expect_str_eq(mpusim_error_format(&err, buf, sizeof buf),
                     "bad.json: event 2: unmap: field 'limit': expected a hex string or "
                     "non-negative integer, got object");
}

Test(read_bad, an_unknown_field_is_an_error_except_x_names)
{
    struct mpusim_error err =
        event_error("{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":\"RW\",\"colour\":1}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "unknown field 'colour'");
    /* a field of another op is unknown here too */
    err = event_error("{\"op\":\"unmap_containing\",\"addr\":0,\"size\":4096}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "unknown field 'size'");
    err = event_error("{\"op\":\"unmap_containing\",\"addr\":0,\"expect\":{\"rc\":0,\"cost\":1}}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "unknown field 'expect.cost'");
    err = event_error("{\"op\":\"unmap_containing\",\"addr\":0,\"X-upper\":1}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                       "\"regions\":16,\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "header: unknown field 'regions'");
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":1,"
                       "\"mpu\":{\"regions\":16,\"el1_regions\":8},\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "unknown field 'mpu.el1_regions'");
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                       "\"boot\":[{\"base\":0,\"limit\":64,\"flags\":\"RX\",\"size\":64}],"
                       "\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "boot[0]: unknown field 'size'");
}

Test(read_bad, an_unknown_op_is_a_range_error)
{
    struct mpusim_error err = event_error("{\"op\":\"remap\",\"base\":0}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect_eq(err.column, -1);
    expect_text(err, "event: field 'op': unknown op \"remap\"");
}

Test(read_bad, an_unknown_register_name_is_a_range_error)
{
    struct mpusim_error err = event_error("{\"op\":\"sysreg\",\"reg\":\"PRBAR16_EL2\",\"value\":0}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect_str_eq(err.text, "sysreg: field 'reg': unknown register 'PRBAR16_EL2'");
    err = event_error("{\"op\":\"sysreg\",\"reg\":\"TTBR0_EL2X\",\"value\":0}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
}

Test(read_bad, an_unknown_flag_name_is_a_range_error)
{
    struct mpusim_error err = event_error("{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":\"rw\"}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "field 'flags': unknown flags name \"rw\"");
    err = event_error("{\"op\":\"ioremap\",\"addr\":0,\"size\":4096,\"flags\":\"RWX\"}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
}

Test(read_bad, flags_above_0x1ff_are_a_range_error)
{
    struct mpusim_error err = event_error("{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":512}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "flags 0x200 out of range");
    err = event_error("{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":\"0x200\"}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    err = event_error("{\"op\":\"map\",\"base\":0,\"limit\":4096,\"flags\":-1}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
}

Test(read_bad, region_counts_0_and_256_are_range_errors)
{
    struct mpusim_error err = header_error(
        "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":0},\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect_str_eq(err.text, "header: field 'mpu.regions': 0 out of range 1..255");
    err = header_error(
        "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":256},\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "256 out of range 1..255");
    /* in JSON Lines the header's line is known */
    err = read_bad("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":256}}\n");
    cr_expect_eq(err.line, 1);
    cr_expect_eq(err.event, -1);
}

Test(read_bad, el_3_is_a_range_error)
{
    struct mpusim_error err = event_error("{\"op\":\"access\",\"addr\":0,\"kind\":\"read\",\"el\":3}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect_str_eq(err.text, "access: field 'el': 3 out of range 0..2");
    err = event_error("{\"op\":\"access\",\"addr\":0,\"kind\":\"fetch\"}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "unknown access kind \"fetch\"");
}

Test(read_bad, an_empty_or_wrapping_access_is_a_range_error)
{
    struct mpusim_error err =
        event_error("{\"op\":\"access\",\"addr\":0,\"size\":0,\"kind\":\"read\"}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "field 'size'");
    err = event_error(
        "{\"op\":\"access\",\"addr\":\"0xfffffffffffffffe\",\"size\":4,\"kind\":\"read\"}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "wraps");
}

Test(read_bad, bad_hex_strings_are_range_errors)
{
    static const char *const bad[] = {
        "\"\"", "\"0x\"", "\"0xg1\"", "\"12\"", "\"-0x1\"", "\"0x 1\"", "\" 0x1\"",
        "\"0x1 \"", "\"0x10000000000000000\"", "\"x12\"", "\"0b101\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[200];
        snprintf(line, sizeof line, "{\"op\":\"unmap_containing\",\"addr\":%s}", bad[i]);
        struct mpusim_error err = event_error(line);
        cr_expect_eq(err.code, MPUSIM_E_RANGE, "%s", bad[i]);
        expect_text(err, "field 'addr'");
    }
    struct mpusim_error err = event_error("{\"op\":\"unmap_containing\",\"addr\":\"0x10000000000000000\"}");
    expect_text(err, "does not fit in 64 bits");
}

Test(read_bad, negative_integers_are_range_errors)
{
    struct mpusim_error err = event_error("{\"op\":\"unmap_containing\",\"addr\":-4096}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "negative value -4096");
}

Test(read_bad, expectation_values_out_of_range_are_range_errors)
{
    struct mpusim_error err =
        event_error("{\"op\":\"unmap_containing\",\"addr\":0,\"expect\":{\"used\":256}}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "field 'expect.used'");
    err = event_error("{\"op\":\"unmap_containing\",\"addr\":0,\"expect\":{\"region\":255}}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "field 'expect.region'");
    err = event_error("{\"op\":\"unmap_containing\",\"addr\":0,\"expect\":{\"region\":-1}}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    err = event_error("{\"op\":\"access\",\"addr\":0,\"kind\":\"read\",\"expect\":{\"fault\":\"none\"}}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "unknown fault \"none\"");
    err = event_error("{\"op\":\"access\",\"addr\":0,\"kind\":\"read\",\"expect\":{\"fault\":\"translation\"}}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
}

Test(read_bad, a_wrong_format_name_or_version_is_named_as_such)
{
    struct mpusim_error err =
        header_error("{\"format\":\"other-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                     "\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "field 'format'");
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":2,\"mpu\":{\"regions\":16},"
                       "\"events\":[],\"new_v2_field\":1}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect_str_eq(err.text,
                     "header: field 'version': unsupported version 2 (this reader knows version 1)");
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":\"1\",\"mpu\":{\"regions\":16},"
                       "\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'version'");
}

Test(read_bad, missing_required_fields_are_parse_errors_naming_them)
{
    struct mpusim_error err = event_error("{\"op\":\"map\",\"base\":0,\"flags\":\"RW\"}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_str_eq(err.text, "map: missing field 'limit'");
    err = event_error("{\"op\":\"ioremap\",\"addr\":0,\"size\":4096}");
    expect_text(err, "missing field 'flags'");
    err = event_error("{\"op\":\"access\",\"addr\":0}");
    expect_text(err, "missing field 'kind'");
    err = event_error("{\"op\":\"sysreg\",\"reg\":\"PRSELR_EL2\"}");
    expect_text(err, "missing field 'value'");
    err = event_error("{\"base\":0,\"limit\":4096}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_str_eq(err.text, "event: missing field 'op'");
    err = header_error("{\"version\":1,\"mpu\":{\"regions\":16},\"events\":[]}");
    expect_text(err, "missing field 'format'");
    err = header_error("{\"format\":\"mpusim-trace\",\"mpu\":{\"regions\":16},\"events\":[]}");
    expect_text(err, "missing field 'version'");
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":1,\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "missing field 'mpu'");
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{},\"events\":[]}");
    expect_text(err, "missing field 'mpu.regions'");
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                       "\"boot\":[{\"base\":0,\"flags\":\"RX\"}],\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_str_eq(err.text, "boot[0]: missing field 'limit'");
}

Test(read_bad, a_boot_region_needs_base_below_limit)
{
    struct mpusim_error err = header_error(
        "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},\"boot\":["
        "{\"base\":0,\"limit\":64,\"flags\":\"RX\"},"
        "{\"base\":\"0x2000\",\"limit\":\"0x2000\",\"flags\":\"RW\"}],\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    expect_text(err, "boot[1]: base 0x2000 must be below limit 0x2000");
}

Test(read_bad, the_header_must_be_an_object_with_well_typed_parts)
{
    struct mpusim_error err = read_bad("[1,2,3]");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "expected a header object, got array");
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                       "\"events\":{}}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'events'");
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":16,\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'mpu'");
    err = header_error("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},"
                       "\"boot\":{},\"events\":[]}");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    expect_text(err, "field 'boot'");
}

Test(read_bad, duplicate_keys_are_rejected)
{
    struct mpusim_error err = read_bad(HDR "{\"op\":\"unmap_containing\",\"addr\":1,\"addr\":2}\n");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.line, 2);
    expect_text(err, "duplicate");
}

Test(read_bad, data_after_the_document_or_after_the_header_line_is_an_error)
{
    struct mpusim_error err = read_bad(DOC_OPEN "]}\n{\"op\":\"unmap_containing\",\"addr\":1}\n");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.line, 2);
    cr_expect_eq(err.column, 1);
    expect_text(err, "after the trace document");
    err = read_bad("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16}} "
                   "{\"op\":\"unmap_containing\",\"addr\":1}\n");
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.line, 1);
    cr_expect_eq(err.column, 60); /* the "{" after the header */
    expect_text(err, "after the header");
}

Test(read_bad, the_first_recorded_error_is_kept)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    mpusim_error_at(&err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1, "earlier problem");
    struct trace t;
    cr_expect_eq(trace_read_buffer("", 0, "x.json", &t, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_USAGE);
    cr_expect_str_eq(err.text, "earlier problem");
    /* a NULL err is allowed */
    cr_expect_eq(trace_read_buffer("[]", 2, "x.json", &t, NULL), -1);
}
