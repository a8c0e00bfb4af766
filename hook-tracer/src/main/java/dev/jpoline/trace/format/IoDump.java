package dev.jpoline.trace.format;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * strace's {@code -e read=SET} and {@code -e write=SET}: after the line of a call that read from or
 * wrote to a descriptor of the set, a hex and ASCII dump of all the data, in strace 6.1's format
 * (its dumpio, dumpiov_upto and dumpstr):
 *
 * <pre>
 *  * 14 bytes in buffer 1                          (a vector's buffer: readv, writev, sendmsg...)
 *  | 00000  73 65 63 6f 6e 64 20 62  75 66 66 65  second buffe |
 * </pre>
 *
 * <p>Writes (write, pwrite64, sendto, mq_timedsend, writev, pwritev, pwritev2, vmsplice, sendmsg,
 * sendmmsg) are dumped whatever their result, as much as the caller passed; reads (read, pread64,
 * recvfrom, mq_timedreceive, readv, preadv, preadv2, recvmsg, recvmmsg) only after a success, as much
 * as the result says. What the trace record did not capture is said in a line that cannot be read as
 * data: {@code  | <jpoline: 4096 more bytes not captured (...)>}.
 */
public final class IoDump {
    /** Nothing is dumped. */
    public static final IoDump NONE = new IoDump(DescriptorSet.NONE, DescriptorSet.NONE);

    /** How a syscall holds its data: one buffer, an iovec array, a msghdr, an mmsghdr array. */
    private enum Shape { BUFFER, IOVEC, MSGHDR, MMSGHDR }

    private static final int MAX_NR = 512;
    private static final Shape[] READS = new Shape[MAX_NR];
    private static final Shape[] WRITES = new Shape[MAX_NR];
    /** The dumped syscalls by name, as CaptureSchema knows them. */
    private static final Set<String> READ_NAMES = new LinkedHashSet<>();
    private static final Set<String> WRITE_NAMES = new LinkedHashSet<>();

    private static void read(int nr, String name, Shape s) {
        READS[nr] = s;
        READ_NAMES.add(name);
    }

    private static void write(int nr, String name, Shape s) {
        WRITES[nr] = s;
        WRITE_NAMES.add(name);
    }

    static {
        // x86-64 numbers: the syscalls strace's dumpio dumps
        read(0, "read", Shape.BUFFER);
        read(17, "pread64", Shape.BUFFER);
        read(45, "recvfrom", Shape.BUFFER);
        read(243, "mq_timedreceive", Shape.BUFFER);
        read(19, "readv", Shape.IOVEC);
        read(295, "preadv", Shape.IOVEC);
        read(327, "preadv2", Shape.IOVEC);
        read(47, "recvmsg", Shape.MSGHDR);
        read(299, "recvmmsg", Shape.MMSGHDR);
        write(1, "write", Shape.BUFFER);
        write(18, "pwrite64", Shape.BUFFER);
        write(44, "sendto", Shape.BUFFER);
        write(242, "mq_timedsend", Shape.BUFFER);
        write(20, "writev", Shape.IOVEC);
        write(296, "pwritev", Shape.IOVEC);
        write(328, "pwritev2", Shape.IOVEC);
        write(278, "vmsplice", Shape.IOVEC);
        write(46, "sendmsg", Shape.MSGHDR);
        write(307, "sendmmsg", Shape.MMSGHDR);
    }

    /** strace dumps at most this much of a vector (dumpiov_upto's int count); the runtime copies fewer. */
    private static final int MAX_CAPTURED_IOV = 32;
    private static final int MAX_CAPTURED_IOVCNT = 1024;
    /** Payloads of one record (entry_trace.c's MAX_PLANS). */
    private static final int MAX_PIECES = 48;
    private static final String LIMIT = "trace records are limited to 64 KiB";

    private final DescriptorSet reads;
    private final DescriptorSet writes;

    public IoDump(DescriptorSet reads, DescriptorSet writes) {
        this.reads = Objects.requireNonNull(reads, "reads");
        this.writes = Objects.requireNonNull(writes, "writes");
    }

    /** Whether any call can be dumped. */
    public boolean any() {
        return !reads.isEmpty() || !writes.isEmpty();
    }

    /**
     * The syscalls whose data the trace must capture whole for these sets (their names; the
     * capture cannot tell descriptors apart, so every call of them is captured so).
     */
    public Set<String> capturedSyscalls() {
        Set<String> names = new LinkedHashSet<>();
        if (!reads.isEmpty()) {
            names.addAll(READ_NAMES);
        }
        if (!writes.isEmpty()) {
            names.addAll(WRITE_NAMES);
        }
        return names;
    }

    /** One piece of a dump, in strace's order. */
    public sealed interface Part permits Vector, Buffer, Data, NotCaptured {
    }

    /** {@code  = N buffers in vector I}: message I of sendmmsg/recvmmsg. */
    public record Vector(int index, long buffers) implements Part {
    }

    /** {@code  * N bytes in buffer K}: element K of an iovec array (of message {@code vector}, or -1). */
    public record Buffer(int vector, int index, long length) implements Part {
    }

    /**
     * {@code length} bytes strace dumps, of which {@code bytes} holds what was captured (the first
     * bytes.length(), fewer when the record's limit cut them), or null when the memory could not be
     * read (strace prints no line then).
     */
    public record Data(int vector, int buffer, long length, Payload bytes) implements Part {
    }

    /**
     * Buffers or messages strace would dump of which the record holds nothing, not even their
     * length: {@code what} they are, {@code why} (the limit).
     */
    public record NotCaptured(int vector, String what, String why) implements Part {
    }

    /** What strace dumps after {@code r}'s line: nothing for most calls. */
    public List<Part> parts(TraceRecord r) {
        long nr = r.number();
        if (nr < 0 || nr >= MAX_NR || !r.hasReturn()) {
            return List.of();
        }
        int fd = (int) r.arg(0);
        Shape write = WRITES[(int) nr];
        Shape read = READS[(int) nr];
        long data;
        if (write != null && writes.contains(fd)) {
            data = -1; // all the caller passed, whatever the result
        } else if (read != null && reads.contains(fd) && !failed(r)) {
            data = r.returnValue();
        } else {
            return List.of();
        }
        Shape shape = write != null ? write : read;
        List<Part> parts = new ArrayList<>();
        switch (shape) {
            case BUFFER -> {
                long length = write != null ? r.arg(2) : data;
                Payload p = r.payloadOrNull(1);
                if (p != null && length != 0 && fits(r.arg(1), length)) {
                    parts.add(new Data(-1, -1, length, p));
                }
            }
            case IOVEC -> iovecs(parts, r, -1, -1, (int) r.arg(2), r.payloadOrNull(1), data);
            case MSGHDR -> {
                Payload msghdr = r.payloadOrNull(1);
                if (msghdr != null && msghdr.length() >= 56) { // msg_iovlen at 24
                    iovecs(parts, r, -1, 0, (int) msghdr.le(24, 8), r.elementPayload(1, elementIovArray(0)).orElse(null),
                            data);
                }
            }
            case MMSGHDR -> messages(parts, r);
        }
        return parts;
    }

    private static boolean failed(TraceRecord r) {
        long v = r.returnValue();
        return v < 0 && v >= -4095;
    }

    /** strace skips a buffer whose end would wrap around the address space. */
    private static boolean fits(long address, long length) {
        return Long.compareUnsigned(length + 16, length) >= 0 && Long.compareUnsigned(address + length, address) >= 0;
    }

    static int elementIovArray(int m) {
        return 0x8000 | m << 6 | 0x3f;
    }

    static int elementIovData(int m, int k) {
        return 0x8000 | m << 6 | k;
    }

    /**
     * dumpiov_upto: {@code count} iovecs (strace's int), each dumped up to what is left of
     * {@code data} (-1: no limit), stopping at the first empty one. {@code vector}: the mmsghdr
     * index shown, or -1; {@code message}: the message whose payload elements hold the data (see
     * session.h's JPOLINE_ELEMENT_*), or -1 for an iovec argument's (element k).
     */
    private static void iovecs(List<Part> parts, TraceRecord r, int vector, int message, int count, Payload array,
            long data) {
        if (count <= 0) {
            return;
        }
        if (array == null) {
            if (count > MAX_CAPTURED_IOVCNT) {
                // the runtime copies no array the kernel refuses (writev of more than 1024): strace would dump it
                parts.add(new NotCaptured(vector, "buffers 0 to " + (count - 1),
                        "no vector of more than " + MAX_CAPTURED_IOVCNT + " buffers is copied: the kernel refuses them"));
            }
            return;
        }
        int captured = array.length() / 16;
        for (int i = 0; i < count; i++) {
            if (i >= captured) {
                parts.add(new NotCaptured(vector, "buffers " + i + " to " + (count - 1),
                        "a trace record holds at most " + MAX_CAPTURED_IOV + " buffers of a vector"));
                return;
            }
            long length = array.le(16 * i + 8, 8);
            if (Long.compareUnsigned(length, data) > 0) {
                length = data;
            }
            if (length == 0) {
                return;
            }
            data -= length;
            parts.add(new Buffer(vector, i, length));
            long base = array.le(16 * i, 8);
            Payload bytes = r.elementPayload(1, message < 0 ? i : elementIovData(message, i)).orElse(null);
            if (bytes != null && fits(base, length)) {
                parts.add(new Data(vector, i, length, bytes));
            }
        }
    }

    /** dumpiov_in_mmsghdr: for each message the result counts, its buffers up to its msg_len. */
    private static void messages(List<Part> parts, TraceRecord r) {
        if (failed(r)) {
            // strace reads (unsigned) -1 messages here, past the array's end: there is nothing to show
            return;
        }
        Payload array = r.payloadOrNull(1);
        if (array == null) {
            return;
        }
        long sent = r.returnValue() & 0xffffffffL;
        int captured = array.length() / 64;
        for (int m = 0; m < sent; m++) {
            if (m >= captured) {
                parts.add(new NotCaptured(-1, "messages " + m + " to " + (sent - 1),
                        "a trace record holds at most " + MAX_PIECES + " pieces of data"));
                return;
            }
            long buffers = array.le(64 * m + 24, 8);
            parts.add(new Vector(m, buffers));
            iovecs(parts, r, m, m, (int) buffers, r.elementPayload(1, elementIovArray(m)).orElse(null),
                    array.le(64 * m + 56, 4));
        }
    }

    /**
     * Appends strace's dump lines of {@code r}, each ended by '\n' but the last; returns whether
     * there were any.
     */
    public boolean appendText(LineBuffer out, TraceRecord r) {
        List<Part> parts = parts(r);
        if (parts.isEmpty()) {
            return false;
        }
        boolean first = true;
        for (Part p : parts) {
            if (!first) {
                out.append('\n');
            }
            first = false;
            if (p instanceof Vector v) {
                out.append(" = ").unsigned(v.buffers()).append(" buffers in vector ").decimal(v.index());
            } else if (p instanceof Buffer b) {
                out.append(" * ").unsigned(b.length()).append(" bytes in buffer ").decimal(b.index());
            } else if (p instanceof Data d) {
                hex(out, d.bytes(), d.length());
            } else if (p instanceof NotCaptured n) {
                out.append(" | <jpoline: ").append(n.what()).append(" not captured (").append(n.why()).append(")>");
            }
        }
        return !first;
    }

    /**
     * dumpstr: {@code length} bytes, 16 a line, as {@code " | %0*lx  xx xx ... xx  xx ... xx  ascii |"}
     * with the offset at least 5 hex digits wide (wider beyond 1 MiB), bytes outside 0x20..0x7e
     * shown as '.' and a last line padded with spaces. Only the captured bytes are printed; when
     * they are fewer than {@code length}, a last line says how many are missing. No line for an
     * empty buffer.
     */
    static void hex(LineBuffer out, Payload bytes, long length) {
        int width = Long.compareUnsigned(length, 1L << 20) > 0 ? 1 + (63 - Long.numberOfLeadingZeros(length - 1)) / 4 : 5;
        long shown = Math.min(bytes.length(), Long.compareUnsigned(length, Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE
                : length);
        for (int at = 0; at < shown; at += 16) {
            if (at > 0) {
                out.append('\n');
            }
            out.append(" | ").hexZeroPadded(at, width).append(' ').append(' ');
            for (int i = 0; i < 16; i++) {
                if (at + i < shown) {
                    int b = bytes.byteAt(at + i);
                    out.hexDigit(b >> 4).hexDigit(b & 15);
                } else {
                    out.append(' ').append(' ');
                }
                out.append(' ');
                if (i == 7 || i == 15) {
                    out.append(' ');
                }
            }
            for (int i = 0; i < 16; i++) {
                if (at + i < shown) {
                    int b = bytes.byteAt(at + i);
                    out.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
                } else {
                    out.append(' ');
                }
            }
            out.append(' ').append('|');
        }
        if (Long.compareUnsigned(shown, length) < 0) {
            if (shown > 0) {
                out.append('\n');
            }
            out.append(" | <jpoline: ").append(Long.toUnsignedString(length - shown)).append(" more bytes not captured (")
                    .append(LIMIT).append(")>");
        }
    }

    /**
     * {@code ,"dump":[...]} for --json (docs/json-output.md): an object per vector header, per
     * buffer with its bytes, and per run of buffers or messages not captured; nothing when strace
     * dumps nothing.
     */
    public void appendJson(LineBuffer out, TraceRecord r) {
        List<Part> parts = parts(r);
        if (parts.isEmpty()) {
            return;
        }
        out.append(",\"dump\":[");
        boolean first = true;
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            if (!first) {
                out.append(',');
            }
            first = false;
            if (p instanceof Vector v) {
                out.append("{\"vector\":").decimal(v.index()).append(",\"buffers\":").unsigned(v.buffers()).append('}');
            } else if (p instanceof Buffer b) {
                Data d = i + 1 < parts.size() && parts.get(i + 1) instanceof Data next ? next : null;
                if (d != null) {
                    i++;
                }
                jsonData(out, b.vector(), b.index(), b.length(), d == null ? null : d.bytes());
            } else if (p instanceof Data d) {
                jsonData(out, d.vector(), d.buffer(), d.length(), d.bytes());
            } else if (p instanceof NotCaptured n) {
                out.append('{');
                if (n.vector() >= 0) {
                    out.append("\"vector\":").decimal(n.vector()).append(',');
                }
                out.append("\"not_captured\":");
                JsonText.string(out, n.what());
                out.append(",\"why\":");
                JsonText.string(out, n.why());
                out.append('}');
            }
        }
        out.append(']');
    }

    private static void jsonData(LineBuffer out, int vector, int buffer, long length, Payload bytes) {
        out.append('{');
        if (vector >= 0) {
            out.append("\"vector\":").decimal(vector).append(',');
        }
        if (buffer >= 0) {
            out.append("\"buffer\":").decimal(buffer).append(',');
        }
        out.append("\"length\":").unsigned(length).append(",\"hex\":");
        if (bytes == null) {
            out.append("null");
        } else {
            out.append('"');
            long shown = Math.min(bytes.length(), Long.compareUnsigned(length, Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE
                    : length);
            for (int k = 0; k < shown; k++) {
                int b = bytes.byteAt(k);
                out.hexDigit(b >> 4).hexDigit(b & 15);
            }
            out.append('"');
        }
        out.append('}');
    }
}
