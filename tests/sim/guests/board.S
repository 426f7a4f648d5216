/* Test guest of tests/sim/board_test.c: a platform's devices
 * from the guest's side (GICv3 MMIO, an unmodelled device address, the generic timer, PSCI
 * over SMC), call watches (nested, tail and plain calls), WFI. */
#define CNTFRQ_EL0 S3_3_C14_C0_0
#define CNTPCT_EL0 S3_3_C14_C0_1
#define ICC_SRE_EL2 S3_4_C12_C9_5
#define ID_AA64PFR0_EL1 S3_0_C0_C4_0

    .section .text.start, "ax"
    .globl _start
_start:
    ldr     x0, =0x40003800
    mov     sp, x0
    b       devices

/* x1 = GICD_PIDR2, x2 = an unmodelled device word, x3 = CNTFRQ_EL0, x4/x5 = CNTPCT_EL0 twice
 * around a loop, x6 = PSCI_VERSION, x7 = ICC_SRE_EL2, x8 = ID_AA64PFR0_EL1; then SYSTEM_OFF. */
    .globl devices
devices:
    ldr     x9, =0xaf00ffe8
    ldr     w1, [x9]
    ldr     x9, =0xaf00a000
    ldr     w2, [x9]
    str     w2, [x9]
    mrs     x3, CNTFRQ_EL0
    mrs     x4, CNTPCT_EL0
    mov     x10, #1000
1:  subs    x10, x10, #1
    b.ne    1b
    mrs     x5, CNTPCT_EL0
    ldr     x0, =0x84000000
    smc     #0
    mov     x6, x0
    mrs     x7, ICC_SRE_EL2
    mrs     x8, ID_AA64PFR0_EL1
    ldr     x0, =0x84000008
    smc     #0
    b       .

/* Call watches: outer(x) = inner(x) + 1 by BL; tail(x) tail-calls inner; inner(x) = x * 2. */
    .globl watched
watched:
    stp     x29, x30, [sp, #-16]!
    mov     x29, sp
    mov     x0, #5
    bl      outer
    mov     x19, x0
    mov     x0, #7
    bl      tail
    mov     x20, x0
    mov     x0, #3
    bl      inner
    mov     x21, x0
    ldp     x29, x30, [sp], #16
    wfi
    b       .

    .globl outer
outer:
    stp     x29, x30, [sp, #-16]!
    mov     x29, sp
    bl      inner
    add     x0, x0, #1
    ldp     x29, x30, [sp], #16
    ret

    .globl tail
tail:
    b       inner

    .globl inner
inner:
    lsl     x0, x0, #1
    ret

