package dev.jpoline.inlinehook.instrument;

import com.sun.jna.Library;
import dev.jpoline.inlinehook.memory.RuntimeBinding;

/**
 * How a probe's stub saves the extended state around its callback on this CPU: the whole XSAVE
 * state the OS enabled (x87, SSE, AVX, AVX-512...), with XSAVEC where the CPU has it (it skips
 * components in their initial state, the usual case for the upper halves of ymm and zmm), else
 * XSAVE, else FXSAVE (x87 and SSE only, where the OS enables no XSAVE). The interrupted code may
 * have live vector values that a callback calling glibc or Java would otherwise destroy.
 */
public final class XState {
    private static final int LEGACY_AREA = 512;
    private static final int HEADER = 64;

    interface XStateNative extends Library {
        int jpoline_xstate_info();
    }

    private static volatile XState cpu;

    /** What is saved: the whole XSAVE state, xmm0-15 and MXCSR, or nothing. */
    private enum Kind { ALL, SSE, NONE }

    private static final XState SSE = new XState(Kind.SSE, false, false, 16 * 16 + 16);
    private static final XState NONE = new XState(Kind.NONE, false, false, 0);

    private final Kind kind;
    private final boolean xsave;
    private final boolean compacted;
    /** Bytes of the save area, a multiple of 16 (of 64 for XSAVE). */
    private final int area;

    private XState(Kind kind, boolean xsave, boolean compacted, int area) {
        this.kind = kind;
        this.xsave = xsave;
        this.compacted = compacted;
        this.area = area;
    }

    /**
     * Only xmm0-15 and MXCSR, for a native callback that uses SSE at most (no AVX, AVX-512 or x87
     * instruction, and no call of a function that uses them: glibc's string functions do).
     */
    public static XState sse() {
        return SSE;
    }

    /** Nothing beyond the general registers, for a native callback built with -mgeneral-regs-only that calls nothing. */
    public static XState none() {
        return NONE;
    }

    /** What this CPU and kernel need (asked once, through the runtime's CPUID). */
    public static XState cpu() {
        XState x = cpu;
        if (x == null) {
            int info = RuntimeBinding.bind(XStateNative.class).jpoline_xstate_info();
            int size = info & 0x7FFFFFFF;
            x = size == 0 ? new XState(Kind.ALL, false, false, LEGACY_AREA)
                    : new XState(Kind.ALL, true, info < 0, (Math.max(size, LEGACY_AREA + HEADER) + 63) & ~63);
            cpu = x;
        }
        return x;
    }

    /**
     * The whole state saved the way a CPU without XSAVEC (plain XSAVE) or without XSAVE enabled
     * (FXSAVE) would, sized for this CPU: tests run every form here.
     */
    public static XState fallback(boolean xsave) {
        XState c = cpu();
        return xsave ? new XState(Kind.ALL, true, false, c.xsave ? c.area : LEGACY_AREA + HEADER)
                : new XState(Kind.ALL, false, false, LEGACY_AREA);
    }

    /** "xsavec, 2752 bytes", for diagnostics and benchmarks. */
    public String describe() {
        return switch (kind) {
            case ALL -> (xsave ? compacted ? "xsavec" : "xsave" : "fxsave") + ", " + area + " bytes";
            case SSE -> "xmm0-15 and mxcsr, " + area + " bytes";
            case NONE -> "general registers only";
        };
    }

    /** After it, rsp points at the saved state, aligned as the instruction needs. Clobbers rax and rdx. */
    void emitSave(ContextStub s) {
        if (kind == Kind.NONE) {
            s.emit(0x48, 0x83, 0xE4, 0xF0); // and rsp, -16
            return;
        }
        if (kind == Kind.SSE) {
            s.emit(0x48, 0x83, 0xE4, 0xF0); // and rsp, -16
            subRsp(s, area);
            for (int i = 0; i < 16; i++) {
                xmm(s, 0x29, i); // movaps [rsp+16i], xmm_i
            }
            s.emit(0x0F, 0xAE, 0x9C, 0x24); // stmxcsr [rsp+256]
            s.int32(256);
            return;
        }
        if (!xsave) {
            s.emit(0x48, 0x83, 0xE4, 0xF0); // and rsp, -16
            subRsp(s, area);
            s.emit(0x48, 0x0F, 0xAE, 0x04, 0x24); // fxsave64 [rsp]
            return;
        }
        s.emit(0x48, 0x83, 0xE4, 0xC0); // and rsp, -64
        subRsp(s, area);
        // XRSTOR faults on a header with reserved bits set, and XSAVE(C) writes only part of it:
        // plain XSAVE only the XSTATE_BV bits XCR0 enables (the others stay as the stack held
        // them), XSAVEC the first 16 bytes. So the whole header starts at zero.
        s.emit(0x31, 0xC0); // xor eax, eax
        for (int at = LEGACY_AREA; at < LEGACY_AREA + HEADER; at += 8) {
            s.emit(0x48, 0x89, 0x84, 0x24); // mov [rsp+at], rax
            s.int32(at);
        }
        allFeatures(s);
        if (compacted) {
            s.emit(0x48, 0x0F, 0xC7, 0x24, 0x24); // xsavec64 [rsp]
        } else {
            s.emit(0x48, 0x0F, 0xAE, 0x24, 0x24); // xsave64 [rsp]
        }
    }

    /** With rsp where {@link #emitSave} left it. Clobbers rax and rdx. */
    void emitRestore(ContextStub s) {
        if (kind == Kind.NONE) {
            return;
        }
        if (kind == Kind.SSE) {
            s.emit(0x0F, 0xAE, 0x94, 0x24); // ldmxcsr [rsp+256]
            s.int32(256);
            for (int i = 0; i < 16; i++) {
                xmm(s, 0x28, i); // movaps xmm_i, [rsp+16i]
            }
            return;
        }
        if (!xsave) {
            s.emit(0x48, 0x0F, 0xAE, 0x0C, 0x24); // fxrstor64 [rsp]
            return;
        }
        allFeatures(s);
        s.emit(0x48, 0x0F, 0xAE, 0x2C, 0x24); // xrstor64 [rsp] (either form: the header says which)
    }

    /** movaps between xmm{@code i} and [rsp + 16i] (0x29 stores, 0x28 loads). */
    private static void xmm(ContextStub s, int opcode, int i) {
        if (i >= 8) {
            s.emit(0x44); // REX.R: xmm8-15
        }
        s.emit(0x0F, opcode, 0x84 | (i & 7) << 3, 0x24);
        s.int32(16 * i);
    }

    private static void allFeatures(ContextStub s) {
        s.emit(0xB8, 0xFF, 0xFF, 0xFF, 0xFF); // mov eax, -1
        s.emit(0xBA, 0xFF, 0xFF, 0xFF, 0xFF); // mov edx, -1: every feature XCR0 enables
    }

    private static void subRsp(ContextStub s, int bytes) {
        s.emit(0x48, 0x81, 0xEC); // sub rsp, imm32
        s.int32(bytes);
    }
}
