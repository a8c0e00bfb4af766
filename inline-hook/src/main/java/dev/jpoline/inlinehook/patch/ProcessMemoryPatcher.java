package dev.jpoline.inlinehook.patch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Patches another process through {@code /proc/PID/mem}. The kernel writes through page
 * protections there (as a debugger does), so read-only text is patched without the target's
 * cooperation; the target must not be running the bytes being changed, which holds while it
 * waits in its constructor or in a mapping call the host is answering.
 *
 * <p>Batches work per page: one read covers every site of a page, and one write covers the
 * span from its first to its last site, so applying a libc plan costs a few hundred syscalls.
 */
public final class ProcessMemoryPatcher implements CodePatcher {
    private static final int PAGE = 4096;

    private final long pid;
    private final FileChannel memory;

    private ProcessMemoryPatcher(long pid, FileChannel memory) {
        this.pid = pid;
        this.memory = memory;
    }

    /** Opens the memory of process {@code pid} for reading and writing. */
    public static ProcessMemoryPatcher open(long pid) {
        Path mem = Path.of("/proc", Long.toString(pid), "mem");
        try {
            return new ProcessMemoryPatcher(pid, FileChannel.open(mem, StandardOpenOption.READ, StandardOpenOption.WRITE));
        } catch (NoSuchFileException e) {
            throw new PatchException("process " + pid + " is gone (no " + mem + ")", e);
        } catch (IOException e) {
            throw new PatchException("cannot open " + mem + " for writing: " + e.getMessage()
                    + "; jpoline must run as the target's parent or with ptrace rights over it", e);
        }
    }

    public long pid() {
        return pid;
    }

    @Override
    public void read(long address, byte[] into, int offset, int length) {
        ByteBuffer buffer = ByteBuffer.wrap(into, offset, length);
        try {
            while (buffer.hasRemaining()) {
                int n = memory.read(buffer, address + (buffer.position() - offset));
                if (n <= 0) {
                    throw new PatchException(String.format("process %d: cannot read %d bytes at 0x%x (unmapped?)",
                            pid, length, address));
                }
            }
        } catch (IOException e) {
            throw new PatchException(String.format("process %d: cannot read %d bytes at 0x%x: %s",
                    pid, length, address, e.getMessage()), e);
        }
    }

    @Override
    public void write(long address, byte[] bytes, int offset, int length) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        try {
            while (buffer.hasRemaining()) {
                int n = memory.write(buffer, address + (buffer.position() - offset));
                if (n <= 0) {
                    throw new PatchException(String.format("process %d: cannot write %d bytes at 0x%x", pid, length, address));
                }
            }
        } catch (IOException e) {
            throw new PatchException(String.format("process %d: cannot write %d bytes at 0x%x: %s",
                    pid, length, address, e.getMessage()), e);
        }
    }

    @Override
    public int replaceAll(long[] addresses, byte[] expected, byte[] replacement) {
        if (expected.length != replacement.length || expected.length == 0) {
            throw new IllegalArgumentException("expected and replacement must have the same, non-zero length");
        }
        for (int i = 1; i < addresses.length; i++) {
            if (addresses[i] <= addresses[i - 1]) {
                throw new IllegalArgumentException(String.format("addresses must ascend: 0x%x after 0x%x",
                        addresses[i], addresses[i - 1]));
            }
        }
        int width = expected.length;
        // Pass 1: read each page-group once and check every site before anything is written.
        byte[][] groups = new byte[addresses.length][];
        long[] groupStart = new long[addresses.length];
        int[] groupOf = new int[addresses.length];
        int groupCount = 0;
        for (int i = 0; i < addresses.length; ) {
            long page = addresses[i] & -PAGE;
            int j = i;
            while (j + 1 < addresses.length && (addresses[j + 1] & -PAGE) == page) {
                j++;
            }
            long start = addresses[i];
            long end = addresses[j] + width;
            byte[] span = new byte[(int) (end - start)];
            read(start, span, 0, span.length);
            for (int k = i; k <= j; k++) {
                int at = (int) (addresses[k] - start);
                byte[] found = Arrays.copyOfRange(span, at, at + width);
                if (!Arrays.equals(found, expected) && !Arrays.equals(found, replacement)) {
                    throw new PatchException(String.format(
                            "process %d: expected %s at 0x%x but found %s; the code changed since it was planned, nothing was written",
                            pid, HexFormat.of().formatHex(expected), addresses[k], HexFormat.of().formatHex(found)));
                }
                groupOf[k] = groupCount;
            }
            groups[groupCount] = span;
            groupStart[groupCount] = start;
            groupCount++;
            i = j + 1;
        }
        // Pass 2: patch each span in memory and write it back in one call.
        int changed = 0;
        for (int g = 0, k = 0; g < groupCount; g++) {
            byte[] span = groups[g];
            boolean dirty = false;
            for (; k < addresses.length && groupOf[k] == g; k++) {
                int at = (int) (addresses[k] - groupStart[g]);
                if (!Arrays.equals(span, at, at + width, replacement, 0, width)) {
                    System.arraycopy(replacement, 0, span, at, width);
                    changed++;
                    dirty = true;
                }
            }
            if (dirty) {
                write(groupStart[g], span, 0, span.length);
            }
        }
        return changed;
    }

    @Override
    public void close() {
        try {
            memory.close();
        } catch (IOException e) {
            // Nothing was buffered; a failed close loses nothing.
        }
    }
}
