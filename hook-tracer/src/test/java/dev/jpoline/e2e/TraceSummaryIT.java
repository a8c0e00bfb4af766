package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.SyscallTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -c} with strace's {@code -S}, {@code -U} and {@code -w} against strace 6.1 on
 * trace_golden.c: the same header and dividers, rows in the same layout, the calls of the syscalls
 * after main (strace's counts less the loader's, which jpoline does not see) and strace's order.
 */
class TraceSummaryIT {
    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireVa0();
        Programs.requireStrace();
    }

    /** The table's lines: header, divider, rows, divider, total. */
    record Table(String header, String divider, List<String> rows, String total) {
        static Table parse(String text) {
            List<String> lines = new ArrayList<>(text.lines().filter(l -> !l.isEmpty()).toList());
            int start = 0;
            while (!lines.get(start + 1).startsWith("----")) {
                start++; // the trace's own lines (-C), if any
            }
            List<String> t = lines.subList(start, lines.size());
            assertThat(t.get(t.size() - 2)).isEqualTo(t.get(1));
            return new Table(t.get(0), t.get(1), List.copyOf(t.subList(2, t.size() - 2)), t.get(t.size() - 1));
        }
    }

    private Table[] both(Path program, String... options) throws Exception {
        Path ours = temp.resolve("jpoline.txt");
        Path theirs = temp.resolve("strace.txt");
        List<String> jpoline = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o",
                ours.toString()));
        jpoline.addAll(List.of(options));
        jpoline.addAll(List.of(program.toString(), "7"));
        Programs.Result j = Programs.run(jpoline, Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        List<String> strace = new ArrayList<>(List.of("strace", "-f", "-o", theirs.toString()));
        strace.addAll(List.of(options));
        strace.addAll(List.of(program.toString(), "7"));
        // jpoline trace sees the loader too, mapping jpoline's runtime: so does strace, with it preloaded.
        Programs.Result s = Programs.run(strace, Programs.runtimePreloaded(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).as(s.describe()).isZero();
        return new Table[] {Table.parse(Files.readString(ours)), Table.parse(Files.readString(theirs))};
    }

    @Test
    void nameCallsAndLongestSortedByCalls() throws Exception {
        Path program = Programs.build("trace_golden");
        Table[] t = both(program, "-c", "-U", "name,calls,max-time", "-S", "calls");
        Table ours = t[0];
        Table theirs = t[1];
        assertThat(ours.header()).isEqualTo("syscall              calls  longest").isEqualTo(theirs.header());
        assertThat(ours.divider()).isEqualTo("---------------- --------- --------").isEqualTo(theirs.divider());
        Map<String, Long> ourCalls = new TreeMap<>();
        Map<String, Long> theirCalls = new TreeMap<>();
        for (Table table : t) {
            for (String row : table.rows()) {
                String[] cells = row.trim().split("\\s+");
                assertThat(cells).hasSize(3);
                // strace's layout: the name padded to 16, the calls in 9, the longest call in 8
                assertThat(row).isEqualTo(String.format("%-16s %9s %8s", cells[0], cells[1], cells[2]));
                assertThat(cells[2]).matches("\\d+\\.\\d{6}");
                (table == ours ? ourCalls : theirCalls).put(cells[0], Long.parseLong(cells[1]));
            }
            assertThat(table.total()).matches("total {12}[ \\d]{9} \\d+\\.\\d{6}");
        }
        assertThat(ourCalls).isEqualTo(theirCalls);
        assertThat(ourCalls.get("getpid")).isEqualTo(7);
        // most calls first, ties in syscall-number order, as strace sorts them
        SyscallTable table = SyscallTable.x86_64();
        for (int i = 1; i < ours.rows().size(); i++) {
            String[] a = ours.rows().get(i - 1).trim().split("\\s+");
            String[] b = ours.rows().get(i).trim().split("\\s+");
            long ca = Long.parseLong(a[1]);
            long cb = Long.parseLong(b[1]);
            assertThat(ca).isGreaterThanOrEqualTo(cb);
            if (ca == cb) {
                assertThat(table.byName(a[0]).orElseThrow().number()).isLessThan(table.byName(b[0]).orElseThrow().number());
            }
        }
        long total = ourCalls.values().stream().mapToLong(Long::longValue).sum();
        assertThat(ours.total()).startsWith(String.format("%-16s %9d ", "total", total));
    }

    @Test
    void everyColumnWithWallClockTimeSortedByTheShortestCall() throws Exception {
        Path program = Programs.build("trace_golden");
        Table[] t = both(program, "-c", "-w", "-U", "min-time,max-time,avg-time,time-percent,total-time,calls,errors",
                "-S", "min-time");
        assertThat(t[0].header()).isEqualTo("shortest  longest  usecs/call % time     seconds     calls    errors syscall")
                .isEqualTo(t[1].header());
        assertThat(t[0].divider()).isEqualTo(t[1].divider());
        for (Table table : t) {
            double previousMin = Double.MAX_VALUE;
            double smallestMin = Double.MAX_VALUE;
            double largestMax = 0;
            for (String row : table.rows()) {
                String[] c = row.trim().split("\\s+");
                boolean errors = c.length == 8;
                assertThat(row).isEqualTo(String.format("%8s %8s %11s %6s %11s %9s %9s %s", c[0], c[1], c[2], c[3], c[4],
                        c[5], errors ? c[6] : "", c[c.length - 1]));
                double min = Double.parseDouble(c[0]);
                double max = Double.parseDouble(c[1]);
                assertThat(min).isLessThanOrEqualTo(max).isLessThanOrEqualTo(previousMin);
                previousMin = min;
                smallestMin = Math.min(smallestMin, min);
                largestMax = Math.max(largestMax, max);
            }
            String[] total = table.total().trim().split("\\s+");
            assertThat(Double.parseDouble(total[0])).isEqualTo(smallestMin);
            assertThat(Double.parseDouble(total[1])).isEqualTo(largestMax);
            assertThat(total[3]).isEqualTo("100.00");
        }
    }

    @Test
    void sortByWithoutASummaryIsSaidAndTheTraceRuns() throws Exception {
        Path program = Programs.build("trace_golden");
        Programs.Result r = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-q", "-S", "calls",
                "-o", "/dev/null", program.toString()), Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.err()).contains("jpoline: -S has no effect without -c or -C\n");
    }
}
