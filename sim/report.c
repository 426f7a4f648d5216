/* The human report of a stop: where (symbol+offset, the instruction disassembled with
 * capstone), what (fault cause, access, syndrome), and the regions involved. */
#include <capstone/capstone.h>
#include <stdarg.h>
#include <string.h>

#include "sim/internal.h"

struct out {
    char *buf;
    size_t cap, n; /* n: length the full text needs so far */
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(o->n < o->cap ? o->buf + o->n : NULL, o->n < o->cap ? o->cap - o->n : 0,
                      fmt, ap);
    va_end(ap);
    if (w > 0)
        o->n += (size_t)w;
}

char *sim_disassemble(const struct sim *s, uint64_t pc, char *buf, size_t cap)
{
    if (cap)
        buf[0] = '\0';
    uint8_t code[4];
    if (uc_mem_read(s->uc, pc, code, sizeof code) != UC_ERR_OK)
        return buf;
    csh h;
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h) != CS_ERR_OK)
        return buf;
    cs_insn *insn = NULL;
    if (cs_disasm(h, code, sizeof code, pc, 1, &insn) == 1)
        snprintf(buf, cap, "%s %s", insn->mnemonic, insn->op_str);
    if (insn)
        cs_free(insn, 1);
    cs_close(&h);
    return buf;
}

static const char *acc_name(enum mpu_acc a)
{
    return a == MPU_ACC_READ ? "read" : a == MPU_ACC_WRITE ? "write" : "instruction fetch";
}

static void put_region(struct out *o, const struct sim *s, int i)
{
    const struct mpu_unit *u = mpu_unit_of(&s->mpu, 2);
    if (i < 0 || (unsigned)i >= u->nregions)
        return;
    struct mpu_region_view v = mpu_region(&s->mpu, 2, (unsigned)i);
    put(o, "  region %d: [0x%llx, 0x%llx] AP=%u XN=%u AttrIndx=%u%s\n", i,
        (unsigned long long)v.base, (unsigned long long)v.last, v.ap, v.xn, v.attrindx,
        v.enabled ? "" : " (disabled)");
}

size_t sim_stop_format(const struct sim *s, const struct sim_stop *st, char *buf, size_t cap)
{
    struct out o = { buf, cap, 0 };
    if (cap)
        buf[0] = '\0';
    char where[160], insn[200];
    sim_symbolize(s, st->pc, where, sizeof where);
    sim_disassemble(s, st->pc, insn, sizeof insn);
    char line[300];
    sim_source_line(s, st->pc, line, sizeof line);
    switch (st->kind) {
    case SIM_STOP_NONE:
        put(&o, "nothing ran\n");
        return o.n;
    case SIM_STOP_RETURNED:
        put(&o, "returned after %llu instructions\n", (unsigned long long)st->insns);
        return o.n;
    case SIM_STOP_UNTIL:
        put(&o, "reached %s after %llu instructions\n", where, (unsigned long long)st->insns);
        return o.n;
    case SIM_STOP_EXIT:
        put(&o, "guest exited with code %lld at %s after %llu instructions\n",
            (long long)st->exit_code, where, (unsigned long long)st->insns);
        return o.n;
    case SIM_STOP_BUDGET:
        put(&o, "instruction budget exhausted after %llu instructions\n",
            (unsigned long long)st->insns);
        break;
    case SIM_STOP_FAULT:
        put(&o, "MPU fault: %s\n", mpu_fault_name(st->mpu.fault));
        break;
    default:
        put(&o, "stopped: %s\n", st->what[0] ? st->what : sim_stop_kind_name(st->kind));
        break;
    }
    put(&o, "  pc: %s (0x%llx)%s%s\n", where, (unsigned long long)st->pc, insn[0] ? ": " : "",
        insn);
    if (line[0])
        put(&o, "  source: %s\n", line);
    if (st->kind != SIM_STOP_FAULT)
        return o.n;
    put(&o, "  access: %s of %u bytes at 0x%llx\n", acc_name(st->acc), st->size,
        (unsigned long long)st->addr);
    put(&o, "  ESR_EL2 0x%llx (FSC 0x%02x)  FAR_EL2 0x%llx\n", (unsigned long long)st->mpu.esr,
        st->mpu.fsc, (unsigned long long)st->mpu.far);
    switch (st->mpu.fault) {
    case MPU_FAULT_PERMISSION:
        if (st->mpu.region >= 0) {
            put(&o, "  matching region forbids the access:\n");
            put_region(&o, s, st->mpu.region);
        } else {
            put(&o, "  no region matched; the background map forbids the access\n");
        }
        break;
    case MPU_FAULT_NO_REGION:
        put(&o, "  no enabled EL2 MPU region contains 0x%llx (and SCTLR_EL2.BR = 0)\n",
            (unsigned long long)st->mpu.far);
        break;
    case MPU_FAULT_MULTIPLE_REGIONS:
        put(&o, "  two or more enabled regions match (PMSAv8: always a fault):\n");
        put_region(&o, s, st->mpu.region >= 0 ? st->mpu.region : -1);
        put_region(&o, s, st->mpu.region2);
        break;
    default:
        break;
    }
    return o.n;
}
