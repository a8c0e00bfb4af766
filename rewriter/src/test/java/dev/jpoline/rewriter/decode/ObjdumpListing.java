package dev.jpoline.rewriter.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The instruction starts objdump reports for every executable section of a file, parsed from
 * {@code objdump -d -z -M intel --no-show-raw-insn} (-z: do not collapse runs of zero bytes).
 */
public final class ObjdumpListing {
    public static final Path OBJDUMP = Path.of("/usr/bin/objdump");

    /** Instruction starts of one section, ascending, and which of them objdump printed as (bad). */
    public static final class SectionListing {
        long[] addresses = new long[1024];
        boolean[] bad = new boolean[1024];
        int count;
        public long syscallLines;
        public long sysenterLines;
        /** Addresses of the syscall/sysenter lines, ascending. */
        public long[] siteAddresses = new long[16];
        public int siteCount;

        void addSite(long address) {
            if (siteCount == siteAddresses.length) {
                siteAddresses = Arrays.copyOf(siteAddresses, siteCount * 2);
            }
            siteAddresses[siteCount++] = address;
        }

        void add(long address, boolean isBad) {
            if (count == addresses.length) {
                addresses = Arrays.copyOf(addresses, count * 2);
                bad = Arrays.copyOf(bad, count * 2);
            }
            addresses[count] = address;
            bad[count] = isBad;
            count++;
        }
    }

    public final Map<String, SectionListing> sections = new LinkedHashMap<>();

    public static boolean available() {
        return Files.isExecutable(OBJDUMP);
    }

    public ObjdumpListing(Path file) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(OBJDUMP.toString(), "-d", "-z", "-M", "intel", "--no-show-raw-insn",
                file.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        SectionListing current = null;
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII), 1 << 16)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("Disassembly of section ")) {
                    current = new SectionListing();
                    sections.put(line.substring("Disassembly of section ".length(), line.length() - 1), current);
                    continue;
                }
                if (current == null) {
                    continue;
                }
                int colon = instructionColon(line);
                if (colon < 0) {
                    continue;
                }
                long address = Long.parseUnsignedLong(line.substring(firstNonSpace(line), colon), 16);
                String text = line.substring(colon + 2).trim();
                boolean isBad = text.startsWith("(bad)");
                current.add(address, isBad);
                String mnemonic = lastMnemonicWord(text);
                if (mnemonic.equals("syscall")) {
                    current.syscallLines++;
                    current.addSite(address);
                } else if (mnemonic.equals("sysenter")) {
                    current.sysenterLines++;
                    current.addSite(address);
                }
            }
        }
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException("objdump failed on " + file);
        }
    }

    /** Index of the ':' in "  abc12:\t..." instruction lines, or -1 for any other line. */
    private static int instructionColon(String line) {
        int i = firstNonSpace(line);
        int start = i;
        while (i < line.length() && Character.digit(line.charAt(i), 16) >= 0) {
            i++;
        }
        if (i == start || i + 1 >= line.length() || line.charAt(i) != ':' || line.charAt(i + 1) != '\t') {
            return -1;
        }
        return i;
    }

    private static int firstNonSpace(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** The mnemonic after any prefixes objdump prints as words ("lock", "rep", "cs", "data16", ...). */
    private static String lastMnemonicWord(String text) {
        for (String word : text.split("\\s+")) {
            switch (word) {
                case "lock", "rep", "repz", "repnz", "repe", "repne", "cs", "ds", "es", "ss", "fs", "gs", "data16",
                        "addr32", "rex", "rex.W", "notrack", "bnd", "xacquire", "xrelease" -> {
                    continue;
                }
                default -> {
                    if (word.startsWith("rex.")) {
                        continue;
                    }
                    return word;
                }
            }
        }
        return "";
    }
}
