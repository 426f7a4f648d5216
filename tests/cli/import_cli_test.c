/* mpusim import tarmac: the Tarmac files of tests/tarmac/ (written for these tests, one per
 * producer style) imported at both levels and replayed; every kind of bad input. */
#include <stdio.h>
#include <string.h>

#include "tests/cli/helpers.h"

#define T "tests/tarmac/"
#define XENLIKE "--elf build/tests/guests/xenlike.elf --adapter " T "xenlike.adapter.json"

TestSuite(import_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

Test(import_cli, help_is_printed_with_exit_0)
{
    cr_assert_eq(sh(MPUSIM " import --help"), 0);
    cr_expect(strstr(slurp("out"), "--level") != NULL);
}

Test(import_cli, fvp_trace_at_register_level_replays_with_its_fault)
{
    cr_assert_eq(sh(MPUSIM " import tarmac " T "xen-calls-fvp.tarmac --out %s/r.jsonl", tdir), 0,
                 "%s", slurp("err"));
    const char *err = slurp("err");
    cr_expect(strstr(err, "194 lines read, 97 instructions") != NULL, "%s", err);
    cr_expect(strstr(err, "MPU register writes imported: 21 (+ 2 of the starting state); "
                          "mpu.regions 16") != NULL, "%s", err);
    cr_expect(strstr(err, "BR_INDIRECT 1") != NULL, "unknown types are counted: %s", err);
    const char *tr = slurp("r.jsonl");
    cr_expect(strstr(tr, "\"mpu\": {\"regions\": 16}") != NULL, "MPUIR_EL2 gives the count");
    cr_expect(strstr(tr, "\"x-aborted\": true") != NULL, "the aborted load is kept, marked");
    cr_expect_eq(count(tr, "starting state"), 2, "the reset dump is the starting state");
    cr_assert_eq(sh(MPUSIM " replay %s/r.jsonl --events-out %s/ev.jsonl", tdir, tdir), 0);
    const char *ev = slurp("ev.jsonl");
    cr_expect_eq(count(ev, "\"cause\":\"no_region\""), 1, "%s", ev);
    cr_expect(strstr(ev, "\"esr\":\"0x96000004\",\"far\":\"0x50000000\"") != NULL,
              "the fault the trace's ESR_EL2/FAR_EL2 show: %s", ev);
    cr_expect(strstr(slurp("out"), "final 3 of 16") != NULL, "%s", slurp("out"));
}

Test(import_cli, fvp_trace_at_call_level_replays_with_expectations_met)
{
    cr_assert_eq(sh(MPUSIM " import tarmac " T "xen-calls-fvp.tarmac --level calls " XENLIKE
                    " --out %s/c.jsonl", tdir),
                 0, "%s", slurp("err"));
    const char *err = slurp("err");
    cr_expect(strstr(err, "calls: 4 returned, 1 never returned, 2 nested, 1 entered by a "
                          "branch, 1 entries that were not calls") != NULL, "%s", err);
    const char *tr = slurp("c.jsonl");
    cr_expect(strstr(tr, "\"boot\": [{\"base\": \"0x40000000\", \"limit\": \"0x40001000\", "
                         "\"flags\": \"RX\"") != NULL, "%s", tr);
    cr_expect(strstr(tr, "{\"op\": \"map\", \"base\": \"0x80000000\", \"limit\": \"0x80200000\", "
                         "\"flags\": \"RW\", \"expect\": {\"rc\": 0, \"used\": 4}") != NULL,
              "%s", tr);
    cr_expect(strstr(tr, "{\"op\": \"ioremap\", \"addr\": \"0x9c090000\", \"size\": \"0x1000\", "
                         "\"flags\": \"NOCACHE\", \"expect\": {\"rc\": 0, \"used\": 5}") != NULL,
              "the nested xen_mpumap_update is part of the ioremap: %s", tr);
    cr_expect(strstr(tr, "{\"op\": \"unmap_containing\", \"addr\": \"0x9c090000\", \"expect\": "
                         "{\"rc\": 0, \"used\": 4}") != NULL, "the tail call: %s", tr);
    cr_expect(strstr(tr, "{\"op\": \"unmap\", \"base\": \"0x80000000\", \"limit\": \"0x80200000\", "
                         "\"expect\": {\"rc\": 0, \"used\": 3}") != NULL,
              "flags 0 is the adapter's unmap; the recursion is one call: %s", tr);
    cr_expect(strstr(tr, "never returned") != NULL);
    cr_expect_eq(count(tr, "\"op\": "), 5);
    cr_assert_eq(sh(MPUSIM " replay %s/c.jsonl", tdir), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), "4 events checked, 0 mismatches") != NULL, "%s", slurp("out"));
    cr_assert_eq(sh(MPUSIM " replay %s/c.jsonl --algo xen-transient", tdir), 0,
                 "another algorithm starts from the same boot regions: %s", slurp("err"));
}

Test(import_cli, diagram_style_with_components_and_continuations)
{
    cr_assert_eq(sh(MPUSIM " import tarmac " T "es-diagram.tarmac --out %s/d.jsonl", tdir), 0,
                 "%s", slurp("err"));
    const char *tr = slurp("d.jsonl");
    cr_expect(strstr(tr, "\"mpu\": {\"regions\": 8}") != NULL, "%s", tr);
    cr_expect(strstr(tr, "\"addr\": \"0x100ff8\", \"size\": 8, \"kind\": \"write\"") != NULL,
              "the high half of a diagram: %s", tr);
    cr_expect(strstr(tr, "\"addr\": \"0x101000\", \"size\": 8, \"kind\": \"write\"") != NULL,
              "a diagram line without its ST: %s", tr);
    cr_expect_eq(count(tr, "\"op\": \"access\""), 4, "%s", tr);
    cr_assert_eq(sh(MPUSIM " replay %s/d.jsonl --events-out %s/ev.jsonl", tdir, tdir), 0);
    cr_expect_eq(count(slurp("ev.jsonl"), "no_region"), 1, "the STP's second half");
}

Test(import_cli, aarch32_names_crlf_and_a_truncated_last_line)
{
    cr_assert_eq(sh(MPUSIM " import tarmac " T "r52-aarch32.tarmac --out %s/a.jsonl", tdir), 0,
                 "%s", slurp("err"));
    const char *tr = slurp("a.jsonl");
    cr_expect(strstr(tr, "\"reg\": \"PRBAR_EL2\", \"value\": \"0x200002\"") != NULL, "%s", tr);
    cr_expect(strstr(tr, "\"reg\": \"PRBAR5_EL2\", \"value\": \"0x300002\"") != NULL,
              "HPRBAR5 is region 5 (PRSELR 2 has the same high bits): %s", tr);
    cr_expect(strstr(tr, "\"el\": 1") != NULL, "svc mode is EL1: %s", tr);
    cr_expect(strstr(tr, "\"addr\": \"0x200004\"") != NULL, "the last line has no newline");
    cr_expect_eq(sh(MPUSIM " replay %s/a.jsonl", tdir), 0);
}

Test(import_cli, fetches_are_merged_per_straight_line_run)
{
    cr_assert_eq(sh(MPUSIM " import tarmac " T "es-diagram.tarmac --fetches --out %s/f.jsonl",
                    tdir), 0, "%s", slurp("err"));
    const char *tr = slurp("f.jsonl");
    /* each MPU write ends a run (the fetch came before the write): four one-instruction runs
     * in the boot code, then 0x40000010..0x40000020 in one (the CCFAIL branch was fetched) */
    cr_expect(strstr(tr, "\"addr\": \"0x40000010\", \"size\": 16, \"kind\": \"exec\"") != NULL,
              "%s", tr);
    cr_expect_eq(count(tr, "\"kind\": \"exec\""), 5, "%s", tr);
}

Test(import_cli, stdin_and_stdout)
{
    cr_assert_eq(sh("cat " T "r52-aarch32.tarmac | " MPUSIM " import tarmac - --out - --quiet"), 0);
    cr_expect(strstr(slurp("out"), "\"format\": \"mpusim-trace\"") != NULL);
    cr_expect_eq(strlen(slurp("err")), 0, "--quiet");
}

static void expect_bad(const char *what, const char *file_line, const char *text)
{
    cr_expect_eq(sh(MPUSIM " import tarmac %s --out %s/o.jsonl", what, tdir), 2, "%s", what);
    const char *err = slurp("err");
    if (file_line)
        cr_expect(strstr(err, file_line) != NULL, "%s: %s", what, err);
    cr_expect(strstr(err, text) != NULL, "%s: %s", what, err);
    cr_expect_eq(sh("ls %s | grep -c '^o.jsonl'", tdir), 1, "grep finds nothing");
    cr_expect(slurp("out")[0] == '0', "no output or temporary file left behind (%s)", what);
}

Test(import_cli, bad_input_exits_2_with_file_and_line_and_no_output)
{
    char p[200];
    snprintf(p, sizeof p, "%s/notarmac.txt", tdir);
    write_file("notarmac.txt", "{\"format\": \"mpusim-trace\"}\nhello world\n");
    expect_bad(p, "notarmac.txt:2:", "not a Tarmac trace");
    snprintf(p, sizeof p, "%s/hex.tarmac", tdir);
    write_file("hex.tarmac", "0 clk R MPUIR_EL2 10\n1 clk IT (1) 1000 d51c6221 O EL2h : msr\n"
                             "1 clk R PRSELR_EL2 0x5g\n");
    expect_bad(p, "hex.tarmac:3:", "PRSELR_EL2: value '0x5g' is not hex");
    snprintf(p, sizeof p, "%s/wide.tarmac", tdir);
    write_file("wide.tarmac", "1 clk IT (1) 1000 d2800041 O EL2h : mov\n"
                              "1 clk MW8 123456789abcdef012:0 00\n");
    expect_bad(p, "wide.tarmac:2:", "beyond 64 bits");
    snprintf(p, sizeof p, "%s/noregions.tarmac", tdir);
    write_file("noregions.tarmac", "1 clk IT (1) 1000 d51c6221 O EL2h : msr\n"
                                   "1 clk R PRSELR_EL2 0000000000000001\n");
    expect_bad(p, "noregions.tarmac:2:", "give --regions");
    cr_expect_eq(sh(MPUSIM " import tarmac %s --regions 4 --out %s/o.jsonl", p, tdir), 0,
                 "--regions gives the count: %s", slurp("err"));
}

Test(import_cli, usage_errors_exit_2)
{
    cr_expect_eq(sh(MPUSIM " import tarmac " T "r52-aarch32.tarmac --level calls --out %s/o", tdir),
                 2);
    cr_expect(strstr(slurp("err"), "needs --elf") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " import tarmac " T "r52-aarch32.tarmac --out %s/o --level calls "
                    "--elf build/tests/guests/xenlike.elf --adapter no-such-adapter", tdir), 2);
    cr_expect(strstr(slurp("err"), "no-such-adapter") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " import tarmac " T "r52-aarch32.tarmac"), 2, "--out is required");
    cr_expect_eq(sh(MPUSIM " import json x --out -"), 2);
    cr_expect(strstr(slurp("err"), "only 'tarmac'") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " import tarmac " T "r52-aarch32.tarmac --out - --level fast"), 2);
}

Test(import_cli, adapter_symbol_missing_from_the_elf_exits_2)
{
    write_file("a.json", "{\"format\": \"mpusim-adapter\", \"version\": 1, \"ops\": "
                         "{\"map\": {\"symbol\": \"no_such_function\", \"args\": [\"base\", "
                         "\"limit\", \"flags\"], \"ret\": \"int\"}}}");
    cr_expect_eq(sh(MPUSIM " import tarmac " T "xen-calls-fvp.tarmac --level calls --elf "
                    "build/tests/guests/xenlike.elf --adapter %s/a.json --out %s/o.jsonl",
                    tdir, tdir), 2);
    const char *err = slurp("err");
    cr_expect(strstr(err, "build/tests/guests/xenlike.elf") != NULL, "%s", err);
    cr_expect(strstr(err, "'no_such_function' is not in the ELF") != NULL, "%s", err);
    cr_expect(!exists("o.jsonl"));
}
