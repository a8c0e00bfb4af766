package dev.jpoline.rewriter.decode;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Capstone (C library, through JNA direct mapping) as a decoding oracle.
 *
 * <p>The Capstone Java artifact (com.github.zhkl0228:capstone:3.1.8) bundles a libcapstone
 * built without x86 support (it serves an ARM emulator), so it cannot be the oracle and is not
 * a dependency; x86 needs a system Capstone: Debian's {@code libcapstone4}, which .ci/run installs. The path
 * may be overridden with {@code -Djpoline.capstone=/path/libcapstone.so}. Calls go straight to
 * {@code cs_disasm}; a sweep asks for thousands of instructions per call and reads only the
 * address and size of each {@code cs_insn}, so JNA costs nothing per instruction.
 */
final class CapstoneOracle implements AutoCloseable {
    private static final int CS_ARCH_X86 = 3;
    private static final int CS_MODE_64 = 8;
    /** sizeof(cs_insn) and field offsets in Capstone 4 (bytes[16]; Capstone 5 differs). */
    private static final int INSN_SIZE = 240;
    private static final int INSN_ADDRESS = 8;
    private static final int INSN_LENGTH = 16;
    private static final int INSN_MNEMONIC = 34;
    private static final int INSN_OPERANDS = 66;

    static final String INSTALL_HINT = "Capstone with x86 support not found (the capstone jar bundles an"
            + " ARM-only libcapstone): apt-get install libcapstone4, or -Djpoline.capstone=/path/libcapstone.so.4";

    private static volatile String loadError;
    private static boolean registered;

    static native int cs_open(int arch, int mode, LongByReference handle);
    static native int cs_close(LongByReference handle);
    static native int cs_version(IntByReference major, IntByReference minor);
    static native long cs_disasm(long handle, Pointer code, long size, long address, long count, PointerByReference insn);
    static native long cs_disasm(long handle, byte[] code, long size, long address, long count, PointerByReference insn);
    static native void cs_free(Pointer insn, long count);

    private final long handle;
    private final LongByReference handleRef;
    private final PointerByReference result = new PointerByReference();

    /** Returns null (and remembers why) when no usable Capstone is installed. */
    static synchronized CapstoneOracle openOrNull() {
        if (!registered) {
            String explicit = System.getProperty("jpoline.capstone");
            List<String> candidates = explicit != null ? List.of(explicit) : List.of(
                    "/usr/lib/x86_64-linux-gnu/libcapstone.so.4", "/usr/lib/x86_64-linux-gnu/libcapstone.so.5",
                    "/usr/lib/x86_64-linux-gnu/libcapstone.so", "/usr/lib64/libcapstone.so.4", "/usr/lib/libcapstone.so.4");
            String found = candidates.stream().filter(c -> Files.isReadable(Path.of(c))).findFirst().orElse(null);
            if (found == null) {
                loadError = INSTALL_HINT;
                return null;
            }
            try {
                Native.register(CapstoneOracle.class, NativeLibrary.getInstance(found));
                registered = true;
            } catch (UnsatisfiedLinkError e) {
                loadError = INSTALL_HINT + " (" + found + ": " + e.getMessage() + ")";
                return null;
            }
        }
        IntByReference major = new IntByReference();
        cs_version(major, new IntByReference());
        if (major.getValue() != 4) {
            loadError = "Capstone " + major.getValue() + ".x found; this oracle reads Capstone 4's cs_insn layout";
            return null;
        }
        LongByReference h = new LongByReference();
        int err = cs_open(CS_ARCH_X86, CS_MODE_64, h);
        if (err != 0) {
            loadError = "cs_open(X86, 64) failed with error " + err + ": " + INSTALL_HINT;
            return null;
        }
        return new CapstoneOracle(h);
    }

    /**
     * Skips the calling test when Capstone is missing, except under {@code CI=true}: there
     * {@code .ci/run} installs it, so its absence is a broken set-up and fails the test.
     */
    static void requireOrSkip(CapstoneOracle capstone) {
        if (capstone != null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true but " + whyUnavailable());
        }
        org.junit.jupiter.api.Assumptions.abort("skipped: " + whyUnavailable());
    }

    static String whyUnavailable() {
        return loadError;
    }

    private CapstoneOracle(LongByReference handleRef) {
        this.handleRef = handleRef;
        this.handle = handleRef.getValue();
    }

    /** Length of the single instruction at the start of {@code code[0..size)}, or 0 if Capstone rejects it. */
    int length(byte[] code, int size, long address) {
        long n = cs_disasm(handle, code, size, address, 1, result);
        if (n == 0) {
            return 0;
        }
        Pointer insn = result.getValue();
        int length = insn.getShort(INSN_LENGTH);
        cs_free(insn, n);
        return length;
    }

    /** Mnemonic and operands of the instruction at the start of {@code code}, or null if invalid. */
    String text(byte[] code, int size, long address) {
        long n = cs_disasm(handle, code, size, address, 1, result);
        if (n == 0) {
            return null;
        }
        Pointer insn = result.getValue();
        String text = insn.getString(INSN_MNEMONIC) + " " + insn.getString(INSN_OPERANDS);
        cs_free(insn, n);
        return text.trim();
    }

    /** Receives the instructions of one {@link #sweep} batch. */
    interface BatchConsumer {
        void accept(long address, int length, Pointer insns, int index);
    }

    /**
     * Disassembles from {@code mem[offset]} until Capstone hits an invalid instruction or the end,
     * at most {@code max} instructions; returns how many instructions it decoded.
     */
    long sweep(Memory mem, long offset, long size, long address, int max, BatchConsumer consumer) {
        long n = cs_disasm(handle, mem.share(offset), size, address, max, result);
        if (n == 0) {
            return 0;
        }
        Pointer insns = result.getValue();
        for (int i = 0; i < n; i++) {
            long base = (long) i * INSN_SIZE;
            consumer.accept(insns.getLong(base + INSN_ADDRESS), insns.getShort(base + INSN_LENGTH), insns, i);
        }
        cs_free(insns, n);
        return n;
    }

    static String mnemonicAt(Pointer insns, int index) {
        return insns.getString((long) index * INSN_SIZE + INSN_MNEMONIC);
    }

    @Override
    public void close() {
        cs_close(handleRef);
    }
}
