/*
 * format-json.c: JSON documents are built with jansson and written here, compactly (as the
 * vendor's responses are), with every real number in the shortest form that reads back to the
 * same double (so 749.8 stays 749.8 and computed values keep all 17 digits they need), and
 * integral values without a fraction, as the vendor prints strikes and open interest.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

size_t gex__nonfinite = 0;

json_t *gex__jnum(double v)
{
    if (!isfinite(v)) {
        gex__nonfinite++;
        return json_null();
    }
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

static void write_string(const char *s, FILE *out)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void write_value(const json_t *v, FILE *out)
{
    char buf[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        int first = 1;
        fputc('{', out);
        json_object_foreach((json_t *)v, key, item)
        {
            if (!first)
                fputc(',', out);
            first = 0;
            write_string(key, out);
            fputc(':', out);
            write_value(item, out);
        }
        fputc('}', out);
        break;
    }
    case JSON_ARRAY:
        fputc('[', out);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                fputc(',', out);
            write_value(json_array_get(v, i), out);
        }
        fputc(']', out);
        break;
    case JSON_STRING:
        write_string(json_string_value(v), out);
        break;
    case JSON_INTEGER:
        fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        gex__fmt_roundtrip(json_real_value(v), buf, sizeof buf);
        fputs(buf, out);
        break;
    case JSON_TRUE:
        fputs("true", out);
        break;
    case JSON_FALSE:
        fputs("false", out);
        break;
    default:
        fputs("null", out);
        break;
    }
}

void gex__json_write_value(const json_t *value, FILE *out)
{
    write_value(value, out);
}

void gex__json_write_members(const json_t *obj, FILE *out)
{
    const char *key;
    json_t *item;
    int first = 1;
    json_object_foreach((json_t *)obj, key, item)
    {
        if (!first)
            fputc(',', out);
        first = 0;
        write_string(key, out);
        fputc(':', out);
        write_value(item, out);
    }
}

int gex__json_write(const json_t *doc, FILE *out)
{
    write_value(doc, out);
    fputc('\n', out);
    return ferror(out) ? GEX_EIO : GEX_OK;
}

json_t *gex__json_meta(const gex__options *opts, const gex__analysis *a)
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
    const int unit = (int)opts->analysis.exposure.gex_unit;
    rc |= gex__jset(units, "gex", gex__jstr(gex_units[unit >= 0 && unit < 3 ? unit : 0]));
    rc |= gex__jset(units, "dex", gex__jstr("USD delta notional"));
    rc |= gex__jset(units, "vex", gex__jstr("USD of delta per 1 vol point"));
    rc |= gex__jset(units, "chex", gex__jstr("USD of delta per calendar day"));
    rc |= gex__jset(units, "strike", gex__jstr("USD"));
    rc |= gex__jset(m, "units", units);
    rc |= gex__jset(m, "gex_unit", gex__jstr(gex_gex_unit_name(unit)));
    rc |= gex__jset(m, "flip_method", gex__jstr(gex_flip_method_name(opts->analysis.flip_method)));
    double rate = 0, div = 0;
    gex_analysis_carry(a->an, &rate, &div);
    rc |= gex__jset(m, "rate", gex__jnum(rate));
    rc |= gex__jset(m, "div", gex__jnum(div));
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
    rc |= gex__jset(c, "iv_source", ivs);
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
