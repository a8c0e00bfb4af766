package dev.jpoline.inlinehook;

/**
 * What a probe's stub saves around a native callback besides the general registers and the
 * flags ({@link HookRegistry#setNativeProbeState}). The interrupted code may have live values in
 * any register; a callback that could change one the stub did not save corrupts it. Saving the
 * whole state costs most of a probe's time on CPUs with a slow XSAVE (about 180 ns for
 * XSAVEC+XRSTOR on the AMD EPYC this project is measured on, against 14 ns for xmm0-15), so a
 * callback that is known to touch less may ask for less. Java callbacks always get {@link #ALL}.
 */
public enum SavedState {
    /** The whole XSAVE state the OS enabled: x87, SSE, AVX, AVX-512 (the default; any callback). */
    ALL,
    /**
     * xmm0-15 and MXCSR: for a callback that uses SSE at most and calls no function that uses
     * more (glibc's string and memory functions use AVX or AVX-512 on most CPUs).
     */
    SSE,
    /** Nothing more: for a callback built with {@code -mgeneral-regs-only} that calls nothing. */
    GENERAL_ONLY
}
