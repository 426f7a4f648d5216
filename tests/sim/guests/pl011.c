/* Test guest in C: a console driver for a PL011 UART at 0x9c090000 (tests/sim/pl011_test.c
 * maps the model there). It checks the identification registers, waits for room in the
 * transmit FIFO before each byte (UARTFR.TXFF) and for the transmitter to go idle at the end
 * (UARTFR.BUSY), and exits with 0, or with 1 if the UART does not look like a PL011. */
#include <stdint.h>

#define UART 0x9c090000ul
#define UART_DR 0x000
#define UART_FR 0x018
#define UART_CR 0x030
#define UART_PERIPH_ID0 0xfe0
#define FR_BUSY (1u << 3)
#define FR_TXFF (1u << 5)

static volatile uint32_t *reg(unsigned off) { return (volatile uint32_t *)(UART + off); }

void uart_putc(char c);
void uart_putc(char c)
{
    while (*reg(UART_FR) & FR_TXFF)
        ;
    *(volatile uint8_t *)(UART + UART_DR) = (uint8_t)c; /* strb, as early printk code does */
}

static void uart_puts(const char *s)
{
    for (; *s; s++)
        uart_putc(*s);
    while (*reg(UART_FR) & FR_BUSY)
        ;
}

/* For replay (tests/cli/guest_cli_test.c): boot runs until here; then each map event is a
 * call of uart_map, which says so on the console. */
void guest_ready(void);
__attribute__((noinline)) void guest_ready(void) { __asm__ volatile("" ::: "memory"); }
int uart_map(unsigned long base, unsigned long limit);
int uart_map(unsigned long base, unsigned long limit)
{
    uart_puts(limit > base ? "map\n" : "empty map\n");
    return 0;
}

int guest_main(void);
int guest_main(void)
{
    if (*reg(UART_PERIPH_ID0) != 0x11 || *reg(UART_PERIPH_ID0 + 4) != 0x10)
        return 1;
    *reg(UART_CR) = 0x301; /* UARTEN | TXE | RXE */
    uart_puts("hello from the PL011\n");
    guest_ready();
    return 0;
}

__asm__(".section .text.start, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "    ldr x0, =0x7FF10000\n"
        "    mov sp, x0\n"
        "    bl guest_main\n"
        "    mov x1, x0\n"
        "    mov x0, #0\n"
        "    hvc #0\n"
        "    b .\n");
