/*
 * gex serve: answers cached per (file identity, query). A key names the file by device, inode,
 * size and modification and change times, so a rewritten or replaced file never matches an old
 * entry; old entries age out by least-recent use. Bodies are reference-counted blobs so that a
 * response being sent survives the eviction of its entry.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "serve-internal.h"

cli_serve_blob *cli_serve_blob_new(unsigned status, const char *data, size_t len)
{
    cli_serve_blob *blob = malloc(sizeof *blob + len + 1);
    if (blob == NULL)
        return NULL;
    atomic_init(&blob->refs, 1);
    blob->status = status;
    blob->retry_after = 0;
    blob->len = len;
    if (len > 0)
        memcpy(blob->data, data, len);
    blob->data[len] = '\0';
    return blob;
}

void cli_serve_blob_ref(cli_serve_blob *blob)
{
    atomic_fetch_add_explicit(&blob->refs, 1, memory_order_relaxed);
}

void cli_serve_blob_unref(cli_serve_blob *blob)
{
    if (blob == NULL)
        return;
    if (atomic_fetch_sub_explicit(&blob->refs, 1, memory_order_acq_rel) == 1)
        free(blob);
}

typedef struct entry {
    struct entry *hash_next;
    struct entry *lru_prev, *lru_next; /* most recent at the head */
    uint64_t hash;
    cli_serve_blob *blob;
    char key[]; /* NUL-terminated */
} entry;

/* Buckets: a power of two, a few times the default entry bound so chains stay short. */
#define CACHE_BUCKETS 2048

struct cli_serve_cache {
    pthread_mutex_t lock;
    size_t max_entries, max_bytes;
    entry *buckets[CACHE_BUCKETS];
    entry *lru_head, *lru_tail;
    cli_serve_cache_stats stats;
};

/* FNV-1a of a string (hash.h). */
static uint64_t fnv1a(const char *s)
{
    return cli_fnv1a(CLI_FNV1A_BASIS, s);
}

cli_serve_cache *cli_serve_cache_new(size_t max_entries, size_t max_bytes)
{
    cli_serve_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    c->max_entries = max_entries;
    c->max_bytes = max_bytes;
    return c;
}

static void lru_unlink(cli_serve_cache *c, entry *e)
{
    if (e->lru_prev != NULL)
        e->lru_prev->lru_next = e->lru_next;
    else
        c->lru_head = e->lru_next;
    if (e->lru_next != NULL)
        e->lru_next->lru_prev = e->lru_prev;
    else
        c->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(cli_serve_cache *c, entry *e)
{
    e->lru_prev = NULL;
    e->lru_next = c->lru_head;
    if (c->lru_head != NULL)
        c->lru_head->lru_prev = e;
    c->lru_head = e;
    if (c->lru_tail == NULL)
        c->lru_tail = e;
}

static void entry_remove(cli_serve_cache *c, entry *e)
{
    entry **pp = &c->buckets[e->hash & (CACHE_BUCKETS - 1)];
    while (*pp != e)
        pp = &(*pp)->hash_next;
    *pp = e->hash_next;
    lru_unlink(c, e);
    c->stats.entries--;
    c->stats.bytes -= e->blob->len;
    cli_serve_blob_unref(e->blob);
    free(e);
}

void cli_serve_cache_free(cli_serve_cache *cache)
{
    if (cache == NULL)
        return;
    while (cache->lru_head != NULL)
        entry_remove(cache, cache->lru_head);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

size_t cli_serve_cache_key(const cli_serve_file *f, const cli_serve_query *q, char *key,
                           size_t size)
{
    int n = snprintf(
        key, size,
        "%s|%s|%s|%s|%" PRIu64 "|%" PRIu64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|@%" PRId64 "|%s",
        q->endpoint->path, q->expiration, q->min_oi, f->symbol, (uint64_t)f->dev, (uint64_t)f->ino,
        (int64_t)f->size, f->mtime_ns, f->ctime_ns, f->has_at ? f->time : (int64_t)-1, f->path);
    if (n < 0 || (size_t)n >= size)
        return 0;
    size_t len = (size_t)n;
    /* The series the answer reads (SPEC 5.5): its files' identities, hashed. */
    if (q->series_hash != 0) {
        n = snprintf(key + len, size - len, "|series=%016" PRIx64, q->series_hash);
        if (n < 0 || (size_t)n >= size - len)
            return 0;
        len += (size_t)n;
    }
    /* The other parameters, each value prefixed by its length so that no value can pass for
     * another's end. */
    for (size_t i = 0; i < q->n_params; i++) {
        const char *value = q->values + q->value_at[i];
        n = snprintf(key + len, size - len, "|%s=%zu:%s", q->values + q->name_at[i], strlen(value),
                     value);
        if (n < 0 || (size_t)n >= size - len)
            return 0;
        len += (size_t)n;
    }
    return len;
}

static entry *find(cli_serve_cache *c, const char *key, uint64_t h)
{
    for (entry *e = c->buckets[h & (CACHE_BUCKETS - 1)]; e != NULL; e = e->hash_next) {
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

cli_serve_blob *cli_serve_cache_get(cli_serve_cache *cache, const char *key)
{
    uint64_t h = fnv1a(key);
    pthread_mutex_lock(&cache->lock);
    entry *e = find(cache, key, h);
    cli_serve_blob *blob = NULL;
    if (e != NULL) {
        lru_unlink(cache, e);
        lru_push_front(cache, e);
        blob = e->blob;
        cli_serve_blob_ref(blob);
        cache->stats.hits++;
    } else {
        cache->stats.misses++;
    }
    pthread_mutex_unlock(&cache->lock);
    return blob;
}

void cli_serve_cache_put(cli_serve_cache *cache, const char *key, cli_serve_blob *blob)
{
    if (blob->len > cache->max_bytes || cache->max_entries == 0)
        return;
    size_t key_len = strlen(key);
    entry *fresh = malloc(sizeof *fresh + key_len + 1);
    if (fresh == NULL)
        return; /* a cache that cannot grow only costs a recomputation */
    memcpy(fresh->key, key, key_len + 1);
    fresh->hash = fnv1a(key);
    fresh->blob = blob;
    cli_serve_blob_ref(blob);

    pthread_mutex_lock(&cache->lock);
    entry *old = find(cache, key, fresh->hash);
    if (old != NULL)
        entry_remove(cache, old); /* two requests computed it at once: keep the later */
    while (cache->lru_tail != NULL && (cache->stats.entries + 1 > cache->max_entries ||
                                       cache->stats.bytes + blob->len > cache->max_bytes)) {
        entry_remove(cache, cache->lru_tail);
        cache->stats.evictions++;
    }
    entry **bucket = &cache->buckets[fresh->hash & (CACHE_BUCKETS - 1)];
    fresh->hash_next = *bucket;
    *bucket = fresh;
    fresh->lru_prev = fresh->lru_next = NULL;
    lru_push_front(cache, fresh);
    cache->stats.entries++;
    cache->stats.bytes += blob->len;
    pthread_mutex_unlock(&cache->lock);
}

void cli_serve_cache_get_stats(cli_serve_cache *cache, cli_serve_cache_stats *out)
{
    pthread_mutex_lock(&cache->lock);
    *out = cache->stats;
    pthread_mutex_unlock(&cache->lock);
}
