/*
 * The JSON chain readers' walker (SPEC 2.3, 2.6): the document is read token by token
 * (json-pull.c), its layout recognised from the first container of contracts it meets
 * (data.options: CBOE; options[] beside current_price: CBOE without its wrapper;
 * callExpDateMap/putExpDateMap: Schwab; options.option: Tradier; options.<date>: OPC; results:
 * Polygon; quotes: IBKR), each contract's object collected into a record of the fields its
 * layout wants and handed to the layout's reader, the other scalars kept for the end. Memory is
 * one record and the chain, whatever the document's size. Also the CBOE layout itself:
 * {"timestamp", "symbol", "data": {"current_price", "options": [{"option": OCC symbol, "bid",
 * "ask", "iv", "open_interest", "volume", "delta", "gamma", "last_trade_price", ...}]}}.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain-json-internal.h"
#include "chain-row-internal.h"
#include "error-internal.h"

/* --- the walker --- */

/* Slots of the table of a layout's fields: a power of two, at least twice GEX__JREC_MAX. */
#define WALK_SLOTS 64
/* The members of a record remembered by position (CBOE's records: 23). */
#define WALK_MEMBERS 48

/* A hash of a field's dotted path s[0..n) (n > 0): its length and three of its bytes, which
 * tell the fields of every layout apart in one or two probes. */
static size_t field_hash(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    return (n * 31u + u[0] * 7u + u[n / 2] * 3u + u[n - 1]) & (WALK_SLOTS - 1);
}

typedef struct walk {
    gex__reader *r;
    gex__json j;
    const gex__jlayout *layout; /* NULL until the records show it */
    void *state;
    gex__jtop top;
    gex__jrec rec;
    size_t field_len[GEX__JREC_MAX]; /* strlen of each of the layout's fields */
    /* The layout's fields by a hash of their text (field_hash): 1 + the field's index, 0 for
     * none; open addressing, the first of equal fields kept (the one the linear search finds). */
    unsigned char field_slot[WALK_SLOTS];
    /* The reference path (tests): every member through gex__json_next, the fields compared one
     * by one. */
    int reference;
    /* The top-level members of the last record, by position: the next record's are read
     * through gex__json_members_known while they come in the same order (records of one
     * document repeat their keys). */
    gex__jknown member[WALK_MEMBERS];
    size_t records;
    char top_keys[200]; /* the top-level keys, for the message of an unknown document */
} walk;

/* The index of the layout's field named s[0..n), or -1: the first such field, as a search in
 * the layout's order finds. */
static long field_index(const walk *w, const char *s, size_t n);

static int json_error(walk *w)
{
    const gex_format want = w->r->opt->format;
    if (want == GEX_FORMAT_AUTO) /* taken for JSON because it opens with '{' */
        return gex_error_set(w->r->err, GEX_EPARSE, w->r->name, w->j.tok_line, w->j.tok_col,
                             "the JSON cannot be read (%s); check the file, or pass "
                             "--input-format if it is a CSV",
                             w->j.error);
    if (w->j.depth == 0 && !w->j.done) /* its first value is none: not JSON at all */
        return gex_error_set(w->r->err, GEX_EPARSE, w->r->name, w->j.tok_line, w->j.tok_col,
                             "the file is not JSON (%s), so not %s: drop --input-format %s (the "
                             "format is recognised from the content)",
                             w->j.error, gex_format_name(want), gex_format_name(want));
    return gex_error_set(w->r->err, GEX_EPARSE, w->r->name, w->j.tok_line, w->j.tok_col,
                         "the JSON cannot be read (%s); check the file", w->j.error);
}

/* Chooses the layout of the records met (the first one met decides; another is an error). */
static int choose(walk *w, const gex__jlayout *layout)
{
    if (w->layout == layout)
        return GEX_OK;
    const gex_format want = w->r->opt->format;
    if (w->layout != NULL)
        return gex_error_set(w->r->err, GEX_EFORMAT, w->r->name, w->j.tok_line, 0,
                             "the document holds contracts in two layouts (%s, then %s); split "
                             "it into one file per layout",
                             w->layout->name, layout->name);
    if (want != GEX_FORMAT_AUTO && want != layout->format)
        return gex_error_set(w->r->err, GEX_EFORMAT, w->r->name, w->j.tok_line, 0,
                             "the document is %s, not %s: drop --input-format %s (the layout is "
                             "recognised from the content)",
                             layout->name, gex_format_name(want), gex_format_name(want));
    w->layout = layout;
    for (size_t f = 0; f < layout->n_fields && f < GEX__JREC_MAX; f++) {
        w->field_len[f] = strlen(layout->fields[f]);
        if (w->field_len[f] == 0 || field_index(w, layout->fields[f], w->field_len[f]) >= 0)
            continue;
        size_t h = field_hash(layout->fields[f], w->field_len[f]);
        while (w->field_slot[h] != 0)
            h = (h + 1) & (WALK_SLOTS - 1);
        w->field_slot[h] = (unsigned char)(f + 1);
    }
    w->r->rep->format = layout->format;
    if (layout->state_size > 0) {
        w->state = calloc(1, layout->state_size);
        if (w->state == NULL)
            return gex_error_set(w->r->err, GEX_ENOMEM, w->r->name, 0, 0, "out of memory");
    }
    return GEX_OK;
}

/* Keeps a scalar of the document (path: dotted). */
static void keep_scalar(walk *w, const char *path, gex__jtok t)
{
    gex__jtop *top = &w->top;
    if (top->n >= GEX__JTOP_MAX || strlen(path) >= GEX__JPATH_MAX)
        return;
    size_t i = top->n++;
    strcpy(top->path[i], path);
    top->type[i] = t;
    top->line[i] = w->j.tok_line;
    if (w->j.len_text > GEX__FIELD_MAX) {
        top->len[i] = GEX__JREC_TOO_LONG;
        top->text[i][0] = '\0';
    } else {
        memcpy(top->text[i], w->j.text, w->j.len_text);
        top->text[i][w->j.len_text] = '\0';
        top->len[i] = w->j.len_text;
    }
}

/* a[0..n) == b[0..n), for the few bytes of a key (no call of memcmp). */
static int same_bytes(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static long field_index(const walk *w, const char *s, size_t n)
{
    if (n == 0)
        return -1;
    const gex__jlayout *L = w->layout;
    for (size_t h = field_hash(s, n);; h = (h + 1) & (WALK_SLOTS - 1)) {
        unsigned slot = w->field_slot[h];
        if (slot == 0)
            return -1;
        size_t f = slot - 1;
        if (w->field_len[f] == n && same_bytes(L->fields[f], s, n))
            return (long)f;
    }
}

_Static_assert(GEX__JSON_PAD <= GEX__FIELD_MAX + 1, "a fixed copy must fit a field's text");

/* Keeps the value v (of gex__json_members_known) as the record's field f. */
static void keep_value(walk *w, size_t f, const gex__jvalue *v)
{
    gex__jrec *rec = &w->rec;
    rec->type[f] = v->type;
    rec->field_line[f] = w->j.line; /* the known members are read on one line */
    if (v->len < GEX__JSON_PAD && (v->type == GEX__JTOK_NUMBER || v->type == GEX__JTOK_STRING)) {
        /* a short text in the tokenizer's buffer: a copy of fixed size, no call */
        memcpy(rec->text[f], v->text, GEX__JSON_PAD);
        rec->text[f][v->len] = '\0';
        rec->len[f] = v->len;
    } else if (v->len > GEX__FIELD_MAX) {
        rec->len[f] = GEX__JREC_TOO_LONG;
    } else {
        memcpy(rec->text[f], v->text, v->len);
        rec->text[f][v->len] = '\0';
        rec->len[f] = v->len;
    }
}

/* Keeps the value just read (type t) as the record's field f. */
static void keep_field(walk *w, size_t f, gex__jtok t)
{
    gex__jrec *rec = &w->rec;
    rec->type[f] = t;
    rec->field_line[f] = w->j.tok_line;
    if (w->j.len_text > GEX__FIELD_MAX) {
        rec->len[f] = GEX__JREC_TOO_LONG;
    } else {
        memcpy(rec->text[f], w->j.text, w->j.len_text);
        rec->text[f][w->j.len_text] = '\0';
        rec->len[f] = w->j.len_text;
    }
}

/* A wanted field whose value is an object or an array (path[0..n) its dotted path): kept with
 * that type and no text, so that the layout finds a field of the wrong kind (a bad row), not an
 * absent one ("open_interest": {"a": 1} is no open interest to read as 0). */
static void keep_container(walk *w, const char *path, size_t n, gex__jtok t)
{
    const long f = field_index(w, path, n);
    if (f < 0)
        return;
    w->rec.type[f] = t;
    w->rec.field_line[f] = w->j.tok_line;
    w->rec.len[f] = 0;
    w->rec.text[f][0] = '\0';
}

/* Remembers the member read at position at of a record's top level: key[0..n), the layout's
 * field f (or -1). Only a key of plain bytes is kept: its bytes as written are the key. */
static void remember_member(walk *w, size_t at, const char *key, size_t n, long f)
{
    gex__jknown *m = &w->member[at];
    m->len = 0;
    if (n + 3 > GEX__JSON_KNOWN_BYTES)
        return;
    for (size_t i = 0; i < n; i++) {
        const unsigned char c = (unsigned char)key[i];
        if (c == '"' || c == '\\' || c < 0x20)
            return;
    }
    memset(m->text, 0, sizeof m->text);
    m->text[0] = '"';
    memcpy(m->text + 1, key, n);
    m->text[n + 1] = '"';
    m->text[n + 2] = ':';
    m->len = (unsigned char)(n + 3);
    m->field = (signed char)f;
}

/* The reading of a record's members below a prefix: record_members or record_fields. */
typedef int (*members_fn)(walk *w, char *path, size_t plen, int depth);

/* A member whose value is an object or an array (t, its opening token just read), its key at
 * path[plen, plen + klen) when it fits: kept (keep_container), descended into through members
 * when it is an object within depth 3, else skipped. GEX_OK or the error's status. */
static int member_container(walk *w, char *path, size_t plen, size_t klen, int fits, int depth,
                            gex__jtok t, members_fn members)
{
    if (fits)
        keep_container(w, path, plen + klen, t);
    if (t == GEX__JTOK_OBJECT && fits && depth < 3) {
        path[plen + klen] = '.';
        return members(w, path, plen + klen + 1, depth + 1);
    }
    if (gex__json_skip(&w->j, t) == GEX__JTOK_ERROR)
        return json_error(w);
    return GEX_OK;
}

/* record_fields' fast path: the members through gex__json_member (or, at the top level, the
 * members the last record had at the same positions through gex__json_members_known), the fields
 * found by their hash. The same fields kept, the same tokens read, the same errors as the
 * reference path. */
static int record_members(walk *w, char *path, size_t plen, int depth)
{
    for (size_t at = 0;; at++) {
        if (plen == 0 && at < WALK_MEMBERS && w->member[at].len > 0) {
            gex__jvalue v[WALK_MEMBERS];
            size_t got = gex__json_members_known(&w->j, w->member + at, WALK_MEMBERS - at, v);
            for (size_t i = 0; i < got; i++)
                if (w->member[at + i].field >= 0)
                    keep_value(w, (size_t)w->member[at + i].field, &v[i]);
            at += got;
        }
        const int top = plen == 0 && at < WALK_MEMBERS;
        gex__jtok t;
        const char *key;
        size_t klen;
        t = gex__json_member(&w->j, &key, &klen);
        if (t == GEX__JTOK_OBJECT_END)
            return GEX_OK;
        if (t == GEX__JTOK_ERROR)
            return json_error(w);
        const int fits = plen + klen + 1 < GEX__JPATH_MAX;
        if (t == GEX__JTOK_OBJECT || t == GEX__JTOK_ARRAY) {
            if (fits)
                memcpy(path + plen, key, klen);
            const int rc = member_container(w, path, plen, klen, fits, depth, t, record_members);
            if (rc != GEX_OK)
                return rc;
            continue;
        }
        if (!fits)
            continue;
        long f;
        if (plen == 0)
            f = field_index(w, key, klen);
        else {
            memcpy(path + plen, key, klen);
            f = field_index(w, path, plen + klen);
        }
        if (top)
            remember_member(w, at, key, klen, f);
        if (f >= 0)
            keep_field(w, (size_t)f, t);
    }
}

/* The fields of a record object (its '{' just read), under prefix ("" or "details."): the
 * reference path, token by token. */
static int record_fields(walk *w, char *path, size_t plen, int depth)
{
    const gex__jlayout *L = w->layout;
    for (;;) {
        gex__jtok t = gex__json_next(&w->j);
        if (t == GEX__JTOK_OBJECT_END)
            return GEX_OK;
        if (t != GEX__JTOK_KEY)
            return json_error(w);
        size_t klen = w->j.len_text;
        int fits = plen + klen + 1 < GEX__JPATH_MAX;
        if (fits) {
            memcpy(path + plen, w->j.text, klen);
            path[plen + klen] = '\0';
        }
        t = gex__json_next(&w->j);
        if (t == GEX__JTOK_ERROR)
            return json_error(w);
        if (t == GEX__JTOK_OBJECT || t == GEX__JTOK_ARRAY) {
            const int rc = member_container(w, path, plen, klen, fits, depth, t, record_fields);
            if (rc != GEX_OK)
                return rc;
            continue;
        }
        if (!fits)
            continue;
        size_t n = plen + klen;
        for (size_t f = 0; f < L->n_fields; f++) {
            const char *want = L->fields[f];
            if (w->field_len[f] != n || want[0] != path[0] || memcmp(want, path, n) != 0)
                continue;
            keep_field(w, f, t);
            break;
        }
    }
}

/* One record: its object's '{' just read, under the keys rec->key[0..n_keys). */
static int record(walk *w)
{
    gex__jrec *rec = &w->rec;
    memset(rec->type, 0, sizeof rec->type);
    rec->line = w->j.tok_line;
    rec->index = w->records++;
    char path[GEX__JPATH_MAX];
    int rc = w->reference ? record_fields(w, path, 0, 0) : record_members(w, path, 0, 0);
    if (rc != GEX_OK)
        return rc;
    w->r->rep->rows++;
    return w->layout->record(w->r, w->state, rec);
}

/* A value that should be a record: an object is one; null is none; another value is a bad
 * record of the layout (its reader sees every field absent). */
static int record_value(walk *w, gex__jtok t)
{
    if (t == GEX__JTOK_OBJECT)
        return record(w);
    if (t == GEX__JTOK_ERROR)
        return json_error(w);
    if (gex__json_skip(&w->j, t) == GEX__JTOK_ERROR)
        return json_error(w);
    if (t == GEX__JTOK_NULL)
        return GEX_OK;
    memset(w->rec.type, 0, sizeof w->rec.type);
    w->rec.line = w->j.tok_line;
    w->rec.index = w->records++;
    w->r->rep->rows++;
    return w->layout->record(w->r, w->state, &w->rec);
}

/* An array of records (its '[' just read). */
static int record_array(walk *w)
{
    for (;;) {
        gex__jtok t = gex__json_next(&w->j);
        if (t == GEX__JTOK_ARRAY_END)
            return GEX_OK;
        int rc = record_value(w, t);
        if (rc != GEX_OK || w->r->failed)
            return rc != GEX_OK ? rc : w->r->failed;
    }
}

/* Copies the key just read into rec->key[level]. */
static void set_key(walk *w, size_t level)
{
    size_t n = w->j.len_text > GEX__FIELD_MAX ? GEX__FIELD_MAX : w->j.len_text;
    memcpy(w->rec.key[level], w->j.text, n);
    w->rec.key[level][n] = '\0';
    w->rec.key_len[level] = w->j.len_text;
    w->rec.n_keys = level + 1;
}

/* Objects of objects down to the records, levels deep, the last level an array of records
 * (Schwab: expiration -> strike -> [record]) or a record (OPC: date -> side -> strike ->
 * record). The '{' of the outer object just read. */
static int keyed_records(walk *w, size_t level, size_t levels, int last_is_array)
{
    for (;;) {
        gex__jtok t = gex__json_next(&w->j);
        if (t == GEX__JTOK_OBJECT_END)
            return GEX_OK;
        if (t != GEX__JTOK_KEY)
            return json_error(w);
        set_key(w, level);
        t = gex__json_next(&w->j);
        int rc;
        if (level + 1 < levels) {
            if (t != GEX__JTOK_OBJECT) {
                if (gex__json_skip(&w->j, t) == GEX__JTOK_ERROR)
                    return json_error(w);
                continue;
            }
            rc = keyed_records(w, level + 1, levels, last_is_array);
        } else if (last_is_array && t == GEX__JTOK_ARRAY)
            rc = record_array(w);
        else
            rc = record_value(w, t);
        if (rc != GEX_OK)
            return rc;
    }
}

static int is_date_key(const char *s, size_t n)
{
    return n == 10 && s[4] == '-' && s[7] == '-' && s[0] >= '1' && s[0] <= '2';
}

static int walk_object(walk *w, char *path, size_t plen, int depth);

/* "options" holding an object: Tradier's {"option": [...]}, OPC's {"2026-02-11": {"c": ...}},
 * or neither (walked for its scalars). Its '{' just read. */
static int options_object(walk *w, char *path, size_t plen)
{
    gex__jtok t = gex__json_next(&w->j);
    if (t == GEX__JTOK_OBJECT_END)
        return GEX_OK;
    if (t != GEX__JTOK_KEY)
        return json_error(w);
    if (w->j.len_text == 6 && memcmp(w->j.text, "option", 6) == 0) {
        int rc = choose(w, &gex__jlayout_tradier);
        if (rc != GEX_OK)
            return rc;
        w->rec.n_keys = 0;
        t = gex__json_next(&w->j);
        rc = t == GEX__JTOK_ARRAY ? record_array(w) : record_value(w, t);
        if (rc != GEX_OK)
            return rc;
        /* The rest of "options" (nothing in Tradier's responses) is walked for scalars. */
        path[plen] = '.';
        return walk_object(w, path, plen + 1, 2);
    }
    if (is_date_key(w->j.text, w->j.len_text)) {
        int rc = choose(w, &gex__jlayout_opc);
        if (rc != GEX_OK)
            return rc;
        /* The first date's key is read: its value, then the other dates. */
        set_key(w, 0);
        t = gex__json_next(&w->j);
        if (t == GEX__JTOK_OBJECT)
            rc = keyed_records(w, 1, 3, 0);
        else if (gex__json_skip(&w->j, t) == GEX__JTOK_ERROR)
            rc = json_error(w);
        return rc != GEX_OK ? rc : keyed_records(w, 0, 3, 0);
    }
    /* Neither: walk "options" for scalars from this key on. */
    path[plen] = '.';
    size_t klen = w->j.len_text;
    if (plen + 1 + klen + 1 >= GEX__JPATH_MAX) {
        t = gex__json_next(&w->j);
        if (gex__json_skip(&w->j, t) == GEX__JTOK_ERROR)
            return json_error(w);
    } else {
        memcpy(path + plen + 1, w->j.text, klen);
        path[plen + 1 + klen] = '\0';
        t = gex__json_next(&w->j);
        if (t == GEX__JTOK_ERROR)
            return json_error(w);
        if (t == GEX__JTOK_OBJECT || t == GEX__JTOK_ARRAY) {
            if (gex__json_skip(&w->j, t) == GEX__JTOK_ERROR)
                return json_error(w);
        } else
            keep_scalar(w, path, t);
    }
    return walk_object(w, path, plen + 1, 2);
}

/* An object of the document outside the records (its '{' just read): its scalars kept, the
 * containers of contracts read. path[0..plen) is its dotted path and a '.' when not empty. */
static int walk_object(walk *w, char *path, size_t plen, int depth)
{
    for (;;) {
        gex__jtok t = gex__json_next(&w->j);
        if (t == GEX__JTOK_OBJECT_END)
            return GEX_OK;
        if (t != GEX__JTOK_KEY)
            return json_error(w);
        size_t klen = w->j.len_text;
        if (depth == 0) {
            size_t used = strlen(w->top_keys);
            if (used + klen + 3 < sizeof w->top_keys)
                snprintf(w->top_keys + used, sizeof w->top_keys - used, "%s%.*s",
                         used > 0 ? ", " : "", (int)klen, w->j.text);
        }
        int fits = plen + klen + 2 < GEX__JPATH_MAX;
        if (fits) {
            memcpy(path + plen, w->j.text, klen);
            path[plen + klen] = '\0';
        }
        t = gex__json_next(&w->j);
        if (t == GEX__JTOK_ERROR)
            return json_error(w);
        const char *p = fits ? path : "";
        int rc = GEX_OK;
        if (t == GEX__JTOK_ARRAY && (strcmp(p, "data.options") == 0 || strcmp(p, "options") == 0)) {
            rc = choose(w, &gex__jlayout_cboe);
            if (rc == GEX_OK)
                rc = record_array(w);
        } else if (t == GEX__JTOK_ARRAY && strcmp(p, "results") == 0) {
            rc = choose(w, &gex__jlayout_polygon);
            if (rc == GEX_OK)
                rc = record_array(w);
        } else if (t == GEX__JTOK_ARRAY && strcmp(p, "quotes") == 0) {
            rc = choose(w, &gex__jlayout_ibkr);
            if (rc == GEX_OK)
                rc = record_array(w);
        } else if (t == GEX__JTOK_OBJECT &&
                   (strcmp(p, "callExpDateMap") == 0 || strcmp(p, "putExpDateMap") == 0)) {
            rc = choose(w, &gex__jlayout_schwab);
            /* The map's name is the record's first key: the type of its contracts. */
            if (rc == GEX_OK) {
                w->rec.key[0][0] = p[0];
                w->rec.key[0][1] = '\0';
                w->rec.key_len[0] = 1;
                rc = keyed_records(w, 1, 3, 1);
            }
        } else if (t == GEX__JTOK_OBJECT && strcmp(p, "options") == 0)
            rc = options_object(w, path, plen + klen);
        else if (t == GEX__JTOK_OBJECT && fits && depth < 3) {
            path[plen + klen] = '.';
            rc = walk_object(w, path, plen + klen + 1, depth + 1);
        } else if (t == GEX__JTOK_OBJECT || t == GEX__JTOK_ARRAY) {
            if (gex__json_skip(&w->j, t) == GEX__JTOK_ERROR)
                rc = json_error(w);
        } else if (fits)
            keep_scalar(w, path, t);
        if (rc != GEX_OK)
            return rc;
    }
}

int gex__read_json(gex__reader *r, gex__chunk_fn next_chunk, void *data)
{
    walk *w = calloc(1, sizeof *w);
    if (w == NULL)
        return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    w->r = r;
    int rc = gex__json_init(&w->j, next_chunk, data);
    if (rc != GEX_OK) {
        free(w);
        return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    }
    /* gex__chain_read_file_libcsv (tests) asks every reader for its reference path. */
    w->reference = r->csv_libcsv_only;
    w->j.general = r->csv_libcsv_only;
    gex__jtok t = gex__json_next(&w->j);
    char path[GEX__JPATH_MAX] = "";
    if (t == GEX__JTOK_ERROR)
        rc = json_error(w);
    else if (t != GEX__JTOK_OBJECT)
        rc = gex_error_set(r->err, GEX_EFORMAT, r->name, w->j.tok_line, w->j.tok_col,
                           "a JSON document that is not an object: no chain layout gex reads "
                           "(CBOE, Schwab, Tradier, Polygon, OPC) is one; pass --input-format "
                           "if the file is a CSV");
    else
        rc = walk_object(w, path, 0, 0);
    if (rc == GEX_OK && gex__json_next(&w->j) != GEX__JTOK_END)
        rc = json_error(w);
    if (rc == GEX_OK && w->layout == NULL)
        rc = gex_error_set(r->err, GEX_EFORMAT, r->name, 0, 0,
                           "a JSON document of no chain layout gex reads: its top-level keys are "
                           "%s, none of data.options (CBOE), callExpDateMap/putExpDateMap "
                           "(Schwab), options.option (Tradier), results (Polygon), options.<date> "
                           "(OPC); convert it to a long CSV (README \"Input formats\")",
                           w->top_keys[0] != '\0' ? w->top_keys : "none");
    if (rc == GEX_OK)
        rc = w->layout->finish(r, w->state, &w->top);
    gex__json_free(&w->j);
    free(w->state);
    free(w);
    return rc;
}

/* --- the CBOE layout --- */

enum {
    CBOE_OPTION,
    CBOE_BID,
    CBOE_ASK,
    CBOE_LAST,
    CBOE_IV,
    CBOE_VOLUME,
    CBOE_DELTA,
    CBOE_GAMMA,
    CBOE_OI,
    CBOE_THEO,
};
static const char *const cboe_fields[] = {
    [CBOE_OPTION] = "option",
    [CBOE_BID] = "bid",
    [CBOE_ASK] = "ask",
    [CBOE_LAST] = "last_trade_price",
    [CBOE_IV] = "iv",
    [CBOE_VOLUME] = "volume",
    [CBOE_DELTA] = "delta",
    [CBOE_GAMMA] = "gamma",
    [CBOE_OI] = "open_interest",
    [CBOE_THEO] = "theo",
};

/* The CBOE JSON's times ("2023-09-21 03:17:42") are UTC: the file's timestamp follows the last
 * trade (16:15 New York time) by eleven hours only when read as UTC. */
#define CBOE_JSON_ZONE 0

/* The record's numbers: each field's largest plausible magnitude (gex/chain.h, SPEC 2.5); any
 * finite IV (its placeholders are counted after the read, SPEC 1.4) and vendor greek. */
static int cboe_record(gex__reader *r, void *state_, const gex__jrec *rec)
{
    (void)state_;
    char what[256], shown[64];
    const char *opt = gex__jrec_text(rec, CBOE_OPTION);
    gex__occ occ;
    if (opt == NULL || rec->type[CBOE_OPTION] != GEX__JTOK_STRING ||
        gex__occ_decode(opt, rec->len[CBOE_OPTION], &occ) != 0) {
        gex__jrec_shown(rec, CBOE_OPTION, shown, sizeof shown);
        snprintf(what, sizeof what, "data.options[%zu]: \"option\" %s is not an OCC symbol",
                 rec->index, shown);
        return gex__reader_skip(r, GEX_SKIP_BAD_SYMBOL, gex__jrec_line(rec, CBOE_OPTION), 0, what);
    }
    const long where = gex__jrec_line(rec, CBOE_OPTION);
    /* A root of letters and then digits (TSLA1 after a split, AAPL7 the 10-share minis) is an
     * adjusted or mini contract: it delivers other than 100 shares, which the download does not
     * state; never read at 100 (as the CBOE CSV, SPEC 2.5). */
    if (gex__deliverable_base(occ.root, occ.root_len, NULL, 0) > 0) {
        snprintf(what, sizeof what,
                 "data.options[%zu] (%.24s): adjusted or mini root %.*s: other than 100 "
                 "shares, which CBOE's JSON does not state",
                 rec->index, opt, (int)occ.root_len, occ.root);
        return gex__reader_skip(r, GEX_SKIP_BAD_SYMBOL, where, 0, what);
    }
    gex_contract k = {.expiration = occ.expiration, .strike = occ.strike, .type = occ.type};
    static const struct {
        size_t field;
        size_t offset;
        double max;
    } fields[] = {
        {CBOE_BID, offsetof(gex_contract, bid), GEX_PRICE_MAX},
        {CBOE_ASK, offsetof(gex_contract, ask), GEX_PRICE_MAX},
        {CBOE_LAST, offsetof(gex_contract, last), GEX_PRICE_MAX},
        {CBOE_IV, offsetof(gex_contract, iv), DBL_MAX},
        {CBOE_VOLUME, offsetof(gex_contract, volume), GEX_CONTRACTS_MAX},
        {CBOE_DELTA, offsetof(gex_contract, vendor_delta), DBL_MAX},
        {CBOE_GAMMA, offsetof(gex_contract, vendor_gamma), DBL_MAX},
        /* CBOE's theoretical price: absent (NAN) in files without it; kept for validate's
         * parity forward from CBOE's own prices (SPEC 4) */
        {CBOE_THEO, offsetof(gex_contract, theo), GEX_PRICE_MAX},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        double *dst = (double *)((char *)&k + fields[i].offset);
        const char *key = cboe_fields[fields[i].field];
        const long line = gex__jrec_line(rec, fields[i].field);
        if (gex__jrec_number(r, rec, fields[i].field, dst) != 0) {
            gex__jrec_shown(rec, fields[i].field, shown, sizeof shown);
            snprintf(what, sizeof what, "data.options[%zu] (%s): \"%s\" %s is not a number",
                     rec->index, opt, key, shown);
            return gex__reader_skip(r, GEX_SKIP_BAD_NUMBER, line, 0, what);
        }
        if (fabs(*dst) > fields[i].max) {
            gex__snprintf_c(what, sizeof what,
                            "data.options[%zu] (%s): \"%s\" %g is out of range (at most %.0f)",
                            rec->index, opt, key, *dst, fields[i].max);
            return gex__reader_skip(r, GEX_SKIP_BAD_NUMBER, line, 0, what);
        }
    }
    double oi;
    if (gex__jrec_number(r, rec, CBOE_OI, &oi) != 0 || oi < 0 || oi > GEX_CONTRACTS_MAX) {
        gex__jrec_shown(rec, CBOE_OI, shown, sizeof shown);
        gex__snprintf_c(
            what, sizeof what,
            "data.options[%zu] (%s): \"open_interest\" %s is not a number from 0 to %.0f",
            rec->index, opt, shown, GEX_CONTRACTS_MAX);
        return gex__reader_skip(r, GEX_SKIP_BAD_OPEN_INTEREST, gex__jrec_line(rec, CBOE_OI), 0,
                                what);
    }
    if (isnan(oi)) {
        r->missing_oi++;
        oi = 0;
    }
    k.open_interest = oi == 0 ? 0 : oi;
    k.multiplier = (double)NAN;
    /* Stored under the root's underlying (SPXW -> SPX); finish relabels them when the
     * document names its symbol (it may come after the options). */
    char mapped[GEX__FIELD_MAX + 1];
    size_t u_len = gex__root_underlying(occ.root, occ.root_len, mapped);
    return gex__jrec_store(r, mapped, u_len, occ.root, occ.root_len, &k, (double)NAN);
}

/* A current_price that is there but no price: said, with its line, if no contract has a spot
 * (finish), rather than as a file without one. */
static void note_bad_current_price(gex__reader *r, const gex__jtop *top)
{
    for (size_t i = 0; i < top->n; i++) {
        if (strcmp(top->path[i], "data.current_price") != 0 &&
            strcmp(top->path[i], "current_price") != 0)
            continue;
        const gex__jtok t = top->type[i];
        const char *s = top->len[i] == GEX__JREC_TOO_LONG ? "..."
                        : t == GEX__JTOK_NULL             ? "null"
                                                          : top->text[i];
        double x = (double)NAN;
        if ((t == GEX__JTOK_NUMBER || t == GEX__JTOK_STRING) && top->len[i] != GEX__JREC_TOO_LONG &&
            gex__read_number(r, top->text[i], top->len[i], &x) != 0)
            x = (double)NAN;
        gex__reader_bad_spot(r, top->line[i], "the \"current_price\"", s, strlen(s), x);
        return;
    }
}

static int cboe_finish(gex__reader *r, void *state, const gex__jtop *top)
{
    (void)state;
    /* The document's symbol is the underlying of all its contracts. */
    gex__jtok t = GEX__JTOK_END;
    const char *sym = gex__jtop_get(top, "symbol", &t);
    if (sym == NULL || t != GEX__JTOK_STRING)
        sym = gex__jtop_get(top, "data.symbol", &t);
    int rc = gex__reader_relabel(r, sym != NULL && t == GEX__JTOK_STRING ? sym : NULL);
    if (rc != GEX_OK)
        return rc;
    double spot;
    if (gex__jtop_price(r, top, "data.current_price", &spot) == 0 ||
        gex__jtop_price(r, top, "current_price", &spot) == 0)
        gex__reader_default_spot(r, spot);
    else
        note_bad_current_price(r, top);
    /* The underlying's quote: 0 for an index (CBOE prints no bid or ask for one). */
    double x;
    if (gex__jtop_price(r, top, "data.bid", &x) == 0 || gex__jtop_price(r, top, "bid", &x) == 0)
        r->file_quote.bid = x;
    if (gex__jtop_price(r, top, "data.ask", &x) == 0 || gex__jtop_price(r, top, "ask", &x) == 0)
        r->file_quote.ask = x;
    if (gex__jtop_price(r, top, "data.current_price", &x) == 0 ||
        gex__jtop_price(r, top, "current_price", &x) == 0)
        r->file_quote.last = x;
    const char *ts = gex__jtop_get(top, "timestamp", &t);
    if (ts != NULL && t == GEX__JTOK_STRING)
        gex__read_quote_time(r, ts, strlen(ts), CBOE_JSON_ZONE, 1);
    else if (!r->has_time && ts != NULL)
        snprintf(r->time_note, sizeof r->time_note,
                 "the document's \"timestamp\" is not the text of an instant (CBOE writes "
                 "\"2023-09-21 03:17:42\"), so the quote instant is unknown; pass --now");
    else if (!r->has_time)
        snprintf(r->time_note, sizeof r->time_note,
                 "CBOE's JSON without its wrapper carries no \"timestamp\" (the quote instant); "
                 "pass --now");
    return GEX_OK;
}

const gex__jlayout gex__jlayout_cboe = {
    .format = GEX_FORMAT_CBOE_JSON,
    .name = "CBOE delayed-quotes JSON",
    .fields = cboe_fields,
    .n_fields = sizeof cboe_fields / sizeof cboe_fields[0],
    .record = cboe_record,
    .finish = cboe_finish,
};
