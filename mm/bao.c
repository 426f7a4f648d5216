/* Variant "bao": Bao's vMPU on the Armv8-R EL2 MPU (src/core/mpu/mem.c over
 * src/arch/armv8/armv8-r/mpu.c), reimplemented from its described behaviour
 * (docs/algorithms.md, variant bao; its bugs in docs/findings.md; labels Bn name the steps in
 * the order that page gives them). No Bao code is copied.
 *
 * Per address space a table of 64 software entries, listed by increasing base; a map is
 * refused only when one entry contains it, accepted otherwise (overlaps too), then adjacent
 * equal unlocked entries merge; an unmap splits the one containing entry. Under it a per-CPU
 * allocator of physical indices (lowest free of 64, MPUIR never read) that finds an entry
 * again by reading PRBAR back. One EL2 MPU per CPU, shared by the hypervisor (EN = 1) and the
 * VM (EN = 0); PRENR_EL2 swaps the two sets on VM entry and exit. Changes to shared spaces
 * are broadcast to the other CPUs and replayed there at the end of the call.
 *
 * ctx->table and ctx->used mirror CPU 0's MPU (the replay cross-checks them). --fixed
 * (ctx->opt.xen_fixed) takes the evident intent of the bugs (docs/findings.md). */
#include "mm/internal.h"

#define ST_FREE 0
#define ST_INVALID 1
#define ST_VALID 2
#define AS_HYP 0
#define AS_VM 1
#define MSG_INSERT 0
#define MSG_REMOVE 1
#define MSG_UPDATE 2
#define PAGE 4096ull
#define SCTLR_M_C 0x5ull /* SCTLR_EL2.M | SCTLR_EL2.C */
#define ALL_ONES 64u     /* the "not found" index of the bitmap search */

static struct mm_bao_state *bs(struct mm_ctx *ctx) { return &ctx->bao; }
static int fixed(const struct mm_ctx *ctx) { return ctx->opt.xen_fixed; }

static void as_reset(struct mm_bao_as *as, unsigned type, unsigned id)
{
    as->type = (uint8_t)type;
    as->id = (uint8_t)id;
    as->lock_held = 0;
    as->nlist = 0;
    for (unsigned i = 0; i < MM_BAO_ENTRIES; i++) {
        as->list[i] = 0;
        as->e[i].base = 0;
        as->e[i].size = 0;
        as->e[i].prbar_f = 0;
        as->e[i].prlar_f = 0;
        as->e[i].state = ST_FREE;
        as->e[i].locked = 0;
        as->e[i].sec = 0;
    }
}

void mm_bao_init(struct mm_ctx *ctx)
{
    struct mm_bao_state *b = bs(ctx);
    b->cfg.ncpus = 0;
    b->next_asid = 1;
    b->cur = -1;
    b->halted = 0;
    b->call_cpu = 0;
    b->qn = 0;
    b->ipis = 0;
    for (unsigned c = 0; c < MM_BAO_CPUS; c++) {
        struct mm_bao_cpu *p = &b->cpu[c];
        p->booted = 0;
        p->in_guest = 0;
        p->vm = -1;
        p->nr = MM_BAO_ENTRIES;
        p->allocated = p->locked = p->hyp_mask = p->vcpu_mask = 0;
        for (unsigned i = 0; i < MM_BAO_ENTRIES; i++)
            p->owner[i] = 0;
        as_reset(&p->hyp, AS_HYP, 0);
    }
    for (unsigned v = 0; v < MM_BAO_VMS; v++) {
        b->vm[v].created = 0;
        b->vm[v].cpus = 0;
        as_reset(&b->vm[v].as, AS_VM, 0);
    }
}

void mm_bao_setup(struct mm_ctx *ctx, const struct mm_bao_config *cfg)
{
    struct mm_bao_config *d = &bs(ctx)->cfg;
    d->ncpus = cfg->ncpus > MM_BAO_CPUS ? MM_BAO_CPUS : cfg->ncpus;
    d->image_base = cfg->image_base;
    d->image_limit = cfg->image_limit;
    d->image_load_end = cfg->image_load_end;
    d->image_noload = cfg->image_noload;
    d->non_unified = cfg->non_unified;
    for (unsigned c = 0; c < MM_BAO_CPUS; c++)
        d->cpu_struct[c] = cfg->cpu_struct[c];
    d->cpu_struct_size = cfg->cpu_struct_size;
    d->implemented = cfg->implemented;
}

static unsigned popcount64(uint64_t v)
{
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* ---- registers of the CPU a call runs on ---- */

static void on_cpu(struct mm_ctx *ctx, unsigned c)
{
    struct mm_bao_state *b = bs(ctx);
    if (b->cur != (int)c) {
        b->cur = (int)c;
        mm_hw_cpu(&ctx->hw, c);
    }
}

/* CPU 0's MPU as ctx->table has it (indices below max_regions: the others lose writes). */
static void mirror(struct mm_ctx *ctx, unsigned idx, uint64_t prbar, uint64_t prlar)
{
    if (bs(ctx)->cur != 0 || idx >= mm_nr_regions(ctx))
        return;
    ctx->table[idx].prbar = prbar;
    ctx->table[idx].prlar = prlar;
}

static void mirror_used(struct mm_ctx *ctx)
{
    ctx->used = popcount64(bs(ctx)->cpu[0].allocated);
}

static void sel(struct mm_ctx *ctx, unsigned idx)
{
    mm_hw_write(&ctx->hw, MM_PRSELR_EL2, idx);
    mm_hw_barrier(&ctx->hw, MM_ISB);
}

static uint64_t prbar_of(const struct mm_bao_entry *r)
{
    return (r->base & MM_PR_ADDR_MASK) | r->prbar_f;
}

static uint64_t prlar_of(const struct mm_bao_entry *r)
{
    return ((r->base + r->size - 1) & MM_PR_ADDR_MASK) | r->prlar_f;
}

/* set(i): PRSELR, ISB, PRBAR, PRLAR, ISB. */
static void hw_set(struct mm_ctx *ctx, unsigned idx, const struct mm_bao_entry *r)
{
    sel(ctx, idx);
    mm_hw_write(&ctx->hw, MM_PRBAR_EL2(0), prbar_of(r));
    mm_hw_write(&ctx->hw, MM_PRLAR_EL2(0), prlar_of(r));
    mm_hw_barrier(&ctx->hw, MM_ISB);
    mirror(ctx, idx, prbar_of(r), prlar_of(r));
}

/* limit(i): PRSELR, ISB, PRLAR, ISB (PRBAR is not rewritten). */
static void hw_limit(struct mm_ctx *ctx, unsigned idx, const struct mm_bao_entry *r)
{
    sel(ctx, idx);
    mm_hw_write(&ctx->hw, MM_PRLAR_EL2(0), prlar_of(r));
    mm_hw_barrier(&ctx->hw, MM_ISB);
    if (bs(ctx)->cur == 0 && idx < mm_nr_regions(ctx))
        ctx->table[idx].prlar = prlar_of(r);
}

/* clear(i): PRSELR, ISB, PRLAR = 0, PRBAR = 0, ISB. */
static void hw_clear(struct mm_ctx *ctx, unsigned idx)
{
    sel(ctx, idx);
    mm_hw_write(&ctx->hw, MM_PRLAR_EL2(0), 0);
    mm_hw_write(&ctx->hw, MM_PRBAR_EL2(0), 0);
    mm_hw_barrier(&ctx->hw, MM_ISB);
    mirror(ctx, idx, 0, 0);
}

/* PRENR_EL2 = v: EN of indices 0..31 (the register holds no more). */
static void hw_prenr(struct mm_ctx *ctx, uint64_t v)
{
    mm_hw_write(&ctx->hw, MM_PRENR_EL2, v);
    if (bs(ctx)->cur != 0)
        return;
    for (unsigned i = 0; i < MM_PRENR_BITS && i < mm_nr_regions(ctx); i++)
        ctx->table[i].prlar = (ctx->table[i].prlar & ~1ull) | ((v >> i) & 1u);
}

/* ---- the arch layer: physical indices of one CPU (B5, B7, B8, B9) ---- */

static struct mm_bao_as *as_of(struct mm_ctx *ctx, unsigned c, unsigned as)
{
    return as == MM_BAO_AS_HYP ? &bs(ctx)->cpu[c].hyp : &bs(ctx)->vm[as].as;
}

/* The entry mask of address space as on CPU c: the hypervisor's, or the vCPU's when c runs
 * a vCPU of that VM; NULL otherwise. */
static uint64_t *entry_mask(struct mm_ctx *ctx, unsigned c, const struct mm_bao_as *as)
{
    struct mm_bao_cpu *p = &bs(ctx)->cpu[c];
    if (as->type == AS_HYP)
        return &p->hyp_mask;
    if (p->vm >= 0 && bs(ctx)->vm[p->vm].as.id == as->id)
        return &p->vcpu_mask;
    return NULL;
}

static int stop(struct mm_ctx *ctx, int rc)
{
    bs(ctx)->halted = rc;
    return rc;
}

/* B5 mpu_map: 1 programmed (r->prlar_f gets the forced EN), 0 false, MM_EFAULT crash. */
static int arch_map(struct mm_ctx *ctx, unsigned c, const struct mm_bao_as *as,
                    struct mm_bao_entry *r, int locked)
{
    struct mm_bao_cpu *p = &bs(ctx)->cpu[c];
    if (r->size == 0)
        return 0;
    unsigned idx = ALL_ONES;
    for (unsigned i = 0; i < p->nr && i < MM_BAO_ENTRIES; i++) {
        ctx->scanned++;
        if (!(p->allocated & (1ull << i))) {
            idx = i;
            break;
        }
    }
    if (idx == ALL_ONES) {
        if (fixed(ctx))
            return 0; /* the intent: the map fails */
        mm_hw_log(&ctx->hw, MM_FINDING_BAO_PHYS_FULL, c, 0, 0, 0);
        return stop(ctx, MM_EFAULT); /* bitmap_set(allocated, ~0): out of bounds */
    }
    uint64_t bit = 1ull << idx;
    p->allocated |= bit;
    p->owner[idx] = as->id;
    if (locked)
        p->locked |= bit;
    uint64_t *mask = entry_mask(ctx, c, as);
    if (!mask) {
        mm_hw_log(&ctx->hw, MM_MSG_BAO_NO_MASK, as->id, 0, 0, 0);
        mm_hw_log(&ctx->hw, MM_FINDING_BAO_STUCK_ENTRY, c, idx, 0, 0);
        if (fixed(ctx)) {
            p->allocated &= ~bit;
            p->locked &= ~bit;
        }
        return 0;
    }
    *mask |= bit;
    r->prlar_f = (uint8_t)((r->prlar_f & ~1u) | (as->type == AS_HYP ? 1u : 0u));
    if (idx >= MM_PRENR_BITS && (as->type == AS_VM || !locked))
        mm_hw_log(&ctx->hw, MM_FINDING_BAO_PRENR_REACH, c, idx, 0, 0);
    if (bs(ctx)->cfg.implemented && idx >= bs(ctx)->cfg.implemented)
        mm_hw_log(&ctx->hw, MM_FINDING_BAO_PHANTOM, c, idx, bs(ctx)->cfg.implemented, 0);
    hw_set(ctx, idx, r);
    if (c == (unsigned)bs(ctx)->call_cpu)
        ctx->last_region = (int)idx;
    return 1;
}

/* B7 mpu_find_region: probe each allocated index from 0 until base and owner match. */
static int arch_find(struct mm_ctx *ctx, unsigned c, uint64_t base, unsigned owner)
{
    struct mm_bao_cpu *p = &bs(ctx)->cpu[c];
    for (unsigned i = 0; i < MM_BAO_ENTRIES; i++) {
        if (!(p->allocated & (1ull << i)))
            continue;
        ctx->scanned++;
        sel(ctx, i);
        uint64_t v = mm_hw_read(&ctx->hw, MM_PRBAR_EL2(0));
        if ((v & MM_PR_ADDR_MASK) == (base & MM_PR_ADDR_MASK) && p->owner[i] == owner)
            return (int)i;
    }
    return -1;
}

/* B8 mpu_update: 1 updated, 0 not found. */
static int arch_update(struct mm_ctx *ctx, unsigned c, const struct mm_bao_as *as,
                       const struct mm_bao_entry *r)
{
    int idx = arch_find(ctx, c, r->base, as->id);
    if (idx < 0)
        return 0;
    hw_limit(ctx, (unsigned)idx, r);
    if (c == (unsigned)bs(ctx)->call_cpu)
        ctx->last_region = idx;
    return 1;
}

/* B9 mpu_unmap: always true; an index not found stays allocated. */
static void arch_unmap(struct mm_ctx *ctx, unsigned c, const struct mm_bao_as *as,
                       const struct mm_bao_entry *r)
{
    struct mm_bao_cpu *p = &bs(ctx)->cpu[c];
    int idx = arch_find(ctx, c, r->base, as->id);
    if (idx < 0) {
        mm_hw_log(&ctx->hw, MM_FINDING_BAO_LOST_INDEX, c, r->base, 0, 0);
        return;
    }
    uint64_t bit = 1ull << idx;
    p->allocated &= ~bit;
    p->locked &= ~bit;
    hw_clear(ctx, (unsigned)idx);
    uint64_t *mask = entry_mask(ctx, c, as);
    if (mask)
        *mask &= ~bit;
    if (c == (unsigned)bs(ctx)->call_cpu)
        ctx->last_region = idx;
}

/* ---- broadcasts (B10) ---- */

/* The CPUs that receive a change of as on CPU c (the sender excluded). */
static uint64_t shared_cpus(struct mm_ctx *ctx, unsigned c, const struct mm_bao_as *as,
                            unsigned sec)
{
    struct mm_bao_state *b = bs(ctx);
    uint64_t set = 0;
    const struct mm_bao_cpu *p = &b->cpu[c];
    if (as->type == AS_HYP && (sec == MM_BAO_SEC_GLOBAL || sec == MM_BAO_SEC_IMAGE)) {
        for (unsigned k = 0; k < b->cfg.ncpus; k++)
            if (b->cpu[k].booted)
                set |= 1ull << k;
    } else if (as->type == AS_VM || sec == MM_BAO_SEC_VM) {
        if (p->vm >= 0)
            set = b->vm[p->vm].cpus;
    }
    return set & ~(1ull << c);
}

/* Queue kind for every CPU that shares as; 0, or MM_EHALT when the pool is empty. */
static int send(struct mm_ctx *ctx, unsigned c, unsigned kind, const struct mm_bao_as *as,
                const struct mm_bao_entry *r)
{
    struct mm_bao_state *b = bs(ctx);
    if (as->type == AS_HYP && r->sec == MM_BAO_SEC_PRIVATE)
        return 0;
    uint64_t set = shared_cpus(ctx, c, as, r->sec);
    for (unsigned k = 0; k < b->cfg.ncpus; k++) {
        if (!(set & (1ull << k)))
            continue;
        if (b->qn == MM_BAO_MSGS) {
            mm_hw_log(&ctx->hw, MM_MSG_BAO_POOL, 0, 0, 0, 0);
            return stop(ctx, MM_EHALT);
        }
        struct mm_bao_msg *m = &b->q[b->qn++];
        m->kind = (uint8_t)kind;
        m->target = (uint8_t)k;
        m->as_type = as->type;
        m->as_id = as->id;
        m->locked = r->locked;
        m->sec = r->sec;
        m->prbar_f = r->prbar_f;
        m->prlar_f = r->prlar_f;
        m->base = r->base;
        m->size = r->size;
    }
    return 0;
}

/* ---- the vMPU of one address space (B3, B4, B6, B9, B12) ---- */

static void list_insert(struct mm_bao_as *as, unsigned idx)
{
    unsigned k = 0;
    while (k < as->nlist && as->e[as->list[k]].base <= as->e[idx].base)
        k++;
    for (unsigned j = as->nlist; j > k; j--)
        as->list[j] = as->list[j - 1];
    as->list[k] = (uint8_t)idx;
    as->nlist++;
}

static void list_remove(struct mm_bao_as *as, unsigned idx)
{
    unsigned k = 0;
    while (k < as->nlist && as->list[k] != idx)
        k++;
    if (k == as->nlist)
        return;
    for (; k + 1 < as->nlist; k++)
        as->list[k] = as->list[k + 1];
    as->nlist--;
}

/* The first valid entry, in vMPU index order, that contains [base, base + size) (--fixed:
 * that overlaps it); -1 if none. */
static int find_containing(struct mm_ctx *ctx, const struct mm_bao_as *as, uint64_t base,
                           uint64_t size, int overlap)
{
    for (unsigned i = 0; i < MM_BAO_ENTRIES; i++) {
        const struct mm_bao_entry *e = &as->e[i];
        ctx->scanned++;
        if (e->state != ST_VALID)
            continue;
        if (overlap ? (e->base < base + size && base < e->base + e->size)
                    : (e->base <= base && base + size <= e->base + e->size))
            return (int)i;
    }
    return -1;
}

static int alloc_entry(struct mm_bao_as *as)
{
    for (unsigned i = 0; i < MM_BAO_ENTRIES; i++)
        if (as->e[i].state == ST_FREE) {
            as->e[i].state = ST_INVALID;
            return (int)i;
        }
    return -1;
}

static unsigned free_entries(const struct mm_bao_as *as)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MM_BAO_ENTRIES; i++)
        n += as->e[i].state == ST_FREE;
    return n;
}

static void free_entry(struct mm_bao_as *as, unsigned idx)
{
    list_remove(as, idx);
    as->e[idx].state = ST_FREE;
    as->e[idx].base = 0;
    as->e[idx].size = 0;
}

static int forced_lock(const struct mm_bao_as *as, unsigned sec)
{
    return as->type == AS_HYP &&
           (sec == MM_BAO_SEC_PRIVATE || sec == MM_BAO_SEC_VM || sec == MM_BAO_SEC_IMAGE);
}

/* B4 mem_vmpu_insert_region into the reserved entry idx: 1, 0, or a stop code. */
static int insert_region(struct mm_ctx *ctx, unsigned c, struct mm_bao_as *as, unsigned idx,
                         struct mm_bao_entry r, int broadcast, int locked)
{
    int lock = locked || forced_lock(as, r.sec);
    int rc = arch_map(ctx, c, as, &r, lock);
    if (rc <= 0) {
        if (rc == 0 && fixed(ctx))
            as->e[idx].state = ST_FREE; /* faithful: stays reserved for ever */
        return rc;
    }
    r.locked = (uint8_t)lock;
    r.state = ST_VALID;
    as->e[idx] = r;
    list_insert(as, idx);
    if (broadcast)
        return send(ctx, c, MSG_INSERT, as, &r) < 0 ? MM_EHALT : 1;
    return 1;
}

/* B9 mem_vmpu_remove_region: broadcast, unmap, free. 0 or a stop code. */
static int remove_region(struct mm_ctx *ctx, unsigned c, struct mm_bao_as *as, unsigned idx,
                         int broadcast)
{
    struct mm_bao_entry *e = &as->e[idx];
    if (e->state != ST_VALID)
        return 0;
    if (broadcast && send(ctx, c, MSG_REMOVE, as, e) < 0)
        return MM_EHALT;
    arch_unmap(ctx, c, as, e);
    free_entry(as, idx);
    return 0;
}

/* B6 mem_vmpu_coalesce_contiguous: 0 or a stop code. */
static int coalesce(struct mm_ctx *ctx, unsigned c, struct mm_bao_as *as, int broadcast)
{
    for (;;) {
        int merged = 0;
        for (unsigned k = 1; k < as->nlist && !merged; k++) {
            struct mm_bao_entry *prev = &as->e[as->list[k - 1]], *cur = &as->e[as->list[k]];
            ctx->scanned++;
            if (prev->base + prev->size != cur->base || prev->prbar_f != cur->prbar_f ||
                prev->prlar_f != cur->prlar_f || prev->locked || cur->locked)
                continue;
            struct mm_bao_entry m = *prev;
            m.size = prev->size + cur->size;
            m.prbar_f = cur->prbar_f;
            m.prlar_f = cur->prlar_f;
            m.sec = 0; /* the section is reset */
            if (!arch_update(ctx, c, as, &m)) {
                /* The real loop would find the same pair again (inference): stop. */
                mm_hw_log(&ctx->hw, MM_FINDING_BAO_MERGE_FAILED, c, m.base, 0, 0);
                return 0;
            }
            *prev = m;
            if (broadcast && send(ctx, c, MSG_UPDATE, as, prev) < 0)
                return MM_EHALT;
            int rc = remove_region(ctx, c, as, as->list[k], broadcast);
            if (rc < 0)
                return rc;
            merged = 1;
        }
        if (!merged)
            return 0;
    }
}

/* B3 mem_map: 1, 0, or a stop code. */
static int mem_map(struct mm_ctx *ctx, unsigned c, struct mm_bao_as *as, struct mm_bao_entry r,
                   int broadcast, int locked, int coalesce_after)
{
    if (r.size == 0)
        return 1;
    if (r.size % PAGE) {
        mm_hw_log(&ctx->hw, MM_MSG_BAO_GRANULARITY, 0, 0, 0, 0);
        return stop(ctx, MM_EHALT);
    }
    if (as->lock_held) {
        mm_hw_log(&ctx->hw, MM_FINDING_BAO_DEADLOCK, as->id, 0, 0, 0);
        return stop(ctx, MM_EDEADLK);
    }
    if (find_containing(ctx, as, r.base, r.size, fixed(ctx)) >= 0)
        return 0;
    if (!fixed(ctx)) {
        int o = find_containing(ctx, as, r.base, r.size, 1);
        if (o >= 0)
            mm_hw_log(&ctx->hw, MM_FINDING_BAO_OVERLAP, r.base, r.base + r.size,
                      as->e[o].base, as->e[o].base + as->e[o].size);
    }
    int idx = alloc_entry(as);
    if (idx < 0) {
        if (fixed(ctx))
            return 0;
        mm_hw_log(&ctx->hw, MM_FINDING_BAO_VMPU_FULL, as->id, 0, 0, 0);
        return stop(ctx, MM_EFAULT);
    }
    int rc = insert_region(ctx, c, as, (unsigned)idx, r, broadcast, locked);
    if (rc == 1 && !locked && coalesce_after) {
        int k = coalesce(ctx, c, as, broadcast);
        if (k < 0)
            return k;
    }
    return rc;
}

/* B12 mem_unmap_range: 1, 0, or a stop code. */
static int unmap_range(struct mm_ctx *ctx, unsigned c, struct mm_bao_as *as, uint64_t base,
                       uint64_t size, int broadcast)
{
    if (as->lock_held) {
        mm_hw_log(&ctx->hw, MM_FINDING_BAO_DEADLOCK, as->id, 0, 0, 0);
        return stop(ctx, MM_EDEADLK);
    }
    int idx = find_containing(ctx, as, base, size, 0);
    if (idx < 0)
        return 0;
    struct mm_bao_entry e = as->e[idx];
    struct mm_bao_entry part[2] = { e, e }; /* top, then bottom */
    part[0].base = base + size;
    part[0].size = e.base + e.size - (base + size);
    part[1].size = base - e.base;
    /* --fixed: a split that needs one vMPU entry more than the space has free fails before
     * anything is removed (faithful: the bottom remainder finds no entry, below) */
    if (fixed(ctx) && part[0].size && part[1].size && free_entries(as) == 0)
        return 0;
    int rc = remove_region(ctx, c, as, (unsigned)idx, broadcast);
    if (rc < 0)
        return rc;
    for (unsigned k = 0; k < 2; k++) {
        if (part[k].size == 0)
            continue;
        int n = alloc_entry(as); /* the top gets the entry just freed; the bottom may find none */
        if (n < 0 && fixed(ctx))
            return 0; /* the intent: the unmap fails (the check above refuses it first) */
        rc = n < 0 ? 0 : insert_region(ctx, c, as, (unsigned)n, part[k], broadcast, e.locked);
        if (rc < 0)
            return rc;
        if (rc == 0) { /* B12.7: false, the lock still held */
            if (!fixed(ctx)) {
                as->lock_held = 1;
                mm_hw_log(&ctx->hw, MM_FINDING_BAO_LOCK_HELD, as->id, 0, 0, 0);
            }
            return 0;
        }
    }
    return 1;
}

/* ---- message handlers (B11) ---- */

static int handle(struct mm_ctx *ctx, const struct mm_bao_msg *m)
{
    struct mm_bao_state *b = bs(ctx);
    unsigned c = m->target;
    struct mm_bao_entry r = { m->base, m->size, m->prbar_f, m->prlar_f, ST_VALID, m->locked,
                              m->sec };
    if (m->as_type == AS_HYP) {
        struct mm_bao_as *as = &b->cpu[c].hyp;
        if (m->kind == MSG_INSERT)
            return mem_map(ctx, c, as, r, 0, m->locked, !fixed(ctx)) < 0 ? b->halted : 0;
        if (m->kind == MSG_REMOVE) {
            if (fixed(ctx)) { /* the intent: remove that entry, as the sender did */
                for (unsigned k = 0; k < as->nlist; k++) {
                    const struct mm_bao_entry *e = &as->e[as->list[k]];
                    if (e->base == r.base && e->size == r.size)
                        return remove_region(ctx, c, as, as->list[k], 0);
                }
                return 0; /* this CPU never had it (its INSERT failed): nothing to cut */
            }
            int idx = find_containing(ctx, as, r.base, r.size, 0);
            if (idx >= 0 && as->e[idx].size != r.size)
                mm_hw_log(&ctx->hw, MM_FINDING_BAO_DESYNC, c, r.base, r.base + r.size,
                          as->e[idx].base + as->e[idx].size);
            return unmap_range(ctx, c, as, r.base, r.size, 0) < 0 ? b->halted : 0;
        }
        /* UPDATE: mem_update, the entry with this base and another size */
        if (as->lock_held) {
            mm_hw_log(&ctx->hw, MM_FINDING_BAO_DEADLOCK, as->id, 0, 0, 0);
            return stop(ctx, MM_EDEADLK);
        }
        for (unsigned k = 0; k < as->nlist; k++) {
            struct mm_bao_entry *e = &as->e[as->list[k]];
            ctx->scanned++;
            if (e->base != r.base || e->size == r.size)
                continue;
            struct mm_bao_entry u = *e;
            u.size = r.size;
            u.prbar_f = r.prbar_f;
            u.prlar_f = r.prlar_f;
            if (arch_update(ctx, c, as, &u))
                *e = u;
            break;
        }
        return 0;
    }
    struct mm_bao_cpu *p = &b->cpu[c];
    if (p->vm < 0 || b->vm[p->vm].as.id != m->as_id) {
        mm_hw_log(&ctx->hw, MM_MSG_BAO_UNKNOWN_VM, 0, 0, 0, 0);
        return stop(ctx, MM_EHALT);
    }
    const struct mm_bao_as *as = &b->vm[p->vm].as;
    if (m->kind == MSG_INSERT)
        return arch_map(ctx, c, as, &r, m->locked) < 0 ? b->halted : 0;
    if (m->kind == MSG_REMOVE)
        arch_unmap(ctx, c, as, &r);
    else
        (void)arch_update(ctx, c, as, &r);
    return 0;
}

static void prenr_entry(struct mm_ctx *ctx, unsigned c)
{
    const struct mm_bao_cpu *p = &bs(ctx)->cpu[c];
    hw_prenr(ctx, p->vcpu_mask | p->locked);
}

/* Deliver the queued messages in order; a CPU in its guest takes exit, handler, entry. */
static int deliver(struct mm_ctx *ctx)
{
    struct mm_bao_state *b = bs(ctx);
    for (unsigned k = 0; k < b->qn; k++) {
        const struct mm_bao_msg *m = &b->q[k];
        unsigned c = m->target;
        on_cpu(ctx, c);
        b->ipis++;
        if (b->cpu[c].in_guest)
            hw_prenr(ctx, b->cpu[c].hyp_mask);
        int rc = handle(ctx, m);
        if (b->cpu[c].in_guest)
            prenr_entry(ctx, c);
        if (rc < 0) {
            b->qn = 0;
            return rc;
        }
    }
    b->qn = 0;
    return 0;
}

/* ---- entry points ---- */

/* Start a call on CPU c; returns the stop code when Bao has stopped, else 0. */
static int begin(struct mm_ctx *ctx, unsigned c)
{
    struct mm_bao_state *b = bs(ctx);
    ctx->last_region = -1;
    if (b->halted)
        return b->halted;
    b->call_cpu = (int)c;
    b->qn = 0;
    on_cpu(ctx, c);
    return 0;
}

/* End a call: deliver, mirror, and the rc (1 -> 0, 0 -> MM_EINVAL). */
static int finish(struct mm_ctx *ctx, int rc)
{
    if (rc >= 0) {
        int d = deliver(ctx);
        if (d < 0)
            rc = d;
    }
    on_cpu(ctx, (unsigned)bs(ctx)->call_cpu);
    mirror_used(ctx);
    return rc < 0 ? rc : rc ? 0 : MM_EINVAL;
}

static struct mm_bao_entry region(uint64_t base, uint64_t size, unsigned flags, unsigned sec)
{
    struct mm_bao_entry r = { base, size, (uint8_t)MM_BAO_PRBAR_F(flags),
                              (uint8_t)MM_BAO_PRLAR_F(flags), ST_INVALID, 0, (uint8_t)sec };
    return r;
}

/* mpu_enable: SCTLR_EL2 |= M | C, DSB ISH, ISB; the end of a boot call. */
static int mpu_enable(struct mm_ctx *ctx)
{
    uint64_t s = mm_hw_read(&ctx->hw, MM_SCTLR_EL2);
    mm_hw_write(&ctx->hw, MM_SCTLR_EL2, s | SCTLR_M_C);
    mm_hw_barrier(&ctx->hw, MM_DSB_ISH);
    mm_hw_barrier(&ctx->hw, MM_ISB);
    return finish(ctx, 1);
}

int mm_bao_cpu_boot(struct mm_ctx *ctx, unsigned c)
{
    struct mm_bao_state *b = bs(ctx);
    int rc = begin(ctx, c);
    if (rc)
        return rc;
    struct mm_bao_cpu *p = &b->cpu[c];
    const struct mm_bao_config *cfg = &b->cfg;
    /* mpu_init: bitmaps and owners cleared, no register access (--fixed: MPUIR read) */
    p->allocated = p->locked = p->hyp_mask = 0;
    p->nr = MM_BAO_ENTRIES;
    if (fixed(ctx)) {
        unsigned n = (unsigned)(mm_hw_read(&ctx->hw, MM_MPUIR_EL2) & 0xFFu);
        p->nr = n < MM_BAO_ENTRIES ? n : MM_BAO_ENTRIES;
    }
    as_reset(&p->hyp, AS_HYP, 0);
    p->booted = 1;
    /* the image, one region or load + no-load parts, then this CPU's struct cpu */
    struct mm_bao_entry img[2];
    unsigned nimg = 0;
    if (cfg->image_limit > cfg->image_base) {
        uint64_t le = cfg->image_load_end, nl = cfg->image_noload;
        if (le <= cfg->image_base || le > cfg->image_limit)
            le = nl = cfg->image_limit;
        if (!cfg->non_unified && le == nl) {
            img[nimg++] = region(cfg->image_base, cfg->image_limit - cfg->image_base,
                                 MM_BAO_HYP_FLAGS, MM_BAO_SEC_IMAGE);
        } else {
            img[nimg++] = region(cfg->image_base, le - cfg->image_base,
                                 cfg->non_unified ? MM_BAO_HYP_CODE_FLAGS : MM_BAO_HYP_FLAGS,
                                 MM_BAO_SEC_IMAGE);
            if (cfg->image_limit > nl)
                img[nimg++] = region(nl, cfg->image_limit - nl, MM_BAO_HYP_FLAGS,
                                     MM_BAO_SEC_IMAGE);
        }
    }
    for (unsigned k = 0; k < nimg && rc >= 0; k++)
        rc = mem_map(ctx, c, &p->hyp, img[k], 0, 1, 1);
    if (rc >= 0 && cfg->cpu_struct[c] && cfg->cpu_struct_size)
        rc = mem_map(ctx, c, &p->hyp,
                     region(cfg->cpu_struct[c], cfg->cpu_struct_size, MM_BAO_HYP_FLAGS,
                            MM_BAO_SEC_PRIVATE), 0, 1, 1);
    if (rc < 0)
        return finish(ctx, rc);
    return mpu_enable(ctx);
}

int mm_bao_vm_create(struct mm_ctx *ctx, unsigned vm, uint64_t cpus)
{
    struct mm_bao_state *b = bs(ctx);
    ctx->last_region = -1;
    if (b->halted)
        return b->halted;
    as_reset(&b->vm[vm].as, AS_VM, b->next_asid++);
    b->vm[vm].created = 1;
    b->vm[vm].cpus = cpus;
    for (unsigned c = 0; c < MM_BAO_CPUS; c++)
        if (cpus & (1ull << c)) {
            b->cpu[c].vm = (int8_t)vm;
            b->cpu[c].vcpu_mask = 0;
        }
    return 0;
}

int mm_bao_map(struct mm_ctx *ctx, unsigned c, unsigned as, uint64_t base, uint64_t limit,
               unsigned flags, unsigned opts)
{
    int rc = begin(ctx, c);
    if (rc)
        return rc;
    unsigned sec = (opts >> 8) & 0xFFu;
    int locked = (opts & MM_BAO_OPT_LOCKED) != 0;
    struct mm_bao_as *a = as_of(ctx, c, as);
    rc = mem_map(ctx, c, a, region(base, limit - base, flags, sec),
                 (opts & MM_BAO_OPT_BROADCAST) != 0, locked, 1);
    if (rc == 0 && (opts & MM_BAO_OPT_ALLOC) && !fixed(ctx)) {
        mm_hw_log(&ctx->hw, MM_FINDING_BAO_IGNORED, base, limit, 0, 0);
        rc = 1; /* mem_alloc_map returns "at" whatever happened */
    }
    return finish(ctx, rc);
}

int mm_bao_unmap(struct mm_ctx *ctx, unsigned c, unsigned as, uint64_t base, uint64_t limit,
                 int broadcast)
{
    int rc = begin(ctx, c);
    if (rc)
        return rc;
    rc = unmap_range(ctx, c, as_of(ctx, c, as), base, limit - base, broadcast);
    return finish(ctx, rc);
}

int mm_bao_map_cpy(struct mm_ctx *ctx, unsigned c, unsigned from, unsigned to, unsigned sec,
                   uint64_t va, uint64_t pages)
{
    int rc = begin(ctx, c);
    if (rc)
        return rc;
    struct mm_bao_as *src = as_of(ctx, c, from), *dst = as_of(ctx, c, to);
    int idx = src == dst ? -1 : find_containing(ctx, src, va, 1, 0);
    if (idx < 0) {
        mm_hw_log(&ctx->hw, MM_MSG_BAO_MAP_CPY, 0, 0, 0, 0);
        return finish(ctx, 0);
    }
    struct mm_bao_entry r = src->e[idx];
    if (r.base != va) {
        if (!fixed(ctx))
            mm_hw_log(&ctx->hw, MM_FINDING_BAO_CPY_WINDOW, va, r.base, 0, 0);
        else
            r.base = va;
    }
    r.size = pages * PAGE;
    r.sec = (uint8_t)sec;
    r.locked = 0;
    r.state = ST_INVALID;
    rc = mem_map(ctx, c, dst, r, 1, 0, 1);
    if (rc == 0) {
        mm_hw_log(&ctx->hw, MM_MSG_BAO_MAP_CPY_MAP, 0, 0, 0, 0);
        mm_hw_log(&ctx->hw, MM_MSG_BAO_MAP_CPY, 0, 0, 0, 0);
    }
    return finish(ctx, rc);
}

int mm_bao_vm_entry(struct mm_ctx *ctx, unsigned c)
{
    int rc = begin(ctx, c);
    if (rc)
        return rc;
    prenr_entry(ctx, c);
    bs(ctx)->cpu[c].in_guest = 1;
    return finish(ctx, 1);
}

int mm_bao_vm_exit(struct mm_ctx *ctx, unsigned c)
{
    int rc = begin(ctx, c);
    if (rc)
        return rc;
    hw_prenr(ctx, bs(ctx)->cpu[c].hyp_mask);
    bs(ctx)->cpu[c].in_guest = 0;
    return finish(ctx, 1);
}

unsigned mm_bao_hyp_entries(const struct mm_ctx *ctx, unsigned c)
{
    return c < MM_BAO_CPUS ? ctx->bao.cpu[c].hyp.nlist : 0;
}

unsigned mm_bao_vm_entries(const struct mm_ctx *ctx, unsigned c)
{
    if (c >= MM_BAO_CPUS || ctx->bao.cpu[c].vm < 0)
        return 0;
    return ctx->bao.vm[ctx->bao.cpu[c].vm].as.nlist;
}

unsigned mm_bao_allocated(const struct mm_ctx *ctx, unsigned c)
{
    return c < MM_BAO_CPUS ? popcount64(ctx->bao.cpu[c].allocated) : 0;
}

/* ---- the translation of plain traces (docs/algorithms.md, variant bao) ---- */

/* A Xen flags word as Bao's: Normal memory -> PTE_HYP_FLAGS with Xen's RO and XN; a device
 * type (Xen's AttrIndx 0 or 4, nGnRnE/nGnRE) -> PTE_HYP_DEV_FLAGS likewise. */
static unsigned xlate_flags(unsigned xf)
{
    unsigned ai = mm_flags_ai(xf);
    int dev = ai == MM_MT_DEVICE_nGnRnE || ai == MM_MT_DEVICE_nGnRE;
    unsigned prbar = (dev ? 0x30u : 0x20u) | (mm_flags_ro(xf) ? 0x08u : 0) |
                     (mm_flags_xn(xf) ? 0x02u : 0);
    return MM_BAO_FLAGS(prbar, dev ? 0x05u : 0x03u);
}

static uint64_t page_down(uint64_t a) { return a & ~(PAGE - 1); }
static uint64_t page_up(uint64_t a) { return (a + PAGE - 1) & ~(PAGE - 1); }

int mm_bao_boot_translated(struct mm_ctx *ctx, const struct mm_boot_region *r, unsigned n)
{
    struct mm_bao_state *b = bs(ctx);
    struct mm_bao_config cfg = b->cfg;
    cfg.ncpus = 1;
    cfg.image_base = cfg.image_limit = 0;
    cfg.cpu_struct[0] = 0;
    mm_bao_setup(ctx, &cfg);
    int rc = begin(ctx, 0);
    if (rc)
        return rc;
    struct mm_bao_cpu *p = &b->cpu[0];
    p->allocated = p->locked = p->hyp_mask = 0;
    as_reset(&p->hyp, AS_HYP, 0);
    p->booted = 1;
    for (unsigned i = 0; i < n && rc >= 0; i++) {
        if (r[i].base >= r[i].limit)
            continue;
        uint64_t base = page_down(r[i].base), limit = page_up(r[i].limit);
        rc = mem_map(ctx, 0, &p->hyp, region(base, limit - base, xlate_flags(r[i].flags),
                                             MM_BAO_SEC_IMAGE), 0, 1, 1);
    }
    if (rc < 0)
        return finish(ctx, rc);
    return mpu_enable(ctx);
}

/* Before any boot (a plain trace without "boot"): CPU 0 comes up with no image region. */
static void xlate_ready(struct mm_ctx *ctx)
{
    if (!bs(ctx)->cpu[0].booted)
        (void)mm_bao_boot_translated(ctx, 0, 0);
}

int mm_bao_xlate_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    xlate_ready(ctx);
    if (!(flags & MM_FLAG_PRESENT))
        return mm_bao_xlate_unmap(ctx, base, limit);
    return mm_bao_map(ctx, 0, MM_BAO_AS_HYP, base, limit, xlate_flags(flags),
                      MM_BAO_OPT_BROADCAST | MM_BAO_OPT_SEC(MM_BAO_SEC_GLOBAL));
}

int mm_bao_xlate_unmap(struct mm_ctx *ctx, uint64_t base, uint64_t limit)
{
    xlate_ready(ctx);
    return mm_bao_unmap(ctx, 0, MM_BAO_AS_HYP, base, limit, 1);
}

int mm_bao_xlate_unmap_containing(struct mm_ctx *ctx, uint64_t addr)
{
    xlate_ready(ctx);
    const struct mm_bao_as *as = &bs(ctx)->cpu[0].hyp;
    int idx = find_containing(ctx, as, addr, 1, 0);
    if (idx < 0 || bs(ctx)->halted)
        return bs(ctx)->halted ? bs(ctx)->halted : MM_EINVAL;
    uint64_t base = as->e[idx].base, limit = base + as->e[idx].size;
    return mm_bao_unmap(ctx, 0, MM_BAO_AS_HYP, base, limit, 1);
}

int mm_bao_xlate_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                         uint64_t *ret)
{
    xlate_ready(ctx);
    uint64_t base = page_down(addr), limit = page_up(addr + size);
    int rc = mm_bao_map(ctx, 0, MM_BAO_AS_HYP, base, limit, xlate_flags(flags),
                        MM_BAO_OPT_BROADCAST | MM_BAO_OPT_ALLOC |
                            MM_BAO_OPT_SEC(MM_BAO_SEC_GLOBAL));
    *ret = rc == 0 ? addr : 0;
    return rc == 0 ? 0 : MM_EINVAL;
}
