/* replay/adapter.c: adapter files for the guest engine. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "mm/mm.h"
#include "replay/adapter.h"
#include "tests/mpu_model/helpers.h"

static struct replay_adapter a; /* large: one per test process */

static const char *with_results(const char *results, const char *memory, char *buf, size_t cap);

static int read_text(const char *text, struct mpusim_error *err)
{
    mpusim_error_clear(err);
    return replay_adapter_read_buffer(text, strlen(text), "t.json", "dir", &a, err);
}

Test(adapter, the_mm_guest_adapter_reads)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(replay_adapter_read_file("guest/mm.adapter.json", &a, &err), 0, "%s", err.text);
    cr_expect_str_eq(a.elf, "guest/mm.elf");
    cr_expect_eq(a.exempt_image, 1);
    cr_expect_eq(a.has_boot, 1);
    cr_expect_str_eq(a.boot_from, "");
    cr_expect_str_eq(a.boot_until, "guest_ready");
    const struct replay_adapter_call *m = &a.op[TRACE_OP_MAP];
    cr_expect_eq(m->present, 1);
    cr_expect_str_eq(m->symbol, "guest_map");
    cr_expect_eq(m->nargs, 3u);
    cr_expect_eq(m->arg[2].kind, REPLAY_ARG_FLAGS);
    cr_expect_eq(a.op[TRACE_OP_IOREMAP].ret, REPLAY_RET_PTR);
    cr_expect_eq(a.op[TRACE_OP_ACCESS].present, 0);
    cr_expect_str_eq(a.boot_buffer, "guest_boot_regions");
    cr_expect_str_eq(a.result_used, "", "read from memory: no getter call");
    cr_expect_str_eq(a.read_used.symbol, "guest_ctx");
    cr_expect_str_eq(a.read_used.member, "used");
    cr_expect_str_eq(a.read_region.member, "last_region");
    cr_expect_eq(a.read_region.bytes, 0u, "width and sign from the DWARF");
    cr_expect_str_eq(a.result_region_num, "guest_region_num", "computed: still a getter");
}

Test(adapter, results_read_from_memory_by_member_or_by_offset_and_type)
{
    struct mpusim_error err;
    char buf[1024];
    cr_assert_eq(read_text(with_results("\"region\": {\"symbol\": \"ctx\", \"member\": \"a.b\"}, "
                                        "\"used\": {\"symbol\": \"n\", \"offset\": \"0x10\", "
                                        "\"type\": \"uint16\"}, \"region_num\": {\"symbol\": "
                                        "\"z\", \"member\": \"r\", \"type\": \"int8\"}",
                                        NULL, buf, sizeof buf),
                           &err),
                 0, "%s", err.text);
    cr_expect_str_eq(a.read_region.symbol, "ctx");
    cr_expect_str_eq(a.read_region.member, "a.b");
    cr_expect_eq(a.read_region.bytes, 0u);
    cr_expect_str_eq(a.read_used.symbol, "n");
    cr_expect_str_eq(a.read_used.member, "");
    cr_expect_eq(a.read_used.offset, 0x10u);
    cr_expect_eq(a.read_used.bytes, 2u);
    cr_expect_eq(a.read_used.is_signed, 0);
    cr_expect_eq(a.read_region_num.bytes, 1u);
    cr_expect_eq(a.read_region_num.is_signed, 1);
    cr_expect_str_eq(a.result_region, "");
    cr_expect_str_eq(a.used_bitmap, "");
}

Test(adapter, a_xen_adapter_with_stubs_and_constants_reads)
{
    struct mpusim_error err;
    int rc = read_text("{\"format\": \"mpusim-adapter\", \"version\": 1, \"elf\": \"/x/xen-syms\","
                       " \"boot\": {\"until\": \"start_xen\", \"budget\": \"0x100000\"},"
                       " \"stubs\": {\"printk\": 0, \"panic\": \"0x1\"},"
                       " \"ops\": {\"unmap\": {\"symbol\": \"xen_mpumap_update\","
                       " \"args\": [\"base\", \"limit\", 0], \"ret\": \"int\"}}}",
                       &err);
    cr_assert_eq(rc, 0, "%s", err.text);
    cr_expect_str_eq(a.elf, "/x/xen-syms");
    cr_expect_eq(a.boot_budget, 0x100000u);
    cr_expect_eq(a.nstubs, 2u);
    cr_expect_str_eq(a.stub[1].symbol, "panic");
    cr_expect_eq(a.stub[1].value, 1u);
    const struct replay_adapter_call *u = &a.op[TRACE_OP_UNMAP];
    cr_expect_eq(u->arg[2].kind, REPLAY_ARG_CONST);
    struct trace_event ev = { .op = TRACE_OP_UNMAP, .base = 0x1000, .limit = 0x2000 };
    cr_expect_eq(replay_adapter_arg_value(u, 0, &ev, 0, 0, 0, 0), 0x1000u);
    cr_expect_eq(replay_adapter_arg_value(u, 1, &ev, 0, 0, 0, 0), 0x2000u);
    cr_expect_eq(replay_adapter_arg_value(u, 2, &ev, 0, 0, 0, 0), 0u);
    cr_expect_eq(replay_adapter_rc(u, 0xFFFFFFEAull), -22);
}

Test(adapter, return_types_give_the_replay_rc)
{
    struct replay_adapter_call c = { .ret = REPLAY_RET_PTR };
    cr_expect_eq(replay_adapter_rc(&c, 0), -22);
    cr_expect_eq(replay_adapter_rc(&c, 0x9c090000), 0);
    c.ret = REPLAY_RET_LONG;
    cr_expect_eq(replay_adapter_rc(&c, (uint64_t)-2), -2);
    c.ret = REPLAY_RET_INT;
    cr_expect_eq(replay_adapter_rc(&c, 0x1FFFFFFFEull), -2, "upper half ignored");
}

Test(adapter, malformed_json_reports_line_and_column)
{
    struct mpusim_error err;
    cr_expect_eq(read_text("{\n  \"format\": ,\n}", &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_str_eq(err.source, "t.json");
    cr_expect_eq(err.line, 2);
    cr_expect_gt(err.column, 0);
}

Test(adapter, unknown_keys_and_values_are_named)
{
    struct mpusim_error err;
    cr_expect_eq(read_text("{\"format\": \"mpusim-adapter\", \"version\": 1, \"opz\": {}}", &err),
                 -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect_str_eq(err.text, "adapter: unknown key \"opz\"");
    cr_expect_eq(read_text("{\"format\": \"mpusim-adapter\", \"version\": 1, \"ops\": {\"map\":"
                           " {\"symbol\": \"f\", \"ret\": \"char\"}}}",
                           &err),
                 -1);
    cr_expect_str_eq(err.text, "ops.map.ret: \"char\" is not int, long, ptr or void");
    cr_expect_eq(read_text("{\"format\": \"mpusim-adapter\", \"version\": 1, \"ops\": {\"map\":"
                           " {\"symbol\": \"f\", \"args\": [\"bse\"]}}}",
                           &err),
                 -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect_neq(strstr(err.text, "ops.map.args[0]"), NULL, "%s", err.text);
    cr_expect_eq(read_text("{\"format\": \"mpusim-adapter\", \"version\": 1, \"ops\": {\"access\":"
                           " {\"symbol\": \"f\"}}}",
                           &err),
                 -1);
    cr_expect_neq(strstr(err.text, "\"access\" is not"), NULL, "%s", err.text);
}

Test(adapter, the_bundled_xen_upstream_adapter_reads_its_memory_results)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(replay_adapter_read_file("guest/xen-upstream.adapter.json", &a, &err), 0, "%s",
                 err.text);
    cr_expect_str_eq(a.elf, "", "the image is the user's: --elf");
    cr_expect_str_eq(a.used_bitmap, "xen_mpumap_mask");
    cr_expect_str_eq(a.result_used, "", "no getter: nothing runs to read it");
    cr_expect_str_eq(a.table.symbol, "xen_mpumap");
    cr_expect_eq(a.table.stride, 32u);
    cr_expect_eq(a.table.prbar, 0u);
    cr_expect_eq(a.table.prlar, 8u);
    cr_expect_eq(a.table.has_refcount, 1);
    cr_expect_eq(a.table.refcount, 16u);
    cr_expect_eq(a.table.entries, 0u, "from the symbol's size");
    cr_expect_eq(a.nwindows, 1u);
    cr_expect_eq(a.window[0].kind, REPLAY_MEM_UART);
    cr_expect_eq(a.window[0].base, 0x9c090000u);
    cr_expect_eq(a.window[0].size, 0x1000u);
    cr_expect_str_eq(a.op[TRACE_OP_UNMAP_CONTAINING].symbol, "destroy_xen_mapping_containing");
}

static const char *with_results(const char *results, const char *memory, char *buf, size_t cap)
{
    snprintf(buf, cap, "{\"format\": \"mpusim-adapter\", \"version\": 1, \"ops\": {\"map\": "
                       "{\"symbol\": \"f\"}}%s%s%s%s}",
             results ? ", \"results\": {" : "", results ? results : "", results ? "}" : "",
             memory ? memory : "");
    return buf;
}

struct bad_case {
    const char *results, *memory, *text;
};

static const struct bad_case bad_cases[] = {
    { "\"table\": {\"symbol\": \"t\", \"stride\": 32, \"prbar\": 0, \"prlar\": 28}", NULL,
      "results.table.prlar: 8 bytes at offset 28 run past the 32-byte entry (stride)" },
    { "\"table\": {\"symbol\": \"t\", \"stride\": 32, \"prbar\": 4, \"prlar\": 8}", NULL,
      "results.table.prlar: overlaps prbar" },
    { "\"table\": {\"symbol\": \"t\", \"stride\": 32, \"prbar\": 0, \"prlar\": 8, "
      "\"refcount\": 32}", NULL,
      "results.table.refcount: 1 bytes at offset 32 run past the 32-byte entry (stride)" },
    { "\"table\": {\"symbol\": \"t\", \"stride\": 0, \"prbar\": 0, \"prlar\": 8}", NULL,
      "results.table.stride: 0 is not 1..4096" },
    { "\"table\": {\"symbol\": \"t\", \"prbar\": 0, \"prlar\": 8}", NULL,
      "results.table.stride: missing" },
    { "\"table\": {\"symbol\": \"t\", \"stride\": 32, \"prbar\": 0, \"prlar\": 8, "
      "\"pad\": 17}", NULL, "results.table: unknown key \"pad\"" },
    { "\"used\": {\"popcount\": \"m\", \"bytes\": 33}", NULL,
      "results.used.bytes: 33 is not 1..32" },
    { "\"used\": {\"count\": \"m\"}", NULL, "results.used: unknown key \"count\"" },
    { "\"region\": {\"symbol\": \"c\", \"offset\": 4}", NULL,
      "results.region.type: missing (with an offset, the type is needed: int8, uint8, int16, "
      "uint16, int32, uint32, int64 or uint64)" },
    { "\"region\": {\"symbol\": \"c\", \"offset\": 4, \"member\": \"x\"}", NULL,
      "results.region: give \"member\" or \"offset\", not both" },
    { "\"used\": {\"symbol\": \"c\", \"member\": \"x\", \"type\": \"u32\"}", NULL,
      "results.used.type: \"u32\" is not int8, uint8, int16, uint16, int32, uint32, int64 or "
      "uint64" },
    { "\"used\": {\"symbol\": \"c\", \"member\": 3}", NULL,
      "results.used.member: expected a member name (\"used\", \"a.b\") of at most 127 bytes" },
    { "\"region_num\": {\"member\": \"x\"}", NULL,
      "results.region_num.symbol: expected a symbol name" },
    { "\"region\": {\"symbol\": \"c\", \"member\": \"x\", \"size\": 4}", NULL,
      "results.region: unknown key \"size\"" },
    { NULL, ", \"memory\": [{\"kind\": \"rom\", \"base\": 0}]",
      "memory[0].kind: expected \"ram\", \"device\" or \"uart\"" },
    { NULL, ", \"memory\": [{\"kind\": \"uart\", \"base\": \"0x9c090000\", \"size\": 4096}]",
      "memory[0].size: a uart is 4 KiB: no size" },
    { NULL, ", \"memory\": [{\"kind\": \"ram\", \"base\": 0}]", "memory[0].size: missing" },
    { NULL,
      ", \"memory\": [{\"kind\": \"ram\", \"base\": 0, \"size\": \"0x2000\"}, "
      "{\"kind\": \"uart\", \"base\": \"0x1000\"}]",
      "memory[1]: [0x1000, 0x2000) overlaps memory[0]" },
};

Test(adapter, bad_memory_results_and_windows_are_named_by_key)
{
    for (size_t k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++) {
        const struct bad_case *c = &bad_cases[k];
        char buf[1024];
        struct mpusim_error err;
        cr_expect_eq(read_text(with_results(c->results, c->memory, buf, sizeof buf), &err), -1,
                     "%s", buf);
        cr_expect_str_eq(err.source, "t.json");
        cr_expect_str_eq(err.text, c->text, "case %zu", k);
    }
}

/* One symbol serving map, modify and unmap (upstream Xen's xen_mpumap_update): flags 0 is
 * the unmap (the constant matches the low 32 bits), any other flags the map. */
Test(adapter, the_op_of_a_call_from_its_constant_arguments)
{
    struct mpusim_error err;
    cr_assert_eq(read_text("{\"format\": \"mpusim-adapter\", \"version\": 1, \"ops\": {"
                           "\"map\": {\"symbol\": \"upd\", \"args\": [\"base\", \"limit\", \"flags\"]},"
                           "\"modify\": {\"symbol\": \"upd\", \"args\": [\"base\", \"limit\", \"flags\"]},"
                           "\"unmap\": {\"symbol\": \"upd\", \"args\": [\"base\", \"limit\", 0]},"
                           "\"ioremap\": {\"symbol\": \"io\", \"args\": [\"addr\", \"size\", 7]}}}",
                           &err), 0, "%s", err.text);
    unsigned upd = 1u << TRACE_OP_MAP | 1u << TRACE_OP_MODIFY | 1u << TRACE_OP_UNMAP;
    uint64_t mapping[3] = { 0x1000, 0x2000, 0x2f };
    uint64_t removing[3] = { 0x1000, 0x2000, 0xffffffff00000000ull };
    cr_expect_eq(replay_adapter_op_of_call(&a, upd, mapping), TRACE_OP_MAP);
    cr_expect_eq(replay_adapter_op_of_call(&a, upd, removing), TRACE_OP_UNMAP,
                 "an int constant: only W2 counts");
    uint64_t io_other[3] = { 0x9c090000, 0x1000, 6 };
    cr_expect_eq(replay_adapter_op_of_call(&a, 1u << TRACE_OP_IOREMAP, io_other), -1,
                 "a constant that does not match, and no op without constants");
}

/* The boot flags a recording or an import writes for a region found programmed agree with what
 * the model enforces: executable exactly when the model lets EL2 fetch from it (XN[1] only:
 * XN = 0b01 stays executable), read-only exactly when it refuses a store. */
Test(adapter, boot_flags_of_a_programmed_region_match_the_model)
{
    struct mpu *m = mpu_for_test(16);
    for (unsigned i = 0; i < 8; i++) /* XN 0..3, AP[2:1] 0b00 (RW) or 0b10 (RO) */
        set_region(m, 2, i, 0x100000ull * (i + 1), 0x100000ull * (i + 1) + 0xfff,
                   (i & 4) ? 2u : 0u, i & 3u);
    enable_mpu(m, 2, 0, 0);
    for (unsigned i = 0; i < 8; i++) {
        struct mpu_region_view v = mpu_region(m, 2, i);
        unsigned f = replay_boot_flags(&v);
        uint64_t at = 0x100000ull * (i + 1);
        int exec = mpu_check(m, at, 4, MPU_ACC_EXEC, 2).fault == MPU_FAULT_NONE;
        int write = mpu_check(m, at, 4, MPU_ACC_WRITE, 2).fault == MPU_FAULT_NONE;
        cr_expect(f & MM_FLAG_PRESENT, "region %u", i);
        cr_expect_eq(!(f & MM_FLAG_XN), exec, "region %u (XN %u): flags 0x%x, fetch %s", i,
                     i & 3u, f, exec ? "allowed" : "refused");
        cr_expect_eq(!(f & MM_FLAG_RO), write, "region %u: flags 0x%x", i, f);
        cr_expect_eq(f & MM_FLAG_AI_MASK, 7u, "AttrIndx from PRLAR");
    }
}
