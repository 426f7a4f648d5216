/* Test guest in C: prints through the console service call and exits with code 3. */
#include <stdint.h>

static uint64_t hvc(uint64_t fn, uint64_t a, uint64_t b)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a;
    register uint64_t x2 __asm__("x2") = b;
    __asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2) : "memory");
    return x0;
}

static const char msg[] = "hello from C\n";

int guest_main(void);
int guest_main(void)
{
    hvc(2, (uint64_t)(uintptr_t)msg, sizeof msg - 1);
    for (const char *p = "bye\n"; *p; p++)
        hvc(1, (uint64_t)*p, 0);
    return 3;
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
