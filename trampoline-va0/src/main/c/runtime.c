/* Process-level part of the runtime: the constructor that joins a session, and the
 * small API the host reaches through JNA. */
#include <stdlib.h>

#include "jpoline.h"

JPOLINE_EXPORT int jpoline_abi_version(void) { return JPOLINE_ABI_VERSION; }

/* Nonzero once the constructor found a session and joined it. */
static int session_joined;

JPOLINE_EXPORT int jpoline_session_joined(void) { return session_joined; }

__attribute__((constructor)) static void jpoline_init(void) {
    /* A process that was not started from a session (for example the host JVM that
     * loads this library to talk to it) must be left completely alone. */
    const char *session = getenv(JPOLINE_SESSION_ENV);
    if (session == NULL || session[0] == '\0') return;
    /* Joining (VA0 page, registration, rewrite) is added by the pass-through work. */
    session_joined = 0;
}
