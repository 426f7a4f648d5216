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
    return c;
}

void report_collector_free(struct report_collector *c) { free(c); }

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
    if (res->used > c->peak.used)
        report_snapshot_take(r, (long)i, res->used, &c->peak);
}
