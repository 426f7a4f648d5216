/* The MPU register file: names, encodings, and MRS/MSR semantics (armv8r-mpu.md §1.2-§1.6). */
#include <string.h>
#include <strings.h>
#include <stdlib.h>

#include "mpu_model/internal.h"

#define N16(p, s)                                                                          \
    p s, p "1" s, p "2" s, p "3" s, p "4" s, p "5" s, p "6" s, p "7" s, p "8" s, p "9" s,  \
        p "10" s, p "11" s, p "12" s, p "13" s, p "14" s, p "15" s
#define EL_NAMES(s)                                                                        \
    "MPUIR" s, "PRSELR" s, "PRENR" s, "SCTLR" s, "MAIR" s, N16("PRBAR", s), N16("PRLAR", s)

static const char *const reg_names[MPU_REG_COUNT] = {
    EL_NAMES("_EL1"),
    EL_NAMES("_EL2"),
    "HCR_EL2",
};

int mpu_init(struct mpu *m, const struct mpu_config *cfg)
{
    if (cfg->regions_el1 > MPU_MAX_REGIONS || cfg->regions_el2 > MPU_MAX_REGIONS ||
        (unsigned)cfg->fsc >= MPU_FSC_MODEL_COUNT)
        return -1;
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->el1.el = 1;
    m->el1.nregions = cfg->regions_el1;
    m->el2.el = 2;
    m->el2.nregions = cfg->regions_el2;
    mpu_index_reset(&m->el1); /* built on the first lookup */
    mpu_index_reset(&m->el2);
    return 0;
}

void mpu_set_prselr_select(struct mpu *m, int on) { m->prselr_select_unimplemented = on ? 1 : 0; }

const char *mpu_reg_name(int id)
{
    return (id >= 0 && id < MPU_REG_COUNT) ? reg_names[id] : "?";
}

unsigned mpu_reg_encoding(int id)
{
    if (id == MPU_REG_HCR_EL2)
        return MPU_ENC(3, 4, 1, 1, 0);
    unsigned op1 = id >= MPU_SLOT_COUNT ? 4 : 0;
    unsigned slot = (unsigned)id % MPU_SLOT_COUNT;
    switch (slot) {
    case MPU_SLOT_MPUIR: return MPU_ENC(3, op1, 0, 0, 4);
    case MPU_SLOT_PRSELR: return MPU_ENC(3, op1, 6, 2, 1);
    case MPU_SLOT_PRENR: return MPU_ENC(3, op1, 6, 1, 1);
    case MPU_SLOT_SCTLR: return MPU_ENC(3, op1, 1, 0, 0);
    case MPU_SLOT_MAIR: return MPU_ENC(3, op1, 10, 2, 0);
    default: break;
    }
    /* PRBAR<n>: CRm = 8 + n[3:1], op2 = 4 * n[0]; PRLAR<n>: op2 + 1 (armv8r-mpu.md §1.2) */
    unsigned n = slot >= MPU_SLOT_PRLAR ? slot - MPU_SLOT_PRLAR : slot - MPU_SLOT_PRBAR;
    unsigned lar = slot >= MPU_SLOT_PRLAR;
    return MPU_ENC(3, op1, 6, 8 + (n >> 1), (n & 1) * 4 + lar);
}

int mpu_reg_from_encoding(unsigned enc)
{
    unsigned op0 = (enc >> 14) & 3, op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15;
    unsigned crm = (enc >> 3) & 15, op2 = enc & 7;
    if (op0 != 3 || (op1 != 0 && op1 != 4))
        return -1;
    unsigned el = op1 == 4 ? 2 : 1;
    switch (crn) {
    case 0: /* MPUIR_ELx: c0, c0, 4 */
        return (crm == 0 && op2 == 4) ? MPU_REG_ID(el, MPU_SLOT_MPUIR) : -1;
    case 1: /* SCTLR_ELx: c1, c0, 0; HCR_EL2: c1, c1, 0 */
        if (crm == 0 && op2 == 0)
            return MPU_REG_ID(el, MPU_SLOT_SCTLR);
        if (el == 2 && crm == 1 && op2 == 0)
            return MPU_REG_HCR_EL2;
        return -1;
    case 10: /* MAIR_ELx: c10, c2, 0 */
        return (crm == 2 && op2 == 0) ? MPU_REG_ID(el, MPU_SLOT_MAIR) : -1;
    case 6:
        break;
    default:
        return -1;
    }
    if (crm == 1 && op2 == 1) /* PRENR_ELx */
        return MPU_REG_ID(el, MPU_SLOT_PRENR);
    if (crm == 2 && op2 == 1) /* PRSELR_ELx */
        return MPU_REG_ID(el, MPU_SLOT_PRSELR);
    if (crm < 8)
        return -1;
    /* CRm 8..15 with op2 0/1 (n even) or 4/5 (n odd): PRBAR<n>/PRLAR<n>, n = 0..15 */
    if (op2 != 0 && op2 != 1 && op2 != 4 && op2 != 5)
        return -1;
    unsigned n = ((crm - 8) << 1) | (op2 >> 2);
    unsigned lar = op2 & 1;
    return MPU_REG_ID(el, (lar ? MPU_SLOT_PRLAR : MPU_SLOT_PRBAR) + n);
}

/* "S3_4_C6_C10_4" (case-insensitive) -> encoding, or -1. */
static long parse_generic(const char *s)
{
    unsigned v[5];
    const char *p = s;
    for (int i = 0; i < 5; i++) {
        if (i == 0 && (*p == 's' || *p == 'S'))
            p++;
        else if ((i == 2 || i == 3) && (*p == 'c' || *p == 'C'))
            p++;
        else if (i == 0 || i == 2 || i == 3)
            return -1;
        if (*p < '0' || *p > '9')
            return -1;
        char *end;
        unsigned long x = strtoul(p, &end, 10);
        if (x > 15)
            return -1;
        v[i] = (unsigned)x;
        p = end;
        if (i < 4) {
            if (*p != '_')
                return -1;
            p++;
        }
    }
    if (*p || v[0] > 3 || v[1] > 7 || v[4] > 7)
        return -1;
    return MPU_ENC(v[0], v[1], v[2], v[3], v[4]);
}

int mpu_reg_from_name(const char *name)
{
    for (int id = 0; id < MPU_REG_COUNT; id++)
        if (strcasecmp(name, reg_names[id]) == 0)
            return id;
    /* PRBAR0_ELx / PRLAR0_ELx are accepted as the plain registers */
    if (strncasecmp(name, "PRBAR0_EL", 9) == 0 || strncasecmp(name, "PRLAR0_EL", 9) == 0) {
        char plain[16];
        if (strlen(name) == 12) {
            memcpy(plain, name, 5);
            memcpy(plain + 5, name + 6, 7);
            return mpu_reg_from_name(plain);
        }
    }
    long enc = parse_generic(name);
    return enc < 0 ? -1 : mpu_reg_from_encoding((unsigned)enc);
}

/* Region number reached by slot PRBAR<n>/PRLAR<n> of unit u (armv8r-mpu.md §1.3): n = 0 is PRSELR itself,
 * n = 1..15 is (PRSELR & 0xF0) | n. -1 when that region is not implemented. */
static int region_of_slot(const struct mpu_unit *u, unsigned n)
{
    unsigned r = n == 0 ? (unsigned)u->prselr : (((unsigned)u->prselr & 0xF0u) | n);
    return r < u->nregions ? (int)r : -1;
}

static void set_prlar(struct mpu_unit *u, unsigned r, uint64_t v)
{
    int was = prlar_en(u->prlar[r]), now = prlar_en(v);
    int changed = u->prlar[r] != v;
    u->prlar[r] = v;
    if (changed)
        mpu_region_changed(u, r);
    if (was != now) {
        if (now) {
            u->enabled++;
            if (u->enabled > u->enabled_hwm)
                u->enabled_hwm = u->enabled;
        } else {
            u->enabled--;
        }
    }
}

uint64_t mpu_read(struct mpu *m, int id)
{
    if (id < 0 || id >= MPU_REG_COUNT)
        return 0;
    m->ctr.reads[id]++;
    if (id == MPU_REG_HCR_EL2)
        return m->hcr;
    struct mpu_unit *u = unit_of(m, id >= MPU_SLOT_COUNT ? 2 : 1);
    unsigned slot = (unsigned)id % MPU_SLOT_COUNT;
    switch (slot) {
    case MPU_SLOT_MPUIR: return u->nregions & MPUIR_REGION_MASK;
    case MPU_SLOT_PRSELR: return u->prselr;
    case MPU_SLOT_SCTLR: return u->sctlr;
    case MPU_SLOT_MAIR: return u->mair;
    case MPU_SLOT_PRENR: {
        /* bit i = PRLAR<i>.EN for implemented i < 32; upper bits RES0 (armv8r-mpu.md §1.4) */
        uint64_t v = 0;
        unsigned n = u->nregions < PRENR_BITS ? u->nregions : PRENR_BITS;
        for (unsigned i = 0; i < n; i++)
            v |= (uint64_t)prlar_en(u->prlar[i]) << i;
        return v;
    }
    default:
        break;
    }
    unsigned lar = slot >= MPU_SLOT_PRLAR;
    int r = region_of_slot(u, lar ? slot - MPU_SLOT_PRLAR : slot - MPU_SLOT_PRBAR);
    if (r < 0)
        return 0; /* unimplemented region: reads as zero (as QEMU does; UNPREDICTABLE) */
    return lar ? u->prlar[r] : u->prbar[r];
}

void mpu_write(struct mpu *m, int id, uint64_t value)
{
    if (id < 0 || id >= MPU_REG_COUNT)
        return;
    m->ctr.writes[id]++;
    if (id == MPU_REG_HCR_EL2) {
        m->hcr = value;
        return;
    }
    struct mpu_unit *u = unit_of(m, id >= MPU_SLOT_COUNT ? 2 : 1);
    unsigned slot = (unsigned)id % MPU_SLOT_COUNT;
    switch (slot) {
    case MPU_SLOT_MPUIR: /* read-only */
        m->ctr.ignored_writes++;
        return;
    case MPU_SLOT_PRSELR:
        /* REGION [7:0]; a value >= the implemented count is UNPREDICTABLE: ignored, counted */
        if ((value & PRSELR_REGION_MASK) >= u->nregions) {
            m->ctr.ignored_writes++;
            if (m->prselr_select_unimplemented)
                u->prselr = value & PRSELR_REGION_MASK; /* selects no region */
            return;
        }
        u->prselr = value & PRSELR_REGION_MASK;
        return;
    case MPU_SLOT_SCTLR:
        u->sctlr = value;
        return;
    case MPU_SLOT_MAIR:
        u->mair = value;
        return;
    case MPU_SLOT_PRENR: {
        /* bit i writes PRLAR<i>.EN for implemented i < 32; other bits ignored */
        unsigned n = u->nregions < PRENR_BITS ? u->nregions : PRENR_BITS;
        for (unsigned i = 0; i < n; i++) {
            uint64_t en = (value >> i) & 1u;
            set_prlar(u, i, (u->prlar[i] & ~(1ull << PRLAR_EN_LSB)) | (en << PRLAR_EN_LSB));
        }
        return;
    }
    default:
        break;
    }
    unsigned lar = slot >= MPU_SLOT_PRLAR;
    int r = region_of_slot(u, lar ? slot - MPU_SLOT_PRLAR : slot - MPU_SLOT_PRBAR);
    if (r < 0) {
        m->ctr.ignored_writes++;
        return;
    }
    if (lar) {
        set_prlar(u, (unsigned)r, value & PRLAR_WRITABLE_MASK);
    } else {
        uint64_t v = value & PRBAR_WRITABLE_MASK;
        int changed = u->prbar[r] != v;
        u->prbar[r] = v;
        if (changed)
            mpu_region_changed(u, (unsigned)r);
    }
}
