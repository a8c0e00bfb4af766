/* Reports programs that an exec is about to start beyond LD_PRELOAD's reach (statically
 * linked, setuid, setgid), so that they are not lost silently: they run untraced. Runs on
 * the entry path before the execve, hence freestanding. */
#include "runtime_internal.h"
#include "session.h"

#define O_RDONLY_CLOEXEC 02000000
#define AT_FDCWD_VALUE (-100)
#define AT_EMPTY_PATH_FLAG 0x1000
#define S_ISUID_BIT 04000
#define S_ISGID_BIT 02000
#define S_IXGRP_BIT 00010
#define PT_INTERP_TYPE 3
#define MAX_PROGRAM_HEADERS 128

struct kernel_stat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad0;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    uint64_t times[6];
    int64_t unused[3];
};

static long sys(long nr, long a, long b, long c, long d) { return jpoline_raw_syscall6(nr, a, b, c, d, 0, 0); }

static int reason_for(int fd) {
    struct kernel_stat st;
    if (sys(NR_fstat, fd, (long)&st, 0, 0) != 0) return 0;
    if (st.mode & S_ISUID_BIT) return JPOLINE_UNREACHABLE_SETUID;
    if ((st.mode & S_ISGID_BIT) && (st.mode & S_IXGRP_BIT)) return JPOLINE_UNREACHABLE_SETGID;
    unsigned char header[64];
    if (sys(NR_pread64, fd, (long)header, sizeof header, 0) != (long)sizeof header) return 0;
    if (header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F')
        return 0; /* a script: its interpreter is what runs, and it is checked when it execs */
    if (header[4] != 2 || (header[18] | header[19] << 8) != 62 /* EM_X86_64 */) return JPOLINE_UNREACHABLE_FOREIGN;
    uint64_t phoff = 0;
    for (int i = 7; i >= 0; i--) phoff = phoff << 8 | header[32 + i];
    unsigned phentsize = header[54] | header[55] << 8, phnum = header[56] | header[57] << 8;
    if (phentsize < 4 || phnum > MAX_PROGRAM_HEADERS) return 0;
    for (unsigned i = 0; i < phnum; i++) {
        unsigned char type[4];
        if (sys(NR_pread64, fd, (long)type, 4, (long)(phoff + (uint64_t)i * phentsize)) != 4) return 0;
        if ((type[0] | type[1] << 8 | type[2] << 16 | (unsigned)type[3] << 24) == PT_INTERP_TYPE) return 0;
    }
    return JPOLINE_UNREACHABLE_STATIC;
}

static uint32_t length_of(const char *path) {
    uint32_t length = 0;
    while (path[length] != '\0' && length < 4096) length++;
    return length;
}

static int exec_env_ready; /* set by jp_exec_env_init: without our variables a new image could not end a window */

/* Under trace, the host follows what the runtime cannot see of an exec: the new image's loader
 * until its runtime's constructor, or a static program to its end (docs/ptrace-window.md). Not
 * a set-id program (a traced exec drops its privileges), not an exec bound to fail (the open
 * failed: PATH searches try many), and not when the host has no window. */
static int open_window(const char *path, uint32_t length, int reason) {
    if (!exec_env_ready) return 0;
    uint32_t flags = __atomic_load_n(&jp_session->mode_flags, __ATOMIC_ACQUIRE);
    if (!(flags & JPOLINE_MODE_EXEC_WINDOWS)) return 0;
    if (reason == 0 && !(flags & JPOLINE_MODE_LOADER_WINDOWS)) return 0;
    if (reason != 0 && reason != JPOLINE_UNREACHABLE_STATIC) return 0;
    return jp_session_request_with(JPOLINE_REQUEST_EXEC_WINDOW, reason == JPOLINE_UNREACHABLE_STATIC, 0, path,
                                   length) == 0;
}

int jp_exec_prepare_target(int dirfd, const char *path, int at_flags) {
    if (jp_session == 0 || path == 0) return 0;
    int fd = (int)(at_flags & AT_EMPTY_PATH_FLAG && path[0] == '\0'
                       ? dirfd
                       : sys(NR_openat, dirfd, (long)path, O_RDONLY_CLOEXEC, 0));
    if (fd < 0) return 0; /* the exec itself will fail and say why */
    int reason = reason_for(fd);
    if (fd != dirfd) sys(NR_close, fd, 0, 0, 0);
    uint32_t length = length_of(path);
    if (open_window(path, length, reason)) return 1;
    if (reason != 0) jp_session_request_with(JPOLINE_REQUEST_UNREACHABLE_EXEC, (uint64_t)reason, 0, path, length);
    return 0;
}

void jp_exec_window_close(void) {
    if (jp_session != 0) jp_session_request(JPOLINE_REQUEST_EXEC_WINDOW_CLOSE, 0, 0);
}

/* --- jpoline's variables across an exec ----------------------------------------------------
 * A program that execs with an environment of its own making (env -i, a scrubbed environment
 * for a child) drops LD_PRELOAD and JPOLINE_SESSION, and its child would run outside the
 * session, unseen. strace -f follows it; so does jpoline: the exec gets the program's
 * environment with the two variables put back (the program's registers keep its own). */

#define SESSION_PREFIX "JPOLINE_SESSION="
#define WINDOW_VAR JPOLINE_WINDOW_ENV "=1"
#define PRELOAD_PREFIX "LD_PRELOAD="
#define SESSION_VAR_MAX 256 /* "JPOLINE_SESSION=/dev/shm/jpoline-PID-HEX" and room to spare */
#define PRELOAD_VALUE_MAX 1024
#define NR_mmap_call 9
#define NR_munmap_call 11

static char session_var[SESSION_VAR_MAX];   /* set by the constructor */
static char runtime_path[PRELOAD_VALUE_MAX]; /* this runtime, as LD_PRELOAD names it */

static uint32_t str_len(const char *s) {
    uint32_t n = 0;
    while (s[n] != '\0') n++;
    return n;
}

static int starts_with(const char *s, uint32_t len, const char *prefix) {
    for (uint32_t i = 0; prefix[i] != '\0'; i++)
        if (i >= len || s[i] != prefix[i]) return 0;
    return 1;
}

static int contains(const char *s, uint32_t len, const char *part) {
    uint32_t n = str_len(part);
    for (uint32_t i = 0; i + n <= len; i++)
        if (starts_with(s + i, len - i, part)) return 1;
    return 0;
}

void jp_exec_env_init(const char *session_path, const char *preload) {
    uint32_t prefix = str_len(SESSION_PREFIX), n = str_len(session_path);
    if (preload == 0 || prefix + n + 1 > SESSION_VAR_MAX) return;
    /* Ours is the LD_PRELOAD element naming libjpoline-...; the launcher puts it first. */
    const char *p = preload;
    while (*p != '\0') {
        while (*p == ':' || *p == ' ') p++;
        const char *start = p;
        while (*p != '\0' && *p != ':' && *p != ' ') p++;
        uint32_t len = (uint32_t)(p - start);
        if (len > 0 && len < PRELOAD_VALUE_MAX && contains(start, len, "libjpoline-")) {
            for (uint32_t i = 0; i < len; i++) runtime_path[i] = start[i];
            runtime_path[len] = '\0';
            for (uint32_t i = 0; i < prefix; i++) session_var[i] = SESSION_PREFIX[i];
            for (uint32_t i = 0; i <= n; i++) session_var[prefix + i] = session_path[i];
            exec_env_ready = 1;
            return;
        }
    }
}

/* Reads the string at addr into dst (at most cap bytes, NUL not included) without faulting;
 * returns its length, cap when it is longer, or -1 when the address is unreadable. */
static long peek_string(char *dst, uint64_t addr, uint32_t cap) {
    uint64_t got = jp_safe_copy(dst, addr, cap);
    if (got == 0 && cap > 0) return -1;
    for (uint64_t i = 0; i < got; i++)
        if (dst[i] == '\0') return (long)i;
    return (long)got;
}

static int read_entry(const char *const *envp, uint64_t i, uint64_t *entry) {
    return jp_safe_copy(entry, (uint64_t)(envp + i), sizeof *entry) == sizeof *entry;
}

const char *const *jp_exec_env_prepare(struct jp_exec_env *e, const char *const *envp, int window) {
    e->mapping = 0;
    e->mapping_size = 0;
    e->window_added = 0;
    if (!exec_env_ready || jp_session == 0) return envp;
    /* One pass over the program's environment through safe copies: a bad pointer must get
     * the exec its EFAULT, not the program a fault of ours. */
    uint64_t count = 0, preload_at = 0;
    int has_session = 0, has_runtime = 0;
    uint32_t session_len = str_len(session_var);
    char head[SESSION_VAR_MAX];
    char theirs[PRELOAD_VALUE_MAX];
    long theirs_len = 0;
    for (; envp != 0; count++) {
        uint64_t entry;
        if (!read_entry(envp, count, &entry)) return envp;
        if (entry == 0) break;
        if (count > (1u << 20)) return envp; /* the kernel refuses it (E2BIG) */
        long n = peek_string(head, entry, session_len + 1);
        if (n < 0) return envp;
        if (n == (long)session_len && starts_with(head, (uint32_t)n, session_var)) has_session = 1;
        if (starts_with(head, (uint32_t)n, PRELOAD_PREFIX)) {
            preload_at = entry;
            theirs_len = peek_string(theirs, entry + str_len(PRELOAD_PREFIX), PRELOAD_VALUE_MAX);
            if (theirs_len < 0 || theirs_len >= PRELOAD_VALUE_MAX) return envp; /* left as it is */
            has_runtime = contains(theirs, (uint32_t)theirs_len, runtime_path);
        }
    }
    if (has_session && has_runtime && !window) return envp;
    /* The program's entries without its JPOLINE_SESSION (and its LD_PRELOAD when that lacks
     * this runtime), then ours and LD_PRELOAD=<runtime>[:<its value>]. On the stack when it
     * fits: a vfork child shares its parent's memory, and a mapping made there would outlive
     * a successful exec in the parent. */
    int replace_preload = !has_runtime;
    if (!replace_preload || preload_at == 0) theirs_len = 0;
    uint64_t preload_len = str_len(PRELOAD_PREFIX) + str_len(runtime_path) + (theirs_len > 0 ? 1 + theirs_len : 0) + 1;
    const char **out = e->slots;
    char *preload = e->preload;
    if (count + 4 > JP_EXEC_ENV_SLOTS || preload_len > sizeof e->preload) {
        uint64_t array_bytes = (count + 4) * sizeof(char *);
        uint64_t size = (array_bytes + preload_len + 4095) & ~4095ull;
        long m = jp_sys6(NR_mmap_call, 0, (long)size, 3 /* PROT_READ|PROT_WRITE */,
                         0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
        if (m < 0 && m > -4096) return envp;
        e->mapping = (void *)m;
        e->mapping_size = size;
        out = (const char **)m;
        preload = (char *)m + array_bytes;
    }
    uint64_t k = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t entry;
        if (!read_entry(envp, i, &entry)) return envp;
        long n = peek_string(head, entry, str_len(SESSION_PREFIX));
        if (n >= 0 && starts_with(head, (uint32_t)n, SESSION_PREFIX)) continue;
        if (replace_preload && entry == preload_at) continue;
        out[k++] = (const char *)entry;
    }
    out[k++] = session_var;
    if (window) out[k++] = WINDOW_VAR; /* the new image's constructor ends the window and drops it */
    e->window_added = window;
    if (replace_preload) {
        uint64_t at = 0;
        for (const char *s = PRELOAD_PREFIX; *s != '\0'; s++) preload[at++] = *s;
        for (const char *s = runtime_path; *s != '\0'; s++) preload[at++] = *s;
        if (theirs_len > 0) {
            preload[at++] = ':';
            for (long i = 0; i < theirs_len; i++) preload[at++] = theirs[i];
        }
        preload[at] = '\0';
        out[k++] = preload;
    }
    out[k] = 0;
    return out;
}

void jp_exec_env_release(struct jp_exec_env *e) {
    if (e->mapping != 0) jp_sys6(NR_munmap_call, (long)e->mapping, (long)e->mapping_size, 0, 0, 0, 0);
    e->mapping = 0;
}
