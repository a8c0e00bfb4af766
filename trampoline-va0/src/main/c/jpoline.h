/* Shared declarations of the jpoline runtime (libjpoline.so). */
#ifndef JPOLINE_H
#define JPOLINE_H

#include <stdint.h>

#define JPOLINE_EXPORT __attribute__((visibility("default")))

/* Bumped whenever the layout shared with the host (session, records) changes;
 * the host refuses a runtime whose version differs from its own. */
#define JPOLINE_ABI_VERSION 1

/* Name of the environment variable that carries the session to the target. */
#define JPOLINE_SESSION_ENV "JPOLINE_SESSION"

/* Raw syscall issued from the runtime's own text, which is never rewritten. */
long jpoline_raw_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

#endif
