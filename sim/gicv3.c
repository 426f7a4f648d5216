/*
 * GICv3 interrupt controller: distributor, redistributors, CPU and hypervisor interfaces,
 * from the GICv3/v4 architecture specification (Arm IHI 0069), as register storage: no
 * interrupt is ever signalled (no device here raises one), so pending state is what software
 * wrote and the CPU interface always acknowledges the spurious INTID 1023.
 *
 * One security state (GICD_CTLR.DS = 1, as a single-world Armv8-R system sees it), affinity
 * routing on (ARE), no LPIs, no ITS.
 *
 * Distributor (GICD, 64 KiB frame), offsets:
 *   0x0000 CTLR        RW   storage; RWP (bit 31) reads 0, DS (bit 6) reads 1
 *   0x0004 TYPER       RO   ITLinesNumber = (SPIs + 32) / 32 - 1, IDbits = 9 (10-bit INTIDs)
 *   0x0008 IIDR        RO   0x0000043B (implementer Arm)
 *   0x000C TYPER2, 0x0010 STATUSR   RO 0 / RW storage
 *   0x0080 IGROUPR<n>  0x0D00 IGRPMODR<n>  0x0C00 ICFGR<n>  0x0E00 NSACR<n>   RW storage
 *   0x0100 ISENABLER<n> / 0x0180 ICENABLER<n>   write 1 to set / clear; both read the state
 *   0x0200 ISPENDR / 0x0280 ICPENDR, 0x0300 ISACTIVER / 0x0380 ICACTIVER   likewise
 *   0x0400 IPRIORITYR<n>  RW, one byte per INTID (byte, word access)
 *   0x0800 ITARGETSR<n>   RAZ/WI (affinity routing)
 *   0x0F00 SGIR           WI
 *   0x6000 IROUTER<n>     RW, 64 bits per SPI (n = 32..1019)
 *   0xFFD0..0xFFFC ID registers: PIDR2 (0xFFE8) ArchRev [7:4] = 3 (GICv3)
 * Redistributor, one 128 KiB pair of frames per PE (RD_base, then SGI_base at +0x10000):
 *   RD  0x0000 CTLR RW storage (RWP reads 0); 0x0004 IIDR; 0x0008 TYPER (64-bit, RO):
 *       Affinity [63:32] = the PE's Aff0, Processor_Number [23:8], Last (bit 4) on the last
 *       PE; 0x0010 STATUSR; 0x0014 WAKER: ProcessorSleep (bit 1) RW, ChildrenAsleep (bit 2)
 *       reads as ProcessorSleep (the wake-up handshake completes at once); 0x0070 PROPBASER,
 *       0x0078 PENDBASER RW storage; ID registers as the distributor's
 *   SGI 0x0080 IGROUPR0, 0x0100/0x0180 I[SC]ENABLER0, 0x0200/0x0280 I[SC]PENDR0,
 *       0x0300/0x0380 I[SC]ACTIVER0, 0x0400..0x041C IPRIORITYR0..7, 0x0C00/0x0C04 ICFGR0/1,
 *       0x0D00 IGRPMODR0, 0x0E00 NSACR
 * Anything else is unknown (*known = 0).
 */
#include <string.h>

#include "mpu_model/mpu.h"
#include "sim/devices.h"

#define GICD_CTLR 0x0000u
#define GICD_TYPER 0x0004u
#define GICD_IIDR 0x0008u
#define GICD_TYPER2 0x000Cu
#define GICD_STATUSR 0x0010u
#define GICD_IGROUPR 0x0080u
#define GICD_ISENABLER 0x0100u
#define GICD_ICENABLER 0x0180u
#define GICD_ISPENDR 0x0200u
#define GICD_ICPENDR 0x0280u
#define GICD_ISACTIVER 0x0300u
#define GICD_ICACTIVER 0x0380u
#define GICD_IPRIORITYR 0x0400u
#define GICD_ITARGETSR 0x0800u
#define GICD_ICFGR 0x0C00u
#define GICD_IGRPMODR 0x0D00u
#define GICD_NSACR 0x0E00u
#define GICD_SGIR 0x0F00u
#define GICD_IROUTER 0x6000u
#define GIC_IDREGS 0xFFD0u
#define GIC_PIDR2 0xFFE8u

#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_DS (1u << 6)
#define GICD_TYPER_IDBITS_LSB 19
#define GIC_IIDR_ARM 0x43Bu
#define GIC_PIDR2_ARCHREV_V3 (0x3u << 4)
#define GIC_PIDR2_JEDEC (0xBu) /* JEP106 identity code bits [6:4] of Arm, "uses JEP106" */

#define GICR_FRAME 0x20000u
#define GICR_SGI 0x10000u
#define GICR_CTLR 0x0000u
#define GICR_IIDR 0x0004u
#define GICR_TYPER 0x0008u
#define GICR_STATUSR 0x0010u
#define GICR_WAKER 0x0014u
#define GICR_PROPBASER 0x0070u
#define GICR_PENDBASER 0x0078u
#define GICR_WAKER_PSLEEP (1u << 1)
#define GICR_WAKER_CASLEEP (1u << 2)
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_TYPER_PNUM_LSB 8
#define GICR_TYPER_AFF_LSB 32

#define SPURIOUS_INTID 1023u
#define IDLE_PRIORITY 0xFFu

void sim_gicv3_init(struct sim_gicv3 *g, unsigned spis, unsigned cpus)
{
    memset(g, 0, sizeof *g);
    g->spis = spis;
    g->cpus = cpus;
    g->ctlr = GICD_CTLR_DS;
    for (unsigned i = 0; i < cpus && i < SIM_PLAT_MAX_CPUS; i++)
        g->rd[i].waker = GICR_WAKER_PSLEEP | GICR_WAKER_CASLEEP; /* asleep out of reset */
    g->icc_sre_el2 = 1;        /* SRE: system register interface only */
    g->icc_sre_el1 = 1;
    g->icc_ctlr = 4u << 8;     /* PRIbits [10:8] = 4: 5 priority bits; IDbits = 0: 16 */
}

/* ID registers (PIDR4..7, PIDR0..3, CIDR0..3 at 0xFFD0..0xFFFC). */
static uint32_t id_reg(uint64_t off)
{
    switch (off) {
    case GIC_PIDR2: /* ArchRev 3; JEP106 used */
        return GIC_PIDR2_ARCHREV_V3 | GIC_PIDR2_JEDEC;
    case 0xFFE0:    /* PIDR0: part number low byte */
        return 0x92;
    case 0xFFE4:    /* PIDR1: part number high nibble, JEP106 [3:0] */
        return 0xB4;
    case 0xFFF0:    /* CIDR0..3: the CoreSight component preamble */
        return 0x0D;
    case 0xFFF4:
        return 0xF0;
    case 0xFFF8:
        return 0x05;
    case 0xFFFC:
        return 0xB1;
    default:
        return 0;
    }
}

/* Bit banks: set/clear pairs and plain storage, word n covering INTIDs 32n..32n+31. */
static uint32_t *dist_bank(struct sim_gicv3 *g, uint64_t off, int *setclr, int *is_set)
{
    *setclr = 0;
    *is_set = 0;
    struct { unsigned base; uint32_t *bank; int sc, set; } t[] = {
        { GICD_IGROUPR, g->group, 0, 0 },     { GICD_IGRPMODR, g->grpmod, 0, 0 },
        { GICD_ISENABLER, g->enable, 1, 1 },  { GICD_ICENABLER, g->enable, 1, 0 },
        { GICD_ISPENDR, g->pend, 1, 1 },      { GICD_ICPENDR, g->pend, 1, 0 },
        { GICD_ISACTIVER, g->active, 1, 1 },  { GICD_ICACTIVER, g->active, 1, 0 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (off >= t[i].base && off < t[i].base + 0x80u) {
            *setclr = t[i].sc;
            *is_set = t[i].set;
            return &t[i].bank[(off - t[i].base) / 4];
        }
    return NULL;
}

uint64_t sim_gicd_read(struct sim_gicv3 *g, uint64_t off, unsigned size, int *known)
{
    *known = 1;
    int sc, set;
    uint32_t *w;
    if (off >= GICD_IROUTER && off < GICD_IROUTER + 8u * SIM_GIC_MAX_INTID && size >= 4) {
        unsigned n = (unsigned)((off - GICD_IROUTER) / 8);
        uint64_t v = n >= 32 ? g->irouter[n] : 0; /* SGIs and PPIs: reserved, RES0 */
        return off & 4 ? v >> 32 : v;
    }
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + SIM_GIC_MAX_INTID) {
        uint64_t v = 0;
        unsigned n = (unsigned)(off - GICD_IPRIORITYR);
        for (unsigned i = 0; i < size && n + i < sizeof g->prio; i++)
            v |= (uint64_t)g->prio[n + i] << (8 * i);
        return v;
    }
    if (size != 4) { /* everything else is a 32-bit register */
        *known = 0;
        return 0;
    }
    if ((w = dist_bank(g, off, &sc, &set)))
        return *w;
    if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100u)
        return g->cfg[(off - GICD_ICFGR) / 4];
    if (off >= GICD_NSACR && off < GICD_NSACR + 0x100u)
        return g->nsacr[(off - GICD_NSACR) / 4];
    if (off >= GICD_ITARGETSR && off < GICD_ITARGETSR + 0x400u)
        return 0; /* RAZ with affinity routing */
    if (off >= GIC_IDREGS)
        return id_reg(off);
    switch (off) {
    case GICD_CTLR:
        return g->ctlr & ~GICD_CTLR_RWP;
    case GICD_TYPER:
        return ((g->spis + 32u) / 32u - 1u) | (9u << GICD_TYPER_IDBITS_LSB);
    case GICD_IIDR:
        return GIC_IIDR_ARM;
    case GICD_TYPER2:
    case GICD_STATUSR:
        return 0;
    default:
        *known = 0;
        return 0;
    }
}

void sim_gicd_write(struct sim_gicv3 *g, uint64_t off, unsigned size, uint64_t v, int *known)
{
    *known = 1;
    int sc, set;
    uint32_t *w;
    if (off >= GICD_IROUTER && off < GICD_IROUTER + 8u * SIM_GIC_MAX_INTID && size >= 4) {
        unsigned n = (unsigned)((off - GICD_IROUTER) / 8);
        if (n < 32)
            return;
        if (size == 8)
            g->irouter[n] = v;
        else if (off & 4)
            g->irouter[n] = (g->irouter[n] & 0xFFFFFFFFull) | (v << 32);
        else
            g->irouter[n] = (g->irouter[n] & ~0xFFFFFFFFull) | (v & 0xFFFFFFFFull);
        return;
    }
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + SIM_GIC_MAX_INTID) {
        unsigned n = (unsigned)(off - GICD_IPRIORITYR);
        for (unsigned i = 0; i < size && n + i < sizeof g->prio; i++)
            g->prio[n + i] = (uint8_t)(v >> (8 * i));
        return;
    }
    if (size != 4) {
        *known = 0;
        return;
    }
    uint32_t x = (uint32_t)v;
    if ((w = dist_bank(g, off, &sc, &set))) {
        if (!sc)
            *w = x;
        else if (set)
            *w |= x;
        else
            *w &= ~x;
    } else if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100u) {
        g->cfg[(off - GICD_ICFGR) / 4] = x;
    } else if (off >= GICD_NSACR && off < GICD_NSACR + 0x100u) {
        g->nsacr[(off - GICD_NSACR) / 4] = x;
    } else if (off >= GICD_ITARGETSR && off < GICD_ITARGETSR + 0x400u) {
        /* WI */
    } else if (off == GICD_CTLR) {
        g->ctlr = (x & ~GICD_CTLR_RWP) | GICD_CTLR_DS;
    } else if (off == GICD_SGIR || off == GICD_STATUSR) {
        /* WI: no SGIs are delivered; nothing to report */
    } else {
        *known = 0;
    }
}

uint64_t sim_gicr_read(struct sim_gicv3 *g, uint64_t off, unsigned size, int *known)
{
    *known = 1;
    unsigned cpu = (unsigned)(off / GICR_FRAME);
    uint64_t o = off % GICR_FRAME;
    if (cpu >= g->cpus) {
        *known = 0;
        return 0;
    }
    struct sim_gic_redist *r = &g->rd[cpu];
    if (o == GICR_TYPER || o == GICR_TYPER + 4) {
        uint64_t t = ((uint64_t)cpu << GICR_TYPER_AFF_LSB) |
                     ((uint64_t)cpu << GICR_TYPER_PNUM_LSB) |
                     (cpu + 1 == g->cpus ? GICR_TYPER_LAST : 0);
        return o == GICR_TYPER + 4 ? t >> 32 : (size == 8 ? t : (uint32_t)t);
    }
    if (o == GICR_PROPBASER || o == GICR_PENDBASER) {
        uint64_t t = o == GICR_PROPBASER ? r->propbaser : r->pendbaser;
        return size == 8 ? t : (uint32_t)t;
    }
    if (o >= GICR_SGI + GICD_IPRIORITYR && o < GICR_SGI + GICD_IPRIORITYR + 32) {
        uint64_t v = 0;
        unsigned n = (unsigned)(o - GICR_SGI - GICD_IPRIORITYR);
        for (unsigned i = 0; i < size && n + i < 32; i++)
            v |= (uint64_t)r->prio[n + i] << (8 * i);
        return v;
    }
    if (size != 4) {
        *known = 0;
        return 0;
    }
    if (o >= GIC_IDREGS && o < GICR_SGI)
        return id_reg(o);
    switch (o) {
    case GICR_CTLR:
        return r->ctlr;
    case GICR_IIDR:
        return GIC_IIDR_ARM;
    case GICR_STATUSR:
        return 0;
    case GICR_WAKER: /* ChildrenAsleep follows ProcessorSleep at once */
        return (r->waker & GICR_WAKER_PSLEEP) ? (GICR_WAKER_PSLEEP | GICR_WAKER_CASLEEP) : 0;
    case GICR_SGI + GICD_IGROUPR:
        return r->group0;
    case GICR_SGI + GICD_IGRPMODR:
        return r->grpmod0;
    case GICR_SGI + GICD_ISENABLER:
    case GICR_SGI + GICD_ICENABLER:
        return r->enable0;
    case GICR_SGI + GICD_ISPENDR:
    case GICR_SGI + GICD_ICPENDR:
        return r->pend0;
    case GICR_SGI + GICD_ISACTIVER:
    case GICR_SGI + GICD_ICACTIVER:
        return r->active0;
    case GICR_SGI + GICD_ICFGR:
        return r->cfg[0];
    case GICR_SGI + GICD_ICFGR + 4:
        return r->cfg[1];
    case GICR_SGI + GICD_NSACR:
        return r->nsacr;
    default:
        *known = 0;
        return 0;
    }
}

void sim_gicr_write(struct sim_gicv3 *g, uint64_t off, unsigned size, uint64_t v, int *known)
{
    *known = 1;
    unsigned cpu = (unsigned)(off / GICR_FRAME);
    uint64_t o = off % GICR_FRAME;
    if (cpu >= g->cpus) {
        *known = 0;
        return;
    }
    struct sim_gic_redist *r = &g->rd[cpu];
    if (o == GICR_PROPBASER || o == GICR_PENDBASER) {
        uint64_t *p = o == GICR_PROPBASER ? &r->propbaser : &r->pendbaser;
        *p = size == 8 ? v : (*p & ~0xFFFFFFFFull) | (v & 0xFFFFFFFFull);
        return;
    }
    if (o >= GICR_SGI + GICD_IPRIORITYR && o < GICR_SGI + GICD_IPRIORITYR + 32) {
        unsigned n = (unsigned)(o - GICR_SGI - GICD_IPRIORITYR);
        for (unsigned i = 0; i < size && n + i < 32; i++)
            r->prio[n + i] = (uint8_t)(v >> (8 * i));
        return;
    }
    if (size != 4) {
        *known = 0;
        return;
    }
    uint32_t x = (uint32_t)v;
    switch (o) {
    case GICR_CTLR:
        r->ctlr = x & ~GICD_CTLR_RWP;
        break;
    case GICR_STATUSR:
        break;
    case GICR_WAKER:
        r->waker = x & GICR_WAKER_PSLEEP;
        break;
    case GICR_SGI + GICD_IGROUPR:
        r->group0 = x;
        break;
    case GICR_SGI + GICD_IGRPMODR:
        r->grpmod0 = x;
        break;
    case GICR_SGI + GICD_ISENABLER:
        r->enable0 |= x;
        break;
    case GICR_SGI + GICD_ICENABLER:
        r->enable0 &= ~x;
        break;
    case GICR_SGI + GICD_ISPENDR:
        r->pend0 |= x;
        break;
    case GICR_SGI + GICD_ICPENDR:
        r->pend0 &= ~x;
        break;
    case GICR_SGI + GICD_ISACTIVER:
        r->active0 |= x;
        break;
    case GICR_SGI + GICD_ICACTIVER:
        r->active0 &= ~x;
        break;
    case GICR_SGI + GICD_ICFGR:
        r->cfg[0] = x;
        break;
    case GICR_SGI + GICD_ICFGR + 4:
        r->cfg[1] = x;
        break;
    case GICR_SGI + GICD_NSACR:
        r->nsacr = x;
        break;
    default:
        *known = 0;
    }
}

/* ---- CPU interface and hypervisor interface system registers (IHI 0069, 12.2, 12.4) ---- */
#define ICC_PMR_EL1 MPU_ENC(3, 0, 4, 6, 0)
#define ICC_IAR0_EL1 MPU_ENC(3, 0, 12, 8, 0)
#define ICC_EOIR0_EL1 MPU_ENC(3, 0, 12, 8, 1)
#define ICC_HPPIR0_EL1 MPU_ENC(3, 0, 12, 8, 2)
#define ICC_BPR0_EL1 MPU_ENC(3, 0, 12, 8, 3)
#define ICC_AP0R0_EL1 MPU_ENC(3, 0, 12, 8, 4)  /* .. AP0R3: op2 4..7 */
#define ICC_AP1R0_EL1 MPU_ENC(3, 0, 12, 9, 0)  /* .. AP1R3: op2 0..3 */
#define ICC_DIR_EL1 MPU_ENC(3, 0, 12, 11, 1)
#define ICC_RPR_EL1 MPU_ENC(3, 0, 12, 11, 3)
#define ICC_SGI1R_EL1 MPU_ENC(3, 0, 12, 11, 5)
#define ICC_ASGI1R_EL1 MPU_ENC(3, 0, 12, 11, 6)
#define ICC_SGI0R_EL1 MPU_ENC(3, 0, 12, 11, 7)
#define ICC_IAR1_EL1 MPU_ENC(3, 0, 12, 12, 0)
#define ICC_EOIR1_EL1 MPU_ENC(3, 0, 12, 12, 1)
#define ICC_HPPIR1_EL1 MPU_ENC(3, 0, 12, 12, 2)
#define ICC_BPR1_EL1 MPU_ENC(3, 0, 12, 12, 3)
#define ICC_CTLR_EL1 MPU_ENC(3, 0, 12, 12, 4)
#define ICC_SRE_EL1 MPU_ENC(3, 0, 12, 12, 5)
#define ICC_IGRPEN0_EL1 MPU_ENC(3, 0, 12, 12, 6)
#define ICC_IGRPEN1_EL1 MPU_ENC(3, 0, 12, 12, 7)
#define ICC_SRE_EL2 MPU_ENC(3, 4, 12, 9, 5)
#define ICH_AP0R0_EL2 MPU_ENC(3, 4, 12, 8, 0)  /* .. AP0R3 */
#define ICH_AP1R0_EL2 MPU_ENC(3, 4, 12, 9, 0)  /* .. AP1R3 */
#define ICH_HCR_EL2 MPU_ENC(3, 4, 12, 11, 0)
#define ICH_VTR_EL2 MPU_ENC(3, 4, 12, 11, 1)
#define ICH_MISR_EL2 MPU_ENC(3, 4, 12, 11, 2)
#define ICH_EISR_EL2 MPU_ENC(3, 4, 12, 11, 3)
#define ICH_ELRSR_EL2 MPU_ENC(3, 4, 12, 11, 5)
#define ICH_VMCR_EL2 MPU_ENC(3, 4, 12, 11, 7)
#define ICH_LR0_EL2 MPU_ENC(3, 4, 12, 12, 0)   /* LR<n>: CRm 12 + n / 8, op2 n % 8 */

#define ICC_SRE_SRE 1ull
#define ICH_LR_STATE_LSB 62
/* ICH_VTR_EL2: ListRegs [4:0] = LRs - 1, PREbits [28:26] and PRIbits [31:29] = 5 bits - 1 */
#define ICH_VTR_VALUE ((uint64_t)(SIM_GIC_LRS - 1) | (4ull << 26) | (4ull << 29))

static uint64_t *lr_of(struct sim_gicv3 *g, unsigned enc)
{
    for (unsigned n = 0; n < SIM_GIC_LRS; n++)
        if (enc == MPU_ENC(3, 4, 12, 12 + n / 8, n % 8))
            return &g->ich_lr[n];
    return NULL;
}

/* Storage registers of the interfaces: a pointer, or NULL. */
static uint64_t *storage(struct sim_gicv3 *g, unsigned enc)
{
    if (enc >= ICC_AP0R0_EL1 && enc < ICC_AP0R0_EL1 + 4)
        return &g->icc_ap0r[enc - ICC_AP0R0_EL1];
    if (enc >= ICC_AP1R0_EL1 && enc < ICC_AP1R0_EL1 + 4)
        return &g->icc_ap1r[enc - ICC_AP1R0_EL1];
    if (enc >= ICH_AP0R0_EL2 && enc < ICH_AP0R0_EL2 + 4)
        return &g->ich_ap0r[enc - ICH_AP0R0_EL2];
    if (enc >= ICH_AP1R0_EL2 && enc < ICH_AP1R0_EL2 + 4)
        return &g->ich_ap1r[enc - ICH_AP1R0_EL2];
    switch (enc) {
    case ICC_PMR_EL1:
        return &g->icc_pmr;
    case ICC_BPR0_EL1:
        return &g->icc_bpr0;
    case ICC_BPR1_EL1:
        return &g->icc_bpr1;
    case ICC_IGRPEN0_EL1:
        return &g->icc_igrpen0;
    case ICC_IGRPEN1_EL1:
        return &g->icc_igrpen1;
    case ICH_HCR_EL2:
        return &g->ich_hcr;
    case ICH_VMCR_EL2:
        return &g->ich_vmcr;
    default:
        return lr_of(g, enc);
    }
}

int sim_gic_sysreg_read(struct sim_gicv3 *g, unsigned enc, uint64_t *v)
{
    uint64_t *p = storage(g, enc);
    if (p) {
        *v = *p;
        return 1;
    }
    switch (enc) {
    case ICC_IAR0_EL1:
    case ICC_IAR1_EL1:
    case ICC_HPPIR0_EL1:
    case ICC_HPPIR1_EL1:
        *v = SPURIOUS_INTID; /* nothing is ever pending */
        return 1;
    case ICC_RPR_EL1:
        *v = IDLE_PRIORITY;
        return 1;
    case ICC_CTLR_EL1:
        *v = g->icc_ctlr;
        return 1;
    case ICC_SRE_EL1:
        *v = g->icc_sre_el1 | ICC_SRE_SRE;
        return 1;
    case ICC_SRE_EL2:
        *v = g->icc_sre_el2 | ICC_SRE_SRE; /* SRE is RAO: no memory-mapped CPU interface */
        return 1;
    case ICH_VTR_EL2:
        *v = ICH_VTR_VALUE;
        return 1;
    case ICH_MISR_EL2:
    case ICH_EISR_EL2:
        *v = 0;
        return 1;
    case ICH_ELRSR_EL2: { /* a bit per LR whose State [63:62] is Invalid */
        uint64_t e = 0;
        for (unsigned n = 0; n < SIM_GIC_LRS; n++)
            if (!(g->ich_lr[n] >> ICH_LR_STATE_LSB))
                e |= 1ull << n;
        *v = e;
        return 1;
    }
    case ICC_EOIR0_EL1:
    case ICC_EOIR1_EL1:
    case ICC_DIR_EL1:
    case ICC_SGI0R_EL1:
    case ICC_SGI1R_EL1:
    case ICC_ASGI1R_EL1: /* write-only */
        *v = 0;
        return 1;
    default:
        return 0;
    }
}

int sim_gic_sysreg_write(struct sim_gicv3 *g, unsigned enc, uint64_t v)
{
    uint64_t *p = storage(g, enc);
    if (p) {
        *p = v;
        return 1;
    }
    switch (enc) {
    case ICC_CTLR_EL1: /* EOImode (bit 1) and CBPR (bit 0) are writable; the ID fields not */
        g->icc_ctlr = (g->icc_ctlr & ~3ull) | (v & 3ull);
        return 1;
    case ICC_SRE_EL1:
        g->icc_sre_el1 = v | ICC_SRE_SRE;
        return 1;
    case ICC_SRE_EL2:
        g->icc_sre_el2 = v | ICC_SRE_SRE;
        return 1;
    case ICC_EOIR0_EL1:
    case ICC_EOIR1_EL1:
    case ICC_DIR_EL1:
    case ICC_SGI0R_EL1:
    case ICC_SGI1R_EL1:
    case ICC_ASGI1R_EL1: /* nothing is active, no SGI is delivered: accepted, no effect */
    case ICC_IAR0_EL1:
    case ICC_IAR1_EL1:
    case ICC_HPPIR0_EL1:
    case ICC_HPPIR1_EL1:
    case ICC_RPR_EL1:
    case ICH_VTR_EL2:
    case ICH_MISR_EL2:
    case ICH_EISR_EL2:
    case ICH_ELRSR_EL2: /* read-only: ignored */
        return 1;
    default:
        return 0;
    }
}
