/* The JSON Lines fast path (traces/jsonl_fast.cpp) against jansson: identical events or
 * identical errors, on every bundled trace, on generated traces (in memory and streamed from a
 * file), on valid lines of every op and field, on malformed lines of every kind, and on
 * thousands of random mutations of them. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traces/internal.h"
#include "traces/jsonl_fast.h"

#define HDR "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16}}\n"
#define ZHDR                                                                                     \
    "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":16},\"zephyr\":{"           \
    "\"static\":[{\"base\":\"0x0\",\"limit\":\"0x80000\",\"attr\":\"RAM\"}],"                    \
    "\"dyn_area\":{\"base\":\"0x20000\",\"limit\":\"0x80000\"}}}\n"

/* Lines the fast path must decode itself (and to jansson's event). */
static const char *const valid[] = {
    "{\"op\": \"map\", \"base\": \"0x10000000\", \"limit\": \"0x10001000\", \"flags\": \"RW\"}",
    "{\"op\":\"map\",\"base\":268435456,\"limit\":268439552,\"flags\":47}",
    "{\"flags\": \"0x2f\", \"limit\": \"0X10001000\", \"base\": \"0x000010000000\", \"op\": \"map\"}",
    "{\"op\": \"map\", \"base\": \"0xFFFFFFFFFFFFF000\", \"limit\": \"0xffffffffffffffff\", \"flags\": 0}",
    "{\"op\": \"modify\", \"base\": \"0x0\", \"limit\": \"0x1000\", \"flags\": \"RO\"}",
    "{\"op\": \"modify\", \"base\": 0, \"limit\": 9223372036854775807, \"flags\": \"0x1ff\"}",
    "{\"op\": \"unmap\", \"base\": \"0x1000\", \"limit\": \"0x2000\"}",
    "{\"op\": \"unmap_containing\", \"addr\": \"0x9c000000\"}",
    "{\"op\": \"ioremap\", \"addr\": \"0x9c000000\", \"size\": \"0x100\", \"flags\": \"NOCACHE\"}",
    "{\"op\": \"ioremap\", \"addr\": 1, \"size\": 0, \"flags\": \"WC\"}",
    "{\"op\": \"access\", \"addr\": \"0x1000\", \"kind\": \"read\"}",
    "{\"op\": \"access\", \"addr\": \"0x1000\", \"size\": 8, \"kind\": \"write\", \"el\": 0}",
    "{\"op\": \"access\", \"kind\": \"exec\", \"el\": 1, \"addr\": 4096, \"size\": \"0x2\"}",
    "{\"op\": \"sysreg\", \"reg\": \"PRBAR_EL2\", \"value\": \"0x2003a\"}",
    "{\"op\": \"sysreg\", \"reg\": \"prlar3_el2\", \"value\": 196559}",
    "{\"op\": \"sysreg\", \"reg\": \"S3_4_C6_C8_0\", \"value\": \"0x0\"}",
    "{\"op\": \"sysreg\", \"reg\": \"SCTLR_EL2\", \"value\": \"0x1\", \"note\": \"MPU on\"}",
    "{\"op\": \"map\", \"base\": \"0x0\", \"limit\": \"0x1000\", \"flags\": \"RX\", "
    "\"expect\": {\"rc\": -22, \"used\": 6, \"region\": 5, \"enabled\": 255, \"writes\": 3, "
    "\"barriers\": 9223372036854775807}}",
    "{\"op\": \"access\", \"addr\": \"0x0\", \"kind\": \"read\", \"expect\": {\"fault\": "
    "\"permission\", \"region\": null}}",
    "{\"op\": \"access\", \"addr\": \"0x0\", \"kind\": \"read\", \"expect\": {\"fault\": null, "
    "\"region\": 254, \"rc\": -2147483648, \"x-why\": [1, {\"a\": null}]}}",
    "{\"op\": \"access\", \"addr\": \"0x0\", \"kind\": \"read\", \"expect\": {\"fault\": "
    "\"multiple_regions\"}}",
    "{\"op\": \"access\", \"addr\": \"0x0\", \"kind\": \"read\", \"expect\": {\"fault\": "
    "\"no_region\", \"used\": 0, \"region_num\": null}}",
    "{\"op\": \"unmap\", \"base\": \"0x1000\", \"limit\": \"0x2000\", \"expect\": {}, "
    "\"x-a\": 1.5, \"x-b\": true, \"x-c\": null, \"x-d\": [], \"x-e\": {\"f\": [1, 2, "
    "{\"g\": \"h\"}]}, \"x-\": -3, \"x-f\": -0, \"x-g\": 1e-400, \"x-h\": \"\"}",
    "{\"op\": \"unmap\", \"base\": 1, \"limit\": 2, \"x-big\": 9223372036854775807, "
    "\"x-small\": -9223372036854775808}",
    "{\"op\": \"unmap\", \"base\": \"0x1000\", \"limit\": \"0x2000\", \"note\": "
    "\"quote \\\" slash \\/ backslash \\\\ tab \\t nl \\n\"}",
    "\t{ \"op\" : \"unmap\" ,\t\"base\" : \"0x1000\" , \"limit\" : \"0x2000\" }  \r",
    /* zephyr */
    "{\"op\": \"thread_create\", \"thread\": \"main\", \"stack_obj\": \"0x30000\", "
    "\"size\": \"0x1000\"}",
    "{\"op\": \"thread_create\", \"thread\": 7, \"stack_obj\": 196608, \"size\": 4096, "
    "\"user\": true}",
    "{\"op\": \"thread_create\", \"thread\": \"abcdefghijklmnopqrstuvwxyz01234\", "
    "\"stack_obj\": \"0x30000\", \"size\": \"0x1000\", \"user\": false}",
    "{\"op\": \"domain_init\", \"domain\": \"d1\"}",
    "{\"op\": \"domain_init\", \"domain\": 2, \"partitions\": []}",
    "{\"op\": \"domain_init\", \"domain\": \"d1\", \"partitions\": [{\"base\": \"0x40000\", "
    "\"limit\": \"0x41000\", \"attr\": \"P_RW_U_RW\", \"name\": \"p0\", \"x-k\": 1}, "
    "{\"base\": 266240, \"limit\": 270336, \"attr\": {\"rbar\": \"0x04\", \"ai\": 2, "
    "\"x-n\": \"\"}}]}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"default\", \"base\": \"0x40000\", "
    "\"limit\": \"0x40000\", \"attr\": \"FLASH\"}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": \"0x0\", \"limit\": "
    "\"0x1000\", \"attr\": {\"ai\": 7, \"rbar\": 62}}",
    "{\"op\": \"domain_remove_partition\", \"domain\": \"d\", \"base\": \"0x0\", \"limit\": "
    "\"0x1000\"}",
    "{\"op\": \"domain_add_thread\", \"domain\": \"d\", \"thread\": \"main\"}",
    "{\"op\": \"user_enter\", \"thread\": \"main\"}",
    "{\"op\": \"switch\", \"thread\": 0, \"expect\": {\"region_num\": 4, \"enabled\": 9}}",
};

/* Valid lines the fast path declines (not sure to read them as jansson does): jansson's event
 * is used. */
static const char *const declined_valid[] = {
    "{\"op\": \"unmap\", \"base\": \"0x1000\", \"limit\": \"0x2000\", \"note\": \"caf\xc3\xa9\"}",
    "{\"op\": \"unmap\", \"base\": \"0x1000\", \"limit\": \"0x2000\", \"note\": \"\\u00e9\"}",
    "{\"o\\u0070\": \"unmap\", \"base\": \"0x1000\", \"limit\": \"0x2000\"}",
    "{\"op\": \"unmap\", \"base\": \"0x1000\", \"limit\": \"0x2000\", \"x-r\": 1e301}",
};

/* Malformed lines of every kind: both paths must give jansson's error. */
static const char *const malformed[] = {
    /* syntax */
    "{", "}", "[1]", "5", "\"map\"", "null", "{\"op\": \"map\",}", "{\"op\" \"map\"}",
    "{'op': 'map'}", "{\"op\": \"unmap\", \"base\": 01, \"limit\": 2}",
    "{\"op\": \"unmap_containing\", \"addr\": 1} {}", "{\"op\": \"unmap_containing\", \"addr\": 1}x",
    "{\"op\": \"unmap_containing\", \"addr\": NaN}", "{\"op\": \"unmap_containing\", \"addr\": tru}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"x-a\": nul}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"x-a\": [1,]}",
    "{\"op\": \"unmap_containing\", \"addr\": 1e999}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"x-a\": 1e999}",
    "{\"op\": \"unmap_containing\", \"addr\": 9223372036854775808}",
    "{\"op\": \"unmap_containing\", \"addr\": 18446744073709551616}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"x-a\": 9223372036854775808}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"x-a\": -9223372036854775809}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"note\": \"a\\u0000b\"}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"note\": \"\\ud800\"}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"note\": \"\\x\"}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"note\": \"\xff\"}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"note\": \"\xc0\xaf\"}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"note\": \"\xed\xa0\x80\"}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"note\": \"a\tb\"}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"note\": \"a\x01\"}",
    "{\"op\": \"unmap_containing\", \"addr\": 1}\x0c",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"note\": \"open}",
    /* duplicates, at every depth */
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"addr\": 2}",
    "{\"op\": \"unmap_containing\", \"op\": \"unmap_containing\", \"addr\": 2}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"x-a\": 1, \"x-a\": 2}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"expect\": {\"rc\": 0, \"rc\": 0}}",
    "{\"op\": \"unmap_containing\", \"addr\": 1, \"x-a\": [{\"b\": 1, \"b\": 1}]}",
    "{\"op\": \"domain_init\", \"domain\": \"d\", \"partitions\": [{\"base\": 0, \"base\": 0, "
    "\"limit\": 1, \"attr\": \"RAM\"}]}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": 0, \"limit\": 1, "
    "\"attr\": {\"rbar\": 0, \"ai\": 0, \"ai\": 0}}",
    /* the format */
    "{}", "{\"base\": 1}", "{\"op\": 1}", "{\"op\": null}", "{\"op\": \"nope\"}",
    "{\"op\": \"MAP\", \"base\": 0, \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": 0, \"limit\": 1}",
    "{\"op\": \"map\", \"base\": 0, \"limit\": 1, \"flags\": \"RW\", \"addr\": 0}",
    "{\"op\": \"map\", \"base\": 0, \"limit\": 1, \"flags\": \"RW\", \"bogus\": 0}",
    "{\"op\": \"map\", \"base\": -1, \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": \"4096\", \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": \"0x\", \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": \"0xg\", \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": \"0x10000000000000000\", \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": \"\", \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": 4096.0, \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": -0.0, \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": true, \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": [0], \"limit\": 1, \"flags\": \"RW\"}",
    "{\"op\": \"map\", \"base\": 0, \"limit\": 1, \"flags\": \"rw\"}",
    "{\"op\": \"map\", \"base\": 0, \"limit\": 1, \"flags\": 512}",
    "{\"op\": \"map\", \"base\": 0, \"limit\": 1, \"flags\": \"0x200\"}",
    "{\"op\": \"map\", \"base\": 0, \"limit\": 1, \"flags\": -1}",
    "{\"op\": \"map\", \"base\": 0, \"limit\": 1, \"flags\": null}",
    "{\"op\": \"access\", \"addr\": 0, \"kind\": \"fetch\"}",
    "{\"op\": \"access\", \"addr\": 0, \"kind\": 1}",
    "{\"op\": \"access\", \"addr\": 0, \"kind\": \"read\", \"el\": 3}",
    "{\"op\": \"access\", \"addr\": 0, \"kind\": \"read\", \"el\": -1}",
    "{\"op\": \"access\", \"addr\": 0, \"kind\": \"read\", \"el\": \"2\"}",
    "{\"op\": \"access\", \"addr\": 0, \"kind\": \"read\", \"size\": 0}",
    "{\"op\": \"access\", \"addr\": \"0xffffffffffffffff\", \"kind\": \"read\", \"size\": 2}",
    "{\"op\": \"access\", \"addr\": 0}",
    "{\"op\": \"sysreg\", \"reg\": \"PRBAR_EL3\", \"value\": 0}",
    "{\"op\": \"sysreg\", \"reg\": 5, \"value\": 0}",
    "{\"op\": \"sysreg\", \"reg\": \"SCTLR_EL2\"}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"note\": 5}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": []}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"rc\": 0.5}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"rc\": 2147483648}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"used\": 256}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"used\": null}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"region\": 255}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"region\": -1}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"fault\": \"none\"}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"fault\": 0}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"region_num\": 256}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"enabled\": -1}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"writes\": -1}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"barriers\": \"1\"}}",
    "{\"op\": \"unmap\", \"base\": 0, \"limit\": 1, \"expect\": {\"cycles\": 1}}",
    "{\"op\": \"thread_create\", \"thread\": \"\", \"stack_obj\": 0, \"size\": 1}",
    "{\"op\": \"thread_create\", \"thread\": \"abcdefghijklmnopqrstuvwxyz012345\", "
    "\"stack_obj\": 0, \"size\": 1}",
    "{\"op\": \"thread_create\", \"thread\": -1, \"stack_obj\": 0, \"size\": 1}",
    "{\"op\": \"thread_create\", \"thread\": true, \"stack_obj\": 0, \"size\": 1}",
    "{\"op\": \"thread_create\", \"thread\": \"t\", \"stack_obj\": 0, \"size\": 1, \"user\": 1}",
    "{\"op\": \"thread_create\", \"thread\": \"t\", \"stack_obj\": \"0xfffffffffffff000\", "
    "\"size\": \"0x2000\"}",
    "{\"op\": \"thread_create\", \"thread\": \"t\", \"stack_obj\": 0}",
    "{\"op\": \"domain_init\", \"domain\": \"d\", \"partitions\": {}}",
    "{\"op\": \"domain_init\", \"domain\": \"d\", \"partitions\": [1]}",
    "{\"op\": \"domain_init\", \"domain\": \"d\", \"partitions\": [{\"base\": 1, \"limit\": 1, "
    "\"attr\": \"RAM\"}]}",
    "{\"op\": \"domain_init\", \"domain\": \"d\", \"partitions\": [{\"base\": 0, \"limit\": 1}]}",
    "{\"op\": \"domain_init\", \"domain\": \"d\", \"partitions\": [{\"base\": 0, \"limit\": 1, "
    "\"attr\": \"RAM\", \"name\": 1}]}",
    "{\"op\": \"domain_init\", \"domain\": \"d\", \"partitions\": [{\"base\": 0, \"limit\": 1, "
    "\"attr\": \"RAM\", \"size\": 1}]}",
    "{\"op\": \"domain_init\", \"domain\": \"d\", \"partitions\": [{\"base\": 0, \"limit\": 1, "
    "\"attr\": \"RAM\"}, 5]}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": 2, \"limit\": 1, "
    "\"attr\": \"RAM\"}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": 0, \"limit\": 1, "
    "\"attr\": \"ram\"}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": 0, \"limit\": 1, "
    "\"attr\": {\"rbar\": 1, \"ai\": 0}}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": 0, \"limit\": 1, "
    "\"attr\": {\"rbar\": \"0x10\", \"ai\": 0}}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": 0, \"limit\": 1, "
    "\"attr\": {\"rbar\": 0, \"ai\": 8}}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": 0, \"limit\": 1, "
    "\"attr\": {\"rbar\": 0}}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": 0, \"limit\": 1, "
    "\"attr\": {\"ai\": 0}}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": 0, \"limit\": 1, "
    "\"attr\": {\"rbar\": 0, \"ai\": 0, \"xn\": 1}}",
    "{\"op\": \"domain_add_partition\", \"domain\": \"d\", \"base\": 0, \"limit\": 1, "
    "\"attr\": 5}",
    "{\"op\": \"domain_remove_partition\", \"domain\": \"d\", \"base\": 2, \"limit\": 1}",
    "{\"op\": \"domain_add_thread\", \"domain\": \"d\"}",
    "{\"op\": \"user_enter\", \"thread\": null}",
    "{\"op\": \"switch\"}",
};

/* ---- helpers ---- */

static void error_eq(const struct mpusim_error *a, const struct mpusim_error *b, const char *what)
{
    cr_assert_eq(a->code, b->code, "%s: code %d vs %d", what, a->code, b->code);
    cr_assert_str_eq(a->source, b->source, "%s", what);
    cr_assert_eq(a->line, b->line, "%s: line %d vs %d", what, a->line, b->line);
    cr_assert_eq(a->column, b->column, "%s: column %d vs %d", what, a->column, b->column);
    cr_assert_eq(a->event, b->event, "%s", what);
    cr_assert_str_eq(a->text, b->text, "%s", what);
}

/* Decode line through the reader's path (fast first) and through jansson alone, the line
 * copied in place with room after it (pad 1) or at the very end of its buffer (pad 0). Returns
 * what the fast path did (1 decoded, 0 declined); asserts identical results. */
static int differential(struct trace_fast *f, const char *line, size_t n, int pad)
{
    char *buf = malloc(n + TRACE_FAST_PADDING + 1);
    cr_assert_not_null(buf);
    memcpy(buf, line, n);
    memset(buf + n, '}', TRACE_FAST_PADDING + 1); /* whatever follows must not matter */
    size_t avail = pad ? n + TRACE_FAST_PADDING + 1 : n;
    char why[600];
    cr_assert_eq(trace_fast_check(f, buf, n, avail, why, sizeof why), 0, "%s: %.*s", why, (int)n,
                 line);
    cr_assert_eq(trace_path_check(f, buf, n, avail, "t.jsonl", 7, why, sizeof why), 0, "%s: %.*s",
                 why, (int)n, line);
    struct trace_event c;
    int fast = trace_fast_event(f, buf, n, avail, 7, &c);
    if (fast)
        free(c.parts);
    free(buf);
    return fast;
}

static struct trace_fast *fast_new(void)
{
    struct trace_fast *f = trace_fast_new();
    cr_assert_not_null(f);
    return f;
}

/* Read text both ways (fast path on and off): identical traces or identical errors. */
static void read_both(const char *text, size_t len, const char *what)
{
    struct trace a, b;
    struct mpusim_error ea, eb;
    mpusim_error_clear(&ea);
    mpusim_error_clear(&eb);
    int ra = trace_read_buffer_with(text, len, "t", 1, &a, &ea);
    int rb = trace_read_buffer_with(text, len, "t", 0, &b, &eb);
    cr_assert_eq(ra, rb, "%s: %s / %s", what, ea.text, eb.text);
    if (ra != 0) {
        error_eq(&ea, &eb, what);
        return;
    }
    cr_assert_eq(a.nevents, b.nevents, "%s", what);
    for (size_t i = 0; i < a.nevents; i++)
        cr_assert(trace_event_same(&a.events[i], &b.events[i]), "%s: event %zu", what, i);
    trace_fini(&a);
    trace_fini(&b);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ---- tests ---- */

Test(fast_path, decodes_every_op_and_field_as_jansson)
{
    struct trace_fast *f = fast_new();
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++)
        for (int pad = 0; pad < 2; pad++)
            cr_expect_eq(differential(f, valid[i], strlen(valid[i]), pad), 1,
                         "the fast path declined a plain valid line: %s", valid[i]);
    trace_fast_free(f);
}

Test(fast_path, declines_what_it_is_not_sure_of)
{
    struct trace_fast *f = fast_new();
    for (size_t i = 0; i < sizeof declined_valid / sizeof declined_valid[0]; i++)
        cr_expect_eq(differential(f, declined_valid[i], strlen(declined_valid[i]), 1), 0, "%s",
                     declined_valid[i]);
    /* nesting: 80 levels in an extension (jansson reads it; the fast path declines), 2100 (over
     * jansson's limit: an error both ways) */
    for (int depth = 80; depth <= 2100; depth += 2020) {
        char *line = malloc(64 + 2 * (size_t)depth);
        cr_assert_not_null(line);
        int n = sprintf(line, "{\"op\": \"unmap_containing\", \"addr\": 1, \"x-d\": ");
        for (int k = 0; k < depth; k++)
            line[n++] = '[';
        for (int k = 0; k < depth; k++)
            line[n++] = ']';
        line[n++] = '}';
        cr_expect_eq(differential(f, line, (size_t)n, 1), 0, "depth %d", depth);
        free(line);
    }
    /* 40 keys in one object */
    char line[1024];
    int n = sprintf(line, "{\"op\": \"unmap_containing\", \"addr\": 1");
    for (int k = 0; k < 40; k++)
        n += sprintf(line + n, ", \"x-%d\": %d", k, k);
    line[n++] = '}';
    cr_expect_eq(differential(f, line, (size_t)n, 1), 0);
    trace_fast_free(f);
}

Test(fast_path, malformed_lines_get_janssons_error)
{
    struct trace_fast *f = fast_new();
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        size_t n = strlen(malformed[i]);
        struct trace_event ev;
        struct mpusim_error e;
        mpusim_error_clear(&e);
        struct trace_parse p = { &e, "t.jsonl", 1, 0, -1, NULL };
        cr_assert_neq(trace_jsonl_event(&p, malformed[i], n, &ev), 0, "jansson accepts %s",
                      malformed[i]);
        for (int pad = 0; pad < 2; pad++)
            cr_expect_eq(differential(f, malformed[i], n, pad), 0, "%s", malformed[i]);
    }
    /* a NUL byte inside a line */
    static const char nul[] = "{\"op\": \"unmap_containing\", \"addr\": 1, \"note\": \"a\0b\"}";
    cr_expect_eq(differential(f, nul, sizeof nul - 1, 1), 0);
    trace_fast_free(f);
}

Test(fast_path, random_mutations_agree)
{
    struct trace_fast *f = fast_new();
    static const char alphabet[] = "{}[]\":,.0129xX-+eE \\u\tnultrfa";
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    char buf[600];
    unsigned decoded = 0, total = 0;
    const char *const *sets[] = { valid, malformed };
    size_t sizes[] = { sizeof valid / sizeof valid[0], sizeof malformed / sizeof malformed[0] };
    for (int round = 0; round < 6000; round++) {
        int set = (int)(next_rand(&seed) % 4 == 0);
        const char *src = sets[set][next_rand(&seed) % sizes[set]];
        size_t n = strlen(src);
        if (n >= sizeof buf - 8)
            continue;
        memcpy(buf, src, n);
        for (int m = 1 + (next_rand(&seed) % 4 == 0); m > 0 && n > 1; m--) {
            size_t at = next_rand(&seed) % n;
            char c = alphabet[next_rand(&seed) % (sizeof alphabet - 1)];
            switch (next_rand(&seed) % 4) {
            case 0: /* delete */
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
                break;
            case 1: /* insert */
                memmove(buf + at + 1, buf + at, n - at);
                buf[at] = c;
                n++;
                break;
            case 2: /* replace */
                buf[at] = c;
                break;
            default: /* a random byte */
                buf[at] = (char)(next_rand(&seed) & 0xFF);
                break;
            }
        }
        decoded += (unsigned)differential(f, buf, n, (int)(round & 1));
        total++;
    }
    /* the mutations must reach both outcomes, or the test proves little */
    cr_expect_gt(decoded, total / 40, "only %u of %u mutated lines decoded", decoded, total);
    cr_expect_lt(decoded, total, "no mutated line was refused");
    trace_fast_free(f);
}

Test(fast_path, every_bundled_trace_reads_identically)
{
    glob_t g;
    cr_assert_eq(glob("traces/*/trace.json*", 0, NULL, &g), 0, "no bundled traces (run from the "
                 "repository root)");
    cr_assert_gt(g.gl_pathc, 10);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        size_t len;
        char *text = slurp(g.gl_pathv[i], &len);
        read_both(text, len, g.gl_pathv[i]);
        /* and every JSON Lines event line on its own */
        if (strstr(g.gl_pathv[i], ".jsonl")) {
            struct trace_fast *f = fast_new();
            unsigned decoded = 0, lines = 0;
            const char *s = memchr(text, '\n', len); /* after the header */
            while (s && (size_t)(s + 1 - text) < len) {
                s++;
                const char *nl = memchr(s, '\n', len - (size_t)(s - text));
                size_t n = nl ? (size_t)(nl - s) : len - (size_t)(s - text);
                if (!trace_is_blank(s, n)) {
                    decoded += (unsigned)differential(f, s, n, 1);
                    lines++;
                }
                s = nl;
            }
            cr_expect_eq(decoded, lines, "%s: the fast path declined %u of %u lines",
                         g.gl_pathv[i], lines - decoded, lines);
            trace_fast_free(f);
        }
        free(text);
    }
    globfree(&g);
}

/* A generated trace (valid lines at random, zephyr ones too), with a bad line at the end or
 * not: in memory both ways, and streamed from a file against the jansson-only read. */
Test(fast_path, generated_traces_read_and_stream_identically)
{
    uint64_t seed = 12345;
    for (int k = 0; k < 4; k++) {
        size_t cap = 1 << 22, len = 0;
        char *text = malloc(cap);
        cr_assert_not_null(text);
        len += (size_t)sprintf(text, "%s", k & 1 ? ZHDR : HDR);
        for (int i = 0; i < 20000; i++) {
            const char *l = valid[next_rand(&seed) % (sizeof valid / sizeof valid[0])];
            if (!(k & 1) && strstr(l, "thread")) /* names need the zephyr header */
                continue;
            if (strstr(l, "\"thread\"") || strstr(l, "\"domain\"")) /* names must resolve */
                continue;
            len += (size_t)sprintf(text + len, "%s\n%s", l, i % 97 == 0 ? "\n" : "");
        }
        if (k >= 2)
            len += (size_t)sprintf(text + len, "%s\n", malformed[next_rand(&seed) % 20]);
        read_both(text, len, "generated");

        char path[] = "/tmp/mpusim-fast-XXXXXX";
        int fd = mkstemp(path);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, text, len), (ssize_t)len);
        close(fd);
        struct trace whole, hdr;
        struct mpusim_error ew, es;
        mpusim_error_clear(&ew);
        mpusim_error_clear(&es);
        int rw = trace_read_buffer_with(text, len, path, 0, &whole, &ew);
        struct trace_reader *rd = trace_reader_open(path, &hdr, &es);
        cr_assert_not_null(rd, "%s", es.text);
        struct trace_event ev;
        size_t i = 0;
        int got;
        while ((got = trace_reader_next(rd, &ev, &es)) > 0) {
            if (rw == 0) {
                cr_assert_lt(i, whole.nevents);
                cr_assert(trace_event_same(&ev, &whole.events[i]), "streamed event %zu", i);
            }
            i++; /* ev.parts is the reader's */
        }
        if (rw == 0) {
            cr_assert_eq(got, 0, "%s", es.text);
            cr_assert_eq(i, whole.nevents);
            trace_fini(&whole);
        } else {
            cr_assert_eq(got, -1);
            error_eq(&es, &ew, "streamed error");
        }
        trace_reader_free(rd);
        trace_fini(&hdr);
        unlink(path);
        free(text);
    }
}
