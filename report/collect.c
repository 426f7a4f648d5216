/* The report's per-event collector: the first faults and failed calls, and the MPU at the
 * peak. Bounded: fixed arrays, one snapshot. */
#include "report/internal.h"

#include <stdlib.h>
#include <string.h>

void report_snapshot_take(const struct replay *r, long event, unsigned used,
                          struct report_snapshot *s)
{
    const struct mpu_unit *u = mpu_unit_of(replay_hw(r), 2);
    s->event = event;
    s->used = used;
    s->nregions = u->nregions;
    s->mair = u->mair;
    memcpy(s->prbar, u->prbar, sizeof s->prbar);
    memcpy(s->prlar, u->prlar, sizeof s->prlar);
    memcpy(s->diverged, r->diverged, sizeof s->diverged);
}

struct report_collector *report_collector_new(const struct replay *r, struct mpusim_error *err)
{
    struct report_collector *c = calloc(1, sizeof *c);
    if (!c) {
        mpusim_error_set(err, MPUSIM_E_IO, "report: out of memory");
        return NULL;
    }
    report_snapshot_take(r, -1, replay_used(r), &c->peak);
    c->density.width = 1;
    c->seen_notes = r->findings_total + r->divergences_total; /* the boot step's */
    c->seen_mismatches = r->expect_failed;
    return c;
}

void report_collector_free(struct report_collector *c) { free(c); }

/* Count n marks of kind k at event i. */
static void density_add(struct report_density *d, size_t i, enum rp_mark_kind k, uint64_t n)
{
    if (!n)
        return;
    if (!d->width)
        d->width = 1;
    while (i / d->width >= REPORT_TIMELINE_MAX) { /* merge pairs: twice as wide */
        for (int m = 0; m < RP_MARK_KIND_COUNT; m++)
            for (unsigned j = 0; j < REPORT_TIMELINE_MAX / 2; j++)
                d->count[m][j] = d->count[m][2 * j] + d->count[m][2 * j + 1];
        for (int m = 0; m < RP_MARK_KIND_COUNT; m++)
            for (unsigned j = REPORT_TIMELINE_MAX / 2; j < REPORT_TIMELINE_MAX; j++)
                d->count[m][j] = 0;
        d->width *= 2;
        d->n = (d->n + 1) / 2;
    }
    unsigned j = (unsigned)(i / d->width);
    uint64_t v = d->count[k][j] + n;
    d->count[k][j] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    if (j + 1 > d->n)
        d->n = j + 1;
}

void report_collector_observe(struct report_collector *c, const struct replay *r, size_t i,
                              const struct trace_event *ev, const struct replay_event_result *res)
{
    if (res->acc.fault != MPU_FAULT_NONE) {
        if (c->nfaults < REPORT_LIST_MAX)
            c->faults[c->nfaults++] = (struct report_fault){
                .event = (long)i, .kind = (enum trace_access_kind)ev->kind, .el = ev->el,
                .addr = ev->base, .size = ev->limit, .acc = res->acc };
        c->faults_total++;
    }
    if (res->has_rc && res->rc != 0) {
        if (c->nfailed < REPORT_LIST_MAX)
            c->failed[c->nfailed++] = (struct report_failed){
                .event = (long)i, .op = ev->op, .rc = res->rc, .base = ev->base,
                .limit = ev->limit };
        c->failed_total++;
    }
    density_add(&c->density, i, RP_MARK_FAULT, res->acc.fault != MPU_FAULT_NONE);
    density_add(&c->density, i, RP_MARK_FAILED, res->has_rc && res->rc != 0);
    uint64_t notes = r->findings_total + r->divergences_total;
    density_add(&c->density, i, RP_MARK_FINDING, notes - c->seen_notes);
    density_add(&c->density, i, RP_MARK_MISMATCH, r->expect_failed - c->seen_mismatches);
    density_add(&c->density, i, RP_MARK_STOP, r->guest_stop.event == (long)i);
    c->seen_notes = notes;
    c->seen_mismatches = r->expect_failed;
    if (res->used > c->peak.used)
        report_snapshot_take(r, (long)i, res->used, &c->peak);
}
