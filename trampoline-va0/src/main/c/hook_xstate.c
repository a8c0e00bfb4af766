/* What an instrument probe's stub must save around its callback besides the general registers:
 * the whole extended state (x87, SSE, AVX, AVX-512 and whatever else the OS enabled in XCR0).
 * The interrupted code may have live ymm/zmm values (glibc's string functions), and a callback
 * that calls glibc or runs Java dirties them. The host asks here once and builds its stubs
 * for this CPU (dev.jpoline.inlinehook.instrument.ContextStub). */
#include <stdint.h>

#include "jpoline.h"

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* bit 31: XSAVEC exists (compacted, and skips components in their initial state, which most
 * are most of the time); bits 0-30: bytes of the standard-form area for the enabled features
 * (an upper bound for the compacted form). 0: no XSAVE enabled by the OS, use fxsave. */
JPOLINE_EXPORT uint32_t jpoline_xstate_info(void) {
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 0xD) return 0;
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 27))) return 0; /* OSXSAVE: the OS manages XCR0 */
    cpuid(0xD, 0, r);
    uint32_t size = r[1]; /* for the features XCR0 enables now */
    cpuid(0xD, 1, r);
    uint32_t xsavec = (r[0] >> 1) & 1;
    return xsavec << 31 | size;
}
