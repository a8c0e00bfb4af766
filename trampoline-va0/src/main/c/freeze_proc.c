/* The freeze's view of /proc/self: the thread list, one thread's state, and the mappings.
 * Freestanding (raw syscalls, parsing by hand): it runs while every other thread of the process
 * is parked, and any of them may be holding malloc's or stdio's lock. */
#include "freeze_internal.h"

#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MREMAP_MAYMOVE 1
#define FIRST_BUFFER 65536u

long jp_freeze_buf_reserve(struct jp_freeze_buf *b, uint64_t bytes) {
    if (bytes <= b->size) return 0;
    uint64_t size = b->size != 0 ? b->size : FIRST_BUFFER;
    while (size < bytes) size *= 2;
    long p = b->base == 0 ? jp_sys6(NR_mmap, 0, (long)size, JP_PROT_READ | JP_PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                          : jp_sys6(NR_mremap, (long)b->base, (long)b->size, (long)size, MREMAP_MAYMOVE, 0, 0);
    if (jp_is_error(p)) return p;
    b->base = (uint8_t *)p;
    b->size = size;
    return 0;
}

static long open_read_only(const char *path, int flags) {
    return jp_sys6(NR_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC | flags, 0, 0, 0);
}

struct linux_dirent64 {
    uint64_t ino;
    int64_t off;
    uint16_t reclen;
    uint8_t type;
    char name[];
};

/* A decimal thread id, or 0 for "." and "..". */
static uint32_t parse_tid(const char *s) {
    uint64_t v = 0;
    for (; *s != 0; s++) {
        if (*s < '0' || *s > '9' || v > 0xFFFFFFFFull / 10) return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v <= 0xFFFFFFFFull ? (uint32_t)v : 0;
}

long jp_freeze_list_tasks(struct jp_freeze_buf *dirents, struct jp_freeze_buf *tids) {
    long rc = jp_freeze_buf_reserve(dirents, FIRST_BUFFER);
    if (rc != 0) return rc;
    /* A fresh open each time: the listing must reflect the threads that exist now. */
    long fd = open_read_only("/proc/self/task", O_DIRECTORY);
    if (jp_is_error(fd)) return fd;
    long count = 0;
    for (;;) {
        long n = jp_sys6(NR_getdents64, fd, (long)dirents->base, (long)dirents->size, 0, 0, 0);
        if (n == 0) break;
        if (jp_is_error(n)) {
            count = n;
            break;
        }
        for (long at = 0; at < n;) {
            const struct linux_dirent64 *d = (const struct linux_dirent64 *)(dirents->base + at);
            at += d->reclen;
            uint32_t tid = parse_tid(d->name);
            if (tid == 0) continue;
            rc = jp_freeze_buf_reserve(tids, (uint64_t)(count + 1) * sizeof(uint32_t));
            if (rc != 0) {
                jp_sys6(NR_close, fd, 0, 0, 0, 0, 0);
                return rc;
            }
            ((uint32_t *)tids->base)[count++] = tid;
        }
    }
    jp_sys6(NR_close, fd, 0, 0, 0, 0, 0);
    return count;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* "/proc/self/task/TID/NAME" into path. */
static void task_path(char *path, uint32_t tid, const char *name) {
    static const char prefix[] = "/proc/self/task/";
    uint64_t at = 0;
    for (; prefix[at] != 0; at++) path[at] = prefix[at];
    char digits[12];
    int n = 0;
    do {
        digits[n++] = (char)('0' + tid % 10);
        tid /= 10;
    } while (tid != 0);
    while (n > 0) path[at++] = digits[--n];
    path[at++] = '/';
    for (; *name != 0; name++) path[at++] = *name;
    path[at] = 0;
}

/* Reads up to size - 1 bytes of a thread's /proc file, NUL-terminated: the length, 0 when the
 * thread is gone, -1 when the file could not be read (out of descriptors, say). */
static long read_task_file(uint32_t tid, const char *name, char *text, long size) {
    char path[64];
    task_path(path, tid, name);
    long fd = open_read_only(path, 0);
    if (fd == -JP_ENOENT || fd == -JP_ESRCH) return 0;
    if (jp_is_error(fd)) return -1;
    long len = jp_sys6(NR_read, fd, (long)text, size - 1, 0, 0, 0);
    jp_sys6(NR_close, fd, 0, 0, 0, 0, 0);
    if (len == -JP_ESRCH) return 0;
    if (len <= 0) return -1;
    text[len] = 0;
    return len;
}

static const char *skip_number(const char *p) {
    while (*p == ' ') p++;
    while (*p != 0 && *p != ' ' && *p != '\n') p++;
    return p;
}

/* A decimal, or 0x-prefixed hex, number at *p (after blanks), leaving *p after it. */
static uint64_t parse_unsigned(const char **p) {
    const char *s = *p;
    while (*s == ' ' || *s == '\t') s++;
    uint64_t v = 0;
    if (s[0] == '0' && s[1] == 'x') {
        int d;
        for (s += 2; (d = hex_digit(*s)) >= 0; s++) v = v << 4 | (uint64_t)d;
    } else {
        for (; *s >= '0' && *s <= '9'; s++) v = v * 10 + (uint64_t)(*s - '0');
    }
    *p = s;
    return v;
}

char jp_freeze_task_state(uint32_t tid, uint64_t *flags) {
    char text[512];
    long len = read_task_file(tid, "stat", text, sizeof text);
    if (len <= 0) return len == 0 ? 0 : '?';
    /* "tid (comm) S ppid pgrp session tty tpgid flags ...": comm may itself hold ')' and
     * spaces, so the fields start after the last ')'. */
    long close_paren = -1;
    for (long i = 0; i < len; i++)
        if (text[i] == ')') close_paren = i;
    if (close_paren < 0 || close_paren + 2 >= len) return '?';
    const char *p = text + close_paren + 3;
    for (int field = 0; field < 5; field++) p = skip_number(p);
    *flags = parse_unsigned(&p);
    return text[close_paren + 2];
}

int jp_freeze_task_blocks_all_signals(uint32_t tid) {
    char text[4096];
    if (read_task_file(tid, "status", text, sizeof text) <= 0) return 0;
    /* Every signal but SIGKILL and SIGSTOP (which cannot be blocked) and glibc's own two
     * (SIGCANCEL, SIGSETXID: only threads of this process send them, and they are parked). */
    const uint64_t required = ~((1ull << (9 - 1)) | (1ull << (19 - 1)) | (1ull << (32 - 1)) | (1ull << (33 - 1)));
    for (const char *p = text; *p != 0; p++) {
        if ((p == text || p[-1] == '\n') && p[0] == 'S' && p[1] == 'i' && p[2] == 'g' && p[3] == 'B' && p[4] == 'l' &&
            p[5] == 'k' && p[6] == ':') {
            p += 7;
            while (*p == '\t' || *p == ' ') p++;
            uint64_t blocked = 0;
            int d;
            while ((d = hex_digit(*p)) >= 0) {
                blocked = blocked << 4 | (uint64_t)d;
                p++;
            }
            return (blocked & required) == required;
        }
    }
    return 0;
}

int jp_freeze_task_syscall(uint32_t tid, uint64_t out[9]) {
    char text[256];
    if (read_task_file(tid, "syscall", text, sizeof text) <= 0) return 0;
    /* "nr arg1 ... arg6 sp pc" while the thread is blocked in a syscall, "running" otherwise,
     * "-1 sp pc" when it is blocked outside one. */
    if (text[0] < '0' || text[0] > '9') return 0;
    const char *p = text;
    for (int i = 0; i < 9; i++) {
        if (*p != ' ' && i > 0) return 0;
        out[i] = parse_unsigned(&p);
    }
    return 1;
}

/* Reads a hex number at *p, leaving *p after it. */
static uint64_t parse_hex(const char **p, const char *end) {
    uint64_t v = 0;
    int d;
    while (*p < end && (d = hex_digit(**p)) >= 0) {
        v = v << 4 | (uint64_t)d;
        (*p)++;
    }
    return v;
}

long jp_freeze_read_maps(struct jp_freeze_buf *text, struct jp_freeze_buf *out) {
    long rc = jp_freeze_buf_reserve(text, 4 * FIRST_BUFFER);
    if (rc != 0) return rc;
    long fd = open_read_only("/proc/self/maps", 0);
    if (jp_is_error(fd)) return fd;
    /* The whole file first, then parsing: a JVM's is a few hundred KB. */
    uint64_t len = 0;
    for (;;) {
        if (len == text->size && (rc = jp_freeze_buf_reserve(text, text->size * 2)) != 0) break;
        long n = jp_sys6(NR_read, fd, (long)(text->base + len), (long)(text->size - len), 0, 0, 0);
        if (n <= 0) {
            rc = n;
            break;
        }
        len += (uint64_t)n;
    }
    jp_sys6(NR_close, fd, 0, 0, 0, 0, 0);
    if (rc != 0) return rc;

    /* "start-end perms offset dev inode path": only the first three fields matter. */
    long count = 0;
    const char *p = (const char *)text->base, *end = p + len;
    while (p < end) {
        uint64_t start = parse_hex(&p, end);
        if (p < end && *p == '-') p++;
        uint64_t stop = parse_hex(&p, end);
        if (p < end && *p == ' ') p++;
        uint64_t prot = 0;
        if (end - p >= 3) {
            if (p[0] == 'r') prot |= JP_PROT_READ;
            if (p[1] == 'w') prot |= JP_PROT_WRITE;
            if (p[2] == 'x') prot |= JP_PROT_EXEC;
        }
        while (p < end && *p != '\n') p++;
        if (p < end) p++;
        if (stop <= start) continue;
        rc = jp_freeze_buf_reserve(out, (uint64_t)(count + 1) * sizeof(struct jp_freeze_mapping));
        if (rc != 0) return rc;
        struct jp_freeze_mapping *m = (struct jp_freeze_mapping *)out->base + count++;
        m->start = start;
        m->end = stop;
        m->prot = prot;
    }
    return count;
}

const struct jp_freeze_mapping *jp_freeze_find_mapping(const struct jp_freeze_mapping *maps, uint64_t count,
                                                       uint64_t addr) {
    uint64_t lo = 0, hi = count;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (addr < maps[mid].start) hi = mid;
        else if (addr >= maps[mid].end) lo = mid + 1;
        else return &maps[mid];
    }
    return 0;
}
