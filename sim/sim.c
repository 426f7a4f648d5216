/* The engine's lifecycle and accessors: Unicorn with the CPU model that has the most
 * features, the MPU model, the hooks, the stack and windows of the options. */
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

void sim_options_default(struct sim_options *o)
{
    memset(o, 0, sizeof *o);
    o->mpu.regions_el2 = 16;
    o->mpu.regions_el1 = 16;
    o->mpu.fsc = MPU_FSC_TRANSLATION;
    o->stack_base = SIM_DEFAULT_STACK_BASE;
    o->stack_size = SIM_DEFAULT_STACK_SIZE;
    o->budget = SIM_DEFAULT_BUDGET;
    o->deliver_faults = 1;
    o->sentinel = SIM_DEFAULT_SENTINEL;
}

struct sim *sim_new(const struct sim_options *opt, struct mpusim_error *err)
{
    if (opt->nwindows > SIM_MAX_WINDOWS) {
        mpusim_error_set(err, MPUSIM_E_RANGE, "%u windows: at most %d", opt->nwindows,
                         SIM_MAX_WINDOWS);
        return NULL;
    }
    if (opt->sentinel & (SIM_PAGE - 1)) {
        mpusim_error_set(err, MPUSIM_E_RANGE, "sentinel 0x%llx is not 4 KiB aligned",
                         (unsigned long long)opt->sentinel);
        return NULL;
    }
    struct sim *s = calloc(1, sizeof *s);
    if (!s) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory for the guest engine");
        return NULL;
    }
    s->opt = *opt;
    s->elf.dwarf_fd = -1;
    for (int a = 0; a < 3; a++) { /* no exempt range seen yet */
        s->ex_lo[a] = 1;
        s->ex_hi[a] = 0;
    }
    if (s->opt.budget == 0)
        s->opt.budget = SIM_DEFAULT_BUDGET;
    if (mpu_init(&s->mpu, &opt->mpu) != 0) {
        mpusim_error_set(err, MPUSIM_E_RANGE, "bad MPU configuration (%u/%u regions)",
                         opt->mpu.regions_el2, opt->mpu.regions_el1);
        goto fail;
    }
    uc_err e = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &s->uc);
    if (e == UC_ERR_OK)
        e = uc_ctl_set_cpu_model(s->uc, UC_CPU_ARM64_MAX);
    if (e == UC_ERR_OK)
        e = uc_ctl_exits_enable(s->uc);
    if (e != UC_ERR_OK) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "Unicorn AArch64: %s", uc_strerror(e));
        goto fail;
    }
    if (opt->timing && opt->bare) {
        mpusim_error_set(err, MPUSIM_E_RANGE, "the timing model needs the hooks: not with bare");
        goto fail;
    }
    if (opt->timing && sim_timing_new(s, err) != 0) /* sim/mem.c's block hook calls it */
        goto fail;
    if (!opt->bare && (sim_el2_install(s, err) != 0 || sim_mem_install(s, err) != 0 ||
                       sim_exception_install(s, err) != 0))
        goto fail;
    if (opt->on_exec && (opt->bare || sim_exec_new(s, err) != 0)) {
        mpusim_error_set(err, MPUSIM_E_RANGE, "the execution report needs the hooks: not with bare");
        goto fail;
    }
    if (opt->stack_size) {
        if (sim_mem_map(s, opt->stack_base, opt->stack_size, SIM_WINDOW_RAM, "stack window",
                        err) != 0)
            goto fail;
        s->call_sp = opt->stack_base + opt->stack_size;
    }
    for (unsigned i = 0; i < opt->nwindows; i++)
        if (sim_mem_map(s, opt->window[i].base, opt->window[i].size, opt->window[i].kind,
                        opt->window[i].what                      ? opt->window[i].what
                        : opt->window[i].kind == SIM_WINDOW_DEVICE ? "device window"
                                                                   : "RAM window",
                        err) != 0)
            goto fail;
    s->last_vector = UINT64_MAX;
    return s;
fail:
    sim_free(s);
    return NULL;
}

void sim_free(struct sim *s)
{
    if (!s)
        return;
    if (s->uc)
        uc_close(s->uc);
    sim_timing_free(s);
    sim_board_free(s);
    sim_watch_free(s);
    sim_exec_free(s);
    sim_elf_fini(&s->elf);
    free(s);
}

struct mpu *sim_mpu(struct sim *s) { return &s->mpu; }
void sim_mpu_write(struct sim *s, int id, uint64_t value)
{
    mpu_write(&s->mpu, id, value);
    sim_mpu_changed(s);
}

void sim_mpu_reload(struct sim *s) { sim_mpu_changed(s); }

const struct sim_stats *sim_stats(const struct sim *s) { return &s->stats; }
const struct sim_stop *sim_last_stop(const struct sim *s) { return &s->stop; }

static int reg_id(unsigned n)
{
    if (n <= 28)
        return UC_ARM64_REG_X0 + (int)n;
    if (n == 29)
        return UC_ARM64_REG_X29;
    if (n == 30)
        return UC_ARM64_REG_X30;
    if (n == 31)
        return UC_ARM64_REG_SP;
    if (n == 32)
        return UC_ARM64_REG_PC;
    return -1;
}

int sim_reg_write(struct sim *s, unsigned n, uint64_t value, struct mpusim_error *err)
{
    int id = reg_id(n);
    if (id < 0)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "register %u: 0..30 are X0..X30, 31 SP, 32 PC",
                                n);
    if (uc_reg_write(s->uc, id, &value) != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "writing register %u failed", n);
    return 0;
}

int sim_reg_read(struct sim *s, unsigned n, uint64_t *value, struct mpusim_error *err)
{
    int id = reg_id(n);
    if (id < 0)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "register %u: 0..30 are X0..X30, 31 SP, 32 PC",
                                n);
    *value = 0;
    if (uc_reg_read(s->uc, id, value) != UC_ERR_OK)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "reading register %u failed", n);
    return 0;
}

int sim_exempt(struct sim *s, uint64_t base, uint64_t limit, struct mpusim_error *err)
{
    if (limit <= base)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "exempt range [0x%llx, 0x%llx) is empty",
                                (unsigned long long)base, (unsigned long long)limit);
    if (s->nexempt == SIM_MAX_EXEMPT)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "more than %d exempt ranges", SIM_MAX_EXEMPT);
    s->exempt[s->nexempt].base = base;
    s->exempt[s->nexempt].limit = limit;
    s->nexempt++;
    sim_mpu_changed(s);
    return 0;
}

int sim_exempt_image(struct sim *s, struct mpusim_error *err)
{
    if (!s->elf.loaded)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "no ELF loaded");
    uint64_t lo = UINT64_MAX, hi = 0; /* one range over all segments: the image's footprint */
    for (unsigned i = 0; i < s->elf.nseg; i++) {
        if (s->elf.seg[i].base < lo)
            lo = s->elf.seg[i].base;
        if (s->elf.seg[i].limit > hi)
            hi = s->elf.seg[i].limit;
    }
    if (sim_exempt(s, lo, hi, err) != 0)
        return -1;
    if (s->opt.stack_size)
        return sim_exempt(s, s->opt.stack_base, s->opt.stack_base + s->opt.stack_size, err);
    return 0;
}

const char *sim_stop_kind_name(enum sim_stop_kind k)
{
    switch (k) {
    case SIM_STOP_NONE:
        return "none";
    case SIM_STOP_RETURNED:
        return "returned";
    case SIM_STOP_UNTIL:
        return "until";
    case SIM_STOP_EXIT:
        return "exit";
    case SIM_STOP_FAULT:
        return "fault";
    case SIM_STOP_BUDGET:
        return "budget";
    case SIM_STOP_EXCEPTION:
        return "exception";
    case SIM_STOP_IDLE:
        return "idle";
    case SIM_STOP_POWER:
        return "power";
    case SIM_STOP_PANIC:
        return "panic";
    default:
        return "?";
    }
}
