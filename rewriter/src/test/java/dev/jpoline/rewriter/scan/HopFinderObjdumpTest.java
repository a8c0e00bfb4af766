package dev.jpoline.rewriter.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jpoline.rewriter.decode.ObjdumpListing;
import dev.jpoline.rewriter.plan.FilePlan;
import dev.jpoline.rewriter.plan.Planner;
import dev.jpoline.rewriter.plan.SegmentPlan;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every hop the planner gives a real library is, by objdump's own disassembly, padding after an
 * instruction that never falls through, with no direct branch of the file landing in front of
 * the hop's end and no symbol of it starting there: nothing objdump sees can execute those five
 * bytes.
 */
class HopFinderObjdumpTest {
    private static final Pattern LABEL = Pattern.compile("^([0-9a-f]+) <[^>]+>:$");
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\s+(.*)$");
    private static final Pattern BRANCH = Pattern.compile(
            "^(?:bnd |notrack )*(j[a-z]+|call[a-z]*|loop[a-z]*|xbegin)\\s+([0-9a-f]+)\\b.*");

    @ParameterizedTest
    @ValueSource(strings = {"/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2",
            "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"})
    void everyHopIsUnreachablePaddingByObjdump(String file) throws Exception {
        Path path = Path.of(file);
        assumeTrue(Files.isReadable(path), "skipped: " + file + " is not on this machine");
        assertThat(ObjdumpListing.available()).as("objdump (binutils) is needed; install binutils").isTrue();
        TreeMap<Long, String> insns = new TreeMap<>();
        TreeSet<Long> targets = new TreeSet<>();
        Process p = new ProcessBuilder(ObjdumpListing.OBJDUMP.toString(), "-d", "-z", "--no-show-raw-insn", file)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                Matcher label = LABEL.matcher(line);
                if (label.matches()) {
                    targets.add(Long.parseUnsignedLong(label.group(1), 16)); // a symbol: entered from elsewhere
                    continue;
                }
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                long address = Long.parseLong(m.group(1), 16);
                String text = m.group(2).trim();
                insns.put(address, text);
                Matcher b = BRANCH.matcher(text);
                if (b.matches()) {
                    targets.add(Long.parseUnsignedLong(b.group(2), 16)); // a wrapped target prints as 64 bits
                }
            }
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        FilePlan plan = new Planner().plan(path);
        int hops = 0;
        int sites = 0;
        List<String> wrong = new ArrayList<>();
        for (SegmentPlan segment : plan.segments()) {
            long delta = segment.segmentVaddr() - segment.key().segmentOffset();
            TreeMap<Long, Long> taken = new TreeMap<>(); // hop -> its site
            for (int i = 0; i < segment.siteCount(); i++) {
                sites++;
                long fileHop = segment.hopFileOffset(i);
                if (fileHop == -1) {
                    continue;
                }
                hops++;
                long hop = fileHop + delta;
                long site = segment.siteFileOffset(i) + delta;
                String problem = check(insns, targets, site, hop);
                Long below = taken.floorKey(hop + HopFinder.HOP_SIZE - 1);
                if (below != null && below + HopFinder.HOP_SIZE > hop) {
                    problem = "overlaps the hop of site 0x" + Long.toHexString(taken.get(below));
                }
                Long above = taken.ceilingKey(hop);
                if (above != null && above < hop + HopFinder.HOP_SIZE) {
                    problem = "overlaps the hop of site 0x" + Long.toHexString(taken.get(above));
                }
                taken.put(hop, site);
                if (problem != null) {
                    wrong.add(String.format("site 0x%x, hop 0x%x: %s", site, hop, problem));
                }
            }
        }
        System.out.printf("[hops] %s: %d of %d syscall sites have a hop%n", file, hops, sites);
        assertThat(wrong).isEmpty();
        if (file.contains("libc.so")) {
            assertThat(hops).as("most of libc's sites are wrappers followed by padding").isGreaterThan(sites * 3 / 4);
        }
    }

    /** Null when objdump agrees that [hop, hop + 5) is unreachable padding within reach of the site. */
    private static String check(TreeMap<Long, String> insns, TreeSet<Long> targets, long site, long hop) {
        long d = hop - (site + 2);
        if (d < -128 || d > 127) {
            return "out of a jmp rel8's reach";
        }
        if (!"syscall".equals(insns.get(site))) {
            return "the site is not a syscall by objdump: " + insns.get(site);
        }
        // Walk back from the instruction holding the hop's first byte to the start of its padding run.
        Long at = insns.floorKey(hop);
        if (at == null) {
            return "no instruction before it";
        }
        long gapStart = at;
        while (true) {
            Long before = insns.lowerKey(gapStart);
            if (before == null) {
                return "no instruction before the padding";
            }
            String text = insns.get(before);
            if (isPadding(text)) {
                gapStart = before;
                continue;
            }
            if (!neverFallsThrough(text)) {
                return "the padding follows '" + text + "', which falls through";
            }
            break;
        }
        for (Long a = at; a != null && a < hop + HopFinder.HOP_SIZE; a = insns.higherKey(a)) {
            if (!isPadding(insns.get(a))) {
                return "'" + insns.get(a) + "' at 0x" + Long.toHexString(a) + " is not padding";
            }
        }
        Long target = targets.ceiling(gapStart);
        if (target != null && target < hop + HopFinder.HOP_SIZE) {
            return "a branch targets 0x" + Long.toHexString(target) + ", in front of the hop's end";
        }
        return null;
    }

    private static boolean isPadding(String text) {
        return text.equals("nop") || text.startsWith("nop") || text.startsWith("cs nop") || text.startsWith("data16")
                || text.equals("xchg   %ax,%ax") || text.equals("int3");
    }

    private static boolean neverFallsThrough(String text) {
        return text.startsWith("ret") || text.startsWith("repz ret") || text.startsWith("jmp")
                || text.startsWith("bnd jmp") || text.startsWith("notrack jmp") || text.startsWith("ud2")
                || text.startsWith("hlt");
    }
}
