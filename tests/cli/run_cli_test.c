/* mpusim run: the guest's console through a PL011 model, and bad --uart windows. */
#include <criterion/criterion.h>
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
