package dev.jpoline.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.ring.RingRecord;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** strace's line discipline for records that come in halves, and the filters. */
class TraceWriterTest {
    private static final int TOP = 100;
    private final StringWriter out = new StringWriter();

    private TraceWriter writer(TraceWriter.Status status, boolean summary) {
        return new TraceWriter(TraceOptions.defaults(), false, TraceWriter.Mode.FILE, out, null, n -> true, status,
                true, summary, TOP);
    }

    private static RingRecord full(int tid, int nr, long ret, long... args) {
        return new RingRecord(RingRecord.Kind.FULL, TOP, tid, nr, true, java.util.Arrays.copyOf(args, 6), ret, 0, 0,
                List.of());
    }

    private static RingRecord entry(int pid, int tid, int nr, long... args) {
        return new RingRecord(RingRecord.Kind.ENTRY, pid, tid, nr, false, java.util.Arrays.copyOf(args, 6), 0, 0, 0,
                List.of());
    }

    private static RingRecord exit(int pid, int tid, int nr, long ret) {
        return new RingRecord(RingRecord.Kind.EXIT, pid, tid, nr, true, new long[6], ret, 0, 0, List.of());
    }

    private List<String> lines() {
        return out.toString().lines().map(l -> l.replaceAll("\\s+= ", " = ")).toList();
    }

    @Test
    void halvesWithNothingBetweenThemPrintAsOneLine() {
        TraceWriter w = writer(TraceWriter.Status.ALL, false);
        w.accept(entry(TOP, TOP, 34 /* pause */));
        w.accept(exit(TOP, TOP, 34, -4));
        w.finish(0, false, 0);
        assertThat(lines()).containsExactly("100   pause() = -1 EINTR (Interrupted system call)",
                "100   +++ exited with 0 +++");
    }

    @Test
    void anotherThreadsLineInBetweenGivesUnfinishedAndResumed() {
        TraceWriter w = writer(TraceWriter.Status.ALL, false);
        w.accept(entry(TOP, TOP, 34));
        w.accept(full(101, 39, TOP));
        w.accept(exit(TOP, TOP, 34, -4));
        w.finish(0, false, 0);
        assertThat(lines()).containsExactly("100   pause( <unfinished ...>", "101   getpid() = 100",
                "100   <... pause resumed>) = -1 EINTR (Interrupted system call)", "100   +++ exited with 0 +++");
    }

    @Test
    void anExecveIsCompletedByTheNewImagesFirstRecordAndChildrenExitLinesFollowExitGroup() {
        TraceWriter w = writer(TraceWriter.Status.ALL, false);
        w.accept(entry(200, 200, 59, 0, 0, 0));
        w.accept(new RingRecord(RingRecord.Kind.FULL, 200, 200, 39, true, new long[6], 200, 0, 0, List.of()));
        w.accept(entry(200, 200, 231, 3));
        w.finish(0, false, 0);
        assertThat(lines()).containsExactly("200   execve(NULL, NULL, NULL) = 0", "200   getpid() = 200",
                "200   exit_group(3) = ?", "200   +++ exited with 3 +++", "100   +++ exited with 0 +++");
    }

    @Test
    void statusFiltersAndTheTopLevelKilledBySignal() {
        TraceWriter w = writer(TraceWriter.Status.FAILED, false);
        w.accept(full(TOP, 39, TOP));
        w.accept(full(TOP, 3, -9, 77));
        w.finish(134, true, 6);
        assertThat(lines()).containsExactly("100   close(77) = -1 EBADF (Bad file descriptor)",
                "100   +++ killed by SIGABRT +++");
    }

    @Test
    void theSummaryCountsReturnedCallsOnly() {
        TraceWriter w = new TraceWriter(TraceOptions.defaults(), false, TraceWriter.Mode.FILE, out, null, n -> true,
                TraceWriter.Status.ALL, false, true, TOP);
        w.accept(full(TOP, 39, TOP));
        w.accept(full(TOP, 39, TOP));
        w.accept(full(TOP, 3, -9, 77));
        w.accept(entry(TOP, TOP, 231, 0));
        w.finish(0, false, 0);
        assertThat(out.toString()).contains("getpid").contains("close").doesNotContain("exit_group")
                .doesNotContain("+++");
        assertThat(out.toString().lines().filter(l -> l.endsWith(" getpid")).findFirst().orElseThrow())
                .matches(".*\\s2\\s+getpid");
    }

    @Test
    void dumpsFollowTheirCallsLineAndItsResumptionWithoutAPrefix() {
        TraceWriter w = writer(TraceWriter.Status.ALL, false);
        w.withIoDump(new dev.jpoline.trace.format.IoDump(dev.jpoline.trace.format.DescriptorSet.parse("5"),
                dev.jpoline.trace.format.DescriptorSet.parse("4")));
        byte[] hi = "hi\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        w.accept(new RingRecord(RingRecord.Kind.FULL, TOP, TOP, 1, true, new long[] {4, 0x1000, 3, 0, 0, 0}, 3, 0, 0,
                List.of(new RingRecord.Part(1, false, -1, hi, false))));
        w.accept(new RingRecord(RingRecord.Kind.FULL, TOP, TOP, 1, true, new long[] {3, 0x1000, 3, 0, 0, 0}, 3, 0, 0,
                List.of(new RingRecord.Part(1, false, -1, hi, false)))); // not in the write set
        w.accept(entry(TOP, TOP, 45 /* recvfrom */, 5, 0x2000, 64));
        w.accept(full(101, 39, TOP));
        w.accept(new RingRecord(RingRecord.Kind.EXIT, TOP, TOP, 45, true, new long[6], 3, 0, 0,
                List.of(new RingRecord.Part(1, true, -1, hi, false))));
        w.finish(0, false, 0);
        assertThat(out.toString().lines()).containsExactly(
                "100   write(4, \"hi\\n\", 3)               = 3",
                " | 00000  68 69 0a                                          hi.              |",
                "100   write(3, \"hi\\n\", 3)               = 3",
                "100   recvfrom(5,  <unfinished ...>",
                "101   getpid()                          = 100",
                "100   <... recvfrom resumed>\"hi\\n\", 64, 0, NULL, NULL) = 3",
                " | 00000  68 69 0a                                          hi.              |",
                "100   +++ exited with 0 +++");
    }

    private static RingRecord signal(int tid, int signo, boolean kills) {
        return new RingRecord(RingRecord.Kind.SIGNAL, tid == 101 ? TOP : tid, tid, signo, false,
                new long[] {kills ? dev.jpoline.host.SessionLayout.SIGNAL_KILLS : 0, 0, 0, 0, 0, 0}, 0, 0, 0, List.of());
    }

    @Test
    void aSignalSetKeepsOthersLinesAndTheirKilledByLines() {
        TraceWriter w = writer(TraceWriter.Status.ALL, false).withSignals(SignalSet.parse("!SIGUSR1"));
        w.accept(signal(TOP, 10, false));
        w.accept(signal(TOP, 12, false));
        w.accept(signal(300, 10, true)); // kills process 300 (not the top one): no line of either kind
        w.finish(143, true, 15);
        assertThat(lines()).containsExactly("100   --- SIGUSR2 {si_signo=SIGUSR2, si_code=SI_USER, si_pid=0, si_uid=0} ---",
                "100   +++ killed by SIGTERM +++");
        out.getBuffer().setLength(0);
        TraceWriter none = writer(TraceWriter.Status.ALL, false).withSignals(SignalSet.parse("none"));
        none.accept(signal(TOP, 15, true));
        none.finish(143, true, 15);
        assertThat(lines()).isEmpty();
    }

    @Test
    void quietExitsDropExitLinesButNotKilledLines() {
        TraceWriter w = writer(TraceWriter.Status.ALL, false).withQuietExits(true);
        w.accept(entry(200, 200, 231, 3));
        w.accept(signal(300, 9, true));
        w.finish(0, false, 0);
        assertThat(lines()).containsExactly("200   exit_group(3) = ?", "300   --- SIGKILL {si_signo=SIGKILL,"
                + " si_code=SI_USER, si_pid=0, si_uid=0} ---", "300   +++ killed by SIGKILL +++");
    }

    @Test
    void aSyscallLimitStopsAfterThatManyReturnedCallsOnce() {
        int[] reached = {0};
        TraceWriter w = writer(TraceWriter.Status.FAILED, false).withSyscallLimit(2, () -> reached[0]++);
        w.accept(full(TOP, 39, TOP)); // filtered out by status: not counted
        w.accept(full(TOP, 3, -9, 5));
        w.accept(entry(TOP, TOP, 34));
        w.accept(full(101, 3, -9, 6)); // the second counted call: the pause never ends in the trace
        w.accept(exit(TOP, TOP, 34, -4));
        w.accept(full(TOP, 3, -9, 7));
        w.accept(signal(TOP, 10, false));
        w.finish(0, false, 0);
        assertThat(reached[0]).isEqualTo(1);
        assertThat(w.limitReached()).isTrue();
        assertThat(lines()).containsExactly("100   close(5) = -1 EBADF (Bad file descriptor)",
                "101   close(6) = -1 EBADF (Bad file descriptor)");
    }
}
