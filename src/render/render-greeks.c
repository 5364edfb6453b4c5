/*
 * render-greeks.c: the greeks document (gex greeks): every listed contract's greeks and
 * exposures, as a table, as CSV (streamed) or as JSON (written as it is assembled). CSV and JSON
 * need no memory beyond the chain's for a whole market.
 *
 * Threads. Writing the numbers in their shortest form is most of the document's time, and on
 * one core it was the serial part after a read that uses every core. With options->threads > 1
 * the CSV and JSON rows are formatted in blocks of GREEKS_BLOCK contracts on that many threads,
 * each into memory, and the blocks are written in order by the calling thread: the bytes are the
 * same whatever the threads (tests/greeks-jobs.sh), and memory holds two blocks per thread. A
 * table's blocks are formatted the same way, as the text each cell shows, and all of them are
 * kept until the widths of the columns are known; then each block's lines are assembled on the
 * threads and written in order like CSV's (tests/greeks-table.py checks the table against
 * Python's rendering of the CSV).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* Contracts per block of a threaded writing: about 0.55 MB of CSV and 0.95 MB of JSON, some 1 ms
 * of formatting against the microseconds of handing a block over. */
#define GREEKS_BLOCK 2048
/* At most this many threads write one document. */
#define GREEKS_THREADS_MAX 64

/* The OCC symbol: root, YYMMDD, C or P, strike x 1000 in 8 digits (OCC symbology, 2010).
 * Returns 0, or -1 (buf left alone) when the strike has no such form: 100,000 and above
 * (Deribit's bitcoin strikes), where eight digits cannot hold it. */
static int occ_symbol(const char *root, int32_t expiration, int type, double strike, char *buf,
                      size_t size)
{
    const double k = nearbyint(strike * 1000.0);
    if (!(k >= 0.0 && k < 1e8) || size == 0)
        return -1;
    int y, mo, d;
    gex_time_civil_from_days(expiration, &y, &mo, &d);
    /* By hand, not snprintf: this runs once per contract of greeks (OCC: root, YYMMDD, C or P,
     * the strike in thousandths on eight digits). */
    char tail[16];
    const int yy = ((y % 100) + 100) % 100;
    const int date[3] = {yy, mo, d};
    size_t t = 0;
    for (int i = 0; i < 3; i++) {
        tail[t++] = (char)('0' + date[i] / 10 % 10);
        tail[t++] = (char)('0' + date[i] % 10);
    }
    tail[t++] = type == GEX_PUT ? 'P' : 'C';
    long kk = (long)k;
    for (int i = 7; i >= 0; i--, kk /= 10)
        tail[t + (size_t)i] = (char)('0' + kk % 10);
    t += 8;
    size_t o = strnlen(root, size - 1);
    memcpy(buf, root, o);
    const size_t n = t < size - 1 - o ? t : size - 1 - o;
    memcpy(buf + o, tail, n);
    buf[o + n] = '\0';
    return 0;
}

#define GREEKS_COLUMNS 20
static const gex__column greeks_columns[GREEKS_COLUMNS] = {
    {"underlying", NULL, GEX__STYLE_TEXT},
    {"option_symbol", NULL, GEX__STYLE_TEXT},
    {"expiration", NULL, GEX__STYLE_TEXT},
    {"strike", "USD", GEX__STYLE_STRIKE},
    {"type", NULL, GEX__STYLE_TEXT},
    {"T", "years", GEX__STYLE_SIG},
    {"iv", "fraction", GEX__STYLE_SIG},
    {"iv_source", NULL, GEX__STYLE_TEXT},
    {"spot", "USD", GEX__STYLE_PRICE},
    {"delta", "per $1", GEX__STYLE_SIG},
    {"gamma", "per $1/$1", GEX__STYLE_SIG},
    {"vega", "per 1.00 vol", GEX__STYLE_SIG},
    {"vanna", "per 1.00 vol", GEX__STYLE_SIG},
    {"charm", "per year", GEX__STYLE_SIG},
    {"open_interest", "contracts", GEX__STYLE_COUNT},
    {"gex", NULL, GEX__STYLE_MONEY},
    {"dex", "USD", GEX__STYLE_MONEY},
    {"vex", "USD/vol pt", GEX__STYLE_MONEY},
    {"chex", "USD/day", GEX__STYLE_MONEY},
    {"status", NULL, GEX__STYLE_TEXT},
};

/* What every row reads: the analysis, its chain's arrays and its exposures'. */
typedef struct greeks_src {
    const gex__analysis *a;
    gex_chain_view v;
    gex_contract_exposures ce;
    const gex__column *columns; /* greeks_columns with the gex unit of the analysis */
    /* a table's blocks, formatted (one part a block), and their layout: the threads then
     * assemble the lines of each */
    const gex__table *const *parts;
    const gex__table_layout *layout;
} greeks_src;

/* n members of a contract's object: each key (its comma and colon included) and its value, or
 * null for a contract without greeks (ok 0). */
static void json_members(gex__jwriter *w, const char *const *keys, const double *values, int n,
                         int ok)
{
    for (int k = 0; k < n; k++) {
        gex__jwriter_raw(w, keys[k]);
        if (ok)
            gex__jwriter_num(w, values[k]);
        else
            gex__jwriter_null(w);
    }
}

/* Contracts [from, to) that no filter left out, as rows of t (CSV or a table) or as JSON
 * objects through w, each after a comma but the first that *objects counts. Returns GEX_OK, or
 * GEX_ENOMEM when a table ran out of memory; a stream that refused a write ends the rows early
 * with GEX_OK (the table holds the failure, which gex__table_emit reports). */
static int greeks_rows(const greeks_src *g, size_t from, size_t to, gex__table *t, gex__jwriter *w,
                       size_t *objects)
{
    static const char *const iv_sources[4] = {"none", "file", "mid", "parity"};
    const gex_chain_view *v = &g->v;
    const gex_contract_exposures *ce = &g->ce;
    const gex__analysis *a = g->a;
    char exp[16] = "";
    int32_t exp_day = 0;
    int have_exp = 0;
    int st = GEX_OK;
    for (size_t i = from; i < to && st == GEX_OK; i++) {
        const int ok = v->status[i] == GEX_CONTRACT_OK;
        if (!ce->included[i] && (ok || !ce->kept[i]))
            continue; /* left out by a filter */
        const char *root = gex_chain_symbol(a->chain, v->root[i]);
        char sym[64];
        const int has_sym = occ_symbol(root ? root : a->symbol, v->expiration[i], v->type[i],
                                       v->strike[i], sym, sizeof sym) == 0;
        if (!have_exp || v->expiration[i] != exp_day) { /* contracts come by expiration */
            have_exp = 1;
            exp_day = v->expiration[i];
            gex_time_format_date(exp_day, exp, sizeof exp);
        }
        const char *status = ok ? "ok" : gex_contract_status_name(v->status[i]);
        const int src = v->iv_source[i] < 4 ? v->iv_source[i] : 0;
        const double vals[] = {ce->delta[i], ce->gamma[i], ce->vega[i], ce->vanna[i], ce->charm[i]};
        const double exps[] = {ce->gex[i], ce->dex[i], ce->vex[i], ce->chex[i]};
        if (t != NULL) {
            st |= gex__table_text(t, a->symbol);
            st |= has_sym ? gex__table_text(t, sym) : gex__table_null(t);
            st |= gex__table_text(t, exp);
            st |= gex__table_num(t, v->strike[i]);
            st |= gex__table_text(t, v->type[i] == GEX_PUT ? "put" : "call");
            st |= gex__table_num(t, v->T[i]);
            st |= ok ? gex__table_num(t, v->iv[i]) : gex__table_null(t);
            st |= gex__table_text(t, iv_sources[src]);
            st |= gex__table_num(t, v->spot[i]);
            for (int k = 0; k < 5; k++)
                st |= ok ? gex__table_num(t, vals[k]) : gex__table_null(t);
            st |= gex__table_num(t, v->open_interest[i]);
            for (int k = 0; k < 4; k++)
                st |= ok ? gex__table_num(t, exps[k]) : gex__table_null(t);
            st |= gex__table_text(t, status);
            if (st != GEX_OK && gex__table_write_failed(t))
                return GEX_OK; /* not memory: the output refused a write */
            continue;
        }
        /* one object per contract, written as it is assembled: a jansson object each
         * (allocations, a hash table, their frees) was most of the document's time; the keys
         * and separators are literals (keys that need no escape: the bytes gex__jwriter_key
         * writes) */
        static const char *const gk[] = {
            ",\"delta\":", ",\"gamma\":", ",\"vega\":", ",\"vanna\":", ",\"charm\":"};
        static const char *const ek[] = {",\"gex\":", ",\"dex\":", ",\"vex\":", ",\"chex\":"};
        if ((*objects)++ > 0)
            GEX__JWRITER_LIT(w, ",");
        GEX__JWRITER_LIT(w, "{\"underlying\":");
        gex__jwriter_str(w, a->symbol);
        GEX__JWRITER_LIT(w, ",\"option_symbol\":");
        if (has_sym)
            gex__jwriter_str(w, sym);
        else
            gex__jwriter_null(w);
        GEX__JWRITER_LIT(w, ",\"expiration\":");
        gex__jwriter_str(w, exp);
        GEX__JWRITER_LIT(w, ",\"strike\":");
        gex__jwriter_num(w, v->strike[i]);
        if (v->type[i] == GEX_PUT)
            GEX__JWRITER_LIT(w, ",\"type\":\"put\",\"T\":");
        else
            GEX__JWRITER_LIT(w, ",\"type\":\"call\",\"T\":");
        gex__jwriter_num(w, v->T[i]);
        GEX__JWRITER_LIT(w, ",\"iv\":");
        if (ok)
            gex__jwriter_num(w, v->iv[i]);
        else
            gex__jwriter_null(w);
        GEX__JWRITER_LIT(w, ",\"iv_source\":");
        gex__jwriter_str(w, iv_sources[src]);
        GEX__JWRITER_LIT(w, ",\"spot\":");
        gex__jwriter_num(w, v->spot[i]);
        json_members(w, gk, vals, 5, ok);
        GEX__JWRITER_LIT(w, ",\"open_interest\":");
        gex__jwriter_num(w, v->open_interest[i]);
        json_members(w, ek, exps, 4, ok);
        GEX__JWRITER_LIT(w, ",\"status\":");
        gex__jwriter_str(w, status);
        GEX__JWRITER_LIT(w, "}");
    }
    return st == GEX_OK ? GEX_OK : GEX_ENOMEM;
}

/* --- threaded writing --- */

/* A slot of the window: the block of rows formatted in it, its text (len bytes at buf, a buffer
 * of cap bytes that the slot keeps from block to block, so that its pages are faulted in once),
 * the JSON objects in it and the non-finite values it wrote as empty cells or null. */
typedef struct greeks_block {
    const greeks_src *src;
    gex__out_format format;
    char *buf;
    size_t cap;
    size_t from, to; /* the contracts of the block in the slot */
    size_t len, objects, nonfinite;
    int rc;
    int ready; /* formatted (under the pool's lock) */
} greeks_block;

/* The first size of a slot's buffer, 1.3 MB: more than a block of the index chain's rows needs
 * (0.55 MB of CSV, 0.95 MB of JSON); it doubles when a block needs more. */
#define BLOCK_BYTES_PER_ROW 640

/* The block's rows as CSV into its buffer: GEX_OK, or 1 when they did not fit (the buffer is
 * then doubled and the block written again). */
static int csv_block(greeks_block *b)
{
    FILE *mem = fmemopen(b->buf, b->cap, "w");
    gex__table *t =
        mem != NULL ? gex__table_new(b->src->columns, GREEKS_COLUMNS, b->src->a->currency) : NULL;
    if (t == NULL) {
        if (mem != NULL)
            fclose(mem);
        return GEX_ENOMEM;
    }
    gex__table_stream_rows(t, mem);
    int rc = greeks_rows(b->src, b->from, b->to, t, NULL, &b->objects);
    b->nonfinite = gex__table_nonfinite(t);
    const int full = gex__table_write_failed(t) || fflush(mem) != 0 || ferror(mem);
    const long len = ftell(mem);
    gex__table_free(t);
    fclose(mem);
    if (rc == GEX_OK && full)
        return 1;
    b->len = len > 0 ? (size_t)len : 0;
    return rc;
}

/* The lines of a table's block, its part formatted before (the values that are not finite are
 * counted there). */
static void table_block(greeks_block *b)
{
    const greeks_src *g = b->src;
    const gex__table *part = g->parts[b->from / GREEKS_BLOCK];
    const size_t rows = gex__table_rows(part);
    const size_t need = rows * gex__table_layout_line_bytes(g->layout);
    if (need > b->cap) {
        char *bigger = realloc(b->buf, need);
        if (bigger == NULL) {
            b->rc = GEX_ENOMEM;
            return;
        }
        b->buf = bigger;
        b->cap = need;
    }
    size_t at_text = 0;
    b->len = gex__table_layout_lines(g->layout, part, 0, rows, &at_text, b->buf);
}

static void format_block(greeks_block *b)
{
    b->len = b->objects = b->nonfinite = 0;
    b->rc = GEX_OK;
    if (b->from >= b->to)
        return;
    if (b->buf == NULL) {
        b->cap = GREEKS_BLOCK * BLOCK_BYTES_PER_ROW;
        if ((b->buf = malloc(b->cap)) == NULL) {
            b->rc = GEX_ENOMEM;
            return;
        }
    }
    if (b->format == GEX__OUT_TABLE) {
        table_block(b);
        return;
    }
    if (b->format == GEX__OUT_CSV) {
        while ((b->rc = csv_block(b)) == 1) {
            char *bigger = b->cap <= SIZE_MAX / 2 ? realloc(b->buf, 2 * b->cap) : NULL;
            if (bigger == NULL) {
                b->rc = GEX_ENOMEM;
                return;
            }
            b->buf = bigger;
            b->cap *= 2;
            b->objects = 0;
        }
        return;
    }
    /* JSON: a memory writer that starts on the thread's buffer, and grows it when it must */
    gex__jwriter *w = calloc(1, sizeof *w);
    if (w == NULL) {
        b->rc = GEX_ENOMEM;
        return;
    }
    w->data = b->buf;
    w->cap = b->cap;
    b->rc = greeks_rows(b->src, b->from, b->to, NULL, w, &b->objects);
    b->buf = w->data;
    b->cap = w->cap;
    b->len = w->len;
    b->nonfinite = w->nonfinite;
    if (w->failed)
        b->rc = GEX_ENOMEM;
    free(w);
}

/* The threads of one document: a window of blocks in flight. Any thread takes the next block
 * (next) while it is fewer than window blocks past the first one not yet written (written),
 * and formats it into the slot of its index; the calling thread also writes the blocks, in
 * order, as they are done, so that no thread waits for a round to end. */
typedef struct greeks_pool {
    pthread_mutex_t lock;
    pthread_cond_t work; /* a block can be taken, or quit */
    pthread_cond_t done; /* a block is formatted */
    const greeks_src *src;
    gex__out_format format;
    greeks_block *slots; /* window of them: block b in slots[b % window] */
    size_t window, blocks, next, written;
    int quit; /* the helpers return */
} greeks_pool;

/* Takes the next block if one can be taken (lock held): its index, or SIZE_MAX. */
static size_t take_block(greeks_pool *p)
{
    if (p->quit || p->next >= p->blocks || p->next >= p->written + p->window)
        return SIZE_MAX;
    const size_t b = p->next++;
    greeks_block *slot = &p->slots[b % p->window];
    slot->from = b * GREEKS_BLOCK;
    slot->to = slot->from + GREEKS_BLOCK < p->src->v.n ? slot->from + GREEKS_BLOCK : p->src->v.n;
    slot->ready = 0;
    return b;
}

/* Formats block b (lock held on entry and on return). */
static void run_block(greeks_pool *p, size_t b)
{
    greeks_block *slot = &p->slots[b % p->window];
    pthread_mutex_unlock(&p->lock);
    format_block(slot);
    pthread_mutex_lock(&p->lock);
    slot->ready = 1;
    pthread_cond_signal(&p->done);
}

static void *helper_main(void *arg)
{
    greeks_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->quit) {
        const size_t b = take_block(p);
        if (b == SIZE_MAX)
            pthread_cond_wait(&p->work, &p->lock);
        else
            run_block(p, b);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Writes a formatted block to out (CSV, a table's lines) or through w (JSON). */
static void write_block(const greeks_block *b, gex__out_format format, FILE *out, gex__jwriter *w,
                        size_t *objects, size_t *nonfinite)
{
    if (b->len > 0) {
        if (format != GEX__OUT_JSON) {
            fwrite_unlocked(b->buf, 1, b->len, out);
        } else {
            if (*objects > 0)
                GEX__JWRITER_LIT(w, ",");
            gex__jwriter_raw_n(w, b->buf, b->len);
        }
    }
    *objects += b->objects;
    *nonfinite += b->nonfinite;
}

/* Every contract's rows on n threads (n >= 2, the calling one among them), written to out (CSV,
 * after the header that the caller's table wrote; a table's lines, from g->parts after its
 * head) or through w (JSON, after the document's head); *objects and *nonfinite count what was
 * written. Returns GEX_OK, GEX_ENOMEM, or -1 when
 * no helper thread could be started (nothing was written: the caller writes on its own). */
static int rows_threaded(const greeks_src *g, gex__out_format format, size_t n, FILE *out,
                         gex__jwriter *w, size_t *objects, size_t *nonfinite)
{
    greeks_pool p = {.src = g, .format = format, .window = 2 * n};
    p.blocks = (g->v.n + GREEKS_BLOCK - 1) / GREEKS_BLOCK;
    p.slots = calloc(p.window, sizeof *p.slots);
    pthread_t *threads = calloc(n, sizeof *threads);
    size_t started = 0;
    const int pool = p.slots != NULL && threads != NULL && pthread_mutex_init(&p.lock, NULL) == 0;
    if (pool) {
        pthread_cond_init(&p.work, NULL);
        pthread_cond_init(&p.done, NULL);
        for (size_t k = 0; k < p.window; k++)
            p.slots[k] = (greeks_block){.src = g, .format = format};
        for (size_t k = 1; k < n; k++) {
            if (pthread_create(&threads[k], NULL, helper_main, &p) != 0)
                break;
            started++;
        }
    }
    int rc = started > 0 ? GEX_OK : -1, write_errno = 0;
    if (started > 0) {
        pthread_mutex_lock(&p.lock);
        pthread_cond_broadcast(&p.work);
        while (rc == GEX_OK && p.written < p.blocks) {
            greeks_block *first = &p.slots[p.written % p.window];
            if (p.written < p.next && first->ready) {
                /* the next block in order is done: written while the others format */
                pthread_mutex_unlock(&p.lock);
                if (first->rc != GEX_OK)
                    rc = first->rc;
                else
                    write_block(first, format, out, w, objects, nonfinite);
                if (rc == GEX_OK &&
                    (format != GEX__OUT_JSON ? ferror_unlocked(out) != 0 : w->failed)) {
                    rc = 1; /* the output refused a write: the caller reports it */
                    write_errno = errno;
                }
                pthread_mutex_lock(&p.lock);
                p.written++;
                pthread_cond_broadcast(&p.work); /* its slot is free */
                continue;
            }
            const size_t b = take_block(&p);
            if (b != SIZE_MAX)
                run_block(&p, b);
            else
                pthread_cond_wait(&p.done, &p.lock);
        }
        p.quit = 1;
        pthread_cond_broadcast(&p.work);
        pthread_mutex_unlock(&p.lock);
        for (size_t k = 1; k <= started; k++)
            pthread_join(threads[k], NULL);
        if (rc == 1)
            rc = GEX_OK;
    }
    if (pool) {
        pthread_cond_destroy(&p.work);
        pthread_cond_destroy(&p.done);
        pthread_mutex_destroy(&p.lock);
    }
    for (size_t k = 0; p.slots != NULL && k < p.window; k++)
        free(p.slots[k].buf);
    free(p.slots);
    free(threads);
    if (write_errno != 0)
        errno = write_errno; /* the failed write's, which gex__table_emit reports */
    return rc;
}

/* --- the table: every row kept until the widths are known, formatted in blocks on threads --- */

/* The blocks of a table: any thread formats the next one not yet taken into a table of its own
 * (gex__table_keep_texts), written together by gex__table_emit_parts. */
typedef struct table_blocks {
    const greeks_src *src;
    gex__table **parts;
    size_t blocks;
    atomic_size_t next;
    atomic_int failed; /* memory ran out in some block */
} table_blocks;

static void *table_worker(void *arg)
{
    table_blocks *tb = arg;
    for (size_t b; (b = atomic_fetch_add(&tb->next, 1)) < tb->blocks;) {
        gex__table *t = tb->parts[b];
        const size_t from = b * GREEKS_BLOCK;
        const size_t to = from + GREEKS_BLOCK < tb->src->v.n ? from + GREEKS_BLOCK : tb->src->v.n;
        if (greeks_rows(tb->src, from, to, t, NULL, NULL) != GEX_OK)
            atomic_store(&tb->failed, 1);
    }
    return NULL;
}

/* The lines of a table's formatted blocks on n threads, after its head, each block's assembled
 * by any thread and written in order by the calling one: GEX_OK, GEX_ENOMEM, or 1 when nothing
 * was written (no memory for the layout: the caller writes on its own). */
static int table_lines(const greeks_src *g, const gex__table *const *parts, size_t blocks, size_t n,
                       const char *title, FILE *out)
{
    gex__table_layout *layout = gex__table_layout_new(parts, blocks);
    if (layout == NULL)
        return 1;
    gex__table_layout_head(layout, title, out);
    greeks_src lg = *g;
    lg.parts = parts;
    lg.layout = layout;
    size_t objects = 0, nonfinite = 0;
    int rc = rows_threaded(&lg, GEX__OUT_TABLE, n, out, NULL, &objects, &nonfinite);
    if (rc == -1) { /* no helper thread: the blocks' lines one after the other, here */
        greeks_block b = {.src = &lg, .format = GEX__OUT_TABLE};
        rc = GEX_OK;
        for (size_t k = 0; k < blocks && rc == GEX_OK && !ferror_unlocked(out); k++) {
            b.from = k * GREEKS_BLOCK;
            b.to = b.from + GREEKS_BLOCK < g->v.n ? b.from + GREEKS_BLOCK : g->v.n;
            format_block(&b);
            rc = b.rc;
            if (rc == GEX_OK)
                write_block(&b, GEX__OUT_TABLE, out, NULL, &objects, &nonfinite);
        }
        free(b.buf);
    }
    gex__table_layout_free(layout);
    return rc;
}

/* The greeks as an aligned table on n threads (the calling one among them; it formats every
 * block itself when no helper can be started). */
static int greeks_table(const greeks_src *g, size_t n, const char *title, FILE *out, gex_error *err)
{
    table_blocks tb = {.src = g, .blocks = (g->v.n + GREEKS_BLOCK - 1) / GREEKS_BLOCK};
    if (tb.blocks == 0)
        tb.blocks = 1; /* the header alone */
    tb.parts = calloc(tb.blocks, sizeof *tb.parts);
    int st = tb.parts != NULL ? GEX_OK : GEX_ENOMEM;
    for (size_t b = 0; b < tb.blocks && st == GEX_OK; b++) {
        tb.parts[b] = gex__table_new(g->columns, GREEKS_COLUMNS, g->a->currency);
        const size_t rows = b + 1 < tb.blocks ? GREEKS_BLOCK : g->v.n - b * GREEKS_BLOCK;
        st = tb.parts[b] != NULL ? gex__table_keep_texts(tb.parts[b], rows) : GEX_ENOMEM;
    }
    if (st == GEX_OK) {
        atomic_init(&tb.next, 0);
        atomic_init(&tb.failed, 0);
        pthread_t threads[GREEKS_THREADS_MAX];
        size_t started = 0;
        while (started + 1 < n && pthread_create(&threads[started], NULL, table_worker, &tb) == 0)
            started++;
        table_worker(&tb);
        for (size_t k = 0; k < started; k++)
            pthread_join(threads[k], NULL);
        if (atomic_load(&tb.failed))
            st = GEX_ENOMEM;
    }
    const gex__table *const *parts = (const gex__table *const *)tb.parts;
    /* the lines: on the threads, or (lines 1) by gex__table_emit_parts on this one */
    const int lines = st == GEX_OK && n > 1 ? table_lines(g, parts, tb.blocks, n, title, out) : 1;
    int rc;
    if (st != GEX_OK || lines == GEX_ENOMEM)
        rc = gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory writing the greeks");
    else if (lines == 1)
        rc = gex__table_emit_parts(parts, tb.blocks, title, out, err);
    else
        rc = gex__table_emit_written(parts, tb.blocks, out, err);
    for (size_t b = 0; tb.parts != NULL && b < tb.blocks; b++)
        gex__table_free(tb.parts[b]);
    free(tb.parts);
    return rc;
}

/* The threads to write with: options->threads, at most one per block and GREEKS_THREADS_MAX. */
static size_t threads_for(const gex__render_options *opts, size_t contracts)
{
    if (opts->threads < 2)
        return 1;
    const size_t blocks = (contracts + GREEKS_BLOCK - 1) / GREEKS_BLOCK;
    size_t n = (size_t)opts->threads;
    if (n > blocks)
        n = blocks;
    return n > GREEKS_THREADS_MAX ? GREEKS_THREADS_MAX : n > 0 ? n : 1;
}

int gex__render_greeks(const gex__render_options *opts, const gex__analysis *a, FILE *out,
                       gex_error *err)
{
    greeks_src g = {.a = a};
    gex_chain_get_view(a->chain, &g.v);
    gex_exposure_get_contracts(a->exposure, &g.ce);
    gex__column columns[GREEKS_COLUMNS];
    memcpy(columns, greeks_columns, sizeof columns);
    columns[15].unit = gex__unit_short(gex__unit_of(a));
    g.columns = columns;

    const size_t threads = threads_for(opts, g.v.n);
    if (opts->format == GEX__OUT_TABLE) {
        char title[1024];
        gex__title(opts->doc, a, title, sizeof title);
        return greeks_table(&g, threads, title, out, err);
    }
    int rc = GEX_OK;
    gex__table *t = NULL;
    json_t *d = NULL;
    size_t objects = 0, nonfinite = 0;
    int st = GEX_OK;
    gex__jwriter w = {.fp = out};
    if (opts->format == GEX__OUT_JSON) {
        d = gex__doc_head(a);
        st = d == NULL ? GEX_ENOMEM : GEX_OK;
        if (st == GEX_OK) {
            gex__jwriter_raw(&w, "{");
            gex__json_write_members(&w, d);
            gex__jwriter_raw(&w, ",\"contracts\":[");
        }
    } else {
        t = gex__table_new(columns, GREEKS_COLUMNS, a->currency);
        st = t == NULL ? GEX_ENOMEM : GEX_OK;
        if (st == GEX_OK && opts->format == GEX__OUT_CSV)
            gex__table_stream(t, out);
    }
    int threaded = -1;
    if (st == GEX_OK && threads > 1) {
        threaded = rows_threaded(&g, opts->format, threads, out, &w, &objects, &nonfinite);
        if (threaded != -1)
            st = threaded;
    }
    if (st == GEX_OK && threaded == -1)
        st = greeks_rows(&g, 0, g.v.n, t, t != NULL ? NULL : &w, &objects);
    if (t != NULL) {
        char title[1024];
        gex__title(opts->doc, a, title, sizeof title);
        rc = gex__table_finish(t, st, opts->format, title, out, err);
        if (rc == GEX_OK && nonfinite > 0)
            rc = gex__nonfinite_error(err, NULL, nonfinite);
    } else if (st == GEX_OK) {
        w.nonfinite += nonfinite;
        json_t *meta = gex__json_meta(a);
        if (meta != NULL) {
            gex__jwriter_raw(&w, "],\"meta\":");
            gex__json_write_value(&w, meta);
            gex__jwriter_raw(&w, "}\n");
            json_decref(meta);
            rc = gex__jwriter_finish(&w, NULL, err);
        } else {
            st = GEX_ENOMEM;
        }
    }
    json_decref(d);
    if (st != GEX_OK)
        rc = gex_error_set(err, GEX_ENOMEM, "", 0, 0, "out of memory writing the greeks");
    return rc;
}
