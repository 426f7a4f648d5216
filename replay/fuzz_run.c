/* Fuzz runs: iterations, each from a fresh boot (one worker's replay restarted in its own
 * memory) with every invariant checked after each generated op, shards, the time bound,
 * shrinking the first violation, and the outputs (the minimal trace and one JSON Lines result
 * line per shard run). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/fuzz.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

unsigned fuzz_default_length(unsigned regions)
{
    unsigned n = 2 * regions + 40;
    return n > 300 ? n : 300;
}

struct fuzz_worker *fuzz_worker_new(const struct fuzz_options *o, struct mpusim_error *err)
{
    struct fuzz_worker *w = calloc(1, sizeof *w);
    if (!w) {
        mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
        return NULL;
    }
    w->o = *o;
    w->zephyr = o->replay.algo == MM_ALGO_ZEPHYR;
    w->bao = o->replay.algo == MM_ALGO_BAO;
    /* zephyr, bao: the header is laid out again from each iteration's seed */
    uint64_t seed0 = fuzz_iteration_seed(o->seed, 0);
    if ((w->zephyr ? fuzz_zephyr_trace_init(&w->trace, o->replay.regions, o->length, seed0, err)
         : w->bao  ? fuzz_bao_trace_init(&w->trace, o->replay.regions, o->length, seed0, err)
                   : fuzz_trace_init(&w->trace, o->replay.regions, o->length, err)) != 0) {
        free(w);
        return NULL;
    }
    w->r = fuzz_replay_new(&w->trace, o, err);
    if (!w->r) {
        fuzz_worker_free(w);
        return NULL;
    }
    return w;
}

void fuzz_worker_free(struct fuzz_worker *w)
{
    if (!w)
        return;
    replay_free(w->r);
    trace_fini(&w->trace);
    free(w);
}

int fuzz_run_iteration(struct fuzz_worker *w, uint64_t iter, struct fuzz_violation *v,
                       struct mpusim_error *err)
{
    v->inv = FUZZ_INV_COUNT;
    v->event = -1;
    v->text[0] = '\0';
    v->has_witness = 0;
    uint64_t seed = fuzz_iteration_seed(w->o.seed, iter);
    struct trace *t = &w->trace;
    t->nevents = 0;
    if (w->zephyr)
        fuzz_zephyr_trace_layout(t, seed);
    if (w->bao)
        fuzz_bao_trace_layout(t, seed);
    if (replay_restart(w->r, t, err) != 0)
        return -1;
    struct replay *r = w->r;
    fuzz_gen_init(&w->gen, seed, w->o.replay.regions);
    w->gen.zephyr = w->zephyr;
    memset(&w->memo, 0, sizeof w->memo);
    w->memo.own_table = 1; /* replay_step_lean: no cross-check of the replay's own */
    /* The snapshot of the state before each event is taken again only after an event that may
     * have changed it: not after an access (it reaches neither the algorithm nor a register),
     * nor after a failed call that was just found to have changed nothing of it. (Zephyr's
     * and bao's checks compare other things than the snapshot holds, or less: taken before
     * every event.) */
    int every = w->zephyr || w->bao;
    if (!every)
        fuzz_snapshot_take(&w->before, &r->mm, &r->mpu);
    size_t n = 0;
    while (n < w->o.length) {
        struct trace_event *ev = &t->events[n];
        if (ev->parts) { /* the previous iteration's event in this slot */
            free(ev->parts);
            ev->parts = NULL;
        }
        if (w->zephyr)
            fuzz_zephyr_gen_next(&w->gen, &r->mm, ev);
        else if (w->bao)
            fuzz_bao_gen_next(&w->gen, &r->mm, ev);
        else
            fuzz_gen_next(&w->gen, &r->mm, ev);
        if (every) {
            fuzz_snapshot_take(&w->before, &r->mm, &r->mpu);
            if (w->bao)
                fuzz_bao_snapshot_take(&w->before, r);
        }
        t->nevents = n + 1; /* each event is filled just before it is replayed */
        struct replay_event_result res;
        replay_step_lean(r, n, &res);
        n++;
        if (fuzz_check_event_memo(r, ev, &res, &w->before, &w->memo, v) == FUZZ_BROKEN)
            break;
        int same = ev->op == TRACE_OP_ACCESS || (res.has_rc && res.rc != 0);
        if (!every && !same)
            fuzz_snapshot_take(&w->before, &r->mm, &r->mpu);
    }
    return 0;
}

int fuzz_trace_copy(const struct trace *t, struct trace *out, struct mpusim_error *err)
{
    memset(out, 0, sizeof *out);
    memcpy(out->source, t->source, sizeof out->source);
    out->regions = t->regions;
    out->has_boot = t->has_boot;
    out->jsonl = t->jsonl;
    out->strict_addresses = t->strict_addresses;
    out->boot = calloc(t->nboot ? t->nboot : 1, sizeof *out->boot);
    out->events = calloc(t->nevents ? t->nevents : 1, sizeof *out->events);
    out->zephyr = t->zephyr ? malloc(sizeof *out->zephyr) : NULL;
    out->bao = t->bao ? malloc(sizeof *out->bao) : NULL;
    if (!out->boot || !out->events || (t->zephyr && !out->zephyr) || (t->bao && !out->bao)) {
        trace_fini(out);
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
    }
    if (t->nboot)
        memcpy(out->boot, t->boot, t->nboot * sizeof *t->boot);
    out->nboot = t->nboot;
    out->cap = t->nevents ? t->nevents : 1;
    for (size_t i = 0; i < t->nevents; i++) {
        out->events[i] = t->events[i];
        out->events[i].parts = NULL;
        out->events[i].expect.cpus = NULL;
        out->events[i].expect.ncpus = 0;
        out->events[i].expect.has &= ~TRACE_EXPECT_CPUS;
        const struct trace_event *e = &t->events[i];
        if (e->parts) { /* domain_init: the partitions are the event's own */
            out->events[i].parts = calloc(e->nparts ? e->nparts : 1, sizeof *e->parts);
            if (!out->events[i].parts) {
                trace_fini(out);
                return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
            }
            memcpy(out->events[i].parts, e->parts, e->nparts * sizeof *e->parts);
        }
    }
    out->nevents = t->nevents;
    if (t->zephyr)
        *out->zephyr = *t->zephyr;
    if (t->bao)
        *out->bao = *t->bao;
    return 0;
}

static int check_options(const struct fuzz_options *o, struct mpusim_error *err)
{
    if (o->replay.regions < 1 || o->replay.regions > MPU_MAX_REGIONS)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "regions %u out of range 1..255",
                                o->replay.regions);
    if (o->length < 1)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "length must be at least 1");
    if (o->shard_n < 1 || o->shard_k < 1 || o->shard_k > o->shard_n)
        return mpusim_error_set(err, MPUSIM_E_RANGE, "shard %u/%u: expected 1 <= K <= N",
                                o->shard_k, o->shard_n);
    if (!o->iterations && !(o->time_limit > 0))
        return mpusim_error_set(err, MPUSIM_E_RANGE,
                                "no bound: give an iteration count or a time limit");
    return 0;
}

/* Zephyr, bao: the access that shows the violation of the minimal trace t, appended after it
 * (the written trace then shows the finding as a fault, or as an access allowed, when
 * replayed). */
static int add_witness(struct trace *t, const struct fuzz_options *o, struct mpusim_error *err)
{
    struct fuzz_violation v;
    if ((o->replay.algo != MM_ALGO_ZEPHYR && o->replay.algo != MM_ALGO_BAO) ||
        fuzz_check_trace(t, o, 0, &v, err) != 0 || !v.has_witness)
        return err && err->code ? -1 : 0;
    if (t->nevents == t->cap) {
        struct trace_event *e = realloc(t->events, (t->cap + 1) * sizeof *e);
        if (!e)
            return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
        t->events = e;
        t->cap++;
    }
    struct trace_event *w = &t->events[t->nevents++];
    memset(w, 0, sizeof *w);
    w->op = TRACE_OP_ACCESS;
    w->base = v.witness_addr;
    w->limit = 1;
    w->kind = v.witness_kind;
    w->el = v.witness_el;
    w->line = -1;
    w->reg = -1;
    if (o->replay.algo == MM_ALGO_BAO) {
        w->bao = 1;
        w->cpu = v.witness_cpu;
    }
    return 0;
}

int fuzz_run(const struct fuzz_options *o, struct fuzz_result *res, struct mpusim_error *err)
{
    memset(res, 0, sizeof *res);
    res->v.inv = FUZZ_INV_COUNT;
    res->v.event = -1;
    if (check_options(o, err) != 0)
        return -1;
    struct fuzz_worker *w = fuzz_worker_new(o, err);
    if (!w)
        return -1;
    int rc = 0;
    double t0 = now_seconds();
    for (uint64_t i = o->shard_k - 1; !o->iterations || i < o->iterations; i += o->shard_n) {
        if (o->time_limit > 0 && res->iterations > 0 && now_seconds() - t0 >= o->time_limit)
            break;
        struct fuzz_violation v;
        if (fuzz_run_iteration(w, i, &v, err) != 0) {
            rc = -1;
            break;
        }
        res->iterations++;
        res->ops += w->trace.nevents;
        if (o->on_iteration)
            o->on_iteration(o->opaque, res->iterations, res->ops);
        if (v.inv == FUZZ_INV_COUNT)
            continue;
        res->seconds = now_seconds() - t0;
        res->found = 1;
        res->iteration = i;
        res->ops_failing = w->trace.nevents;
        struct trace t;
        if (fuzz_trace_copy(&w->trace, &t, err) != 0) {
            rc = -1;
            break;
        }
        fuzz_worker_free(w);
        w = NULL;
        if (!o->no_shrink && fuzz_shrink(&t, o, v.inv, &res->shrink_tests, err) != 0) {
            trace_fini(&t);
            return -1;
        }
        size_t shrunk = t.nevents;
        if (add_witness(&t, o, err) != 0) {
            trace_fini(&t);
            return -1;
        }
        /* Replay the minimal trace once more to record what each event does (expectations)
         * and where the invariant breaks now. */
        if (fuzz_check_trace(&t, o, 1, &res->v, err) != 0) {
            trace_fini(&t);
            return -1;
        }
        if (res->v.inv != v.inv) /* cannot happen: the shrinker kept v.inv broken */
            res->v = v;
        res->minimal = t;
        res->witness = t.nevents > shrunk;
        return 0;
    }
    fuzz_worker_free(w);
    res->seconds = now_seconds() - t0;
    return rc;
}

void fuzz_result_fini(struct fuzz_result *res)
{
    trace_fini(&res->minimal);
    memset(&res->minimal, 0, sizeof res->minimal);
}

void fuzz_algo_spelling(const struct fuzz_options *o, char *buf, size_t cap)
{
    if (o->replay.algo == MM_ALGO_RESERVE)
        snprintf(buf, cap, "reserve:%u", o->reserve_k);
    else
        snprintf(buf, cap, "%s", mm_algo_name(o->replay.algo));
}

/* "mpusim fuzz --algo xen --regions 64 --seed 1 --xen-fixed" (shards and bounds left out). */
static void command_line(const struct fuzz_options *o, char *buf, size_t cap)
{
    char algo[32];
    fuzz_algo_spelling(o, algo, sizeof algo);
    snprintf(buf, cap, "mpusim fuzz --algo %s --regions %u --seed %llu --length %u%s", algo,
             o->replay.regions, (unsigned long long)o->seed, o->length,
             o->replay.xen_fixed ? " --fixed" : "");
}

int fuzz_write_trace(FILE *f, const struct fuzz_options *o, const struct fuzz_result *res,
                     struct mpusim_error *err)
{
    const struct trace *t = &res->minimal;
    const char **notes = calloc(t->nevents ? t->nevents : 1, sizeof *notes);
    if (!notes)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
    char cmd[200], note[400], gen[512], algo[32];
    command_line(o, cmd, sizeof cmd);
    fuzz_algo_spelling(o, algo, sizeof algo);
    if (res->v.event >= 0 && (size_t)res->v.event < t->nevents) {
        snprintf(note, sizeof note, "fuzz: invariant %s breaks here: %s",
                 fuzz_invariant_name(res->v.inv), res->v.text);
        notes[res->v.event] = note;
    }
    snprintf(gen, sizeof gen,
             "%s: iteration %llu, shrunk from %zu to %zu ops; replay with: mpusim replay FILE "
             "--algo %s%s%s", cmd, (unsigned long long)res->iteration, res->ops_failing,
             t->nevents - res->witness, algo, o->replay.xen_fixed ? " --fixed" : "",
             res->witness ? "; the last access shows the violation" : "");
    struct trace_write_options wo = { TRACE_FORM_DOCUMENT, notes, gen };
    int rc = trace_write(f, t, &wo, err);
    free(notes);
    return rc;
}

void fuzz_write_result_json(FILE *f, const struct fuzz_options *o, const struct fuzz_result *res,
                            const char *trace_path)
{
    char algo[32];
    fuzz_algo_spelling(o, algo, sizeof algo);
    fprintf(f, "{\"shard\": \"%u/%u\", \"algo\": ", o->shard_k, o->shard_n);
    json_put_string(f, algo);
    fprintf(f, ", \"xen_fixed\": %s, \"regions\": %u, \"seed\": %llu, \"length\": %u, "
               "\"iterations\": %llu, \"ops\": %llu, \"violations\": [",
            o->replay.xen_fixed ? "true" : "false", o->replay.regions,
            (unsigned long long)o->seed, o->length, (unsigned long long)res->iterations,
            (unsigned long long)res->ops);
    if (res->found) {
        fprintf(f, "{\"invariant\": \"%s\", \"iteration\": %llu, \"ops\": %zu, "
                   "\"ops_before_shrink\": %zu, \"text\": ",
                fuzz_invariant_name(res->v.inv), (unsigned long long)res->iteration,
                res->minimal.nevents - res->witness, res->ops_failing);
        json_put_string(f, res->v.text);
        fputs(", \"trace\": ", f);
        if (trace_path)
            json_put_string(f, trace_path);
        else
            fputs("null", f);
        fputc('}', f);
    }
    fputs("]}\n", f);
}

void fuzz_format_event(const struct trace_event *ev, char *buf, size_t cap)
{
    if (ev->bao) {
        fuzz_bao_format_event(ev, buf, cap);
        return;
    }
    char fl[16];
    const char *name = trace_flags_name(ev->flags);
    if (name)
        snprintf(fl, sizeof fl, "%s", name);
    else
        snprintf(fl, sizeof fl, "0x%x", ev->flags);
    unsigned long long b = ev->base, l = ev->limit;
    switch (ev->op) {
    case TRACE_OP_MAP:
    case TRACE_OP_MODIFY:
        snprintf(buf, cap, "%s [0x%llx, 0x%llx) %s", trace_op_name(ev->op), b, l, fl);
        return;
    case TRACE_OP_UNMAP:
        snprintf(buf, cap, "unmap [0x%llx, 0x%llx)", b, l);
        return;
    case TRACE_OP_UNMAP_CONTAINING:
        snprintf(buf, cap, "unmap_containing 0x%llx", b);
        return;
    case TRACE_OP_IOREMAP:
        snprintf(buf, cap, "ioremap 0x%llx size 0x%llx %s", b, l, fl);
        return;
    case TRACE_OP_ACCESS:
        snprintf(buf, cap, "access %s 0x%llx size %llu el%u",
                 trace_access_kind_name((enum trace_access_kind)ev->kind), b, l, ev->el);
        return;
    case TRACE_OP_SYSREG:
        snprintf(buf, cap, "sysreg %s = 0x%llx",
                 ev->reg >= 0 && ev->reg < MPU_REG_COUNT ? mpu_reg_name(ev->reg) : "?", l);
        return;
    case TRACE_OP_THREAD_CREATE:
        snprintf(buf, cap, "thread_create %llu stack [0x%llx, +0x%llx)%s",
                 (unsigned long long)ev->thread, b, l, ev->user ? " user" : "");
        return;
    case TRACE_OP_DOMAIN_INIT:
        snprintf(buf, cap, "domain_init %llu (%u partitions)", (unsigned long long)ev->domain,
                 ev->nparts);
        return;
    case TRACE_OP_DOMAIN_ADD_PARTITION:
    case TRACE_OP_DOMAIN_REMOVE_PARTITION:
        snprintf(buf, cap, "%s %llu [0x%llx, 0x%llx)", trace_op_name(ev->op),
                 (unsigned long long)ev->domain, b, l);
        return;
    case TRACE_OP_DOMAIN_ADD_THREAD:
        snprintf(buf, cap, "domain_add_thread %llu thread %llu", (unsigned long long)ev->domain,
                 (unsigned long long)ev->thread);
        return;
    case TRACE_OP_USER_ENTER:
    case TRACE_OP_SWITCH:
        snprintf(buf, cap, "%s %llu", trace_op_name(ev->op), (unsigned long long)ev->thread);
        return;
    case TRACE_OP_CPU_BOOT:
    case TRACE_OP_VM_CREATE:
    case TRACE_OP_MAP_CPY:
    case TRACE_OP_VM_ENTRY:
    case TRACE_OP_VM_EXIT:
        snprintf(buf, cap, "%s cpu %u [0x%llx, 0x%llx)", trace_op_name(ev->op), ev->cpu, b, l);
        return;
    case TRACE_OP_COUNT:
        break;
    }
    snprintf(buf, cap, "?");
}
