/* Test guest of tests/sim/sim_test.c: MPU programming, faults of each cause from real loads,
 * stores and fetches, vectors, unknown registers, budget, stubs, calls. Functions follow the
 * AAPCS64 and return to LR unless said otherwise. */
#define PRSELR_EL2 S3_4_C6_C2_1
#define PRBAR_EL2  S3_4_C6_C8_0
#define PRLAR_EL2  S3_4_C6_C8_1
#define PRBAR1_EL2 S3_4_C6_C8_4
#define PRLAR1_EL2 S3_4_C6_C8_5
#define PRBAR2_EL2 S3_4_C6_C9_0
#define PRLAR2_EL2 S3_4_C6_C9_1
#define PRBAR3_EL2 S3_4_C6_C9_4
#define PRLAR3_EL2 S3_4_C6_C9_5
#define PRBAR4_EL2 S3_4_C6_C10_0
#define PRLAR4_EL2 S3_4_C6_C10_1
#define PRBAR5_EL2 S3_4_C6_C10_4
#define PRLAR5_EL2 S3_4_C6_C10_5
#define PRBAR6_EL2 S3_4_C6_C11_0
#define PRLAR6_EL2 S3_4_C6_C11_1
#define SCTLR_EL2  S3_4_C1_C0_0
#define VBAR_EL2   S3_4_C12_C0_0
#define ESR_EL2    S3_4_C5_C2_0
#define FAR_EL2    S3_4_C6_C0_0
#define ELR_EL2    S3_4_C4_C0_1

/* PRBAR: base | AP[2:1] << 2 | XN[1] << 1. AP 0b10: read-only at EL2; 0b00: read/write. */
#define RX 0x8
#define RO_XN 0xA
#define RW_XN 0x2

.macro region bar, lar, base, size, attr
    ldr     x1, =(\base | \attr)
    msr     \bar, x1
    ldr     x1, =(((\base + \size - 1) & ~0x3F) | 1)
    msr     \lar, x1
.endm

    .section .text.vectors, "ax"
    .balign 2048
    .globl vectors
vectors:
    .skip 0x200
    .globl sync_handler
sync_handler:                       /* current EL, SP_ELx, synchronous: log and skip */
    mrs     x9, ESR_EL2
    mrs     x10, FAR_EL2
    mrs     x11, ELR_EL2
    adr     x12, fault_log
    stp     x9, x10, [x12]
    str     x11, [x12, #16]
    ldr     x13, [x12, #24]
    add     x13, x13, #1
    str     x13, [x12, #24]
    add     x11, x11, #4
    msr     ELR_EL2, x11
    mov     x0, #0xdead
    eret

    .text
    .globl _start
_start:                             /* run: program the MPU, enable it, exit 0 */
    bl      setup_mpu
    mov     x0, #0
    mov     x1, #0
    hvc     #0
    b       .

/* Regions 0..6 (region 0 through PRSELR, the rest through PRBAR<n>/PRLAR<n>), then M = 1. */
    .globl setup_mpu
    .type setup_mpu, %function
setup_mpu:
    mov     x1, #0
    msr     PRSELR_EL2, x1
    isb
    region  PRBAR_EL2, PRLAR_EL2, 0x40000000, 0x1000, RX       /* text */
    region  PRBAR1_EL2, PRLAR1_EL2, 0x40002000, 0x1000, RO_XN  /* rodata */
    region  PRBAR2_EL2, PRLAR2_EL2, 0x40003000, 0x1000, RW_XN  /* data */
    region  PRBAR3_EL2, PRLAR3_EL2, 0x40004000, 0x1000, RW_XN  /* xdata */
    region  PRBAR4_EL2, PRLAR4_EL2, 0x7FF00000, 0x10000, RW_XN /* harness stack */
    region  PRBAR5_EL2, PRLAR5_EL2, 0x40006000, 0x1000, RX     /* overlap, twice */
    region  PRBAR6_EL2, PRLAR6_EL2, 0x40006000, 0x1000, RX
    dsb     sy
    mrs     x1, SCTLR_EL2
    orr     x1, x1, #1                                        /* M */
    msr     SCTLR_EL2, x1
    isb
    ret

/* Region 17 through PRSELR = 16 and the PRBAR1/PRLAR1 aliases (needs 18+ regions). */
    .globl program_region_17
program_region_17:
    mov     x1, #16
    msr     PRSELR_EL2, x1
    isb
    region  PRBAR1_EL2, PRLAR1_EL2, 0x50000000, 0x2000, RW_XN
    mov     x0, #0
    ret

    .globl install_vectors
install_vectors:
    adr     x0, vectors
    msr     VBAR_EL2, x0
    isb
    ret

    .globl load_from                /* x0 = *(uint64_t *)x0 */
load_from:
    mov     x1, x0
    ldr     x0, [x1]
    ret

    .globl store_to                 /* *(uint64_t *)x0 = x1; x0 = 7 (0xdead if it faulted) */
store_to:
    mov     x2, x0
    mov     x0, #7
    str     x1, [x2]
    ret

    .globl jump_to                  /* branch to x0 (with LR = our caller) */
jump_to:
    br      x0

    .globl current_el
current_el:
    mrs     x0, CurrentEL
    ret

    .globl read_mmfr0
read_mmfr0:
    mrs     x0, ID_AA64MMFR0_EL1
    ret

    .globl unknown_regs             /* a register nobody models: read 0, write ignored */
unknown_regs:
    mrs     x0, S3_4_C15_C15_7
    msr     S3_4_C15_C15_7, x0
    add     x0, x0, #42
    ret

    .globl cache_ops
cache_ops:
    ic      iallu
    dc      civac, x0
    tlbi    alle2
    dsb     sy
    isb
    mov     x0, #1
    ret

    .globl ten_nops                 /* 11 instructions */
ten_nops:
    .rept 10
    nop
    .endr
    ret

    .globl loop                     /* x0 iterations of load, add, store (benchmark) */
loop:
    adr     x1, rw_word
1:  ldr     x2, [x1]
    add     x2, x2, #1
    str     x2, [x1]
    subs    x0, x0, #1
    b.ne    1b
    ret

    .globl spin
spin:
    b       spin

    .globl sum8
sum8:
    add     x0, x0, x1
    add     x0, x0, x2
    add     x0, x0, x3
    add     x0, x0, x4
    add     x0, x0, x5
    add     x0, x0, x6
    add     x0, x0, x7
    ret

    .globl minus22                  /* a C int -22: W0 = 0xffffffea, upper half 0 */
minus22:
    mov     w0, #-22
    ret

    .globl helper
    .type helper, %function
helper:
    mov     x0, #5
    ret
    .size helper, . - helper

    .globl call_helper              /* helper() + 1 */
call_helper:
    stp     x29, x30, [sp, #-16]!
    bl      helper
    add     x0, x0, #1
    ldp     x29, x30, [sp], #16
    ret

    .globl say_hi                   /* console: "hi\n" through hvc #0, X0 = 2 */
say_hi:
    mov     x0, #2
    adr     x1, hi_text
    mov     x2, #3
    hvc     #0
    mov     x0, #1
    mov     x1, #'!'
    hvc     #0
    mov     x0, #0
    ret

    .globl undefined_insn
undefined_insn:
    .word   0x00000000              /* permanently undefined (UDF #0) */
    ret

    .section .edge, "ax"
    .globl edge                     /* four instructions, then off the executable page */
edge:
    mov     x0, #1
    mov     x0, #2
    mov     x0, #3
    mov     x0, #4
    mov     x0, #5                  /* 0x40001000: not executable */
    ret

    .section .rodata
    .globl ro_word
ro_word:
    .quad   0x1122334455667788
hi_text:
    .ascii  "hi\n"

    .data
    .balign 8
    .globl fault_log                /* ESR, FAR, ELR, count: written by sync_handler */
fault_log:
    .quad   0, 0, 0, 0
    .globl rw_word
rw_word:
    .quad   0x0102030405060708

    .section .xdata, "aw"
    .globl xn_code                  /* code in an execute-never page */
xn_code:
    mov     x0, #99
    ret

    .section .hole, "aw"
    .globl hole_word
hole_word:
    .quad   0x4242
    mov     x0, #98
    ret

    .section .overlap, "aw"
    .globl overlap_word
overlap_word:
    .quad   0x4343
    mov     x0, #97
    ret
