#ifndef MPUSIM_BENCH_TRACE_GEN_H
#define MPUSIM_BENCH_TRACE_GEN_H
/*
 * The generated JSON Lines trace the replay benchmarks read (bench/replay.c, bench/jsonl.c):
 * nevents events (rounded up to even) after a Xen-like header with five boot regions, mixing
 * the workloads users replay: heap map/unmap pairs (refcount), per-page create/destroy
 * (dom0less build), ioremaps, errors, and accesses; addresses as hex strings and as integers.
 * Deterministic (a fixed xorshift seed). Returns 0, or -1 when path cannot be written.
 */
#include <stdint.h>
#include <stdio.h>

static inline int bench_write_trace(const char *path, unsigned nevents)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"format\": \"mpusim-trace\", \"version\": 1, \"mpu\": {\"regions\": 16}, "
               "\"boot\": [{\"base\": \"0x0\", \"limit\": \"0x79cf4\", \"flags\": \"RX\"}, "
               "{\"base\": \"0x7a000\", \"limit\": \"0xa104c\", \"flags\": \"RO\"}, "
               "{\"base\": \"0xa2000\", \"limit\": \"0xa8000\", \"flags\": \"RW\"}, "
               "{\"base\": \"0xa8000\", \"limit\": \"0xc4000\", \"flags\": \"RX\"}, "
               "{\"base\": \"0xc4000\", \"limit\": \"0x1304e0\", \"flags\": \"RW\"}]}\n");
    fprintf(f, "{\"op\": \"map\", \"base\": \"0x10000000\", \"limit\": \"0x20000000\", "
               "\"flags\": \"RW\"}\n");
    uint64_t s = 88172645463325252ull;
    for (unsigned i = 1; i < nevents; i += 2) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        unsigned long long page = (s >> 20) % 0xFFFF;
        switch (s % 8) {
        case 0: case 1: case 2: /* heap scrub pair */
            fprintf(f, "{\"op\": \"map\", \"base\": \"0x%llx\", \"limit\": \"0x%llx\", \"flags\": \"RW\"}\n",
                    0x10000000ull + page * 0x1000, 0x10001000ull + page * 0x1000);
            fprintf(f, "{\"op\": \"unmap_containing\", \"addr\": \"0x%llx\"}\n",
                    0x10000000ull + page * 0x1000);
            break;
        case 3: case 4: /* dom0less per-page create/destroy */
            fprintf(f, "{\"op\": \"map\", \"base\": %llu, \"limit\": %llu, \"flags\": 47}\n",
                    0x30000000ull + page * 0x1000, 0x30001000ull + page * 0x1000);
            fprintf(f, "{\"op\": \"unmap\", \"base\": %llu, \"limit\": %llu}\n",
                    0x30000000ull + page * 0x1000, 0x30001000ull + page * 0x1000);
            break;
        case 5: /* ioremap + iounmap */
            fprintf(f, "{\"op\": \"ioremap\", \"addr\": \"0x%llx\", \"size\": \"0x100\", \"flags\": \"NOCACHE\"}\n",
                    0x9c000000ull + page * 0x1000);
            fprintf(f, "{\"op\": \"unmap_containing\", \"addr\": \"0x%llx\"}\n",
                    0x9c000000ull + page * 0x1000);
            break;
        case 6: /* an error and an access */
            fprintf(f, "{\"op\": \"map\", \"base\": \"0x40000800\", \"limit\": \"0x40001000\", \"flags\": \"RW\"}\n");
            fprintf(f, "{\"op\": \"access\", \"addr\": \"0x%llx\", \"size\": 8, \"kind\": \"write\"}\n",
                    0x10000000ull + page * 0x1000);
            break;
        default: /* accesses */
            fprintf(f, "{\"op\": \"access\", \"addr\": \"0x%llx\", \"size\": 4, \"kind\": \"read\"}\n",
                    page * 0x10);
            fprintf(f, "{\"op\": \"access\", \"addr\": \"0x%llx\", \"size\": 4, \"kind\": \"exec\"}\n",
                    page * 0x10);
            break;
        }
    }
    return fclose(f);
}

#endif
