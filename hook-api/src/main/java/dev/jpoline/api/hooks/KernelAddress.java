package dev.jpoline.api.hooks;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An address the kernel writes while the call runs: accept's peer, recvfrom's source. It is
 * read only when asked, after {@link SyscallCall#proceed()}: {@link #address()} reads the length
 * the kernel left in the program's {@code socklen_t} and decodes that many bytes (at most the
 * buffer the program gave).
 */
public final class KernelAddress {
    private final SyscallCall call;
    private final long address;
    private final long lengthAddress;

    KernelAddress(SyscallCall call, long address, long lengthAddress) {
        this.call = call;
        this.address = address;
        this.lengthAddress = lengthAddress;
    }

    /** Where the program wants the address, 0 for nowhere (accept(fd, NULL, NULL)). */
    public long pointer() {
        return address;
    }

    /**
     * The address the call returned, decoded as {@link SocketAddresses#decode}; null before the
     * call succeeded, when the program gave no buffer, or when it cannot be read or represented.
     */
    public SocketAddress address() {
        var result = call.result();
        if (address == 0 || lengthAddress == 0 || result.isEmpty() || result.getAsLong() < 0) {
            return null;
        }
        try {
            long length = ByteBuffer.wrap(call.read(lengthAddress, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
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
