package dev.jpoline.api;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Linux error numbers with their symbolic names and the message text glibc's {@code strerror}
 * gives (the text strace prints in parentheses), plus the kernel-internal codes above 511 that
 * strace names when a syscall is interrupted or a driver leaks one.
 *
 * <p>41 and 58 have no name on Linux; {@link #byNumber(int)} returns empty for them.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    ENXIO(6, "No such device or address"),
    E2BIG(7, "Argument list too long"),
    ENOEXEC(8, "Exec format error"),
    EBADF(9, "Bad file descriptor"),
    ECHILD(10, "No child processes"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    ENOTBLK(15, "Block device required"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    EXDEV(18, "Invalid cross-device link"),
    ENODEV(19, "No such device"),
    ENOTDIR(20, "Not a directory"),
    EISDIR(21, "Is a directory"),
    EINVAL(22, "Invalid argument"),
    ENFILE(23, "Too many open files in system"),
    EMFILE(24, "Too many open files"),
    ENOTTY(25, "Inappropriate ioctl for device"),
    ETXTBSY(26, "Text file busy"),
    EFBIG(27, "File too large"),
    ENOSPC(28, "No space left on device"),
    ESPIPE(29, "Illegal seek"),
    EROFS(30, "Read-only file system"),
    EMLINK(31, "Too many links"),
    EPIPE(32, "Broken pipe"),
    EDOM(33, "Numerical argument out of domain"),
    ERANGE(34, "Numerical result out of range"),
    EDEADLK(35, "Resource deadlock avoided"),
    ENAMETOOLONG(36, "File name too long"),
    ENOLCK(37, "No locks available"),
    ENOSYS(38, "Function not implemented"),
    ENOTEMPTY(39, "Directory not empty"),
    ELOOP(40, "Too many levels of symbolic links"),
    ENOMSG(42, "No message of desired type"),
    EIDRM(43, "Identifier removed"),
    ECHRNG(44, "Channel number out of range"),
    EL2NSYNC(45, "Level 2 not synchronized"),
    EL3HLT(46, "Level 3 halted"),
    EL3RST(47, "Level 3 reset"),
    ELNRNG(48, "Link number out of range"),
    EUNATCH(49, "Protocol driver not attached"),
    ENOCSI(50, "No CSI structure available"),
    EL2HLT(51, "Level 2 halted"),
    EBADE(52, "Invalid exchange"),
    EBADR(53, "Invalid request descriptor"),
    EXFULL(54, "Exchange full"),
    ENOANO(55, "No anode"),
    EBADRQC(56, "Invalid request code"),
    EBADSLT(57, "Invalid slot"),
    EBFONT(59, "Bad font file format"),
    ENOSTR(60, "Device not a stream"),
    ENODATA(61, "No data available"),
    ETIME(62, "Timer expired"),
    ENOSR(63, "Out of streams resources"),
    ENONET(64, "Machine is not on the network"),
    ENOPKG(65, "Package not installed"),
    EREMOTE(66, "Object is remote"),
    ENOLINK(67, "Link has been severed"),
    EADV(68, "Advertise error"),
    ESRMNT(69, "Srmount error"),
    ECOMM(70, "Communication error on send"),
    EPROTO(71, "Protocol error"),
    EMULTIHOP(72, "Multihop attempted"),
    EDOTDOT(73, "RFS specific error"),
    EBADMSG(74, "Bad message"),
    EOVERFLOW(75, "Value too large for defined data type"),
    ENOTUNIQ(76, "Name not unique on network"),
    EBADFD(77, "File descriptor in bad state"),
    EREMCHG(78, "Remote address changed"),
    ELIBACC(79, "Can not access a needed shared library"),
    ELIBBAD(80, "Accessing a corrupted shared library"),
    ELIBSCN(81, ".lib section in a.out corrupted"),
    ELIBMAX(82, "Attempting to link in too many shared libraries"),
    ELIBEXEC(83, "Cannot exec a shared library directly"),
    EILSEQ(84, "Invalid or incomplete multibyte or wide character"),
    ERESTART(85, "Interrupted system call should be restarted"),
    ESTRPIPE(86, "Streams pipe error"),
    EUSERS(87, "Too many users"),
    ENOTSOCK(88, "Socket operation on non-socket"),
    EDESTADDRREQ(89, "Destination address required"),
    EMSGSIZE(90, "Message too long"),
    EPROTOTYPE(91, "Protocol wrong type for socket"),
    ENOPROTOOPT(92, "Protocol not available"),
    EPROTONOSUPPORT(93, "Protocol not supported"),
    ESOCKTNOSUPPORT(94, "Socket type not supported"),
    EOPNOTSUPP(95, "Operation not supported"),
    EPFNOSUPPORT(96, "Protocol family not supported"),
    EAFNOSUPPORT(97, "Address family not supported by protocol"),
    EADDRINUSE(98, "Address already in use"),
    EADDRNOTAVAIL(99, "Cannot assign requested address"),
    ENETDOWN(100, "Network is down"),
    ENETUNREACH(101, "Network is unreachable"),
    ENETRESET(102, "Network dropped connection on reset"),
    ECONNABORTED(103, "Software caused connection abort"),
    ECONNRESET(104, "Connection reset by peer"),
    ENOBUFS(105, "No buffer space available"),
    EISCONN(106, "Transport endpoint is already connected"),
    ENOTCONN(107, "Transport endpoint is not connected"),
    ESHUTDOWN(108, "Cannot send after transport endpoint shutdown"),
    ETOOMANYREFS(109, "Too many references: cannot splice"),
    ETIMEDOUT(110, "Connection timed out"),
    ECONNREFUSED(111, "Connection refused"),
    EHOSTDOWN(112, "Host is down"),
    EHOSTUNREACH(113, "No route to host"),
    EALREADY(114, "Operation already in progress"),
    EINPROGRESS(115, "Operation now in progress"),
    ESTALE(116, "Stale file handle"),
    EUCLEAN(117, "Structure needs cleaning"),
    ENOTNAM(118, "Not a XENIX named type file"),
    ENAVAIL(119, "No XENIX semaphores available"),
    EISNAM(120, "Is a named type file"),
    EREMOTEIO(121, "Remote I/O error"),
    EDQUOT(122, "Disk quota exceeded"),
    ENOMEDIUM(123, "No medium found"),
    EMEDIUMTYPE(124, "Wrong medium type"),
    ECANCELED(125, "Operation canceled"),
    ENOKEY(126, "Required key not available"),
    EKEYEXPIRED(127, "Key has expired"),
    EKEYREVOKED(128, "Key has been revoked"),
    EKEYREJECTED(129, "Key was rejected by service"),
    EOWNERDEAD(130, "Owner died"),
    ENOTRECOVERABLE(131, "State not recoverable"),
    ERFKILL(132, "Operation not possible due to RF-kill"),
    EHWPOISON(133, "Memory page has hardware error"),

    // Kernel-internal codes (include/linux/errno.h). They never reach user space as errno, but
    // a traced syscall's raw return value shows them when a signal interrupts it; strace prints the
    // restart family as "= ? NAME (explanation)" and the rest with glibc's "Unknown error N".
    ERESTARTSYS(512, "To be restarted if SA_RESTART is set"),
    ERESTARTNOINTR(513, "To be restarted"),
    ERESTARTNOHAND(514, "To be restarted if no handler"),
    ENOIOCTLCMD(515, "Unknown error 515"),
    ERESTART_RESTARTBLOCK(516, "Interrupted by signal"),
    EPROBE_DEFER(517, "Unknown error 517"),
    EOPENSTALE(518, "Unknown error 518"),
    EBADHANDLE(521, "Unknown error 521"),
    ENOTSYNC(522, "Unknown error 522"),
    EBADCOOKIE(523, "Unknown error 523"),
    ENOTSUPP(524, "Unknown error 524"),
    ETOOSMALL(525, "Unknown error 525"),
    ESERVERFAULT(526, "Unknown error 526"),
    EBADTYPE(527, "Unknown error 527"),
    EJUKEBOX(528, "Unknown error 528"),
    EIOCBQUEUED(529, "Unknown error 529"),
    ERECALLCONFLICT(530, "Unknown error 530");

    /** The largest errno a raw syscall return encodes: values in [-4095, -1] are errors. */
    public static final int MAX_ERRNO = 4095;

    private static final Map<Integer, Errno> BY_NUMBER = new HashMap<>();
    private static final Map<String, Errno> BY_NAME = new HashMap<>();

    static {
        for (Errno e : values()) {
            BY_NUMBER.put(e.number, e);
            BY_NAME.put(e.name(), e);
        }
        // Aliases that C code uses for the same numbers.
        BY_NAME.put("EWOULDBLOCK", EAGAIN);
        BY_NAME.put("EDEADLOCK", EDEADLK);
        BY_NAME.put("ENOTSUP", EOPNOTSUPP);
    }

    private final int number;
    private final String message;

    Errno(int number, String message) {
        this.number = number;
        this.message = message;
    }

    public int number() {
        return number;
    }

    /** glibc's strerror text for user-visible codes; strace's explanation for the restart family. */
    public String message() {
        return message;
    }

    /**
     * True for the codes a syscall returns when a signal interrupted it and the kernel will restart
     * it (or turn it into EINTR); strace prints their return value as {@code ?}.
     */
    public boolean isRestart() {
        return this == ERESTARTSYS || this == ERESTARTNOINTR || this == ERESTARTNOHAND
                || this == ERESTART_RESTARTBLOCK;
    }

    public static Optional<Errno> byNumber(int number) {
        return Optional.ofNullable(BY_NUMBER.get(number));
    }

    /** Looks a code up by name, accepting the C aliases EWOULDBLOCK, EDEADLOCK and ENOTSUP. */
    public static Optional<Errno> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /**
     * The errno a raw syscall return value encodes, or 0 when it is not an error (the kernel's rule:
     * -4095..-1 are errors, everything else is a result, including large "negative" addresses).
     */
    public static int fromReturn(long rawReturn) {
        return rawReturn < 0 && rawReturn >= -MAX_ERRNO ? (int) -rawReturn : 0;
    }

    /** glibc's strerror text for any number, "Unknown error N" for numbers without a message. */
    public static String strerror(int number) {
        Errno e = BY_NUMBER.get(number);
        if (e != null && !e.isRestart()) {
            return e.message;
        }
        return "Unknown error " + number;
    }
}
