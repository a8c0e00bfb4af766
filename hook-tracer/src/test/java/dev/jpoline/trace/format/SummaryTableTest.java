package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTableTest {
    @Test
    void matchesStraceDashC() {
        // Every row of strace -c for a test program on this machine; the times are strace's own
        // microsecond figures, so percentages and per-call averages must come out the same.
        List<SummaryTable.Row> rows = List.of(
                new SummaryTable.Row(56, "clone", 3, 0, 210000),
                new SummaryTable.Row(82, "rename", 1, 0, 134000),
                new SummaryTable.Row(83, "mkdir", 1, 0, 126000),
                new SummaryTable.Row(84, "rmdir", 1, 0, 84000),
                new SummaryTable.Row(61, "wait4", 4, 0, 29000),
                new SummaryTable.Row(89, "readlink", 1, 0, 29000),
                new SummaryTable.Row(230, "clock_nanosleep", 1, 0, 22000),
                new SummaryTable.Row(72, "fcntl", 5, 0, 15000),
                new SummaryTable.Row(87, "unlink", 1, 1, 12000),
                new SummaryTable.Row(202, "futex", 3, 2, 11000),
                new SummaryTable.Row(16, "ioctl", 3, 2, 9000),
                new SummaryTable.Row(48, "shutdown", 1, 0, 9000),
                new SummaryTable.Row(291, "epoll_create1", 1, 0, 9000),
                new SummaryTable.Row(44, "sendto", 1, 1, 8000),
                new SummaryTable.Row(90, "chmod", 1, 0, 8000),
                new SummaryTable.Row(54, "setsockopt", 1, 0, 7000),
                new SummaryTable.Row(62, "kill", 3, 0, 7000),
                new SummaryTable.Row(233, "epoll_ctl", 1, 0, 7000),
                new SummaryTable.Row(318, "getrandom", 2, 0, 7000),
                new SummaryTable.Row(79, "getcwd", 1, 0, 6000),
                new SummaryTable.Row(80, "chdir", 1, 0, 6000),
                new SummaryTable.Row(316, "renameat2", 1, 1, 5000),
                new SummaryTable.Row(7, "poll", 1, 0, 4000),
                new SummaryTable.Row(45, "recvfrom", 1, 1, 4000),
                new SummaryTable.Row(217, "getdents64", 1, 1, 4000),
                new SummaryTable.Row(263, "unlinkat", 1, 1, 4000),
                new SummaryTable.Row(232, "epoll_wait", 1, 0, 3000),
                new SummaryTable.Row(95, "umask", 1, 0, 2000),
                new SummaryTable.Row(110, "getppid", 1, 0, 2000),
                new SummaryTable.Row(0, "read", 2, 0, 0),
                new SummaryTable.Row(1, "write", 9, 8, 0),
                new SummaryTable.Row(3, "close", 5, 1, 0),
                new SummaryTable.Row(8, "lseek", 3, 1, 0),
                new SummaryTable.Row(9, "mmap", 11, 2, 0),
                new SummaryTable.Row(10, "mprotect", 5, 1, 0),
                new SummaryTable.Row(11, "munmap", 2, 1, 0),
                new SummaryTable.Row(12, "brk", 1, 0, 0),
                new SummaryTable.Row(13, "rt_sigaction", 3, 0, 0),
                new SummaryTable.Row(14, "rt_sigprocmask", 3, 0, 0),
                new SummaryTable.Row(15, "rt_sigreturn", 1, 0, 0),
                new SummaryTable.Row(17, "pread64", 3, 0, 0),
                new SummaryTable.Row(21, "access", 4, 2, 0),
                new SummaryTable.Row(25, "mremap", 1, 1, 0),
                new SummaryTable.Row(28, "madvise", 2, 1, 0),
                new SummaryTable.Row(32, "dup", 1, 0, 0),
                new SummaryTable.Row(33, "dup2", 1, 0, 0),
                new SummaryTable.Row(39, "getpid", 3, 0, 0),
                new SummaryTable.Row(41, "socket", 5, 0, 0),
                new SummaryTable.Row(42, "connect", 3, 3, 0),
                new SummaryTable.Row(49, "bind", 1, 0, 0),
                new SummaryTable.Row(50, "listen", 1, 0, 0),
                new SummaryTable.Row(59, "execve", 1, 0, 0),
                new SummaryTable.Row(158, "arch_prctl", 1, 0, 0),
                new SummaryTable.Row(186, "gettid", 1, 0, 0),
                new SummaryTable.Row(218, "set_tid_address", 1, 0, 0),
                new SummaryTable.Row(234, "tgkill", 1, 0, 0),
                new SummaryTable.Row(257, "openat", 14, 9, 0),
                new SummaryTable.Row(262, "newfstatat", 8, 2, 0),
                new SummaryTable.Row(269, "faccessat", 1, 0, 0),
                new SummaryTable.Row(273, "set_robust_list", 1, 0, 0),
                new SummaryTable.Row(292, "dup3", 1, 0, 0),
                new SummaryTable.Row(293, "pipe2", 2, 0, 0),
                new SummaryTable.Row(302, "prlimit64", 1, 0, 0),
                new SummaryTable.Row(332, "statx", 1, 0, 0),
                new SummaryTable.Row(334, "rseq", 1, 0, 0),
                new SummaryTable.Row(439, "faccessat2", 1, 0, 0));
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
        String table = SummaryTable.format(List.of(new SummaryTable.Row(450, "set_mempolicy_home_node", 1, 0, 0),
                new SummaryTable.Row(0, "read", 1, 0, 0)));
        assertThat(table).contains("------ ----------- ----------- --------- --------- ------------------------\n");
        assertThat(table).endsWith("100.00    0.000000           0         2           total\n");
    }

    @Test
    void collectorCountsCallsErrorsAndTimePerSyscall() {
        SummaryCollector c = new SummaryCollector();
        c.add(SyscallRecord.builder(0).entryNanos(1_000).exitNanos(71_000).returns(5).build());
        c.add(SyscallRecord.builder(0).entryNanos(2_000).exitNanos(12_000).fails(9).build());
        c.add(SyscallRecord.builder(231).entryNanos(5_000).build());
        assertThat(c.rows()).containsExactly(new SummaryTable.Row(0, "read", 2, 1, 80_000),
                new SummaryTable.Row(231, "exit_group", 1, 0, 0));
        assertThat(c.format()).contains("100.00    0.000080          40         2         1 read\n")
                .endsWith("100.00    0.000080          26         3         1 total\n");
    }

    @Test
    void percentagesRoundAsStringFormatDoes() {
        java.util.Random rnd = new java.util.Random(3);
        double[] edges = {0, 0.005, 0.015, 0.125, 0.135, 0.145, 1.005, 2.675, 99.995, 99.999, 100, 1e-7, 33.333333,
            66.66666666666667, 0.045, 12.345, 4.9999999999999996};
        for (int i = 0; i < 200_000; i++) {
            double v = i < edges.length ? edges[i] : i % 3 == 0 ? rnd.nextInt(100_000) / 1000.0
                    : i % 3 == 1 ? 100.0 * rnd.nextInt(1_000_000) / (1 + rnd.nextInt(1_000_000)) : rnd.nextDouble() * 100;
            assertThat(SummaryTable.fixed2(v)).as("%s", v).isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", v));
        }
    }

    @Test
    void rowsAreWhatStringFormatMadeOfThem() {
        java.util.Random rnd = new java.util.Random(5);
        for (int t = 0; t < 300; t++) {
            List<SummaryTable.Row> rows = new java.util.ArrayList<>();
            for (int i = 0, n = 1 + rnd.nextInt(30); i < n; i++) {
                long calls = rnd.nextInt(4) == 0 ? rnd.nextInt(3) : rnd.nextInt(2_000_000);
                rows.add(new SummaryTable.Row(rnd.nextInt(460), "sc" + "x".repeat(rnd.nextInt(20)), calls,
                        rnd.nextBoolean() ? 0 : rnd.nextInt(1000), rnd.nextInt(5) == 0 ? 0 : (long) (rnd.nextDouble()
                        * (rnd.nextBoolean() ? 1e6 : 1e12))));
            }
            assertThat(SummaryTable.format(rows)).isEqualTo(formattedAsBefore(rows));
        }
    }

    /** The table as SummaryTable made it with String.format. */
    private static String formattedAsBefore(List<SummaryTable.Row> rows) {
        List<SummaryTable.Row> sorted = new java.util.ArrayList<>(rows);
        sorted.sort(java.util.Comparator.comparingLong(SummaryTable.Row::nanos).reversed()
                .thenComparingInt(SummaryTable.Row::number));
        long totalNanos = 0;
        long totalCalls = 0;
        long totalErrors = 0;
        int nameWidth = 16;
        for (SummaryTable.Row row : sorted) {
            totalNanos += row.nanos();
            totalCalls += row.calls();
            totalErrors += row.errors();
            nameWidth = Math.max(nameWidth, row.name().length() + 1);
        }
        String dashes = "------ ----------- ----------- --------- --------- " + "-".repeat(nameWidth) + "\n";
        StringBuilder sb = new StringBuilder();
        sb.append("% time     seconds  usecs/call     calls    errors syscall\n").append(dashes);
        for (SummaryTable.Row row : sorted) {
            double percent = totalNanos == 0 ? 0.0 : 100.0 * row.nanos() / totalNanos;
            oldLine(sb, percent, row.nanos(), row.calls(), row.errors(), row.name());
        }
        sb.append(dashes);
        oldLine(sb, 100.0, totalNanos, totalCalls, totalErrors, "total");
        return sb.toString();
    }

    private static void oldLine(StringBuilder sb, double percent, long nanos, long calls, long errors, String name) {
        long micros = nanos / 1000;
        long perCall = calls == 0 ? 0 : micros / calls;
        String seconds = (micros / 1_000_000) + "." + String.format(java.util.Locale.ROOT, "%06d", micros % 1_000_000);
        sb.append(String.format(java.util.Locale.ROOT, "%6.2f %11s %11d %9d %9s %s%n", percent, seconds, perCall, calls,
                errors == 0 ? "" : Long.toString(errors), name).replace(System.lineSeparator(), "\n"));
    }
}
