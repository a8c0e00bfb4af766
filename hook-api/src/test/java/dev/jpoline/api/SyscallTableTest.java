package dev.jpoline.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jpoline.api.consts.Constants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SyscallTableTest {
    private static final Path UNISTD_64 = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
    private final SyscallTable table = SyscallTable.x86_64();

    private static Map<String, Integer> unistdNumbers() throws IOException {
        Pattern define = Pattern.compile("^#define __NR_(\\w+)\\s+(\\d+)\\s*$");
        Map<String, Integer> numbers = new LinkedHashMap<>();
        for (String line : Files.readAllLines(UNISTD_64)) {
            Matcher m = define.matcher(line);
            if (m.matches()) {
                numbers.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        return numbers;
    }

    @Test
    void everyNumberInTheKernelHeaderHasTheSameNameInTheTable() throws IOException {
        assumeTrue(Files.isReadable(UNISTD_64), "kernel headers not installed");
        Map<String, Integer> header = unistdNumbers();
        assertThat(header).hasSizeGreaterThan(350);
        header.forEach((name, number) -> {
            assertThat(table.nameOf(number)).as("name of %d", number).isEqualTo(name);
            assertThat(table.numberOf(name)).as("number of %s", name).isEqualTo(number);
        });
    }

    @Test
    void tableHasNothingBetweenTheHeaderEntriesThatTheHeaderLacks() throws IOException {
        assumeTrue(Files.isReadable(UNISTD_64), "kernel headers not installed");
        int headerMax = unistdNumbers().values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        long extra = table.all().stream().filter(s -> s.number() <= headerMax)
                .filter(s -> {
                    try {
                        return !unistdNumbers().containsKey(s.name());
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }).count();
        assertThat(extra).isZero();
    }

    @Test
    void coversEverySyscallUpToTheRunningKernel() {
        // 0..334 and 424..469 are assigned on x86-64; 335..423 are deliberately unused.
        for (int n = 0; n <= 469; n++) {
            boolean unused = n >= 335 && n <= 423;
            assertThat(table.byNumber(n).isPresent()).as("syscall %d", n).isEqualTo(!unused);
        }
        assertThat(table.limit()).isEqualTo(470);
    }

    @Test
    void newestSyscallsHaveTheirUpstreamNumbers() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        String[] names = {"cachestat", "fchmodat2", "map_shadow_stack", "futex_wake", "futex_wait",
            "futex_requeue", "statmount", "listmount", "lsm_get_self_attr", "lsm_set_self_attr",
            "lsm_list_modules", "mseal", "setxattrat", "getxattrat", "listxattrat", "removexattrat",
            "open_tree_attr", "file_getattr", "file_setattr"};
        for (int i = 0; i < names.length; i++) {
            expected.put(names[i], 451 + i);
        }
        expected.forEach((name, number) -> assertThat(table.numberOf(name)).as(name).isEqualTo(number));
    }

    @Test
    void argumentCountsFollowStrace() {
        assertThat(table.byName("read").orElseThrow().argCount()).isEqualTo(3);
        assertThat(table.byName("mmap").orElseThrow().argCount()).isEqualTo(6);
        assertThat(table.byName("clone").orElseThrow().argCount()).isEqualTo(5);
        assertThat(table.byName("getpid").orElseThrow().argCount()).isZero();
        assertThat(table.byName("futex").orElseThrow().argCount()).isEqualTo(6);
        assertThat(table.byName("statx").orElseThrow().argCount()).isEqualTo(5);
        assertThat(table.byName("execveat").orElseThrow().argCount()).isEqualTo(5);
        assertThat(table.byName("rt_sigaction").orElseThrow().argCount()).isEqualTo(4);
    }

    @Test
    void argumentKindsDescribeTheCommonSyscalls() {
        Syscall openat = table.byName("openat").orElseThrow();
        assertThat(openat.args()).extracting(ArgSpec::kind)
                .containsExactly(ArgKind.DIRFD, ArgKind.PATH, ArgKind.FLAGS, ArgKind.MODE);
        assertThat(openat.arg(2).param()).isEqualTo("open");
        assertThat(openat.returns()).isEqualTo(ReturnKind.FD);

        Syscall write = table.byName("write").orElseThrow();
        assertThat(write.arg(1).kind()).isEqualTo(ArgKind.BUFFER_IN);
        assertThat(write.arg(1).lengthArg()).isEqualTo(2);
        assertThat(write.arg(1).out()).isFalse();

        Syscall read = table.byName("read").orElseThrow();
        assertThat(read.arg(1).kind()).isEqualTo(ArgKind.BUFFER_OUT);
        assertThat(read.arg(1).out()).isTrue();

        Syscall rtSigaction = table.byName("rt_sigaction").orElseThrow();
        assertThat(rtSigaction.arg(1).out()).isFalse();
        assertThat(rtSigaction.arg(2).out()).isTrue();

        assertThat(table.byName("mmap").orElseThrow().returns()).isEqualTo(ReturnKind.HEX);
        assertThat(table.byName("exit_group").orElseThrow().returns()).isEqualTo(ReturnKind.NONE);
        assertThat(table.byName("umask").orElseThrow().returns()).isEqualTo(ReturnKind.OCTAL);
    }

    @Test
    void everyNamedConstantTableExistsAndEveryLengthArgumentIsAnArgument() {
        for (Syscall s : table.all()) {
            for (ArgSpec a : s.args()) {
                if (a.kind() == ArgKind.FLAGS || a.kind() == ArgKind.ENUM
                        || a.kind() == ArgKind.INT_PTR && a.param() != null) {
                    assertThat(a.param()).as("%s table name", s.name()).isNotNull();
                    assertThat(Constants.get(a.param())).as("%s: table %s", s.name(), a.param()).isPresent();
                }
                if (a.lengthArg() != ArgSpec.NO_LENGTH_ARG) {
                    assertThat(a.lengthArg()).as(s.name()).isLessThan(s.argCount());
                    assertThat(s.arg(a.lengthArg()).kind()).as(s.name())
                            .isIn(ArgKind.SIZE, ArgKind.UINT, ArgKind.INT, ArgKind.ULONG);
                }
                if (a.kind() == ArgKind.BUFFER_IN || (a.kind() == ArgKind.SOCKADDR || a.kind() == ArgKind.CPU_SET)
                        && !a.out()) {
                    assertThat(a.lengthArg()).as("%s needs a length", s.name()).isNotNegative();
                }
            }
        }
    }

    @Test
    void straceClassesMatchStraceMembership() {
        // Spot checks against strace's x86-64 table letters (TD, TF, TN, TP, TS, TM, TI, TC, TCL...).
        assertThat(table.inClass(SyscallClass.NETWORK)).extracting(Syscall::name)
                .contains("socket", "connect", "accept4", "sendfile", "recvmmsg", "sendmmsg")
                .doesNotContain("read", "close");
        assertThat(table.inClass(SyscallClass.PROCESS)).extracting(Syscall::name)
                .containsExactly("clone", "fork", "vfork", "execve", "exit", "wait4", "kill", "rt_sigqueueinfo",
                        "tkill", "exit_group", "tgkill", "waitid", "rt_tgsigqueueinfo", "execveat",
                        "pidfd_send_signal", "clone3");
        assertThat(table.inClass(SyscallClass.SIGNAL)).extracting(Syscall::name)
                .contains("rt_sigaction", "kill", "pause", "signalfd4", "io_uring_enter")
                .doesNotContain("alarm");
        assertThat(table.inClass(SyscallClass.MEMORY)).extracting(Syscall::name)
                .contains("mmap", "brk", "mseal", "io_setup", "shmat", "map_shadow_stack")
                .doesNotContain("mincore2");
        assertThat(table.inClass(SyscallClass.IPC)).extracting(Syscall::name)
                .containsExactlyInAnyOrder("shmget", "shmat", "shmctl", "semget", "semop", "semctl", "shmdt",
                        "msgget", "msgsnd", "msgrcv", "msgctl", "semtimedop");
        assertThat(table.inClass(SyscallClass.FILE)).extracting(Syscall::name)
                .contains("open", "openat", "execve", "statx", "inotify_add_watch", "fanotify_mark")
                .doesNotContain("close", "fstat", "newfstatat2");
        assertThat(table.inClass(SyscallClass.DESC)).extracting(Syscall::name)
                .contains("read", "close", "mmap", "newfstatat", "epoll_wait")
                .doesNotContain("close_range", "open2");
        assertThat(table.inClass(SyscallClass.CREDS)).extracting(Syscall::name)
                .contains("getuid", "setresuid", "capget", "prctl");
        assertThat(table.inClass(SyscallClass.CLOCK)).extracting(Syscall::name)
                .containsExactlyInAnyOrder("gettimeofday", "adjtimex", "settimeofday", "time", "clock_settime",
                        "clock_gettime", "clock_getres", "clock_adjtime");
        assertThat(table.inClass(SyscallClass.STAT_LIKE)).extracting(Syscall::name)
                .containsExactly("stat", "fstat", "lstat", "newfstatat", "statx");
        assertThat(table.inClass(SyscallClass.FSTAT)).extracting(Syscall::name)
                .containsExactly("fstat", "newfstatat", "statx");
        assertThat(table.inClass(SyscallClass.STATFS_LIKE)).extracting(Syscall::name)
                .containsExactly("ustat", "statfs", "fstatfs");
        assertThat(table.inClass(SyscallClass.PURE)).extracting(Syscall::name)
                .containsExactly("getpid", "getuid", "getgid", "geteuid", "getegid", "getppid", "getpgrp", "gettid");
    }

    @Test
    void classNamesResolveLikeStraceOptions() {
        assertThat(SyscallClass.fromName("%net")).contains(SyscallClass.NETWORK);
        assertThat(SyscallClass.fromName("%network")).contains(SyscallClass.NETWORK);
        assertThat(SyscallClass.fromName("%%stat")).contains(SyscallClass.STAT_LIKE);
        assertThat(SyscallClass.fromName("%stat")).contains(SyscallClass.STAT);
        assertThat(SyscallClass.fromName("%bogus")).isEmpty();
    }

    @Test
    void unknownNumbersAndNamesAreReportedPlainly() {
        assertThat(table.nameOf(500)).isEqualTo("syscall_0x1f4");
        assertThat(table.byNumber(-1)).isEmpty();
        assertThat(table.byNumber(400)).isEmpty();
        assertThatThrownBy(() -> table.numberOf("opne"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown syscall name 'opne' (x86-64)");
    }

    @Test
    void parsingRejectsMalformedDataWithTheLineNumber() {
        assertThatThrownBy(() -> SyscallTable.parse("0 read desc dec FD\n1 write desc dec NOPE"))
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> SyscallTable.parse("0 read desc dec FD\n0 again - dec"))
                .hasMessageContaining("duplicate syscall number 0");
        assertThatThrownBy(() -> SyscallTable.parse("0 read bogusclass dec FD"))
                .hasMessageContaining("line 1");
    }

    @Test
    void argSpecTextRoundTrips() {
        for (String s : List.of("FD", "BUFFER_IN(2)", "FLAGS(open)", ">SIGSET", ">SOCKADDR")) {
            assertThat(ArgSpec.parse(s).toString()).isEqualTo(s);
        }
        assertThat(ArgSpec.parse(">SIGSET").out()).isTrue();
        assertThat(ArgSpec.parse("SIGSET").out()).isFalse();
        assertThat(ArgSpec.parse("STAT").out()).as("stat buffers are always kernel-filled").isTrue();
    }

    @Test
    void fixedSizeKindsKnowTheirX8664StructSizes() {
        assertThat(ArgKind.STAT.fixedSize()).hasValue(144);
        assertThat(ArgKind.STATX.fixedSize()).hasValue(256);
        assertThat(ArgKind.SIGACTION.fixedSize()).hasValue(32);
        assertThat(ArgKind.EPOLL_EVENT.fixedSize()).hasValue(12);
        assertThat(ArgKind.SIGINFO.fixedSize()).hasValue(128);
        assertThat(ArgKind.PATH.fixedSize()).isEmpty();
        assertThat(ArgKind.BUFFER_OUT.fixedSize()).isEmpty();
        assertThat(ArgKind.FD.fixedSize()).isEmpty();
        for (ArgKind k : ArgKind.values()) {
            if (k.fixedSize().isPresent()) {
                assertThat(k.isMemory()).as("%s has a size, so it is memory", k).isTrue();
            }
        }
    }
}
