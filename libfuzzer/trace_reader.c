/*
 * libFuzzer harness: the trace reader (traces/) on arbitrary bytes.
 *
 * Every input goes to trace_read_buffer. It must never crash, leak or hit undefined behaviour
 * (ASan, UBSan and LeakSanitizer watch); an error is a fine outcome but must be reported
 * properly (a code and a message). A trace that reads is then replayed with every algorithm,
 * which checks that everything the reader accepts is within what replay assumes (register
 * ids, access kinds, ELs, region counts).
 * Build and run: `make fuzz` (docs/compare.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "replay/replay.h"
#include "traces/trace.h"

/* A broken contract: say which, then stop with a crash libFuzzer records. */
#define REQUIRE(cond, what)                                                                      \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "trace_reader: broken: %s\n", what);                                 \
            __builtin_trap();                                                                    \
        }                                                                                        \
    } while (0)

static void replay_all(const struct trace *t)
{
    for (int a = 0; a < MM_ALGO_COUNT; a++) {
        struct replay_options o = { .algo = (enum mm_algo)a, .fsc = MPU_FSC_TRANSLATION,
                                    .keep_findings = 4 };
        struct mpusim_error err;
        mpusim_error_clear(&err);
        struct replay *r = replay_new(t, &o, &err);
        if (!r) {
            /* Boot regions that do not fit are a result, not a crash. */
            REQUIRE(err.code != MPUSIM_OK && err.text[0], "replay_new failed without an error");
            continue;
        }
        for (size_t i = 0; i < t->nevents; i++) {
            struct replay_event_result res;
            replay_step(r, i, &res);
            REQUIRE(res.used <= MPU_MAX_REGIONS, "more regions in use than exist");
        }
        replay_free(r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    if (trace_read_buffer((const char *)data, size, "<fuzz>", &t, &err) != 0) {
        REQUIRE(err.code != MPUSIM_OK, "failed read without an error code");
        REQUIRE(err.text[0] != '\0', "failed read without a message");
        REQUIRE(memchr(err.text, '\0', sizeof err.text) != NULL, "unterminated message");
        trace_fini(&t);
        return 0;
    }
    REQUIRE(err.code == MPUSIM_OK, "successful read with an error recorded");
    REQUIRE(t.regions >= 1 && t.regions <= MPU_MAX_REGIONS, "region count out of range");
    REQUIRE(t.nevents <= t.cap || t.nevents == 0, "more events than capacity");
    for (size_t i = 0; i < t.nevents; i++) {
        const struct trace_event *ev = &t.events[i];
        REQUIRE((unsigned)ev->op < TRACE_OP_COUNT, "event op out of range");
        if (ev->op == TRACE_OP_ACCESS)
            REQUIRE(ev->kind <= TRACE_ACC_EXEC && ev->el <= 2, "access kind or EL out of range");
        if (ev->op == TRACE_OP_SYSREG)
            REQUIRE(ev->reg >= 0 && ev->reg < MPU_REG_COUNT, "register id out of range");
    }
    replay_all(&t);
    trace_fini(&t);
    return 0;
}
