/* Fault syndromes (armv8r-mpu.md §3): FSC per cause, and the ESR_ELx value of a data or instruction abort. */
#include "mpu_model/internal.h"

#define ESR_EC_LSB 26
#define ESR_IL_BIT 25
#define ESR_ISS_WNR_BIT 6
#define EC_IABT_LOWER 0x20 /* Instruction Abort from a lower EL */
#define EC_IABT_SAME 0x21  /* Instruction Abort taken without change of EL */
#define EC_DABT_LOWER 0x24 /* Data Abort from a lower EL */
#define EC_DABT_SAME 0x25  /* Data Abort taken without change of EL */

uint8_t mpu_fsc_for(const struct mpu_config *cfg, enum mpu_fault f)
{
    if (f == MPU_FAULT_PERMISSION)
        return MPU_FSC_PERMISSION_L0; /* 0b001100: every source agrees (armv8r-mpu.md §3.2) */
    switch (cfg->fsc) {
    case MPU_FSC_QEMU: /* QEMU: no hit and multiple hits are Permission L0 */
        return MPU_FSC_PERMISSION_L0;
    case MPU_FSC_RENODE: /* Renode: no hit 0b000000 ("background"), multiple Translation L0 */
        return f == MPU_FAULT_NO_REGION ? 0x00 : MPU_FSC_TRANSLATION_L0;
    case MPU_FSC_TRANSLATION: /* default: both Translation L0 (Zephyr's reading) */
    default:
        return MPU_FSC_TRANSLATION_L0;
    }
}

uint64_t mpu_esr_for(enum mpu_acc acc, unsigned from_el, unsigned target_el, uint8_t fsc)
{
    int same = from_el == target_el;
    unsigned ec;
    uint64_t iss = fsc & 0x3Fu; /* DFSC / IFSC [5:0] */
    if (acc == MPU_ACC_EXEC) {
        ec = same ? EC_IABT_SAME : EC_IABT_LOWER;
    } else {
        ec = same ? EC_DABT_SAME : EC_DABT_LOWER;
        if (acc == MPU_ACC_WRITE)
            iss |= 1ull << ESR_ISS_WNR_BIT; /* WnR: the abort was caused by a write */
    }
    /* ISV = 0: no instruction syndrome is modelled; IL = 1: 32-bit instruction */
    return ((uint64_t)ec << ESR_EC_LSB) | (1ull << ESR_IL_BIT) | iss;
}
