/* The zephyr variant in the native engine: its boot (the trace's "zephyr" header, or the
 * translation of a plain trace's boot regions) and its events (docs/trace-format.md). */
#include "replay/replay.h"

#include <string.h>

/* Which system an algorithm understands: 1 zephyr, 2 bao, 0 the plain ops. */
static int algo_system(enum mm_algo a)
{
    return a == MM_ALGO_ZEPHYR ? 1 : a == MM_ALGO_BAO ? 2 : 0;
}

int replay_check_event_system(const struct trace *t, const struct trace_event *ev, long i,
                              enum mm_algo algo, struct mpusim_error *err)
{
    int sys = trace_event_system(ev);
    if (sys != 0 && sys != algo_system(algo))
        return mpusim_error_at(err, MPUSIM_E_RANGE, t->source, ev->line, -1, i,
                               "%s: algorithm '%s' does not understand this event (%s events "
                               "need --algo %s)", trace_op_name(ev->op), mm_algo_name(algo),
                               sys == 1 ? "zephyr" : "bao", sys == 1 ? "zephyr" : "bao");
    if (sys == 2 && (ev->cpu >= MM_BAO_CPUS || (ev->as != TRACE_AS_HYP && ev->as >= MM_BAO_VMS) ||
                     (ev->op == TRACE_OP_MAP_CPY && ev->to_as != TRACE_AS_HYP &&
                      ev->to_as >= MM_BAO_VMS)))
        return mpusim_error_at(err, MPUSIM_E_RANGE, t->source, ev->line, -1, i,
                               "%s: field 'cpu' or 'as': CPU or VM out of range (not resolved "
                               "by the trace reader)", trace_op_name(ev->op));
    return 0;
}

int replay_check_system(const struct trace *t, enum mm_algo algo, struct mpusim_error *err)
{
    for (size_t i = 0; i < t->nevents; i++)
        if (replay_check_event_system(t, &t->events[i], (long)i, algo, err) != 0)
            return -1;
    if (t->zephyr && algo != MM_ALGO_ZEPHYR)
        return mpusim_error_at(err, MPUSIM_E_RANGE, t->source, -1, -1, -1,
                               "header: field 'zephyr': algorithm '%s' does not understand a "
                               "zephyr boot (use --algo zephyr)", mm_algo_name(algo));
    if (t->bao && algo != MM_ALGO_BAO)
        return mpusim_error_at(err, MPUSIM_E_RANGE, t->source, -1, -1, -1,
                               "header: field 'bao': algorithm '%s' does not understand a bao "
                               "boot (use --algo bao)", mm_algo_name(algo));
    if (algo == MM_ALGO_BAO && t->zephyr)
        return mpusim_error_at(err, MPUSIM_E_RANGE, t->source, -1, -1, -1,
                               "header: field 'zephyr': algorithm 'bao' does not understand a "
                               "zephyr boot (use --algo zephyr)");
    return 0;
}

void replay_zephyr_config(const struct trace_zephyr *z, struct mm_z_config *c)
{
    memset(c, 0, sizeof *c);
    for (unsigned i = 0; i < z->nsoc && i < MM_Z_STATIC_MAX; i++)
        c->soc[c->nsoc++] = (struct mm_z_region){ z->soc[i].base, z->soc[i].limit,
                                                  z->soc[i].attr };
    for (unsigned i = 0; i < z->ndt && i < MM_Z_STATIC_MAX; i++)
        c->dt[c->ndt++] = (struct mm_z_region){ z->dt[i].base, z->dt[i].limit, z->dt[i].attr };
    c->dyn_base = z->dyn_base;
    c->dyn_limit = z->dyn_limit;
    c->irq_stack = z->irq_stack;
    c->has_irq_stack = z->has_irq_stack;
    c->max_partitions_cfg = z->max_partitions;
    c->priv_stack_size = z->priv_stack_size;
}

int replay_zephyr_boot(struct replay *r, struct mpusim_error *err)
{
    const struct trace *t = r->trace;
    int rc;
    if (t->zephyr) {
        struct mm_z_config c;
        replay_zephyr_config(t->zephyr, &c);
        rc = mm_z_boot(&r->mm, &c);
    } else {
        struct mm_boot_region br[MPU_MAX_REGIONS];
        unsigned n = 0;
        for (unsigned i = 0; i < t->nboot && n < MPU_MAX_REGIONS; i++)
            br[n++] = (struct mm_boot_region){ t->boot[i].base, t->boot[i].limit,
                                               t->boot[i].flags };
        rc = mm_z_boot_translated(&r->mm, br, n);
    }
    if (rc != 0)
        return mpusim_error_at(err, MPUSIM_E_RANGE, t->source, -1, -1, -1,
                               "zephyr boot: %u static regions do not fit in %u EL1 MPU regions",
                               t->zephyr ? t->zephyr->nsoc : t->nboot + 1, r->mpu.el1.nregions);
    return 0;
}

unsigned replay_access_el(const struct replay *r, const struct trace_event *ev)
{
    return r->opt.algo == MM_ALGO_ZEPHYR && ev->el == 2 ? 1u : ev->el;
}

int replay_zephyr_event(struct mm_ctx *mm, const struct trace_event *ev)
{
    unsigned th = (unsigned)ev->thread, dom = (unsigned)ev->domain;
    switch (ev->op) {
    case TRACE_OP_THREAD_CREATE:
        return mm_z_thread_create(mm, th, ev->base, ev->limit, (int)ev->user);
    case TRACE_OP_DOMAIN_INIT: {
        int rc = mm_z_domain_init(mm, dom);
        for (unsigned k = 0; k < ev->nparts && rc == 0; k++)
            rc = mm_z_domain_init_partition(mm, dom, ev->parts[k].base, ev->parts[k].limit,
                                            ev->parts[k].attr);
        return rc;
    }
    case TRACE_OP_DOMAIN_ADD_PARTITION:
        return mm_z_domain_add_partition(mm, dom, ev->base, ev->limit, ev->flags);
    case TRACE_OP_DOMAIN_REMOVE_PARTITION:
        return mm_z_domain_remove_partition(mm, dom, ev->base, ev->limit);
    case TRACE_OP_DOMAIN_ADD_THREAD:
        return mm_z_domain_add_thread(mm, dom, th);
    case TRACE_OP_USER_ENTER:
        return mm_z_user_enter(mm, th);
    case TRACE_OP_SWITCH:
        return mm_z_switch(mm, th);
    default:
        return MM_EINVAL;
    }
}
