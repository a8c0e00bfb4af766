package dev.jpoline.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A socket's details from the tables in /proc/net, where sock_diag cannot be asked (a netlink
 * socket refused): tcp, udp, udplite, raw, icmp (ping) and their v6 twins, unix, netlink. They
 * know less than sock_diag: no peer of a unix socket, and a TCP socket that is only bound (no
 * listen, no connect) is in none of them.
 */
final class ProcNet {
    private ProcNet() {}

    /** The /proc/net file of an inet protocol strace names, or null (DCCP, SCTP, L2TP have none). */
    static String inetFile(String protocol) {
        return switch (protocol) {
            case "TCP" -> "tcp";
            case "UDP" -> "udp";
            case "UDPLITE" -> "udplite";
            case "RAW" -> "raw";
            case "PING" -> "icmp";
            case "TCPv6" -> "tcp6";
            case "UDPv6" -> "udp6";
            case "UDPLITEv6" -> "udplite6";
            case "RAWv6" -> "raw6";
            case "PINGv6" -> "icmp6";
            default -> null;
        };
    }

    /** {@code /proc/net/FILE}'s text, or null when it cannot be read. */
    static String read(String file) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/net", file)), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The socket {@code inode} in a /proc/net/tcp-like table ({@code sl local rem st ... uid timeout
     * inode}; addresses as the kernel's words in hex, ports in hex), as {@link SocketText#inet}; null
     * when it is not there.
     */
    static String inet(String table, String name, long inode) {
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[0].endsWith(":") || !f[9].equals(Long.toString(inode))) {
                continue;
            }
            int[] local = endpoint(f[1]);
            int[] remote = endpoint(f[2]);
            if (local == null || remote == null) {
                return null;
            }
            return SocketText.inet(name, address(f[1]), local[0], address(f[2]), remote[0]);
        }
        return null;
    }

    /** The port of {@code ADDR:PORT}, or null when it does not read as one. */
    private static int[] endpoint(String field) {
        int colon = field.indexOf(':');
        if (colon != 8 && colon != 32) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(field.substring(colon + 1), 16)};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The address bytes of {@code ADDR:PORT}: the kernel prints each 32-bit word of the address
     * as it lies in memory read as a host (little-endian) number, so every word's bytes are reversed.
     */
    private static byte[] address(String field) {
        int words = field.indexOf(':') / 8;
        byte[] a = new byte[4 * words];
        for (int w = 0; w < words; w++) {
            long v = Long.parseLong(field.substring(8 * w, 8 * w + 8), 16);
            for (int b = 0; b < 4; b++) {
                a[4 * w + b] = (byte) (v >>> (8 * b));
            }
        }
        return a;
    }

    /**
     * The unix socket {@code inode} in /proc/net/unix ({@code Num RefCount Protocol Flags Type St
     * Inode Path}): its path when it has one (an abstract name is shown with {@code @} for its NULs);
     * null when it is not there or has no path (the table has no peer, so nothing more is known).
     */
    static String unix(String table, String name, long inode) {
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+", 8);
            if (f.length < 7 || !f[0].endsWith(":") || !f[6].equals(Long.toString(inode))) {
                continue;
            }
            if (f.length < 8 || f[7].isEmpty()) {
                return null;
            }
            byte[] path = f[7].getBytes(StandardCharsets.ISO_8859_1);
            if (path[0] == '@') {
                path[0] = 0; // the table's '@' stands for the abstract name's leading NUL
            }
            return SocketText.unix(name, inode, 0, path);
        }
        return null;
    }

    /**
     * The netlink socket {@code inode} in /proc/net/netlink ({@code sk Eth Pid Groups Rmem Wmem Dump
     * Locks Drops Inode}: Eth is the protocol, Pid the port id), as {@link SocketText#netlink}.
     */
    static String netlink(String table, String name, long inode) {
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[f.length - 1].equals(Long.toString(inode))) {
                continue;
            }
            try {
                return SocketText.netlink(name, Integer.parseInt(f[1]), Long.parseLong(f[2]));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
