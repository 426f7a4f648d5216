/* Test guest of tests/cli/boot_cli_test.c: prints a line, then waits for an interrupt that
 * never comes (an idle loop). */
    .section .text.start, "ax"
    .globl _start
_start:
    adr     x1, line
    mov     x2, #(line_end - line)
    mov     x0, #2
    hvc     #0
    .globl idle_loop
idle_loop:
    wfi
    b       idle_loop

    .section .rodata
line:
    .ascii  "going idle\n"
line_end:
