package dev.jpoline.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.ring.RingRecord;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** -P where the writer decides what prints: with -e trace=, -c, halves of a call, a child's descriptors. */
class TraceWriterPathTraceTest {
    private static final int TOP = FdPathsTest.P;
    private static final int THREAD = TOP + 10;
    private static final int CHILD = TOP + 20;
    private static final String FILE = "/tmp/jpoline-pathtrace/f.txt";
    private final StringWriter out = new StringWriter();

    private TraceWriter writer(java.util.function.IntPredicate selected, boolean summary) {
        TraceWriter w = new TraceWriter(TraceOptions.defaults(), false, TraceWriter.Mode.FILE, out, null, selected,
                TraceWriter.Status.ALL, !summary, summary, TOP);
        w.tracePaths(PathTrace.of(FILE));
        return w;
    }

    private static RingRecord.Part path(int arg, String s) {
        return new RingRecord.Part(arg, false, -1, s.getBytes(StandardCharsets.UTF_8), false);
    }

    private static RingRecord full(int pid, int tid, int nr, long ret, List<RingRecord.Part> parts, long... args) {
        return new RingRecord(RingRecord.Kind.FULL, pid, tid, nr, true, Arrays.copyOf(args, 6), ret, 0, 0, parts);
    }

    private static RingRecord entry(int pid, int tid, int nr, long... args) {
        return new RingRecord(RingRecord.Kind.ENTRY, pid, tid, nr, false, Arrays.copyOf(args, 6), 0, 0, 0, List.of());
    }

    private static RingRecord exit(int pid, int tid, int nr, long ret, List<RingRecord.Part> parts, long... args) {
        return new RingRecord(RingRecord.Kind.EXIT, pid, tid, nr, true, Arrays.copyOf(args, 6), ret, 0, 0, parts);
    }

    private static RingRecord openFile(int fd) {
        return full(TOP, TOP, 257, fd, List.of(path(1, FILE)), -100, 0x1000, 0);
    }

    private List<String> lines() {
        return out.toString().lines().map(l -> l.replaceFirst(" +", " ").replaceAll("\\s+= ", " = ")).toList();
    }

    @Test
    void onlyTheCallsOnThePathPrintAndCountAndMinusETraceStillSelects() {
        TraceWriter w = writer(n -> n != 5 /* not fstat */, false);
        w.accept(openFile(3));
        w.accept(full(TOP, TOP, 257, 4, List.of(path(1, "/dev/null")), -100, 0x1000, 0));
        w.accept(full(TOP, TOP, 1, 1, List.of(new RingRecord.Part(1, false, -1, new byte[] {'x'}, false)), 3, 0x2000, 1));
        w.accept(full(TOP, TOP, 1, 1, List.of(new RingRecord.Part(1, false, -1, new byte[] {'x'}, false)), 4, 0x2000, 1));
        w.accept(full(TOP, TOP, 5, 0, List.of(), 3, 0)); // fstat(3): on the path, not selected
        w.accept(full(TOP, TOP, 39, TOP, List.of())); // getpid: no file, descriptor or socket
        w.accept(full(TOP, TOP, 3, 0, List.of(), 3));
        w.accept(full(TOP, TOP, 0, -9, List.of(), 3, 0, 1)); // read(3) after the close: another file's, or none
        w.accept(entry(TOP, TOP, 231, 0));
        w.finish(0, false, 0);
        assertThat(lines()).containsExactly(
                TOP + " openat(AT_FDCWD, \"" + FILE + "\", O_RDONLY) = 3",
                TOP + " write(3, \"x\", 1) = 1",
                TOP + " close(3) = 0",
                TOP + " +++ exited with 0 +++");

        out.getBuffer().setLength(0);
        TraceWriter c = writer(n -> true, true);
        c.accept(openFile(3));
        c.accept(full(TOP, TOP, 1, 1, List.of(), 3, 0, 1));
        c.accept(full(TOP, TOP, 1, 1, List.of(), 4, 0, 1));
        c.accept(full(TOP, TOP, 1, 1, List.of(), 3, 0, 1));
        c.finish(0, false, 0);
        assertThat(TraceGoldenRows.counts(out.toString())).containsExactly("openat 1/0", "write 2/0");
    }

    @Test
    void aHeldEntryIsDecidedWhenItWasMadeAndPollWhenItsArrayIsKnown() {
        TraceWriter w = writer(n -> true, false);
        w.accept(openFile(3));
        w.accept(entry(TOP, TOP, 73, 3, 2)); // flock(3, LOCK_EX): held
        w.accept(full(TOP, THREAD, 3, 0, List.of(), 3)); // another thread closes 3 meanwhile
        w.accept(exit(TOP, TOP, 73, 0, List.of(), 3, 2));
        w.accept(openFile(3));
        byte[] pollfds = {3, 0, 0, 0, 1, 0, 1, 0};
        w.accept(entry(TOP, TOP, 7, 0x1000, 1, -1)); // poll: its array comes with the exit
        w.accept(full(TOP, THREAD, 3, 0, List.of(), 7)); // close(7): not the file, no line
        w.accept(full(TOP, THREAD, 0, 1, List.of(), 3, 0x2000, 1)); // read(3): a line in between
        w.accept(exit(TOP, TOP, 7, 1, List.of(new RingRecord.Part(0, true, -1, pollfds, false)), 0x1000, 1, -1));
        w.accept(entry(TOP, TOP, 7, 0x1000, 1, -1));
        w.accept(exit(TOP, TOP, 7, 1, List.of(new RingRecord.Part(0, true, -1, new byte[] {9, 0, 0, 0, 1, 0, 1, 0},
                false)), 0x1000, 1, -1));
        w.finish(0, false, 0);
        assertThat(lines()).containsExactly(
                TOP + " openat(AT_FDCWD, \"" + FILE + "\", O_RDONLY) = 3",
                TOP + " flock(3, LOCK_EX <unfinished ...>",
                THREAD + " close(3) = 0",
                TOP + " <... flock resumed>) = 0",
                TOP + " openat(AT_FDCWD, \"" + FILE + "\", O_RDONLY) = 3",
                THREAD + " read(3, 0x2000, 1) = 1",
                TOP + " poll([{fd=3, events=POLLIN}], 1, -1) = 1 ([{fd=3, revents=POLLIN}])",
                TOP + " +++ exited with 0 +++");
    }

    @Test
    void aChildWritesThroughTheDescriptorItsParentOpened() {
        TraceWriter w = writer(n -> true, false);
        w.accept(openFile(3));
        w.accept(entry(TOP, TOP, 56, 0x01200011 /* CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD */));
        w.accept(full(CHILD, CHILD, 1, 6, List.of(), 3, 0x3000, 6)); // before the parent's result
        w.accept(entry(CHILD, CHILD, 231, 0));
        w.accept(exit(TOP, TOP, 56, CHILD, List.of(), 0x01200011));
        w.accept(openFile(4));
        w.accept(entry(TOP, TOP, 57)); // fork
        w.accept(exit(TOP, TOP, 57, CHILD + 1, List.of()));
        w.accept(full(CHILD + 1, CHILD + 1, 1, 6, List.of(), 4, 0x3000, 6)); // after it
        w.finish(0, false, 0);
        assertThat(lines()).containsExactly(
                TOP + " openat(AT_FDCWD, \"" + FILE + "\", O_RDONLY) = 3",
                CHILD + " write(3, 0x3000, 6) = 6",
                CHILD + " +++ exited with 0 +++",
                TOP + " openat(AT_FDCWD, \"" + FILE + "\", O_RDONLY) = 4",
                (CHILD + 1) + " write(4, 0x3000, 6) = 6",
                TOP + " +++ exited with 0 +++");
    }

    /** Rows of -c's table as "name calls/errors". */
    private static final class TraceGoldenRows {
        static List<String> counts(String table) {
            return table.lines().map(String::trim).filter(l -> l.matches("^[0-9.]+\\s+[0-9.]+\\s+\\d+\\s+\\d+.*"))
                    .map(l -> l.split("\\s+")).filter(f -> !f[f.length - 1].equals("total"))
                    .map(f -> f[f.length - 1] + " " + f[3] + "/" + (f.length == 6 ? f[4] : "0")).sorted().toList();
        }
    }
}
