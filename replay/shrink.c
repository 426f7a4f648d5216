/* Shrinking a failing op sequence by delta debugging (Zeller and Hildebrandt's ddmin): try
 * subsets and complements of ever smaller chunks, keep any candidate that still breaks the
 * same invariant, until no single op can be removed. */
#include <stdlib.h>
#include <string.h>

#include "replay/fuzz.h"

/* What every candidate test needs. */
struct shrink {
    const struct trace *t;          /* the original: header and boot borrowed */
    const struct fuzz_options *o;
    enum fuzz_invariant inv;
    struct trace_event *cand;       /* candidate events (capacity t->nevents) */
    unsigned long tests;
};

/* 1 if events ev[0..n) (from the original trace) still break inv; -1 on error. */
static int still_fails(struct shrink *s, const struct trace_event *ev, size_t n,
                       struct mpusim_error *err)
{
    struct trace c = *s->t;
    memcpy(s->cand, ev, n * sizeof *ev);
    for (size_t i = 0; i < n; i++)
        s->cand[i].expect.has = 0;
    c.events = s->cand;
    c.nevents = c.cap = n;
    struct fuzz_violation v;
    s->tests++;
    if (fuzz_check_trace(&c, s->o, 0, &v, err) != 0)
        return -1;
    return v.inv == s->inv;
}

int fuzz_shrink(struct trace *t, const struct fuzz_options *o, enum fuzz_invariant inv,
                unsigned long *tests, struct mpusim_error *err)
{
    size_t len = t->nevents;
    struct shrink s = { t, o, inv, NULL, 0 };
    struct trace_event *cur = malloc((len ? len : 1) * sizeof *cur);
    struct trace_event *try = malloc((len ? len : 1) * sizeof *try);
    s.cand = malloc((len ? len : 1) * sizeof *s.cand);
    if (!cur || !try || !s.cand) {
        free(cur);
        free(try);
        free(s.cand);
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory");
    }
    memcpy(cur, t->events, len * sizeof *cur);
    size_t n = 2; /* number of chunks */
    int rc = 0;
    while (len >= 2) {
        size_t chunk = (len + n - 1) / n;
        int reduced = 0;
        /* a subset: one chunk alone */
        for (size_t start = 0; start < len && !reduced; start += chunk) {
            size_t m = start + chunk > len ? len - start : chunk;
            int f = still_fails(&s, cur + start, m, err);
            if (f < 0) {
                rc = -1;
                goto done;
            }
            if (f) {
                memmove(cur, cur + start, m * sizeof *cur);
                len = m;
                n = 2;
                reduced = 1;
            }
        }
        /* a complement: everything but one chunk (pointless when n == 2: subsets did it) */
        for (size_t start = 0; n > 2 && start < len && !reduced; start += chunk) {
            size_t m = start + chunk > len ? len - start : chunk;
            memcpy(try, cur, start * sizeof *cur);
            memcpy(try + start, cur + start + m, (len - start - m) * sizeof *cur);
            int f = still_fails(&s, try, len - m, err);
            if (f < 0) {
                rc = -1;
                goto done;
            }
            if (f) {
                len -= m;
                memcpy(cur, try, len * sizeof *cur);
                n = n - 1 > 2 ? n - 1 : 2;
                reduced = 1;
            }
        }
        if (!reduced) {
            if (n >= len)
                break;
            n = 2 * n < len ? 2 * n : len;
        }
    }
    /* bao: events that only go in pairs (a vm_entry and the CPU's next vm_exit, a map_cpy
     * and the unmap of its copy), which single removals cannot take out */
    for (size_t i = 0; o->replay.algo == MM_ALGO_BAO && i + 1 < len;) {
        size_t j = fuzz_bao_partner(cur, len, i);
        if (j >= len) {
            i++;
            continue;
        }
        size_t m = 0;
        for (size_t k = 0; k < len; k++)
            if (k != i && k != j)
                try[m++] = cur[k];
        int f = still_fails(&s, try, m, err);
        if (f < 0) {
            rc = -1;
            goto done;
        }
        if (f) {
            memcpy(cur, try, m * sizeof *cur);
            len = m;
        } else {
            i++;
        }
    }
    if (len == 1 && still_fails(&s, cur, 0, err) == 1)
        len = 0; /* the boot alone breaks it (cannot happen with a sound boot) */
    memcpy(t->events, cur, len * sizeof *cur);
    for (size_t i = 0; i < len; i++)
        t->events[i].expect.has = 0;
    t->nevents = len;
done:
    if (tests)
        *tests = s.tests;
    free(cur);
    free(try);
    free(s.cand);
    return rc;
}
