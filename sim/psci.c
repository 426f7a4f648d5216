/*
 * PSCI firmware over SMC (Arm DEN 0022, "Arm Power State Coordination Interface"), for a
 * platform whose only running PE is PE 0: the calls a hypervisor makes while it boots and
 * when it stops. SMC Calling Convention (Arm DEN 0028): function ID in W0, arguments in
 * X1..X3, result in X0.
 *
 *   0x84000000 PSCI_VERSION        the platform's version: (major << 16) | minor
 *   0x8400000A PSCI_FEATURES(fid)  0 for every function listed here, NOT_SUPPORTED otherwise
 *   0x84000002 CPU_OFF             the only running PE stops: the run ends
 *   0x84000003 / 0xC4000003 CPU_ON(target, entry, context)
 *                                  PE 0 (the caller): ALREADY_ON; another PE of the platform:
 *                                  DENIED (only PE 0 is modelled running); an MPIDR that names
 *                                  no PE of the platform: INVALID_PARAMETERS
 *   0x84000004 / 0xC4000004 AFFINITY_INFO(target)  0 (ON) for PE 0, 1 (OFF) for the others,
 *                                  INVALID_PARAMETERS for an absent PE
 *   0x84000006 MIGRATE_INFO_TYPE   2: no Trusted OS, migration not needed
 *   0x84000008 SYSTEM_OFF          the run ends, reported as such
 *   0x84000009 SYSTEM_RESET        the run ends, reported as such
 *   0x80000000 SMCCC_VERSION       0x10001 (SMCCC 1.1)
 *   0x80000001 SMCCC_ARCH_FEATURES NOT_SUPPORTED for every workaround ID (none is needed)
 * Anything else: NOT_SUPPORTED (-1), counted.
 */
#include <string.h>

#include "sim/devices.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_CPU_ON_64 0xC4000003u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_AFFINITY_INFO_64 0xC4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000Au
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define SMCCC_V1_1 0x10001u
#define MIGRATE_NOT_REQUIRED 2
#define MPIDR_AFF_MASK 0xFF00FFFFFFull /* Aff3 [39:32], Aff2..Aff0 [23:0] */

void sim_psci_init(struct sim_psci *p, unsigned major, unsigned minor, unsigned cpus)
{
    memset(p, 0, sizeof *p);
    p->major = major;
    p->minor = minor;
    p->cpus = cpus;
}

static int implemented(uint32_t fid)
{
    switch (fid) {
    case PSCI_VERSION:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64:
    case PSCI_AFFINITY_INFO_32:
    case PSCI_AFFINITY_INFO_64:
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
    case SMCCC_VERSION:
        return 1;
    default:
        return 0;
    }
}

/* The PE an MPIDR names: Aff0 for Aff1..Aff3 = 0; -1 for no PE of this platform. */
static int pe_of(const struct sim_psci *p, uint64_t mpidr)
{
    uint64_t aff = mpidr & MPIDR_AFF_MASK;
    return aff < p->cpus ? (int)aff : -1;
}

enum sim_psci_power sim_psci_call(struct sim_psci *p, uint64_t x[4])
{
    uint32_t fid = (uint32_t)x[0];
    int64_t r;
    int pe;
    p->calls++;
    switch (fid) {
    case PSCI_VERSION:
        r = (int64_t)(((uint64_t)p->major << 16) | p->minor);
        break;
    case PSCI_FEATURES:
        r = implemented((uint32_t)x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
        break;
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64:
        pe = pe_of(p, fid == PSCI_CPU_ON_32 ? (uint32_t)x[1] : x[1]);
        r = pe < 0 ? PSCI_INVALID_PARAMETERS : pe == 0 ? PSCI_ALREADY_ON : PSCI_DENIED;
        break;
    case PSCI_AFFINITY_INFO_32:
    case PSCI_AFFINITY_INFO_64:
        pe = pe_of(p, fid == PSCI_AFFINITY_INFO_32 ? (uint32_t)x[1] : x[1]);
        r = pe < 0 ? PSCI_INVALID_PARAMETERS : pe == 0 ? 0 : 1;
        break;
    case PSCI_MIGRATE_INFO_TYPE:
        r = MIGRATE_NOT_REQUIRED;
        break;
    case SMCCC_VERSION:
        r = SMCCC_V1_1;
        break;
    case PSCI_CPU_OFF:
        x[0] = 0;
        return SIM_PSCI_CPU_OFF;
    case PSCI_SYSTEM_OFF:
        x[0] = 0;
        return SIM_PSCI_SYSTEM_OFF;
    case PSCI_SYSTEM_RESET:
        x[0] = 0;
        return SIM_PSCI_SYSTEM_RESET;
    default:
        p->unknown++;
        p->last_unknown = fid;
        r = PSCI_NOT_SUPPORTED;
        break;
    }
    x[0] = (uint64_t)r;
    return SIM_PSCI_RUNNING;
}

const char *sim_psci_power_name(enum sim_psci_power w)
{
    switch (w) {
    case SIM_PSCI_SYSTEM_OFF:
        return "PSCI SYSTEM_OFF";
    case SIM_PSCI_SYSTEM_RESET:
        return "PSCI SYSTEM_RESET";
    case SIM_PSCI_CPU_OFF:
        return "PSCI CPU_OFF of the last running PE";
    default:
        return "running";
    }
}
