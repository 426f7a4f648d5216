/* sim/elf.c: loading, symbols, and clear errors for files that are not usable guests. The bad
 * files are made at run time from a good one. */
#include <stdlib.h>
#include <unistd.h>

#include "tests/sim/helpers.h"

/* Read the whole good ELF; *len its size. */
static unsigned char *read_good(size_t *len)
{
    FILE *f = fopen(BASIC_ELF, "rb");
    cr_assert_not_null(f, "%s missing: build it with make", BASIC_ELF);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Write len bytes to a new temporary file; returns its path (static buffer per call site). */
static void write_temp(char *path, const unsigned char *buf, size_t len)
{
    strcpy(path, "/tmp/mpusim-elf-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, buf, len), (ssize_t)len);
    close(fd);
}

/* Load path into a fresh sim; returns the error (code MPUSIM_OK when it loaded). */
static struct mpusim_error load(const char *path)
{
    struct sim_options o;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    sim_options_default(&o);
    struct sim *s = sim_new(&o, &err);
    cr_assert_not_null(s);
    sim_load_elf(s, path, &err);
    sim_free(s);
    return err;
}

Test(elf, a_good_elf_loads_with_entry_segments_and_symbols)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    cr_expect_eq(sim_entry(s), symbol_addr(s, "_start"));
    struct sim_symbol y;
    cr_assert_eq(sim_symbol(s, "helper", &y, NULL), 0);
    cr_expect_eq(y.size, 8u);
    cr_expect_eq(y.is_func, 1);
    cr_expect_eq(mem64(s, RODATA_PAGE), 0x1122334455667788ull, "file bytes loaded");
    char buf[64];
    cr_expect_str_eq(sim_symbolize(s, y.addr + 4, buf, sizeof buf), "helper+0x4");
    cr_expect_str_eq(sim_symbolize(s, y.addr, buf, sizeof buf), "helper");
    cr_expect_str_eq(sim_symbolize(s, 0x10, buf, sizeof buf), "0x10");
    sim_free(s);
}

Test(elf, a_missing_file_is_an_io_error)
{
    struct mpusim_error err = load("/nonexistent/guest.elf");
    cr_expect_eq(err.code, MPUSIM_E_IO);
    cr_expect_str_eq(err.source, "/nonexistent/guest.elf");
    cr_expect_neq(strstr(err.text, "cannot open"), NULL, "%s", err.text);
}

Test(elf, a_foreign_file_is_not_an_elf)
{
    unsigned char junk[4096];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char)(x >> 16);
    }
    char path[64];
    write_temp(path, junk, sizeof junk);
    struct mpusim_error err = load(path);
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_str_eq(err.source, path);
    cr_expect_str_eq(err.text, "not an ELF file");
    unlink(path);
}

Test(elf, a_wrong_architecture_elf_is_rejected)
{
    size_t len;
    unsigned char *buf = read_good(&len);
    buf[18] = 62; /* e_machine = EM_X86_64 */
    buf[19] = 0;
    char path[64];
    write_temp(path, buf, len);
    struct mpusim_error err = load(path);
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_str_eq(err.text, "wrong architecture: e_machine is 62, not AArch64 (183)");
    unlink(path);
    free(buf);
}

Test(elf, a_32_bit_elf_is_rejected)
{
    size_t len;
    unsigned char *buf = read_good(&len);
    buf[4] = 1; /* EI_CLASS = ELFCLASS32 */
    char path[64];
    write_temp(path, buf, len);
    struct mpusim_error err = load(path);
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_neq(strstr(err.text, "not a 64-bit ELF"), NULL, "%s", err.text);
    unlink(path);
    free(buf);
}

Test(elf, a_truncated_elf_is_rejected)
{
    size_t len;
    unsigned char *buf = read_good(&len);
    static const size_t cuts[] = { 10, 40, 100, 0x10010 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        cr_assert_lt(cuts[i], len);
        char path[64];
        write_temp(path, buf, cuts[i]);
        struct mpusim_error err = load(path);
        cr_expect_eq(err.code, MPUSIM_E_PARSE, "cut at %zu: %s", cuts[i], err.text);
        cr_expect_str_eq(err.source, path);
        cr_expect_neq(err.text[0], '\0');
        unlink(path);
    }
    free(buf);
}

Test(elf, a_second_load_is_refused)
{
    struct sim *s = sim_for_test(BASIC_ELF, 16);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(sim_load_elf(s, BASIC_ELF, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    sim_free(s);
}
