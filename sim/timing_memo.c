/*
 * Memoised block timing (sim/internal.h; docs/timing.md, "Speed").
 *
 * Why it is exact. In the scoreboard (sim/timing_core.c) every stored time is used only as a
 * lower bound, max(t, x), of an issue cycle t that is never below the current group's cycle,
 * or raised by max(x, y) with y at or after that cycle, and the cycle never goes down. So a
 * time at or before the current cycle acts exactly as the current cycle does: a scoreboard is
 * fully described by its times relative to its cycle, earlier ones clamped to 0, and its
 * issue group (slots, units used, closed, anything issued). That canonical form is a state;
 * states are interned (each distinct one gets a number). What a block does to a scoreboard
 * depends only on the state, the block and how its last branch went (enum sim_tredirect):
 * the memo maps (value set, state, block, redirect) to (next state, cycles advanced). A hit
 * costs one small hash probe instead of issuing every instruction on the scoreboard.
 *
 * A scoreboard is either canonical (state number + its cycle; m->sb[k] is stale) or
 * materialised (m->sb[k] holds it, e.g. after a block cut short, or when a relative time does
 * not fit a byte). Materialise before reading m->sb. Bounded: when a table is full,
 * everything is materialised and the tables start afresh.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

#define STATE_BYTES 224u /* 33 x 6 readiness + 4 times + 7 unit times + 7 used + 3, padded */
#define MAX_STATES 16384u
#define STATE_SLOTS (2 * MAX_STATES)
#define MAX_TRANS 65536u
#define TRANS_SLOTS (2 * MAX_TRANS)

struct trans {
    uint64_t key;   /* 0: empty; else see trans_key() */
    uint32_t next;  /* state after the block */
    uint32_t delta; /* cycles the scoreboard's cycle advanced */
};

struct vsb {
    int canonical;  /* 1: sid/base describe the scoreboard; 0: m->sb[k] does */
    uint32_t sid;
    uint64_t base;  /* its cycle */
};

struct sim_tmemo {
    uint8_t *state;     /* nstates x STATE_BYTES */
    uint64_t *shash;    /* hash per state */
    uint32_t nstates;
    uint32_t *sslot;    /* open addressing over states: index + 1, 0 empty */
    struct trans *tr;   /* open addressing */
    uint32_t ntrans;
    struct vsb v[SIM_TS_COUNT];
    int64_t drained;    /* number of the drained state (every run starts there); -1: none */
};

struct sim_tmemo *sim_tmemo_new(void)
{
    struct sim_tmemo *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->state = malloc((size_t)MAX_STATES * STATE_BYTES);
    t->shash = malloc(MAX_STATES * sizeof *t->shash);
    t->sslot = calloc(STATE_SLOTS, sizeof *t->sslot);
    t->tr = calloc(TRANS_SLOTS, sizeof *t->tr);
    if (!t->state || !t->shash || !t->sslot || !t->tr) {
        sim_tmemo_free(t);
        return NULL;
    }
    t->drained = -1;
    return t;
}

void sim_tmemo_free(struct sim_tmemo *t)
{
    if (!t)
        return;
    free(t->state);
    free(t->shash);
    free(t->sslot);
    free(t->tr);
    free(t);
}

/* A time relative to cycle c, clamped at 0; -1 when it does not fit a byte. */
static int rel_byte(uint64_t v, uint64_t c)
{
    if (v <= c)
        return 0;
    return v - c > 255 ? -1 : (int)(v - c);
}

/* The canonical form of s into b[STATE_BYTES]; 0 when a time does not fit. */
static int canon(const struct sim_sb *s, uint8_t *b)
{
    uint64_t c = s->cycle;
    unsigned n = 0;
    int v;
    for (int r = 0; r < SIM_TREGS; r++)
        for (int k = 0; k < SIM_TR_COUNT; k++) {
            if ((v = rel_byte(s->ready[r][k], c)) < 0)
                return 0;
            b[n++] = (uint8_t)v;
        }
    const uint64_t scal[4] = { s->front, s->all_done, s->store_done, s->last_wb };
    for (int i = 0; i < 4; i++) {
        if ((v = rel_byte(scal[i], c)) < 0)
            return 0;
        b[n++] = (uint8_t)v;
    }
    for (int u = 0; u < SIM_TU_COUNT; u++) {
        if ((v = rel_byte(s->unit_free[u], c)) < 0)
            return 0;
        b[n++] = (uint8_t)v;
        b[n++] = (uint8_t)s->used[u]; /* <= 8 per unit (sim_core_check) */
    }
    b[n++] = (uint8_t)s->slots;       /* <= 8 */
    b[n++] = (uint8_t)s->closed;
    b[n++] = (uint8_t)s->any;
    while (n < STATE_BYTES)
        b[n++] = 0;
    return 1;
}

/* The scoreboard of state b at cycle c (times before c become c: the same behaviour). */
static void uncanon(const uint8_t *b, uint64_t c, struct sim_sb *s)
{
    unsigned n = 0;
    for (int r = 0; r < SIM_TREGS; r++)
        for (int k = 0; k < SIM_TR_COUNT; k++)
            s->ready[r][k] = c + b[n++];
    s->front = c + b[n++];
    s->all_done = c + b[n++];
    s->store_done = c + b[n++];
    s->last_wb = c + b[n++];
    for (int u = 0; u < SIM_TU_COUNT; u++) {
        s->unit_free[u] = c + b[n++];
        s->used[u] = b[n++];
    }
    s->slots = b[n++];
    s->closed = b[n++];
    s->any = b[n++];
    s->cycle = c;
    s->last_issue = c; /* after any issue it equals the cycle; unused before */
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
}

static uint64_t state_hash(const uint8_t *b)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (unsigned i = 0; i < STATE_BYTES; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = mix(h ^ w);
    }
    return h;
}

/* Every canonical scoreboard materialised, then both tables emptied. */
static void flush(struct sim_tmemo *t, struct sim_tmodel *m)
{
    for (int k = 0; k < SIM_TS_COUNT; k++)
        if (t->v[k].canonical) {
            uncanon(t->state + (size_t)t->v[k].sid * STATE_BYTES, t->v[k].base, &m->sb[k]);
            t->v[k].canonical = 0;
        }
    memset(t->sslot, 0, STATE_SLOTS * sizeof *t->sslot);
    memset(t->tr, 0, TRANS_SLOTS * sizeof *t->tr);
    t->nstates = t->ntrans = 0;
    t->drained = -1;
}

/* The number of state b, interned if new; -1 when the table is full. */
static int64_t intern(struct sim_tmemo *t, const uint8_t *b)
{
    uint64_t h = state_hash(b);
    uint32_t j = (uint32_t)h & (STATE_SLOTS - 1);
    for (;; j = (j + 1) & (STATE_SLOTS - 1)) {
        uint32_t x = t->sslot[j];
        if (!x)
            break;
        if (t->shash[x - 1] == h && !memcmp(t->state + (size_t)(x - 1) * STATE_BYTES, b,
                                            STATE_BYTES))
            return x - 1;
    }
    if (t->nstates == MAX_STATES)
        return -1;
    uint32_t id = t->nstates++;
    memcpy(t->state + (size_t)id * STATE_BYTES, b, STATE_BYTES);
    t->shash[id] = h;
    t->sslot[j] = id + 1;
    return id;
}

static uint64_t trans_key(int k, uint32_t sid, uint32_t block, int redirect)
{
    /* sid < 2^14, block < 2^40: never 0 because bit 63 is set */
    return (1ull << 63) | (uint64_t)k << 60 | (uint64_t)redirect << 56 |
           (uint64_t)(block & 0xFFFFFFFFFFull) << 14 | sid;
}

static struct trans *trans_find(struct sim_tmemo *t, uint64_t key)
{
    uint32_t j = (uint32_t)mix(key) & (TRANS_SLOTS - 1);
    while (t->tr[j].key && t->tr[j].key != key)
        j = (j + 1) & (TRANS_SLOTS - 1);
    return &t->tr[j];
}

/* Scoreboard k back to canonical form if its times fit (after it was issued on). */
static void settle(struct sim_tmemo *t, struct sim_tmodel *m, int k)
{
    uint8_t b[STATE_BYTES];
    if (!canon(&m->sb[k], b))
        return;
    int64_t id = intern(t, b);
    if (id < 0) {
        flush(t, m);
        id = intern(t, b);
    }
    t->v[k].canonical = 1;
    t->v[k].sid = (uint32_t)id;
    t->v[k].base = m->sb[k].cycle;
}

void sim_tmemo_reset(struct sim_tmemo *t, struct sim_tmodel *m)
{
    if (t->drained < 0) { /* once (and after a flush): intern the drained state */
        sim_tmodel_reset(m);
        for (int k = 0; k < SIM_TS_COUNT; k++) {
            t->v[k].canonical = 0;
            settle(t, m, k);
        }
        if (t->v[0].canonical)
            t->drained = t->v[0].sid;
        return;
    }
    for (int k = 0; k < SIM_TS_COUNT; k++) { /* the scoreboards stay stale: no memset */
        t->v[k].canonical = 1;
        t->v[k].sid = (uint32_t)t->drained;
        t->v[k].base = 0;
    }
}

void sim_tmemo_cycles(const struct sim_tmemo *t, const struct sim_tmodel *m,
                      struct sim_cycles *out)
{
    uint64_t v[SIM_TS_COUNT];
    for (int k = 0; k < SIM_TS_COUNT; k++) {
        const struct vsb *s = &t->v[k];
        if (!s->canonical) {
            const struct sim_sb *b = &m->sb[k];
            v[k] = b->any ? (b->front > b->cycle + 1 ? b->front : b->cycle + 1) : 0;
            continue;
        }
        const uint8_t *b = t->state + (size_t)s->sid * STATE_BYTES;
        uint64_t front = b[SIM_TREGS * SIM_TR_COUNT]; /* relative to the cycle */
        int any = b[SIM_TREGS * SIM_TR_COUNT + 4 + 2 * SIM_TU_COUNT + 2];
        v[k] = any ? s->base + (front > 1 ? front : 1) : 0;
    }
    out->nominal = v[SIM_TS_NOMINAL];
    out->min = v[SIM_TS_MIN];
    out->max = v[SIM_TS_MAX];
}

void sim_tmemo_materialise(struct sim_tmemo *t, struct sim_tmodel *m)
{
    for (int k = 0; k < SIM_TS_COUNT; k++)
        if (t->v[k].canonical) {
            uncanon(t->state + (size_t)t->v[k].sid * STATE_BYTES, t->v[k].base, &m->sb[k]);
            t->v[k].canonical = 0;
        }
}

void sim_tmemo_block(struct sim_tmemo *t, struct sim_tmodel *m, uint32_t block,
                     const struct sim_tinsn *in, uint32_t n, int redirect)
{
    for (int k = 0; k < SIM_TS_COUNT; k++) {
        struct vsb *v = &t->v[k];
        struct trans *e = NULL;
        uint64_t key = 0;
        if (v->canonical) {
            key = trans_key(k, v->sid, block, redirect);
            e = trans_find(t, key);
            if (e->key) { /* seen: the next state and the cycles it took */
                v->sid = e->next;
                v->base += e->delta;
                continue;
            }
            uncanon(t->state + (size_t)v->sid * STATE_BYTES, v->base, &m->sb[k]);
            v->canonical = 0;
        }
        uint64_t c0 = m->sb[k].cycle;
        sim_tmodel_issue_set(m, k, in, n);
        sim_tsb_redirect(&m->sb[k], &m->core, k, redirect);
        uint32_t before = t->nstates;
        settle(t, m, k);
        if (!e || !v->canonical || m->sb[k].cycle - c0 > UINT32_MAX)
            continue;
        if (t->nstates < before || t->ntrans == MAX_TRANS) { /* flushed, or full */
            if (t->ntrans == MAX_TRANS)
                flush(t, m);
            continue; /* e belongs to the old tables */
        }
        e->key = key;
        e->next = v->sid;
        e->delta = (uint32_t)(m->sb[k].cycle - c0);
        t->ntrans++;
    }
}
