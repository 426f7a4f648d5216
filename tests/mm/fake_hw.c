/* The fake EL2 MPU of fake_hw.h. */
#include "tests/mm/fake_hw.h"

#include <stdio.h>
#include <string.h>

#define PRENR_BITS 32u

void fake_hw_init(struct fake_hw *f, unsigned nregions)
{
    memset(f, 0, sizeof *f);
    f->r.nregions = nregions;
    f->r.sctlr = 1ull << 17; /* BR set, MPU off */
}

static void record(struct fake_hw *f, struct fake_event e)
{
    if (f->nlog < FAKE_LOG_CAP)
        f->log[f->nlog] = e;
    f->nlog++;
}

/* Region reached by PRBAR<n>/PRLAR<n>, or -1 if not implemented. */
static int region_of_alias(const struct fake_hw *f, unsigned n)
{
    unsigned r = n == 0 ? (unsigned)f->r.prselr : (((unsigned)f->r.prselr & 0xF0u) | n);
    return r < f->r.nregions ? (int)r : -1;
}

/* Decode a PRBAR<n>/PRLAR<n> encoding: returns n (0..15) and sets *lar, or -1. */
static int alias_of(unsigned enc, int *lar)
{
    for (unsigned n = 0; n < 16; n++) {
        if (enc == MM_PRBAR_EL2(n)) {
            *lar = 0;
            return (int)n;
        }
        if (enc == MM_PRLAR_EL2(n)) {
            *lar = 1;
            return (int)n;
        }
    }
    return -1;
}

static uint64_t fake_read(void *opaque, unsigned enc)
{
    struct fake_hw *f = opaque;
    uint64_t v = 0;
    int lar, n;
    if (enc == MM_MPUIR_EL2) {
        v = f->r.nregions & 0xFFu;
    } else if (enc == MM_PRSELR_EL2) {
        v = f->r.prselr;
    } else if (enc == MM_SCTLR_EL2) {
        v = f->r.sctlr;
    } else if (enc == MM_PRENR_EL2) {
        unsigned k = f->r.nregions < PRENR_BITS ? f->r.nregions : PRENR_BITS;
        for (unsigned i = 0; i < k; i++)
            v |= (f->r.prlar[i] & 1u) << i;
    } else if ((n = alias_of(enc, &lar)) >= 0) {
        int r = region_of_alias(f, (unsigned)n);
        if (r < 0)
            f->bad_accesses++;
        else
            v = lar ? f->r.prlar[r] : f->r.prbar[r];
    } else {
        f->bad_accesses++;
    }
    record(f, (struct fake_event){ .op = FAKE_READ, .enc = enc, .value = v });
    return v;
}

static void fake_write(void *opaque, unsigned enc, uint64_t value)
{
    struct fake_hw *f = opaque;
    int lar, n;
    record(f, (struct fake_event){ .op = FAKE_WRITE, .enc = enc, .value = value });
    if (enc == MM_PRSELR_EL2) {
        if ((value & 0xFFu) >= f->r.nregions)
            f->bad_accesses++;
        else
            f->r.prselr = value & 0xFFu;
    } else if (enc == MM_SCTLR_EL2) {
        f->r.sctlr = value;
    } else if (enc == MM_PRENR_EL2) {
        unsigned k = f->r.nregions < PRENR_BITS ? f->r.nregions : PRENR_BITS;
        for (unsigned i = 0; i < k; i++)
            f->r.prlar[i] = (f->r.prlar[i] & ~1ull) | ((value >> i) & 1u);
    } else if ((n = alias_of(enc, &lar)) >= 0) {
        int r = region_of_alias(f, (unsigned)n);
        if (r < 0)
            f->bad_accesses++;
        else if (lar)
            f->r.prlar[r] = value;
        else
            f->r.prbar[r] = value;
    } else {
        f->bad_accesses++;
    }
}

static void fake_barrier(void *opaque, enum mm_barrier b)
{
    struct fake_hw *f = opaque;
    record(f, (struct fake_event){ .op = b == MM_DSB_SY ? FAKE_DSB : FAKE_ISB });
}

static void fake_log(void *opaque, enum mm_msg id, uint64_t a, uint64_t b, uint64_t c,
                     uint64_t d)
{
    struct fake_hw *f = opaque;
    if ((unsigned)id < MM_MSG_COUNT)
        f->msg_count[id]++;
    record(f, (struct fake_event){ .op = FAKE_MSG, .msg = id, .arg = { a, b, c, d } });
}

struct mm_hw fake_hw_bind(struct fake_hw *f)
{
    struct mm_hw hw = { fake_read, fake_write, fake_barrier, fake_log, f, NULL };
    return hw;
}

void fake_hw_clear_log(struct fake_hw *f)
{
    f->nlog = 0;
}

size_t fake_hw_count(const struct fake_hw *f, enum fake_op op, unsigned enc)
{
    size_t n = 0, lim = f->nlog < FAKE_LOG_CAP ? f->nlog : FAKE_LOG_CAP;
    for (size_t i = 0; i < lim; i++)
        if (f->log[i].op == op && ((op != FAKE_READ && op != FAKE_WRITE) || f->log[i].enc == enc))
            n++;
    return n;
}

size_t fake_hw_msgs(const struct fake_hw *f, enum mm_msg id)
{
    size_t n = 0, lim = f->nlog < FAKE_LOG_CAP ? f->nlog : FAKE_LOG_CAP;
    for (size_t i = 0; i < lim; i++)
        if (f->log[i].op == FAKE_MSG && f->log[i].msg == id)
            n++;
    return n;
}

static const char *reg_name(unsigned enc, char *tmp, size_t cap)
{
    int lar, n;
    if (enc == MM_MPUIR_EL2)
        return "MPUIR";
    if (enc == MM_PRSELR_EL2)
        return "PRSELR";
    if (enc == MM_PRENR_EL2)
        return "PRENR";
    if (enc == MM_SCTLR_EL2)
        return "SCTLR";
    if ((n = alias_of(enc, &lar)) >= 0) {
        if (n == 0)
            snprintf(tmp, cap, "%s", lar ? "PRLAR" : "PRBAR");
        else
            snprintf(tmp, cap, "%s%d", lar ? "PRLAR" : "PRBAR", n);
        return tmp;
    }
    snprintf(tmp, cap, "enc%#x", enc);
    return tmp;
}

static const char *render(const struct fake_hw *f, char *buf, size_t cap, int writes_only)
{
    size_t len = 0, lim = f->nlog < FAKE_LOG_CAP ? f->nlog : FAKE_LOG_CAP;
    buf[0] = '\0';
    for (size_t i = 0; i < lim && len < cap; i++) {
        const struct fake_event *e = &f->log[i];
        char tmp[24];
        int k = 0;
        switch (e->op) {
        case FAKE_READ:
            if (!writes_only)
                k = snprintf(buf + len, cap - len, "R %s 0x%llx\n", reg_name(e->enc, tmp, sizeof tmp),
                             (unsigned long long)e->value);
            break;
        case FAKE_WRITE:
            k = snprintf(buf + len, cap - len, "W %s 0x%llx\n", reg_name(e->enc, tmp, sizeof tmp),
                         (unsigned long long)e->value);
            break;
        case FAKE_DSB: k = snprintf(buf + len, cap - len, "DSB SY\n"); break;
        case FAKE_ISB: k = snprintf(buf + len, cap - len, "ISB\n"); break;
        case FAKE_MSG:
            if (!writes_only)
                k = snprintf(buf + len, cap - len, "MSG %s\n", mm_msg_name(e->msg));
            break;
        }
        if (k > 0)
            len += (size_t)k;
    }
    return buf;
}

const char *fake_hw_log_str(const struct fake_hw *f, char *buf, size_t cap)
{
    return render(f, buf, cap, 0);
}

const char *fake_hw_writes_str(const struct fake_hw *f, char *buf, size_t cap)
{
    return render(f, buf, cap, 1);
}
