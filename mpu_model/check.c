/*
 * Access check (armv8r-mpu.md §2.3-§2.5): one access -> ok, or a fault with its syndrome.
 *
 * EL2 accesses use the EL2 MPU only (regime EL2). EL1/EL0 accesses use the EL1 MPU as stage 1
 * (when SCTLR_EL1.M=1 and HCR_EL2.TGE=0; else the default map) and then, when HCR_EL2.VM=1,
 * the EL2 MPU as stage 2 (no background region, "unprivileged" AP decoding, no WXN).
 * An access is checked piece by piece: each piece is a run of bytes with one region decision,
 * so an access that spans regions is checked against every region it touches.
 */
#include "mpu_model/internal.h"

#define P_R 1u
#define P_W 2u
#define P_X 4u
_Static_assert(P_R == 1u << MPU_ACC_READ && P_W == 1u << MPU_ACC_WRITE &&
                   P_X == 1u << MPU_ACC_EXEC, "mpu_el2_allowed returns these bits");

/* Which lookup to use: the fast index (mpu_check) or the linear reference. */
enum lookup_mode { LOOKUP_FAST, LOOKUP_LINEAR };

/* Decision of one MPU for the piece starting at addr. */
struct decision {
    int region;  /* covering region, -1 none, -2 several */
    int first;   /* for -2: the two lowest matching regions */
    int second;
    uint64_t last; /* last byte with this same decision (inclusive) */
};

static struct decision decide(struct mpu_unit *u, uint64_t addr, enum lookup_mode mode)
{
    struct decision d = { -1, -1, -1, 0 };
    if (mode == LOOKUP_FAST) {
        d.region = mpu_lookup_fast(u, addr, &d.last);
        if (d.region == -2) /* slow path, faults only: name the regions */
            (void)mpu_lookup_linear(u, addr, &d.first, &d.second);
    } else {
        /* region bounds are 64-byte granules: one granule has one decision */
        d.region = mpu_lookup_linear(u, addr, &d.first, &d.second);
        d.last = addr | (MPU_GRANULE - 1);
    }
    return d;
}

/* SCTLR_ELx.BR == 1 and the access is privileged at the MPU's own EL (armv8r-mpu.md §2.3). */
static int uses_background_map(const struct mpu_unit *u, unsigned el, unsigned stage)
{
    return stage == 1 && el == u->el && bit64(u->sctlr, SCTLR_BR_BIT);
}

static int mpu_enabled(const struct mpu_unit *u) { return bit64(u->sctlr, SCTLR_M_BIT); }

/*
 * Default memory map (armv8r-mpu.md §2.6; QEMU's R-profile table, since no v8-R AArch64 table is published):
 * [0, 0x8000_0000) RWX; [0x8000_0000, 0xF000_0000) RW, XN; [0xF000_0000, ...) RW, XN.
 * Unlike QEMU we have no SCTLR.V (high vectors) on AArch64, so the top range is always XN.
 */
static unsigned default_map_perms(uint64_t addr, uint64_t *last)
{
    if (addr < 0x80000000ull) {
        *last = 0x7FFFFFFFull;
        return P_R | P_W | P_X;
    }
    if (addr < 0xF0000000ull) {
        *last = 0xEFFFFFFFull;
        return P_R | P_W;
    }
    *last = UINT64_MAX;
    return P_R | P_W;
}

/* AP[2:1] and XN of a region -> permissions (armv8r-mpu.md §2.4). DDI 0568 / AArch64.CheckPermission in
 * spirit: execute needs read permission at that EL, XN[1] = 0, and not (WXN and writable).
 * XN[0] is ignored: its meaning in AArch64 is UNCONFIRMED (armv8r-mpu.md §1.4). */
static unsigned region_perms(uint64_t prbar, unsigned regime_el, unsigned el, unsigned stage,
                             int wxn)
{
    unsigned ap = (unsigned)field64(prbar, PRBAR_AP_LSB, 2);
    unsigned p;
    int lower = stage == 2 || (regime_el == 1 && el == 0); /* decode as unprivileged */
    switch (ap) {
    case 0x0: /* AP[2:1]=0b00: RW at the regime's privileged EL, no lower-EL access */
        p = lower ? 0 : P_R | P_W;
        break;
    case 0x1: /* 0b01: RW at every EL */
        p = P_R | P_W;
        break;
    case 0x2: /* 0b10: RO at the privileged EL, no lower-EL access */
        p = lower ? 0 : P_R;
        break;
    default: /* 0b11: RO at every EL */
        p = P_R;
        break;
    }
    int xn = (int)field64(prbar, PRBAR_XN_LSB + 1, 1);
    if ((p & P_R) && !xn && !(wxn && stage == 1 && (p & P_W)))
        p |= P_X;
    return p;
}

static unsigned acc_bit(enum mpu_acc acc)
{
    return acc == MPU_ACC_READ ? P_R : acc == MPU_ACC_WRITE ? P_W : P_X;
}

struct stage_out {
    enum mpu_fault fault;
    int region, region2;
    uint64_t last; /* last byte this stage decided for (inclusive) */
};

/* The permissions of one stage for the piece at addr, given the unit's region decision d
 * (unused for a stage-1 MPU that is off): o gets the multiple/no-region fault (then 0 is
 * returned), the region(s) and the last byte decided for. */
static unsigned stage_perms(const struct mpu_unit *u, unsigned stage, uint64_t addr,
                            unsigned el, const struct decision *d, struct stage_out *o)
{
    *o = (struct stage_out){ MPU_FAULT_NONE, -1, -1, 0 };
    if (stage == 1 && !mpu_enabled(u)) /* MPU off: default map for the regime (armv8r-mpu.md §2.3) */
        return default_map_perms(addr, &o->last);
    o->last = d->last;
    if (d->region == -2) { /* two or more hits: always a fault (PMSAv8, armv8r-mpu.md §2.2) */
        o->fault = MPU_FAULT_MULTIPLE_REGIONS;
        o->region = d->first;
        o->region2 = d->second;
        return 0;
    }
    if (d->region == -1) {
        if (!uses_background_map(u, el, stage)) {
            o->fault = MPU_FAULT_NO_REGION;
            return 0;
        }
        uint64_t dl;
        unsigned perms = default_map_perms(addr, &dl);
        if (dl < o->last)
            o->last = dl;
        return perms;
    }
    o->region = d->region;
    return region_perms(u->prbar[d->region], u->el, el, stage, bit64(u->sctlr, SCTLR_WXN_BIT));
}

/* One stage for the piece at addr. */
static struct stage_out check_stage(struct mpu_unit *u, unsigned stage, uint64_t addr,
                                    enum mpu_acc acc, unsigned el, enum lookup_mode mode)
{
    struct decision d = { -1, -1, -1, 0 };
    if (!(stage == 1 && !mpu_enabled(u)))
        d = decide(u, addr, mode);
    struct stage_out o;
    unsigned perms = stage_perms(u, stage, addr, el, &d, &o);
    if (o.fault == MPU_FAULT_NONE && !(perms & acc_bit(acc)))
        o.fault = MPU_FAULT_PERMISSION;
    return o;
}

unsigned mpu_el2_allowed(struct mpu *m, uint64_t addr, uint64_t *last)
{
    struct mpu_unit *u = &m->el2;
    struct decision d = { -1, -1, -1, 0 };
    if (mpu_enabled(u)) {
        uint64_t first;
        d.region = mpu_interval(m, 2, addr, &first, &d.last);
    }
    struct stage_out o;
    unsigned perms = stage_perms(u, 1, addr, 2, &d, &o);
    *last = o.last;
    return o.fault == MPU_FAULT_NONE ? perms : 0;
}

static struct mpu_result check(struct mpu *m, uint64_t addr, uint64_t size, enum mpu_acc acc,
                               unsigned el, enum lookup_mode mode)
{
    struct mpu_result r = { MPU_FAULT_NONE, -1, -1, 0, 0, 0, 0, 0 };
    uint64_t end = size ? addr + (size - 1) : addr; /* last byte accessed */
    if (end < addr)
        end = UINT64_MAX; /* wraps: check up to the top of the address space */
    int s1_el2 = el == 2;
    int s1_on = s1_el2 || !bit64(m->hcr, HCR_TGE_BIT);
    int s2_on = !s1_el2 && bit64(m->hcr, HCR_VM_BIT);
    struct mpu_unit *s1 = s1_el2 ? &m->el2 : &m->el1;
    int first_piece = 1;
    for (uint64_t a = addr;;) {
        struct stage_out o;
        unsigned stage = 1;
        if (s1_on) {
            o = check_stage(s1, 1, a, acc, el, mode);
        } else { /* HCR_EL2.TGE: EL1&0 stage 1 treated as disabled: default map */
            uint64_t dl;
            unsigned p = default_map_perms(a, &dl);
            o = (struct stage_out){ (p & acc_bit(acc)) ? MPU_FAULT_NONE : MPU_FAULT_PERMISSION,
                                    -1, -1, dl };
        }
        if (o.fault == MPU_FAULT_NONE && s2_on) {
            struct stage_out o2 = check_stage(&m->el2, 2, a, acc, el, mode);
            if (o2.last < o.last || o2.fault != MPU_FAULT_NONE)
                o.last = o2.last < o.last ? o2.last : o.last;
            if (o2.fault != MPU_FAULT_NONE) {
                o.fault = o2.fault;
                o.region = o2.region;
                o.region2 = o2.region2;
                stage = 2;
            } else if (first_piece && !s1_on) {
                o.region = o2.region;
            }
        }
        if (first_piece) {
            r.region = o.region;
            r.region2 = o.region2;
            r.stage = stage;
        }
        if (o.fault != MPU_FAULT_NONE) {
            r.fault = o.fault;
            r.region = o.region;
            r.region2 = o.region2;
            r.stage = stage;
            /* stage-1 EL1 MPU faults go to EL1; EL2's own and stage-2 faults go to EL2 (armv8r-mpu.md §3.1) */
            r.target_el = (el == 2 || stage == 2) ? 2 : 1;
            r.fsc = mpu_fsc_for(&m->cfg, o.fault);
            r.esr = mpu_esr_for(acc, el, r.target_el, r.fsc);
            r.far = a;
            return r;
        }
        first_piece = 0;
        if (o.last >= end)
            break;
        a = o.last + 1;
    }
    return r;
}

struct mpu_result mpu_check(struct mpu *m, uint64_t addr, uint64_t size, enum mpu_acc acc,
                            unsigned el)
{
    struct mpu_result r = check(m, addr, size, acc, el, LOOKUP_FAST);
    m->ctr.checks++;
    m->ctr.faults[r.fault]++;
    return r;
}

struct mpu_result mpu_check_linear(const struct mpu *m, uint64_t addr, uint64_t size,
                                   enum mpu_acc acc, unsigned el)
{
    /* The linear mode never writes m (no index, no counters); the cast only shares code. */
    return check((struct mpu *)m, addr, size, acc, el, LOOKUP_LINEAR);
}
