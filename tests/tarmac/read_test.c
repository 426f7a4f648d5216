/* tarmac/read.c: every line form of the reference, one test each; the lines are written for
 * these tests. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tarmac/tarmac.h"

static struct tarmac_parser P;

static struct tarmac_record parse(const char *line)
{
    struct tarmac_record rec;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    int rc = tarmac_parse_line(&P, line, strlen(line), &rec, &err);
    cr_assert_eq(rc, 0, "parse failed: %s", err.text);
    return rec;
}

static struct mpusim_error parse_fail(const char *line)
{
    struct tarmac_record rec;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(tarmac_parse_line(&P, line, strlen(line), &rec, &err), -1, "accepted: %s", line);
    return err;
}

static void fresh(void) { tarmac_parser_init(&P, "t.tarmac"); }

TestSuite(tarmac_read, .init = fresh);

static int str_is(const char *s, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(s, want, n) == 0;
}

Test(tarmac_read, it_with_index)
{
    struct tarmac_record r = parse("1200 clk IT (1200) 0005f4a0 d51c6221 O EL2h : MSR      PRSELR_EL2,x1");
    cr_assert_eq(r.kind, TARMAC_INSN);
    cr_expect(r.has_time);
    cr_expect_eq(r.time, 1200);
    cr_expect(r.u.insn.has_index);
    cr_expect_eq(r.u.insn.index, 1200);
    cr_expect_eq(r.u.insn.pc, 0x5f4a0);
    cr_expect_eq(r.u.insn.enc, 0xd51c6221);
    cr_expect_eq(r.u.insn.enc_digits, 8);
    cr_expect_eq(r.u.insn.state, 'O');
    cr_expect(str_is(r.u.insn.mode, r.u.insn.mode_len, "EL2h"));
    cr_expect(str_is(r.u.insn.disasm, r.u.insn.disasm_len, "MSR      PRSELR_EL2,x1"));
    cr_expect(r.u.insn.executed);
}

Test(tarmac_read, it_without_index_and_with_paren_address)
{
    struct tarmac_record a = parse("17 clk IT 00001004 d2800041 O EL2h_s : mov x1,#2");
    cr_assert_eq(a.kind, TARMAC_INSN);
    cr_expect(!a.u.insn.has_index);
    cr_expect_eq(a.u.insn.pc, 0x1004);
    struct tarmac_record b = parse("18 clk IT (00001008) d2800041 O EL2h : mov x1,#2");
    cr_assert_eq(b.kind, TARMAC_INSN);
    cr_expect(!b.u.insn.has_index);
    cr_expect_eq(b.u.insn.pc, 0x1008);
    cr_expect_eq(b.u.insn.enc, 0xd2800041);
    struct tarmac_record c = parse("19 clk IS (19) 0000100c 54000040 O EL2h : b.eq +8");
    cr_assert_eq(c.kind, TARMAC_INSN);
    cr_expect(!c.u.insn.executed);
    struct tarmac_record d = parse("20 clk IF (20) 00001010 d503201f O EL2h : nop");
    cr_expect(d.u.insn.executed);
}

Test(tarmac_read, es_form_with_ccfail_and_exception)
{
    struct tarmac_record a = parse("0 tic ES  (00000000002109f0:f94003e1) O el3h_s:         LDR      x1,[sp,#0]");
    cr_assert_eq(a.kind, TARMAC_INSN);
    cr_expect_eq(a.u.insn.pc, 0x2109f0);
    cr_expect_eq(a.u.insn.enc, 0xf94003e1);
    cr_expect(str_is(a.u.insn.mode, a.u.insn.mode_len, "el3h_s"));
    cr_expect(str_is(a.u.insn.disasm, a.u.insn.disasm_len, "LDR      x1,[sp,#0]"));
    struct tarmac_record b = parse("5 ns ES (00002000:54000040) O EL2h : CCFAIL B.EQ {pc}+8");
    cr_assert_eq(b.kind, TARMAC_INSN);
    cr_expect(!b.u.insn.executed);
    struct tarmac_record c = parse("0 ns ES EXC [0x00] Reset");
    cr_expect_eq(c.kind, TARMAC_EVENT);
}

Test(tarmac_read, failed_fetch_and_thumb)
{
    struct tarmac_record a = parse("30 clk IT (30) 00003000 -------- O EL2h : ?");
    cr_assert_eq(a.kind, TARMAC_INSN);
    cr_expect_eq(a.u.insn.enc_digits, 0);
    struct tarmac_record b = parse("31 clk IT (31) 00000102 2000 T svc : MOVS r0,#0");
    cr_assert_eq(b.kind, TARMAC_INSN);
    cr_expect_eq(b.u.insn.state, 'T');
    cr_expect_eq(b.u.insn.enc_digits, 4);
}

Test(tarmac_read, timestamps_optional_glued_and_inherited)
{
    struct tarmac_record a = parse("1200clk IT (5) 00001000 d2800041 O EL2h : mov x1,#2");
    cr_assert_eq(a.kind, TARMAC_INSN);
    cr_expect_eq(a.time, 1200);
    struct tarmac_record b = parse("            R X1 0000000000000002");
    cr_assert_eq(b.kind, TARMAC_REG);
    cr_expect(b.has_time);
    cr_expect_eq(b.time, 1200, "a line without a timestamp has the previous one");
    struct tarmac_record c = parse("IT (6) 00001004 d2800041 O EL2h : mov x1,#2");
    cr_assert_eq(c.kind, TARMAC_INSN);
    struct tarmac_record d = parse("77 R X2 0000000000000003");
    cr_assert_eq(d.kind, TARMAC_REG);
    cr_expect_eq(d.time, 77);
    struct tarmac_record e = parse("78 cyc R X2 0000000000000003");
    cr_expect_eq(e.kind, TARMAC_REG);
    cr_expect_eq(e.time, 78);
}

Test(tarmac_read, component_word_before_type)
{
    struct tarmac_record a = parse("100 clk cpu0 IT (1) 00001000 d2800041 O EL2h : mov x1,#2");
    cr_assert_eq(a.kind, TARMAC_INSN);
    cr_expect_eq(a.u.insn.pc, 0x1000);
    struct tarmac_record b = parse("100 clk cpu0 R X1 0000000000000002");
    cr_assert_eq(b.kind, TARMAC_REG);
    cr_expect_str_eq(b.u.reg.name, "X1");
}

Test(tarmac_read, register_forms)
{
    struct tarmac_record a = parse("1201 clk R PRSELR_EL2 0000000000000005");
    cr_assert_eq(a.kind, TARMAC_REG);
    cr_expect_str_eq(a.u.reg.name, "PRSELR_EL2");
    cr_expect_eq(tarmac_reg_u64(&a.u.reg), 5);
    struct tarmac_record b = parse("1 clk R prbar3_el2 00000000:10000032");
    cr_expect_str_eq(b.u.reg.name, "PRBAR3_EL2", "names are upper-cased");
    cr_expect_eq(tarmac_reg_u64(&b.u.reg), 0x10000032);
    struct tarmac_record c = parse("1 clk R HPRBAR (AARCH32) 10000032");
    cr_expect_str_eq(c.u.reg.name, "HPRBAR");
    cr_expect(str_is(c.u.reg.extra, c.u.reg.extra_len, "AARCH32"));
    cr_expect_eq(tarmac_reg_u64(&c.u.reg), 0x10000032);
    struct tarmac_record d = parse("1 clk R CPSR 600003c9 nZCv EL2h");
    cr_expect_eq(tarmac_reg_u64(&d.u.reg), 0x600003c9, "the interpretation is not the value");
    struct tarmac_record e = parse("1 clk R X3 00000000_0000_1234");
    cr_expect_eq(tarmac_reg_u64(&e.u.reg), 0x1234);
    struct tarmac_record f = parse("1 clk R X4 00000000 00001234");
    cr_expect_eq(tarmac_reg_u64(&f.u.reg), 0x1234, "spaces inside a value are visual");
    struct tarmac_record g = parse("1 clk R Q0 <127:64> 0123456789abcdef");
    cr_expect(g.u.reg.has_bits);
    cr_expect_eq(g.u.reg.hi, 127);
    cr_expect_eq(g.u.reg.lo, 64);
    struct tarmac_record h = parse("1 clk R X5 ------------1234");
    cr_expect_eq(h.u.reg.known, 0x3, "-- bytes are unchanged by the update");
    struct tarmac_record i = parse("1 clk R SCTLR_EL2 zzzz");
    cr_expect_eq(i.kind, TARMAC_REG);
    cr_expect(!i.u.reg.value_ok);
    cr_expect_str_eq(i.u.reg.bad_value, "zzzz");
}

Test(tarmac_read, maintenance_is_not_a_register)
{
    cr_expect_eq(parse("5 clk R DC CIVAC 0000000000001000").kind, TARMAC_MAINT);
    cr_expect_eq(parse("5 clk R TLBI ALLE2").kind, TARMAC_MAINT);
}

Test(tarmac_read, contiguous_memory)
{
    struct tarmac_record a = parse("1210 clk MW8 7ff0fff8:00007ff0fff8 00000000_0005f4b0");
    cr_assert_eq(a.kind, TARMAC_MEM);
    cr_expect(a.u.mem.write);
    cr_expect_eq(a.u.mem.size, 8);
    cr_expect_eq(a.u.mem.addr, 0x7ff0fff8);
    cr_expect(a.u.mem.has_paddr);
    cr_expect_eq(a.u.mem.paddr, 0x7ff0fff8);
    cr_expect_eq(a.u.mem.accessed, 0xff);
    cr_expect_eq(a.u.mem.bytes[0], 0xb0);
    cr_expect_eq(a.u.mem.bytes[2], 0x05);
    struct tarmac_record b = parse("1213 clk R04 0000a3b8 00000010");
    cr_assert_eq(b.kind, TARMAC_MEM);
    cr_expect(!b.u.mem.write);
    cr_expect_eq(b.u.mem.size, 4);
    cr_expect(!b.u.mem.has_paddr);
    struct tarmac_record c = parse("1214 clk MW4X 0000a3b8:0000a3b8 00000001");
    cr_expect(c.u.mem.exclusive);
    struct tarmac_record d = parse("1215 clk MR4 X 0000a3b8:0000a3b8 00000001");
    cr_expect(d.u.mem.exclusive);
    struct tarmac_record e = parse("1216 clk W02 0000a3b8 beef");
    cr_expect(e.u.mem.write);
    cr_expect_eq(e.u.mem.size, 2);
    cr_expect_eq(e.u.mem.bytes[1], 0xbe);
    struct tarmac_record f = parse("1217 clk MR8 80000000:80000000 (ABORTED)");
    cr_expect(f.u.mem.aborted);
    struct tarmac_record g = parse("1218 clk MW4 80000000:80000000 12345678 (ABORTED)");
    cr_expect(g.u.mem.aborted);
    cr_expect_eq(g.u.mem.bytes[0], 0x78);
}

Test(tarmac_read, diagram_memory_and_repeated_type)
{
    struct tarmac_record a = parse("  LD 00000000000ffb80 ........ ........ 00000000 000ffbb8    S:00000ffb80    nGnRnE OSH");
    cr_assert_eq(a.kind, TARMAC_MEM);
    cr_expect(a.u.mem.diagram);
    cr_expect(!a.u.mem.write);
    cr_expect_eq(a.u.mem.addr, 0xffb80);
    cr_expect_eq(a.u.mem.accessed, 0x00ff, "the low 8 bytes, shown on the right");
    cr_expect_eq(a.u.mem.bytes[0], 0xb8);
    struct tarmac_record b = parse("  ST 00000000000ffb80 00000000 000ffba0 ........ ........");
    cr_expect(b.u.mem.write);
    cr_expect_eq(b.u.mem.accessed, 0xff00);
    struct tarmac_record c = parse("     0000000000012340 ######## ........ ........ ........");
    cr_assert_eq(c.kind, TARMAC_MEM, "a diagram line may leave out the type of the previous one");
    cr_expect(c.u.mem.write);
    cr_expect_eq(c.u.mem.addr, 0x12340);
    cr_expect_eq(c.u.mem.accessed, 0xf000);
    cr_expect_eq(c.u.mem.known, 0, "## is accessed with unknown data");
}

Test(tarmac_read, unknown_and_blank_lines_are_not_errors)
{
    cr_expect_eq(parse("").kind, TARMAC_BLANK);
    cr_expect_eq(parse("   \r").kind, TARMAC_BLANK);
    struct tarmac_record a = parse("1300 clk BR_TAKEN 00001000");
    cr_expect_eq(a.kind, TARMAC_UNKNOWN);
    cr_expect_str_eq(a.type, "BR_TAKEN");
    cr_expect_eq(parse("1300 clk IT garbage").kind, TARMAC_UNKNOWN);
    cr_expect_eq(parse("1301 clk E simulation_stopped").kind, TARMAC_EVENT);
    cr_expect_eq(parse("1301 clk MR3 1000 00").kind, TARMAC_UNKNOWN, "size 3 is no memory type");
}

Test(tarmac_read, crlf_is_ignored)
{
    struct tarmac_record a = parse("1 clk R X1 0000000000000002\r");
    cr_assert_eq(a.kind, TARMAC_REG);
    cr_expect_eq(tarmac_reg_u64(&a.u.reg), 2);
}

Test(tarmac_read, bad_numbers_are_errors_with_the_line)
{
    parse("1 clk R X1 0000000000000002");
    struct mpusim_error e = parse_fail("2 clk IT (2) 10000000000000000 d2800041 O EL2h : mov");
    cr_expect_eq(e.code, MPUSIM_E_RANGE);
    cr_expect_eq(e.line, 2);
    cr_expect_str_eq(e.source, "t.tarmac");
    cr_expect(strstr(e.text, "beyond 64 bits") != NULL, "%s", e.text);
    fresh();
    e = parse_fail("3 clk MW4 1000g000 00000000");
    cr_expect_eq(e.code, MPUSIM_E_PARSE);
    cr_expect(strstr(e.text, "not hex") != NULL, "%s", e.text);
    fresh();
    e = parse_fail("99999999999999999999999 clk IT (1) 1000 d2800041 O EL2h : mov");
    cr_expect(strstr(e.text, "timestamp") != NULL, "%s", e.text);
}

/* The streaming reader over a file. */
static struct tarmac_reader *open_text(const char *text, char *path)
{
    strcpy(path, "/tmp/mpusim-tarmac-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct mpusim_error err;
    struct tarmac_reader *r = tarmac_reader_open(path, &err);
    cr_assert(r);
    return r;
}

Test(tarmac_read, reader_streams_and_keeps_a_truncated_last_line)
{
    char path[64];
    struct tarmac_reader *r = open_text("1 clk IT (1) 00001000 d2800041 O EL2h : mov x1,#2\r\n"
                                        "1 clk R X1 0000000000000002\r\n"
                                        "2 clk MW4 2000:2000 0000", path);
    struct tarmac_record rec;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(tarmac_read(r, &rec, &err), 1);
    cr_expect_eq(rec.kind, TARMAC_INSN);
    cr_assert_eq(tarmac_read(r, &rec, &err), 1);
    cr_expect_eq(rec.kind, TARMAC_REG);
    cr_assert_eq(tarmac_read(r, &rec, &err), 1);
    cr_expect_eq(rec.kind, TARMAC_MEM);
    cr_expect_eq(rec.line, 3);
    cr_expect_eq(tarmac_read(r, &rec, &err), 0);
    tarmac_reader_close(r);
    unlink(path);
}

Test(tarmac_read, not_tarmac_is_an_error)
{
    char path[64];
    struct tarmac_reader *r = open_text("{\"format\": \"mpusim-trace\"}\nhello\n", path);
    struct tarmac_record rec;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    int rc;
    while ((rc = tarmac_read(r, &rec, &err)) > 0)
        ;
    cr_expect_eq(rc, -1);
    cr_expect(strstr(err.text, "not a Tarmac trace") != NULL, "%s", err.text);
    tarmac_reader_close(r);
    unlink(path);
}

Test(tarmac_read, writer_lines_read_back)
{
    char buf[TARMAC_LINE_CAP];
    size_t n = tarmac_format_insn(buf, 42, 7, 0x5f4a0, 0xd51c6221, "EL2h", "msr prselr_el2, x1");
    cr_expect_str_eq((buf[n] = 0, buf), "42 clk IT (7) 0005f4a0 d51c6221 O EL2h : msr prselr_el2, x1\n");
    struct tarmac_record r = parse(buf);
    cr_expect_eq(r.kind, TARMAC_INSN);
    cr_expect_eq(r.u.insn.index, 7);
    n = tarmac_format_reg(buf, 42, "PRSELR_EL2", 5, 16);
    buf[n - 1] = 0;
    cr_expect_str_eq(buf, "42 clk R PRSELR_EL2 0000000000000005");
    n = tarmac_format_mem(buf, 43, 1, 8, 0x7ff0fff8, 0x7ff0fff8, 0x5f4b0, 0);
    buf[n - 1] = 0;
    cr_expect_str_eq(buf, "43 clk MW8 7ff0fff8:00007ff0fff8 00000000_0005f4b0");
    r = parse(buf);
    cr_expect_eq(r.u.mem.bytes[0], 0xb0);
}

/* Forms producers write beyond the four of the reference: an address with its physical part
 * (and a second one for a Thumb instruction across pages), an (ADDRESS:x) parenthesis, no
 * state at all, no mode before the disassembly. */
Test(tarmac_read, instruction_addresses_with_physical_parts_and_no_state_or_mode)
{
    struct tarmac_record a = parse("40 clk IT (40) 00004002:000000004002,000000004004 e8910003 T hyp_s : LDM r1,{r0,r1}");
    cr_assert_eq(a.kind, TARMAC_INSN);
    cr_expect_eq(a.u.insn.pc, 0x4002);
    cr_expect_eq(a.u.insn.index, 40);
    cr_expect(str_is(a.u.insn.mode, a.u.insn.mode_len, "hyp_s"));
    struct tarmac_record b = parse("41 clk IT (41) 00004100:000000004100_NS d2800041 O EL2h_n : mov x1,#2");
    cr_assert_eq(b.kind, TARMAC_INSN);
    cr_expect_eq(b.u.insn.pc, 0x4100);
    cr_expect_eq(b.u.insn.enc, 0xd2800041);
    struct tarmac_record c = parse("  900 cyc IT (00004200:00000011) 00004200     4801 T16 LDR      r0,[pc,#4]");
    cr_assert_eq(c.kind, TARMAC_INSN);
    cr_expect(!c.u.insn.has_index);
    cr_expect_eq(c.u.insn.pc, 0x4200);
    cr_expect_eq(c.u.insn.enc, 0x4801);
    cr_expect_eq(c.u.insn.state, 'T');
    cr_expect_eq(c.u.insn.mode_len, 0, "no mode: LDR is the disassembly");
    cr_expect(str_is(c.u.insn.disasm, c.u.insn.disasm_len, "LDR      r0,[pc,#4]"));
    struct tarmac_record d = parse("901ns IT 00004204 4802        LDR      r0,[pc,#8]  ; [0x4210]");
    cr_assert_eq(d.kind, TARMAC_INSN);
    cr_expect_eq(d.u.insn.pc, 0x4204);
    cr_expect_eq(d.u.insn.state, '?');
    cr_expect(str_is(d.u.insn.disasm, d.u.insn.disasm_len, "LDR      r0,[pc,#8]  ; [0x4210]"));
    struct tarmac_record e = parse("  902 cs IT (0000000000004300) 54000061 O  ---_- :        b.ne\t0x430c");
    cr_assert_eq(e.kind, TARMAC_INSN);
    cr_expect_eq(e.u.insn.pc, 0x4300);
    cr_expect(str_is(e.u.insn.mode, e.u.insn.mode_len, "---_-"));
}

Test(tarmac_read, memory_with_address_space_suffix_and_security_letter)
{
    struct tarmac_record a = parse("7000 ps MR8 0000020001003f40:020001003f40_NS 00000001_00000002");
    cr_assert_eq(a.kind, TARMAC_MEM);
    cr_expect_eq(a.u.mem.addr, 0x20001003f40ull);
    cr_expect_eq(a.u.mem.paddr, 0x20001003f40ull);
    cr_expect_eq(a.u.mem.bytes[4], 1);
    struct tarmac_record b = parse("7001 ps MW4 00103f40:000000103f40_S 0000beef");
    cr_assert_eq(b.kind, TARMAC_MEM);
    cr_expect_eq(b.u.mem.paddr, 0x103f40);
    struct tarmac_record c = parse("      52 cyc MNW4___D 20003f00 0a0b0c0d");
    cr_assert_eq(c.kind, TARMAC_MEM);
    cr_expect(c.u.mem.write);
    cr_expect_eq(c.u.mem.size, 4);
    cr_expect_eq(c.u.mem.addr, 0x20003f00);
    struct tarmac_record d = parse("      53 cyc MNR4O__I 00004208 f000f800");
    cr_assert_eq(d.kind, TARMAC_MEM);
    cr_expect(d.u.mem.fetch, "the I flag: an instruction-side access");
    struct tarmac_record e = parse("7002 ps MR8 00103f40:000000103f40_XY 0");
    cr_expect_eq(e.kind, TARMAC_MEM, "any address-space name after the underscore");
    parse_fail("7003 ps MR8 00103f40:00zz103f40 0");
}

Test(tarmac_read, register_values_of_dashes_only)
{
    struct tarmac_record a = parse("R X1 --------");
    cr_assert_eq(a.kind, TARMAC_REG);
    cr_expect(a.u.reg.value_ok);
    cr_expect_eq(a.u.reg.known, 0, "no byte given");
    struct tarmac_record b = parse("R X0 -------- --------");
    cr_expect_eq(b.u.reg.nbytes, 8);
    cr_expect_eq(b.u.reg.known, 0);
}
