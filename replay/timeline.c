/* The occupancy timeline, downsampled online (timeline.h). */
#include "replay/timeline.h"

#include <string.h>

void timeline_init(struct timeline *tl)
{
    tl->events = 0;
    tl->bucket = 1;
    tl->nbuckets = 0;
    tl->room = 0;
}

static struct timeline_bucket merged(struct timeline_bucket a, struct timeline_bucket b)
{
    return (struct timeline_bucket){ a.min < b.min ? a.min : b.min, a.max > b.max ? a.max : b.max };
}

/* The last bucket is full (or there is none): open the next one with v. */
void timeline_add_bucket(struct timeline *tl, uint16_t v)
{
    if (tl->nbuckets == TIMELINE_MAX_BUCKETS) { /* all full: halve the resolution */
        for (size_t j = 0; j < TIMELINE_MAX_BUCKETS / 2; j++)
            tl->b[j] = merged(tl->b[2 * j], tl->b[2 * j + 1]);
        tl->nbuckets = TIMELINE_MAX_BUCKETS / 2;
        tl->bucket *= 2;
    }
    tl->b[tl->nbuckets++] = (struct timeline_bucket){ v, v };
    tl->events++;
    tl->room = tl->bucket - 1;
}

size_t timeline_group(const struct timeline *tl, size_t width, struct timeline_bucket *out,
                      uint64_t *per)
{
    if (width == 0)
        width = 1;
    size_t g = (tl->nbuckets + width - 1) / width;
    if (g == 0)
        g = 1;
    *per = (uint64_t)g * tl->bucket;
    size_t n = 0;
    for (size_t j = 0; j < tl->nbuckets; j += g) {
        struct timeline_bucket m = tl->b[j];
        for (size_t k = j + 1; k < j + g && k < tl->nbuckets; k++)
            m = merged(m, tl->b[k]);
        out[n++] = m;
    }
    return n;
}
