/* Names of faults and FSC models, region views and the region-table dump. */
#include <stdio.h>
#include <string.h>

#include "mpu_model/internal.h"

static const char *const fault_names[MPU_FAULT_COUNT] = {
    "none", "permission", "no_region", "multiple_regions",
};
static const char *const fsc_names[MPU_FSC_MODEL_COUNT] = { "translation", "qemu", "renode" };

const char *mpu_fault_name(enum mpu_fault f)
{
    return (unsigned)f < MPU_FAULT_COUNT ? fault_names[f] : "?";
}

int mpu_fault_from_name(const char *name)
{
    for (int i = 0; i < MPU_FAULT_COUNT; i++)
        if (strcmp(name, fault_names[i]) == 0)
            return i;
    return -1;
}

const char *mpu_fsc_model_name(enum mpu_fsc_model f)
{
    return (unsigned)f < MPU_FSC_MODEL_COUNT ? fsc_names[f] : "?";
}

int mpu_fsc_model_from_name(const char *name)
{
    for (int i = 0; i < MPU_FSC_MODEL_COUNT; i++)
        if (strcmp(name, fsc_names[i]) == 0)
            return i;
    return -1;
}

const struct mpu_unit *mpu_unit_of(const struct mpu *m, unsigned el)
{
    return el == 2 ? &m->el2 : &m->el1;
}

struct mpu_region_view mpu_region(const struct mpu *m, unsigned el, unsigned i)
{
    const struct mpu_unit *u = mpu_unit_of(m, el);
    struct mpu_region_view v = { 0, 0, 0, 0, 0, 0, 0 };
    if (i >= u->nregions)
        return v;
    uint64_t b = u->prbar[i], l = u->prlar[i];
    v.enabled = prlar_en(l);
    v.base = prbar_base(b);
    v.last = prlar_last(l);
    v.ap = (unsigned)field64(b, PRBAR_AP_LSB, 2);
    v.xn = (unsigned)field64(b, PRBAR_XN_LSB, 2);
    v.sh = (unsigned)field64(b, PRBAR_SH_LSB, 2);
    v.attrindx = (unsigned)field64(l, PRLAR_ATTRINDX_LSB, 3);
    return v;
}

size_t mpu_dump(const struct mpu *m, unsigned el, char *buf, size_t cap)
{
    static const char *const ap_names[4] = { "RW", "RW/EL0", "RO", "RO/EL0" };
    const struct mpu_unit *u = mpu_unit_of(m, el);
    size_t n = 0;
    if (cap)
        buf[0] = '\0';
    for (unsigned i = 0; i < u->nregions; i++) {
        struct mpu_region_view v = mpu_region(m, el, i);
        int w = snprintf(n < cap ? buf + n : NULL, n < cap ? cap - n : 0,
                         "%3u %s 0x%012llx..0x%012llx %-6s %s sh%u ai%u\n", i,
                         v.enabled ? "en " : "dis", (unsigned long long)v.base,
                         (unsigned long long)v.last, ap_names[v.ap & 3],
                         (v.xn & 2) ? "XN" : "X ", v.sh, v.attrindx);
        if (w > 0)
            n += (size_t)w;
    }
    return n;
}
