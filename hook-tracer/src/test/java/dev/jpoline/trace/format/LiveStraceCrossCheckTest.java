package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jpoline.api.ArgKind;
import dev.jpoline.api.ArgSpec;
import dev.jpoline.api.Errno;
import dev.jpoline.api.Syscall;
import dev.jpoline.api.SyscallTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a small C program under this machine's strace twice, once printing raw register values
 * ({@code -e raw=all}) and once decoded, in a fresh pid namespace with address randomisation off so
 * that both runs see the same values. Each raw line becomes a record; the formatter's text must equal
 * strace's decoded line. Only syscalls whose arguments need no captured memory are compared (raw
 * mode shows registers, not memory). Skipped where strace, gcc, unshare or ptrace are unavailable.
 */
class LiveStraceCrossCheckTest {
    private static final String PROGRAM = """
            #define _GNU_SOURCE
            #include <unistd.h>
            #include <sys/syscall.h>
            int main(void) {
              syscall(SYS_close, 99); syscall(SYS_dup, 1); syscall(SYS_dup2, 1, 20);
              syscall(SYS_dup3, 1, 21, 02000000); syscall(SYS_lseek, 0, 0, 1); syscall(SYS_lseek, 0, 5, 9);
              long m = syscall(SYS_mmap, 0, 8192, 3, 0x22, -1, 0);
              syscall(SYS_mprotect, m, 4096, 1); syscall(SYS_madvise, m, 4096, 4); syscall(SYS_munmap, m, 8192);
              syscall(SYS_brk, 0); syscall(SYS_umask, 022); syscall(SYS_umask, 0);
              syscall(SYS_fcntl, 1, 3); syscall(SYS_fcntl, 1, 1); syscall(SYS_fcntl, 20, 2, 1);
              syscall(SYS_fcntl, 21, 1030, 30); syscall(SYS_fcntl, 21, 4, 04000|02000);
              syscall(SYS_socket, 2, 1|02000000, 0); syscall(SYS_socket, 10, 2|04000, 17);
              syscall(SYS_socket, 1, 1, 0); syscall(SYS_socket, 16, 3, 0); syscall(SYS_socket, 99, 0, 0);
              syscall(SYS_listen, 999, 5); syscall(SYS_shutdown, 999, 2); syscall(SYS_kill, 1, 0);
              syscall(SYS_kill, 1, 28); syscall(SYS_tgkill, 1, 1, 28); syscall(SYS_getpid); syscall(SYS_gettid);
              syscall(SYS_getppid); syscall(SYS_epoll_create1, 02000000); syscall(SYS_eventfd2, 0, 04000);
              syscall(SYS_sched_yield); syscall(SYS_mremap, 0, 4096, 8192, 1); syscall(SYS_fsync, 99);
              syscall(SYS_ftruncate, 99, 10); syscall(SYS_flock, 99, 2|4); syscall(SYS_alarm, 0);
              syscall(SYS_close_range, 100, 200, 4); syscall(SYS_futex, 0, 129, 1, 0, 0, 0);
              syscall(SYS_setuid, 0); syscall(SYS_getuid); syscall(SYS_ioctl, 99, 0x12345678, 0);
              syscall(SYS_fchdir, 99); syscall(SYS_mmap, 0x10000, 4096, 7, 0x32, -1, 0);
              syscall(SYS_mmap, 0, 4096, 0, 0, 99, 4096); syscall(SYS_msync, 0, 0, 4);
              syscall(SYS_mmap, 0, 4096, 1, 0x8000|0x20000|0x40000|(21<<26)|1, -1, 0);
              syscall(SYS_unshare, 0x10000000|0x20000); syscall(SYS_clone3, 0, 0); syscall(500, 1, 2, 3);
              syscall(SYS_getpriority, 0, 0); syscall(SYS_setpriority, 0, 0, 19);
              syscall(SYS_setns, 99, 0x20000000); syscall(SYS_sched_getscheduler, 0);
              syscall(SYS_sched_get_priority_max, 1); syscall(SYS_sched_get_priority_min, 2);
              syscall(SYS_setpgid, 0, 0); syscall(SYS_getpgid, 0); syscall(SYS_getsid, 0); syscall(SYS_setsid);
              syscall(SYS_getpgrp); syscall(SYS_setreuid, -1, 0); syscall(SYS_setresuid, -1, -1, 0);
              syscall(SYS_setresgid, -1, 0, -1); syscall(SYS_setgid, 0); syscall(SYS_setregid, 0, -1);
              syscall(SYS_setfsuid, 0); syscall(SYS_setfsgid, 0); syscall(SYS_inotify_rm_watch, 99, 1);
              syscall(SYS_timerfd_create, 1, 02000000|04000); syscall(SYS_eventfd, 3); syscall(SYS_epoll_create, 10);
              syscall(SYS_fallocate, 99, 1, 0, 4096); syscall(SYS_fadvise64, 99, 0, 0, 4);
              syscall(SYS_readahead, 99, 0, 100); syscall(SYS_sync); syscall(SYS_syncfs, 99);
              syscall(SYS_munlockall); syscall(SYS_mlockall, 1|2); syscall(SYS_mlock, 0, 4096);
              syscall(SYS_munlock, 0, 4096); syscall(SYS_pidfd_open, 1, 0); syscall(SYS_timer_delete, 5);
              syscall(SYS_timer_getoverrun, 5); syscall(SYS_inotify_init1, 04000); syscall(SYS_inotify_init);
              syscall(SYS_fdatasync, 99); syscall(SYS_pkey_alloc, 0, 0); syscall(SYS_pkey_free, 5);
              syscall(SYS_tkill, 1, 0); syscall(SYS_process_mrelease, 99, 0); syscall(SYS_pidfd_getfd, 99, 1, 0);
              syscall(SYS_getcpu, 0, 0, 0); syscall(SYS_signalfd4, 99, 0, 8, 0); syscall(SYS_memfd_secret, 0);
              syscall(SYS_userfaultfd, 04000);
              syscall(SYS_exit_group, 0);
            }
            """;
    private static final Pattern LINE = Pattern.compile("^(\\w+)\\((.*)\\)\\s+= (.*)$");

    @Test
    void formatterMatchesStraceOnRealCalls(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("live.c");
        Files.writeString(src, PROGRAM);
        Path exe = dir.resolve("live");
        assumeTrue(run(dir, "gcc", "-O0", "-o", exe.toString(), src.toString()) == 0, "gcc unavailable");
        Path raw = dir.resolve("raw.txt");
        Path decoded = dir.resolve("decoded.txt");
        assumeTrue(run(dir, "unshare", "-pf", "--mount-proc", "setarch", "x86_64", "-R", "strace", "-e", "raw=all",
                "-o", raw.toString(), exe.toString()) == 0, "strace in a pid namespace unavailable");
        assumeTrue(run(dir, "unshare", "-pf", "--mount-proc", "setarch", "x86_64", "-R", "strace", "-o",
                decoded.toString(), exe.toString()) == 0, "strace in a pid namespace unavailable");

        List<String> rawLines = Files.readAllLines(raw);
        List<String> decodedLines = Files.readAllLines(decoded);
        assertThat(rawLines).hasSameSizeAs(decodedLines);
        StraceFormatter formatter = new StraceFormatter(TraceOptions.defaults());
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        for (int i = 0; i < rawLines.size(); i++) {
            SyscallRecord record = parseRaw(rawLines.get(i));
            if (record == null) {
                continue;
            }
            compared++;
            String ours = formatter.formatSyscall(record);
            if (!ours.equals(decodedLines.get(i))) {
                mismatches.add("strace: " + decodedLines.get(i) + "\n  ours: " + ours);
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(compared).as("lines compared").isGreaterThan(100);
    }

    /** A record from a raw line, or null for lines this test cannot use (memory arguments, signals). */
    private static SyscallRecord parseRaw(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        String name = m.group(1);
        long number;
        if (name.startsWith("syscall_0x")) {
            number = Long.parseLong(name.substring(10), 16);
        } else {
            Syscall sc = SyscallTable.x86_64().byName(name).orElse(null);
            if (sc == null || !needsNoMemory(sc)) {
                return null;
            }
            number = sc.number();
        }
        SyscallRecord.Builder b = SyscallRecord.builder(number).pid(1);
        String args = m.group(2);
        if (!args.isEmpty()) {
            String[] parts = args.split(", ");
            long[] values = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                values[i] = parseNumber(parts[i]);
            }
            b.args(values);
        }
        String result = m.group(3);
        if (result.startsWith("-1 ")) {
            String errName = result.substring(3).split(" ")[0];
            b.fails(Errno.byName(errName).orElseThrow().number());
        } else if (result.startsWith("? ")) {
            b.fails(Errno.byName(result.substring(2).split(" ")[0]).orElseThrow().number());
        } else if (!result.equals("?")) {
            b.returns(parseNumber(result.split(" ")[0]));
        }
        return b.build();
    }

    private static boolean needsNoMemory(Syscall sc) {
        if (!StraceFormatter.DECODED.contains(sc.name()) || sc.name().equals("rt_sigreturn")) {
            return false;
        }
        for (ArgSpec a : sc.args()) {
            if (a.kind().isMemory() && a.kind() != ArgKind.POINTER) {
                return sc.name().equals("clone3") || sc.name().equals("ioctl");
            }
        }
        return true;
    }

    private static long parseNumber(String s) {
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    private static int run(Path dir, String... command) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("out-" + command[0] + ".log").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        }
    }
}
