#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mpusim_error_clear(struct mpusim_error *err)
{
    if (!err)
        return;
    err->code = MPUSIM_OK;
    err->source[0] = '\0';
    err->line = err->column = -1;
    err->event = -1;
    err->text[0] = '\0';
}

static void record(struct mpusim_error *err, enum mpusim_errc code, const char *fmt, va_list ap)
{
    err->code = code;
    vsnprintf(err->text, sizeof err->text, fmt, ap);
}

int mpusim_error_set(struct mpusim_error *err, enum mpusim_errc code, const char *fmt, ...)
{
    if (!err || err->code != MPUSIM_OK)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    record(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int mpusim_error_at(struct mpusim_error *err, enum mpusim_errc code, const char *source, int line,
                    int column, long event, const char *fmt, ...)
{
    if (!err || err->code != MPUSIM_OK)
        return -1;
    snprintf(err->source, sizeof err->source, "%s", source ? source : "");
    err->line = line;
    err->column = column;
    err->event = event;
    va_list ap;
    va_start(ap, fmt);
    record(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

char *mpusim_error_format(const struct mpusim_error *err, char *buf, unsigned long cap)
{
    size_t n = 0;
    if (cap == 0)
        return buf;
    buf[0] = '\0';
#define PUT(...)                                                                     \
    do {                                                                             \
        if (n < cap) {                                                               \
            int w_ = snprintf(buf + n, cap - n, __VA_ARGS__);                        \
            n += w_ > 0 ? (size_t)w_ : 0;                                            \
        }                                                                            \
    } while (0)
    if (err->source[0]) {
        PUT("%s", err->source);
        if (err->line > 0) {
            PUT(":%d", err->line);
            if (err->column > 0)
                PUT(":%d", err->column);
        }
        PUT(": ");
    }
    if (err->event >= 0)
        PUT("event %ld: ", err->event);
    PUT("%s", err->text);
#undef PUT
    return buf;
}
