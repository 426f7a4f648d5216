/* The repository stands on its own: no tracked file outside tests/ and .ci/ points at material
 * outside the clone, every relative link in the Markdown files resolves, and every "xen-mpu.md §n" in the
 * code names the docs/ page whose numbered section n it cites. Runs from the repository root. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROBLEMS 40

struct scan {
    char problems[MAX_PROBLEMS][1200];
    int n;
    int files;
};

static void problem(struct scan *s, const char *fmt, const char *a, long line, const char *b)
{
    if (s->n < MAX_PROBLEMS)
        snprintf(s->problems[s->n], sizeof s->problems[0], fmt, a, line, b);
    s->n++;
}

static char *slurp_path(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    cr_assert_not_null(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            cr_assert_not_null(buf);
        }
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int is_code(const char *path)
{
    return has_suffix(path, ".c") || has_suffix(path, ".h") || has_suffix(path, ".S") ||
           has_suffix(path, ".cpp") || has_suffix(path, ".ld");
}

/* 1 if docs/<doc> has a heading numbered num ("## 6.2 ...", "### 11.1 ...", "## 5. ..."). */
static int doc_has_section(const char *doc, const char *num)
{
    char path[256];
    snprintf(path, sizeof path, "docs/%s", doc);
    size_t len;
    char *text = slurp_path(path, &len);
    if (!text)
        return 0;
    int found = 0;
    size_t nlen = strlen(num);
    for (char *line = text; line && *line && !found; ) {
        char *end = strchr(line, '\n');
        if (*line == '#') {
            char *p = line;
            while (*p == '#')
                p++;
            while (*p == ' ')
                p++;
            if (strncmp(p, num, nlen) == 0 && (p[nlen] == ' ' || p[nlen] == '.'))
                found = 1;
        }
        line = end ? end + 1 : NULL;
    }
    free(text);
    return found;
}

/* The last "<name>.md" token that starts before limit in [from, limit): copied into out. */
static int last_doc_before(const char *from, const char *limit, char *out, size_t outsz)
{
    int found = 0;
    for (const char *p = from; p + 3 <= limit; p++) {
        if (strncmp(p, ".md", 3) != 0)
            continue;
        const char *s = p;
        while (s > from && (s[-1] == '-' || s[-1] == '_' || (s[-1] >= 'a' && s[-1] <= 'z') ||
                            (s[-1] >= '0' && s[-1] <= '9')))
            s--;
        size_t n = (size_t)(p + 3 - s);
        if (n > 3 && n < outsz) {
            memcpy(out, s, n);
            out[n] = '\0';
            found = 1;
        }
    }
    return found;
}

static void check_section_refs(struct scan *s, const char *path, const char *text)
{
    long lineno = 1;
    const char *line = text, *prev = text;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            prev = line;
            line = p + 1;
            lineno++;
            continue;
        }
        if ((unsigned char)p[0] != 0xC2 || (unsigned char)p[1] != 0xA7)
            continue;
        char doc[64], num[16];
        if (!last_doc_before(line, p, doc, sizeof doc) && !last_doc_before(prev, p, doc, sizeof doc)) {
            problem(s, "%s:%ld: a section sign that names no docs/ page%s", path, lineno, "");
            continue;
        }
        const char *q = p + 2;
        while (*q == ' ')
            q++;
        size_t k = 0;
        while (k + 1 < sizeof num && ((*q >= '0' && *q <= '9') || (*q == '.' && q[1] >= '0' && q[1] <= '9')))
            num[k++] = *q++;
        num[k] = '\0';
        if (k == 0)
            continue; /* a bare "xen-mpu.md §" in prose about section signs */
        if (!doc_has_section(doc, num)) {
            char what[100];
            snprintf(what, sizeof what, "%s has no section %s", doc, num);
            problem(s, "%s:%ld: %s", path, lineno, what);
        }
    }
}

static void check_links(struct scan *s, const char *path, const char *text)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    long lineno = 1;
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            lineno++;
        if (p[0] != ']' || p[1] != '(')
            continue;
        const char *t = p + 2, *e = t;
        while (*e && *e != ')' && *e != ' ' && *e != '\n')
            e++;
        size_t n = (size_t)(e - t);
        if (n == 0 || n >= 200 || *t == '#' || strncmp(t, "http://", 7) == 0 ||
            strncmp(t, "https://", 8) == 0 || strncmp(t, "mailto:", 7) == 0)
            continue;
        char target[200];
        memcpy(target, t, n);
        target[n] = '\0';
        char *hash = strchr(target, '#');
        if (hash)
            *hash = '\0';
        char full[512];
        snprintf(full, sizeof full, "%s/%s", dir, target);
        FILE *f = fopen(full, "r");
        if (f)
            fclose(f);
        else
            problem(s, "%s:%ld: link to %s, which does not exist", path, lineno, target);
    }
}

static void check_file(struct scan *s, const char *path)
{
    size_t len;
    char *text = slurp_path(path, &len);
    if (!text || memchr(text, '\0', len)) { /* unreadable or binary (PNG, ELF) */
        free(text);
        return;
    }
    s->files++;
    static const char *const outside[] = {"../shared", "shared/reference", "shared/design",
                                          "shared/xen"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        const char *hit = strstr(text, outside[i]);
        if (hit) {
            long line = 1;
            for (const char *c = text; c < hit; c++)
                line += *c == '\n';
            problem(s, "%s:%ld: refers to %s, outside the repository", path, line, outside[i]);
        }
    }
    if (has_suffix(path, ".md"))
        check_links(s, path, text);
    if (is_code(path))
        check_section_refs(s, path, text);
    free(text);
}

/* Every file below dir ("" = the root), except build/, .git/, tests/ and .ci/ at the top. */
static void walk(struct scan *s, const char *dir)
{
    DIR *d = opendir(*dir ? dir : ".");
    cr_assert_not_null(d, "cannot read directory %s", *dir ? dir : ".");
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!*dir && (strcmp(e->d_name, "build") == 0 || strcmp(e->d_name, ".git") == 0 ||
                      strcmp(e->d_name, "tests") == 0 || strcmp(e->d_name, ".ci") == 0))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s%s%s", dir, *dir ? "/" : "", e->d_name);
        if (e->d_type == DT_DIR)
            walk(s, path);
        else if (e->d_type == DT_REG)
            check_file(s, path);
    }
    closedir(d);
}

static void report(const struct scan *s)
{
    for (int i = 0; i < s->n && i < MAX_PROBLEMS; i++)
        cr_log_error("%s", s->problems[i]);
}

Test(repository, stands_on_its_own)
{
    struct scan *s = calloc(1, sizeof *s);
    cr_assert_not_null(s);
    walk(s, "");
    report(s);
    cr_expect_gt(s->files, 50, "scanned only %d files: not run from the repository root?", s->files);
    cr_expect_eq(s->n, 0, "%d references that do not resolve inside the repository (first ones above)",
                 s->n);
    free(s);
}

/* README's Layout table names every top-level folder, and only folders that exist. */
Test(repository, readme_layout_matches_the_tree)
{
    size_t len;
    char *readme = slurp_path("README.md", &len);
    cr_assert_not_null(readme, "README.md not found: not run from the repository root?");
    const char *layout = strstr(readme, "## Layout");
    cr_assert_not_null(layout, "README.md has no Layout section");
    DIR *d = opendir(".");
    cr_assert_not_null(d);
    struct dirent *e;
    int folders = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.' || strcmp(e->d_name, "build") == 0)
            continue;
        char row[300];
        snprintf(row, sizeof row, "| `%s/` |", e->d_name);
        cr_expect_not_null(strstr(layout, row), "README's Layout table has no row for %s/", e->d_name);
        folders++;
    }
    closedir(d);
    for (const char *p = strstr(layout, "\n| `"); p; p = strstr(p + 1, "\n| `")) {
        char name[128];
        if (sscanf(p, "\n| `%127[^/`]/` |", name) != 1)
            continue;
        DIR *sub = opendir(name);
        cr_expect_not_null(sub, "README's Layout table names %s/, which does not exist", name);
        if (sub)
            closedir(sub);
    }
    cr_expect_gt(folders, 5);
    free(readme);
}

/* The checker itself: a bare section sign, a wrong section and a dead link are caught. */
Test(repository, checker_catches_what_it_should)
{
    struct scan *s = calloc(1, sizeof *s);
    cr_assert_not_null(s);
    check_section_refs(s, "x.c", "/* see \xC2\xA7" "6.2 */\n");
    cr_expect_eq(s->n, 1, "a bare section sign is a problem");
    check_section_refs(s, "x.c", "/* xen-mpu.md \xC2\xA7" "99.9 */\n");
    cr_expect_eq(s->n, 2, "a section that does not exist is a problem");
    check_section_refs(s, "x.c", "/* xen-mpu.md \xC2\xA7" "6.2, \xC2\xA7" "11.1 */\n");
    cr_expect_eq(s->n, 2, "existing sections are fine");
    check_links(s, "docs/x.md", "[a](nothing-here.md) [b](model.md#x) [c](https://example.org)\n");
    cr_expect_eq(s->n, 3, "only the dead link is a problem");
    free(s);
}
