/* build/guest/mm.elf (guest/) through the call harness against the native engine: the same
 * algorithm from the same sources gives the same return codes and the same MPU registers. */
#include "tests/sim/helpers.h"

#include "mm/mm.h"

struct native {
    struct mpu m;
    struct mm_ctx ctx;
};

static uint64_t n_read(void *opaque, unsigned enc)
{
    int id = mpu_reg_from_encoding(enc);
    return id >= 0 ? mpu_read(opaque, id) : 0;
}
static void n_write(void *opaque, unsigned enc, uint64_t v)
{
    int id = mpu_reg_from_encoding(enc);
    if (id >= 0)
        mpu_write(opaque, id, v);
}
static void n_barrier(void *opaque, enum mm_barrier b)
{
    (void)opaque;
    (void)b;
}

struct logs {
    unsigned n;
    uint64_t last_id;
};
static void on_log(void *opaque, uint64_t id, const uint64_t arg[4])
{
    (void)arg;
    struct logs *l = opaque;
    l->n++;
    l->last_id = id;
}

Test(guest, mm_elf_gives_the_native_results_and_registers)
{
    static struct native nat;
    struct mpu_config cfg = { 16, 16, MPU_FSC_TRANSLATION };
    cr_assert_eq(mpu_init(&nat.m, &cfg), 0);
    struct mm_hw hw = { n_read, n_write, n_barrier, NULL, &nat.m, NULL };
    struct mm_options mo = { .algo = MM_ALGO_XEN, .xen_fixed = 0 };
    mm_init(&nat.ctx, &mo, &hw);

    struct logs logs = { 0, 0 };
    struct sim_options o;
    sim_options_default(&o);
    o.on_log = on_log;
    o.opaque = &logs;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct sim *s = sim_new(&o, &err);
    cr_assert_not_null(s);
    cr_assert_eq(sim_load_elf(s, MM_ELF, &err), 0, "%s", err.text);
    cr_assert_eq(sim_exempt_image(s, &err), 0);
    cr_assert_eq(sim_run(s, sim_entry(s), "guest_ready", 0, NULL, &err), 0, "%s", err.text);
    uint64_t init[3] = { MM_ALGO_XEN, 0, 0 };
    cr_assert_eq(call_ok(s, "guest_init", init, 3), 0u);

    /* boot regions of the reference xen-syms (xen-fixtures.md, scenario A) */
    struct mm_boot_region boot[] = {
        { 0x0, 0x79d00, MM_PAGE_HYPERVISOR_RX }, { 0x7a000, 0xa1080, MM_PAGE_HYPERVISOR_RO },
        { 0xa2000, 0xa8000, MM_PAGE_HYPERVISOR_RW }, { 0xa8000, 0xc4000, MM_PAGE_HYPERVISOR_RX },
        { 0xc4000, 0x130500, MM_PAGE_HYPERVISOR_RW },
    };
    unsigned nb = sizeof boot / sizeof boot[0];
    cr_assert_eq(mm_boot(&nat.ctx, boot, nb), 0);
    uint64_t words[5][3];
    for (unsigned i = 0; i < nb; i++) {
        words[i][0] = boot[i].base;
        words[i][1] = boot[i].limit;
        words[i][2] = boot[i].flags;
    }
    cr_assert_eq(sim_mem_write(s, symbol_addr(s, "guest_boot_regions"), words, sizeof words, NULL),
                 0);
    uint64_t n = nb;
    cr_assert_eq(sim_sext32(call_ok(s, "guest_boot", &n, 1)), 0);

    static const struct {
        int unmap;
        uint64_t base, limit;
        unsigned flags;
    } ops[] = {
        { 0, 0x8000000, 0x8001000, MM_PAGE_HYPERVISOR_RO },
        { 1, 0x8000000, 0x8001000, 0 },
        { 0, 0x10000000, 0x20000000, MM_PAGE_HYPERVISOR_RW },
        { 0, 0x40000000, 0x40001000, 0x27 /* RWX: rejected, logged */ },
        { 0, 0x1ffff000, 0x20001000, MM_PAGE_HYPERVISOR_RW /* overlap */ },
        { 0, 0x9c090000, 0x9c091000, MM_PAGE_HYPERVISOR_NOCACHE },
        { 1, 0x10000000, 0x20000000, 0 },
    };
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        int want = ops[i].unmap ? mm_unmap(&nat.ctx, ops[i].base, ops[i].limit)
                                : mm_map(&nat.ctx, ops[i].base, ops[i].limit, ops[i].flags);
        uint64_t args[3] = { ops[i].base, ops[i].limit, ops[i].flags };
        int got = (int)sim_sext32(
            call_ok(s, ops[i].unmap ? "guest_unmap" : "guest_map", args, ops[i].unmap ? 2 : 3));
        cr_expect_eq(got, want, "op %u", i);
        cr_expect_eq(call_ok(s, "guest_used", NULL, 0), nat.ctx.used, "op %u", i);
        cr_expect_eq((int)sim_sext32(call_ok(s, "guest_last_region", NULL, 0)),
                     nat.ctx.last_region, "op %u", i);
    }
    const struct mpu_unit *g = mpu_unit_of(sim_mpu(s), 2), *h = mpu_unit_of(&nat.m, 2);
    for (unsigned i = 0; i < 16; i++) {
        cr_expect_eq(g->prbar[i], h->prbar[i], "PRBAR of region %u", i);
        cr_expect_eq(g->prlar[i], h->prlar[i], "PRLAR of region %u", i);
    }
    cr_expect_eq(g->sctlr, h->sctlr);
    cr_expect_eq(logs.n, 2u, "RWX and overlap messages through hvc");
    cr_expect_eq(sim_stats(s)->faults_stopped, 0u);
    sim_free(s);
}
