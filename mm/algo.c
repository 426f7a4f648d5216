/* The algorithm object: initialisation, the trace operations dispatched to the selected
 * variant (docs/algorithms.md), and the variants' names. */
#include "mm/policy.h"

void mm_init(struct mm_ctx *ctx, const struct mm_options *opt, const struct mm_hw *hw)
{
    ctx->opt = *opt;
    ctx->hw = *hw;
    ctx->max_regions = 0;
    for (unsigned i = 0; i < MM_MAX_REGIONS; i++)
        mm_region_clear(&ctx->table[i]);
    for (unsigned w = 0; w < 4; w++)
        ctx->mask[w] = 0;
    ctx->used = 0;
    ctx->last_region = -1;
    ctx->scanned = 0;
    mm_merge_init(ctx);
    mm_lazy_init(ctx);
    mm_z_init(ctx);
    mm_bao_init(ctx);
}

int mm_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags)
{
    ctx->last_region = -1;
    switch (ctx->opt.algo) {
    case MM_ALGO_XEN: return mm_xen_update(ctx, base, limit, flags);
    case MM_ALGO_XEN_TRANSIENT: return mm_transient_map(ctx, base, limit, flags);
    case MM_ALGO_MERGE: return mm_merge_map(ctx, base, limit, flags);
    case MM_ALGO_LAZY:
    case MM_ALGO_RESERVE: return mm_policy_update(ctx, base, limit, flags);
    case MM_ALGO_ZEPHYR: return mm_z_map(ctx, base, limit, flags);
    case MM_ALGO_BAO: return mm_bao_xlate_map(ctx, base, limit, flags);
    case MM_ALGO_COUNT: break;
    }
    return MM_EINVAL;
}

int mm_unmap(struct mm_ctx *ctx, uint64_t base, uint64_t limit)
{
    ctx->last_region = -1;
    switch (ctx->opt.algo) {
    case MM_ALGO_XEN: return mm_xen_update(ctx, base, limit, 0); /* destroy_xen_mappings */
    case MM_ALGO_XEN_TRANSIENT: return mm_transient_unmap(ctx, base); /* limit unused */
    case MM_ALGO_MERGE: return mm_merge_unmap(ctx, base, limit);
    case MM_ALGO_LAZY:
    case MM_ALGO_RESERVE: return mm_policy_update(ctx, base, limit, 0);
    case MM_ALGO_ZEPHYR: return mm_z_unmap(ctx, base, limit);
    case MM_ALGO_BAO: return mm_bao_xlate_unmap(ctx, base, limit);
    case MM_ALGO_COUNT: break;
    }
    return MM_EINVAL;
}

int mm_unmap_containing(struct mm_ctx *ctx, uint64_t addr)
{
    ctx->last_region = -1;
    switch (ctx->opt.algo) {
    case MM_ALGO_XEN: return mm_xen_destroy_containing(ctx, addr);
    case MM_ALGO_XEN_TRANSIENT: return mm_transient_unmap(ctx, addr);
    case MM_ALGO_MERGE: return mm_merge_unmap_containing(ctx, addr);
    case MM_ALGO_LAZY:
    case MM_ALGO_RESERVE: return mm_policy_destroy_containing(ctx, addr);
    case MM_ALGO_ZEPHYR: return mm_z_unmap_containing(ctx, addr);
    case MM_ALGO_BAO: return mm_bao_xlate_unmap_containing(ctx, addr);
    case MM_ALGO_COUNT: break;
    }
    return MM_EINVAL;
}

int mm_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags, uint64_t *ret)
{
    ctx->last_region = -1;
    switch (ctx->opt.algo) {
    case MM_ALGO_XEN: return mm_xen_ioremap(ctx, addr, size, flags, ret);
    case MM_ALGO_XEN_TRANSIENT: return mm_transient_ioremap(ctx, addr, size, flags, ret);
    case MM_ALGO_MERGE: return mm_merge_ioremap(ctx, addr, size, flags, ret);
    case MM_ALGO_LAZY:
    case MM_ALGO_RESERVE: return mm_policy_ioremap(ctx, addr, size, flags, ret);
    case MM_ALGO_ZEPHYR: return mm_z_ioremap(ctx, addr, size, flags, ret);
    case MM_ALGO_BAO: return mm_bao_xlate_ioremap(ctx, addr, size, flags, ret);
    case MM_ALGO_COUNT: break;
    }
    *ret = 0;
    return MM_EINVAL;
}

static const char *const algo_names[MM_ALGO_COUNT] = {
    [MM_ALGO_XEN] = "xen",
    [MM_ALGO_XEN_TRANSIENT] = "xen-transient",
    [MM_ALGO_MERGE] = "merge",
    [MM_ALGO_LAZY] = "lazy",
    [MM_ALGO_RESERVE] = "reserve",
    [MM_ALGO_ZEPHYR] = "zephyr",
    [MM_ALGO_BAO] = "bao",
};

const char *mm_algo_name(enum mm_algo a)
{
    return (unsigned)a < MM_ALGO_COUNT ? algo_names[a] : "?";
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

#define RESERVE_K_MAX 254u /* at most MM_MAX_REGIONS - 1 slots can be kept */

/* "K" of "reserve:K", 0..RESERVE_K_MAX, written as numbers are everywhere (docs/cli.md,
 * "Numbers"): decimal without a leading 0 before another digit ("010" is refused), or 0x hex.
 * Returns 0 or -1. */
static int parse_k(const char *s, unsigned *k)
{
    unsigned v = 0, radix = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        radix = 16;
        s += 2;
    } else if (s[0] == '0' && s[1]) {
        return -1;
    }
    if (!*s)
        return -1;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (radix == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a') + 10;
        else if (radix == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A') + 10;
        else
            return -1;
        v = v * radix + d;
        if (v > RESERVE_K_MAX)
            return -1;
    }
    *k = v;
    return 0;
}

int mm_algo_parse(const char *name, struct mm_options *opt)
{
    static const char reserve_prefix[] = "reserve:";
    if (!name)
        return -1;
    const char *p = name, *q = reserve_prefix;
    while (*q && *p == *q) {
        p++;
        q++;
    }
    if (!*q) { /* "reserve:K" */
        unsigned k;
        if (parse_k(p, &k) != 0)
            return -1;
        opt->algo = MM_ALGO_RESERVE;
        opt->reserve_k = k;
        return 0;
    }
    for (int a = 0; a < MM_ALGO_COUNT; a++)
        if (str_eq(name, algo_names[a])) {
            opt->algo = (enum mm_algo)a;
            opt->reserve_k = a == MM_ALGO_RESERVE ? MM_RESERVE_DEFAULT_K : 0;
            return 0;
        }
    return -1;
}

int mm_algo_from_name(const char *name)
{
    struct mm_options o;
    return mm_algo_parse(name, &o) == 0 ? (int)o.algo : -1;
}
