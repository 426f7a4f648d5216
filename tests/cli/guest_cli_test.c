/* mpusim replay on the guest engine from the command line: a guest's console through the
 * PL011 model (our test guest), memory windows, bundled adapters by name, a guest stop as a
 * result (the real Xen image, where ../shared has it), and bad adapters and windows (exit 2). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/cli/helpers.h"

TestSuite(guest_cli, .init = cli_tmp_init, .fini = cli_tmp_fini, .timeout = 300);

#define PL011_ELF "build/tests/guests/pl011.elf"

static const char uart_adapter[] =
    "{\"format\": \"mpusim-adapter\", \"version\": 1,\n"
    " \"boot\": {\"from\": \"entry\", \"until\": \"guest_ready\", \"budget\": 100000},\n"
    " \"ops\": {\"map\": {\"symbol\": \"uart_map\", \"args\": [\"base\", \"limit\"]}},\n"
    " \"memory\": [{\"kind\": \"uart\", \"base\": \"0x9c090000\"},\n"
    "            {\"kind\": \"ram\", \"base\": \"0x80000000\", \"size\": \"0x100000\"}]}\n";

static const char one_map[] =
    "{\"format\": \"mpusim-trace\", \"version\": 1, \"mpu\": {\"regions\": 16}, \"events\": [\n"
    " {\"op\": \"map\", \"base\": \"0x80000000\", \"limit\": \"0x80001000\", \"flags\": \"RW\"}]}\n";

Test(guest_cli, the_guest_console_goes_to_console_file_with_the_other_outputs)
{
    write_file("uart.adapter.json", uart_adapter);
    write_file("t.json", one_map);
    cr_assert_eq(sh(MPUSIM " replay %s/t.json --engine guest --adapter %s/uart.adapter.json "
                    "--elf " PL011_ELF " --console %s/console.txt --quiet",
                    tdir, tdir, tdir), 0, "%s", slurp("err"));
    cr_expect_str_eq(slurp("console.txt"), "hello from the PL011\nmap\n",
                     "boot output, then the call's");
    cr_expect_str_eq(slurp("err"), "");
}

Test(guest_cli, without_console_the_guest_console_goes_to_stderr)
{
    write_file("uart.adapter.json", uart_adapter);
    write_file("t.json", one_map);
    cr_assert_eq(sh(MPUSIM " replay %s/t.json --engine guest --adapter %s/uart.adapter.json "
                    "--elf " PL011_ELF " --quiet", tdir, tdir), 0, "%s", slurp("err"));
    cr_expect_str_eq(slurp("err"), "hello from the PL011\nmap\n");
}

Test(guest_cli, uart_replaces_the_adapter_s_and_bad_windows_exit_2_naming_the_key)
{
    write_file("uart.adapter.json", uart_adapter);
    write_file("t.json", one_map);
    /* moved away from where the guest looks: the guest stops at the unmapped register */
    cr_expect_eq(sh(MPUSIM " replay %s/t.json --engine guest --adapter %s/uart.adapter.json "
                    "--elf " PL011_ELF " --uart 0x9c0a0000 --quiet", tdir, tdir), 2);
    cr_expect(strstr(slurp("err"), "unmapped address 0x9c090fe0"), "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " replay %s/t.json --engine guest --adapter %s/uart.adapter.json "
                    "--elf " PL011_ELF " --uart 0x80010000", tdir, tdir), 2);
    cr_expect(strstr(slurp("err"), "--uart 0x80010000: pl011 [0x80010000, 0x80011000) overlaps "
                                   "the window of the adapter's memory [0x80000000, 0x80100000)"),
              "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " replay %s/t.json --engine guest --adapter %s/uart.adapter.json "
                    "--elf " PL011_ELF " --ram 0x9c000000:0x100000", tdir, tdir), 2);
    cr_expect(strstr(slurp("err"), "memory (uart): pl011 [0x9c090000, 0x9c091000) overlaps the "
                                   "--ram window"), "%s", slurp("err"));
    cr_expect(strstr(slurp("err"), "uart.adapter.json"), "names the adapter: %s", slurp("err"));
    write_file("bad.adapter.json",
               "{\"format\": \"mpusim-adapter\", \"version\": 1, \"ops\": {\"map\": {\"symbol\": "
               "\"uart_map\"}}, \"memory\": [{\"kind\": \"ram\", \"base\": \"0x1000\", \"size\": "
               "\"0x10\"}]}");
    cr_expect_eq(sh(MPUSIM " replay %s/t.json --engine guest --adapter %s/bad.adapter.json "
                    "--elf " PL011_ELF, tdir, tdir), 2);
    cr_expect(strstr(slurp("err"), "bad.adapter.json: memory[0]: base 0x1000 and size 0x10 must "
                                   "be non-zero multiples of 4 KiB"), "%s", slurp("err"));
    cr_expect_eq(only_files(5), 1, "no output left behind: the inputs, out and err");
}

Test(guest_cli, a_stripped_image_says_it_has_no_symbol_table)
{
    cr_assert_eq(sh("aarch64-linux-gnu-strip -o %s/stripped.elf build/guest/mm.elf", tdir), 0,
                 "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --engine guest --adapter mm "
                    "--elf %s/stripped.elf", tdir), 2);
    cr_expect(strstr(slurp("err"), "has no symbol table"), "%s", slurp("err"));
    cr_expect(strstr(slurp("err"), "stripped.elf"), "names the image: %s", slurp("err"));
    cr_expect_null(strstr(slurp("err"), "no symbol '"), "%s", slurp("err"));
}

Test(guest_cli, bundled_adapters_are_found_by_name_and_an_unknown_name_is_refused)
{
    cr_expect_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --engine guest --adapter mm "
                    "--quiet --no-timing"), 0, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --engine guest --adapter "
                    "xen-upstrem"), 2);
    cr_expect(strstr(slurp("err"), "--adapter xen-upstrem: no such file, and no bundled adapter"),
              "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --engine guest --adapter "
                    "xen-upstream"), 2);
    cr_expect(strstr(slurp("err"), "xen-upstream.adapter.json: the adapter names no \"elf\": "
                                   "give --elf"), "%s", slurp("err"));
}

Test(guest_cli, a_guest_stop_is_the_result_exit_1_with_outputs_up_to_that_event)
{
    const char *xen = xen_image();
    if (!xen)
        cr_skip_test("no Xen image at ../shared/xen/arm64-mpu-debug/xen-syms (set MPUSIM_XEN_SYMS)");
    cr_expect_eq(sh(MPUSIM " replay traces/prenr-wrap/trace.json --engine both --elf %s "
                    "--adapter xen-upstream --no-timing --events-out %s/ev.jsonl --json %s/s.json",
                    xen, tdir, tdir), 1, "%s", slurp("err"));
    const char *err = slurp("err");
    cr_expect(strstr(err, "event 61: the guest stopped in xen_mpumap_update: MPU fault "
                          "(no_region) on exec"), "%s", err);
    cr_expect(strstr(err, "at xen_mpumap_free_entry+0x"), "%s", err);
    cr_expect(strstr(err, "arch/arm/mpu/mm.c:"), "file:line: %s", err);
    cr_expect(strstr(slurp("out"), "stopped    the guest stopped at event 61 (unmap, in "
                                   "xen_mpumap_update): MPU fault: no_region"), "%s", slurp("out"));
    const char *ev = slurp("ev.jsonl");
    cr_expect_eq(count(ev, "\n"), 62u, "events 0..61");
    cr_expect_eq(count(ev, "\"guest_stop\""), 1u);
    cr_expect(strstr(ev, "{\"i\":61,\"op\":\"unmap\",\"rc\":null"), "%s", ev);
    const char *js = slurp("s.json");
    cr_expect(strstr(js, "\"guest_stop\": {\"event\": 61, \"op\": \"unmap\", \"call\": "
                         "\"xen_mpumap_update\", \"kind\": \"fault\""), "%s", js);
    cr_expect(strstr(js, "\"where\": \"xen_mpumap_free_entry+0x"), "%s", js);
    /* a run that completes has a null guest_stop */
    cr_expect_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --engine both --elf %s "
                    "--adapter xen-upstream --no-timing --json %s/ok.json --quiet", xen, tdir), 0,
                 "%s", slurp("err"));
    cr_expect(strstr(slurp("ok.json"), "\"guest_stop\": null"));
}

Test(guest_cli, the_boot_trace_in_lockstep_with_the_real_image_prints_the_latency_table)
{
    const char *xen = xen_image();
    if (!xen)
        cr_skip_test("no Xen image at ../shared/xen/arm64-mpu-debug/xen-syms (set MPUSIM_XEN_SYMS)");
    cr_expect_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --engine both --elf %s "
                    "--adapter xen-upstream", xen), 0, "%s", slurp("err"));
    const char *out = slurp("out");
    cr_expect(strstr(out, "latency per call (guest)"), "%s", out);
    cr_expect(strstr(out, "  map ok                      8  510/"), "%s", out);
    cr_expect(strstr(out, "0 table/hardware divergences"), "%s", out);
}
