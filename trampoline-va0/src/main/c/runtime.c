/* Process-level part of the runtime: the constructor that joins a session, and the
 * small API the host (JNA) and the tests reach. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "session.h"

JPOLINE_EXPORT int jpoline_abi_version(void) { return JPOLINE_ABI_VERSION; }

/* Nonzero once the constructor found a session and joined it. */
static int session_joined;

JPOLINE_EXPORT int jpoline_session_joined(void) { return session_joined; }

JPOLINE_EXPORT int jpoline_set_tier(int nr, int tier) {
    if (nr < 0 || nr >= JPOLINE_TIER_TABLE_SIZE || tier < JPOLINE_PASS || tier > JPOLINE_HOOK)
        return -EINVAL;
    __atomic_store_n(&jp_tiers[nr], (uint8_t)tier, __ATOMIC_RELAXED);
    return 0;
}

JPOLINE_EXPORT int jpoline_get_tier(int nr) {
    if (nr < 0 || nr >= JPOLINE_TIER_TABLE_SIZE) return JPOLINE_PASS;
    return __atomic_load_n(&jp_tiers[nr], __ATOMIC_RELAXED);
}

JPOLINE_EXPORT void jpoline_set_dispatch_hook(jpoline_dispatch_hook hook) {
    __atomic_store_n(&jp_dispatch_hook, hook, __ATOMIC_RELEASE);
}

JPOLINE_EXPORT void jpoline_count_pass(int on) { __atomic_store_n(&jp_count_pass, on != 0, __ATOMIC_RELAXED); }

JPOLINE_EXPORT uint64_t jpoline_entry_count(int tier) {
    if (tier < JPOLINE_PASS || tier > JPOLINE_HOOK) return 0;
    return __atomic_load_n(&jp_entry_counts[tier], __ATOMIC_RELAXED);
}

/* One line on stderr, for the few problems a user must hear of even though the program
 * runs on (unrewritten). */
static void report(const char *what, int error) {
    dprintf(2, "jpoline: pid %d: %s (%s); it runs without jpoline\n", (int)getpid(), what, strerror(error));
}

/* Maps the session named in the environment if, and only if, it is the private file a
 * host of this user created for this ABI; NULL otherwise (the process is left alone). */
static struct jpoline_session_header *map_session(const char *path) {
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return NULL; /* the host is gone and took the session with it */
    struct stat st;
    struct jpoline_session_header *s = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 0777) == 0600 &&
        st.st_size >= (off_t)sizeof(*s)) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
            s = p;
            uint64_t expected = (uint64_t)sizeof(*s) + (uint64_t)s->slot_count * JPOLINE_SLOT_SIZE;
            /* Call slots, when the host made any, follow the request slots. */
            if (s->call_slot_count != 0) {
                expected = s->call_slots_offset == expected
                               ? expected + (uint64_t)s->call_slot_count * JPOLINE_CALL_SLOT_SIZE
                               : 0;
            }
            if (s->magic != JPOLINE_SESSION_MAGIC || s->abi_version != JPOLINE_ABI_VERSION ||
                s->total_size != (uint64_t)st.st_size || expected != (uint64_t)st.st_size ||
                __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != JPOLINE_SESSION_LIVE) {
                munmap(p, (size_t)st.st_size);
                s = NULL;
            }
        }
    }
    close(fd);
    return s;
}

__attribute__((constructor)) static void jpoline_init(void) {
    /* A process that was not started from a session (for example the host JVM that
     * loads this library to talk to it) must be left completely alone. */
    const char *path = getenv(JPOLINE_SESSION_ENV);
    if (path == NULL || path[0] == '\0') return;
    struct jpoline_session_header *s = map_session(path);
    if (s == NULL) return;
    int rc = jpoline_va0_install();
    if (rc < 0) {
        report(rc == -EPERM ? "cannot map the VA0 page: run sysctl -w vm.mmap_min_addr=0" : "cannot map the VA0 page",
               -rc);
        return;
    }
    for (int nr = 0; nr < JPOLINE_TIER_COUNT && nr < JPOLINE_TIER_TABLE_SIZE; nr++) jp_tiers[nr] = s->tiers[nr];
    __atomic_fetch_add(&s->processes_registered, 1, __ATOMIC_RELAXED);
    jp_session = s;
    /* The host rewrites every executable mapping now; we wait (boundedly) until it did. */
    long result = jp_session_request(JPOLINE_REQUEST_STARTUP, 0, 0);
    if (result == JPOLINE_RESULT_DETACH) jp_session_detach();
    session_joined = result >= 0;
}
