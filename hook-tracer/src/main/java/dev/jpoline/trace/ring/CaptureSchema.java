package dev.jpoline.trace.ring;

import static dev.jpoline.host.SessionLayout.*;

import dev.jpoline.api.ArgKind;
import dev.jpoline.api.CaptureRule;
import dev.jpoline.api.Syscall;
import dev.jpoline.api.SyscallTable;
import dev.jpoline.host.Session;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the capture schema into a session: for each traced syscall, which memory the runtime
 * copies into its records (from {@link CaptureRule}, with strace's {@code -s} as the limit for
 * strings and buffers), and whether the syscall is recorded in two halves (docs/trace.md).
 */
public final class CaptureSchema {
    private CaptureSchema() {}

    /** Path names are never cut (strace limits them by PATH_MAX only). */
    static final int PATH_MAX = 4096;
    /** Kernel-filled tables the formatter counts or walks (dirents, CPU masks). */
    static final int TABLE_MAX = 32 * 1024;

    /**
     * Syscalls recorded as an ENTRY record before and an EXIT record after: those that may not
     * return (exit, exec, rt_sigreturn), create processes (so the parent's line comes first), or
     * block for long (so a blocked call shows as unfinished rather than not at all).
     */
    public static final Set<String> SPLIT = Set.of("exit", "exit_group", "execve", "execveat", "rt_sigreturn",
            "clone", "clone3", "fork", "vfork", "wait4", "waitid", "futex", "poll", "ppoll", "select", "pselect6",
            "epoll_wait", "epoll_pwait", "epoll_pwait2", "nanosleep", "clock_nanosleep", "pause", "rt_sigsuspend",
            "rt_sigtimedwait", "accept", "accept4", "connect", "recvfrom", "recvmsg", "recvmmsg", "msgrcv", "semop",
            "semtimedop", "flock", "sigsuspend");

    /** Most pollfd entries copied (32 KiB, half a record): poll's result scans them all. */
    static final int POLLFDS_MAX = 4096;

    /** Arguments whose meaning depends on another argument: copied without trusting the address. */
    static final Set<String> UNTRUSTED = Set.of("ioctl", "fcntl", "futex", "prctl", "arch_prctl", "ptrace", "keyctl",
            "bpf", "quotactl", "mount", "io_uring_register", "seccomp", "getsockopt", "setsockopt");

    /** Writes the schema entry of every syscall in {@code traced}; others stay empty. */
    public static void write(Session session, SyscallTable table, int[] traced, int stringLimit) {
        ByteBuffer m = session.memory().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int schema = (int) session.getLong(OFF_SCHEMA_OFFSET);
        for (int nr : traced) {
            if (nr < 0 || nr >= TIER_COUNT) {
                continue;
            }
            Optional<Syscall> sc = table.byNumber(nr);
            int at = schema + nr * SCHEMA_ENTRY_SIZE;
            if (sc.isEmpty()) {
                continue;
            }
            Syscall s = sc.get();
            List<CaptureRule> rules = CaptureRule.forSyscall(s);
            int count = Math.min(rules.size(), SCHEMA_MAX_RULES);
            m.put(at + SCHEMA_FLAGS, (byte) (SPLIT.contains(s.name()) ? SCHEMA_SPLIT : 0));
            m.put(at + SCHEMA_RULE_COUNT, (byte) count);
            for (int i = 0; i < count; i++) {
                CaptureRule r = rules.get(i);
                ArgKind kind = s.arg(r.arg()).kind();
                int p = at + SCHEMA_RULES + i * RULE_SIZE;
                m.put(p + RULE_ARG, (byte) r.arg());
                m.put(p + RULE_TIMING, (byte) switch (r.timing()) {
                    case ENTRY -> AT_ENTRY;
                    case EXIT -> AT_EXIT;
                    case ENTRY_AND_EXIT -> AT_ENTRY_AND_EXIT;
                });
                int elem = r.size();
                int cap;
                int shape;
                switch (r.shape()) {
                    case C_STRING -> {
                        shape = SHAPE_C_STRING;
                        cap = kind == ArgKind.PATH ? PATH_MAX : stringLimit + 1;
                    }
                    case STRING_ARRAY -> {
                        shape = SHAPE_STRING_ARRAY;
                        // argv: -s strings of -s bytes; envp prints only its count
                        elem = kind == ArgKind.ENV_ARRAY ? 0 : stringLimit + 1;
                        cap = kind == ArgKind.ENV_ARRAY ? 4096 : Math.max(stringLimit, 1);
                    }
                    case FIXED -> {
                        shape = SHAPE_FIXED;
                        cap = elem;
                    }
                    case LENGTH_ARG -> {
                        shape = SHAPE_LENGTH_ARG;
                        cap = kind == ArgKind.BUFFER_IN ? stringLimit : PATH_MAX;
                    }
                    case LENGTH_RETURN -> {
                        shape = SHAPE_LENGTH_RETURN;
                        cap = kind == ArgKind.BUFFER_OUT ? stringLimit : TABLE_MAX;
                    }
                    case ARRAY_ARG -> {
                        shape = SHAPE_ARRAY_ARG;
                        // poll's ready list comes from the whole array (strace scans every entry),
                        // not only from the -s entries the call's own list shows.
                        cap = kind == ArgKind.POLLFDS ? elem * POLLFDS_MAX : elem * (Math.max(stringLimit, 1) + 1);
                    }
                    case ARRAY_RETURN -> {
                        shape = SHAPE_ARRAY_RETURN;
                        cap = elem * (Math.max(stringLimit, 1) + 1);
                    }
                    case IOVEC -> {
                        shape = SHAPE_IOVEC;
                        cap = stringLimit;
                    }
                    case NODEMASK -> {
                        // -s words are printed, then "..."
                        shape = SHAPE_NODEMASK;
                        cap = elem * (Math.max(stringLimit, 1) + 1);
                    }
                    default -> throw new IllegalStateException("unknown capture shape " + r.shape());
                }
                boolean untrusted = UNTRUSTED.contains(s.name())
                        || (kind == ArgKind.SOCKADDR && r.shape() == CaptureRule.Shape.FIXED);
                m.put(p + RULE_SHAPE, (byte) shape);
                m.put(p + RULE_LENGTH_ARG, (byte) (r.lengthArg() < 0 ? 0xff : r.lengthArg()));
                m.putInt(p + RULE_ELEM, elem);
                m.putInt(p + RULE_CAP, cap);
                boolean remaining = "remaining".equals(s.arg(r.arg()).param());
                m.putInt(p + RULE_FLAGS, (untrusted ? RULE_SAFE : 0) | (remaining ? RULE_AFTER_EINTR : 0));
            }
        }
    }
}
