package dev.jpoline.examples;

import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.Hook;
import dev.jpoline.inlinehook.InlineHooks;
import dev.jpoline.inlinehook.Register;
import dev.jpoline.inlinehook.symbols.Symbols;
import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the values a register holds each time a thread reaches the {@code syscall}
 * instructions of a library function: instrument probes inside the function, not function
 * hooks, so the function runs unchanged and the probe sees the registers exactly as the kernel
 * will. The demo probes libc's {@code write} (glibc has two syscall instructions in it: one for
 * single-threaded processes, one for the others) and counts rdx, the byte count, while this JVM
 * writes to /dev/null: the JDK's FileOutputStream calls write from its native code on the
 * calling Java thread.
 *
 * <p>A Java callback runs Java on the thread that hit the probe, so the probed code must be one
 * that Java's native methods call outside the JVM's own locks and outside JNI critical regions
 * (see docs/inline-hooks.md); write from FileOutputStream is.
 *
 * <p>Run: {@code java -cp examples.jar:jpoline.jar dev.jpoline.examples.RegisterHistogram}
 */
public final class RegisterHistogram implements AutoCloseable {
    private final Map<Long, LongAdder> counts = new ConcurrentHashMap<>();
    private final List<Hook> probes = new ArrayList<>();

    /**
     * Probes every {@code syscall} instruction of {@code function} in {@code library} (a soname
     * or path of a loaded library) and counts the values of {@code register} there.
     */
    public RegisterHistogram(String library, String function, Register register) {
        long start = Symbols.lookup(library, function);
        for (long at : syscallsOf(start)) {
            Hook probe = InlineHooks.global().instrument(at,
                    (address, context) -> counts.computeIfAbsent(context.get(register), v -> new LongAdder()).increment());
            probes.add(probe);
        }
        if (probes.isEmpty()) {
            throw new IllegalArgumentException(function + " in " + library + " has no syscall instruction in its first"
                    + " 256 bytes");
        }
        probes.forEach(Hook::enable);
    }

    /** The syscall instructions in the first 256 bytes of the code at {@code start}, with jpoline's decoder. */
    static List<Long> syscallsOf(long start) {
        X86Decoder decoder = new X86Decoder();
        Instruction in = new Instruction();
        byte[] code = new Pointer(start).getByteArray(0, 256 + X86Decoder.MAX_LENGTH);
        List<Long> found = new ArrayList<>();
        for (int off = 0; off < 256;) {
            int length = decoder.decode(code, off, code.length, start + off, in);
            if (!in.isValid()) {
                break;
            }
            if (in.isSyscall()) {
                found.add(start + off);
            }
            off += length;
        }
        return found;
    }

    /** Value -> times seen, in value order. */
    public Map<Long, Long> counts() {
        Map<Long, Long> snapshot = new TreeMap<>();
        counts.forEach((v, n) -> snapshot.put(v, n.sum()));
        return snapshot;
    }

    /** The probes: their hit counts, and whether each got a jump or a trap. */
    public List<Hook> probes() {
        return List.copyOf(probes);
    }

    @Override
    public void close() {
        probes.forEach(Hook::close);
    }

    public static void main(String[] args) throws IOException {
        try (FileOutputStream devNull = new FileOutputStream("/dev/null");
                RegisterHistogram h = new RegisterHistogram("libc.so.6", "write", Register.RDX)) {
            writeSizes(devNull);
            System.out.println("write's rdx (byte count) at its syscall instructions:");
            for (Hook p : h.probes()) {
                System.out.println("  probe at 0x" + Long.toHexString(p.target()) + ": " + p.hits() + " hits, "
                        + (p.usesTrap() ? "trap" : "jump") + " path");
            }
            h.counts().forEach((v, n) -> System.out.println("  " + v + ": " + n));
        }
    }

    /** Writes of 10 bytes three times, 100 bytes twice and 1000 bytes once. */
    static void writeSizes(FileOutputStream out) throws IOException {
        for (int size : new int[] {10, 10, 10, 100, 100, 1000}) {
            out.write(new byte[size]);
        }
    }
}
