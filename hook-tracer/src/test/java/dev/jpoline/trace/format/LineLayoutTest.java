package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.SyscallTable;
import dev.jpoline.api.consts.XlatStyle;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Prefixes, timestamps, durations, unfinished/resumed pairs, signals, exits, -y, -X and -s; strace 6.1 text. */
class LineLayoutTest {
    private static final TraceOptions UTC = TraceOptions.defaults().withZone(ZoneOffset.UTC);

    /** An environment of n variables, as execve's envp payload. */
    private static Payload env(int n) {
        return Payload.ofStrings(java.util.Collections.nCopies(n, "X=1").toArray(String[]::new));
    }

    private static SyscallRecord.Builder call(String name, long... args) {
        return SyscallRecord.builder(SyscallTable.x86_64().numberOf(name)).pid(4).args(args);
    }

    private static long at(String isoInstant) {
        Instant i = Instant.parse(isoInstant);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Test
    void bracketedPidPrefixPadsThePidToFiveColumns() {
        StraceFormatter f = new StraceFormatter(UTC.withPidPrefix(TraceOptions.PidPrefix.BRACKETED));
        assertThat(f.formatSyscall(call("gettid").tid(6).returns(6).build()))
                .isEqualTo("[pid     6] gettid()                    = 6");
        assertThat(f.formatSyscall(call("set_robust_list", 0x7f2fa3b68a20L, 24).tid(6).returns(0).build()))
                .isEqualTo("[pid     6] set_robust_list(0x7f2fa3b68a20, 24) = 0");
        assertThat(f.formatKilled(6, TraceRecord.NO_TIME, 6, false)).isEqualTo("[pid     6] +++ killed by SIGABRT +++");
        assertThat(f.formatSignal(6, TraceRecord.NO_TIME, SignalInfo.sent(6, SignalInfo.SI_TKILL, 6, 0)))
                .isEqualTo("[pid     6] --- SIGABRT {si_signo=SIGABRT, si_code=SI_TKILL, si_pid=6, si_uid=0} ---");
    }

    @Test
    void instructionPointersComeAfterTheNumberAsStracePrintsThem() {
        StraceFormatter f = new StraceFormatter(UTC.withPidPrefix(TraceOptions.PidPrefix.PLAIN).withInstructionPointer(true));
        // strace -f -o F -i: "32344 [00007f95a57fdc47] brk(NULL)      = 0x561d1c50b000"
        assertThat(f.formatSyscall(call("brk", 0).tid(32344).ip(0x7f95a57fdc47L).returns(0x561d1c50b000L).build()))
                .isEqualTo("32344 [00007f95a57fdc47] brk(NULL)      = 0x561d1c50b000");
        assertThat(f.formatExited(32344, TraceRecord.NO_TIME, 0)).isEqualTo("32344 [????????????????] +++ exited with 0 +++");
        assertThat(f.formatSignal(32344, TraceRecord.NO_TIME, SignalInfo.sent(10, 0, 1, 0)))
                .startsWith("32344 [????????????????] --- SIGUSR1 ");
        LineBuffer b = new LineBuffer();
        f.appendSignal(b, 32344, TraceRecord.NO_TIME, 0x7f1639b72267L, SignalInfo.sent(10, 0, 1, 0));
        assertThat(b.toString()).startsWith("32344 [00007f1639b72267] --- SIGUSR1 ");
        // After -t, -r and -n: "06:03:08 (+     0.003188) [  12] [00007f2a45623c47] brk(NULL) = ..."
        StraceFormatter all = new StraceFormatter(UTC.withInstructionPointer(true).withSyscallNumbers(true)
                .withTimestamps(TraceOptions.Timestamps.TIME));
        assertThat(all.formatSyscall(call("brk", 0).ip(0x7f2a45623c47L).entryNanos(at("2026-12-07T06:03:08Z"))
                .returns(0x561afae06000L).build()))
                .isEqualTo("06:03:08 [  12] [00007f2a45623c47] brk(NULL) = 0x561afae06000");
    }

    @Test
    void plainPidPrefixIsWhatStraceWritesToAFile() {
        StraceFormatter f = new StraceFormatter(UTC.withPidPrefix(TraceOptions.PidPrefix.PLAIN));
        assertThat(f.formatSyscall(call("close", 3).tid(9127).returns(0).build()))
                .isEqualTo("9127  close(3)                          = 0");
        assertThat(f.formatExited(9869, TraceRecord.NO_TIME, 3)).isEqualTo("9869  +++ exited with 3 +++");
    }

    @Test
    void unfinishedAndResumedHalvesSplitWhereStraceSplits() {
        StraceFormatter f = new StraceFormatter(UTC.withPidPrefix(TraceOptions.PidPrefix.PLAIN));
        SyscallRecord wait = call("wait4", 9869, 0x7000, 0, 0).tid(9868)
                .payload(1, Bytes.of(4).u32(0, 3 << 8).payload()).returns(9869).build();
        assertThat(f.formatUnfinished(wait)).isEqualTo("9868  wait4(9869,  <unfinished ...>");
        assertThat(f.formatResumed(wait))
                .isEqualTo("9868  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 9869");

        SyscallRecord clone = call("clone", 0x1200011, 0, 0, 0x7f746211da10L, 0).tid(9868).returns(9871).build();
        assertThat(f.formatUnfinished(clone)).isEqualTo("9868  clone(child_stack=NULL, "
                + "flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>");
        assertThat(f.formatResumed(clone))
                .isEqualTo("9868  <... clone resumed>, child_tidptr=0x7f746211da10) = 9871");

        SyscallRecord pause = call("pause").tid(9871).build();
        assertThat(f.formatUnfinished(pause)).isEqualTo("9871  pause( <unfinished ...>");
        assertThat(f.formatResumed(pause)).isEqualTo("9871  <... pause resumed>)              = ?");
    }

    @Test
    void timestampsAndDurations() {
        long entry = at("2026-11-23T12:00:47.446444Z");
        SyscallRecord tgkill = call("tgkill", 6, 6, 6).tid(6).entryNanos(entry).exitNanos(entry + 13_000)
                .returns(0).build();
        StraceFormatter ttT = new StraceFormatter(UTC.withPidPrefix(TraceOptions.PidPrefix.BRACKETED)
                .withTimestamps(TraceOptions.Timestamps.TIME_MICROS).withDuration(true));
        assertThat(ttT.formatSyscall(tgkill))
                .isEqualTo("[pid     6] 12:00:47.446444 tgkill(6, 6, SIGABRT) = 0 <0.000013>");
        SyscallRecord gettid = call("gettid").tid(6).entryNanos(at("2026-11-23T12:00:47.446357Z"))
                .exitNanos(at("2026-11-23T12:00:47.446368Z")).returns(6).build();
        assertThat(ttT.formatSyscall(gettid)).isEqualTo("[pid     6] 12:00:47.446357 gettid()    = 6 <0.000011>");

        StraceFormatter tt = new StraceFormatter(UTC.withTimestamps(TraceOptions.Timestamps.TIME_MICROS)
                .withDuration(true));
        SyscallRecord exit = call("exit_group", 0).entryNanos(at("2026-11-23T12:00:47.447360Z")).build();
        assertThat(tt.formatSyscall(exit)).isEqualTo("12:00:47.447360 exit_group(0)           = ?");
        assertThat(tt.formatExited(4, at("2026-11-23T12:00:47.447592Z"), 0))
                .isEqualTo("12:00:47.447592 +++ exited with 0 +++");
        SyscallRecord waitResumed = call("wait4", 6, 0x7000, 0, 0).entryNanos(at("2026-11-23T12:00:47.446345Z"))
                .exitNanos(at("2026-11-23T12:00:47.447227Z")).payload(1, Bytes.of(4).u32(0, 0x86).payload())
                .returns(6).build();
        assertThat(tt.formatResumed(waitResumed)).isEqualTo("12:00:47.447227 <... wait4 resumed>[{WIFSIGNALED(s)"
                + " && WTERMSIG(s) == SIGABRT && WCOREDUMP(s)}], 0, NULL) = 6 <0.000882>");

        StraceFormatter t = new StraceFormatter(UTC.withTimestamps(TraceOptions.Timestamps.TIME));
        assertThat(t.formatSyscall(call("exit_group", 0).entryNanos(at("2026-11-23T11:41:09.015625Z")).build()))
                .isEqualTo("11:41:09 exit_group(0)                  = ?");
        StraceFormatter ttt = new StraceFormatter(UTC.withTimestamps(TraceOptions.Timestamps.EPOCH_MICROS));
        assertThat(ttt.formatSyscall(call("exit_group", 0).entryNanos(1795434069_026960_000L).build()))
                .isEqualTo("1795434069.026960 exit_group(0)         = ?");
        assertThat(ttt.formatExited(4, 1795434069_027062_000L, 0)).isEqualTo("1795434069.027062 +++ exited with 0 +++");
    }

    @Test
    void signalAndExitLines() {
        StraceFormatter f = new StraceFormatter(UTC);
        assertThat(f.formatSignal(4, TraceRecord.NO_TIME, SignalInfo.child(2, 6, 0, 6, 0, 0)))
                .isEqualTo("--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=6, si_uid=0, si_status=SIGABRT,"
                        + " si_utime=0, si_stime=0} ---");
        assertThat(f.formatSignal(4, TraceRecord.NO_TIME, SignalInfo.child(1, 9869, 0, 3, 0, 0)))
                .isEqualTo("--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=9869, si_uid=0, si_status=3,"
                        + " si_utime=0, si_stime=0} ---");
        // Clock ticks (USER_HZ) with strace's seconds comment when not 0, none when raw.
        assertThat(f.formatSignal(4, TraceRecord.NO_TIME, SignalInfo.child(2, 6, 0, 15, 1, 1234)))
                .isEqualTo("--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=6, si_uid=0, si_status=SIGTERM,"
                        + " si_utime=1 /* 0.01 s */, si_stime=1234 /* 12.34 s */} ---");
        assertThat(new StraceFormatter(UTC.withXlatStyle(XlatStyle.RAW)).formatSignal(4, TraceRecord.NO_TIME,
                SignalInfo.child(2, 6, 0, 15, 1, 1234)))
                .isEqualTo("--- SIGCHLD {si_signo=17, si_code=0x2, si_pid=6, si_uid=0, si_status=15, si_utime=1,"
                        + " si_stime=1234} ---");
        assertThat(f.formatSignal(4, TraceRecord.NO_TIME, SignalInfo.sent(10, SignalInfo.SI_USER, 9783, 0)))
                .isEqualTo("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=9783, si_uid=0} ---");
        assertThat(f.formatSignal(4, TraceRecord.NO_TIME, SignalInfo.sent(36, SignalInfo.SI_TKILL, 9868, 0)))
                .isEqualTo("--- SIGRT_4 {si_signo=SIGRT_4, si_code=SI_TKILL, si_pid=9868, si_uid=0} ---");
        assertThat(f.formatKilled(4, TraceRecord.NO_TIME, 11, true)).isEqualTo("+++ killed by SIGSEGV (core dumped) +++");
        assertThat(f.formatKilled(4, TraceRecord.NO_TIME, 9, false)).isEqualTo("+++ killed by SIGKILL +++");
        assertThat(f.formatKilled(4, TraceRecord.NO_TIME, 36, false)).isEqualTo("+++ killed by SIGRT_4 +++");
        assertThat(f.formatExited(4, TraceRecord.NO_TIME, 0)).isEqualTo("+++ exited with 0 +++");
    }

    @Test
    void rawSiginfoDecodes() {
        Payload chld = Bytes.of(128).u32(0, 17).u32(8, 1).u32(16, 10406).u32(20, 0).u32(24, 0).payload();
        StraceFormatter verbose = new StraceFormatter(UTC.withXlatStyle(XlatStyle.VERBOSE));
        assertThat(verbose.formatSignal(4, TraceRecord.NO_TIME, SignalInfo.parse(chld)))
                .isEqualTo("--- SIGCHLD {si_signo=17 /* SIGCHLD */, si_code=0x1 /* CLD_EXITED */, si_pid=10406,"
                        + " si_uid=0, si_status=0, si_utime=0, si_stime=0} ---");
        StraceFormatter raw = new StraceFormatter(UTC.withXlatStyle(XlatStyle.RAW));
        assertThat(raw.formatSignal(4, TraceRecord.NO_TIME, SignalInfo.parse(chld)))
                .isEqualTo("--- SIGCHLD {si_signo=17, si_code=0x1, si_pid=10406, si_uid=0, si_status=0, si_utime=0,"
                        + " si_stime=0} ---");
        Payload segv = Bytes.of(128).u32(0, 11).u32(8, 1).u64(16, 0).payload();
        assertThat(new StraceFormatter(UTC).formatSignal(4, TraceRecord.NO_TIME, SignalInfo.parse(segv)))
                .isEqualTo("--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---");
        Payload winch = Bytes.of(128).u32(0, 28).u32(8, 0x80).payload();
        assertThat(new StraceFormatter(UTC).formatSignal(4, TraceRecord.NO_TIME, SignalInfo.parse(winch)))
                .isEqualTo("--- SIGWINCH {si_signo=SIGWINCH, si_code=SI_KERNEL} ---");
        Payload hup = Bytes.of(128).u32(0, 1).u32(8, 0).u32(16, 154828).u32(20, 1000).payload();
        assertThat(new StraceFormatter(UTC).formatSignal(4, TraceRecord.NO_TIME, SignalInfo.parse(hup)))
                .isEqualTo("--- SIGHUP {si_signo=SIGHUP, si_code=SI_USER, si_pid=154828, si_uid=1000} ---");
    }

    @Test
    void fdPathsAndVerboseConstants() {
        Map<Integer, String> fds = Map.of(-100, "/tmp/fmtw", 0, "/dev/null", 1, "/dev/null", 3, "/etc/hostname");
        FdResolver resolver = (pid, fd) -> Optional.ofNullable(fds.get(fd));
        StraceFormatter yv = new StraceFormatter(UTC.withFdResolver(resolver).withXlatStyle(XlatStyle.VERBOSE));
        assertThat(yv.formatSyscall(call("openat", -100, 0x1000, 0x80000).string(1, "/etc/hostname").returns(3).build()))
                .isEqualTo("openat(-100 /* AT_FDCWD */</tmp/fmtw>, \"/etc/hostname\", 0x80000 /* O_RDONLY|O_CLOEXEC */)"
                        + " = 3</etc/hostname>");
        assertThat(yv.formatSyscall(call("read", 3, 0x7000, 64).string(1, "vm\n").returns(3).build()))
                .isEqualTo("read(3</etc/hostname>, \"vm\\n\", 64)      = 3");
        assertThat(yv.formatSyscall(call("close", 3).returns(0).build()))
                .isEqualTo("close(3</etc/hostname>)                 = 0");
        assertThat(yv.formatSyscall(call("lseek", 0, 5, 7).fails(22).build()))
                .isEqualTo("lseek(0</dev/null>, 5, 0x7 /* SEEK_??? */) = -1 EINVAL (Invalid argument)");
        assertThat(yv.formatSyscall(call("mmap", 0, 8192, 3, 0x22, -1, 0).returns(0x7f8a8b198000L).build()))
                .isEqualTo("mmap(NULL, 8192, 0x3 /* PROT_READ|PROT_WRITE */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1,"
                        + " 0) = 0x7f8a8b198000");
        assertThat(yv.formatSyscall(call("newfstatat", -100, 0x1000, 0x7ffc8acdc740L, 0x800000).string(1, "/tmp")
                .fails(22).build()))
                .isEqualTo("newfstatat(-100 /* AT_FDCWD */</tmp/fmtw>, \"/tmp\", 0x7ffc8acdc740, 0x800000 /* AT_??? */)"
                        + " = -1 EINVAL (Invalid argument)");
        Payload limits = Bytes.of(16).u64(0, 8192 * 1024).u64(8, -1).payload();
        assertThat(yv.formatSyscall(call("prlimit64", 0, 3, 0, 0x7000).payload(3, limits).returns(0).build()))
                .isEqualTo("prlimit64(0, 0x3 /* RLIMIT_STACK */, NULL, {rlim_cur=8388608 /* 8192*1024 */,"
                        + " rlim_max=18446744073709551615 /* RLIM64_INFINITY */}) = 0");
        assertThat(yv.formatSyscall(call("write", 1, 0x7000, 2).string(1, "x\n").returns(2).build()))
                .isEqualTo("write(1</dev/null>, \"x\\n\", 2)           = 2");
        assertThat(yv.formatSyscall(call("ioctl", 0, 0x12345678, 0).fails(25).build()))
                .isEqualTo("ioctl(0</dev/null>, 0x12345678 /* _IOC(_IOC_NONE, 0x56, 0x78, 0x1234) */, 0) = -1 ENOTTY"
                        + " (Inappropriate ioctl for device)");
        assertThat(yv.formatSyscall(call("access", 0x1000, 4).string(0, "/etc/ld.so.preload").fails(2).build()))
                .isEqualTo("access(\"/etc/ld.so.preload\", 0x4 /* R_OK */) = -1 ENOENT (No such file or directory)");
    }

    @Test
    void verboseConstantsInsideStructsAndCompositeArguments() {
        StraceFormatter v = new StraceFormatter(UTC.withXlatStyle(XlatStyle.VERBOSE));
        assertThat(v.formatSyscall(call("openat", -100, 0x1000, 0x241, 0644).string(1, "/tmp/fmtw/new.txt").returns(4)
                .build())).isEqualTo("openat(-100 /* AT_FDCWD */, \"/tmp/fmtw/new.txt\", 0x241 /* O_WRONLY|O_CREAT|O_TRUNC */,"
                        + " 0644) = 4");
        assertThat(v.formatSyscall(call("newfstatat", 4, 0x1000, 0x7000, 0x1000).string(1, "")
                .payload(2, Bytes.stat(0100644, 1221, 0)).returns(0).build()))
                .isEqualTo("newfstatat(4, \"\", {st_mode=0100644 /* S_IFREG|0644 */, st_size=1221, ...},"
                        + " 0x1000 /* AT_EMPTY_PATH */) = 0");
        assertThat(v.formatSyscall(call("newfstatat", -100, 0x1000, 0x7000, 0x100).string(1, "/dev/null")
                .payload(2, Bytes.stat(020666, 0, 0x103)).returns(0).build()))
                .isEqualTo("newfstatat(-100 /* AT_FDCWD */, \"/dev/null\", {st_mode=020666 /* S_IFCHR|0666 */,"
                        + " st_rdev=0x103 /* makedev(0x1, 0x3) */, ...}, 0x100 /* AT_SYMLINK_NOFOLLOW */) = 0");
        Payload all = Bytes.of(8).u64(0, ~((1L << 31) | (1L << 32))).payload();
        assertThat(v.formatSyscall(call("rt_sigprocmask", 0, 0x7000, 0, 8).payload(1, all).returns(0).build()))
                .isEqualTo("rt_sigprocmask(0 /* SIG_BLOCK */, ~[32 /* RTMIN */ 33 /* RT_1 */], NULL, 8) = 0");
        Payload intChld = Bytes.of(8).u64(0, (1L << 1) | (1L << 16)).payload();
        Payload old = Bytes.of(8).u64(0, ~((1L << 8) | (1L << 18) | (1L << 31) | (1L << 32))).payload();
        assertThat(v.formatSyscall(call("rt_sigprocmask", 2, 0x7000, 0x7008, 8).payload(1, intChld).payload(2, old)
                .returns(0).build()))
                .isEqualTo("rt_sigprocmask(0x2 /* SIG_SETMASK */, [2 /* INT */ 17 /* CHLD */], ~[9 /* KILL */"
                        + " 19 /* STOP */ 32 /* RTMIN */ 33 /* RT_1 */], 8) = 0");
        assertThat(v.formatSyscall(call("kill", 5139, 10).returns(0).build()))
                .isEqualTo("kill(5139, 10 /* SIGUSR1 */)            = 0");
        assertThat(v.formatSyscall(call("socket", 2, 1 | 02000000, 0).returns(9).build()))
                .isEqualTo("socket(0x2 /* AF_INET */, 0x1 /* SOCK_STREAM */|0x80000 /* SOCK_CLOEXEC */, 0 /* IPPROTO_IP */)"
                        + " = 9");
        assertThat(v.formatSyscall(call("socket", 10, 2 | 04000, 17).returns(12).build()))
                .isEqualTo("socket(0xa /* AF_INET6 */, 0x2 /* SOCK_DGRAM */|0x800 /* SOCK_NONBLOCK */, 0x11 /* IPPROTO_UDP */)"
                        + " = 12");
        assertThat(v.formatSyscall(call("socket", 1, 5, 0).returns(13).build()))
                .isEqualTo("socket(0x1 /* AF_UNIX */, 0x5 /* SOCK_SEQPACKET */, 0) = 13");
        assertThat(v.formatSyscall(call("sendto", 9, 0x7000, 2, 0x4040, 0, 0).string(1, "hi").fails(32).build()))
                .isEqualTo("sendto(9, \"hi\", 2, 0x4040 /* MSG_DONTWAIT|MSG_NOSIGNAL */, NULL, 0) = -1 EPIPE (Broken pipe)");
        assertThat(v.formatSyscall(call("epoll_ctl", 16, 1, 7, 0x7000)
                .payload(3, Bytes.of(12).u32(0, 0x80000001L).u64(4, 7).payload()).returns(0).build()))
                .isEqualTo("epoll_ctl(16, 0x1 /* EPOLL_CTL_ADD */, 7, {events=0x80000001 /* EPOLLIN|EPOLLET */,"
                        + " data={u32=7, u64=7}}) = 0");
        Payload fds = Bytes.of(16).u32(0, 7).u16(4, 1).u32(8, 1).u16(12, 4).u16(14, 4).payload();
        assertThat(v.formatSyscall(call("poll", 0x7000, 2, 0).payload(0, fds).returns(1).build()))
                .isEqualTo("poll([{fd=7, events=0x1 /* POLLIN */}, {fd=1, events=0x4 /* POLLOUT */}], 2, 0) = 1"
                        + " ([{fd=1, revents=0x4 /* POLLOUT */}])");
        assertThat(v.formatSyscall(call("fcntl", 7, 3).returns(0x800).build()))
                .isEqualTo("fcntl(7, 0x3 /* F_GETFL */)             = 0x800 (flags O_RDONLY|O_NONBLOCK)");
        assertThat(v.formatSyscall(call("fcntl", 7, 4, 0x800).returns(0).build()))
                .isEqualTo("fcntl(7, 0x4 /* F_SETFL */, 0x800 /* O_RDONLY|O_NONBLOCK */) = 0");
        assertThat(v.formatSyscall(call("fcntl", 7, 1).returns(1).build()))
                .isEqualTo("fcntl(7, 0x1 /* F_GETFD */)             = 0x1 (flags 0x1 /* FD_CLOEXEC */)");
        assertThat(v.formatSyscall(call("fcntl", 7, 1030, 20).returns(20).build()))
                .isEqualTo("fcntl(7, 0x406 /* F_DUPFD_CLOEXEC */, 20) = 20");
        assertThat(v.formatSyscall(call("futex", 0x7ffd410f59e4L, 0x81, 1).returns(0).build()))
                .isEqualTo("futex(0x7ffd410f59e4, 0x81 /* FUTEX_WAKE_PRIVATE */, 1) = 0");
        assertThat(v.formatSyscall(call("futex", 0x7ffd410f59e4L, 0, 5, 0).fails(11).build()))
                .isEqualTo("futex(0x7ffd410f59e4, 0 /* FUTEX_WAIT */, 5, NULL) = -1 EAGAIN (Resource temporarily unavailable)");
        assertThat(v.formatSyscall(call("futex", 0x7ffd410f59e4L, 0x189, 5, 0, 0, 0xffffffffL).fails(11).build()))
                .isEqualTo("futex(0x7ffd410f59e4, 0x189 /* FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME */, 5, NULL,"
                        + " 0xffffffff /* FUTEX_BITSET_MATCH_ANY */) = -1 EAGAIN (Resource temporarily unavailable)");
        assertThat(v.formatSyscall(call("umask", 022).returns(022).build()))
                .isEqualTo("umask(022)                              = 022");
    }

    @Test
    void rawConstants() {
        StraceFormatter raw = new StraceFormatter(UTC.withXlatStyle(XlatStyle.RAW));
        assertThat(raw.formatSyscall(call("openat", -100, 0x1000, 0x80000).string(1, "/etc/hostname").returns(3).build()))
                .isEqualTo("openat(-100, \"/etc/hostname\", 0x80000)  = 3");
        assertThat(raw.formatSyscall(call("openat", -100, 0x1000, 0).string(1, "/nope").fails(2).build()))
                .isEqualTo("openat(-100, \"/nope\", 0)                = -1 ENOENT (No such file or directory)");
        assertThat(raw.formatSyscall(call("mmap", 0, 8192, 3, 0x22, -1, 0).returns(0x7f5bd5ce5000L).build()))
                .isEqualTo("mmap(NULL, 8192, 0x3, 0x22, -1, 0)      = 0x7f5bd5ce5000");
        assertThat(raw.formatSyscall(call("lseek", 0, 5, 7).fails(22).build()))
                .isEqualTo("lseek(0, 5, 0x7)                        = -1 EINVAL (Invalid argument)");
        Payload args = Bytes.of(88).u64(0, 0x5100).u64(8, 0x7ffef1537c6cL).u64(32, 17).payload();
        assertThat(raw.formatSyscall(call("clone3", 0x7000, 88).payload(0, args).returns(10412).build()))
                .startsWith("clone3({flags=0x5100, pidfd=0x7ffef1537c6c, exit_signal=17, stack=NULL, stack_size=0}");
    }

    @Test
    void stringLimitCutsStringsBuffersAndArraysButNotPaths() {
        StraceFormatter s5 = new StraceFormatter(UTC.withStringLimit(5));
        assertThat(s5.formatSyscall(call("execve", 0x1000, 0x2000, 0x7ffd0463f828L).string(0, "/usr/bin/cat")
                .payload(1, Payload.ofStrings("cat", "/etc/passwd")).payload(2, env(35))
                .returns(0).build()))
                .isEqualTo("execve(\"/usr/bin/cat\", [\"cat\", \"/etc/\"...], 0x7ffd0463f828 /* 35 vars */) = 0");
        assertThat(s5.formatSyscall(call("openat", -100, 0x1000, 02000000).string(1, "/lib/x86_64-linux-gnu/libc.so.6")
                .returns(3).build()))
                .isEqualTo("openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3");
        byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1};
        assertThat(s5.formatSyscall(call("read", 3, 0x7000, 832).bytes(1, elf).returns(832).build()))
                .isEqualTo("read(3, \"\\177ELF\\2\"..., 832)            = 832");
        StraceFormatter s0 = new StraceFormatter(UTC.withStringLimit(0));
        assertThat(s0.formatSyscall(call("execve", 0x1000, 0x2000, 0x7fffad23f0f8L).string(0, "/usr/bin/echo")
                .payload(1, Payload.ofStrings("echo", "hello")).payload(2, env(35))
                .returns(0).build()))
                .isEqualTo("execve(\"/usr/bin/echo\", [...], 0x7fffad23f0f8 /* 35 vars */) = 0");
        assertThat(s0.formatSyscall(call("read", 3, 0x7000, 4096).bytes(1, "# Locale".getBytes()).returns(2996)
                .build())).isEqualTo("read(3, \"\"..., 4096)                    = 2996");
        StraceFormatter s2 = new StraceFormatter(UTC.withStringLimit(2));
        assertThat(s2.formatSyscall(call("execve", 0x1000, 0x2000, 0x7ffecfd049c8L).string(0, "/bin/true")
                .payload(1, Payload.ofStrings("/bin/true", "a", "b", "c")).payload(2, env(35))
                .returns(0).build()))
                .isEqualTo("execve(\"/bin/true\", [\"/b\"..., \"a\", ...], 0x7ffecfd049c8 /* 35 vars */) = 0");
    }

    @Test
    void truncatedCapturesAreMarkedWithAnEllipsis() {
        StraceFormatter f = new StraceFormatter(UTC);
        // The capture stopped before the path's NUL: the path is incomplete.
        assertThat(f.formatSyscall(call("openat", -100, 0x1000, 0).payload(1, Payload.truncated("/very/lo".getBytes()))
                .returns(3).build())).startsWith("openat(AT_FDCWD, \"/very/lo\"..., O_RDONLY)");
        // The capture kept 3 of 6 bytes the kernel returned.
        assertThat(f.formatSyscall(call("read", 0, 0x7000, 100).payload(1, Payload.truncated("abc".getBytes()))
                .returns(6).build())).startsWith("read(0, \"abc\"..., 100)");
        // No payload at all: the address, as strace prints unreadable memory.
        assertThat(f.formatSyscall(call("openat", -100, 0x1000, 0).returns(3).build()))
                .startsWith("openat(AT_FDCWD, 0x1000, O_RDONLY)");
    }
}
