package dev.jpoline.trace.format;

import dev.jpoline.api.consts.Constants;
import dev.jpoline.api.consts.Signals;
import dev.jpoline.api.consts.Xlat;
import dev.jpoline.api.consts.XlatStyle;

/**
 * The fields of a siginfo_t that strace shows in {@code --- SIGCHLD {...} ---} lines, decoded from
 * the 128 bytes the kernel delivers (x86-64 layout).
 *
 * @param signo  si_signo
 * @param code   si_code
 * @param pid    sending or child process (kill-like and SIGCHLD codes)
 * @param uid    its real user id
 * @param status SIGCHLD: exit status or signal
 * @param utime  SIGCHLD: user time in clock ticks
 * @param stime  SIGCHLD: system time in clock ticks
 * @param addr   fault signals: the faulting address; SIGSYS: the call address
 * @param value  SI_QUEUE and SI_TIMER: si_value
 * @param extra1 SIGPOLL: si_band; SI_TIMER: timer id; SIGSYS: syscall number
 * @param extra2 SIGPOLL: si_fd; SI_TIMER: overrun; SIGSYS: audit arch
 */
public record SignalInfo(int signo, int code, int pid, int uid, int status, long utime, long stime, long addr,
        long value, long extra1, long extra2) {

    public static final int SI_USER = 0;
    public static final int SI_KERNEL = 0x80;
    public static final int SI_QUEUE = -1;
    public static final int SI_TIMER = -2;
    public static final int SI_TKILL = -6;
    private static final int SIGILL = 4;
    private static final int SIGTRAP = 5;
    private static final int SIGBUS = 7;
    private static final int SIGFPE = 8;
    private static final int SIGSEGV = 11;
    private static final int SIGCHLD = 17;
    private static final int SIGPOLL = 29;
    private static final int SIGSYS = 31;

    /** A signal sent by kill(2)/tgkill(2): SI_USER or SI_TKILL with the sender's pid and uid. */
    public static SignalInfo sent(int signo, int code, int pid, int uid) {
        return new SignalInfo(signo, code, pid, uid, 0, 0, 0, 0, 0, 0, 0);
    }

    /** SIGCHLD for a child that changed state. */
    public static SignalInfo child(int cldCode, int pid, int uid, int status, long utime, long stime) {
        return new SignalInfo(SIGCHLD, cldCode, pid, uid, status, utime, stime, 0, 0, 0, 0);
    }

    /** A fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP) at an address. */
    public static SignalInfo fault(int signo, int code, long addr) {
        return new SignalInfo(signo, code, 0, 0, 0, 0, 0, addr, 0, 0, 0);
    }

    /** Decodes a raw siginfo_t as copied from the target (at least the first 48 bytes). */
    public static SignalInfo parse(Payload p) {
        if (p.length() < 48) {
            throw new IllegalArgumentException("siginfo needs 48 bytes, got " + p.length());
        }
        int signo = (int) p.le(0, 4);
        int code = (int) p.le(8, 4);
        long w16 = p.le(16, 8);
        int lo16 = (int) p.le(16, 4);
        int hi20 = (int) p.le(20, 4);
        int i24 = (int) p.le(24, 4);
        long l24 = p.le(24, 8);
        if (signo == SIGCHLD && code > 0) {
            return new SignalInfo(signo, code, lo16, hi20, i24, p.le(32, 8), p.le(40, 8), 0, 0, 0, 0);
        }
        if (code > 0 && code != SI_KERNEL && isFault(signo)) {
            return new SignalInfo(signo, code, 0, 0, 0, 0, 0, w16, 0, 0, 0);
        }
        if (code > 0 && code != SI_KERNEL && signo == SIGPOLL) {
            return new SignalInfo(signo, code, 0, 0, 0, 0, 0, 0, 0, w16, i24);
        }
        if (code > 0 && code != SI_KERNEL && signo == SIGSYS) {
            return new SignalInfo(signo, code, 0, 0, 0, 0, 0, w16, 0, i24, p.le(28, 4));
        }
        if (code == SI_TIMER) {
            return new SignalInfo(signo, code, 0, 0, 0, 0, 0, 0, l24, lo16, hi20);
        }
        if (code == SI_KERNEL) {
            return new SignalInfo(signo, code, 0, 0, 0, 0, 0, w16, 0, 0, 0);
        }
        return new SignalInfo(signo, code, lo16, hi20, 0, 0, 0, 0, l24, 0, 0);
    }

    private static boolean isFault(int signo) {
        return signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE || signo == SIGTRAP;
    }

    /** strace's {@code {si_signo=..., si_code=..., ...}} text. */
    public String format(XlatStyle style) {
        StringBuilder sb = new StringBuilder("{si_signo=").append(Signals.format(signo, style));
        sb.append(", si_code=").append(codeText(style));
        if (code == SI_KERNEL) {
            if (isFault(signo)) {
                sb.append(", si_addr=").append(StraceFormatter.pointer(addr));
            }
        } else if (code <= 0) {
            if (code == SI_TIMER) {
                sb.append(", si_timerid=").append(Xlat.hex(extra1)).append(", si_overrun=").append((int) extra2)
                        .append(", si_int=").append((int) value).append(", si_ptr=")
                        .append(StraceFormatter.pointer(value));
            } else {
                sb.append(", si_pid=").append(pid).append(", si_uid=").append(Integer.toUnsignedString(uid));
                if (code == SI_QUEUE) {
                    sb.append(", si_int=").append((int) value).append(", si_ptr=")
                            .append(StraceFormatter.pointer(value));
                }
            }
        } else if (signo == SIGCHLD) {
            sb.append(", si_pid=").append(pid).append(", si_uid=").append(Integer.toUnsignedString(uid));
            sb.append(", si_status=");
            if (code == 1) {
                sb.append(status);
            } else {
                sb.append(Signals.format(status, style));
            }
            sb.append(", si_utime=");
            clockTicks(sb, utime, style);
            sb.append(", si_stime=");
            clockTicks(sb, stime, style);
        } else if (isFault(signo)) {
            sb.append(", si_addr=").append(StraceFormatter.pointer(addr));
        } else if (signo == SIGPOLL) {
            sb.append(", si_band=").append(extra1).append(", si_fd=").append((int) extra2);
        } else if (signo == SIGSYS) {
            sb.append(", si_call_addr=").append(StraceFormatter.pointer(addr)).append(", si_syscall=")
                    .append(syscallName(extra1)).append(", si_arch=")
                    .append(extra2 == 0xc000003eL ? "AUDIT_ARCH_X86_64" : Xlat.hex(extra2));
        }
        return sb.append('}').toString();
    }

    /** USER_HZ: the unit of si_utime and si_stime in the x86-64 ABI, whatever the kernel's HZ. */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    /** A clock_t as strace prints it: the ticks, and unless raw, the seconds in a comment when not 0. */
    private static void clockTicks(StringBuilder sb, long ticks, XlatStyle style) {
        sb.append(Long.toUnsignedString(ticks));
        if (style != XlatStyle.RAW && ticks > 0) {
            long fraction = ticks % CLOCK_TICKS_PER_SECOND;
            sb.append(" /* ").append(ticks / CLOCK_TICKS_PER_SECOND).append('.').append(fraction < 10 ? "0" : "")
                    .append(fraction).append(" s */");
        }
    }

    private static String syscallName(long nr) {
        return dev.jpoline.api.SyscallTable.x86_64().byNumber(nr).map(s -> "__NR_" + s.name())
                .orElse(Long.toString(nr));
    }

    private String codeText(XlatStyle style) {
        Xlat table = Constants.SI_CODES;
        if (code > 0 && code != SI_KERNEL) {
            table = switch (signo) {
                case SIGCHLD -> Constants.CLD_CODES;
                case SIGSEGV -> Constants.SEGV_CODES;
                case SIGBUS -> Constants.BUS_CODES;
                case SIGILL -> Constants.ILL_CODES;
                case SIGFPE -> Constants.FPE_CODES;
                case SIGTRAP -> Constants.TRAP_CODES;
                case SIGPOLL -> Constants.POLL_CODES;
                case SIGSYS -> Constants.SYS_CODES;
                default -> Constants.SI_CODES;
            };
        }
        return table.format(code, style);
    }
}
