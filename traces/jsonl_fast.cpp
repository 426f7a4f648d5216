// The JSON Lines fast path (jsonl_fast.h): simdjson's DOM parser, then the same decoding as
// traces/event.c, through the same tables and value helpers (internal.h). Whatever is not a
// well-formed event that jansson would read identically is declined (return 0), never
// reported: the caller parses the line again with jansson for its message.
//
// The DOM API rather than On-Demand: a DOM parse validates the whole line (every literal and
// number, trailing content, nesting) before the decoder looks at it, which a decline-on-doubt
// rule needs; On-Demand validates only what is visited, in visiting order. Measured on the
// bench/replay_jsonl lines, the DOM parse is far from the limit of the end-to-end replay.
#include <simdjson.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

extern "C" {
#include "mpu_model/mpu.h"
#include "traces/internal.h"
#include "traces/jsonl_fast.h"
}

static_assert(TRACE_FAST_PADDING >= simdjson::SIMDJSON_PADDING, "TRACE_FAST_PADDING below simdjson's");

namespace dom = simdjson::dom;

// a == b, for the short names and keys of the format (a loop beats a call to memcmp here).
static inline bool same_text(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); i++)
        if (a[i] != b[i])
            return false;
    return true;
}

// Names to values, compared by length first: the format's names, taken from traces/ (field
// keys, ops, access kinds, flags names) when the fast path is made.
struct name_table {
    struct entry {
        std::string_view name;
        int value;
    };
    entry e[TRACE_F_COUNT + TRACE_OP_COUNT];
    size_t n = 0;
    void add(const char *name, int value)
    {
        e[n++] = { std::string_view(name), value };
    }
    // the value of name, or -1
    int find(std::string_view name) const
    {
        for (size_t i = 0; i < n; i++)
            if (same_text(e[i].name, name))
                return e[i].value;
        return -1;
    }
};

struct trace_fast {
    dom::parser parser;
    name_table fields, ops, kinds, flags;
    char *copy = nullptr; // a padded copy of a line that ends too close to its buffer's end
    size_t copy_cap = 0;
};

namespace {

constexpr int max_depth = 64;  // nesting the decoder follows; deeper is declined
constexpr size_t max_keys = 32; // keys per object it checks for duplicates; more is declined

// 1 unless [s, s + n) has a byte that the fast path might read otherwise than jansson: a
// non-ASCII byte (both check UTF-8, in their own ways) or a "\u" escape (jansson refuses
// \u0000, simdjson keeps it). Control characters, big numbers and the rest simdjson refuses.
bool plain_line(const char *s, size_t n)
{
    constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    constexpr uint64_t backslashes = 0x5C5C5C5C5C5C5C5Cull;
    uint64_t any = 0, bs = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t x = w ^ backslashes; // a zero byte where w has a backslash
        any |= w;
        bs |= (x - ones) & ~x & highs;
    }
    for (; i < n; i++) {
        any |= static_cast<unsigned char>(s[i]);
        bs |= s[i] == '\\';
    }
    if (any & highs)
        return false;
    if (!bs)
        return true;
    for (i = 0; i + 1 < n; i++) {
        if (s[i] == '\\') {
            if (s[i + 1] == 'u')
                return false;
            i++; // past the escaped character
        }
    }
    return true;
}

// Keys of one object, for jansson's JSON_REJECT_DUPLICATES.
struct key_set {
    std::string_view keys[max_keys];
    size_t n = 0;
    // false for a duplicate or too many keys
    bool add(std::string_view k)
    {
        for (size_t i = 0; i < n; i++)
            if (same_text(keys[i], k))
                return false;
        if (n == max_keys)
            return false;
        keys[n++] = k;
        return true;
    }
};

// A value that is ignored ("x-" extensions): it only has to be one jansson parses the same.
bool plain_value(dom::element v, int depth)
{
    if (depth > max_depth)
        return false;
    switch (v.type()) {
    case dom::element_type::ARRAY:
        for (dom::element e : dom::array(v))
            if (!plain_value(e, depth + 1))
                return false;
        return true;
    case dom::element_type::OBJECT: {
        key_set ks;
        for (dom::key_value_pair kv : dom::object(v))
            if (!ks.add(kv.key) || !plain_value(kv.value, depth + 1))
                return false;
        return true;
    }
    case dom::element_type::DOUBLE: {
        double d = double(v);
        return std::isfinite(d) && std::fabs(d) < 1e300;
    }
    case dom::element_type::UINT64: // above INT64_MAX: jansson refuses it
        return false;
    default: // INT64, STRING, BOOL, NULL_VALUE
        return true;
    }
}

bool get_int(dom::element v, long lo, long hi, long *out)
{
    if (v.type() != dom::element_type::INT64)
        return false;
    int64_t i = int64_t(v);
    if (i < lo || i > hi)
        return false;
    *out = static_cast<long>(i);
    return true;
}

bool get_cstr(dom::element v, const char **out)
{
    if (v.type() != dom::element_type::STRING)
        return false;
    *out = v.get_c_str().value_unsafe();
    return true;
}

// trace_field_u64: a hex string or a non-negative integer.
bool get_u64(dom::element v, uint64_t *out)
{
    if (v.type() == dom::element_type::INT64) {
        int64_t i = int64_t(v);
        if (i < 0)
            return false;
        *out = static_cast<uint64_t>(i);
        return true;
    }
    const char *s;
    return get_cstr(v, &s) && trace_hex_value(s, out) == 0;
}

// trace_field_flags: a name, or a number 0..0x1ff.
bool get_flags(const trace_fast &fp, dom::element v, unsigned *out)
{
    std::string_view s;
    if (v.type() == dom::element_type::STRING) {
        s = v.get_string().value_unsafe();
        int f = fp.flags.find(s);
        if (f >= 0) {
            *out = static_cast<unsigned>(f);
            return true;
        }
    }
    uint64_t n;
    if (!get_u64(v, &n) || n > 0x1FF)
        return false;
    *out = static_cast<unsigned>(n);
    return true;
}

// trace_field_name: a string of 1..31 characters, or a non-negative integer as its decimal.
bool get_name(dom::element v, uint64_t *out)
{
    const char *s;
    char buf[24];
    if (v.type() == dom::element_type::INT64) {
        int64_t i = int64_t(v);
        if (i < 0)
            return false;
        snprintf(buf, sizeof buf, "%lld", static_cast<long long>(i));
        s = buf;
    } else if (get_cstr(v, &s)) {
        size_t n = strlen(s);
        if (n == 0 || n > 31)
            return false;
    } else {
        return false;
    }
    *out = trace_name_hash(s);
    return true;
}

// trace_field_zattr: a name, or {"rbar", "ai"}.
bool get_zattr(dom::element v, unsigned *out)
{
    const char *s;
    if (get_cstr(v, &s))
        return trace_zattr_named(s, out) == 0;
    if (v.type() != dom::element_type::OBJECT)
        return false;
    key_set ks;
    uint64_t rbar = 0;
    long ai = -1;
    bool have_rbar = false;
    for (dom::key_value_pair kv : dom::object(v)) {
        if (!ks.add(kv.key))
            return false;
        if (kv.key == "rbar") {
            if (!get_u64(kv.value, &rbar))
                return false;
            have_rbar = true;
        } else if (kv.key == "ai") {
            if (!get_int(kv.value, 0, 7, &ai))
                return false;
        } else if (!(kv.key.size() >= 2 && kv.key[0] == 'x' && kv.key[1] == '-') ||
                   !plain_value(kv.value, 1)) {
            return false;
        }
    }
    return have_rbar && ai >= 0 && trace_zattr_bits(rbar, ai, out) == 0;
}

bool is_extension(std::string_view k)
{
    return k.size() >= 2 && k[0] == 'x' && k[1] == '-';
}

// trace_decode_zregion: {base, limit, attr, name?}, base < limit.
bool get_zregion(dom::element v, trace_partition *out)
{
    if (v.type() != dom::element_type::OBJECT)
        return false;
    key_set ks;
    unsigned seen = 0;
    *out = trace_partition{};
    for (dom::key_value_pair kv : dom::object(v)) {
        if (!ks.add(kv.key))
            return false;
        const char *s;
        bool ok;
        if (kv.key == "base") {
            ok = get_u64(kv.value, &out->base);
            seen |= 1;
        } else if (kv.key == "limit") {
            ok = get_u64(kv.value, &out->limit);
            seen |= 2;
        } else if (kv.key == "attr") {
            ok = get_zattr(kv.value, &out->attr);
            seen |= 4;
        } else if (kv.key == "name") {
            ok = get_cstr(kv.value, &s);
        } else {
            ok = is_extension(kv.key) && plain_value(kv.value, 2);
        }
        if (!ok)
            return false;
    }
    return seen == 7 && out->base < out->limit;
}

bool get_partitions(dom::element v, trace_event *ev)
{
    if (v.type() != dom::element_type::ARRAY)
        return false;
    dom::array arr(v);
    size_t n = arr.size();
    if (n > TRACE_MAX_PARTITIONS)
        return false;
    if (n == 0)
        return true;
    ev->parts = static_cast<trace_partition *>(calloc(n, sizeof *ev->parts));
    if (!ev->parts)
        return false;
    for (dom::element e : arr) {
        if (!get_zregion(e, &ev->parts[ev->nparts]))
            return false;
        ev->nparts++;
    }
    return true;
}

// decode_expect: every field optional.
bool get_expect(dom::element v, trace_expect *x)
{
    if (v.type() != dom::element_type::OBJECT)
        return false;
    key_set ks;
    for (dom::key_value_pair kv : dom::object(v)) {
        if (!ks.add(kv.key))
            return false;
        std::string_view k = kv.key;
        dom::element e = kv.value;
        long n;
        bool null = e.type() == dom::element_type::NULL_VALUE;
        if (k == "rc") {
            if (!get_int(e, INT_MIN, INT_MAX, &n))
                return false;
            x->rc = static_cast<int>(n);
            x->has |= TRACE_EXPECT_RC;
        } else if (k == "used") {
            if (!get_int(e, 0, MPU_MAX_REGIONS, &n))
                return false;
            x->used = static_cast<int>(n);
            x->has |= TRACE_EXPECT_USED;
        } else if (k == "region") {
            if (null)
                n = -1;
            else if (!get_int(e, 0, MPU_MAX_REGIONS - 1, &n))
                return false;
            x->region = static_cast<int>(n);
            x->has |= TRACE_EXPECT_REGION;
        } else if (k == "fault") {
            int f = MPU_FAULT_NONE;
            const char *s;
            if (!null) {
                if (!get_cstr(e, &s))
                    return false;
                f = mpu_fault_from_name(s);
                if (f <= MPU_FAULT_NONE)
                    return false;
            }
            x->fault = f;
            x->has |= TRACE_EXPECT_FAULT;
        } else if (k == "region_num") {
            if (null)
                n = -1;
            else if (!get_int(e, 0, 255, &n))
                return false;
            x->region_num = static_cast<int>(n);
            x->has |= TRACE_EXPECT_REGION_NUM;
        } else if (k == "enabled") {
            if (!get_int(e, 0, MPU_MAX_REGIONS, &n))
                return false;
            x->enabled = static_cast<int>(n);
            x->has |= TRACE_EXPECT_ENABLED;
        } else if (k == "writes" || k == "barriers") {
            if (!get_int(e, 0, LONG_MAX, &n))
                return false;
            if (k[0] == 'w') {
                x->writes = n;
                x->has |= TRACE_EXPECT_WRITES;
            } else {
                x->barriers = n;
                x->has |= TRACE_EXPECT_BARRIERS;
            }
        } else if (!is_extension(k) || !plain_value(e, 2)) {
            return false;
        }
    }
    return true;
}

// decode_field of event.c.
bool get_field(const trace_fast &fp, trace_field f, dom::element v, trace_event *ev)
{
    const char *s;
    long n;
    int i;
    switch (f) {
    case TRACE_F_BASE:
    case TRACE_F_ADDR:
    case TRACE_F_STACK_OBJ:
        return get_u64(v, &ev->base);
    case TRACE_F_THREAD:
        return get_name(v, &ev->thread);
    case TRACE_F_DOMAIN:
        return get_name(v, &ev->domain);
    case TRACE_F_USER:
        if (v.type() != dom::element_type::BOOL)
            return false;
        ev->user = bool(v) ? 1u : 0u;
        return true;
    case TRACE_F_ATTR:
        return get_zattr(v, &ev->flags);
    case TRACE_F_PARTITIONS:
        return get_partitions(v, ev);
    case TRACE_F_LIMIT:
    case TRACE_F_SIZE:
    case TRACE_F_VALUE:
        return get_u64(v, &ev->limit);
    case TRACE_F_FLAGS:
        return get_flags(fp, v, &ev->flags);
    case TRACE_F_KIND:
        if (v.type() != dom::element_type::STRING ||
            (i = fp.kinds.find(v.get_string().value_unsafe())) < 0)
            return false;
        ev->kind = static_cast<unsigned>(i);
        return true;
    case TRACE_F_EL:
        if (!get_int(v, 0, 2, &n))
            return false;
        ev->el = static_cast<unsigned>(n);
        return true;
    case TRACE_F_REG:
        return get_cstr(v, &s) && (ev->reg = mpu_reg_from_name(s)) >= 0;
    case TRACE_F_NOTE:
        return get_cstr(v, &s);
    case TRACE_F_EXPECT:
        return get_expect(v, &ev->expect);
    case TRACE_F_OP: // decoded first
        return true;
    default:
        return false;
    }
}

// trace_decode_event of event.c: the keys first (duplicates, which field, where "op" is), then
// the op, then each field in order.
bool get_event(const trace_fast &fp, dom::element root, int line, trace_event *ev)
{
    trace_event_begin(ev, line);
    if (root.type() != dom::element_type::OBJECT)
        return false;
    key_set ks;
    trace_field field[max_keys];
    dom::element value[max_keys];
    int op = -1;
    for (dom::key_value_pair kv : dom::object(root)) {
        size_t i = ks.n;
        if (!ks.add(kv.key))
            return false;
        int fi = fp.fields.find(kv.key);
        field[i] = fi < 0 ? TRACE_F_UNKNOWN : static_cast<trace_field>(fi);
        value[i] = kv.value;
        if (field[i] == TRACE_F_OP) {
            if (kv.value.type() != dom::element_type::STRING)
                return false;
            op = fp.ops.find(kv.value.get_string().value_unsafe());
        }
    }
    if (op < 0)
        return false;
    trace_event_set_op(ev, static_cast<trace_op>(op));
    unsigned allowed = trace_event_allowed(ev->op), seen = 0;
    for (size_t i = 0; i < ks.n; i++) {
        trace_field f = field[i];
        if (f == TRACE_F_UNKNOWN) {
            if (!is_extension(ks.keys[i]) || !plain_value(value[i], 1))
                return false;
            continue;
        }
        if (!(allowed & TRACE_F_BIT(f)))
            return false;
        seen |= TRACE_F_BIT(f);
        if (!get_field(fp, f, value[i], ev))
            return false;
    }
    if (trace_event_required(ev->op) & ~seen)
        return false;
    trace_parse quiet = { nullptr, "", line, 0, -1, nullptr }; // err NULL: nothing recorded
    return trace_event_check(&quiet, ev) == 0;
}

} // namespace

extern "C" struct trace_fast *trace_fast_new(void)
{
    trace_fast *f;
    try {
        f = new trace_fast();
    } catch (...) {
        return nullptr;
    }
    for (int i = 0; i < TRACE_F_COUNT; i++)
        f->fields.add(trace_event_field_name(static_cast<trace_field>(i)), i);
    for (int i = 0; i < TRACE_OP_COUNT; i++)
        f->ops.add(trace_op_name(static_cast<trace_op>(i)), i);
    for (int i = TRACE_ACC_READ; i <= TRACE_ACC_EXEC; i++)
        f->kinds.add(trace_access_kind_name(static_cast<trace_access_kind>(i)), i);
    for (unsigned v = 0; v <= 0x1FF; v++) // Xen's named flag sets
        if (trace_flags_name(v) && f->flags.n < TRACE_F_COUNT)
            f->flags.add(trace_flags_name(v), static_cast<int>(v));
    return f;
}

extern "C" void trace_fast_free(struct trace_fast *f)
{
    if (!f)
        return;
    free(f->copy);
    delete f;
}

extern "C" int trace_fast_event(struct trace_fast *f, const char *s, size_t n, size_t avail,
                                int line, struct trace_event *ev)
{
    if (!plain_line(s, n))
        return 0;
    const char *text = s;
    if (avail < n || avail - n < TRACE_FAST_PADDING) {
        if (f->copy_cap < n + TRACE_FAST_PADDING) {
            size_t cap = n + TRACE_FAST_PADDING > 4096 ? n + TRACE_FAST_PADDING : 4096;
            char *c = static_cast<char *>(realloc(f->copy, cap));
            if (!c)
                return 0;
            f->copy = c;
            f->copy_cap = cap;
        }
        memcpy(f->copy, s, n);
        memset(f->copy + n, ' ', TRACE_FAST_PADDING);
        text = f->copy;
    }
    dom::element root;
    if (f->parser.parse(text, n, false).get(root) != simdjson::SUCCESS)
        return 0;
    ev->parts = nullptr;
    try {
        if (get_event(*f, root, line, ev))
            return 1;
    } catch (...) { // nothing throws after the type checks; declined all the same
    }
    free(ev->parts);
    ev->parts = nullptr;
    return 0;
}
