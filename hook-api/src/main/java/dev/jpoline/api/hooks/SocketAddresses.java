package dev.jpoline.api.hooks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * A {@code struct sockaddr} of the target as a {@link SocketAddress}, without a name lookup:
 * AF_INET and AF_INET6 as {@link InetSocketAddress} (an IPv6 scope id kept), an AF_UNIX path as
 * {@link UnixDomainSocketAddress}. What Java cannot represent is null: an abstract unix name
 * (sun_path starts with NUL), an unnamed unix socket, another family, or bytes too short for
 * their family; the raw bytes stay readable through the call's arguments.
 */
public final class SocketAddresses {
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    /** sizeof(struct sockaddr_un), the largest address these calls take. */
    static final int MAX_LENGTH = 110;

    private SocketAddresses() {}

    /** {@code sockaddr} holds the address's bytes, as long as its length says. */
    public static SocketAddress decode(byte[] sockaddr) {
        if (sockaddr == null || sockaddr.length < 2) {
            return null;
        }
        int family = (sockaddr[0] & 0xff) | (sockaddr[1] & 0xff) << 8;
        try {
            switch (family) {
                case AF_INET -> {
                    if (sockaddr.length < 8) {
                        return null;
                    }
                    byte[] ip = java.util.Arrays.copyOfRange(sockaddr, 4, 8);
                    return new InetSocketAddress(InetAddress.getByAddress(ip), port(sockaddr));
                }
                case AF_INET6 -> {
                    if (sockaddr.length < 24) {
                        return null;
                    }
                    byte[] ip = java.util.Arrays.copyOfRange(sockaddr, 8, 24);
                    int scope = sockaddr.length >= 28 ? le32(sockaddr, 24) : 0;
                    InetAddress address = scope != 0 ? Inet6Address.getByAddress(null, ip, scope)
                            : InetAddress.getByAddress(ip);
                    return new InetSocketAddress(address, port(sockaddr));
                }
                case AF_UNIX -> {
                    if (sockaddr.length <= 2 || sockaddr[2] == 0) {
                        return null; // unnamed, or abstract: no path to name
                    }
                    int end = 2;
                    while (end < sockaddr.length && sockaddr[end] != 0) {
                        end++;
                    }
                    return UnixDomainSocketAddress.of(new String(sockaddr, 2, end - 2, StandardCharsets.UTF_8));
                }
                default -> {
                    return null;
                }
            }
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null; // a length Java refuses, or a path it cannot hold
        }
    }

    /** The address at {@code address}, {@code length} bytes of the target; null when unreadable or as above. */
    static SocketAddress read(SyscallCall call, long address, long length) {
        if (address == 0 || length < 2) {
            return null;
        }
        try {
            return decode(call.read(address, (int) Math.min(length, MAX_LENGTH)));
        } catch (TargetMemoryException e) {
            return null;
        }
    }

    private static int port(byte[] s) {
        return (s[2] & 0xff) << 8 | (s[3] & 0xff);
    }

    private static int le32(byte[] s, int at) {
        return (s[at] & 0xff) | (s[at + 1] & 0xff) << 8 | (s[at + 2] & 0xff) << 16 | (s[at + 3] & 0xff) << 24;
    }
}
