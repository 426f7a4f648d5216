/*
 * Guest memory and access checking.
 *
 * Memory: the ELF's segments (sim/elf.c), the harness stack window, the RAM or device
 * windows of the options (device windows are MMIO: reads give 0, writes are dropped) and the
 * windows of device models (sim_map_device: their callbacks serve the accesses).
 *
 * Checks, when SCTLR_EL2.M = 1 (the model's EL2 MPU is on):
 *   - instruction fetch: once per executed translated block (UC_HOOK_BLOCK, the engine's only
 *     block hook: the timing model's part runs first in it), for the block's
 *     whole byte range [start, start + size). A block that is executable only up to some byte
 *     (it runs off the end of an executable region) is run instruction-counted up to that
 *     byte and the fault is taken there (the run loop in sim/call.c), so fetch faults are
 *     precise to the instruction;
 *   - loads and stores: UC_HOOK_MEM_READ / UC_HOOK_MEM_WRITE, before the access.
 * Fast path: the model's verdict for the elementary interval of its lookup index that an
 * allowed access fell in is cached per access kind (ok_lo/ok_hi), so most accesses cost two
 * compares; any write to an MPU register drops the cache. The exempt range (sim_exempt) an
 * access fell in is cached beside it (ex_lo/ex_hi), and kept across MPU writes: an exempt
 * image's own code, data and stack cost two more compares, not a slow check. Checks never
 * allocate or log.
 *
 * A fault detected in a hook sends the guest to the sentinel address, an exit of
 * uc_emu_start; Unicorn abandons the rest of the instruction (a load's destination register
 * and any base writeback stay as they were) but completes a store already started, so the
 * hook saves the bytes the store overwrites and the run loop puts them back.
 */
#include <string.h>

#include "sim/internal.h"

void sim_redirect(struct sim *s, uint64_t addr, int executed, uint64_t new_pc)
{
    /* The block hook counted the whole block; take back what will not run in it. */
    if (addr >= s->blk_start && addr < s->blk_end) {
        uint64_t tail = (s->blk_end - addr) / SIM_INSN_SIZE - (executed ? 1u : 0u);
        s->insns -= tail;
        s->blk_end = addr + (executed ? SIM_INSN_SIZE : 0u);
    }
    sim_set_pc(s, new_pc);
}

void sim_advance(struct sim *s, uint64_t pc)
{
    s->adv_pc = pc + SIM_INSN_SIZE;
    s->adv_end = s->blk_end;
    sim_set_pc(s, pc + SIM_INSN_SIZE);
}

void sim_leave(struct sim *s, uint64_t addr, int executed)
{
    sim_redirect(s, addr, executed, s->opt.sentinel);
}

void sim_stop_at(struct sim *s, enum sim_stop_kind k, uint64_t pc, int executed, const char *what)
{
    s->stop.kind = k;
    s->stop.pc = pc;
    snprintf(s->stop.what, sizeof s->stop.what, "%s", what ? what : "");
    s->pending = PENDING_STOP;
    sim_leave(s, pc, executed);
}

/* The exempt range holding [addr, addr + size), or -1. */
static int exempt_range(const struct sim *s, uint64_t addr, uint64_t size)
{
    uint64_t last = addr + (size ? size - 1 : 0);
    for (unsigned i = 0; i < s->nexempt; i++)
        if (addr >= s->exempt[i].base && last < s->exempt[i].limit && last >= addr)
            return (int)i;
    return -1;
}

int sim_exempted(const struct sim *s, uint64_t addr, uint64_t size)
{
    return exempt_range(s, addr, size) >= 0;
}

/* Remember that every access of kind acc in the lookup interval holding addr is allowed. */
static void cache_verdict(struct sim *s, enum mpu_acc acc, uint64_t addr, int region)
{
    uint64_t first, last;
    if (region < 0 || mpu_interval(&s->mpu, 2, addr, &first, &last) != region)
        return;
    s->ok_lo[acc] = first;
    s->ok_hi[acc] = last;
}

/* Slow path of a check: exemption, then the model. Returns the verdict. */
static struct mpu_result check_slow(struct sim *s, enum mpu_acc acc, uint64_t addr,
                                    uint64_t size)
{
    struct mpu_result r;
    int ex = exempt_range(s, addr, size);
    if (ex >= 0) { /* cached like a verdict: the next accesses in the range take the fast path */
        s->ex_lo[acc] = s->exempt[ex].base;
        s->ex_hi[acc] = s->exempt[ex].limit - 1;
        memset(&r, 0, sizeof r);
        r.fault = MPU_FAULT_NONE;
        r.region = -1;
        return r;
    }
    r = mpu_check(&s->mpu, addr, size, acc, 2);
    if (r.fault == MPU_FAULT_NONE)
        cache_verdict(s, acc, addr, r.region);
    return r;
}

static void record_fault(struct sim *s, enum mpu_acc acc, uint64_t addr, unsigned size,
                         uint64_t pc, const struct mpu_result *r)
{
    s->stop.kind = SIM_STOP_FAULT;
    s->stop.pc = pc;
    s->stop.acc = acc;
    s->stop.addr = addr;
    s->stop.size = size;
    s->stop.mpu = *r;
    s->stop.what[0] = '\0';
    s->fault_pc = pc;
    s->pending = PENDING_FAULT;
}

static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    (void)uc;
    struct sim *s = opaque;
    if (s->timing) /* before anything below moves blk_start/blk_end or adv_pc */
        sim_timing_enter_block(s, addr, size);
    if (s->adv_pc) { /* the block a system-register hook left was cut short after all */
        if (addr == s->adv_pc && s->adv_pc < s->adv_end)
            s->insns -= (s->adv_end - s->adv_pc) / SIM_INSN_SIZE;
        s->adv_pc = 0;
    }
    s->blk_start = addr;
    s->blk_end = addr + size;
    s->insns += size / SIM_INSN_SIZE;
    if (s->insns > s->budget && !s->budget_running) {
        /* Stop exactly at the budget: the instructions of this block that still fit run
         * instruction-counted (sim/call.c), then the run stops. */
        uint64_t before = s->insns - size / SIM_INSN_SIZE;
        if (before >= s->budget) {
            sim_stop_at(s, SIM_STOP_BUDGET, addr, 0, NULL);
            return;
        }
        s->budget_block = addr;
        s->budget_end = addr + size;
        s->budget_tail = s->budget - before;
        s->pending = PENDING_BUDGET;
        sim_leave(s, addr, 0);
        return;
    }
    if (!s->checking)
        return;
    uint64_t n = size ? size : SIM_INSN_SIZE;
    if ((addr >= s->ok_lo[MPU_ACC_EXEC] && addr + (n - 1) <= s->ok_hi[MPU_ACC_EXEC]) ||
        (addr >= s->ex_lo[MPU_ACC_EXEC] && addr + (n - 1) <= s->ex_hi[MPU_ACC_EXEC]))
        return;
    s->stats.fetch_checks++;
    if (s->straddle_running && addr == s->straddle_block)
        n = s->straddle_far - addr; /* instruction-counted run up to the faulting byte */
    struct mpu_result r = check_slow(s, MPU_ACC_EXEC, addr, n);
    if (r.fault == MPU_FAULT_NONE)
        return;
    if (r.far <= addr) { /* the first instruction of the block cannot be fetched */
        record_fault(s, MPU_ACC_EXEC, addr, SIM_INSN_SIZE, addr, &r);
        sim_leave(s, addr, 0);
        return;
    }
    /* executable up to r.far: run the block instruction-counted up to there (sim/call.c) */
    s->straddle_block = addr;
    s->straddle_far = r.far & ~(uint64_t)(SIM_INSN_SIZE - 1);
    s->pending = PENDING_STRADDLE;
    sim_leave(s, addr, 0);
}

static void on_data(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                    void *opaque)
{
    struct sim *s = opaque;
    if (s->exec)
        sim_exec_mem(s, type == UC_MEM_WRITE, addr, size > 0 ? (unsigned)size : 1u,
                     (uint64_t)value);
    if (!s->checking)
        return;
    enum mpu_acc acc = type == UC_MEM_WRITE ? MPU_ACC_WRITE : MPU_ACC_READ;
    uint64_t n = size > 0 ? (uint64_t)size : 1u;
    s->stats.data_checks++;
    if ((addr >= s->ok_lo[acc] && addr + (n - 1) <= s->ok_hi[acc]) ||
        (addr >= s->ex_lo[acc] && addr + (n - 1) <= s->ex_hi[acc]))
        return;
    struct mpu_result r = check_slow(s, acc, addr, n);
    if (r.fault == MPU_FAULT_NONE)
        return;
    uint64_t pc = sim_pc(s);
    record_fault(s, acc, addr, (unsigned)n, pc, &r);
    if (s->exec)
        sim_exec_abort(s);
    if (acc == MPU_ACC_WRITE && n <= sizeof s->undo &&
        uc_mem_read(uc, addr, s->undo, (size_t)n) == UC_ERR_OK) {
        s->undo_addr = addr; /* Unicorn completes the store: put these bytes back */
        s->undo_len = (unsigned)n;
    }
    sim_leave(s, pc, 0);
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                        void *opaque)
{
    (void)uc;
    (void)value;
    struct sim *s = opaque;
    const char *kind = type == UC_MEM_WRITE_UNMAPPED   ? "write to"
                       : type == UC_MEM_FETCH_UNMAPPED ? "instruction fetch from"
                                                       : "read from";
    uint64_t pc = type == UC_MEM_FETCH_UNMAPPED ? addr : sim_pc(s);
    s->stop.kind = SIM_STOP_EXCEPTION;
    s->stop.pc = pc;
    s->stop.addr = addr;
    s->stop.size = (unsigned)(size > 0 ? size : 0);
    snprintf(s->stop.what, sizeof s->stop.what, "%s unmapped address 0x%llx", kind,
             (unsigned long long)addr);
    s->pending = PENDING_STOP;
    return false; /* uc_emu_start returns an error; the run loop reports s->stop */
}

static uint64_t on_device_read(uc_engine *uc, uint64_t offset, unsigned size, void *opaque)
{
    (void)uc;
    (void)offset;
    (void)size;
    struct sim *s = opaque;
    s->stats.device_reads++;
    return 0;
}

static void on_device_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value,
                            void *opaque)
{
    (void)uc;
    (void)offset;
    (void)size;
    (void)value;
    struct sim *s = opaque;
    s->stats.device_writes++;
}

/* A device model's window. The memory hook (on_data) runs first: an access it found faulting
 * must not reach the device (Unicorn still completes it), so it is dropped here. */
static uint64_t on_model_read(uc_engine *uc, uint64_t offset, unsigned size, void *opaque)
{
    (void)uc;
    struct sim_devwin *w = opaque;
    if (w->s->pending == PENDING_FAULT)
        return 0;
    w->s->stats.device_reads++;
    return w->dev.read ? w->dev.read(w->dev.opaque, offset, size) : 0;
}

static void on_model_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value,
                           void *opaque)
{
    (void)uc;
    struct sim_devwin *w = opaque;
    if (w->s->pending == PENDING_FAULT)
        return;
    w->s->stats.device_writes++;
    if (w->dev.write)
        w->dev.write(w->dev.opaque, offset, size, value);
}

/* Map [base, base + size) as RAM, a plain device window, or the window of model devwin. */
static int map_range(struct sim *s, uint64_t base, uint64_t size, enum sim_window_kind kind,
                     struct sim_devwin *devwin, const char *what, struct mpusim_error *err)
{
    if (size == 0 || (base | size) & (SIM_PAGE - 1) || base + size < base)
        return mpusim_error_set(err, MPUSIM_E_RANGE,
                                "%s [0x%llx, +0x%llx): base and size must be non-zero multiples "
                                "of 4 KiB", what, (unsigned long long)base,
                                (unsigned long long)size);
    uint64_t sent = s->opt.sentinel;
    if (sent >= base && sent - base < size)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "%s [0x%llx, 0x%llx) covers the sentinel 0x%llx",
                                what, (unsigned long long)base, (unsigned long long)(base + size),
                                (unsigned long long)sent);
    for (unsigned i = 0; i < s->nmapped; i++)
        if (base < s->mapped[i].limit && s->mapped[i].base < base + size)
            return mpusim_error_set(err, MPUSIM_E_RANGE,
                                    "%s [0x%llx, 0x%llx) overlaps the %s [0x%llx, 0x%llx)", what,
                                    (unsigned long long)base, (unsigned long long)(base + size),
                                    s->mapped[i].what, (unsigned long long)s->mapped[i].base,
                                    (unsigned long long)s->mapped[i].limit);
    if (s->nmapped == SIM_MAX_MAPPED)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "%s: more than %d mapped ranges", what,
                                SIM_MAX_MAPPED);
    uc_err e = devwin ? uc_mmio_map(s->uc, base, size, on_model_read, devwin, on_model_write,
                                    devwin)
               : kind == SIM_WINDOW_DEVICE
                   ? uc_mmio_map(s->uc, base, size, on_device_read, s, on_device_write, s)
                   : uc_mem_map(s->uc, base, size, UC_PROT_ALL);
    if (e != UC_ERR_OK)
        return mpusim_error_set(err, e == UC_ERR_MAP ? MPUSIM_E_RANGE : MPUSIM_E_ENGINE,
                                "%s [0x%llx, 0x%llx): %s", what, (unsigned long long)base,
                                (unsigned long long)(base + size),
                                e == UC_ERR_MAP ? "overlaps memory already mapped"
                                                : uc_strerror(e));
    s->mapped[s->nmapped].base = base;
    s->mapped[s->nmapped].limit = base + size;
    snprintf(s->mapped[s->nmapped].what, sizeof s->mapped[s->nmapped].what, "%s", what);
    s->nmapped++;
    return 0;
}

int sim_mem_map(struct sim *s, uint64_t base, uint64_t size, enum sim_window_kind kind,
                const char *what, struct mpusim_error *err)
{
    return map_range(s, base, size, kind, NULL, what, err);
}

int sim_map_device(struct sim *s, uint64_t base, uint64_t size, const struct sim_device *dev,
                   struct mpusim_error *err)
{
    const char *name = dev->name ? dev->name : "device";
    if (s->ndev == SIM_MAX_DEVICES)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "%s: more than %d device models", name,
                                SIM_MAX_DEVICES);
    struct sim_devwin *w = &s->dev[s->ndev];
    *w = (struct sim_devwin){ .s = s, .base = base, .size = size, .dev = *dev };
    if (map_range(s, base, size, SIM_WINDOW_DEVICE, w, name, err) != 0)
        return -1;
    s->ndev++;
    return 0;
}

int sim_mem_install(struct sim *s, struct mpusim_error *err)
{
    uc_hook h;
    uc_err e = uc_hook_add(s->uc, &h, UC_HOOK_BLOCK, (void *)on_block, s, 1, 0);
    if (e == UC_ERR_OK)
        e = uc_hook_add(s->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)on_data, s, 1,
                        0);
    if (e == UC_ERR_OK)
        e = uc_hook_add(s->uc, &h, UC_HOOK_MEM_UNMAPPED, (void *)on_unmapped, s, 1, 0);
    if (e != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "installing the memory hooks: %s",
                                uc_strerror(e));
    return 0;
}

int sim_mem_read(struct sim *s, uint64_t addr, void *buf, size_t len, struct mpusim_error *err)
{
    if (uc_mem_read(s->uc, addr, buf, len) != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "guest memory [0x%llx, +%zu) is not mapped",
                                (unsigned long long)addr, len);
    return 0;
}

int sim_mem_write(struct sim *s, uint64_t addr, const void *buf, size_t len,
                  struct mpusim_error *err)
{
    if (uc_mem_write(s->uc, addr, buf, len) != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "guest memory [0x%llx, +%zu) is not mapped",
                                (unsigned long long)addr, len);
    return 0;
}
