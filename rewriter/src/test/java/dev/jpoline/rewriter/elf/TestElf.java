package dev.jpoline.rewriter.elf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds small synthetic ELF64 x86-64 files for tests. The test lays out raw content at explicit
 * file offsets and declares segments and sections over it; the builder appends the string and
 * symbol tables and the section header table after the content.
 */
public final class TestElf {
    private int type = 3; // ET_DYN
    private int machine = ElfFile.EM_X86_64;
    private byte elfClass = 2;
    private byte[] content = new byte[0];
    private final List<long[]> segments = new ArrayList<>();
    private final List<Object[]> sections = new ArrayList<>();
    private final List<Object[]> symbols = new ArrayList<>();
    private boolean dynsym;

    public TestElf type(int eType) {
        this.type = eType;
        return this;
    }

    public TestElf machine(int eMachine) {
        this.machine = eMachine;
        return this;
    }

    public TestElf elfClass(int cls) {
        this.elfClass = (byte) cls;
        return this;
    }

    /** Places raw bytes at a file offset (beyond the headers, e.g. 0x1000). */
    public TestElf put(int offset, byte[] bytes) {
        if (content.length < offset + bytes.length) {
            byte[] grown = new byte[offset + bytes.length];
            System.arraycopy(content, 0, grown, 0, content.length);
            content = grown;
        }
        System.arraycopy(bytes, 0, content, offset, bytes.length);
        return this;
    }

    public TestElf segment(int pType, int flags, long offset, long vaddr, long filesz, long memsz, long align) {
        segments.add(new long[] {pType, flags, offset, vaddr, filesz, memsz, align});
        return this;
    }

    public TestElf section(String name, int shType, long flags, long addr, long offset, long size) {
        sections.add(new Object[] {name, shType, flags, addr, offset, size});
        return this;
    }

    /** A defined function symbol (binding 1 = global, 2 = weak, 0 = local). */
    public TestElf function(String name, long value, long size, int binding) {
        symbols.add(new Object[] {name, value, size, binding, 2});
        return this;
    }

    /** A data object symbol, which function lookups must ignore. */
    public TestElf object(String name, long value, long size) {
        symbols.add(new Object[] {name, value, size, 1, 1});
        return this;
    }

    /** Emit the symbols as .dynsym/.dynstr instead of .symtab/.strtab. */
    public TestElf asDynsym() {
        dynsym = true;
        return this;
    }

    /** A GNU build-id note (namesz 4, "GNU", type 3) holding {@code id}. */
    public static byte[] buildIdNote(byte[] id) {
        ByteBuffer b = ByteBuffer.allocate(16 + ((id.length + 3) & ~3)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4).putInt(id.length).putInt(3).put(new byte[] {'G', 'N', 'U', 0}).put(id);
        return b.array();
    }

    public byte[] build() {
        ByteArrayOutputStream shstr = new ByteArrayOutputStream();
        shstr.write(0);
        List<Object[]> allSections = new ArrayList<>(sections);
        int baseLen = Math.max(content.length, 64 + 56 * segments.size());
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        int tailAt = (baseLen + 15) & ~15;
        if (!symbols.isEmpty()) {
            ByteArrayOutputStream str = new ByteArrayOutputStream();
            str.write(0);
            ByteBuffer syms = ByteBuffer.allocate(24 * (symbols.size() + 1)).order(ByteOrder.LITTLE_ENDIAN);
            syms.put(new byte[24]);
            for (Object[] s : symbols) {
                int nameOff = str.size();
                str.writeBytes(((String) s[0]).getBytes(StandardCharsets.UTF_8));
                str.write(0);
                int binding = (Integer) s[3];
                int stt = (Integer) s[4];
                syms.putInt(nameOff).put((byte) ((binding << 4) | stt)).put((byte) 0).putShort((short) 1)
                        .putLong((Long) s[1]).putLong((Long) s[2]);
            }
            long strOff = tailAt + tail.size();
            tail.writeBytes(str.toByteArray());
            pad(tail, tailAt);
            long symOff = tailAt + tail.size();
            tail.writeBytes(syms.array());
            int strIndex = allSections.size() + 1;
            allSections.add(new Object[] {dynsym ? ".dynstr" : ".strtab", 3, 0L, 0L, strOff, (long) str.size()});
            allSections.add(new Object[] {dynsym ? ".dynsym" : ".symtab", dynsym ? 11 : 2, 0L, 0L, symOff,
                    (long) syms.capacity(), strIndex});
        }
        // Names, then .shstrtab itself, then the header table.
        List<Integer> nameOffsets = new ArrayList<>();
        for (Object[] s : allSections) {
            nameOffsets.add(shstr.size());
            shstr.writeBytes(((String) s[0]).getBytes(StandardCharsets.UTF_8));
            shstr.write(0);
        }
        int shstrName = shstr.size();
        shstr.writeBytes(".shstrtab\0".getBytes(StandardCharsets.UTF_8));
        pad(tail, tailAt);
        long shstrOff = tailAt + tail.size();
        tail.writeBytes(shstr.toByteArray());
        pad(tail, tailAt);
        long shoff = tailAt + tail.size();
        int shnum = allSections.size() + 2;
        ByteBuffer sh = ByteBuffer.allocate(64 * shnum).order(ByteOrder.LITTLE_ENDIAN);
        sh.put(new byte[64]);
        for (int i = 0; i < allSections.size(); i++) {
            Object[] s = allSections.get(i);
            int link = s.length > 6 ? (Integer) s[6] : 0;
            sh.putInt(nameOffsets.get(i)).putInt((Integer) s[1]).putLong((Long) s[2]).putLong((Long) s[3])
                    .putLong((Long) s[4]).putLong((Long) s[5]).putInt(link).putInt(0).putLong(1).putLong(0);
        }
        sh.putInt(shstrName).putInt(3).putLong(0).putLong(0).putLong(shstrOff).putLong(shstr.size())
                .putInt(0).putInt(0).putLong(1).putLong(0);
        tail.writeBytes(sh.array());

        ByteBuffer out = ByteBuffer.allocate(tailAt + tail.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(content);
        out.position(tailAt);
        out.put(tail.toByteArray());
        out.position(0);
        out.put(new byte[] {0x7f, 'E', 'L', 'F', elfClass, 1, 1, 0});
        out.position(16);
        out.putShort((short) type).putShort((short) machine).putInt(1).putLong(0x1000) // entry
                .putLong(segments.isEmpty() ? 0 : 64).putLong(shoff).putInt(0).putShort((short) 64)
                .putShort((short) 56).putShort((short) segments.size()).putShort((short) 64)
                .putShort((short) shnum).putShort((short) (shnum - 1));
        for (long[] p : segments) {
            out.putInt((int) p[0]).putInt((int) p[1]).putLong(p[2]).putLong(p[3]).putLong(p[3]).putLong(p[4])
                    .putLong(p[5]).putLong(p[6]);
        }
        return out.array();
    }

    private static void pad(ByteArrayOutputStream b, int base) {
        while ((base + b.size()) % 8 != 0) {
            b.write(0);
        }
    }
}
