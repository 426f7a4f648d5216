/* mpusim run: the guest's console through a PL011 model, and bad --uart windows. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/cli/helpers.h"

TestSuite(run_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

Test(run_cli, uart_output_goes_to_stdout)
{
    cr_assert_eq(sh(MPUSIM " run build/tests/guests/pl011.elf --uart 0x9c090000"), 0, "%s",
                 slurp("err"));
    cr_expect(strncmp(slurp("out"), "hello from the PL011\n", 21) == 0, "%s", slurp("out"));
}

Test(run_cli, without_the_uart_the_guest_stops_at_the_unmapped_register)
{
    cr_expect_eq(sh(MPUSIM " run build/tests/guests/pl011.elf"), 1);
    cr_expect(strstr(slurp("out"), "read from unmapped address 0x9c090fe0") != NULL, "%s",
              slurp("out"));
}

Test(run_cli, a_uart_over_ram_or_the_image_exits_2_naming_the_option)
{
    cr_expect_eq(sh(MPUSIM " run build/tests/guests/pl011.elf --ram 0x9c000000:0x100000 "
                    "--uart 0x9c090000"), 2);
    cr_expect(strstr(slurp("err"), "--uart 0x9c090000: pl011 [0x9c090000, 0x9c091000) overlaps "
                                   "the --ram window [0x9c000000, 0x9c100000)") != NULL,
              "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run build/tests/guests/pl011.elf --uart 0x40000000"), 2);
    cr_expect(strstr(slurp("err"), "overlaps the ELF segment") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run build/tests/guests/pl011.elf --uart 0x9c090004"), 2);
    cr_expect(strstr(slurp("err"), "--uart '0x9c090004': not 4 KiB aligned") != NULL, "%s",
              slurp("err"));
}

/* --budget N stops after exactly N instructions, wherever N falls in a translated block (the
 * block that passes the budget runs instruction-counted up to it), timing on or off. */
Test(run_cli, the_budget_is_exact)
{
    static const unsigned budgets[] = { 1, 2, 5, 10, 17, 100, 1001, 4099 };
    for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++)
        for (int timing = 0; timing < 2; timing++) {
            unsigned n = budgets[i];
            cr_expect_eq(sh(MPUSIM " run build/guest/mm.elf --budget %u%s", n,
                            timing ? "" : " --no-timing"), 1, "%s", slurp("err"));
            char want[96];
            snprintf(want, sizeof want, "instruction budget exhausted after %u instructions\n", n);
            cr_expect(strstr(slurp("out"), want) != NULL, "--budget %u: %s", n, slurp("out"));
            snprintf(want, sizeof want, "\ninstructions: %u\n", n);
            cr_expect(strstr(slurp("out"), want) != NULL, "--budget %u: %s", n, slurp("out"));
        }
    /* the Tarmac export sees the same instructions */
    cr_expect_eq(sh(MPUSIM " run build/guest/mm.elf --budget 37 --tarmac %s/t.tarmac", tdir), 1);
    cr_expect(strstr(slurp("err"), "run: 37 instructions written") != NULL, "%s", slurp("err"));
}
