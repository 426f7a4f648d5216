/* Comparison of algorithms over traces: runs, metrics, and their table/JSON Lines/CSV forms. */
#include "replay/compare.h"
#include "replay/stream.h"
#include "common/number.h"

#include <stdlib.h>
#include <string.h>

/* ---- options ---- */

/* Set up one algorithm from its name; a = the result. Returns 0 or -1 (unknown name). */
static int parse_algo(const char *name, struct compare_algo *a, struct mpusim_error *err)
{
    if (strlen(name) >= sizeof a->name)
        return mpusim_error_at(err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                               "--algo: name too long: '%.40s...'", name);
    struct mm_options mo = { .algo = MM_ALGO_XEN };
    static const char reserve_prefix[] = "reserve:";
    uint64_t kk;
    enum number_status st;
    if (strncmp(name, reserve_prefix, sizeof reserve_prefix - 1) == 0 &&
        (st = number_parse_u64(name + sizeof reserve_prefix - 1, 0, 254, &kk)) != NUMBER_OK)
        return mpusim_error_at(err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                               "--algo reserve:K '%s': %s; expected a number in 0..254",
                               name + sizeof reserve_prefix - 1, number_status_text(st));
    if (mm_algo_parse(name, &mo) != 0) {
        char known[160] = "";
        size_t len = 0;
        for (int k = 0; k < MM_ALGO_COUNT && len < sizeof known; k++)
            len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", k ? ", " : "",
                                    mm_algo_name((enum mm_algo)k));
        return mpusim_error_at(err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                               "--algo: unknown algorithm '%s' (known: %s; reserve:K)", name,
                               known);
    }
    memset(a, 0, sizeof *a);
    /* the label reproduces the run: a plain "reserve" is shown with its K */
    if (mo.algo == MM_ALGO_RESERVE)
        snprintf(a->name, sizeof a->name, "reserve:%u", mo.reserve_k);
    else
        snprintf(a->name, sizeof a->name, "%s", name);
    a->mm = mo;
    return 0;
}

int compare_options_init(struct compare_options *o, struct mpusim_error *err)
{
    memset(o, 0, sizeof *o);
    o->fsc = MPU_FSC_TRANSLATION;
    o->shard_k = o->shard_n = 1;
    for (int a = 0; a < MM_ALGO_COUNT && o->nalgo < COMPARE_MAX_ALGOS; a++)
        if (parse_algo(mm_algo_name((enum mm_algo)a), &o->algo[o->nalgo++], err) != 0)
            return -1;
    return 0;
}

int compare_parse_algos(const char *list, struct compare_options *o, struct mpusim_error *err)
{
    struct compare_algo algo[COMPARE_MAX_ALGOS];
    unsigned n = 0;
    const char *s = list;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char name[64];
        if (len == 0)
            return mpusim_error_at(err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                                   "--algo: empty name in '%s'", list);
        if (len >= sizeof name)
            return mpusim_error_at(err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                                   "--algo: name too long in '%s'", list);
        memcpy(name, s, len);
        name[len] = '\0';
        if (n == COMPARE_MAX_ALGOS)
            return mpusim_error_at(err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                                   "--algo: more than %d algorithms", COMPARE_MAX_ALGOS);
        for (unsigned k = 0; k < n; k++)
            if (!strcmp(algo[k].name, name))
                return mpusim_error_at(err, MPUSIM_E_USAGE, "<argv>", -1, -1, -1,
                                       "--algo: '%s' given twice", name);
        if (parse_algo(name, &algo[n], err) != 0)
            return -1;
        n++;
        if (!comma)
            break;
        s = comma + 1;
    }
    memcpy(o->algo, algo, n * sizeof algo[0]);
    o->nalgo = n;
    return 0;
}

int compare_in_shard(long run, unsigned k, unsigned n)
{
    return run >= 0 && n > 0 && (unsigned long)run % n == (unsigned long)(k - 1);
}

/* ---- runs ---- */

/* Collect the metrics of a finished replay. */
static void collect(const struct replay *r, const struct compare_algo *a, long j,
                    struct compare_run *out)
{
    const struct trace *t = r->trace;
    memset(out, 0, sizeof *out);
    out->run = j;
    out->stopped_event = -1;
    if (r->failed == 3) {
        const struct replay_guest_stop *g = &r->guest_stop;
        out->stopped_event = g->event;
        snprintf(out->stopped, sizeof out->stopped,
                 "the guest stopped at event %ld (%s, in %.60s): %.120s at %.80s%s%.80s", g->event,
                 trace_op_name(g->op), g->call, g->what, g->where, g->source[0] ? ", " : "",
                 g->source);
    } else if (r->failed == 2) {
        out->stopped_event = (long)r->nevents;
        const char *nl = strchr(r->lockstep_report, '\n');
        int len = nl ? (int)(nl - r->lockstep_report) : (int)strlen(r->lockstep_report);
        snprintf(out->stopped, sizeof out->stopped, "%.*s", len > 390 ? 390 : len,
                 r->lockstep_report); /* "lockstep divergence at event N (op): what" */
    }
    snprintf(out->trace, sizeof out->trace, "%s", t->source);
    snprintf(out->algo, sizeof out->algo, "%s", a->name);
    out->xen_fixed = r->opt.xen_fixed;
    out->regions = r->mpu.el2.nregions;
    out->events = r->nevents;
    out->peak_used = r->peak_used;
    out->final_used = replay_used(r);
    if (r->nevents)
        out->mean_used = (double)r->used_sum / (double)r->nevents;
    else {
        out->mean_used = out->final_used;
    }
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        if (op == TRACE_OP_ACCESS || op == TRACE_OP_SYSREG)
            continue;
        for (int k = 0; k < REPLAY_RESULT_COUNT; k++) {
            const struct replay_cost *c = &r->cost[op][k];
            out->calls += c->calls;
            if (k == REPLAY_ERR)
                out->failed_calls += c->calls;
            out->sysreg_writes += c->sysreg_writes;
            out->sysreg_reads += c->sysreg_reads;
            out->barriers += c->barriers;
        }
    }
    for (int f = 0; f < MPU_FAULT_COUNT; f++)
        out->faults[f] = f == MPU_FAULT_NONE ? 0 : r->faults[f];
    out->findings = r->findings_total;
    out->divergences = r->divergences_total;
    out->guest = r->opt.engine != REPLAY_ENGINE_NATIVE;
    out->timed = out->guest && !r->opt.no_timing;
    for (int op = 0; out->timed && op < TRACE_OP_COUNT; op++)
        out->cycles[op].calls = replay_cycles_p50_p99(r, (enum trace_op)op, &out->cycles[op].p50,
                                                      &out->cycles[op].p99);
}

/* The ops that switch context: Zephyr's switch, Bao's vm_entry and vm_exit. */
static int is_ctx_op(enum trace_op op)
{
    return op == TRACE_OP_SWITCH || op == TRACE_OP_VM_ENTRY || op == TRACE_OP_VM_EXIT;
}

/* The context-switch cost of r from the trace's own switch events; 0 when it has none. */
static int ctx_from_trace(const struct replay *r, struct compare_ctx_switch *c)
{
    uint64_t n = 0, w = 0, b = 0, insns = 0;
    for (int op = 0; op < TRACE_OP_COUNT; op++) {
        if (!is_ctx_op((enum trace_op)op))
            continue;
        for (int k = 0; k < REPLAY_RESULT_COUNT; k++) {
            n += r->cost[op][k].calls;
            w += r->cost[op][k].sysreg_writes;
            b += r->cost[op][k].barriers;
            insns += r->cost[op][k].insns;
        }
    }
    if (!n)
        return 0;
    c->source = COMPARE_CTX_TRACE;
    c->count = n;
    c->writes = (double)w / (double)n;
    c->barriers = (double)b / (double)n;
    c->insns = (double)insns / (double)n;
    /* cycles: of the first context-switch op the trace has (a trace is of one system) */
    for (int op = 0; op < TRACE_OP_COUNT && r->opt.engine != REPLAY_ENGINE_NATIVE &&
                     !r->opt.no_timing; op++)
        if (is_ctx_op((enum trace_op)op) &&
            replay_cycles_p50_p99(r, (enum trace_op)op, &c->p50, &c->p99))
            break;
    return 1;
}

/* Without switch events: one switch to the running thread after the last event, measured on
 * r (whose other metrics are already collected). Zephyr only, and only for a translated plain
 * trace, whose thread 0 runs from boot; else nothing is measured. */
static void ctx_probe(struct replay *r, struct compare_ctx_switch *c)
{
    if (r->opt.algo != MM_ALGO_ZEPHYR || r->trace->zephyr || r->failed)
        return;
    struct trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.op = TRACE_OP_SWITCH;
    ev.thread = 0;
    ev.line = -1;
    ev.reg = -1;
    ev.el = 2;
    ev.expect.region_num = -1;
    struct replay_event_result res;
    replay_step_event(r, &ev, &res);
    if (r->failed)
        return;
    c->source = COMPARE_CTX_PROBE;
    c->count = 1;
    c->writes = (double)r->cur.sysreg_writes;
    c->barriers = (double)r->cur.barriers;
    c->insns = (double)r->cur.insns;
    if (res.has_insns && !r->opt.no_timing) {
        c->p50 = res.cycles[0];
        c->p99 = res.cycles[0];
    }
}

/* The replay options of algorithm a. */
static struct replay_options run_options(const struct compare_options *o, unsigned a)
{
    struct replay_options ro = { .algo = o->algo[a].mm.algo,
                                 .reserve_k = o->algo[a].mm.reserve_k,
                                 .xen_fixed = o->xen_fixed,
                                 .strict_addresses = o->strict_addresses,
                                 .regions = o->regions, .fsc = o->fsc,
                                 .keep_findings = 0 /* counts only */,
                                 .engine = o->engine, .adapter = o->adapter,
                                 .core = o->core, .no_timing = o->no_timing,
                                 .elf = o->elf, .nwindows = o->nwindows,
                                 .has_uart = o->has_uart, .uart = o->uart };
    memcpy(ro.window, o->window, sizeof ro.window);
    return ro;
}

/* Replay t (in memory, or streamed from rd when rd is not NULL) through every algorithm of
 * the shard at once, then collect the runs in algorithm order. */
static int compare_runs(const struct trace *t, struct trace_reader *rd,
                        const struct compare_options *o, long trace_index,
                        struct compare_run *runs, unsigned *nruns, struct mpusim_error *err)
{
    *nruns = 0;
    struct replay **rs = calloc(o->nalgo ? o->nalgo : 1, sizeof *rs);
    unsigned *algo = calloc(o->nalgo ? o->nalgo : 1, sizeof *algo);
    unsigned n = 0;
    int rc = -1;
    if (!rs || !algo) {
        mpusim_error_set(err, MPUSIM_E_IO, "out of memory");
        goto out;
    }
    for (unsigned a = 0; a < o->nalgo; a++) {
        if (!compare_in_shard(trace_index * (long)o->nalgo + (long)a, o->shard_k, o->shard_n))
            continue;
        struct replay_options ro = run_options(o, a);
        if (!(rs[n] = replay_new(t, &ro, err)))
            goto out;
        algo[n++] = a;
    }
    if (rd && n && replay_run_stream(rs, n, rd, NULL, err) != 0)
        goto out;
    for (unsigned k = 0; !rd && k < n; k++)
        for (size_t i = 0; i < t->nevents && !rs[k]->failed; i++) {
            struct replay_event_result res;
            replay_step(rs[k], i, &res);
        }
    for (unsigned k = 0; k < n; k++) {
        struct replay *r = rs[k];
        if (r->failed && r->failed != 2 && r->failed != 3) { /* the engine failed: an error */
            mpusim_error_set(err, r->engine_err.code ? r->engine_err.code : MPUSIM_E_ENGINE,
                             "%s: %s: %s", t->source, o->algo[algo[k]].name, r->engine_err.text);
            *nruns = 0;
            goto out;
        }
        long j = trace_index * (long)o->nalgo + (long)algo[k];
        collect(r, &o->algo[algo[k]], j, &runs[*nruns]);
        if (o->on_run)
            o->on_run(o->opaque, r, &runs[*nruns]);
        if (!ctx_from_trace(r, &runs[*nruns].ctx)) /* after on_run: the probe is no event */
            ctx_probe(r, &runs[*nruns].ctx);
        ++*nruns;
    }
    rc = 0;
out:
    for (unsigned k = 0; rs && k < n; k++)
        replay_free(rs[k]);
    free(rs);
    free(algo);
    return rc;
}

int compare_trace(const struct trace *t, const struct compare_options *o, long trace_index,
                  struct compare_run *runs, unsigned *nruns, struct mpusim_error *err)
{
    return compare_runs(t, NULL, o, trace_index, runs, nruns, err);
}

int compare_trace_stream(const struct trace *hdr, struct trace_reader *rd,
                         const struct compare_options *o, long trace_index,
                         struct compare_run *runs, unsigned *nruns, struct mpusim_error *err)
{
    return compare_runs(hdr, rd, o, trace_index, runs, nruns, err);
}

/* ---- outputs ---- */

static unsigned long long ull(uint64_t v) { return (unsigned long long)v; }

/* A markdown table cell must not contain '|' or a line break. */
static void md_put_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

void compare_write_table(FILE *f, const struct compare_run *runs, unsigned n)
{
    if (n == 0)
        return;
    fputs("### ", f);
    md_put_text(f, runs[0].trace);
    int guest = runs[0].guest, timed = runs[0].timed;
    fprintf(f, "\n\n%llu events, %u EL2 regions%s, engine %s\n\n", ull(runs[0].events),
            runs[0].regions, runs[0].xen_fixed ? ", --xen-fixed" : "", guest ? "guest" : "native");
    fputs("| algo | peak | mean | final | calls | failed | sysreg w | sysreg r | barriers "
          "| faults perm/none/multi | findings | divergences | ctx switch w/b |",
          f);
    fputs(timed ? " cycles p50/p99 per op | ctx switch cycles p50/p99 |\n" : "\n", f);
    fputs("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|", f);
    fputs(timed ? "---|--:|\n" : "\n", f);
    for (unsigned k = 0; k < n; k++) {
        const struct compare_run *r = &runs[k];
        fputs("| ", f);
        md_put_text(f, r->algo);
        fprintf(f, " | %u | %.2f | %u | %llu | %llu | %llu | %llu | %llu | %llu/%llu/%llu | %llu "
                   "| %llu |",
                r->peak_used, r->mean_used, r->final_used, ull(r->calls), ull(r->failed_calls),
                ull(r->sysreg_writes), ull(r->sysreg_reads), ull(r->barriers),
                ull(r->faults[MPU_FAULT_PERMISSION]), ull(r->faults[MPU_FAULT_NO_REGION]),
                ull(r->faults[MPU_FAULT_MULTIPLE_REGIONS]), ull(r->findings),
                ull(r->divergences));
        if (r->ctx.source == COMPARE_CTX_NONE)
            fputs(" - |", f);
        else
            fprintf(f, " %.0f/%.0f%s |", r->ctx.writes, r->ctx.barriers,
                    r->ctx.source == COMPARE_CTX_PROBE ? " (probe)" : "");
        if (timed) {
            int first = 1;
            for (int op = 0; op < TRACE_OP_COUNT; op++) {
                if (!r->cycles[op].calls)
                    continue;
                fprintf(f, "%s%s %llu/%llu", first ? " " : ", ",
                        trace_op_name((enum trace_op)op), ull(r->cycles[op].p50),
                        ull(r->cycles[op].p99));
                first = 0;
            }
            fputs(" |", f);
            if (r->ctx.source == COMPARE_CTX_NONE)
                fputs(" - |", f);
            else
                fprintf(f, " %llu/%llu |", ull(r->ctx.p50), ull(r->ctx.p99));
        }
        fputc('\n', f);
    }
    fputc('\n', f);
    int any = 0;
    for (unsigned k = 0; k < n; k++) {
        if (runs[k].stopped_event < 0)
            continue;
        fputs("stopped: ", f);
        md_put_text(f, runs[k].algo);
        fputs(": ", f);
        md_put_text(f, runs[k].stopped);
        fputs(" (its row counts the events before)\n", f);
        any = 1;
    }
    if (any)
        fputc('\n', f);
}

void compare_write_jsonl(FILE *f, const struct compare_run *r)
{
    fprintf(f, "{\"run\":%ld,\"trace\":", r->run);
    json_put_string(f, r->trace);
    fputs(",\"algo\":", f);
    json_put_string(f, r->algo);
    fprintf(f, ",\"engine\":\"%s\",\"xen_fixed\":%s,\"regions\":%u,\"events\":%llu,",
            r->guest ? "guest" : "native", r->xen_fixed ? "true" : "false", r->regions,
            ull(r->events));
    fprintf(f, "\"peak_used\":%u,\"mean_used\":%.4f,\"final_used\":%u,", r->peak_used,
            r->mean_used, r->final_used);
    fprintf(f, "\"calls\":%llu,\"failed_calls\":%llu,\"sysreg_writes\":%llu,\"sysreg_reads\":%llu,"
               "\"barriers\":%llu,",
            ull(r->calls), ull(r->failed_calls), ull(r->sysreg_writes), ull(r->sysreg_reads),
            ull(r->barriers));
    fprintf(f, "\"faults\":{\"permission\":%llu,\"no_region\":%llu,\"multiple_regions\":%llu},",
            ull(r->faults[MPU_FAULT_PERMISSION]), ull(r->faults[MPU_FAULT_NO_REGION]),
            ull(r->faults[MPU_FAULT_MULTIPLE_REGIONS]));
    if (r->timed) {
        fputs("\"cycles\":{", f);
        int first = 1;
        for (int op = 0; op < TRACE_OP_COUNT; op++) {
            if (!r->cycles[op].calls)
                continue;
            fprintf(f, "%s\"%s\":{\"calls\":%llu,\"p50\":%llu,\"p99\":%llu}", first ? "" : ",",
                    trace_op_name((enum trace_op)op), ull(r->cycles[op].calls),
                    ull(r->cycles[op].p50), ull(r->cycles[op].p99));
            first = 0;
        }
        fputs("},", f);
    }
    fprintf(f, "\"findings\":%llu,\"divergences\":%llu,\"ctx_switch\":", ull(r->findings),
            ull(r->divergences));
    if (r->ctx.source == COMPARE_CTX_NONE) {
        fputs("null", f);
    } else {
        fprintf(f, "{\"source\":\"%s\",\"count\":%llu,\"writes\":%.2f,\"barriers\":%.2f",
                r->ctx.source == COMPARE_CTX_PROBE ? "probe" : "trace", ull(r->ctx.count),
                r->ctx.writes, r->ctx.barriers);
        if (r->guest)
            fprintf(f, ",\"insns\":%.2f", r->ctx.insns);
        if (r->timed)
            fprintf(f, ",\"cycles\":{\"p50\":%llu,\"p99\":%llu}", ull(r->ctx.p50),
                    ull(r->ctx.p99));
        fputc('}', f);
    }
    if (r->stopped_event < 0) {
        fputs(",\"stopped\":null}\n", f);
        return;
    }
    fprintf(f, ",\"stopped\":{\"event\":%ld,\"what\":", r->stopped_event);
    json_put_string(f, r->stopped);
    fputs("}}\n", f);
}

static const char csv_header[] =
    "run,trace,algo,engine,xen_fixed,regions,events,peak_used,mean_used,final_used,calls,"
    "failed_calls,sysreg_writes,sysreg_reads,barriers,faults_permission,faults_no_region,"
    "faults_multiple_regions,findings,divergences,ctx_switch_source,ctx_switch_writes,"
    "ctx_switch_barriers,ctx_switch_cycles_p50,stopped_event,stopped\n";

void compare_write_csv_header(FILE *f) { fputs(csv_header, f); }

/* RFC 4180 field: quoted when it holds a comma, quote or line break; quotes doubled. */
static void csv_put_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void compare_write_csv_row(FILE *f, const struct compare_run *r)
{
    fprintf(f, "%ld,", r->run);
    csv_put_text(f, r->trace);
    fputc(',', f);
    csv_put_text(f, r->algo);
    fprintf(f, ",%s,%d,%u,%llu,%u,%.4f,%u,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,",
            r->guest ? "guest" : "native", r->xen_fixed, r->regions, ull(r->events),
            r->peak_used, r->mean_used, r->final_used,
            ull(r->calls), ull(r->failed_calls), ull(r->sysreg_writes), ull(r->sysreg_reads),
            ull(r->barriers), ull(r->faults[MPU_FAULT_PERMISSION]),
            ull(r->faults[MPU_FAULT_NO_REGION]), ull(r->faults[MPU_FAULT_MULTIPLE_REGIONS]),
            ull(r->findings), ull(r->divergences));
    if (r->ctx.source == COMPARE_CTX_NONE)
        fputs(",,,", f);
    else
        fprintf(f, "%s,%.2f,%.2f,", r->ctx.source == COMPARE_CTX_PROBE ? "probe" : "trace",
                r->ctx.writes, r->ctx.barriers);
    if (r->ctx.source != COMPARE_CTX_NONE && r->timed)
        fprintf(f, "%llu", ull(r->ctx.p50));
    if (r->stopped_event < 0) {
        fputs(",,\n", f);
        return;
    }
    fprintf(f, ",%ld,", r->stopped_event);
    csv_put_text(f, r->stopped);
    fputc('\n', f);
}
