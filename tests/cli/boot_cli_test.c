/* mpusim run on a platform: the real Xen boot (where ../shared holds the image), its recorded
 * trace against the committed traces/xen-real-boot, and bad input of every kind (exit 2). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/cli/helpers.h"

TestSuite(boot_cli, .init = cli_tmp_init, .fini = cli_tmp_fini, .timeout = 300);

#define DTB "build/platforms/fvp-baser.dtb"
#define REAL_BOOT "traces/xen-real-boot/trace.jsonl"


Test(boot_cli, real_xen_boots_past_gic_and_timer_and_stops_where_mpu_support_ends)
{
    const char *xen = xen_image();
    if (!xen)
        cr_skip_test("no Xen image at ../shared/xen/arm64-mpu-debug/xen-syms (set MPUSIM_XEN_SYMS)");
    int rc = sh(MPUSIM " run %s --platform fvp-baser --dtb " DTB " --no-timing --record %s/boot.jsonl "
                "--adapter xen-upstream", xen, tdir);
    const char *out = slurp("out");
    cr_expect_eq(rc, 1, "a panic exits 1: %s", slurp("err"));
    cr_expect(strstr(out, "Using PSCI v1.0"), "PSCI_VERSION answered");
    cr_expect(strstr(out, "Generic Timer IRQ") && strstr(out, "Freq: 100000 KHz"),
              "CNTFRQ_EL0 from the platform");
    cr_expect(strstr(out, "GICv3: 96 lines"), "distributor detected (TYPER, PIDR2)");
    cr_expect(strstr(out, "Found redistributor in region 0"), "redistributor (TYPER, WAKER)");
    cr_expect(strstr(out, "stopped: panic in create_dom0"), "the stop says where");
    cr_expect(strstr(out, "Error creating domain 0"), "and why");
    cr_expect(strstr(out, "last console lines:\n"), "with the last console lines");
    cr_expect(strstr(out, "Unsupported v8r_el1_msa value"));
    cr_expect_null(strstr(out, "unmodelled device registers"), "every device access modelled");
    cr_assert(exists("boot.jsonl"));
    const char *trace = slurp("boot.jsonl");
    cr_expect(strstr(trace, "\"boot\": [{\"base\": \"0x0\""), "boot regions of head.S");
    cr_expect(strstr(trace, "\"op\": \"ioremap\", \"addr\": \"0xaf000000\""), "GICD ioremap");
    cr_expect(strstr(trace, "gicv3_init"), "caller as note");
    /* replayable with every expectation met */
    cr_expect_eq(sh(MPUSIM " replay %s/boot.jsonl", tdir), 0, "%s", slurp("err"));
    cr_expect(strstr(slurp("out"), " 0 mismatches"), "%s", slurp("out"));
    cr_expect_eq(sh(MPUSIM " replay %s/boot.jsonl --engine both --no-timing --adapter "
                    "xen-upstream --elf %s", tdir, xen), 0, "lockstep with the image: %s",
                 slurp("err"));
    cr_expect(strstr(slurp("out"), " 0 mismatches"), "%s", slurp("out"));
    /* the committed trace is this recording */
    cr_expect_eq(sh("cmp %s/boot.jsonl " REAL_BOOT, tdir), 0,
                 REAL_BOOT " differs from a fresh recording: make xen-real-boot");
}

Test(boot_cli, record_to_stdout_is_the_trace_alone_with_the_console_and_report_on_stderr)
{
    const char *xen = xen_image();
    if (!xen)
        cr_skip_test("no Xen image at ../shared/xen/arm64-mpu-debug/xen-syms (set MPUSIM_XEN_SYMS)");
    int rc = sh(MPUSIM " run %s --platform fvp-baser --dtb " DTB " --no-timing --record - "
                "--adapter xen-upstream", xen);
    cr_expect_eq(rc, 1, "a panic exits 1: %s", slurp("err"));
    const char *err = slurp("err");
    cr_expect(strstr(err, "GICv3: 96 lines"), "the console is on stderr");
    cr_expect(strstr(err, "stopped: panic in create_dom0"), "so is the report: %s", err);
    cr_expect(strstr(err, "recorded 65 calls to -"), "%s", err);
    /* stdout is the same trace as a recording to a file, byte for byte */
    char out[600], piped[600];
    snprintf(out, sizeof out, "%s/out", tdir);
    snprintf(piped, sizeof piped, "%s/piped.jsonl", tdir);
    cr_assert_eq(rename(out, piped), 0); /* sh() truncates out */
    cr_expect_eq(sh("cmp %s " REAL_BOOT, piped), 0, "stdout is not the trace alone");
    /* and a pipe into replay works */
    cr_expect_eq(sh(MPUSIM " run %s --platform fvp-baser --dtb " DTB " --no-timing --record - "
                    "--adapter xen-upstream 2>/dev/null | " MPUSIM " replay - --quiet", xen), 0,
                 "%s", slurp("err"));
}

Test(boot_cli, bad_dtb_is_exit_2_naming_the_file)
{
    const char *xen = xen_image();
    if (!xen)
        cr_skip_test("no Xen image at ../shared/xen/arm64-mpu-debug/xen-syms (set MPUSIM_XEN_SYMS)");
    write_file("junk.dtb", "this is not a device tree blob at all, not even close");
    cr_expect_eq(sh(MPUSIM " run %s --platform fvp-baser --dtb %s/junk.dtb", xen, tdir), 2);
    cr_expect(strstr(slurp("err"), "junk.dtb") && strstr(slurp("err"), "magic"), "%s",
              slurp("err"));
    FILE *f = fopen(DTB, "rb");
    cr_assert_not_null(f);
    char head[100];
    cr_assert_eq(fread(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    char name[128];
    snprintf(name, sizeof name, "%s/short.dtb", tdir);
    f = fopen(name, "wb");
    cr_assert_not_null(f);
    fwrite(head, 1, sizeof head, f);
    fclose(f);
    cr_expect_eq(sh(MPUSIM " run %s --platform fvp-baser --dtb %s/short.dtb", xen, tdir), 2);
    cr_expect(strstr(slurp("err"), "truncated"), "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run %s --platform fvp-baser --dtb " DTB "@0x1000", xen), 2);
    cr_expect(strstr(slurp("err"), "overlaps the image"), "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run %s --platform fvp-baser --dtb " DTB "@0x81fff00", xen), 2);
    cr_expect(strstr(slurp("err"), "DTB window"), "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run %s --platform fvp-baser --dtb " DTB "@0x80000000", xen), 2);
    cr_expect(strstr(slurp("err"), "RAM window"), "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run %s --dtb " DTB, xen), 2);
    cr_expect(strstr(slurp("err"), "--platform"), "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run %s --platform fvp-baser --dtb %s/none.dtb", xen, tdir), 2);
    cr_expect(strstr(slurp("err"), "none.dtb"), "%s", slurp("err"));
}

Test(boot_cli, bad_platform_and_adapter_are_exit_2)
{
    const char *elf = "build/tests/guests/basic.elf";
    cr_expect_eq(sh(MPUSIM " run %s --platform no-such-platform", elf), 2);
    cr_expect(strstr(slurp("err"), "no-such-platform"), "%s", slurp("err"));
    write_file("p.json", "{\"format\": \"mpusim-platform\", \"version\": 1, \"name\": \"p\", "
                         "\"mpu\": {\"regions\": 16}, \"windows\": [{\"kind\": \"ram\", \"base\": "
                         "\"0x0\", \"size\": \"0x10000\"}, {\"kind\": \"ram\", \"base\": \"0x8000\", "
                         "\"size\": \"0x1000\"}]}");
    cr_expect_eq(sh(MPUSIM " run %s --platform %s/p.json", elf, tdir), 2);
    cr_expect(strstr(slurp("err"), "p.json") && strstr(slurp("err"), "overlaps"), "%s",
              slurp("err"));
    /* the test guest is linked at 0x40000000: not in this platform's RAM */
    write_file("q.json", "{\"format\": \"mpusim-platform\", \"version\": 1, \"name\": \"q\", "
                         "\"mpu\": {\"regions\": 16}, \"windows\": [{\"kind\": \"ram\", \"base\": "
                         "\"0x0\", \"size\": \"0x10000\"}]}");
    cr_expect_eq(sh(MPUSIM " run %s --platform %s/q.json", elf, tdir), 2);
    cr_expect(strstr(slurp("err"), "entry point"), "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run %s --record %s/x.jsonl", elf, tdir), 2);
    cr_expect(strstr(slurp("err"), "--adapter"), "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run %s --record %s/x.jsonl --adapter nope", elf, tdir), 2);
    cr_expect(!exists("x.jsonl"), "nothing half-written");
}

Test(boot_cli, a_panic_is_found_by_symbol_and_console_and_exits_1)
{
    cr_expect_eq(sh(MPUSIM " run build/tests/guests/panic.elf --no-timing"), 1);
    const char *out = slurp("out");
    cr_expect(strstr(out, "stopped: panic in _start+0x8: Something went wrong (rc = -22)"), "%s",
              out);
    cr_expect(strstr(out, "pc: machine_halt"), "stops where the guest halts: %s", out);
    cr_expect(strstr(out, "last console lines:\n  | (XEN) Panic on CPU 0:\n"), "%s", out);
}

Test(boot_cli, idle_is_exit_0_and_until_too)
{
    cr_expect_eq(sh(MPUSIM " run build/tests/guests/idle.elf --no-timing"), 0, "%s", slurp("out"));
    cr_expect(strstr(slurp("out"), "stopped: WFI with no interrupt that could wake the PE\n"
                                   "  pc: idle_loop"), "%s", slurp("out"));
    cr_expect(strstr(slurp("out"), "  | going idle"), "%s", slurp("out"));
    cr_expect_eq(sh(MPUSIM " run build/tests/guests/panic.elf --no-timing --until machine_halt"),
                 0, "%s", slurp("out"));
}
