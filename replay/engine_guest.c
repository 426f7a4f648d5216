/*
 * The guest engine of replay: every algorithm event is a real call into an AArch64 ELF run by
 * sim/ (our build/guest/mm.elf, or a user's image), as its adapter file says
 * (replay/adapter.h, docs/guest.md). access and sysreg events go to the guest's MPU model.
 *
 * Results: rc from the call's return value; region and used from the adapter's getters (a
 * guest call each), or read from guest memory without running guest code (a variable or its
 * member, the image's own region table and in-use bitmap: one call per event); with neither, region is derived from the MPU registers before and after the
 * call and used is the number of enabled regions. A guest that stops inside a call (a fault
 * with no vectors, an undefined instruction, its budget) is the run's result: it is recorded
 * in r->guest_stop and the replay ends at that event.
 */
#include <stdlib.h>
#include <string.h>

#include "common/bits.h"
#include "replay/adapter.h"
#include "replay/replay.h"
#include "sim/sim.h"

struct replay_guest {
    struct sim *sim;          /* owned */
    struct replay_adapter ad; /* the adapter as read */
    struct sim_core core;     /* timing costs (--core, else the built-in core) */
    struct sim_pl011 uart;    /* the console UART (--uart or the adapter's), if has_uart */
    int has_uart;
    FILE *console;            /* borrowed: where the UART's bytes go */
    uint64_t bitmap_addr;     /* results.used.popcount: address and size; bitmap_bytes 0: none */
    size_t bitmap_bytes;
    struct guest_read {       /* results read from memory (results.region ... as READ) */
        uint64_t addr;
        unsigned bytes;       /* 1, 2, 4 or 8; 0: not a read (a getter, or nothing) */
        int is_signed;
    } rd_region, rd_used, rd_region_num;
    uint64_t table_addr;      /* results.table: address of entry 0 */
    unsigned table_n;         /* entries read after each event (<= MPU regions); 0: no table */
    uint8_t *raw;             /* owned: table_n * stride bytes, the last read */
    struct mm_region table[MM_MAX_REGIONS]; /* decoded table after the last event */
    uint64_t prbar[MPU_MAX_REGIONS], prlar[MPU_MAX_REGIONS]; /* EL2 registers before a call */
    /* bao: one EL2 MPU per CPU. The sim holds one; the others wait in bao_bank. Between calls
     * the sim holds CPU 0's; during a call, the CPU the guest selected (SIM_HVC_CPU). */
    struct mpu *bao_bank;     /* owned: bao_ncpus models (bank[c] stale while c is in the sim) */
    unsigned bao_ncpus;       /* 0: not bao */
    unsigned bao_in_sim;      /* CPU whose MPU the sim holds */
    unsigned bao_guest_cpu;   /* CPU the guest selected last */
    uint64_t bao_wr_mark;     /* sim register writes already given to a CPU */
};

/* Put CPU cpu's MPU into the sim (the other one back into its bank). */
static void bao_swap(struct replay_guest *g, unsigned cpu)
{
    if (!g->bao_ncpus || cpu == g->bao_in_sim || cpu >= g->bao_ncpus)
        return;
    struct mpu *m = sim_mpu(g->sim);
    g->bao_bank[g->bao_in_sim] = *m;
    *m = g->bao_bank[cpu];
    g->bao_in_sim = cpu;
    sim_mpu_reload(g->sim);
}

/* The register writes since the last mark belong to the CPU the guest had selected. */
static void bao_attribute(struct replay *r, struct replay_guest *g)
{
    uint64_t now = sim_stats(g->sim)->sysreg_writes;
    if (g->bao_guest_cpu < MM_BAO_CPUS)
        r->bao_cur[g->bao_guest_cpu].writes += now - g->bao_wr_mark;
    g->bao_wr_mark = now;
}

/* SIM_HVC_CPU (mm_guest_cpu): the guest runs on another CPU from here. */
static void on_cpu(void *opaque, uint64_t cpu)
{
    struct replay *r = opaque;
    struct replay_guest *g = r->guest;
    if (!g || !g->bao_ncpus)
        return;
    bao_attribute(r, g);
    g->bao_guest_cpu = cpu < g->bao_ncpus ? (unsigned)cpu : 0;
    bao_swap(g, g->bao_guest_cpu);
}

struct mpu *replay_guest_bao_mpu(struct replay_guest *g, unsigned cpu)
{
    if (!g->bao_ncpus || cpu == g->bao_in_sim || cpu >= g->bao_ncpus)
        return sim_mpu(g->sim);
    return &g->bao_bank[cpu];
}

/* Guest log calls (mm_guest_log): the same sink as the native engine's messages. */
static void on_log(void *opaque, uint64_t id, const uint64_t arg[4])
{
    struct replay *r = opaque;
    if (id >= MM_MSG_COUNT)
        return;
    replay_note_message(r, (enum mm_msg)id, arg[0], arg[1], arg[2], arg[3]);
}

static void on_uart(void *opaque, const char *buf, size_t len)
{
    struct replay_guest *g = opaque;
    fwrite(buf, 1, len, g->console);
}

/* An error about adapter key `key` (the message of inner, which names the symbol). */
static int adapter_error(const struct replay_guest *g, const char *key,
                         const struct mpusim_error *inner, struct mpusim_error *err)
{
    return mpusim_error_at(err, inner->code ? inner->code : MPUSIM_E_RANGE, g->ad.source, -1, -1,
                           -1, "%s: %s%s%s", key, inner->source, inner->source[0] ? ": " : "",
                           inner->text);
}

/* The symbol an adapter key names; errors name the adapter file and the key. */
static int lookup(struct replay_guest *g, const char *key, const char *name,
                  struct sim_symbol *out, struct mpusim_error *err)
{
    struct mpusim_error e;
    mpusim_error_clear(&e);
    if (sim_symbol(g->sim, name, out, &e) != 0)
        return adapter_error(g, key, &e, err);
    return 0;
}

/* Where a READ result lies: the symbol, plus the member's offset (DWARF) or the given one; its
 * width and sign from "type" or the member's type. Errors name the adapter file and the key. */
static int resolve_read(struct replay_guest *g, const char *key, const struct replay_adapter_read *a,
                        struct guest_read *out, struct mpusim_error *err)
{
    const char *src = g->ad.source;
    char k[64];
    struct sim_symbol y;
    if (!a->symbol[0])
        return 0;
    snprintf(k, sizeof k, "%s.symbol", key);
    if (lookup(g, k, a->symbol, &y, err) != 0)
        return -1;
    uint64_t off = a->offset;
    unsigned bytes = a->bytes;
    int sgn = a->is_signed;
    if (a->member[0]) {
        struct sim_member m;
        struct mpusim_error e;
        mpusim_error_clear(&e);
        snprintf(k, sizeof k, "%s.member", key);
        if (sim_member(g->sim, &y, a->member, &m, &e) != 0)
            return adapter_error(g, k, &e, err);
        if (!m.scalar || (m.size != 1 && m.size != 2 && m.size != 4 && m.size != 8))
            return mpusim_error_at(err, MPUSIM_E_RANGE, src, -1, -1, -1,
                                   "%s: '%s.%s' is not an integer, enum or pointer of 1, 2, 4 or "
                                   "8 bytes (%llu bytes)", k, y.name, a->member,
                                   (unsigned long long)m.size);
        if (bytes && bytes != m.size)
            return mpusim_error_at(err, MPUSIM_E_RANGE, src, -1, -1, -1,
                                   "%s.type: %u bytes, but '%s.%s' is %llu bytes in the DWARF",
                                   key, bytes, y.name, a->member, (unsigned long long)m.size);
        if (!bytes) {
            bytes = (unsigned)m.size;
            sgn = m.is_signed;
        }
        off = m.offset;
    }
    if (y.size && (off >= y.size || bytes > y.size - off))
        return mpusim_error_at(err, MPUSIM_E_RANGE, src, -1, -1, -1,
                               "%s: %u bytes at offset %llu run past the end of '%s' (%llu "
                               "bytes)", key, bytes, (unsigned long long)off, y.name,
                               (unsigned long long)y.size);
    out->addr = y.addr + off;
    out->bytes = bytes;
    out->is_signed = sgn;
    return 0;
}

/* Every symbol the adapter names must exist before anything runs; the memory results must
 * fit their symbols (sizes from the symbol table). */
static int check_symbols(struct replay_guest *g, const struct replay *r, struct mpusim_error *err)
{
    const struct replay_adapter *a = &g->ad;
    struct sim_symbol y;
    char key[64];
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        snprintf(key, sizeof key, "ops.%s.symbol", trace_op_name((enum trace_op)op));
        if (a->op[op].present && lookup(g, key, a->op[op].symbol, &y, err) != 0)
            return -1;
    }
    if ((a->init.present && lookup(g, "init.symbol", a->init.symbol, &y, err) != 0) ||
        (a->boot_call.present &&
         (lookup(g, "boot_regions.symbol", a->boot_call.symbol, &y, err) != 0 ||
          lookup(g, "boot_regions.buffer", a->boot_buffer, &y, err) != 0)) ||
        (a->result_region[0] && lookup(g, "results.region", a->result_region, &y, err) != 0) ||
        (a->result_used[0] && lookup(g, "results.used", a->result_used, &y, err) != 0) ||
        (a->has_boot && a->boot_from[0] && lookup(g, "boot.from", a->boot_from, &y, err) != 0) ||
        (a->has_boot && a->boot_until[0] && lookup(g, "boot.until", a->boot_until, &y, err) != 0))
        return -1;
    if (resolve_read(g, "results.region", &a->read_region, &g->rd_region, err) != 0 ||
        resolve_read(g, "results.used", &a->read_used, &g->rd_used, err) != 0 ||
        resolve_read(g, "results.region_num", &a->read_region_num, &g->rd_region_num, err) != 0)
        return -1;
    for (unsigned i = 0; i < a->nstubs; i++) {
        snprintf(key, sizeof key, "stubs.%.40s", a->stub[i].symbol);
        if (lookup(g, key, a->stub[i].symbol, &y, err) != 0)
            return -1;
    }
    unsigned nregions = mpu_unit_of(sim_mpu(g->sim), 2)->nregions;
    if (a->used_bitmap[0]) {
        if (lookup(g, "results.used.popcount", a->used_bitmap, &y, err) != 0)
            return -1;
        uint64_t need = (nregions + 7) / 8;
        if (a->used_bytes && y.size != a->used_bytes)
            return mpusim_error_at(err, MPUSIM_E_RANGE, a->source, -1, -1, -1,
                                   "results.used.popcount: '%s' is %llu bytes, results.used.bytes "
                                   "says %llu", y.name, (unsigned long long)y.size,
                                   (unsigned long long)a->used_bytes);
        if (y.size < need || y.size > REPLAY_ADAPTER_MAX_BITMAP)
            return mpusim_error_at(err, MPUSIM_E_RANGE, a->source, -1, -1, -1,
                                   "results.used.popcount: '%s' is %llu bytes: a bitmap of %u "
                                   "regions needs %llu..%d", y.name, (unsigned long long)y.size,
                                   nregions, (unsigned long long)need, REPLAY_ADAPTER_MAX_BITMAP);
        g->bitmap_addr = y.addr;
        g->bitmap_bytes = (size_t)y.size;
    }
    const struct replay_adapter_table *t = &a->table;
    if (t->symbol[0]) {
        if (lookup(g, "results.table.symbol", t->symbol, &y, err) != 0)
            return -1;
        if (y.size == 0 || y.size < t->stride)
            return mpusim_error_at(err, MPUSIM_E_RANGE, a->source, -1, -1, -1,
                                   "results.table: '%s' is %llu bytes, less than one %llu-byte "
                                   "entry (stride)", y.name, (unsigned long long)y.size,
                                   (unsigned long long)t->stride);
        uint64_t entries = t->entries ? t->entries : y.size / t->stride;
        if (entries * t->stride > y.size)
            return mpusim_error_at(err, MPUSIM_E_RANGE, a->source, -1, -1, -1,
                                   "results.table.entries: %llu entries of %llu bytes run past "
                                   "the end of '%s' (%llu bytes)", (unsigned long long)entries,
                                   (unsigned long long)t->stride, y.name,
                                   (unsigned long long)y.size);
        if (entries > MM_MAX_REGIONS)
            entries = MM_MAX_REGIONS;
        if (g->bitmap_bytes && entries > 8 * g->bitmap_bytes)
            return mpusim_error_at(err, MPUSIM_E_RANGE, a->source, -1, -1, -1,
                                   "results.used.popcount: '%s' has %zu bits, fewer than the %llu "
                                   "entries of '%s'", a->used_bitmap, 8 * g->bitmap_bytes,
                                   (unsigned long long)entries, y.name);
        g->table_addr = y.addr;
        g->table_n = (unsigned)(entries < nregions ? entries : nregions);
        if (g->table_n) {
            g->raw = malloc(g->table_n * t->stride);
            if (!g->raw)
                return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
        }
    }
    (void)r;
    return 0;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Read the image's table into g->table (no guest code runs). */
static int read_table(struct replay_guest *g, struct mpusim_error *err)
{
    const struct replay_adapter_table *t = &g->ad.table;
    if (sim_mem_read(g->sim, g->table_addr, g->raw, g->table_n * t->stride, err) != 0)
        return -1;
    for (unsigned i = 0; i < g->table_n; i++) {
        const uint8_t *e = g->raw + i * t->stride;
        g->table[i].prbar = le64(e + t->prbar);
        g->table[i].prlar = le64(e + t->prlar);
        g->table[i].refcount = t->has_refcount ? e[t->refcount] : 0;
        g->table[i].transient = 0;
    }
    return 0;
}

/* Population count of the image's in-use bitmap. */
static int read_used(struct replay_guest *g, unsigned *used, struct mpusim_error *err)
{
    uint8_t b[REPLAY_ADAPTER_MAX_BITMAP];
    if (sim_mem_read(g->sim, g->bitmap_addr, b, g->bitmap_bytes, err) != 0)
        return -1;
    *used = bits_popcount_bytes(b, g->bitmap_bytes);
    return 0;
}

/* The pages an op names, for the "found" meaning of region: [base, limit) of map, modify and
 * unmap; the page of unmap_containing's addr; ioremap's range rounded out to pages. */
static void op_range(const struct trace_event *ev, uint64_t *base, uint64_t *limit)
{
    const uint64_t page = MM_PAGE_SIZE - 1;
    switch (ev->op) {
    case TRACE_OP_UNMAP_CONTAINING:
        *base = ev->base & ~page;
        *limit = *base + MM_PAGE_SIZE;
        break;
    case TRACE_OP_IOREMAP:
        *base = ev->base & ~page;
        *limit = (ev->base + ev->limit + page) & ~page;
        break;
    default:
        *base = ev->base;
        *limit = ev->limit;
        break;
    }
}

/* region of a call from the table before (old) and after (g->table): the lowest entry the call
 * created, changed or freed; if none changed, the valid entry containing the op's range (found:
 * a call refused on an existing region), else -1. */
static int region_from_table(const struct replay_guest *g, const struct mm_region *old,
                             const struct trace_event *ev)
{
    for (unsigned i = 0; i < g->table_n; i++)
        if (old[i].prbar != g->table[i].prbar || old[i].prlar != g->table[i].prlar ||
            old[i].refcount != g->table[i].refcount)
            return (int)i;
    uint64_t base, limit;
    op_range(ev, &base, &limit);
    if (limit <= base)
        return -1;
    for (unsigned i = 0; i < g->table_n; i++)
        if (mm_region_valid(&old[i]) && mm_region_base(&old[i]) <= base &&
            limit - 1 <= mm_region_last(&old[i]))
            return (int)i;
    return -1;
}

/* region without a table or getter: the lowest EL2 region whose registers the call changed. */
static int region_from_registers(const struct replay_guest *g)
{
    const struct mpu_unit *u = mpu_unit_of(sim_mpu(g->sim), 2);
    for (unsigned i = 0; i < u->nregions; i++)
        if (u->prbar[i] != g->prbar[i] || u->prlar[i] != g->prlar[i])
            return (int)i;
    return -1;
}

/* The guest stopped inside the call of symbol for event ev: record it as the run's result. */
static void record_stop(struct replay *r, struct replay_guest *g, const struct trace_event *ev,
                        const char *symbol)
{
    const struct sim_stop *st = sim_last_stop(g->sim);
    struct replay_guest_stop *gs = &r->guest_stop;
    memset(gs, 0, sizeof *gs);
    gs->event = r->event;
    gs->op = ev->op;
    snprintf(gs->call, sizeof gs->call, "%s", symbol);
    snprintf(gs->kind, sizeof gs->kind, "%s", sim_stop_kind_name(st->kind));
    gs->pc = st->pc;
    gs->insns = st->insns;
    sim_symbolize(g->sim, st->pc, gs->where, sizeof gs->where);
    sim_disassemble(g->sim, st->pc, gs->insn, sizeof gs->insn);
    sim_source_line(g->sim, st->pc, gs->source, sizeof gs->source);
    if (st->kind == SIM_STOP_FAULT) {
        static const char *const acc[] = { "read", "write", "exec" };
        gs->has_fault = 1;
        gs->fault = st->mpu;
        gs->addr = st->addr;
        gs->size = st->size;
        snprintf(gs->access, sizeof gs->access, "%s",
                 (unsigned)st->acc < 3 ? acc[st->acc] : "?");
        snprintf(gs->what, sizeof gs->what, "MPU fault (%s) on %s of %u bytes at 0x%llx",
                 mpu_fault_name(st->mpu.fault), gs->access, st->size,
                 (unsigned long long)st->addr);
    } else if (st->kind == SIM_STOP_BUDGET) {
        snprintf(gs->what, sizeof gs->what, "instruction budget exhausted after %llu instructions",
                 (unsigned long long)st->insns);
    } else {
        snprintf(gs->what, sizeof gs->what, "%s", st->what[0] ? st->what : gs->kind);
    }
    sim_stop_format(g->sim, st, gs->report, sizeof gs->report);
}

/* Call c for event ev (NULL: init/boot calls). 0: returned; 1: the guest stopped inside it
 * (recorded in r->guest_stop when ev is not NULL); -1: an error (err). */
static int call(struct replay_guest *g, const struct replay_adapter_call *c,
                const struct trace_event *ev, struct replay *r, int64_t *rc,
                struct replay_event_result *out, struct mpusim_error *err)
{
    uint64_t args[REPLAY_ADAPTER_MAX_ARGS];
    for (unsigned i = 0; i < c->nargs; i++)
        args[i] = replay_adapter_arg_value(c, i, ev, (unsigned)r->opt.algo, r->opt.xen_fixed,
                                           r->trace->nboot, r->mm.opt.reserve_k);
    struct sim_call_result res;
    struct mpusim_error e;
    mpusim_error_clear(&e);
    bao_swap(g, g->bao_guest_cpu); /* the guest goes on where it left */
    g->bao_wr_mark = sim_stats(g->sim)->sysreg_writes;
    int st = r->opt.budget ? sim_call_budget(g->sim, c->symbol, args, c->nargs, r->opt.budget,
                                             &res, &e)
                           : sim_call(g->sim, c->symbol, args, c->nargs, &res, &e);
    if (g->bao_ncpus) {
        bao_attribute(r, g);
        bao_swap(g, 0); /* between calls the sim holds CPU 0's MPU */
    }
    if (st != 0) {
        enum sim_stop_kind k = sim_last_stop(g->sim)->kind;
        if (ev && (k == SIM_STOP_FAULT || k == SIM_STOP_BUDGET || k == SIM_STOP_EXCEPTION)) {
            record_stop(r, g, ev, c->symbol);
            return 1;
        }
        *err = e;
        return -1;
    }
    *rc = replay_adapter_rc(c, res.x0);
    if (out) {
        out->insns = res.insns;
        out->cycles[0] = res.cycles.nominal;
        out->cycles[1] = res.cycles.min;
        out->cycles[2] = res.cycles.max;
    }
    return 0;
}

/* A getter (results.region / results.used): int in W0. */
static int getter(struct replay_guest *g, const char *symbol, int64_t *value,
                  struct mpusim_error *err)
{
    struct sim_call_result res;
    if (sim_call(g->sim, symbol, NULL, 0, &res, err) != 0)
        return -1;
    *value = sim_sext32(res.x0);
    return 0;
}

/* A result: read from guest memory (rd->bytes != 0), else from the getter symbol. */
static int result(struct replay_guest *g, const struct guest_read *rd, const char *getter_symbol,
                  int64_t *value, struct mpusim_error *err)
{
    if (!rd->bytes)
        return getter(g, getter_symbol, value, err);
    uint8_t b[8];
    if (sim_mem_read(g->sim, rd->addr, b, rd->bytes, err) != 0)
        return -1;
    uint64_t v = 0;
    for (unsigned i = rd->bytes; i-- > 0;)
        v = v << 8 | b[i];
    unsigned shift = 64 - 8 * rd->bytes;
    *value = rd->is_signed && shift ? (int64_t)(v << shift) >> shift : (int64_t)v;
    return 0;
}

/* Windows: the adapter's memory[] and the command line's --ram/--device into o; the UART
 * (--uart replaces the adapter's) is mapped later, over nothing else. */
static int add_windows(struct replay_guest *g, const struct replay *r, struct sim_options *o,
                       uint64_t *uart, struct mpusim_error *err)
{
    for (unsigned i = 0; i < g->ad.nwindows; i++) {
        if (g->ad.window[i].kind == REPLAY_MEM_UART) {
            if (!g->has_uart) {
                g->has_uart = 1;
                *uart = g->ad.window[i].base;
            }
            continue;
        }
        if (o->nwindows == SIM_MAX_WINDOWS)
            return mpusim_error_at(err, MPUSIM_E_RANGE, g->ad.source, -1, -1, -1,
                                   "memory[%u]: more than %d windows", i, SIM_MAX_WINDOWS);
        o->window[o->nwindows].base = g->ad.window[i].base;
        o->window[o->nwindows].size = g->ad.window[i].size;
        o->window[o->nwindows].kind =
            g->ad.window[i].kind == REPLAY_MEM_RAM ? SIM_WINDOW_RAM : SIM_WINDOW_DEVICE;
        o->window[o->nwindows].what = "window of the adapter's memory";
        o->nwindows++;
    }
    for (unsigned i = 0; i < r->opt.nwindows; i++) {
        if (o->nwindows == SIM_MAX_WINDOWS)
            return mpusim_error_at(err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                                   "more than %d windows (adapter and --ram/--device together)",
                                   SIM_MAX_WINDOWS);
        o->window[o->nwindows].base = r->opt.window[i].base;
        o->window[o->nwindows].size = r->opt.window[i].size;
        o->window[o->nwindows].kind = r->opt.window[i].device ? SIM_WINDOW_DEVICE : SIM_WINDOW_RAM;
        o->window[o->nwindows].what = r->opt.window[i].device ? "--device window" : "--ram window";
        o->nwindows++;
    }
    return 0;
}

/* The trace's zephyr header into the adapter's zephyr buffer (the word layout of guest/glue.c's
 * guest_z_config), then the zephyr boot call. */
/* bao: the per-CPU banks, each a copy of the sim's MPU as Bao runs it (HCR_EL2.VM set). */
static int bao_banks(struct replay_guest *g, struct replay *r, struct mpusim_error *err)
{
    unsigned n = r->trace->bao ? r->trace->bao->ncpus : 1;
    sim_mpu_write(g->sim, MPU_REG_HCR_EL2, 1ull << HCR_VM_BIT);
    g->bao_bank = calloc(n, sizeof *g->bao_bank);
    if (!g->bao_bank)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
    for (unsigned c = 0; c < n; c++)
        g->bao_bank[c] = *sim_mpu(g->sim);
    g->bao_ncpus = n;
    return 0;
}

/* bao: the configuration (the "bao" header, or one CPU for a plain trace) into the guest. */
static int bao_setup(struct replay_guest *g, struct replay *r, struct mpusim_error *err)
{
    const struct trace_bao *b = r->trace->bao;
    if (!g->ad.bao_setup.present)
        return mpusim_error_at(err, MPUSIM_E_USAGE, r->opt.adapter, -1, -1, -1,
                               "the adapter has no \"bao_setup\" for --algo bao");
    uint64_t w[8 + MM_BAO_CPUS] = { 0 };
    w[0] = b ? b->ncpus : 1;
    if (b) {
        w[1] = b->image_base;
        w[2] = b->image_limit;
        w[3] = b->image_load_end;
        w[4] = b->image_noload;
        w[5] = (uint64_t)b->non_unified;
        w[6] = b->cpu_struct_size;
        for (unsigned c = 0; c < b->ncpus && c < MM_BAO_CPUS; c++)
            w[8 + c] = b->cpu_struct[c];
    }
    w[7] = sim_mpu(g->sim)->el2.nregions;
    struct sim_symbol buf;
    int64_t rc;
    if (sim_symbol(g->sim, g->ad.bao_buffer, &buf, err) != 0 ||
        sim_mem_write(g->sim, buf.addr, w, sizeof w, err) != 0 ||
        call(g, &g->ad.bao_setup, NULL, r, &rc, NULL, err) != 0)
        return -1;
    if (rc != 0)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "%s returned %lld", g->ad.bao_setup.symbol,
                                (long long)rc);
    return 0;
}

/* bao: each CPU's vMPU entries and allocated indices (results.bao_state) into r. */
static int bao_state(struct replay_guest *g, struct replay *r, struct mpusim_error *err)
{
    for (unsigned c = 0; c < g->bao_ncpus && g->ad.result_bao_state[0]; c++) {
        uint64_t arg = c;
        struct sim_call_result res;
        if (sim_call(g->sim, g->ad.result_bao_state, &arg, 1, &res, err) != 0)
            return -1;
        r->bao_counts[c][0] = (unsigned)(res.x0 & 0xFFu);
        r->bao_counts[c][1] = (unsigned)((res.x0 >> 8) & 0xFFu);
        r->bao_counts[c][2] = (unsigned)((res.x0 >> 16) & 0xFFu);
    }
    return 0;
}

static int zephyr_boot(struct replay_guest *g, struct replay *r, struct mpusim_error *err)
{
    const struct trace_zephyr *z = r->trace->zephyr;
    if (!g->ad.zephyr_boot.present)
        return mpusim_error_at(err, MPUSIM_E_USAGE, r->opt.adapter, -1, -1, -1,
                               "the adapter has no \"zephyr_boot\" for a zephyr trace");
    uint64_t w[8 + 3 * 2 * TRACE_Z_STATIC_MAX];
    unsigned n = 0;
    w[n++] = z->nsoc;
    w[n++] = z->ndt;
    w[n++] = z->dyn_base;
    w[n++] = z->dyn_limit;
    w[n++] = z->irq_stack;
    w[n++] = (uint64_t)z->has_irq_stack;
    w[n++] = z->max_partitions;
    w[n++] = z->priv_stack_size;
    for (unsigned i = 0; i < z->nsoc; i++, n += 3) {
        w[n] = z->soc[i].base;
        w[n + 1] = z->soc[i].limit;
        w[n + 2] = z->soc[i].attr;
    }
    for (unsigned i = 0; i < z->ndt; i++, n += 3) {
        w[n] = z->dt[i].base;
        w[n + 1] = z->dt[i].limit;
        w[n + 2] = z->dt[i].attr;
    }
    struct sim_symbol buf;
    int64_t rc;
    if (sim_symbol(g->sim, g->ad.zephyr_buffer, &buf, err) != 0 ||
        sim_mem_write(g->sim, buf.addr, w, n * sizeof w[0], err) != 0 ||
        call(g, &g->ad.zephyr_boot, NULL, r, &rc, NULL, err) != 0)
        return -1;
    if (rc != 0)
        return mpusim_error_at(err, MPUSIM_E_RANGE, r->trace->source, -1, -1, -1,
                               "zephyr boot: %u static regions do not fit in %u EL1 MPU regions "
                               "(guest)", z->nsoc, r->mpu.el1.nregions);
    return 0;
}

struct replay_guest *replay_guest_new(struct replay *r, struct mpusim_error *err)
{
    const struct trace *t = r->trace;
    if (!r->opt.adapter) {
        mpusim_error_set(err, MPUSIM_E_USAGE, "the guest engine needs an adapter file");
        return NULL;
    }
    struct replay_guest *g = calloc(1, sizeof *g);
    if (!g) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
        return NULL;
    }
    g->console = r->opt.console ? r->opt.console : stderr;
    r->guest = g; /* on_cpu during the set-up calls; replay_new sets it again */
    if (replay_adapter_read_file(r->opt.adapter, &g->ad, err) != 0)
        goto fail;
    const char *elf = r->opt.elf ? r->opt.elf : g->ad.elf;
    if (!elf[0]) {
        mpusim_error_at(err, MPUSIM_E_USAGE, r->opt.adapter, -1, -1, -1,
                        "the adapter names no \"elf\": give --elf");
        goto fail;
    }
    if (r->opt.core) {
        if (sim_core_read_file(r->opt.core, &g->core, err) != 0)
            goto fail;
    } else {
        sim_core_default(&g->core);
    }
    struct sim_options o;
    sim_options_default(&o);
    o.mpu = r->mpu.cfg;
    o.timing = !r->opt.no_timing;
    o.core = &g->core;
    o.on_log = on_log;
    o.on_cpu = on_cpu;
    o.opaque = r;
    o.on_exec = r->opt.on_exec;
    o.exec_opaque = r->opt.exec_opaque;
    if (r->opt.budget)
        o.budget = r->opt.budget;
    uint64_t uart = 0;
    if (r->opt.has_uart) {
        g->has_uart = 1;
        uart = r->opt.uart;
    }
    if (add_windows(g, r, &o, &uart, err) != 0)
        goto fail;
    g->sim = sim_new(&o, err);
    if (!g->sim || sim_load_elf(g->sim, elf, err) != 0)
        goto fail;
    mpu_set_prselr_select(sim_mpu(g->sim), r->opt.algo == MM_ALGO_ZEPHYR ||
                                               r->opt.algo == MM_ALGO_BAO); /* as native */
    if (r->opt.algo == MM_ALGO_BAO && bao_banks(g, r, err) != 0)
        goto fail;
    if (g->has_uart) {
        sim_pl011_init(&g->uart, on_uart, g);
        struct sim_device dev = sim_pl011_device(&g->uart);
        struct mpusim_error e;
        mpusim_error_clear(&e);
        if (sim_map_device(g->sim, uart, SIM_PL011_SIZE, &dev, &e) != 0) {
            if (r->opt.has_uart)
                mpusim_error_at(err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1, "--uart 0x%llx: %s",
                                (unsigned long long)uart, e.text);
            else
                adapter_error(g, "memory (uart)", &e, err);
            goto fail;
        }
    }
    if (check_symbols(g, r, err) != 0)
        goto fail;
    if (g->ad.exempt_image && sim_exempt_image(g->sim, err) != 0)
        goto fail;
    for (unsigned i = 0; i < g->ad.nstubs; i++)
        if (sim_stub(g->sim, g->ad.stub[i].symbol, g->ad.stub[i].value, err) != 0)
            goto fail;
    if (g->ad.has_boot) {
        uint64_t from = sim_entry(g->sim);
        if (g->ad.boot_from[0]) {
            struct sim_symbol sym;
            if (sim_symbol(g->sim, g->ad.boot_from, &sym, err) != 0)
                goto fail;
            from = sym.addr;
        }
        struct mpusim_error e;
        mpusim_error_clear(&e);
        if (sim_run(g->sim, from, g->ad.boot_until[0] ? g->ad.boot_until : NULL,
                    g->ad.boot_budget, NULL, &e) != 0) {
            char line[300];
            const struct sim_stop *st = sim_last_stop(g->sim);
            mpusim_error_at(err, MPUSIM_E_ENGINE, elf, -1, -1, -1, "boot (%s to %s): %s%s%s",
                            g->ad.boot_from[0] ? g->ad.boot_from : "entry",
                            g->ad.boot_until[0] ? g->ad.boot_until : "exit", e.text,
                            sim_source_line(g->sim, st->pc, line, sizeof line) == 0 ? " at " : "",
                            line);
            goto fail;
        }
    }
    int64_t rc;
    if (g->ad.init.present) {
        if (call(g, &g->ad.init, NULL, r, &rc, NULL, err) != 0)
            goto fail;
        if (rc != 0) {
            mpusim_error_set(err, MPUSIM_E_ENGINE, "%s returned %lld", g->ad.init.symbol,
                             (long long)rc);
            goto fail;
        }
    }
    if (r->opt.algo == MM_ALGO_BAO && bao_setup(g, r, err) != 0)
        goto fail;
    if (r->opt.algo == MM_ALGO_ZEPHYR && t->zephyr) {
        if (zephyr_boot(g, r, err) != 0)
            goto fail;
    } else if ((t->has_boot || r->opt.algo == MM_ALGO_ZEPHYR ||
                (r->opt.algo == MM_ALGO_BAO && !t->bao)) &&
               g->ad.boot_call.present) {
        struct sim_symbol buf;
        if (sim_symbol(g->sim, g->ad.boot_buffer, &buf, err) != 0)
            goto fail;
        for (unsigned i = 0; i < t->nboot; i++) {
            uint64_t w[3] = { t->boot[i].base, t->boot[i].limit, t->boot[i].flags };
            if (sim_mem_write(g->sim, buf.addr + 24u * i, w, sizeof w, err) != 0)
                goto fail;
        }
        if (call(g, &g->ad.boot_call, NULL, r, &rc, NULL, err) != 0)
            goto fail;
        if (rc != 0) {
            mpusim_error_at(err, MPUSIM_E_RANGE, t->source, -1, -1, -1,
                            "boot: %u boot regions do not fit in %u MPU regions (guest)",
                            t->nboot, r->mpu.el2.nregions);
            goto fail;
        }
    }
    if (g->table_n && read_table(g, err) != 0)
        goto fail;
    return g;
fail:
    replay_guest_free(g);
    return NULL;
}

void replay_guest_free(struct replay_guest *g)
{
    if (!g)
        return;
    sim_free(g->sim);
    free(g->raw);
    free(g->bao_bank);
    free(g);
}

struct mpu *replay_guest_mpu(struct replay_guest *g) { return sim_mpu(g->sim); }

const struct sim_stats *replay_guest_stats(const struct replay_guest *g)
{
    return sim_stats(g->sim);
}

int replay_guest_boots_itself(const struct replay_guest *g) { return !g->ad.boot_call.present; }

unsigned replay_guest_table(const struct replay_guest *g, const struct mm_region **table)
{
    *table = g->table;
    return g->table_n;
}

unsigned replay_guest_used(struct replay_guest *g, struct mpusim_error *err)
{
    unsigned used = 0;
    if (g->bitmap_bytes) {
        if (read_used(g, &used, err) != 0)
            return 0;
        return used;
    }
    return mpu_unit_of(sim_mpu(g->sim), 2)->enabled;
}

int replay_guest_step(struct replay *r, const struct trace_event *ev,
                      struct replay_event_result *out, struct mpusim_error *err)
{
    struct replay_guest *g = r->guest;
    struct mpu *m = sim_mpu(g->sim);
    out->has_rc = 1;
    out->rc = 0;
    out->region = -1;
    out->region_num = -1;
    out->acc.fault = MPU_FAULT_NONE;
    out->has_insns = 1;
    out->insns = 0;
    out->cycles[0] = out->cycles[1] = out->cycles[2] = 0;
    switch (ev->op) {
    case TRACE_OP_ACCESS: {
        static const enum mpu_acc kinds[] = { MPU_ACC_READ, MPU_ACC_WRITE, MPU_ACC_EXEC };
        out->has_rc = 0;
        struct mpu *am = ev->bao ? replay_guest_bao_mpu(g, ev->cpu) : m;
        out->acc = mpu_check(am, ev->base, ev->limit, kinds[ev->kind], replay_access_el(r, ev));
        out->region = out->acc.region >= 0 ? out->acc.region : -1;
        break;
    }
    case TRACE_OP_SYSREG:
        out->has_rc = 0;
        sim_mpu_write(g->sim, ev->reg, ev->limit);
        break;
    default: {
        const struct replay_adapter_call *c = &g->ad.op[ev->op];
        if (ev->bao && ev->op == TRACE_OP_MAP)
            c = &g->ad.bao_map;
        else if (ev->bao && ev->op == TRACE_OP_UNMAP)
            c = &g->ad.bao_unmap;
        if (!c->present)
            return mpusim_error_at(err, MPUSIM_E_USAGE, r->opt.adapter, -1, -1, r->event,
                                   "the adapter has no call for op '%s'%s", trace_op_name(ev->op),
                                   ev->bao ? " in bao form (ops bao_map, bao_unmap)" : "");
        const struct sim_stats *st = sim_stats(g->sim);
        uint64_t rd = st->sysreg_reads, wr = st->sysreg_writes;
        const struct mpu_unit *u = mpu_unit_of(m, 2);
        memcpy(g->prbar, u->prbar, u->nregions * sizeof g->prbar[0]);
        memcpy(g->prlar, u->prlar, u->nregions * sizeof g->prlar[0]);
        int64_t rc;
        int k = call(g, c, ev, r, &rc, out, err);
        if (k != 0) {
            if (k > 0) { /* the guest stopped: the result of this event */
                const struct sim_stop *sst = sim_last_stop(g->sim);
                out->has_rc = 0;
                out->insns = r->guest_stop.insns;
                out->cycles[0] = sst->cycles.nominal;
                out->cycles[1] = sst->cycles.min;
                out->cycles[2] = sst->cycles.max;
                out->used = r->last_used;
            }
            return k;
        }
        /* domain_init: k_mem_domain_init hooks its partitions one by one, which is what
         * domain_add_partition does: one more call per partition, its costs added. */
        const struct replay_adapter_call *ap = &g->ad.op[TRACE_OP_DOMAIN_ADD_PARTITION];
        for (unsigned p = 0; ev->op == TRACE_OP_DOMAIN_INIT && rc == 0 && p < ev->nparts; p++) {
            if (!ap->present)
                return mpusim_error_at(err, MPUSIM_E_USAGE, r->opt.adapter, -1, -1, r->event,
                                       "the adapter has no call for op 'domain_add_partition' "
                                       "(domain_init with partitions)");
            struct trace_event pe = *ev;
            struct replay_event_result more = *out;
            pe.op = TRACE_OP_DOMAIN_ADD_PARTITION;
            pe.base = ev->parts[p].base;
            pe.limit = ev->parts[p].limit;
            pe.flags = ev->parts[p].attr;
            if ((k = call(g, ap, &pe, r, &rc, &more, err)) != 0)
                return k;
            out->insns += more.insns;
            for (int c3 = 0; c3 < 3; c3++)
                out->cycles[c3] += more.cycles[c3];
        }
        r->cur.sysreg_reads += st->sysreg_reads - rd;
        r->cur.sysreg_writes += st->sysreg_writes - wr;
        out->rc = (int)rc;
        if (g->bao_ncpus && bao_state(g, r, err) != 0)
            return -1;
        if ((g->ad.result_region_num[0] || g->rd_region_num.bytes) &&
            r->opt.algo == MM_ALGO_ZEPHYR) {
            int64_t v;
            if (result(g, &g->rd_region_num, g->ad.result_region_num, &v, err) != 0)
                return -1;
            out->region_num = v >= 0 ? (int)v : -1;
        }
        if (g->ad.result_region[0] || g->rd_region.bytes) {
            int64_t v;
            if (result(g, &g->rd_region, g->ad.result_region, &v, err) != 0)
                return -1;
            out->region = v >= 0 ? (int)v : -1;
        } else if (g->table_n) {
            struct mm_region old[MM_MAX_REGIONS];
            memcpy(old, g->table, g->table_n * sizeof old[0]);
            if (read_table(g, err) != 0)
                return -1;
            out->region = region_from_table(g, old, ev);
        } else {
            out->region = region_from_registers(g);
        }
        break;
    }
    }
    if ((g->ad.result_used[0] || g->rd_used.bytes) && r->algo_events) {
        int64_t v;
        if (result(g, &g->rd_used, g->ad.result_used, &v, err) != 0)
            return -1;
        out->used = (unsigned)v;
    } else if (g->bitmap_bytes && r->algo_events) {
        if (read_used(g, &out->used, err) != 0)
            return -1;
    } else { /* no getter: what the hardware has enabled */
        out->used = r->opt.algo == MM_ALGO_ZEPHYR ? m->el1.enabled : m->el2.enabled;
    }
    return 0;
}
