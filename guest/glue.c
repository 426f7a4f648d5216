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

/* Boot regions, written by the host before guest_boot(n): three 64-bit words per region,
 * {base, limit (exclusive), flags}. */
struct guest_boot_region {
    uint64_t base;
    uint64_t limit;
    uint64_t flags;
};
struct guest_boot_region guest_boot_regions[MM_MAX_REGIONS];

int guest_init(unsigned algo, int xen_fixed, unsigned reserve_k);
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

/* mm_boot over guest_boot_regions[0..n). */
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
    return mm_boot(&guest_ctx, r, n);
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
