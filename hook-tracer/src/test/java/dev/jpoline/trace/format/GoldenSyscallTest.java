package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.SyscallTable;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * One test per decoded syscall family. Every expected line is copied from strace 6.1 run on this
 * machine (strace -f -o, then the pid column removed) for a program making the same call; the
 * record holds the same raw values and the memory strace read.
 */
class GoldenSyscallTest {
    private static final StraceFormatter F = new StraceFormatter(TraceOptions.defaults());

    /** An environment of n variables, as execve's envp payload. */
    private static Payload env(int n) {
        return Payload.ofStrings(java.util.Collections.nCopies(n, "X=1").toArray(String[]::new));
    }

    private static SyscallRecord.Builder call(String name, long... args) {
        return SyscallRecord.builder(SyscallTable.x86_64().numberOf(name)).pid(100).args(args);
    }

    private static String line(SyscallRecord.Builder b) {
        return F.formatSyscall(b.build());
    }

    /** Lines copied from strace -f -o output keep their "PID  " column, which counts for alignment. */
    private static String plainLine(int pid, SyscallRecord.Builder b) {
        StraceFormatter plain = new StraceFormatter(TraceOptions.defaults()
                .withPidPrefix(TraceOptions.PidPrefix.PLAIN));
        return plain.formatSyscall(b.pid(pid).build());
    }

    private static Payload text(String s) {
        return Payload.complete(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void openatWithFlagsAndErrors() {
        assertThat(line(call("openat", -100, 0x1000, 02000000).string(1, "/etc/passwd").returns(3)))
                .isEqualTo("openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3");
        assertThat(plainLine(9783, call("openat", -100, 0x1000, 0).string(1, "/a").fails(2)))
                .isEqualTo("9783  openat(AT_FDCWD, \"/a\", O_RDONLY)  = -1 ENOENT (No such file or directory)");
        assertThat(line(call("openat", -100, 0x1000, 01 | 0100 | 01000, 0644).string(1, "/tmp/fmtw/new.txt")
                .returns(4)))
                .isEqualTo("openat(AT_FDCWD, \"/tmp/fmtw/new.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4");
        assertThat(line(call("openat", -100, 0x1000, 020200000, 0600).string(1, "/tmp").fails(22)))
                .isEqualTo("openat(AT_FDCWD, \"/tmp\", O_RDONLY|O_TMPFILE, 0600) = -1 EINVAL (Invalid argument)");
        assertThat(plainLine(9783, call("openat", 5, 0x1000, 3).string(1, "x").fails(9)))
                .isEqualTo("9783  openat(5, \"x\", O_ACCMODE)         = -1 EBADF (Bad file descriptor)");
        assertThat(line(call("openat", -100, 0x1000, 04000 | 02000000 | 0x80000000L).string(1, "/tmp/fmtw/t.c")
                .returns(3)))
                .isEqualTo("openat(AT_FDCWD, \"/tmp/fmtw/t.c\", O_RDONLY|O_NONBLOCK|O_CLOEXEC|0x80000000) = 3");
    }

    @Test
    void groupLists() {
        assertThat(line(call("getgroups", 0, 0).returns(0))).isEqualTo("getgroups(0, NULL)                      = 0");
        assertThat(line(call("getgroups", 64, 0x7000).returns(0))).isEqualTo("getgroups(64, [])                       = 0");
        assertThat(line(call("getgroups", 64, 0x7000).payload(1, Bytes.of(8).u32(0, 0).u32(4, 1).payload())
                .returns(2))).isEqualTo("getgroups(64, [0, 1])                   = 2");
        assertThat(line(call("getgroups", 0xffffffffL, 0x7ffc51326d50L).fails(22)))
                .isEqualTo("getgroups(-1, 0x7ffc51326d50)           = -1 EINVAL (Invalid argument)");
        assertThat(line(call("setgroups", 2, 0x7000).payload(1, Bytes.of(8).u32(0, 0).u32(4, -1).payload())
                .fails(22))).isEqualTo("setgroups(2, [0, -1])                   = -1 EINVAL (Invalid argument)");
        assertThat(line(call("setgroups", 0, 0x7000).returns(0))).isEqualTo("setgroups(0, [])                        = 0");
        StraceFormatter s1 = new StraceFormatter(TraceOptions.defaults().withStringLimit(1));
        StraceFormatter s0 = new StraceFormatter(TraceOptions.defaults().withStringLimit(0));
        Payload fds = Bytes.of(8).u32(0, 3).u32(4, 4).payload();
        assertThat(s1.formatSyscall(call("pipe2", 0x7000, 0).payload(0, fds).returns(0).build()))
                .isEqualTo("pipe2([3, ...], 0)                      = 0");
        assertThat(s0.formatSyscall(call("pipe2", 0x7000, 0).payload(0, fds).returns(0).build()))
                .isEqualTo("pipe2([...], 0)                         = 0");
        // poll's ready list comes from the whole array, beyond the -s entries the call shows.
        Bytes many = Bytes.of(8 * 40);
        for (int i = 0; i < 40; i++) {
            many.u32(8 * i, i).u32(8 * i + 4, 1 | (i == 39 ? 1 << 16 : 0));
        }
        assertThat(line(call("poll", 0x7000, 40, 0).payload(0, many.payload()).returns(1)))
                .contains("{fd=31, events=POLLIN}, ...], 40, 0)").endsWith(" = 1 ([{fd=39, revents=POLLIN}])");
        // Every array strace prints with print_array: -s 0 leaves [...].
        assertThat(s0.formatSyscall(call("writev", 1, 0x7000, 2).payload(1, Bytes.of(32).u64(0, 0x8000).u64(8, 2)
                .u64(16, 0x9000).u64(24, 3).payload()).returns(5).build()))
                .isEqualTo("writev(1, [...], 2)                     = 5");
        assertThat(s0.formatSyscall(call("poll", 0x7000, 1, 0).payload(0, Bytes.of(8).u32(0, 0).u32(4, 1).payload())
                .returns(0).build())).isEqualTo("poll([...], 1, 0)                       = 0 (Timeout)");
        Payload ready = Bytes.of(16).u32(0, 0).u32(4, 1 | (1 << 16)).u32(8, 1).u32(12, 4 | (4 << 16)).payload();
        assertThat(s0.formatSyscall(call("poll", 0x7000, 2, 0).payload(0, ready).returns(2).build()))
                .isEqualTo("poll([...], 2, 0)                       = 2 ([...])");
        assertThat(s1.formatSyscall(call("poll", 0x7000, 2, 0).payload(0, ready).returns(2).build()))
                .isEqualTo("poll([{fd=0, events=POLLIN}, ...], 2, 0) = 2 ([{fd=0, revents=POLLIN}, ...])");
        assertThat(s1.formatSyscall(call("setgroups", 2, 0x7000)
                .payload(1, Bytes.of(8).u32(0, 0).u32(4, 1).payload()).returns(0).build()))
                .isEqualTo("setgroups(2, [0, ...])                  = 0");
    }

    @Test
    void utimensatTimesWithLocalDates() {
        StraceFormatter utc = new StraceFormatter(TraceOptions.defaults().withZone(java.time.ZoneId.of("UTC")));
        Payload times = Bytes.of(32).u64(0, 1577836800).u64(8, 0).u64(16, 1577836800).u64(24, 123456789).payload();
        assertThat(utc.formatSyscall(call("utimensat", -100, 0x1000, 0x7000, 0).string(1, "/tmp/ut.file")
                .payload(2, times).returns(0).build()))
                .isEqualTo("utimensat(AT_FDCWD, \"/tmp/ut.file\", [{tv_sec=1577836800, tv_nsec=0}"
                        + " /* 2020-01-01T00:00:00+0000 */, {tv_sec=1577836800, tv_nsec=123456789}"
                        + " /* 2020-01-01T00:00:00.123456789+0000 */], 0) = 0");
        StraceFormatter kolkata = new StraceFormatter(TraceOptions.defaults()
                .withZone(java.time.ZoneId.of("Asia/Kolkata")));
        assertThat(kolkata.formatSyscall(call("utimensat", -100, 0x1000, 0x7000, 0).string(1, "/tmp/ut.file")
                .payload(2, times).returns(0).build()))
                .contains("/* 2020-01-01T05:30:00+0530 */", "/* 2020-01-01T05:30:00.123456789+0530 */");
        // The markers by name; no date for the epoch or for a nanosecond count the kernel refuses.
        Payload marks = Bytes.of(32).u64(0, 0).u64(8, (1 << 30) - 1).u64(16, 5).u64(24, (1 << 30) - 2).payload();
        assertThat(utc.formatSyscall(call("utimensat", -100, 0x1000, 0x7000, 0x100).string(1, "f")
                .payload(2, marks).returns(0).build()))
                .isEqualTo("utimensat(AT_FDCWD, \"f\", [UTIME_NOW, UTIME_OMIT], AT_SYMLINK_NOFOLLOW) = 0");
        StraceFormatter raw = new StraceFormatter(TraceOptions.defaults().withXlatStyle(
                dev.jpoline.api.consts.XlatStyle.RAW).withZone(java.time.ZoneId.of("UTC")));
        assertThat(raw.formatSyscall(call("utimensat", -100, 0x1000, 0x7000, 0x100).string(1, "f")
                .payload(2, marks).returns(0).build()))
                .isEqualTo("utimensat(-100, \"f\", [{tv_sec=0, tv_nsec=1073741823}, {tv_sec=5, tv_nsec=1073741822}],"
                        + " 0x100) = 0");
        Payload odd = Bytes.of(32).u64(0, 0).u64(8, 0).u64(16, 1).u64(24, 2000000000).payload();
        assertThat(utc.formatSyscall(call("utimensat", -100, 0x1000, 0x7000, 0).string(1, "f")
                .payload(2, odd).fails(22).build()))
                .isEqualTo("utimensat(AT_FDCWD, \"f\", [{tv_sec=0, tv_nsec=0}, {tv_sec=1, tv_nsec=2000000000}], 0)"
                        + " = -1 EINVAL (Invalid argument)");
    }

    @Test
    void readWriteAndBuffers() {
        assertThat(plainLine(9783, call("read", 4, 0x7ffc0000, 10).payload(1, text("root:x:0:0")).returns(10)))
                .isEqualTo("9783  read(4, \"root:x:0:0\", 10)         = 10");
        assertThat(line(call("read", 3, 0x7ffc0000, 4096).payload(1, text("# Locale name alias data base.\n#"
                + " Copyright (C) 1996-2020 Free Software Foundation")).returns(2996)))
                .isEqualTo("read(3, \"# Locale name alias data base.\\n#\"..., 4096) = 2996");
        assertThat(plainLine(9783, call("read", 3, 0x7ffc0000, 4096).payload(1, text("")).returns(0)))
                .isEqualTo("9783  read(3, \"\", 4096)                 = 0");
        byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, '>', 0, 1, 0, 0, 0, 0x10, 't', 2,
            0, 0, 0, 0, 0, 0x40};
        assertThat(line(call("read", 3, 0x7ffc0000, 832).bytes(1, elf).returns(832)))
                .isEqualTo("read(3, \"\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0\\20t\\2\\0\\0\\0\\0\\0\""
                        + "..., 832) = 832");
        assertThat(plainLine(9783, call("write", 4, 0x5000, 6).payload(1, text("hello\n")).returns(6)))
                .isEqualTo("9783  write(4, \"hello\\n\", 6)            = 6");
        assertThat(plainLine(9783, call("pread64", 4, 0x7000, 5, 100).payload(1, text("usr/s")).returns(5)))
                .isEqualTo("9783  pread64(4, \"usr/s\", 5, 100)       = 5");
        // strace prints the address of a buffer the kernel did not fill (as for recvfrom below).
        assertThat(line(call("read", 3, 0x7ffe78517a20L, 10).fails(9)))
                .startsWith("read(3, 0x7ffe78517a20, 10) ");
    }

    @Test
    void vectoredIo() {
        Payload two = Bytes.of(32).u64(0, 0x1000).u64(8, 5).u64(16, 0x2000).u64(24, 1).payload();
        assertThat(line(call("writev", 1, 0x7000, 2).payload(1, two).elementPayload(1, 0, text("hello"))
                .elementPayload(1, 1, text("\n")).returns(6)))
                .isEqualTo("writev(1, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"\\n\", iov_len=1}], 2) = 6");
        assertThat(line(call("writev", -1, 0x7000, 2).payload(1, two).elementPayload(1, 0, text("hello"))
                .elementPayload(1, 1, text("\n")).fails(9)))
                .isEqualTo("writev(-1, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"\\n\", iov_len=1}], 2) = -1 EBADF"
                        + " (Bad file descriptor)");
        Payload reads = Bytes.of(32).u64(0, 0x1000).u64(8, 3).u64(16, 0x2000).u64(24, 10).payload();
        assertThat(line(call("readv", 3, 0x7000, 2).payload(1, reads).elementPayload(1, 0, text("abc"))
                .elementPayload(1, 1, text("defgh")).returns(8)))
                .isEqualTo("readv(3, [{iov_base=\"abc\", iov_len=3}, {iov_base=\"defgh\", iov_len=10}], 2) = 8");
        Payload one = Bytes.of(16).u64(0, 0x7fffdb6bb76dL).u64(8, 3).payload();
        assertThat(line(call("readv", 99, 0x7000, 1).payload(1, one).fails(9)))
                .isEqualTo("readv(99, [{iov_base=0x7fffdb6bb76d, iov_len=3}], 1) = -1 EBADF (Bad file descriptor)");
        Payload empty = Bytes.of(16).u64(0, 0x1000).u64(8, 0).payload();
        assertThat(line(call("writev", 1, 0x7000, 1).payload(1, empty).elementPayload(1, 0, text("abc")).returns(0)))
                .isEqualTo("writev(1, [{iov_base=\"\", iov_len=0}], 1) = 0");
        // as the runtime records them: no data for an empty buffer, nor for one beyond a read's result
        assertThat(line(call("writev", 1, 0x7000, 1).payload(1, empty).returns(0)))
                .isEqualTo("writev(1, [{iov_base=\"\", iov_len=0}], 1) = 0");
        Payload three = Bytes.of(48).u64(0, 0x1000).u64(8, 3).u64(16, 0x2000).u64(24, 8).u64(32, 0x3000).u64(40, 4)
                .payload();
        assertThat(line(call("readv", 3, 0x7000, 3).payload(1, three).elementPayload(1, 0, text("hel"))
                .elementPayload(1, 1, text("lo")).returns(5)))
                .isEqualTo("readv(3, [{iov_base=\"hel\", iov_len=3}, {iov_base=\"lo\", iov_len=8}, {iov_base=\"\", iov_len=4}],"
                        + " 3) = 5");
        Payload nullBase = Bytes.of(32).u64(0, 0x1000).u64(8, 1).u64(16, 0).u64(24, 0).payload();
        assertThat(line(call("writev", 4, 0x7000, 2).payload(1, nullBase).elementPayload(1, 0, text("x")).returns(1)))
                .isEqualTo("writev(4, [{iov_base=\"x\", iov_len=1}, {iov_base=NULL, iov_len=0}], 2) = 1");
        assertThat(line(call("writev", 1, 0, 0).returns(0))).isEqualTo("writev(1, NULL, 0)                      = 0");
        StraceFormatter s3 = new StraceFormatter(TraceOptions.defaults().withStringLimit(3));
        assertThat(s3.formatSyscall(call("writev", 1, 0x7000, 2).payload(1, two).elementPayload(1, 0, text("hello"))
                .elementPayload(1, 1, text("\n")).returns(6).build()))
                .isEqualTo("writev(1, [{iov_base=\"hel\"..., iov_len=5}, {iov_base=\"\\n\", iov_len=1}], 2) = 6");
        Bytes many = Bytes.of(16 * 40);
        SyscallRecord.Builder b = call("writev", 1, 0x7000, 40);
        for (int i = 0; i < 40; i++) {
            many.u64(16 * i, 0x1000 + i).u64(16 * i + 8, 1);
            b.elementPayload(1, i, text("x"));
        }
        assertThat(line(b.payload(1, many.payload()).returns(40)))
                .startsWith("writev(1, [{iov_base=\"x\", iov_len=1}, ").endsWith("{iov_base=\"x\", iov_len=1}, ...], 40) = 40")
                .containsOnlyOnce("...");
    }

    @Test
    void closeAndDescriptorCalls() {
        assertThat(line(call("close", 3).returns(0))).isEqualTo("close(3)                                = 0");
        assertThat(line(call("close", -1).fails(9)))
                .isEqualTo("close(-1)                               = -1 EBADF (Bad file descriptor)");
        assertThat(line(call("dup", 1).returns(4))).isEqualTo("dup(1)                                  = 4");
        assertThat(line(call("dup2", 1, 10).returns(10))).isEqualTo("dup2(1, 10)                             = 10");
        assertThat(line(call("dup3", 1, 11, 02000000).returns(11)))
                .isEqualTo("dup3(1, 11, O_CLOEXEC)                  = 11");
        assertThat(line(call("pipe2", 0x7000, 0).bytes(0, Bytes.of(8).u32(0, 5).u32(4, 6).payload().bytes())
                .returns(0))).isEqualTo("pipe2([5, 6], 0)                        = 0");
        assertThat(line(call("pipe2", 0x7000, 04000 | 02000000).bytes(0, Bytes.of(8).u32(0, 7).u32(4, 8).payload()
                .bytes()).returns(0))).isEqualTo("pipe2([7, 8], O_NONBLOCK|O_CLOEXEC)     = 0");
        assertThat(line(call("lseek", 4, 0, 0).returns(0))).isEqualTo("lseek(4, 0, SEEK_SET)                   = 0");
        assertThat(line(call("lseek", 4, 5, 2).returns(1226)))
                .isEqualTo("lseek(4, 5, SEEK_END)                   = 1226");
        assertThat(line(call("lseek", 4, 5, 7).fails(22)))
                .isEqualTo("lseek(4, 5, 0x7 /* SEEK_??? */)         = -1 EINVAL (Invalid argument)");
    }

    @Test
    void statFamily() {
        assertThat(line(call("newfstatat", 3, 0x1000, 0x7000, 0x1000).string(1, "")
                .payload(2, Bytes.stat(0100644, 34611, 0)).returns(0)))
                .isEqualTo("newfstatat(3, \"\", {st_mode=S_IFREG|0644, st_size=34611, ...}, AT_EMPTY_PATH) = 0");
        assertThat(line(call("newfstatat", -100, 0x1000, 0x7000, 0).string(1, "/etc")
                .payload(2, Bytes.stat(040755, 4096, 0)).returns(0)))
                .isEqualTo("newfstatat(AT_FDCWD, \"/etc\", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0");
        assertThat(line(call("newfstatat", -100, 0x1000, 0x7ffca5edd280L, 0x100).string(1, "/nonexist").fails(2)))
                .isEqualTo("newfstatat(AT_FDCWD, \"/nonexist\", 0x7ffca5edd280, AT_SYMLINK_NOFOLLOW) = -1 ENOENT"
                        + " (No such file or directory)");
        assertThat(line(call("newfstatat", -100, 0x1000, 0x7000, 0x100).string(1, "/dev/null")
                .payload(2, Bytes.stat(020666, 0, 0x103)).returns(0)))
                .isEqualTo("newfstatat(AT_FDCWD, \"/dev/null\", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3),"
                        + " ...}, AT_SYMLINK_NOFOLLOW) = 0");
        assertThat(line(call("newfstatat", -100, 0x1000, 0x7ffca5edd280L, 0x800000).string(1, "/tmp").fails(22)))
                .isEqualTo("newfstatat(AT_FDCWD, \"/tmp\", 0x7ffca5edd280, 0x800000 /* AT_??? */) = -1 EINVAL"
                        + " (Invalid argument)");
        assertThat(line(call("fstat", 3, 0x7000).payload(1, Bytes.stat(0100644, 1234, 0)).returns(0)))
                .isEqualTo("fstat(3, {st_mode=S_IFREG|0644, st_size=1234, ...}) = 0");
        Payload statx = Bytes.of(256).u32(0, 0x17ff).u64(8, 0).u16(28, 0100644).u64(40, 1221).payload();
        assertThat(line(call("statx", -100, 0x1000, 0, 0x7ff, 0x7000).string(1, "/etc/passwd")
                .payload(4, statx).returns(0)))
                .isEqualTo("statx(AT_FDCWD, \"/etc/passwd\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS,"
                        + " {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0644,"
                        + " stx_size=1221, ...}) = 0");
        Payload root = Bytes.of(256).u32(0, 0x1fff).u64(8, 0x2000).u16(28, 040755).u64(40, 4096).payload();
        assertThat(line(call("statx", -100, 0x1000, 0x5000, 0xfff, 0x7000).string(1, "/").payload(4, root)
                .returns(0)))
                .isEqualTo("statx(AT_FDCWD, \"/\", AT_STATX_DONT_SYNC|AT_EMPTY_PATH, STATX_ALL,"
                        + " {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=STATX_ATTR_MOUNT_ROOT,"
                        + " stx_mode=S_IFDIR|0755, stx_size=4096, ...}) = 0");
        // ls -la /dev/null: a device keeps stx_size (strace 6.1 shows its numbers only with -v).
        Payload dev = Bytes.of(256).u32(0, 0x17ff).u16(28, 020666).u64(40, 0).u32(128, 1).u32(132, 3).payload();
        assertThat(line(call("statx", -100, 0x1000, 0x6900, 0x25f, 0x7000).string(1, "/dev/null").payload(4, dev)
                .returns(0))).endsWith("{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0,"
                        + " stx_mode=S_IFCHR|0666, stx_size=0, ...}) = 0");
    }

    @Test
    void accessAndPathCalls() {
        assertThat(plainLine(9127, call("access", 0x1000, 4).string(0, "/etc/ld.so.preload").fails(2)))
                .isEqualTo("9127  access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory)");
        assertThat(plainLine(9783, call("access", 0x1000, 7).string(0, "/etc").returns(0)))
                .isEqualTo("9783  access(\"/etc\", R_OK|W_OK|X_OK)    = 0");
        assertThat(plainLine(9783, call("access", 0x1000, 12).string(0, "/etc").fails(22)))
                .isEqualTo("9783  access(\"/etc\", R_OK|0x8)          = -1 EINVAL (Invalid argument)");
        assertThat(line(call("faccessat2", -100, 0x1000, 2, 0x200).string(1, "/etc").returns(0)))
                .isEqualTo("faccessat2(AT_FDCWD, \"/etc\", W_OK, AT_EACCESS) = 0");
        assertThat(plainLine(9783, call("getcwd", 0x7000, 300).string(0, "/tmp/fmtw").returns(10)))
                .isEqualTo("9783  getcwd(\"/tmp/fmtw\", 300)          = 10");
        assertThat(plainLine(9783, call("chdir", 0x1000).string(0, "/tmp").returns(0)))
                .isEqualTo("9783  chdir(\"/tmp\")                     = 0");
        assertThat(plainLine(9783, call("mkdir", 0x1000, 0755).string(0, "/tmp/fmtw/d").returns(0)))
                .isEqualTo("9783  mkdir(\"/tmp/fmtw/d\", 0755)        = 0");
        assertThat(line(call("mkdir", 0x1000, 0).string(0, "/tmp/fmtw/zz").returns(0)))
                .isEqualTo("mkdir(\"/tmp/fmtw/zz\", 000)              = 0");
        assertThat(line(call("unlinkat", -100, 0x1000, 0x200).string(1, "/tmp/fmtw/none").fails(2)))
                .isEqualTo("unlinkat(AT_FDCWD, \"/tmp/fmtw/none\", AT_REMOVEDIR) = -1 ENOENT (No such file or"
                        + " directory)");
        assertThat(line(call("rename", 0x1000, 0x2000).string(0, "/tmp/fmtw/new.txt").string(1, "/tmp/fmtw/new2.txt")
                .returns(0))).isEqualTo("rename(\"/tmp/fmtw/new.txt\", \"/tmp/fmtw/new2.txt\") = 0");
        assertThat(line(call("renameat2", -100, 0x1000, -100, 0x2000, 1).string(1, "/x").string(3, "/y").fails(2)))
                .isEqualTo("renameat2(AT_FDCWD, \"/x\", AT_FDCWD, \"/y\", RENAME_NOREPLACE) = -1 ENOENT (No such"
                        + " file or directory)");
        assertThat(line(call("readlink", 0x1000, 0x7000, 300).string(0, "/proc/self/exe")
                .payload(1, text("/tmp/fmtw/t")).returns(11)))
                .isEqualTo("readlink(\"/proc/self/exe\", \"/tmp/fmtw/t\", 300) = 11");
        assertThat(plainLine(9783, call("chmod", 0x1000, 04755).string(0, "/tmp/fmtw/new2.txt").returns(0)))
                .isEqualTo("9783  chmod(\"/tmp/fmtw/new2.txt\", 04755) = 0");
        assertThat(line(call("umask", 022).returns(022))).isEqualTo("umask(022)                              = 022");
        assertThat(line(call("umask", 0).returns(022))).isEqualTo("umask(000)                              = 022");
        assertThat(line(call("umask", 02).returns(0))).isEqualTo("umask(002)                              = 000");
        assertThat(line(call("umask", 022).returns(02))).isEqualTo("umask(022)                              = 002");
        assertThat(line(call("mknod", 0x1000, 010600, 0).string(0, "/tmp/fmtw/ff").returns(0)))
                .isEqualTo("mknod(\"/tmp/fmtw/ff\", S_IFIFO|0600)     = 0");
        assertThat(line(call("getdents64", -1, 0x7ffe78517a20L, 100).fails(9)))
                .isEqualTo("getdents64(-1, 0x7ffe78517a20, 100)     = -1 EBADF (Bad file descriptor)");
    }

    @Test
    void memoryCalls() {
        assertThat(line(call("mmap", 0, 8192, 3, 0x22, -1, 0).returns(0x7f3f24765000L)))
                .isEqualTo("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f3f24765000");
        assertThat(line(call("mmap", 0x7f3f245a0000L, 1400832, 5, 0x812, 3, 0x26000).returns(0x7f3f245a0000L)))
                .isEqualTo("mmap(0x7f3f245a0000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3,"
                        + " 0x26000) = 0x7f3f245a0000");
        assertThat(line(call("mmap", 0, 4096, 1, 3 | 0x4000 | 0x100 | 0x8000000, 99, 4096).fails(9)))
                .isEqualTo("mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE|MAP_NORESERVE|MAP_GROWSDOWN|2<<MAP_HUGE_SHIFT,"
                        + " 99, 0x1000) = -1 EBADF (Bad file descriptor)");
        assertThat(line(call("mprotect", 0x7f3f24749000L, 16384, 1).returns(0)))
                .isEqualTo("mprotect(0x7f3f24749000, 16384, PROT_READ) = 0");
        assertThat(line(call("mprotect", 0x7fdc95dae000L, 4096, 0x105).fails(22)))
                .isEqualTo("mprotect(0x7fdc95dae000, 4096, PROT_READ|PROT_EXEC|0x100) = -1 EINVAL (Invalid argument)");
        assertThat(line(call("munmap", 0x7f3f2475c000L, 34611).returns(0)))
                .isEqualTo("munmap(0x7f3f2475c000, 34611)           = 0");
        assertThat(line(call("brk", 0).returns(0x55d9b6cd9000L)))
                .isEqualTo("brk(NULL)                               = 0x55d9b6cd9000");
        assertThat(line(call("brk", 0x55d9b6cfa000L).returns(0x55d9b6cfa000L)))
                .isEqualTo("brk(0x55d9b6cfa000)                     = 0x55d9b6cfa000");
        assertThat(line(call("madvise", 0x7fdc95dae000L, 4096, 99).fails(22)))
                .isEqualTo("madvise(0x7fdc95dae000, 4096, 0x63 /* MADV_??? */) = -1 EINVAL (Invalid argument)");
        assertThat(line(call("mremap", 0x7fdc95dae000L, 8192, 16384, 1).fails(14)))
                .isEqualTo("mremap(0x7fdc95dae000, 8192, 16384, MREMAP_MAYMOVE) = -1 EFAULT (Bad address)");
    }

    private static Payload zeros(int size) {
        return Bytes.of(size).payload();
    }

    @Test
    void signalCalls() {
        Payload handler = Bytes.of(32).u64(0, 0x559150baf559L).u64(8, 0x04000000 | 0x10000000 | 4)
                .u64(16, 0x7fdc95c01050L).u64(24, (1L << 14) | (1L << 36)).payload();
        assertThat(line(call("rt_sigaction", 10, 0x7000, 0, 8).payload(1, handler).returns(0)))
                .isEqualTo("rt_sigaction(SIGUSR1, {sa_handler=0x559150baf559, sa_mask=[TERM RT_5],"
                        + " sa_flags=SA_RESTORER|SA_RESTART|SA_SIGINFO, sa_restorer=0x7fdc95c01050}, NULL, 8) = 0");
        Payload ignore = Bytes.of(32).u64(0, 1).u64(8, 0x04000000).u64(16, 0x7fdc95c01050L).payload();
        assertThat(line(call("rt_sigaction", 13, 0x7000, 0, 8).payload(1, ignore).returns(0)))
                .isEqualTo("rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER,"
                        + " sa_restorer=0x7fdc95c01050}, NULL, 8) = 0");
        // dd's int sa_flags with SA_RESETHAND, sign-extended by glibc: strace shows the high bits.
        Payload resethand = Bytes.of(32).u64(0, 0x5561cf5c06a0L).u64(8, 0xffffffff84000000L | 0x40000000)
                .u64(16, 0x7fc63ade3050L).u64(24, (1L << 1) | (1L << 9)).payload();
        assertThat(line(call("rt_sigaction", 2, 0x7000, 0, 8).payload(1, resethand).returns(0)))
                .isEqualTo("rt_sigaction(SIGINT, {sa_handler=0x5561cf5c06a0, sa_mask=[INT USR1],"
                        + " sa_flags=SA_RESTORER|SA_NODEFER|SA_RESETHAND|0xffffffff00000000,"
                        + " sa_restorer=0x7fc63ade3050}, NULL, 8) = 0");
        // zstd's crash handlers: SA_RESETHAND|SA_NODEFER and the historical SA_INTERRUPT bit.
        Payload oneShot = Bytes.of(32).u64(0, 0x55d548dcba80L).u64(8, 0xffffffffe4000000L | 0x40000000)
                .u64(16, 0x7ff54e494050L).payload();
        assertThat(line(call("rt_sigaction", 6, 0x7000, 0x7100, 8).payload(1, oneShot).payload(2, zeros(32))
                .returns(0)))
                .isEqualTo("rt_sigaction(SIGABRT, {sa_handler=0x55d548dcba80, sa_mask=[], sa_flags=SA_RESTORER"
                        + "|SA_INTERRUPT|SA_NODEFER|SA_RESETHAND|0xffffffff00000000, sa_restorer=0x7ff54e494050},"
                        + " {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0");
        StraceFormatter raw = new StraceFormatter(TraceOptions.defaults().withXlatStyle(
                dev.jpoline.api.consts.XlatStyle.RAW));
        StraceFormatter verbose = new StraceFormatter(TraceOptions.defaults().withXlatStyle(
                dev.jpoline.api.consts.XlatStyle.VERBOSE));
        Payload dfl = Bytes.of(32).payload();
        assertThat(raw.formatSyscall(call("rt_sigaction", 2, 0, 0x7000, 8).payload(2, dfl).returns(0).build()))
                .isEqualTo("rt_sigaction(2, NULL, {sa_handler=0, sa_mask=[], sa_flags=0}, 8) = 0");
        assertThat(verbose.formatSyscall(call("rt_sigaction", 2, 0x7000, 0, 8).payload(1, ignore).returns(0).build()))
                .isEqualTo("rt_sigaction(2 /* SIGINT */, {sa_handler=0x1 /* SIG_IGN */, sa_mask=[],"
                        + " sa_flags=0x4000000 /* SA_RESTORER */, sa_restorer=0x7fdc95c01050}, NULL, 8) = 0");
        Payload all = Bytes.of(8).u64(0, ~((1L << 31) | (1L << 32))).payload();
        assertThat(line(call("rt_sigprocmask", 0, 0x7000, 0, 8).payload(1, all).returns(0)))
                .isEqualTo("rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1], NULL, 8) = 0");
        Payload intChld = Bytes.of(8).u64(0, (1L << 1) | (1L << 16)).payload();
        Payload old = Bytes.of(8).u64(0, ~((1L << 8) | (1L << 18) | (1L << 31) | (1L << 32))).payload();
        assertThat(line(call("rt_sigprocmask", 2, 0x7000, 0x7008, 8).payload(1, intChld).payload(2, old).returns(0)))
                .isEqualTo("rt_sigprocmask(SIG_SETMASK, [INT CHLD], ~[KILL STOP RTMIN RT_1], 8) = 0");
        assertThat(line(call("rt_sigprocmask", 2, 0x7000, 0, 8).payload(1, Bytes.of(8).payload()).returns(0)))
                .isEqualTo("rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = 0");
        assertThat(line(call("rt_sigreturn").payload(0, Bytes.of(8).payload()).returns(0)))
                .isEqualTo("rt_sigreturn({mask=[]})                 = 0");
        assertThat(line(call("kill", 9783, 10).returns(0))).isEqualTo("kill(9783, SIGUSR1)                     = 0");
        assertThat(line(call("kill", 9783, 0).returns(0))).isEqualTo("kill(9783, 0)                           = 0");
        assertThat(line(call("kill", 0, 99).fails(22)))
                .isEqualTo("kill(0, 99)                             = -1 EINVAL (Invalid argument)");
        assertThat(line(call("tgkill", 9868, 9868, 36).returns(0)))
                .isEqualTo("tgkill(9868, 9868, SIGRT_4)             = 0");
    }

    @Test
    void networkCalls() {
        assertThat(line(call("socket", 2, 1 | 02000000, 0).returns(9)))
                .isEqualTo("socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 9");
        assertThat(line(call("socket", 10, 2 | 04000, 17).returns(12)))
                .isEqualTo("socket(AF_INET6, SOCK_DGRAM|SOCK_NONBLOCK, IPPROTO_UDP) = 12");
        assertThat(plainLine(9868, call("socket", 1, 5, 0).returns(13))).isEqualTo("9868  socket(AF_UNIX, SOCK_SEQPACKET, 0) = 13");
        assertThat(line(call("socket", 16, 3, 0).returns(4)))
                .isEqualTo("socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 4");
        assertThat(line(call("socket", 99, 0, 0).fails(97)))
                .isEqualTo("socket(0x63 /* AF_??? */, 0, 0)         = -1 EAFNOSUPPORT (Address family not supported"
                        + " by protocol)");
        Payload sin = Bytes.of(16).u16(0, 2).be16(2, 9).u8(4, 127).u8(7, 1).payload();
        assertThat(line(call("connect", 9, 0x7000, 16).payload(1, sin).fails(111)))
                .isEqualTo("connect(9, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr(\"127.0.0.1\")}, 16)"
                        + " = -1 ECONNREFUSED (Connection refused)");
        Payload sin80 = Bytes.of(16).u16(0, 2).be16(2, 80).u8(4, 127).u8(7, 1).payload();
        assertThat(line(call("connect", 3, 0x7000, 16).payload(1, sin80).returns(0)))
                .isEqualTo("connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16)"
                        + " = 0");
        Payload sin6 = Bytes.of(28).u16(0, 10).be16(2, 443).u8(23, 1).payload();
        assertThat(line(call("connect", 14, 0x7000, 28).payload(1, sin6).fails(111)))
                .isEqualTo("connect(14, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0),"
                        + " inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = -1 ECONNREFUSED"
                        + " (Connection refused)");
        Payload sun = Bytes.of(110).u16(0, 1).str(2, "/run/nothing.sock").payload();
        assertThat(line(call("connect", 15, 0x7000, 110).payload(1, sun).fails(2)))
                .isEqualTo("connect(15, {sa_family=AF_UNIX, sun_path=\"/run/nothing.sock\"}, 110) = -1 ENOENT (No"
                        + " such file or directory)");
        assertThat(line(call("bind", 9, 0x7000, 16).payload(1, sin).returns(0)))
                .isEqualTo("bind(9, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0");
        assertThat(line(call("listen", 9, 5).returns(0))).isEqualTo("listen(9, 5)                            = 0");
        assertThat(line(call("sendto", 9, 0x7000, 2, 0x4040, 0, 0).payload(1, text("hi")).fails(32)))
                .isEqualTo("sendto(9, \"hi\", 2, MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0) = -1 EPIPE (Broken pipe)");
        assertThat(line(call("recvfrom", 9, 0x7ffe78517a20L, 10, 0, 0, 0).fails(107)))
                .isEqualTo("recvfrom(9, 0x7ffe78517a20, 10, 0, NULL, NULL) = -1 ENOTCONN (Transport endpoint is not"
                        + " connected)");
        assertThat(line(call("shutdown", 9, 2).returns(0))).isEqualTo("shutdown(9, SHUT_RDWR)                  = 0");
        Payload any = Bytes.of(16).u16(0, 2).payload();
        assertThat(line(call("getsockname", 3, 0x7000, 0x7100).payload(1, any)
                .payload(2, Bytes.of(8).u32(0, 16).u32(4, 16).payload()).returns(0)))
                .isEqualTo("getsockname(3, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr(\"0.0.0.0\")},"
                        + " [16]) = 0");
        assertThat(line(call("getsockname", 3, 0x7000, 0x7100).payload(1, any)
                .payload(2, Bytes.of(8).u32(0, 28).u32(4, 16).payload()).returns(0)))
                .isEqualTo("getsockname(3, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr(\"0.0.0.0\")},"
                        + " [28 => 16]) = 0");
        // Only the bytes the kernel wrote: an unnamed AF_UNIX socket (socketpair) is its family alone.
        Payload unnamed = Bytes.of(128).u16(0, 1).payload();
        assertThat(line(call("getsockname", 3, 0x7000, 0x7100).payload(1, unnamed)
                .payload(2, Bytes.of(8).u32(0, 128).u32(4, 2).payload()).returns(0)))
                .isEqualTo("getsockname(3, {sa_family=AF_UNIX}, [128 => 2]) = 0");
        Bytes named = Bytes.of(128).u16(0, 1);
        byte[] path = "/tmp/s".getBytes(StandardCharsets.ISO_8859_1);
        for (int k = 0; k < path.length; k++) {
            named.u8(2 + k, path[k]);
        }
        assertThat(line(call("getpeername", 3, 0x7000, 0x7100).payload(1, named.payload())
                .payload(2, Bytes.of(8).u32(0, 110).u32(4, 9).payload()).returns(0)))
                .isEqualTo("getpeername(3, {sa_family=AF_UNIX, sun_path=\"/tmp/s\"}, [110 => 9]) = 0");
        assertThat(line(call("setsockopt", 3, 0, 11, 0x7000, 4).payload(3, Bytes.of(4).u32(0, 1).payload())
                .returns(0))).isEqualTo("setsockopt(3, SOL_IP, IP_RECVERR, [1], 4) = 0");
        assertThat(line(call("getsockopt", 3, 1, 13, 0x7000, 0x7100).payload(3, Bytes.of(8).u32(0, 1).u32(4, 5)
                .payload()).payload(4, Bytes.of(8).u32(0, 8).u32(4, 8).payload()).returns(0)))
                .isEqualTo("getsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, [8]) = 0");
        assertThat(line(call("getsockopt", 3, 1, 4, 0x7000, 0x7100).payload(3, Bytes.of(4).payload())
                .payload(4, Bytes.of(4).u32(0, 4).payload()).returns(0)))
                .isEqualTo("getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0");
        assertThat(line(call("setsockopt", 9, 1, 2, 0x7000, 4).payload(3, Bytes.of(4).u32(0, 1).payload())
                .returns(0))).isEqualTo("setsockopt(9, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0");
    }

    @Test
    void pollAndEpoll() {
        Payload fds = Bytes.of(16).u32(0, 7).u16(4, 1).u32(8, 1).u16(12, 4).u16(14, 4).payload();
        assertThat(line(call("poll", 0x7000, 2, 0).payload(0, fds).returns(1)))
                .isEqualTo("poll([{fd=7, events=POLLIN}, {fd=1, events=POLLOUT}], 2, 0) = 1 ([{fd=1, revents=POLLOUT}])");
        assertThat(line(call("poll", 0x7000, 2, 0).payload(0, fds).returns(0)))
                .isEqualTo("poll([{fd=7, events=POLLIN}, {fd=1, events=POLLOUT}], 2, 0) = 0 (Timeout)");
        assertThat(line(call("epoll_create1", 02000000).returns(16)))
                .isEqualTo("epoll_create1(EPOLL_CLOEXEC)            = 16");
        Payload ev = Bytes.of(12).u32(0, 0x80000001L).u64(4, 7).payload();
        assertThat(line(call("epoll_ctl", 16, 1, 7, 0x7000).payload(3, ev).returns(0)))
                .isEqualTo("epoll_ctl(16, EPOLL_CTL_ADD, 7, {events=EPOLLIN|EPOLLET, data={u32=7, u64=7}}) = 0");
        assertThat(line(call("epoll_wait", 16, 0x7000, 1, 0).payload(1, Bytes.of(12).payload()).returns(0)))
                .isEqualTo("epoll_wait(16, [], 1, 0)                = 0");
    }

    /** An fd_set payload: the set at entry, then the set the kernel left. */
    private static Payload fdSets(int[] atEntry, int[] atExit) {
        byte[] raw = new byte[256];
        for (int fd : atEntry) {
            raw[fd / 8] |= (byte) (1 << (fd % 8));
        }
        for (int fd : atExit) {
            raw[128 + fd / 8] |= (byte) (1 << (fd % 8));
        }
        return Payload.complete(raw);
    }

    @Test
    void selectFamily() {
        Payload timeout = Bytes.of(32).u64(0, 1).u64(8, 500000).u64(16, 1).u64(24, 497767).payload();
        assertThat(line(call("pselect6", 5, 0x7000, 0x7100, 0, 0x7200, 0)
                .payload(1, fdSets(new int[] {0, 3}, new int[] {0, 3})).payload(2, fdSets(new int[] {4}, new int[] {4}))
                .payload(4, timeout).returns(3)))
                .isEqualTo("pselect6(5, [0 3], [4], NULL, {tv_sec=1, tv_nsec=500000}, NULL) = 3 (in [0 3], out [4],"
                        + " left {tv_sec=1, tv_nsec=497767})");
        assertThat(line(call("pselect6", 8, 0x7000, 0, 0, 0x7200, 0).payload(1, fdSets(new int[] {7}, new int[0]))
                .payload(4, Bytes.of(32).payload()).fails(9)))
                .isEqualTo("pselect6(8, [7], NULL, NULL, {tv_sec=0, tv_nsec=0}, NULL) = -1 EBADF (Bad file descriptor)");
        Payload two = Bytes.of(32).u64(0, 2).u64(16, 1).u64(24, 999998708).payload();
        assertThat(line(call("pselect6", 4, 0x7000, 0, 0, 0x7200, 0x7300)
                .payload(1, fdSets(new int[] {3}, new int[] {3})).payload(4, two)
                .payload(5, Bytes.of(16).u64(0, 0x7400).u64(8, 8).payload()).elementPayload(5, 0, Bytes.of(8).payload())
                .returns(1)))
                .isEqualTo("pselect6(4, [3], NULL, NULL, {tv_sec=2, tv_nsec=0}, {sigmask=[], sigsetsize=8}) = 1 (in [3],"
                        + " left {tv_sec=1, tv_nsec=999998708})");
        Payload fds = Bytes.of(16).u32(0, 3).u16(4, 1).u16(6, 1).u32(8, 4).u16(12, 4).u16(14, 4).payload();
        assertThat(line(call("ppoll", 0x7000, 2, 0x7100, 0x7200, 8).payload(0, fds)
                .payload(2, Bytes.of(32).u64(0, 2).u64(16, 1).u64(24, 999999099).payload())
                .payload(3, Bytes.of(8).payload()).returns(2)))
                .isEqualTo("ppoll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}], 2, {tv_sec=2, tv_nsec=0}, [], 8) = 2"
                        + " ([{fd=3, revents=POLLIN}, {fd=4, revents=POLLOUT}], left {tv_sec=1, tv_nsec=999999099})");
        assertThat(line(call("ppoll", 0x7000, 1, 0, 0, 8).payload(0, fds).returns(1)))
                .isEqualTo("ppoll([{fd=3, events=POLLIN}], 1, NULL, NULL, 8) = 1 ([{fd=3, revents=POLLIN}])");
    }

    @Test
    void fcntlAndIoctl() {
        assertThat(line(call("fcntl", 7, 3).returns(0x800)))
                .isEqualTo("fcntl(7, F_GETFL)                       = 0x800 (flags O_RDONLY|O_NONBLOCK)");
        assertThat(line(call("fcntl", 7, 4, 04000).returns(0)))
                .isEqualTo("fcntl(7, F_SETFL, O_RDONLY|O_NONBLOCK)  = 0");
        assertThat(line(call("fcntl", 7, 1).returns(1)))
                .isEqualTo("fcntl(7, F_GETFD)                       = 0x1 (flags FD_CLOEXEC)");
        assertThat(line(call("fcntl", 7, 2, 1).returns(0))).isEqualTo("fcntl(7, F_SETFD, FD_CLOEXEC)           = 0");
        assertThat(line(call("fcntl", 7, 1030, 20).returns(20)))
                .isEqualTo("fcntl(7, F_DUPFD_CLOEXEC, 20)           = 20");
        assertThat(line(call("fcntl", 0, 9999, 0xffffffffffffff80L).fails(22)))
                .isEqualTo("fcntl(0, 0x270f /* F_??? */, 0xffffffffffffff80) = -1 EINVAL (Invalid argument)");
        assertThat(line(call("ioctl", 1, 0x5413, 0x7ffe78517768L).fails(25)))
                .isEqualTo("ioctl(1, TIOCGWINSZ, 0x7ffe78517768)    = -1 ENOTTY (Inappropriate ioctl for device)");
        assertThat(line(call("ioctl", 0, 0x5401, 0x7ffe78517a20L).fails(25)))
                .isEqualTo("ioctl(0, TCGETS, 0x7ffe78517a20)        = -1 ENOTTY (Inappropriate ioctl for device)");
        assertThat(line(call("ioctl", 7, 0x541B, 0x7000).payload(2, Bytes.of(4).payload()).returns(0)))
                .isEqualTo("ioctl(7, FIONREAD, [0])                 = 0");
        assertThat(line(call("ioctl", 0, 0x12345678, 0).fails(25)))
                .isEqualTo("ioctl(0, _IOC(_IOC_NONE, 0x56, 0x78, 0x1234), 0) = -1 ENOTTY (Inappropriate ioctl for"
                        + " device)");
    }

    @Test
    void processCalls() {
        assertThat(line(call("execve", 0x1000, 0x2000, 0x7ffd3298fde0L).string(0, "/usr/bin/cat")
                .payload(1, Payload.ofStrings("cat", "/etc/hostname"))
                .payload(2, env(35)).returns(0)))
                .isEqualTo("execve(\"/usr/bin/cat\", [\"cat\", \"/etc/hostname\"], 0x7ffd3298fde0 /* 35 vars */) = 0");
        assertThat(line(call("exit_group", 0))).isEqualTo("exit_group(0)                           = ?");
        assertThat(line(call("exit_group", 3))).isEqualTo("exit_group(3)                           = ?");
        assertThat(line(call("getpid").returns(9783))).isEqualTo("getpid()                                = 9783");
        assertThat(line(call("clone", 0x1200011, 0, 0, 0x7f746211da10L, 0).returns(9869)))
                .isEqualTo("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD,"
                        + " child_tidptr=0x7f746211da10) = 9869");
        Payload exited3 = Bytes.of(4).u32(0, 3 << 8).payload();
        assertThat(line(call("wait4", 9869, 0x7000, 0, 0).payload(1, exited3).returns(9869)))
                .isEqualTo("wait4(9869, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 9869");
        Payload killed = Bytes.of(4).u32(0, 9).payload();
        assertThat(line(call("wait4", 9871, 0x7000, 0x40000001, 0).payload(1, killed).returns(9871)))
                .isEqualTo("wait4(9871, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], WNOHANG|__WALL, NULL) = 9871");
        assertThat(line(call("wait4", 9871, 0x7ffe7851773cL, 0, 0).fails(10)))
                .isEqualTo("wait4(9871, 0x7ffe7851773c, 0, NULL)    = -1 ECHILD (No child processes)");
        assertThat(line(call("arch_prctl", 0x1002, 0x7f3f24577740L).returns(0)))
                .isEqualTo("arch_prctl(ARCH_SET_FS, 0x7f3f24577740) = 0");
        assertThat(line(call("set_tid_address", 0x7f3f24577a10L).returns(9127)))
                .isEqualTo("set_tid_address(0x7f3f24577a10)         = 9127");
        assertThat(line(call("set_robust_list", 0x7f3f24577a20L, 24).returns(0)))
                .isEqualTo("set_robust_list(0x7f3f24577a20, 24)     = 0");
        assertThat(line(call("rseq", 0x7f3f24578060L, 0x20, 0, 0x53053053).returns(0)))
                .isEqualTo("rseq(0x7f3f24578060, 0x20, 0, 0x53053053) = 0");
        Payload stack = Bytes.of(16).u64(0, 8192 * 1024).u64(8, -1).payload();
        assertThat(line(call("prlimit64", 0, 3, 0, 0x7000).payload(3, stack).returns(0)))
                .isEqualTo("prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0");
        assertThat(line(call("getrandom", 0x7000, 8, 1).bytes(0, new byte[] {0x46, 0x0c, 0x7b, 0x59, 0x63,
            (byte) 0xe4, 0x00, 0x46}).returns(8)))
                .isEqualTo("getrandom(\"\\x46\\x0c\\x7b\\x59\\x63\\xe4\\x00\\x46\", 8, GRND_NONBLOCK) = 8");
        assertThat(line(call("futex", 0x7f3f2474ea4cL, 129, 2147483647).returns(0)))
                .isEqualTo("futex(0x7f3f2474ea4c, FUTEX_WAKE_PRIVATE, 2147483647) = 0");
        assertThat(line(call("futex", 0x7ffe78517764L, 0, 5, 0, 0, 0).fails(11)))
                .isEqualTo("futex(0x7ffe78517764, FUTEX_WAIT, 5, NULL) = -1 EAGAIN (Resource temporarily unavailable)");
        assertThat(line(call("futex", 0x7ffe78517764L, 9 | 128 | 256, 5, 0, 0, 0xffffffffL).fails(11)))
                .isEqualTo("futex(0x7ffe78517764, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 5, NULL,"
                        + " FUTEX_BITSET_MATCH_ANY) = -1 EAGAIN (Resource temporarily unavailable)");
        assertThat(line(call("clock_nanosleep", 0, 0, 0x7000, 0).payload(2, Bytes.of(16).u64(8, 1000).payload())
                .returns(0)))
                .isEqualTo("clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=1000}, NULL) = 0");
        assertThat(line(call("unshare", 0x10020000).returns(0)))
                .isEqualTo("unshare(CLONE_NEWNS|CLONE_NEWUSER)      = 0");
        assertThat(line(call("sched_getscheduler", 0).returns(0)))
                .isEqualTo("sched_getscheduler(0)                   = 0 (SCHED_OTHER)");
        assertThat(line(call("membarrier", 0, 0, 0).returns(0x3ff)))
                .as("membarrier has no decoder: raw arguments, decimal result")
                .isEqualTo("membarrier(0, 0, 0)                     = 1023");
    }

    @Test
    void clone3WithItsStruct() {
        Payload args = Bytes.of(88).u64(0, 0x5100).u64(8, 0x7ffc8acdc6dcL).u64(32, 17).payload();
        assertThat(line(call("clone3", 0x7000, 88).payload(0, args).returns(10406)))
                .isEqualTo("clone3({flags=CLONE_VM|CLONE_PIDFD|CLONE_VFORK, pidfd=0x7ffc8acdc6dc, exit_signal=SIGCHLD,"
                        + " stack=NULL, stack_size=0}, 88) = 10406");
        Payload thread = Bytes.of(88).u64(0, 0x3d0f00).u64(16, 0x7f6dcfdcf990L).u64(24, 0x7f6dcfdcf990L)
                .u64(40, 0x7f6dcf5cf000L).u64(48, 0x7fff80).u64(56, 0x7f6dcfdcf6c0L).payload();
        assertThat(line(call("clone3", 0x7000, 88).payload(0, thread)
                .elementPayload(0, 3, Bytes.of(4).u32(0, 19430).payload()).returns(19430)))
                .isEqualTo("clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM"
                        + "|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f6dcfdcf990,"
                        + " parent_tid=0x7f6dcfdcf990, exit_signal=0, stack=0x7f6dcf5cf000, stack_size=0x7fff80,"
                        + " tls=0x7f6dcfdcf6c0} => {parent_tid=[19430]}, 88) = 19430");
        StraceFormatter f = new StraceFormatter(TraceOptions.defaults());
        SyscallRecord vfork = call("clone3", 0x7000, 88).payload(0, args)
                .elementPayload(0, 1, Bytes.of(4).u32(0, 3).payload()).returns(10418).build();
        assertThat(f.formatUnfinished(vfork)).isEqualTo("clone3({flags=CLONE_VM|CLONE_PIDFD|CLONE_VFORK,"
                + " pidfd=0x7ffc8acdc6dc, exit_signal=SIGCHLD, stack=NULL, stack_size=0} <unfinished ...>");
        assertThat(f.formatResumed(vfork)).isEqualTo("<... clone3 resumed> => {pidfd=[3]}, 88) = 10418");
        assertThat(line(call("clone3", 0, 0).fails(22)))
                .isEqualTo("clone3(NULL, 0)                         = -1 EINVAL (Invalid argument)");
    }

    @Test
    void moreFileDescriptorAndPathCalls() {
        assertThat(line(call("uname", 0x7000).payload(0, Bytes.of(390).str(0, "Linux").str(65, "vm").payload())
                .returns(0))).isEqualTo("uname({sysname=\"Linux\", nodename=\"vm\", ...}) = 0");
        assertThat(line(call("clock_gettime", 0, 0x7000)
                .payload(1, Bytes.of(16).u64(0, 1795435628).u64(8, 141125584).payload()).returns(0)))
                .isEqualTo("clock_gettime(CLOCK_REALTIME, {tv_sec=1795435628, tv_nsec=141125584}) = 0");
        assertThat(line(call("nanosleep", 0x7000, 0).payload(0, Bytes.of(16).u64(8, 5000).payload()).returns(0)))
                .isEqualTo("nanosleep({tv_sec=0, tv_nsec=5000}, NULL) = 0");
        Payload its = Bytes.of(32).u64(16, 5).u64(24, 250).payload();
        assertThat(line(call("timer_settime", 0, 0, 0x7000, 0x7100).payload(2, its).payload(3, Bytes.of(32).payload())
                .returns(0))).isEqualTo("timer_settime(0, 0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=5,"
                        + " tv_nsec=250}}, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=0}}) = 0");
        assertThat(line(call("rt_sigsuspend", 0x7000, 8).payload(0, Bytes.of(8).payload()).fails(4)))
                .isEqualTo("rt_sigsuspend([], 8)                    = -1 EINTR (Interrupted system call)");
        // The remaining time only after an interruption: else its address, as strace prints it.
        Payload req = Bytes.of(16).u64(8, 1000000).payload();
        assertThat(line(call("nanosleep", 0x7000, 0x7ffe75bb9ea0L).payload(0, req)
                .payload(1, Bytes.of(16).u64(0, 7).u64(8, 7).payload()).returns(0)))
                .isEqualTo("nanosleep({tv_sec=0, tv_nsec=1000000}, 0x7ffe75bb9ea0) = 0");
        assertThat(line(call("clock_nanosleep", 0, 0, 0x7000, 0x7010).payload(2, Bytes.of(16).u64(0, 2).payload())
                .payload(3, Bytes.of(16).u64(0, 1).u64(8, 979964465).payload()).fails(4)))
                .isEqualTo("clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=2, tv_nsec=0}, {tv_sec=1, tv_nsec=979964465})"
                        + " = -1 EINTR (Interrupted system call)");
        assertThat(line(call("clock_nanosleep", 1, 1, 0x7000, 0x7010).payload(2, Bytes.of(16).u64(0, 2).payload())
                .payload(3, Bytes.of(16).u64(0, 1).payload()).fails(4)))
                .isEqualTo("clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, {tv_sec=2, tv_nsec=0}, 0x7010)"
                        + " = -1 EINTR (Interrupted system call)");
        assertThat(line(call("sigaltstack", 0, 0x7000).payload(1, Bytes.of(24).u32(8, 2).payload()).returns(0)))
                .isEqualTo("sigaltstack(NULL, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0");
        assertThat(line(call("socketpair", 1, 1 | 02000000, 0, 0x7000)
                .payload(3, Bytes.of(8).u32(0, 3).u32(4, 4).payload()).returns(0)))
                .isEqualTo("socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3, 4]) = 0");
        assertThat(line(call("accept4", 3, 0, 0, 04000).fails(22)))
                .isEqualTo("accept4(3, NULL, NULL, SOCK_NONBLOCK)   = -1 EINVAL (Invalid argument)");
        assertThat(line(call("epoll_create1", 0).returns(5))).isEqualTo("epoll_create1(0)                        = 5");
        assertThat(line(call("epoll_ctl", 5, 1, 4, 0x7000).payload(3, Bytes.of(12).u32(0, 4).u64(4, 4).payload())
                .returns(0))).isEqualTo("epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT, data={u32=4, u64=4}}) = 0");
        assertThat(line(call("epoll_wait", 5, 0x7000, 4, 10).payload(1, Bytes.of(48).u32(0, 4).u64(4, 4).payload())
                .returns(1))).isEqualTo("epoll_wait(5, [{events=EPOLLOUT, data={u32=4, u64=4}}], 4, 10) = 1");
        assertThat(line(call("memfd_create", 0x1000, 1).string(0, "buf").returns(6)))
                .isEqualTo("memfd_create(\"buf\", MFD_CLOEXEC)        = 6");
        assertThat(line(call("sendfile", 4, 6, 0x7000, 3).payload(2, Bytes.of(16).u64(0, 0).u64(8, 3).payload())
                .returns(3))).isEqualTo("sendfile(4, 6, [0] => [3], 3)           = 3");
        // cp's reflink attempt: one request number with two names, the source descriptor in decimal.
        assertThat(line(call("ioctl", 4, 0x40049409L, 3).fails(95)))
                .isEqualTo("ioctl(4, BTRFS_IOC_CLONE or FICLONE, 3) = -1 EOPNOTSUPP (Operation not supported)");
        // copy_file_range and splice print their offsets as passed, though the kernel moves them.
        assertThat(line(call("copy_file_range", 3, 0x7000, 4, 0x7008, 5, 0)
                .payload(1, Bytes.of(16).u64(0, 6).u64(8, 11).payload())
                .payload(3, Bytes.of(16).u64(0, 0).u64(8, 5).payload()).returns(5)))
                .isEqualTo("copy_file_range(3, [6], 4, [0], 5, 0)   = 5");
        assertThat(line(call("copy_file_range", 3, 0, 99, 0, 5, 0).fails(9)))
                .isEqualTo("copy_file_range(3, NULL, 99, NULL, 5, 0) = -1 EBADF (Bad file descriptor)");
        assertThat(line(call("splice", 5, 0, 4, 0x7000, 5, 0).payload(3, Bytes.of(16).u64(0, 2).u64(8, 7).payload())
                .returns(5))).isEqualTo("splice(5, NULL, 4, [2], 5, 0)           = 5");
        assertThat(line(call("symlinkat", 0x1000, -100, 0x2000).string(0, "a.txt").string(2, "s2").fails(17)))
                .isEqualTo("symlinkat(\"a.txt\", AT_FDCWD, \"s2\")      = -1 EEXIST (File exists)");
        assertThat(line(call("linkat", -100, 0x1000, -100, 0x2000, 0x400).string(1, "s1").string(3, "h3").returns(0)))
                .isEqualTo("linkat(AT_FDCWD, \"s1\", AT_FDCWD, \"h3\", AT_SYMLINK_FOLLOW) = 0");
        assertThat(line(call("fchownat", -100, 0x1000, 0xffffffffL, 0, 0x100).string(1, "a.txt").returns(0)))
                .isEqualTo("fchownat(AT_FDCWD, \"a.txt\", -1, 0, AT_SYMLINK_NOFOLLOW) = 0");
        Payload how = Bytes.of(24).u64(0, 02000000).u64(16, 4).payload();
        assertThat(line(call("openat2", -100, 0x1000, 0x7000, 24).string(1, "/etc/hostname").payload(2, how)
                .returns(7))).isEqualTo("openat2(AT_FDCWD, \"/etc/hostname\", {flags=O_RDONLY|O_CLOEXEC,"
                        + " resolve=RESOLVE_NO_SYMLINKS}, 24) = 7");
        assertThat(line(call("close_range", 50, 0xffffffffL, 0).returns(0)))
                .isEqualTo("close_range(50, 4294967295, 0)          = 0");
        assertThat(line(call("flock", 6, 6).returns(0))).isEqualTo("flock(6, LOCK_EX|LOCK_NB)               = 0");
        assertThat(line(call("symlink", 0x1000, 0x2000).string(0, "/etc/hostname").string(1, "/tmp/fmtw/gd/ln")
                .returns(0))).isEqualTo("symlink(\"/etc/hostname\", \"/tmp/fmtw/gd/ln\") = 0");
        assertThat(line(call("link", 0x1000, 0x2000).string(0, "/tmp/fmtw/gd/ln").string(1, "/tmp/fmtw/gd/hard")
                .returns(0))).isEqualTo("link(\"/tmp/fmtw/gd/ln\", \"/tmp/fmtw/gd/hard\") = 0");
        assertThat(line(call("truncate", 0x1000, 10).string(0, "/tmp/fmtw/gd/none").fails(2)))
                .isEqualTo("truncate(\"/tmp/fmtw/gd/none\", 10)       = -1 ENOENT (No such file or directory)");
        assertThat(line(call("ftruncate", 6, 100).returns(0))).isEqualTo("ftruncate(6, 100)                       = 0");
        assertThat(line(call("creat", 0x1000, 0600).string(0, "/tmp/fmtw/gd/c").returns(8)))
                .isEqualTo("creat(\"/tmp/fmtw/gd/c\", 0600)           = 8");
        assertThat(line(call("faccessat", -100, 0x1000, 4).string(1, "/etc").returns(0)))
                .isEqualTo("faccessat(AT_FDCWD, \"/etc\", R_OK)       = 0");
        assertThat(line(call("readlinkat", -100, 0x1000, 0x7000, 64).string(1, "/tmp/fmtw/gd/ln")
                .payload(2, text("/etc/hostname")).returns(13)))
                .isEqualTo("readlinkat(AT_FDCWD, \"/tmp/fmtw/gd/ln\", \"/etc/hostname\", 64) = 13");
        assertThat(line(call("renameat", -100, 0x1000, -100, 0x2000).string(1, "/tmp/fmtw/gd/c")
                .string(3, "/tmp/fmtw/gd/c2").returns(0)))
                .isEqualTo("renameat(AT_FDCWD, \"/tmp/fmtw/gd/c\", AT_FDCWD, \"/tmp/fmtw/gd/c2\") = 0");
        assertThat(line(call("mkdirat", -100, 0x1000, 0700).string(1, "/tmp/fmtw/gd/dir").returns(0)))
                .isEqualTo("mkdirat(AT_FDCWD, \"/tmp/fmtw/gd/dir\", 0700) = 0");
        assertThat(line(call("fchmodat", -100, 0x1000, 0755).string(1, "/tmp/fmtw/gd/dir").returns(0)))
                .isEqualTo("fchmodat(AT_FDCWD, \"/tmp/fmtw/gd/dir\", 0755) = 0");
        assertThat(line(call("fchmod", 6, 0640).returns(0))).isEqualTo("fchmod(6, 0640)                         = 0");
        assertThat(line(call("getdents64", 9, 0x7ffdf339bd00L, 64).payload(1, Bytes.of(48).u16(16, 24).u16(40, 24)
                .payload()).returns(48)))
                .isEqualTo("getdents64(9, 0x7ffdf339bd00 /* 2 entries */, 64) = 48");
    }

    @Test
    void moreProcessAndSignalCalls() {
        assertThat(line(call("prctl", 15, 0x1000).string(1, "worker").returns(0)))
                .isEqualTo("prctl(PR_SET_NAME, \"worker\")            = 0");
        assertThat(line(call("prctl", 16, 0x1000).string(1, "worker").returns(0)))
                .isEqualTo("prctl(PR_GET_NAME, \"worker\")            = 0");
        assertThat(line(call("prctl", 38, 1, 0, 0, 0).returns(0)))
                .isEqualTo("prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  = 0");
        assertThat(line(call("prctl", 1, 9).returns(0))).isEqualTo("prctl(PR_SET_PDEATHSIG, SIGKILL)        = 0");
        assertThat(line(call("alarm", 10).returns(0))).isEqualTo("alarm(10)                               = 0");
        assertThat(line(call("alarm", 0).returns(10))).isEqualTo("alarm(0)                                = 10");
        assertThat(line(call("sched_yield").returns(0))).isEqualTo("sched_yield()                           = 0");
        Payload act = Bytes.of(32).u64(8, 0x04000000).u64(16, 0x7f650597f050L).payload();
        assertThat(line(call("rt_sigaction", 15, 0x7000, 0x7100, 8).payload(1, act).payload(2, Bytes.of(32).payload())
                .returns(0)))
                .isEqualTo("rt_sigaction(SIGTERM, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER,"
                        + " sa_restorer=0x7f650597f050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0");
        assertThat(line(call("execve", 0x1000, 0x2000, 0x7ffdf339bb80L).string(0, "/nonexistent")
                .payload(1, Payload.ofStrings("nope", "x")).payload(2, Payload.ofStrings("A=1")).fails(2)))
                .isEqualTo("execve(\"/nonexistent\", [\"nope\", \"x\"], 0x7ffdf339bb80 /* 1 var */) = -1 ENOENT (No"
                        + " such file or directory)");
    }

    @Test
    void callsSeenTracingLsBashPythonAndJava() {
        assertThat(line(call("getxattr", 0x1000, 0x2000, 0, 0).string(0, "/etc").string(1, "system.posix_acl_access")
                .fails(61)))
                .isEqualTo("getxattr(\"/etc\", \"system.posix_acl_access\", NULL, 0) = -1 ENODATA (No data available)");
        assertThat(line(call("lgetxattr", 0x1000, 0x2000, 0x564537141640L, 255).string(0, "/etc")
                .string(1, "security.selinux").fails(61)))
                .isEqualTo("lgetxattr(\"/etc\", \"security.selinux\", 0x564537141640, 255) = -1 ENODATA (No data"
                        + " available)");
        assertThat(plainLine(9783, call("sched_getaffinity", 0, 128, 0x7000)
                .payload(2, Bytes.of(32).u8(0, 3).payload()).returns(32)))
                .isEqualTo("9783  sched_getaffinity(0, 128, [0 1])  = 32");
        Payload si = Bytes.of(112).u64(0, 6768).u64(8, 173312).u64(16, 173824).u64(24, 139360)
                .u64(32, 25276502016L).u64(40, 23936741376L).u64(48, 9441280).u64(56, 3305472).u16(80, 141)
                .u32(104, 1).payload();
        assertThat(line(call("sysinfo", 0x7000).payload(0, si).returns(0)))
                .isEqualTo("sysinfo({uptime=6768, loads=[173312, 173824, 139360], totalram=25276502016,"
                        + " freeram=23936741376, sharedram=9441280, bufferram=3305472, totalswap=0, freeswap=0,"
                        + " procs=141, totalhigh=0, freehigh=0, mem_unit=1}) = 0");
        StraceFormatter f = new StraceFormatter(TraceOptions.defaults());
        SyscallRecord rusage = call("getrusage", 1, 0x7000).payload(1, Bytes.of(144).u64(8, 159).payload())
                .returns(0).build();
        assertThat(f.formatUnfinished(rusage)).isEqualTo("getrusage(RUSAGE_THREAD,  <unfinished ...>");
        assertThat(f.formatResumed(rusage))
                .isEqualTo("<... getrusage resumed>{ru_utime={tv_sec=0, tv_usec=159}, ru_stime={tv_sec=0, tv_usec=0},"
                        + " ...}) = 0");
        assertThat(plainLine(9783, call("clock_getres", 0xfffcedc6L, 0x7000)
                .payload(1, Bytes.of(16).u64(8, 1).payload()).returns(0)))
                .isEqualTo("9783  clock_getres(0xfffcedc6 /* CLOCK_??? */, {tv_sec=0, tv_nsec=1}) = 0");
        assertThat(plainLine(9783, call("getpeername", 0, 0x7fffae7113c0L, 0x7000)
                .payload(2, Bytes.of(4).u32(0, 16).payload()).fails(88)))
                .isEqualTo("9783  getpeername(0, 0x7fffae7113c0, [16]) = -1 ENOTSOCK (Socket operation on non-socket)");
    }

    @Test
    void filesystemStatistics() {
        Payload root = Bytes.of(120).u64(0, 0xef53).u64(8, 4096).u64(16, 66053021).u64(24, 60327905)
                .u64(32, 20872612).u64(40, 16777216).u64(48, 16368951).u32(56, 0xacd8d6d9L).u32(60, 0x231388c7)
                .u64(64, 255).u64(72, 4096).u64(80, 0x1020).payload();
        assertThat(line(call("statfs", 0x1000, 0x7000).string(0, "/").payload(1, root).returns(0)))
                .isEqualTo("statfs(\"/\", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=66053021, f_bfree=60327905,"
                        + " f_bavail=20872612, f_files=16777216, f_ffree=16368951, f_fsid={val=[0xacd8d6d9, 0x231388c7]},"
                        + " f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0");
        Payload sys = Bytes.of(120).u64(0, 0x62656572).u64(8, 4096).u32(56, 0xd30f0a76L).u32(60, 0x60fafe1d)
                .u64(64, 255).u64(72, 4096).u64(80, 0x1020).payload();
        assertThat(line(call("fstatfs", 3, 0x7000).payload(1, sys).returns(0)))
                .isEqualTo("fstatfs(3, {f_type=SYSFS_MAGIC, f_bsize=4096, f_blocks=0, f_bfree=0, f_bavail=0, f_files=0,"
                        + " f_ffree=0, f_fsid={val=[0xd30f0a76, 0x60fafe1d]}, f_namelen=255, f_frsize=4096,"
                        + " f_flags=ST_VALID|ST_RELATIME}) = 0");
        assertThat(line(call("statfs", 0x1000, 0x7ffe987ebf80L).string(0, "/sys/fs/selinux").fails(2)))
                .isEqualTo("statfs(\"/sys/fs/selinux\", 0x7ffe987ebf80) = -1 ENOENT (No such file or directory)");
    }

    @Test
    void terminalIoctlsOnAPty() {
        // ls and bash -i under script(1), strace 6.1.
        Payload tty = Bytes.of(60).u32(0, 0400 | 02000).u32(4, 01 | 04).u32(8, 017 | 060 | 0200)
                .u32(12, 01 | 02 | 010 | 020 | 040 | 0100000 | 01000 | 04000).payload();
        assertThat(line(call("ioctl", 1, 0x5401, 0x7000).payload(2, tty).returns(0)))
                .isEqualTo("ioctl(1, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR,"
                        + " c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...})"
                        + " = 0");
        assertThat(line(call("ioctl", 1, 0x5413, 0x7000).payload(2, Bytes.of(8).payload()).returns(0)))
                .isEqualTo("ioctl(1, TIOCGWINSZ, {ws_row=0, ws_col=0, ws_xpixel=0, ws_ypixel=0}) = 0");
        assertThat(line(call("ioctl", 255, 0x540F, 0x7000).payload(2, Bytes.of(4).u32(0, 25942).payload())
                .returns(0))).isEqualTo("ioctl(255, TIOCGPGRP, [25942])          = 0");
        assertThat(line(call("ioctl", 255, 0x5410, 0x7000).payload(2, Bytes.of(4).u32(0, 25945).payload())
                .returns(0))).isEqualTo("ioctl(255, TIOCSPGRP, [25945])          = 0");
    }

    private static String styled(dev.jpoline.api.consts.XlatStyle style, SyscallRecord.Builder b) {
        return new StraceFormatter(TraceOptions.defaults().withXlatStyle(style)).formatSyscall(b.build());
    }

    /** One long per element, as a node mask's payload. */
    private static Payload longs(long... words) {
        Bytes b = Bytes.of(8 * words.length);
        for (int i = 0; i < words.length; i++) {
            b.u64(8 * i, words[i]);
        }
        return b.payload();
    }

    @Test
    void posixTimersWithTheirSigevents() {
        Payload signal = Bytes.of(32).u64(0, 42).u32(8, 10).u32(12, 0).payload();
        assertThat(line(call("timer_create", 1, 0x7000, 0x7100).payload(1, signal)
                .payload(2, Bytes.of(4).payload()).returns(0)))
                .isEqualTo("timer_create(CLOCK_MONOTONIC, {sigev_value={sival_int=42, sival_ptr=0x2a}, "
                        + "sigev_signo=SIGUSR1, sigev_notify=SIGEV_SIGNAL}, [0]) = 0");
        // No signal sent: the number as it is.
        Payload none = Bytes.of(32).u64(0, 42).u32(8, 10).u32(12, 1).payload();
        assertThat(line(call("timer_create", 7, 0x7000, 0x7100).payload(1, none)
                .payload(2, Bytes.of(4).u32(0, 1).payload()).returns(0)))
                .isEqualTo("timer_create(CLOCK_BOOTTIME, {sigev_value={sival_int=42, sival_ptr=0x2a}, "
                        + "sigev_signo=10, sigev_notify=SIGEV_NONE}, [1]) = 0");
        Payload alarm = Bytes.of(32).u32(8, 14).payload();
        assertThat(line(call("timer_create", 0, 0x7000, 0x7100).payload(1, alarm)
                .payload(2, Bytes.of(4).u32(0, 2).payload()).returns(0)))
                .isEqualTo("timer_create(CLOCK_REALTIME, {sigev_signo=SIGALRM, sigev_notify=SIGEV_SIGNAL}, [2]) = 0");
        // glibc's CPU clock of the process, and a thread as the target.
        Payload thread = Bytes.of(32).u64(0, 42).u32(8, 35).u32(12, 4).u32(16, 19721).payload();
        assertThat(line(call("timer_create", 0xfffffffaL, 0x7000, 0x7100).payload(1, thread)
                .payload(2, Bytes.of(4).u32(0, 3).payload()).returns(0)))
                .isEqualTo("timer_create(0xfffffffa /* CLOCK_??? */, {sigev_value={sival_int=42, sival_ptr=0x2a}, "
                        + "sigev_signo=SIGRT_3, sigev_notify=SIGEV_THREAD_ID, sigev_notify_thread_id=19721}, [3]) = 0");
        assertThat(line(call("timer_create", 0x63, 8, 0x10).fails(14)))
                .isEqualTo("timer_create(0x63 /* CLOCK_??? */, 0x8, 0x10) = -1 EFAULT (Bad address)");
        assertThat(styled(dev.jpoline.api.consts.XlatStyle.RAW, call("timer_create", 1, 0x7000, 0x7100)
                .payload(1, signal).payload(2, Bytes.of(4).payload()).returns(0)))
                .isEqualTo("timer_create(0x1, {sigev_value={sival_int=42, sival_ptr=0x2a}, sigev_signo=10, "
                        + "sigev_notify=0}, [0]) = 0");
        assertThat(styled(dev.jpoline.api.consts.XlatStyle.VERBOSE, call("timer_create", 7, 0x7000, 0x7100)
                .payload(1, none).payload(2, Bytes.of(4).u32(0, 1).payload()).returns(0)))
                .isEqualTo("timer_create(0x7 /* CLOCK_BOOTTIME */, {sigev_value={sival_int=42, sival_ptr=0x2a}, "
                        + "sigev_signo=10, sigev_notify=0x1 /* SIGEV_NONE */}, [1]) = 0");
    }

    @Test
    void memoryPoliciesAndNodeMasks() {
        assertThat(line(call("set_mempolicy", 0, 0x7000, 0).fails(22)))
                .isEqualTo("set_mempolicy(MPOL_DEFAULT, [], 0)      = -1 EINVAL (Invalid argument)");
        // maxnode 1: no bit at all, so no long; strace prints the address.
        assertThat(line(call("set_mempolicy", 0, 0x7ffc079a5c80L, 1).returns(0)))
                .isEqualTo("set_mempolicy(MPOL_DEFAULT, 0x7ffc079a5c80, 1) = 0");
        assertThat(line(call("set_mempolicy", 0, 0, 130).returns(0)))
                .isEqualTo("set_mempolicy(MPOL_DEFAULT, NULL, 130)  = 0");
        Payload mask = longs(-1L, 0x123456789abcdefL, 5, 0);
        assertThat(line(call("set_mempolicy", 1, 0x7000, 200).payload(1, mask).returns(0)))
                .isEqualTo("set_mempolicy(MPOL_PREFERRED, [0xffffffffffffffff, 0x123456789abcdef, "
                        + "0x00000000000005, 0000000000000000], 200) = 0");
        assertThat(line(call("set_mempolicy", 0x8002, 0x7000, 2).payload(1, longs(-1L)).returns(0)))
                .isEqualTo("set_mempolicy(MPOL_BIND|MPOL_F_STATIC_NODES, [0xffffffffffffffff], 2) = 0");
        assertThat(line(call("set_mempolicy", 0x4003, 0x7000, 2).payload(1, longs(-1L)).returns(0)))
                .isEqualTo("set_mempolicy(MPOL_INTERLEAVE|MPOL_F_RELATIVE_NODES, [0xffffffffffffffff], 2) = 0");
        assertThat(line(call("set_mempolicy", 99, 0x7000, 2).payload(1, longs(-1L)).fails(22)))
                .isEqualTo("set_mempolicy(0x63 /* MPOL_??? */, [0xffffffffffffffff], 2) = -1 EINVAL (Invalid argument)");
        assertThat(line(call("set_mempolicy", 0x2001, 0x7000, 2).payload(1, longs(-1L)).fails(22)))
                .isEqualTo("set_mempolicy(MPOL_PREFERRED|MPOL_F_NUMA_BALANCING, [0xffffffffffffffff], 2)"
                        + " = -1 EINVAL (Invalid argument)");
        assertThat(line(call("get_mempolicy", 0x7100, 0x7000, 192, 0, 0).payload(0, Bytes.of(4).u32(0, 0x4003).payload())
                .payload(1, longs(1, 0, 0)).returns(0)))
                .isEqualTo("get_mempolicy([0x4003 /* MPOL_??? */], [0x00000000000001, 0000000000000000, "
                        + "0000000000000000], 192, NULL, 0) = 0");
        assertThat(line(call("get_mempolicy", 0x7ffc079a5c7cL, 0x7ffc079a5c80L, 129, 0x1000, 3).fails(14)))
                .isEqualTo("get_mempolicy(0x7ffc079a5c7c, 0x7ffc079a5c80, 129, 0x1000, MPOL_F_NODE|MPOL_F_ADDR)"
                        + " = -1 EFAULT (Bad address)");
        assertThat(line(call("get_mempolicy", 0x7100, 0, 0, 0x7ffc079a5c80L, 4).payload(0, Bytes.of(4).payload())
                .returns(0)))
                .isEqualTo("get_mempolicy([MPOL_DEFAULT], NULL, 0, 0x7ffc079a5c80, MPOL_F_MEMS_ALLOWED) = 0");
        assertThat(line(call("get_mempolicy", 8, 0x10, 64, 0, 0x10).fails(22)))
                .isEqualTo("get_mempolicy(0x8, 0x10, 64, NULL, 0x10 /* MPOL_??? */) = -1 EINVAL (Invalid argument)");
        assertThat(line(call("get_mempolicy", 0, 0, 0, 0, 0).returns(0)))
                .isEqualTo("get_mempolicy(NULL, NULL, 0, NULL, 0)   = 0");
        assertThat(line(call("mbind", 0x7f8315b75000L, 4096, 1, 0x7000, 65, 2).payload(3, longs(1)).returns(0)))
                .isEqualTo("mbind(0x7f8315b75000, 4096, MPOL_PREFERRED, [0x00000000000001], 65, MPOL_MF_MOVE) = 0");
        // -s caps the longs shown; -X raw and verbose print the policy's number.
        StraceFormatter one = new StraceFormatter(TraceOptions.defaults().withStringLimit(1));
        assertThat(one.formatSyscall(call("set_mempolicy", 1, 0x7000, 200).payload(1, longs(-1L)).returns(0).build()))
                .isEqualTo("set_mempolicy(MPOL_PREFERRED, [0xffffffffffffffff, ...], 200) = 0");
        assertThat(styled(dev.jpoline.api.consts.XlatStyle.VERBOSE, call("set_mempolicy", 0x8002, 0x7000, 2)
                .payload(1, longs(-1L)).returns(0)))
                .isEqualTo("set_mempolicy(0x8002 /* MPOL_BIND|MPOL_F_STATIC_NODES */, [0xffffffffffffffff], 2) = 0");
        assertThat(styled(dev.jpoline.api.consts.XlatStyle.VERBOSE, call("get_mempolicy", 0x7100, 0, 0, 0x7200, 2)
                .payload(0, Bytes.of(4).payload()).returns(0)))
                .isEqualTo("get_mempolicy([0 /* MPOL_DEFAULT */], NULL, 0, 0x7200, 0x2 /* MPOL_F_ADDR */) = 0");
        assertThat(styled(dev.jpoline.api.consts.XlatStyle.RAW, call("set_mempolicy", 0, 0, 130).returns(0)))
                .isEqualTo("set_mempolicy(0, NULL, 130)             = 0");
    }

    @Test
    void everyDecodedNameIsInTheTable() {
        for (String name : StraceFormatter.DECODED) {
            assertThat(SyscallTable.x86_64().byName(name)).as(name).isPresent();
        }
        assertThat(StraceFormatter.DECODED).hasSizeGreaterThan(150);
    }

    @Test
    void unknownAndUndecodedSyscallsPrintRawArguments() {
        SyscallRecord r = SyscallRecord.builder(500).args(1, 2, 0, 0x7fff0000, 0xffffffffL, 3).fails(38).build();
        assertThat(F.formatSyscall(r))
                .isEqualTo("syscall_0x1f4(0x1, 0x2, 0, 0x7fff0000, 0xffffffff, 0x3) = -1 ENOSYS (Function not"
                        + " implemented)");
        assertThat(line(call("getppid").returns(9865))).isEqualTo("getppid()                               = 9865");
        assertThat(line(call("personality", 0xffffffffL).returns(0x40000)))
                .as("personality has no decoder: raw argument, the table's hex result")
                .isEqualTo("personality(0xffffffff)                 = 0x40000");
    }

    @Test
    void kernelInternalErrorsPrintLikeStrace() {
        // Results observed with a seccomp filter making getpriority return these values; the argument
        // part differs (getpriority has no decoder here), so only the result is compared.
        assertThat(line(call("getpriority", 0, 41).fails(41))).endsWith(" = -1 (errno 41)");
        assertThat(line(call("getpriority", 0, 133).fails(133)))
                .endsWith(" = -1 EHWPOISON (Memory page has hardware error)");
        assertThat(line(call("getpriority", 0, 512).fails(512)))
                .endsWith(" = ? ERESTARTSYS (To be restarted if SA_RESTART is set)");
        assertThat(line(call("getpriority", 0, 513).fails(513))).endsWith(" = ? ERESTARTNOINTR (To be restarted)");
        assertThat(line(call("getpriority", 0, 514).fails(514)))
                .endsWith(" = ? ERESTARTNOHAND (To be restarted if no handler)");
        assertThat(line(call("getpriority", 0, 515).fails(515))).endsWith(" = -1 ENOIOCTLCMD (Unknown error 515)");
        assertThat(line(call("getpriority", 0, 516).fails(516)))
                .endsWith(" = ? ERESTART_RESTARTBLOCK (Interrupted by signal)");
        assertThat(line(call("getpriority", 0, 517).fails(517))).endsWith(" = -1 EPROBE_DEFER (Unknown error 517)");
        assertThat(line(call("getpriority", 0, 519).fails(519))).endsWith(" = -1 (errno 519)");
        assertThat(line(call("getpriority", 0, 4095).fails(4095))).endsWith(" = -1 (errno 4095)");
    }
}
