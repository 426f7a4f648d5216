/* Start-up code of the mm guest (build/guest/mm.elf): set the stack, zero .bss, then stop at
 * guest_ready. The host runs from the entry point until guest_ready (the adapter's boot step)
 * and then calls the glue functions (guest/glue.c) one per trace event; SP stays where this
 * code put it. Run on its own (`mpusim run`), the program exits with code 0 at guest_ready. */
    .section .text.start, "ax"
    .globl _start
    .type _start, %function
_start:
    adrp    x0, __stack_top
    add     x0, x0, :lo12:__stack_top
    mov     sp, x0
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:
    .globl guest_ready
    .type guest_ready, %function
guest_ready:
    mov     x0, #0          /* service call 0: exit */
    mov     x1, #0          /* with code 0 */
    hvc     #0
    b       .
    .size _start, . - _start
