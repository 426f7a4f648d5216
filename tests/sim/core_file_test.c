/* sim/core_file.c: core files of the timing model. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim.h"

Test(core_file, the_bundled_r82_file_equals_the_built_in_core)
{
    struct sim_core file, def;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    memset(&file, 0, sizeof file);
    cr_assert_eq(sim_core_read_file("cores/cortex-r82.json", &file, &err), 0, "%s", err.text);
    sim_core_default(&def);
    cr_expect_str_eq(file.name, def.name);
    cr_expect_eq(file.issue_width, 2u);
    for (int i = 0; i < SIM_TC_COUNT; i++)
        cr_expect_eq(memcmp(&file.cls[i], &def.cls[i], sizeof def.cls[i]), 0, "class %s differs",
                     sim_tclass_name((enum sim_tclass)i));
    cr_expect_eq(memcmp(&file, &def, sizeof def), 0, "the whole core");
    cr_expect_eq(file.cls[SIM_TC_ISB].cost.v[SIM_TS_MIN], 6u);
    cr_expect_eq(file.cls[SIM_TC_ISB].cost.v[SIM_TS_MAX], 12u);
}

static int read_text(const char *text, struct sim_core *out, struct mpusim_error *err)
{
    char path[] = "/tmp/mpusim-core-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    int rc = sim_core_read_file(path, out, err);
    remove(path);
    return rc;
}

/* The bundled file with one substring replaced. */
static int read_edited(const char *from, const char *to, struct mpusim_error *err)
{
    static char buf[1 << 17];
    FILE *f = fopen("cores/cortex-r82.json", "rb");
    cr_assert_not_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *at = strstr(buf, from);
    cr_assert_not_null(at, "%s not in the file", from);
    static char out[1 << 17];
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
    struct sim_core c;
    return read_text(out, &c, err);
}

Test(core_file, a_guess_without_a_range_is_refused)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(read_edited("\"nominal\": 8,\n        \"min\": 6,\n        \"max\": 12,",
                             "\"value\": 8,", &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect(strstr(err.text, "classes.isb.cost") != NULL, "%s", err.text);
}

Test(core_file, a_missing_class_is_refused)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(read_edited("\"dmb\":", "\"dmb_renamed\":", &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_RANGE);
    cr_expect(strstr(err.text, "dmb_renamed") != NULL, "%s", err.text);
}

Test(core_file, a_number_without_a_source_is_refused)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(read_edited("\"source\": \"return stack depth", "\"src\": \"return stack depth",
                             &err), -1);
    cr_expect(strstr(err.text, "branch.ras_depth") != NULL, "%s", err.text);
}

Test(core_file, bad_json_gives_line_and_column)
{
    struct sim_core c;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_expect_eq(read_text("{\n  \"format\": \n}", &c, &err), -1);
    cr_expect_eq(err.code, MPUSIM_E_PARSE);
    cr_expect_eq(err.line, 3);
}
