/* Fuzzing the zephyr variant (docs/fuzzing.md, "zephyr"): sequences of Zephyr's thread and
 * memory-domain calls on the FVP layout of the fixtures (or one with kernel RAM at address 0),
 * and the invariants that say what the running thread's MPU map should be, computed from the
 * kernel's own bookkeeping (the domain's partitions, the thread's stack), not from the
 * driver's lists. */
#include <stdlib.h>
#include <string.h>

#include "replay/fuzz.h"

#define G 64u                   /* Zephyr's region granule and guard size */
#define STACKS_BASE 0x40000ull  /* thread stack objects: one per 0x2000 from here */
#define STACK_STRIDE 0x2000ull
#define MAX_THREADS 6u
#define MAX_DOMAINS 6u

/* ---- layouts ---- */

#define FLASH_ATTR MM_Z_ATTR(0x0C, 1)
#define RAM_TEXT_ATTR MM_Z_ATTR(0x3C, 2)
#define RAM_RO_ATTR MM_Z_ATTR(0x3E, 2)
#define RAM_ATTR MM_Z_ATTR(0x22, 2)
#define IO_ATTR MM_Z_ATTR(0x02, 0)

/* The FVP layout of the fixtures (S = 5), or kernel RAM at 0 (S = 3: the dynamic area starts
 * at address 0, as on an XIP system). */
static void layout(struct trace_zephyr *z, int at_zero)
{
    memset(z, 0, sizeof *z);
    z->soc[z->nsoc++] = (struct trace_partition){ 0x88000000, 0x8C000000, FLASH_ATTR };
    if (at_zero) {
        z->soc[z->nsoc++] = (struct trace_partition){ 0x0, 0x80000, RAM_ATTR };
        z->dyn_base = 0x0;
    } else {
        z->soc[z->nsoc++] = (struct trace_partition){ 0x0, 0x18000, RAM_TEXT_ATTR };
        z->soc[z->nsoc++] = (struct trace_partition){ 0x18000, 0x20000, RAM_RO_ATTR };
        z->soc[z->nsoc++] = (struct trace_partition){ 0x20000, 0x80000, RAM_ATTR };
        z->dyn_base = 0x20000;
    }
    z->dt[z->ndt++] = (struct trace_partition){ 0x9A000000, 0x100000000ull, IO_ATTR };
    z->dyn_limit = 0x80000;
    z->irq_stack = 0x30000;
    z->has_irq_stack = 1;
    z->max_partitions = MM_Z_PARTS_CFG_DEFAULT;
    z->priv_stack_size = MM_Z_PRIV_STACK_DEFAULT;
}

int fuzz_zephyr_trace_init(struct trace *t, unsigned regions, size_t cap, uint64_t iter_seed,
                           struct mpusim_error *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->source, sizeof t->source, "<fuzz>");
    t->regions = regions;
    t->zephyr = calloc(1, sizeof *t->zephyr);
    t->events = calloc(cap ? cap : 1, sizeof *t->events);
    if (!t->zephyr || !t->events) {
        trace_fini(t);
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
    }
    fuzz_zephyr_trace_layout(t, iter_seed); /* one iteration in eight at address 0 */
    t->cap = cap ? cap : 1;
    return 0;
}

void fuzz_zephyr_trace_layout(struct trace *t, uint64_t iter_seed)
{
    layout(t->zephyr, (iter_seed >> 40) % 8 == 7);
}

/* ---- the generator ---- */

static unsigned below(struct fuzz_gen *g, unsigned n)
{
    return (unsigned)(fuzz_rand(&g->state) % n);
}

static int chance(struct fuzz_gen *g, unsigned num, unsigned den)
{
    return below(g, den) < num;
}

static struct trace_event *zpush(struct fuzz_gen *g, enum trace_op op)
{
    if (g->npending >= FUZZ_PENDING_CAP)
        return NULL;
    struct trace_event *ev = &g->pending[g->npending++];
    memset(ev, 0, sizeof *ev);
    ev->op = op;
    ev->line = -1;
    ev->reg = -1;
    ev->el = 2;
    return ev;
}

static unsigned nthreads(const struct mm_ctx *mm)
{
    unsigned n = 0;
    while (n < MM_Z_THREADS && mm->z.thread[n].created)
        n++;
    return n;
}

static unsigned ndomains(const struct mm_ctx *mm)
{
    unsigned n = 0;
    while (n < MM_Z_DOMAINS && mm->z.domain[n].created)
        n++;
    return n;
}

static void push_thread_create(struct fuzz_gen *g, const struct mm_ctx *mm, int user)
{
    unsigned k = nthreads(mm) + g->zthreads_queued;
    struct trace_event *ev = zpush(g, TRACE_OP_THREAD_CREATE);
    if (!ev)
        return;
    ev->thread = k;
    ev->base = STACKS_BASE + k * STACK_STRIDE;
    ev->limit = user ? (chance(g, 1, 2) ? 0x800 : 0x1000) : (chance(g, 1, 2) ? 0x1000 : 0x2000);
    ev->user = (unsigned)user;
    g->zthreads_queued++;
}

static void push_switch(struct fuzz_gen *g, unsigned tid)
{
    struct trace_event *ev = zpush(g, TRACE_OP_SWITCH);
    if (ev)
        ev->thread = tid;
}

/* Partition windows: the dynamic area minus the IRQ-stack guard and the stack objects. */
static void window(struct fuzz_gen *g, const struct mm_ctx *mm, uint64_t *lo, uint64_t *hi)
{
    const struct mm_z_config *c = &mm->z.cfg;
    switch (below(g, 3)) {
    case 0:
        *lo = c->dyn_base;
        *hi = c->irq_stack;
        return;
    case 1:
        *lo = c->irq_stack + G;
        *hi = STACKS_BASE;
        return;
    default:
        *lo = STACKS_BASE + MAX_THREADS * STACK_STRIDE;
        *hi = c->dyn_limit;
        return;
    }
}

static int overlaps_domain(const struct mm_z_domain *d, uint64_t base, uint64_t limit)
{
    for (unsigned s = 0; s < MM_Z_PART_SLOTS; s++)
        if (d->part[s].size && base < d->part[s].base + d->part[s].size && d->part[s].base < limit)
            return 1;
    return 0;
}

/* A 64-byte aligned range in a window that overlaps no partition of d; 0 if none found. */
static int free_range(struct fuzz_gen *g, const struct mm_ctx *mm, const struct mm_z_domain *d,
                      uint64_t *base, uint64_t *limit)
{
    for (int tries = 0; tries < 8; tries++) {
        uint64_t lo, hi;
        window(g, mm, &lo, &hi);
        uint64_t size = G * (1 + below(g, chance(g, 1, 4) ? 128 : 16));
        if (hi - lo <= size)
            continue;
        uint64_t b = lo + G * below(g, (unsigned)((hi - lo - size) / G + 1));
        if (!overlaps_domain(d, b, b + size)) {
            *base = b;
            *limit = b + size;
            return 1;
        }
    }
    return 0;
}

/* A recorded partition of d (slot), -1 if none. */
static int pick_partition(struct fuzz_gen *g, const struct mm_z_domain *d)
{
    unsigned slots[MM_Z_PART_SLOTS], n = 0;
    for (unsigned s = 0; s < MM_Z_PART_SLOTS; s++)
        if (d->part[s].size)
            slots[n++] = s;
    return n ? (int)slots[below(g, n)] : -1;
}

static unsigned random_attr(struct fuzz_gen *g)
{
    return MM_Z_ATTR_NAMED | below(g, MM_Z_PART_ATTR_COUNT);
}

/* The domain a partition call goes to: mostly the running thread's. */
static unsigned pick_domain(struct fuzz_gen *g, const struct mm_ctx *mm)
{
    int cur = mm->z.current;
    if (cur >= 0 && mm->z.thread[cur].domain >= 0 && chance(g, 3, 4))
        return (unsigned)mm->z.thread[cur].domain;
    return below(g, ndomains(mm));
}

static void push_add_partition(struct fuzz_gen *g, const struct mm_ctx *mm, unsigned did)
{
    const struct mm_z_domain *d = &mm->z.domain[did];
    const struct mm_z_config *c = &mm->z.cfg;
    uint64_t base = 0, limit = 0;
    unsigned k = below(g, 100);
    int s = pick_partition(g, d);
    if (k < 60 || s < 0) { /* a free range, strictly inside a piece or at its edge */
        if (!free_range(g, mm, d, &base, &limit))
            return;
    } else if (k < 72) { /* adjacent to a partition: shares a piece boundary */
        const struct mm_z_partition *p = &d->part[s];
        uint64_t size = G * (1 + below(g, 16));
        if (chance(g, 1, 2)) {
            base = p->base + p->size;
            limit = base + size;
        } else {
            limit = p->base;
            base = limit > size ? limit - size : 0;
        }
    } else if (k < 80) { /* at the edges of the area or of the IRQ-stack guard */
        uint64_t size = G * (1 + below(g, 16));
        switch (below(g, 3)) {
        case 0: base = c->dyn_base; limit = base + size; break;
        case 1: limit = c->irq_stack; base = limit - size; break;
        default: base = c->irq_stack + G; limit = base + size; break;
        }
    } else if (k < 88) { /* overlapping a partition of the domain: the kernel refuses it */
        const struct mm_z_partition *p = &d->part[s];
        base = p->base + (p->size > G ? G * below(g, (unsigned)(p->size / G)) : 0);
        limit = base + G * (1 + below(g, 8));
    } else if (k < 96) { /* across a piece boundary: no entry contains it */
        switch (below(g, 3)) {
        case 0: base = c->dyn_limit - 0x100; limit = c->dyn_limit + 0x100; break;
        case 1: base = c->irq_stack - 0x100; limit = c->irq_stack + 0x100; break;
        default: base = STACKS_BASE - 0x100; limit = STACKS_BASE + 0x100; break;
        }
    } else { /* not 64-byte aligned */
        if (!free_range(g, mm, d, &base, &limit))
            return;
        base += 8 * (1 + below(g, 7));
        limit -= 8 * below(g, 7);
    }
    if (limit <= base)
        return;
    struct trace_event *ev = zpush(g, TRACE_OP_DOMAIN_ADD_PARTITION);
    if (!ev)
        return;
    ev->domain = did;
    ev->base = base;
    ev->limit = limit;
    ev->flags = random_attr(g);
}

/* Region exhaustion: well-placed partitions into the running thread's domain, one after the
 * other (each strictly inside a piece costs 2 regions), then a switch away and back. */
static void move_exhaust(struct fuzz_gen *g, const struct mm_ctx *mm)
{
    int cur = mm->z.current;
    if (cur < 0 || mm->z.thread[cur].domain < 0)
        return;
    struct mm_z_domain d = mm->z.domain[mm->z.thread[cur].domain];
    unsigned n = 3 + below(g, 6);
    for (unsigned k = 0; k < n; k++) {
        uint64_t base, limit;
        if (!free_range(g, mm, &d, &base, &limit))
            break;
        struct trace_event *ev = zpush(g, TRACE_OP_DOMAIN_ADD_PARTITION);
        if (!ev)
            break;
        ev->domain = (unsigned)mm->z.thread[cur].domain;
        ev->base = base;
        ev->limit = limit;
        ev->flags = random_attr(g);
        for (unsigned s = 0; s < MM_Z_PART_SLOTS; s++) /* so that the next one avoids it */
            if (!d.part[s].size) {
                d.part[s].base = base;
                d.part[s].size = limit - base;
                break;
            }
    }
    unsigned nt = nthreads(mm);
    if (nt > 1 && chance(g, 1, 2)) {
        push_switch(g, ((unsigned)cur + 1 + below(g, nt - 1)) % nt);
        push_switch(g, (unsigned)cur);
    }
}

static void move_single(struct fuzz_gen *g, const struct mm_ctx *mm)
{
    unsigned nt = nthreads(mm), nd = ndomains(mm);
    int cur = mm->z.current;
    unsigned k = below(g, 100);
    if (k < 8 && nt < MAX_THREADS) {
        push_thread_create(g, mm, chance(g, 3, 5));
        return;
    }
    if (k < 14 && nd < MAX_DOMAINS) {
        struct trace_event *ev = zpush(g, TRACE_OP_DOMAIN_INIT);
        if (ev)
            ev->domain = nd;
        return;
    }
    if (k < 40) {
        push_add_partition(g, mm, pick_domain(g, mm));
        return;
    }
    if (k < 50) {
        unsigned did = pick_domain(g, mm);
        const struct mm_z_domain *d = &mm->z.domain[did];
        int s = pick_partition(g, d);
        struct trace_event *ev = zpush(g, TRACE_OP_DOMAIN_REMOVE_PARTITION);
        if (!ev)
            return;
        ev->domain = did;
        if (s >= 0 && !chance(g, 1, 8)) {
            ev->base = d->part[s].base;
            ev->limit = d->part[s].base + d->part[s].size;
        } else { /* a partition the domain does not have */
            ev->base = 0x60000 + G * below(g, 64);
            ev->limit = ev->base + G;
        }
        return;
    }
    if (k < 57) {
        struct trace_event *ev = zpush(g, TRACE_OP_DOMAIN_ADD_THREAD);
        if (ev) {
            ev->domain = below(g, nd);
            ev->thread = below(g, nt);
        }
        return;
    }
    if (k < 60 && cur >= 0 && !mm->z.thread[cur].user) {
        struct trace_event *ev = zpush(g, TRACE_OP_USER_ENTER);
        if (ev)
            ev->thread = (unsigned)cur;
        return;
    }
    if (k < 86) {
        push_switch(g, below(g, nt));
        return;
    }
    /* a plain map or unmap: a partition of the running thread's domain (the translation) */
    unsigned did = cur >= 0 && mm->z.thread[cur].domain >= 0 ? (unsigned)mm->z.thread[cur].domain
                                                              : 0;
    const struct mm_z_domain *d = &mm->z.domain[did];
    int s = pick_partition(g, d);
    if (s >= 0 && chance(g, 1, 2)) {
        struct trace_event *ev = zpush(g, TRACE_OP_UNMAP);
        if (ev) {
            ev->base = d->part[s].base;
            ev->limit = d->part[s].base + d->part[s].size;
        }
        return;
    }
    uint64_t base, limit;
    if (!free_range(g, mm, d, &base, &limit))
        return;
    struct trace_event *ev = zpush(g, TRACE_OP_MAP);
    if (ev) {
        ev->base = base;
        ev->limit = limit;
        ev->flags = chance(g, 1, 2) ? MM_PAGE_HYPERVISOR_RW : MM_PAGE_HYPERVISOR_RO;
    }
}

void fuzz_zephyr_gen_next(struct fuzz_gen *g, const struct mm_ctx *mm, struct trace_event *out)
{
    while (g->next >= g->npending) {
        g->next = g->npending = 0;
        g->zthreads_queued = 0;
        if (nthreads(mm) == 0) { /* the main thread first, and run it */
            push_thread_create(g, mm, 0);
            push_switch(g, 0);
            continue;
        }
        if (below(g, 100) < 5)
            move_exhaust(g, mm);
        else
            move_single(g, mm);
    }
    *out = g->pending[g->next++];
}

/* ---- validity of a candidate (shrinking) ---- */

int fuzz_zephyr_canonical(struct trace_event *ev, size_t n)
{
    int tmap[MM_Z_THREADS], dmap[MM_Z_DOMAINS];
    for (unsigned i = 0; i < MM_Z_THREADS; i++)
        tmap[i] = -1;
    for (unsigned i = 0; i < MM_Z_DOMAINS; i++)
        dmap[i] = -1;
    dmap[0] = 0;
    unsigned nt = 0, nd = 1;
    int current = -1;
    for (size_t i = 0; i < n; i++) {
        struct trace_event *e = &ev[i];
        if (!trace_op_system(e->op))
            continue;
        if (e->thread >= MM_Z_THREADS || e->domain >= MM_Z_DOMAINS)
            return -1;
        switch (e->op) {
        case TRACE_OP_THREAD_CREATE:
            if (tmap[e->thread] >= 0)
                return -1;
            tmap[e->thread] = (int)nt;
            e->thread = nt++;
            break;
        case TRACE_OP_DOMAIN_INIT:
            if (dmap[e->domain] >= 0)
                return -1;
            dmap[e->domain] = (int)nd;
            e->domain = nd++;
            break;
        default:
            if (e->op == TRACE_OP_DOMAIN_ADD_PARTITION ||
                e->op == TRACE_OP_DOMAIN_REMOVE_PARTITION ||
                e->op == TRACE_OP_DOMAIN_ADD_THREAD) {
                if (dmap[e->domain] < 0)
                    return -1;
                e->domain = (uint64_t)dmap[e->domain];
            }
            if (e->op == TRACE_OP_DOMAIN_ADD_THREAD || e->op == TRACE_OP_USER_ENTER ||
                e->op == TRACE_OP_SWITCH) {
                if (tmap[e->thread] < 0)
                    return -1;
                e->thread = (uint64_t)tmap[e->thread];
                if (e->op == TRACE_OP_USER_ENTER && (int)e->thread != current)
                    return -1;
                if (e->op == TRACE_OP_SWITCH)
                    current = (int)e->thread;
            }
            break;
        }
    }
    return 0;
}

/* ---- the invariants of the running thread's map ---- */

static const char *el_acc(unsigned el, enum mpu_acc a)
{
    static const char *const n[2][3] = { { "EL0 read", "EL0 write", "EL0 exec" },
                                         { "EL1 read", "EL1 write", "EL1 exec" } };
    return n[el ? 1 : 0][a];
}

/* One access at addr: allowed must equal want; else the invariant breaks, naming the point. */
static enum fuzz_verdict expect_at(struct mpu *m, uint64_t addr, unsigned el, enum mpu_acc a,
                                   int want, enum fuzz_invariant inv, const char *what,
                                   struct fuzz_violation *v)
{
    struct mpu_result res = mpu_check(m, addr, 1, a, el);
    int ok = res.fault == MPU_FAULT_NONE;
    if (ok == want)
        return FUZZ_HOLDS;
    v->inv = inv;
    v->event = -1;
    v->has_witness = 1;
    v->witness_addr = addr;
    v->witness_el = el;
    v->witness_kind = (unsigned)a;
    snprintf(v->text, sizeof v->text, "%s: %s at 0x%llx %s (%s, region %d)", what,
             el_acc(el, a), (unsigned long long)addr, ok ? "allowed" : "faults",
             ok ? "expected a fault" : mpu_fault_name(res.fault), res.region);
    return FUZZ_BROKEN;
}

/* First and last byte of [base, limit): allowed as want says, for acc at el. */
static enum fuzz_verdict expect_range(struct mpu *m, uint64_t base, uint64_t limit, unsigned el,
                                      enum mpu_acc a, int want, enum fuzz_invariant inv,
                                      const char *what, struct fuzz_violation *v)
{
    if (limit <= base)
        return FUZZ_HOLDS;
    if (expect_at(m, base, el, a, want, inv, what, v) == FUZZ_BROKEN)
        return FUZZ_BROKEN;
    return expect_at(m, limit - 1, el, a, want, inv, what, v);
}

/* What EL0 may do in the intended map at addr: 0 nothing, 1 read, 2 read and write; the
 * running thread's partitions (by their AP) and its user stack. */
static unsigned el0_rights(const struct mm_ctx *mm, const struct mm_z_thread *t, uint64_t addr)
{
    const struct mm_zephyr_state *z = &mm->z;
    unsigned r = 0;
    if (t->user) {
        uint64_t s = t->stack_obj + z->cfg.priv_stack_size + G;
        if (addr >= s && addr - s < t->stack_size)
            r = 2;
    }
    if (t->domain >= 0) {
        const struct mm_z_domain *d = &z->domain[t->domain];
        for (unsigned k = 0; k < MM_Z_PART_SLOTS; k++) {
            const struct mm_z_partition *p = &d->part[k];
            if (!p->size || addr < p->base || addr - p->base >= p->size)
                continue;
            unsigned ap = (p->rbar >> 2) & 3u;
            unsigned pr = ap == 1 ? 2 : ap == 3 ? 1 : 0;
            if (pr > r)
                r = pr;
        }
    }
    return r;
}

static int in_guard(const struct mm_ctx *mm, const struct mm_z_thread *t, uint64_t addr)
{
    const struct mm_z_config *c = &mm->z.cfg;
    if (c->has_irq_stack && addr >= c->irq_stack && addr - c->irq_stack < G)
        return 1;
    return t->stack_limit && addr >= t->stack_limit - G && addr < t->stack_limit;
}

/* The partition an event took out of the kernel's bookkeeping: its range, or 0. */
static int removed_range(const struct replay *r, const struct trace_event *ev,
                         const struct replay_event_result *res, uint64_t *base, uint64_t *limit)
{
    if (!res->has_rc || res->rc != 0)
        return 0;
    if (ev->op == TRACE_OP_DOMAIN_REMOVE_PARTITION || ev->op == TRACE_OP_UNMAP ||
        ((ev->op == TRACE_OP_MAP || ev->op == TRACE_OP_MODIFY) &&
         !(ev->flags & MM_FLAG_PRESENT))) {
        *base = ev->base;
        *limit = ev->limit;
        return 1;
    }
    (void)r;
    return 0;
}

struct span {
    uint64_t base, limit; /* [base, limit) */
};

static enum fuzz_verdict running_map(struct replay *r, const struct trace_event *ev,
                                     const struct replay_event_result *res,
                                     struct fuzz_violation *v)
{
    struct mpu *m = &r->mpu;
    const struct mm_ctx *mm = &r->mm;
    const struct mm_zephyr_state *z = &mm->z;
    if (z->current < 0 || !((m->el1.sctlr >> SCTLR_M_BIT) & 1u))
        return FUZZ_HOLDS;
    const struct mm_z_thread *t = &z->thread[z->current];
    const struct mm_z_config *c = &z->cfg;
    char what[96];
    /* guards_fault: the running thread's stack guard and the IRQ-stack guard are holes */
    if (c->has_irq_stack &&
        expect_range(m, c->irq_stack, c->irq_stack + G, 1, MPU_ACC_READ, 0,
                     FUZZ_INV_Z_GUARDS_FAULT, "the IRQ-stack guard", v) == FUZZ_BROKEN)
        return FUZZ_BROKEN;
    if (t->stack_limit) {
        snprintf(what, sizeof what, "the stack guard of thread %d", z->current);
        if (expect_range(m, t->stack_limit - G, t->stack_limit, 1, MPU_ACC_READ, 0,
                         FUZZ_INV_Z_GUARDS_FAULT, what, v) == FUZZ_BROKEN)
            return FUZZ_BROKEN;
    }
    /* kernel_ram_accessible: EL1 reads and writes the dynamic area outside those guards, at
     * the edges of every piece the kernel's bookkeeping implies */
    uint64_t pts[4 + 4 * MM_Z_PART_SLOTS + 8];
    unsigned np = 0;
    pts[np++] = c->dyn_base;
    pts[np++] = c->dyn_limit - 1;
    if (c->has_irq_stack) {
        pts[np++] = c->irq_stack - 1;
        pts[np++] = c->irq_stack + G;
    }
    if (t->stack_limit) {
        pts[np++] = t->stack_limit - G - 1;
        pts[np++] = t->stack_limit;
        uint64_t top = t->user ? t->stack_limit + c->priv_stack_size + t->stack_size
                               : t->stack_obj + t->stack_size;
        pts[np++] = top - 1;
        pts[np++] = top;
    }
    if (t->domain >= 0)
        for (unsigned k = 0; k < MM_Z_PART_SLOTS; k++) {
            const struct mm_z_partition *p = &z->domain[t->domain].part[k];
            if (!p->size)
                continue;
            pts[np++] = p->base - 1;
            pts[np++] = p->base;
            pts[np++] = p->base + p->size - 1;
            pts[np++] = p->base + p->size;
        }
    for (unsigned k = 0; k < np; k++) {
        uint64_t a = pts[k];
        if (a < c->dyn_base || a >= c->dyn_limit || in_guard(mm, t, a))
            continue;
        if (expect_at(m, a, 1, MPU_ACC_READ, 1, FUZZ_INV_Z_KERNEL_RAM_ACCESSIBLE,
                      "kernel RAM (the dynamic area)", v) == FUZZ_BROKEN)
            return FUZZ_BROKEN;
    }
    /* stack_accessible: a user thread's stack at EL0, read and write */
    if (t->user && t->stack_limit) {
        uint64_t s = t->stack_obj + c->priv_stack_size + G;
        snprintf(what, sizeof what, "the user stack of thread %d", z->current);
        if (expect_range(m, s, s + t->stack_size, 0, MPU_ACC_READ, 1,
                         FUZZ_INV_Z_STACK_ACCESSIBLE, what, v) == FUZZ_BROKEN ||
            expect_range(m, s, s + t->stack_size, 0, MPU_ACC_WRITE, 1,
                         FUZZ_INV_Z_STACK_ACCESSIBLE, what, v) == FUZZ_BROKEN)
            return FUZZ_BROKEN;
    }
    /* partitions_accessible: every partition of the thread's domain, as its AP says at EL0 */
    if (t->domain >= 0)
        for (unsigned k = 0; k < MM_Z_PART_SLOTS; k++) {
            const struct mm_z_partition *p = &z->domain[t->domain].part[k];
            if (!p->size)
                continue;
            snprintf(what, sizeof what, "partition [0x%llx, 0x%llx) of domain %d",
                     (unsigned long long)p->base, (unsigned long long)(p->base + p->size),
                     t->domain);
            if (in_guard(mm, t, p->base) || in_guard(mm, t, p->base + p->size - 1))
                continue; /* the kernel let it cover a guard: no single answer */
            uint64_t at[2] = { p->base, p->base + p->size - 1 };
            for (int e = 0; e < 2; e++) {
                unsigned want = el0_rights(mm, t, at[e]);
                if (expect_at(m, at[e], 0, MPU_ACC_READ, want > 0,
                              FUZZ_INV_Z_PARTITIONS_ACCESSIBLE, what, v) == FUZZ_BROKEN ||
                    expect_at(m, at[e], 0, MPU_ACC_WRITE, want == 2,
                              FUZZ_INV_Z_PARTITIONS_ACCESSIBLE, what, v) == FUZZ_BROKEN)
                    return FUZZ_BROKEN;
            }
        }
    /* user_isolation: EL0 gets nothing else: other domains' partitions, other threads'
     * stacks, and the partition this event removed */
    uint64_t rb, rl;
    struct span other[MM_Z_DOMAINS * 4 + MM_Z_THREADS + 1];
    unsigned no = 0;
    if (removed_range(r, ev, res, &rb, &rl))
        other[no++] = (struct span){ rb, rl };
    for (unsigned d = 0; d < MM_Z_DOMAINS && no < sizeof other / sizeof other[0] - 1; d++) {
        if (!z->domain[d].created || (int)d == t->domain)
            continue;
        for (unsigned k = 0; k < MM_Z_PART_SLOTS && no < sizeof other / sizeof other[0] - 1; k++)
            if (z->domain[d].part[k].size)
                other[no++] = (struct span){ z->domain[d].part[k].base,
                                            z->domain[d].part[k].base +
                                                z->domain[d].part[k].size };
    }
    for (unsigned i = 0; i < MM_Z_THREADS && no < sizeof other / sizeof other[0]; i++) {
        const struct mm_z_thread *o = &z->thread[i];
        if (!o->created || (int)i == z->current || !o->user || !o->stack_limit)
            continue;
        uint64_t s = o->stack_obj + c->priv_stack_size + G;
        other[no++] = (struct span){ s, s + o->stack_size };
    }
    for (unsigned k = 0; k < no; k++) {
        uint64_t at[2] = { other[k].base, other[k].limit - 1 };
        for (int e = 0; e < 2; e++) {
            if (other[k].limit <= other[k].base || el0_rights(mm, t, at[e]) > 0)
                continue;
            snprintf(what, sizeof what, "[0x%llx, 0x%llx), not thread %d's",
                     (unsigned long long)other[k].base, (unsigned long long)other[k].limit,
                     z->current);
            if (expect_at(m, at[e], 0, MPU_ACC_READ, 0, FUZZ_INV_Z_USER_ISOLATION, what, v) ==
                FUZZ_BROKEN)
                return FUZZ_BROKEN;
        }
    }
    return FUZZ_HOLDS;
}

enum fuzz_verdict fuzz_zephyr_check_event(struct replay *r, const struct trace_event *ev,
                                          const struct replay_event_result *res,
                                          const struct fuzz_snapshot *before,
                                          struct fuzz_violation *v)
{
    enum fuzz_verdict verdict = FUZZ_HOLDS;
    v->has_witness = 0;
    if (res->has_rc && res->rc != 0)
        verdict = fuzz_check_failed_call_changes_nothing(before, &r->mm, &r->mpu, v);
    if (verdict == FUZZ_HOLDS)
        verdict = fuzz_check_used_within_limit(&r->mm, r->mpu.el1.nregions, v);
    if (verdict == FUZZ_HOLDS)
        verdict = fuzz_check_table_matches_hw(&r->mm, &r->mpu, v);
    if (verdict == FUZZ_HOLDS)
        verdict = fuzz_check_no_overlap_el(&r->mpu, 1, v);
    if (verdict == FUZZ_HOLDS)
        verdict = running_map(r, ev, res, v);
    if (verdict == FUZZ_BROKEN)
        v->event = r->event;
    return verdict;
}
