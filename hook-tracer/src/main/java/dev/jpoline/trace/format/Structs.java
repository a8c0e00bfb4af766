package dev.jpoline.trace.format;

import dev.jpoline.api.consts.Constants;
import dev.jpoline.api.consts.Signals;
import dev.jpoline.api.consts.Xlat;
import dev.jpoline.api.consts.XlatStyle;

/** strace's text for the x86-64 structs the decoders know; offsets are the x86-64 ABI layouts. */
final class Structs {
    private Structs() {
    }

    private static final int S_IFCHR = 020000;
    private static final int S_IFBLK = 060000;

    /** struct stat, abbreviated as strace does without -v. */
    static String stat(Payload p, XlatStyle style) {
        long mode = p.le(24, 4);
        StringBuilder sb = new StringBuilder("{st_mode=").append(ArgDecoder.mode(mode, style));
        long type = mode & Constants.S_IFMT;
        if (type == S_IFCHR || type == S_IFBLK) {
            sb.append(", st_rdev=").append(ArgDecoder.makedev(p.le(40, 8), style));
        } else {
            sb.append(", st_size=").append(p.le(48, 8));
        }
        return sb.append(", ...}").toString();
    }

    /** As {@link #stat(Payload, XlatStyle)}, appended. */
    static void stat(LineBuffer out, Payload p, XlatStyle style) {
        long mode = p.le(24, 4);
        out.append(ST_MODE);
        ArgDecoder.mode(out, mode, style);
        long type = mode & Constants.S_IFMT;
        if (type == S_IFCHR || type == S_IFBLK) {
            out.append(", st_rdev=").append(ArgDecoder.makedev(p.le(40, 8), style));
        } else {
            out.append(ST_SIZE).decimal(p.le(48, 8));
        }
        out.append(ABBREVIATED_END);
    }

    private static final byte[] ST_MODE = LineBuffer.ascii("{st_mode=");
    private static final byte[] ST_SIZE = LineBuffer.ascii(", st_size=");
    private static final byte[] ABBREVIATED_END = LineBuffer.ascii(", ...}");

    /** struct statx, abbreviated as strace does without -v. */
    static String statx(Payload p, XlatStyle style) {
        long attributes = p.le(8, 8);
        long mode = p.le(28, 2);
        StringBuilder sb = new StringBuilder("{stx_mask=").append(Constants.STATX_MASK.format(p.le(0, 4), style));
        sb.append(", stx_attributes=").append(attributes == 0 ? "0"
                : Constants.STATX_ATTRIBUTES.format(attributes, style));
        sb.append(", stx_mode=").append(ArgDecoder.mode(mode, style));
        // The size even for devices: strace's abbreviated statx keeps the device numbers for -v
        // (unlike stat's, which shows st_rdev instead of st_size).
        sb.append(", stx_size=").append(Long.toUnsignedString(p.le(40, 8)));
        return sb.append(", ...}").toString();
    }

    /** struct statfs, every field, as strace prints it. */
    static String statfs(Payload p, XlatStyle style) {
        return "{f_type=" + Constants.FS_MAGICS.format(p.le(0, 8), style) + ", f_bsize=" + p.le(8, 8)
                + ", f_blocks=" + Long.toUnsignedString(p.le(16, 8)) + ", f_bfree=" + Long.toUnsignedString(p.le(24, 8))
                + ", f_bavail=" + Long.toUnsignedString(p.le(32, 8)) + ", f_files=" + Long.toUnsignedString(p.le(40, 8))
                + ", f_ffree=" + Long.toUnsignedString(p.le(48, 8)) + ", f_fsid={val=[" + Xlat.hex(p.le(56, 4)) + ", "
                + Xlat.hex(p.le(60, 4)) + "]}, f_namelen=" + p.le(64, 8) + ", f_frsize=" + p.le(72, 8) + ", f_flags="
                + Constants.STATFS_FLAGS.format(p.le(80, 8), style) + "}";
    }

    static String timespec(Payload p, int off) {
        return "{tv_sec=" + p.le(off, 8) + ", tv_nsec=" + p.le(off + 8, 8) + "}";
    }

    static String timeval(Payload p, int off) {
        return "{tv_sec=" + p.le(off, 8) + ", tv_usec=" + p.le(off + 8, 8) + "}";
    }

    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    /**
     * utimensat's two times as strace prints them: a time followed by its local date in a
     * comment (see {@link #localDate}), the UTIME_NOW and UTIME_OMIT markers by name (with -X raw
     * the struct, with -X verbose both).
     */
    static String timespecPair(Payload p, XlatStyle style, java.time.ZoneId zone) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 2; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            long sec = p.le(16 * i, 8);
            long nsec = p.le(16 * i + 8, 8);
            if (nsec == UTIME_NOW || nsec == UTIME_OMIT) {
                String name = nsec == UTIME_NOW ? "UTIME_NOW" : "UTIME_OMIT";
                switch (style) {
                    case RAW -> sb.append(timespec(p, 16 * i));
                    case VERBOSE -> sb.append(timespec(p, 16 * i)).append(" /* ").append(name).append(" */");
                    default -> sb.append(name);
                }
            } else {
                sb.append(timespec(p, 16 * i));
                String date = localDate(sec, nsec, zone);
                if (date != null) {
                    sb.append(" /* ").append(date).append(" */");
                }
            }
        }
        return sb.append(']').toString();
    }

    private static final java.time.format.DateTimeFormatter DATE_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    private static final java.time.format.DateTimeFormatter OFFSET =
            java.time.format.DateTimeFormatter.ofPattern("xx");

    /**
     * strace's sprinttime_nsec: the local time as {@code %FT%T[.nnnnnnnnn]%z}, or null (no
     * comment) for the epoch itself and for a nanosecond count out of range.
     */
    static String localDate(long sec, long nsec, java.time.ZoneId zone) {
        if ((sec == 0 && nsec == 0) || nsec < 0 || nsec > 999_999_999L) {
            return null;
        }
        java.time.ZonedDateTime t;
        try {
            t = java.time.Instant.ofEpochSecond(sec).atZone(zone);
        } catch (java.time.DateTimeException e) {
            return null; // beyond what localtime() takes
        }
        StringBuilder sb = new StringBuilder(DATE_TIME.format(t));
        if (nsec > 0) {
            String digits = Long.toString(nsec);
            sb.append('.').append("0".repeat(9 - digits.length())).append(digits);
        }
        return sb.append(OFFSET.format(t)).toString();
    }

    /** The kernel's struct sigaction: handler, flags, restorer, mask (in that memory order). */
    static String sigaction(Payload p, int sigsetSize, XlatStyle style) {
        long handler = p.le(0, 8);
        long flags = p.le(8, 8);
        long restorer = p.le(16, 8);
        int size = sigsetSize > 0 && sigsetSize <= 8 ? sigsetSize : 8;
        long mask = p.le(24, size);
        String name = handler == 0 ? "SIG_DFL" : handler == 1 ? "SIG_IGN" : handler == -1L ? "SIG_ERR" : null;
        String handlerText = name == null ? StraceFormatter.pointer(handler) : style.show(Xlat.hex(handler), name);
        StringBuilder sb = new StringBuilder("{sa_handler=").append(handlerText);
        sb.append(", sa_mask=").append(Signals.formatSet(mask, size, style));
        // All 64 bits: glibc sign-extends an int sa_flags holding SA_RESETHAND, and strace shows the rest.
        sb.append(", sa_flags=").append(Constants.SIGACTION_FLAGS.format(flags, style));
        if ((flags & 0x04000000) != 0) {
            sb.append(", sa_restorer=").append(StraceFormatter.pointer(restorer));
        }
        return sb.append('}').toString();
    }

    private static final int SIGEV_SIGNAL = 0;
    private static final int SIGEV_THREAD = 2;
    private static final int SIGEV_THREAD_ID = 4;

    /**
     * struct sigevent as strace prints it: the value only when it is not 0, the signal by name
     * when the notification sends one, the thread fields of the notification used.
     */
    static String sigevent(Payload p, XlatStyle style) {
        StringBuilder sb = new StringBuilder("{");
        long value = p.le(0, 8);
        if (value != 0) {
            sb.append("sigev_value={sival_int=").append((int) value).append(", sival_ptr=0x")
                    .append(Long.toHexString(value)).append("}, ");
        }
        int signo = (int) p.le(8, 4);
        int notify = (int) p.le(12, 4);
        sb.append("sigev_signo=");
        if (notify == SIGEV_SIGNAL || notify == SIGEV_THREAD || notify == SIGEV_THREAD_ID) {
            sb.append(Signals.format(signo, style));
        } else {
            sb.append(signo & 0xffffffffL);
        }
        sb.append(", sigev_notify=").append(Constants.SIGEV_NOTIFY.format(notify & 0xffffffffL, style));
        if (notify == SIGEV_THREAD_ID) {
            sb.append(", sigev_notify_thread_id=").append((int) p.le(16, 4));
        } else if (notify == SIGEV_THREAD) {
            sb.append(", sigev_notify_function=").append(StraceFormatter.pointer(p.le(16, 8)))
                    .append(", sigev_notify_attributes=").append(StraceFormatter.pointer(p.le(24, 8)));
        }
        return sb.append('}').toString();
    }

    static String stack(Payload p, XlatStyle style) {
        return "{ss_sp=" + StraceFormatter.pointer(p.le(0, 8)) + ", ss_flags="
                + Constants.SIGALTSTACK_FLAGS.format(p.le(8, 4), style) + ", ss_size=" + p.le(16, 8) + "}";
    }

    static String rlimit(Payload p, XlatStyle style) {
        return "{rlim_cur=" + rlimValue(p.le(0, 8), style) + ", rlim_max=" + rlimValue(p.le(8, 8), style) + "}";
    }

    /** A limit: RLIM64_INFINITY, N*1024 for whole kibibytes, else decimal (strace's shorthand). */
    private static String rlimValue(long v, XlatStyle style) {
        String symbolic = v == -1L ? "RLIM64_INFINITY"
                : v > 0 && v % 1024 == 0 ? (v / 1024) + "*1024" : null;
        String number = Long.toUnsignedString(v);
        return symbolic == null ? number : style.show(number, symbolic);
    }

    static String utsname(Payload p, int limit) {
        return "{sysname=" + field(p, 0, limit) + ", nodename=" + field(p, 65, limit) + ", ...}";
    }

    private static String field(Payload p, int off, int limit) {
        int end = off;
        while (end < off + 65 && end < p.length() && p.byteAt(end) != 0) {
            end++;
        }
        return StringQuoter.string(p.slice(off, end - off, false), limit);
    }

    /** struct sysinfo, every field, as strace prints it. */
    static String sysinfo(Payload p) {
        return "{uptime=" + p.le(0, 8) + ", loads=[" + Long.toUnsignedString(p.le(8, 8)) + ", "
                + Long.toUnsignedString(p.le(16, 8)) + ", " + Long.toUnsignedString(p.le(24, 8)) + "], totalram="
                + Long.toUnsignedString(p.le(32, 8)) + ", freeram=" + Long.toUnsignedString(p.le(40, 8))
                + ", sharedram=" + Long.toUnsignedString(p.le(48, 8)) + ", bufferram=" + Long.toUnsignedString(p.le(56, 8))
                + ", totalswap=" + Long.toUnsignedString(p.le(64, 8)) + ", freeswap=" + Long.toUnsignedString(p.le(72, 8))
                + ", procs=" + p.le(80, 2) + ", totalhigh=" + Long.toUnsignedString(p.le(88, 8)) + ", freehigh="
                + Long.toUnsignedString(p.le(96, 8)) + ", mem_unit=" + p.le(104, 4) + "}";
    }

    /** struct termios (the kernel's, for TCGETS/TCSETS*), abbreviated as strace does. */
    static String termios(Payload p, XlatStyle style) {
        return "{c_iflag=" + Constants.TERM_IFLAGS.format(p.le(0, 4), style) + ", c_oflag=" + oflag(p.le(4, 4), style)
                + ", c_cflag=" + cflag(p.le(8, 4), style) + ", c_lflag=" + Constants.TERM_LFLAGS.format(p.le(12, 4), style)
                + ", ...}";
    }

    /** c_oflag: each delay field by name (NL0|CR0|TAB0|BS0|VT0|FF0), then the flag bits. */
    private static String oflag(long v, XlatStyle style) {
        if (style == XlatStyle.RAW) {
            return Xlat.hex(v);
        }
        StringBuilder sb = new StringBuilder();
        long rest = v;
        for (int i = 0; i < Constants.TERM_ODELAYS.length; i++) {
            long field = v & Constants.TERM_ODELAY_MASKS[i];
            sb.append(i > 0 ? "|" : "").append(Constants.TERM_ODELAYS[i].format(field));
            rest &= ~Constants.TERM_ODELAY_MASKS[i];
        }
        if (rest != 0) {
            sb.append('|').append(Constants.TERM_OFLAGS.format(rest));
        }
        return style == XlatStyle.VERBOSE ? Xlat.hex(v) + " /* " + sb + " */" : sb.toString();
    }

    /** c_cflag: the baud rate, the character size, the flag bits, then an input baud rate if set. */
    private static String cflag(long v, XlatStyle style) {
        if (style == XlatStyle.RAW) {
            return Xlat.hex(v);
        }
        StringBuilder sb = new StringBuilder(Constants.TERM_BAUD.format(v & Constants.TERM_CBAUD));
        sb.append('|').append(Constants.TERM_CSIZE.format(v & 060));
        long inputBaud = (v >>> 16) & Constants.TERM_CBAUD;
        long flags = v & ~(Constants.TERM_CBAUD | 060 | (Constants.TERM_CBAUD << 16));
        if (flags != 0) {
            sb.append('|').append(Constants.TERM_CFLAGS.format(flags));
        }
        if (inputBaud != 0) {
            sb.append('|').append(Constants.TERM_BAUD.format(inputBaud)).append("<<IBSHIFT");
        }
        return style == XlatStyle.VERBOSE ? Xlat.hex(v) + " /* " + sb + " */" : sb.toString();
    }

    static String winsize(Payload p) {
        return "{ws_row=" + p.le(0, 2) + ", ws_col=" + p.le(2, 2) + ", ws_xpixel=" + p.le(4, 2) + ", ws_ypixel="
                + p.le(6, 2) + "}";
    }

    /** struct epoll_event: packed on x86-64, 4 bytes of events then 8 of data. */
    static String epollEvent(Payload p, int off, XlatStyle style) {
        long data = p.le(off + 4, 8);
        return "{events=" + Constants.EPOLL_EVENTS.format(p.le(off, 4), style) + ", data={u32="
                + Integer.toUnsignedString((int) data) + ", u64=" + Long.toUnsignedString(data) + "}}";
    }

    /** A wait status as the W* macros that read it. */
    static String waitStatus(int s) {
        String text;
        if ((s & 0x7f) == 0) {
            text = "WIFEXITED(s) && WEXITSTATUS(s) == " + ((s >> 8) & 0xff);
        } else if ((s & 0xff) == 0x7f) {
            text = "WIFSTOPPED(s) && WSTOPSIG(s) == " + Signals.name((s >> 8) & 0xff).orElse(
                    Integer.toString((s >> 8) & 0xff));
        } else if (s == 0xffff) {
            text = "WIFCONTINUED(s)";
        } else {
            text = "WIFSIGNALED(s) && WTERMSIG(s) == " + Signals.name(s & 0x7f).orElse(Integer.toString(s & 0x7f))
                    + ((s & 0x80) != 0 ? " && WCOREDUMP(s)" : "");
        }
        return "[{" + text + "}]";
    }

    /** Counts linux_dirent64 (or linux_dirent) records: both keep d_reclen at offset 16. */
    static int countDirents(Payload p, int length) {
        int n = 0;
        int off = 0;
        while (off + 18 <= length) {
            int reclen = (int) p.le(off + 16, 2);
            if (reclen == 0) {
                break;
            }
            n++;
            off += reclen;
        }
        return n;
    }

    static String openHow(Payload p, XlatStyle style) {
        long flags = p.le(0, 8);
        StringBuilder sb = new StringBuilder("{flags=").append(Constants.OPEN_FLAGS.format(flags, style));
        if ((flags & (0100 | 020000000)) != 0) {
            sb.append(", mode=").append(ArgDecoder.octal3(p.le(8, 8)));
        }
        long resolve = p.le(16, 8);
        sb.append(", resolve=").append(Constants.RESOLVE_FLAGS.format(resolve, style));
        return sb.append('}').toString();
    }

    // ---- socket addresses ---------------------------------------------------------------------

    static String sockaddr(Payload p, XlatStyle style) {
        int family = (int) p.le(0, 2);
        StringBuilder sb = new StringBuilder("{sa_family=").append(Constants.ADDRESS_FAMILIES.format(family, style));
        // strace decodes an AF_INET address only when it is a whole sockaddr_in; a shorter one
        // (a recvmsg name buffer of 4 bytes) shows its sa_data
        if (family == 2 && p.length() < 16) {
            family = -1;
        }
        switch (family) {
            case 2 -> {
                if (p.length() >= 8) {
                    sb.append(", sin_port=htons(").append(port(p, 2)).append("), sin_addr=inet_addr(\"")
                            .append(p.byteAt(4)).append('.').append(p.byteAt(5)).append('.').append(p.byteAt(6))
                            .append('.').append(p.byteAt(7)).append("\")");
                }
            }
            case 10 -> {
                if (p.length() >= 24) {
                    long flowinfo = bigEndian(p, 4, 4);
                    sb.append(", sin6_port=htons(").append(port(p, 2)).append("), sin6_flowinfo=htonl(")
                            .append(flowinfo).append("), inet_pton(AF_INET6, \"").append(ipv6(p, 8))
                            .append("\", &sin6_addr)");
                    if (p.length() >= 28) {
                        sb.append(", sin6_scope_id=").append(p.le(24, 4));
                    }
                }
            }
            case 1 -> {
                if (p.length() > 2) {
                    boolean isAbstract = p.byteAt(2) == 0 && p.length() > 3;
                    int start = isAbstract ? 3 : 2;
                    int end = start;
                    while (end < p.length() && (isAbstract || p.byteAt(end) != 0)) {
                        end++;
                    }
                    sb.append(", sun_path=").append(isAbstract ? "@" : "")
                            .append(StringQuoter.path(p.slice(start, end - start, false)));
                }
            }
            case 16 -> {
                if (p.length() >= 12) {
                    sb.append(", nl_pid=").append((int) p.le(4, 4)).append(", nl_groups=")
                            .append(String.format("%08x", p.le(8, 4)));
                }
            }
            default -> {
                if (p.length() > 2) {
                    Payload data = p.slice(2, p.length() - 2, false);
                    sb.append(", sa_data=").append(StringQuoter.quote(data.array(), data.length(), false, false));
                }
            }
        }
        return sb.append('}').toString();
    }

    private static long port(Payload p, int off) {
        return bigEndian(p, off, 2);
    }

    private static long bigEndian(Payload p, int off, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v = (v << 8) | p.byteAt(off + i);
        }
        return v;
    }

    /** An IPv6 address at {@code off} as inet_ntop writes it ({@link InetText#ntop}). */
    static String ipv6(Payload p, int off) {
        byte[] a = new byte[16];
        for (int i = 0; i < 16; i++) {
            a[i] = (byte) p.byteAt(off + i);
        }
        return InetText.ntop(a);
    }
}
