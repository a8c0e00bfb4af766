package dev.jpoline.rewriter.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jpoline.rewriter.decode.ElfSections;
import dev.jpoline.rewriter.decode.FullDecoder;
import dev.jpoline.rewriter.decode.Instruction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SiteScanner}, which decodes common instructions through {@code X86Decoder.scanStep}
 * without filling an {@link Instruction}, reports exactly what the same sweep over the complete
 * decoder reports: sites, sysenter sites, suspicious sites with their reasons, instruction counts
 * and invalid bytes. Checked over executable sections, over whole files swept as if they were code
 * (data gives invalid decodes and suspicious sites), and with data ranges.
 */
class FastScanEquivalenceTest {
    static Stream<Arguments> binaries() {
        return Stream.of(
                Arguments.of("libc", Path.of("/lib/x86_64-linux-gnu/libc.so.6")),
                Arguments.of("ld.so", Path.of("/lib64/ld-linux-x86-64.so.2")),
                Arguments.of("libstdc++", Path.of("/lib/x86_64-linux-gnu/libstdc++.so.6")),
                Arguments.of("libjvm-17", Path.of("/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so")),
                Arguments.of("libjvm-25", Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaries")
    void sameResultAsTheFullDecoderSweep(String name, Path path) throws Exception {
        assumeTrue(Files.isReadable(path), "skipped: " + path + " not installed");
        ElfSections elf = new ElfSections(path);
        SiteScanner scanner = new SiteScanner();
        long instructions = 0;
        long sites = 0;
        long suspicious = 0;
        long invalid = 0;
        // every executable section, without and with data ranges
        SplittableRandom random = new SplittableRandom(name.hashCode());
        for (ElfSections.Section s : elf.executableSections()) {
            int off = (int) s.fileOffset();
            int len = (int) s.size();
            for (long[] ranges : new long[][] {new long[0], randomRanges(random, s.address(), len)}) {
                ScanResult expected = referenceScan(elf.bytes, off, len, s.address(), ranges);
                ScanResult actual = scanner.scan(elf.bytes, off, len, s.address(), ranges);
                assertSame(name + " " + s.name(), actual, expected);
                instructions += expected.instructions();
                sites += expected.siteOffsets().length;
                suspicious += expected.suspicious().size();
                invalid += expected.invalidBytes();
            }
        }
        // the whole file as if it were code: headers, tables and data decode to garbage
        ScanResult expected = referenceScan(elf.bytes, 0, elf.bytes.length, 0x400000, new long[0]);
        ScanResult actual = scanner.scan(elf.bytes, 0, elf.bytes.length, 0x400000, new long[0]);
        assertSame(name + " whole file", actual, expected);
        System.out.printf("[fastscan] %s: sections %d instructions, %d sites, %d suspicious, %d invalid bytes;"
                + " whole file %d instructions, %d sites, %d suspicious, %d invalid bytes: identical%n", name,
                instructions, sites, suspicious, invalid, expected.instructions(), expected.siteOffsets().length,
                expected.suspicious().size(), expected.invalidBytes());
        assertThat(expected.invalidBytes()).as("the whole-file sweep exercises invalid decodes").isPositive();
    }

    private static void assertSame(String what, ScanResult actual, ScanResult expected) {
        assertThat(actual.siteOffsets()).as(what + " sites").containsExactly(expected.siteOffsets());
        assertThat(actual.sysenterOffsets()).as(what + " sysenters").containsExactly(expected.sysenterOffsets());
        assertThat(actual.suspicious()).as(what + " suspicious").containsExactlyElementsOf(expected.suspicious());
        assertThat(actual.instructions()).as(what + " instructions").isEqualTo(expected.instructions());
        assertThat(actual.invalidBytes()).as(what + " invalid bytes").isEqualTo(expected.invalidBytes());
    }

    /** A few sorted, disjoint data ranges inside {@code [address, address + length)}. */
    private static long[] randomRanges(SplittableRandom random, long address, int length) {
        List<Long> values = new ArrayList<>();
        long at = address;
        long end = address + length;
        while (length > 64 && values.size() < 40) {
            long start = at + random.nextLong(1, Math.max(2, length / 10));
            long stop = start + random.nextLong(1, 200);
            if (stop >= end) {
                break;
            }
            values.add(start);
            values.add(stop);
            at = stop;
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The sweep as SiteScanner did it before its fast path: every instruction through the complete
     * decoder. Kept verbatim apart from the decoder call.
     */
    static ScanResult referenceScan(byte[] code, int offset, int length, long address, long[] ranges) {
        FullDecoder decoder = new FullDecoder();
        Instruction insn = new Instruction();
        List<Integer> sites = new ArrayList<>();
        List<Integer> sysenters = new ArrayList<>();
        List<SuspiciousSite> suspicious = new ArrayList<>();
        long instructions = 0;
        long invalidBytes = 0;
        int instructionsSinceInvalid = Integer.MAX_VALUE;
        long lastInvalidAddress = 0;
        int rangeIndex = 0;
        final int end = offset + length;
        int pos = offset;
        while (pos < end) {
            long va = address + (pos - offset);
            while (rangeIndex < ranges.length && ranges[rangeIndex + 1] <= va) {
                rangeIndex += 2;
            }
            boolean inData = rangeIndex < ranges.length && ranges[rangeIndex] <= va;
            int step = decoder.decode(code, pos, end, va, insn);
            if (insn.isValid()) {
                instructions++;
                if (insn.isSyscall() || insn.isSysenter()) {
                    int rel = pos - offset;
                    if (inData) {
                        suspicious.add(new SuspiciousSite(rel, "inside data range [0x"
                                + Long.toHexString(ranges[rangeIndex]) + ", 0x"
                                + Long.toHexString(ranges[rangeIndex + 1]) + ")"));
                    } else if (instructionsSinceInvalid < SiteScanner.SUSPICIOUS_WINDOW) {
                        suspicious.add(new SuspiciousSite(rel, "within " + SiteScanner.SUSPICIOUS_WINDOW
                                + " instructions after an invalid decode at 0x" + Long.toHexString(lastInvalidAddress)));
                    } else {
                        sites.add(rel);
                        if (insn.isSysenter()) {
                            sysenters.add(rel);
                        }
                    }
                }
                if (instructionsSinceInvalid != Integer.MAX_VALUE) {
                    instructionsSinceInvalid++;
                }
            } else {
                invalidBytes += step;
                instructionsSinceInvalid = 0;
                lastInvalidAddress = va;
            }
            if (inData && va + step > ranges[rangeIndex + 1]) {
                step = (int) (ranges[rangeIndex + 1] - va);
                instructionsSinceInvalid = Integer.MAX_VALUE;
            }
            pos += Math.max(step, 1);
        }
        return new ScanResult(sites.stream().mapToInt(Integer::intValue).toArray(),
                sysenters.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(suspicious), instructions,
                invalidBytes);
    }
}
