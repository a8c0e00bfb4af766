/* Process-level part of the runtime: the constructor that joins a session, and the
 * small API the host (JNA) and the tests reach. */
#include <errno.h>
#include <stdlib.h>

#include "runtime_internal.h"

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

JPOLINE_EXPORT uint64_t jpoline_entry_count(int tier) {
    if (tier < JPOLINE_PASS || tier > JPOLINE_HOOK) return 0;
    return __atomic_load_n(&jp_entry_counts[tier], __ATOMIC_RELAXED);
}

__attribute__((constructor)) static void jpoline_init(void) {
    /* A process that was not started from a session (for example the host JVM that
     * loads this library to talk to it) must be left completely alone. */
    const char *session = getenv(JPOLINE_SESSION_ENV);
    if (session == NULL || session[0] == '\0') return;
    /* Joining (registration with the host, VA0 page, rewrite) comes with the host side. */
    session_joined = 0;
}
