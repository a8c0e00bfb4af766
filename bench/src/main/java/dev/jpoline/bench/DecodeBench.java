package dev.jpoline.bench;

import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import dev.jpoline.rewriter.scan.ScanResult;
import dev.jpoline.rewriter.scan.SiteScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Decode throughput over the executable sections of real libraries. One operation is a full
 * linear sweep of all executable sections of the file; the {@code bytes} aux counter is reported
 * by JMH as bytes per second, so MB/s = bytes / 1e6 (also printed as "bytes/op" in setup).
 *
 * <p>Run: {@code bench/run DecodeBench -f 1 -wi 3 -i 5 -w 2 -r 2}; the machine is shared, so alternate
 * before/after runs and compare medians. {@code scan} goes through {@code X86Decoder.scanStep}, which
 * fills no {@link Instruction} for the common forms.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecodeBench {
    @Param({"libc", "libjvm"})
    public String library;

    private byte[] file;
    private int[] sectionOffsets;
    private int[] sectionSizes;
    private long[] sectionAddresses;
    private long bytesPerSweep;
    private final X86Decoder decoder = new X86Decoder();
    private final Instruction insn = new Instruction();
    private final SiteScanner scanner = new SiteScanner();

    /** Bytes decoded, as a rate: JMH prints it in bytes/s next to the ops/s score. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void clear() {
            bytes = 0;
        }
    }

    @Setup
    public void load() {
        Path path = switch (library) {
            case "libc" -> Path.of("/lib/x86_64-linux-gnu/libc.so.6");
            case "libjvm" -> Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
            default -> throw new IllegalArgumentException("unknown library " + library + " (libc, libjvm)");
        };
        try {
            file = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        readExecutableSections(path);
        System.out.printf("%n[DecodeBench] %s: %s, %d executable bytes per op%n", library, path, bytesPerSweep);
    }

    /** Minimal ELF64 section-header walk: the benchmark must not depend on code it measures. */
    private void readExecutableSections(Path path) {
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt(0) != 0x464C457F || file[4] != 2) {
            throw new IllegalStateException(path + " is not an ELF64 file");
        }
        long shoff = buf.getLong(0x28);
        int shentsize = Short.toUnsignedInt(buf.getShort(0x3A));
        int shnum = Short.toUnsignedInt(buf.getShort(0x3C));
        int count = 0;
        int[] offsets = new int[shnum];
        int[] sizes = new int[shnum];
        long[] addresses = new long[shnum];
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            boolean progbits = buf.getInt(h + 4) != 8; // not SHT_NOBITS
            boolean exec = (buf.getLong(h + 8) & 0x4) != 0; // SHF_EXECINSTR
            if (progbits && exec && buf.getLong(h + 0x20) > 0) {
                addresses[count] = buf.getLong(h + 0x10);
                offsets[count] = (int) buf.getLong(h + 0x18);
                sizes[count] = (int) buf.getLong(h + 0x20);
                bytesPerSweep += sizes[count];
                count++;
            }
        }
        sectionOffsets = java.util.Arrays.copyOf(offsets, count);
        sectionSizes = java.util.Arrays.copyOf(sizes, count);
        sectionAddresses = java.util.Arrays.copyOf(addresses, count);
    }

    /** Decodes every instruction of every executable section; returns the instruction count. */
    @Benchmark
    public long decode(Bytes counter) {
        long instructions = 0;
        for (int s = 0; s < sectionOffsets.length; s++) {
            int pos = sectionOffsets[s];
            int end = pos + sectionSizes[s];
            long address = sectionAddresses[s];
            while (pos < end) {
                int n = decoder.decode(file, pos, end, address + (pos - sectionOffsets[s]), insn);
                pos += n;
                instructions++;
            }
        }
        counter.bytes += bytesPerSweep;
        return instructions;
    }

    /** The full site scan (decode plus site bookkeeping), for comparison with the bare decode. */
    @Benchmark
    public int scan(Bytes counter) {
        int sites = 0;
        for (int s = 0; s < sectionOffsets.length; s++) {
            ScanResult r = scanner.scan(file, sectionOffsets[s], sectionSizes[s], sectionAddresses[s], new long[0]);
            sites += r.siteOffsets().length;
        }
        counter.bytes += bytesPerSweep;
        return sites;
    }
}
