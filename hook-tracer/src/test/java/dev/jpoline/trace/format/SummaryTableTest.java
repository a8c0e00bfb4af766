package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jpoline.trace.format.SummaryTable.Column;
import dev.jpoline.trace.format.SummaryTable.Layout;
import dev.jpoline.trace.format.SummaryTable.SortBy;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SummaryTableTest {
    @Test
    void matchesStraceDashC() {
        // Every row of strace -c for a test program on this machine; the times are strace's own
        // microsecond figures, so percentages and per-call averages must come out the same.
        List<SummaryTable.Row> rows = List.of(
                row(56, "clone", 3, 0, 210000),
                row(82, "rename", 1, 0, 134000),
                row(83, "mkdir", 1, 0, 126000),
                row(84, "rmdir", 1, 0, 84000),
                row(61, "wait4", 4, 0, 29000),
                row(89, "readlink", 1, 0, 29000),
                row(230, "clock_nanosleep", 1, 0, 22000),
                row(72, "fcntl", 5, 0, 15000),
                row(87, "unlink", 1, 1, 12000),
                row(202, "futex", 3, 2, 11000),
                row(16, "ioctl", 3, 2, 9000),
                row(48, "shutdown", 1, 0, 9000),
                row(291, "epoll_create1", 1, 0, 9000),
                row(44, "sendto", 1, 1, 8000),
                row(90, "chmod", 1, 0, 8000),
                row(54, "setsockopt", 1, 0, 7000),
                row(62, "kill", 3, 0, 7000),
                row(233, "epoll_ctl", 1, 0, 7000),
                row(318, "getrandom", 2, 0, 7000),
                row(79, "getcwd", 1, 0, 6000),
                row(80, "chdir", 1, 0, 6000),
                row(316, "renameat2", 1, 1, 5000),
                row(7, "poll", 1, 0, 4000),
                row(45, "recvfrom", 1, 1, 4000),
                row(217, "getdents64", 1, 1, 4000),
                row(263, "unlinkat", 1, 1, 4000),
                row(232, "epoll_wait", 1, 0, 3000),
                row(95, "umask", 1, 0, 2000),
                row(110, "getppid", 1, 0, 2000),
                row(0, "read", 2, 0, 0),
                row(1, "write", 9, 8, 0),
                row(3, "close", 5, 1, 0),
                row(8, "lseek", 3, 1, 0),
                row(9, "mmap", 11, 2, 0),
                row(10, "mprotect", 5, 1, 0),
                row(11, "munmap", 2, 1, 0),
                row(12, "brk", 1, 0, 0),
                row(13, "rt_sigaction", 3, 0, 0),
                row(14, "rt_sigprocmask", 3, 0, 0),
                row(15, "rt_sigreturn", 1, 0, 0),
                row(17, "pread64", 3, 0, 0),
                row(21, "access", 4, 2, 0),
                row(25, "mremap", 1, 1, 0),
                row(28, "madvise", 2, 1, 0),
                row(32, "dup", 1, 0, 0),
                row(33, "dup2", 1, 0, 0),
                row(39, "getpid", 3, 0, 0),
                row(41, "socket", 5, 0, 0),
                row(42, "connect", 3, 3, 0),
                row(49, "bind", 1, 0, 0),
                row(50, "listen", 1, 0, 0),
                row(59, "execve", 1, 0, 0),
                row(158, "arch_prctl", 1, 0, 0),
                row(186, "gettid", 1, 0, 0),
                row(218, "set_tid_address", 1, 0, 0),
                row(234, "tgkill", 1, 0, 0),
                row(257, "openat", 14, 9, 0),
                row(262, "newfstatat", 8, 2, 0),
                row(269, "faccessat", 1, 0, 0),
                row(273, "set_robust_list", 1, 0, 0),
                row(292, "dup3", 1, 0, 0),
                row(293, "pipe2", 2, 0, 0),
                row(302, "prlimit64", 1, 0, 0),
                row(332, "statx", 1, 0, 0),
                row(334, "rseq", 1, 0, 0),
                row(439, "faccessat2", 1, 0, 0));
        String expected = """
                % time     seconds  usecs/call     calls    errors syscall
                ------ ----------- ----------- --------- --------- ----------------
                 26.82    0.000210          70         3           clone
                 17.11    0.000134         134         1           rename
                 16.09    0.000126         126         1           mkdir
                 10.73    0.000084          84         1           rmdir
                  3.70    0.000029           7         4           wait4
                  3.70    0.000029          29         1           readlink
                  2.81    0.000022          22         1           clock_nanosleep
                  1.92    0.000015           3         5           fcntl
                  1.53    0.000012          12         1         1 unlink
                  1.40    0.000011           3         3         2 futex
                  1.15    0.000009           3         3         2 ioctl
                  1.15    0.000009           9         1           shutdown
                  1.15    0.000009           9         1           epoll_create1
                  1.02    0.000008           8         1         1 sendto
                  1.02    0.000008           8         1           chmod
                  0.89    0.000007           7         1           setsockopt
                  0.89    0.000007           2         3           kill
                  0.89    0.000007           7         1           epoll_ctl
                  0.89    0.000007           3         2           getrandom
                  0.77    0.000006           6         1           getcwd
                  0.77    0.000006           6         1           chdir
                  0.64    0.000005           5         1         1 renameat2
                  0.51    0.000004           4         1           poll
                  0.51    0.000004           4         1         1 recvfrom
                  0.51    0.000004           4         1         1 getdents64
                  0.51    0.000004           4         1         1 unlinkat
                  0.38    0.000003           3         1           epoll_wait
                  0.26    0.000002           2         1           umask
                  0.26    0.000002           2         1           getppid
                  0.00    0.000000           0         2           read
                  0.00    0.000000           0         9         8 write
                  0.00    0.000000           0         5         1 close
                  0.00    0.000000           0         3         1 lseek
                  0.00    0.000000           0        11         2 mmap
                  0.00    0.000000           0         5         1 mprotect
                  0.00    0.000000           0         2         1 munmap
                  0.00    0.000000           0         1           brk
                  0.00    0.000000           0         3           rt_sigaction
                  0.00    0.000000           0         3           rt_sigprocmask
                  0.00    0.000000           0         1           rt_sigreturn
                  0.00    0.000000           0         3           pread64
                  0.00    0.000000           0         4         2 access
                  0.00    0.000000           0         1         1 mremap
                  0.00    0.000000           0         2         1 madvise
                  0.00    0.000000           0         1           dup
                  0.00    0.000000           0         1           dup2
                  0.00    0.000000           0         3           getpid
                  0.00    0.000000           0         5           socket
                  0.00    0.000000           0         3         3 connect
                  0.00    0.000000           0         1           bind
                  0.00    0.000000           0         1           listen
                  0.00    0.000000           0         1           execve
                  0.00    0.000000           0         1           arch_prctl
                  0.00    0.000000           0         1           gettid
                  0.00    0.000000           0         1           set_tid_address
                  0.00    0.000000           0         1           tgkill
                  0.00    0.000000           0        14         9 openat
                  0.00    0.000000           0         8         2 newfstatat
                  0.00    0.000000           0         1           faccessat
                  0.00    0.000000           0         1           set_robust_list
                  0.00    0.000000           0         1           dup3
                  0.00    0.000000           0         2           pipe2
                  0.00    0.000000           0         1           prlimit64
                  0.00    0.000000           0         1           statx
                  0.00    0.000000           0         1           rseq
                  0.00    0.000000           0         1           faccessat2
                ------ ----------- ----------- --------- --------- ----------------
                100.00    0.000783           5       151        42 total
                """;
        assertThat(SummaryTable.format(rows)).isEqualTo(expected);
    }

    @Test
    void longNamesWidenTheSyscallColumnAndZeroErrorsAreBlank() {
        String table = SummaryTable.format(List.of(row(450, "set_mempolicy_home_node", 1, 0, 0),
                row(0, "read", 1, 0, 0)));
        assertThat(table).contains("------ ----------- ----------- --------- --------- ------------------------\n");
        assertThat(table).endsWith("100.00    0.000000           0         2           total\n");
    }

    @Test
    void collectorCountsCallsErrorsAndTimePerSyscall() {
        SummaryCollector c = new SummaryCollector();
        c.add(SyscallRecord.builder(0).entryNanos(1_000).exitNanos(71_000).returns(5).build());
        c.add(SyscallRecord.builder(0).entryNanos(2_000).exitNanos(12_000).fails(9).build());
        c.add(SyscallRecord.builder(231).entryNanos(5_000).build());
        assertThat(c.rows()).containsExactly(new SummaryTable.Row(0, "read", 2, 1, 80_000, 10_000, 70_000),
                new SummaryTable.Row(231, "exit_group", 1, 0, 0, 0, 0));
        assertThat(c.format()).contains("100.00    0.000080          40         2         1 read\n")
                .endsWith("100.00    0.000080          26         3         1 total\n");
    }


    /** A row whose shortest and longest call both took the average (for layouts that show neither). */
    private static SummaryTable.Row row(int number, String name, long calls, long errors, long nanos) {
        long each = calls == 0 ? 0 : nanos / calls;
        return new SummaryTable.Row(number, name, calls, errors, nanos, each, each);
    }

    private static String format(List<SummaryTable.Row> rows, String columns, String sortBy) {
        Layout layout = Layout.DEFAULT;
        if (columns != null) {
            layout = layout.withColumns(SummaryTable.columns(columns));
        }
        if (sortBy != null) {
            layout = layout.withSortBy(SummaryTable.sortBy(sortBy));
        }
        return SummaryTable.format(rows, layout);
    }

    @Test
    void nameFirstCallsAndLongestSortedByCallsAsStraceDoes() {
        // strace 6.1: strace -c -U name,calls,max-time -S calls true (its system times are all 0
        // here): the name column first is padded, ties keep syscall-number order.
        List<SummaryTable.Row> rows = new ArrayList<>();
        Object[][] counts = {{0, "read", 1, 0}, {3, "close", 2, 0}, {9, "mmap", 8, 0}, {10, "mprotect", 3, 0},
            {11, "munmap", 1, 0}, {12, "brk", 1, 0}, {17, "pread64", 2, 0}, {21, "access", 1, 1}, {59, "execve", 1, 0},
            {158, "arch_prctl", 1, 0}, {218, "set_tid_address", 1, 0}, {257, "openat", 2, 0},
            {262, "newfstatat", 2, 0}, {273, "set_robust_list", 1, 0}, {302, "prlimit64", 1, 0}, {334, "rseq", 1, 0}};
        for (Object[] c : counts) {
            rows.add(new SummaryTable.Row((int) c[0], (String) c[1], (int) c[2], (int) c[3], 0, 0, 0));
        }
        assertThat(format(rows, "name,calls,max-time", "calls")).isEqualTo("""
                syscall              calls  longest
                ---------------- --------- --------
                mmap                     8 0.000000
                mprotect                 3 0.000000
                close                    2 0.000000
                pread64                  2 0.000000
                openat                   2 0.000000
                newfstatat               2 0.000000
                read                     1 0.000000
                munmap                   1 0.000000
                brk                      1 0.000000
                access                   1 0.000000
                execve                   1 0.000000
                arch_prctl               1 0.000000
                set_tid_address          1 0.000000
                set_robust_list          1 0.000000
                prlimit64                1 0.000000
                rseq                     1 0.000000
                ---------------- --------- --------
                total                   29 0.000000
                """);
    }

    @Test
    void everyColumnAsStraceComputesIt() {
        List<SummaryTable.Row> rows = List.of(
                // 999.5 ns a call: strace's ts_div rounds it to 1000, so 1 usecs/call; 500 ns is
                // 4.99999...e-7 as a double and prints as 0.000000 (half up on "5.0E-7" would give 0.000001)
                new SummaryTable.Row(0, "read", 4, 0, 3_998, 500, 1_500),
                new SummaryTable.Row(1, "write", 3, 2, 4_500_001, 500_000, 3_000_000),
                new SummaryTable.Row(257, "openat", 2, 1, 1_999_999, 999_999, 1_000_000));
        assertThat(format(rows, "time-percent,total-time,min-time,max-time,avg-time,calls,errors,name", null))
                .isEqualTo("""
                        % time     seconds shortest  longest  usecs/call     calls    errors syscall
                        ------ ----------- -------- -------- ----------- --------- --------- ----------------
                         69.19    0.004500 0.000500 0.003000        1500         3         2 write
                         30.75    0.002000 0.001000 0.001000        1000         2         1 openat
                          0.06    0.000004 0.000000 0.000002           1         4           read
                        ------ ----------- -------- -------- ----------- --------- --------- ----------------
                        100.00    0.006504 0.000000 0.003000         722         9         3 total
                        """);
    }

    @Test
    void eachSortKeyOrdersAsStrace() {
        List<SummaryTable.Row> rows = List.of(
                new SummaryTable.Row(3, "close", 1, 1, 900, 900, 900),
                new SummaryTable.Row(0, "read", 5, 0, 1000, 10, 500),
                new SummaryTable.Row(9, "mmap", 2, 2, 1000, 400, 600),
                new SummaryTable.Row(1, "write", 5, 3, 50, 5, 20));
        assertThat(names(format(rows, null, null))).containsExactly("read", "mmap", "close", "write");
        assertThat(names(format(rows, null, "time"))).containsExactly("read", "mmap", "close", "write");
        assertThat(names(format(rows, null, "total-time"))).containsExactly("read", "mmap", "close", "write");
        assertThat(names(format(rows, null, "min-time"))).containsExactly("close", "mmap", "read", "write");
        assertThat(names(format(rows, null, "shortest"))).containsExactly("close", "mmap", "read", "write");
        assertThat(names(format(rows, null, "max-time"))).containsExactly("close", "mmap", "read", "write");
        assertThat(names(format(rows, null, "longest"))).containsExactly("close", "mmap", "read", "write");
        assertThat(names(format(rows, null, "avg-time"))).containsExactly("close", "mmap", "read", "write");
        assertThat(names(format(rows, null, "calls"))).containsExactly("read", "write", "mmap", "close");
        assertThat(names(format(rows, null, "count"))).containsExactly("read", "write", "mmap", "close");
        assertThat(names(format(rows, null, "errors"))).containsExactly("write", "mmap", "close", "read");
        assertThat(names(format(rows, null, "name"))).containsExactly("close", "mmap", "read", "write");
        assertThat(names(format(rows, null, "syscall"))).containsExactly("close", "mmap", "read", "write");
        assertThat(names(format(rows, null, "nothing"))).containsExactly("read", "write", "close", "mmap");
        assertThat(names(format(rows, null, "none"))).containsExactly("read", "write", "close", "mmap");
    }

    private static List<String> names(String table) {
        List<String> names = new ArrayList<>();
        String[] lines = table.split("\n");
        for (int i = 2; i < lines.length - 2; i++) {
            String[] cells = lines[i].trim().split("\\s+");
            names.add(cells[cells.length - 1]);
        }
        return names;
    }

    @Test
    void columnsWidenForWhatTheyHold() {
        List<SummaryTable.Row> rows = List.of(
                new SummaryTable.Row(61, "wait4", 12_345_678_901L, 1_234_567_890L, 12_345_678_901_000_000L,
                        12_000_000_000L, 123_000_000_000L),
                new SummaryTable.Row(450, "set_mempolicy_home_node", 1, 0, 1_000_000_000_000_000_000L,
                        1_000_000_000_000_000_000L, 1_000_000_000_000_000_000L));
        // widths: seconds by the total, shortest by the longest shortest, longest by the longest,
        // usecs/call by the largest average, calls and errors by their totals, the name by the longest
        assertThat(format(rows, "total-time,min-time,max-time,avg-time,calls,errors,name", "nothing")).isEqualTo("""
                          seconds          shortest           longest       usecs/call       calls     errors syscall
                ----------------- ----------------- ----------------- ---------------- ----------- ---------- ------------------------
                  12345678.901000         12.000000        123.000000             1000 12345678901 1234567890 wait4
                1000000000.000000 1000000000.000000 1000000000.000000 1000000000000000           1            set_mempolicy_home_node
                ----------------- ----------------- ----------------- ---------------- ----------- ---------- ------------------------
                1012345678.901000         12.000000 1000000000.000000            82000 12345678902 1234567890 total
                """);
    }

    @Test
    void theNameColumnIsAddedWhenNotGivenAndStracesOtherSpellingsAreKnown() {
        assertThat(SummaryTable.columns("calls,errors")).containsExactly(Column.CALLS, Column.ERRORS, Column.NAME);
        assertThat(SummaryTable.columns("syscall,count,error,time_percent,time-total"))
                .containsExactly(Column.NAME, Column.CALLS, Column.ERRORS, Column.TIME_PERCENT, Column.TOTAL_TIME);
        for (String min : List.of("min_time", "min-time", "shortest", "time_min", "time-min")) {
            assertThat(SummaryTable.columns(min)).containsExactly(Column.MIN_TIME, Column.NAME);
        }
        for (String max : List.of("longest", "max_time", "max-time", "time_max", "time-max")) {
            assertThat(SummaryTable.columns(max)).containsExactly(Column.MAX_TIME, Column.NAME);
        }
        for (String avg : List.of("avg_time", "avg-time", "time_avg", "time-avg")) {
            assertThat(SummaryTable.columns(avg)).containsExactly(Column.AVG_TIME, Column.NAME);
        }
        for (String name : List.of("name", "syscall", "syscall_name", "syscall-name")) {
            assertThat(SummaryTable.columns("calls," + name)).containsExactly(Column.CALLS, Column.NAME);
        }
        assertThat(SummaryTable.sortBy("time_total")).isEqualTo(SortBy.TIME);
        assertThat(SummaryTable.sortBy("time-percent")).isEqualTo(SortBy.TIME);
        assertThat(SummaryTable.sortBy("syscall-name")).isEqualTo(SortBy.NAME);
        assertThat(SummaryTable.sortBy("error")).isEqualTo(SortBy.ERRORS);
    }

    @Test
    void wrongNamesAreRefusedWithTheValidOnes() {
        // strace 6.1 matches whole names only: no prefixes
        for (String bad : List.of("call", "foo", "", "Time", "avg")) {
            assertThatThrownBy(() -> SummaryTable.sortBy(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("-S " + bad + ": sort by time, min-time, max-time, avg-time, calls, errors, name or nothing");
        }
        assertThatThrownBy(() -> SummaryTable.columns("calls,foo")).hasMessage("-U calls,foo: unknown column 'foo';"
                + " the columns are time-percent, total-time, min-time, max-time, avg-time, calls, errors or name");
        assertThatThrownBy(() -> SummaryTable.columns("none")).hasMessageContaining("unknown column 'none'");
        assertThatThrownBy(() -> SummaryTable.columns("calls,")).hasMessageContaining("unknown column ''");
        assertThatThrownBy(() -> SummaryTable.columns("")).hasMessageContaining("unknown column ''");
        assertThatThrownBy(() -> SummaryTable.columns("calls,count")).hasMessage("-U calls,count: column 'count' is"
                + " given twice; name each of time-percent, total-time, min-time, max-time, avg-time, calls, errors or"
                + " name at most once");
    }

    @Test
    void noCountedCallsPrintNoTable() {
        assertThat(SummaryTable.format(List.of())).isEmpty();
        assertThat(new SummaryCollector().format()).isEmpty();
    }

    @Test
    void collectorKeepsTheShortestAndLongestCall() {
        SummaryCollector c = new SummaryCollector();
        c.add(SyscallRecord.builder(1).entryNanos(100).exitNanos(350).returns(1).build());
        c.add(SyscallRecord.builder(1).entryNanos(1_000).exitNanos(1_040).returns(1).build());
        c.add(SyscallRecord.builder(1).entryNanos(2_000).exitNanos(2_100).fails(9).build());
        c.add(SyscallRecord.builder(39).returns(7).build()); // no times: a call of no time
        assertThat(c.rows()).containsExactly(new SummaryTable.Row(1, "write", 3, 1, 390, 40, 250),
                new SummaryTable.Row(39, "getpid", 1, 0, 0, 0, 0));
    }

    @Test
    void fixedRoundsAsGlibcPrintf() throws Exception {
        // The exact value of each double, printed by printf(1) (glibc's printf on a long double,
        // which holds every double exactly), against ours.
        Random rnd = new Random(3);
        List<Double> values = new ArrayList<>(List.of(0.0, 0.005, 0.015, 0.125, 0.135, 0.145, 1.005, 2.675, 99.995,
                99.999, 100.0, 1e-7, 33.333333, 66.66666666666667, 0.045, 12.345, 0.0000005, 0.0000015, 2.5e-7));
        for (int i = 0; i < 3000; i++) {
            values.add(i % 3 == 0 ? rnd.nextInt(100_000) / 1000.0 : i % 3 == 1
                    ? 100.0 * rnd.nextInt(1_000_000) / (1 + rnd.nextInt(1_000_000)) : rnd.nextLong(10_000_000_000L) / 1e9);
        }
        for (int decimals : new int[] {2, 6}) {
            List<String> cmd = new ArrayList<>(List.of("printf", "%." + decimals + "f\\n"));
            for (double v : values) {
                cmd.add(new BigDecimal(v).toPlainString());
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String[] printed = out.split("\n");
            assertThat(printed).hasSize(values.size());
            for (int i = 0; i < values.size(); i++) {
                assertThat(SummaryTable.fixed(values.get(i), decimals)).as("%s", values.get(i)).isEqualTo(printed[i]);
            }
        }
    }
}
