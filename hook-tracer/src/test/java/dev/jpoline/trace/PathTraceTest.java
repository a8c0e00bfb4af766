package dev.jpoline.trace;

import static dev.jpoline.trace.FdPathsTest.P;
import static dev.jpoline.trace.FdPathsTest.call;
import static dev.jpoline.trace.FdPathsTest.feed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.trace.format.Payload;
import dev.jpoline.trace.format.SyscallRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -P's matcher against strace 6.1's rules (pathtrace.c), with descriptors known from records. */
class PathTraceTest {
    private static final String FILE = "/tmp/jpoline-pathtrace/f.txt";
    private final PathTrace trace = PathTrace.of(FILE);
    private final FdPaths fds = new FdPaths();

    @TempDir Path temp;

    @BeforeEach
    void descriptors() {
        fds.realPaths();
        // 3 is FILE (the name is not resolved: it need not exist), 4 another file.
        feed(fds, call(P, 257, 3, -100, 0, 0).string(1, FILE).build());
        feed(fds, call(P, 257, 4, -100, 0, 0).string(1, "/dev/null").build());
    }

    private boolean matches(SyscallRecord.Builder b) {
        return trace.matches(b.build(), fds);
    }

    private static SyscallRecord.Builder c(int nr, long... args) {
        return SyscallRecord.builder(nr).pid(P).tid(P).args(args).returns(0);
    }

    @Test
    void aNameArgumentMatchesByteForByte() {
        assertThat(matches(c(21).string(0, FILE))).as("access").isTrue();
        assertThat(matches(c(21).string(0, "/tmp/jpoline-pathtrace/./f.txt"))).as("not the same bytes").isFalse();
        assertThat(matches(c(21).string(0, "f.txt"))).as("relative").isFalse();
        assertThat(matches(c(21))).as("not readable").isFalse();
        assertThat(matches(c(21).payload(0, Payload.truncated(FILE.getBytes())))).as("cut short").isFalse();
        assertThat(PathTrace.of("f.txt").matches(c(21).string(0, "f.txt").build(), fds)).isTrue();
        // rename is a %file call: strace compares its first name only.
        assertThat(matches(c(82).string(0, FILE).string(1, "/x"))).isTrue();
        assertThat(matches(c(82).string(0, "/x").string(1, FILE))).isFalse();
        assertThat(matches(c(86).string(0, "/x").string(1, FILE))).as("link: both").isTrue();
        assertThat(matches(c(88).string(0, FILE).string(1, "/x"))).as("symlink: the new name only").isFalse();
        assertThat(matches(c(88).string(0, "/x").string(1, FILE))).isTrue();
    }

    @Test
    void descriptorArgumentsMatchByWhatTheyReferTo() {
        assertThat(matches(c(0, 3))).as("read(3)").isTrue();
        assertThat(matches(c(0, 4))).as("read(4)").isFalse();
        assertThat(matches(c(0, 99))).as("unknown, and no /proc").isFalse();
        assertThat(matches(c(0, 0x1_0000_0003L))).as("the kernel reads an int").isTrue();
        assertThat(matches(c(262, 3).string(1, ""))).as("newfstatat(3, \"\")").isTrue();
        assertThat(matches(c(262, -100).string(1, FILE))).isTrue();
        assertThat(matches(c(262, -100).string(1, "x"))).isFalse();
        assertThat(matches(c(33, 4, 3))).as("dup2: either").isTrue();
        assertThat(matches(c(292, 3, 9, 0))).as("dup3").isTrue();
        assertThat(matches(c(40, 4, 3, 0, 4))).as("sendfile's in").isTrue();
        assertThat(matches(c(275, 4, 0, 3, 0, 4, 0))).as("splice's out").isTrue();
        assertThat(matches(c(326, 3, 0, 4, 0, 4, 0))).as("copy_file_range's in").isTrue();
        assertThat(matches(c(9, 0, 4096, 1, 1, 3, 0))).as("mmap's descriptor").isTrue();
        assertThat(matches(c(9, 3, 4096, 1, 1, -1, 0))).as("mmap's address is no descriptor").isFalse();
        assertThat(matches(c(233, 3, 1, 4, 0))).as("epoll_ctl: only its target").isFalse();
        assertThat(matches(c(233, 4, 1, 3, 0))).isTrue();
        assertThat(matches(c(266).string(0, "/x").args(0, 3).string(2, "y"))).as("symlinkat's directory").isTrue();
        assertThat(matches(c(265, 4).string(1, "a").args(4, 0, 3).string(3, "b"))).as("linkat's second directory")
                .isTrue();
        assertThat(matches(c(301, 3, 0, 0, -100).string(4, FILE))).as("fanotify_mark's name").isTrue();
        assertThat(matches(c(431, 3, 5, 0, 0, 3))).as("fsconfig FSCONFIG_SET_FD").isTrue();
        assertThat(matches(c(431, 3, 6, 0, 0, 3))).as("another command").isFalse();
    }

    @Test
    void callsThatOnlyMakeDescriptorsAndOtherClassesNeverMatch() {
        assertThat(matches(c(43, 3))).as("accept: strace 6.1 checks nothing").isFalse();
        assertThat(matches(c(282, 3))).as("signalfd").isFalse();
        assertThat(matches(c(286, 3))).as("timerfd_settime").isFalse();
        assertThat(matches(c(41, 3))).as("socket").isFalse();
        assertThat(matches(c(39, 3))).as("getpid: not %file, %desc or %network").isFalse();
        assertThat(matches(c(79).string(0, FILE))).as("getcwd's buffer is the kernel's").isFalse();
        assertThat(PathTrace.mayMatch(0)).isTrue();
        assertThat(PathTrace.mayMatch(39)).isFalse();
        assertThat(PathTrace.mayMatch(41)).isFalse();
        assertThat(PathTrace.mayMatch(82)).isTrue();
    }

    @Test
    void selectAndPollLookAtEveryDescriptorTheyAreGiven() {
        byte[] set = new byte[128];
        set[0] = 1 << 3;
        assertThat(matches(c(23, 4, 0, 0, 0, 0).bytes(2, set))).as("select: writefds").isFalse();
        assertThat(matches(c(23, 4, 0, 1, 0, 0).bytes(2, set))).isTrue();
        assertThat(matches(c(23, 3, 0, 1, 0, 0).bytes(2, set))).as("beyond nfds").isFalse();
        assertThat(matches(c(270, 4, 1, 0, 0, 0, 0).bytes(1, set))).as("pselect6").isTrue();
        byte[] pollfds = {4, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0};
        assertThat(matches(c(7, 1, 2, 0).bytes(0, pollfds))).isTrue();
        assertThat(matches(c(7, 1, 1, 0).bytes(0, pollfds))).as("only the first").isFalse();
        assertThat(matches(c(271, 1, 2, 0, 0, 8).bytes(0, pollfds))).as("ppoll").isTrue();
        assertThat(trace.decidedAtExit(SyscallRecord.builder(7).pid(P).tid(P).args(1, 2, 0).build()))
                .as("poll's array is copied at the exit").isTrue();
        assertThat(trace.decidedAtExit(SyscallRecord.builder(7).pid(P).tid(P).args(1, 2, 0).bytes(0, pollfds).build()))
                .isFalse();
    }

    @Test
    void aClosedDescriptorNoLongerMatches() {
        SyscallRecord close = call(P, 3, 0, 3).build();
        assertThat(trace.matches(close, fds)).as("close(3) itself").isTrue();
        feed(fds, close);
        assertThat(matches(c(0, 3))).isFalse();
    }

    /**
     * dup2's target as it was before the call: /proc, read at the drain, shows what the call (or a
     * later one) made of it, so only the records are asked.
     */
    @Test
    void dup2sTargetIsWhatTheRecordsSayItWas() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        Path file = Files.writeString(temp.resolve("held.txt"), "x");
        PathTrace held = PathTrace.of(file.toString());
        FdPaths jvm = new FdPaths();
        jvm.realPaths();
        try (java.io.FileInputStream in = new java.io.FileInputStream(file.toFile())) {
            int fd = -1;
            try (var links = Files.list(Path.of("/proc/self/fd"))) {
                for (Path p : (Iterable<Path>) links::iterator) {
                    try {
                        if (Files.readSymbolicLink(p).equals(file)) {
                            fd = Integer.parseInt(p.getFileName().toString());
                        }
                    } catch (java.io.IOException e) {
                        // closed meanwhile
                    }
                }
            }
            assertThat(fd).isPositive();
            SyscallRecord.Builder dup2 = SyscallRecord.builder(33).pid(self).tid(self).args(0, fd);
            assertThat(held.matches(dup2.returns(fd).build(), jvm)).as("replaced: /proc says what it is now").isFalse();
            assertThat(held.matches(dup2.returns(-9).build(), jvm)).as("failed: nothing was replaced").isTrue();
            assertThat(held.matches(SyscallRecord.builder(0).pid(self).tid(self).args(fd).returns(1).build(), jvm))
                    .isTrue();
            assertThat(held.matches(dup2.returns(fd).build(), jvm)).as("now known from the records").isTrue();
        }
        assertThat(matches(c(33, 4, 3).returns(3))).as("dup2(4, 3): 3 was the file").isTrue();
    }

    @Test
    void symlinkedPathsAreResolvedOnceAndSaidUnlessQuiet() throws Exception {
        Path file = Files.writeString(temp.resolve("real.txt"), "x");
        Path link = Files.createSymbolicLink(temp.resolve("link.txt"), file.getFileName());
        StringWriter said = new StringWriter();
        PathTrace t = PathTrace.select(List.of(link.toString(), link.toString(), file.toString(), "/nonexistent/x"),
                false, new PrintWriter(said));
        String real = file.toRealPath().toString();
        assertThat(t.paths()).containsExactly(link.toString(), real, "/nonexistent/x").doesNotHaveDuplicates();
        assertThat(said.toString()).isEqualTo(("jpoline: Requested path \"" + link + "\" resolved into \"" + real + "\"\n")
                .repeat(2) + (real.equals(file.toString()) ? "" : "jpoline: Requested path \"" + file
                + "\" resolved into \"" + real + "\"\n"));
        StringWriter quiet = new StringWriter();
        PathTrace.select(List.of(link.toString()), true, new PrintWriter(quiet));
        assertThat(quiet.toString()).isEmpty();
        // A descriptor opened through the link refers to the file itself: -P LINK covers both.
        FdPaths opened = new FdPaths();
        opened.realPaths();
        feed(opened, call(P, 257, 3, -100, 0, 0).string(1, link.toString()).build());
        assertThat(t.matches(c(0, 3).build(), opened)).isTrue();
        assertThat(PathTrace.of(link.toString()).matches(c(0, 3).build(), opened)).as("the link's name only").isFalse();
    }
}
