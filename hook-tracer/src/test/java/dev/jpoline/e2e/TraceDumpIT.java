package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -e read=} and {@code -e write=} against strace 6.1 on dump_io.c, which reads and writes
 * through every kind of call strace dumps (read, write, readv, writev, pread64, pwrite64, preadv,
 * pwritev, preadv2, pwritev2, recvfrom, sendto, recvmsg, sendmsg, recvmmsg, sendmmsg): from main's
 * first syscall (getppid) on, the calls that have dump lines and those lines must be the same.
 */
class TraceDumpIT {
    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireVa0();
        Programs.requireStrace();
    }

    private static final Pattern CALL = Pattern.compile("^(\\d+)\\s+(\\w+)\\(.*");
    private static final Pattern DUMP = Pattern.compile("^ [|*=] .*");

    /** A call's name and the dump lines after it. */
    record Dumped(String call, List<String> lines) {
    }

    /** The calls with dump lines, from the first process's getppid on. */
    static List<Dumped> dumps(String output) {
        List<Dumped> dumps = new ArrayList<>();
        boolean started = false;
        Dumped current = null;
        for (String line : output.split("\n")) {
            Matcher m = CALL.matcher(line);
            if (m.matches()) {
                started |= m.group(2).equals("getppid");
                current = started ? new Dumped(m.group(2), new ArrayList<>()) : null;
                if (current != null) {
                    dumps.add(current);
                }
            } else if (DUMP.matcher(line).matches()) {
                if (current != null) {
                    current.lines().add(line);
                }
            } else {
                current = null;
            }
        }
        dumps.removeIf(d -> d.lines().isEmpty());
        return dumps;
    }

    private Programs.Result traceBoth(Path program, Path ours, Path theirs, String... options) throws Exception {
        List<String> jpoline = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o",
                ours.toString()));
        jpoline.addAll(List.of(options));
        jpoline.add(program.toString());
        jpoline.add("100");
        Programs.Result j = Programs.run(jpoline, Map.of(), null, Programs.DEFAULT_TIMEOUT);
        List<String> strace = new ArrayList<>(List.of("strace", "-f", "-o", theirs.toString()));
        strace.addAll(List.of(options));
        strace.add(program.toString());
        strace.add("100");
        Programs.Result s = Programs.run(strace, Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).as(s.describe()).isZero();
        return j;
    }

    @Test
    void everyDumpedCallShowsStracesLines() throws Exception {
        Path program = Programs.build("dump_io");
        Path ours = temp.resolve("jpoline.txt");
        Path theirs = temp.resolve("strace.txt");
        Programs.Result j = traceBoth(program, ours, theirs, "-e", "read=all", "-e", "write=all");
        assertThat(j.exit()).as(j.describe()).isZero();
        List<Dumped> expected = dumps(Files.readString(theirs));
        List<Dumped> actual = dumps(Files.readString(ours));
        // every kind of call is among them
        assertThat(expected).extracting(Dumped::call).contains("read", "write", "readv", "writev", "pread64", "pwrite64",
                "preadv", "pwritev", "preadv2", "pwritev2", "recvfrom", "sendto", "recvmsg", "sendmsg", "recvmmsg",
                "sendmmsg");
        assertThat(actual).as("--- jpoline ---\n%s\n--- strace ---\n%s", Files.readString(ours),
                Files.readString(theirs)).containsExactlyElementsOf(expected);
    }

    @Test
    void theSetsChooseTheDescriptorsAsStracesDo() throws Exception {
        Path program = Programs.build("dump_io");
        Path ours = temp.resolve("jpoline.txt");
        Path theirs = temp.resolve("strace.txt");
        // reads of the pipe and the socket, writes to anything but the pipe (the file, the socket, fd 3's failure)
        Programs.Result j = traceBoth(program, ours, theirs, "-e", "read=3,5", "-e", "w=!4", "-e",
                "trace=getppid,read,write,readv,writev,pread64,pwrite64,sendto,recvfrom,sendmsg,recvmsg");
        assertThat(j.exit()).as(j.describe()).isZero();
        List<Dumped> expected = dumps(Files.readString(theirs));
        assertThat(expected).extracting(Dumped::call).contains("read", "readv", "recvfrom", "recvmsg", "write",
                "pwrite64", "sendto", "sendmsg").doesNotContain("writev", "pread64");
        assertThat(dumps(Files.readString(ours))).as("--- jpoline ---\n%s\n--- strace ---\n%s", Files.readString(ours),
                Files.readString(theirs)).containsExactlyElementsOf(expected);
    }

    @Test
    void aBufferBeyondTheRecordIsDumpedAsFarAsCapturedAndTheRestIsSaid() throws Exception {
        Path program = Programs.build("dump_io");
        Path ours = temp.resolve("jpoline.txt");
        Path theirs = temp.resolve("strace.txt");
        List<String> jpoline = List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o", ours.toString(), "-e",
                "trace=pwrite64", "-e", "write=7", program.toString(), "2000000");
        Programs.Result j = Programs.run(jpoline, Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        Programs.run(List.of("strace", "-f", "-o", theirs.toString(), "-e", "trace=pwrite64", "-e", "write=7",
                program.toString(), "2000000"), Map.of(), null, Programs.DEFAULT_TIMEOUT);
        // no getppid with -e trace=pwrite64: a made-up first line starts the comparison
        List<Dumped> actual = dumps("0 getppid()\n" + Files.readString(ours));
        List<Dumped> expected = dumps("0 getppid()\n" + Files.readString(theirs));
        assertThat(actual).hasSize(2);
        assertThat(expected).hasSize(2);
        assertThat(actual.get(0)).isEqualTo(expected.get(0)); // the 11 bytes at offset 3
        List<String> big = actual.get(1).lines();
        List<String> full = expected.get(1).lines();
        assertThat(full).hasSize(125_000); // strace: 2000000 bytes, 16 a line
        assertThat(full.get(0)).startsWith(" | 000000  "); // offsets 6 digits wide beyond 1 MiB
        String note = big.get(big.size() - 1);
        Matcher m = Pattern.compile(" \\| <jpoline: (\\d+) more bytes not captured \\(trace records are limited to 64"
                + " KiB\\)>").matcher(note);
        assertThat(m.matches()).as(note).isTrue();
        List<String> data = big.subList(0, big.size() - 1);
        assertThat(data).hasSizeGreaterThan(4000); // most of a 64 KiB record
        // whole lines are strace's; the last may stop early, where the capture did
        assertThat(data.subList(0, data.size() - 1)).containsExactlyElementsOf(full.subList(0, data.size() - 1));
        String last = data.get(data.size() - 1);
        String theirsLast = full.get(data.size() - 1);
        int bytesInLast = 0;
        while (bytesInLast < 16 && !hexAt(last, bytesInLast).isBlank()) {
            assertThat(hexAt(last, bytesInLast)).isEqualTo(hexAt(theirsLast, bytesInLast));
            bytesInLast++;
        }
        long shown = 16L * (data.size() - 1) + bytesInLast;
        assertThat(Long.parseLong(m.group(1))).isEqualTo(2_000_000 - shown);
    }

    /** Byte {@code i}'s two hex digits in a dump line (after the offset and two spaces; a space after 8). */
    private static String hexAt(String line, int i) {
        int at = line.indexOf("  ", 3) + 2 + 3 * i + (i >= 8 ? 1 : 0);
        return line.substring(at, at + 2);
    }

    @Test
    void jsonCarriesTheDumpedBytes() throws Exception {
        Path program = Programs.build("dump_io");
        Path ours = temp.resolve("jpoline.json");
        Programs.Result j = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "--json", "-o",
                ours.toString(), "-e", "trace=writev,recvmmsg", "-e", "write=4", "-e", "read=5", program.toString()),
                Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        List<String> lines = Files.readAllLines(ours);
        String writev = lines.stream().filter(l -> l.contains("\"syscall\":\"writev\"")).findFirst().orElseThrow();
        assertThat(writev).contains(",\"dump\":[{\"buffer\":0,\"length\":6,\"hex\":\"666972737420\"},{\"buffer\":1,"
                + "\"length\":14,\"hex\":\"7365636f6e64206275666665720a\"},{\"buffer\":2,\"length\":5,\"hex\":\"7468697264\"}]}");
        String recvmmsg = lines.stream().filter(l -> l.contains("\"syscall\":\"recvmmsg\"")).findFirst().orElseThrow();
        assertThat(recvmmsg).contains(",\"dump\":[{\"vector\":0,\"buffers\":1},{\"vector\":0,\"buffer\":0,\"length\":3,"
                + "\"hex\":\"6f6e65\"},{\"vector\":1,\"buffers\":1},{\"vector\":1,\"buffer\":0,\"length\":4,\"hex\":"
                + "\"74776f21\"}]}");
        assertThat(lines).filteredOn(l -> l.contains("\"dump\"")).hasSize(3); // writev twice, recvmmsg
    }
}
