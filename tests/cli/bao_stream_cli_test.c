/* Bao traces as JSON Lines through the streaming reader (traces/stream.c): the same results as
 * the same trace as a JSON document, on every engine, from a file and from a pipe; and bad bao
 * events in a stream: exit 2 with file, line, event index and field, no output written. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "tests/cli/helpers.h"

TestSuite(bao_stream_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

/* The document at path as JSON Lines in tdir/name: the header without "events", then one
 * event per line (jansson, so the events are exactly the document's). */
static void to_jsonl(const char *path, const char *name)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    cr_assert_not_null(doc, "%s: %s", path, je.text);
    json_t *events = json_incref(json_object_get(doc, "events"));
    cr_assert(json_is_array(events));
    json_object_del(doc, "events");
    char out[160];
    snprintf(out, sizeof out, "%s/%s", tdir, name);
    FILE *f = fopen(out, "w");
    cr_assert_not_null(f);
    char *line = json_dumps(doc, JSON_COMPACT);
    cr_assert_not_null(line);
    fprintf(f, "%s\n", line);
    free(line);
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev) {
        line = json_dumps(ev, JSON_COMPACT);
        cr_assert_not_null(line);
        fprintf(f, "%s\n", line);
        free(line);
    }
    cr_assert_eq(fclose(f), 0);
    json_decref(events);
    json_decref(doc);
}

/* tdir/name without its "trace" line (the only one that names the input). */
static char *summary_without_source(const char *name)
{
    char *s = slurp(name);
    cr_assert_not_null(s, "%s", name);
    char *t = strstr(s, "\"trace\":");
    cr_assert_not_null(t);
    char *nl = strchr(t, '\n');
    cr_assert_not_null(nl);
    memmove(t, nl + 1, strlen(nl + 1) + 1);
    return strdup(s);
}

Test(bao_stream_cli, a_json_lines_bao_trace_gives_the_document_s_results_on_every_engine,
     .timeout = 120)
{
    static const char *const names[] = { "b1", "b2" };
    static const char *const engines[] = { "native", "guest", "both" };
    for (int k = 0; k < 2; k++) {
        char doc[64], jl[16];
        snprintf(doc, sizeof doc, "traces/bao/%s/trace.json", names[k]);
        snprintf(jl, sizeof jl, "%s.jsonl", names[k]);
        to_jsonl(doc, jl);
        for (int e = 0; e < 3; e++) {
            cr_assert_eq(sh(MPUSIM " replay %s --algo bao --engine %s --quiet --json %s/d.json "
                            "--events-out %s/d.ev", doc, engines[e], tdir, tdir), 0, "%s",
                         slurp("err"));
            /* through a pipe: nothing but the stream */
            cr_assert_eq(sh("cat %s/%s | " MPUSIM " replay - --algo bao --engine %s --quiet "
                            "--json %s/l.json --events-out %s/l.ev", tdir, jl, engines[e], tdir,
                            tdir), 0, "%s %s: %s", jl, engines[e], slurp("err"));
            char *d = summary_without_source("d.json"), *l = summary_without_source("l.json");
            cr_expect_str_eq(l, d, "%s %s: the summaries differ", jl, engines[e]);
            free(d);
            free(l);
            char *dev = slurp("d.ev"), *lev = slurp("l.ev");
            cr_expect_str_eq(lev, dev, "%s %s: the event lines differ", jl, engines[e]);
        }
    }
    /* and the human summary from a JSON Lines file: every expectation met */
    cr_assert_eq(sh(MPUSIM " replay %s/b1.jsonl --algo bao", tdir), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "events checked, 0 mismatches") != NULL, "%s", slurp("out"));
}

#define HDR "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":32},\"bao\":{\"cpus\":2," \
            "\"image\":{\"base\":\"0x10000000\",\"limit\":\"0x10040000\"}}}\n"
#define BOOT0 "{\"op\":\"cpu_boot\",\"cpu\":0}\n"
#define VM1 "{\"op\":\"vm_create\",\"vm\":\"v1\",\"cpus\":[0]}\n"

/* text as a JSON Lines trace piped to replay: exit 2, want in the message, no output. */
static void expect_stream_error(const char *text, const char *want)
{
    write_file("bad.jsonl", text);
    cr_expect_eq(sh("cat %s/bad.jsonl | " MPUSIM " replay - --algo bao --json %s/s.json "
                    "--events-out %s/ev", tdir, tdir, tdir), 2, "%s", want);
    char *e = slurp("err");
    cr_expect(strstr(e, want) != NULL, "'%s' not in: %s", want, e);
    cr_expect(!exists("s.json") && !exists("ev"), "%s: no output", want);
}

Test(bao_stream_cli, bad_bao_events_in_a_stream_exit_2_with_line_event_and_field)
{
    expect_stream_error(HDR BOOT0 "\n" VM1
                        "{\"op\":\"map\",\"cpu\":0,\"as\":\"v2\",\"base\":\"0x20000000\","
                        "\"limit\":\"0x20001000\",\"flags\":\"vm\"}\n",
                        "<stdin>:5: event 2: map: field 'as': unknown VM (never created)");
    expect_stream_error(HDR BOOT0 "{\"op\":\"map_cpy\",\"cpu\":0,\"from_as\":\"nope\","
                        "\"to_as\":\"hyp\",\"va\":\"0x20000000\",\"pages\":1}\n",
                        "<stdin>:3: event 1: map_cpy: field 'from_as': unknown VM");
    expect_stream_error(HDR "{\"op\":\"map\",\"cpu\":1,\"as\":\"hyp\",\"base\":0,\"limit\":4096,"
                        "\"flags\":\"hyp\"}\n",
                        "<stdin>:2: event 0: map: field 'cpu': CPU 1 not booted");
    expect_stream_error(HDR BOOT0 "{\"op\":\"cpu_boot\",\"cpu\":5}\n",
                        "<stdin>:3: event 1: cpu_boot: field 'cpu': unknown CPU 5");
    expect_stream_error(HDR BOOT0 VM1 VM1, "<stdin>:4: event 2: vm_create: field 'vm': VM "
                        "created twice");
    expect_stream_error(HDR BOOT0 "{\"op\":\"vm_entry\",\"cpu\":0}\n",
                        "<stdin>:3: event 1: vm_entry: field 'cpu': CPU 0 has no vCPU");
    expect_stream_error(HDR BOOT0 VM1 "{\"op\":\"vm_entry\",\"cpu\":0}\n"
                        "{\"op\":\"unmap\",\"cpu\":0,\"as\":\"v1\",\"base\":0,\"limit\":4096}\n",
                        "<stdin>:5: event 3: unmap: field 'cpu': CPU 0 runs its guest");
    expect_stream_error(HDR BOOT0 VM1 "{\"op\":\"map\",\"cpu\":0,\"as\":\"v1\",\"base\":0,"
                        "\"limit\":4096,\"flags\":\"RW\"}\n",
                        "<stdin>:4: event 2: map: field 'flags': unknown bao flags \"RW\"");
    /* nine VMs on eight CPUs: the table of names is bounded, the ninth is refused */
    char text[4096];
    int n = snprintf(text, sizeof text, "{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":"
                     "{\"regions\":32},\"bao\":{\"cpus\":8,\"image\":{\"base\":0,"
                     "\"limit\":4096}}}\n");
    for (int c = 0; c < 8; c++)
        n += snprintf(text + n, sizeof text - (size_t)n, "{\"op\":\"cpu_boot\",\"cpu\":%d}\n", c);
    for (int v = 0; v < 9; v++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "{\"op\":\"vm_create\",\"vm\":\"v%d\",\"cpus\":[%d]}\n", v, v % 8);
    expect_stream_error(text, "<stdin>:18: event 16: vm_create: field 'vm': too many VMs");
    /* a bao event without the header */
    expect_stream_error("{\"format\":\"mpusim-trace\",\"version\":1,\"mpu\":{\"regions\":32}}\n"
                        BOOT0, "<stdin>:2: event 0: cpu_boot: a bao event needs the \"bao\" "
                        "header");
}
