package dev.jpoline.rewriter.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Random-access bytes of an ELF file: an in-memory array or positional reads from a file. */
abstract class ElfSource implements AutoCloseable {
    final String name;

    ElfSource(String name) {
        this.name = name;
    }

    abstract long size();

    /** Reads exactly {@code length} bytes at {@code position}; the caller checked the bounds. */
    abstract void read(long position, byte[] dst, int dstOffset, int length) throws IOException;

    @Override
    public void close() throws IOException {}

    static ElfSource of(byte[] bytes, String name) {
        return new ElfSource(name) {
            @Override
            long size() {
                return bytes.length;
            }

            @Override
            void read(long position, byte[] dst, int dstOffset, int length) {
                System.arraycopy(bytes, (int) position, dst, dstOffset, length);
            }
        };
    }

    /**
     * Positional reads rather than a mapping: a read touches only the bytes asked for (header,
     * notes) and leaves no mapping behind, whereas a MappedByteBuffer is unmapped only by the GC.
     */
    static ElfSource open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        long size;
        try {
            size = channel.size();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new ElfSource(path.toString()) {
            @Override
            long size() {
                return size;
            }

            @Override
            void read(long position, byte[] dst, int dstOffset, int length) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(dst, dstOffset, length);
                long pos = position;
                while (buf.hasRemaining()) {
                    int n = channel.read(buf, pos);
                    if (n < 0) {
                        throw new ElfFormatException("ELF " + name + ": file shrank while being read (EOF at 0x"
                                + Long.toHexString(pos) + ")");
                    }
                    pos += n;
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
