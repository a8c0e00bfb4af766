package dev.jpoline.api.hooks;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An address the kernel writes while the call runs: accept's peer, recvfrom's source. It is
 * read only when asked, after {@link SyscallCall#proceed()}: {@link #address()} reads the length
 * the kernel left in the program's {@code socklen_t} and decodes that many bytes, when they fit
 * the buffer the program gave (its size is read when the hook is called, before the kernel
 * overwrites it).
 */
public final class KernelAddress {
    private final SyscallCall call;
    private final long address;
    private final long lengthAddress;
    /** The program's buffer size, read before the call: the kernel overwrites it with the address's. */
    private final long capacity;

    KernelAddress(SyscallCall call, long address, long lengthAddress) {
        this.call = call;
        this.address = address;
        this.lengthAddress = lengthAddress;
        this.capacity = address == 0 || lengthAddress == 0 ? 0 : socklen(call, lengthAddress);
    }

    private static long socklen(SyscallCall call, long at) {
        try {
            return ByteBuffer.wrap(call.read(at, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        } catch (TargetMemoryException e) {
            return 0; // the kernel fails the call with EFAULT
        }
    }

    /** Where the program wants the address, 0 for nowhere (accept(fd, NULL, NULL)). */
    public long pointer() {
        return address;
    }

    /**
     * The address the call returned, decoded as {@link SocketAddresses#decode}; null before the
     * call succeeded, when the program gave no buffer, when the address was longer than that
     * buffer (the kernel cut it), or when it cannot be read or represented.
     */
    public SocketAddress address() {
        var result = call.result();
        if (address == 0 || lengthAddress == 0 || result.isEmpty() || result.getAsLong() < 0) {
            return null;
        }
        try {
            long length = socklen(call, lengthAddress);
            if (length > capacity) {
                return null; // cut to the buffer: the bytes beyond it are not the address's
            }
            return SocketAddresses.read(call, address, length);
        } catch (TargetMemoryException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return String.format("KernelAddress[0x%x, length at 0x%x]", address, lengthAddress);
    }
}
