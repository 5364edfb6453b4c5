/*
 * error-internal.h: formatting the library's message texts (errors, warnings, the reasons of
 * skipped rows) in the C locale, whatever locale the program set with setlocale: a number in a
 * message reads "0.000001", never "0,000001" (a Python or C program under de_DE.UTF-8 calls the
 * library in its locale). Not installed; src/error.c holds it.
 */
#ifndef GEX_ERROR_INTERNAL_H
#define GEX_ERROR_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

/* vsnprintf(buf, size, fmt, ap) with the calling thread in the C locale for the call (uselocale:
 * the thread's own setting, restored after; no global state). Where the C locale cannot be had
 * (newlocale out of memory), formats in the thread's locale. Returns vsnprintf's value. */
int gex__vsnprintf_c(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* gex__vsnprintf_c with its arguments inline: snprintf in the C locale. */
int gex__snprintf_c(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
