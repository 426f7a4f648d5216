/* The bao variant in the native engine: one EL2 MPU model per CPU, mm/'s configuration from
 * the trace's "bao" header (or the translation of a plain trace's boot regions), its events
 * (docs/trace-format.md, "Bao events") and its per-CPU expectations and outputs. */
#include "replay/replay.h"

#include <stdlib.h>
#include <string.h>

struct mpu *replay_bao_mpu(struct replay *r, unsigned cpu)
{
    return cpu == 0 || cpu >= r->bao_ncpus ? &r->mpu : &r->bao_mpu[cpu - 1];
}

/* Bao runs its guests with HCR_EL2.VM set: an EL1 access is checked against the EL2 MPU as
 * stage 2 (the EL1 MPU stays off). Not a write of the algorithm: not counted. */
static void guest_stage2(struct mpu *m)
{
    mpu_write(m, MPU_REG_HCR_EL2, 1ull << HCR_VM_BIT);
    mpu_set_prselr_select(m, 1); /* the fixtures' register model */
}

int replay_bao_setup(struct replay *r, struct mpusim_error *err)
{
    const struct trace *t = r->trace;
    struct mm_bao_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.implemented = r->mpu.el2.nregions;
    cfg.ncpus = 1;
    if (t->bao) {
        cfg.ncpus = t->bao->ncpus;
        cfg.image_base = t->bao->image_base;
        cfg.image_limit = t->bao->image_limit;
        cfg.image_load_end = t->bao->image_load_end;
        cfg.image_noload = t->bao->image_noload;
        cfg.non_unified = t->bao->non_unified;
        for (unsigned c = 0; c < t->bao->ncpus && c < MM_BAO_CPUS; c++)
            cfg.cpu_struct[c] = t->bao->cpu_struct[c];
        cfg.cpu_struct_size = t->bao->cpu_struct_size;
    }
    r->bao_ncpus = cfg.ncpus;
    guest_stage2(&r->mpu);
    if (cfg.ncpus > 1) {
        r->bao_mpu = calloc(cfg.ncpus - 1, sizeof *r->bao_mpu);
        if (!r->bao_mpu)
            return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
        for (unsigned c = 1; c < cfg.ncpus; c++) {
            if (mpu_init(&r->bao_mpu[c - 1], &r->mpu.cfg) != 0)
                return mpusim_error_set(err, MPUSIM_E_RANGE, "bad MPU configuration");
            guest_stage2(&r->bao_mpu[c - 1]);
        }
    }
    mm_bao_setup(&r->mm, &cfg);
    if (t->bao)
        return 0; /* each CPU boots with its cpu_boot event */
    struct mm_boot_region br[MPU_MAX_REGIONS];
    unsigned n = 0;
    for (unsigned i = 0; i < t->nboot && n < MPU_MAX_REGIONS; i++)
        br[n++] = (struct mm_boot_region){ t->boot[i].base, t->boot[i].limit, t->boot[i].flags };
    int rc = mm_bao_boot_translated(&r->mm, br, n);
    if (rc != 0)
        return mpusim_error_at(err, MPUSIM_E_RANGE, t->source, -1, -1, -1,
                               "bao boot: the %u boot regions stop Bao (rc %d)", t->nboot, rc);
    return 0;
}

void replay_bao_free(struct replay *r)
{
    free(r->bao_mpu);
    r->bao_mpu = NULL;
}

static unsigned as_arg(uint64_t as)
{
    return as == TRACE_AS_HYP ? MM_BAO_AS_HYP : (unsigned)as;
}

int replay_bao_event(struct replay *r, const struct trace_event *ev)
{
    struct mm_ctx *mm = &r->mm;
    switch (ev->op) {
    case TRACE_OP_CPU_BOOT:
        return mm_bao_cpu_boot(mm, ev->cpu);
    case TRACE_OP_VM_CREATE:
        return mm_bao_vm_create(mm, (unsigned)ev->as, ev->cpus);
    case TRACE_OP_MAP:
        return mm_bao_map(mm, ev->cpu, as_arg(ev->as), ev->base, ev->limit, ev->flags, ev->opts);
    case TRACE_OP_UNMAP:
        return mm_bao_unmap(mm, ev->cpu, as_arg(ev->as), ev->base, ev->limit,
                            (ev->opts & MM_BAO_OPT_BROADCAST) != 0);
    case TRACE_OP_MAP_CPY:
        return mm_bao_map_cpy(mm, ev->cpu, as_arg(ev->as), as_arg(ev->to_as), ev->opts >> 8,
                              ev->base, ev->limit);
    case TRACE_OP_VM_ENTRY:
        return mm_bao_vm_entry(mm, ev->cpu);
    case TRACE_OP_VM_EXIT:
        return mm_bao_vm_exit(mm, ev->cpu);
    default:
        return MM_EINVAL;
    }
}

void replay_bao_counts(struct replay *r)
{
    for (unsigned c = 0; c < r->bao_ncpus && c < MM_BAO_CPUS; c++) {
        r->bao_counts[c][0] = mm_bao_hyp_entries(&r->mm, c);
        r->bao_counts[c][1] = mm_bao_vm_entries(&r->mm, c);
        r->bao_counts[c][2] = mm_bao_allocated(&r->mm, c);
    }
}

/* CPU c's MPU as the results have it: the guest's under --engine guest, else the native. */
static struct mpu *view(struct replay *r, unsigned c)
{
    return r->opt.engine == REPLAY_ENGINE_GUEST ? replay_guest_bao_mpu(r->guest, c)
                                                : replay_bao_mpu(r, c);
}

static void expect_field(struct replay *r, const struct trace_event *ev, unsigned cpu,
                         const char *what, long want, long got)
{
    if (want == got)
        return;
    char text[200];
    snprintf(text, sizeof text, "%s: expected cpus[%u].%s %ld, got %ld", trace_op_name(ev->op),
             cpu, what, want, got);
    replay_mismatch_text(r, ev, text);
}

void replay_bao_check_expect(struct replay *r, const struct trace_event *ev)
{
    const struct trace_expect *x = &ev->expect;
    for (unsigned c = 0; c < x->ncpus; c++) {
        const struct trace_expect_cpu *e = &x->cpus[c];
        if (c >= r->bao_ncpus) {
            expect_field(r, ev, c, "cpu (the trace has fewer)", 1, 0);
            continue;
        }
        if (e->has & TRACE_XCPU_HYP)
            expect_field(r, ev, c, "hyp", e->hyp, (long)r->bao_counts[c][0]);
        if (e->has & TRACE_XCPU_VM)
            expect_field(r, ev, c, "vm", e->vm, (long)r->bao_counts[c][1]);
        if (e->has & TRACE_XCPU_ALLOCATED)
            expect_field(r, ev, c, "allocated", e->allocated, (long)r->bao_counts[c][2]);
        if (e->has & TRACE_XCPU_ENABLED)
            expect_field(r, ev, c, "enabled", e->enabled, (long)view(r, c)->el2.enabled);
        if (e->has & TRACE_XCPU_WRITES)
            expect_field(r, ev, c, "writes", e->writes, (long)r->bao_cur[c].writes);
        if ((e->has & TRACE_XCPU_BARRIERS) && r->opt.engine != REPLAY_ENGINE_GUEST)
            expect_field(r, ev, c, "barriers", e->barriers, (long)r->bao_cur[c].barriers);
    }
}

void replay_bao_write_cpus(FILE *f, struct replay *r)
{
    fputs(",\"cpus\":[", f);
    for (unsigned c = 0; c < r->bao_ncpus; c++) {
        const struct mpu *m = view(r, c);
        fprintf(f, "%s{\"hyp\":%u,\"vm\":%u,\"allocated\":%u,\"enabled\":%u,\"writes\":%llu",
                c ? "," : "", r->bao_counts[c][0], r->bao_counts[c][1], r->bao_counts[c][2],
                m->el2.enabled, (unsigned long long)r->bao_cur[c].writes);
        if (r->opt.engine != REPLAY_ENGINE_GUEST) /* the guest engine counts no barriers */
            fprintf(f, ",\"barriers\":%llu", (unsigned long long)r->bao_cur[c].barriers);
        fputc('}', f);
    }
    fputc(']', f);
}

void replay_bao_write_final_regions(FILE *f, struct replay *r)
{
    fputs(",\n  \"final_regions_cpus\": [", f);
    for (unsigned c = 0; c < r->bao_ncpus; c++) {
        const struct mpu_unit *u = &view(r, c)->el2;
        fprintf(f, "%s\n    {\"cpu\": %u, \"regions\": [", c ? "," : "", c);
        for (unsigned i = 0; i < u->nregions; i++)
            fprintf(f, "%s\n      {\"idx\": %u, \"prbar\": \"0x%llx\", \"prlar\": \"0x%llx\"}",
                    i ? "," : "", i, (unsigned long long)u->prbar[i],
                    (unsigned long long)u->prlar[i]);
        fputs("\n    ]}", f);
    }
    fputs("\n  ]", f);
}
