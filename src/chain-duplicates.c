/*
 * Contracts a file lists more than once (SPEC 2.5): the same underlying, root, expiration,
 * strike and type. A vendor's file repeats a contract when a corrected quote is appended, or
 * when two downloads are pasted together; counted twice, its open interest would weigh twice in
 * every exposure. The read keeps the later row of each (the usual correction) and warns.
 *
 * Proving that a chain has none costs one pass over five of its arrays on the orders files
 * have: the chain is cut into segments of one underlying and expiration whose strikes run one
 * way (CBOE's rows, yfinance's calls then puts, either direction), the contracts of one strike
 * within a segment compared with each other (a handful: a call and a put, of one or two roots,
 * SPX beside SPXW), and two segments of the same underlying and expiration can only share a
 * contract when they share a type and a root. Only a chain that this does not clear (a
 * duplicate, or an order it does not follow: strikes first, then expirations) is sorted.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain-internal.h"
#include "gex/option.h"
#include "sort-internal.h"

/* Contracts of one strike in a segment compared pairwise, at most: 2 types of up to 4 roots.
 * A larger group sends the chain to the sort, so that the pass stays linear. */
#define STRIKE_GROUP_MAX 8
/* A segment's root when it holds several. */
#define ROOT_MIXED UINT32_MAX

typedef struct segment {
    uint32_t underlying, root; /* root: ROOT_MIXED when several */
    int32_t expiration;
    unsigned types; /* bit GEX_CALL, bit GEX_PUT */
} segment;

static int cmp_segment(const void *a, const void *b)
{
    const segment *x = a, *y = b;
    if (x->underlying != y->underlying)
        return (x->underlying > y->underlying) - (x->underlying < y->underlying);
    return (x->expiration > y->expiration) - (x->expiration < y->expiration);
}

/* Appends a segment; 0, or -1 out of memory. */
static int push_segment(segment **seg, size_t *n_seg, size_t *cap, const segment *s)
{
    if (*n_seg == *cap) {
        segment *grown = realloc(*seg, 2 * *cap * sizeof *grown);
        if (grown == NULL)
            return -1;
        *seg = grown;
        *cap *= 2;
    }
    (*seg)[(*n_seg)++] = *s;
    return 0;
}

/* Whether no two of n segments share a contract: segments of one underlying and expiration
 * must not share a type of a root. Sorted first unless they are in order already, each after
 * the one before (a chain's usual order: then no two share an underlying and expiration). */
static int segments_clear(segment *seg, size_t n)
{
    size_t ordered = 1;
    while (ordered < n && cmp_segment(&seg[ordered - 1], &seg[ordered]) < 0)
        ordered++;
    if (ordered >= n)
        return 1;
    qsort(seg, n, sizeof *seg, cmp_segment);
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n && cmp_segment(&seg[a], &seg[b]) == 0; b++)
            if ((seg[a].types & seg[b].types) != 0 &&
                (seg[a].root == seg[b].root || seg[a].root == ROOT_MIXED ||
                 seg[b].root == ROOT_MIXED))
                return 0;
    return 1;
}

/* The pass over contracts [from, to) of c, which begins a segment (the chain's first contract,
 * or one whose underlying or expiration differs from the one before): its segments, and
 * whether no strike of a segment is listed twice. */
typedef struct segment_pass {
    const gex_chain *c;
    size_t from, to;
    segment *seg;
    size_t n_seg, cap;
    int clear; /* 1, 0, or -1 out of memory */
} segment_pass;

static void *pass_segments(void *arg)
{
    segment_pass *p = arg;
    const size_t n = p->to;
    const uint32_t *under = p->c->underlying, *root = p->c->root;
    const int32_t *exp = p->c->expiration;
    const double *strike = p->c->strike;
    const uint8_t *type = p->c->type;
    p->cap = 64;
    p->n_seg = 0;
    p->seg = malloc(p->cap * sizeof *p->seg);
    if (p->seg == NULL) {
        p->clear = -1;
        return NULL;
    }
    int clear = 1;
    for (size_t i = p->from; i < n && clear;) {
        /* One segment from i: its underlying and expiration, strikes one way. */
        segment s = {under[i], root[i], exp[i], 1u << type[i]};
        int dir = 0;      /* 0 not yet known, 1 rising, -1 falling */
        size_t group = i; /* first contract of the current strike */
        size_t j = i + 1;
        for (; j < n; j++) {
            if (under[j] != s.underlying || exp[j] != s.expiration)
                break;
            const double k = strike[j], prev = strike[j - 1];
            if (k != prev) {
                const int step = k > prev ? 1 : -1;
                if (dir != 0 && step != dir)
                    break;
                dir = step;
                group = j;
            } else {
                /* The same strike again: distinct from the others of its group, or not
                 * proven. */
                if (j - group >= STRIKE_GROUP_MAX)
                    clear = 0;
                for (size_t g = group; g < j; g++)
                    clear &= type[g] != type[j] || root[g] != root[j];
                if (!clear)
                    break;
            }
            s.types |= 1u << type[j];
            if (root[j] != s.root)
                s.root = ROOT_MIXED;
        }
        if (push_segment(&p->seg, &p->n_seg, &p->cap, &s) != 0) {
            p->clear = -1;
            return NULL;
        }
        i = j;
    }
    p->clear = clear;
    return NULL;
}

/* Contracts a thread of the pass takes at least: the whole market's 1.6 million on two threads
 * (5 ms on one), the index's 52,000 on one. */
#define PASS_MIN_CONTRACTS ((size_t)1 << 18)

/* 1 when the fast pass proves c free of duplicates, 0 when it cannot (then the sort decides),
 * -1 out of memory. The pass runs on up to threads threads, each over contracts of whole
 * underlyings and expirations (where a segment begins anyway), their segments then taken in
 * order. */
static int clear_by_segments(const gex_chain *c, size_t threads)
{
    const size_t n = c->n;
    const uint32_t *under = c->underlying;
    const int32_t *exp = c->expiration;
    if (threads > n / PASS_MIN_CONTRACTS)
        threads = n / PASS_MIN_CONTRACTS;
    if (threads < 1)
        threads = 1;
    if (threads > 64)
        threads = 64;
    segment_pass pass[64];
    size_t parts = 0, from = 0;
    for (size_t k = 1; k <= threads && from < n; k++) {
        size_t to = n;
        if (k < threads) {
            to = n / threads * k;
            if (to <= from)
                continue;
            while (to < n && under[to] == under[to - 1] && exp[to] == exp[to - 1])
                to++;
        }
        pass[parts++] = (segment_pass){.c = c, .from = from, .to = to};
        from = to;
    }
    pthread_t t[64];
    int started[64] = {0};
    for (size_t k = 1; k < parts; k++)
        started[k] = pthread_create(&t[k], NULL, pass_segments, &pass[k]) == 0;
    pass_segments(&pass[0]);
    for (size_t k = 1; k < parts; k++) {
        if (started[k])
            pthread_join(t[k], NULL);
        else
            pass_segments(&pass[k]);
    }
    int clear = 1;
    size_t n_seg = 0;
    for (size_t k = 0; k < parts; k++) {
        if (pass[k].clear < 0)
            clear = -1;
        else if (clear > 0 && pass[k].clear == 0)
            clear = 0;
        n_seg += pass[k].n_seg;
    }
    segment *seg = NULL;
    if (clear > 0 && parts > 1) {
        seg = malloc((n_seg > 0 ? n_seg : 1) * sizeof *seg);
        if (seg == NULL)
            clear = -1;
        for (size_t k = 0, at = 0; seg != NULL && k < parts; k++) {
            memcpy(seg + at, pass[k].seg, pass[k].n_seg * sizeof *seg);
            at += pass[k].n_seg;
        }
    } else if (clear > 0) {
        seg = pass[0].seg;
        pass[0].seg = NULL;
    }
    for (size_t k = 0; k < parts; k++)
        free(pass[k].seg);
    /* Segments of one underlying and expiration must not share a type of a root. Where the
     * underlyings come in runs (the usual file, whose underlyings are numbered in the order they
     * appear), each run is checked on its own; else all of them at once. */
    size_t run = 1;
    while (clear > 0 && run < n_seg && seg[run - 1].underlying <= seg[run].underlying)
        run++;
    if (clear > 0 && run < n_seg) {
        clear = segments_clear(seg, n_seg);
    } else {
        for (size_t a = 0, b; clear > 0 && a < n_seg; a = b) {
            for (b = a + 1; b < n_seg && seg[b].underlying == seg[a].underlying;)
                b++;
            clear = segments_clear(seg + a, b - a);
        }
    }
    free(seg);
    return clear;
}

/* Positions in order of underlying, root, expiration, strike and type (ctx: the chain). */
static int cmp_key(const void *a, const void *b, void *ctx)
{
    const gex_chain *c = ctx;
    const uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (c->underlying[i] != c->underlying[j])
        return (c->underlying[i] > c->underlying[j]) - (c->underlying[i] < c->underlying[j]);
    if (c->root[i] != c->root[j])
        return (c->root[i] > c->root[j]) - (c->root[i] < c->root[j]);
    if (c->expiration[i] != c->expiration[j])
        return (c->expiration[i] > c->expiration[j]) - (c->expiration[i] < c->expiration[j]);
    if (c->strike[i] != c->strike[j])
        return (c->strike[i] > c->strike[j]) - (c->strike[i] < c->strike[j]);
    return c->type[i] - c->type[j];
}

/* Moves the contracts not dropped down over those dropped, in every array, keeping their order. */
static void drop_contracts(gex_chain *c, const uint8_t *drop)
{
    size_t kept = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (drop[i])
            continue;
        if (kept != i) {
#define MOVE(field) c->field[kept] = c->field[i]
            MOVE(underlying);
            MOVE(root);
            MOVE(expiration);
            MOVE(settlement);
            MOVE(strike);
            MOVE(type);
            MOVE(bid);
            MOVE(ask);
            MOVE(last);
            MOVE(file_iv);
            MOVE(open_interest);
            MOVE(volume);
            MOVE(multiplier);
            MOVE(spot);
            MOVE(vendor_delta);
            MOVE(vendor_gamma);
            MOVE(theo);
            MOVE(line);
            MOVE(T);
            MOVE(iv);
            MOVE(iv_source);
            MOVE(status);
            MOVE(r);
            MOVE(q);
#undef MOVE
        }
        kept++;
    }
    c->n = kept;
}

int gex__chain_drop_duplicates(gex_chain *c, size_t threads, gex__duplicates *out,
                               uint8_t **dropped)
{
    memset(out, 0, sizeof *out);
    if (dropped != NULL)
        *dropped = NULL;
    if (c->n < 2)
        return GEX_OK;
    if (c->lender != NULL || c->n > UINT32_MAX)
        return GEX_EINVAL;
    const int clear = clear_by_segments(c, threads);
    if (clear < 0)
        return GEX_ENOMEM;
    if (clear)
        return GEX_OK;
    const size_t n = c->n;
    uint32_t *k = malloc(n * sizeof *k);
    uint8_t *drop = calloc(n, 1);
    if (k == NULL || drop == NULL) {
        free(k);
        free(drop);
        return GEX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        k[i] = (uint32_t)i;
    if (gex__sort_stable(k, n, sizeof *k, cmp_key, c) != GEX_OK) {
        free(k);
        free(drop);
        return GEX_ENOMEM;
    }
    /* Equal keys lie together in chain order (a stable sort): each run keeps its last. */
    size_t first_again = SIZE_MAX; /* the earliest second listing of a contract */
    for (size_t j = 0; j + 1 < n; j++) {
        if (cmp_key(&k[j], &k[j + 1], c) != 0)
            continue;
        drop[k[j]] = 1;
        out->count++;
        if (k[j + 1] < first_again) {
            first_again = k[j + 1];
            out->first = k[j];
            out->again = k[j + 1];
        }
    }
    free(k);
    if (out->count > 0) {
        /* Described before the arrays move: the lines and the contract of the first. */
        const size_t a = out->first, b = out->again;
        out->first_line = c->line[a];
        out->again_line = c->line[b];
        out->underlying = c->underlying[b];
        out->root = c->root[b];
        out->expiration = c->expiration[b];
        out->strike = c->strike[b];
        out->type = c->type[b];
        drop_contracts(c, drop);
        if (dropped != NULL) {
            *dropped = drop;
            drop = NULL;
        }
    }
    free(drop);
    return GEX_OK;
}
