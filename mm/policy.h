#ifndef MPUSIM_MM_POLICY_H
#define MPUSIM_MM_POLICY_H
/*
 * Helpers shared inside mm/ by the policies of docs/policies.md (merge, lazy, reserve:K).
 * These are mpusim's own designs, not Xen's: they always take the intended form of the known
 * upstream bugs (no PRENR mask bug, OVERLAP handled) and report no findings.
 * Freestanding: no libc.
 */
#include <stdint.h>

#include "mm/internal.h"

/* ---- registers (policy_hw.c) ---- */

/* Free region idx and disable it in hardware, in the intended form of xen-mpu.md §6.3: zero the entry,
 * clear its bitmap bit, then clear PRENR_EL2 bit idx (idx < 32) or write the zeroed region
 * (idx >= 32). No barrier: the caller syncs. */
void mm_policy_disable(struct mm_ctx *ctx, unsigned idx);
/* Set or clear only the EN bit of region idx in hardware: one PRENR_EL2 read-modify-write for
 * idx < 32, else one PRLAR<n>_EL2 write of prlar with EN set or clear (after selecting the
 * group through PRSELR_EL2 if needed). PRBAR is not touched. No barrier. */
void mm_policy_set_en(struct mm_ctx *ctx, unsigned idx, uint64_t prlar, int en);

/* ---- Xen's decision table with the policy's create and free steps (policy_refcount.c) ---- */

/* xen_mpumap_update for lazy and reserve:K: the same checks, lookup, refcounts and messages,
 * but a NOTFOUND map creates through the policy and a last remove frees through it. */
int mm_policy_update(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags);
/* destroy_xen_mapping_containing for lazy and reserve:K (OVERLAP: -EINVAL, no finding). */
int mm_policy_destroy_containing(struct mm_ctx *ctx, uint64_t addr);
/* ioremap_attr for lazy and reserve:K: Xen's rounding and return value. */
int mm_policy_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                      uint64_t *ret);

/* ---- lazy (policy_lazy.c) ---- */

/* Create the region [base, limit) with flags (NOTFOUND): re-enable an identical cached region,
 * else program the lowest free slot never cached, else evict the oldest cached one. Sets
 * last_region. Returns 0 or MM_ENOENT (nothing changed). No barrier. */
int mm_lazy_create(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags);
/* Free region idx: the table entry and bitmap bit are cleared, the region is kept in hardware
 * with only EN cleared, and remembered as cached. No barrier. */
void mm_lazy_free(struct mm_ctx *ctx, unsigned idx);
/* Forget every cached region (bookkeeping only: they are disabled already). */
void mm_lazy_init(struct mm_ctx *ctx);

/* ---- reserve:K (policy_reserve.c) ---- */

/* Create [base, limit) with flags at the lowest free index, unless it is long-lived (more than
 * one page) and would take one of the last K free slots. Sets last_region. Returns 0 or
 * MM_ENOENT (nothing changed). No barrier. */
int mm_reserve_create(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags);
/* 1 if a mapping of [base, limit) counts as short-lived: exactly one page. */
int mm_reserve_short_lived(uint64_t base, uint64_t limit);

/* ---- merge (policy_merge.c) ---- */

void mm_merge_init(struct mm_ctx *ctx);
int mm_merge_map(struct mm_ctx *ctx, uint64_t base, uint64_t limit, unsigned flags);
int mm_merge_unmap(struct mm_ctx *ctx, uint64_t base, uint64_t limit);
int mm_merge_unmap_containing(struct mm_ctx *ctx, uint64_t addr);
int mm_merge_ioremap(struct mm_ctx *ctx, uint64_t addr, uint64_t size, unsigned flags,
                     uint64_t *ret);

#endif
