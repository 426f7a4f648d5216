/* The occupancy timeline: exact up to 1,000 events, then downsampled online with the true
 * minimum and maximum of every bucket. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "replay/timeline.h"

Test(timeline, up_to_1000_events_every_bucket_is_one_event)
{
    struct timeline tl;
    timeline_init(&tl);
    for (unsigned i = 0; i < 1000; i++)
        timeline_add(&tl, i % 17);
    cr_assert_eq(tl.bucket, 1);
    cr_assert_eq(tl.nbuckets, 1000);
    for (unsigned i = 0; i < 1000; i++) {
        cr_expect_eq(tl.b[i].min, i % 17);
        cr_expect_eq(tl.b[i].max, i % 17);
    }
}

Test(timeline, a_long_series_keeps_at_most_1000_buckets_with_exact_min_and_max)
{
    static uint16_t series[123457];
    uint64_t s = 12345;
    for (size_t i = 0; i < sizeof series / sizeof *series; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        series[i] = (uint16_t)(s % 200);
    }
    struct timeline tl;
    timeline_init(&tl);
    size_t n = sizeof series / sizeof *series;
    for (size_t i = 0; i < n; i++)
        timeline_add(&tl, series[i]);
    cr_assert_eq(tl.events, n);
    cr_assert_leq(tl.nbuckets, TIMELINE_MAX_BUCKETS);
    cr_assert_eq(tl.nbuckets, (n + tl.bucket - 1) / tl.bucket, "buckets cover every event");
    for (size_t j = 0; j < tl.nbuckets; j++) {
        unsigned lo = 0xFFFF, hi = 0;
        for (size_t i = j * tl.bucket; i < (j + 1) * tl.bucket && i < n; i++) {
            lo = series[i] < lo ? series[i] : lo;
            hi = series[i] > hi ? series[i] : hi;
        }
        cr_expect_eq(tl.b[j].min, lo, "bucket %zu", j);
        cr_expect_eq(tl.b[j].max, hi, "bucket %zu", j);
    }
}

Test(timeline, grouping_for_a_60_column_sparkline_takes_the_max_of_each_group)
{
    struct timeline tl;
    timeline_init(&tl);
    for (unsigned i = 0; i < 125; i++)
        timeline_add(&tl, i == 3 ? 9 : 1);
    struct timeline_bucket pts[60];
    uint64_t per;
    size_t n = timeline_group(&tl, 60, pts, &per);
    cr_assert_eq(per, 3, "ceil(125 / 60) events per point");
    cr_assert_eq(n, 42);
    cr_expect_eq(pts[1].max, 9);
    cr_expect_eq(pts[1].min, 1);
    cr_expect_eq(pts[0].max, 1);
    struct timeline empty;
    timeline_init(&empty);
    cr_expect_eq(timeline_group(&empty, 60, pts, &per), 0);
}
