package dev.jpoline.rewriter.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Decodes over a million random and structured-random byte strings with the decoder and with
 * Capstone 4 and requires the same validity and the same length.
 *
 * <p>Where the two disagree, objdump (binutils 2.40) is asked as a third opinion on exactly those
 * cases. A disagreement is then put into one of the named classes in {@link #ALLOWED}; each class
 * has a reason and a ceiling, and anything unclassified, or a class over its ceiling, fails.
 */
class FuzzDifferentialTest {
    static final int CASES = 1_050_000;
    static final long SEED = 0x6a706f6c696e65L;

    private static final int[] LEGACY_PREFIXES = {0xF0, 0xF2, 0xF3, 0x66, 0x67, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65};

    /** One fuzz input: 15 bytes (the maximum an instruction can use) plus the generator that made it. */
    record Case(byte[] bytes, String generator) {}

    /**
     * Named disagreement classes: a regular expression over the class key, why it is not a decoder
     * bug, and the most instances allowed in this run.
     */
    record Allowed(String pattern, String reason, long ceiling) {
        boolean covers(String key) {
            return java.util.regex.Pattern.compile(pattern).matcher(key).matches();
        }
    }

    private static final String ANY = "[^|]*";
    private static final String SIDED = "objdump sides with decoder";

    static final List<Allowed> ALLOWED = List.of(
            // Capstone 4.0.2 wrong, objdump 2.40 decodes exactly as the decoder (checked per case)
            new Allowed(ANY + "\\| " + ANY + "\\| EVEX " + ANY + "\\| " + SIDED,
                    "Capstone 4.0.2 rejects many valid AVX-512 EVEX forms (VPTERNLOG, VPCMP*, VPTESTM/NM, VPERMB,"
                            + " VBMI2/VNNI/BITALG/VPOPCNTDQ/GFNI/VAES, BF16...) that objdump and the SDM accept", 9_000),
            new Allowed(ANY + "\\| " + ANY + "\\| VEX " + ANY + "\\| " + SIDED,
                    "Capstone 4.0.2 lacks the VEX opmask instructions (KMOV/KAND/KADD/KUNPCK/KTEST...) and"
                            + " AVX-VNNI, VEX-encoded VAES/VPCLMULQDQ/GFNI", 1_500),
            new Allowed(ANY + "\\| " + ANY + "\\| LEGACY map 1 op (b9|ff) \\| " + SIDED,
                    "UD1 (0F B9) and UD0 (0F FF) take a ModRM byte (SDM); Capstone 4 decodes both as 2 bytes", 1_500),
            new Allowed(ANY + "\\| " + ANY + "\\| LEGACY map 1 op (0d|18|19|1a|1b|1c|1d|1e|1f) \\| " + SIDED,
                    "0F 0D and 0F 18-1F are the prefetch / reserved-NOP hint space: every ModRM form executes;"
                            + " Capstone 4 only knows some of the forms", 1_500),
            new Allowed(ANY + "\\| " + ANY + "\\| LEGACY map (2( 66| F3| F2)? op (f6|f8|f9)|1( F3)? op (01|ae|1e))"
                    + "( lock-then-rep)? \\| " + SIDED,
                    "instructions newer than Capstone 4.0.2: WRSS, MOVDIRI, MOVDIR64B/ENQCMD(S), SERIALIZE, RDPKRU,"
                            + " WRPKRU, UMONITOR, CET shadow-stack forms", 600),
            new Allowed("decoder valid, Capstone invalid \\| " + ANY + "\\| LEGACY map 0 op (8c|8e) \\| " + SIDED,
                    "MOV to/from a segment register with REX.R: the REX.R bit is ignored; Capstone 4 rejects it", 500),
            new Allowed("length differs \\| " + ANY + "\\| LEGACY map 0 op [0-9a-f]{2} \\| " + SIDED,
                    "Capstone 4 mis-sizes a rel/imm field when 67 (or 66) is combined with REX, e.g. 67 4C E8 rel32"
                            + " or 67 4D C2 iw", 200),
            new Allowed(ANY + "\\| " + ANY + "\\| LEGACY map (0|1|2|3)( 66| F3| F2)? op [0-9a-f]{2}( lock-then-rep)? \\| " + SIDED,
                    "other prefix mixes on legacy SSE/system forms that Capstone 4 rejects while objdump decodes them"
                            + " exactly as the decoder (e.g. 2E 66 64 41 0F D0 ADDSUBPD)", 1_300),
            new Allowed(ANY + "\\| " + ANY + "\\| THREE_DNOW " + ANY + "\\| " + SIDED,
                    "Capstone 4.0.2 misses some 3DNow! forms objdump decodes", 300),
            new Allowed(ANY + "\\| " + ANY + "\\| XOP " + ANY + "\\| " + SIDED,
                    "Capstone 4.0.2 ignores XOP.W/XOP.L restrictions (e.g. VPMACS* with W1 or L1) that objdump"
                            + " and the AMD APM enforce", 600),

            // The decoder follows the SDM where both disassemblers are permissive
            new Allowed("decoder invalid\\(BAD_PREFIX\\), Capstone valid \\| " + ANY + "\\| " + ANY + " lock-then-rep \\| " + ANY,
                    "LOCK followed by F2/F3: Capstone keeps only the last group-1 prefix and forgets the LOCK;"
                            + " the CPU raises #UD for LOCK on a non-lockable instruction wherever it sits", 20_000),
            new Allowed("decoder invalid\\(BAD_PREFIX\\), Capstone valid \\| " + ANY
                    + "\\| LEGACY map (0 op (02|03|0a|0b|12|13|1a|1b|22|23|2a|2b|32|33)|1 op 1f) \\| " + ANY,
                    "LOCK on ALU r, r/m (memory source, register destination) or on NOP r/m (0F 1F): #UD per SDM"
                            + " (LOCK needs a read-modify-write memory destination); both disassemblers accept it", 1_500),
            new Allowed("decoder invalid\\(BAD_PREFIX\\), Capstone valid \\| ((vex|evex|xop) \\| " + ANY
                    + "|" + ANY + "\\| LEGACY map 0 op 00 )\\| " + ANY,
                    "66/F2/F3/LOCK/REX before VEX, EVEX or XOP: #UD per SDM 2.3.2 and AMD APM; both disassemblers"
                            + " accept and ignore the prefix", 800),
            // Decoder limitations, documented in rewriter/README.md: lengths are right, validity is
            // looser than the oracles'
            new Allowed("decoder valid, Capstone invalid \\| " + ANY + "\\| EVEX map (5|6)" + ANY + "\\| " + ANY,
                    "AVX512-FP16 (EVEX maps 5 and 6): the decoder accepts every opcode with the right length"
                            + " but does not model which opcodes exist", 4_000),
            new Allowed("decoder valid, Capstone invalid \\| " + ANY + "\\| EVEX map (1|2|3)" + ANY
                    + "\\| objdump (sides with Capstone|differs from both)",
                    "EVEX restrictions the decoder does not model (EVEX.W per opcode, broadcast/zeroing/opmask"
                            + " constraints, gathers/scatters needing a non-k0 mask): decoder says valid with the"
                            + " right length, both oracles say #UD", 4_000),
            new Allowed("decoder valid, Capstone invalid \\| " + ANY + "\\| LEGACY map 2 op (f6|f9) \\| objdump sides with Capstone",
                    "66/F2 on MOVDIRI (0F 38 F9) or WRSS (0F 38 F6): the decoder ignores a prefix the opcode has no"
                            + " form for, as Capstone does for SHA; objdump rejects, Capstone 4 knows neither instruction", 60),
            new Allowed("decoder valid, Capstone invalid \\| " + ANY + "\\| LEGACY map 1 op ae \\| objdump sides with Capstone",
                    "0F AE F1-F7 / F9-FF: the SDM says MFENCE and SFENCE ignore their r/m field; both disassemblers"
                            + " accept only F0 and F8", 60),
            new Allowed(ANY + "\\| " + ANY + "\\| LEGACY map (0|1|2|3)( 66| F3| F2)? op [0-9a-f]{2} \\| objdump sides with Capstone",
                    "unresolved: forms with unusual prefix order (a segment, 67, a cancelled REX or a repeated 66"
                            + " between 66/F2/F3 and the opcode) where both disassemblers disagree with the decoder; they"
                            + " tie a prefix's meaning to its position (Capstone drops the mandatory 66 of 66 3E 0F 38 DB,"
                            + " both ignore the 66 of 66 40 F3 44 68 iw), the CPU does not", 100),
            new Allowed(ANY + "\\| " + ANY + "\\| (VEX|EVEX|XOP) " + ANY + "\\| objdump differs from both",
                    "three-way disagreement on VEX/EVEX/XOP forms (EVEX rounding with L'L=11, W-dependent forms):"
                            + " each decodes differently, no oracle to side with", 200),
            new Allowed(ANY + "\\| " + ANY + "\\| (LEGACY|THREE_DNOW) " + ANY + "\\| objdump differs from both",
                    "three-way disagreement: objdump, Capstone and the decoder each decode a differently"
                            + " prefixed legacy form (prefix-laden UD0/UD1, hint NOPs, MOVBE/CRC32, SSE with several"
                            + " mandatory-prefix candidates); no oracle to side with", 400));

    static Case generate(SplittableRandom rnd) {
        byte[] b = new byte[15];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        int kind = rnd.nextInt(100);
        int p = 0;
        String generator;
        if (kind < 10) {
            return new Case(b, "random");
        } else if (kind < 55) {
            generator = "legacy";
            p = legacyPrefixes(rnd, b, p);
            int map = rnd.nextInt(100);
            if (map < 45) {
                // one-byte map: avoid re-rolling into prefixes so opcodes get the weight
                b[p++] = (byte) rnd.nextInt(256);
            } else {
                b[p++] = 0x0F;
                if (map < 75) {
                    b[p++] = (byte) rnd.nextInt(256);
                } else if (map < 86) {
                    b[p++] = 0x38;
                    b[p++] = (byte) rnd.nextInt(256);
                } else if (map < 97) {
                    b[p++] = 0x3A;
                    b[p++] = (byte) rnd.nextInt(256);
                } else {
                    b[p++] = 0x0F; // 3DNow!: modrm ... imm8 suffix
                }
            }
        } else if (kind < 72) {
            generator = "vex";
            p = segmentOrAddressPrefix(rnd, b, p);
            if (rnd.nextBoolean()) {
                b[p++] = (byte) 0xC5;
                p++; // random R vvvv L pp
            } else {
                b[p++] = (byte) 0xC4;
                b[p] = (byte) ((b[p] & 0xE0) | (rnd.nextInt(10) == 0 ? rnd.nextInt(32) : 1 + rnd.nextInt(3)));
                p += 2;
            }
            p++; // opcode stays random
        } else if (kind < 90) {
            generator = "evex";
            p = segmentOrAddressPrefix(rnd, b, p);
            b[p++] = 0x62;
            int mmm = rnd.nextInt(10) == 0 ? rnd.nextInt(8) : 1 + rnd.nextInt(3);
            b[p] = (byte) ((b[p] & 0xF0) | mmm); // R X B R' 0 mmm
            p++;
            if (rnd.nextInt(20) != 0) {
                b[p] |= 0x04; // the fixed 1 bit of P1, usually right
            }
            p += 2;
            p++;
        } else if (kind < 95) {
            generator = "xop";
            p = segmentOrAddressPrefix(rnd, b, p);
            b[p++] = (byte) 0x8F;
            b[p] = (byte) ((b[p] & 0xE0) | (8 + rnd.nextInt(3)));
            p++;
            if (rnd.nextInt(4) != 0) {
                b[p] &= (byte) 0xFC; // pp = 0, as XOP requires
            }
            p += 2;
        } else {
            generator = "prefix-run";
            int n = 8 + rnd.nextInt(8);
            for (int i = 0; i < n && p < 14; i++) {
                b[p++] = (byte) LEGACY_PREFIXES[rnd.nextInt(LEGACY_PREFIXES.length)];
            }
            b[p++] = (byte) (rnd.nextBoolean() ? 0x90 : 0x01);
        }
        return new Case(b, generator);
    }

    private static int legacyPrefixes(SplittableRandom rnd, byte[] b, int p) {
        int n = rnd.nextInt(100) < 50 ? 0 : 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(8) == 0) {
                b[p++] = (byte) (0x40 | rnd.nextInt(16)); // REX followed by a legacy prefix: cancelled
            }
            b[p++] = (byte) LEGACY_PREFIXES[rnd.nextInt(LEGACY_PREFIXES.length)];
        }
        if (rnd.nextInt(100) < 40) {
            b[p++] = (byte) (0x40 | rnd.nextInt(16));
        }
        return p;
    }

    private static int segmentOrAddressPrefix(SplittableRandom rnd, byte[] b, int p) {
        int r = rnd.nextInt(20);
        if (r == 0) {
            b[p++] = 0x67;
        } else if (r == 1) {
            b[p++] = 0x64;
        } else if (r == 2) {
            b[p++] = (byte) LEGACY_PREFIXES[rnd.nextInt(LEGACY_PREFIXES.length)];
        } else if (r == 3) {
            b[p++] = (byte) (0x40 | rnd.nextInt(16));
        }
        return p;
    }

    /** A case where decoder and Capstone disagree. */
    record Disagreement(Case input, boolean decoderValid, int decoderLength, int capstoneLength, String key) {}

    @Test
    void sameValidityAndLengthAsCapstone() throws Exception {
        try (CapstoneOracle capstone = CapstoneOracle.openOrNull()) {
            CapstoneOracle.requireOrSkip(capstone);
            assumeTrue(ObjdumpListing.available(), "skipped: /usr/bin/objdump (the tie-breaker) is not installed");
            X86Decoder decoder = new X86Decoder();
            Instruction insn = new Instruction();
            SplittableRandom rnd = new SplittableRandom(SEED);
            Map<String, Long> perGenerator = new TreeMap<>();
            List<Disagreement> disagreements = new ArrayList<>();
            long bothValid = 0;
            long bothInvalid = 0;
            for (int i = 0; i < CASES; i++) {
                Case c = generate(rnd);
                perGenerator.merge(c.generator(), 1L, Long::sum);
                int length = decoder.decode(c.bytes(), 0, c.bytes().length, 0x400000, insn);
                int csLength = capstone.length(c.bytes(), c.bytes().length, 0x400000);
                boolean csValid = csLength > 0;
                if (insn.isValid() && csValid && length == csLength) {
                    bothValid++;
                } else if (!insn.isValid() && !csValid) {
                    bothInvalid++;
                } else {
                    disagreements.add(new Disagreement(c, insn.isValid(), length, csLength, key(c, insn, csLength)));
                }
            }
            Map<String, Long> classes = classify(disagreements);
            System.out.printf("[fuzz] %d cases %s: %d both valid (same length), %d both invalid, %d disagreements%n",
                    CASES, perGenerator, bothValid, bothInvalid, disagreements.size());
            classes.forEach((k, v) -> System.out.printf("    %7d  %s%n", v, k));
            assertThat(bothValid + bothInvalid + disagreements.size()).isEqualTo(CASES);
            Map<String, Long> unexplained = new TreeMap<>();
            Map<Allowed, Long> perAllowed = new HashMap<>();
            classes.forEach((k, v) -> {
                Allowed a = ALLOWED.stream().filter(x -> x.covers(k)).findFirst().orElse(null);
                if (a == null) {
                    unexplained.put(k, v);
                } else {
                    perAllowed.merge(a, v, Long::sum);
                }
            });
            ALLOWED.forEach(a -> System.out.printf("[fuzz] class %6d (ceiling %6d): %s%n",
                    perAllowed.getOrDefault(a, 0L), a.ceiling(), a.reason()));
            perAllowed.forEach((a, v) -> assertThat(v).as("class %s (%s)", a.pattern(), a.reason())
                    .isLessThanOrEqualTo(a.ceiling()));
            assertThat(unexplained).as("unexplained disagreements (examples: %s)", examples(disagreements, unexplained))
                    .isEmpty();
            assertThat(bothValid).as("valid instructions compared").isGreaterThan(CASES / 4);
        }
    }

    private static String key(Case c, Instruction insn, int csLength) {
        String side = !insn.isValid() ? "decoder invalid(" + insn.invalidReason() + "), Capstone valid"
                : csLength == 0 ? "decoder valid, Capstone invalid" : "length differs";
        return side + " | " + c.generator() + " | " + RealBinaryDifferentialTest.encodingKey(insn) + lockShape(c.bytes());
    }

    /** " lock-then-rep" when a LOCK is followed by F2/F3 among the prefixes (Capstone keeps only the last). */
    static String lockShape(byte[] b) {
        boolean lock = false;
        for (byte x : b) {
            int v = x & 0xFF;
            boolean prefix = v == 0xF0 || v == 0xF2 || v == 0xF3 || v == 0x66 || v == 0x67 || v == 0x2E || v == 0x36
                    || v == 0x3E || v == 0x26 || v == 0x64 || v == 0x65 || (v & 0xF0) == 0x40;
            if (!prefix) {
                return "";
            }
            if (v == 0xF0) {
                lock = true;
            } else if (lock && (v == 0xF2 || v == 0xF3)) {
                return " lock-then-rep";
            }
        }
        return "";
    }

    /** Counts per class key, where the key also says what objdump thinks of the same bytes. */
    private static Map<String, Long> classify(List<Disagreement> disagreements) throws IOException, InterruptedException {
        String[] objdump = objdumpVerdicts(disagreements);
        Map<String, Long> classes = new TreeMap<>();
        Map<String, String> example = new TreeMap<>();
        for (int i = 0; i < disagreements.size(); i++) {
            String verdict = objdump[i];
            Disagreement d = disagreements.get(i);
            String k = d.key() + " | " + verdict;
            classes.merge(k, 1L, Long::sum);
            example.putIfAbsent(k, hex(d.input().bytes()) + " dec=" + (d.decoderValid() ? d.decoderLength() : "inv")
                    + " cs=" + d.capstoneLength());
        }
        if (Boolean.getBoolean("jpoline.verbose")) {
            example.forEach((k, v) -> System.out.printf("    example %s: %s%n", k, v));
        }
        return classes;
    }

    /**
     * Lays each disagreeing case out in its own 32-byte slot (the bytes of the longer claimed
     * instruction, then NOPs), disassembles the file once with objdump and says, per case, whether
     * objdump's first instruction in the slot matches the decoder, Capstone, or neither.
     */
    private static String[] objdumpVerdicts(List<Disagreement> disagreements) throws IOException, InterruptedException {
        final int slot = 32;
        byte[] image = new byte[disagreements.size() * slot];
        Arrays.fill(image, (byte) 0x90);
        for (int i = 0; i < disagreements.size(); i++) {
            Disagreement d = disagreements.get(i);
            int n = Math.max(d.decoderValid() ? d.decoderLength() : 1, d.capstoneLength());
            System.arraycopy(d.input().bytes(), 0, image, i * slot, Math.max(n, 1));
        }
        Path file = Files.createTempFile("jpoline-fuzz", ".bin");
        try {
            Files.write(file, image);
            Process process = new ProcessBuilder(ObjdumpListing.OBJDUMP.toString(), "-D", "-b", "binary", "-m",
                    "i386:x86-64", "-M", "intel", "--no-show-raw-insn", "-z", file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // All instruction lines, then per slot the first real instruction. objdump prints a
            // prefix it considers unused (a REX followed by a legacy prefix, say) as a line of its
            // own; such prefix-only lines are merged into the instruction that follows.
            long[] addresses = new long[image.length + 1];
            String[] texts = new String[image.length + 1];
            int lines = 0;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String t = line.trim();
                    int colon = t.indexOf(":\t");
                    if (colon <= 0) {
                        continue;
                    }
                    try {
                        addresses[lines] = Long.parseLong(t.substring(0, colon), 16);
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    texts[lines++] = t.substring(colon + 2).trim();
                }
            }
            addresses[lines] = image.length;
            long[] firstLength = new long[disagreements.size()];
            boolean[] firstBad = new boolean[disagreements.size()];
            Arrays.fill(firstLength, -1);
            for (int i = 0; i < lines; i++) {
                if (addresses[i] % slot != 0) {
                    continue;
                }
                int j = i;
                while (j + 1 < lines && PREFIX_ONLY.matcher(texts[j]).matches() && addresses[j + 1] < addresses[i] + slot) {
                    j++;
                }
                int index = (int) (addresses[i] / slot);
                firstLength[index] = addresses[j + 1] - addresses[i];
                firstBad[index] = texts[j].startsWith("(bad)");
            }
            process.waitFor();
            String[] verdicts = new String[disagreements.size()];
            for (int i = 0; i < verdicts.length; i++) {
                Disagreement d = disagreements.get(i);
                boolean objValid = firstLength[i] > 0 && !firstBad[i];
                boolean matchesDecoder = d.decoderValid() ? objValid && firstLength[i] == d.decoderLength() : !objValid;
                boolean matchesCapstone = d.capstoneLength() > 0 ? objValid && firstLength[i] == d.capstoneLength() : !objValid;
                verdicts[i] = matchesDecoder && !matchesCapstone ? "objdump sides with decoder"
                        : matchesCapstone && !matchesDecoder ? "objdump sides with Capstone" : "objdump differs from both";
            }
            return verdicts;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String examples(List<Disagreement> all, Map<String, Long> classes) {
        StringBuilder sb = new StringBuilder();
        Map<String, Integer> shown = new HashMap<>();
        for (Disagreement d : all) {
            String prefix = d.key();
            boolean wanted = classes.keySet().stream().anyMatch(k -> k.startsWith(prefix + " | "));
            if (wanted && shown.merge(prefix, 1, Integer::sum) <= 3) {
                sb.append(String.format("%n  %s: %s decoder=%s/%d capstone=%d", prefix, hex(d.input().bytes()),
                        d.decoderValid() ? "valid" : "invalid", d.decoderLength(), d.capstoneLength()));
            }
        }
        return sb.toString();
    }

    /** An objdump line holding nothing but prefixes it did not attach to an instruction. */
    private static final java.util.regex.Pattern PREFIX_ONLY = java.util.regex.Pattern.compile(
            "((rex(\\.[WRXB]+)?|lock|data16|addr32|cs|ds|es|fs|gs|ss|rep|repz|repnz|repe|repne|bnd|notrack|xacquire"
                    + "|xrelease)\\s*)+");

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }
}
