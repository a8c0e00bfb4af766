/* Writer side of the rewritten-site set (reader: jp_site_registered, runtime_internal.h).
 * Writers serialize on a spinlock; readers (the entry) never wait on anything. */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>

#include "runtime_internal.h"

struct jp_site_table *jp_site_table;

static int writer_lock;

/* A fork child has only the forking thread: a writer that held the lock is gone. Every
 * state a writer leaves behind is consistent (tables are published complete, slots are
 * filled one store at a time), so the child may simply take the lock over. */
static void release_writer_lock_in_child(void) { __atomic_clear(&writer_lock, __ATOMIC_RELEASE); }

__attribute__((constructor)) static void sites_init(void) {
    pthread_atfork(NULL, NULL, release_writer_lock_in_child);
}

static struct jp_site_table *new_table(uint64_t capacity) {
    size_t bytes = sizeof(struct jp_site_table) + capacity * sizeof(uint64_t);
    /* A raw mmap, not malloc or libc's mmap: the table must outlive anything libc does, is
     * never freed, and sites are added from the entry path (code mapped executable later),
     * where libc must not be called (it would also clobber the program's errno). */
    long p = jpoline_raw_syscall6(9 /* mmap */, 0, (long)bytes, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p < 0 && p > -4096) return NULL;
    struct jp_site_table *t = (struct jp_site_table *)p;
    t->mask = capacity - 1;
    t->count = 0;
    return t;
}

/* Fills an empty slot; a concurrent reader sees either 0 or the site, both consistent. */
static void insert(struct jp_site_table *t, uint64_t site) {
    for (uint64_t i = jp_site_hash(site) & t->mask;; i = (i + 1) & t->mask) {
        uint64_t s = t->slots[i];
        if (s == site) return;
        if (s == 0) {
            __atomic_store_n(&t->slots[i], site, __ATOMIC_RELEASE);
            t->count++;
            return;
        }
    }
}

JPOLINE_EXPORT int jpoline_sites_add(const uint64_t *site_addrs, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (site_addrs[i] == 0) return -EINVAL;
    while (__atomic_test_and_set(&writer_lock, __ATOMIC_ACQUIRE)) __builtin_ia32_pause();
    int result = 0;
    struct jp_site_table *t = jp_site_table;
    uint64_t needed = (t ? t->count : 0) + n;
    /* Keep the load at most 1/2 so probes stay short. */
    if (t == NULL || needed > (t->mask + 1) / 2) {
        uint64_t capacity = 1024;
        while (capacity / 2 < needed) capacity *= 2;
        struct jp_site_table *bigger = new_table(capacity);
        if (bigger == NULL) {
            result = -ENOMEM;
            goto out;
        }
        if (t != NULL)
            for (uint64_t i = 0; i <= t->mask; i++)
                if (t->slots[i] != 0) insert(bigger, t->slots[i]);
        for (size_t i = 0; i < n; i++) insert(bigger, site_addrs[i]);
        /* Publish only a complete table. */
        __atomic_store_n(&jp_site_table, bigger, __ATOMIC_RELEASE);
    } else {
        for (size_t i = 0; i < n; i++) insert(t, site_addrs[i]);
    }
out:
    __atomic_clear(&writer_lock, __ATOMIC_RELEASE);
    return result;
}

JPOLINE_EXPORT int jpoline_sites_contains(uint64_t site_addr) { return jp_site_registered(site_addr); }

JPOLINE_EXPORT size_t jpoline_sites_count(void) {
    struct jp_site_table *t = __atomic_load_n(&jp_site_table, __ATOMIC_ACQUIRE);
    return t ? t->count : 0;
}
