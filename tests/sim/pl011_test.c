/* sim/pl011.c: the PL011 UART model, on its own (pure) and under a guest driver. */
#include "tests/sim/helpers.h"

#define PL011_ELF "build/tests/guests/pl011.elf"
#define UART_BASE 0x9c090000ull

struct sink {
    char text[256];
    size_t n;
};

static void collect(void *opaque, const char *buf, size_t len)
{
    struct sink *k = opaque;
    for (size_t i = 0; i < len && k->n + 1 < sizeof k->text; i++)
        k->text[k->n++] = buf[i];
    k->text[k->n] = '\0';
}

Test(pl011, flags_report_an_empty_idle_transmitter_and_an_empty_receiver)
{
    struct sim_pl011 u;
    sim_pl011_init(&u, NULL, NULL);
    struct sim_device d = sim_pl011_device(&u);
    uint64_t fr = d.read(d.opaque, 0x018, 4);
    cr_expect_eq(fr & (1u << 7), 1u << 7, "TXFE");
    cr_expect_eq(fr & (1u << 4), 1u << 4, "RXFE");
    cr_expect_eq(fr & ((1u << 3) | (1u << 5) | (1u << 6)), 0u, "BUSY, TXFF, RXFF clear");
    cr_expect_eq(d.read(d.opaque, 0x000, 4), 0u, "nothing received");
}

Test(pl011, identification_registers_read_as_a_pl011)
{
    struct sim_pl011 u;
    sim_pl011_init(&u, NULL, NULL);
    struct sim_device d = sim_pl011_device(&u);
    static const unsigned id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    for (unsigned i = 0; i < 8; i++)
        cr_expect_eq(d.read(d.opaque, 0xfe0 + 4 * i, 4), id[i], "ID register 0x%x", 0xfe0 + 4 * i);
    cr_expect_str_eq(d.name, "pl011");
}

Test(pl011, data_writes_reach_the_console_and_raise_the_tx_interrupt_until_cleared)
{
    struct sink k = { "", 0 };
    struct sim_pl011 u;
    sim_pl011_init(&u, collect, &k);
    struct sim_device d = sim_pl011_device(&u);
    d.write(d.opaque, 0x038, 4, 1u << 5); /* IMSC: TX */
    cr_expect_eq(sim_pl011_irq(&u), 0);
    d.write(d.opaque, 0x000, 1, 'o');
    d.write(d.opaque, 0x000, 4, 0x100 | 'k'); /* only the low 8 bits are data */
    cr_expect_str_eq(k.text, "ok");
    cr_expect_eq(u.tx_bytes, 2u);
    cr_expect_eq(d.read(d.opaque, 0x03c, 4), 1u << 5, "RIS.TX");
    cr_expect_eq(d.read(d.opaque, 0x040, 4), 1u << 5, "MIS.TX");
    cr_expect_eq(sim_pl011_irq(&u), 1);
    d.write(d.opaque, 0x044, 4, 1u << 5); /* ICR */
    cr_expect_eq(d.read(d.opaque, 0x03c, 4), 0u);
    cr_expect_eq(sim_pl011_irq(&u), 0);
}

Test(pl011, control_registers_read_back_and_reset_values)
{
    struct sim_pl011 u;
    sim_pl011_init(&u, NULL, NULL);
    struct sim_device d = sim_pl011_device(&u);
    cr_expect_eq(d.read(d.opaque, 0x030, 4), 0x300u, "UARTCR reset value");
    d.write(d.opaque, 0x024, 4, 0x1a); /* IBRD */
    d.write(d.opaque, 0x02c, 4, 0x70); /* LCR_H */
    cr_expect_eq(d.read(d.opaque, 0x024, 4), 0x1au);
    cr_expect_eq(d.read(d.opaque, 0x02c, 4), 0x70u);
    d.write(d.opaque, 0x018, 4, 0); /* FR is read only */
    cr_expect_eq(d.read(d.opaque, 0x018, 4), 0x90u);
}

static struct sim *pl011_guest(struct sim_pl011 *u, struct sink *k)
{
    struct sim *s = sim_for_test(PL011_ELF, 16);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    sim_pl011_init(u, collect, k);
    struct sim_device d = sim_pl011_device(u);
    cr_assert_eq(sim_map_device(s, UART_BASE, SIM_PL011_SIZE, &d, &err), 0, "%s", err.text);
    return s;
}

Test(pl011, a_guest_driver_prints_through_the_model)
{
    struct sink k = { "", 0 };
    struct sim_pl011 u;
    struct sim *s = pl011_guest(&u, &k);
    struct sim_stop st;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(sim_run(s, sim_entry(s), NULL, 0, &st, &err), 0, "%s", err.text);
    cr_expect_eq(st.kind, SIM_STOP_EXIT);
    cr_expect_eq(st.exit_code, 0, "the guest saw a PL011");
    cr_expect_str_eq(k.text, "hello from the PL011\n");
    cr_expect_eq(sim_stats(s)->device_writes, 22u, "21 data bytes and UARTCR");
    sim_free(s);
}

Test(pl011, a_store_the_mpu_refuses_does_not_reach_the_uart)
{
    struct sink k = { "", 0 };
    struct sim_pl011 u;
    struct sim *s = pl011_guest(&u, &k);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(sim_exempt_image(s, &err), 0, "%s", err.text);
    sim_mpu_write(s, mpu_reg_from_name("SCTLR_EL2"), 1); /* M = 1, no region: UART refused */
    uint64_t c = 'x';
    struct sim_call_result r;
    cr_expect_neq(sim_call(s, "uart_putc", &c, 1, &r, &err), 0);
    cr_expect_eq(sim_last_stop(s)->kind, SIM_STOP_FAULT);
    cr_expect_eq(sim_last_stop(s)->addr, UART_BASE + 0x18, "the flag register read faults first");
    cr_expect_eq(u.tx_bytes, 0u);
    cr_expect_str_eq(k.text, "");
    sim_free(s);
}

Test(pl011, a_window_over_other_memory_is_refused_naming_both)
{
    struct sim *s = sim_for_test(PL011_ELF, 16);
    struct sim_pl011 u;
    sim_pl011_init(&u, NULL, NULL);
    struct sim_device d = sim_pl011_device(&u);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(sim_map_device(s, 0x40001000, SIM_PL011_SIZE, &d, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect(strstr(err.text, "pl011 [0x40001000, 0x40002000) overlaps the ELF segment"),
              "%s", err.text);
    mpusim_error_clear(&err);
    cr_expect_eq(sim_map_device(s, UART_BASE + 8, SIM_PL011_SIZE, &d, &err), -1, "misaligned");
    cr_expect(strstr(err.text, "multiples of 4 KiB"), "%s", err.text);
    sim_free(s);
}
