package dev.jpoline.rewriter.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Linear sweep of every executable section of real binaries, compared instruction by instruction
 * with objdump and with Capstone: same instruction starts, same lengths, same validity.
 *
 * <p>Disagreements are counted per class; every class must be justified in {@link #JUSTIFIED}
 * (the oracle is wrong) and stay small, anything else fails the test with examples.
 */
class RealBinaryDifferentialTest {
    static final String SIDED = "objdump sides with decoder: ";

    /**
     * Classes of disagreement where an oracle, not the decoder, is wrong, and why. Each instance is
     * confirmed by the other oracle: a Capstone disagreement only lands in a class below when
     * objdump decodes the same bytes exactly as the decoder does (same start, validity, length).
     * objdump itself agrees with the decoder on every instruction of every binary listed here.
     */
    static final List<Justification> JUSTIFIED = List.of(
            new Justification(SIDED + "decoder valid, Capstone invalid: VEX map 1( 66| F2)? op (4[1-7ab]|9[0-3]|9[89])",
                    "Capstone 4.0.2 does not decode the VEX-encoded AVX-512 opmask instructions (KMOV*, KAND*,"
                            + " KOR*, KTEST*, KORTEST*, KUNPCK*: VEX.0F 41-4B, 90-93, 98-99) that glibc's EVEX string"
                            + " functions use"),
            new Justification(SIDED + "decoder valid, Capstone invalid: EVEX map [123]( 66| F3| F2)? op [0-9a-f]{2}",
                    "Capstone 4.0.2 rejects AVX-512 EVEX encodings such as VPTERNLOG, VPCMP[U]B/W/D/Q,"
                            + " VPTESTM/VPTESTNM, VPBROADCASTB/W and VPCMPEQB into a mask (glibc's evex/avx512 string"
                            + " functions); objdump 2.40 decodes them as the SDM defines"),
            new Justification(SIDED + "decoder valid, Capstone invalid: LEGACY map 1 op 01",
                    "0F 01 E8 SERIALIZE and 0F 01 EE/EF RDPKRU/WRPKRU are newer than Capstone 4.0.2's tables"),
            new Justification(SIDED + "decoder valid, Capstone invalid: LEGACY map 1 F3 op 1e|" + SIDED
                    + "decoder valid, Capstone invalid: LEGACY map 1 op 1e",
                    "F3 REX.W 0F 1E /1 RDSSPQ (CET shadow stack) is newer than Capstone 4.0.2's tables"),
            new Justification(SIDED + "decoder valid, Capstone invalid: LEGACY map 1 op ae",
                    "F3 REX.W 0F AE /5 INCSSPQ (CET shadow stack) is newer than Capstone 4.0.2's tables"));

    record Justification(String pattern, String reason) {
        boolean covers(String kind) {
            return java.util.regex.Pattern.compile(pattern).matcher(kind).matches();
        }
    }

    static Stream<Arguments> binaries() {
        Set<Path> pythons = new LinkedHashSet<>();
        Path which = whichPython3();
        // readlink -f $(which python3) — unless it is a launcher script (a pyenv shim): that is
        // no code to decode, and the interpreter it runs is added just below.
        if (which != null && isElfQuietly(resolve(which))) {
            pythons.add(resolve(which));
        }
        pythons.add(resolve(Path.of("/usr/bin/python3")));
        Path onPath = pythonOnPath();
        if (onPath != null) {
            pythons.add(onPath);
        }
        List<Arguments> list = new ArrayList<>(List.of(
                Arguments.of("libc", Path.of("/lib/x86_64-linux-gnu/libc.so.6"), true),
                Arguments.of("ld.so", Path.of("/lib64/ld-linux-x86-64.so.2"), true),
                Arguments.of("libstdc++", Path.of("/lib/x86_64-linux-gnu/libstdc++.so.6"), false),
                Arguments.of("libjvm-17", Path.of("/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so"), false),
                Arguments.of("libjvm-25", Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so"), false),
                Arguments.of("perl", Path.of("/usr/bin/perl"), false)));
        for (Path python : pythons) {
            list.add(Arguments.of("python3 " + python, python, false));
        }
        return list.stream();
    }

    /** First python3 on PATH, as {@code which} finds it. */
    private static Path whichPython3() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "python3");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The python3 that PATH finds, by asking it (PATH may hold a shell-script shim such as pyenv's). */
    private static Path pythonOnPath() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import os,sys;print(os.path.realpath(sys.executable))")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty() ? Path.of(out) : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private static Path resolve(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path;
        }
    }

    private static ElfSections open(String name, Path path, boolean required) throws IOException {
        if (required) {
            assertThat(path).as(name + " must exist on any Linux x86-64 machine").isReadable();
        } else {
            assumeTrue(Files.isReadable(path), () -> "skipped: " + name + " (" + path + ") is not on this machine");
            assumeTrue(isElf(path), () -> "skipped: " + name + " (" + path + ") is not an ELF file (a launcher"
                    + " script such as a pyenv shim); the interpreter it runs is compared separately");
        }
        return new ElfSections(path);
    }

    private static boolean isElfQuietly(Path path) {
        try {
            return isElf(path);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isElf(Path path) throws IOException {
        try (var in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7F && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaries")
    void sameInstructionBoundariesAsObjdump(String name, Path path, boolean required) throws Exception {
        ElfSections elf = open(name, path, required);
        assumeTrue(ObjdumpListing.available(), "skipped: /usr/bin/objdump not installed");
        ObjdumpListing listing = objdump(path);
        Disagreements diff = new Disagreements(name + " vs objdump");
        X86Decoder decoder = new X86Decoder();
        Instruction insn = new Instruction();
        for (ElfSections.Section section : elf.executableSections()) {
            ObjdumpListing.SectionListing objdump = listing.sections.get(section.name());
            assertThat(objdump).as("objdump listed section %s", section.name()).isNotNull();
            int start = (int) section.fileOffset();
            int end = (int) (section.fileOffset() + section.size());
            long sectionEnd = section.address() + section.size();
            int j = 0;
            for (int pos = start; pos < end; ) {
                long va = section.address() + (pos - start);
                int step = decoder.decode(elf.bytes, pos, end, va, insn);
                while (j < objdump.count && objdump.addresses[j] < va) {
                    diff.add("objdump instruction start skipped by the decoder", elf.bytes, start, section, objdump.addresses[j], insn);
                    j++;
                }
                if (j < objdump.count && objdump.addresses[j] == va) {
                    long objLength = (j + 1 < objdump.count ? objdump.addresses[j + 1] : sectionEnd) - va;
                    boolean objValid = !objdump.bad[j];
                    if (objValid != insn.isValid()) {
                        diff.add(insn.isValid() ? "decoder valid, objdump (bad)" : "decoder invalid, objdump valid",
                                elf.bytes, start, section, va, insn);
                    } else if (objValid && objLength != step) {
                        diff.add("length differs", elf.bytes, start, section, va, insn);
                    } else {
                        diff.agreed++;
                    }
                    j++;
                } else {
                    diff.add("decoder instruction start not an objdump start", elf.bytes, start, section, va, insn);
                }
                pos += Math.max(step, 1);
            }
        }
        diff.report();
        diff.assertOnlyJustified();
        assertThat(diff.agreed).as("instructions compared").isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaries")
    void sameInstructionsAsCapstone(String name, Path path, boolean required) throws Exception {
        ElfSections elf = open(name, path, required);
        try (CapstoneOracle capstone = CapstoneOracle.openOrNull()) {
            CapstoneOracle.requireOrSkip(capstone);
            Disagreements diff = new Disagreements(name + " vs Capstone");
            List<Pending> pending = new ArrayList<>();
            X86Decoder decoder = new X86Decoder();
            Instruction insn = new Instruction();
            for (ElfSections.Section section : elf.executableSections()) {
                int start = (int) section.fileOffset();
                int size = (int) section.size();
                try (Memory mem = new Memory(size)) {
                    mem.write(0, elf.bytes, start, size);
                    int pos = 0;
                    final int batch = 100_000;
                    while (pos < size) {
                        int[] cursor = {pos};
                        long decoded = capstone.sweep(mem, pos, size - pos, section.address() + pos, batch,
                                (address, length, insns, index) -> {
                                    int at = cursor[0];
                                    long va = section.address() + at;
                                    int step = decoder.decode(elf.bytes, start + at, start + size, va, insn);
                                    if (!insn.isValid()) {
                                        pending.add(new Pending("decoder invalid, Capstone valid ("
                                                + CapstoneOracle.mnemonicAt(insns, index) + ")", section, va, insn.isValid(), step));
                                    } else if (step != length) {
                                        pending.add(new Pending("length differs (Capstone "
                                                + CapstoneOracle.mnemonicAt(insns, index) + ")", section, va, insn.isValid(), step));
                                    } else {
                                        diff.agreed++;
                                    }
                                    cursor[0] = at + length; // follow Capstone within its batch
                                });
                        pos = cursor[0];
                        if (pos < size && decoded < batch) {
                            // Capstone stopped before the end: it rejects the instruction at pos
                            long va = section.address() + pos;
                            int step = decoder.decode(elf.bytes, start + pos, start + size, va, insn);
                            if (insn.isValid()) {
                                pending.add(new Pending("decoder valid, Capstone invalid: " + encodingKey(insn),
                                        section, va, true, step));
                                pos += step;
                            } else {
                                diff.agreed++;
                                pos += 1;
                            }
                        }
                    }
                }
            }
            // Where Capstone disagrees, ask the second oracle: if objdump decodes exactly what the
            // decoder does, the two oracles disagree and Capstone 4 is the odd one out.
            ObjdumpListing listing = pending.isEmpty() || !ObjdumpListing.available() ? null : objdump(path);
            Instruction again = new Instruction();
            for (Pending p : pending) {
                int at = (int) (p.section.fileOffset() + (p.address - p.section.address()));
                decoder.decode(elf.bytes, at, (int) (p.section.fileOffset() + p.section.size()), p.address, again);
                boolean objdumpAgrees = listing != null && objdumpAgrees(listing.sections.get(p.section.name()),
                        p.section, p.address, p.valid, p.length);
                diff.add((objdumpAgrees ? SIDED : "") + p.kind, elf.bytes,
                        (int) p.section.fileOffset(), p.section, p.address, again);
            }
            diff.report();
            diff.assertOnlyJustified();
            assertThat(diff.agreed).as("instructions compared").isPositive();
        }
    }


    record Pending(String kind, ElfSections.Section section, long address, boolean valid, int length) {}

    private static final Map<Path, ObjdumpListing> OBJDUMP_CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    private static ObjdumpListing objdump(Path path) throws IOException, InterruptedException {
        ObjdumpListing cached = OBJDUMP_CACHE.get(path);
        if (cached == null) {
            cached = new ObjdumpListing(path);
            OBJDUMP_CACHE.put(path, cached);
        }
        return cached;
    }

    private static boolean objdumpAgrees(ObjdumpListing.SectionListing listing, ElfSections.Section section,
            long va, boolean valid, int length) {
        if (listing == null) {
            return false;
        }
        int i = java.util.Arrays.binarySearch(listing.addresses, 0, listing.count, va);
        if (i < 0) {
            return false;
        }
        long next = i + 1 < listing.count ? listing.addresses[i + 1] : section.address() + section.size();
        return valid ? !listing.bad[i] && next - va == length : listing.bad[i];
    }

    /** "VEX map 1 pp F2 op 92"-style key naming an encoding class. */
    static String encodingKey(Instruction insn) {
        String[] pp = {"", " 66", " F3", " F2"};
        return String.format("%s map %d%s op %02x", insn.encoding(), insn.opcodeMap(), pp[insn.mandatoryPrefix()],
                insn.opcode());
    }

    /** Counts per class, with a few examples each. */
    static final class Disagreements {
        final String what;
        long agreed;
        final Map<String, Long> counts = new LinkedHashMap<>();
        final Map<String, List<String>> examples = new LinkedHashMap<>();

        Disagreements(String what) {
            this.what = what;
        }

        void add(String kind, byte[] bytes, int sectionStart, ElfSections.Section section, long va, Instruction insn) {
            counts.merge(kind, 1L, Long::sum);
            List<String> list = examples.computeIfAbsent(kind, k -> new ArrayList<>());
            if (list.size() < 5) {
                int at = (int) (sectionStart + (va - section.address()));
                StringBuilder hex = new StringBuilder();
                for (int i = at; i < Math.min(at + 15, sectionStart + (int) section.size()); i++) {
                    hex.append(String.format("%02x", bytes[i]));
                }
                list.add(String.format("%s+%x %s decoder=%s", section.name(), va, hex, insn));
            }
        }

        void report() {
            System.out.printf("[differential] %s: %d agreed, disagreements %s%n", what, agreed, counts);
            if (Boolean.getBoolean("jpoline.verbose")) {
                counts.forEach((k, v) -> System.out.printf("    class %6d  %s%n", v, k));
            }
            examples.forEach((k, v) -> v.forEach(e -> System.out.printf("    %s: %s%n", k, e)));
        }

        void assertOnlyJustified() {
            Map<String, Long> unjustified = new LinkedHashMap<>(counts);
            unjustified.keySet().removeIf(k -> JUSTIFIED.stream().anyMatch(j -> j.covers(k)));
            assertThat(unjustified).as("%s: unjustified disagreements, examples %s", what, examples).isEmpty();
        }
    }
}
