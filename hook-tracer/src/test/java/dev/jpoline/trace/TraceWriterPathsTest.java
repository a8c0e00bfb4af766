package dev.jpoline.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.consts.XlatStyle;
import dev.jpoline.trace.format.TraceOptions;
import dev.jpoline.trace.ring.RingFixture;
import dev.jpoline.trace.ring.RingRecord;
import dev.jpoline.trace.ring.TraceRing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain's fast path (records read in place from the ring, whole calls formatted straight into
 * the output buffer) writes exactly what the general path (copied records, merged) writes, in
 * every mode and option mix, and so does the byte-stream constructor.
 */
class TraceWriterPathsTest {
    private static final int TOP = 5_000_001; // above any pid_max: -y finds nothing in /proc for these
    private static final int CHILD = 5_000_002;
    private static final int THREAD = 5_000_003;
    private static final long T0 = 1_790_000_000_123_456_789L;

    @TempDir
    Path temp;

    private static RingRecord full(int pid, int tid, int nr, long ret, long[] args, long entry,
            RingRecord.Part... parts) {
        return new RingRecord(RingRecord.Kind.FULL, pid, tid, nr, true, args, ret, entry, entry == 0 ? 0 : entry + 4321,
                List.of(parts));
    }

    private static RingRecord half(RingRecord.Kind kind, int pid, int tid, int nr, long ret, long[] args, long t,
            RingRecord.Part... parts) {
        return new RingRecord(kind, pid, tid, nr, kind == RingRecord.Kind.EXIT, args, ret,
                kind == RingRecord.Kind.ENTRY ? t : 0, kind == RingRecord.Kind.EXIT ? t : 0, List.of(parts));
    }

    private static long[] args(long... a) {
        return java.util.Arrays.copyOf(a, 6);
    }

    private static RingRecord.Part in(int arg, String s) {
        return new RingRecord.Part(arg, false, -1, s.getBytes(StandardCharsets.UTF_8), false);
    }

    private static RingRecord.Part out(int arg, byte[] b) {
        return new RingRecord.Part(arg, true, -1, b, false);
    }

    private static byte[] stat(int mode, long size) {
        byte[] b = new byte[144];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(24, mode).putLong(48, size);
        return b;
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** A day of a small traced program: its calls, two threads and a child, an exec, failures. */
    static List<RingRecord> session() {
        List<RingRecord> r = new ArrayList<>();
        long t = T0;
        for (int i = 0; i < 3; i++) {
            r.add(full(TOP, TOP, 39, TOP, args(), i == 0 ? 0 : (t += 1000))); // getpid
        }
        r.add(full(TOP, TOP, 257, 3, args(-100, 0x1000, 0x80000), t += 1000, in(1, "/etc/h\u00e9llo")));
        r.add(full(TOP, TOP, 0, 12, args(3, 0x2000, 4096), t += 1000,
                out(1, "root:x:0:0:\n\0\u0001".getBytes(StandardCharsets.ISO_8859_1))));
        r.add(full(TOP, TOP, 262, 0, args(3, 0x3000, 0x4000, 0x1000), t += 1000, in(1, ""),
                out(2, stat(0100644, 1234))));
        r.add(full(TOP, TOP, 257, -2, args(-100, 0x1000, 0100 | 1, 0644), t += 1000, in(1, "/nonexistent")));
        r.add(full(TOP, TOP, 1, 5, args(1, 0x5000, 5), t += 1000, in(1, "a\"b\\c")));
        // getsockname: its socklen is a value-result, copied at entry and at exit
        r.add(full(TOP, TOP, 51, 0, args(3, 0x6000, 0x7000), t += 1000,
                new RingRecord.Part(2, false, -1, le32(128), false), out(2, le32(16)),
                out(1, new byte[] {1, 0, '/', 't', 'm', 'p', '/', 's', 0})));
        // readv of two iovecs, their data as element payloads
        byte[] iov = new byte[32];
        ByteBuffer.wrap(iov).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0x8000).putLong(8, 3).putLong(16, 0x9000)
                .putLong(24, 10);
        r.add(full(TOP, TOP, 19, 7, args(3, 0xa000, 2), t += 1000, out(1, iov),
                new RingRecord.Part(1, true, 0, "abc".getBytes(StandardCharsets.US_ASCII), false),
                new RingRecord.Part(1, true, 1, "defghij".getBytes(StandardCharsets.US_ASCII), true)));
        r.add(full(TOP, TOP, 3, 0, args(3), t += 1000));
        r.add(full(TOP, TOP, 500, 0, args(1, 2, 3, 4, 5, 6), t += 1000)); // no such syscall
        // a thread's wait interrupted by the other thread's line: unfinished, resumed
        r.add(half(RingRecord.Kind.ENTRY, TOP, TOP, 61, 0, args(CHILD, 0xb000, 0, 0), t += 1000));
        r.add(full(TOP, THREAD, 39, TOP, args(), t += 1000));
        r.add(full(TOP, THREAD, 3, -9, args(77), t += 1000));
        r.add(half(RingRecord.Kind.EXIT, TOP, TOP, 61, CHILD, args(), t += 1000, out(1, le32(3 << 8))));
        // halves with nothing between them: one line
        r.add(half(RingRecord.Kind.ENTRY, TOP, TOP, 35, 0, args(0xc000, 0xd000), t += 1000,
                new RingRecord.Part(0, false, -1, new byte[16], false)));
        r.add(half(RingRecord.Kind.EXIT, TOP, TOP, 35, -4, args(), t += 1000));
        // a child execs: its pending execve is completed by the new image's first record
        r.add(half(RingRecord.Kind.ENTRY, CHILD, CHILD, 59, 0, args(0xe000, 0xf000, 0x10000), t += 1000,
                in(0, "/bin/true"), new RingRecord.Part(1, false, -1, "true\0-x\0".getBytes(StandardCharsets.US_ASCII),
                        false)));
        r.add(full(TOP, TOP, 39, TOP, args(), t += 1000));
        r.add(full(CHILD, CHILD, 12, 0x55550000L, args(0), t += 1000)); // brk, in the new image
        r.add(full(CHILD, CHILD, 9, 0x7f0000000000L, args(0, 4096, 3, 0x22, -1, 0), t += 1000));
        r.add(half(RingRecord.Kind.ENTRY, CHILD, CHILD, 231, 0, args(3), t += 1000));
        // signals: one delivered and handled, one that kills a second child; a third child dies by
        // SIGKILL (no record) and its parent's wait4 says so; the program itself is signalled
        byte[] siginfo = new byte[128];
        ByteBuffer.wrap(siginfo).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 15).putInt(8, 0).putInt(16, CHILD)
                .putInt(20, 0);
        r.add(new RingRecord(RingRecord.Kind.SIGNAL, TOP, TOP, 15, false, args(0), 0, t += 1000, 0,
                List.of(new RingRecord.Part(0, false, -1, siginfo, false))));
        r.add(full(TOP, TOP, 56, CHILD + 10, args(0x1200011, 0, 0, 0xe000, 0), t += 1000));
        r.add(full(CHILD + 10, CHILD + 10, 39, CHILD + 10, args(), t += 1000));
        r.add(new RingRecord(RingRecord.Kind.SIGNAL, CHILD + 10, CHILD + 10, 11, false, args(1), 0, t += 1000, 0,
                List.of()));
        r.add(full(TOP, TOP, 57, CHILD + 20, args(), t += 1000));
        r.add(full(TOP, TOP, 61, CHILD + 20, args(-1, 0xb000, 0, 0), t += 1000, out(1, le32(9))));
        r.add(half(RingRecord.Kind.ENTRY, TOP, THREAD, 60, 0, args(0), t += 1000));
        for (int i = 0; i < 300; i++) {
            r.add(full(TOP, TOP, i % 5 == 0 ? 3 : 39, i % 5 == 0 ? -9 : TOP, args(i), t += 1000));
        }
        r.add(full(TOP, TOP, 1, -32, args(1, 0x5000, 3), t += 1000, in(1, "x\ny")));
        r.add(half(RingRecord.Kind.ENTRY, TOP, TOP, 231, 0, args(0), t += 1000));
        return r;
    }

    private record Config(String name, TraceOptions options, boolean fdPaths, TraceWriter.Mode mode,
            TraceWriter.Status status, boolean lines, boolean summary) {}

    private static List<Config> configs() {
        TraceOptions d = TraceOptions.defaults().withZone(ZoneId.of("UTC"));
        List<Config> list = new ArrayList<>();
        for (TraceWriter.Mode mode : TraceWriter.Mode.values()) {
            list.add(new Config("plain", d, false, mode, TraceWriter.Status.ALL, true, false));
            list.add(new Config("-y", d, true, mode, TraceWriter.Status.ALL, true, false));
            list.add(new Config("-tt -T", d.withTimestamps(TraceOptions.Timestamps.TIME_MICROS).withDuration(true),
                    false, mode, TraceWriter.Status.ALL, true, false));
            list.add(new Config("-t", d.withTimestamps(TraceOptions.Timestamps.TIME), false, mode,
                    TraceWriter.Status.ALL, true, false));
            list.add(new Config("-ttt -y", d.withTimestamps(TraceOptions.Timestamps.EPOCH_MICROS), true, mode,
                    TraceWriter.Status.ALL, true, false));
            list.add(new Config("-X raw -s 2", d.withXlatStyle(XlatStyle.RAW).withStringLimit(2), false, mode,
                    TraceWriter.Status.ALL, true, false));
            list.add(new Config("-X verbose", d.withXlatStyle(XlatStyle.VERBOSE), false, mode,
                    TraceWriter.Status.ALL, true, false));
            list.add(new Config("-Z", d, false, mode, TraceWriter.Status.FAILED, true, false));
            list.add(new Config("-z -y", d, true, mode, TraceWriter.Status.SUCCESSFUL, true, false));
            list.add(new Config("-C", d, false, mode, TraceWriter.Status.ALL, true, true));
            if (mode != TraceWriter.Mode.FF) {
                list.add(new Config("-c", d, false, mode, TraceWriter.Status.ALL, false, true));
            }
        }
        return list;
    }

    @Test
    void theFastPathWritesWhatTheGeneralPathWrites() throws Exception {
        List<RingRecord> records = session();
        int checked = 0;
        for (Config c : configs()) {
            Map<String, String> general = run(c, records, false, false);
            Map<String, String> fast = run(c, records, true, false);
            Map<String, String> stream = run(c, records, true, true);
            assertThat(fast).as(c.name() + " " + c.mode()).isEqualTo(general);
            assertThat(stream).as(c.name() + " " + c.mode() + " (byte stream)").isEqualTo(general);
            assertThat(general.values()).as(c.name()).allMatch(s -> !s.isEmpty());
            checked++;
        }
        assertThat(checked).isEqualTo(32);
    }

    @Test
    void theSessionShowsEveryKindOfLine() throws Exception {
        Config c = configs().get(1); // -y, STDERR
        String text = run(c, session(), true, false).get("out").replaceAll(" +=", " =");
        assertThat(text).contains("[pid 5000001] wait4(5000002,  <unfinished ...>",
                "[pid 5000001] <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 5000002",
                "[pid 5000002] execve(\"/bin/true\", [\"true\", \"-x\"], 0x10000 <unfinished ...>",
                "[pid 5000002] <... execve resumed>) = 0", "[pid 5000002] +++ exited with 3 +++",
                "openat(AT_FDCWD, \"/etc/h\\303\\251llo\", O_RDONLY|O_CLOEXEC) = 3</etc/h\u00e9llo>",
                "read(3</etc/h\u00e9llo>, \"root:x:0:0:\\n\", 4096) = 12",
                "getsockname(3</etc/h\u00e9llo>, {sa_family=AF_UNIX, sun_path=\"/tmp/s\"}, [128 => 16]) = 0",
                "readv(3</etc/h\u00e9llo>, [{iov_base=\"abc\", iov_len=3}, {iov_base=\"defg\", iov_len=10}], 2) = 7",
                "nanosleep({tv_sec=0, tv_nsec=0}, 0xd000) = -1 EINTR (Interrupted system call)",
                "syscall_0x1f4(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = 0",
                "[pid 5000003] close(77) = -1 EBADF (Bad file descriptor)",
                "write(1, \"x\\ny\", 3) = -1 EPIPE (Broken pipe)", "\n+++ exited with 0 +++\n",
                "[pid 5000001] --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=5000002, si_uid=0} ---",
                "[pid 5000012] --- SIGSEGV {si_signo=SIGSEGV, si_code=SI_USER, si_pid=0, si_uid=0} ---\n"
                        + "[pid 5000012] +++ killed by SIGSEGV +++",
                "[pid 5000022] +++ killed by SIGKILL +++\n[pid 5000001] wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == "
                        + "SIGKILL}], 0, NULL) = 5000022");
    }

    /** Output per file: "out" for STDERR and FILE, the file names for FF. */
    private Map<String, String> run(Config c, List<RingRecord> records, boolean throughRing, boolean byteStream)
            throws IOException {
        Path dir = Files.createTempDirectory(temp, "ff");
        Path ffBase = dir.resolve("trace");
        StringWriter chars = new StringWriter();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean single = c.mode() != TraceWriter.Mode.FF;
        TraceWriter w = byteStream
                ? new TraceWriter(c.options(), c.fdPaths(), c.mode(), single ? bytes : null, ffBase, n -> n != 1 || !c.name().equals("-C"),
                        c.status(), c.lines(), c.summary(), 0)
                : new TraceWriter(c.options(), c.fdPaths(), c.mode(), single ? chars : null, ffBase,
                        n -> n != 1 || !c.name().equals("-C"), c.status(), c.lines(), c.summary(), 0);
        w.setTopPid(TOP);
        if (throughRing) {
            try (RingFixture ring = new RingFixture(temp, 1 << 20)) {
                for (RingRecord r : records) {
                    assertThat(ring.put(r)).isTrue();
                }
                TraceRing drain = new TraceRing(ring.session(), warning -> {
                    throw new AssertionError(warning);
                });
                int drained = 0;
                for (int n; (n = drain.drain(w::accept, true)) > 0; ) {
                    drained += n;
                }
                assertThat(drained).isEqualTo(records.size());
            }
        } else {
            records.forEach(w::accept);
        }
        w.finish(0, false, 0);
        w.close();
        Map<String, String> out = new TreeMap<>();
        if (single) {
            out.put("out", byteStream ? bytes.toString(StandardCharsets.UTF_8) : chars.toString());
        } else {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    out.put(f.getFileName().toString(), Files.readString(f));
                }
            }
        }
        return out;
    }
}
