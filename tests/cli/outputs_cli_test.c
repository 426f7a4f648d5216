/* Outputs never destroy data (docs/cli.md, "Outputs"): one test per defect of issue 11, each
 * failing on the code before it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/cli/helpers.h"

TestSuite(outputs_cli, .init = cli_tmp_init, .fini = cli_tmp_fini);

#define BOOT "traces/xen-boot-fvp/trace.json"

static void copy_boot_trace(void)
{
    cr_assert_eq(sh("cp " BOOT " %s/t.json", tdir), 0);
}

Test(outputs_cli, an_output_that_is_an_input_is_refused_before_any_work)
{
    copy_boot_trace();
    char *before = strdup(slurp("t.json"));
    const char *opts[] = { "--events-out", "--json" };
    for (int k = 0; k < 2; k++) {
        cr_expect_eq(sh_in_tdir("$MPUSIM replay t.json %s t.json", opts[k]), 2, "%s", opts[k]);
        cr_expect(strstr(slurp("err"), "same file as the trace") != NULL, "%s", slurp("err"));
        cr_expect_str_eq(slurp("t.json"), before, "%s overwrote the trace", opts[k]);
    }
    /* through a symlink and a hard link: the same device and inode */
    cr_assert_eq(sh_in_tdir("ln -s t.json sym.json && ln t.json hard.json"), 0);
    cr_expect_eq(sh_in_tdir("$MPUSIM replay t.json --json sym.json"), 2);
    cr_expect_eq(sh_in_tdir("$MPUSIM replay hard.json --json t.json"), 2);
    cr_expect_eq(sh_in_tdir("$MPUSIM compare --quiet t.json --csv t.json"), 2);
    cr_expect_eq(sh_in_tdir("$MPUSIM compare --quiet t.json --json hard.json"), 2);
    cr_expect_str_eq(slurp("t.json"), before);
    free(before);
    /* the guest engine's adapter and ELF */
    cr_assert_eq(sh("cp build/guest/mm.elf build/guest/mm.adapter.json %s/", tdir), 0);
    cr_expect_eq(sh_in_tdir("$MPUSIM replay t.json --engine guest --adapter mm.adapter.json "
                            "--json mm.adapter.json"), 2);
    cr_expect(strstr(slurp("err"), "same file as the adapter") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh_in_tdir("$MPUSIM replay t.json --engine guest --adapter mm.adapter.json "
                            "--events-out mm.elf"), 2);
    cr_expect(strstr(slurp("err"), "same file as the ELF") != NULL, "%s", slurp("err"));
    cr_expect(only_files(7), "out, err, t.json, sym, hard, elf, adapter: nothing else");
}

Test(outputs_cli, a_symlink_output_is_written_through_and_stays_a_link)
{
    copy_boot_trace();
    cr_assert_eq(sh_in_tdir("mkdir d && ln -s d/real.json link.json && ln -s ../link.json "
                            "d/chain.json"), 0);
    cr_assert_eq(sh_in_tdir("$MPUSIM replay t.json --quiet --json link.json"), 0,
                 "%s", slurp("err"));
    struct stat st;
    char path[128];
    snprintf(path, sizeof path, "%s/link.json", tdir);
    cr_assert_eq(lstat(path, &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link was replaced");
    cr_expect(strstr(slurp("d/real.json"), "\"final_regions\"") != NULL);
    /* a chain of relative links */
    cr_assert_eq(sh_in_tdir("rm d/real.json && $MPUSIM replay t.json --quiet --json "
                            "d/chain.json"), 0, "%s", slurp("err"));
    snprintf(path, sizeof path, "%s/d/chain.json", tdir);
    cr_assert_eq(lstat(path, &st), 0);
    cr_expect(S_ISLNK(st.st_mode));
    cr_expect(strstr(slurp("d/real.json"), "\"final_regions\"") != NULL);
}

/* /dev/stdout itself is not named here: code that replaces the path (the defect) would, as
 * root, replace the system's /dev/stdout link. A link of our own to /proc/self/fd/1, and
 * /dev/fd/1, are the same case and harmless when the test fails. */
Test(outputs_cli, stdout_named_by_a_path_is_written_through_the_descriptor_and_appends)
{
    copy_boot_trace();
    cr_assert_eq(sh_in_tdir("ln -s /proc/self/fd/1 my-stdout"), 0);
    const char *names[] = { "my-stdout", "/dev/fd/1", "/proc/self/fd/1" };
    for (int k = 0; k < 3; k++) {
        write_file("log", "first line\n");
        cr_assert_eq(sh_in_tdir("$MPUSIM replay t.json --quiet --json %s >> log", names[k]), 0,
                     "%s: %s", names[k], slurp("err"));
        char *log = slurp("log");
        cr_expect_eq(strncmp(log, "first line\n{", 12), 0, "%s: %.40s", names[k], log);
        cr_expect(strstr(log, "\"final_regions\"") != NULL, "%s", names[k]);
    }
    struct stat st;
    char path[128];
    snprintf(path, sizeof path, "%s/my-stdout", tdir);
    cr_expect_eq(lstat(path, &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link is still a link");
}

Test(outputs_cli, a_failing_output_leaves_no_other_output_behind)
{
    copy_boot_trace();
    cr_expect_eq(sh_in_tdir("$MPUSIM replay t.json --events-out ev.jsonl --json "
                            "/dev/full"), 2);
    cr_expect(strstr(slurp("err"), "/dev/full") != NULL, "%s", slurp("err"));
    cr_expect(!exists("ev.jsonl"));
    cr_expect_eq(sh_in_tdir("$MPUSIM compare --quiet t.json --json r.jsonl --csv "
                            "/dev/full"), 2);
    cr_expect(!exists("r.jsonl"));
    cr_expect_eq(sh_in_tdir("$MPUSIM fuzz --quiet --regions 64 --seed 1 --iterations 10 "
                            "--length 200 --out min.json --json /dev/full"), 2);
    cr_expect(!exists("min.json"));
    cr_expect(only_files(3), "only t.json, out and err");
}

Test(outputs_cli, sigterm_and_sigint_remove_the_temporaries_and_exit_143_and_130)
{
    copy_boot_trace();
    const int sigs[] = { 15, 2, 1 };
    const int codes[] = { 143, 130, 129 };
    for (int k = 0; k < 3; k++) {
        /* the trace arrives through a FIFO held open: the outputs are open meanwhile. A
         * watcher waits for the temporaries, then signals the replay (which runs in the
         * foreground: a background job of sh would ignore SIGINT). */
        int rc = sh_in_tdir("rm -f in seen pid; mkfifo in; exec 3<>in; cat t.json >&3; "
                            "(for i in $(seq 100); do ls | grep -q '[.]tmp[.]' && break; "
                            "sleep 0.1; done; ls > seen; kill -%d $(cat pid)) & "
                            "sh -c 'echo $$ > pid; exec \"$0\" replay in --events-out ev.jsonl "
                            "--json s.json' \"$MPUSIM\"; rc=$?; wait; exec 3>&-; rm in pid; "
                            "exit $rc", sigs[k]);
        cr_expect_eq(rc, codes[k], "signal %d", sigs[k]);
        cr_expect(strstr(slurp("seen"), ".tmp.") != NULL, "temporaries existed: %s",
                  slurp("seen"));
        cr_assert_eq(sh_in_tdir("rm seen"), 0);
        cr_expect(!exists("ev.jsonl") && !exists("s.json"));
        cr_expect(only_files(3), "no temporary left after signal %d", sigs[k]);
    }
}

Test(outputs_cli, created_files_get_0666_minus_the_umask)
{
    copy_boot_trace();
    const struct { const char *mask; unsigned mode; } c[] = { { "022", 0644 }, { "027", 0640 },
                                                              { "0", 0666 } };
    for (int k = 0; k < 3; k++) {
        cr_assert_eq(sh_in_tdir("rm -f s.json; umask %s; $MPUSIM replay t.json"
                                " --quiet --json s.json", c[k].mask), 0);
        struct stat st;
        char path[128];
        snprintf(path, sizeof path, "%s/s.json", tdir);
        cr_assert_eq(stat(path, &st), 0);
        cr_expect_eq(st.st_mode & 0777, c[k].mode, "umask %s: mode %o", c[k].mask,
                     st.st_mode & 0777);
    }
}

Test(outputs_cli, two_outputs_naming_one_file_are_refused)
{
    copy_boot_trace();
    cr_expect_eq(sh_in_tdir("$MPUSIM replay t.json --events-out x.json --json x.json"), 2);
    cr_expect(strstr(slurp("err"), "same file as --events-out") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh_in_tdir("$MPUSIM replay t.json --events-out x.json --json ./x.json"),
                 2);
    cr_expect_eq(sh_in_tdir("$MPUSIM replay t.json --events-out - --json /dev/stdout"),
                 2);
    cr_expect_eq(sh_in_tdir("$MPUSIM compare t.json --json r --csv r"), 2);
    cr_expect_eq(sh_in_tdir("$MPUSIM fuzz --iterations 1 --out f.json --json f.json"), 2);
    cr_expect(only_files(3));
}

Test(outputs_cli, fuzz_checks_its_output_paths_before_a_timed_run)
{
    time_t t0 = time(NULL);
    cr_expect_eq(sh_in_tdir("$MPUSIM fuzz --time 30 --out no/such/dir/f.json"), 2);
    cr_expect(strstr(slurp("err"), "--out") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh_in_tdir("$MPUSIM fuzz --time 30 --json no/such/dir/f.json"), 2);
    cr_expect_lt(time(NULL) - t0, 10, "refused at once, not after the run");
}

Test(outputs_cli, events_to_stdout_are_pure_json_lines_and_the_summary_goes_to_stderr)
{
    cr_assert_eq(sh(MPUSIM " replay " BOOT " --events-out -"), 0, "%s", slurp("err"));
    char *out = slurp("out");
    cr_expect_eq(count(out, "\n"), 29);
    cr_expect_eq(count(out, "{\"i\":"), 29, "only event lines on stdout");
    cr_expect(strstr(slurp("err"), "regions    in use: peak") != NULL);
    cr_expect_eq(sh(MPUSIM " compare " BOOT " --json -"), 0);
    cr_expect_eq(count(slurp("out"), "{\"run\":"), count(slurp("out"), "\n"));
    cr_expect(strstr(slurp("err"), "| algo") != NULL || strstr(slurp("err"), "|") != NULL);
}

Test(outputs_cli, an_empty_output_name_is_a_usage_error_naming_the_option)
{
    cr_expect_eq(sh(MPUSIM " replay " BOOT " --events-out ''"), 2);
    cr_expect(strstr(slurp("err"), "--events-out: empty file name") != NULL, "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " replay " BOOT " --json ''"), 2);
    cr_expect(strstr(slurp("err"), "--json") != NULL);
}

/* run --record and --tarmac are one output set: checked against the ELF and the adapter
 * before the run, and written together or not at all. */
Test(outputs_cli, run_record_and_tarmac_are_committed_together)
{
    cr_expect_eq(sh(MPUSIM " run build/guest/mm.elf --budget 20000 --adapter mm --record %s/r.jsonl "
                    "--tarmac %s/t.tarmac", tdir, tdir), 1, "%s", slurp("err"));
    cr_expect(exists("r.jsonl") && exists("t.tarmac"), "%s", slurp("err"));
    cr_expect(strstr(slurp("r.jsonl"), "\"format\": \"mpusim-trace\"") != NULL, "%s",
              slurp("r.jsonl"));
    sh("rm -f %s/r.jsonl %s/t.tarmac", tdir, tdir);
    cr_expect_eq(sh(MPUSIM " run build/guest/mm.elf --budget 20000 --adapter mm --record %s/r.jsonl "
                    "--tarmac /dev/full", tdir), 2);
    cr_expect(strstr(slurp("err"), "/dev/full") && strstr(slurp("err"), "write failed") &&
                  strstr(slurp("err"), "No space left"),
              "names the file and why: %s", slurp("err"));
    cr_expect(only_files(2), "no record left beside the failed --tarmac (out, err only)");
    cr_expect_eq(sh(MPUSIM " replay traces/xen-boot-fvp/trace.json --engine guest --quiet "
                    "--tarmac /dev/full"), 2);
    cr_expect(strstr(slurp("err"), "/dev/full") && strstr(slurp("err"), "No space left"),
              "replay names it too: %s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run build/guest/mm.elf --adapter mm --record build/guest/mm.elf"), 2);
    cr_expect(strstr(slurp("err"), "--record") && strstr(slurp("err"), "same file as the ELF"),
              "%s", slurp("err"));
    cr_expect_eq(sh(MPUSIM " run build/guest/mm.elf --adapter mm --record %s/r.jsonl "
                    "--tarmac %s/./r.jsonl", tdir, tdir), 2);
    cr_expect(!exists("r.jsonl"));
}
