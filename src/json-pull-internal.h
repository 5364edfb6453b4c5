/*
 * json-pull-internal.h: a pull tokenizer of JSON (RFC 8259) over an input read in chunks
 * (json-pull.c), for the streaming chain readers: one token at a time, the structure checked as
 * it goes, memory of one buffer whatever the document's size. Not installed.
 */
#ifndef GEX_JSON_PULL_INTERNAL_H
#define GEX_JSON_PULL_INTERNAL_H

#include <stddef.h>

/* The chunks of the input: up to size bytes into buffer, their count returned (0 at the end). */
typedef size_t (*gex__chunk_fn)(void *buffer, size_t size, void *data);

typedef enum gex__jtok {
    GEX__JTOK_END = 0, /* the document ended (once, after its one value) */
    GEX__JTOK_ERROR,   /* malformed or unreadable: gex__json.error says why, at line/column */
    GEX__JTOK_OBJECT,  /* '{' */
    GEX__JTOK_OBJECT_END,
    GEX__JTOK_ARRAY, /* '[' */
    GEX__JTOK_ARRAY_END,
    GEX__JTOK_KEY,    /* an object's key: text, len (unescaped) */
    GEX__JTOK_STRING, /* text, len (unescaped; may hold NUL bytes) */
    GEX__JTOK_NUMBER, /* text, len: the number as written (not NUL-terminated) */
    GEX__JTOK_TRUE,
    GEX__JTOK_FALSE,
    GEX__JTOK_NULL,
} gex__jtok;

/* Containers nested deeper than this are refused (a hostile document cannot exhaust anything). */
#define GEX__JSON_DEPTH_MAX 256
/* The longest string or number token: 16 MiB. Chain documents hold symbols, dates and numbers
 * of tens of bytes; a longer token is not a chain's. */
#define GEX__JSON_TOKEN_MAX ((size_t)16 << 20)
/* The longest number: 127 characters (a double needs 24; ns timestamps 19). */
#define GEX__JSON_NUMBER_MAX 127
/* The bytes of a key gex__json_member keeps when it reads the member by the general path (the
 * readers match keys of a few dozen bytes at most). */
#define GEX__JSON_KEY_KEPT 128

/* The bytes allocated after the buffer's cap: a value's text read by gex__json_members_known
 * can be copied as a word or two of fixed size (GEX__JSON_PAD bytes from its first) whatever
 * its length, without reading past the allocation (what follows the value is copied too, and
 * ignored). */
#define GEX__JSON_PAD 32

typedef struct gex__json {
    gex__chunk_fn next;
    void *data;
    char *buf;
    size_t cap, pos, len; /* buf[pos..len) not yet tokenized */
    int eof;
    int done; /* the top-level value has been read */
    long line;
    unsigned long long base;     /* the input offset of buf[0] */
    unsigned long long line_abs; /* the input offset of the current line's first byte */
    int state;
    int first; /* just after '{' or '[' */
    int depth;
    unsigned char stack[GEX__JSON_DEPTH_MAX];
    /* The last token: its text (valid until the next call) and where it started. */
    const char *text;
    size_t len_text;
    long tok_line, tok_col;
    char error[160];
    /* gex__json_member: the key of a member read by the general path; general non-zero sends
     * every member there (tests: the reference the fast path is compared with). */
    char key_kept[GEX__JSON_KEY_KEPT];
    int general;
} gex__json;

/* Starts a tokenizer over next(..., data). GEX_OK or GEX_ENOMEM (gex/error.h codes). */
int gex__json_init(gex__json *j, gex__chunk_fn next, void *data);
void gex__json_free(gex__json *j);

/* The next token. */
gex__jtok gex__json_next(gex__json *j);

/* The next member of the object being read (its '{' or a member's value just read): the
 * first token of its value, as gex__json_next would return it after the member's key, with
 * the key in *key, *key_len bytes (unescaped; valid until the next call, and when read by the
 * general path only its first GEX__JSON_KEY_KEPT bytes). GEX__JTOK_OBJECT_END when the object
 * ends, GEX__JTOK_ERROR (j->error) when the document is malformed. A member of plain strings
 * and a scalar, on one line and whole in the buffer, is read in one step; any other by two
 * calls of gex__json_next: the same tokens, positions and errors either way. */
gex__jtok gex__json_member(gex__json *j, const char **key, size_t *key_len);

/* A member the caller expects (gex__json_members_known): its key as written, quotes and colon
 * included ("key":), len bytes (0: none) of plain bytes (no quote, backslash or control
 * character inside the key), zeros after them; what it is to the caller. */
#define GEX__JSON_KNOWN_BYTES 40
typedef struct gex__jknown {
    char text[GEX__JSON_KNOWN_BYTES];
    unsigned char len;
    signed char field;
} gex__jknown;

/* A scalar value read: its token, text and length as gex__json_next gives them (a string's or
 * a number's text inside the buffer: GEX__JSON_PAD bytes from text are readable). */
typedef struct gex__jvalue {
    gex__jtok type;
    const char *text;
    size_t len;
} gex__jvalue;

/* Reads the next members of the object being read while each is the one the caller expects,
 * known[0], known[1], ... (up to count, or a known[i].len of 0): the member written exactly
 * so, with nothing between its comma and its key, whole in the buffer, on one line, of a plain
 * scalar value, as gex__json_member reads in one step. out[i] is the i-th one's value (its
 * text valid until the next call that reads). Returns how many were read; the first that is
 * not as expected is not consumed (the caller reads it with gex__json_member), so the tokens
 * and errors are those of gex__json_member. Saves the keys' scan and lookup, and a call per
 * member, on records that repeat their members in one order (CBOE's). */
size_t gex__json_members_known(gex__json *j, const gex__jknown *known, size_t count,
                               gex__jvalue *out);

/* Skips the rest of the value whose first token t was just returned (nothing for a scalar, up
 * to the matching end for an object or array). Returns GEX__JTOK_OBJECT_END/ARRAY_END/t, or
 * GEX__JTOK_ERROR. */
gex__jtok gex__json_skip(gex__json *j, gex__jtok t);

/* The depth of the containers open (0 at the top level). */
static inline int gex__json_depth(const gex__json *j)
{
    return j->depth;
}

#endif /* GEX_JSON_PULL_INTERNAL_H */
