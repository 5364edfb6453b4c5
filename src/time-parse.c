/*
 * Dates and quote instants as option-chain files and users write them (SPEC 1.1 and 2).
 *
 * The text is cut into tokens (numbers, words, punctuation), then read by a small grammar that
 * knows the forms real files use. Nothing here depends on the C locale (no strptime, no
 * tolower): month and weekday names are tables, case is folded by hand for ASCII and the
 * Latin-1 letters of UTF-8. The input is never read past len and need not end with a NUL.
 */
#include "gex/time.h"

#include <stdbool.h>
#include <string.h>

#include "time-internal.h"

/* The longest date line read is far shorter: "Date: Friday, September 14th, 2023 at 4:31:07
 * PM EDT" has 19 tokens. A scan stops at this many; a whole-text parse refuses longer text. */
#define MAX_TOKENS 48

/* Offsets farther than 18 hours from UTC do not exist (ISO 8601 and java.time use this
 * bound; the real extremes are -12:00 and +14:00). */
#define MAX_OFFSET_S (18 * 3600)

/* Fractional seconds are kept to the nanosecond; later digits are dropped. */
#define NS_DIGITS 9

enum tok_kind { TOK_NUM, TOK_WORD, TOK_PUNCT, TOK_MINUS };

typedef struct tok {
    enum tok_kind kind;
    bool blank_before; /* blanks separate it from the previous token */
    char c;            /* TOK_PUNCT: the character */
    size_t off, len;   /* bytes of the input */
    unsigned ndig;     /* TOK_NUM: digit count (saturating) */
    uint64_t val;      /* TOK_NUM: value (saturating) */
} tok;

typedef struct parser {
    const char *s;
    size_t len;
    tok t[MAX_TOKENS];
    int n;
    bool more; /* text continues after t[n - 1] */
    int i;     /* next token */
    const char *problem;
    size_t problem_at, problem_len;
} parser;

/* What the grammar found. */
typedef struct fields {
    bool has_year, has_time;
    int64_t year;
    int month, day;
    int weekday; /* 0 Sunday .. 6 Saturday, -1 when absent */
    size_t weekday_at, weekday_len;
    int hour, minute, second;
    int32_t ns;
    enum { ZONE_NONE, ZONE_FIXED, ZONE_EASTERN } zone;
    int offset_s;
    size_t end; /* bytes used */
} fields;

enum mode { MODE_DATE, MODE_INSTANT, MODE_SCAN };

/* ---- characters and tokens --------------------------------------------------------------- */

/* Length of a blank at s[i] (0 if none): ASCII blanks and line ends, the byte-order mark, and
 * the Unicode spaces that date formatters put between numbers and AM/PM: U+00A0, U+2009,
 * U+202F. */
static size_t blank_len(const char *s, size_t len, size_t i)
{
    const unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
        return 1;
    if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0)
        return 2;
    if (i + 2 < len) {
        const unsigned char c1 = (unsigned char)s[i + 1], c2 = (unsigned char)s[i + 2];
        if (c == 0xEF && c1 == 0xBB && c2 == 0xBF)
            return 3;
        if (c == 0xE2 && c1 == 0x80 && (c2 == 0x89 || c2 == 0xAF))
            return 3;
    }
    return 0;
}

/* Length of a minus sign other than '-' at s[i]: U+2212 MINUS SIGN (E2 88 92) and U+2013 EN
 * DASH (E2 80 93), which word processors substitute for it. */
static size_t minus_len(const char *s, size_t len, size_t i)
{
    if (i + 2 < len && (unsigned char)s[i] == 0xE2) {
        const unsigned char c1 = (unsigned char)s[i + 1], c2 = (unsigned char)s[i + 2];
        if ((c1 == 0x88 && c2 == 0x92) || (c1 == 0x80 && c2 == 0x93))
            return 3;
    }
    return 0;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_letter_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static void lex(parser *p)
{
    size_t i = 0;
    bool blank = true;
    p->n = 0;
    p->more = false;
    while (i < p->len) {
        size_t b = blank_len(p->s, p->len, i);
        if (b > 0) {
            i += b;
            blank = true;
            continue;
        }
        if (p->n == MAX_TOKENS) {
            p->more = true;
            return;
        }
        tok *t = &p->t[p->n++];
        memset(t, 0, sizeof *t);
        t->off = i;
        t->blank_before = blank;
        blank = false;
        const unsigned char c = (unsigned char)p->s[i];
        size_t m = minus_len(p->s, p->len, i);
        if (m > 0) {
            t->kind = TOK_MINUS;
            i += m;
        } else if (is_digit(c)) {
            t->kind = TOK_NUM;
            while (i < p->len && is_digit((unsigned char)p->s[i])) {
                if (t->val <= (UINT64_MAX - 9) / 10)
                    t->val = t->val * 10 + (uint64_t)(p->s[i] - '0');
                else
                    t->val = UINT64_MAX;
                if (t->ndig < 1000)
                    t->ndig++;
                i++;
            }
        } else if (is_letter_byte(c)) {
            t->kind = TOK_WORD;
            while (i < p->len && is_letter_byte((unsigned char)p->s[i]) &&
                   blank_len(p->s, p->len, i) == 0 && minus_len(p->s, p->len, i) == 0)
                i++;
        } else {
            t->kind = TOK_PUNCT;
            t->c = (char)c;
            i++;
        }
        t->len = i - t->off;
    }
}

static const tok *peek(const parser *p, int k)
{
    const int j = p->i + k;
    return j >= 0 && j < p->n ? &p->t[j] : NULL;
}

static bool punct_at(const parser *p, int k, char c)
{
    const tok *t = peek(p, k);
    return t != NULL && t->kind == TOK_PUNCT && t->c == c;
}

static bool num_at(const parser *p, int k)
{
    const tok *t = peek(p, k);
    return t != NULL && t->kind == TOK_NUM;
}

static bool sign_at(const parser *p, int k)
{
    const tok *t = peek(p, k);
    return t != NULL &&
           (t->kind == TOK_MINUS || (t->kind == TOK_PUNCT && (t->c == '+' || t->c == '-')));
}

/* Records the first problem, about token k from the current one (or the end of the text). */
static bool fail(parser *p, int k, const char *problem)
{
    if (p->problem == NULL) {
        p->problem = problem;
        const tok *t = peek(p, k);
        if (t != NULL) {
            p->problem_at = t->off;
            p->problem_len = t->len;
        } else {
            p->problem_at = p->len;
            p->problem_len = 0;
        }
    }
    return false;
}

/* ---- words --------------------------------------------------------------------------------- */

/* Case folding without the locale: ASCII, and the Latin-1 capitals of UTF-8 (C3 80 .. C3 9E,
 * except the multiplication sign C3 97), which are their small letters minus 0x20. */
static bool word_equals(const char *w, size_t len, const char *lower)
{
    size_t k = 0;
    for (; k < len; k++) {
        if (lower[k] == '\0')
            return false;
        unsigned char c = (unsigned char)w[k];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        else if (k > 0 && (unsigned char)w[k - 1] == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97)
            c = (unsigned char)(c + 0x20);
        if (c != (unsigned char)lower[k])
            return false;
    }
    return lower[k] == '\0';
}

typedef struct name {
    const char *text; /* lower case, UTF-8 */
    int value;
} name;

/* Month names and abbreviations in English, French, German, Spanish, Italian, Portuguese and
 * Dutch (CLDR's "wide" and "abbreviated" formats for those languages, and the usual
 * unaccented spellings). No two languages use one abbreviation for different months. A
 * trailing abbreviation dot is read by the grammar. */
/* clang-format off */
static const name month_names[] = {
    {"january", 1}, {"jan", 1}, {"janvier", 1}, {"janv", 1}, {"januar", 1}, {"j\xc3\xa4n", 1},
    {"j\xc3\xa4nner", 1}, {"enero", 1}, {"ene", 1}, {"gennaio", 1}, {"gen", 1}, {"janeiro", 1},
    {"januari", 1},
    {"february", 2}, {"feb", 2}, {"f\xc3\xa9vrier", 2}, {"fevrier", 2}, {"f\xc3\xa9vr", 2},
    {"fevr", 2}, {"februar", 2}, {"febrero", 2}, {"febbraio", 2}, {"fevereiro", 2}, {"fev", 2},
    {"februari", 2},
    {"march", 3}, {"mar", 3}, {"mars", 3}, {"m\xc3\xa4rz", 3}, {"maerz", 3}, {"marz", 3},
    {"m\xc3\xa4r", 3}, {"mrz", 3}, {"marzo", 3}, {"mar\xc3\xa7o", 3}, {"marco", 3}, {"maart", 3},
    {"mrt", 3},
    {"april", 4}, {"apr", 4}, {"avril", 4}, {"avr", 4}, {"abril", 4}, {"abr", 4}, {"aprile", 4},
    {"may", 5}, {"mai", 5}, {"mayo", 5}, {"maggio", 5}, {"mag", 5}, {"maio", 5}, {"mei", 5},
    {"june", 6}, {"jun", 6}, {"juni", 6}, {"juin", 6}, {"junio", 6}, {"giugno", 6}, {"giu", 6},
    {"junho", 6},
    {"july", 7}, {"jul", 7}, {"juli", 7}, {"juillet", 7}, {"juil", 7}, {"julio", 7}, {"luglio", 7},
    {"lug", 7}, {"julho", 7},
    {"august", 8}, {"aug", 8}, {"ao\xc3\xbb" "t", 8}, {"aout", 8}, {"agosto", 8}, {"ago", 8},
    {"augustus", 8},
    {"september", 9}, {"sep", 9}, {"sept", 9}, {"septembre", 9}, {"septiembre", 9},
    {"setiembre", 9}, {"settembre", 9}, {"set", 9}, {"setembro", 9},
    {"october", 10}, {"oct", 10}, {"oktober", 10}, {"okt", 10}, {"octobre", 10}, {"octubre", 10},
    {"ottobre", 10}, {"ott", 10}, {"outubro", 10}, {"out", 10},
    {"november", 11}, {"nov", 11}, {"novembre", 11}, {"noviembre", 11}, {"novembro", 11},
    {"december", 12}, {"dec", 12}, {"dezember", 12}, {"dez", 12}, {"d\xc3\xa9" "cembre", 12},
    {"decembre", 12}, {"d\xc3\xa9" "c", 12}, {"diciembre", 12}, {"dic", 12}, {"dicembre", 12},
    {"dezembro", 12},
};
/* clang-format on */

/* Weekday names: full names in the same languages, English abbreviations and German two-letter
 * ones. Other languages' abbreviations are left out because they collide with months ("mar" is
 * March and, in French and Spanish, Tuesday). Portuguese "segunda-feira" is read as "segunda"
 * and an optional "-feira". */
/* clang-format off */
static const name weekday_names[] = {
    {"sunday", 0}, {"sun", 0}, {"sonntag", 0}, {"so", 0}, {"dimanche", 0}, {"domingo", 0},
    {"domenica", 0}, {"zondag", 0},
    {"monday", 1}, {"mon", 1}, {"montag", 1}, {"mo", 1}, {"lundi", 1}, {"lunes", 1},
    {"luned\xc3\xac", 1}, {"lunedi", 1}, {"segunda", 1}, {"maandag", 1},
    {"tuesday", 2}, {"tue", 2}, {"tues", 2}, {"dienstag", 2}, {"di", 2}, {"mardi", 2},
    {"martes", 2}, {"marted\xc3\xac", 2}, {"martedi", 2}, {"ter\xc3\xa7" "a", 2}, {"terca", 2},
    {"dinsdag", 2},
    {"wednesday", 3}, {"wed", 3}, {"mittwoch", 3}, {"mi", 3}, {"mercredi", 3},
    {"mi\xc3\xa9rcoles", 3}, {"miercoles", 3}, {"mercoled\xc3\xac", 3}, {"mercoledi", 3},
    {"quarta", 3}, {"woensdag", 3},
    {"thursday", 4}, {"thu", 4}, {"thur", 4}, {"thurs", 4}, {"donnerstag", 4}, {"do", 4},
    {"jeudi", 4}, {"jueves", 4}, {"gioved\xc3\xac", 4}, {"giovedi", 4}, {"quinta", 4},
    {"donderdag", 4},
    {"friday", 5}, {"fri", 5}, {"freitag", 5}, {"fr", 5}, {"vendredi", 5}, {"viernes", 5},
    {"venerd\xc3\xac", 5}, {"venerdi", 5}, {"sexta", 5}, {"vrijdag", 5},
    {"saturday", 6}, {"sat", 6}, {"samstag", 6}, {"sonnabend", 6}, {"sa", 6}, {"samedi", 6},
    {"s\xc3\xa1" "bado", 6}, {"sabado", 6}, {"sabato", 6}, {"zaterdag", 6},
};
/* clang-format on */

/* Zone names gex reads, with their fixed offsets (a name is taken literally: "EST" in June is
 * UTC-5); ET, "Eastern" and EST5EDT mean New York time with daylight saving by date
 * (ZONE_EASTERN_NAME). The list holds the North American names a US market file uses and the
 * Western European ones a user there writes; CST is North American Central time, as in every
 * US market file. Any other name, including ambiguous ones (IST), is refused, never guessed. */
#define ZONE_EASTERN_NAME INT32_MIN
static const name zone_names[] = {
    {"utc", 0},
    {"ut", 0},
    {"gmt", 0},
    {"z", 0},
    {"est", -5 * 3600},
    {"edt", -4 * 3600},
    {"et", ZONE_EASTERN_NAME},
    {"eastern", ZONE_EASTERN_NAME},
    {"cst", -6 * 3600},
    {"cdt", -5 * 3600},
    {"mst", -7 * 3600},
    {"mdt", -6 * 3600},
    {"pst", -8 * 3600},
    {"pdt", -7 * 3600},
    {"wet", 0},
    {"west", 1 * 3600},
    {"bst", 1 * 3600},
    {"cet", 1 * 3600},
    {"cest", 2 * 3600},
    {"mez", 1 * 3600},
    {"mesz", 2 * 3600},
};

/* Words between a date and its time: English "at", "@", German "um", French "a" with a grave
 * accent, Spanish "a las", Italian "alle ore", Portuguese "as" with a grave accent (or
 * without), Dutch "om". */
static const name connector_names[] = {
    {"at", 0},   {"um", 0},  {"\xc3\xa0", 0},  {"a", 0},  {"las", 0},
    {"alle", 0}, {"ore", 0}, {"\xc3\xa0s", 0}, {"as", 0}, {"om", 0},
};

/* Labels before a date line: "Date:", German "Datum:", Spanish "Fecha:", Italian and
 * Portuguese "Data:". */
static const name label_names[] = {{"date", 0}, {"datum", 0}, {"fecha", 0}, {"data", 0}};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int lookup(const name *table, int count, const char *w, size_t len, int *value)
{
    for (int k = 0; k < count; k++) {
        if (word_equals(w, len, table[k].text)) {
            if (value != NULL)
                *value = table[k].value;
            return 1;
        }
    }
    return 0;
}

static bool word_in(const parser *p, int k, const name *table, int count, int *value)
{
    const tok *t = peek(p, k);
    return t != NULL && t->kind == TOK_WORD && lookup(table, count, p->s + t->off, t->len, value);
}

static bool word_is(const parser *p, int k, const char *lower)
{
    const tok *t = peek(p, k);
    return t != NULL && t->kind == TOK_WORD && word_equals(p->s + t->off, t->len, lower);
}

int gex_time_month_from_name(const char *s, size_t len)
{
    if (s == NULL)
        return 0;
    while (len > 0 && blank_len(s, len, 0) > 0) {
        const size_t b = blank_len(s, len, 0);
        s += b;
        len -= b;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len > 0 && s[len - 1] == '.')
        len--;
    int month;
    return lookup(month_names, COUNT(month_names), s, len, &month) ? month : 0;
}

/* ---- grammar -------------------------------------------------------------------------------- */

/* A month word at k, with its optional abbreviation dot. */
static bool take_month(parser *p, int *month)
{
    if (!word_in(p, 0, month_names, COUNT(month_names), month))
        return false;
    p->i++;
    if (punct_at(p, 0, '.') && !peek(p, 0)->blank_before)
        p->i++;
    return true;
}

/* English ordinal suffix after a day number ("14th"), checked against the number. */
static bool take_ordinal(parser *p, uint64_t day)
{
    const tok *t = peek(p, 0);
    if (t == NULL || t->kind != TOK_WORD || t->blank_before)
        return true;
    const char *want = "th";
    if (day % 100 < 11 || day % 100 > 13)
        want = day % 10 == 1 ? "st" : day % 10 == 2 ? "nd" : day % 10 == 3 ? "rd" : "th";
    if (word_is(p, 0, "st") || word_is(p, 0, "nd") || word_is(p, 0, "rd") || word_is(p, 0, "th")) {
        if (!word_is(p, 0, want))
            return fail(p, 0, "the ordinal suffix does not match the day");
        p->i++;
    }
    return true;
}

/* A day-of-month number token (1 or 2 digits). */
static bool day_num_at(const parser *p, int k)
{
    const tok *t = peek(p, k);
    return t != NULL && t->kind == TOK_NUM && t->ndig <= 2;
}

/* A number at k that stands where a year would and is not a time ("2023", "23", but not
 * "20:23", "4 PM" or "21h46"). Its digit count is checked by take_year. */
static bool year_at(const parser *p, int k)
{
    const tok *t = peek(p, k);
    if (t == NULL || t->kind != TOK_NUM || t->ndig < 2)
        return false;
    return !punct_at(p, k + 1, ':') && !word_is(p, k + 1, "h") && !word_is(p, k + 1, "am") &&
           !word_is(p, k + 1, "pm") &&
           !((word_is(p, k + 1, "a") || word_is(p, k + 1, "p")) && punct_at(p, k + 2, '.'));
}

static bool take_year(parser *p, fields *f)
{
    const tok *t = peek(p, 0);
    if (t->ndig == 2)
        return fail(p, 0, "two-digit year: the year must be written in full");
    if (t->ndig != 4)
        return fail(p, 0, "the year is not a four-digit number");
    f->year = (int64_t)t->val;
    f->has_year = true;
    p->i++;
    return true;
}

static bool take_weekday(parser *p, fields *f)
{
    int wd;
    if (!word_in(p, 0, weekday_names, COUNT(weekday_names), &wd))
        return true;
    f->weekday = wd;
    f->weekday_at = peek(p, 0)->off;
    f->weekday_len = peek(p, 0)->len;
    p->i++;
    if (punct_at(p, 0, '-') && word_is(p, 1, "feira"))
        p->i += 2;
    if (punct_at(p, 0, '.') && !peek(p, 0)->blank_before)
        p->i++;
    if (punct_at(p, 0, ','))
        p->i++;
    return true;
}

/* Reads the date; *iso is set for the ISO forms (which take 'T' before the time). */
static bool take_date(parser *p, fields *f, bool *iso)
{
    *iso = false;
    const tok *a = peek(p, 0);
    if (a == NULL)
        return fail(p, 0, "no date");
    if (a->kind == TOK_NUM && punct_at(p, 1, ':'))
        return fail(p, 0, "a time where the date was expected (the date must come first)");
    if (a->kind == TOK_NUM && a->ndig == 8) {
        /* YYYYMMDD */
        f->year = (int64_t)(a->val / 10000);
        f->month = (int)(a->val / 100 % 100);
        f->day = (int)(a->val % 100);
        f->has_year = true;
        *iso = true;
        p->i++;
        return true;
    }
    if (a->kind == TOK_NUM && a->ndig == 4 && (punct_at(p, 1, '-') || punct_at(p, 1, '/'))) {
        /* YYYY-MM-DD, YYYY/MM/DD */
        const char sep = peek(p, 1)->c;
        if (!day_num_at(p, 2) || !punct_at(p, 3, sep) || !day_num_at(p, 4))
            return fail(p, 0, "a date starting with a year must read YYYY-MM-DD");
        f->year = (int64_t)a->val;
        f->month = (int)peek(p, 2)->val;
        f->day = (int)peek(p, 4)->val;
        f->has_year = true;
        *iso = sep == '-';
        p->i += 5;
        return true;
    }
    if (a->kind == TOK_NUM && a->ndig <= 2 &&
        ((punct_at(p, 1, '/') && num_at(p, 2)) || (punct_at(p, 1, '.') && num_at(p, 2)))) {
        /* MM/DD/YYYY (US order, as CBOE writes it) or DD.MM.YYYY (German order) */
        const char sep = peek(p, 1)->c;
        if (!day_num_at(p, 2) || !punct_at(p, 3, sep) || !num_at(p, 4))
            return fail(p, 0,
                        sep == '/' ? "a date with slashes must read MM/DD/YYYY"
                                   : "a date with dots must read DD.MM.YYYY");
        const int first = (int)a->val, second = (int)peek(p, 2)->val;
        f->month = sep == '/' ? first : second;
        f->day = sep == '/' ? second : first;
        p->i += 4;
        return take_year(p, f);
    }
    if (a->kind == TOK_NUM && a->ndig <= 2 && punct_at(p, 1, '-')) {
        /* DD-Mon-YYYY */
        p->i += 2;
        if (!take_month(p, &f->month))
            return fail(p, 0, "unknown month name");
        f->day = (int)a->val;
        if (!punct_at(p, 0, '-') || !num_at(p, 1))
            return fail(p, 0, "a date with dashes must read DD-Mon-YYYY");
        p->i++;
        return take_year(p, f);
    }
    if (a->kind == TOK_NUM && a->ndig <= 2) {
        /* Day first: "9 June 2023", "22. Maerz 2024", "22 de marzo de 2024" */
        const uint64_t day = a->val;
        p->i++;
        if (!take_ordinal(p, day))
            return false;
        if (punct_at(p, 0, '.'))
            p->i++;
        if (word_is(p, 0, "de"))
            p->i++;
        if (!take_month(p, &f->month))
            return fail(p, 0,
                        peek(p, 0) != NULL && peek(p, 0)->kind == TOK_WORD
                            ? "unknown month name"
                            : "no month after the day");
        f->day = (int)day;
        if (punct_at(p, 0, ',') && year_at(p, 1))
            p->i++;
        if ((word_is(p, 0, "de") || word_is(p, 0, "del")) && num_at(p, 1))
            p->i++;
        if (year_at(p, 0))
            return take_year(p, f);
        return true;
    }
    if (a->kind == TOK_NUM)
        return fail(p, 0,
                    "a number that starts no date form (YYYY-MM-DD, YYYYMMDD, MM/DD/YYYY, "
                    "22 March 2024)");
    if (a->kind == TOK_WORD) {
        /* Month first: "September 14, 2023", "Mar 22 2024", "Jun 22 2020" */
        if (!take_month(p, &f->month))
            return fail(p, 0, "unknown month name or word where a date was expected");
        if (!day_num_at(p, 0))
            return fail(p, 0, "no day of the month after the month");
        const uint64_t day = peek(p, 0)->val;
        f->day = (int)day;
        p->i++;
        if (!take_ordinal(p, day))
            return false;
        if (punct_at(p, 0, ',') && year_at(p, 1))
            p->i++;
        if (year_at(p, 0))
            return take_year(p, f);
        return true;
    }
    return fail(p, 0, "no date");
}

/* Fraction digits of a seconds field, as nanoseconds (later digits dropped). */
static int32_t fraction_ns(const parser *p, const tok *t)
{
    int32_t ns = 0;
    for (unsigned k = 0; k < NS_DIGITS; k++)
        ns = ns * 10 + (k < t->len ? p->s[t->off + k] - '0' : 0);
    return ns;
}

/* "AM", "pm", "a.m.", "P.M." */
static int take_ampm(parser *p)
{
    if (word_is(p, 0, "am") || word_is(p, 0, "pm")) {
        const int pm = word_is(p, 0, "pm");
        p->i++;
        if (punct_at(p, 0, '.') && !peek(p, 0)->blank_before)
            p->i++;
        return pm ? 2 : 1;
    }
    if ((word_is(p, 0, "a") || word_is(p, 0, "p")) && punct_at(p, 1, '.') && word_is(p, 2, "m") &&
        !peek(p, 1)->blank_before && !peek(p, 2)->blank_before) {
        const int pm = word_is(p, 0, "p");
        p->i += 3;
        if (punct_at(p, 0, '.') && !peek(p, 0)->blank_before)
            p->i++;
        return pm ? 2 : 1;
    }
    return 0;
}

/* Reads a time of day if one starts here. Returns false only on a malformed time. */
static bool take_time(parser *p, fields *f, bool after_t)
{
    const tok *h = peek(p, 0);
    if (h == NULL || h->kind != TOK_NUM)
        return true;
    uint64_t hour, minute = 0, second = 0;
    bool has_seconds = false;
    if (after_t && (h->ndig == 4 || h->ndig == 6) && !punct_at(p, 1, ':')) {
        /* ISO basic format after 'T': HHMM or HHMMSS */
        const uint64_t v = h->ndig == 4 ? h->val * 100 : h->val;
        hour = v / 10000;
        minute = v / 100 % 100;
        second = v % 100;
        has_seconds = h->ndig == 6;
        p->i++;
    } else if (h->ndig <= 2 && punct_at(p, 1, ':')) {
        const tok *m = peek(p, 2);
        if (m == NULL || m->kind != TOK_NUM || m->ndig != 2)
            return fail(p, 2, "the minutes must be two digits");
        hour = h->val;
        minute = m->val;
        p->i += 3;
        if (punct_at(p, 0, ':')) {
            const tok *s = peek(p, 1);
            if (s == NULL || s->kind != TOK_NUM || s->ndig != 2)
                return fail(p, 1, "the seconds must be two digits");
            second = s->val;
            has_seconds = true;
            p->i += 2;
        }
    } else if (h->ndig <= 2 && word_is(p, 1, "h") && !peek(p, 1)->blank_before && num_at(p, 2) &&
               peek(p, 2)->ndig == 2 && !peek(p, 2)->blank_before) {
        /* French "21h46" */
        hour = h->val;
        minute = peek(p, 2)->val;
        p->i += 3;
    } else if (h->ndig <= 2 && (word_is(p, 1, "am") || word_is(p, 1, "pm") || word_is(p, 1, "a") ||
                                word_is(p, 1, "p"))) {
        /* "4 PM" */
        hour = h->val;
        p->i++;
    } else {
        return true; /* not a time */
    }
    f->has_time = true;
    /* A fraction only of seconds: ISO's fractions of minutes or hours are not read. */
    if (has_seconds && punct_at(p, 0, '.') && num_at(p, 1) && !peek(p, 0)->blank_before &&
        !peek(p, 1)->blank_before) {
        f->ns = fraction_ns(p, peek(p, 1));
        p->i += 2;
    }
    const int ampm = take_ampm(p);
    if (ampm != 0) {
        if (hour < 1 || hour > 12)
            return fail(p, -1, "a 12-hour time needs an hour from 1 to 12 before AM or PM");
        hour = hour % 12 + (ampm == 2 ? 12 : 0);
    }
    if (hour > 23)
        return fail(p, -1, "the hour is out of range (0-23)");
    if (minute > 59)
        return fail(p, -1, "the minutes are out of range (0-59)");
    if (second > 59)
        return fail(p, -1, "the seconds are out of range (0-59; leap seconds are not read)");
    f->hour = (int)hour;
    f->minute = (int)minute;
    f->second = (int)second;
    if (word_is(p, 0, "uhr") || (word_is(p, 0, "h") && ampm == 0))
        p->i++;
    return true;
}

/* A numeric offset after a sign: "+00:00", "-0400", "-4", "+5:30", U+2212 as the sign. */
static bool take_offset(parser *p, fields *f)
{
    const tok *sg = peek(p, 0);
    const int sign = (sg->kind == TOK_PUNCT && sg->c == '+') ? 1 : -1;
    const tok *n = peek(p, 1);
    uint64_t hours, minutes = 0;
    if (n->ndig <= 2) {
        hours = n->val;
        p->i += 2;
        if (punct_at(p, 0, ':') && num_at(p, 1) && !peek(p, 0)->blank_before) {
            if (peek(p, 1)->ndig != 2)
                return fail(p, 1, "the offset's minutes must be two digits");
            minutes = peek(p, 1)->val;
            p->i += 2;
        }
    } else if (n->ndig == 4) {
        hours = n->val / 100;
        minutes = n->val % 100;
        p->i += 2;
    } else {
        return fail(p, 1, "a UTC offset must be a sign and hours (+HH:MM, -HHMM, -5)");
    }
    if (minutes > 59 || hours * 3600 + minutes * 60 > MAX_OFFSET_S)
        return fail(p, -1, "the UTC offset is out of range (at most 18 hours)");
    f->zone = ZONE_FIXED;
    f->offset_s = sign * (int)(hours * 3600 + minutes * 60);
    return true;
}

/* A sign followed, without a blank, by a number. */
static bool offset_at(const parser *p, int k)
{
    return sign_at(p, k) && num_at(p, k + 1) && !peek(p, k + 1)->blank_before;
}

static bool take_zone(parser *p, fields *f)
{
    if (offset_at(p, 0))
        return take_offset(p, f);
    const tok *t = peek(p, 0);
    if (t == NULL || t->kind != TOK_WORD)
        return true;
    /* "EST5EDT", the POSIX name of US Eastern time with its rules */
    if (word_is(p, 0, "est") && num_at(p, 1) && peek(p, 1)->val == 5 && peek(p, 1)->ndig == 1 &&
        !peek(p, 1)->blank_before && word_is(p, 2, "edt") && !peek(p, 2)->blank_before) {
        p->i += 3;
        f->zone = ZONE_EASTERN;
        return true;
    }
    int offset;
    if (!lookup(zone_names, COUNT(zone_names), p->s + t->off, t->len, &offset))
        return fail(p, 0, "unknown time zone name");
    p->i++;
    if (offset == ZONE_EASTERN_NAME) {
        f->zone = ZONE_EASTERN;
        return true;
    }
    f->zone = ZONE_FIXED;
    f->offset_s = offset;
    /* "UTC-4", "GMT+1": an offset from UTC written after its name */
    if (offset == 0 && !word_is(p, -1, "z") && offset_at(p, 0)) {
        if (!take_offset(p, f))
            return false;
    }
    return true;
}

/* Skips quotes (a date line can be a quoted CSV field). */
static void skip_quotes(parser *p)
{
    while (punct_at(p, 0, '"') || punct_at(p, 0, '\''))
        p->i++;
}

static size_t end_of_previous(const parser *p)
{
    return p->i > 0 ? p->t[p->i - 1].off + p->t[p->i - 1].len : 0;
}

static bool parse_fields(parser *p, enum mode mode, fields *f)
{
    memset(f, 0, sizeof *f);
    f->weekday = -1;
    lex(p);
    p->i = 0;
    if (p->n == 0)
        return fail(p, 0, "empty text where a date was expected");
    if (p->more && mode != MODE_SCAN)
        return fail(p, MAX_TOKENS - 1, "text too long to be a date");
    skip_quotes(p);
    if (mode != MODE_DATE && word_in(p, 0, label_names, COUNT(label_names), NULL) &&
        punct_at(p, 1, ':')) {
        p->i += 2;
        skip_quotes(p);
    }
    if (!take_weekday(p, f))
        return false;
    bool iso;
    if (!take_date(p, f, &iso))
        return false;
    if (mode == MODE_DATE) {
        /* An expiration may carry a midnight time ("2026-02-11 00:00:00" as pandas writes
         * dates, "2026-02-11T00:00:00.000Z" as JavaScript does), with any zone: the date is
         * the one written. Any other time is a sign that the column is not an expiration
         * date, or that a program shifted a local midnight to another zone: refused. */
        bool after_t = false;
        if (iso && word_is(p, 0, "t") && !peek(p, 0)->blank_before) {
            p->i++;
            after_t = true;
        }
        if (!take_time(p, f, after_t))
            return false;
        if (after_t && !f->has_time)
            return fail(p, 0, "no time of day after 'T'");
        if (f->has_time && (f->hour != 0 || f->minute != 0 || f->second != 0 || f->ns != 0))
            return fail(p, -1, "an expiration date carries a time of day other than midnight");
        if (f->has_time && !take_zone(p, f))
            return false;
    } else {
        const int before = p->i;
        bool after_t = false;
        if (iso && word_is(p, 0, "t") && !peek(p, 0)->blank_before) {
            p->i++;
            after_t = true;
        } else if (!iso) {
            if (punct_at(p, 0, ','))
                p->i++;
            for (int k = 0; k < 3; k++) {
                if (punct_at(p, 0, '@') ||
                    word_in(p, 0, connector_names, COUNT(connector_names), NULL))
                    p->i++;
            }
        }
        if (!take_time(p, f, after_t))
            return false;
        if (!f->has_time) {
            if (after_t)
                return fail(p, 0, "no time of day after 'T'");
            p->i = before;
        } else {
            if (!take_zone(p, f))
                return false;
            /* "Tue Nov 24 01:01:51 UTC 2026" (date(1), asctime): the year comes last */
            if (!f->has_year && year_at(p, 0) && peek(p, 0)->ndig == 4) {
                if (!take_year(p, f))
                    return false;
            }
        }
    }
    f->end = end_of_previous(p);
    if (mode != MODE_SCAN) {
        skip_quotes(p);
        if (p->i < p->n)
            return fail(p, 0,
                        mode == MODE_DATE ? "unexpected text after the date"
                                          : "unexpected text after the date and time");
    }
    return true;
}

/* Checks the date's calendar facts; the problem covers the whole date. */
static bool check_date(parser *p, const fields *f)
{
    const char *problem = NULL;
    if (f->month < 1 || f->month > 12)
        problem = "the month is out of range (1-12)";
    else if (f->day < 1 || f->day > gex__days_in_month(f->has_year ? f->year : 2000, f->month))
        problem = "no such day in that month";
    if (problem == NULL && f->has_year && f->weekday >= 0 &&
        gex__weekday(gex__days_from_civil64(f->year, f->month, f->day)) != f->weekday) {
        p->problem = "the weekday does not match the date";
        p->problem_at = f->weekday_at;
        p->problem_len = f->weekday_len;
        return false;
    }
    if (problem != NULL) {
        p->problem = problem;
        p->problem_at = 0;
        p->problem_len = f->end;
        return false;
    }
    return true;
}

static void info_fail(gex_instant_info *info, const parser *p)
{
    if (info == NULL)
        return;
    info->problem = p->problem;
    info->problem_at = p->problem_at;
    info->problem_len = p->problem_len;
}

int gex_time_parse_date_ex(const char *s, size_t len, int32_t *day, gex_instant_info *info)
{
    if (info != NULL)
        memset(info, 0, sizeof *info);
    if (day == NULL)
        return GEX_EINVAL;
    parser p = {.s = s, .len = s == NULL ? 0 : len};
    fields f;
    if (!parse_fields(&p, MODE_DATE, &f) || !check_date(&p, &f)) {
        info_fail(info, &p);
        return GEX_EPARSE;
    }
    if (!f.has_year) {
        p.problem = "the date has no year";
        p.problem_at = 0;
        p.problem_len = f.end;
        info_fail(info, &p);
        return GEX_EPARSE;
    }
    *day = (int32_t)gex__days_from_civil64(f.year, f.month, f.day);
    if (info != NULL) {
        info->has_year = 1;
        info->end = f.end;
    }
    return GEX_OK;
}

int gex_time_parse_date(const char *s, size_t len, int32_t *day)
{
    return gex_time_parse_date_ex(s, len, day, NULL);
}

static int parse_instant(const char *s, size_t len, int zone_default, int64_t *utc,
                         gex_instant_info *info, enum mode mode)
{
    if (info != NULL)
        memset(info, 0, sizeof *info);
    if (utc == NULL || (zone_default != GEX_ZONE_EASTERN &&
                        (zone_default < -MAX_OFFSET_S || zone_default > MAX_OFFSET_S)))
        return GEX_EINVAL;
    parser p = {.s = s, .len = s == NULL ? 0 : len};
    fields f;
    if (!parse_fields(&p, mode, &f) || !check_date(&p, &f)) {
        info_fail(info, &p);
        return GEX_EPARSE;
    }
    if (info != NULL) {
        info->has_zone = f.zone != ZONE_NONE;
        info->has_year = f.has_year;
        info->has_time = f.has_time;
        info->nanoseconds = f.ns;
        info->end = f.end;
    }
    if (!f.has_year) {
        if (info != NULL) {
            info->problem = "the date has no year";
            info->problem_at = 0;
            info->problem_len = f.end;
        }
        return GEX_ENOTIME;
    }
    const int64_t day = gex__days_from_civil64(f.year, f.month, f.day);
    const int sod = f.hour * 3600 + f.minute * 60 + f.second;
    int64_t t;
    if (f.zone == ZONE_EASTERN || (f.zone == ZONE_NONE && zone_default == GEX_ZONE_EASTERN)) {
        t = gex_time_eastern_to_utc((int32_t)day, sod);
    } else {
        const int offset = f.zone == ZONE_FIXED ? f.offset_s : zone_default;
        t = day * GEX_SECONDS_PER_DAY + sod - offset;
    }
    *utc = t;
    if (info != NULL)
        info->utc_offset_s = (int)(day * GEX_SECONDS_PER_DAY + sod - t);
    return GEX_OK;
}

int gex_time_parse_instant(const char *s, size_t len, int zone_default, int64_t *utc,
                           gex_instant_info *info)
{
    return parse_instant(s, len, zone_default, utc, info, MODE_INSTANT);
}

int gex_time_scan_instant(const char *s, size_t len, int zone_default, int64_t *utc,
                          gex_instant_info *info)
{
    return parse_instant(s, len, zone_default, utc, info, MODE_SCAN);
}

/* "@1695266262": seconds since the epoch, as GNU date(1) reads them. */
static int parse_epoch(const char *s, size_t len, int64_t *utc, gex_instant_info *info)
{
    size_t i = 1;
    bool negative = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        negative = s[i] == '-';
        i++;
    }
    const size_t first = i;
    int64_t v = 0;
    for (; i < len && is_digit((unsigned char)s[i]); i++) {
        if (v > (INT64_MAX - 9) / 10) {
            if (info != NULL) {
                info->problem = "the number of seconds is too large";
                info->problem_at = first;
                info->problem_len = len - first;
            }
            return GEX_EPARSE;
        }
        v = v * 10 + (s[i] - '0');
    }
    size_t end = i;
    while (i < len && blank_len(s, len, i) > 0)
        i += blank_len(s, len, i);
    if (i == first || i < len) {
        if (info != NULL) {
            info->problem = "after '@', only a whole number of seconds since 1970 is read";
            info->problem_at = first;
            info->problem_len = len - first;
        }
        return GEX_EPARSE;
    }
    /* Past 9999-12-31T23:59:59Z (or as far before 1970): no quote instant, and most likely a
     * count of milliseconds (JavaScript's Date.now()), which @ does not read. */
    if (v > 253402300799) {
        if (info != NULL) {
            info->problem = "the number of seconds is past the year 9999: milliseconds? @ reads "
                            "seconds since 1970";
            info->problem_at = first;
            info->problem_len = end - first;
        }
        return GEX_EPARSE;
    }
    *utc = negative ? -v : v;
    if (info != NULL) {
        info->has_zone = info->has_year = info->has_time = 1;
        info->end = end;
    }
    return GEX_OK;
}

int gex_time_parse_now(const char *s, size_t len, int64_t *utc, gex_instant_info *info)
{
    if (info != NULL)
        memset(info, 0, sizeof *info);
    if (utc == NULL)
        return GEX_EINVAL;
    if (s == NULL)
        len = 0;
    size_t i = 0;
    while (i < len && blank_len(s, len, i) > 0)
        i += blank_len(s, len, i);
    gex_instant_info local;
    memset(&local, 0, sizeof local);
    int64_t t = 0;
    int rc;
    if (i < len && s[i] == '@') {
        rc = parse_epoch(s + i, len - i, &t, &local);
        if (local.problem != NULL)
            local.problem_at += i;
        if (rc == GEX_OK)
            local.end += i;
    } else {
        rc = gex_time_parse_instant(s, len, GEX_ZONE_EASTERN, &t, &local);
        if (rc == GEX_OK && !local.has_time) {
            local.problem = "a time of day is needed as well as the date (16:00 for the close)";
            local.problem_at = 0;
            local.problem_len = local.end;
            rc = GEX_EPARSE;
        } else if (rc == GEX_ENOTIME) {
            rc = GEX_EPARSE;
        }
    }
    /* GEX__TIME_RANGE_PROBLEM (the text forms cannot write an instant past 9999) */
    if (rc == GEX_OK && (t < GEX_TIME_FIRST_UTC || t > GEX_TIME_LAST_UTC)) {
        local.problem = GEX__TIME_RANGE_PROBLEM;
        local.problem_at = 0;
        local.problem_len = local.end;
        rc = GEX_EPARSE;
    }
    if (info != NULL)
        *info = local;
    if (rc == GEX_OK)
        *utc = t;
    return rc;
}

int gex_time_instant_is_day(const gex_instant_info *info, int64_t utc, int zone_default)
{
    if (info == NULL)
        return 0;
    if (!info->has_time)
        return 1;
    const int64_t local = utc + info->utc_offset_s;
    return zone_default == GEX_ZONE_EASTERN && !info->has_zone && info->nanoseconds == 0 &&
           local % GEX_SECONDS_PER_DAY == 0;
}

int gex_time_parse_day_or_instant(const char *s, size_t len, int32_t *day, int64_t *utc)
{
    gex_instant_info info;
    int64_t t = 0;
    const int instant = gex_time_parse_instant(s, len, GEX_ZONE_EASTERN, &t, &info) == GEX_OK;
    if (instant && !gex_time_instant_is_day(&info, t, GEX_ZONE_EASTERN)) {
        *utc = t;
        return 2;
    }
    if (gex_time_parse_date(s, len, day) == GEX_OK)
        return 1;
    if (instant) { /* a day's midnight in a form no date reads */
        *utc = t;
        return 2;
    }
    return 0;
}
