/* The memoised timing (sim/timing_memo.c) gives exactly the cycles of issuing every
 * instruction on the scoreboards: random block sequences with random branch redirects, blocks
 * cut short and new runs, on the built-in core and on one whose min/nominal/max all differ. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim/internal.h"

static const uint32_t pool[] = {
    0x8b020020u, /* add x0, x1, x2 */
    0xf9400003u, /* ldr x3, [x0] */
    0xf9000423u, /* str x3, [x1, #8] */
    0x9b007c64u, /* mul x4, x3, x0 */
    0x9b032489u, /* madd x9, x4, x3, x9 */
    0x9ac10c85u, /* sdiv x5, x4, x1 */
    0xa9401fe6u, /* ldp x6, x7, [sp] */
    0xa9bf1fe6u, /* stp x6, x7, [sp, #-16]! */
    0xeb01001fu, /* cmp x0, x1 */
    0x9a811002u, /* csel x2, x0, x1, ne */
    0xf8636848u, /* ldr x8, [x2, x3] */
    0xf8408401u, /* ldr x1, [x0], #8 */
    0xd5033fdfu, /* isb */
    0xd5033f9fu, /* dsb sy */
    0xd5033bbfu, /* dmb ish */
    0xd503201fu, /* nop */
    0x91000400u, /* add x0, x0, #1 */
};
#define NPOOL (sizeof pool / sizeof pool[0])
#define NBLOCKS 40
#define MAXLEN 12

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void reference_block(struct sim_tmodel *m, const struct sim_tinsn *in, unsigned n,
                            int redirect)
{
    for (unsigned i = 0; i < n; i++)
        sim_tmodel_issue(m, &in[i]);
    for (int k = 0; k < SIM_TS_COUNT; k++)
        sim_tsb_redirect(&m->sb[k], &m->core, k, redirect);
}

static void run(const struct sim_core *core, uint64_t seed, unsigned steps)
{
    csh cs;
    cr_assert_eq(sim_tdecode_open(&cs, NULL), 0);
    static struct sim_tinsn blk[NBLOCKS][MAXLEN];
    unsigned len[NBLOCKS];
    uint64_t s = seed;
    for (unsigned b = 0; b < NBLOCKS; b++) {
        uint32_t w[MAXLEN];
        len[b] = 1 + (unsigned)(rnd(&s) % MAXLEN);
        for (unsigned i = 0; i < len[b]; i++)
            w[i] = pool[rnd(&s) % NPOOL];
        cr_assert_eq(sim_tdecode(cs, w, len[b], 0x1000u * b, blk[b], NULL), 0);
    }
    cs_close(&cs);
    struct sim_tmodel *ref = malloc(sizeof *ref), *mem = malloc(sizeof *mem);
    struct sim_tmemo *t = sim_tmemo_new();
    cr_assert(ref && mem && t);
    sim_tmodel_init(ref, core);
    sim_tmodel_init(mem, core);
    sim_tmodel_reset(ref);
    sim_tmemo_reset(t, mem);
    unsigned runs = 0, cuts = 0;
    for (unsigned i = 0; i < steps; i++) {
        unsigned b = (unsigned)(rnd(&s) % NBLOCKS);
        unsigned what = (unsigned)(rnd(&s) % 100);
        int redirect = (int)(rnd(&s) % 4);
        if (what < 3) { /* a run ends here and the next starts */
            struct sim_cycles a, c;
            sim_tmodel_cycles(ref, &a);
            sim_tmemo_cycles(t, mem, &c);
            cr_assert(a.nominal == c.nominal && a.min == c.min && a.max == c.max,
                      "step %u: %llu/%llu/%llu, memo %llu/%llu/%llu", i,
                      (unsigned long long)a.nominal, (unsigned long long)a.min,
                      (unsigned long long)a.max, (unsigned long long)c.nominal,
                      (unsigned long long)c.min, (unsigned long long)c.max);
            sim_tmodel_reset(ref);
            sim_tmemo_reset(t, mem);
            runs++;
            continue;
        }
        if (what < 8 && len[b] > 1) { /* cut short: only the first instructions ran */
            unsigned n = 1 + (unsigned)(rnd(&s) % (len[b] - 1));
            for (unsigned j = 0; j < n; j++)
                sim_tmodel_issue(ref, &blk[b][j]);
            sim_tmemo_materialise(t, mem);
            for (unsigned j = 0; j < n; j++)
                sim_tmodel_issue(mem, &blk[b][j]);
            cuts++;
            continue;
        }
        reference_block(ref, blk[b], len[b], redirect);
        sim_tmemo_block(t, mem, b, blk[b], len[b], redirect);
        struct sim_cycles a, c;
        sim_tmodel_cycles(ref, &a);
        sim_tmemo_cycles(t, mem, &c);
        cr_assert(a.nominal == c.nominal && a.min == c.min && a.max == c.max,
                  "step %u (block %u): %llu/%llu/%llu, memo %llu/%llu/%llu", i, b,
                  (unsigned long long)a.nominal, (unsigned long long)a.min,
                  (unsigned long long)a.max, (unsigned long long)c.nominal,
                  (unsigned long long)c.min, (unsigned long long)c.max);
    }
    cr_assert_gt(runs, 0);
    cr_assert_gt(cuts, 0);
    sim_tmemo_free(t);
    free(ref);
    free(mem);
}

Test(timing_memo, same_cycles_as_issuing_every_instruction_on_the_default_core)
{
    struct sim_core c;
    sim_core_default(&c);
    for (uint64_t seed = 1; seed <= 4; seed++)
        run(&c, seed, 60000);
}

Test(timing_memo, same_cycles_when_min_nominal_and_max_all_differ)
{
    struct sim_core c;
    sim_core_default(&c);
    for (int i = 0; i < SIM_TC_COUNT; i++) { /* every latency a range */
        struct sim_tclass_cost *k = &c.cls[i];
        k->lat = (struct sim_tnum){ { k->lat.v[0] + 1, k->lat.v[1], k->lat.v[2] + 3 } };
        for (int r = 0; r < SIM_TR_OTHER; r++)
            k->lat_to[r] = (struct sim_tnum){ { k->lat_to[r].v[0] + 1, k->lat_to[r].v[1],
                                                k->lat_to[r].v[2] + 2 } };
    }
    c.cls[SIM_TC_LOAD_PAIR].occupancy = (struct sim_tnum){ { 2, 1, 4 } };
    cr_assert_eq(sim_core_check(&c, NULL), 0);
    for (uint64_t seed = 11; seed <= 13; seed++)
        run(&c, seed, 60000);
}
