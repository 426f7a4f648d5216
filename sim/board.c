/*
 * The board: a platform (sim/platform.h) made real on one sim. RAM windows are mapped around
 * the image's segments; each device window is one MMIO mapping whose accesses go to the model
 * whose frame holds the address (GICv3 distributor and redistributors), and to nobody
 * otherwise: such an access reads 0, a write is dropped, and both are counted and listed in
 * the report (never a crash). System registers of the GIC CPU interface and of the generic
 * timer, ID_AA64PFR0_EL1 and SMC (PSCI) come here from sim/el2.c and sim/exception.c.
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "sim/devices.h"
#include "sim/internal.h"

#define GICD_FRAME 0x10000ull
#define ENC_ID_AA64PFR0_EL1 MPU_ENC(3, 0, 0, 4, 0)
#define PFR0_GIC_LSB 24 /* GIC [27:24]: 1 = GICv3/v4 system register interface */

static uint64_t insns_now(const struct sim *s) { return s->stats.insns + s->insns; }

static void note_unknown(struct sim_board *b, uint64_t addr, unsigned size, int is_write)
{
    if (is_write)
        b->unknown_writes++;
    else
        b->unknown_reads++;
    for (unsigned i = 0; i < b->nunknown; i++)
        if (b->unknown[i].addr == addr && b->unknown[i].size == size) {
            if (is_write)
                b->unknown[i].writes++;
            else
                b->unknown[i].reads++;
            return;
        }
    if (b->nunknown < SIM_BOARD_MAX_UNKNOWN) {
        struct sim_dev_unknown *u = &b->unknown[b->nunknown++];
        u->addr = addr;
        u->size = size;
        u->reads = !is_write;
        u->writes = !!is_write;
    }
}

/* The frames of the modelled devices, in a window's order. */
static uint64_t gicd_read(void *opaque, uint64_t off, unsigned size)
{
    struct sim_board *b = opaque;
    int known;
    uint64_t v = sim_gicd_read(&b->gic, off, size, &known);
    b->dev_reads++;
    if (!known)
        note_unknown(b, b->plat.gicd_base + off, size, 0);
    return v;
}

static void gicd_write(void *opaque, uint64_t off, unsigned size, uint64_t v)
{
    struct sim_board *b = opaque;
    int known;
    sim_gicd_write(&b->gic, off, size, v, &known);
    b->dev_writes++;
    if (!known)
        note_unknown(b, b->plat.gicd_base + off, size, 1);
}

static uint64_t gicr_read(void *opaque, uint64_t off, unsigned size)
{
    struct sim_board *b = opaque;
    int known;
    uint64_t v = sim_gicr_read(&b->gic, off, size, &known);
    b->dev_reads++;
    if (!known)
        note_unknown(b, b->plat.gicr_base + off, size, 0);
    return v;
}

static void gicr_write(void *opaque, uint64_t off, unsigned size, uint64_t v)
{
    struct sim_board *b = opaque;
    int known;
    sim_gicr_write(&b->gic, off, size, v, &known);
    b->dev_writes++;
    if (!known)
        note_unknown(b, b->plat.gicr_base + off, size, 1);
}

/* A part of a device window with no device: reads 0, writes dropped, both listed. */
static uint64_t gap_read(void *opaque, uint64_t off, unsigned size)
{
    struct sim_board_window *w = opaque;
    w->b->dev_reads++;
    note_unknown(w->b, w->base + off, size, 0);
    return 0;
}

static void gap_write(void *opaque, uint64_t off, unsigned size, uint64_t v)
{
    (void)v;
    struct sim_board_window *w = opaque;
    w->b->dev_writes++;
    note_unknown(w->b, w->base + off, size, 1);
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
    struct sim_board *b = opaque;
    b->dev_reads++;
    return b->uart_dev.read(b->uart_dev.opaque, off, size);
}

static void uart_write(void *opaque, uint64_t off, unsigned size, uint64_t v)
{
    struct sim_board *b = opaque;
    b->dev_writes++;
    b->uart_dev.write(b->uart_dev.opaque, off, size, v);
}

struct frame {
    uint64_t base, size;
    struct sim_device dev;
};

/* Map device window w: each device frame inside it with its model, the gaps between them
 * with the gap device. */
static int map_device_window(struct sim *s, const struct sim_plat_window *w,
                             struct mpusim_error *err)
{
    struct sim_board *b = s->board;
    const struct sim_platform *p = &b->plat;
    struct frame f[3];
    unsigned n = 0;
    if (p->has_uart && p->uart_base >= w->base && p->uart_base < w->base + w->size)
        f[n++] = (struct frame){ p->uart_base, p->uart_size,
                                 { "pl011", uart_read, uart_write, b } };
    if (p->has_gic && p->gicd_base >= w->base && p->gicd_base < w->base + w->size)
        f[n++] = (struct frame){ p->gicd_base, GICD_FRAME, { "gicv3-distributor", gicd_read,
                                                             gicd_write, b } };
    if (p->has_gic && p->gicr_base >= w->base && p->gicr_base < w->base + w->size)
        f[n++] = (struct frame){ p->gicr_base, p->gicr_stride * p->cpus,
                                 { "gicv3-redistributors", gicr_read, gicr_write, b } };
    for (unsigned i = 1; i < n; i++) /* by address */
        for (unsigned j = i; j > 0 && f[j].base < f[j - 1].base; j--) {
            struct frame t = f[j];
            f[j] = f[j - 1];
            f[j - 1] = t;
        }
    uint64_t at = w->base;
    for (unsigned i = 0; i <= n; i++) {
        uint64_t end = i < n ? f[i].base : w->base + w->size;
        if (end > at) {
            if (b->ngaps == SIM_BOARD_MAX_GAPS)
                return mpusim_error_at(err, MPUSIM_E_RANGE, p->source, -1, -1, -1,
                                       "too many gaps between devices (at most %d)",
                                       SIM_BOARD_MAX_GAPS);
            struct sim_board_window *g = &b->gap[b->ngaps++];
            g->b = b;
            g->base = at;
            struct sim_device d = { w->name, gap_read, gap_write, g };
            if (sim_map_device(s, at, end - at, &d, err) != 0)
                return -1;
        }
        if (i < n) {
            if (sim_map_device(s, f[i].base, f[i].size, &f[i].dev, err) != 0)
                return -1;
            at = f[i].base + f[i].size;
        }
    }
    return 0;
}

/* Map the parts of [base, limit) that nothing maps yet (the image's segments stay). */
static int map_ram_around(struct sim *s, const struct sim_plat_window *w,
                          struct mpusim_error *err)
{
    uint64_t base = w->base, limit = w->base + w->size;
    while (base < limit) {
        uint64_t next = limit; /* first mapped byte at or after base, within the window */
        uint64_t skip_to = 0;
        for (unsigned i = 0; i < s->elf.nseg; i++) {
            uint64_t lo = s->elf.seg[i].base & ~(SIM_PAGE - 1);
            uint64_t hi = (s->elf.seg[i].limit + SIM_PAGE - 1) & ~(SIM_PAGE - 1);
            if (lo <= base && base < hi)
                skip_to = skip_to > hi ? skip_to : hi;
            else if (lo > base && lo < next)
                next = lo;
        }
        if (skip_to) {
            base = skip_to;
            continue;
        }
        char what[64];
        snprintf(what, sizeof what, "RAM window \"%s\"", w->name);
        if (sim_mem_map(s, base, next - base, SIM_WINDOW_RAM, what, err) != 0)
            return -1;
        base = next;
    }
    return 0;
}

static const struct sim_plat_window *ram_holding(const struct sim_platform *p, uint64_t a,
                                                 uint64_t len)
{
    for (unsigned i = 0; i < p->nwindows; i++) {
        const struct sim_plat_window *w = &p->window[i];
        if (w->kind == SIM_PLAT_RAM && a >= w->base && len <= w->size &&
            a - w->base <= w->size - len)
            return w;
    }
    return NULL;
}

int sim_platform_attach(struct sim *s, const struct sim_platform *plat, struct mpusim_error *err)
{
    if (s->board)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "a platform is already attached");
    if (!s->elf.loaded)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "load the image before the platform");
    if (plat->regions != mpu_unit_of(&s->mpu, 2)->nregions)
        return mpusim_error_at(err, MPUSIM_E_RANGE, plat->source, -1, -1, -1,
                               "the platform has %u MPU regions but the engine was made with %u",
                               plat->regions, mpu_unit_of(&s->mpu, 2)->nregions);
    if (!ram_holding(plat, s->elf.entry, SIM_INSN_SIZE))
        return mpusim_error_at(err, MPUSIM_E_RANGE, s->elf.path, -1, -1, -1,
                               "the entry point 0x%llx is not in RAM of platform %s",
                               (unsigned long long)s->elf.entry, plat->name);
    for (unsigned i = 0; i < s->elf.nseg; i++)
        if (!ram_holding(plat, s->elf.seg[i].base, s->elf.seg[i].limit - s->elf.seg[i].base))
            return mpusim_error_at(err, MPUSIM_E_RANGE, s->elf.path, -1, -1, -1,
                                   "segment [0x%llx, 0x%llx) is not inside one RAM window of "
                                   "platform %s", (unsigned long long)s->elf.seg[i].base,
                                   (unsigned long long)s->elf.seg[i].limit, plat->name);
    struct sim_board *b = calloc(1, sizeof *b);
    if (!b)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory for the platform");
    b->plat = *plat;
    s->board = b;
    sim_gicv3_init(&b->gic, plat->gic_spis, plat->cpus);
    sim_gtimer_init(&b->timer, plat->timer_hz, plat->cpu_hz);
    sim_psci_init(&b->psci, plat->psci_major, plat->psci_minor, plat->cpus);
    sim_pl011_init(&b->uart, s->opt.on_console, s->opt.opaque);
    b->uart_dev = sim_pl011_device(&b->uart);
    uc_arm64_cp_reg cp = { .op0 = 3, .op1 = 0, .crn = 0, .crm = 4, .op2 = 0, .val = 0 };
    if (uc_reg_read(s->uc, UC_ARM64_REG_CP_REG, &cp) != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "reading ID_AA64PFR0_EL1 failed");
    b->pfr0 = (cp.val & ~(0xFull << PFR0_GIC_LSB)) | ((plat->has_gic ? 1ull : 0) << PFR0_GIC_LSB);
    for (unsigned i = 0; i < plat->nwindows; i++) {
        const struct sim_plat_window *w = &plat->window[i];
        if (w->kind == SIM_PLAT_RAM) {
            if (map_ram_around(s, w, err) != 0)
                return -1;
            continue;
        }
        if (map_device_window(s, w, err) != 0)
            return -1;
    }
    return 0;
}

void sim_board_free(struct sim *s)
{
    free(s->board);
    s->board = NULL;
}

int sim_platform_load_dtb(struct sim *s, const void *blob, uint64_t len, uint64_t addr,
                          const char *what, struct mpusim_error *err)
{
    if (!s->board)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "%s: no platform to place it on", what);
    if (len < sizeof(struct fdt_header))
        return mpusim_error_at(err, MPUSIM_E_PARSE, what, -1, -1, -1,
                               "not a device-tree blob: %llu bytes, shorter than its header",
                               (unsigned long long)len);
    if (fdt_magic(blob) != FDT_MAGIC)
        return mpusim_error_at(err, MPUSIM_E_PARSE, what, -1, -1, -1,
                               "not a device-tree blob: magic 0x%08x, expected 0x%08x",
                               (unsigned)fdt_magic(blob), (unsigned)FDT_MAGIC);
    if (fdt_totalsize(blob) > len)
        return mpusim_error_at(err, MPUSIM_E_PARSE, what, -1, -1, -1,
                               "truncated: the header says %u bytes, the file has %llu",
                               (unsigned)fdt_totalsize(blob), (unsigned long long)len);
    int rc = fdt_check_full(blob, len);
    if (rc != 0)
        return mpusim_error_at(err, MPUSIM_E_PARSE, what, -1, -1, -1,
                               "not a valid device-tree blob: %s", fdt_strerror(rc));
    if (addr & 7)
        return mpusim_error_at(err, MPUSIM_E_RANGE, what, -1, -1, -1,
                               "address 0x%llx is not 8-byte aligned (the arm64 boot protocol)",
                               (unsigned long long)addr);
    const struct sim_platform *p = &s->board->plat;
    if (!ram_holding(p, addr, len))
        return mpusim_error_at(err, MPUSIM_E_RANGE, what, -1, -1, -1,
                               "%llu bytes at 0x%llx do not fit in one RAM window of platform %s",
                               (unsigned long long)len, (unsigned long long)addr, p->name);
    if (p->dtb_size && addr >= p->dtb_base && addr - p->dtb_base < p->dtb_size &&
        len > p->dtb_size - (addr - p->dtb_base))
        return mpusim_error_at(err, MPUSIM_E_RANGE, what, -1, -1, -1,
                               "%llu bytes at 0x%llx do not fit in the DTB window [0x%llx, 0x%llx)",
                               (unsigned long long)len, (unsigned long long)addr,
                               (unsigned long long)p->dtb_base,
                               (unsigned long long)(p->dtb_base + p->dtb_size));
    for (unsigned i = 0; i < s->elf.nseg; i++)
        if (addr < s->elf.seg[i].limit && s->elf.seg[i].base < addr + len)
            return mpusim_error_at(err, MPUSIM_E_RANGE, what, -1, -1, -1,
                                   "[0x%llx, 0x%llx) overlaps the image's segment [0x%llx, 0x%llx)",
                                   (unsigned long long)addr, (unsigned long long)(addr + len),
                                   (unsigned long long)s->elf.seg[i].base,
                                   (unsigned long long)s->elf.seg[i].limit);
    if (uc_mem_write(s->uc, addr, blob, (size_t)len) != UC_ERR_OK)
        return mpusim_error_at(err, MPUSIM_E_ENGINE, what, -1, -1, -1,
                               "writing the blob at 0x%llx failed", (unsigned long long)addr);
    return 0;
}

int sim_board_sysreg_read(struct sim *s, unsigned enc, uint64_t *v)
{
    struct sim_board *b = s->board;
    if (enc == ENC_ID_AA64PFR0_EL1) {
        *v = b->pfr0;
        return 1;
    }
    if (b->plat.has_gic && sim_gic_sysreg_read(&b->gic, enc, v))
        return 1;
    if (b->plat.timer_hz &&
        sim_gtimer_sysreg_read(&b->timer, enc, insns_now(s), s->el2[EL2_CNTVOFF], v))
        return 1;
    return 0;
}

int sim_board_sysreg_write(struct sim *s, unsigned enc, uint64_t v)
{
    struct sim_board *b = s->board;
    if (enc == ENC_ID_AA64PFR0_EL1)
        return 1; /* read-only */
    if (b->plat.has_gic && sim_gic_sysreg_write(&b->gic, enc, v))
        return 1;
    if (b->plat.timer_hz &&
        sim_gtimer_sysreg_write(&b->timer, enc, insns_now(s), s->el2[EL2_CNTVOFF], v))
        return 1;
    return 0;
}

int sim_board_smc(struct sim *s, uint64_t pc)
{
    struct sim_board *b = s->board;
    if (!b->plat.psci_major)
        return 0;
    uint64_t x[4];
    for (int i = 0; i < 4; i++)
        uc_reg_read(s->uc, UC_ARM64_REG_X0 + i, &x[i]);
    b->power = sim_psci_call(&b->psci, x);
    uc_reg_write(s->uc, UC_ARM64_REG_X0, &x[0]);
    if (b->power != SIM_PSCI_RUNNING) {
        sim_stop_at(s, SIM_STOP_POWER, pc, 1, sim_psci_power_name(b->power));
        return 1;
    }
    sim_redirect(s, pc, 1, pc + SIM_INSN_SIZE);
    return 1;
}


size_t sim_platform_format(const struct sim *s, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap)
        buf[0] = '\0';
#define PUT(...)                                                                              \
    do {                                                                                      \
        int w_ = snprintf(n < cap ? buf + n : NULL, n < cap ? cap - n : 0, __VA_ARGS__);      \
        if (w_ > 0)                                                                           \
            n += (size_t)w_;                                                                  \
    } while (0)
    const struct sim_board *b = s->board;
    if (!b)
        return 0;
    PUT("platform %s: device accesses %llu reads, %llu writes; PSCI calls %llu",
        b->plat.name, (unsigned long long)b->dev_reads, (unsigned long long)b->dev_writes,
        (unsigned long long)b->psci.calls);
    if (b->psci.unknown)
        PUT(" (%llu not implemented, last 0x%08x)", (unsigned long long)b->psci.unknown,
            (unsigned)b->psci.last_unknown);
    if (b->plat.timer_hz)
        PUT("; counter %llu at %llu Hz", (unsigned long long)sim_gtimer_count(&b->timer, s->stats.insns),
            (unsigned long long)b->plat.timer_hz);
    PUT("\n");
    if (b->unknown_reads || b->unknown_writes) {
        PUT("unmodelled device registers (read as 0, writes ignored): %llu reads, %llu writes\n",
            (unsigned long long)b->unknown_reads, (unsigned long long)b->unknown_writes);
        for (unsigned i = 0; i < b->nunknown; i++)
            PUT("  0x%llx (%u bytes): %llu reads, %llu writes\n",
                (unsigned long long)b->unknown[i].addr, b->unknown[i].size,
                (unsigned long long)b->unknown[i].reads, (unsigned long long)b->unknown[i].writes);
        if (b->nunknown == SIM_BOARD_MAX_UNKNOWN)
            PUT("  (the first %d addresses are listed)\n", SIM_BOARD_MAX_UNKNOWN);
    }
#undef PUT
    return n;
}
