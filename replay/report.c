/* Replay outputs: --events-out lines, the --json summary and the terminal summary. */
#include "replay/replay.h"

#include <stdlib.h>
#include <string.h>

#define SPARK_WIDTH 60           /* terminal sparkline width */

void json_put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* "xen", ..., "reserve:K": the --algo value that reproduces the run. */
static const char *algo_label(const struct replay *r, char *buf, size_t cap)
{
    if (r->opt.algo == MM_ALGO_RESERVE)
        snprintf(buf, cap, "reserve:%u", r->mm.opt.reserve_k);
    else
        snprintf(buf, cap, "%s", mm_algo_name(r->opt.algo));
    return buf;
}

/* The guest's stop inside a call (r->guest_stop) as a JSON object, or null. */
static void put_guest_stop(FILE *f, const struct replay *r)
{
    const struct replay_guest_stop *g = &r->guest_stop;
    if (g->event < 0) {
        fputs("null", f);
        return;
    }
    fprintf(f, "{\"event\": %ld, \"op\": \"%s\", \"call\": ", g->event, trace_op_name(g->op));
    json_put_string(f, g->call);
    fprintf(f, ", \"kind\": \"%s\", \"pc\": \"0x%llx\", \"where\": ", g->kind,
            (unsigned long long)g->pc);
    json_put_string(f, g->where);
    fputs(", \"insn\": ", f);
    json_put_string(f, g->insn);
    fputs(", \"source\": ", f);
    if (g->source[0])
        json_put_string(f, g->source);
    else
        fputs("null", f);
    fprintf(f, ", \"insns\": %llu, \"what\": ", (unsigned long long)g->insns);
    json_put_string(f, g->what);
    fputs(", \"fault\": ", f);
    if (g->has_fault) {
        fprintf(f, "{\"cause\": \"%s\", \"access\": \"%s\", \"addr\": \"0x%llx\", "
                   "\"size\": %u, \"fsc\": \"0x%02x\", \"esr\": \"0x%llx\", \"far\": \"0x%llx\", "
                   "\"regions\": [",
                mpu_fault_name(g->fault.fault), g->access, (unsigned long long)g->addr, g->size,
                g->fault.fsc, (unsigned long long)g->fault.esr, (unsigned long long)g->fault.far);
        if (g->fault.region >= 0)
            fprintf(f, "%d", g->fault.region);
        if (g->fault.region2 >= 0)
            fprintf(f, ", %d", g->fault.region2);
        fputs("]}", f);
    } else {
        fputs("null", f);
    }
    fputs("}", f);
}

static void put_fault(FILE *f, const struct mpu_result *a)
{
    if (a->fault == MPU_FAULT_NONE) {
        fputs("null", f);
        return;
    }
    fprintf(f, "{\"cause\":\"%s\",\"fsc\":\"0x%02x\",\"esr\":\"0x%llx\",\"far\":\"0x%llx\"}",
            mpu_fault_name(a->fault), a->fsc, (unsigned long long)a->esr,
            (unsigned long long)a->far);
}

void replay_write_event_json(FILE *f, const struct replay *r, size_t i,
                             const struct replay_event_result *res)
{
    const struct trace_event *ev = r->ev;
    fprintf(f, "{\"i\":%zu,\"op\":\"%s\",\"rc\":", i, trace_op_name(ev->op));
    if (res->has_rc)
        fprintf(f, "%d", res->rc);
    else
        fputs("null", f);
    if (res->region >= 0)
        fprintf(f, ",\"region\":%d", res->region);
    else
        fputs(",\"region\":null", f);
    if (r->opt.algo == MM_ALGO_ZEPHYR) {
        if (res->region_num >= 0)
            fprintf(f, ",\"region_num\":%d", res->region_num);
        else
            fputs(",\"region_num\":null", f);
    }
    fprintf(f, ",\"used\":%u,\"fault\":", res->used);
    put_fault(f, &res->acc);
    if (r->opt.algo == MM_ALGO_BAO)
        replay_bao_write_cpus(f, (struct replay *)r); /* reads the guest's banks */
    if (res->has_insns)
        fprintf(f, ",\"insns\":%llu", (unsigned long long)res->insns);
    if (res->has_insns && !r->opt.no_timing)
        fprintf(f, ",\"cycles\":{\"nominal\":%llu,\"min\":%llu,\"max\":%llu}",
                (unsigned long long)res->cycles[0], (unsigned long long)res->cycles[1],
                (unsigned long long)res->cycles[2]);
    if (r->guest_stop.event >= 0 && (size_t)r->guest_stop.event == i) {
        fputs(",\"guest_stop\":", f);
        put_guest_stop(f, r);
    }
    fputs("}\n", f);
}

static unsigned final_used(const struct replay *r) { return replay_used(r); }

/* Percentiles (nearest rank) of one histogram. */
struct pct {
    size_t n;
    uint64_t p50, p90, p99, max;
};
static struct pct percentiles(const struct histogram *h)
{
    struct pct p = { (size_t)h->count, histogram_percentile(h, 50), histogram_percentile(h, 90),
                     histogram_percentile(h, 99), histogram_max(h) };
    return p;
}

size_t replay_cycles_p50_p99(const struct replay *r, enum trace_op op, uint64_t *p50,
                             uint64_t *p99)
{
    *p50 = *p99 = 0;
    if (!r->latency || op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
        return 0;
    struct histogram all;
    histogram_init(&all);
    size_t n = 0;
    if (histogram_merge(&all, &r->latency[op][REPLAY_OK].cycles[0], NULL) == 0 &&
        histogram_merge(&all, &r->latency[op][REPLAY_ERR].cycles[0], NULL) == 0) {
        n = (size_t)all.count;
        *p50 = histogram_percentile(&all, 50);
        *p99 = histogram_percentile(&all, 99);
    }
    histogram_fini(&all);
    return n;
}

static void put_pct(FILE *f, const struct pct *p)
{
    fprintf(f, "{\"p50\": %llu, \"p90\": %llu, \"p99\": %llu, \"max\": %llu}",
            (unsigned long long)p->p50, (unsigned long long)p->p90, (unsigned long long)p->p99,
            (unsigned long long)p->max);
}

static void put_cost(FILE *f, const struct replay_cost *c)
{
    fprintf(f,
            "{\"calls\":%llu,\"scanned\":%llu,\"sysreg_reads\":%llu,\"sysreg_writes\":%llu,"
            "\"barriers\":%llu}",
            (unsigned long long)c->calls, (unsigned long long)c->scanned,
            (unsigned long long)c->sysreg_reads, (unsigned long long)c->sysreg_writes,
            (unsigned long long)c->barriers);
}

void replay_write_summary_json(FILE *f, const struct replay *r)
{
    const struct trace *t = r->trace;
    char label[32];
    fputs("{\n  \"trace\": ", f);
    json_put_string(f, t->source);
    fprintf(f, ",\n  \"algo\": \"%s\",\n  \"xen_fixed\": %s,\n  \"engine\": \"%s\",\n",
            algo_label(r, label, sizeof label), r->opt.xen_fixed ? "true" : "false",
            replay_engine_name(r->opt.engine));
    fprintf(f, "  \"fsc_model\": \"%s\",\n  \"regions\": %u,\n  \"events\": %llu,\n",
            mpu_fsc_model_name(r->mpu.cfg.fsc), r->mpu.el2.nregions,
            (unsigned long long)r->nevents);
    fputs("  \"by_op\": {", f);
    int first = 1;
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        const struct replay_cost *c = r->cost[op];
        if (!c[REPLAY_OK].calls && !c[REPLAY_ERR].calls)
            continue;
        fprintf(f, "%s\"%s\": {\"ok\": %llu, \"error\": %llu}", first ? "" : ", ",
                trace_op_name((enum trace_op)op), (unsigned long long)c[REPLAY_OK].calls,
                (unsigned long long)c[REPLAY_ERR].calls);
        first = 0;
    }
    fputs("},\n", f);
    const struct timeline *tl = &r->timeline;
    fprintf(f, "  \"regions_in_use\": {\"peak\": %u, \"final\": %u, \"timeline\": {\"bucket\": "
               "%llu, \"max\": [",
            r->peak_used, final_used(r), (unsigned long long)tl->bucket);
    for (size_t j = 0; j < tl->nbuckets; j++)
        fprintf(f, "%s%u", j ? "," : "", tl->b[j].max);
    fputs("], \"min\": [", f);
    for (size_t j = 0; j < tl->nbuckets; j++)
        fprintf(f, "%s%u", j ? "," : "", tl->b[j].min);
    fputs("]}},\n", f);
    fprintf(f, "  \"faults\": {\"permission\": %llu, \"no_region\": %llu, \"multiple_regions\": "
               "%llu},\n",
            (unsigned long long)r->faults[MPU_FAULT_PERMISSION],
            (unsigned long long)r->faults[MPU_FAULT_NO_REGION],
            (unsigned long long)r->faults[MPU_FAULT_MULTIPLE_REGIONS]);
    fputs("  \"cost\": {", f);
    first = 1;
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        if (op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
            continue;
        const struct replay_cost *c = r->cost[op];
        if (!c[REPLAY_OK].calls && !c[REPLAY_ERR].calls)
            continue;
        fprintf(f, "%s\n    \"%s\": {\"ok\": ", first ? "" : ",", trace_op_name((enum trace_op)op));
        put_cost(f, &c[REPLAY_OK]);
        fputs(", \"error\": ", f);
        put_cost(f, &c[REPLAY_ERR]);
        fputs("}", f);
        first = 0;
    }
    fputs(first ? "},\n" : "\n  },\n", f);
    fputs("  \"messages\": {", f);
    first = 1;
    for (int id = 0; id < MM_MSG_COUNT; id++) {
        if (!r->msg_count[id])
            continue;
        fprintf(f, "%s\"%s\": %llu", first ? "" : ", ", mm_msg_name((enum mm_msg)id),
                (unsigned long long)r->msg_count[id]);
        first = 0;
    }
    fputs("},\n", f);
    fprintf(f, "  \"findings_total\": %llu,\n  \"divergences_total\": %llu,\n",
            (unsigned long long)r->findings_total, (unsigned long long)r->divergences_total);
    fputs("  \"findings\": [", f);
    first = 1;
    for (unsigned k = 0; k < r->nnotes; k++) {
        const struct replay_note *n = &r->notes[k];
        fprintf(f, "%s\n    {\"event\": %ld, \"kind\": \"%s\", ", first ? "" : ",", n->event,
                n->id == MM_MSG_COUNT ? "table_hw_divergence" : mm_msg_name(n->id));
        if (n->id == MM_MSG_COUNT)
            fprintf(f, "\"region\": %d, \"table\": {\"prbar\": \"0x%llx\", \"prlar\": \"0x%llx\"}, "
                       "\"hw\": {\"prbar\": \"0x%llx\", \"prlar\": \"0x%llx\"}, ",
                    n->region, (unsigned long long)n->table_prbar,
                    (unsigned long long)n->table_prlar, (unsigned long long)n->hw_prbar,
                    (unsigned long long)n->hw_prlar);
        fputs("\"text\": ", f);
        json_put_string(f, n->text);
        fputs("}", f);
        first = 0;
    }
    fputs(first ? "],\n" : "\n  ],\n", f);
    if (r->latency) {
        fputs("  \"latency\": {", f);
        first = 1;
        for (int op = 0; op < TRACE_OP_COUNT; op++) {
            if (op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
                continue;
            for (int k = 0; k < REPLAY_RESULT_COUNT; k++) {
                const struct replay_latency *l = &r->latency[op][k];
                struct pct p = percentiles(&l->insns);
                if (!p.n)
                    continue;
                fprintf(f, "%s\n    \"%s %s\": {\"calls\": %zu, \"insns\": ", first ? "" : ",",
                        trace_op_name((enum trace_op)op), k == REPLAY_OK ? "ok" : "error", p.n);
                put_pct(f, &p);
                static const char *const set[3] = { "nominal", "min", "max" };
                fputs(r->opt.no_timing ? "}" : ", \"cycles\": {", f);
                for (int c = 0; c < 3 && !r->opt.no_timing; c++) {
                    struct pct q = percentiles(&l->cycles[c]);
                    fprintf(f, "%s\"%s\": ", c ? ", " : "", set[c]);
                    put_pct(f, &q);
                }
                fputs(r->opt.no_timing ? "" : "}}", f);
                first = 0;
            }
        }
        fputs(first ? "},\n" : "\n  },\n", f);
    }
    fprintf(f, "  \"expectations\": {\"checked\": %llu, \"failed\": %llu},\n",
            (unsigned long long)r->expect_checked, (unsigned long long)r->expect_failed);
    const struct mpu *hw = replay_hw(r);
    uint64_t writes = 0, reads = 0;
    for (int id = 0; id < MPU_REG_COUNT; id++) {
        writes += hw->ctr.writes[id];
        reads += hw->ctr.reads[id];
    }
    fprintf(f, "  \"model\": {\"el2_enabled\": %u, \"el2_enabled_peak\": %u, \"sysreg_reads\": "
               "%llu, \"sysreg_writes\": %llu, \"ignored_writes\": %llu, \"checks\": %llu,\n",
            hw->el2.enabled, hw->el2.enabled_hwm, (unsigned long long)reads,
            (unsigned long long)writes, (unsigned long long)hw->ctr.ignored_writes,
            (unsigned long long)hw->ctr.checks);
    fputs("    \"registers\": {", f); /* reads and writes per register, those used */
    first = 1;
    for (int id = 0; id < MPU_REG_COUNT; id++) {
        if (!hw->ctr.reads[id] && !hw->ctr.writes[id])
            continue;
        fprintf(f, "%s\"%s\": {\"reads\": %llu, \"writes\": %llu}", first ? "" : ", ",
                mpu_reg_name(id), (unsigned long long)hw->ctr.reads[id],
                (unsigned long long)hw->ctr.writes[id]);
        first = 0;
    }
    fputs("},\n", f);
    fprintf(f, "    \"faults\": {\"permission\": %llu, \"no_region\": %llu, "
               "\"multiple_regions\": %llu}},\n",
            (unsigned long long)hw->ctr.faults[MPU_FAULT_PERMISSION],
            (unsigned long long)hw->ctr.faults[MPU_FAULT_NO_REGION],
            (unsigned long long)hw->ctr.faults[MPU_FAULT_MULTIPLE_REGIONS]);
    fputs("  \"guest_stop\": ", f);
    put_guest_stop(f, r);
    fputs(",\n", f);
    /* the MPU the algorithm programs: EL1 for zephyr, else EL2 */
    const struct mpu_unit *u = r->opt.algo == MM_ALGO_ZEPHYR ? &hw->el1 : &hw->el2;
    fputs("  \"final_regions\": [", f);
    for (unsigned i = 0; i < u->nregions; i++)
        fprintf(f, "%s\n    {\"idx\": %u, \"prbar\": \"0x%llx\", \"prlar\": \"0x%llx\"}",
                i ? "," : "", i, (unsigned long long)u->prbar[i], (unsigned long long)u->prlar[i]);
    fputs("\n  ]", f);
    if (r->opt.algo == MM_ALGO_BAO)
        replay_bao_write_final_regions(f, (struct replay *)r); /* reads the guest's banks */
    fputs("\n}\n", f);
}

static void spark(FILE *f, const struct replay *r)
{
    static const char *const bars[8] = { "\u2581", "\u2582", "\u2583", "\u2584",
                                         "\u2585", "\u2586", "\u2587", "\u2588" };
    struct timeline_bucket pts[SPARK_WIDTH];
    uint64_t per;
    size_t n = timeline_group(&r->timeline, SPARK_WIDTH, pts, &per);
    if (!n) {
        fputs("(no events)", f);
        return;
    }
    unsigned top = r->mpu.el2.nregions ? r->mpu.el2.nregions : 1;
    for (size_t j = 0; j < n; j++) {
        unsigned v = pts[j].max;
        unsigned k = v == 0 ? 0 : (unsigned)((v * 8u - 1) / top);
        fputs(bars[k > 7 ? 7 : k], f);
    }
}

void replay_write_summary_text(FILE *f, const struct replay *r)
{
    const struct trace *t = r->trace;
    char label[32];
    fprintf(f, "trace      %s\n", t->source);
    fprintf(f, "setup      algo %s%s, %u %s regions, engine %s, fsc %s\n",
            algo_label(r, label, sizeof label), r->opt.xen_fixed ? " (--fixed)" : "",
            r->mpu.el2.nregions, r->opt.algo == MM_ALGO_ZEPHYR ? "EL1" : "EL2",
            replay_engine_name(r->opt.engine),
            mpu_fsc_model_name(r->mpu.cfg.fsc));
    uint64_t ok = 0, bad = 0;
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        if (op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
            continue;
        ok += r->cost[op][REPLAY_OK].calls;
        bad += r->cost[op][REPLAY_ERR].calls;
    }
    fprintf(f, "events     %llu:", (unsigned long long)r->nevents);
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        uint64_t n = r->cost[op][REPLAY_OK].calls + r->cost[op][REPLAY_ERR].calls;
        if (n)
            fprintf(f, " %s %llu", trace_op_name((enum trace_op)op), (unsigned long long)n);
    }
    fprintf(f, "\ncalls      %llu ok, %llu failed\n", (unsigned long long)ok,
            (unsigned long long)bad);
    fprintf(f, "regions    in use: peak %u, final %u of %u\n", r->peak_used, final_used(r),
            r->mpu.el2.nregions);
    fputs("occupancy  ", f);
    spark(f, r);
    fputc('\n', f);
    fprintf(f, "faults     permission %llu, no_region %llu, multiple_regions %llu\n",
            (unsigned long long)r->faults[MPU_FAULT_PERMISSION],
            (unsigned long long)r->faults[MPU_FAULT_NO_REGION],
            (unsigned long long)r->faults[MPU_FAULT_MULTIPLE_REGIONS]);
    fprintf(f, "findings   %llu findings, %llu table/hardware divergences\n",
            (unsigned long long)r->findings_total, (unsigned long long)r->divergences_total);
    for (unsigned k = 0; k < r->nnotes && k < 10; k++)
        fprintf(f, "  event %ld: %s\n", r->notes[k].event, r->notes[k].text);
    if (r->nnotes > 10)
        fprintf(f, "  ... %u more in --json\n", r->nnotes - 10);
    fprintf(f, "expect     %llu events checked, %llu mismatches\n",
            (unsigned long long)r->expect_checked, (unsigned long long)r->expect_failed);
    if (r->guest_stop.event >= 0) /* the report's first line says what, the rest where */
        fprintf(f, "stopped    the guest stopped at event %ld (%s, in %s): %s",
                r->guest_stop.event, trace_op_name(r->guest_stop.op), r->guest_stop.call,
                r->guest_stop.report);
    if (ok + bad == 0)
        return;
    fprintf(f, "cost per call (mean)     calls  scanned  sysreg-r  sysreg-w  barriers\n");
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        if (op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
            continue;
        for (int k = 0; k < REPLAY_RESULT_COUNT; k++) {
            const struct replay_cost *c = &r->cost[op][k];
            if (!c->calls)
                continue;
            double n = (double)c->calls;
            char row[40];
            snprintf(row, sizeof row, "%s %s", trace_op_name((enum trace_op)op),
                     k == REPLAY_OK ? "ok" : "error");
            if (r->opt.engine == REPLAY_ENGINE_GUEST) /* the table and barriers are the guest's */
                fprintf(f, "  %-22s %6llu %8s %9.1f %9.1f %9s\n", row,
                        (unsigned long long)c->calls, "-", (double)c->sysreg_reads / n,
                        (double)c->sysreg_writes / n, "-");
            else
                fprintf(f, "  %-22s %6llu %8.1f %9.1f %9.1f %9.1f\n", row,
                        (unsigned long long)c->calls, (double)c->scanned / n,
                        (double)c->sysreg_reads / n, (double)c->sysreg_writes / n,
                        (double)c->barriers / n);
        }
    }
    if (!r->latency)
        return;
    fprintf(f, "latency per call (guest)  calls  insns p50/p90/p99/max%s\n",
            r->opt.no_timing ? " (--no-timing: no cycles)"
                             : "   cycles nominal [min..max]: p50, p90, p99, max");
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        if (op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
            continue;
        for (int k = 0; k < REPLAY_RESULT_COUNT; k++) {
            const struct replay_latency *l = &r->latency[op][k];
            struct pct in = percentiles(&l->insns);
            if (!in.n)
                continue;
            struct pct c[3];
            for (int m = 0; m < 3; m++)
                c[m] = percentiles(&l->cycles[m]);
            char row[40];
            snprintf(row, sizeof row, "%s %s", trace_op_name((enum trace_op)op),
                     k == REPLAY_OK ? "ok" : "error");
            char ins[64];
            snprintf(ins, sizeof ins, "%llu/%llu/%llu/%llu", (unsigned long long)in.p50,
                     (unsigned long long)in.p90, (unsigned long long)in.p99,
                     (unsigned long long)in.max);
            if (r->opt.no_timing) {
                fprintf(f, "  %-22s %6zu  %s\n", row, in.n, ins);
                continue;
            }
            fprintf(f, "  %-22s %6zu  %-22s ", row, in.n, ins);
            uint64_t v[4][3];
            for (int m = 0; m < 3; m++) {
                v[0][m] = c[m].p50;
                v[1][m] = c[m].p90;
                v[2][m] = c[m].p99;
                v[3][m] = c[m].max;
            }
            for (int q = 0; q < 4; q++)
                fprintf(f, "%s%llu [%llu..%llu]", q ? ", " : "", (unsigned long long)v[q][0],
                        (unsigned long long)v[q][1], (unsigned long long)v[q][2]);
            fputc('\n', f);
        }
    }
}
