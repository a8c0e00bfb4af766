/* The gate in front of a Java detour (hook_gate_entry.S, hook_gate.c): which calls of a hooked
 * function go to the Java detour and which go straight to the original. Shared with the
 * host through JNA (dev.jpoline.inlinehook.detour.JavaDetourGate): keep the layout fixed. */
#ifndef JPOLINE_HOOK_GATE_H
#define JPOLINE_HOOK_GATE_H

#include <stdint.h>

/* One per Java-detoured hook; the host writes it before the hook can be enabled and never
 * frees it (a thread may be between the hook's relay and the read of `original`). */
struct jp_gate {
    uint64_t original; /* the trampoline: calling it is calling the original */
    uint64_t detour;   /* the Java detour's native entry (a JNA callback's function pointer) */
    uint64_t id;       /* unique per hook, never 0 */
    uint64_t vm;       /* the JavaVM* of this process */
};

/* How deep detours of distinct hooks may nest on one thread before the gate stops calling
 * Java (a deeper call runs the original). Small on purpose: the stack is initial-exec TLS,
 * which comes out of glibc's static TLS surplus when the runtime is dlopen'ed into a JVM
 * (about 1.6 KiB for every library loaded late), and a larger one made that load fail with
 * "cannot allocate memory in static TLS block". */
#define JP_GATE_DEPTH_MAX 8

/* One per instrument probe (dev.jpoline.inlinehook.instrument.ProbeRecord), in writable memory
 * the host keeps as long as the probe's stub: the stub counts every hit in `hits` (lock inc),
 * and for a Java callback calls jp_probe_gate with the record, which counts in `skipped` the
 * hits whose callback did not run (a thread the JVM does not know, or already inside it). */
struct jp_probe_record {
    uint64_t hits;
    uint64_t skipped;
    uint64_t callback; /* a Java probe's: a JNA callback's function pointer */
    uint64_t id;       /* unique per probe, never 0 */
    uint64_t vm;       /* the JavaVM* of this process */
};

#endif
