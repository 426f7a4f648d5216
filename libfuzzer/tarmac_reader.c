/*
 * libFuzzer harness: the Tarmac reader (tarmac/) and the register-level import
 * (replay/tarmac_import.c) on arbitrary bytes.
 *
 * Every input is read record by record: the reader must never crash, leak or hit undefined
 * behaviour (ASan, UBSan and LeakSanitizer watch), every record must be within its contract
 * (kinds, sizes, borrowed pointers inside the input, line numbers counting up) and an error
 * must come with a code and a message. Then the same bytes are imported at register level
 * (the first byte chooses --regions and --fetches): what the import writes must be a trace
 * v1 that the trace reader accepts and that replays.
 * Build and run: `make fuzz` (docs/capture.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"
#include "replay/tarmac_import.h"
#include "tarmac/tarmac.h"
#include "traces/trace.h"

#define REQUIRE(cond, what)                                                                      \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "tarmac_reader: broken: %s\n", what);                                \
            __builtin_trap();                                                                    \
        }                                                                                        \
    } while (0)

static void require_error(const struct mpusim_error *err)
{
    REQUIRE(err->code != MPUSIM_OK, "failure without an error code");
    REQUIRE(err->text[0] != '\0', "failure without a message");
    REQUIRE(memchr(err->text, '\0', sizeof err->text) != NULL, "unterminated message");
}

static void read_all(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct tarmac_reader *r = tarmac_reader_new(f, "<fuzz>", &err);
    REQUIRE(r != NULL, "reader_new failed");
    struct tarmac_record rec;
    long line = 0;
    int rc;
    while ((rc = tarmac_read(r, &rec, &err)) > 0) {
        REQUIRE(rec.line == line + 1, "line numbers do not count up by one");
        line = rec.line;
        REQUIRE((unsigned)rec.kind < TARMAC_KIND_COUNT, "record kind out of range");
        REQUIRE(memchr(rec.type, '\0', sizeof rec.type) != NULL, "unterminated type word");
        switch (rec.kind) {
        case TARMAC_INSN: {
            const struct tarmac_insn *in = &rec.u.insn;
            REQUIRE(in->enc_digits <= 8, "encoding of more than 8 digits");
            REQUIRE(strchr("OAT?", in->state) != NULL, "state out of range");
            REQUIRE(in->executed == 0 || in->executed == 1, "executed not a flag");
            REQUIRE(in->mode_len < TARMAC_MAX_LINE && in->disasm_len < TARMAC_MAX_LINE,
                    "borrowed text longer than a line");
            break;
        }
        case TARMAC_REG: {
            const struct tarmac_reg *g = &rec.u.reg;
            REQUIRE(memchr(g->name, '\0', sizeof g->name) != NULL, "unterminated name");
            REQUIRE(g->nbytes <= TARMAC_REG_BYTES, "more value bytes than kept");
            REQUIRE(!g->has_bits || g->hi >= g->lo, "bit range upside down");
            REQUIRE(memchr(g->bad_value, '\0', sizeof g->bad_value) != NULL,
                    "unterminated bad value");
            (void)tarmac_reg_u64(g);
            break;
        }
        case TARMAC_MEM: {
            const struct tarmac_mem *m = &rec.u.mem;
            REQUIRE(m->accessed != 0, "a memory record with no byte accessed");
            REQUIRE((m->known & ~m->accessed) == 0, "data for a byte not accessed");
            if (!m->diagram)
                REQUIRE(m->size == 1 || m->size == 2 || m->size == 4 || m->size == 8 ||
                            m->size == 16, "contiguous access of an odd size");
            unsigned top = 15;
            while (!(m->accessed >> top & 1))
                top--;
            REQUIRE(m->addr + top >= m->addr, "access wraps beyond 64 bits");
            break;
        }
        default:
            break;
        }
    }
    if (rc < 0)
        require_error(&err);
    else
        REQUIRE(err.code == MPUSIM_OK, "end of input with an error recorded");
    REQUIRE(tarmac_reader_offset(r) <= size, "consumed more than the input");
    tarmac_reader_close(r);
    fclose(f);
}

static void replay_output(const char *buf, size_t len)
{
    struct trace t;
    memset(&t, 0, sizeof t);
    struct mpusim_error err;
    mpusim_error_clear(&err);
    if (trace_read_buffer(buf, len, "<import>", &t, &err) != 0) {
        fprintf(stderr, "tarmac_reader: the import wrote a trace that does not read: %s\n%.*s\n",
                err.text, (int)(len < 2000 ? len : 2000), buf);
        __builtin_trap();
    }
    struct replay_options o = { .algo = MM_ALGO_XEN, .fsc = MPU_FSC_TRANSLATION,
                                .keep_findings = 4 };
    struct replay *r = replay_new(&t, &o, &err);
    REQUIRE(r != NULL, "the imported trace does not replay");
    for (size_t i = 0; i < t.nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
        REQUIRE(res.used <= MPU_MAX_REGIONS, "more regions in use than exist");
    }
    replay_free(r);
    trace_fini(&t);
}

static void import_all(const uint8_t *data, size_t size)
{
    if (size < 2)
        return;
    FILE *in = fmemopen((void *)(data + 1), size - 1, "rb");
    if (!in)
        return;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out) {
        fclose(in);
        return;
    }
    struct tarmac_import_options o;
    memset(&o, 0, sizeof o);
    o.level = TARMAC_IMPORT_REGISTERS;
    o.regions = data[0] & 0x80 ? 0 : 1 + (data[0] & 0x1F);
    o.fetches = data[0] & 0x40 ? 1 : 0;
    struct tarmac_import_stats st;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    int rc = tarmac_import_stream(in, "<fuzz>", out, &o, &st, &err);
    fclose(in);
    REQUIRE(fclose(out) == 0, "memstream");
    if (rc != 0)
        require_error(&err);
    if (rc == 0) {
        REQUIRE(st.lines >= st.insns, "more instructions than lines");
        replay_output(buf, len);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_all(data, size);
    import_all(data, size);
    return 0;
}
