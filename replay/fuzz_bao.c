/* Fuzzing the bao variant (docs/fuzzing.md, "bao"): sequences of Bao's vMPU calls on 1 to 4
 * CPUs (every CPU boots first, as Bao's CPUs do before they map anything), and the invariants
 * of its design: what Bao's own bookkeeping (each address space's vMPU entries) says every
 * CPU's EL2 MPU must hold and enable, and what the hardware then allows. Overlapping entries
 * are Bao's design (its map check is a containment test): they break an invariant only where
 * the hardware has two enabled regions on the same bytes, which faults on any access. */
#include <stdlib.h>
#include <string.h>

#include "replay/fuzz.h"

#define PAGE 0x1000ull
#define MAX_VMS 4u
#define IMAGE_BASE 0x10000000ull
#define IMAGE_LIMIT 0x10040000ull
#define CPU_STRUCTS 0x10100000ull
#define CPU_STRUCT_SIZE 0x2000ull

/* Where the generator places ranges: the hypervisor's global devices (the FVP's UART, GIC and
 * a spare device window), its private load areas, and per VM a RAM and a device window. All
 * disjoint, so that overlaps happen where a move asks for them. */
static const struct window {
    uint64_t base, pages;
} hyp_dev[] = { { 0x9c000000ull, 0x90 }, { 0xaa400000ull, 0x100 }, { 0xaf000000ull, 0x200 } };
#define HYP_PRIVATE_BASE 0x30000000ull
#define HYP_PRIVATE_PAGES 0x100u
#define HYP_VMSTRUCT_BASE 0x10200000ull /* struct vm pages: 4 per VM */
#define VM_RAM_BASE 0x20000000ull
#define VM_RAM_PAGES 0x2000u           /* 32 MiB per VM */
#define VM_DEV_BASE 0x9c0a0000ull      /* 16 pages per VM */

/* ---- the trace header ---- */

int fuzz_bao_trace_init(struct trace *t, unsigned regions, size_t cap, uint64_t iter_seed,
                        struct mpusim_error *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->source, sizeof t->source, "<fuzz>");
    t->regions = regions;
    t->bao = calloc(1, sizeof *t->bao);
    t->events = calloc(cap ? cap : 1, sizeof *t->events);
    if (!t->bao || !t->events) {
        trace_fini(t);
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
    }
    t->cap = cap ? cap : 1;
    fuzz_bao_trace_layout(t, iter_seed);
    return 0;
}

void fuzz_bao_trace_layout(struct trace *t, uint64_t iter_seed)
{
    static const unsigned ncpus[8] = { 1, 2, 2, 2, 3, 3, 4, 4 };
    struct trace_bao *b = t->bao;
    memset(b, 0, sizeof *b);
    unsigned k = (unsigned)(iter_seed >> 40);
    b->ncpus = ncpus[k % 8];
    b->image_base = IMAGE_BASE;
    b->image_limit = IMAGE_LIMIT;
    b->image_load_end = b->image_noload = 0x10030000ull;
    if ((k >> 3) % 8 == 7) /* a no-load part apart from the load part: two image regions */
        b->image_noload = 0x10034000ull;
    b->non_unified = (k >> 6) % 8 == 7;
    for (unsigned c = 0; c < b->ncpus; c++)
        b->cpu_struct[c] = CPU_STRUCTS + c * CPU_STRUCT_SIZE;
    b->cpu_struct_size = CPU_STRUCT_SIZE;
}

/* ---- the generator ---- */

static unsigned below(struct fuzz_gen *g, unsigned n)
{
    return n ? (unsigned)(fuzz_rand(&g->state) % n) : 0;
}

static int chance(struct fuzz_gen *g, unsigned num, unsigned den)
{
    return below(g, den) < num;
}

static struct trace_event *bpush(struct fuzz_gen *g, enum trace_op op, unsigned cpu)
{
    if (g->npending >= FUZZ_PENDING_CAP)
        return NULL;
    struct trace_event *ev = &g->pending[g->npending++];
    memset(ev, 0, sizeof *ev);
    ev->op = op;
    ev->line = -1;
    ev->reg = -1;
    ev->el = 2;
    ev->bao = 1;
    ev->cpu = cpu;
    return ev;
}

static unsigned nvms(const struct mm_ctx *mm)
{
    unsigned n = 0;
    while (n < MM_BAO_VMS && mm->bao.vm[n].created)
        n++;
    return n;
}

/* The address space as the generator names it: a VM index, or TRACE_AS_HYP. */
static const struct mm_bao_as *space(const struct mm_ctx *mm, unsigned cpu, uint64_t as)
{
    return as == TRACE_AS_HYP ? &mm->bao.cpu[cpu].hyp : &mm->bao.vm[as].as;
}

static int overlaps_space(const struct mm_bao_as *a, uint64_t base, uint64_t limit)
{
    for (unsigned k = 0; k < a->nlist; k++) {
        const struct mm_bao_entry *e = &a->e[a->list[k]];
        if (base < e->base + e->size && e->base < limit)
            return 1;
    }
    return 0;
}

/* A random valid entry of a in section sec (its vMPU index), -1 if none. The image and the
 * struct cpu regions are never picked: no caller maps next to, over or inside them, or
 * unmaps them. */
static int pick_entry(struct fuzz_gen *g, const struct mm_bao_as *a, unsigned sec)
{
    unsigned idx[MM_BAO_ENTRIES], n = 0;
    for (unsigned k = 0; k < a->nlist; k++) {
        const struct mm_bao_entry *e = &a->e[a->list[k]];
        if (e->sec == sec && (a->type != 0 || e->base < IMAGE_BASE || e->base >= HYP_VMSTRUCT_BASE))
            idx[n++] = a->list[k];
    }
    return n ? (int)idx[below(g, n)] : -1;
}

/* A free range of 1..maxp pages in [base, base + pages pages) that no entry of a overlaps. */
static int free_range(struct fuzz_gen *g, const struct mm_bao_as *a, uint64_t base,
                      unsigned pages, unsigned maxp, uint64_t *b, uint64_t *l)
{
    for (int tries = 0; tries < 8; tries++) {
        unsigned n = 1 + below(g, maxp);
        if (n >= pages)
            continue;
        uint64_t at = base + PAGE * below(g, pages - n + 1);
        if (!overlaps_space(a, at, at + n * PAGE)) {
            *b = at;
            *l = at + n * PAGE;
            return 1;
        }
    }
    return 0;
}

/* A range relative to entry e: same, inside, straddling an end, adjacent, superset. */
static void relative_range(struct fuzz_gen *g, const struct mm_bao_entry *e, uint64_t *b,
                           uint64_t *l)
{
    uint64_t pages = e->size / PAGE, m = 1 + below(g, 4);
    unsigned k = below(g, 100);
    if (k < 50) { /* adjacent, after or before: merges when the flags are equal */
        if (chance(g, 2, 3) || e->base < m * PAGE) {
            *b = e->base + e->size;
            *l = *b + m * PAGE;
        } else {
            *l = e->base;
            *b = *l - m * PAGE;
        }
    } else if (k < 62) { /* the same range: refused */
        *b = e->base;
        *l = e->base + e->size;
    } else if (k < 74 && pages > 1) { /* inside: refused */
        uint64_t off = below(g, (unsigned)(pages - 1));
        *b = e->base + off * PAGE;
        *l = *b + PAGE * (1 + below(g, (unsigned)(pages - off)));
    } else if (k < 90) { /* straddling its start or its end: accepted, an overlap */
        if (chance(g, 1, 2) && e->base >= m * PAGE) {
            *b = e->base - m * PAGE;
            *l = e->base + PAGE;
        } else {
            *b = e->base + e->size - PAGE;
            *l = e->base + e->size + m * PAGE;
        }
    } else { /* a superset: accepted, an overlap */
        *b = e->base >= m * PAGE ? e->base - m * PAGE : e->base;
        *l = e->base + e->size + m * PAGE;
    }
}

/* A CPU running Bao (not its guest), preferring one with a vCPU when vm is set; -1 if none. */
static int pick_hyp_cpu(struct fuzz_gen *g, const struct mm_ctx *mm, int vm)
{
    const struct mm_bao_state *b = &mm->bao;
    unsigned c[MM_BAO_CPUS], n = 0;
    for (unsigned k = 0; k < b->cfg.ncpus; k++)
        if (b->cpu[k].booted && !b->cpu[k].in_guest &&
            (vm < 0 || b->cpu[k].vm == vm))
            c[n++] = k;
    return n ? (int)c[below(g, n)] : -1;
}

static void push_vm_create(struct fuzz_gen *g, const struct mm_ctx *mm)
{
    const struct mm_bao_state *b = &mm->bao;
    unsigned free_cpu[MM_BAO_CPUS], n = 0, v = nvms(mm);
    for (unsigned k = 0; k < b->cfg.ncpus; k++)
        if (b->cpu[k].booted && b->cpu[k].vm < 0)
            free_cpu[n++] = k;
    if (!n || v >= MAX_VMS)
        return;
    struct trace_event *ev = bpush(g, TRACE_OP_VM_CREATE, 0);
    if (!ev)
        return;
    ev->as = v;
    unsigned want = 1 + below(g, n > 2 ? 2 : n); /* one or two vCPUs, sometimes all */
    if (chance(g, 1, 4))
        want = n;
    unsigned start = below(g, n);
    for (unsigned k = 0; k < want; k++)
        ev->cpus |= 1ull << free_cpu[(start + k) % n];
}

/* The flags and options of a map into the hypervisor's space: a global device
 * (mem_alloc_map_dev), global memory, a private load area (locked, never broadcast), or the
 * struct vm pages of the CPU's VM (SEC_HYP_VM, locked). */
static void hyp_kind(struct fuzz_gen *g, const struct mm_ctx *mm, unsigned cpu,
                     struct trace_event *ev, uint64_t *wbase, unsigned *wpages)
{
    unsigned k = below(g, 100);
    const struct window *w = &hyp_dev[below(g, sizeof hyp_dev / sizeof hyp_dev[0])];
    ev->opts = MM_BAO_OPT_BROADCAST;
    if (k < 60) {
        ev->flags = MM_BAO_HYP_DEV_FLAGS;
        ev->opts |= MM_BAO_OPT_SEC(MM_BAO_SEC_GLOBAL) | (chance(g, 4, 5) ? MM_BAO_OPT_ALLOC : 0);
        if (chance(g, 1, 20))
            ev->opts |= MM_BAO_OPT_LOCKED;
        *wbase = w->base;
        *wpages = (unsigned)w->pages;
    } else if (k < 75) {
        ev->flags = chance(g, 3, 4) ? MM_BAO_HYP_FLAGS : MM_BAO_FLAGS(0x2A, 0x03); /* RO, XN */
        ev->opts |= MM_BAO_OPT_SEC(MM_BAO_SEC_GLOBAL) | MM_BAO_OPT_ALLOC;
        *wbase = w->base;
        *wpages = (unsigned)w->pages;
    } else if (k < 95 || mm->bao.cpu[cpu].vm < 0) {
        ev->flags = MM_BAO_HYP_FLAGS;
        ev->opts = MM_BAO_OPT_SEC(MM_BAO_SEC_PRIVATE) | MM_BAO_OPT_LOCKED | MM_BAO_OPT_ALLOC;
        *wbase = HYP_PRIVATE_BASE;
        *wpages = HYP_PRIVATE_PAGES;
    } else {
        ev->flags = MM_BAO_HYP_FLAGS;
        ev->opts |= MM_BAO_OPT_SEC(MM_BAO_SEC_VM) | MM_BAO_OPT_LOCKED | MM_BAO_OPT_ALLOC;
        *wbase = HYP_VMSTRUCT_BASE + (uint64_t)mm->bao.cpu[cpu].vm * 4 * PAGE;
        *wpages = 4;
    }
}

/* A map into the hypervisor's space (as TRACE_AS_HYP) or VM vm's, from cpu. */
static void push_map(struct fuzz_gen *g, const struct mm_ctx *mm, unsigned cpu, uint64_t as)
{
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    uint64_t wbase;
    unsigned wpages, maxp = 8;
    if (as == TRACE_AS_HYP) {
        hyp_kind(g, mm, cpu, &ev, &wbase, &wpages);
    } else {
        int dev = chance(g, 1, 4);
        ev.flags = dev ? MM_BAO_VM_DEV_FLAGS : MM_BAO_VM_FLAGS;
        ev.opts = MM_BAO_OPT_BROADCAST | MM_BAO_OPT_SEC(MM_BAO_SEC_GLOBAL) |
                  (chance(g, 3, 4) ? MM_BAO_OPT_ALLOC : 0);
        wbase = dev ? VM_DEV_BASE + as * 16 * PAGE : VM_RAM_BASE + as * VM_RAM_PAGES * PAGE;
        wpages = dev ? 16 : VM_RAM_PAGES;
        maxp = dev ? 4 : chance(g, 1, 3) ? 1024 : 16;
    }
    const struct mm_bao_as *a = space(mm, cpu, as);
    int e = pick_entry(g, a, (ev.opts >> 8) & 0xFFu);
    uint64_t b, l;
    if (e >= 0 && chance(g, 11, 20)) { /* relative to an entry of the same section */
        relative_range(g, &a->e[e], &b, &l);
        if (chance(g, 4, 5)) /* its flags: a merge when adjacent and unlocked */
            ev.flags = MM_BAO_FLAGS(a->e[e].prbar_f, a->e[e].prlar_f);
    } else if (!free_range(g, a, wbase, wpages, maxp, &b, &l)) {
        return;
    }
    struct trace_event *p = bpush(g, TRACE_OP_MAP, cpu);
    if (!p)
        return;
    p->as = as;
    p->base = b;
    p->limit = l;
    p->flags = ev.flags;
    p->opts = ev.opts;
}

static void push_unmap(struct fuzz_gen *g, const struct mm_ctx *mm, unsigned cpu, uint64_t as)
{
    const struct mm_bao_as *a = space(mm, cpu, as);
    unsigned sec = MM_BAO_SEC_GLOBAL;
    if (as == TRACE_AS_HYP && chance(g, 1, 4))
        sec = chance(g, 4, 5) ? MM_BAO_SEC_PRIVATE : MM_BAO_SEC_VM;
    int e = pick_entry(g, a, sec);
    if (e < 0)
        return;
    const struct mm_bao_entry *x = &a->e[e];
    uint64_t pages = x->size / PAGE, b = x->base, l = x->base + x->size;
    unsigned k = below(g, 100);
    if (k < 50 || pages < 2) {
        /* the whole entry */
    } else if (k < 72 && pages > 2) { /* the middle: a split into top and bottom */
        uint64_t off = 1 + below(g, (unsigned)(pages - 2));
        b = x->base + off * PAGE;
        l = b + PAGE * (1 + below(g, (unsigned)(pages - off - 1)));
    } else if (k < 84) { /* its first or last pages */
        uint64_t n = 1 + below(g, (unsigned)(pages - 1));
        if (chance(g, 1, 2))
            l = x->base + n * PAGE;
        else
            b = l - n * PAGE;
    } else if (k < 94) { /* across its end: no single entry contains it, refused */
        b = l - PAGE;
        l = l + PAGE;
    } else { /* a range never mapped */
        b = l + 64 * PAGE;
        l = b + PAGE;
    }
    struct trace_event *p = bpush(g, TRACE_OP_UNMAP, cpu);
    if (!p)
        return;
    p->as = as;
    p->base = b;
    p->limit = l;
    p->opts = MM_BAO_OPT_BROADCAST;
}

/* vm_install_image: a VM mapping copied into the hypervisor's space (private), used, then
 * unmapped again; sometimes from inside the entry rather than its start. (Bao's callers copy
 * only that way: a hypervisor entry copied into a VM would overlap it in the guest when
 * locked.) */
static void push_map_cpy(struct fuzz_gen *g, const struct mm_ctx *mm, unsigned cpu)
{
    int vm = mm->bao.cpu[cpu].vm;
    if (vm < 0)
        return;
    const struct mm_bao_as *src = &mm->bao.vm[vm].as;
    int e = pick_entry(g, src, MM_BAO_SEC_GLOBAL);
    if (e < 0)
        return;
    const struct mm_bao_entry *x = &src->e[e];
    uint64_t pages = x->size / PAGE, off = 0;
    if (pages > 1 && chance(g, 3, 10))
        off = 1 + below(g, (unsigned)(pages - 1));
    uint64_t n = 1 + below(g, (unsigned)(pages - off < 16 ? pages - off : 16));
    struct trace_event *p = bpush(g, TRACE_OP_MAP_CPY, cpu);
    if (!p)
        return;
    p->as = (uint64_t)vm;
    p->to_as = TRACE_AS_HYP;
    p->base = x->base + off * PAGE;
    p->limit = n;
    p->opts = MM_BAO_OPT_SEC(MM_BAO_SEC_PRIVATE);
    struct trace_event *u = bpush(g, TRACE_OP_UNMAP, cpu); /* the copy, when done */
    if (!u)
        return;
    u->as = TRACE_AS_HYP;
    u->base = x->base + off * PAGE;
    u->limit = u->base + n * PAGE;
    u->opts = MM_BAO_OPT_BROADCAST;
}

/* Region exhaustion: one-page maps with gaps (no merges) on one CPU, until its physical
 * indices are used up and a few more (64 for Bao, which never reads MPUIR). */
static void move_exhaust(struct fuzz_gen *g, const struct mm_ctx *mm)
{
    int c = pick_hyp_cpu(g, mm, -1);
    if (c < 0)
        return;
    const struct mm_bao_cpu *p = &mm->bao.cpu[c];
    uint64_t as = TRACE_AS_HYP;
    if (p->vm >= 0 && chance(g, 1, 2))
        as = (uint64_t)p->vm;
    unsigned regions = g->regions < MM_BAO_ENTRIES ? g->regions : MM_BAO_ENTRIES;
    unsigned have = 0;
    for (uint64_t m = p->allocated; m; m &= m - 1)
        have++;
    unsigned n = regions + 3 > have ? regions + 3 - have : 3;
    uint64_t base = as == TRACE_AS_HYP ? hyp_dev[2].base
                                       : VM_RAM_BASE + as * VM_RAM_PAGES * PAGE + 0x1000000ull;
    const struct mm_bao_as *a = space(mm, (unsigned)c, as);
    for (unsigned k = 0, at = 0; k < n && at < 256; at++) {
        uint64_t b = base + 2 * at * PAGE;
        if (overlaps_space(a, b, b + PAGE))
            continue;
        struct trace_event *ev = bpush(g, TRACE_OP_MAP, (unsigned)c);
        if (!ev)
            return;
        ev->as = as;
        ev->base = b;
        ev->limit = b + PAGE;
        ev->flags = as == TRACE_AS_HYP ? MM_BAO_HYP_DEV_FLAGS : MM_BAO_VM_FLAGS;
        ev->opts = MM_BAO_OPT_BROADCAST | MM_BAO_OPT_ALLOC | MM_BAO_OPT_SEC(MM_BAO_SEC_GLOBAL);
        k++;
    }
}

static void move_single(struct fuzz_gen *g, const struct mm_ctx *mm)
{
    const struct mm_bao_state *b = &mm->bao;
    unsigned nv = nvms(mm), k = below(g, 100);
    if (k < (nv ? 6u : 30u)) {
        push_vm_create(g, mm);
        return;
    }
    if (k < 42) { /* vm_entry or vm_exit on a CPU with a vCPU */
        unsigned c[MM_BAO_CPUS], n = 0;
        for (unsigned i = 0; i < b->cfg.ncpus; i++)
            if (b->cpu[i].vm >= 0)
                c[n++] = i;
        if (n) {
            unsigned cpu = c[below(g, n)];
            bpush(g, b->cpu[cpu].in_guest ? TRACE_OP_VM_EXIT : TRACE_OP_VM_ENTRY, cpu);
            return;
        }
    }
    int cpu = pick_hyp_cpu(g, mm, -1);
    if (cpu < 0) { /* every CPU runs its guest: one traps to Bao */
        unsigned c = below(g, b->cfg.ncpus);
        if (b->cpu[c].in_guest)
            bpush(g, TRACE_OP_VM_EXIT, c);
        return;
    }
    /* the address space: the hypervisor's, or mostly that of the CPU's VM when it has one; a
     * VM's from a CPU outside it, rarely (Bao's own callers never do it) */
    uint64_t as = TRACE_AS_HYP;
    int vm = b->cpu[cpu].vm;
    if (vm >= 0 && chance(g, 1, 2))
        as = (uint64_t)vm;
    else if (vm < 0 && nv && chance(g, 1, 25))
        as = below(g, nv);
    if (k < 72) {
        push_map(g, mm, (unsigned)cpu, as);
    } else if (k < 90) {
        push_unmap(g, mm, (unsigned)cpu, as);
    } else {
        push_map_cpy(g, mm, (unsigned)cpu);
    }
}

void fuzz_bao_gen_next(struct fuzz_gen *g, const struct mm_ctx *mm, struct trace_event *out)
{
    const struct mm_bao_state *b = &mm->bao;
    while (g->next >= g->npending) {
        g->next = g->npending = 0;
        unsigned c = 0;
        while (c < b->cfg.ncpus && b->cpu[c].booted)
            c++;
        if (c < b->cfg.ncpus) { /* every CPU boots first */
            bpush(g, TRACE_OP_CPU_BOOT, c);
            continue;
        }
        if (below(g, 100) < 2)
            move_exhaust(g, mm);
        else
            move_single(g, mm);
    }
    *out = g->pending[g->next++];
}

/* ---- validity of a candidate (shrinking) ---- */

int fuzz_bao_canonical(struct trace_event *ev, size_t n, unsigned ncpus)
{
    uint8_t booted[MM_BAO_CPUS] = { 0 }, in_guest[MM_BAO_CPUS] = { 0 };
    uint64_t copy[MM_BAO_CPUS][2] = { { 0 } }; /* the live copy into the hypervisor's space */
    int vm_of[MM_BAO_CPUS], map[MM_BAO_VMS];
    for (unsigned c = 0; c < MM_BAO_CPUS; c++)
        vm_of[c] = -1;
    for (unsigned v = 0; v < MM_BAO_VMS; v++)
        map[v] = -1;
    unsigned nv = 0;
    for (size_t i = 0; i < n; i++) {
        struct trace_event *e = &ev[i];
        if (!e->bao)
            continue;
        unsigned c = e->cpu;
        if (c >= ncpus)
            return -1;
        switch (e->op) {
        case TRACE_OP_CPU_BOOT:
            if (booted[c])
                return -1;
            booted[c] = 1;
            continue;
        case TRACE_OP_VM_CREATE:
            if (e->as >= MM_BAO_VMS || map[e->as] >= 0)
                return -1;
            for (unsigned k = 0; k < MM_BAO_CPUS; k++) {
                if (!((e->cpus >> k) & 1u))
                    continue;
                if (k >= ncpus || !booted[k] || vm_of[k] >= 0)
                    return -1;
                vm_of[k] = (int)nv;
            }
            map[e->as] = (int)nv;
            e->as = nv++;
            continue;
        case TRACE_OP_ACCESS:
            continue;
        default:
            break;
        }
        if (!booted[c])
            return -1;
        if (e->op == TRACE_OP_VM_ENTRY || e->op == TRACE_OP_VM_EXIT) {
            if (vm_of[c] < 0 || in_guest[c] != (e->op == TRACE_OP_VM_EXIT) || copy[c][1])
                return -1;
            in_guest[c] = e->op == TRACE_OP_VM_ENTRY;
            continue;
        }
        if (in_guest[c])
            return -1;
        /* vm_install_image's protocol: a copy into the hypervisor's space (locked, so it would
         * stay enabled in the guest) is unmapped again, the same range on the same CPU, before
         * that CPU enters its guest or makes another copy */
        if (e->op == TRACE_OP_UNMAP && e->as == TRACE_AS_HYP && copy[c][1] &&
            e->base == copy[c][0] && e->limit == copy[c][1]) {
            copy[c][1] = 0;
        } else if (e->op == TRACE_OP_MAP_CPY && e->to_as == TRACE_AS_HYP) {
            if (copy[c][1])
                return -1;
            copy[c][0] = e->base;
            copy[c][1] = e->base + e->limit * PAGE;
        }
        uint64_t *as[2] = { &e->as, e->op == TRACE_OP_MAP_CPY ? &e->to_as : NULL };
        for (unsigned k = 0; k < 2; k++) {
            if (!as[k] || *as[k] == TRACE_AS_HYP)
                continue;
            if (*as[k] >= MM_BAO_VMS || map[*as[k]] < 0)
                return -1;
            *as[k] = (uint64_t)map[*as[k]];
        }
    }
    return 0;
}

size_t fuzz_bao_partner(const struct trace_event *ev, size_t n, size_t i)
{
    const struct trace_event *e = &ev[i];
    int entry = e->op == TRACE_OP_VM_ENTRY;
    if (!e->bao || (!entry && !(e->op == TRACE_OP_MAP_CPY && e->to_as == TRACE_AS_HYP)))
        return n;
    for (size_t j = i + 1; j < n; j++) {
        if (!ev[j].bao || ev[j].cpu != e->cpu)
            continue;
        if (entry ? ev[j].op == TRACE_OP_VM_EXIT
                  : ev[j].op == TRACE_OP_UNMAP && ev[j].as == TRACE_AS_HYP &&
                        ev[j].base == e->base && ev[j].limit == e->base + e->limit * PAGE)
            return j;
    }
    return n;
}

/* ---- snapshots and expectations ---- */

void fuzz_bao_snapshot_take(struct fuzz_snapshot *s, struct replay *r)
{
    struct fuzz_bao_snapshot *b = &s->bao;
    b->st = r->mm.bao;
    for (unsigned c = 0; c < r->bao_ncpus && c < MM_BAO_CPUS; c++) {
        const struct mpu_unit *u = &replay_bao_mpu(r, c)->el2;
        memcpy(b->prbar[c], u->prbar, u->nregions * sizeof u->prbar[0]);
        memcpy(b->prlar[c], u->prlar, u->nregions * sizeof u->prlar[0]);
    }
}

int fuzz_bao_record(struct replay *r, struct trace_event *ev,
                    const struct replay_event_result *res)
{
    struct trace_expect *x = &ev->expect;
    free(x->cpus);
    x->cpus = NULL;
    x->ncpus = 0;
    x->has = 0;
    if (!res->has_rc) {
        x->has = TRACE_EXPECT_FAULT;
        x->fault = (int)res->acc.fault;
        return 0;
    }
    x->cpus = calloc(r->bao_ncpus, sizeof *x->cpus);
    if (!x->cpus)
        return -1;
    x->ncpus = r->bao_ncpus;
    x->has = TRACE_EXPECT_RC | TRACE_EXPECT_CPUS;
    x->rc = res->rc;
    for (unsigned c = 0; c < r->bao_ncpus; c++) {
        struct trace_expect_cpu *e = &x->cpus[c];
        e->has = TRACE_XCPU_HYP | TRACE_XCPU_VM | TRACE_XCPU_ALLOCATED | TRACE_XCPU_ENABLED |
                 TRACE_XCPU_WRITES | TRACE_XCPU_BARRIERS;
        e->hyp = (int)r->bao_counts[c][0];
        e->vm = (int)r->bao_counts[c][1];
        e->allocated = (int)r->bao_counts[c][2];
        e->enabled = (int)replay_bao_mpu(r, c)->el2.enabled;
        e->writes = (long)r->bao_cur[c].writes;
        e->barriers = (long)r->bao_cur[c].barriers;
    }
    return 0;
}

/* ---- the invariants ---- */

/* The access that shows a violation: a 1-byte access of kind acc at EL el on cpu. */
static void witness(struct fuzz_violation *v, unsigned cpu, uint64_t addr, unsigned el,
                    enum mpu_acc acc)
{
    v->has_witness = 1;
    v->witness_cpu = cpu;
    v->witness_addr = addr;
    v->witness_el = el;
    v->witness_kind = (unsigned)acc;
}

static const char *as_name(const struct mm_bao_as *a, char *buf, size_t cap)
{
    if (a->type == 0)
        snprintf(buf, cap, "hyp");
    else
        snprintf(buf, cap, "vm%u", a->id);
    return buf;
}

static uint64_t e_prbar(const struct mm_bao_entry *e)
{
    return (e->base & 0x0000FFFFFFFFFFC0ull) | e->prbar_f;
}

static uint64_t e_prlar(const struct mm_bao_entry *e)
{
    return ((e->base + e->size - 1) & 0x0000FFFFFFFFFFC0ull) | e->prlar_f;
}

/* call_returns: Bao returns from every call (true or false): no crash, halt or deadlock. */
static enum fuzz_verdict check_returns(const struct replay_event_result *res,
                                       struct fuzz_violation *v)
{
    if (!res->has_rc || res->rc == 0 || res->rc == MM_EINVAL)
        return FUZZ_HOLDS;
    const char *why = res->rc == MM_EFAULT    ? "a wild write: Bao crashes"
                      : res->rc == MM_EDEADLK ? "the address-space lock is held: the CPU "
                                                "spins for ever"
                      : res->rc == MM_EHALT   ? "ERROR(): Bao halts"
                                              : "an unknown stop";
    return fuzz_broken(v, FUZZ_INV_B_CALL_RETURNS, "rc %d: %s", res->rc, why);
}

static int same_as(const struct mm_bao_as *a, const struct mm_bao_as *b, char *what, size_t cap)
{
    char n[16];
    if (a->lock_held != b->lock_held) {
        snprintf(what, cap, "%s: the lock is left %s", as_name(a, n, sizeof n),
                 b->lock_held ? "held" : "released");
        return 0;
    }
    for (unsigned i = 0; i < MM_BAO_ENTRIES; i++) {
        const struct mm_bao_entry *x = &a->e[i], *y = &b->e[i];
        if (x->state == y->state &&
            (x->state == 0 || (x->base == y->base && x->size == y->size &&
                               x->prbar_f == y->prbar_f && x->prlar_f == y->prlar_f &&
                               x->locked == y->locked && x->sec == y->sec)))
            continue;
        static const char *const st[3] = { "free", "reserved", "valid" };
        snprintf(what, cap, "%s: vMPU entry %u %s [0x%llx, 0x%llx) -> %s [0x%llx, 0x%llx)",
                 as_name(a, n, sizeof n), i, st[x->state % 3], (unsigned long long)x->base,
                 (unsigned long long)(x->base + x->size), st[y->state % 3],
                 (unsigned long long)y->base, (unsigned long long)(y->base + y->size));
        return 0;
    }
    return 1;
}

/* failed_call_changes_nothing: a call that returned false left Bao's state (every address
 * space's entries, every CPU's allocated indices and masks) and every CPU's registers as
 * they were. */
static enum fuzz_verdict check_failed(struct replay *r, const struct fuzz_bao_snapshot *s,
                                      struct fuzz_violation *v)
{
    const struct mm_bao_state *now = &r->mm.bao, *was = &s->st;
    char what[160];
    for (unsigned c = 0; c < r->bao_ncpus; c++) {
        const struct mm_bao_cpu *x = &was->cpu[c], *y = &now->cpu[c];
        if (x->allocated != y->allocated || x->locked != y->locked ||
            x->hyp_mask != y->hyp_mask || x->vcpu_mask != y->vcpu_mask)
            return fuzz_broken(v, FUZZ_INV_FAILED_CALL_CHANGES_NOTHING,
                          "cpu%u: physical indices allocated 0x%llx -> 0x%llx (masks: hyp "
                          "0x%llx -> 0x%llx, vcpu 0x%llx -> 0x%llx)", c,
                          (unsigned long long)x->allocated, (unsigned long long)y->allocated,
                          (unsigned long long)x->hyp_mask, (unsigned long long)y->hyp_mask,
                          (unsigned long long)x->vcpu_mask, (unsigned long long)y->vcpu_mask);
        if (!same_as(&x->hyp, &y->hyp, what, sizeof what))
            return fuzz_broken(v, FUZZ_INV_FAILED_CALL_CHANGES_NOTHING, "cpu%u %s", c, what);
        const struct mpu_unit *u = &replay_bao_mpu(r, c)->el2;
        for (unsigned i = 0; i < u->nregions; i++)
            if (u->prbar[i] != s->prbar[c][i] || u->prlar[i] != s->prlar[c][i])
                return fuzz_broken(v, FUZZ_INV_FAILED_CALL_CHANGES_NOTHING,
                              "cpu%u region %u: PRBAR 0x%llx PRLAR 0x%llx -> 0x%llx 0x%llx", c,
                              i, (unsigned long long)s->prbar[c][i],
                              (unsigned long long)s->prlar[c][i],
                              (unsigned long long)u->prbar[i], (unsigned long long)u->prlar[i]);
    }
    for (unsigned k = 0; k < MM_BAO_VMS; k++)
        if (now->vm[k].created && !same_as(&was->vm[k].as, &now->vm[k].as, what, sizeof what))
            return fuzz_broken(v, FUZZ_INV_FAILED_CALL_CHANGES_NOTHING, "%s", what);
    return FUZZ_HOLDS;
}

/* used_within_limit: no CPU has a physical index allocated at or above MPUIR_EL2.REGION. */
static enum fuzz_verdict check_within(struct replay *r, struct fuzz_violation *v)
{
    unsigned n = r->mpu.el2.nregions;
    if (n >= MM_BAO_ENTRIES)
        return FUZZ_HOLDS;
    for (unsigned c = 0; c < r->bao_ncpus; c++) {
        uint64_t over = r->mm.bao.cpu[c].allocated >> n;
        if (over) {
            unsigned i = n;
            while (!(over & 1u)) {
                over >>= 1;
                i++;
            }
            return fuzz_broken(v, FUZZ_INV_USED_WITHIN_LIMIT, "cpu%u: physical index %u allocated, "
                          "the MPU has %u regions (MPUIR_EL2.REGION)", c, i, n);
        }
    }
    return FUZZ_HOLDS;
}

/* The entries CPU c must hold: its hypervisor space and its VM's. */
static unsigned spaces_of(const struct mm_ctx *mm, unsigned c, const struct mm_bao_as *sp[2])
{
    unsigned n = 0;
    sp[n++] = &mm->bao.cpu[c].hyp;
    if (mm->bao.cpu[c].vm >= 0)
        sp[n++] = &mm->bao.vm[mm->bao.cpu[c].vm].as;
    return n;
}

/* table_matches_hw and enabled_matches_mode on CPU c: every valid entry it must hold is in
 * one of its regions below N (allocated to that space, PRBAR and PRLAR as the entry says, EN
 * aside); no other region below N holds anything; and each entry's region is enabled exactly
 * when Bao's design says: a hypervisor entry while Bao runs, or, in the guest, when locked;
 * a VM entry in the guest only. */
static enum fuzz_verdict check_cpu_table(struct replay *r, unsigned c, struct fuzz_violation *v,
                                         enum fuzz_invariant which)
{
    const struct mm_ctx *mm = &r->mm;
    const struct mm_bao_cpu *p = &mm->bao.cpu[c];
    const struct mpu_unit *u = &replay_bao_mpu(r, c)->el2;
    unsigned n = u->nregions < MM_BAO_ENTRIES ? u->nregions : MM_BAO_ENTRIES;
    uint64_t claimed = 0;
    const struct mm_bao_as *sp[2];
    unsigned ns = spaces_of(mm, c, sp);
    char an[16];
    for (unsigned s = 0; s < ns; s++) {
        const struct mm_bao_as *a = sp[s];
        for (unsigned k = 0; k < a->nlist; k++) {
            const struct mm_bao_entry *e = &a->e[a->list[k]];
            uint64_t pb = e_prbar(e), pl = e_prlar(e) & ~1ull;
            unsigned i = 0;
            for (; i < n; i++)
                if (((p->allocated >> i) & 1u) && !((claimed >> i) & 1u) &&
                    p->owner[i] == a->id && u->prbar[i] == pb && (u->prlar[i] & ~1ull) == pl)
                    break;
            if (i == n) {
                if (which != FUZZ_INV_TABLE_MATCHES_HW)
                    continue;
                return fuzz_broken(v, FUZZ_INV_TABLE_MATCHES_HW, "cpu%u: %s entry [0x%llx, 0x%llx) "
                              "is in none of the %u regions", c, as_name(a, an, sizeof an),
                              (unsigned long long)e->base,
                              (unsigned long long)(e->base + e->size), u->nregions);
            }
            claimed |= 1ull << i;
            if (which != FUZZ_INV_B_ENABLED_MATCHES_MODE)
                continue;
            int want = a->type == 0 ? !p->in_guest || e->locked : p->in_guest;
            int en = (int)(u->prlar[i] & 1u);
            if (en == want)
                continue;
            enum fuzz_verdict b = fuzz_broken(v, FUZZ_INV_B_ENABLED_MATCHES_MODE,
                                         "cpu%u region %u: %s%s entry [0x%llx, 0x%llx) %s "
                                         "while %s", c, i, e->locked ? "locked " : "",
                                         as_name(a, an, sizeof an), (unsigned long long)e->base,
                                         (unsigned long long)(e->base + e->size),
                                         en ? "enabled" : "disabled",
                                         p->in_guest ? "the guest runs" : "Bao runs");
            if (!en && a->type != 0)
                witness(v, c, e->base, 1, MPU_ACC_READ);
            return b;
        }
    }
    if (which != FUZZ_INV_TABLE_MATCHES_HW)
        return FUZZ_HOLDS;
    for (unsigned i = 0; i < u->nregions; i++) {
        if ((i < 64 && ((claimed >> i) & 1u)) || (u->prbar[i] | u->prlar[i]) == 0)
            continue;
        struct mpu_region_view h = mpu_region(replay_bao_mpu(r, c), 2, i);
        return fuzz_broken(v, FUZZ_INV_TABLE_MATCHES_HW, "cpu%u region %u: [0x%llx, 0x%llx) %s in "
                      "hardware, in no entry of Bao's", c, i, (unsigned long long)h.base,
                      (unsigned long long)(h.last + 1), h.enabled ? "enabled" : "disabled");
    }
    return FUZZ_HOLDS;
}

/* no_overlap on CPU c: no address in two enabled EL2 regions (the hardware faults there);
 * the witness is an access at the first such address, at the EL that runs on c. */
static enum fuzz_verdict check_overlap(struct replay *r, unsigned c, struct fuzz_violation *v)
{
    struct mpu *m = replay_bao_mpu(r, c);
    if (!mpu_any_overlap(m, 2))
        return FUZZ_HOLDS;
    const struct mpu_unit *u = &m->el2;
    for (unsigned i = 0; i < u->nregions; i++) {
        struct mpu_region_view a = mpu_region(m, 2, i);
        if (!a.enabled)
            continue;
        for (unsigned j = i + 1; j < u->nregions; j++) {
            struct mpu_region_view b = mpu_region(m, 2, j);
            if (!b.enabled || b.base > a.last || a.base > b.last)
                continue;
            uint64_t at = a.base > b.base ? a.base : b.base;
            fuzz_broken(v, FUZZ_INV_NO_OVERLAP, "cpu%u: regions %u [0x%llx, 0x%llx] and %u [0x%llx, "
                   "0x%llx] both enabled and overlapping", c, i, (unsigned long long)a.base,
                   (unsigned long long)a.last, j, (unsigned long long)b.base,
                   (unsigned long long)b.last);
            witness(v, c, at, r->mm.bao.cpu[c].in_guest ? 1 : 2, MPU_ACC_READ);
            return FUZZ_BROKEN;
        }
    }
    return FUZZ_HOLDS;
}

/* The global entries of CPU c's hypervisor space covering addr: how many, and the flags of
 * the first in base order. */
static unsigned global_cover(const struct mm_bao_as *a, uint64_t addr, unsigned *flags)
{
    unsigned n = 0;
    *flags = 0;
    for (unsigned k = 0; k < a->nlist; k++) {
        const struct mm_bao_entry *e = &a->e[a->list[k]];
        if (e->sec != MM_BAO_SEC_GLOBAL || addr < e->base || addr - e->base >= e->size)
            continue;
        if (!n++)
            *flags = MM_BAO_FLAGS(e->prbar_f, e->prlar_f);
    }
    return n;
}

static int same_globals(const struct mm_bao_as *a, const struct mm_bao_as *b)
{
    unsigned i = 0, j = 0;
    for (;;) {
        while (i < a->nlist && a->e[a->list[i]].sec != MM_BAO_SEC_GLOBAL)
            i++;
        while (j < b->nlist && b->e[b->list[j]].sec != MM_BAO_SEC_GLOBAL)
            j++;
        if (i == a->nlist || j == b->nlist)
            return i == a->nlist && j == b->nlist;
        const struct mm_bao_entry *x = &a->e[a->list[i++]], *y = &b->e[b->list[j++]];
        if (x->base != y->base || x->size != y->size || x->prbar_f != y->prbar_f ||
            x->prlar_f != y->prlar_f)
            return 0;
    }
}

/* cpus_consistent: after the broadcasts, every CPU's hypervisor space maps the same global
 * bytes with the same flags (the generator broadcasts every change of a global region, as
 * Bao's callers do once all CPUs are up). Checked at every bound of every CPU's global
 * entries; the witness is an EL2 read on the CPU that lacks the bytes, when Bao runs there. */
static enum fuzz_verdict check_consistent(struct replay *r, struct fuzz_violation *v)
{
    const struct mm_bao_state *b = &r->mm.bao;
    unsigned ref = 0;
    while (ref < r->bao_ncpus && !b->cpu[ref].booted)
        ref++;
    for (unsigned c = ref + 1; c < r->bao_ncpus; c++) {
        if (!b->cpu[c].booted || same_globals(&b->cpu[ref].hyp, &b->cpu[c].hyp))
            continue;
        for (unsigned side = 0; side < 2; side++) {
            const struct mm_bao_as *a = &b->cpu[side ? c : ref].hyp;
            for (unsigned k = 0; k < a->nlist; k++) {
                const struct mm_bao_entry *e = &a->e[a->list[k]];
                if (e->sec != MM_BAO_SEC_GLOBAL)
                    continue;
                uint64_t pts[2] = { e->base, e->base + e->size - PAGE };
                for (unsigned q = 0; q < 2; q++) {
                    unsigned fr, fc;
                    unsigned nr = global_cover(&b->cpu[ref].hyp, pts[q], &fr);
                    unsigned nc = global_cover(&b->cpu[c].hyp, pts[q], &fc);
                    if ((nr != 0) == (nc != 0) && fr == fc)
                        continue;
                    unsigned lacks = nr ? c : ref, has = nr ? ref : c;
                    if (nr && nc) {
                        return fuzz_broken(v, FUZZ_INV_B_CPUS_CONSISTENT, "page 0x%llx: flags 0x%x "
                                      "on cpu%u, 0x%x on cpu%u", (unsigned long long)pts[q],
                                      fr, ref, fc, c);
                    }
                    fuzz_broken(v, FUZZ_INV_B_CPUS_CONSISTENT, "page 0x%llx: mapped (global) on "
                           "cpu%u, not on cpu%u", (unsigned long long)pts[q], has, lacks);
                    if (!b->cpu[lacks].in_guest)
                        witness(v, lacks, pts[q], 2, MPU_ACC_READ);
                    return FUZZ_BROKEN;
                }
            }
        }
    }
    return FUZZ_HOLDS;
}

static const char *acc_name(enum mpu_acc a)
{
    static const char *const n[3] = { "read", "write", "exec" };
    return n[a];
}

/* One EL2 access of kind a at addr on cpu allowed exactly when want says. */
static enum fuzz_verdict expect_el2(struct mpu *m, unsigned cpu, uint64_t addr, enum mpu_acc a,
                                    int want, enum fuzz_invariant inv, const char *what,
                                    struct fuzz_violation *v)
{
    struct mpu_result res = mpu_check(m, addr, 1, a, 2);
    int ok = res.fault == MPU_FAULT_NONE;
    if (ok == want)
        return FUZZ_HOLDS;
    fuzz_broken(v, inv, "%s: EL2 %s at 0x%llx on cpu%u %s (%s, region %d)", what, acc_name(a),
           (unsigned long long)addr, cpu, ok ? "allowed" : "faults",
           ok ? "expected a fault" : mpu_fault_name(res.fault), res.region);
    witness(v, cpu, addr, 2, a);
    return FUZZ_BROKEN;
}

#define RANGE_PAGES_CHECKED 1024u /* a range's first pages checked at most (whole windows) */

/* mapped_range_accessible: after a map into the hypervisor's space that returned 0 (and a
 * map_cpy into it), every page of the range is accessible at EL2 on the calling CPU at its
 * first and last byte: read; write iff the flags are not read-only (AP[2]); exec iff not XN
 * (Bao leaves SCTLR_EL2.WXN clear). */
static enum fuzz_verdict check_mapped(struct replay *r, const struct trace_event *ev,
                                      uint64_t base, uint64_t limit, unsigned flags,
                                      struct fuzz_violation *v)
{
    struct mpu *m = replay_bao_mpu(r, ev->cpu);
    unsigned prbar = MM_BAO_PRBAR_F(flags);
    int wr = !(prbar & 0x8u), ex = !(prbar & 0x2u);
    char what[96];
    snprintf(what, sizeof what, "[0x%llx, 0x%llx) mapped", (unsigned long long)base,
             (unsigned long long)limit);
    for (uint64_t p = base, k = 0; p < limit && k < RANGE_PAGES_CHECKED; p += PAGE, k++) {
        uint64_t at[2] = { p, p + PAGE - 1 };
        for (unsigned e = 0; e < 2; e++)
            if (expect_el2(m, ev->cpu, at[e], MPU_ACC_READ, 1, FUZZ_INV_MAPPED_RANGE_ACCESSIBLE,
                           what, v) == FUZZ_BROKEN ||
                expect_el2(m, ev->cpu, at[e], MPU_ACC_WRITE, wr,
                           FUZZ_INV_MAPPED_RANGE_ACCESSIBLE, what, v) == FUZZ_BROKEN ||
                expect_el2(m, ev->cpu, at[e], MPU_ACC_EXEC, ex, FUZZ_INV_MAPPED_RANGE_ACCESSIBLE,
                           what, v) == FUZZ_BROKEN)
                return FUZZ_BROKEN;
    }
    return FUZZ_HOLDS;
}

/* unmapped_range_inaccessible: after an unmap of the hypervisor's space that returned 0, every
 * page of the range, at its first and last byte, faults for an EL2 read on the calling CPU,
 * unless an entry of that space still contains it. */
static enum fuzz_verdict check_unmapped(struct replay *r, const struct trace_event *ev,
                                        struct fuzz_violation *v)
{
    struct mpu *m = replay_bao_mpu(r, ev->cpu);
    const struct mm_bao_as *a = &r->mm.bao.cpu[ev->cpu].hyp;
    char what[96];
    snprintf(what, sizeof what, "[0x%llx, 0x%llx) unmapped", (unsigned long long)ev->base,
             (unsigned long long)ev->limit);
    for (uint64_t p = ev->base, k = 0; p < ev->limit && k < RANGE_PAGES_CHECKED;
         p += PAGE, k++) {
        uint64_t at[2] = { p, p + PAGE - 1 };
        for (unsigned e = 0; e < 2; e++)
            if (!overlaps_space(a, at[e], at[e] + 1) &&
                expect_el2(m, ev->cpu, at[e], MPU_ACC_READ, 0,
                           FUZZ_INV_UNMAPPED_RANGE_INACCESSIBLE, what, v) == FUZZ_BROKEN)
                return FUZZ_BROKEN;
    }
    return FUZZ_HOLDS;
}

enum fuzz_verdict fuzz_bao_check_event(struct replay *r, const struct trace_event *ev,
                                       const struct replay_event_result *res,
                                       const struct fuzz_snapshot *before,
                                       struct fuzz_violation *v)
{
    enum fuzz_verdict verdict = check_returns(res, v);
    v->has_witness = 0;
    if (verdict == FUZZ_HOLDS && res->has_rc && res->rc == MM_EINVAL)
        verdict = check_failed(r, &before->bao, v);
    if (verdict == FUZZ_HOLDS)
        verdict = check_within(r, v);
    for (unsigned c = 0; verdict == FUZZ_HOLDS && c < r->bao_ncpus; c++)
        if (r->mm.bao.cpu[c].booted)
            verdict = check_cpu_table(r, c, v, FUZZ_INV_TABLE_MATCHES_HW);
    /* overlaps and the enabled set change only with a register write on that CPU */
    for (unsigned c = 0; verdict == FUZZ_HOLDS && c < r->bao_ncpus; c++)
        if (r->bao_cur[c].writes)
            verdict = check_overlap(r, c, v);
    for (unsigned c = 0; verdict == FUZZ_HOLDS && c < r->bao_ncpus; c++)
        if (r->mm.bao.cpu[c].booted)
            verdict = check_cpu_table(r, c, v, FUZZ_INV_B_ENABLED_MATCHES_MODE);
    if (verdict == FUZZ_HOLDS && r->bao_ncpus > 1)
        verdict = check_consistent(r, v);
    if (verdict == FUZZ_HOLDS && res->has_rc && res->rc == 0 && ev->bao) {
        if (ev->op == TRACE_OP_MAP && ev->as == TRACE_AS_HYP && ev->limit > ev->base)
            verdict = check_mapped(r, ev, ev->base, ev->limit, ev->flags, v);
        else if (ev->op == TRACE_OP_MAP_CPY && ev->to_as == TRACE_AS_HYP && ev->limit) {
            const struct mm_bao_as *src =
                ev->as == TRACE_AS_HYP ? &r->mm.bao.cpu[ev->cpu].hyp
                                       : &r->mm.bao.vm[ev->as].as;
            unsigned flags = 0;
            for (unsigned k = 0; k < src->nlist; k++) {
                const struct mm_bao_entry *e = &src->e[src->list[k]];
                if (ev->base >= e->base && ev->base - e->base < e->size) {
                    flags = MM_BAO_FLAGS(e->prbar_f, e->prlar_f);
                    break;
                }
            }
            verdict = check_mapped(r, ev, ev->base, ev->base + ev->limit * PAGE, flags, v);
        } else if (ev->op == TRACE_OP_UNMAP && ev->as == TRACE_AS_HYP)
            verdict = check_unmapped(r, ev, v);
    }
    if (verdict == FUZZ_BROKEN)
        v->event = r->event;
    return verdict;
}

/* ---- words ---- */

static void as_words(uint64_t as, char *buf, size_t cap)
{
    if (as == TRACE_AS_HYP)
        snprintf(buf, cap, "hyp");
    else
        snprintf(buf, cap, "vm%llu", (unsigned long long)as + 1);
}

void fuzz_bao_format_event(const struct trace_event *ev, char *buf, size_t cap)
{
    char a[24], b[24], fl[24];
    const char *name = trace_bao_flags_name(ev->flags);
    if (name)
        snprintf(fl, sizeof fl, "%s", name);
    else
        snprintf(fl, sizeof fl, "0x%02x/0x%02x", MM_BAO_PRBAR_F(ev->flags),
                 MM_BAO_PRLAR_F(ev->flags));
    unsigned long long lo = ev->base, hi = ev->limit;
    as_words(ev->as, a, sizeof a);
    switch (ev->op) {
    case TRACE_OP_CPU_BOOT:
    case TRACE_OP_VM_ENTRY:
    case TRACE_OP_VM_EXIT:
        snprintf(buf, cap, "%s cpu%u", trace_op_name(ev->op), ev->cpu);
        return;
    case TRACE_OP_VM_CREATE: {
        int n = snprintf(buf, cap, "vm_create %s cpus", a);
        for (unsigned c = 0; c < MM_BAO_CPUS && n > 0 && (size_t)n < cap; c++)
            if ((ev->cpus >> c) & 1u)
                n += snprintf(buf + n, cap - (size_t)n, " %u", c);
        return;
    }
    case TRACE_OP_MAP:
        snprintf(buf, cap, "map cpu%u %s [0x%llx, 0x%llx) %s%s%s%s%s", ev->cpu, a, lo, hi, fl,
                 ev->as == TRACE_AS_HYP ? " " : "",
                 ev->as == TRACE_AS_HYP ? trace_bao_section_name(ev->opts >> 8) : "",
                 ev->opts & MM_BAO_OPT_LOCKED ? " locked" : "",
                 ev->opts & MM_BAO_OPT_ALLOC ? " alloc" : "");
        return;
    case TRACE_OP_UNMAP:
        snprintf(buf, cap, "unmap cpu%u %s [0x%llx, 0x%llx)", ev->cpu, a, lo, hi);
        return;
    case TRACE_OP_MAP_CPY:
        as_words(ev->to_as, b, sizeof b);
        snprintf(buf, cap, "map_cpy cpu%u %s -> %s 0x%llx +%llu pages", ev->cpu, a, b, lo, hi);
        return;
    case TRACE_OP_ACCESS:
        snprintf(buf, cap, "access %s 0x%llx size %llu el%u cpu%u",
                 trace_access_kind_name((enum trace_access_kind)ev->kind), lo, hi, ev->el,
                 ev->cpu);
        return;
    default:
        snprintf(buf, cap, "%s cpu%u", trace_op_name(ev->op), ev->cpu);
        return;
    }
}
