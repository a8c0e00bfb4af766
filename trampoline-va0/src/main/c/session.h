/* The session shared with the host: layout and protocol (docs/session.md). Mirrored in Java
 * by dev.jpoline.host.SessionLayout; SessionLayoutTest checks that the two agree. */
#ifndef JPOLINE_SESSION_H
#define JPOLINE_SESSION_H

#include <stdint.h>

#define JPOLINE_SESSION_MAGIC 0x315345534C4F504AULL /* "JPOLSES1" */

#define JPOLINE_SESSION_LIVE 0
#define JPOLINE_SESSION_DEAD 1

#define JPOLINE_TIER_COUNT 1024

struct jpoline_session_header {
    uint64_t magic;                /* 0 */
    uint32_t abi_version;          /* 8 */
    uint32_t total_size;           /* 12 */
    uint32_t state;                /* 16 */
    uint32_t host_pid;             /* 20 */
    uint64_t heartbeat_ns;         /* 24 */
    uint32_t doorbell;             /* 32 */
    uint32_t slot_count;           /* 36 */
    uint32_t wait_timeout_ms;      /* 40 */
    uint32_t reserved0;            /* 44 */
    uint64_t processes_registered; /* 48 */
    uint64_t processes_gave_up;    /* 56 */
    uint8_t reserved1[1024 - 64];
    uint8_t tiers[JPOLINE_TIER_COUNT]; /* 1024 */
    uint8_t reserved2[4096 - 2048];
};

#define JPOLINE_SLOT_SIZE 8192
#define JPOLINE_SLOT_CHUNK_CAPACITY ((JPOLINE_SLOT_SIZE - 64) / 8)

enum jpoline_slot_state {
    JPOLINE_SLOT_FREE = 0,
    JPOLINE_SLOT_CLAIMED = 1,
    JPOLINE_SLOT_REQUEST = 2,
    JPOLINE_SLOT_SITES = 3,
    JPOLINE_SLOT_TAKEN = 4,
    JPOLINE_SLOT_DONE = 5,
    JPOLINE_SLOT_FAILED = 6,
    JPOLINE_SLOT_PATCHING = 7,
    JPOLINE_SLOT_ABANDONED = 8,
};

/* A request's result telling the target to detach: the host restored its code (or never
 * patched it), so it unmaps the VA0 page and runs natively from then on. Used when the
 * process loads a runtime that needs reads of address 0 to fault (a JVM) on a CPU that
 * cannot make the page execute-only. */
#define JPOLINE_RESULT_DETACH (-1000)

enum jpoline_request_kind {
    JPOLINE_REQUEST_STARTUP = 1,
    JPOLINE_REQUEST_MAPPING = 2,
    /* Not a rewrite: the process is about to exec a program LD_PRELOAD cannot reach (static,
     * setuid, setgid); the payload is its path, range_start the reason. The host reports it. */
    JPOLINE_REQUEST_UNREACHABLE_EXEC = 3,
};

enum jpoline_unreachable_reason {
    JPOLINE_UNREACHABLE_STATIC = 1,
    JPOLINE_UNREACHABLE_SETUID = 2,
    JPOLINE_UNREACHABLE_SETGID = 3,
};

struct jpoline_slot {
    uint32_t state;           /* 0: futex word */
    uint32_t pid;             /* 4 */
    uint32_t tid;             /* 8 */
    uint32_t kind;            /* 12 */
    uint64_t range_start;     /* 16 */
    uint64_t range_end;       /* 24 */
    uint32_t chunk_count;     /* 32 */
    int32_t result;           /* 36 */
    uint64_t sites_announced; /* 40 */
    uint8_t reserved[64 - 48];
    uint64_t addresses[JPOLINE_SLOT_CHUNK_CAPACITY]; /* 64 */
};

_Static_assert(sizeof(struct jpoline_session_header) == 4096, "session header is one page");
_Static_assert(sizeof(struct jpoline_slot) == JPOLINE_SLOT_SIZE, "slot size");

/* The session this process joined, or NULL. Set once by the constructor (fork children
 * inherit it with the shared mapping). */
extern struct jpoline_session_header *jp_session __attribute__((visibility("hidden")));

/* Asks the host to rewrite code (all of it at start-up, or [start, end) after a mapping)
 * and waits, boundedly, for the answer. Freestanding: callable from the entry path.
 * Returns the number of sites rewritten, or a negative errno (-ETIMEDOUT when the host
 * is gone, after which the session is marked dead). */
long jp_session_request(int kind, uint64_t start, uint64_t end) __attribute__((visibility("hidden")));

/* The same with a payload of up to sizeof(slot->addresses) bytes, copied into the slot's
 * address area; chunk_count holds its length. */
long jp_session_request_with(int kind, uint64_t start, uint64_t end, const char *payload, uint32_t length)
    __attribute__((visibility("hidden")));

/* Before an execve/execveat: when the program to run is one LD_PRELOAD cannot reach, tells
 * the host so it can report it. Freestanding; costs an open, an fstat and a few preads. */
void jp_check_exec_target(int dirfd, const char *path, int at_flags) __attribute__((visibility("hidden")));

/* Leaves the session for good and unmaps the VA0 page (after JPOLINE_RESULT_DETACH).
 * Freestanding. */
void jp_session_detach(void) __attribute__((visibility("hidden")));

#endif
