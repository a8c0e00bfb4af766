package dev.jpoline.rewriter.elf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs binutils' readelf and parses the parts of its output the tests cross-check against. */
final class Readelf {
    private Readelf() {}

    static String run(String option, Path file) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/readelf")), "readelf (binutils) is not installed");
        Process p = new ProcessBuilder("/usr/bin/readelf", option, file.toString())
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("readelf " + option + " " + file + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** "TYPE offset vaddr paddr filesz memsz flags align" per program header, as readelf -lW shows them. */
    static List<String> programHeaders(Path file) throws Exception {
        Pattern row = Pattern.compile("^\\s+(\\S+)\\s+0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)"
                + "\\s+0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)\\s+([RWE ]+?)\\s+0x(\\p{XDigit}+)$");
        List<String> out = new ArrayList<>();
        for (String line : run("-lW", file).split("\n")) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                out.add(String.join(" ", m.group(1), hex(m.group(2)), hex(m.group(3)), hex(m.group(4)),
                        hex(m.group(5)), hex(m.group(6)), m.group(7).replace(" ", ""), hex(m.group(8))));
            }
        }
        return out;
    }

    /** "index name addr offset size flags(WAX only)" per section except the null one, from readelf -SW. */
    static List<String> sections(Path file) throws Exception {
        Pattern row = Pattern.compile("^\\s*\\[\\s*(\\d+)\\]\\s+(\\S+)\\s+(\\S+)\\s+(\\p{XDigit}+)\\s+(\\p{XDigit}+)"
                + "\\s+(\\p{XDigit}+)\\s+(\\p{XDigit}+)\\s+([A-Za-z]*)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$");
        List<String> out = new ArrayList<>();
        for (String line : run("-SW", file).split("\n")) {
            Matcher m = row.matcher(line);
            if (m.matches() && !m.group(1).equals("0")) {
                out.add(String.join(" ", m.group(1), m.group(2), hex(m.group(4)), hex(m.group(5)), hex(m.group(6)),
                        m.group(8).replaceAll("[^WAX]", "")));
            }
        }
        return out;
    }

    static String buildId(Path file) throws Exception {
        Matcher m = Pattern.compile("Build ID: (\\p{XDigit}+)").matcher(run("-n", file));
        return m.find() ? m.group(1) : null;
    }

    static String type(Path file) throws Exception {
        Matcher m = Pattern.compile("Type:\\s+(\\S+)").matcher(run("-hW", file));
        return m.find() ? m.group(1) : null;
    }

    /**
     * "value size name" for every defined FUNC/IFUNC symbol of the named table (.symtab or
     * .dynsym) in readelf -sW output, versions stripped from names.
     */
    static List<String> functionSymbols(Path file, String table) throws Exception {
        Pattern row = Pattern.compile("^\\s*\\d+:\\s+(\\p{XDigit}+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(.*)$");
        List<String> out = new ArrayList<>();
        boolean inTable = false;
        for (String line : run("-sW", file).split("\n")) {
            if (line.startsWith("Symbol table ")) {
                inTable = line.contains("'" + table + "'");
                continue;
            }
            Matcher m = row.matcher(line);
            if (!inTable || !m.matches()) {
                continue;
            }
            String symType = m.group(3);
            if (!(symType.equals("FUNC") || symType.equals("IFUNC")) || m.group(6).equals("UND")) {
                continue;
            }
            String size = m.group(2);
            long sizeValue = size.startsWith("0x") ? Long.parseLong(size.substring(2), 16) : Long.parseLong(size);
            String name = m.group(7).replaceAll(" \\(\\d+\\)$", "");
            int at = name.indexOf('@');
            if (at > 0) {
                name = name.substring(0, at);
            }
            out.add(hex(m.group(1)) + " " + sizeValue + " " + name);
        }
        return out;
    }

    private static String hex(String digits) {
        return Long.toHexString(Long.parseUnsignedLong(digits, 16));
    }
}
