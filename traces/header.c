/* Decoding the trace header: format, version, mpu, boot regions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpu_model/mpu.h"
#include "traces/internal.h"

#define TRACE_FORMAT "mpusim-trace"
#define TRACE_VERSION 1

static int decode_mpu(const struct trace_parse *p, json_t *obj, struct trace *t)
{
    if (!json_is_object(obj))
        return trace_fail(p, MPUSIM_E_PARSE, "mpu", "expected an object, got %s",
                          trace_json_type(obj));
    const char *key;
    json_t *v;
    int have_regions = 0;
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "regions") == 0) {
            uint64_t n;
            if (trace_field_u64(p, "mpu.regions", v, &n) != 0)
                return -1;
            if (n < 1 || n > MPU_MAX_REGIONS)
                return trace_fail(p, MPUSIM_E_RANGE, "mpu.regions",
                                  "%llu out of range 1..%d", (unsigned long long)n,
                                  MPU_MAX_REGIONS);
            t->regions = (unsigned)n;
            have_regions = 1;
        } else if (strcmp(key, "addresses") == 0) {
            const char *s = json_is_string(v) ? json_string_value(v) : "";
            if (strcmp(s, "strict") && strcmp(s, "truncate"))
                return trace_fail(p, MPUSIM_E_RANGE, "mpu.addresses",
                                  "expected \"strict\" or \"truncate\"");
            t->strict_addresses = !strcmp(s, "strict");
        } else if (!trace_is_extension(key)) {
            return trace_fail(p, MPUSIM_E_RANGE, NULL,
                              "unknown field 'mpu.%.60s' (expected regions, addresses, or an "
                              "\"x-\" extension)", key);
        }
    }
    if (!have_regions)
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'mpu.regions'");
    return 0;
}

static int decode_boot_region(const struct trace_parse *p, json_t *obj,
                              struct trace_boot_region *b)
{
    if (!json_is_object(obj))
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "expected an object, got %s",
                          trace_json_type(obj));
    enum { HAVE_BASE = 1, HAVE_LIMIT = 2, HAVE_FLAGS = 4 };
    unsigned seen = 0;
    const char *key, *name;
    json_t *v;
    memset(b, 0, sizeof *b);
    json_object_foreach(obj, key, v) {
        int rc = 0;
        if (strcmp(key, "base") == 0) {
            rc = trace_field_u64(p, "base", v, &b->base);
            seen |= HAVE_BASE;
        } else if (strcmp(key, "limit") == 0) {
            rc = trace_field_u64(p, "limit", v, &b->limit);
            seen |= HAVE_LIMIT;
        } else if (strcmp(key, "flags") == 0) {
            rc = trace_field_flags(p, "flags", v, &b->flags);
            seen |= HAVE_FLAGS;
        } else if (strcmp(key, "name") == 0) {
            rc = trace_field_string(p, "name", v, &name);
            if (rc == 0)
                snprintf(b->name, sizeof b->name, "%s", name); /* truncated to fit */
        } else if (!trace_is_extension(key)) {
            return trace_fail(p, MPUSIM_E_RANGE, NULL,
                              "unknown field '%.60s' (a boot region takes base, limit, flags, "
                              "name, and \"x-\" extensions)", key);
        }
        if (rc != 0)
            return -1;
    }
    if (!(seen & HAVE_BASE))
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'base'");
    if (!(seen & HAVE_LIMIT))
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'limit'");
    if (!(seen & HAVE_FLAGS))
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'flags'");
    if (b->base >= b->limit)
        return trace_fail(p, MPUSIM_E_RANGE, NULL, "base 0x%llx must be below limit 0x%llx",
                          (unsigned long long)b->base, (unsigned long long)b->limit);
    return 0;
}

static int decode_boot(struct trace_parse *p, json_t *arr, struct trace *t)
{
    if (!json_is_array(arr))
        return trace_fail(p, MPUSIM_E_PARSE, "boot", "expected an array, got %s",
                          trace_json_type(arr));
    size_t n = json_array_size(arr);
    t->has_boot = 1;
    if (n == 0)
        return 0;
    if (n > MPU_MAX_REGIONS)
        return trace_fail(p, MPUSIM_E_RANGE, "boot", "%zu boot regions (at most %d)", n,
                          MPU_MAX_REGIONS);
    t->boot = calloc(n, sizeof *t->boot);
    if (!t->boot)
        return trace_fail(p, MPUSIM_E_IO, "boot", "out of memory");
    for (size_t i = 0; i < n; i++) {
        p->boot = (long)i;
        int rc = decode_boot_region(p, json_array_get(arr, i), &t->boot[i]);
        p->boot = -1;
        if (rc != 0)
            return -1;
        t->nboot++;
    }
    return 0;
}

int trace_decode_header(struct trace_parse *p, json_t *hdr, int document, struct trace *t)
{
    /* format and version first, so that another file or a newer version is named as such
     * rather than reported as an unknown field. */
    json_t *v = json_object_get(hdr, "format");
    const char *s;
    if (!v)
        return trace_fail(p, MPUSIM_E_PARSE, NULL,
                          "missing field 'format' (not an mpusim trace?)");
    if (trace_field_string(p, "format", v, &s) != 0)
        return -1;
    if (strcmp(s, TRACE_FORMAT) != 0)
        return trace_fail(p, MPUSIM_E_RANGE, "format", "\"%.40s\" is not \"" TRACE_FORMAT "\"",
                          s);
    v = json_object_get(hdr, "version");
    if (!v)
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'version'");
    if (!json_is_integer(v))
        return trace_fail(p, MPUSIM_E_PARSE, "version", "expected an integer, got %s",
                          trace_json_type(v));
    if (json_integer_value(v) != TRACE_VERSION)
        return trace_fail(p, MPUSIM_E_RANGE, "version",
                          "unsupported version %lld (this reader knows version %d)",
                          (long long)json_integer_value(v), TRACE_VERSION);

    const char *key;
    int have_mpu = 0;
    json_object_foreach(hdr, key, v) {
        if (strcmp(key, "format") == 0 || strcmp(key, "version") == 0)
            continue;
        if (strcmp(key, "mpu") == 0) {
            if (decode_mpu(p, v, t) != 0)
                return -1;
            have_mpu = 1;
        } else if (strcmp(key, "boot") == 0) {
            if (decode_boot(p, v, t) != 0)
                return -1;
        } else if (strcmp(key, "zephyr") == 0) {
            if (trace_decode_zephyr(p, v, t) != 0)
                return -1;
        } else if (strcmp(key, "bao") == 0) {
            if (trace_decode_bao(p, v, t) != 0)
                return -1;
        } else if (document && strcmp(key, "events") == 0) {
            if (!json_is_array(v))
                return trace_fail(p, MPUSIM_E_PARSE, "events", "expected an array, got %s",
                                  trace_json_type(v));
        } else if (!trace_is_extension(key)) {
            return trace_fail(p, MPUSIM_E_RANGE, NULL,
                              "unknown field '%.60s' (the header takes format, version, mpu, "
                              "boot, zephyr, bao%s, and \"x-\" extensions)", key, document ? ", events" : "");
        }
    }
    if (!have_mpu)
        return trace_fail(p, MPUSIM_E_PARSE, NULL, "missing field 'mpu'");
    return 0;
}
