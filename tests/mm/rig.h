#ifndef MPUSIM_TESTS_MM_RIG_H
#define MPUSIM_TESTS_MM_RIG_H
/* A test rig: the algorithm context on the fake hardware, plus the boot layouts of the
 * reference (xen-mpu.md §8.1, debug xen-syms at XEN_START_ADDRESS = 0) and a table dump in the format of
 * xen-fixtures.md's "final:" lines. */
#include "mm/mm.h"
#include "tests/mm/fake_hw.h"

struct rig {
    struct fake_hw hw;
    struct mm_ctx ctx;
};

/* A new rig (free with rig_free): nregions implemented, variant algo, --xen-fixed if fixed.
 * Not booted: ctx.max_regions is 0 until rig_boot / rig_boot_empty. */
struct rig *rig_new(unsigned nregions, enum mm_algo algo, int fixed);
void rig_free(struct rig *r);
/* Boot with the 5 boot regions of the debug build (+ the early UART as region 5 if
 * early_uart); asserts success and clears the fake log. */
void rig_boot_xen(struct rig *r, int early_uart);
/* Boot with no boot regions (all entries disabled); clears the fake log. */
void rig_boot_empty(struct rig *r);
/* Enabled table entries as "idx:[base,last]PERMS aiN refN" separated by single spaces. */
const char *rig_dump(const struct rig *r, char *buf, size_t cap);

#define RIG_RO 0x3Fu
#define RIG_RX 0x37u
#define RIG_RW 0x2Fu
#define RIG_NOCACHE 0x2Cu
#define RIG_WC 0x29u
#define RIG_RWX 0x27u
#define RIG_NONE 0x0u

#endif
