/*
 * Reading the rows of one large CSV on several threads (gex_read_options.threads): the rows
 * after the header are cut into byte ranges at line ends, each range is read by its own CSV
 * reader into its own chain on its own thread, and the ranges are combined in file order into
 * exactly what one reader reading the whole file gives (gex/chain.h).
 *
 * Row boundaries. A range ends just after a '\n' near its nominal end. A newline can also sit
 * inside a quoted field, which no look at the bytes around it can rule out; so the boundary is
 * proven afterwards instead: the reader of the range before it, which started on a proven
 * boundary (the first after the header line), must have ended its last record exactly on that
 * byte, with no field and no quote open. It then stood where a reader of the whole file stands
 * at that byte, and the next range's fresh reader reads what it would. When a boundary is not
 * proven, or a CBOE range finds another underlying than the file's first, nothing is combined
 * and the caller reads the file in one piece: the same result, later.
 *
 * Identity. Each range counts lines from 1; once the ranges before it are known, its lines
 * (contracts, first skipped line per reason, the error, the quote-time note) are shifted to
 * the file's. Symbols are interned in the order of first appearance in the file (each range's
 * table, in range order), an underlying's spot is the first range's that has one, the quote
 * instant is the latest and "varies" when two ranges saw different ones. In strict mode the
 * error is that of the first range that failed (the lowest line: the ranges before it read
 * every row without one); the ranges after it stop early. What is checked once over the file
 * (IV in percent, placeholders, spots, settlement overrides) runs after the combination, in
 * chain-read.c's finish(), exactly as after one reader, from counts each range's reader kept as
 * it added its contracts (sum_checks): no pass over the file's arrays on one thread.
 *
 * Place. Each range is read straight into its part of the file's arrays: before the threads
 * start, every array is made as long as the rows estimated for the whole file, and each range is
 * lent its own stretch of them (gex__chain_lend), as long as its bytes times the most rows per
 * byte seen in a sample at the start of every range, with a margin. The page faults of the
 * arrays' memory are then taken by the thread that parses into it. Each range but the last is
 * then moved up against the next (a memmove within the arrays), the one before the last first,
 * as soon as it and the ranges after it are read, by the threads whose own ranges are done
 * (settle): the move takes time those threads would have spent waiting for the last range, and
 * the file's chain begins where the first range then lies (its front, gex__chain_concat) with
 * nothing left to move. A range that outgrows its stretch is given arrays of its own (a copy)
 * and goes on there; the ranges are then moved down into place, or copied, when they are
 * combined: slower, the same result.
 *
 * Memory. Input is read in chunks by pread (no copy of the file); the arrays hold one chain and
 * the margin, whose pages before the chain's first contract and after its last are given back
 * once the read is done (gex__chain_shrink). A range copied out of its stretch is freed array
 * by array as it is copied back.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain-csv-internal.h"
#include "chain-internal.h"

/* The room lent to a range: its bytes times the most rows per byte sampled, times this margin,
 * plus SPLIT_ROOM_SLACK contracts. The rows per byte of the generated whole-market file vary by
 * 2.5 % between its first and last megabyte; a range that outgrows its room is copied. */
#define SPLIT_ROOM_MARGIN 1.1
#define SPLIT_ROOM_SLACK  16
/* Bytes sampled at the start of each range for its rows per byte. */
#define SPLIT_SAMPLE 65536

/* One range of rows and the reader that reads it. */
typedef struct split_range {
    size_t begin, end; /* offsets from the prefix's first byte */
    size_t at, room;   /* its stretch of the file's arrays (when there are) */
    size_t index;
    gex__reader r;
    gex_read_report rep;
    gex_error err;
    gex__csv_part *part;
    char *buf; /* pread's buffer (a file) */
    int rc;
    int row_start; /* the range ended on a record's end */
    int ended;     /* its reader is done (split's lock) */
    struct split *split;
} split_range;

typedef struct split {
    const gex__split_input *in;
    split_range *ranges;
    size_t n;
    /* The file's chain, whose arrays the ranges are lent (NULL when there was no memory for
     * them: each range then reads into a chain of its own). */
    gex_chain *file;
    /* The lowest index of a range that failed (n when none): later ranges stop. */
    atomic_size_t first_failed;
    /* Ranges moved up against the next as they end (settle), under lock: next_move is the range
     * to move next (SIZE_MAX: none), counting down from the one before the last, whose stretch
     * stays where it is; place is where the range after it begins; moving is the range being
     * moved (SIZE_MAX: none) to move_to, its arrays claimed one by one by the threads that
     * move it. */
    pthread_mutex_t lock;
    pthread_cond_t moved;
    size_t n_ended, next_move, place, moving, move_to, arrays_claimed, arrays_moved;
    size_t n_moved; /* ranges moved */
} split;

/* n bytes of the input at offset at: in memory, or read into buf. 0 or an errno value. */
static int input_bytes(const gex__split_input *in, char *buf, size_t at, size_t n, const char **out)
{
    if (in->mem != NULL) {
        *out = in->mem + at;
        return 0;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(in->fd, buf + got, n - got, (off_t)(in->offset + (long long)(at + got)));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return errno;
        if (k == 0)
            return EIO; /* the file is shorter than when it was opened */
        got += (size_t)k;
    }
    *out = buf;
    return 0;
}

/* The offset just after the first '\n' at or after from (in->len when there is none). */
static int after_newline(const gex__split_input *in, char *buf, size_t from, size_t *out)
{
    while (from < in->len) {
        size_t n = in->len - from < in->chunk ? in->len - from : in->chunk;
        const char *p = NULL;
        int e = input_bytes(in, buf, from, n, &p);
        if (e != 0)
            return e;
        const char *nl = memchr(p, '\n', n);
        if (nl != NULL) {
            *out = from + (size_t)(nl - p) + 1;
            return 0;
        }
        from += n;
    }
    *out = in->len;
    return 0;
}

static void note_failure(split *s, size_t index)
{
    size_t seen = atomic_load(&s->first_failed);
    while (index < seen && !atomic_compare_exchange_weak(&s->first_failed, &seen, index)) {
    }
}

/* Whether range k can be moved up against the next: 1 yes, 0 not yet (its reader is not
 * done), -1 never (it failed, or a range did, or it left its stretch for arrays of its own).
 * Under s->lock. */
static int movable(const split *s, size_t k)
{
    const split_range *g = &s->ranges[k];
    if (!g->ended)
        return 0;
    const gex_chain *w = g->r.chain;
    if (g->rc != GEX_OK || atomic_load(&s->first_failed) < s->n || w == NULL ||
        w->lender != s->file || w->lent_at > s->place || w->n > s->place - w->lent_at)
        return -1;
    return 1;
}

/* Moves ranges up against the next (the one before the last first, then down to the first),
 * each as soon as it and the ranges after it are done, so that the file's chain ends up in one
 * piece where the last range's stretch begins, its front left unused (gex__chain_concat). The
 * calling thread takes arrays of the move under way, and starts the next where it can. While
 * ranges are read (reading), a move starts only while one is still being read, so that it takes
 * time its thread would have spent waiting; afterwards, whatever is left. Before, the ranges
 * were all moved down once the last was read: about 10 ms of the whole market's read (doc/
 * benchmarks.md, session 24). */
static void settle(split *s, int reading)
{
    pthread_mutex_lock(&s->lock);
    for (;;) {
        if (s->moving != SIZE_MAX) {
            if (s->arrays_claimed == GEX__CHAIN_ARRAYS) {
                pthread_cond_wait(&s->moved, &s->lock); /* its last arrays are being moved */
                continue;
            }
            const size_t i = s->arrays_claimed++, k = s->moving, to = s->move_to;
            pthread_mutex_unlock(&s->lock);
            gex__chain_window_move_array(s->ranges[k].r.chain, i, to);
            pthread_mutex_lock(&s->lock);
            if (++s->arrays_moved == GEX__CHAIN_ARRAYS) {
                gex__chain_window_rebase(s->ranges[k].r.chain, to);
                s->place = to;
                s->n_moved++;
                s->moving = SIZE_MAX;
                s->next_move = k > 0 ? k - 1 : SIZE_MAX;
                pthread_cond_broadcast(&s->moved);
            }
            continue;
        }
        if (s->next_move == SIZE_MAX || (reading && s->n_ended == s->n))
            break;
        const int m = movable(s, s->next_move);
        if (m < 0)
            s->next_move = SIZE_MAX;
        if (m <= 0)
            break;
        s->moving = s->next_move;
        s->move_to = s->place - s->ranges[s->moving].r.chain->n;
        s->arrays_claimed = s->arrays_moved = 0;
    }
    pthread_mutex_unlock(&s->lock);
}

/* Reads a range's rows into its reader. */
static void read_rows(split_range *g)
{
    split *s = g->split;
    const gex__split_input *in = s->in;
    size_t at = g->begin;
    while (at < g->end && g->rc == GEX_OK) {
        /* A range before this one failed: its error is the read's, these rows are not needed. */
        if (atomic_load(&s->first_failed) < g->index)
            return;
        size_t n = g->end - at < in->chunk ? g->end - at : in->chunk;
        const char *p = NULL;
        int e = input_bytes(in, g->buf, at, n, &p);
        if (e != 0)
            g->rc = gex_error_set(&g->err, GEX_EIO, g->r.name, 0, 0, "cannot read the file: %s",
                                  strerror(e));
        else
            g->rc = gex__csv_part_feed(g->part, p, n);
        at += n;
    }
    if (g->rc == GEX_OK)
        g->rc = gex__csv_part_end(g->part, g->index + 1 == s->n, &g->row_start);
    if (g->rc != GEX_OK)
        note_failure(s, g->index);
}

static void *read_range(void *arg)
{
    split_range *g = arg;
    split *s = g->split;
    read_rows(g);
    if (s->file != NULL) {
        pthread_mutex_lock(&s->lock);
        g->ended = 1;
        s->n_ended++;
        pthread_mutex_unlock(&s->lock);
        settle(s, 1);
    }
    return NULL;
}

static void *settle_rest(void *arg)
{
    settle(arg, 0);
    return NULL;
}

/* Contracts left to move for each thread that helps settle_after: about 4 ms of moving on one
 * thread (the whole market's first range, 800,000 contracts, takes 13.5 ms); the index chain's
 * last move, 26,000 contracts in 0.3 ms, is left to the calling thread. */
#define SETTLE_PER_THREAD ((size_t)1 << 18)

/* Moves what settle left when the last range was read (the ranges before one read later than
 * the last), on up to the read's threads, as many as the contracts left call for. */
static void settle_after(split *s)
{
    if (s->next_move == SIZE_MAX)
        return;
    size_t left = 0;
    for (size_t k = 0; k <= s->next_move; k++)
        left += s->ranges[k].r.chain != NULL ? s->ranges[k].r.chain->n : 0;
    size_t helpers = s->in->threads - 1;
    if (helpers > left / SETTLE_PER_THREAD)
        helpers = left / SETTLE_PER_THREAD;
    if (helpers > GEX__CHAIN_ARRAYS - 1)
        helpers = GEX__CHAIN_ARRAYS - 1;
    pthread_t t[GEX__CHAIN_ARRAYS];
    size_t started = 0;
    while (started < helpers && pthread_create(&t[started], NULL, settle_rest, s) == 0)
        started++;
    settle(s, 0);
    for (size_t k = 0; k < started; k++)
        pthread_join(t[k], NULL);
}

/* The reader of a range: the file's reader as detection left it, with its own chain, report
 * and error; the ranges after the first start with nothing the first one carries (the CBOE
 * preamble's quote instant, the counters). */
static int range_reader(const gex__reader *r, split_range *g)
{
    g->r = *r;
    memset(&g->rep, 0, sizeof g->rep);
    gex_error_clear(&g->err);
    g->r.rep = &g->rep;
    g->r.err = &g->err;
    if (g->split->file != NULL) {
        /* Its stretch of the file's arrays; no sizing from the bytes read (a reserve beyond the
         * stretch would copy it out). */
        int rc = gex__chain_lend(g->split->file, g->at, g->room, &g->r.chain);
        if (rc != GEX_OK)
            return rc;
        g->r.total_bytes = 0;
    } else {
        g->r.chain = gex_chain_new();
        /* The first range's chain becomes the file's: sized for the whole file at once, so that
         * appending the others needs no growth (no copy of its arrays). */
        g->r.total_bytes = g->index == 0 ? g->split->in->len - g->begin : g->end - g->begin;
    }
    g->r.failed = 0;
    g->r.untimed = 0;
    g->r.multiline = 0;
    g->r.header_repeats = 0;
    g->r.first_bad_line = 0;
    g->r.first_bad[0] = '\0';
    g->r.missing_oi = 0;
    g->r.weekly_roots = 0;
    g->r.seen_oi = g->r.seen_weekly = 0;
    g->r.kept_oi = g->r.kept_weekly = 0;
    g->r.mark_at = NULL; /* its own list, of its own contracts */
    g->r.mark_bits = NULL;
    g->r.n_marks = g->r.mark_cap = 0;
    g->r.iv_sentinels = 0;
    memset(&g->r.checks, 0, sizeof g->r.checks);
    g->r.last_root_len = 0;
    g->r.last_u[0] = '\0';
    g->r.last_u_len = 0;
    g->r.last_exp_len = 0;
    g->r.date_order = 0;
    g->r.date_guess_line = 0;
    g->r.date_day_first = 0;
    if (g->index > 0) {
        g->r.has_time = 0;
        g->r.time = 0;
        g->r.time_varies = 0;
        g->r.time_note[0] = '\0';
        g->r.time_note_line = 0;
        g->r.bad_times = 0;
        g->r.bad_time_line = 0;
        g->r.bad_time_text[0] = '\0';
        g->r.bad_time_problem = NULL;
    }
    return g->r.chain != NULL ? GEX_OK : GEX_ENOMEM;
}

/* Adds a range's report to the file's; shift turns the range's lines into the file's. */
static void add_report(gex_read_report *to, const gex_read_report *from, long shift)
{
    to->rows += from->rows;
    to->contracts += from->contracts;
    to->other_symbol += from->other_symbol;
    for (int k = 0; k < GEX_SKIP_REASON_COUNT; k++) {
        if (to->skipped[k] == 0 && from->skipped[k] > 0)
            to->first_line[k] = from->first_line[k] + shift;
        to->skipped[k] += from->skipped[k];
    }
}

/* Adds what a range's reader gathered (quote instant, counters) to the file's reader. */
static void add_reader(gex__reader *to, const gex__reader *from, long shift)
{
    to->missing_oi += from->missing_oi;
    to->weekly_roots += from->weekly_roots;
    to->kept_oi += from->kept_oi;
    to->kept_weekly += from->kept_weekly;
    to->untimed += from->untimed;
    to->snapshot_rows |= from->snapshot_rows;
    if (to->currency[0] == '\0') /* the ranges name one currency (currencies_agree) */
        memcpy(to->currency, from->currency, sizeof to->currency);
    if (from->chain != NULL && from->chain->n > 0) {
        if (from->snap_min < to->snap_min)
            to->snap_min = from->snap_min;
        if (from->snap_max > to->snap_max)
            to->snap_max = from->snap_max;
    }
    if (from->has_time) {
        if (to->has_time && from->time != to->time)
            to->time_varies = 1;
        if (!to->has_time || from->time > to->time)
            to->time = from->time;
        to->has_time = 1;
    }
    to->time_varies |= from->time_varies;
    if (to->time_note[0] == '\0' && from->time_note[0] != '\0') {
        memcpy(to->time_note, from->time_note, sizeof to->time_note);
        to->time_note_line = from->time_note_line + shift;
    }
    if (to->bad_times == 0 && from->bad_times > 0) {
        memcpy(to->bad_time_text, from->bad_time_text, sizeof to->bad_time_text);
        to->bad_time_problem = from->bad_time_problem;
        to->bad_time_line = from->bad_time_line + shift;
    }
    to->bad_times += from->bad_times;
    if (to->multiline == 0 && from->multiline > 0) {
        to->multiline_from = from->multiline_from + shift;
        to->multiline_to = from->multiline_to + shift;
    }
    to->multiline += from->multiline;
    if (to->header_repeats == 0 && from->header_repeats > 0)
        to->header_repeat_line = from->header_repeat_line + shift;
    to->header_repeats += from->header_repeats;
    if (to->first_bad_line == 0 && from->first_bad_line != 0) {
        memcpy(to->first_bad, from->first_bad, sizeof to->first_bad);
        to->first_bad_line = from->first_bad_line + (from->first_bad_line > 0 ? shift : 0);
    }
}

/* Whether the ranges up to upto that name a currency name the same one: where two differ, one
 * reader reading the whole file stops at the first row of the second, with its line. */
static int currencies_agree(const split *s, size_t upto)
{
    const char *first = NULL;
    for (size_t k = 0; k <= upto; k++) {
        const char *c = s->ranges[k].r.currency;
        if (c[0] == '\0')
            continue;
        if (first == NULL)
            first = c;
        else if (strcmp(first, c) != 0)
            return 0;
    }
    return 1;
}

/* Whether a CBOE range read another underlying than the file's first (then the ranges after
 * the first that found one would not have read what one reader reads). */
static int other_underlying(const split *s, size_t upto)
{
    const char *first = NULL;
    size_t first_len = 0;
    for (size_t k = 0; k <= upto; k++) {
        const char *u;
        size_t len = gex__csv_part_underlying(s->ranges[k].part, &u);
        if (len == 0)
            continue;
        if (first == NULL) {
            first = u;
            first_len = len;
        } else if (len != first_len || memcmp(u, first, len) != 0) {
            return 1;
        }
    }
    return 0;
}

/* The checks of the file's contracts from those of its ranges, counted before the ranges were
 * combined into c: each range's contracts follow those of the ranges before it, and an
 * underlying's spot is the first range's that has one. Valid only where every range that saw
 * an underlying's spot saw the file's: otherwise a contract that agreed with its range's first
 * spot may differ from the file's, and finish() counts over the whole chain again (returns 0). */
static int sum_checks(const split *s, gex_chain *c, gex__read_checks *out)
{
    gex__read_checks sum = {0};
    size_t at = 0;
    for (size_t k = 0; k < s->n; k++) {
        const gex__read_checks *g = &s->ranges[k].r.checks;
        const gex_chain *part = s->ranges[k].r.chain; /* NULL: the first, become c */
        for (size_t u = 0; part != NULL && u < part->n_sym; u++) {
            uint32_t to;
            if (!isnan(part->sym_spot[u]) &&
                (gex__chain_intern(c, part->sym[u], strlen(part->sym[u]), &to) != GEX_OK ||
                 !(c->sym_spot[to] == part->sym_spot[u])))
                return 0;
        }
        if (sum.spot_differ == 0 && g->spot_differ > 0)
            sum.first_differ = at + g->first_differ;
        sum.n += g->n;
        sum.iv_votes += g->iv_votes;
        sum.iv_above += g->iv_above;
        sum.iv_sentinels += g->iv_sentinels;
        sum.iv_low += g->iv_low;
        sum.spot_missing += g->spot_missing;
        sum.spot_differ += g->spot_differ;
        at += g->n;
    }
    *out = sum;
    return 1;
}

/* Combines the ranges into r (or gives the first error); *done 0 when a boundary is not
 * proven. */
static int combine(gex__reader *r, split *s, int *done)
{
    size_t n = s->n, last = n;
    for (size_t k = 0; k < n; k++) {
        if (s->ranges[k].rc != GEX_OK) {
            last = k;
            break;
        }
        if (k + 1 < n && !s->ranges[k].row_start)
            return GEX_OK;
    }
    /* A range that found its slash dates day first may follow ranges that read theirs month
     * first, not knowing: one reader decides the order over the whole file (SPEC 2.5). */
    for (size_t k = 0; k < n && k <= last; k++)
        if (s->ranges[k].r.date_day_first)
            return GEX_OK;
    if (other_underlying(s, last < n ? last : n - 1) ||
        !currencies_agree(s, last < n ? last : n - 1))
        return GEX_OK;
    /* A row's instant is the latest quote time read, and a range's reader starts with none: its
     * contracts before its first quote time have no instant where one reader would have given
     * them an earlier range's last. Only damaged files (rows without the quote-time column)
     * show it; they are read in one piece. */
    int timed = r->row_has_time && r->snapshot_rows;
    for (size_t k = 0; k < n && k <= last; k++) {
        const gex__reader *g = &s->ranges[k].r;
        if (k > 0 && timed && g->untimed > 0)
            return GEX_OK;
        timed |= g->row_has_time && g->snapshot_rows;
    }
    /* Rows of several snapshots (SPEC 2.9) are sorted out by one reader. */
    if (last == n) {
        const gex__reader **rs = malloc(n * sizeof *rs);
        if (rs == NULL)
            return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
        for (size_t k = 0; k < n; k++)
            rs[k] = &s->ranges[k].r;
        int several = gex__snapshots_differ(rs, n);
        free(rs);
        if (several)
            return GEX_OK;
    }
    *done = 1;
    long *shift = calloc(n, sizeof *shift);
    if (shift == NULL)
        return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    /* Range k's line l is the file's line l + shift[k]. */
    for (size_t k = 1; k < n; k++)
        shift[k] = shift[k - 1] + gex__csv_part_line(s->ranges[k - 1].part) - 1;
    size_t upto = last < n ? last : n - 1;
    size_t offset = 0; /* range k's first contract in the file's chain */
    for (size_t k = 0; k <= upto; k++) {
        add_report(r->rep, &s->ranges[k].rep, shift[k]);
        const gex__reader *g = &s->ranges[k].r;
        if (last == n && gex__reader_marks_append(r, g, offset) != GEX_OK) {
            free(shift);
            return gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
        }
        offset += g->chain != NULL ? g->chain->n : 0;
        if (k == 0) {
            /* The first range's reader started as r (the CBOE preamble's quote instant): its
             * state is r's with its rows. */
            r->missing_oi = g->missing_oi;
            r->weekly_roots = g->weekly_roots;
            r->kept_oi = g->kept_oi;
            r->kept_weekly = g->kept_weekly;
            r->untimed = g->untimed;
            r->snapshot_rows = g->snapshot_rows;
            memcpy(r->currency, g->currency, sizeof r->currency);
            const int any = g->chain != NULL && g->chain->n > 0;
            r->snap_min = any ? g->snap_min : INT64_MAX;
            r->snap_max = any ? g->snap_max : INT64_MIN;
            r->has_time = g->has_time;
            r->time = g->time;
            r->time_varies = g->time_varies;
            r->first_instant = g->first_instant;
            r->row_time = g->row_time;
            r->row_has_time = g->row_has_time;
            memcpy(r->time_note, g->time_note, sizeof r->time_note);
            r->time_note_line = g->time_note_line;
            r->bad_times = g->bad_times;
            r->bad_time_line = g->bad_time_line;
            memcpy(r->bad_time_text, g->bad_time_text, sizeof r->bad_time_text);
            r->bad_time_problem = g->bad_time_problem;
            r->multiline = g->multiline;
            r->multiline_from = g->multiline_from;
            r->multiline_to = g->multiline_to;
            r->header_repeats = g->header_repeats;
            r->header_repeat_line = g->header_repeat_line;
            r->first_bad_line = g->first_bad_line;
            memcpy(r->first_bad, g->first_bad, sizeof r->first_bad);
        } else {
            add_reader(r, g, shift[k]);
        }
    }
    int rc = GEX_OK;
    if (last < n) {
        const gex_error *e = &s->ranges[last].err;
        rc = s->ranges[last].rc;
        if (r->err != NULL) {
            *r->err = *e;
            if (e->line > 0)
                r->err->line = e->line + shift[last];
        }
    } else {
        /* The ranges are moved down into place in the file's arrays; without those, the first
         * range's chain becomes the file's and the others are appended to it. */
        gex_chain **parts = malloc(n * sizeof *parts);
        if (parts != NULL) {
            size_t in_place = 0;
            for (size_t k = 0; k < n; k++) {
                parts[k] = s->ranges[k].r.chain;
                in_place += parts[k]->lender != NULL;
            }
            size_t from = 0;
            gex_chain_free(r->chain);
            if (s->file != NULL) {
                settle_after(s);
                r->chain = s->file;
                s->file = NULL;
            } else {
                r->chain = parts[0];
                s->ranges[0].r.chain = NULL;
                from = 1;
            }
            rc = gex__chain_concat(r->chain, parts + from, shift + from, n - from, s->in->threads);
            free(parts);
            if (rc == GEX_OK && !sum_checks(s, r->chain, &r->checks))
                r->checks_stale = 1;
            if (s->in->count != NULL) {
                s->in->count->in_place = in_place;
                s->in->count->moved_up = s->n_moved;
                s->in->count->front = rc == GEX_OK ? r->chain->front : 0;
            }
        }
        if (parts == NULL || rc != GEX_OK)
            rc = gex_error_set(r->err, GEX_ENOMEM, r->name, 0, 0, "out of memory");
    }
    free(shift);
    return rc;
}

static void free_split(split *s)
{
    for (size_t k = 0; k < s->n; k++) {
        gex__csv_part_free(s->ranges[k].part);
        gex_chain_free(s->ranges[k].r.chain);
        gex__snapshots_free(&s->ranges[k].r);
        free(s->ranges[k].buf);
    }
    gex_chain_free(s->file); /* after its windows */
    free(s->ranges);
    pthread_cond_destroy(&s->moved);
    pthread_mutex_destroy(&s->lock);
}

/* Newlines in the first bytes of [at, end) (up to SPLIT_SAMPLE), and the bytes looked at. */
static int sample_rows(const gex__split_input *in, char *buf, size_t at, size_t end, size_t *lines,
                       size_t *bytes)
{
    *lines = 0;
    *bytes = end - at < SPLIT_SAMPLE ? end - at : SPLIT_SAMPLE;
    for (size_t done = 0; done < *bytes;) {
        size_t n = *bytes - done < in->chunk ? *bytes - done : in->chunk;
        const char *p = NULL;
        int e = input_bytes(in, buf, at + done, n, &p);
        if (e != 0)
            return e;
        for (const char *q = p, *stop = p + n; (q = memchr(q, '\n', (size_t)(stop - q))) != NULL;
             q++)
            (*lines)++;
        done += n;
    }
    return 0;
}

/* Lays the ranges out in one set of arrays long enough for the rows estimated (s->file), each
 * range's stretch after the one before; per_row contracts a row. Without the memory (or a
 * sample), s->file stays NULL and each range reads into its own chain. */
static void lay_out(split *s, char *buf, size_t per_row)
{
    double most = 0; /* rows per byte */
    for (size_t k = 0; k < s->n; k++) {
        size_t lines = 0, bytes = 0;
        if (sample_rows(s->in, buf, s->ranges[k].begin, s->ranges[k].end, &lines, &bytes) != 0)
            return;
        /* The last line of the input may end without a newline. */
        double rows = (double)lines + (s->ranges[k].end == s->in->len);
        if (bytes > 0 && rows / (double)bytes > most)
            most = rows / (double)bytes;
    }
    size_t at = 0;
    for (size_t k = 0; k < s->n; k++) {
        double room = (double)(s->ranges[k].end - s->ranges[k].begin) * most * SPLIT_ROOM_MARGIN *
                          (double)per_row +
                      SPLIT_ROOM_SLACK;
        if (!(room < (double)(SIZE_MAX / 4)) || at > SIZE_MAX / 4)
            return;
        s->ranges[k].at = at;
        s->ranges[k].room = (size_t)room;
        at += s->ranges[k].room;
    }
    gex_chain *file = gex_chain_new();
    if (file != NULL && gex__chain_reserve(file, at) == GEX_OK) {
        s->file = file;
        return;
    }
    gex_chain_free(file);
}

int gex__read_csv_split(gex__reader *r, const gex__detected *det, const char *prefix,
                        size_t prefix_len, const gex__split_input *in, int *done)
{
    *done = 0;
    if (in->threads < 2 || in->chunk == 0 || in->min_range == 0 ||
        (det->format != GEX_FORMAT_LONG_CSV && det->format != GEX_FORMAT_CBOE_CSV) ||
        det->header_offset >= prefix_len || prefix_len > in->len)
        return GEX_OK;
    /* The rows start after the header line, which must be in the prefix. */
    const char *header = prefix + det->header_offset;
    const char *nl = memchr(header, '\n', prefix_len - det->header_offset);
    if (nl == NULL)
        return GEX_OK;
    /* A CR before the line's end would end the header record early and leave rows in the
     * bytes given to the header's reader: such a file (CR line ends) is read in one piece. */
    const char *cr = memchr(header, '\r', (size_t)(nl - header));
    if (cr != NULL && cr + 1 != nl)
        return GEX_OK;
    const size_t rows = (size_t)(nl + 1 - prefix);
    const size_t body = in->len - rows;
    size_t n = body / in->min_range;
    if (n > in->threads)
        n = in->threads;
    if (n < 2)
        return GEX_OK;

    split s = {.in = in, .n = n};
    atomic_init(&s.first_failed, n);
    s.ranges = calloc(n, sizeof *s.ranges);
    if (s.ranges == NULL)
        return GEX_OK; /* one reader needs no more than this */
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.moved, NULL);
    s.next_move = s.moving = SIZE_MAX;
    int rc = GEX_OK;
    /* Nominal ends, moved to just after a newline; ranges that come out empty are dropped. */
    size_t m = 0, begin = rows;
    for (size_t k = 1; k <= n && rc == GEX_OK; k++) {
        size_t end = in->len;
        if (k < n) {
            if (in->mem == NULL && s.ranges[m].buf == NULL &&
                (s.ranges[m].buf = malloc(in->chunk)) == NULL) {
                rc = GEX_ENOMEM;
                break;
            }
            size_t nominal = rows + (size_t)((double)body * (double)k / (double)n);
            int e = after_newline(in, s.ranges[m].buf, nominal - 1, &end);
            if (e != 0) {
                rc = GEX_EIO;
                break;
            }
        }
        if (end <= begin)
            continue;
        s.ranges[m].begin = begin;
        s.ranges[m].end = end;
        s.ranges[m].index = m;
        s.ranges[m].split = &s;
        m++;
        begin = end;
        if (end == in->len)
            break;
    }
    s.n = m;
    atomic_init(&s.first_failed, m);
    gex__csv_part *hp = NULL;
    if (rc == GEX_OK && m >= 2) {
        rc = gex__csv_header(r, det, header, rows - det->header_offset, &hp);
        if (rc != GEX_OK)
            *done = 1; /* the header's own error: the one reading in one piece gives */
    }
    if (rc != GEX_OK || m < 2 || hp == NULL) {
        free_split(&s);
        gex__csv_part_free(hp);
        return *done ? rc : GEX_OK; /* EIO or no memory here: one reader says it properly */
    }
    long first_line = gex__csv_part_line(hp);
    /* The samples are read into the first range's pread buffer (a file's: the boundaries were
     * found with it), which its reader does not use yet. */
    lay_out(&s, s.ranges[0].buf, det->format == GEX_FORMAT_CBOE_CSV ? 2 : 1);
    if (s.file != NULL) {
        s.next_move = m - 2;
        s.place = s.ranges[m - 1].at;
    }
    for (size_t k = 0; k < m && rc == GEX_OK; k++) {
        split_range *g = &s.ranges[k];
        rc = range_reader(r, g);
        if (rc == GEX_OK)
            rc = gex__csv_part_new(hp, &g->r, k == 0 ? first_line : 1, &g->part);
        if (rc == GEX_OK && in->mem == NULL && g->buf == NULL &&
            (g->buf = malloc(in->chunk)) == NULL)
            rc = GEX_ENOMEM;
    }
    if (rc == GEX_OK) {
        pthread_t *threads = malloc(m * sizeof *threads);
        int *started = calloc(m, sizeof *started);
        for (size_t k = 1; threads != NULL && started != NULL && k < m; k++)
            started[k] = pthread_create(&threads[k], NULL, read_range, &s.ranges[k]) == 0;
        read_range(&s.ranges[0]);
        for (size_t k = 1; k < m; k++) {
            if (started != NULL && started[k])
                pthread_join(threads[k], NULL);
            else
                read_range(&s.ranges[k]); /* no thread: read it here */
        }
        free(threads);
        free(started);
        rc = combine(r, &s, done);
        if (*done && in->count != NULL)
            in->count->ranges = m;
    }
    free_split(&s);
    gex__csv_part_free(hp);
    return *done ? rc : GEX_OK;
}
