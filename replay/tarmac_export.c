/* Tarmac export: struct sim_exec records to Tarmac lines (replay/tarmac_export.h). */
#include "replay/tarmac_export.h"
#include "tarmac/tarmac.h"

#include <errno.h>
#include <string.h>

void tarmac_export_init(struct tarmac_export *x, FILE *f, const char *path, int timing)
{
    x->f = f;
    x->path = path;
    x->io_errno = 0;
    x->timing = timing;
    x->started = 0;
    x->io_error = 0;
    x->insns = 0;
    x->used = 0;
}

static void drain(struct tarmac_export *x)
{
    if (x->used && fwrite(x->buf, 1, x->used, x->f) != x->used && !x->io_error) {
        x->io_error = 1;
        x->io_errno = errno;
    }
    x->used = 0;
}

/* Room for one more line at the end of buf (formatted there in place). */
static char *line_at(struct tarmac_export *x)
{
    if (TARMAC_EXPORT_BUF - x->used < TARMAC_LINE_CAP)
        drain(x);
    return x->buf + x->used;
}

#define PUT(call)                                                                                \
    do {                                                                                         \
        char *line = line_at(x);                                                                 \
        x->used += (call);                                                                       \
    } while (0)

static void reg_name(char *buf, size_t cap, unsigned reg)
{
    if (reg < 31)
        snprintf(buf, cap, "X%u", reg);
    else if (reg == 31)
        snprintf(buf, cap, "SP_EL2");
    else
        snprintf(buf, cap, "CPSR");
}

void tarmac_export_exec(void *opaque, const struct sim_exec *e)
{
    struct tarmac_export *x = opaque;
    char name[48];
    if (!x->f)
        return;
    if (!x->started) {
        x->started = 1;
        uint64_t mpuir = mpu_unit_of(e->mpu, 2)->nregions;
        PUT(tarmac_format_reg(line, 0, "MPUIR_EL2", mpuir, 16));
    }
    uint64_t ts = x->timing ? e->cycles : e->index;
    if (e->has_insn) {
        PUT(tarmac_format_insn(line, ts, e->index + 1, e->pc, e->enc, "EL2h",
                                        e->disasm));
        x->insns++;
    }
    for (unsigned i = 0; i < e->nmem; i++) {
        unsigned size = e->mem[i].size;
        if (size != 1 && size != 2 && size != 4 && size != 8) { /* in 8-byte pieces */
            for (unsigned off = 0; off < size; off += 8)
                PUT(tarmac_format_mem(line, ts, e->mem[i].write, 8, e->mem[i].addr + off,
                                               e->mem[i].addr + off, 0, e->mem[i].aborted));
            continue;
        }
        PUT(tarmac_format_mem(line, ts, e->mem[i].write, size, e->mem[i].addr,
                                       e->mem[i].addr, e->mem[i].value, e->mem[i].aborted));
    }
    for (unsigned i = 0; i < e->nregs; i++) {
        reg_name(name, sizeof name, e->regs[i].reg);
        PUT(tarmac_format_reg(line, ts, name, e->regs[i].value,
                                       e->regs[i].reg == SIM_EXEC_NZCV ? 8 : 16));
    }
    for (unsigned i = 0; i < e->nsys; i++) {
        unsigned c = e->sys[i].enc;
        if (e->sys[i].name)
            snprintf(name, sizeof name, "%s", e->sys[i].name);
        else
            snprintf(name, sizeof name, "S%u_%u_C%u_C%u_%u", c >> 14, (c >> 11) & 7, (c >> 7) & 15,
                     (c >> 3) & 15, c & 7);
        PUT(tarmac_format_reg(line, ts, name, e->sys[i].value, 16));
    }
    if (e->exception) {
        char text[96];
        snprintf(text, sizeof text, "EXC 0x%llx synchronous exception taken to EL2",
                 (unsigned long long)e->vector);
        PUT(tarmac_format_event(line, ts, text));
        PUT(tarmac_format_reg(line, ts, "ESR_EL2", e->esr, 16));
        PUT(tarmac_format_reg(line, ts, "FAR_EL2", e->far, 16));
        PUT(tarmac_format_reg(line, ts, "ELR_EL2", e->elr, 16));
        PUT(tarmac_format_reg(line, ts, "SPSR_EL2", e->spsr, 16));
    }
}

int tarmac_export_finish(struct tarmac_export *x, struct mpusim_error *err)
{
    if (x->f)
        drain(x);
    if (x->f && (fflush(x->f) != 0 || ferror(x->f)) && !x->io_error) {
        x->io_error = 1;
        x->io_errno = errno;
    }
    if (x->io_error)
        return mpusim_error_at(err, MPUSIM_E_IO, x->path ? x->path : "<tarmac>", -1, -1, -1,
                               "Tarmac export: write failed: %s",
                               x->io_errno ? strerror(x->io_errno) : "I/O error");
    return 0;
}
