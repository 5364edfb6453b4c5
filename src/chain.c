/* Chain storage: the structure of arrays, the symbol table and the builder (gex/chain.h). */
#include "gex/chain.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "gex/option.h"
#include "chain-internal.h"
#include "memory-internal.h"

/* Capacity of a new chain's arrays: one small CBOE file holds a few thousand contracts, so the
 * first growths are cheap and a whole-market file reaches its size in about 30 steps. */
#define CHAIN_INITIAL_CAPACITY 256
/* Growth factor 1.5: amortised O(1) appends, and at most half the arrays spare at the end of a
 * read (gex__chain_shrink then returns the spare). */
#define CHAIN_GROWTH_NUM 3
#define CHAIN_GROWTH_DEN 2
/* Symbol hash table: power-of-two size kept at most half full (linear probing). */
#define SYMBOL_TABLE_INITIAL 64
#define SYMBOL_NONE          UINT32_MAX

/* The arrays of a chain with their element sizes, for growing and copying them together. */
typedef struct chain_array {
    void **ptr;
    size_t size;
} chain_array;

#define CHAIN_ARRAY_COUNT GEX__CHAIN_ARRAYS

/* An underlying the file gave no quote of. */
static gex_underlying_quote no_quote(void)
{
    return (gex_underlying_quote){(double)NAN, (double)NAN, (double)NAN};
}

static int quote_given(const gex_underlying_quote *q)
{
    return !isnan(q->bid) || !isnan(q->ask) || !isnan(q->last);
}

static void chain_arrays(gex_chain *c, chain_array a[CHAIN_ARRAY_COUNT])
{
    size_t i = 0;
#define ARRAY(field) a[i++] = (chain_array){(void **)&c->field, sizeof *c->field}
    ARRAY(underlying);
    ARRAY(root);
    ARRAY(expiration);
    ARRAY(settlement);
    ARRAY(strike);
    ARRAY(type);
    ARRAY(bid);
    ARRAY(ask);
    ARRAY(last);
    ARRAY(file_iv);
    ARRAY(open_interest);
    ARRAY(volume);
    ARRAY(multiplier);
    ARRAY(spot);
    ARRAY(vendor_delta);
    ARRAY(vendor_gamma);
    ARRAY(theo);
    ARRAY(line);
    ARRAY(T);
    ARRAY(iv);
    ARRAY(iv_source);
    ARRAY(status);
    ARRAY(r);
    ARRAY(q);
#undef ARRAY
}

/* Array memory. An array of at least ARRAY_MAP_MIN bytes (a whole-market file's are up to 14
 * MB each, 216 MB in all) has a mapping of its own, aligned on a 2 MiB boundary and advised for
 * transparent huge pages (madvise MADV_HUGEPAGE) before any page of it is touched, so that the
 * kernel backs all of it with huge pages where it has them, for kernels that give them only on
 * request (Debian's default, THP "madvise"). With 4 KiB pages the page faults of the arrays'
 * first touch cost `gex screen` a sixth of its time (doc/benchmarks.md, "Huge pages for a large
 * chain's arrays"). malloc's own large blocks begin just past a page boundary, or inside its
 * heap, so that the first 2 MiB of every array, touched by the first range of a split read,
 * took 4 KiB pages: 6,500 page faults on that thread against 3,000 on the other. A mapping is
 * also returned to the system when its chain is freed, instead of at the process's exit.
 * Smaller arrays are malloc's. Advice only: where the kernel has no huge page to give, or THP
 * is off, the pages are the usual ones.
 *
 * Array i begins i * ARRAY_STAGGER bytes into its mapping (a page and a cache line), so that
 * the same element of two arrays, which a reader writes one after the other, does not fall in
 * the same cache set, as it would at equal offsets from 2 MiB boundaries: a loop writing 21
 * arrays of 1.75 million doubles so took 31 ms against 100 unstaggered on this project's
 * machine. */
#define HUGE_PAGE_BYTES GEX__HUGE_PAGE
#define ARRAY_MAP_MIN   (2 * HUGE_PAGE_BYTES)
#define CACHE_LINE      ((size_t)64)
#define ARRAY_STAGGER   ((size_t)4096 + CACHE_LINE)
/* The slab. Arrays each under ARRAY_MAP_MIN but together at least SLAB_MIN bytes (chains of
 * about 12,500 to 500,000 contracts: a day of SPX, an index's whole chain) share one block of
 * gex__big_alloc's (memory-internal.h: malloc's memory, from a 2 MiB boundary, advised for huge
 * pages), each array a page further on than the one before and a cache line over (the stagger
 * above), instead of each being malloc's. A page fault on 4 KiB pages costs about 1.5 us on
 * this project's machine: the slab took 3,400 of them and a fifth of the time off `gex levels`
 * on the 51,886-contract index chain (doc/benchmarks.md, "`gex levels` and the page faults of
 * mid-size arrays"); a process reading file after file (history) gets malloc's memory back
 * without faults, as before. Arrays stay in the slab while the chain needs no more than
 * slab_cap contracts; a chain that grows past it moves them all to a larger slab (or to their
 * own memory, when they outgrow the slab's range), and an array grown alone (a concatenation)
 * leaves the slab for its own memory. The slab is freed when no array is left in it. */
#define SLAB_MIN      HUGE_PAGE_BYTES
#define ARRAY_IN_SLAB SIZE_MAX
/* An array shrunk to what a read filled (gex__chain_shrink) keeps its mapping up to the next
 * multiple of this (of every page size Linux uses) and gives back the rest of its last huge
 * page, which otherwise stays resident: 1 MB an array on average, 26 MB on the whole market. */
#define MAP_GRAIN ((size_t)64 << 10)

/* Frees array i (NULL: nothing), which begins front bytes into its memory, whose mapping is
 * mapped bytes long (0: malloc's; an array in the slab is freed with the slab). */
static void array_free(void *p, size_t i, size_t mapped, size_t front)
{
    if (p == NULL || mapped == ARRAY_IN_SLAB)
        return;
    if (mapped > 0)
        munmap((char *)p - front - i * ARRAY_STAGGER, mapped);
    else
        free((char *)p - front);
}

/* Array i (*p, NULL for none; its mapping *mapped bytes long, 0 for malloc's, ARRAY_IN_SLAB
 * for one with slab_room bytes in the slab) made new_bytes long, its first used bytes kept. It
 * begins front bytes into its memory (a chain's front), and so does the new one. A new mapping
 * covers whole 2 MiB pages, so that all of it can take huge pages. On failure *p and *mapped
 * are as they were. Returns a status. */
static int array_resize(void **p, size_t i, size_t *mapped, size_t new_bytes, size_t used,
                        size_t slab_room, size_t front)
{
    if (new_bytes > SIZE_MAX - front - HUGE_PAGE_BYTES - CHAIN_ARRAY_COUNT * ARRAY_STAGGER)
        return GEX_ENOMEM;
    if (*mapped == ARRAY_IN_SLAB) {
        if (front + new_bytes <= slab_room)
            return GEX_OK; /* it fits where it is */
        void *q = NULL;
        size_t q_mapped = 0;
        const int rc = array_resize(&q, i, &q_mapped, new_bytes, 0, 0, front);
        if (rc != GEX_OK)
            return rc;
        if (used > 0)
            memcpy(q, *p, used);
        *p = q;
        *mapped = q_mapped;
        return GEX_OK;
    }
    const size_t skip = i * ARRAY_STAGGER + front;
    const int will = new_bytes >= ARRAY_MAP_MIN;
    if (*mapped == 0 && !will) {
        char *q = realloc(*p != NULL ? (char *)*p - front : NULL,
                          front + (new_bytes > 0 ? new_bytes : 1));
        if (q == NULL)
            return GEX_ENOMEM;
        *p = q + front;
        return GEX_OK;
    }
    const size_t new_len = gex__round_up(skip + new_bytes, HUGE_PAGE_BYTES);
    if (*mapped > 0 && will) {
        char *base = (char *)*p - skip;
        const size_t fit = gex__round_up(skip + new_bytes, MAP_GRAIN);
        if (fit <= *mapped) { /* its tail given back */
            if (fit < *mapped)
                munmap(base + fit, *mapped - fit);
            *mapped = fit;
            /* and the room before it (a chain's front), which a split read's first range
             * wrote before it was moved up: the pages stay mapped, and read as zeros */
            if (front > 0 && skip >= MAP_GRAIN)
                (void)madvise(base, skip / MAP_GRAIN * MAP_GRAIN, MADV_DONTNEED);
            return GEX_OK;
        }
        /* Grown into an aligned place reserved for it: the kernel moves the pages (no copy)
         * and the huge ones stay huge, 2 MiB boundaries landing on 2 MiB boundaries. */
        char *to = gex__map_huge(new_len);
        if (to == NULL)
            return GEX_ENOMEM;
        if (mremap(base, *mapped, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED) {
            memcpy(to + skip, *p, used);
            munmap(base, *mapped);
        }
#ifdef MADV_HUGEPAGE
        (void)madvise(to, new_len, MADV_HUGEPAGE);
#endif
        *p = to + skip;
        *mapped = new_len;
        return GEX_OK;
    }
    char *q;
    if (will) {
        char *m = gex__map_huge(new_len);
        q = m != NULL ? m + skip : NULL;
    } else {
        char *m = malloc(front + (new_bytes > 0 ? new_bytes : 1));
        q = m != NULL ? m + front : NULL;
    }
    if (q == NULL)
        return GEX_ENOMEM;
    if (*p != NULL && used > 0)
        memcpy(q, *p, used < new_bytes ? used : new_bytes);
    array_free(*p, i, *mapped, front);
    *p = q;
    *mapped = will ? new_len : 0;
    return GEX_OK;
}

/* The slab's layout for arrays of cap elements: each array's offset into it (at[i]); its
 * length (gex__big_alloc makes whole huge pages of it); 0 when cap elements of the arrays are
 * not a slab's (one array of ARRAY_MAP_MIN bytes or more, all of them under SLAB_MIN, or too
 * many bytes to count). */
static size_t slab_layout(const chain_array a[CHAIN_ARRAY_COUNT], size_t cap,
                          size_t at[CHAIN_ARRAY_COUNT])
{
    size_t off = 0;
    for (size_t i = 0; i < CHAIN_ARRAY_COUNT; i++) {
        if (cap > (ARRAY_MAP_MIN - 1) / a[i].size)
            return 0;
        at[i] = off;
        off += gex__round_up(cap * a[i].size, 4096) + CACHE_LINE;
    }
    return off >= SLAB_MIN ? off : 0;
}

/* Frees c's slab once no array is left in it. */
static void slab_release_unused(gex_chain *c)
{
    if (c->slab == NULL)
        return;
    for (size_t i = 0; i < CHAIN_ARRAY_COUNT; i++)
        if (c->array_mapped[i] == ARRAY_IN_SLAB)
            return;
    gex__big_free(c->slab, c->slab_len);
    c->slab = NULL;
    c->slab_len = c->slab_cap = 0;
}

/* Moves every array of c (which owns them) to a new slab of len bytes laid out by at[], cap
 * elements each: GEX_OK, or GEX_ENOMEM with the chain as it was. */
static int chain_to_slab(gex_chain *c, const chain_array a[CHAIN_ARRAY_COUNT], size_t cap,
                         const size_t at[CHAIN_ARRAY_COUNT], size_t len)
{
    char *m = gex__big_alloc(len);
    if (m == NULL)
        return GEX_ENOMEM;
    for (size_t i = 0; i < CHAIN_ARRAY_COUNT; i++) {
        if (c->n > 0)
            memcpy(m + at[i], *a[i].ptr, c->n * a[i].size);
        array_free(*a[i].ptr, i, c->array_mapped[i], c->front * a[i].size);
        *a[i].ptr = m + at[i];
        c->array_mapped[i] = ARRAY_IN_SLAB;
    }
    c->front = 0;
    gex__big_free(c->slab, c->slab_len);
    c->slab = m;
    c->slab_len = len;
    c->slab_cap = cap;
    c->cap = cap;
    return GEX_OK;
}

/* Gives a chain whose arrays are lent (gex__chain_lend) arrays of its own, cap elements each,
 * holding its n contracts; the lender's arrays are left as they are. All or nothing: on failure
 * the chain still borrows. */
static int chain_unlend(gex_chain *c, size_t cap)
{
    chain_array a[CHAIN_ARRAY_COUNT];
    void *own[CHAIN_ARRAY_COUNT];
    chain_arrays(c, a);
    const size_t room = cap > 0 ? cap : 1;
    size_t mapped[CHAIN_ARRAY_COUNT];
    for (size_t i = 0; i < CHAIN_ARRAY_COUNT; i++) {
        own[i] = NULL;
        mapped[i] = 0;
        if (room > SIZE_MAX / a[i].size ||
            array_resize(&own[i], i, &mapped[i], room * a[i].size, 0, 0, 0) != GEX_OK) {
            for (size_t k = 0; k < i; k++)
                array_free(own[k], k, mapped[k], 0);
            return GEX_ENOMEM;
        }
    }
    for (size_t i = 0; i < CHAIN_ARRAY_COUNT; i++) {
        if (c->n > 0)
            memcpy(own[i], *a[i].ptr, c->n * a[i].size);
        *a[i].ptr = own[i];
        c->array_mapped[i] = mapped[i];
    }
    c->lender = NULL;
    c->lent_at = 0;
    c->cap = cap;
    return GEX_OK;
}

/* Resizes every array to cap elements. On failure the arrays already resized keep their new
 * size, which is at least n: the chain stays valid. */
static int chain_resize(gex_chain *c, size_t cap)
{
    if (c->lender != NULL)
        return chain_unlend(c, cap);
    chain_array a[CHAIN_ARRAY_COUNT];
    chain_arrays(c, a);
    size_t at[CHAIN_ARRAY_COUNT];
    const size_t slab_len =
        c->slab != NULL && cap <= c->slab_cap - c->front ? 0 : slab_layout(a, cap, at);
    if (cap > c->n && slab_len > 0 && chain_to_slab(c, a, cap, at, slab_len) == GEX_OK)
        return GEX_OK; /* else each array on its own, as below */
    for (size_t i = 0; i < CHAIN_ARRAY_COUNT; i++) {
        if (cap > SIZE_MAX / a[i].size)
            return GEX_ENOMEM;
        const int rc =
            array_resize(a[i].ptr, i, &c->array_mapped[i], cap * a[i].size, c->n * a[i].size,
                         c->slab_cap * a[i].size, c->front * a[i].size);
        if (rc != GEX_OK)
            return rc;
    }
    slab_release_unused(c);
    c->cap = cap;
    return GEX_OK;
}

static int chain_reserve(gex_chain *c, size_t need)
{
    if (need <= c->cap)
        return GEX_OK;
    size_t cap = c->cap < CHAIN_INITIAL_CAPACITY ? CHAIN_INITIAL_CAPACITY : c->cap;
    while (cap < need) {
        if (cap > SIZE_MAX / CHAIN_GROWTH_NUM)
            return GEX_ENOMEM;
        cap = cap / CHAIN_GROWTH_DEN * CHAIN_GROWTH_NUM;
    }
    return chain_resize(c, cap);
}

int gex__chain_reserve(gex_chain *c, size_t n)
{
    return n > c->cap ? chain_resize(c, n) : GEX_OK;
}

int gex__chain_lend(gex_chain *owner, size_t at, size_t cap, gex_chain **window)
{
    *window = NULL;
    if (owner->lender != NULL || at > owner->cap || cap > owner->cap - at)
        return GEX_EINVAL;
    gex_chain *w = gex_chain_new();
    if (w == NULL)
        return GEX_ENOMEM;
    chain_array a[CHAIN_ARRAY_COUNT], wa[CHAIN_ARRAY_COUNT];
    chain_arrays(owner, a);
    chain_arrays(w, wa);
    for (size_t i = 0; i < CHAIN_ARRAY_COUNT; i++)
        *wa[i].ptr = (char *)*a[i].ptr + at * a[i].size;
    w->cap = cap;
    w->lender = owner;
    w->lent_at = at;
    *window = w;
    return GEX_OK;
}

void gex__chain_window_move_array(gex_chain *w, size_t i, size_t to)
{
    chain_array a[CHAIN_ARRAY_COUNT];
    chain_arrays(w, a);
    if (w->n > 0 && to != w->lent_at)
        memmove((char *)*a[i].ptr + (to - w->lent_at) * a[i].size, *a[i].ptr, w->n * a[i].size);
}

void gex__chain_window_rebase(gex_chain *w, size_t to)
{
    chain_array a[CHAIN_ARRAY_COUNT];
    chain_arrays(w, a);
    for (size_t i = 0; i < CHAIN_ARRAY_COUNT; i++)
        *a[i].ptr = (char *)*a[i].ptr + (to - w->lent_at) * a[i].size;
    w->lent_at = to;
    w->cap = w->n;
}

void gex__chain_shrink(gex_chain *c)
{
    if (c != NULL && c->lender == NULL && c->n > 0 && c->n < c->cap)
        (void)chain_resize(c, c->n); /* a failed shrink leaves the larger arrays: harmless */
}

/* Writes n elements of one array of a part to dst: symbol indexes through map, source lines
 * shifted, every other array as it is. dst may be at or below src in the same array (a part
 * lent by the chain, moved down to its place): each element is read before it is written. */
static void concat_array(void *dst, const void *src, size_t n, size_t size, const uint32_t *map,
                         long shift)
{
    if (map != NULL) {
        uint32_t *d = dst;
        const uint32_t *s = src;
        for (size_t i = 0; i < n; i++)
            d[i] = map[s[i]];
    } else if (shift != 0) {
        long *d = dst;
        const long *s = src;
        for (size_t i = 0; i < n; i++)
            d[i] = s[i] > 0 ? s[i] + shift : s[i];
    } else if (n > 0 && dst != src) {
        memmove(dst, src, n * size);
    }
}

/* The arrays of a concatenation, shared by the threads that copy them. */
typedef struct concat_job {
    gex_chain *c;
    gex_chain *const *parts;
    const long *line_shift;
    size_t n, total;
    uint32_t **maps;    /* NULL for a part whose symbols keep their indexes */
    atomic_size_t next; /* the next array to copy */
    atomic_int rc;
} concat_job;

/* Copies arrays, one at a time, until none is left: grown to the final size, filled from every
 * part in order, each part's own copy freed at once; a part lent by the chain is moved down
 * within the array. */
static void *concat_arrays(void *arg)
{
    concat_job *j = arg;
    gex_chain *c = j->c;
    chain_array a[CHAIN_ARRAY_COUNT], pa[CHAIN_ARRAY_COUNT];
    chain_arrays(c, a);
    for (size_t i = atomic_fetch_add(&j->next, 1); i < CHAIN_ARRAY_COUNT;
         i = atomic_fetch_add(&j->next, 1)) {
        if (j->total > c->cap) {
            if (j->total > SIZE_MAX / a[i].size ||
                array_resize(a[i].ptr, i, &c->array_mapped[i], j->total * a[i].size,
                             c->n * a[i].size, c->slab_cap * a[i].size,
                             c->front * a[i].size) != GEX_OK) {
                atomic_store(&j->rc, GEX_ENOMEM);
                continue;
            }
        }
        const int symbols = a[i].ptr == (void **)&c->underlying || a[i].ptr == (void **)&c->root;
        const int lines = a[i].ptr == (void **)&c->line;
        size_t at = c->n;
        for (size_t k = 0; k < j->n; k++) {
            chain_arrays(j->parts[k], pa);
            /* An empty part adds nothing (and the arrays of empty chains are NULL). */
            if (j->parts[k]->n > 0)
                concat_array((char *)*a[i].ptr + at * a[i].size, *pa[i].ptr, j->parts[k]->n,
                             a[i].size, symbols ? j->maps[k] : NULL, lines ? j->line_shift[k] : 0);
            at += j->parts[k]->n;
            if (j->parts[k]->lender == NULL)
                array_free(*pa[i].ptr, i, j->parts[k]->array_mapped[i],
                           j->parts[k]->front * pa[i].size);
            *pa[i].ptr = NULL;
            j->parts[k]->array_mapped[i] = 0;
        }
    }
    return NULL;
}

/* Whether every part lent by c can be moved down to its place in c's arrays, in order, without
 * writing over a part not yet moved: c's arrays hold the total, and no part starts past the
 * place lent to it. The parts that cannot are given their own copy (chain_unlend): the
 * concatenation then copies them like any other part. */
static int concat_unlend(gex_chain *c, gex_chain *const *parts, size_t n, size_t total)
{
    size_t at = c->n;
    for (size_t k = 0; k < n; k++) {
        gex_chain *p = parts[k];
        if (p->lender != NULL && (p->lender != c || total > c->cap || at > p->lent_at)) {
            int rc = chain_unlend(p, p->n);
            if (rc != GEX_OK)
                return rc;
        }
        at += p->n;
    }
    return GEX_OK;
}

/* When c is empty and the parts are windows on its arrays that lie one after the other, c is
 * made to begin where the first does (its front grows by that much), so that every part is
 * already at its place: only its symbols and lines are then rewritten, in place. */
static void concat_rebase(gex_chain *c, gex_chain *const *parts, size_t n)
{
    if (c->n != 0 || c->lender != NULL || n == 0 || parts[0]->lent_at == 0)
        return;
    const size_t front = parts[0]->lent_at;
    size_t at = front;
    for (size_t k = 0; k < n; k++) {
        if (parts[k]->lender != c || parts[k]->lent_at != at)
            return;
        at += parts[k]->n;
    }
    if (at > c->cap)
        return;
    chain_array a[CHAIN_ARRAY_COUNT];
    chain_arrays(c, a);
    for (size_t i = 0; i < CHAIN_ARRAY_COUNT; i++)
        *a[i].ptr = (char *)*a[i].ptr + front * a[i].size;
    c->front += front;
    c->cap -= front;
    for (size_t k = 0; k < n; k++)
        parts[k]->lent_at -= front;
}

int gex__chain_concat(gex_chain *c, gex_chain *const *parts, const long *line_shift, size_t n,
                      size_t threads)
{
    concat_rebase(c, parts, n);
    concat_job j = {.c = c, .parts = parts, .line_shift = line_shift, .n = n, .total = c->n};
    atomic_init(&j.next, 0);
    atomic_init(&j.rc, GEX_OK);
    j.maps = calloc(n > 0 ? n : 1, sizeof *j.maps);
    if (j.maps == NULL)
        return GEX_ENOMEM;
    int rc = GEX_OK;
    for (size_t k = 0; k < n && rc == GEX_OK; k++) {
        const gex_chain *p = parts[k];
        j.total += p->n;
        j.maps[k] = malloc((p->n_sym > 0 ? p->n_sym : 1) * sizeof *j.maps[k]);
        if (j.maps[k] == NULL) {
            rc = GEX_ENOMEM;
            break;
        }
        int identity = 1;
        for (size_t s = 0; s < p->n_sym && rc == GEX_OK; s++) {
            rc = gex__chain_intern(c, p->sym[s], strlen(p->sym[s]), &j.maps[k][s]);
            identity &= j.maps[k][s] == s;
            if (rc == GEX_OK && isnan(c->sym_spot[j.maps[k][s]]))
                c->sym_spot[j.maps[k][s]] = p->sym_spot[s];
            if (rc == GEX_OK && !quote_given(&c->sym_quote[j.maps[k][s]]))
                c->sym_quote[j.maps[k][s]] = p->sym_quote[s];
        }
        if (identity) {
            free(j.maps[k]);
            j.maps[k] = NULL;
        }
    }
    if (rc == GEX_OK)
        rc = concat_unlend(c, parts, n, j.total);
    if (rc == GEX_OK) {
        /* The copy is as long as the page faults of the new memory: shared among threads. */
        if (threads > CHAIN_ARRAY_COUNT)
            threads = CHAIN_ARRAY_COUNT;
        pthread_t helper[CHAIN_ARRAY_COUNT];
        size_t started = 0;
        while (started + 1 < threads &&
               pthread_create(&helper[started], NULL, concat_arrays, &j) == 0)
            started++;
        concat_arrays(&j);
        for (size_t t = 0; t < started; t++)
            pthread_join(helper[t], NULL);
        rc = atomic_load(&j.rc);
    }
    slab_release_unused(c); /* arrays grown here left the slab */
    if (rc == GEX_OK) {
        c->n = j.total;
        if (j.total > c->cap)
            c->cap = j.total;
        for (size_t k = 0; k < n; k++) {
            parts[k]->n = parts[k]->cap = 0;
            parts[k]->lender = NULL;
            slab_release_unused(parts[k]); /* its arrays were freed as they were copied */
        }
    }
    for (size_t k = 0; k < n; k++)
        free(j.maps[k]);
    free(j.maps);
    return rc;
}

gex_chain *gex_chain_new(void)
{
    /* A cache line of its own: the windows of a split read are made one after the other and
     * written on different threads, row by row (n, the settlement cache). Sharing a line with
     * the next chain made `gex screen --jobs 2` spend 50 ms more (8 %), from a struct 24 bytes
     * longer. */
    gex_chain *c = aligned_alloc(CACHE_LINE, gex__round_up(sizeof *c, CACHE_LINE));
    if (c == NULL)
        return NULL;
    memset(c, 0, sizeof *c);
    c->n_hash = SYMBOL_TABLE_INITIAL;
    c->hash = malloc(c->n_hash * sizeof *c->hash);
    if (c->hash == NULL) {
        free(c);
        return NULL;
    }
    memset(c->hash, 0xff, c->n_hash * sizeof *c->hash);
    memcpy(c->currency, GEX_CURRENCY_DEFAULT, sizeof c->currency);
    return c;
}

void gex_chain_free(gex_chain *c)
{
    if (c == NULL)
        return;
    chain_array a[CHAIN_ARRAY_COUNT];
    chain_arrays(c, a);
    for (size_t i = 0; i < CHAIN_ARRAY_COUNT && c->lender == NULL; i++)
        array_free(*a[i].ptr, i, c->array_mapped[i], c->front * a[i].size);
    gex__big_free(c->slab, c->slab_len);
    for (size_t i = 0; i < c->n_sym; i++)
        free(c->sym[i]);
    free(c->sym);
    free(c->sym_spot);
    free(c->sym_quote);
    free(c->sym_settle);
    free(c->hash);
    free(c);
}

/* --- symbols --- */

/* FNV-1a over the bytes folded to upper case (Fowler, Noll, Vo;
 * http://www.isthe.com/chongo/tech/comp/fnv/). */
static uint32_t symbol_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint32_t)(unsigned char)toupper((unsigned char)s[i]);
        h *= 16777619u;
    }
    return h;
}

static int symbol_equal(const char *a, const char *b, size_t len)
{
    /* a is a stored NUL-terminated symbol; b may hold any bytes, NUL included. */
    if (strnlen(a, len + 1) != len)
        return 0;
    return memcmp(a, b, len) == 0;
}

/* Finds a symbol, case kept. */
static uint32_t symbol_find(const gex_chain *c, const char *s, size_t len)
{
    size_t mask = c->n_hash - 1;
    for (size_t slot = symbol_hash(s, len) & mask;; slot = (slot + 1) & mask) {
        uint32_t idx = c->hash[slot];
        if (idx == SYMBOL_NONE)
            return SYMBOL_NONE;
        if (symbol_equal(c->sym[idx], s, len))
            return idx;
    }
}

static void symbol_insert_slot(uint32_t *hash, size_t n_hash, const char *s, uint32_t idx)
{
    size_t mask = n_hash - 1;
    size_t slot = symbol_hash(s, strlen(s)) & mask;
    while (hash[slot] != SYMBOL_NONE)
        slot = (slot + 1) & mask;
    hash[slot] = idx;
}

int gex__chain_intern(gex_chain *c, const char *s, size_t len, uint32_t *index)
{
    uint32_t found = symbol_find(c, s, len);
    if (found != SYMBOL_NONE) {
        *index = found;
        return GEX_OK;
    }
    if (c->n_sym >= UINT32_MAX - 1)
        return GEX_ENOMEM;
    if ((c->n_sym + 1) * 2 > c->n_hash) {
        size_t n_hash = c->n_hash * 2;
        uint32_t *hash = malloc(n_hash * sizeof *hash);
        if (hash == NULL)
            return GEX_ENOMEM;
        memset(hash, 0xff, n_hash * sizeof *hash);
        for (size_t i = 0; i < c->n_sym; i++)
            symbol_insert_slot(hash, n_hash, c->sym[i], (uint32_t)i);
        free(c->hash);
        c->hash = hash;
        c->n_hash = n_hash;
    }
    if (c->n_sym == c->cap_sym) {
        size_t cap = c->cap_sym ? c->cap_sym * 2 : 16;
        if (gex__realloc_array(&c->sym, cap, sizeof *c->sym) != GEX_OK ||
            gex__realloc_array(&c->sym_spot, cap, sizeof *c->sym_spot) != GEX_OK ||
            gex__realloc_array(&c->sym_quote, cap, sizeof *c->sym_quote) != GEX_OK ||
            gex__realloc_array(&c->sym_settle, cap, sizeof *c->sym_settle) != GEX_OK)
            return GEX_ENOMEM;
        c->cap_sym = cap;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return GEX_ENOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    uint32_t idx = (uint32_t)c->n_sym++;
    c->sym[idx] = copy;
    c->sym_spot[idx] = (double)NAN;
    c->sym_quote[idx] = no_quote();
    c->sym_settle[idx] = SETTLE_NONE;
    symbol_insert_slot(c->hash, c->n_hash, copy, idx);
    *index = idx;
    return GEX_OK;
}

size_t gex_chain_symbol_count(const gex_chain *c)
{
    return c->n_sym;
}

const char *gex_chain_symbol(const gex_chain *c, uint32_t index)
{
    return index < c->n_sym ? c->sym[index] : NULL;
}

/* --- builder --- */

/* Consecutive contracts share root and expiration: the last settlement instant is kept. */
static int64_t chain_settlement(gex_chain *c, uint32_t root, int32_t expiration)
{
    if (c->settle_cached && c->settle_root == root && c->settle_expiration == expiration)
        return c->settle_value;
    gex_settle style = c->sym_settle[root] != SETTLE_NONE
                           ? (gex_settle)c->sym_settle[root]
                           : gex_time_root_settle(c->sym[root], strlen(c->sym[root]));
    c->settle_cached = 1;
    c->settle_root = root;
    c->settle_expiration = expiration;
    c->settle_value = gex_time_settlement(expiration, style);
    return c->settle_value;
}

int gex__chain_add_interned(gex_chain *c, uint32_t u, uint32_t r, const gex_contract *k)
{
    if (!(k->strike > 0 && isfinite(k->strike)) || (k->type != GEX_CALL && k->type != GEX_PUT) ||
        !(k->open_interest >= 0 && isfinite(k->open_interest)) || u >= c->n_sym || r >= c->n_sym)
        return GEX_EINVAL;
    int rc = chain_reserve(c, c->n + 1);
    if (rc != GEX_OK)
        return rc;
    size_t i = c->n;
    c->underlying[i] = u;
    c->root[i] = r;
    c->expiration[i] = k->expiration;
    c->settlement[i] = chain_settlement(c, r, k->expiration);
    c->strike[i] = k->strike;
    c->type[i] = (uint8_t)k->type;
    c->bid[i] = k->bid;
    c->ask[i] = k->ask;
    c->last[i] = k->last;
    c->file_iv[i] = k->iv;
    c->open_interest[i] = k->open_interest;
    c->volume[i] = k->volume;
    c->multiplier[i] =
        k->multiplier > 0 && isfinite(k->multiplier) ? k->multiplier : GEX__DEFAULT_MULTIPLIER;
    c->spot[i] = c->sym_spot[u];
    c->vendor_delta[i] = k->vendor_delta;
    c->vendor_gamma[i] = k->vendor_gamma;
    c->theo[i] = k->theo > 0 && k->theo < HUGE_VAL ? k->theo : (double)NAN;
    c->line[i] = k->line;
    c->T[i] = (double)NAN;
    c->iv[i] = (double)NAN;
    c->iv_source[i] = GEX_IV_SOURCE_NONE;
    c->status[i] = GEX_CONTRACT_OK;
    c->r[i] = (double)NAN;
    c->q[i] = (double)NAN;
    c->n++;
    return GEX_OK;
}

int gex_chain_add(gex_chain *c, const gex_contract *k)
{
    if (c == NULL || k == NULL || k->underlying == NULL || k->underlying[0] == '\0')
        return GEX_EINVAL;
    const char *root = k->root != NULL && k->root[0] != '\0' ? k->root : k->underlying;
    uint32_t u, r;
    int rc = gex__chain_intern(c, k->underlying, strlen(k->underlying), &u);
    if (rc == GEX_OK)
        rc = gex__chain_intern(c, root, strlen(root), &r);
    if (rc != GEX_OK)
        return rc;
    return gex__chain_add_interned(c, u, r, k);
}

int gex_chain_set_spot(gex_chain *c, const char *underlying, double spot)
{
    if (c == NULL || underlying == NULL || underlying[0] == '\0' || !(spot > 0) || !isfinite(spot))
        return GEX_EINVAL;
    uint32_t u;
    int rc = gex__chain_intern(c, underlying, strlen(underlying), &u);
    if (rc != GEX_OK)
        return rc;
    c->sym_spot[u] = spot;
    for (size_t i = 0; i < c->n; i++)
        if (c->underlying[i] == u)
            c->spot[i] = spot;
    return GEX_OK;
}

static double quote_value(double x)
{
    return x > 0 && isfinite(x) ? x : (double)NAN;
}

int gex_chain_set_underlying_quote(gex_chain *c, const char *underlying,
                                   const gex_underlying_quote *q)
{
    if (c == NULL || underlying == NULL || underlying[0] == '\0' || q == NULL)
        return GEX_EINVAL;
    uint32_t u;
    int rc = gex__chain_intern(c, underlying, strlen(underlying), &u);
    if (rc != GEX_OK)
        return rc;
    c->sym_quote[u] = (gex_underlying_quote){
        .bid = quote_value(q->bid), .ask = quote_value(q->ask), .last = quote_value(q->last)};
    return GEX_OK;
}

gex_underlying_quote gex_chain_underlying_quote(const gex_chain *c, uint32_t underlying)
{
    if (c == NULL || underlying >= c->n_sym)
        return no_quote();
    return c->sym_quote[underlying];
}

int gex_chain_set_settle(gex_chain *c, const char *root, gex_settle style)
{
    if (c == NULL || root == NULL || root[0] == '\0' ||
        (style != GEX_SETTLE_AM && style != GEX_SETTLE_PM))
        return GEX_EINVAL;
    uint32_t r;
    int rc = gex__chain_intern(c, root, strlen(root), &r);
    if (rc != GEX_OK)
        return rc;
    /* Roots compare ignoring case (SPEC 1.1 names them in upper case; files agree). */
    for (size_t s = 0; s < c->n_sym; s++)
        if (strcasecmp(c->sym[s], root) == 0)
            c->sym_settle[s] = (signed char)style;
    c->settle_cached = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->sym_settle[c->root[i]] == (signed char)style &&
            strcasecmp(c->sym[c->root[i]], root) == 0)
            c->settlement[i] = chain_settlement(c, c->root[i], c->expiration[i]);
    return GEX_OK;
}

void gex__chain_set_time_note(gex_chain *c, const char *file, long line, const char *text)
{
    snprintf(c->time_file, sizeof c->time_file, "%s", file != NULL ? file : "");
    snprintf(c->time_note, sizeof c->time_note, "%s", text != NULL ? text : "");
    c->time_line = line;
}

const char *gex_chain_time_note(const gex_chain *c, long *line)
{
    if (line != NULL)
        *line = c != NULL ? c->time_line : 0;
    return c != NULL ? c->time_note : "";
}

void gex_chain_set_quote_time(gex_chain *c, int64_t utc)
{
    c->has_quote_time = 1;
    c->quote_time = utc;
}

int gex_chain_carry(const gex_chain *c, double *rate, double *div)
{
    if (c == NULL || !c->prepared)
        return GEX_EINVAL;
    if (rate != NULL)
        *rate = c->rate;
    if (div != NULL)
        *div = c->div;
    return GEX_OK;
}

gex_carry_mode gex_chain_carry_mode(const gex_chain *c)
{
    return c != NULL && c->prepared ? c->carry : GEX_CARRY_FLAT;
}

const char *gex_carry_mode_name(int mode)
{
    switch (mode) {
    case GEX_CARRY_FLAT:
        return "flat";
    case GEX_CARRY_PARITY:
        return "parity";
    default:
        return NULL;
    }
}

int gex_chain_quote_time(const gex_chain *c, int64_t *utc)
{
    if (!c->has_quote_time)
        return GEX_ENOTIME;
    *utc = c->quote_time;
    return GEX_OK;
}

void gex_chain_set_venue_european(gex_chain *c, int european)
{
    c->venue_european = european != 0;
}

int gex_chain_venue_european(const gex_chain *c)
{
    return c->venue_european;
}

int gex_chain_set_currency(gex_chain *c, const char *code)
{
    if (c == NULL || !gex_currency_valid(code))
        return GEX_EINVAL;
    memcpy(c->currency, code, sizeof c->currency);
    return GEX_OK;
}

const char *gex_chain_currency(const gex_chain *c)
{
    return c != NULL ? c->currency : GEX_CURRENCY_DEFAULT;
}

int gex__chain_any_open_interest(const gex_chain *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->open_interest[i] > 0)
            return 1;
    return c->n == 0;
}

int gex__chain_require_oi(const gex_chain *c, size_t missing, const char *name, const char *what,
                          const char *advice, gex_error *err)
{
    if (gex__chain_any_open_interest(c))
        return GEX_OK;
    return gex_error_set(err, GEX_EEMPTY, name, 0, 0,
                         "%s whose %zu contracts all have %s open interest: GEX weighs every "
                         "contract by its open interest, so none can be computed; %s",
                         what, c->n, missing >= c->n ? "no" : "zero", advice);
}

int gex_chain_check_open_interest(const gex_chain *c, const char *name, gex_error *err)
{
    if (c == NULL)
        return GEX_EINVAL;
    if (gex__chain_any_open_interest(c))
        return GEX_OK;
    char what[128];
    snprintf(what, sizeof what, "the chain of %.64s",
             c->n > 0 ? c->sym[c->underlying[0]] : "no underlying");
    return gex__chain_require_oi(c, 0, name, what, GEX__OI_ADVICE, err);
}

int gex_chain_check_spot(const gex_chain *c, const char *name, gex_error *err)
{
    if (c == NULL)
        return GEX_EINVAL;
    for (size_t i = 0; i < c->n; i++) {
        if (c->spot[i] > 0 && isfinite(c->spot[i]))
            continue;
        const char *sym = c->sym[c->underlying[i]];
        /* --spot gives every underlying of a file of several the same spot: the advice reads
         * this one alone (SPEC 2.5). */
        return gex_error_set(err, GEX_EPARSE, name, c->line[i], 0,
                             "the file gives no spot price for %.64s: its rows have none%s; "
                             "pass --symbol %.64s --spot PRICE to read it alone",
                             sym, c->line[i] > 0 ? " (the first here)" : "", sym);
    }
    return GEX_OK;
}

/* --- reading --- */

void gex_chain_get_view(const gex_chain *c, gex_chain_view *v)
{
    v->n = c->n;
    v->underlying = c->underlying;
    v->root = c->root;
    v->expiration = c->expiration;
    v->settlement = c->settlement;
    v->strike = c->strike;
    v->type = c->type;
    v->bid = c->bid;
    v->ask = c->ask;
    v->last = c->last;
    v->file_iv = c->file_iv;
    v->open_interest = c->open_interest;
    v->volume = c->volume;
    v->multiplier = c->multiplier;
    v->spot = c->spot;
    v->vendor_delta = c->vendor_delta;
    v->vendor_gamma = c->vendor_gamma;
    v->theo = c->theo;
    v->line = c->line;
    v->T = c->T;
    v->iv = c->iv;
    v->iv_source = c->iv_source;
    v->status = c->status;
    v->r = c->r;
    v->q = c->q;
}

size_t gex_chain_size(const gex_chain *c)
{
    return c->n;
}

static int compare_day(const void *a, const void *b)
{
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int gex_chain_expirations(const gex_chain *c, int32_t **days, size_t **counts, size_t *n)
{
    if (c == NULL || days == NULL || counts == NULL || n == NULL)
        return GEX_EINVAL;
    *days = NULL;
    *counts = NULL;
    *n = 0;
    if (c->n == 0)
        return GEX_OK;
    int32_t *d = malloc(c->n * sizeof *d);
    size_t *k = malloc(c->n * sizeof *k);
    if (d == NULL || k == NULL) {
        free(d);
        free(k);
        return GEX_ENOMEM;
    }
    memcpy(d, c->expiration, c->n * sizeof *d);
    qsort(d, c->n, sizeof *d, compare_day);
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (m > 0 && d[m - 1] == d[i]) {
            k[m - 1]++;
        } else {
            d[m] = d[i];
            k[m++] = 1;
        }
    }
    *days = d;
    *counts = k;
    *n = m;
    return GEX_OK;
}

size_t gex_chain_underlyings(const gex_chain *c, uint32_t *ids, size_t max)
{
    /* A symbol is an underlying when some contract names it; order of first appearance. The
     * marks live on the stack for small tables and are computed in one pass. */
    size_t count = 0;
    unsigned char small[256];
    unsigned char *seen = c->n_sym <= sizeof small ? small : calloc(c->n_sym, 1);
    if (seen == NULL) {
        /* Out of memory: fall back to a quadratic scan that needs no marks. */
        for (size_t i = 0; i < c->n; i++) {
            size_t j = 0;
            while (j < i && c->underlying[j] != c->underlying[i])
                j++;
            if (j == i) {
                if (count < max)
                    ids[count] = c->underlying[i];
                count++;
            }
        }
        return count;
    }
    if (seen == small)
        memset(small, 0, sizeof small);
    for (size_t i = 0; i < c->n; i++) {
        uint32_t u = c->underlying[i];
        if (!seen[u]) {
            seen[u] = 1;
            if (count < max)
                ids[count] = u;
            count++;
        }
    }
    if (seen != small)
        free(seen);
    return count;
}

/* Interns symbol s of c in d, with its spot and settlement override. */
static int intern_from(gex_chain *d, const gex_chain *c, uint32_t s, uint32_t *index)
{
    int rc = gex__chain_intern(d, c->sym[s], strlen(c->sym[s]), index);
    if (rc != GEX_OK)
        return rc;
    d->sym_spot[*index] = c->sym_spot[s];
    d->sym_quote[*index] = c->sym_quote[s];
    d->sym_settle[*index] = c->sym_settle[s];
    return GEX_OK;
}

/* Maps symbol s of c to its index in d, interning it there the first time. map and owner
 * remember the last chain a symbol went to: the contracts of one underlying are usually
 * contiguous, so the hash is rarely consulted. */
static int map_symbol(gex_chain *d, uint32_t who, const gex_chain *c, uint32_t s, uint32_t *map,
                      uint32_t *owner, uint32_t *index)
{
    if (map[s] != SYMBOL_NONE && owner[s] == who) {
        *index = map[s];
        return GEX_OK;
    }
    int rc = intern_from(d, c, s, index);
    if (rc != GEX_OK)
        return rc;
    map[s] = *index;
    owner[s] = who;
    return GEX_OK;
}

/* Appends contract i of c to d, whose arrays have room; u and r are d's symbol indexes. */
static void copy_contract(gex_chain *d, const gex_chain *c, size_t i, uint32_t u, uint32_t r)
{
    size_t j = d->n++;
    d->underlying[j] = u;
    d->root[j] = r;
    d->expiration[j] = c->expiration[i];
    d->settlement[j] = c->settlement[i];
    d->strike[j] = c->strike[i];
    d->type[j] = c->type[i];
    d->bid[j] = c->bid[i];
    d->ask[j] = c->ask[i];
    d->last[j] = c->last[i];
    d->file_iv[j] = c->file_iv[i];
    d->open_interest[j] = c->open_interest[i];
    d->volume[j] = c->volume[i];
    d->multiplier[j] = c->multiplier[i];
    d->spot[j] = c->spot[i];
    d->vendor_delta[j] = c->vendor_delta[i];
    d->vendor_gamma[j] = c->vendor_gamma[i];
    d->theo[j] = c->theo[i];
    d->line[j] = c->line[i];
    d->T[j] = c->T[i];
    d->iv[j] = c->iv[i];
    d->iv_source[j] = c->iv_source[i];
    d->status[j] = c->status[i];
    d->r[j] = c->r[i];
    d->q[j] = c->q[i];
}

static void copy_chain_attributes(gex_chain *d, const gex_chain *c)
{
    d->has_quote_time = c->has_quote_time;
    d->quote_time = c->quote_time;
    d->venue_european = c->venue_european;
    memcpy(d->currency, c->currency, sizeof d->currency);
    d->prepared = c->prepared;
    d->rate = c->rate;
    d->div = c->div;
    d->carry = c->carry;
    memcpy(d->time_note, c->time_note, sizeof d->time_note);
    memcpy(d->time_file, c->time_file, sizeof d->time_file);
    d->time_line = c->time_line;
}

/* Distributes the contracts of c among chains: part[s] is the output of underlying symbol s
 * (SYMBOL_NONE: left out), out[k] the chains, already created with room reserved. */
static int distribute(const gex_chain *c, const uint32_t *part, gex_chain **out)
{
    uint32_t *map = malloc((c->n_sym + 1) * sizeof *map);
    uint32_t *owner = malloc((c->n_sym + 1) * sizeof *owner);
    int rc = map != NULL && owner != NULL ? GEX_OK : GEX_ENOMEM;
    for (size_t s = 0; rc == GEX_OK && s < c->n_sym; s++)
        map[s] = owner[s] = SYMBOL_NONE;
    for (size_t i = 0; rc == GEX_OK && i < c->n; i++) {
        uint32_t k = part[c->underlying[i]];
        if (k == SYMBOL_NONE)
            continue;
        uint32_t u, r;
        rc = map_symbol(out[k], k, c, c->underlying[i], map, owner, &u);
        if (rc == GEX_OK)
            rc = map_symbol(out[k], k, c, c->root[i], map, owner, &r);
        if (rc == GEX_OK)
            copy_contract(out[k], c, i, u, r);
    }
    free(map);
    free(owner);
    return rc;
}

int gex_chain_select(const gex_chain *c, const char *underlying, gex_chain **out)
{
    if (c == NULL || underlying == NULL || out == NULL)
        return GEX_EINVAL;
    *out = NULL;
    /* Every symbol equal ignoring case (a file may spell one underlying two ways). */
    uint32_t *part = malloc((c->n_sym + 1) * sizeof *part);
    if (part == NULL)
        return GEX_ENOMEM;
    for (size_t s = 0; s < c->n_sym; s++)
        part[s] = strcasecmp(c->sym[s], underlying) == 0 ? 0 : SYMBOL_NONE;
    size_t count = 0;
    for (size_t i = 0; i < c->n; i++)
        count += part[c->underlying[i]] == 0;
    int rc = count == 0 ? GEX_ENOTFOUND : GEX_OK;
    gex_chain *d = rc == GEX_OK ? gex_chain_new() : NULL;
    if (rc == GEX_OK && d == NULL)
        rc = GEX_ENOMEM;
    if (rc == GEX_OK)
        rc = chain_reserve(d, count);
    if (rc == GEX_OK)
        rc = distribute(c, part, &d);
    free(part);
    if (rc != GEX_OK) {
        gex_chain_free(d);
        return rc;
    }
    copy_chain_attributes(d, c);
    *out = d;
    return GEX_OK;
}

int gex_chain_extract(const gex_chain *c, const uint32_t *indexes, size_t n, gex_chain **out)
{
    if (c == NULL || out == NULL || (indexes == NULL && n > 0))
        return GEX_EINVAL;
    *out = NULL;
    for (size_t j = 0; j < n; j++)
        if (indexes[j] >= c->n)
            return GEX_EINVAL;
    gex_chain *d = gex_chain_new();
    int rc = d == NULL ? GEX_ENOMEM : chain_reserve(d, n);
    /* The last symbols mapped: a run of contracts shares its underlying and usually its root. */
    uint32_t last_s[2] = {SYMBOL_NONE, SYMBOL_NONE}, last_d[2] = {0, 0};
    for (size_t j = 0; rc == GEX_OK && j < n; j++) {
        const uint32_t i = indexes[j];
        const uint32_t src[2] = {c->underlying[i], c->root[i]};
        uint32_t dst[2];
        for (int w = 0; w < 2 && rc == GEX_OK; w++) {
            if (src[w] == last_s[0])
                dst[w] = last_d[0];
            else if (src[w] == last_s[1])
                dst[w] = last_d[1];
            else if ((rc = intern_from(d, c, src[w], &dst[w])) == GEX_OK) {
                last_s[w] = src[w];
                last_d[w] = dst[w];
            }
        }
        if (rc == GEX_OK)
            copy_contract(d, c, i, dst[0], dst[1]);
    }
    if (rc != GEX_OK) {
        gex_chain_free(d);
        return rc;
    }
    copy_chain_attributes(d, c);
    *out = d;
    return GEX_OK;
}

int gex_chain_split(const gex_chain *c, gex_chain **out, size_t n)
{
    if (c == NULL || out == NULL)
        return GEX_EINVAL;
    for (size_t k = 0; k < n; k++)
        out[k] = NULL;
    uint32_t *part = malloc((c->n_sym + 1) * sizeof *part);
    size_t *count = calloc(n + 1, sizeof *count);
    int rc = part != NULL && count != NULL ? GEX_OK : GEX_ENOMEM;
    size_t found = 0;
    for (size_t s = 0; rc == GEX_OK && s < c->n_sym; s++)
        part[s] = SYMBOL_NONE;
    /* Outputs in order of first appearance, as gex_chain_underlyings gives them. */
    for (size_t i = 0; rc == GEX_OK && i < c->n; i++) {
        uint32_t u = c->underlying[i];
        if (part[u] == SYMBOL_NONE) {
            if (found == n) {
                rc = GEX_EINVAL;
                break;
            }
            part[u] = (uint32_t)found++;
        }
        count[part[u]]++;
    }
    if (rc == GEX_OK && found != n)
        rc = GEX_EINVAL;
    for (size_t k = 0; rc == GEX_OK && k < n; k++) {
        out[k] = gex_chain_new();
        rc = out[k] == NULL ? GEX_ENOMEM : chain_reserve(out[k], count[k]);
    }
    if (rc == GEX_OK)
        rc = distribute(c, part, out);
    free(part);
    free(count);
    for (size_t k = 0; k < n; k++) {
        if (rc != GEX_OK) {
            gex_chain_free(out[k]);
            out[k] = NULL;
        } else {
            copy_chain_attributes(out[k], c);
        }
    }
    return rc;
}

/* --- names --- */

static const char *const format_names[GEX_FORMAT_COUNT] = {
    [GEX_FORMAT_AUTO] = "auto",
    [GEX_FORMAT_LONG_CSV] = "long-csv",
    [GEX_FORMAT_CBOE_CSV] = "cboe-csv",
    [GEX_FORMAT_CBOE_JSON] = "cboe-json",
    [GEX_FORMAT_SCHWAB_JSON] = "schwab-json",
    [GEX_FORMAT_TRADIER_JSON] = "tradier-json",
    [GEX_FORMAT_POLYGON_JSON] = "polygon-json",
    [GEX_FORMAT_OPC_JSON] = "opc-json",
    [GEX_FORMAT_IBKR_JSON] = "ibkr-json",
    [GEX_FORMAT_BARCHART_CSV] = "barchart-csv",
    [GEX_FORMAT_NSE_CSV] = "nse-csv",
    [GEX_FORMAT_DERIBIT_CSV] = "deribit-csv",
    [GEX_FORMAT_THINKORSWIM_CSV] = "thinkorswim-csv",
    [GEX_FORMAT_CBOE_LEGACY] = "cboe-legacy",
    [GEX_FORMAT_OPTIONSDX] = "optionsdx",
    [GEX_FORMAT_OPTIONMETRICS_CSV] = "optionmetrics-csv",
};

const char *gex_format_name(int format)
{
    return format >= 0 && format < GEX_FORMAT_COUNT ? format_names[format] : NULL;
}

int gex_format_parse(const char *name, gex_format *format)
{
    if (name == NULL || format == NULL)
        return GEX_EINVAL;
    for (int f = 0; f < GEX_FORMAT_COUNT; f++) {
        if (strcmp(name, format_names[f]) == 0) {
            *format = (gex_format)f;
            return GEX_OK;
        }
    }
    return GEX_EINVAL;
}

static const char *const status_names[GEX_CONTRACT_STATUS_COUNT] = {
    [GEX_CONTRACT_OK] = "ok",
    [GEX_CONTRACT_EXPIRED] = "expired",
    [GEX_CONTRACT_NO_IV] = "no_iv",
    [GEX_CONTRACT_BELOW_INTRINSIC] = "below_intrinsic",
    [GEX_CONTRACT_ABOVE_MAX] = "above_max",
    [GEX_CONTRACT_NOT_CONVERGED] = "not_converged",
    [GEX_CONTRACT_GREEKS_OVERFLOW] = "greeks_overflow",
};

const char *gex_contract_status_name(int status)
{
    return status >= 0 && status < GEX_CONTRACT_STATUS_COUNT ? status_names[status] : NULL;
}

static const char *const skip_names[GEX_SKIP_REASON_COUNT] = {
    [GEX_SKIP_BAD_STRIKE] = "bad_strike",
    [GEX_SKIP_BAD_EXPIRATION] = "bad_expiration",
    [GEX_SKIP_BAD_TYPE] = "bad_type",
    [GEX_SKIP_BAD_NUMBER] = "bad_number",
    [GEX_SKIP_BAD_OPEN_INTEREST] = "bad_open_interest",
    [GEX_SKIP_SHORT_ROW] = "short_row",
    [GEX_SKIP_BAD_SYMBOL] = "bad_symbol",
};

const char *gex_skip_reason_name(int reason)
{
    return reason >= 0 && reason < GEX_SKIP_REASON_COUNT ? skip_names[reason] : NULL;
}
