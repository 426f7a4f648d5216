/* The loop of bench/guest's checked-vs-bare figure (build/bench/guests/mm-loop.elf): the xen
 * algorithm of mm/ mapping and unmapping as replay --engine guest runs it (guest_map and
 * guest_unmap of guest/glue.c, each ~300 instructions of loads, stores, branches and calls),
 * with the MPU registers in memory (hw_mem.c). bench_mpu_on programs the real EL2 MPU
 * (image and harness stack) for the checked run; the bare run does not call it. */
#include <stdint.h>

#include "mm/mm.h"

int guest_map(uint64_t base, uint64_t limit, unsigned flags);   /* guest/glue.c */
int guest_unmap(uint64_t base, uint64_t limit);

uint64_t bench_mm_loop(uint64_t n);
void bench_mpu_on(void);

/* n rounds of: map 4 KiB at one of eight addresses, unmap it. Returns the calls that failed. */
uint64_t bench_mm_loop(uint64_t n)
{
    uint64_t failed = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t base = 0x10000000ull + (i % 8) * 0x100000ull;
        failed += guest_map(base, base + 0x1000, MM_PAGE_HYPERVISOR_RW) != 0;
        failed += guest_unmap(base, base + 0x1000) != 0;
    }
    return failed;
}

/* Linker symbols of bench/mm_loop/link.ld, all 4 KiB aligned. */
extern char __text_start[], __rodata_start[], __data_start[], __stack_top[];

#define PRSELR_EL2 "S3_4_C6_C2_1"
#define SCTLR_EL2 "S3_4_C1_C0_0"
#define PRBAR_RX 0x8u    /* AP[2:1] = 0b10 (read-only), XN = 0 */
#define PRBAR_RO_XN 0xAu /* read-only, execute-never */
#define PRBAR_RW_XN 0x2u /* read/write, execute-never */
#define PRLAR_EN 1u
#define HARNESS_STACK 0x7FF00000ull /* sim's default call stack (SIM_DEFAULT_STACK_*) */
#define HARNESS_STACK_SIZE 0x10000ull

#define REGION(bar, lar, base, limit, attr)                                                \
    do {                                                                                   \
        uint64_t b_ = (uint64_t)(base) | (attr);                                           \
        uint64_t l_ = (((uint64_t)(limit)-1) & ~0x3Full) | PRLAR_EN;                       \
        __asm__ volatile("msr " bar ", %0\n\tmsr " lar ", %1" ::"r"(b_), "r"(l_) : "memory"); \
    } while (0)

/* Regions 0..3 (text, rodata, data + bss + stack, harness stack), then SCTLR_EL2.M = 1. */
void bench_mpu_on(void)
{
    __asm__ volatile("msr " PRSELR_EL2 ", xzr\n\tisb" ::: "memory");
    REGION("S3_4_C6_C8_0", "S3_4_C6_C8_1", __text_start, __rodata_start, PRBAR_RX);
    REGION("S3_4_C6_C8_4", "S3_4_C6_C8_5", __rodata_start, __data_start, PRBAR_RO_XN);
    REGION("S3_4_C6_C9_0", "S3_4_C6_C9_1", __data_start, __stack_top, PRBAR_RW_XN);
    REGION("S3_4_C6_C9_4", "S3_4_C6_C9_5", HARNESS_STACK, HARNESS_STACK + HARNESS_STACK_SIZE,
           PRBAR_RW_XN);
    uint64_t sctlr;
    __asm__ volatile("dsb sy\n\tmrs %0, " SCTLR_EL2 : "=r"(sctlr));
    sctlr |= 1u;
    __asm__ volatile("msr " SCTLR_EL2 ", %0\n\tisb" ::"r"(sctlr) : "memory");
}
