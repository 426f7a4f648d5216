/*
 * The timing model on the instructions the guest executes (docs/timing.md).
 *
 * sim/mem.c's block hook (the engine's only UC_HOOK_BLOCK) hands each translated block to
 * sim_timing_enter_block() first, before it runs and before the checks see it. Each distinct block (address, size) is decoded once with capstone into compact records
 * (struct sim_tinsn) kept in a cache. The block is charged when it is over, that is when the
 * next block starts or the run stops: by then the engine knows how far it really ran (a fault,
 * a stub, a service call or the budget cut it short: sim_redirect() moved blk_end; a
 * system-register hook that skipped an instruction left adv_pc; a count-limited run stopped
 * mid-block: sim_timing_stopped()), so instructions cut off by an exception are never charged,
 * and it knows where the last instruction went (taken or not, the return or indirect target)
 * for the branch predictor. The scoreboards carry over from block to block; each run or call
 * starts from a drained pipeline (cycle 0) and the harness's return address on the return
 * stack, and ends at the cycle the instruction after the return could issue.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

#define TIMING_MAX_BLOCK 1024u /* instructions per translated block at most (QEMU: 512) */

struct tblock {
    uint64_t addr;   /* first instruction; 0 with size 0: empty slot */
    uint32_t size;   /* bytes */
    uint32_t first;  /* index of its first record in insn[] */
    uint32_t id;     /* block number (the memo's name for it) */
};

struct sim_timing {
    struct sim_tmodel model;
    csh cs;                      /* capstone, AArch64 with details */
    struct tblock *tab;          /* open addressing; cap is a power of 2 */
    size_t cap, used;
    struct sim_tinsn *insn;      /* every decoded block's records, back to back */
    size_t ninsn, capinsn;
    struct sim_tmemo *memo;      /* block effects by scoreboard state (sim/timing_memo.c) */
    int pending;                 /* 1: a block started and is not charged yet */
    uint64_t pstart;             /* its first instruction */
    uint32_t pfirst, pcount;     /* its records: insn[pfirst .. pfirst + pcount) */
    uint32_t pid;                /* its block number */
    uint64_t cut;                /* 0, or the run stopped at this PC inside the block */
};

static size_t slot_of(const struct sim_timing *t, uint64_t addr, uint32_t size)
{
    uint64_t h = (addr >> 2) * 0x9E3779B97F4A7C15ull ^ size;
    return (size_t)(h ^ (h >> 29)) & (t->cap - 1);
}

static int grow_table(struct sim_timing *t)
{
    size_t ncap = t->cap ? t->cap * 2 : 1024;
    struct tblock *n = calloc(ncap, sizeof *n);
    if (!n)
        return -1;
    struct tblock *old = t->tab;
    size_t ocap = t->cap;
    t->tab = n;
    t->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].size) {
            size_t j = slot_of(t, old[i].addr, old[i].size);
            while (t->tab[j].size)
                j = (j + 1) & (t->cap - 1);
            t->tab[j] = old[i];
        }
    free(old);
    return 0;
}

/* The records of block [addr, addr + size), decoding it on first sight. NULL when out of
 * memory or unreadable. */
static const struct tblock *lookup(struct sim *s, uint64_t addr, uint32_t size)
{
    struct sim_timing *t = s->timing;
    size_t j = slot_of(t, addr, size);
    while (t->tab[j].size) {
        if (t->tab[j].addr == addr && t->tab[j].size == size)
            return &t->tab[j];
        j = (j + 1) & (t->cap - 1);
    }
    uint32_t n = size / SIM_INSN_SIZE;
    uint32_t words[TIMING_MAX_BLOCK];
    if (n == 0 || n > TIMING_MAX_BLOCK || uc_mem_read(s->uc, addr, words, n * 4) != UC_ERR_OK)
        return NULL;
    if (t->ninsn + n > t->capinsn) {
        size_t ncap = t->capinsn ? t->capinsn * 2 : 4096;
        while (ncap < t->ninsn + n)
            ncap *= 2;
        struct sim_tinsn *ni = realloc(t->insn, ncap * sizeof *ni);
        if (!ni)
            return NULL;
        t->insn = ni;
        t->capinsn = ncap;
    }
    if (sim_tdecode(t->cs, words, n, addr, &t->insn[t->ninsn], NULL) != 0)
        return NULL;
    if ((t->used + 1) * 2 > t->cap) {
        if (grow_table(t) != 0)
            return NULL;
        j = slot_of(t, addr, size);
        while (t->tab[j].size)
            j = (j + 1) & (t->cap - 1);
    }
    t->tab[j].addr = addr;
    t->tab[j].size = size;
    t->tab[j].first = (uint32_t)t->ninsn;
    t->tab[j].id = (uint32_t)t->used; /* blocks are numbered in decoding order */
    t->ninsn += n;
    t->used++;
    s->stats.timed_blocks++;
    return &t->tab[j];
}

/* Charge the pending block for what really ran of it; next = the PC execution went on at. */
static void charge(struct sim *s, uint64_t next)
{
    struct sim_timing *t = s->timing;
    if (!t->pending)
        return;
    t->pending = 0;
    uint64_t start = t->pstart, end = t->pstart + (uint64_t)t->pcount * SIM_INSN_SIZE;
    if (s->blk_start == start && s->blk_end < end)
        end = s->blk_end < start ? start : s->blk_end; /* sim_redirect() cut it */
    if (s->adv_pc && next == s->adv_pc && s->adv_pc < s->adv_end && s->adv_pc > start &&
        s->adv_pc < end)
        end = s->adv_pc; /* Unicorn ended the block after a skipped system instruction */
    if (t->cut > start && t->cut < end)
        end = t->cut;
    else if (t->cut == start)
        end = start;
    t->cut = 0;
    uint32_t n = (uint32_t)((end - start) / SIM_INSN_SIZE);
    const struct sim_tinsn *in = &t->insn[t->pfirst];
    s->stats.timed_insns += n;
    if (n && n == t->pcount) { /* the whole block ran: its effect may be known already */
        int redirect = in[n - 1].br == TBR_NONE
                           ? SIM_TREDIR_NONE
                           : sim_tmodel_predict(&t->model, &in[n - 1],
                                                start + (uint64_t)(n - 1) * SIM_INSN_SIZE, next);
        sim_tmemo_block(t->memo, &t->model, t->pid, in, n, redirect);
        return;
    }
    sim_tmemo_materialise(t->memo, &t->model); /* cut short: issue what ran, one by one */
    for (uint32_t i = 0; i < n; i++)
        sim_tmodel_issue(&t->model, &in[i]);
}

void sim_timing_enter_block(struct sim *s, uint64_t addr, uint32_t size)
{
    struct sim_timing *t = s->timing;
    charge(s, addr);
    const struct tblock *b = lookup(s, addr, size);
    if (!b) { /* out of memory: the block is not timed; the run goes on */
        t->pending = 0;
        return;
    }
    t->pending = 1;
    t->pstart = addr;
    t->pfirst = b->first;
    t->pid = b->id;
    t->pcount = b->size / SIM_INSN_SIZE;
    t->cut = 0;
}

int sim_timing_new(struct sim *s, struct mpusim_error *err)
{
    struct sim_core def;
    const struct sim_core *core = s->opt.core;
    if (!core) {
        sim_core_default(&def);
        core = &def;
    }
    if (sim_core_check(core, err) != 0)
        return -1;
    struct sim_timing *t = calloc(1, sizeof *t);
    if (!t)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory for the timing model");
    s->timing = t;
    s->opt.core = NULL; /* copied into the model; the caller's pointer is not kept */
    sim_tmodel_init(&t->model, core);
    if (sim_tdecode_open(&t->cs, err) != 0) {
        free(t);
        s->timing = NULL;
        return -1;
    }
    t->memo = sim_tmemo_new();
    if (grow_table(t) != 0 || !t->memo)
        return mpusim_error_set(err, MPUSIM_E_ENGINE, "out of memory for the timing model");
    return 0;
}

void sim_timing_free(struct sim *s)
{
    struct sim_timing *t = s->timing;
    if (!t)
        return;
    if (t->cs)
        cs_close(&t->cs);
    free(t->tab);
    free(t->insn);
    sim_tmemo_free(t->memo);
    free(t);
    s->timing = NULL;
}

void sim_timing_begin(struct sim *s)
{
    struct sim_timing *t = s->timing;
    t->pending = 0;
    t->cut = 0;
    sim_tmemo_reset(t->memo, &t->model);
    sim_tmodel_push_return(&t->model, s->opt.sentinel); /* LR of every run and call */
}

void sim_timing_stopped(struct sim *s, uint64_t pc)
{
    struct sim_timing *t = s->timing;
    if (t->pending && pc >= t->pstart && pc < t->pstart + (uint64_t)t->pcount * SIM_INSN_SIZE)
        t->cut = pc;
}

uint64_t sim_timing_now(const struct sim *s)
{
    struct sim_cycles c;
    sim_tmodel_cycles(&s->timing->model, &c);
    return s->stats.cycles.nominal + c.nominal;
}

void sim_timing_end(struct sim *s, uint64_t pc, struct sim_cycles *out)
{
    struct sim_timing *t = s->timing;
    charge(s, pc);
    sim_tmemo_cycles(t->memo, &t->model, out);
    s->stats.mispredicts = t->model.mispredicts;
    s->stats.cycles.nominal += out->nominal;
    s->stats.cycles.min += out->min;
    s->stats.cycles.max += out->max;
}
