/* sandbox/soql.c - the Salesforce emulator's SOQL subset: a small lexer and a
 * recursive-descent parser into a flat struct (fields, AND-ed conditions,
 * order keys), then evaluation against json-c records. Literals are decoded
 * and date-times converted to instants once, at parse time, so matching a
 * page of records does no parsing of the query. See sandbox/soql.h. */
#include "sandbox/soql.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "core/alloc.h"
#include "core/str.h"
#include "core/time.h"

enum lit_kind { LIT_NULL, LIT_BOOL, LIT_INT, LIT_DEC, LIT_STRING, LIT_DATE, LIT_DATETIME };

struct lit {
    enum lit_kind kind;
    char *s;   /* LIT_STRING: decoded bytes, NUL-terminated; from xmalloc */
    size_t n;  /* bytes in s */
    int64_t i; /* LIT_BOOL 0/1, LIT_INT, LIT_DATE/LIT_DATETIME in Unix ms */
    double d;  /* LIT_DEC */
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOT_IN, OP_LIKE };

struct cond {
    char *field;      /* from xmalloc */
    enum op op;       /* OP_LIKE: lit.s keeps \ before a literal %, _ or \ */
    struct lit lit;   /* all ops but IN and NOT IN */
    struct lit *list; /* IN, NOT IN: from xmalloc */
    size_t nlist;
};

struct order {
    char *field; /* from xmalloc */
    bool desc;
    bool nulls_last;
};

struct soql {
    char *object;  /* from xmalloc */
    char **fields; /* nfields names, each and the array from xmalloc */
    size_t nfields;
    struct cond *conds; /* from xmalloc */
    size_t nconds;
    struct order *orders; /* from xmalloc */
    size_t norders;
    int64_t limit, offset; /* -1 when absent */
};

/* ---- lexer ---- */

enum tok_kind {
    TOK_END,
    TOK_NAME, /* identifier, keyword, or dotted name */
    TOK_INT,
    TOK_DEC,
    TOK_STRING, /* p, n: the raw bytes between the quotes */
    TOK_DATE,
    TOK_DATETIME,
    TOK_OP, /* = != <> < <= > >= */
    TOK_COMMA,
    TOK_LPAREN,
    TOK_RPAREN,
};

struct tok {
    enum tok_kind kind;
    const char *p;
    size_t n;
    size_t col; /* 1-based byte column of the token's first byte */
    int dots;   /* TOK_NAME: dots in the name */
};

struct parser {
    const char *s;
    size_t n, i;
    struct tok t; /* the current token */
    struct err *err;
};

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_name_char(char c)
{
    return is_alpha(c) || is_digit(c) || c == '_';
}

static unsigned char fold(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 'A' && u <= 'Z' ? (unsigned char)(u + ('a' - 'A')) : u;
}

static bool eq_nocase(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (fold(a[i]) != fold(b[i]))
            return false;
    return true;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn, bool nocase)
{
    size_t m = an < bn ? an : bn;
    for (size_t i = 0; i < m; i++) {
        unsigned char x = nocase ? fold(a[i]) : (unsigned char)a[i];
        unsigned char y = nocase ? fold(b[i]) : (unsigned char)b[i];
        if (x != y)
            return x < y ? -1 : 1;
    }
    return an < bn ? -1 : an > bn;
}

/* A character for a message: 'c' when printable ASCII, else 0xHH. */
static void show_char(char out[8], char c)
{
    unsigned char u = (unsigned char)c;
    if (u > 0x20 && u < 0x7f && c != '\'')
        snprintf(out, 8, "'%c'", c);
    else
        snprintf(out, 8, "0x%02X", u);
}

/* The current token for "got X": names, numbers and punctuation are safe to
 * echo (the lexer admitted only printable ASCII into them); strings are not. */
static void show_tok(char out[64], const struct tok *t)
{
    if (t->kind == TOK_END)
        snprintf(out, 64, "end of query");
    else if (t->kind == TOK_STRING)
        snprintf(out, 64, "a string literal");
    else if (t->n > 40)
        snprintf(out, 64, "'%.40s...'", t->p);
    else
        snprintf(out, 64, "'%.*s'", (int)t->n, t->p);
}

static int fail_expect(struct parser *ps, const char *what)
{
    char got[64];
    show_tok(got, &ps->t);
    return err_set(ps->err, ERR_INVALID, "%s, got %s at column %zu", what, got, ps->t.col);
}

static int lex_string(struct parser *ps, size_t start)
{
    size_t i = start + 1;
    while (i < ps->n && ps->s[i] != '\'') {
        if (ps->s[i] == '\\') {
            if (i + 1 >= ps->n)
                break;
            if (!strchr("nNrRtTbBfF\"'\\%_", ps->s[i + 1]) || ps->s[i + 1] == '\0') {
                char c[8];
                show_char(c, ps->s[i + 1]);
                return err_set(ps->err, ERR_INVALID,
                               "invalid escape sequence: backslash before %s at column %zu", c,
                               i + 1);
            }
            i++;
        }
        i++;
    }
    if (i >= ps->n)
        return err_set(ps->err, ERR_INVALID, "unterminated string literal starting at column %zu",
                       start + 1);
    ps->t = (struct tok){TOK_STRING, ps->s + start + 1, i - start - 1, start + 1, 0};
    ps->i = i + 1;
    return 0;
}

/* YYYY-MM-DD, optionally followed by T and a time with an offset. Only the
 * characters a date-time can hold are taken, then core/time validates. */
static int lex_date(struct parser *ps, size_t start)
{
    const char *s = ps->s + start;
    size_t left = ps->n - start, n = 10;
    if (left < 10 || s[4] != '-' || !is_digit(s[5]) || !is_digit(s[6]) || s[7] != '-' ||
        !is_digit(s[8]) || !is_digit(s[9]))
        return err_set(ps->err, ERR_INVALID, "invalid date literal at column %zu", start + 1);
    enum tok_kind kind = TOK_DATE;
    if (left > 10 && (s[10] == 'T' || s[10] == 't')) {
        kind = TOK_DATETIME;
        n = 11;
        while (n < left &&
               (is_name_char(s[n]) || s[n] == ':' || s[n] == '.' || s[n] == '+' || s[n] == '-'))
            n++;
    }
    int64_t ms;
    int rc =
        kind == TOK_DATE ? time_parse_date(&ms, s, n, NULL) : time_parse_rfc3339(&ms, s, n, NULL);
    if (rc < 0)
        return err_set(ps->err, ERR_INVALID, "invalid %s literal '%.*s' at column %zu",
                       kind == TOK_DATE ? "date" : "datetime", n > 40 ? 40 : (int)n, s, start + 1);
    ps->t = (struct tok){kind, s, n, start + 1, 0};
    ps->i = start + n;
    return 0;
}

static int lex_number(struct parser *ps, size_t start)
{
    size_t i = start + (ps->s[start] == '-'), digits = i;
    while (i < ps->n && is_digit(ps->s[i]))
        i++;
    enum tok_kind kind = TOK_INT;
    if (ps->s[start] != '-' && i - digits == 4 && i < ps->n && ps->s[i] == '-')
        return lex_date(ps, start);
    if (i + 1 < ps->n && ps->s[i] == '.' && is_digit(ps->s[i + 1])) {
        kind = TOK_DEC;
        i++;
        while (i < ps->n && is_digit(ps->s[i]))
            i++;
    }
    ps->t = (struct tok){kind, ps->s + start, i - start, start + 1, 0};
    ps->i = i;
    return 0;
}

static int lex_name(struct parser *ps, size_t start)
{
    size_t i = start;
    int dots = 0;
    for (;;) {
        while (i < ps->n && is_name_char(ps->s[i]))
            i++;
        if (i >= ps->n || ps->s[i] != '.')
            break;
        if (i + 1 >= ps->n || !is_alpha(ps->s[i + 1]))
            return err_set(ps->err, ERR_INVALID, "expected a name after '.' at column %zu", i + 2);
        dots++;
        i++;
    }
    if (i - start > SOQL_MAX_NAME)
        return err_set(ps->err, ERR_INVALID, "name longer than %d bytes at column %zu",
                       SOQL_MAX_NAME, start + 1);
    ps->t = (struct tok){TOK_NAME, ps->s + start, i - start, start + 1, dots};
    ps->i = i;
    return 0;
}

/* Move to the next token. */
static int lex(struct parser *ps)
{
    while (ps->i < ps->n && strchr(" \t\r\n", ps->s[ps->i]) && ps->s[ps->i] != '\0')
        ps->i++;
    size_t i = ps->i;
    if (i >= ps->n) {
        ps->t = (struct tok){TOK_END, ps->s + i, 0, i + 1, 0};
        return 0;
    }
    char c = ps->s[i];
    if (is_alpha(c))
        return lex_name(ps, i);
    if (is_digit(c) || (c == '-' && i + 1 < ps->n && is_digit(ps->s[i + 1])))
        return lex_number(ps, i);
    if (c == '\'')
        return lex_string(ps, i);
    size_t n = 1;
    enum tok_kind kind = TOK_OP;
    char next = '\0';
    if (i + 1 < ps->n)
        next = ps->s[i + 1];
    switch (c) {
    case ',':
        kind = TOK_COMMA;
        break;
    case '(':
        kind = TOK_LPAREN;
        break;
    case ')':
        kind = TOK_RPAREN;
        break;
    case '=':
        break;
    case '<':
        n += next == '=' || next == '>';
        break;
    case '>':
        n += next == '=';
        break;
    case '!':
        if (next == '=') {
            n = 2;
            break;
        }
        /* fall through */
    default: {
        char shown[8];
        show_char(shown, c);
        return err_set(ps->err, ERR_INVALID, "unexpected character %s at column %zu", shown, i + 1);
    }
    }
    ps->t = (struct tok){kind, ps->s + i, n, i + 1, 0};
    ps->i = i + n;
    return 0;
}

/* ---- parser ---- */

static bool is_kw(const struct tok *t, const char *kw)
{
    return t->kind == TOK_NAME && eq_nocase(t->p, t->n, kw, strlen(kw));
}

/* Salesforce's reserved words: never a field or object name. */
static bool is_reserved(const struct tok *t)
{
    static const char *const words[] = {
        "AND",    "ASC",   "DESC",     "EXCLUDES", "FIRST", "FROM",  "GROUP",
        "HAVING", "IN",    "INCLUDES", "LAST",     "LIKE",  "LIMIT", "NOT",
        "NULL",   "NULLS", "OR",       "SELECT",   "WHERE", "WITH",
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (is_kw(t, words[i]))
            return true;
    return false;
}

/* Real SOQL the sandbox does not do, named plainly rather than as a bad token. */
static int check_unsupported(struct parser *ps)
{
    static const char *const words[] = {"OR", "GROUP", "HAVING", "WITH", "FOR", "USING"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (is_kw(&ps->t, words[i]))
            return err_set(ps->err, ERR_INVALID,
                           "%s is not supported by the sandbox's SOQL at column %zu", words[i],
                           ps->t.col);
    return 0;
}

/* The current token as a field name (one dot at most) into *out (xfree),
 * advancing past it; nothing is allocated on failure. */
static int parse_field(char **out, struct parser *ps, const char *what)
{
    if (ps->t.kind != TOK_NAME || is_reserved(&ps->t))
        return fail_expect(ps, what);
    if (ps->t.dots > 1)
        return err_set(ps->err, ERR_INVALID,
                       "only one level of relationship (Parent.Field) is supported at column %zu",
                       ps->t.col);
    char *name = xstrndup(ps->t.p, ps->t.n);
    int rc = lex(ps);
    if (rc < 0) {
        xfree(name);
        return rc;
    }
    *out = name;
    return 0;
}

static int64_t parse_count_value(const struct tok *t)
{
    int64_t v = 0;
    for (size_t i = 0; i < t->n; i++) {
        v = v * 10 + (t->p[i] - '0');
        if (v > 1000000000)
            return 1000000000; /* far past both caps: saturate */
    }
    return v;
}

/* Decode the raw bytes of a string token into lit. In a LIKE pattern an
 * escaped %, _ or \ keeps its backslash, so that the matcher can tell it
 * from a wildcard; elsewhere \% and \_ are errors, as in SOQL. */
static int decode_string(struct lit *lit, struct parser *ps, bool like)
{
    const struct tok *t = &ps->t;
    char *s = xmalloc(t->n + 1);
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        char c = t->p[i];
        if (c != '\\') {
            s[n++] = c;
            continue;
        }
        c = t->p[++i]; /* the lexer saw a valid escape */
        switch (c) {
        case 'n':
        case 'N':
            s[n++] = '\n';
            break;
        case 'r':
        case 'R':
            s[n++] = '\r';
            break;
        case 't':
        case 'T':
            s[n++] = '\t';
            break;
        case 'b':
        case 'B':
            s[n++] = '\b';
            break;
        case 'f':
        case 'F':
            s[n++] = '\f';
            break;
        case '%':
        case '_':
            if (!like) {
                xfree(s);
                return err_set(ps->err, ERR_INVALID,
                               "escape sequence \\%c is only valid in LIKE at column %zu", c,
                               t->col + i);
            }
            s[n++] = '\\';
            s[n++] = c;
            break;
        case '\\':
            if (like)
                s[n++] = '\\';
            s[n++] = '\\';
            break;
        default: /* ' and " */
            s[n++] = c;
            break;
        }
    }
    s[n] = '\0';
    lit->kind = LIT_STRING;
    lit->s = s;
    lit->n = n;
    return 0;
}

static int parse_literal(struct lit *lit, struct parser *ps, enum op op)
{
    const struct tok *t = &ps->t;
    int rc = 0;
    *lit = (struct lit){LIT_NULL, NULL, 0, 0, 0};
    if (op == OP_LIKE && t->kind != TOK_STRING)
        return fail_expect(ps, "expected a string pattern after LIKE");
    switch (t->kind) {
    case TOK_STRING:
        rc = decode_string(lit, ps, op == OP_LIKE);
        break;
    case TOK_INT:
        lit->kind = LIT_INT;
        rc = str_to_i64(&lit->i, (struct str){t->p, t->n}, "number", NULL);
        if (rc < 0)
            rc = err_set(ps->err, ERR_INVALID, "integer out of range '%.*s' at column %zu",
                         t->n > 40 ? 40 : (int)t->n, t->p, t->col);
        break;
    case TOK_DEC: {
        char buf[64];
        if (t->n >= sizeof(buf))
            return err_set(ps->err, ERR_INVALID, "decimal longer than 63 bytes at column %zu",
                           t->col);
        memcpy(buf, t->p, t->n);
        buf[t->n] = '\0';
        lit->kind = LIT_DEC;
        lit->d = strtod(buf, NULL);
        break;
    }
    case TOK_DATE:
    case TOK_DATETIME:
        lit->kind = t->kind == TOK_DATE ? LIT_DATE : LIT_DATETIME;
        rc = t->kind == TOK_DATE ? time_parse_date(&lit->i, t->p, t->n, NULL)
                                 : time_parse_rfc3339(&lit->i, t->p, t->n, NULL);
        assert(rc == 0); /* the lexer validated it */
        break;
    default:
        if (is_kw(t, "true") || is_kw(t, "false")) {
            lit->kind = LIT_BOOL;
            lit->i = is_kw(t, "true");
        } else if (is_kw(t, "null")) {
            if (op != OP_EQ && op != OP_NE && op != OP_IN && op != OP_NOT_IN)
                return err_set(ps->err, ERR_INVALID,
                               "null can only be compared with = or != at column %zu", t->col);
        } else {
            return fail_expect(ps, "expected a literal value");
        }
        break;
    }
    return rc < 0 ? rc : lex(ps);
}

static void lit_dispose(struct lit *lit)
{
    xfree(lit->s);
}

static int parse_in_list(struct cond *c, struct parser *ps)
{
    int rc;
    size_t cap = 0;
    if (ps->t.kind != TOK_LPAREN)
        return fail_expect(ps, c->op == OP_IN ? "expected ( after IN" : "expected ( after NOT IN");
    if ((rc = lex(ps)) < 0)
        return rc;
    for (;;) {
        if (c->nlist == cap) {
            cap = cap ? cap * 2 : 4;
            c->list = xrealloc(c->list, cap * sizeof(*c->list));
        }
        rc = parse_literal(&c->list[c->nlist], ps, c->op);
        c->nlist++; /* even on failure, so that soql_free releases it */
        if (rc < 0)
            return rc;
        if (ps->t.kind == TOK_RPAREN)
            return lex(ps);
        if (ps->t.kind != TOK_COMMA)
            return fail_expect(ps, "expected , or ) in the IN list");
        if ((rc = lex(ps)) < 0)
            return rc;
    }
}

static int parse_cond(struct cond *c, struct parser *ps)
{
    int rc;
    if (ps->t.kind == TOK_LPAREN)
        return err_set(ps->err, ERR_INVALID,
                       "parentheses in WHERE are not supported by the sandbox's SOQL at column %zu",
                       ps->t.col);
    if ((rc = parse_field(&c->field, ps, "expected a field name in WHERE")) < 0)
        return rc;
    const struct tok *t = &ps->t;
    if (t->kind == TOK_OP) {
        static const struct {
            const char *text;
            enum op op;
        } ops[] = {{"=", OP_EQ},  {"!=", OP_NE}, {"<>", OP_NE}, {"<", OP_LT},
                   {"<=", OP_LE}, {">", OP_GT},  {">=", OP_GE}};
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
            if (t->n == strlen(ops[i].text) && memcmp(t->p, ops[i].text, t->n) == 0)
                c->op = ops[i].op;
    } else if (is_kw(t, "LIKE")) {
        c->op = OP_LIKE;
    } else if (is_kw(t, "IN")) {
        c->op = OP_IN;
    } else if (is_kw(t, "NOT")) {
        if ((rc = lex(ps)) < 0)
            return rc;
        if (!is_kw(&ps->t, "IN"))
            return fail_expect(ps, "expected IN after NOT");
        c->op = OP_NOT_IN;
    } else {
        return fail_expect(ps, "expected a comparison operator");
    }
    if ((rc = lex(ps)) < 0)
        return rc;
    if (c->op == OP_IN || c->op == OP_NOT_IN)
        return parse_in_list(c, ps);
    return parse_literal(&c->lit, ps, c->op);
}

static int parse_where(struct soql *q, struct parser *ps)
{
    int rc;
    size_t cap = 0;
    for (;;) {
        if (q->nconds == SOQL_MAX_CONDS)
            return err_set(ps->err, ERR_INVALID, "more than %d conditions in WHERE at column %zu",
                           SOQL_MAX_CONDS, ps->t.col);
        if (q->nconds == cap) {
            cap = cap ? cap * 2 : 4;
            q->conds = xrealloc(q->conds, cap * sizeof(*q->conds));
        }
        q->conds[q->nconds] = (struct cond){0};
        rc = parse_cond(&q->conds[q->nconds], ps);
        q->nconds++; /* even on failure, so that soql_free releases it */
        if (rc < 0)
            return rc;
        if (!is_kw(&ps->t, "AND"))
            return 0;
        if ((rc = lex(ps)) < 0)
            return rc;
    }
}

static int parse_order(struct soql *q, struct parser *ps)
{
    int rc;
    if (!is_kw(&ps->t, "BY"))
        return fail_expect(ps, "expected BY after ORDER");
    if ((rc = lex(ps)) < 0)
        return rc;
    q->orders = xcalloc(SOQL_MAX_ORDER, sizeof(*q->orders));
    for (;;) {
        if (q->norders == SOQL_MAX_ORDER)
            return err_set(ps->err, ERR_INVALID, "more than %d fields in ORDER BY at column %zu",
                           SOQL_MAX_ORDER, ps->t.col);
        struct order *o = &q->orders[q->norders];
        if ((rc = parse_field(&o->field, ps, "expected a field name in ORDER BY")) < 0)
            return rc;
        q->norders++;
        if (is_kw(&ps->t, "ASC") || is_kw(&ps->t, "DESC")) {
            o->desc = is_kw(&ps->t, "DESC");
            if ((rc = lex(ps)) < 0)
                return rc;
        }
        o->nulls_last = o->desc; /* SOQL's default */
        if (is_kw(&ps->t, "NULLS")) {
            if ((rc = lex(ps)) < 0)
                return rc;
            if (!is_kw(&ps->t, "FIRST") && !is_kw(&ps->t, "LAST"))
                return fail_expect(ps, "expected FIRST or LAST after NULLS");
            o->nulls_last = is_kw(&ps->t, "LAST");
            if ((rc = lex(ps)) < 0)
                return rc;
        }
        if (ps->t.kind != TOK_COMMA)
            return 0;
        if ((rc = lex(ps)) < 0)
            return rc;
    }
}

/* LIMIT n or OFFSET n: the keyword is current. */
static int parse_count(int64_t *out, struct parser *ps, const char *kw)
{
    int rc;
    char what[64];
    if ((rc = lex(ps)) < 0)
        return rc;
    if (ps->t.kind != TOK_INT || ps->t.p[0] == '-') {
        snprintf(what, sizeof(what), "expected a non-negative integer after %s", kw);
        return fail_expect(ps, what);
    }
    *out = parse_count_value(&ps->t);
    return 0;
}

static int parse_select(struct soql *q, struct parser *ps)
{
    int rc;
    size_t cap = 0;
    for (;;) {
        if (q->nfields == SOQL_MAX_FIELDS)
            return err_set(ps->err, ERR_INVALID, "more than %d fields in SELECT at column %zu",
                           SOQL_MAX_FIELDS, ps->t.col);
        if (q->nfields == cap) {
            cap = cap ? cap * 2 : 16;
            q->fields = xrealloc(q->fields, cap * sizeof(*q->fields));
        }
        size_t col = ps->t.col;
        if ((rc = parse_field(&q->fields[q->nfields], ps, "expected a field name")) < 0)
            return rc;
        const char *f = q->fields[q->nfields++];
        for (size_t i = 0; i + 1 < q->nfields; i++)
            if (eq_nocase(q->fields[i], strlen(q->fields[i]), f, strlen(f)))
                return err_set(ps->err, ERR_INVALID, "duplicate field selected: %s at column %zu",
                               f, col);
        if (ps->t.kind == TOK_LPAREN)
            return err_set(ps->err, ERR_INVALID,
                           "functions such as %s() are not supported by the sandbox's SOQL at "
                           "column %zu",
                           f, col);
        if (ps->t.kind != TOK_COMMA)
            return 0;
        if ((rc = lex(ps)) < 0)
            return rc;
    }
}

static int parse_query(struct soql *q, struct parser *ps)
{
    int rc;
    if ((rc = lex(ps)) < 0)
        return rc;
    if (!is_kw(&ps->t, "SELECT"))
        return fail_expect(ps, "expected SELECT");
    if ((rc = lex(ps)) < 0 || (rc = parse_select(q, ps)) < 0)
        return rc;
    if (!is_kw(&ps->t, "FROM"))
        return fail_expect(ps, "expected FROM after the field list");
    if ((rc = lex(ps)) < 0)
        return rc;
    if (ps->t.kind != TOK_NAME || ps->t.dots || is_reserved(&ps->t))
        return fail_expect(ps, "expected an object name after FROM");
    q->object = xstrndup(ps->t.p, ps->t.n);
    if ((rc = lex(ps)) < 0)
        return rc;
    if (is_kw(&ps->t, "WHERE") && ((rc = lex(ps)) < 0 || (rc = parse_where(q, ps)) < 0))
        return rc;
    if (is_kw(&ps->t, "ORDER") && ((rc = lex(ps)) < 0 || (rc = parse_order(q, ps)) < 0))
        return rc;
    if (is_kw(&ps->t, "LIMIT")) {
        if ((rc = parse_count(&q->limit, ps, "LIMIT")) < 0 || (rc = lex(ps)) < 0)
            return rc;
        if (q->limit > SOQL_MAX_LIMIT)
            q->limit = SOQL_MAX_LIMIT;
    }
    if (is_kw(&ps->t, "OFFSET")) {
        if ((rc = parse_count(&q->offset, ps, "OFFSET")) < 0)
            return rc;
        if (q->offset > SOQL_MAX_OFFSET)
            return err_set(ps->err, ERR_INVALID, "maximum SOQL offset allowed is %d at column %zu",
                           SOQL_MAX_OFFSET, ps->t.col);
        if ((rc = lex(ps)) < 0)
            return rc;
    }
    if (ps->t.kind != TOK_END) {
        char got[64];
        if ((rc = check_unsupported(ps)) < 0)
            return rc;
        show_tok(got, &ps->t);
        return err_set(ps->err, ERR_INVALID, "unexpected token: %s at column %zu", got, ps->t.col);
    }
    return 0;
}

int soql_parse(struct soql **out, const char *text, size_t n, struct err *err)
{
    assert(out && (text || n == 0));
    if (n > SOQL_MAX_BYTES)
        return err_set(err, ERR_INVALID, "SOQL statements cannot be longer than %d characters",
                       SOQL_MAX_BYTES);
    struct soql *q = xcalloc(1, sizeof(*q));
    q->limit = q->offset = -1;
    struct parser ps = {text ? text : "", n, 0, {TOK_END, NULL, 0, 1, 0}, err};
    int rc = parse_query(q, &ps);
    if (rc < 0) {
        soql_free(q);
        return rc;
    }
    *out = q;
    return 0;
}

void soql_free(struct soql *q)
{
    if (!q)
        return;
    xfree(q->object);
    for (size_t i = 0; i < q->nfields; i++)
        xfree(q->fields[i]);
    xfree(q->fields);
    for (size_t i = 0; i < q->nconds; i++) {
        struct cond *c = &q->conds[i];
        xfree(c->field);
        lit_dispose(&c->lit);
        for (size_t j = 0; j < c->nlist; j++)
            lit_dispose(&c->list[j]);
        xfree(c->list);
    }
    xfree(q->conds);
    for (size_t i = 0; i < q->norders; i++)
        xfree(q->orders[i].field);
    xfree(q->orders);
    xfree(q);
}

/* ---- accessors ---- */

const char *soql_object(const struct soql *q)
{
    return q->object;
}

size_t soql_nfields(const struct soql *q)
{
    return q->nfields;
}

const char *soql_field(const struct soql *q, size_t i)
{
    assert(i < q->nfields);
    return q->fields[i];
}

size_t soql_nwhere(const struct soql *q)
{
    return q->nconds;
}

const char *soql_where_field(const struct soql *q, size_t i)
{
    assert(i < q->nconds);
    return q->conds[i].field;
}

size_t soql_norder(const struct soql *q)
{
    return q->norders;
}

const char *soql_order_field(const struct soql *q, size_t i)
{
    assert(i < q->norders);
    return q->orders[i].field;
}

int64_t soql_limit(const struct soql *q)
{
    return q->limit;
}

int64_t soql_offset(const struct soql *q)
{
    return q->offset;
}

/* ---- evaluation ---- */

/* Member name of obj: exact first, then ignoring ASCII case (SOQL names are
 * case-insensitive); NULL for missing, null, or obj not an object. */
static struct json_object *member(const struct json_object *obj, const char *name, size_t n)
{
    if (!obj || json_object_get_type(obj) != json_type_object)
        return NULL;
    char key[SOQL_MAX_NAME + 1];
    memcpy(key, name, n);
    key[n] = '\0';
    struct json_object *v = NULL;
    if (json_object_object_get_ex(obj, key, &v))
        return v;
    for (struct lh_entry *e = lh_table_head(json_object_get_object(obj)); e; e = lh_entry_next(e)) {
        const char *k = (const char *)lh_entry_k(e);
        if (eq_nocase(k, strlen(k), name, n))
            return (struct json_object *)lh_entry_v(e);
    }
    return NULL;
}

static struct json_object *field_value(const struct json_object *record, const char *field)
{
    const char *dot = strchr(field, '.');
    if (!dot)
        return member(record, field, strlen(field));
    return member(member(record, field, (size_t)(dot - field)), dot + 1, strlen(dot + 1));
}

static bool is_number(const struct json_object *v)
{
    enum json_type t = json_object_get_type(v);
    return t == json_type_int || t == json_type_double;
}

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_num(const struct json_object *v, const struct lit *lit)
{
    if (json_object_get_type(v) == json_type_int && lit->kind == LIT_INT)
        return cmp_i64(json_object_get_int64(v), lit->i);
    double a = json_object_get_double(v);
    double b = lit->kind == LIT_INT ? (double)lit->i : lit->d;
    return (a > b) - (a < b);
}

/* Compare the non-null value v with lit into *ord; false when the two are of
 * kinds that do not compare. eq_only: the caller wants equality, for which
 * strings ignore case. */
static bool compare(int *ord, const struct json_object *v, const struct lit *lit, bool eq_only)
{
    enum json_type t = json_object_get_type(v);
    const char *s = t == json_type_string ? json_object_get_string((struct json_object *)v) : NULL;
    size_t sn = s ? (size_t)json_object_get_string_len(v) : 0;
    int64_t ms;
    switch (lit->kind) {
    case LIT_NULL:
        return false;
    case LIT_BOOL:
        if (t != json_type_boolean)
            return false;
        *ord = cmp_i64(json_object_get_boolean(v) ? 1 : 0, lit->i);
        return true;
    case LIT_INT:
    case LIT_DEC:
        if (!is_number(v))
            return false;
        *ord = cmp_num(v, lit);
        return true;
    case LIT_STRING:
        if (!s)
            return false;
        *ord = cmp_bytes(s, sn, lit->s, lit->n, eq_only);
        return true;
    case LIT_DATE:
        if (!s || time_parse_date(&ms, s, sn, NULL) < 0)
            return false;
        *ord = cmp_i64(ms, lit->i);
        return true;
    case LIT_DATETIME:
        if (!s || time_parse_rfc3339(&ms, s, sn, NULL) < 0)
            return false;
        *ord = cmp_i64(ms, lit->i);
        return true;
    }
    return false;
}

static bool equals(const struct json_object *v, const struct lit *lit)
{
    int ord;
    if (!v || lit->kind == LIT_NULL)
        return !v && lit->kind == LIT_NULL;
    return compare(&ord, v, lit, true) && ord == 0;
}

static size_t char_len(const char *s, size_t n)
{
    size_t k = str_utf8_seq(s, n);
    return k ? k : 1;
}

/* SOQL LIKE, ignoring ASCII case: % any run, _ one character, \x a literal x.
 * Greedy with one backtrack point, the classic wildcard matcher. */
static bool like(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
            continue;
        }
        if (pi < pn && p[pi] == '_') {
            pi++;
            si += char_len(s + si, sn - si);
            continue;
        }
        if (pi < pn) {
            size_t k = p[pi] == '\\' && pi + 1 < pn ? 2 : 1;
            if (fold(p[pi + k - 1]) == fold(s[si])) {
                pi += k;
                si++;
                continue;
            }
        }
        if (star_p == SIZE_MAX)
            return false;
        pi = star_p;
        star_s += char_len(s + star_s, sn - star_s);
        si = star_s;
    }
    while (pi < pn && p[pi] == '%')
        pi++;
    return pi == pn;
}

static bool cond_match(const struct cond *c, const struct json_object *record)
{
    struct json_object *v = field_value(record, c->field);
    int ord;
    switch (c->op) {
    case OP_EQ:
        return equals(v, &c->lit);
    case OP_NE:
        if (!v || c->lit.kind == LIT_NULL)
            return !v != (c->lit.kind == LIT_NULL);
        return compare(&ord, v, &c->lit, true) && ord != 0;
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        if (!v || !compare(&ord, v, &c->lit, false))
            return false;
        return c->op == OP_LT   ? ord < 0
               : c->op == OP_LE ? ord <= 0
               : c->op == OP_GT ? ord > 0
                                : ord >= 0;
    case OP_IN:
        for (size_t i = 0; i < c->nlist; i++)
            if (equals(v, &c->list[i]))
                return true;
        return false;
    case OP_NOT_IN:
        for (size_t i = 0; i < c->nlist; i++) {
            const struct lit *l = &c->list[i];
            if (equals(v, l) || (v && l->kind != LIT_NULL && !compare(&ord, v, l, true)))
                return false;
        }
        return true;
    case OP_LIKE:
        if (!v || json_object_get_type(v) != json_type_string)
            return false;
        return like(c->lit.s, c->lit.n, json_object_get_string(v),
                    (size_t)json_object_get_string_len(v));
    }
    return false;
}

bool soql_match(const struct soql *q, const struct json_object *record)
{
    for (size_t i = 0; i < q->nconds; i++)
        if (!cond_match(&q->conds[i], record))
            return false;
    return true;
}

/* The rank of a non-null value among types, and for an instant its value. */
static int rank(const struct json_object *v, int64_t *ms)
{
    switch (json_object_get_type(v)) {
    case json_type_boolean:
        return 1;
    case json_type_int:
    case json_type_double:
        return 2;
    case json_type_string:
        return time_parse_rfc3339(ms, json_object_get_string((struct json_object *)v),
                                  (size_t)json_object_get_string_len(v), NULL) == 0
                   ? 3
                   : 4;
    case json_type_array:
        return 5;
    default:
        return 6;
    }
}

static int value_cmp(const struct json_object *a, const struct json_object *b)
{
    int64_t ma = 0, mb = 0;
    int ra = rank(a, &ma), rb = rank(b, &mb);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    switch (ra) {
    case 1:
        return cmp_i64(json_object_get_boolean(a), json_object_get_boolean(b));
    case 2: {
        if (json_object_get_type(a) == json_type_int && json_object_get_type(b) == json_type_int)
            return cmp_i64(json_object_get_int64(a), json_object_get_int64(b));
        double x = json_object_get_double(a), y = json_object_get_double(b);
        return (x > y) - (x < y);
    }
    case 3:
        return cmp_i64(ma, mb);
    case 4:
        return cmp_bytes(json_object_get_string((struct json_object *)a),
                         (size_t)json_object_get_string_len(a),
                         json_object_get_string((struct json_object *)b),
                         (size_t)json_object_get_string_len(b), true);
    default:
        return 0;
    }
}

int soql_compare(const struct soql *q, const struct json_object *a, const struct json_object *b)
{
    for (size_t i = 0; i < q->norders; i++) {
        const struct order *o = &q->orders[i];
        struct json_object *va = field_value(a, o->field), *vb = field_value(b, o->field);
        if (!va || !vb) {
            if (!va && !vb)
                continue;
            return (!va) == o->nulls_last ? 1 : -1;
        }
        int c = value_cmp(va, vb);
        if (c)
            return o->desc ? -c : c;
    }
    return 0;
}
