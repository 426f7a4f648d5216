/* Symbols at fixed addresses for the Tarmac import tests (tests/tarmac/): functions
 * named as Xen's MPU entry points, each 0x100-aligned, so that hand-written traces can name
 * their addresses. The bodies are placeholders (return 0): the import reads symbols only. */
    .section .text.start, "ax"
    .global _start
_start:
    b       start_xen

    .text
    .balign 0x100
    .global xen_mpumap_update                 /* 0x40000100 */
    .type   xen_mpumap_update, %function
xen_mpumap_update:
    mov     x0, #0
    ret
    .size   xen_mpumap_update, 0x100

    .balign 0x100
    .global destroy_xen_mapping_containing    /* 0x40000200 */
    .type   destroy_xen_mapping_containing, %function
destroy_xen_mapping_containing:
    mov     x0, #0
    ret
    .size   destroy_xen_mapping_containing, 0x100

    .balign 0x100
    .global ioremap_attr                      /* 0x40000300: calls xen_mpumap_update */
    .type   ioremap_attr, %function
ioremap_attr:
    stp     x29, x30, [sp, #-16]!
    bl      xen_mpumap_update
    ldp     x29, x30, [sp], #16
    ret
    .size   ioremap_attr, 0x100

    .balign 0x100
    .global start_xen                         /* 0x40000400 */
    .type   start_xen, %function
start_xen:
    b       .
    .size   start_xen, . - start_xen
