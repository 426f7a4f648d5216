#ifndef MPUSIM_COMMON_BITS_H
#define MPUSIM_COMMON_BITS_H
/*
 * Counting set bits without a library call. __builtin_popcount* compiles to the instruction
 * only where the target has one (x86-64 with -mpopcnt or -march=x86-64-v2 and later: __POPCNT__;
 * AArch64 with Advanced SIMD: CNT); for the baseline x86-64 target it becomes a call to
 * libgcc's __popcountdi2. The build keeps the portable baseline (no -mpopcnt), so elsewhere
 * this is the SWAR count: a dozen ALU instructions, no branch, no table.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline unsigned bits_popcount64(uint64_t x)
{
#if defined(__POPCNT__) || (defined(__aarch64__) && defined(__ARM_NEON))
    return (unsigned)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* Set bits in the n bytes at b (any alignment). */
static inline unsigned bits_popcount_bytes(const uint8_t *b, size_t n)
{
    unsigned count = 0;
    for (; n >= 8; b += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, b, sizeof w);
        count += bits_popcount64(w);
    }
    for (; n; b++, n--)
        count += bits_popcount64(*b);
    return count;
}

#endif
