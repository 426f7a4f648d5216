/*
 * The glue that makes mm/ a callable guest program: one static algorithm context and one
 * exported function per trace operation, each returning what the native engine returns.
 * The host (sim/ call harness) calls these by symbol; guest/mm.adapter.json says which serves
 * which trace operation. No algorithm logic lives here.
 */
#include <stddef.h>
#include <stdint.h>

#include "mm/mm.h"

/* The guest's whole state: the algorithm context (the program's one object). */
static struct mm_ctx guest_ctx;

/* The bao configuration, written by the host before guest_bao_setup(): ncpus, image base,
 * limit, load end, no-load start, non_unified, struct cpu size, MPUIR_EL2.REGION (for
 * findings), then the struct cpu address of each CPU (replay/engine_guest.c writes it). */
#define GUEST_BAO_HEADER 8
uint64_t guest_bao_config[GUEST_BAO_HEADER + MM_BAO_CPUS];

/* Boot regions, written by the host before guest_boot(n): three 64-bit words per region,
 * {base, limit (exclusive), flags}. */
struct guest_boot_region {
    uint64_t base;
    uint64_t limit;
    uint64_t flags;
};
struct guest_boot_region guest_boot_regions[MM_MAX_REGIONS];

/* The zephyr configuration, written by the host before guest_z_boot(): a flat array of
 * 64-bit words (replay/engine_guest.c writes it): nsoc, ndt, dyn_base, dyn_limit, irq_stack,
 * has_irq_stack, max_partitions, priv_stack_size, then {base, limit, attr} per SoC region and
 * per devicetree region. */
#define GUEST_Z_HEADER 8
uint64_t guest_z_config[GUEST_Z_HEADER + 3 * 2 * MM_Z_STATIC_MAX];

int guest_init(unsigned algo, int xen_fixed, unsigned reserve_k);
int guest_z_boot(void);
int guest_z_thread_create(unsigned thread, uint64_t stack_obj, uint64_t size, unsigned user);
int guest_z_domain_init(unsigned domain);
int guest_z_domain_add_partition(unsigned domain, uint64_t base, uint64_t limit, unsigned attr);
int guest_z_domain_remove_partition(unsigned domain, uint64_t base, uint64_t limit);
int guest_z_domain_add_thread(unsigned domain, unsigned thread);
int guest_z_user_enter(unsigned thread);
int guest_z_switch(unsigned thread);
int guest_region_num(void);
int guest_bao_setup(void);
int guest_bao_cpu_boot(unsigned cpu);
int guest_bao_vm_create(unsigned vm, uint64_t cpus);
int guest_bao_map(unsigned cpu, unsigned as, uint64_t base, uint64_t limit, unsigned flags,
                  unsigned opts);
int guest_bao_unmap(unsigned cpu, unsigned as, uint64_t base, uint64_t limit, unsigned opts);
int guest_bao_map_cpy(unsigned cpu, unsigned from, unsigned to, unsigned opts, uint64_t va,
                      uint64_t pages);
int guest_bao_vm_entry(unsigned cpu);
int guest_bao_vm_exit(unsigned cpu);
unsigned guest_bao_state(unsigned cpu);
int guest_boot(unsigned n);
int guest_map(uint64_t base, uint64_t limit, unsigned flags);
int guest_unmap(uint64_t base, uint64_t limit);
int guest_unmap_containing(uint64_t addr);
uint64_t guest_ioremap(uint64_t addr, uint64_t size, unsigned flags);
int guest_last_region(void);
unsigned guest_used(void);
uint64_t guest_scanned(void);

/* mm_init with the options the host passes (enum mm_algo, 0/1). Returns 0, or MM_EINVAL for
 * an unknown algorithm. */
int guest_init(unsigned algo, int xen_fixed, unsigned reserve_k)
{
    if (algo >= MM_ALGO_COUNT)
        return MM_EINVAL;
    struct mm_options opt = { .algo = (enum mm_algo)algo, .xen_fixed = xen_fixed,
                              .reserve_k = reserve_k };
    struct mm_hw hw = { 0 };
    mm_init(&guest_ctx, &opt, &hw);
    mm_attach(&guest_ctx); /* max_regions from MPUIR_EL2; guest_boot() programs regions */
    return 0;
}

/* mm_boot over guest_boot_regions[0..n) (zephyr: their translation, mm_z_boot_translated). */
int guest_boot(unsigned n)
{
    struct mm_boot_region r[MM_MAX_REGIONS];
    if (n > MM_MAX_REGIONS)
        return MM_EINVAL;
    for (unsigned i = 0; i < n; i++) {
        r[i].base = guest_boot_regions[i].base;
        r[i].limit = guest_boot_regions[i].limit;
        r[i].flags = (unsigned)guest_boot_regions[i].flags;
    }
    if (guest_ctx.opt.algo == MM_ALGO_ZEPHYR)
        return mm_z_boot_translated(&guest_ctx, r, n);
    if (guest_ctx.opt.algo == MM_ALGO_BAO)
        return mm_bao_boot_translated(&guest_ctx, r, n);
    return mm_boot(&guest_ctx, r, n);
}

/* ---- zephyr: one function per zephyr trace op, and its boot from guest_z_config ---- */

static struct mm_z_config guest_z_cfg; /* large: not on the stack */

static void z_regions(struct mm_z_region *out, unsigned n, const uint64_t *w)
{
    for (unsigned i = 0; i < n; i++) {
        out[i].base = w[3 * i];
        out[i].limit = w[3 * i + 1];
        out[i].attr = (unsigned)w[3 * i + 2];
    }
}

int guest_z_boot(void)
{
    const uint64_t *w = guest_z_config;
    struct mm_z_config *c = &guest_z_cfg;
    c->nsoc = w[0] <= MM_Z_STATIC_MAX ? (unsigned)w[0] : MM_Z_STATIC_MAX;
    c->ndt = w[1] <= MM_Z_STATIC_MAX ? (unsigned)w[1] : MM_Z_STATIC_MAX;
    c->dyn_base = w[2];
    c->dyn_limit = w[3];
    c->irq_stack = w[4];
    c->has_irq_stack = (int)w[5];
    c->max_partitions_cfg = (unsigned)w[6];
    c->priv_stack_size = w[7];
    z_regions(c->soc, c->nsoc, w + GUEST_Z_HEADER);
    z_regions(c->dt, c->ndt, w + GUEST_Z_HEADER + 3 * c->nsoc);
    return mm_z_boot(&guest_ctx, c);
}

int guest_z_thread_create(unsigned thread, uint64_t stack_obj, uint64_t size, unsigned user)
{
    return mm_z_thread_create(&guest_ctx, thread, stack_obj, size, (int)user);
}
int guest_z_domain_init(unsigned domain) { return mm_z_domain_init(&guest_ctx, domain); }
int guest_z_domain_add_partition(unsigned domain, uint64_t base, uint64_t limit, unsigned attr)
{
    return mm_z_domain_add_partition(&guest_ctx, domain, base, limit, attr);
}
int guest_z_domain_remove_partition(unsigned domain, uint64_t base, uint64_t limit)
{
    return mm_z_domain_remove_partition(&guest_ctx, domain, base, limit);
}
int guest_z_domain_add_thread(unsigned domain, unsigned thread)
{
    return mm_z_domain_add_thread(&guest_ctx, domain, thread);
}
int guest_z_user_enter(unsigned thread) { return mm_z_user_enter(&guest_ctx, thread); }
int guest_z_switch(unsigned thread) { return mm_z_switch(&guest_ctx, thread); }
int guest_region_num(void) { return mm_z_region_num(&guest_ctx); }

/* ---- bao: the configuration from guest_bao_config, one function per bao trace op ---- */
int guest_bao_setup(void)
{
    const uint64_t *w = guest_bao_config;
    struct mm_bao_config c;
    c.ncpus = (unsigned)w[0];
    c.image_base = w[1];
    c.image_limit = w[2];
    c.image_load_end = w[3];
    c.image_noload = w[4];
    c.non_unified = (int)w[5];
    c.cpu_struct_size = w[6];
    c.implemented = (unsigned)w[7];
    for (unsigned i = 0; i < MM_BAO_CPUS; i++)
        c.cpu_struct[i] = w[GUEST_BAO_HEADER + i];
    if (c.ncpus < 1 || c.ncpus > MM_BAO_CPUS)
        return MM_EINVAL;
    mm_bao_setup(&guest_ctx, &c);
    return 0;
}
int guest_bao_cpu_boot(unsigned cpu) { return mm_bao_cpu_boot(&guest_ctx, cpu); }
int guest_bao_vm_create(unsigned vm, uint64_t cpus)
{
    return mm_bao_vm_create(&guest_ctx, vm, cpus);
}
int guest_bao_map(unsigned cpu, unsigned as, uint64_t base, uint64_t limit, unsigned flags,
                  unsigned opts)
{
    return mm_bao_map(&guest_ctx, cpu, as, base, limit, flags, opts);
}
int guest_bao_unmap(unsigned cpu, unsigned as, uint64_t base, uint64_t limit, unsigned opts)
{
    return mm_bao_unmap(&guest_ctx, cpu, as, base, limit, (opts & MM_BAO_OPT_BROADCAST) != 0);
}
int guest_bao_map_cpy(unsigned cpu, unsigned from, unsigned to, unsigned opts, uint64_t va,
                      uint64_t pages)
{
    return mm_bao_map_cpy(&guest_ctx, cpu, from, to, opts >> 8, va, pages);
}
int guest_bao_vm_entry(unsigned cpu) { return mm_bao_vm_entry(&guest_ctx, cpu); }
int guest_bao_vm_exit(unsigned cpu) { return mm_bao_vm_exit(&guest_ctx, cpu); }
/* A CPU's vMPU entries (hypervisor space, its VM's) and physical indices allocated, 8 bits
 * each: hyp | vm << 8 | allocated << 16. */
unsigned guest_bao_state(unsigned cpu)
{
    return mm_bao_hyp_entries(&guest_ctx, cpu) | mm_bao_vm_entries(&guest_ctx, cpu) << 8 |
           mm_bao_allocated(&guest_ctx, cpu) << 16;
}

int guest_map(uint64_t base, uint64_t limit, unsigned flags)
{
    return mm_map(&guest_ctx, base, limit, flags);
}

int guest_unmap(uint64_t base, uint64_t limit) { return mm_unmap(&guest_ctx, base, limit); }

int guest_unmap_containing(uint64_t addr) { return mm_unmap_containing(&guest_ctx, addr); }

/* ioremap_attr: the pointer (0 for NULL), as Xen's function returns it. */
uint64_t guest_ioremap(uint64_t addr, uint64_t size, unsigned flags)
{
    uint64_t ret = 0;
    (void)mm_ioremap(&guest_ctx, addr, size, flags, &ret);
    return ret;
}

/* Results the replay reports per event. */
int guest_last_region(void) { return guest_ctx.last_region; }
unsigned guest_used(void) { return guest_ctx.used; }
uint64_t guest_scanned(void) { return guest_ctx.scanned; }

/* mm/hw.h's log sink: service call 3 (docs/guest.md); the host formats the message. */
void mm_guest_log(enum mm_msg id, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    register uint64_t x0 __asm__("x0") = 3; /* SIM_HVC_LOG */
    register uint64_t x1 __asm__("x1") = (uint64_t)id;
    register uint64_t x2 __asm__("x2") = a;
    register uint64_t x3 __asm__("x3") = b;
    register uint64_t x4 __asm__("x4") = c;
    register uint64_t x5 __asm__("x5") = d;
    __asm__ volatile("hvc #0"
                     : "+r"(x0)
                     : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
}

/* mm/hw.h's CPU selection (bao): service call 4; the host gives the MPU model that CPU's
 * registers (docs/guest.md). */
void mm_guest_cpu(unsigned cpu)
{
    register uint64_t x0 __asm__("x0") = 4; /* SIM_HVC_CPU */
    register uint64_t x1 __asm__("x1") = cpu;
    __asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1) : "memory");
}

/* What GCC may call implicitly in freestanding code. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}
