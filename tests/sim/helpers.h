#ifndef MPUSIM_TESTS_SIM_HELPERS_H
#define MPUSIM_TESTS_SIM_HELPERS_H
/* Shared by the tests of sim/: a fresh engine with a test guest loaded. The guests are built
 * by the Makefile into build/tests/guests/ before the tests run (from the repository root). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim.h"

#define BASIC_ELF "build/tests/guests/basic.elf"
#define HELLO_ELF "build/tests/guests/hello.elf"
#define MM_ELF "build/guest/mm.elf"

/* Test guest layout (tests/sim/guests/link.ld) */
#define RODATA_PAGE 0x40002000ull
#define DATA_PAGE 0x40003000ull
#define XDATA_PAGE 0x40004000ull
#define HOLE_PAGE 0x40005000ull
#define OVERLAP_PAGE 0x40006000ull
#define EDGE_XN_BYTE 0x40001000ull

static inline struct sim *sim_for_test(const char *elf, unsigned regions)
{
    struct sim_options o;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    sim_options_default(&o);
    o.mpu.regions_el2 = regions;
    o.mpu.regions_el1 = regions;
    struct sim *s = sim_new(&o, &err);
    cr_assert_not_null(s, "sim_new: %s", err.text);
    cr_assert_eq(sim_load_elf(s, elf, &err), 0, "%s: %s", elf, err.text);
    return s;
}

/* Call name with up to 8 arguments; asserts success; returns X0. */
static inline uint64_t call_ok(struct sim *s, const char *name, const uint64_t *args,
                               unsigned nargs)
{
    struct sim_call_result r;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    int rc = sim_call(s, name, args, nargs, &r, &err);
    cr_assert_eq(rc, 0, "call %s: %s", name, err.text);
    return r.x0;
}

static inline uint64_t symbol_addr(struct sim *s, const char *name)
{
    struct sim_symbol y;
    cr_assert_eq(sim_symbol(s, name, &y, NULL), 0, "no symbol %s", name);
    return y.addr;
}

static inline uint64_t mem64(struct sim *s, uint64_t addr)
{
    uint64_t v = 0;
    cr_assert_eq(sim_mem_read(s, addr, &v, sizeof v, NULL), 0);
    return v;
}
#endif
