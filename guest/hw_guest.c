/* mm/hw.h for the guest build: mm_hw_read / mm_hw_write as real MRS / MSR instructions, one
 * case per register encoding mm/ uses. Registers are spelled by their generic names
 * (S<op0>_<op1>_C<n>_C<m>_<op2>) so that gas accepts them for a plain armv8-a target. */
#include "mm/hw.h"

#define SYSREG_CASES(X)                                                                    \
    X(MM_MPUIR_EL2, "S3_4_C0_C0_4")                                                        \
    X(MM_PRENR_EL2, "S3_4_C6_C1_1")                                                        \
    X(MM_PRSELR_EL2, "S3_4_C6_C2_1")                                                       \
    X(MM_SCTLR_EL2, "S3_4_C1_C0_0")                                                        \
    X(MM_MAIR_EL2, "S3_4_C10_C2_0")                                                        \
    X(MM_PRBAR_EL2(0), "S3_4_C6_C8_0")                                                     \
    X(MM_PRLAR_EL2(0), "S3_4_C6_C8_1")                                                     \
    X(MM_PRBAR_EL2(1), "S3_4_C6_C8_4")                                                     \
    X(MM_PRLAR_EL2(1), "S3_4_C6_C8_5")                                                     \
    X(MM_PRBAR_EL2(2), "S3_4_C6_C9_0")                                                     \
    X(MM_PRLAR_EL2(2), "S3_4_C6_C9_1")                                                     \
    X(MM_PRBAR_EL2(3), "S3_4_C6_C9_4")                                                     \
    X(MM_PRLAR_EL2(3), "S3_4_C6_C9_5")                                                     \
    X(MM_PRBAR_EL2(4), "S3_4_C6_C10_0")                                                    \
    X(MM_PRLAR_EL2(4), "S3_4_C6_C10_1")                                                    \
    X(MM_PRBAR_EL2(5), "S3_4_C6_C10_4")                                                    \
    X(MM_PRLAR_EL2(5), "S3_4_C6_C10_5")                                                    \
    X(MM_PRBAR_EL2(6), "S3_4_C6_C11_0")                                                    \
    X(MM_PRLAR_EL2(6), "S3_4_C6_C11_1")                                                    \
    X(MM_PRBAR_EL2(7), "S3_4_C6_C11_4")                                                    \
    X(MM_PRLAR_EL2(7), "S3_4_C6_C11_5")                                                    \
    X(MM_PRBAR_EL2(8), "S3_4_C6_C12_0")                                                    \
    X(MM_PRLAR_EL2(8), "S3_4_C6_C12_1")                                                    \
    X(MM_PRBAR_EL2(9), "S3_4_C6_C12_4")                                                    \
    X(MM_PRLAR_EL2(9), "S3_4_C6_C12_5")                                                    \
    X(MM_PRBAR_EL2(10), "S3_4_C6_C13_0")                                                   \
    X(MM_PRLAR_EL2(10), "S3_4_C6_C13_1")                                                   \
    X(MM_PRBAR_EL2(11), "S3_4_C6_C13_4")                                                   \
    X(MM_PRLAR_EL2(11), "S3_4_C6_C13_5")                                                   \
    X(MM_PRBAR_EL2(12), "S3_4_C6_C14_0")                                                   \
    X(MM_PRLAR_EL2(12), "S3_4_C6_C14_1")                                                   \
    X(MM_PRBAR_EL2(13), "S3_4_C6_C14_4")                                                   \
    X(MM_PRLAR_EL2(13), "S3_4_C6_C14_5")                                                   \
    X(MM_PRBAR_EL2(14), "S3_4_C6_C15_0")                                                   \
    X(MM_PRLAR_EL2(14), "S3_4_C6_C15_1")                                                   \
    X(MM_PRBAR_EL2(15), "S3_4_C6_C15_4")                                                   \
    X(MM_PRLAR_EL2(15), "S3_4_C6_C15_5")                                                    \
    X(MM_MPUIR_EL1, "S3_0_C0_C0_4")                                                        \
    X(MM_PRSELR_EL1, "S3_0_C6_C2_1")                                                       \
    X(MM_PRBAR_EL1, "S3_0_C6_C8_0")                                                        \
    X(MM_PRLAR_EL1, "S3_0_C6_C8_1")                                                        \
    X(MM_SCTLR_EL1, "S3_0_C1_C0_0")                                                        \
    X(MM_MAIR_EL1, "S3_0_C10_C2_0")                                                        \
    X(MM_CURRENTEL, "S3_0_C4_C2_2")                                                        \
    X(MM_ID_AA64MMFR0_EL1, "S3_0_C0_C7_0")                                                 \
    X(MM_DAIF, "S3_3_C4_C2_1")

uint64_t mm_hw_read(struct mm_hw *hw, unsigned enc)
{
    (void)hw;
    uint64_t v = 0;
    switch (enc) {
#define READ_CASE(e, name)                                                                 \
    case e:                                                                                \
        __asm__ volatile("mrs %0, " name : "=r"(v));                                       \
        break;
        SYSREG_CASES(READ_CASE)
#undef READ_CASE
    default: /* mm/ uses no other register */
        break;
    }
    return v;
}

void mm_hw_write(struct mm_hw *hw, unsigned enc, uint64_t value)
{
    (void)hw;
    switch (enc) {
#define WRITE_CASE(e, name)                                                                \
    case e:                                                                                \
        __asm__ volatile("msr " name ", %0" ::"r"(value) : "memory");                      \
        break;
        SYSREG_CASES(WRITE_CASE)
#undef WRITE_CASE
    default:
        break;
    }
}
