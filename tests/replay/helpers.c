#include <criterion/criterion.h>

#include "tests/replay/helpers.h"

struct trace replay_test_load(const char *path)
{
    struct trace t;
    struct mpusim_error err;
    mpusim_error_clear(&err);
    cr_assert_eq(trace_read_file(path, &t, &err), 0, "%s: %s", path, err.text);
    return t;
}

struct replay *replay_test_start(const struct trace *t, const struct replay_options *o)
{
    struct mpusim_error err;
    mpusim_error_clear(&err);
    struct replay *r = replay_new(t, o, &err);
    cr_assert_not_null(r, "replay_new: %s", err.text);
    return r;
}

void replay_test_run_all(struct replay *r, const struct trace *t)
{
    for (size_t i = 0; i < t->nevents; i++) {
        struct replay_event_result res;
        replay_step(r, i, &res);
    }
}
