package dev.jpoline.api.consts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Expected strings are strace 6.1's output for the same values on this machine. */
class ConstantsTest {
    private static String f(Xlat x, long v) {
        return x.format(v);
    }

    @Test
    void openFlagsPrintTheAccessModeFirstAndTheRemainderInHex() {
        assertThat(f(Constants.OPEN_FLAGS, 0)).isEqualTo("O_RDONLY");
        assertThat(f(Constants.OPEN_FLAGS, 02000000)).isEqualTo("O_RDONLY|O_CLOEXEC");
        assertThat(f(Constants.OPEN_FLAGS, 01 | 0100 | 01000)).isEqualTo("O_WRONLY|O_CREAT|O_TRUNC");
        assertThat(f(Constants.OPEN_FLAGS, 02 | 02000 | 0200000)).isEqualTo("O_RDWR|O_APPEND|O_DIRECTORY");
        assertThat(f(Constants.OPEN_FLAGS, 3)).isEqualTo("O_ACCMODE");
        assertThat(f(Constants.OPEN_FLAGS, 020200000)).isEqualTo("O_RDONLY|O_TMPFILE");
        assertThat(f(Constants.OPEN_FLAGS, 04010000)).isEqualTo("O_RDONLY|O_SYNC");
        assertThat(f(Constants.OPEN_FLAGS, 04000 | 02000000 | 0x80000000L))
                .isEqualTo("O_RDONLY|O_NONBLOCK|O_CLOEXEC|0x80000000");
    }

    @Test
    void stylesFollowStraceDashX() {
        assertThat(Constants.OPEN_FLAGS.format(0x80000, XlatStyle.RAW)).isEqualTo("0x80000");
        assertThat(Constants.OPEN_FLAGS.format(0x80000, XlatStyle.VERBOSE))
                .isEqualTo("0x80000 /* O_RDONLY|O_CLOEXEC */");
        assertThat(Constants.OPEN_FLAGS.format(0, XlatStyle.VERBOSE)).isEqualTo("0 /* O_RDONLY */");
        assertThat(Constants.MMAP_FLAGS.format(0x22, XlatStyle.VERBOSE))
                .isEqualTo("0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */");
        assertThat(Constants.PROT.format(3, XlatStyle.VERBOSE)).isEqualTo("0x3 /* PROT_READ|PROT_WRITE */");
        assertThat(Constants.RLIMIT_RESOURCES.format(3, XlatStyle.VERBOSE)).isEqualTo("0x3 /* RLIMIT_STACK */");
        assertThat(Constants.WHENCE.format(7, XlatStyle.VERBOSE)).isEqualTo("0x7 /* SEEK_??? */");
        assertThat(Constants.WHENCE.format(7, XlatStyle.RAW)).isEqualTo("0x7");
        assertThat(Constants.CLONE3_FLAGS.format(0x5100, XlatStyle.VERBOSE))
                .isEqualTo("0x5100 /* CLONE_VM|CLONE_PIDFD|CLONE_VFORK */");
        assertThat(Constants.AT_FLAGS.format(0x800000, XlatStyle.VERBOSE)).isEqualTo("0x800000 /* AT_??? */");
    }

    @Test
    void unknownValuesAndBitsGetStraceComments() {
        assertThat(f(Constants.WHENCE, 7)).isEqualTo("0x7 /* SEEK_??? */");
        assertThat(f(Constants.MADVISE, 99)).isEqualTo("0x63 /* MADV_??? */");
        assertThat(f(Constants.AT_FLAGS, 0x800000)).isEqualTo("0x800000 /* AT_??? */");
        assertThat(f(Constants.ACCESS_MODES, 8)).isEqualTo("0x8 /* ?_OK */");
        assertThat(f(Constants.ACCESS_MODES, 4 | 8)).isEqualTo("R_OK|0x8");
        assertThat(f(Constants.SIGPROCMASK_HOW, 7)).isEqualTo("0x7 /* SIG_??? */");
        assertThat(f(Constants.ADDRESS_FAMILIES, 99)).isEqualTo("0x63 /* AF_??? */");
        assertThat(f(Constants.FCNTL_COMMANDS, 9999)).isEqualTo("0x270f /* F_??? */");
    }

    @Test
    void atAndAccessFlags() {
        assertThat(f(Constants.AT_FLAGS, 0)).isEqualTo("0");
        assertThat(f(Constants.AT_FLAGS, 0x1000)).isEqualTo("AT_EMPTY_PATH");
        assertThat(f(Constants.AT_FLAGS, 0x100)).isEqualTo("AT_SYMLINK_NOFOLLOW");
        assertThat(f(Constants.AT_FLAGS, 0x200)).isEqualTo("AT_REMOVEDIR");
        assertThat(f(Constants.FACCESSAT_FLAGS, 0x200)).isEqualTo("AT_EACCESS");
        assertThat(f(Constants.ACCESS_MODES, 0)).isEqualTo("F_OK");
        assertThat(f(Constants.ACCESS_MODES, 7)).isEqualTo("R_OK|W_OK|X_OK");
        assertThat(f(Constants.AT_STATX_FLAGS, 0)).isEqualTo("AT_STATX_SYNC_AS_STAT");
        assertThat(f(Constants.AT_STATX_FLAGS, 0x4000 | 0x1000)).isEqualTo("AT_STATX_DONT_SYNC|AT_EMPTY_PATH");
        assertThat(f(Constants.STATX_MASK, 0x7ff)).isEqualTo("STATX_BASIC_STATS");
        assertThat(f(Constants.STATX_MASK, 0x17ff)).isEqualTo("STATX_BASIC_STATS|STATX_MNT_ID");
        assertThat(f(Constants.STATX_MASK, 0x1fff)).isEqualTo("STATX_ALL|STATX_MNT_ID");
    }

    @Test
    void mmapProtAndFlags() {
        assertThat(f(Constants.PROT, 0)).isEqualTo("PROT_NONE");
        assertThat(f(Constants.PROT, 5)).isEqualTo("PROT_READ|PROT_EXEC");
        assertThat(f(Constants.PROT, 0x105)).isEqualTo("PROT_READ|PROT_EXEC|0x100");
        assertThat(f(Constants.MMAP_FLAGS, 0x22)).isEqualTo("MAP_PRIVATE|MAP_ANONYMOUS");
        assertThat(f(Constants.MMAP_FLAGS, 0x812)).isEqualTo("MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
        assertThat(f(Constants.MMAP_FLAGS, 0)).isEqualTo("MAP_FILE");
        assertThat(f(Constants.MMAP_FLAGS, 1 | 0x8000 | 0x20000 | 0x40000 | 0x100000 | (21L << 26)))
                .isEqualTo("MAP_SHARED|MAP_POPULATE|MAP_STACK|MAP_HUGETLB|MAP_FIXED_NOREPLACE|21<<MAP_HUGE_SHIFT");
        assertThat(f(Constants.MMAP_FLAGS, 3 | 0x4000 | 0x100 | 0x8000000))
                .isEqualTo("MAP_SHARED_VALIDATE|MAP_NORESERVE|MAP_GROWSDOWN|2<<MAP_HUGE_SHIFT");
        assertThat(f(Constants.MREMAP_FLAGS, 1)).isEqualTo("MREMAP_MAYMOVE");
        assertThat(f(Constants.MADVISE, 4)).isEqualTo("MADV_DONTNEED");
    }

    @Test
    void cloneFlagsEndWithTheExitSignal() {
        assertThat(f(Constants.CLONE_FLAGS, 0x1200000 | 17))
                .isEqualTo("CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
        assertThat(f(Constants.CLONE_FLAGS, 0x3d0f00))
                .isEqualTo("CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM"
                        + "|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
        assertThat(f(Constants.CLONE_FLAGS, 0x4100 | 17)).isEqualTo("CLONE_VM|CLONE_VFORK|SIGCHLD");
        assertThat(f(Constants.UNSHARE_FLAGS, 0x10000000 | 0x20000)).isEqualTo("CLONE_NEWNS|CLONE_NEWUSER");
        assertThat(f(Constants.CLONE3_FLAGS, 0x100000000L | 0x100)).isEqualTo("CLONE_VM|CLONE_CLEAR_SIGHAND");
    }

    @Test
    void socketConstants() {
        assertThat(f(Constants.ADDRESS_FAMILIES, 2)).isEqualTo("AF_INET");
        assertThat(f(Constants.ADDRESS_FAMILIES, 10)).isEqualTo("AF_INET6");
        assertThat(f(Constants.SOCKET_TYPE_FLAGS, 1 | 02000000)).isEqualTo("SOCK_STREAM|SOCK_CLOEXEC");
        assertThat(f(Constants.SOCKET_TYPE_FLAGS, 2 | 04000)).isEqualTo("SOCK_DGRAM|SOCK_NONBLOCK");
        assertThat(f(Constants.SOCKET_TYPE_FLAGS, 1 | 04000 | 02000000))
                .isEqualTo("SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK");
        assertThat(f(Constants.MSG_FLAGS, 0x4040)).isEqualTo("MSG_DONTWAIT|MSG_NOSIGNAL");
        assertThat(f(Constants.SHUTDOWN_HOW, 2)).isEqualTo("SHUT_RDWR");
        assertThat(f(Constants.SOCKET_LEVELS, 1)).isEqualTo("SOL_SOCKET");
        assertThat(f(Constants.SOL_SOCKET_OPTIONS, 2)).isEqualTo("SO_REUSEADDR");
        assertThat(f(Constants.IP_PROTOCOLS, 17)).isEqualTo("IPPROTO_UDP");
    }

    @Test
    void fileDescriptorConstants() {
        assertThat(f(Constants.FCNTL_COMMANDS, 1030)).isEqualTo("F_DUPFD_CLOEXEC");
        assertThat(f(Constants.FCNTL_COMMANDS, 3)).isEqualTo("F_GETFL");
        assertThat(f(Constants.FD_FLAGS, 1)).isEqualTo("FD_CLOEXEC");
        assertThat(f(Constants.PIPE2_FLAGS, 0)).isEqualTo("0");
        assertThat(f(Constants.PIPE2_FLAGS, 04000 | 02000000)).isEqualTo("O_NONBLOCK|O_CLOEXEC");
        assertThat(f(Constants.DUP3_FLAGS, 02000000)).isEqualTo("O_CLOEXEC");
        assertThat(f(Constants.WHENCE, 2)).isEqualTo("SEEK_END");
        assertThat(f(Constants.IOCTL_REQUESTS, 0x5413)).isEqualTo("TIOCGWINSZ");
        assertThat(f(Constants.IOCTL_REQUESTS, 0x541B)).isEqualTo("FIONREAD");
        assertThat(f(Constants.IOCTL_REQUESTS, 0x5401)).isEqualTo("TCGETS");
        assertThat(f(Constants.EPOLL_CTL_OPS, 1)).isEqualTo("EPOLL_CTL_ADD");
        assertThat(f(Constants.EPOLL_EVENTS, 0x80000001L)).isEqualTo("EPOLLIN|EPOLLET");
        assertThat(f(Constants.POLL_EVENTS, 0x11)).isEqualTo("POLLIN|POLLHUP");
        assertThat(f(Constants.EPOLL_CREATE_FLAGS, 02000000)).isEqualTo("EPOLL_CLOEXEC");
    }

    @Test
    void processAndMiscConstants() {
        assertThat(f(Constants.WAIT_OPTIONS, 0x40000001)).isEqualTo("WNOHANG|__WALL");
        assertThat(f(Constants.WAIT_OPTIONS, 3)).isEqualTo("WNOHANG|WSTOPPED");
        assertThat(f(Constants.SIGPROCMASK_HOW, 2)).isEqualTo("SIG_SETMASK");
        assertThat(f(Constants.SIGACTION_FLAGS, 0x04000000 | 0x10000000 | 4))
                .isEqualTo("SA_RESTORER|SA_RESTART|SA_SIGINFO");
        assertThat(f(Constants.PRCTL_OPTIONS, 15)).isEqualTo("PR_SET_NAME");
        assertThat(f(Constants.ARCH_PRCTL_CODES, 0x1002)).isEqualTo("ARCH_SET_FS");
        assertThat(f(Constants.ARCH_PRCTL_CODES, 0x3001)).isEqualTo("0x3001 /* ARCH_??? */");
        assertThat(f(Constants.FUTEX_COMMANDS, 9)).isEqualTo("FUTEX_WAIT_BITSET");
        assertThat(f(Constants.RENAME_FLAGS, 1)).isEqualTo("RENAME_NOREPLACE");
        assertThat(f(Constants.GETRANDOM_FLAGS, 3)).isEqualTo("GRND_NONBLOCK|GRND_RANDOM");
        assertThat(f(Constants.CLOCK_IDS, 1)).isEqualTo("CLOCK_MONOTONIC");
        assertThat(f(Constants.RLIMIT_RESOURCES, 7)).isEqualTo("RLIMIT_NOFILE");
        assertThat(f(Constants.FILE_TYPES, 0100000)).isEqualTo("S_IFREG");
        assertThat(f(Constants.CLD_CODES, 1)).isEqualTo("CLD_EXITED");
        assertThat(f(Constants.SI_CODES, -6)).isEqualTo("SI_TKILL");
    }

    @Test
    void signalNamesFollowStraceNumbering() {
        assertThat(Signals.name(1)).contains("SIGHUP");
        assertThat(Signals.name(31)).contains("SIGSYS");
        assertThat(Signals.name(32)).contains("SIGRTMIN");
        assertThat(Signals.name(36)).contains("SIGRT_4");
        assertThat(Signals.name(64)).contains("SIGRT_32");
        assertThat(Signals.name(0)).isEmpty();
        assertThat(Signals.name(65)).isEmpty();
        assertThat(Signals.number("SIGRTMIN+2")).contains(34);
        assertThat(Signals.number("TERM")).contains(15);
        assertThat(Signals.number("SIGIOT")).contains(6);
        assertThat(Signals.format(17, XlatStyle.VERBOSE)).isEqualTo("17 /* SIGCHLD */");
        assertThat(Signals.format(99, XlatStyle.ABBREV)).isEqualTo("99");
        assertThat(Signals.format(0, XlatStyle.ABBREV)).isEqualTo("0");
    }

    @Test
    void signalSetsInvertWhenMostSignalsAreIn() {
        long termAndRt5 = (1L << 14) | (1L << 36);
        assertThat(Signals.formatSet(termAndRt5, 8)).isEqualTo("[TERM RT_5]");
        assertThat(Signals.formatSet(0, 8)).isEqualTo("[]");
        assertThat(Signals.formatSet(-1L, 8)).isEqualTo("~[]");
        long allButRtminRt1 = ~((1L << 31) | (1L << 32));
        assertThat(Signals.formatSet(allButRtminRt1, 8)).isEqualTo("~[RTMIN RT_1]");
        assertThat(Signals.formatSet((1L << 41) - 1, 8)).startsWith("[HUP INT");
        assertThat(Signals.formatSet((1L << 42) - 1, 8)).startsWith("~[RT_11 RT_12");
        assertThat(Signals.formatSet(1L << 63, 8)).isEqualTo("[RT_32]");
    }

    @Test
    void everyTableHasUniqueNamesAndFlagTablesHaveNoZeroBitsExceptTheirZeroName() {
        for (Xlat x : Constants.all().values()) {
            Set<String> names = new HashSet<>();
            for (Xlat.Entry e : x.entries()) {
                assertThat(names.add(e.name())).as("%s: duplicate %s", x.name(), e.name()).isTrue();
            }
            if (x.kind() == Xlat.Kind.FLAGS) {
                assertThat(x.entries().stream().filter(e -> e.value() == 0).count())
                        .as("%s has at most one zero name", x.name()).isLessThanOrEqualTo(1);
            }
        }
        assertThat(Constants.get("open")).containsSame(Constants.OPEN_FLAGS);
        assertThat(Constants.get("nope")).isEmpty();
        assertThat(Constants.OPEN_FLAGS.valueOf("O_CLOEXEC")).contains(02000000L);
    }
}
