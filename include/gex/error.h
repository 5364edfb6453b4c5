/*
 * gex/error.h: status codes and the parse-error report shared by every module.
 *
 * Every fallible gex function returns an int status: GEX_OK (0) on success, one of the
 * gex_status codes below otherwise, and writes its results through out-parameters. There is
 * no global "last error": functions that parse input also fill an optional, caller-owned
 * gex_error with the file, line, column and a sentence saying what was wrong.
 *
 * gex_status is the one status space of the API. The outcomes of one contract's pricing
 * (gex_bs_status) and of an implied-volatility solve (gex_iv_status, both in gex/bs.h, and
 * gex_am_status in gex/american.h) are enums of their own, with their own names
 * (gex_bs_strstatus, gex_iv_strstatus, gex_am_strstatus), and their failures are numbered apart:
 * gex_status codes stay below GEX_OUTCOME_BASE, each outcome enum's failures take a block of ten
 * from it on, and only success is shared (every *_OK is GEX_OK, 0). So a value read in the wrong
 * space never names something else: gex_strerror calls an outcome "unknown status", and an
 * outcome name function calls a gex_status code the same (tests/test-error.c checks the ranges).
 * The compiler does not guard this: -Wenum-conversion (in GCC's -Wextra, and clang's) warns
 * only where an outcome held in its own enum type is passed as a gex_status
 * (tests/enum-conversion.sh), not once it is held in an int, as the status of every fallible
 * function is.
 *
 * The texts (gex_error.text, and the warnings of the read and prepare reports) name a setting
 * the caller can give by the gex command's option for it (--spot, --now, --rate): SPEC's one
 * vocabulary for the settings, which the manual documents. A program with names of its own
 * says them in its words: the Python package rewrites each option into its keyword
 * (gex._gex.python_words: "pass --spot PRICE" reads "pass spot=PRICE"), and a C program can do
 * the same with its own table. The texts never depend on the caller's locale (the C locale's
 * numbers, "0.000001").
 */
#ifndef GEX_ERROR_H
#define GEX_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes returned by the library. Keep gex_strerror() in step with this list. */
typedef enum gex_status {
    GEX_OK = 0,
    GEX_EINVAL,    /* an argument is out of its documented domain */
    GEX_ENOMEM,    /* an allocation failed */
    GEX_EIO,       /* the operating system refused a read or write */
    GEX_EFORMAT,   /* the input is not in any format gex reads */
    GEX_EPARSE,    /* a row or field could not be read (strict mode, or a broken preamble) */
    GEX_ENOTIME,   /* no quote instant: the file has none and none was given (--now) */
    GEX_EEMPTY,    /* nothing usable: no contracts, or none left after the filters */
    GEX_ERANGE,    /* a result would overflow or is not finite */
    GEX_ENOTFOUND, /* a requested symbol, expiration or key is not present */
    GEX_ENOCONV,   /* an iterative method did not converge */
    GEX_STATUS_COUNT
} gex_status;

/* The first value of the outcome enums' failures (gex/bs.h: GEX_BS_ from here, GEX_IV_ from
 * GEX_OUTCOME_BASE + 10; gex/american.h: GEX_AM_ from GEX_OUTCOME_BASE + 20): above every
 * gex_status code, and small enough that an outcome fits the uint8_t status arrays. */
#define GEX_OUTCOME_BASE 100

/* A short, static, human-readable name of a status code ("invalid argument"). Never NULL:
 * an unknown code yields "unknown status". */
const char *gex_strerror(gex_status status);

/* Where and why parsing failed. The caller owns it; pass NULL where not wanted. Strings are
 * NUL-terminated and truncated to fit. line and column are 1-based; 0 means "not known". */
typedef struct gex_error {
    char file[512]; /* the path as given, "-" or "<stdin>" for standard input */
    long line;
    long column;
    char text[512]; /* what was wrong and, when known, what to do about it */
} gex_error;

/* Clears an error report (empty strings, zero line and column). Accepts NULL. */
void gex_error_clear(gex_error *err);

/* Fills an error report with printf-style text. Accepts err == NULL (then does nothing) and
 * file == NULL (then the file name is left as it was). Returns status, for one-line returns:
 *     return gex_error_set(err, GEX_EPARSE, path, line, 0, "strike %s is not a number", s); */
gex_status gex_error_set(gex_error *err, gex_status status, const char *file, long line,
                         long column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

#ifdef __cplusplus
}
#endif

#endif /* GEX_ERROR_H */
