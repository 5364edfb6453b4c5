/*
 * render-json.c: JSON documents are built with jansson and written here, compactly (as the
 * vendor's responses are), with every real number in the shortest form that reads back to the
 * same double (so 749.8 stays 749.8 and computed values keep all 17 digits they need), and
 * integral values without a fraction, as the vendor prints strikes and open interest.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* A number that is not finite is built as this string: a NUL then a name, which no text of
 * gex__jstr can be (those come from C strings). The writers print it as null and count it, so
 * that each document knows whether it is whole, without a counter shared between threads. */
static const char nonfinite_mark[] = "\0gex-nonfinite";
#define NONFINITE_MARK_LEN (sizeof nonfinite_mark - 1)

json_t *gex__jnum(double v)
{
    if (!isfinite(v))
        return json_stringn(nonfinite_mark, NONFINITE_MARK_LEN);
    return json_real(v == 0.0 ? 0.0 : v);
}

json_t *gex__jstr(const char *s)
{
    if (s == NULL)
        return json_null();
    json_t *v = json_string(s);
    if (v != NULL)
        return v;
    /* not UTF-8 (a Latin-1 name in a chain file, say): JSON text must be, so the bytes that
     * are not ASCII become '?' rather than the document being refused */
    char *copy = strdup(s);
    if (copy == NULL)
        return NULL;
    for (char *p = copy; *p != '\0'; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    v = json_string(copy);
    free(copy);
    return v;
}

json_t *gex__jlevel(const gex_level *level)
{
    return level->has ? gex__jnum(level->value) : json_null();
}

int gex__jset(json_t *obj, const char *key, json_t *value)
{
    if (value == NULL)
        return GEX_ENOMEM;
    return json_object_set_new(obj, key, value) == 0 ? GEX_OK : GEX_ENOMEM;
}

const char *gex__label(double net_gex)
{
    return net_gex > 0.0 ? "positive" : net_gex < 0.0 ? "negative" : "neutral";
}

/* --- the writer: to a stream, or to memory (gex serve's bodies) --- */

/* Stream: n bytes to fp. Unlocked: a writer's stream has one writer while it writes, and a
 * lock per piece was a sixth of greeks --format json. */
static void stream_write(gex__jwriter *w, const char *s, size_t n)
{
    if (n > 0 && !w->failed && fwrite_unlocked(s, 1, n, w->fp) != n) {
        w->failed = 1;
        w->write_errno = errno != 0 ? errno : EIO;
    }
}

/* Stream: the pending block to fp. */
static void stream_flush(gex__jwriter *w)
{
    stream_write(w, w->block, w->pending);
    w->pending = 0;
}

/* Room for n bytes written in place (n <= the stream's block): where to write them, or NULL
 * when the writer has failed or memory ran out; advance() then counts what was written. */
static char *room(gex__jwriter *w, size_t n)
{
    if (w->failed)
        return NULL;
    if (w->fp != NULL) {
        if (w->pending + n > sizeof w->block)
            stream_flush(w);
        return w->failed ? NULL : w->block + w->pending;
    }
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->len + n + 1)
            cap *= 2;
        char *d = realloc(w->data, cap);
        if (d == NULL) {
            w->failed = 1;
            return NULL;
        }
        w->data = d;
        w->cap = cap;
    }
    return w->data + w->len;
}

static void advance(gex__jwriter *w, size_t n)
{
    if (w->fp != NULL) {
        w->pending += n;
        return;
    }
    w->len += n;
    w->data[w->len] = '\0';
}

static void put(gex__jwriter *w, const char *s, size_t n)
{
    if (w->fp != NULL && n > sizeof w->block) { /* what is pending, then these bytes through */
        if (!w->failed) {
            stream_flush(w);
            stream_write(w, s, n);
        }
        return;
    }
    char *at = room(w, n);
    if (at != NULL) {
        memcpy(at, s, n);
        advance(w, n);
    }
}

static void puts_(gex__jwriter *w, const char *s)
{
    put(w, s, strlen(s));
}

static void write_string(gex__jwriter *w, const char *s)
{
    /* Most strings need no escape: one scan, then the string whole. */
    size_t n = 0;
    for (unsigned char c; (c = (unsigned char)s[n]) != '\0' && c >= 0x20 && c != '"' && c != '\\';)
        n++;
    if (s[n] == '\0') {
        put(w, "\"", 1);
        put(w, s, n);
        put(w, "\"", 1);
        return;
    }
    char esc[8];
    const char *run = s;
    put(w, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '"':
            rep = "\\\"";
            break;
        case '\\':
            rep = "\\\\";
            break;
        case '\n':
            rep = "\\n";
            break;
        case '\r':
            rep = "\\r";
            break;
        case '\t':
            rep = "\\t";
            break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                rep = esc;
            }
        }
        if (rep != NULL) {
            put(w, run, (size_t)((const char *)p - run));
            puts_(w, rep);
            run = (const char *)p + 1;
        }
    }
    puts_(w, run);
    put(w, "\"", 1);
}

static int is_nonfinite_mark(const json_t *v)
{
    return json_string_length(v) == NONFINITE_MARK_LEN &&
           memcmp(json_string_value(v), nonfinite_mark, NONFINITE_MARK_LEN) == 0;
}

static void write_value(gex__jwriter *w, const json_t *v);

static void write_members(gex__jwriter *w, const json_t *obj)
{
    const char *key;
    json_t *item;
    int first = 1;
    json_object_foreach((json_t *)obj, key, item)
    {
        if (!first)
            put(w, ",", 1);
        first = 0;
        write_string(w, key);
        put(w, ":", 1);
        write_value(w, item);
    }
}

static void write_value(gex__jwriter *w, const json_t *v)
{
    char buf[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        put(w, "{", 1);
        write_members(w, v);
        put(w, "}", 1);
        break;
    case JSON_ARRAY:
        put(w, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                put(w, ",", 1);
            write_value(w, json_array_get(v, i));
        }
        put(w, "]", 1);
        break;
    case JSON_STRING:
        if (is_nonfinite_mark(v)) {
            w->nonfinite++;
            puts_(w, "null");
        } else {
            write_string(w, json_string_value(v));
        }
        break;
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        puts_(w, buf);
        break;
    case JSON_REAL:
        gex__fmt_roundtrip(json_real_value(v), buf, sizeof buf);
        puts_(w, buf);
        break;
    case JSON_TRUE:
        puts_(w, "true");
        break;
    case JSON_FALSE:
        puts_(w, "false");
        break;
    default:
        puts_(w, "null");
        break;
    }
}

void gex__jwriter_raw(gex__jwriter *w, const char *text)
{
    puts_(w, text);
}

void gex__jwriter_raw_n(gex__jwriter *w, const char *text, size_t n)
{
    put(w, text, n);
}

void gex__jwriter_key(gex__jwriter *w, const char *key)
{
    write_string(w, key);
    put(w, ":", 1);
}

void gex__jwriter_num(gex__jwriter *w, double v)
{
    if (!isfinite(v)) {
        w->nonfinite++;
        puts_(w, "null");
        return;
    }
    char *at = room(w, GEX__ROUNDTRIP_SIZE); /* formatted in place */
    if (at != NULL)
        advance(w, gex__fmt_roundtrip_to(v == 0.0 ? 0.0 : v, at));
}

/* The longest string gex__jwriter_str writes in place (a longer one goes through put). */
#define PLAIN_MAX 256

void gex__jwriter_str(gex__jwriter *w, const char *s)
{
    if (s == NULL) {
        puts_(w, "null");
        return;
    }
    /* printable ASCII without a quote or a backslash, short: quoted in place as it is */
    size_t n = 0;
    for (unsigned char c;
         n < PLAIN_MAX && (c = (unsigned char)s[n]) >= 0x20 && c < 0x80 && c != '"' && c != '\\';)
        n++;
    if (s[n] == '\0') {
        char *at = room(w, n + 2);
        if (at != NULL) {
            at[0] = '"';
            memcpy(at + 1, s, n);
            at[n + 1] = '"';
            advance(w, n + 2);
        }
        return;
    }
    const unsigned char *p = (const unsigned char *)s + n;
    while (*p != '\0' && *p < 0x80)
        p++;
    if (*p == '\0') { /* ASCII: valid UTF-8 as it is, the string gex__jstr keeps */
        write_string(w, s);
        return;
    }
    json_t *v = gex__jstr(s); /* jansson's UTF-8 check, and its '?' for what fails it */
    if (v == NULL) {
        w->failed = 1;
        return;
    }
    write_value(w, v);
    json_decref(v);
}

void gex__jwriter_null(gex__jwriter *w)
{
    puts_(w, "null");
}

void gex__json_write_value(gex__jwriter *w, const json_t *value)
{
    write_value(w, value);
}

void gex__json_write_members(gex__jwriter *w, const json_t *obj)
{
    write_members(w, obj);
}

void gex__json_write(gex__jwriter *w, const json_t *doc)
{
    write_value(w, doc);
    put(w, "\n", 1);
}

int gex__jwriter_finish(gex__jwriter *w, const char *file, gex_error *err)
{
    if (w->fp != NULL)
        stream_flush(w);
    if (w->failed && w->fp != NULL)
        return gex_error_set(err, GEX_EIO, file != NULL ? file : "", 0, 0,
                             "writing the output failed: %s", strerror(w->write_errno));
    if (w->nonfinite > 0)
        return gex__nonfinite_error(err, file, w->nonfinite);
    if (w->failed)
        return gex_error_set(err, GEX_ENOMEM, file != NULL ? file : "", 0, 0,
                             "out of memory writing the JSON document");
    return GEX_OK;
}

int gex__json_emit(const json_t *doc, FILE *out, gex_error *err)
{
    gex__jwriter w = {.fp = out};
    gex__json_write(&w, doc);
    return gex__jwriter_finish(&w, NULL, err);
}

/* --- the carry of meta and of the carry document (SPEC 1.2) --- */

/* The fits of the analysis's chain, in order of settlement (NULL with *n = 0 for an empty
 * chain or when memory ran out: *failed says which). */
gex_parity_fit *gex__carry_fits(const gex__analysis *a, size_t *n, int *failed)
{
    *n = 0;
    *failed = 0;
    size_t count = 0;
    if (gex_chain_parity_fit(a->chain, NULL, 0, &count) != GEX_OK || count == 0)
        return NULL;
    gex_parity_fit *f = malloc(count * sizeof *f);
    if (f == NULL || gex_chain_parity_fit(a->chain, f, count, n) != GEX_OK) {
        free(f);
        *n = 0;
        *failed = 1;
        return NULL;
    }
    return f;
}

/* The New York date of a settlement instant, as the file's expiration reads. */
void gex__settlement_date(int64_t settlement, char *buf, size_t size)
{
    gex_time_format_date(gex_time_eastern_date(settlement), buf, size);
}

/* The carry the greeks of an expiration used: "parity" (--carry parity and a fit that holds),
 * "flat", or "expired" (T <= 0: no greeks, SPEC 1.1). */
const char *gex__carry_used(const gex__analysis *a, const gex_parity_fit *f)
{
    if (!(f->T > 0))
        return "expired";
    return gex_chain_carry_mode(a->chain) == GEX_CARRY_PARITY && f->ok ? "parity" : "flat";
}

static json_t *fit_json(const gex__analysis *a, const gex_parity_fit *f)
{
    char date[16], settle[48];
    gex__settlement_date(f->settlement, date, sizeof date);
    gex_time_format_iso(f->settlement, settle, sizeof settle);
    json_t *o = json_object();
    int st = o == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(o, "expiration", gex__jstr(date));
    st |= gex__jset(o, "settlement", gex__jstr(settle));
    st |= gex__jset(o, "T", gex__jnum(f->T));
    st |= gex__jset(o, "pairs", json_integer((json_int_t)f->pairs));
    st |= gex__jset(o, "forward", f->ok ? gex__jnum(f->forward) : json_null());
    st |= gex__jset(o, "discount", f->ok ? gex__jnum(f->discount) : json_null());
    st |= gex__jset(o, "rate", f->ok ? gex__jnum(f->rate) : json_null());
    st |= gex__jset(o, "div", f->ok ? gex__jnum(f->div) : json_null());
    st |= gex__jset(o, "residual", f->ok ? gex__jnum(f->residual) : json_null());
    st |= gex__jset(o, "used", gex__jstr(gex__carry_used(a, f)));
    if (st != GEX_OK) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The list of fits; NULL when memory ran out. */
json_t *gex__carry_fits_json(const gex__analysis *a, const gex_parity_fit *f, size_t n)
{
    json_t *list = json_array();
    int st = list == NULL ? GEX_ENOMEM : GEX_OK;
    for (size_t i = 0; i < n && st == GEX_OK; i++) {
        json_t *o = fit_json(a, &f[i]);
        st |= o != NULL && json_array_append_new(list, o) == 0 ? GEX_OK : GEX_ENOMEM;
    }
    if (st != GEX_OK) {
        json_decref(list);
        return NULL;
    }
    return list;
}

json_t *gex__carry_meta(const gex__analysis *a)
{
    const gex_carry_mode mode = gex_chain_carry_mode(a->chain);
    json_t *c = json_object();
    int st = c == NULL ? GEX_ENOMEM : GEX_OK;
    st |= gex__jset(c, "mode", gex__jstr(gex_carry_mode_name(mode)));
    if (mode == GEX_CARRY_PARITY) {
        st |= gex__jset(c, "expirations_fitted", json_integer((json_int_t)a->prepare.carry_fitted));
        st |= gex__jset(c, "expirations_flat", json_integer((json_int_t)a->prepare.carry_flat));
        size_t n = 0;
        int failed = 0;
        gex_parity_fit *f = gex__carry_fits(a, &n, &failed);
        st |= failed ? GEX_ENOMEM : GEX_OK;
        st |= gex__jset(c, "expirations", gex__carry_fits_json(a, f, n));
        free(f);
    }
    if (st != GEX_OK) {
        json_decref(c);
        return NULL;
    }
    return c;
}

json_t *gex__json_meta(const gex__analysis *a)
{
    json_t *m = json_object();
    if (m == NULL)
        return NULL;
    char version[64];
    snprintf(version, sizeof version, "gex %s", gex_version());
    int rc = gex__jset(m, "generator", gex__jstr(version));
    rc |= gex__jset(m, "file", gex__jstr(a->path));
    const char *fmt = gex_format_name(a->read.format);
    rc |= gex__jset(m, "input_format", fmt ? gex__jstr(fmt) : json_null());
    json_t *units = json_object();
    static const char *const gex_units[] = {"USD per 1% spot move", "USD per $1 spot move",
                                            "shares per $1 spot move"};
    static const char *const keys[] = {"gex", "dex", "vex", "chex", "strike"};
    const int unit = (int)gex__unit_of(a);
    const char *texts[] = {gex_units[unit >= 0 && unit < 3 ? unit : 0], "USD delta notional",
                           "USD of delta per 1 vol point", "USD of delta per calendar day", "USD"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        char text[GEX_CURRENCY_TEXT_MAX];
        rc |= gex__jset(units, keys[k],
                        gex__jstr(gex_currency_text(texts[k], a->currency, text, sizeof text)));
    }
    rc |= gex__jset(m, "units", units);
    rc |= gex__jset(m, "gex_unit", gex__jstr(gex_gex_unit_name(unit)));
    rc |= gex__jset(m, "flip_method", gex__jstr(gex_flip_method_name(gex__flip_method_of(a))));
    double rate = 0, div = 0;
    gex_analysis_carry(a->an, &rate, &div);
    rc |= gex__jset(m, "rate", gex__jnum(rate));
    rc |= gex__jset(m, "div", gex__jnum(div));
    rc |= gex__jset(m, "carry", gex__carry_meta(a));
    json_t *c = json_object();
    rc |= gex__jset(c, "total", json_integer((json_int_t)a->totals.contracts));
    rc |= gex__jset(c, "used", json_integer((json_int_t)a->totals.used));
    rc |= gex__jset(c, "filtered", json_integer((json_int_t)a->totals.filtered));
    json_t *ex = json_object();
    for (int i = 1; i < GEX_CONTRACT_STATUS_COUNT; i++)
        rc |= gex__jset(ex, gex_contract_status_name(i),
                        json_integer((json_int_t)a->totals.excluded[i]));
    rc |= gex__jset(c, "excluded", ex);
    json_t *ivs = json_object();
    rc |= gex__jset(ivs, "file", json_integer((json_int_t)a->prepare.iv_from_file));
    rc |= gex__jset(ivs, "mid", json_integer((json_int_t)a->prepare.iv_from_mid));
    rc |= gex__jset(ivs, "parity", json_integer((json_int_t)a->prepare.iv_from_parity));
    rc |= gex__jset(c, "iv_source", ivs);
    json_t *gk = json_object();
    const int file_greeks = a->totals.greeks_from_file + a->totals.greeks_file_missing > 0;
    rc |= gex__jset(gk, "source", gex__jstr(file_greeks ? "file" : "model"));
    rc |= gex__jset(gk, "from_file", json_integer((json_int_t)a->totals.greeks_from_file));
    rc |= gex__jset(gk, "missing_in_file", json_integer((json_int_t)a->totals.greeks_file_missing));
    rc |= gex__jset(c, "greeks", gk);
    const gex_exposure_exercise ex_mode = gex_exposure_get_options(a->exposure)->exercise;
    if (ex_mode != GEX_EXPOSURE_EUROPEAN) { /* only when asked: the default documents stay */
        json_t *am = json_object();
        rc |= gex__jset(am, "mode", gex__jstr(gex_exposure_exercise_name(ex_mode)));
        rc |= gex__jset(am, "american", json_integer((json_int_t)a->totals.american));
        rc |= gex__jset(am, "refused", json_integer((json_int_t)a->totals.american_refused));
        rc |= gex__jset(c, "exercise", am);
    }
    rc |= gex__jset(m, "contracts", c);
    json_t *rows = json_object();
    rc |= gex__jset(rows, "read", json_integer((json_int_t)a->read.rows));
    json_t *sk = json_object();
    for (int i = 0; i < GEX_SKIP_REASON_COUNT; i++)
        rc |= gex__jset(sk, gex_skip_reason_name(i), json_integer((json_int_t)a->read.skipped[i]));
    rc |= gex__jset(rows, "skipped", sk);
    rc |= gex__jset(m, "rows", rows);
    if (rc != GEX_OK) {
        json_decref(m);
        return NULL;
    }
    return m;
}
