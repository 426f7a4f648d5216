/* Test guest of tests/cli/boot_cli_test.c: a hypervisor-like panic path with the symbols the
 * run's stop rules look for. start calls panic(msg); panic prints a banner through the
 * service call and calls machine_halt, which waits for interrupts forever. */
    .section .text.start, "ax"
    .globl _start
_start:                             /* on the harness stack */
    adr     x0, msg
    bl      panic
    b       .

    .globl panic
panic:
    stp     x29, x30, [sp, #-16]!
    mov     x29, sp
    adr     x1, banner
    mov     x2, #(banner_end - banner)
    mov     x0, #2
    hvc     #0
    bl      machine_halt
    b       .

    .globl machine_halt
machine_halt:
    wfi
    b       machine_halt

    .section .rodata
msg:
    .asciz  "Something went wrong (rc = %d)"
banner:
    .ascii  "(XEN) Panic on CPU 0:\n(XEN) Something went wrong (rc = -22)\n"
banner_end:
