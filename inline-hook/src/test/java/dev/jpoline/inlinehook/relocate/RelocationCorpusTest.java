package dev.jpoline.inlinehook.relocate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.inlinehook.HookException;
import dev.jpoline.rewriter.decode.BranchKind;
import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.FunctionSymbol;
import dev.jpoline.rewriter.elf.FunctionSymbols;
import dev.jpoline.rewriter.elf.ProgramHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Steals and relocates the prologue of every function of real libraries (read from their files,
 * never patching live code), at a trampoline near the library and at one far from it, and checks
 * that each relocation is sound or cleanly refused. A sample of trampolines is disassembled by
 * objdump as an independent check of instruction boundaries and branch targets.
 */
class RelocationCorpusTest {
    /** Near: within rel32 reach of everything in the library (the libraries' link addresses are low). */
    private static final long NEAR_OFFSET = 0x1000_0000L;
    /** Far: beyond rel32 reach of every address in the files, so every outside reference goes absolute. */
    private static final long FAR_BASE = 0x7f00_0000_0000L;
    /** Prologues per library and minSteal whose trampolines objdump disassembles (each at two places). */
    private static final int OBJDUMP_SAMPLE = 300;
    private static final int[] MIN_STEALS = {5, 14};

    static Stream<String> libraries() {
        return Stream.of("libc.so.6", "libm.so.6", "libstdc++.so.6", "libjvm.so");
    }

    static Path find(String name) {
        if (name.equals("libjvm.so")) {
            return Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        }
        for (String dir : new String[] {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64"}) {
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return Path.of("/lib/x86_64-linux-gnu", name);
    }

    /** Counts of one (library, minSteal) pass. */
    static final class Tally {
        int functions;
        int stolen;
        final Map<HookException.Reason, Integer> stealRefusals = new EnumMap<>(HookException.Reason.class);
        /** [near, far]: relocated soundly, refused by relocate(). */
        final int[] relocated = new int[2];
        final int[] relocateRefused = new int[2];
        int pastFlowEnd;
        final List<String> unsound = new ArrayList<>();

        String share(int kind) {
            return String.format("%.1f%%", 100.0 * relocated[kind] / functions);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("libraries")
    void everyFunctionRelocatesSoundlyOrIsRefused(String name) throws Exception {
        Path path = find(name);
        if (!name.equals("libc.so.6")) {
            Assumptions.assumeTrue(Files.isRegularFile(path), name + " not found at " + path);
        }
        long started = System.nanoTime();
        List<long[]> functions = new ArrayList<>(); // {start, size, segment index}
        List<ProgramHeader> segments;
        List<byte[]> segmentBytes = new ArrayList<>();
        String table;
        try (ElfFile elf = ElfFile.open(path)) {
            segments = elf.executableLoadSegments();
            for (ProgramHeader s : segments) {
                segmentBytes.add(elf.readSegment(s));
            }
            FunctionSymbols symbols = elf.functionSymbols();
            table = symbols.tableName();
            long lastStart = -1;
            for (FunctionSymbol f : symbols.all()) {
                if (f.size() <= 0 || f.value() == lastStart) {
                    continue; // aliases: the first of a start is the largest range
                }
                for (int s = 0; s < segments.size(); s++) {
                    ProgramHeader seg = segments.get(s);
                    if (f.value() >= seg.vaddr() && f.value() + f.size() <= seg.vaddr() + seg.filesz()) {
                        functions.add(new long[] {f.value(), f.size(), s});
                        lastStart = f.value();
                        break;
                    }
                }
            }
        }
        assertThat(functions).as("function symbols of %s (%s)", name, table).hasSizeGreaterThan(100);

        Relocator relocator = new Relocator();
        Map<Integer, Tally> tallies = new TreeMap<>();
        List<Prologue> sample = new ArrayList<>();
        int sampleEvery = Math.max(1, functions.size() / OBJDUMP_SAMPLE);
        for (int m : MIN_STEALS) {
            Tally tally = new Tally();
            tallies.put(m, tally);
            int index = 0;
            for (long[] f : functions) {
                index++;
                ProgramHeader seg = segments.get((int) f[2]);
                int from = (int) (f[0] - seg.vaddr());
                byte[] bytes = Arrays.copyOfRange(segmentBytes.get((int) f[2]), from, from + (int) f[1]);
                tally.functions++;
                Prologue p;
                try {
                    p = relocator.steal(f[0], bytes, f[0], m);
                } catch (HookException e) {
                    tally.stealRefusals.merge(e.reason(), 1, Integer::sum);
                    assertThat(e.getMessage()).contains(String.format("0x%x", f[0]));
                    continue;
                }
                tally.stolen++;
                checkSteal(p, f[0], bytes, m, tally);
                if (index % sampleEvery == 0 && sample.size() < OBJDUMP_SAMPLE * (m == 5 ? 1 : 2)) {
                    sample.add(p);
                }
                long[] at = {f[0] + NEAR_OFFSET, FAR_BASE + f[0]};
                for (int kind = 0; kind < 2; kind++) {
                    Relocation r;
                    try {
                        r = relocator.relocate(p, at[kind]);
                    } catch (HookException e) {
                        assertThat(e.reason()).isEqualTo(HookException.Reason.UNRELOCATABLE);
                        assertThat(kind).as("near trampoline refused: %s", e.getMessage()).isEqualTo(1);
                        tally.relocateRefused[kind]++;
                        continue;
                    }
                    List<String> problems = TrampolineVerifier.verify(p, r);
                    if (problems.isEmpty()) {
                        tally.relocated[kind]++;
                    } else if (tally.unsound.size() < 20) {
                        tally.unsound.addAll(problems);
                    } else {
                        tally.unsound.add("...");
                    }
                }
            }
        }
        int[] objdump = crossCheckWithObjdump(name, sample);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        StringBuilder report = new StringBuilder();
        report.append(String.format("%s (%s, %d functions, %d ms):%n", name, table, functions.size(), ms));
        for (Map.Entry<Integer, Tally> e : tallies.entrySet()) {
            Tally t = e.getValue();
            report.append(String.format(
                    "  minSteal %2d: stolen %d/%d; hookable near %s, far %s; steal refused %s; far relocation "
                            + "refused %d; steals past a ret/jmp %d%n",
                    e.getKey(), t.stolen, t.functions, t.share(0), t.share(1), t.stealRefusals,
                    t.relocateRefused[1], t.pastFlowEnd));
        }
        report.append(String.format("  objdump: %d trampolines, %d instructions agree, %d not compared "
                + "(objdump out of step after a literal)%n", objdump[0], objdump[1], objdump[2]));
        System.out.print(report);

        for (Tally t : tallies.values()) {
            assertThat(t.unsound).as("unsound relocations in %s", name).isEmpty();
        }
        Tally five = tallies.get(5);
        double nearShare = five.relocated[0] / (double) five.functions;
        assertThat(nearShare).as("share of %s hookable with a 5-byte jump near", name)
                .isGreaterThan(name.equals("libc.so.6") ? 0.85 : 0.75);
        assertThat(tallies.get(14).relocated[0] / (double) five.functions)
                .as("share of %s hookable with a 14-byte jump near", name).isGreaterThan(0.5);
    }

    /** Properties of a steal checked independently of the relocator's own reasoning. */
    private static void checkSteal(Prologue p, long start, byte[] bytes, int minSteal, Tally tally) {
        assertThat(p.length()).isGreaterThanOrEqualTo(minSteal).isLessThanOrEqualTo(bytes.length)
                .isLessThan(minSteal + X86Decoder.MAX_LENGTH);
        assertThat(p.bytes()).isEqualTo(Arrays.copyOf(bytes, p.length()));
        X86Decoder decoder = new X86Decoder();
        Instruction in = new Instruction();
        int at = 0;
        for (int i = 0; i < p.instructionCount(); i++) {
            assertThat(p.instructionOffset(i)).isEqualTo(at);
            int len = decoder.decode(bytes, at, bytes.length, start + at, in);
            assertThat(in.isValid()).isTrue();
            boolean ends = in.isRet() || in.branchKind() == BranchKind.JMP
                    || in.isIndirectBranch() && (in.modrm() >> 3 & 7) == 4;
            if (ends && i + 1 < p.instructionCount()) {
                tally.pastFlowEnd++;
            }
            at += len;
        }
        assertThat(at).isEqualTo(p.length());
        // No relative branch outside the stolen bytes lands strictly inside them.
        at = 0;
        while (at < bytes.length) {
            int len = decoder.decode(bytes, at, bytes.length, start + at, in);
            if (!in.isValid()) {
                len = 1;
            } else if (in.isRelativeBranch() && at >= p.length()) {
                long to = in.branchTarget();
                assertThat(to > start && to < start + p.length()).as("branch at +%d into the prologue", at).isFalse();
            }
            at += len;
        }
    }

    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t((?:[0-9a-f]{2} )+)\\s*\\t(.*)$");
    private static final Pattern BRANCH_TARGET = Pattern.compile("\\s0x([0-9a-f]+)\\s*$");
    private static final Pattern RIP_TARGET = Pattern.compile("# 0x([0-9a-f]+)");

    /**
     * Relocates the sample into one blob per trampoline placement (near, far), disassembles each
     * blob with objdump, and compares objdump's instruction boundaries, branch targets and
     * RIP-relative targets with the decoder's, wherever objdump's linear sweep is in step (an
     * inline 8-byte literal may put it out of step until it meets a boundary again).
     *
     * @return {trampolines, instructions that agree, instructions not compared}
     */
    private static int[] crossCheckWithObjdump(String name, List<Prologue> sample) throws Exception {
        int[] counts = new int[3];
        if (sample.isEmpty() || !Files.isExecutable(Path.of("/usr/bin/objdump"))) {
            return counts;
        }
        Relocator relocator = new Relocator();
        for (long base : new long[] {0x2000_0000L, 0x7f12_3450_0000L}) {
            List<Relocation> placed = new ArrayList<>();
            int size = 0;
            for (Prologue p : sample) {
                try {
                    placed.add(relocator.relocate(p, base + size));
                } catch (HookException e) {
                    continue; // far and out of reach: counted by the main pass
                }
                size += (placed.get(placed.size() - 1).codeLength() + 32 + 15) & ~15;
            }
            byte[] blob = new byte[size];
            Arrays.fill(blob, (byte) 0x90); // nops between trampolines bring objdump back in step
            for (Relocation r : placed) {
                byte[] code = r.code();
                System.arraycopy(code, 0, blob, (int) (r.trampolineAddress() - base), code.length);
            }
            Map<Long, String[]> lines = objdump(blob, base);
            for (Relocation r : placed) {
                counts[0]++;
                compare(name, r, lines, counts);
            }
        }
        return counts;
    }

    private static void compare(String name, Relocation r, Map<Long, String[]> lines, int[] counts) {
        byte[] code = r.code();
        long base = r.trampolineAddress();
        int end = r.boundaries().jumpBackOffset();
        X86Decoder decoder = new X86Decoder();
        Instruction in = new Instruction();
        boolean inStep = true;
        int at = 0;
        while (at <= end) { // the jump back at `end` is the last instruction; the pool follows
            int len = decoder.decode(code, at, code.length, base + at, in);
            assertThat(in.isValid()).as("%s: trampoline %s decodes at +%d", name, r, at).isTrue();
            String[] line = lines.get(base + at);
            if (line == null) {
                assertThat(inStep).as("%s: objdump has no instruction at 0x%x in %s", name, base + at, r).isFalse();
                counts[2]++;
            } else if ((code[at] & 0xFF) == 0x9B && len == 1 && line[0].startsWith("9b ")
                    && line[0].trim().split(" ").length > 1) {
                // objdump shows fwait and the x87 instruction after it as one (fstsw for fwait; fnstsw)
                counts[1]++;
                inStep = false;
            } else {
                inStep = true;
                String what = String.format("%s: objdump line %s %s for 0x%x in %s", name, line[0], line[1], base + at, r);
                assertThat(line[0].trim().split(" ")).as(what).hasSize(len);
                if (in.isRelativeBranch()) {
                    Matcher m = BRANCH_TARGET.matcher(line[1]);
                    assertThat(m.find()).as(what).isTrue();
                    assertThat(Long.parseUnsignedLong(m.group(1), 16)).as(what).isEqualTo(in.branchTarget());
                }
                if (in.isRipRelative()) {
                    Matcher m = RIP_TARGET.matcher(line[1]);
                    assertThat(m.find()).as(what).isTrue();
                    assertThat(Long.parseUnsignedLong(m.group(1), 16)).as(what).isEqualTo(in.ripTarget());
                }
                counts[1]++;
            }
            at += len;
            if (in.isIndirectBranch() && in.isRipRelative() && (in.modrm() >> 3 & 7) == 4 && in.displacement() == 0) {
                at += 8; // the literal of jmp [rip+0]
                inStep = false;
            }
        }
    }

    /** objdump's instructions of {@code blob} placed at {@code base}: address -> {bytes, text}. */
    private static Map<Long, String[]> objdump(byte[] blob, long base) throws IOException, InterruptedException {
        Path file = Files.createTempFile("jpoline-trampolines", ".bin");
        try {
            Files.write(file, blob);
            Process p = new ProcessBuilder("objdump", "-D", "-b", "binary", "-mi386:x86-64",
                    "--adjust-vma=0x" + Long.toHexString(base), "--insn-width=16", file.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            Map<Long, String[]> lines = new HashMap<>();
            for (String line : out.split("\n")) {
                Matcher m = LINE.matcher(line);
                if (m.matches()) {
                    lines.put(Long.parseUnsignedLong(m.group(1), 16), new String[] {m.group(2), m.group(3)});
                }
            }
            return lines;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
