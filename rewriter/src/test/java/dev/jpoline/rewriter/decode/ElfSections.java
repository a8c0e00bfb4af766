package dev.jpoline.rewriter.decode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only ELF64 little-endian section-header reader: just enough to find executable sections.
 * (The production ELF reader lives elsewhere; tests must not depend on what they help verify.)
 */
public final class ElfSections {
    static final long SHF_EXECINSTR = 0x4;
    static final int SHT_NOBITS = 8;

    public record Section(String name, long address, long fileOffset, long size, long flags) {}

    public final Path path;
    public final byte[] bytes;
    public final List<Section> sections = new ArrayList<>();

    public ElfSections(Path path) throws IOException {
        this.path = path;
        this.bytes = Files.readAllBytes(path);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || buf.getInt(0) != 0x464C457F || bytes[4] != 2 || bytes[5] != 1) {
            throw new IOException(path + " is not a little-endian ELF64 file");
        }
        long shoff = buf.getLong(0x28);
        int shentsize = Short.toUnsignedInt(buf.getShort(0x3A));
        int shnum = Short.toUnsignedInt(buf.getShort(0x3C));
        int shstrndx = Short.toUnsignedInt(buf.getShort(0x3E));
        long strtabOffset = buf.getLong((int) (shoff + (long) shstrndx * shentsize + 0x18));
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            int nameOffset = buf.getInt(h);
            int type = buf.getInt(h + 4);
            long flags = buf.getLong(h + 8);
            long addr = buf.getLong(h + 0x10);
            long offset = buf.getLong(h + 0x18);
            long size = buf.getLong(h + 0x20);
            if (type == SHT_NOBITS) {
                continue;
            }
            sections.add(new Section(cString((int) (strtabOffset + nameOffset)), addr, offset, size, flags));
        }
    }

    public List<Section> executableSections() {
        return sections.stream().filter(s -> (s.flags() & SHF_EXECINSTR) != 0 && s.size() > 0).toList();
    }

    private String cString(int at) {
        int end = at;
        while (bytes[end] != 0) {
            end++;
        }
        return new String(bytes, at, end - at, StandardCharsets.US_ASCII);
    }
}
