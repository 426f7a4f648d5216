/* Test guest of tests/sim/timing_test.c: short sequences whose cycle counts are worked out by
 * hand from the default core (cores/cortex-r82.json) in the comments of the tests. Functions
 * follow the AAPCS64 and return to LR. */
#define PRSELR_EL2 S3_4_C6_C2_1
#define PRBAR_EL2  S3_4_C6_C8_0
#define PRLAR_EL2  S3_4_C6_C8_1
#define PRBAR1_EL2 S3_4_C6_C8_4
#define PRLAR1_EL2 S3_4_C6_C8_5
#define PRBAR2_EL2 S3_4_C6_C9_0
#define PRLAR2_EL2 S3_4_C6_C9_1
#define SCTLR_EL2  S3_4_C1_C0_0

    .text
    .globl _start
_start:
    mov     x0, #0
    hvc     #0

    .globl alu_chain            /* four dependent adds */
alu_chain:
    add     x0, x0, #1
    add     x0, x0, #1
    add     x0, x0, #1
    add     x0, x0, #1
    ret

    .globl load_use             /* x0: address of a doubleword */
load_use:
    ldr     x1, [x0]
    add     x2, x1, #1
    add     x0, x2, #1
    ret

    .globl madd_chain           /* accumulator chain */
madd_chain:
    madd    x0, x1, x2, x0
    madd    x0, x1, x2, x0
    madd    x0, x1, x2, x0
    ret

    .globl count_down           /* x0 = n >= 1: n iterations of a two-instruction loop */
count_down:
1:  subs    x0, x0, #1
    b.ne    1b
    ret

    .globl msr_isb              /* x0: region number for PRSELR_EL2 */
msr_isb:
    msr     PRSELR_EL2, x0
    isb
    ret

    .globl dsb_stores           /* x0: address of two doublewords */
dsb_stores:
    str     x1, [x0]
    str     x1, [x0, #8]
    dsb     sy
    ret

    .globl fault_mid            /* x0: an address no region covers once mpu_on ran */
fault_mid:
    add     x2, x2, #1
    ldr     x1, [x0]
    add     x3, x3, #1
    ret

    .globl mpu_on               /* text RX, data RW, harness stack RW; MPU on */
mpu_on:
    mov     x1, #0
    msr     PRSELR_EL2, x1
    ldr     x1, =(0x40000000 | 0x8)
    msr     PRBAR_EL2, x1
    ldr     x1, =((0x40000FFF & ~0x3F) | 1)
    msr     PRLAR_EL2, x1
    ldr     x1, =(0x40003000 | 0x2)
    msr     PRBAR1_EL2, x1
    ldr     x1, =((0x40003FFF & ~0x3F) | 1)
    msr     PRLAR1_EL2, x1
    ldr     x1, =(0x7FF00000 | 0x2)
    msr     PRBAR2_EL2, x1
    ldr     x1, =((0x7FF0FFFF & ~0x3F) | 1)
    msr     PRLAR2_EL2, x1
    dsb     sy
    mrs     x1, SCTLR_EL2
    orr     x1, x1, #1
    msr     SCTLR_EL2, x1
    isb
    ret
    .ltorg

    .data
    .globl scratch
scratch:
    .quad   41, 0, 0, 0

    .section .hole, "aw"
    .globl hole
hole:
    .quad   0
