/* Variant "zephyr": Zephyr's Armv8-R AArch64 EL1 MPU driver (arch/arm64/core/cortex_r/
 * arm_mpu.c) and the kernel's memory-domain calls around it, reimplemented from its described
 * behaviour (docs/algorithms.md, variant zephyr; its bugs in docs/findings.md; the labels Zn
 * name the driver's steps in the order that page gives them). No Zephyr
 * code is copied. Static regions at boot, per-thread lists built ahead of time by splitting
 * one containing entry (never merging), and a full re-flush of every dynamic index on each
 * context switch with SCTLR_EL1.BR set around it.
 *
 * The table/mask of struct mm_ctx mirror what the driver programmed at EL1 indices below
 * MPUIR_EL1 (the replay cross-checks them against the EL1 MPU). Findings report the silent
 * behaviours; --fixed (ctx->opt.xen_fixed) takes their evident intent (docs/findings.md). */
#include "mm/internal.h"

#define MPUIR_REGION_MASK 0xFFu
#define SCTLR_M (1ull << MM_SCTLR_M_LSB)
#define SCTLR_BR (1ull << MM_SCTLR_BR_LSB)
#define MAIR_EL1_VALUE 0x44FFAA00ull /* Device-nGnRnE, WT (flash), WB (SRAM), NC */
#define ENTRY_BYTES 40u              /* sizeof(struct dynamic_region_info) on LP64 */

/* K_MEM_PARTITION_* (section 3.4): the stored header, and after PR #113561 with XN (0x02) and
 * inner shareable (0x30) added. The reference lists 0x32 and 0x30 for the first two, which
 * drops their AP bits (P_RW_U_RW would lose user access) and XN; we add the two fields to
 * each stored value instead (docs/algorithms.md). */
static const uint8_t part_rbar_stored[MM_Z_PART_ATTR_COUNT] = { 0x04, 0x00, 0x0C, 0x08 };
static const uint8_t part_rbar_fixed[MM_Z_PART_ATTR_COUNT] = { 0x36, 0x32, 0x3E, 0x3A };
#define PART_AI 2u /* SRAM, write-back */

static struct mm_zephyr_state *zs(struct mm_ctx *ctx) { return &ctx->z; }
static int fixed(const struct mm_ctx *ctx) { return ctx->opt.xen_fixed; }

/* The attribute word's PRBAR bits and AttrIndx, named attributes per the variant. */
static void attr_decode(const struct mm_ctx *ctx, unsigned attr, uint8_t *rbar, uint8_t *ai)
{
    if (attr & MM_Z_ATTR_NAMED) {
        unsigned k = attr & 0xFFu;
        if (k >= MM_Z_PART_ATTR_COUNT)
            k = MM_Z_P_RW_U_NA;
        *rbar = fixed(ctx) ? part_rbar_fixed[k] : part_rbar_stored[k];
        *ai = PART_AI;
        return;
    }
    *rbar = (uint8_t)MM_Z_ATTR_RBAR(attr);
    *ai = (uint8_t)MM_Z_ATTR_AI(attr);
}

static unsigned read_n(struct mm_ctx *ctx)
{
    unsigned n = (unsigned)(mm_hw_read(&ctx->hw, MM_MPUIR_EL1) & MPUIR_REGION_MASK);
    ctx->max_regions = n;
    return n;
}

/* ---- registers ---- */

static void mirror(struct mm_ctx *ctx, unsigned idx, uint64_t prbar, uint64_t prlar)
{
    if (idx >= mm_nr_regions(ctx))
        return; /* not implemented: the write is lost */
    ctx->table[idx].prbar = prbar;
    ctx->table[idx].prlar = prlar;
    if (prlar & 1u)
        mm_bitmap_set(ctx, idx);
    else
        mm_bitmap_clear(ctx, idx);
}

/* program(i, r): PRSELR, DSB, PRBAR, PRLAR, DSB, ISB; EN always set. No alignment check:
 * the masks shrink or shift a misaligned range (bug 12). */
static void program(struct mm_ctx *ctx, unsigned idx, uint64_t base, uint64_t limit,
                    uint8_t rbar, uint8_t ai)
{
    uint64_t prbar = (base & MM_PR_ADDR_MASK) | (rbar & 0x3Fu);
    uint64_t prlar = ((limit - 1) & MM_PR_ADDR_MASK) | ((uint64_t)(ai & 7u) << 1) | 1u;
    mm_hw_write(&ctx->hw, MM_PRSELR_EL1, idx);
    mm_hw_barrier(&ctx->hw, MM_DSB_SY);
    mm_hw_write(&ctx->hw, MM_PRBAR_EL1, prbar);
    mm_hw_write(&ctx->hw, MM_PRLAR_EL1, prlar);
    mm_hw_barrier(&ctx->hw, MM_DSB_SY);
    mm_hw_barrier(&ctx->hw, MM_ISB);
    mirror(ctx, idx, prbar, prlar);
}

/* clear(i): the limit register first, since EN lives in it. */
static void clear(struct mm_ctx *ctx, unsigned idx)
{
    mm_hw_write(&ctx->hw, MM_PRSELR_EL1, idx);
    mm_hw_barrier(&ctx->hw, MM_DSB_SY);
    mm_hw_write(&ctx->hw, MM_PRLAR_EL1, 0);
    mm_hw_write(&ctx->hw, MM_PRBAR_EL1, 0);
    mm_hw_barrier(&ctx->hw, MM_DSB_SY);
    mm_hw_barrier(&ctx->hw, MM_ISB);
    mirror(ctx, idx, 0, 0);
}

static void sctlr_update(struct mm_ctx *ctx, uint64_t set, uint64_t clr)
{
    uint64_t v = mm_hw_read(&ctx->hw, MM_SCTLR_EL1);
    mm_hw_write(&ctx->hw, MM_SCTLR_EL1, (v & ~clr) | set);
    mm_hw_barrier(&ctx->hw, MM_DSB_SY);
    mm_hw_barrier(&ctx->hw, MM_ISB);
}

/* Z6 flush_dynamic_regions_to_mpu(list, n). */
static int flush(struct mm_ctx *ctx, const struct mm_z_entry *list, unsigned n)
{
    struct mm_zephyr_state *z = zs(ctx);
    (void)mm_hw_read(&ctx->hw, MM_DAIF); /* the IRQs-masked assert */
    unsigned nr = read_n(ctx);
    unsigned appended = 0;
    for (unsigned k = 0; k < n; k++)
        appended += list[k].index < 0;
    /* Faithful: n against N (bug 4); fixed: the appended entries against the free indices. */
    int refuse = fixed(ctx) ? z->static_num + appended > nr : n >= nr;
    if (refuse) {
        mm_hw_log(&ctx->hw, MM_MSG_Z_OUT_OF_BOUNDS, n, nr, 0, 0);
        mm_hw_log(&ctx->hw, MM_FINDING_Z_NOT_FLUSHED, n, nr, 0, 0);
        return MM_ENOENT;
    }
    sctlr_update(ctx, SCTLR_BR, 0);
    /* sys_cache_data_flush_range(list, n * 40): cache maintenance, no register access. */
    for (unsigned i = z->static_num; i < read_n(ctx); i++)
        clear(ctx, i);
    unsigned next = z->static_num, lost = 0, first_lost = 0;
    for (unsigned k = 0; k < n; k++) {
        const struct mm_z_entry *e = &list[k];
        unsigned idx = e->index >= 0 ? (unsigned)e->index : next++;
        if (e->base == 0 && e->limit == 0)
            mm_hw_log(&ctx->hw, MM_FINDING_Z_WHOLE_SPACE, idx, 0, 0, 0);
        if (idx >= nr && lost++ == 0)
            first_lost = idx;
        program(ctx, idx, e->base, e->limit, e->rbar, e->ai);
    }
    if (lost)
        mm_hw_log(&ctx->hw, MM_FINDING_Z_LOST_WRITES, first_lost, lost, nr, 0);
    mm_hw_barrier(&ctx->hw, MM_DMB_SY);
    sctlr_update(ctx, 0, SCTLR_BR);
    return 0;
}

/* ---- lists (Z3, Z4) ---- */

static int slot_free(const struct mm_ctx *ctx, const struct mm_z_entry *e)
{
    return fixed(ctx) ? e->limit == 0 : e->base == 0; /* bug 3: base 0 means free */
}

static void slot_clear(struct mm_z_entry *e)
{
    e->base = 0;
    e->limit = 0;
    e->rbar = 0;
    e->ai = 0; /* index kept */
}

/* Place [base, limit) in the first free slot; -1 if none. */
static int add_piece(struct mm_ctx *ctx, struct mm_z_entry *list, unsigned cap, uint64_t base,
                     uint64_t limit, uint8_t rbar, uint8_t ai)
{
    for (unsigned k = 0; k < cap; k++) {
        struct mm_z_entry *e = &list[k];
        ctx->scanned++;
        if (!slot_free(ctx, e))
            continue;
        if (e->limit != 0) /* a live piece at address 0 is overwritten */
            mm_hw_log(&ctx->hw, MM_FINDING_Z_BASE0_SLOT, k, e->base, e->limit, 0);
        e->base = base;
        e->limit = limit;
        e->rbar = rbar;
        e->ai = ai;
        return 0;
    }
    return -1;
}

/* Z3 insert_region: split the one entry that contains [base, limit); hole = 1 leaves the new
 * range out (Z4). Returns the change in occupied slots, or MM_ENOENT (list half-edited). */
static int insert_region(struct mm_ctx *ctx, struct mm_z_entry *list, unsigned cap,
                         uint64_t base, uint64_t limit, uint8_t rbar, uint8_t ai, int hole)
{
    int u = -1;
    for (unsigned k = 0; k < cap && u < 0; k++) {
        ctx->scanned++;
        if (list[k].base <= base && limit <= list[k].limit)
            u = (int)k;
    }
    if (u < 0)
        return MM_ENOENT;
    struct mm_z_entry old = list[u];
    slot_clear(&list[u]);
    int err = 0, change;
    if (base == old.base && limit == old.limit) {
        change = 0;
        if (!hole)
            err |= add_piece(ctx, list, cap, base, limit, rbar, ai);
    } else if (base == old.base) {
        change = 1;
        err |= add_piece(ctx, list, cap, limit, old.limit, old.rbar, old.ai);
        if (!hole)
            err |= add_piece(ctx, list, cap, base, limit, rbar, ai);
    } else if (limit == old.limit) {
        change = 1;
        err |= add_piece(ctx, list, cap, old.base, base, old.rbar, old.ai);
        if (!hole)
            err |= add_piece(ctx, list, cap, base, limit, rbar, ai);
    } else {
        change = 2;
        err |= add_piece(ctx, list, cap, old.base, base, old.rbar, old.ai);
        if (!hole)
            err |= add_piece(ctx, list, cap, base, limit, rbar, ai);
        err |= add_piece(ctx, list, cap, limit, old.limit, old.rbar, old.ai);
    }
    if (err)
        return MM_ENOENT;
    return hole ? change - 1 : change;
}

static unsigned list_cap(const struct mm_ctx *ctx)
{
    /* 1 + (CONFIG_MAX_DOMAIN_PARTITIONS + 2) + 2 (stack protection) + 2 (userspace) */
    return 1 + (ctx->z.cfg.max_partitions_cfg + 2) + 2 + 2;
}

/* Z5 configure_dynamic_mpu_regions(thread). */
static int configure(struct mm_ctx *ctx, unsigned tid)
{
    struct mm_zephyr_state *z = zs(ctx);
    struct mm_z_thread *t = &ctx->z.thread[tid];
    const unsigned cap = list_cap(ctx);
    z->last_thread = (int)tid;
    t->region_num = 0;
    for (unsigned k = 0; k < MM_Z_LIST_MAX; k++) {
        slot_clear(&t->regions[k]);
        t->regions[k].index = -1;
    }
    if (z->sys_num >= cap) {
        mm_hw_log(&ctx->hw, MM_MSG_Z_SYS_TOO_LARGE, 0, 0, 0, 0);
        return MM_EINVAL;
    }
    for (unsigned k = 0; k < z->sys_num; k++)
        t->regions[k] = z->sys[k];
    int total = (int)z->sys_num, rc;
    if (t->domain >= 0) {
        const struct mm_z_domain *d = &ctx->z.domain[t->domain];
        unsigned remaining = d->num_partitions;
        for (unsigned s = 0; s < MM_Z_PART_SLOTS && remaining > 0; s++) {
            const struct mm_z_partition *p = &d->part[s];
            if (p->size == 0) {
                if (!fixed(ctx))
                    remaining--; /* bug 2: empty slots use up the countdown too */
                continue;
            }
            remaining--;
            if ((rc = insert_region(ctx, t->regions, cap, p->base, p->base + p->size, p->rbar,
                                    p->ai, 0)) < 0)
                goto fail;
            total += rc;
        }
        if (!fixed(ctx)) /* report partitions the countdown never reached */
            for (unsigned s = 0, left = d->num_partitions; s < MM_Z_PART_SLOTS; s++) {
                const struct mm_z_partition *p = &d->part[s];
                if (left == 0 && p->size)
                    mm_hw_log(&ctx->hw, MM_FINDING_Z_HIDDEN_PARTITION, p->base,
                              p->base + p->size, 0, 0);
                if (left)
                    left--;
            }
    }
    if (t->user) {
        uint64_t start = t->stack_obj + z->cfg.priv_stack_size + MM_Z_GUARD;
        uint8_t rbar, ai;
        attr_decode(ctx, MM_Z_ATTR_NAMED | MM_Z_P_RW_U_RW, &rbar, &ai);
        if ((rc = insert_region(ctx, t->regions, cap, start, start + t->stack_size, rbar, ai,
                                0)) < 0)
            goto fail;
        total += rc;
    }
    if (t->stack_limit) {
        if ((rc = insert_region(ctx, t->regions, cap, t->stack_limit - MM_Z_GUARD,
                                t->stack_limit, 0, 0, 1)) < 0)
            goto fail;
        total += rc;
    }
    t->region_num = (uint8_t)total;
    if (z->current == (int)tid)
        (void)flush(ctx, t->regions, t->region_num);
    return 0;
fail:
    mm_hw_log(&ctx->hw, MM_FINDING_Z_FALLBACK, tid, (uint64_t)(int64_t)rc, 0, 0);
    return rc;
}

/* Z7 z_arm64_swap_mem_domains(thread): nothing is computed, everything is re-flushed. */
static void swap_mem_domains(struct mm_ctx *ctx, unsigned tid)
{
    struct mm_zephyr_state *z = zs(ctx);
    const struct mm_z_thread *t = &ctx->z.thread[tid];
    z->last_thread = (int)tid;
    if (t->region_num == 0)
        (void)flush(ctx, z->sys, z->sys_num);
    else
        (void)flush(ctx, t->regions, t->region_num);
}

/* ---- boot (Z1, Z2, Z11) ---- */

static void state_reset(struct mm_ctx *ctx)
{
    struct mm_zephyr_state *z = zs(ctx);
    z->static_num = 0;
    z->max_partitions = 0;
    z->sys_num = 0;
    z->current = -1;
    z->last_thread = -1;
    z->translate_thread = -1;
    for (unsigned k = 0; k < MM_Z_SYS_SLOTS; k++) {
        slot_clear(&z->sys[k]);
        z->sys[k].index = -1;
    }
    for (unsigned i = 0; i < MM_Z_THREADS; i++) {
        ctx->z.thread[i].created = 0;
        ctx->z.thread[i].domain = -1;
        ctx->z.thread[i].region_num = 0;
    }
    for (unsigned i = 0; i < MM_Z_DOMAINS; i++) {
        ctx->z.domain[i].created = 0;
        ctx->z.domain[i].num_partitions = 0;
        ctx->z.domain[i].nmembers = 0;
        for (unsigned s = 0; s < MM_Z_PART_SLOTS; s++)
            ctx->z.domain[i].part[s].size = 0;
    }
    ctx->z.domain[0].created = 1; /* k_mem_domain_default */
}

void mm_z_init(struct mm_ctx *ctx) { state_reset(ctx); }

/* Z2 dynamic_areas_init for CPU 0: the first SoC entry that contains the area, cut around
 * the IRQ-stack guard. */
static int dynamic_areas_init(struct mm_ctx *ctx)
{
    struct mm_zephyr_state *z = zs(ctx);
    const struct mm_z_config *c = &z->cfg;
    if (z->sys_num >= MM_Z_SYS_SLOTS)
        return MM_ENOSPC;
    int found = -1;
    for (unsigned i = 0; i < c->nsoc && found < 0; i++)
        if (c->soc[i].base <= c->dyn_base && c->dyn_limit <= c->soc[i].limit)
            found = (int)i;
    if (found < 0)
        return MM_ENOENT;
    struct mm_z_entry *e = &z->sys[z->sys_num++];
    e->base = c->soc[found].base;
    e->limit = c->soc[found].limit;
    attr_decode(ctx, c->soc[found].attr, &e->rbar, &e->ai);
    e->index = (int16_t)found;
    if (c->has_irq_stack) {
        int rc = insert_region(ctx, z->sys, MM_Z_SYS_SLOTS, c->irq_stack,
                               c->irq_stack + MM_Z_GUARD, 0, 0, 1);
        if (rc < 0)
            return rc;
        z->sys_num = (unsigned)((int)z->sys_num + rc);
    }
    return 0;
}

int mm_z_boot(struct mm_ctx *ctx, const struct mm_z_config *cfg)
{
    struct mm_zephyr_state *z = zs(ctx);
    ctx->last_region = -1;
    state_reset(ctx);
    z->cfg = *cfg;
    if (z->cfg.max_partitions_cfg == 0 || z->cfg.max_partitions_cfg > MM_Z_PARTS_CFG_MAX)
        z->cfg.max_partitions_cfg = MM_Z_PARTS_CFG_DEFAULT;
    (void)mm_hw_read(&ctx->hw, MM_CURRENTEL);       /* asserts EL1 */
    (void)mm_hw_read(&ctx->hw, MM_ID_AA64MMFR0_EL1); /* asserts PMSA */
    unsigned nr = read_n(ctx);
    if (cfg->nsoc > nr) {
        mm_hw_log(&ctx->hw, MM_MSG_Z_TOO_MANY_STATIC, cfg->nsoc, nr, 0, 0);
        return MM_EINVAL;
    }
    mm_hw_barrier(&ctx->hw, MM_DMB_SY);
    sctlr_update(ctx, 0, SCTLR_M);
    mm_hw_write(&ctx->hw, MM_MAIR_EL1, MAIR_EL1_VALUE);
    mm_hw_barrier(&ctx->hw, MM_DSB_SY);
    mm_hw_barrier(&ctx->hw, MM_ISB);
    unsigned idx = 0;
    for (unsigned i = 0; i < cfg->nsoc; i++, idx++) {
        uint8_t rbar, ai;
        attr_decode(ctx, cfg->soc[i].attr, &rbar, &ai);
        program(ctx, idx, cfg->soc[i].base, cfg->soc[i].limit, rbar, ai);
    }
    for (unsigned i = 0; i < cfg->ndt; i++, idx++) { /* no check against MPUIR (bug 11) */
        uint8_t rbar, ai;
        attr_decode(ctx, cfg->dt[i].attr, &rbar, &ai);
        if (idx >= nr)
            mm_hw_log(&ctx->hw, MM_FINDING_Z_LOST_WRITES, idx, 1, nr, 0);
        program(ctx, idx, cfg->dt[i].base, cfg->dt[i].limit, rbar, ai);
    }
    /* MPU on: no DMB before it */
    uint64_t v = mm_hw_read(&ctx->hw, MM_SCTLR_EL1);
    mm_hw_write(&ctx->hw, MM_SCTLR_EL1, v | SCTLR_M);
    mm_hw_barrier(&ctx->hw, MM_DSB_SY);
    mm_hw_barrier(&ctx->hw, MM_ISB);
    z->static_num = idx;
    /* Z11, as the kernel asks at init: N - S + 1 when below the list capacity. */
    unsigned remaining = nr + 1 > idx ? nr + 1 - idx : 0;
    z->max_partitions = z->cfg.max_partitions_cfg;
    if (remaining < list_cap(ctx)) {
        mm_hw_log(&ctx->hw, MM_MSG_Z_NOT_ENOUGH, list_cap(ctx), remaining, 0, 0);
        if (remaining > z->cfg.max_partitions_cfg && !fixed(ctx))
            mm_hw_log(&ctx->hw, MM_FINDING_Z_MAX_PARTITIONS, remaining,
                      z->cfg.max_partitions_cfg, 0, 0);
        if (!fixed(ctx) || remaining < z->max_partitions)
            z->max_partitions = remaining;
    }
    if (z->max_partitions > MM_Z_PART_SLOTS)
        z->max_partitions = MM_Z_PART_SLOTS;
    if (dynamic_areas_init(ctx) != 0) {
        mm_hw_log(&ctx->hw, MM_MSG_Z_DYN_INIT_FAIL, 0, 0, 0, 0);
        return 0; /* returns before the flush; the system goes on */
    }
    (void)flush(ctx, z->sys, z->sys_num);
    return 0;
}

/* Xen flags word -> Zephyr attributes: AP from RO (EL1 only), XN, SH as Xen picks it, and the
 * memory type mapped onto Zephyr's MAIR_EL1 (0 Device, 1 WT, 2 WB, 3 NC). */
static unsigned attr_of_xen(unsigned flags)
{
    static const uint8_t ai_of[8] = { 0, 3, 1, 2, 0, 2, 2, 2 };
    unsigned xai = flags & MM_FLAG_AI_MASK;
    unsigned sh = (xai == MM_MT_DEVICE_nGnRnE || xai == MM_MT_NORMAL_NC ||
                   xai == MM_MT_DEVICE_nGnRE) ? MM_PRBAR_SH_OUTER : MM_PRBAR_SH_INNER;
    unsigned rbar = (sh << 4) | ((flags & MM_FLAG_RO) ? 0x8u : 0u) |
                    ((flags & MM_FLAG_XN) ? 0x2u : 0u);
    return MM_Z_ATTR(rbar, ai_of[xai]);
}

int mm_z_boot_translated(struct mm_ctx *ctx, const struct mm_boot_region *r, unsigned n)
{
    struct mm_z_config *c = &ctx->z.xlate_cfg;
    c->nsoc = 0;
    c->ndt = 0;
    for (unsigned i = 0; i < n && c->nsoc + 1 < MM_Z_STATIC_MAX; i++) {
        if (r[i].base == r[i].limit)
            continue;
        c->soc[c->nsoc].base = r[i].base;
        c->soc[c->nsoc].limit = r[i].limit;
        c->soc[c->nsoc].attr = attr_of_xen(r[i].flags);
        c->nsoc++;
    }
    c->soc[c->nsoc].base = MM_Z_XLATE_BASE; /* REGION_RAM_ATTR background */
    c->soc[c->nsoc].limit = MM_Z_XLATE_LIMIT;
    c->soc[c->nsoc].attr = MM_Z_ATTR(0x22, 2);
    c->nsoc++;
    c->dyn_base = MM_Z_XLATE_BASE;
    c->dyn_limit = MM_Z_XLATE_LIMIT;
    c->has_irq_stack = 0;
    c->irq_stack = 0;
    c->max_partitions_cfg = MM_Z_PARTS_CFG_MAX;
    c->priv_stack_size = MM_Z_PRIV_STACK_DEFAULT;
    int rc = mm_z_boot(ctx, c);
    if (rc != 0)
        return rc;
    (void)mm_z_thread_create(ctx, 0, 0, 0, 0);
    (void)mm_z_switch(ctx, 0);
    ctx->z.translate_thread = 0;
    return 0;
}

/* ---- threads and domains (Z8 .. Z10) ---- */

static void domain_unlink(struct mm_z_domain *d, unsigned tid)
{
    unsigned w = 0;
    for (unsigned k = 0; k < d->nmembers; k++)
        if (d->member[k] != tid)
            d->member[w++] = d->member[k];
    d->nmembers = w;
}

int mm_z_thread_create(struct mm_ctx *ctx, unsigned tid, uint64_t stack_obj, uint64_t size,
                       int user)
{
    struct mm_zephyr_state *z = zs(ctx);
    struct mm_z_thread *t = &ctx->z.thread[tid];
    ctx->last_region = -1;
    t->created = 1;
    t->user = user ? 1 : 0;
    t->domain = -1;
    t->stack_obj = stack_obj;
    t->stack_size = size;
    /* arch_new_thread: stack protection sets stack_limit (none without a stack object) */
    t->stack_limit = stack_obj ? stack_obj + MM_Z_GUARD : 0;
    (void)configure(ctx, tid);
    /* z_mem_domain_init_thread: the creator's domain, else the default one */
    int dom = z->current >= 0 && ctx->z.thread[z->current].domain >= 0
                  ? ctx->z.thread[z->current].domain
                  : 0;
    struct mm_z_domain *d = &ctx->z.domain[dom];
    t->domain = (int8_t)dom;
    if (d->nmembers < MM_Z_THREADS)
        d->member[d->nmembers++] = (uint8_t)tid;
    return configure(ctx, tid);
}

int mm_z_domain_init(struct mm_ctx *ctx, unsigned did)
{
    struct mm_z_domain *d = &ctx->z.domain[did];
    ctx->last_region = -1;
    ctx->z.last_thread = -1;
    d->created = 1;
    d->num_partitions = 0;
    d->nmembers = 0;
    for (unsigned s = 0; s < MM_Z_PART_SLOTS; s++)
        d->part[s].size = 0;
    return 0;
}

/* A domain call reports the region_num of the domain's first member (-1 with none). */
static void domain_subject(struct mm_ctx *ctx, const struct mm_z_domain *d)
{
    ctx->last_region = -1;
    ctx->z.last_thread = d->nmembers ? d->member[0] : -1;
}

/* Run the hook: Z5 for every member, stopping at the first error. */
static int domain_reconfigure(struct mm_ctx *ctx, unsigned did)
{
    const struct mm_z_domain *d = &ctx->z.domain[did];
    int rc = 0;
    for (unsigned k = 0; k < d->nmembers && rc == 0; k++)
        rc = configure(ctx, d->member[k]);
    domain_subject(ctx, d);
    return rc;
}

/* check_add_partition (kernel): size, wrap-around and overlap with the others. */
static int check_partition(struct mm_ctx *ctx, const struct mm_z_domain *d, uint64_t base,
                           uint64_t limit)
{
    if (limit <= base)
        return MM_EINVAL;
    for (unsigned s = 0; s < MM_Z_PART_SLOTS; s++) {
        const struct mm_z_partition *p = &d->part[s];
        if (p->size && base < p->base + p->size && p->base < limit) {
            mm_hw_log(&ctx->hw, MM_MSG_Z_PART_OVERLAP, base, limit - base, p->base, p->size);
            return MM_EINVAL;
        }
    }
    return 0;
}

static int add_partition(struct mm_ctx *ctx, unsigned did, uint64_t base, uint64_t limit,
                         unsigned attr, int hook)
{
    struct mm_z_domain *d = &ctx->z.domain[did];
    domain_subject(ctx, d);
    int rc = check_partition(ctx, d, base, limit);
    if (rc != 0)
        return rc;
    if ((base | limit) & (MM_Z_GUARD - 1))
        mm_hw_log(&ctx->hw, MM_FINDING_Z_MISALIGNED, base, limit, 0, 0);
    unsigned s = 0;
    while (s < ctx->z.max_partitions && d->part[s].size != 0)
        s++;
    if (s >= ctx->z.max_partitions)
        return MM_ENOSPC;
    if (s >= ctx->z.cfg.max_partitions_cfg) /* bug 7: past the kernel's array */
        mm_hw_log(&ctx->hw, MM_FINDING_Z_MAX_PARTITIONS, s + 1, ctx->z.cfg.max_partitions_cfg,
                  0, 0);
    struct mm_z_partition *p = &d->part[s];
    p->base = base;
    p->size = limit - base;
    attr_decode(ctx, attr, &p->rbar, &p->ai);
    d->num_partitions++; /* recorded before the hook: stays recorded if it fails */
    return hook ? domain_reconfigure(ctx, did) : 0;
}

int mm_z_domain_init_partition(struct mm_ctx *ctx, unsigned did, uint64_t base,
                               uint64_t limit, unsigned attr)
{
    return add_partition(ctx, did, base, limit, attr, 1); /* no members yet: no work */
}

int mm_z_domain_add_partition(struct mm_ctx *ctx, unsigned did, uint64_t base,
                              uint64_t limit, unsigned attr)
{
    return add_partition(ctx, did, base, limit, attr, 1);
}

int mm_z_domain_remove_partition(struct mm_ctx *ctx, unsigned did, uint64_t base,
                                 uint64_t limit)
{
    struct mm_z_domain *d = &ctx->z.domain[did];
    domain_subject(ctx, d);
    unsigned s = 0;
    while (s < MM_Z_PART_SLOTS && !(d->part[s].size && d->part[s].base == base &&
                                    d->part[s].base + d->part[s].size == limit))
        s++;
    if (s == MM_Z_PART_SLOTS)
        return MM_ENOENT;
    int rc;
    if (fixed(ctx)) { /* free the slot, then reprogram without it */
        d->part[s].size = 0;
        d->num_partitions--;
        return domain_reconfigure(ctx, did);
    }
    /* Bug 1: the hook runs while the partition is still recorded. */
    rc = domain_reconfigure(ctx, did);
    if (rc == 0 && d->nmembers)
        mm_hw_log(&ctx->hw, MM_FINDING_Z_STALE_PARTITION, base, limit, 0, 0);
    d->part[s].size = 0;
    d->num_partitions--;
    return rc;
}

int mm_z_domain_add_thread(struct mm_ctx *ctx, unsigned did, unsigned tid)
{
    struct mm_z_thread *t = &ctx->z.thread[tid];
    ctx->last_region = -1;
    if (t->domain >= 0) { /* remove hook, with the old domain */
        domain_unlink(&ctx->z.domain[t->domain], tid);
        (void)configure(ctx, tid);
    }
    struct mm_z_domain *d = &ctx->z.domain[did];
    t->domain = (int8_t)did;
    if (d->nmembers < MM_Z_THREADS)
        d->member[d->nmembers++] = (uint8_t)tid;
    return configure(ctx, tid);
}

int mm_z_user_enter(struct mm_ctx *ctx, unsigned tid)
{
    ctx->last_region = -1;
    ctx->z.thread[tid].user = 1; /* K_USER, then z_arm64_thread_mem_domains_init(_current) */
    (void)configure(ctx, tid);
    return 0;
}

int mm_z_switch(struct mm_ctx *ctx, unsigned tid)
{
    ctx->last_region = -1;
    ctx->z.current = (int)tid;
    swap_mem_domains(ctx, tid);
    return 0;
}

int mm_z_region_num(const struct mm_ctx *ctx)
{
    int t = ctx->z.last_thread;
    return t >= 0 ? ctx->z.thread[t].region_num : -1;
}

/* ---- translation of the plain calls: partitions of the running thread's domain ---- */

static int xlate_domain(const struct mm_ctx *ctx)
{
    int t = ctx->z.current;
    return t >= 0 && ctx->z.thread[t].domain >= 0 ? ctx->z.thread[t].domain : 0;
}

int mm_z_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    if (!(flags & MM_FLAG_PRESENT))
        return mm_z_unmap(ctx, base, limit);
    return mm_z_domain_add_partition(ctx, (unsigned)xlate_domain(ctx), base, limit,
                                     attr_of_xen(flags));
}

int mm_z_unmap(struct mm_ctx *ctx, uint64_t base, uint64_t limit)
{
    return mm_z_domain_remove_partition(ctx, (unsigned)xlate_domain(ctx), base, limit);
}

int mm_z_unmap_containing(struct mm_ctx *ctx, uint64_t addr)
{
    const struct mm_z_domain *d = &ctx->z.domain[xlate_domain(ctx)];
    for (unsigned s = 0; s < MM_Z_PART_SLOTS; s++) {
        const struct mm_z_partition *p = &d->part[s];
        if (p->size && p->base <= addr && addr - p->base < p->size)
            return mm_z_unmap(ctx, p->base, p->base + p->size);
    }
    ctx->last_region = -1;
    ctx->z.last_thread = -1;
    return MM_ENOENT;
}

int mm_z_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                 uint64_t *ret)
{
    uint64_t start = addr & ~MM_PAGE_MASK;
    uint64_t end = (addr + size + MM_PAGE_MASK) & ~MM_PAGE_MASK;
    int rc = mm_z_domain_add_partition(ctx, (unsigned)xlate_domain(ctx), start, end,
                                       attr_of_xen(flags));
    *ret = rc == 0 ? addr : 0;
    return *ret != 0 ? 0 : MM_EINVAL;
}
