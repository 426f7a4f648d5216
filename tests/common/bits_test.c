/* common/bits.h: set bits counted without a library call, against a bit-by-bit count. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "common/bits.h"

static unsigned slow_count(uint64_t x)
{
    unsigned n = 0;
    for (int i = 0; i < 64; i++)
        n += (unsigned)((x >> i) & 1u);
    return n;
}

Test(bits, popcount64_counts_every_bit)
{
    cr_expect_eq(bits_popcount64(0), 0u);
    cr_expect_eq(bits_popcount64(~0ull), 64u);
    cr_expect_eq(bits_popcount64(1ull << 63), 1u);
    cr_expect_eq(bits_popcount64(0x8000000000000001ull), 2u);
    for (int i = 0; i < 64; i++)
        cr_expect_eq(bits_popcount64(~0ull >> i), 64u - (unsigned)i);
    uint64_t s = 1;
    for (int k = 0; k < 10000; k++) { /* xorshift64: all bit densities */
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        uint64_t x = k % 3 == 0 ? s & (s >> 11) : k % 3 == 1 ? s | (s << 5) : s;
        cr_assert_eq(bits_popcount64(x), slow_count(x), "0x%llx", (unsigned long long)x);
    }
}

Test(bits, popcount_bytes_counts_any_length_and_alignment)
{
    uint8_t b[40];
    for (unsigned i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)(i * 37u + 11u);
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; off + n <= sizeof b; n++) {
            unsigned want = 0;
            for (size_t i = 0; i < n; i++)
                want += slow_count(b[off + i]);
            cr_assert_eq(bits_popcount_bytes(b + off, n), want, "offset %zu length %zu", off, n);
        }
}
