/*
 * PrimeCell UART PL011 (Arm DDI 0183, "PrimeCell UART (PL011) Technical Reference Manual"),
 * as much of it as a hypervisor's console driver needs:
 *
 *   0x000 UARTDR     write: the low 8 bits are transmitted (to the console callback) at once;
 *                    read: 0 (the receive FIFO is always empty)
 *   0x004 UARTRSR    receive status / error clear: 0; writes ignored
 *   0x018 UARTFR     flags, read only: TXFE (bit 7) and RXFE (bit 4) set; BUSY (bit 3),
 *                    TXFF (bit 5) and RXFF (bit 6) clear: an idle transmitter, nothing received
 *   0x020..0x034     ILPR, IBRD, FBRD, LCR_H, CR, IFLS: read back as written
 *   0x038 UARTIMSC   interrupt mask: read back as written
 *   0x03C UARTRIS    raw interrupt status: TXRIS (bit 5) once a byte has been sent (the FIFO
 *                    drained below its trigger level), until cleared through UARTICR
 *   0x040 UARTMIS    RIS & IMSC
 *   0x044 UARTICR    write 1s to clear RIS bits
 *   0x048 UARTDMACR  read back as written
 *   0xFE0..0xFFC     UARTPeriphID0..3 = 0x11 0x10 0x34 0x00 (PL011 r1p5), UARTPCellID0..3 =
 *                    0x0D 0xF0 0x05 0xB1
 *
 * Unlike the hardware, a byte is sent whatever UARTCR.UARTEN/TXE say (firmware has usually
 * set the UART up before a hypervisor runs; QEMU's model does the same). Other offsets read 0
 * and ignore writes.
 */
#include <string.h>

#include "sim/sim.h"

#define UART_DR 0x000
#define UART_RSR 0x004
#define UART_FR 0x018
#define UART_IMSC 0x038
#define UART_RIS 0x03c
#define UART_MIS 0x040
#define UART_ICR 0x044
#define UART_DMACR 0x048
#define UART_PERIPH_ID0 0xfe0

#define FR_RXFE (1u << 4) /* receive FIFO empty */
#define FR_TXFE (1u << 7) /* transmit FIFO empty */
#define INT_TX (1u << 5)  /* TXRIS / TXMIS / TXIC */
#define INT_ALL 0x7ffu    /* the 11 interrupt bits of RIS/MIS/ICR/IMSC */

static const uint8_t ident[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

void sim_pl011_init(struct sim_pl011 *u, sim_console_fn out, void *opaque)
{
    memset(u, 0, sizeof *u);
    u->out = out;
    u->opaque = opaque;
    u->reg[0x030 / 4] = 0x300; /* UARTCR reset value: TXE and RXE set, UARTEN clear */
    u->reg[0x034 / 4] = 0x12;  /* UARTIFLS reset value: both FIFOs at half */
}

int sim_pl011_irq(const struct sim_pl011 *u) { return (u->ris & u->reg[UART_IMSC / 4]) != 0; }

static uint64_t pl011_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)size;
    const struct sim_pl011 *u = opaque;
    uint64_t word = offset & ~(uint64_t)3;
    switch (word) {
    case UART_DR:
    case UART_RSR:
        return 0;
    case UART_FR:
        return FR_TXFE | FR_RXFE;
    case UART_RIS:
        return u->ris;
    case UART_MIS:
        return u->ris & u->reg[UART_IMSC / 4];
    case UART_ICR:
        return 0; /* write only */
    default:
        if (word >= UART_PERIPH_ID0 && word < UART_PERIPH_ID0 + 4 * sizeof ident)
            return ident[(word - UART_PERIPH_ID0) / 4];
        if (word < sizeof u->reg)
            return u->reg[word / 4];
        return 0;
    }
}

static void pl011_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    (void)size;
    struct sim_pl011 *u = opaque;
    uint64_t word = offset & ~(uint64_t)3;
    switch (word) {
    case UART_DR: {
        char c = (char)(value & 0xff);
        u->tx_bytes++;
        u->ris |= INT_TX;
        if (u->out)
            u->out(u->opaque, &c, 1);
        return;
    }
    case UART_RSR:
    case UART_FR:
    case UART_RIS:
    case UART_MIS:
        return; /* error clear (nothing to clear) and read-only registers */
    case UART_ICR:
        u->ris &= ~((uint32_t)value & INT_ALL);
        return;
    default:
        if (word < sizeof u->reg)
            u->reg[word / 4] = (uint32_t)value;
        return;
    }
}

struct sim_device sim_pl011_device(struct sim_pl011 *u)
{
    return (struct sim_device){ .name = "pl011", .read = pl011_read, .write = pl011_write,
                                .opaque = u };
}
