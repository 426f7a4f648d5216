/* A platform's devices seen by a guest (sim/board.c with sim/gicv3.c, gtimer.c, psci.c),
 * call watches (sim/watch.c) and WFI, on tests/sim/guests/board.S. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/platform.h"
#include "sim/sim.h"

#define BOARD_ELF "build/tests/guests/board.elf"

static struct sim *board(void)
{
    char path[] = "/tmp/mpusim-board-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("{\"format\": \"mpusim-platform\", \"version\": 1, \"name\": \"b\", \"mpu\": {\"regions\": 16},"
          " \"cpu_frequency\": 1000000000,"
          " \"windows\": [{\"kind\": \"ram\", \"base\": \"0x40000000\", \"size\": \"0x100000\"},"
          " {\"name\": \"io\", \"kind\": \"device\", \"base\": \"0xaf000000\", \"size\": \"0x200000\"}],"
          " \"devices\": {\"gicv3\": {\"distributor\": \"0xaf000000\", \"redistributors\": \"0xaf100000\"},"
          " \"timer\": {\"frequency\": 50000000}, \"psci\": {\"version\": \"1.1\"}}}", f);
    fclose(f);
    struct sim_platform p;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    int rc = sim_platform_read_file(path, &p, &err);
    unlink(path);
    cr_assert_eq(rc, 0, "%s", err.text);
    struct sim_options o;
    sim_options_default(&o);
    o.stack_size = 0;
    struct sim *s = sim_new(&o, &err);
    cr_assert_not_null(s, "%s", err.text);
    cr_assert_eq(sim_load_elf(s, BOARD_ELF, &err), 0, "%s", err.text);
    cr_assert_eq(sim_platform_attach(s, &p, &err), 0, "%s", err.text);
    return s;
}

static uint64_t x(struct sim *s, unsigned n)
{
    uint64_t v = 0;
    cr_assert_eq(sim_reg_read(s, n, &v, NULL), 0);
    return v;
}

Test(board, guest_reads_the_devices_and_powers_off)
{
    struct sim *s = board();
    struct sim_stop st;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    sim_run(s, sim_entry(s), NULL, 100000, &st, &err);
    cr_expect_eq(st.kind, SIM_STOP_POWER, "%s", sim_stop_kind_name(st.kind));
    cr_expect(strstr(st.what, "SYSTEM_OFF"), "%s", st.what);
    cr_expect_eq((x(s, 1) >> 4) & 0xF, 3, "GICD_PIDR2.ArchRev");
    cr_expect_eq(x(s, 2), 0, "an unmodelled device word reads 0");
    cr_expect_eq(x(s, 3), 50000000, "CNTFRQ_EL0");
    cr_expect_gt(x(s, 5), x(s, 4), "CNTPCT_EL0 advances with the instructions executed");
    cr_expect_leq(x(s, 5) - x(s, 4), 2000 * 50000000ull / 1000000000ull + 2);
    cr_expect_eq(x(s, 6), 0x10001, "PSCI 1.1 as the platform says");
    cr_expect_eq(x(s, 7) & 1, 1, "ICC_SRE_EL2.SRE");
    cr_expect_eq((x(s, 8) >> 24) & 0xF, 1, "ID_AA64PFR0_EL1.GIC");
    char buf[2048];
    sim_platform_format(s, buf, sizeof buf);
    cr_expect(strstr(buf, "0xaf00a000 (4 bytes): 1 reads, 1 writes"), "%s", buf);
    cr_expect(strstr(buf, "PSCI calls 2"), "%s", buf);
    sim_free(s);
}

struct seen {
    char log[512];
};

static void on_call(void *opaque, struct sim *s, int is_return, const struct sim_watch_call *c)
{
    (void)s;
    struct seen *w = opaque;
    size_t n = strlen(w->log);
    if (is_return)
        snprintf(w->log + n, sizeof w->log - n, "<%s=%llu ", c->symbol, (unsigned long long)c->x0);
    else
        snprintf(w->log + n, sizeof w->log - n, ">%s(%llu)@%u ", c->symbol,
                 (unsigned long long)c->args[0], c->depth);
}

Test(watch, nested_tail_and_plain_calls_are_seen_at_entry_and_return)
{
    struct sim *s = board();
    struct seen w = { "" };
    struct mpusim_error err;
    mpusim_error_clear(&err);
    const char *names[] = { "outer", "tail", "inner" };
    for (int i = 0; i < 3; i++)
        cr_assert_eq(sim_watch(s, names[i], 1, on_call, &w, &err), 0, "%s", err.text);
    cr_expect_eq(sim_watch(s, "inner", 0, on_call, &w, &err), -1, "one watch per address");
    struct sim_symbol y;
    cr_assert_eq(sim_symbol(s, "watched", &y, &err), 0);
    struct sim_stop st;
    uint64_t sp = 0x40003800;
    sim_reg_write(s, 31, sp, NULL);
    sim_run(s, y.addr, NULL, 100000, &st, &err);
    cr_expect_eq(st.kind, SIM_STOP_IDLE, "the WFI at the end: %s", sim_stop_kind_name(st.kind));
    cr_expect_str_eq(w.log, ">outer(5)@0 >inner(5)@1 <inner=10 <outer=11 "
                            ">tail(7)@0 >inner(7)@1 <inner=14 <tail=14 "
                            ">inner(3)@0 <inner=6 ");
    cr_expect_eq(x(s, 19), 11, "the guest got its results back");
    cr_expect_eq(x(s, 20), 14);
    cr_expect_eq(x(s, 21), 6);
    sim_free(s);
}
