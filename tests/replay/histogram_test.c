/* Exact histograms: percentiles equal those of the sorted values (nearest rank). */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "replay/histogram.h"

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

Test(histogram, percentiles_match_sorting_for_small_and_large_values)
{
    enum { N = 20011 };
    static uint64_t v[N];
    struct histogram h;
    histogram_init(&h);
    uint64_t s = 99;
    for (size_t i = 0; i < N; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        v[i] = (i % 3 == 0) ? s % 100 : (i % 3 == 1) ? 4000 + s % 300 : (s >> 20); /* 3 ranges */
        cr_assert_eq(histogram_add(&h, v[i], NULL), 0);
    }
    qsort(v, N, sizeof *v, cmp);
    unsigned pcts[] = { 0, 1, 50, 90, 99, 100 };
    for (size_t k = 0; k < sizeof pcts / sizeof *pcts; k++) {
        size_t rank = (N * pcts[k] + 99) / 100;
        cr_expect_eq(histogram_percentile(&h, pcts[k]), v[rank ? rank - 1 : 0], "p%u", pcts[k]);
    }
    cr_expect_eq(histogram_max(&h), v[N - 1]);
    cr_expect_eq(h.count, N);
    histogram_fini(&h);
}

Test(histogram, merging_adds_the_counts_and_an_empty_one_reports_zero)
{
    struct histogram a, b;
    histogram_init(&a);
    histogram_init(&b);
    cr_expect_eq(histogram_percentile(&a, 50), 0);
    cr_expect_eq(histogram_max(&a), 0);
    for (uint64_t i = 1; i <= 10; i++)
        histogram_add(&a, i, NULL);
    for (uint64_t i = 1; i <= 10; i++)
        histogram_add(&b, 100000 + i, NULL);
    cr_assert_eq(histogram_merge(&a, &b, NULL), 0);
    cr_expect_eq(a.count, 20);
    cr_expect_eq(histogram_percentile(&a, 50), 10);
    cr_expect_eq(histogram_percentile(&a, 55), 100001);
    cr_expect_eq(histogram_max(&a), 100010);
    histogram_fini(&a);
    histogram_fini(&b);
}
