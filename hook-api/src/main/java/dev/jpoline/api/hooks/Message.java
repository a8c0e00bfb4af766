package dev.jpoline.api.hooks;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * sendmsg's and recvmsg's {@code struct msghdr}, read from the target on first use: the name (the
 * destination of sendmsg, the source recvmsg gets), the iovecs as {@link TargetBuffer} views,
 * the control data and the flags. For recvmsg, read {@link #name()}, {@link #control()} and
 * {@link #flags()} after {@link SyscallCall#proceed()}: the kernel writes them during the call
 * (this object reads the header again then). An unreadable header throws
 * {@link TargetMemoryException}.
 */
public final class Message {
    static final int SIZE = 56; // name, namelen (+pad), iov, iovlen, control, controllen, flags (+pad)

    private final SyscallCall call;
    private final long address;
    /** msg_namelen as the program gave it, read when the hook is called: recvmsg's kernel overwrites it. */
    private final long nameCapacity;

    Message(SyscallCall call, long address) {
        this.call = call;
        this.address = address;
        long capacity;
        try {
            capacity = header().getInt(8) & 0xffffffffL;
        } catch (TargetMemoryException e) {
            capacity = 0; // the kernel fails the call with EFAULT; name() is null
        }
        this.nameCapacity = capacity;
    }

    /** The msghdr's address in the target. */
    public long pointer() {
        return address;
    }

    private ByteBuffer header() {
        return ByteBuffer.wrap(call.read(address, SIZE)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * msg_name decoded ({@link SocketAddresses#decode}); null without one, when Java has no form
     * for it, or when the kernel's length is more than the program's buffer (it cut the address).
     */
    public SocketAddress name() {
        ByteBuffer h = header();
        long length = h.getInt(8) & 0xffffffffL;
        if (length > nameCapacity) {
            return null;
        }
        return SocketAddresses.read(call, h.getLong(0), length);
    }

    /** msg_iov as views, one per element (empty beyond the kernel's 1024). */
    public List<TargetBuffer> iovecs() {
        ByteBuffer h = header();
        long count = h.getLong(24);
        return call.iovecs(h.getLong(16), count < 0 || count > Iovecs.MAX ? 0 : (int) count);
    }

    /** msg_control as a view of msg_controllen bytes (ancillary data: SCM_RIGHTS and the like). */
    public TargetBuffer control() {
        ByteBuffer h = header();
        return call.buffer(h.getLong(32), Math.max(0, h.getLong(40)));
    }

    /** msg_flags (meaningful after recvmsg: MSG_TRUNC, MSG_CTRUNC...). */
    public int flags() {
        return header().getInt(48);
    }

    @Override
    public String toString() {
        return String.format("Message[0x%x]", address);
    }
}
