/* Platform files and the board (sim/platform_file.c, sim/board.c): bundled fvp-baser, bad
 * platforms, DTB checks. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/platform.h"
#include "sim/sim.h"

#define FVP "platforms/fvp-baser.json"
#define FVP_DTB "build/platforms/fvp-baser.dtb"
#define BASIC_ELF "build/tests/guests/basic.elf"

static char path[64];

static void write_tmp(const char *text)
{
    snprintf(path, sizeof path, "/tmp/mpusim-plat-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

static void rm_tmp(void) { unlink(path); }

static int read_bad(const char *text, struct mpusim_error *err)
{
    struct sim_platform p;
    mpusim_error_clear(err);
    write_tmp(text);
    int rc = sim_platform_read_file(path, &p, err);
    rm_tmp();
    return rc;
}

#define HEAD "{\"format\": \"mpusim-platform\", \"version\": 1, \"name\": \"t\", \"mpu\": {\"regions\": 16}, "

Test(platform, bundled_fvp_baser)
{
    struct sim_platform p;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(sim_platform_read_file(FVP, &p, &err), 0, "%s", err.text);
    cr_expect_str_eq(p.name, "fvp-baser");
    cr_expect_eq(p.regions, 16);
    cr_expect_eq(p.uart_base, 0x9c090000ull);
    cr_expect_eq(p.gicd_base, 0xaf000000ull);
    cr_expect_eq(p.gicr_base, 0xaf100000ull);
    cr_expect_eq(p.timer_hz, 100000000ull);
    cr_expect_eq(p.psci_major, 1);
    cr_expect_eq(p.psci_minor, 0);
    cr_expect_eq(p.window[0].base, 0);
}

Test(platform, overlapping_windows_are_refused)
{
    struct mpusim_error err;
    cr_expect_eq(read_bad(HEAD "\"windows\": [{\"kind\": \"ram\", \"base\": 0, \"size\": \"0x2000\"},"
                               " {\"name\": \"b\", \"kind\": \"device\", \"base\": \"0x1000\", \"size\": \"0x1000\"}]}",
                          &err), -1);
    cr_expect(strstr(err.text, "overlaps"), "%s", err.text);
    cr_expect_str_eq(err.source, path);
}

Test(platform, device_outside_every_device_window_is_refused)
{
    struct mpusim_error err;
    cr_expect_eq(read_bad(HEAD "\"windows\": [{\"kind\": \"ram\", \"base\": 0, \"size\": \"0x10000\"}],"
                               " \"devices\": {\"pl011\": {\"base\": \"0x9c090000\"}}}", &err), -1);
    cr_expect(strstr(err.text, "devices.pl011") && strstr(err.text, "not inside a device window"),
              "%s", err.text);
    cr_expect_eq(read_bad(HEAD "\"windows\": [{\"kind\": \"device\", \"base\": \"0xaf000000\", \"size\": \"0x20000\"}],"
                               " \"devices\": {\"gicv3\": {\"distributor\": \"0xaf000000\", \"redistributors\": \"0xaf100000\"}}}",
                          &err), -1);
    cr_expect(strstr(err.text, "redistributors"), "%s", err.text);
}

Test(platform, bad_values_name_their_field)
{
    struct mpusim_error err;
    cr_expect_eq(read_bad("{\"format\": \"mpusim-platform\", \"version\": 1, \"name\": \"t\", \"mpu\": {\"regions\": 300}, "
                          "\"windows\": [{\"kind\": \"ram\", \"base\": 0, \"size\": \"0x1000\"}]}", &err), -1);
    cr_expect(strstr(err.text, "mpu.regions"), "%s", err.text);
    cr_expect_eq(read_bad(HEAD "\"windows\": [{\"kind\": \"ram\", \"base\": \"0x10\", \"size\": \"0x1000\"}]}", &err), -1);
    cr_expect(strstr(err.text, "4 KiB"), "%s", err.text);
    cr_expect_eq(read_bad(HEAD "\"windows\": [{\"kind\": \"ram\", \"base\": 0, \"size\": \"0x1000\"}], \"colour\": 1}", &err), -1);
    cr_expect(strstr(err.text, "colour: unknown key"), "%s", err.text);
    cr_expect_eq(read_bad(HEAD "\"windows\": [{\"kind\": \"ram\", \"base\": 0, \"size\": \"0x1000\"}],"
                               " \"devices\": {\"psci\": {\"version\": \"one\"}}}", &err), -1);
    cr_expect(strstr(err.text, "devices.psci.version"), "%s", err.text);
    cr_expect_eq(read_bad("{\"format\": \"mpusim-platform\", \"version\": 1", &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_gt(err.line, 0);
}

/* A sim with the basic test guest (at 0x40000000) on a platform with RAM at 0x40000000. */
static struct sim *board_sim(struct sim_platform *p, struct mpusim_error *err)
{
    write_tmp(HEAD "\"windows\": [{\"kind\": \"ram\", \"base\": \"0x40000000\", \"size\": \"0x100000\"},"
                   " {\"kind\": \"device\", \"base\": \"0xaf000000\", \"size\": \"0x200000\"}],"
                   " \"dtb\": {\"base\": \"0x40080000\", \"size\": \"0x2000\"},"
                   " \"devices\": {\"gicv3\": {\"distributor\": \"0xaf000000\", \"redistributors\": \"0xaf100000\"}}}");
    int rc = sim_platform_read_file(path, p, err);
    rm_tmp();
    cr_assert_eq(rc, 0, "%s", err->text);
    struct sim_options o;
    sim_options_default(&o);
    o.stack_size = 0;
    struct sim *s = sim_new(&o, err);
    cr_assert_not_null(s);
    cr_assert_eq(sim_load_elf(s, BASIC_ELF, err), 0, "%s", err->text);
    return s;
}

static char *slurp_file(const char *name, long *len)
{
    FILE *f = fopen(name, "rb");
    cr_assert_not_null(f, "%s (run from the repository root after make)", name);
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    rewind(f);
    char *b = malloc((size_t)*len);
    cr_assert_eq(fread(b, 1, (size_t)*len, f), (size_t)*len);
    fclose(f);
    return b;
}

Test(board, dtb_is_checked_and_placed)
{
    struct sim_platform p;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct sim *s = board_sim(&p, &err);
    cr_assert_eq(sim_platform_attach(s, &p, &err), 0, "%s", err.text);
    long len;
    char *dtb = slurp_file(FVP_DTB, &len);
    cr_expect_eq(sim_platform_load_dtb(s, dtb, (uint64_t)len, 0x40080000, "x.dtb", &err), 0, "%s",
                 err.text);
    uint32_t magic = 0;
    cr_expect_eq(sim_mem_read(s, 0x40080000, &magic, 4, &err), 0);
    cr_expect_eq(magic, 0xedfe0dd0u, "the blob is in guest RAM (big-endian magic)");
    mpusim_error_clear(&err);
    cr_expect_eq(sim_platform_load_dtb(s, dtb, (uint64_t)len - 8, 0x40080000, "x.dtb", &err), -1);
    cr_expect(strstr(err.text, "truncated"), "%s", err.text);
    cr_expect_str_eq(err.source, "x.dtb");
    mpusim_error_clear(&err);
    cr_expect_eq(sim_platform_load_dtb(s, dtb, (uint64_t)len, 0x40081c00, "x.dtb", &err), -1);
    cr_expect(strstr(err.text, "DTB window"), "%s", err.text);
    mpusim_error_clear(&err);
    cr_expect_eq(sim_platform_load_dtb(s, dtb, (uint64_t)len, 0x40000000, "x.dtb", &err), -1);
    cr_expect(strstr(err.text, "overlaps the image"), "%s", err.text);
    mpusim_error_clear(&err);
    cr_expect_eq(sim_platform_load_dtb(s, dtb, (uint64_t)len, 0x80000000, "x.dtb", &err), -1);
    cr_expect(strstr(err.text, "RAM window"), "%s", err.text);
    dtb[0] = 'X';
    mpusim_error_clear(&err);
    cr_expect_eq(sim_platform_load_dtb(s, dtb, (uint64_t)len, 0x40080000, "x.dtb", &err), -1);
    cr_expect(strstr(err.text, "magic"), "%s", err.text);
    free(dtb);
    sim_free(s);
}

Test(board, entry_point_outside_ram_is_refused)
{
    struct sim_platform p;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct sim *s = board_sim(&p, &err);
    p.window[0].base = 0x50000000; /* RAM no longer holds the image */
    cr_expect_eq(sim_platform_attach(s, &p, &err), -1);
    cr_expect(strstr(err.text, "entry point"), "%s", err.text);
    sim_free(s);
}

Test(board, device_window_gaps_read_zero_and_are_listed)
{
    struct sim_platform p;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct sim *s = board_sim(&p, &err);
    cr_assert_eq(sim_platform_attach(s, &p, &err), 0, "%s", err.text);
    char buf[2048];
    sim_platform_format(s, buf, sizeof buf);
    cr_expect(strstr(buf, "platform t:"), "%s", buf);
    cr_expect_null(strstr(buf, "unmodelled"), "nothing touched yet: %s", buf);
    sim_free(s);
}
