/* The raw syscall for callers outside the entry (the host through JNA, the constructor). */
#include "runtime_internal.h"

JPOLINE_EXPORT long jpoline_raw_syscall6(long nr, long a1, long a2, long a3, long a4, long a5,
                                         long a6) {
    return jp_sys6(nr, a1, a2, a3, a4, a5, a6);
}
