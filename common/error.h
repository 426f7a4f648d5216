#ifndef MPUSIM_COMMON_ERROR_H
#define MPUSIM_COMMON_ERROR_H
/* One fixed-size, caller-allocated error record, in the spirit of jansson's json_error_t.
 * Fallible functions return 0 on success, -1 on error, and take `struct mpusim_error *err`
 * last; err may be NULL; the first error recorded wins; recording never allocates. */

enum mpusim_errc {
    MPUSIM_OK = 0,
    MPUSIM_E_IO,     /* file cannot be opened, read or written */
    MPUSIM_E_PARSE,  /* malformed JSON or a value of the wrong type */
    MPUSIM_E_RANGE,  /* a value out of range, an unknown name, an inconsistent field */
    MPUSIM_E_USAGE,  /* bad command-line usage */
    MPUSIM_E_ENGINE, /* the engine (model, algorithm, Unicorn) failed */
};

struct mpusim_error {
    enum mpusim_errc code; /* MPUSIM_OK when nothing was recorded */
    char source[128];      /* file name, "<argv>" or "<engine>"; "" when unknown */
    int line, column;      /* 1-based position in source; -1 when not from a file */
    long event;            /* trace event index (0-based); -1 when not about an event */
    char text[256];        /* one-line message, no trailing newline */
};

/* Reset err to MPUSIM_OK (no-op for NULL). */
void mpusim_error_clear(struct mpusim_error *err);

/* Record an error unless one is already recorded. Always returns -1 so that callers can
 * write `return mpusim_error_set(err, ...)`. The position fields are left as they are
 * (see mpusim_error_at); text is printf-formatted and truncated to fit. */
int mpusim_error_set(struct mpusim_error *err, enum mpusim_errc code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record an error with its position: source (borrowed, copied), line/column (-1 if none),
 * event index (-1 if none). First error wins. Returns -1. */
int mpusim_error_at(struct mpusim_error *err, enum mpusim_errc code, const char *source, int line,
                    int column, long event, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Format "source:line:column: event N: text" (parts omitted when unknown) into buf
 * (capacity cap, always NUL-terminated). Returns buf. */
char *mpusim_error_format(const struct mpusim_error *err, char *buf, unsigned long cap);

#endif
