package dev.jpoline.inlinehook.symbols;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads this process's memory through {@code /proc/self/mem}: a page that is unmapped meanwhile
 * gives an IOException instead of a SIGSEGV, which a plain native read would be.
 */
final class SelfMemory {
    private static FileChannel channel;

    private SelfMemory() {}

    private static synchronized FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(Path.of("/proc/self/mem"), StandardOpenOption.READ);
        }
        return channel;
    }

    /** Reads another process's memory (a remote target's ELF header) through its /proc/PID/mem. */
    static byte[] readOf(long pid, long address, int length) throws IOException {
        byte[] out = new byte[length];
        ByteBuffer buffer = ByteBuffer.wrap(out);
        try (FileChannel mem = FileChannel.open(Path.of("/proc", Long.toString(pid), "mem"), StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                int n = mem.read(buffer, address + buffer.position());
                if (n <= 0) {
                    throw new IOException(String.format("cannot read %d bytes at 0x%x of process %d", length, address, pid));
                }
            }
        }
        return out;
    }

    static byte[] read(long address, int length) throws IOException {
        byte[] out = new byte[length];
        ByteBuffer buffer = ByteBuffer.wrap(out);
        FileChannel mem = channel();
        while (buffer.hasRemaining()) {
            int n = mem.read(buffer, address + buffer.position());
            if (n <= 0) {
                throw new IOException(String.format("cannot read %d bytes at 0x%x of this process", length, address));
            }
        }
        return out;
    }
}
