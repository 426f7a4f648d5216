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
    cr_expect(strstr(err, "register lines of unused registers: 4") != NULL,
              "unknown register names are counted and skipped: %s", err);
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

/* Not Tarmac: nothing recognisable in the first 1,000 lines. A file whose first
 * recognisable line is line 1,000 is Tarmac. */
Test(import_cli, not_tarmac_means_nothing_recognisable_in_the_first_1000_lines)
{
    char p[200];
    FILE *f;
    snprintf(p, sizeof p, "%s/late.tarmac", tdir);
    cr_assert((f = fopen(p, "w")) != NULL);
    for (int i = 1; i < 1000; i++)
        fprintf(f, "simulator banner, line %d\n", i);
    fprintf(f, "5 clk IT (1) 00001000 d2800041 O EL2h : mov x1,#2\n");
    fclose(f);
    cr_expect_eq(sh(MPUSIM " import tarmac %s --out %s/o.jsonl", p, tdir), 0,
                 "the first recognisable line is line 1000: %s", slurp("err"));
    cr_expect(strstr(slurp("err"), "lines skipped: 999") != NULL, "%s", slurp("err"));
    snprintf(p, sizeof p, "%s/never.tarmac", tdir);
    cr_assert((f = fopen(p, "w")) != NULL);
    for (int i = 1; i <= 1000; i++)
        fprintf(f, "simulator banner, line %d\n", i);
    fprintf(f, "5 clk IT (1) 00001000 d2800041 O EL2h : mov x1,#2\n");
    fclose(f);
    cr_expect_eq(sh(MPUSIM " import tarmac %s --out %s/n.jsonl", p, tdir), 2);
    cr_expect(strstr(slurp("err"), "never.tarmac:1000: not a Tarmac trace: no recognisable line "
                                   "in the first 1000 lines") != NULL, "%s", slurp("err"));
    cr_expect(!exists("n.jsonl"));
}

/* A Fast Model's reset dump names SCTLR_EL2, MAIR_EL2 and HCR_EL2 (also on cores with no
 * MPU): they are the starting state, and need no region count. A region register in the dump
 * does. */
Test(import_cli, reset_dump_without_region_registers_needs_no_region_count)
{
    write_file("aem.tarmac",
               "0 clk R cpsr 000003c9\n"
               "0 clk R X0 0000000000000000\n"
               "0 clk R q0 00000000000000000000000000000000\n"
               "0 clk R SCTLR_EL2 0000000030c50830\n"
               "0 clk R MAIR_EL2 0000000000000000\n"
               "0 clk R HCR_EL2 0000000000000000\n"
               "0 clk SIGNAL: SIGNAL=ResetHold STATE=N\n"
               "0 clk E 00001000:000000001000 00000000 CoreEvent_Reset\n"
               "1 clk IT (1) 00001000 f9000041 O EL2h : STR      x1,[x2,#0]\n"
               "1 clk MW8 00102000:000000102000 00000000_00000000\n");
    cr_assert_eq(sh(MPUSIM " import tarmac %s/aem.tarmac --out %s/a.jsonl", tdir, tdir), 0, "%s",
                 slurp("err"));
    const char *err = slurp("err");
    cr_expect(strstr(err, "0 (+ 3 of the starting state); mpu.regions 16 (assumed") != NULL,
              "%s", err);
    cr_expect(strstr(err, "SIGNAL 1") != NULL, "%s", err);
    cr_expect_eq(count(slurp("a.jsonl"), "\"op\": \"access\""), 1);
    write_file("aem2.tarmac", "0 clk R PRSELR_EL2 0000000000000003\n"
                              "1 clk IT (1) 00001000 f9000041 O EL2h : STR      x1,[x2,#0]\n");
    cr_expect_eq(sh(MPUSIM " import tarmac %s/aem2.tarmac --out %s/b.jsonl", tdir, tdir), 2);
    cr_expect(strstr(slurp("err"), "aem2.tarmac:1: ") != NULL &&
              strstr(slurp("err"), "give --regions") != NULL, "%s", slurp("err"));
    cr_expect(!exists("b.jsonl"));
}

/* Lines in the shapes of other producers (a gem5-like component word and W registers, an
 * address with its physical part and security suffix, an M-profile-like data line, no mode,
 * an all-dashes register value): the MPU writes and accesses all come through. */
Test(import_cli, other_producers_line_shapes)
{
    write_file("mix.tarmac",
               "0 clk cpu0 R MPUIR_EL2 0000000000000010\n"
               "250 clk cpu0 IT (1) 00001000:000000001000_NS d2800021 O EL2h_n :   MOVZ   X1, #1\n"
               "250 clk cpu0 R W1 00000001\n"
               "500 clk cpu0 IT (2) 00001004:000000001004_NS d51c6221 O EL2h_n :   MSR   PRSELR_EL2, X1\n"
               "500 clk cpu0 R PRSELR_EL2 0000000000000001\n"
               "750 clk cpu0 IT (3) 00001008 d51c6802 O EL2h :   MSR   PRBAR_EL2, X2\n"
               "750 clk cpu0 R PRBAR_EL2 0000000000200032\n"
               "1000 clk cpu0 IT (4) 0000100c d51c6823 O EL2h :   MSR   PRLAR_EL2, X3\n"
               "1000 clk cpu0 R PRLAR_EL2 0000000000200fc1\n"
               "1100 clk cpu0 IT (5) 00001010 d51c1000 O EL2h :   MSR   SCTLR_EL2, X0\n"
               "1100 clk cpu0 R SCTLR_EL2 0000000030cd183d\n"
               "1250 clk cpu0 IT (6) 00001014 f9000041 O EL2h : STP        \n"
               "1250 clk cpu0 MW8 00200000:000000200000_NS 0000000000000001\n"
               "1250 clk cpu0 R X9 -------- --------\n"
               "1300 clk cpu0 IT (7) 00001018 b9400040 O EL2h : LDR   W0, [X2]\n"
               "1300 clk cpu0 MNR4___D 00300000 00000000\n");
    cr_assert_eq(sh(MPUSIM " import tarmac %s/mix.tarmac --out %s/m.jsonl", tdir, tdir), 0, "%s",
                 slurp("err"));
    const char *tr = slurp("m.jsonl");
    cr_expect(strstr(tr, "\"reg\": \"PRLAR1_EL2\"") != NULL || strstr(tr, "\"reg\": \"PRLAR_EL2\"") != NULL,
              "%s", tr);
    cr_expect_eq(count(tr, "\"op\": \"sysreg\""), 4, "%s", tr);
    cr_expect(strstr(tr, "\"addr\": \"0x200000\", \"size\": 8, \"kind\": \"write\"") != NULL,
              "%s", tr);
    cr_expect(strstr(tr, "\"addr\": \"0x300000\", \"size\": 4, \"kind\": \"read\"") != NULL,
              "%s", tr);
    cr_expect(strstr(slurp("err"), "7 instructions") != NULL, "%s", slurp("err"));
    cr_assert_eq(sh(MPUSIM " replay %s/m.jsonl --events-out %s/ev.jsonl", tdir, tdir), 0, "%s",
                 slurp("err"));
    cr_expect_eq(count(slurp("ev.jsonl"), "no_region"), 1, "the read outside region 1: %s",
                 slurp("ev.jsonl"));
}

/* A harness (a debugger, or mpusim's own export) calls the function, it returns by RET to an
 * address outside the trace, and the function is called again at once: two calls, not a
 * call and a loop back to its first instruction. */
Test(import_cli, a_function_called_again_right_after_its_ret)
{
    write_file("again.tarmac",
               "0 clk R MPUIR_EL2 0000000000000010\n"
               "0 clk R X30 00000000ffff0000\n"
               "0 clk R SP_EL2 000000007ff10000\n"
               "1 clk R X0 0000000080000000\n"
               "1 clk R X1 0000000080200000\n"
               "1 clk R X2 000000000000002f\n"
               "1 clk IT (1) 40000100 d10043ff O EL2h : SUB      sp,sp,#0x10\n"
               "1 clk R SP_EL2 000000007ff0fff0\n"
               "2 clk IT (2) 40000104 910043ff O EL2h : ADD      sp,sp,#0x10\n"
               "2 clk R SP_EL2 000000007ff10000\n"
               "3 clk IT (3) 40000108 2a1f03e0 O EL2h : MOV      w0,wzr\n"
               "3 clk R X0 0000000000000000\n"
               "4 clk IT (4) 4000010c d65f03c0 O EL2h : RET\n"
               "5 clk R X0 0000000080000000\n"
               "5 clk R X2 0000000000000000\n"
               "5 clk IT (5) 40000100 d10043ff O EL2h : SUB      sp,sp,#0x10\n"
               "5 clk R SP_EL2 000000007ff0fff0\n"
               "6 clk IT (6) 40000104 910043ff O EL2h : ADD      sp,sp,#0x10\n"
               "6 clk R SP_EL2 000000007ff10000\n"
               "7 clk IT (7) 40000108 2a1f03e0 O EL2h : MOV      w0,wzr\n"
               "7 clk R X0 0000000000000000\n"
               "8 clk IT (8) 4000010c d65f03c0 O EL2h : RET\n");
    cr_assert_eq(sh(MPUSIM " import tarmac %s/again.tarmac --level calls " XENLIKE
                    " --out %s/c.jsonl", tdir, tdir), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("err"), "calls: 2 returned, 0 never returned, 0 nested, 2 entered by a "
                                   "branch, 0 entries that were not calls") != NULL, "%s",
              slurp("err"));
    const char *tr = slurp("c.jsonl");
    cr_expect(strstr(tr, "{\"op\": \"map\", \"base\": \"0x80000000\", \"limit\": \"0x80200000\", "
                         "\"flags\": \"RW\"") != NULL, "%s", tr);
    cr_expect(strstr(tr, "{\"op\": \"unmap\", \"base\": \"0x80000000\", \"limit\": "
                         "\"0x80200000\"") != NULL, "flags 0: the second call is the unmap: %s",
              tr);
}
