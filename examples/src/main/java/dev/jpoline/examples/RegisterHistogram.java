package dev.jpoline.examples;

import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.Hook;
import dev.jpoline.inlinehook.InlineHooks;
import dev.jpoline.inlinehook.Register;
import dev.jpoline.inlinehook.symbols.Symbols;
import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.Deflater;

/**
 * Counts the values a register holds each time a thread reaches one instruction of a library
 * function: an instrument probe, not a function hook, so the instruction can be anywhere in the
 * function and the function runs unchanged. The demo probes zlib's {@code deflate} a few
 * instructions in, past its NULL-stream check, and counts its second argument (the flush mode, in
 * rsi) while this JVM compresses with {@link Deflater}: the JDK passes Deflater's flush modes to
 * zlib as they are (NO_FLUSH 0, SYNC_FLUSH 2, FULL_FLUSH 3, and Z_FINISH 4 after finish()).
 *
 * <p>Run: {@code java -cp examples.jar:jpoline.jar dev.jpoline.examples.RegisterHistogram}
 */
public final class RegisterHistogram implements AutoCloseable {
    private final Map<Long, LongAdder> counts = new ConcurrentHashMap<>();
    private final Hook probe;
    private final Register register;

    /**
     * Probes instruction {@code index} (0: the first) of {@code function} in {@code library} (a
     * soname or path of a loaded library) and counts the values of {@code register} there.
     */
    public RegisterHistogram(String library, String function, int index, Register register) {
        this.register = register;
        long address = instruction(Symbols.lookup(library, function), index);
        this.probe = InlineHooks.global().instrument(address,
                (at, context) -> counts.computeIfAbsent(context.get(register), v -> new LongAdder()).increment());
        probe.enable();
    }

    /** The address of instruction {@code index} of the code at {@code start}, decoded with jpoline's decoder. */
    static long instruction(long start, int index) {
        X86Decoder decoder = new X86Decoder();
        Instruction in = new Instruction();
        long at = start;
        for (int i = 0; i < index; i++) {
            byte[] code = new Pointer(at).getByteArray(0, X86Decoder.MAX_LENGTH);
            int length = decoder.decode(code, 0, code.length, at, in);
            if (!in.isValid() || in.isRet() || in.isIndirectBranch()) {
                throw new IllegalArgumentException("instruction " + index + " of the function at 0x" + Long.toHexString(start)
                        + " is past its first " + i + " straight-line instructions; choose a smaller index");
            }
            at += length;
        }
        return at;
    }

    /** Value -> times seen, in value order. */
    public Map<Long, Long> counts() {
        Map<Long, Long> snapshot = new TreeMap<>();
        counts.forEach((v, n) -> snapshot.put(v, n.sum()));
        return snapshot;
    }

    /** The probe: its hit count, and whether it got a jump or a trap. */
    public Hook probe() {
        return probe;
    }

    @Override
    public void close() {
        probe.close();
    }

    public static void main(String[] args) {
        // zlib may be the system's or built into the JDK's libzip.
        String library = args.length > 0 ? args[0] : zlib();
        byte[] input = new byte[1 << 16];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) (i * 31 % 251);
        }
        compress(input); // the JDK binds Deflater's natives on first use
        try (RegisterHistogram h = new RegisterHistogram(library, "deflate", 2, Register.RSI)) {
            compress(input);
            System.out.println("deflate's rsi (flush mode) at instruction 2, " + h.probe().hits() + " hits, "
                    + (h.probe().usesTrap() ? "trap" : "jump") + " path:");
            h.counts().forEach((v, n) -> System.out.println("  " + v + ": " + n));
        }
    }

    static String zlib() {
        try {
            Symbols.lookup("libz.so.1", "deflate");
            return "libz.so.1";
        } catch (RuntimeException notThere) {
            return "libzip.so";
        }
    }

    /** Compresses with every flush mode: NO_FLUSH, SYNC_FLUSH, FULL_FLUSH, then finish (Z_FINISH). */
    static int compress(byte[] input) {
        Deflater d = new Deflater();
        try {
            byte[] out = new byte[input.length + 1024];
            int n = 0;
            int third = input.length / 3;
            d.setInput(input, 0, third);
            n += d.deflate(out, n, out.length - n, Deflater.NO_FLUSH);
            d.setInput(input, third, third);
            n += d.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
            d.setInput(input, 2 * third, input.length - 2 * third);
            n += d.deflate(out, n, out.length - n, Deflater.FULL_FLUSH);
            d.finish();
            while (!d.finished()) {
                n += d.deflate(out, n, out.length - n);
            }
            return n;
        } finally {
            d.end();
        }
    }
}
