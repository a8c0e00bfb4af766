package dev.jpoline.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.trace.format.SyscallRecord;
import dev.jpoline.trace.format.TraceRecord;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What FdPaths learns from records, for descriptors whose process is gone by the drain. The pids
 * are above the kernel's limit (4194304), so /proc never answers for them: whatever is known
 * comes from the records.
 */
class FdPathsTest {
    static final int P = 5_000_001;
    static final int CHILD = 5_000_002;
    private static final long O_CLOEXEC = 02000000;

    @TempDir Path temp;

    static SyscallRecord.Builder call(int pid, int nr, long ret, long... args) {
        return SyscallRecord.builder(nr).pid(pid).tid(pid).args(args).returns(ret);
    }

    /** A record through the tables as the writer passes it: before its line, then after. */
    static void feed(FdPaths fds, TraceRecord r) {
        fds.before(r);
        fds.after(r);
    }

    /** This JVM's descriptor open on {@code file}, or -1. */
    private static int descriptorOf(Path file) throws IOException {
        int fd = -1;
        try (var links = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) links::iterator) {
                try {
                    if (Files.readSymbolicLink(p).equals(file)) {
                        fd = Integer.parseInt(p.getFileName().toString());
                    }
                } catch (IOException e) {
                    // a descriptor closed meanwhile
                }
            }
        }
        return fd;
    }

    private static Optional<String> shown(FdPaths fds, int pid, int fd) {
        return fds.resolve(pid, fd);
    }

    @Test
    void opensDupsAndClosesAreFollowed() {
        FdPaths fds = new FdPaths();
        feed(fds, call(P, 257, 3, -100, 0, 0).string(1, "/etc/passwd").build());
        feed(fds, call(P, 2, 4, 0, O_CLOEXEC).string(0, "/etc/hostname").build());
        feed(fds, call(P, 32, 5, 3).build()); // dup
        feed(fds, call(P, 33, 10, 3, 10).build()); // dup2
        feed(fds, call(P, 292, 11, 4, 11, O_CLOEXEC).build()); // dup3
        feed(fds, call(P, 72, 20, 3, 0, 20).build()); // fcntl F_DUPFD
        feed(fds, call(P, 72, 30, 4, 1030, 30).build()); // fcntl F_DUPFD_CLOEXEC
        assertThat(shown(fds, P, 3)).contains("/etc/passwd");
        assertThat(shown(fds, P, 5)).contains("/etc/passwd");
        assertThat(shown(fds, P, 10)).contains("/etc/passwd");
        assertThat(shown(fds, P, 11)).contains("/etc/hostname");
        assertThat(shown(fds, P, 20)).contains("/etc/passwd");
        assertThat(shown(fds, P, 30)).contains("/etc/hostname");
        feed(fds, call(P, 3, 0, 3).build()); // close
        assertThat(shown(fds, P, 3)).isEmpty();
        assertThat(shown(fds, P, 5)).as("its copy stays").contains("/etc/passwd");
        feed(fds, call(P, 3, -9, 5).build()); // close that failed with EBADF: nothing was open
        assertThat(shown(fds, P, 5)).contains("/etc/passwd");
        feed(fds, call(P, 436, 0, 10, 20, 0).build()); // close_range(10, 20, 0)
        assertThat(shown(fds, P, 10)).isEmpty();
        assertThat(shown(fds, P, 11)).isEmpty();
        assertThat(shown(fds, P, 20)).isEmpty();
        assertThat(shown(fds, P, 30)).contains("/etc/hostname");
        // A descriptor of a call the tables do not follow replaces what was known of its number.
        feed(fds, call(P, 41, 30, 2, 1, 0).build()); // socket
        assertThat(shown(fds, P, 30)).isEmpty();
        feed(fds, call(P, 293, 0, 0, 0).bytes(0, new byte[] {5, 0, 0, 0, 6, 0, 0, 0}).build()); // pipe2 [5, 6]
        assertThat(shown(fds, P, 5)).isEmpty();
    }

    @Test
    void anExecClosesTheCloseOnExecOnes() {
        FdPaths fds = new FdPaths();
        feed(fds, call(P, 257, 3, -100, 0, 0).string(1, "/etc/passwd").build());
        feed(fds, call(P, 257, 4, -100, 0, O_CLOEXEC).string(1, "/etc/hostname").build());
        feed(fds, call(P, 257, 5, -100, 0, 0).string(1, "/etc/group").build());
        feed(fds, call(P, 72, 0, 5, 2, 1).build()); // fcntl(5, F_SETFD, FD_CLOEXEC)
        feed(fds, call(P, 72, 0, 4, 2, 0).build()); // fcntl(4, F_SETFD, 0)
        feed(fds, call(P, 59, -2).string(0, "/nonexistent").build()); // a failed execve closes nothing
        assertThat(shown(fds, P, 5)).contains("/etc/group");
        feed(fds, call(P, 59, 0).string(0, "/bin/true").build());
        assertThat(shown(fds, P, 3)).contains("/etc/passwd");
        assertThat(shown(fds, P, 4)).contains("/etc/hostname");
        assertThat(shown(fds, P, 5)).isEmpty();
    }

    @Test
    void relativeNamesAreJoinedToTheWorkingDirectoryOrTheDirectoryDescriptor() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("d"));
        Files.writeString(dir.resolve("f"), "x");
        Path real = temp.toRealPath();
        FdPaths fds = new FdPaths();
        feed(fds, call(P, 80, 0).string(0, temp.toString()).build()); // chdir
        assertThat(fds.resolve(P, -100)).contains(real.toString());
        feed(fds, call(P, 257, 3, -100, 0, 0).string(1, "d/./f").build());
        assertThat(shown(fds, P, 3)).contains(real.resolve("d/f").toString());
        feed(fds, call(P, 80, 0).string(0, "d").build()); // relative to the last one
        assertThat(fds.resolve(P, -100)).contains(real.resolve("d").toString());
        feed(fds, call(P, 257, 4, -100, 0, 0).string(1, "../d/f").build());
        assertThat(shown(fds, P, 4)).contains(real.resolve("d/f").toString());
        feed(fds, call(P, 257, 5, -100, 0, 0).string(1, temp.toString()).build());
        feed(fds, call(P, 257, 6, 5, 0, 0).string(1, "d/f").build()); // openat(5, "d/f")
        assertThat(shown(fds, P, 6)).contains(real.resolve("d/f").toString());
        feed(fds, call(P, 81, 0, 5).build()); // fchdir(5)
        assertThat(fds.resolve(P, -100)).contains(temp.toString());
        // Gone before the drain: its directory's real name and its own.
        feed(fds, call(P, 257, 7, -100, 0, 0).string(1, "d/gone").build());
        assertThat(shown(fds, P, 7)).contains(real.resolve("d/gone").toString());
        // An O_TMPFILE file has no name.
        feed(fds, call(P, 257, 8, -100, 0, 020200000).string(1, "d").build());
        assertThat(shown(fds, P, 8)).isEmpty();
    }

    @Test
    void minusPComparesTheKernelsNameWhileMinusYShowsTheNameAsOpened() throws IOException {
        Path file = Files.writeString(temp.resolve("real.txt"), "x");
        Path link = Files.createSymbolicLink(temp.resolve("link.txt"), file.getFileName());
        FdPaths fds = new FdPaths();
        fds.realPaths();
        feed(fds, call(P, 257, 3, -100, 0, 0).string(1, link.toString()).build());
        assertThat(shown(fds, P, 3)).contains(link.toString());
        assertThat(fds.realPath(P, P, 3)).isEqualTo(file.toRealPath().toString());
        // /proc/self in a name is the target's, not the host's.
        assertThat(FdPaths.canonical("/proc/self/status", P, P)).isEqualTo("/proc/" + P + "/status");
        assertThat(FdPaths.canonical("/proc/thread-self/comm", P, P + 5)).isEqualTo("/proc/" + P + "/task/" + (P + 5)
                + "/comm");
    }

    @Test
    void aChildStartsWithItsParentsTableAndKeepsWhatItDidBeforeTheParentsResult() {
        FdPaths fds = new FdPaths();
        feed(fds, call(P, 257, 3, -100, 0, 0).string(1, "/etc/passwd").build());
        feed(fds, call(P, 257, 4, -100, 0, 0).string(1, "/etc/group").build());
        feed(fds, call(P, 80, 0).string(0, "/tmp").build());
        // The child's records come first: it closed 4 and opened 5.
        feed(fds, call(CHILD, 3, 0, 4).build());
        feed(fds, call(CHILD, 2, 5, 0).string(0, "/etc/hosts").build());
        fds.inherit(P, CHILD);
        assertThat(shown(fds, CHILD, 3)).contains("/etc/passwd");
        assertThat(shown(fds, CHILD, 4)).isEmpty();
        assertThat(shown(fds, CHILD, 5)).contains("/etc/hosts");
        // Copies: the parent's closes do not reach the child.
        feed(fds, call(P, 3, 0, 3).build());
        assertThat(shown(fds, CHILD, 3)).contains("/etc/passwd");
        fds.forget(CHILD);
        assertThat(shown(fds, CHILD, 3)).isEmpty();
        int grandchild = CHILD + 1;
        fds.inherit(P, grandchild);
        assertThat(fds.resolve(grandchild, -100)).contains("/tmp");
        assertThat(shown(fds, grandchild, 4)).contains("/etc/group");
    }

    /** What records do not say is read from /proc while the descriptor is open, and kept. */
    @Test
    void otherDescriptorsAreReadFromProcAndKept() throws IOException {
        int self = (int) ProcessHandle.current().pid();
        Path file = Files.writeString(temp.resolve("held.txt"), "x");
        FdPaths fds = new FdPaths();
        fds.realPaths();
        try (FileOutputStream out = new FileOutputStream(file.toFile(), true)) {
            int fd = descriptorOf(file);
            assertThat(fd).isPositive();
            assertThat(fds.resolve(self, fd)).contains(file.toString());
            Files.delete(file);
            // The kernel says "... (deleted)": -y shows what was read first; -P compares without it.
            FdPaths fresh = new FdPaths();
            fresh.realPaths();
            assertThat(fresh.resolve(self, fd)).contains(file + " (deleted)");
            assertThat(fresh.realPath(self, self, fd)).isEqualTo(file.toString());
        }
    }

    /**
     * A socket's number closed and reused for a file before its record is drained: /proc names
     * the file, which is not what the socket call made, so it is neither shown nor matched.
     */
    @Test
    void aReusedNumberOfASocketIsNotTakenForTheFileThatHasItNow() throws IOException {
        int self = (int) ProcessHandle.current().pid();
        Path file = Files.writeString(temp.resolve("reuser.txt"), "x");
        try (FileOutputStream out = new FileOutputStream(file.toFile(), true)) {
            int fd = descriptorOf(file);
            assertThat(fd).isPositive();
            FdPaths fds = new FdPaths();
            fds.realPaths();
            feed(fds, call(self, 41, fd, 2, 1, 0).build()); // socket() returned this number, in the records
            assertThat(fds.resolve(self, fd)).as("-y").isEmpty();
            assertThat(fds.realPath(self, self, fd)).as("-P").isNull();
            FdPaths viaPipe = new FdPaths();
            viaPipe.realPaths();
            feed(viaPipe, call(self, 293, 0, 0, 0).bytes(0, new byte[] {(byte) fd, 0, 0, 0, 99, 0, 0, 0}).build());
            assertThat(viaPipe.resolve(self, fd)).isEmpty();
        }
    }

    /** The top-level process's descriptors are read when it starts, with their close-on-exec flags. */
    @Test
    void theDescriptorsAProcessStartsWithAreReadAtItsStart() throws Exception {
        Path file = Files.writeString(temp.resolve("given.txt"), "x");
        Process p = new ProcessBuilder("sh", "-c", "exec 7<\"$0\"; exec 8<\"$0\"; read x", file.toString())
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        try {
            int pid = (int) p.pid();
            Path fd8 = Path.of("/proc/" + pid + "/fd/8");
            for (int i = 0; i < 500 && !Files.exists(fd8); i++) {
                Thread.sleep(10);
            }
            FdPaths fds = new FdPaths();
            fds.started(pid);
            assertThat(fds.knownRealPath(pid, pid, 7)).isEqualTo(file.toString());
            assertThat(fds.knownRealPath(pid, pid, 8)).isEqualTo(file.toString());
            feed(fds, call(pid, 72, 0, 8, 2, 1).build()); // fcntl(8, F_SETFD, FD_CLOEXEC)
            feed(fds, call(pid, 59, 0).string(0, "/bin/true").build());
            assertThat(fds.knownRealPath(pid, pid, 7)).as("kept across the exec").isEqualTo(file.toString());
            assertThat(fds.knownRealPath(pid, pid, 8)).isNull();
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void socketLinksGiveTheirInode() {
        assertThat(FdPaths.socketInode("socket:[1289158]")).isEqualTo(1289158);
        assertThat(FdPaths.socketInode("pipe:[1289158]")).isZero();
        assertThat(FdPaths.socketInode("socket:[x]")).isZero();
        assertThat(FdPaths.socketInode("/tmp/socket:[1]")).isZero();
    }

    @Test
    void devicesAndTheirNumbers() {
        assertThat(FileFacts.device("/dev/null")).isEqualTo("char 1:3");
        assertThat(FileFacts.device("/etc/passwd")).isNull();
        assertThat(FileFacts.device("pipe:[1]")).isNull();
        // glibc's encoding: major 0x12345 (high bits above 32), minor 0x6789a.
        long dev = (0x12345L & 0xfff) << 8 | (0x12345L & ~0xfffL) << 32 | (0x6789aL & 0xff) | (0x6789aL & ~0xffL) << 12;
        assertThat(FileFacts.major(dev)).isEqualTo(0x12345);
        assertThat(FileFacts.minor(dev)).isEqualTo(0x6789a);
    }
}
