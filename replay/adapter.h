#ifndef MPUSIM_REPLAY_ADAPTER_H
#define MPUSIM_REPLAY_ADAPTER_H
/*
 * Adapter files (docs/guest.md): how the guest engine serves trace operations with a guest
 * ELF's symbols. Read beside the guest engine that applies it (replay/engine_guest.c): the
 * result is plain data that replay/ applies with the sim/ call harness.
 *
 *   {"format": "mpusim-adapter", "version": 1,
 *    "elf": "mm.elf",                        optional; relative to the adapter's folder
 *    "exempt_image": true,                   optional; the image is not MPU-checked
 *    "boot": {"from": "entry", "until": "start_xen", "budget": 5000000},   optional
 *    "stubs": {"printk": 0, "panic": 0},     optional
 *    "init": CALL, "boot_regions": CALL + "buffer": SYMBOL,  optional (our mm.elf)
 *    "ops": {"map": CALL, "modify": CALL, "unmap": CALL, "unmap_containing": CALL,
 *            "ioremap": CALL},               at least one
 *    "results": {"region": SYMBOL | READ,
 *                "used": SYMBOL | READ | {"popcount": SYMBOL, "bytes": N},
 *                "table": {"symbol": SYMBOL, "stride": N, "prbar": N, "prlar": N,
 *                          "refcount": N, "entries": N}},          optional
 *    "memory": [{"kind": "ram"|"device", "base": N, "size": N} | {"kind": "uart", "base": N}]}
 *   CALL = {"symbol": "xen_mpumap_update", "args": ["base", "limit", "flags"], "ret": "int"}
 *   READ = {"symbol": SYMBOL, "member": "field.sub"} | {"symbol": SYMBOL, "offset": N,
 *           "type": "int8"|"uint8"|"int16"|"uint16"|"int32"|"uint32"|"int64"|"uint64"}
 *   ("type" optional with "member": the DWARF's width and sign, which a given type must match)
 * results: a SYMBOL string is a getter called after each op (int in W0); a READ is the value
 * at the symbol (plus the member's or the given offset), read without running guest code (also
 * for "region_num"); "used" as an object with "popcount"
 * is the population count of a bitmap symbol (of "bytes" bytes if given, else of the symbol's
 * size, which must cover every MPU region and be at most 32 bytes); "table" is the image's
 * own region table: entries of "stride" bytes with the 64-bit PRBAR and PRLAR values and the
 * refcount byte (optional) at the given offsets, "entries" of them (default: the symbol's size
 * / stride). Both are read from guest memory, without running guest code, after each event.
 * memory: windows mapped before the image is loaded; a "uart" is a PL011 of 4 KiB (sim/sim.h);
 * --ram/--device add windows, --uart replaces the adapter's uart.
 * args: up to 8, each an event field ("base", "limit", "flags", "addr", "size"), an option
 * ("algo", "xen_fixed", "nboot", "reserve_k") or a constant (a number or a "0x..." string).
 * ret: "int" (W0 sign-extended), "long" (X0 signed), "ptr" (0 = NULL -> rc -22, else rc 0),
 * "void" (rc 0).
 */
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "traces/trace.h"

#define REPLAY_ADAPTER_MAX_ARGS 8
#define REPLAY_ADAPTER_MAX_STUBS 64
#define REPLAY_ADAPTER_NAME 128
#define REPLAY_ADAPTER_MAX_WINDOWS 8
#define REPLAY_ADAPTER_MAX_BITMAP 32 /* bytes: 256 bits, more than MPUIR.REGION can count */

enum replay_adapter_arg {
    REPLAY_ARG_CONST,     /* value */
    REPLAY_ARG_BASE,      /* event base (map/modify/unmap) */
    REPLAY_ARG_LIMIT,     /* event limit, exclusive */
    REPLAY_ARG_FLAGS,     /* event flags (Xen's flags word) */
    REPLAY_ARG_ADDR,      /* event addr (unmap_containing, ioremap) */
    REPLAY_ARG_SIZE,      /* event size (ioremap) */
    REPLAY_ARG_ALGO,      /* enum mm_algo of the replay options */
    REPLAY_ARG_XEN_FIXED, /* 0/1 of the replay options */
    REPLAY_ARG_NBOOT,     /* number of boot regions in the trace */
    REPLAY_ARG_RESERVE_K, /* K of --algo reserve:K (0 for the other algorithms) */
    REPLAY_ARG_THREAD,    /* zephyr: event thread id */
    REPLAY_ARG_DOMAIN,    /* zephyr: event domain id */
    REPLAY_ARG_USER,      /* zephyr: thread_create user (0/1) */
    REPLAY_ARG_STACK_OBJ, /* zephyr: thread_create stack_obj (= base) */
    REPLAY_ARG_ATTR,      /* zephyr: partition attribute word (= flags) */
    REPLAY_ARG_CPU,       /* bao: the event's CPU */
    REPLAY_ARG_AS,        /* bao: address space (a VM id, or MM_BAO_AS_HYP); vm_create: vm */
    REPLAY_ARG_TO_AS,     /* bao: map_cpy's destination space */
    REPLAY_ARG_CPUS,      /* bao: vm_create's CPUs as a bit mask */
    REPLAY_ARG_OPTS,      /* bao: map's MM_BAO_OPT_* word (unmap: broadcast; map_cpy: section) */
    REPLAY_ARG_COUNT,
};

enum replay_adapter_ret {
    REPLAY_RET_INT,  /* C int in W0, sign-extended */
    REPLAY_RET_LONG, /* X0 as a signed 64-bit value */
    REPLAY_RET_PTR,  /* pointer: 0 is NULL (rc -22), anything else rc 0 */
    REPLAY_RET_VOID, /* nothing: rc 0 */
};

struct replay_adapter_call {
    int present;                          /* 0: not given */
    char symbol[REPLAY_ADAPTER_NAME];
    unsigned nargs;                       /* 0..REPLAY_ADAPTER_MAX_ARGS */
    struct {
        enum replay_adapter_arg kind;
        uint64_t value;                   /* REPLAY_ARG_CONST only */
    } arg[REPLAY_ADAPTER_MAX_ARGS];
    enum replay_adapter_ret ret;
};

enum replay_adapter_mem { REPLAY_MEM_RAM, REPLAY_MEM_DEVICE, REPLAY_MEM_UART };

/* results.table: the image's own region table (e.g. Xen's xen_mpumap). */
struct replay_adapter_table {
    char symbol[REPLAY_ADAPTER_NAME];     /* "" when the adapter has no table */
    uint64_t stride;                      /* bytes per entry, > 0 */
    uint64_t prbar, prlar;                /* byte offsets of the 64-bit values in an entry */
    int has_refcount;                     /* 1: refcount is given */
    uint64_t refcount;                    /* byte offset of the refcount byte */
    uint64_t entries;                     /* 0: the symbol's size / stride */
};

/* results.region, .used, .region_num as a value read from guest memory after each event. */
struct replay_adapter_read {
    char symbol[REPLAY_ADAPTER_NAME];     /* "" when the result is not a read */
    char member[REPLAY_ADAPTER_NAME];     /* DWARF member path ("last_region", "a.b"), or "" */
    uint64_t offset;                      /* bytes from the symbol, when member is "" */
    unsigned bytes;                       /* 1, 2, 4 or 8 ("type"); 0: the member's (DWARF) */
    int is_signed;                        /* from "type" when bytes != 0 */
};

struct replay_adapter {
    char source[128];                     /* file name as given, for messages */
    char elf[4096];                       /* ELF path resolved against the adapter's folder;
                                             "" when the adapter names none */
    int exempt_image;                     /* 1: sim_exempt_image() */
    int has_boot;                         /* 1: run boot code first */
    char boot_from[REPLAY_ADAPTER_NAME];  /* "" for the entry point, else a symbol */
    char boot_until[REPLAY_ADAPTER_NAME]; /* symbol where boot stops */
    uint64_t boot_budget;                 /* 0: the engine's default */
    unsigned nstubs;
    struct {
        char symbol[REPLAY_ADAPTER_NAME];
        uint64_t value;                   /* X0 the stub returns */
    } stub[REPLAY_ADAPTER_MAX_STUBS];
    struct replay_adapter_call init;      /* called once after boot */
    struct replay_adapter_call boot_call; /* called with the trace's boot regions ... */
    char boot_buffer[REPLAY_ADAPTER_NAME]; /* ... written first to this symbol: 3 x u64 each */
    struct replay_adapter_call zephyr_boot; /* "zephyr_boot": called for a trace with a zephyr
                                               header, after the config is written ... */
    char zephyr_buffer[REPLAY_ADAPTER_NAME]; /* ... to this symbol (replay/engine_guest.c) */
    struct replay_adapter_call bao_setup; /* "bao_setup": called for --algo bao before the
                                             boot, after the config is written ... */
    char bao_buffer[REPLAY_ADAPTER_NAME]; /* ... to this symbol (replay/engine_guest.c) */
    struct replay_adapter_call bao_map, bao_unmap; /* ops "bao_map", "bao_unmap": map and
                                                      unmap in bao form (cpu, as) */
    char result_bao_state[REPLAY_ADAPTER_NAME]; /* bao: getter(cpu) of hyp | vm << 8 |
                                                   allocated << 16, "" if none */
    struct replay_adapter_call op[TRACE_OP_COUNT]; /* by trace op; access/sysreg never present */
    char result_region[REPLAY_ADAPTER_NAME]; /* getter of the region index, "" if none */
    char result_used[REPLAY_ADAPTER_NAME];   /* getter of regions in use, "" if none */
    char result_region_num[REPLAY_ADAPTER_NAME]; /* zephyr: getter of region_num, "" if none */
    struct replay_adapter_read read_region, read_used, read_region_num; /* reads instead of
                                                                           the getters */
    char used_bitmap[REPLAY_ADAPTER_NAME];   /* results.used.popcount: bitmap symbol, or "" */
    uint64_t used_bytes;                  /* results.used.bytes: its size; 0: the symbol's */
    struct replay_adapter_table table;    /* results.table */
    unsigned nwindows;                    /* memory[] */
    struct {
        enum replay_adapter_mem kind;
        uint64_t base, size;              /* [base, base + size); uart: size 0x1000 */
    } window[REPLAY_ADAPTER_MAX_WINDOWS];
};

/**
 * replay_adapter_read_file - read and validate an adapter file
 * @path: borrowed; @out: written only on success (about 20 KiB: caller-allocated)
 * @err:  on failure: code (MPUSIM_E_IO, MPUSIM_E_PARSE for malformed JSON or wrong types,
 *        MPUSIM_E_RANGE for unknown names and values), source = path, line/column for syntax
 *        errors, and a message naming the key.
 * Returns 0 or -1.
 */
int replay_adapter_read_file(const char *path, struct replay_adapter *out,
                             struct mpusim_error *err);
/* The same from a buffer of len bytes; source names it in errors, dir resolves "elf" ("" for
 * the current directory). */
int replay_adapter_read_buffer(const char *buf, size_t len, const char *source, const char *dir,
                              struct replay_adapter *out, struct mpusim_error *err);

/* The value of argument i of call c for event ev (ev may be NULL for init/boot calls). */
uint64_t replay_adapter_arg_value(const struct replay_adapter_call *c, unsigned i,
                                 const struct trace_event *ev, unsigned algo, int xen_fixed,
                                 unsigned nboot, unsigned reserve_k);
/* rc of a call from its raw X0 per c->ret (int: sign-extended W0; ptr: 0 or -22). */
int64_t replay_adapter_rc(const struct replay_adapter_call *c, uint64_t x0);
/* The trace op a call of a symbol serving the ops in mask (bit per enum trace_op) stands for,
 * from its arguments (X0..): among those ops in enum order, the first whose constant
 * arguments all match (an int constant matches the low 32 bits: xen_mpumap_update with
 * flags 0 is unmap), else the first with no constant argument; -1 when none fits. Used by the
 * recorder and the Tarmac import alike. */
int replay_adapter_op_of_call(const struct replay_adapter *a, unsigned mask,
                              const uint64_t *args);

struct mpu_region_view;
/* The Xen flags word (MM_FLAG_*) of an EL2 region found programmed, as the recorder and the
 * Tarmac import write it in a trace's boot list: present, AttrIndx, XN from XN[1] (the bit the
 * model enforces; XN[0]'s meaning is unconfirmed and ignored), RO from AP[2]. */
unsigned replay_boot_flags(const struct mpu_region_view *v);

#endif
