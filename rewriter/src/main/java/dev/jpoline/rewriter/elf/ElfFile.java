package dev.jpoline.rewriter.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Reader for ELF64 little-endian x86-64 files, from a file or from bytes.
 *
 * <p>Opening reads and validates only the ELF header and the program header table. Section
 * headers, notes and symbols are read on first use, so asking for the build-id of a 2 MB library
 * reads a few hundred bytes. Not thread-safe; {@link #close()} releases the file.
 */
public final class ElfFile implements AutoCloseable {
    public static final int EM_X86_64 = 62;
    static final int EHDR_SIZE = 64;
    static final int PHDR_SIZE = 56;
    static final int SHDR_SIZE = 64;
    static final int SYM_SIZE = 24;
    private static final int NT_GNU_BUILD_ID = 3;
    private static final int SHN_UNDEF = 0;
    private static final int SHN_XINDEX = 0xffff;
    private static final int PN_XNUM = 0xffff;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    /** Notes worth reading are a few dozen bytes; a bigger note segment is ignored, not read. */
    private static final long MAX_NOTE_BYTES = 1 << 20;
    /** PATH_MAX: a longer interpreter path is damage, not a path. */
    private static final long MAX_INTERP_BYTES = 4096;

    private final ElfSource source;
    private final ElfType type;
    private final long entry;
    private final long shoff;
    private final int shnumRaw;
    private final int shstrndxRaw;
    private final List<ProgramHeader> programHeaders;

    private List<SectionHeader> sections;
    private Optional<String> buildId;
    private FunctionSymbols functionSymbols;

    private ElfFile(ElfSource source) throws IOException {
        this.source = source;
        long size = source.size();
        if (size < 4) {
            throw error("not an ELF file (only " + size + " bytes)");
        }
        byte[] ident = new byte[(int) Math.min(size, EHDR_SIZE)];
        source.read(0, ident, 0, ident.length);
        if (ident[0] != 0x7f || ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F') {
            throw error("not an ELF file (bad magic)");
        }
        if (size < EHDR_SIZE) {
            throw error("truncated: " + size + " bytes, shorter than the 64-byte ELF64 header");
        }
        if (ident[4] == 1) {
            throw error("32-bit ELF (ELFCLASS32) is not supported; only x86-64 ELF64 is");
        }
        if (ident[4] != 2) {
            throw error("unknown ELF class " + ident[4] + " (expected 2, ELFCLASS64)");
        }
        if (ident[5] != 1) {
            throw error("not little-endian (EI_DATA=" + ident[5] + "); only x86-64 is supported");
        }
        if (ident[6] != 1) {
            throw error("unknown ELF version " + ident[6]);
        }
        ByteBuffer h = ByteBuffer.wrap(ident).order(ByteOrder.LITTLE_ENDIAN);
        int machine = Short.toUnsignedInt(h.getShort(18));
        if (machine != EM_X86_64) {
            throw error("wrong machine: e_machine=" + machine + " (" + machineName(machine)
                    + "), expected " + EM_X86_64 + " (x86-64)");
        }
        type = ElfType.of(Short.toUnsignedInt(h.getShort(16)));
        entry = h.getLong(24);
        long phoff = h.getLong(32);
        shoff = h.getLong(40);
        int phentsize = Short.toUnsignedInt(h.getShort(54));
        int phnum = Short.toUnsignedInt(h.getShort(56));
        int shentsize = Short.toUnsignedInt(h.getShort(58));
        shnumRaw = Short.toUnsignedInt(h.getShort(60));
        shstrndxRaw = Short.toUnsignedInt(h.getShort(62));
        if (phnum != 0 && phentsize != PHDR_SIZE) {
            throw error("e_phentsize is " + phentsize + ", expected " + PHDR_SIZE);
        }
        if (shoff != 0 && shentsize != SHDR_SIZE) {
            throw error("e_shentsize is " + shentsize + ", expected " + SHDR_SIZE);
        }
        if (phnum == PN_XNUM) {
            // More than 0xfffe segments: the real count lives in section 0's sh_info.
            phnum = (int) Math.min(Integer.MAX_VALUE, readSectionZero().getInt(44) & 0xffffffffL);
        }
        programHeaders = readProgramHeaders(phoff, phnum);
    }

    /** Opens and validates the ELF file at {@code path}; close it when done. */
    public static ElfFile open(Path path) throws IOException {
        ElfSource src = ElfSource.open(path);
        try {
            return new ElfFile(src);
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /** Parses ELF bytes held in memory; {@code name} appears in error messages. */
    public static ElfFile parse(byte[] bytes, String name) throws ElfFormatException {
        try {
            return new ElfFile(ElfSource.of(bytes, name));
        } catch (ElfFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("reading from memory cannot fail", e);
        }
    }

    public static ElfFile parse(byte[] bytes) throws ElfFormatException {
        return parse(bytes, "<bytes>");
    }

    /** The file name or label given when opened, as used in error messages. */
    public String name() {
        return source.name;
    }

    public long fileSize() {
        return source.size();
    }

    public ElfType type() {
        return type;
    }

    public long entry() {
        return entry;
    }

    public List<ProgramHeader> programHeaders() {
        return programHeaders;
    }

    /** The loadable executable segments, in program-header order. */
    public List<ProgramHeader> executableLoadSegments() {
        List<ProgramHeader> out = new ArrayList<>();
        for (ProgramHeader p : programHeaders) {
            if (p.isExecutableLoad()) {
                out.add(p);
            }
        }
        return out;
    }

    private boolean hasSegment(int ptype) {
        for (ProgramHeader p : programHeaders) {
            if (p.type() == ptype) {
                return true;
            }
        }
        return false;
    }

    /** True when the file names a program interpreter (PT_INTERP): LD_PRELOAD can reach it. */
    public boolean hasInterpreter() {
        return hasSegment(ProgramHeader.PT_INTERP);
    }

    /**
     * True when the file takes part in dynamic linking: it has PT_INTERP or PT_DYNAMIC. A
     * static-pie executable counts as dynamic here (it relocates itself) but has no interpreter.
     */
    public boolean isDynamic() {
        return hasInterpreter() || hasSegment(ProgramHeader.PT_DYNAMIC);
    }

    public boolean isStatic() {
        return !isDynamic();
    }

    /** The PT_INTERP path, e.g. {@code /lib64/ld-linux-x86-64.so.2}, if any. */
    public Optional<String> interpreter() throws IOException {
        for (ProgramHeader p : programHeaders) {
            if (p.type() == ProgramHeader.PT_INTERP) {
                if (p.filesz() > MAX_INTERP_BYTES) {
                    throw error("PT_INTERP is " + p.filesz() + " bytes, longer than any path (" + MAX_INTERP_BYTES + ")");
                }
                byte[] b = read(p.offset(), p.filesz(), "PT_INTERP");
                int len = 0;
                while (len < b.length && b[len] != 0) {
                    len++;
                }
                return Optional.of(new String(b, 0, len, StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /**
     * The GNU build-id as lowercase hex: from a PT_NOTE segment, or else from the
     * {@code .note.gnu.build-id} section. Reads only the notes (and, in the fallback, the section
     * headers), never the code.
     */
    public Optional<String> buildId() throws IOException {
        if (buildId == null) {
            buildId = findBuildId();
        }
        return buildId;
    }

    private Optional<String> findBuildId() throws IOException {
        for (ProgramHeader p : programHeaders) {
            if (p.type() == ProgramHeader.PT_NOTE && p.filesz() <= MAX_NOTE_BYTES) {
                byte[] id = findBuildIdNote(read(p.offset(), p.filesz(), "PT_NOTE"), p.align());
                if (id != null) {
                    return Optional.of(HexFormat.of().formatHex(id));
                }
            }
        }
        for (SectionHeader s : sections()) {
            if (s.type() == SectionHeader.SHT_NOTE && s.name().equals(".note.gnu.build-id")
                    && s.size() <= MAX_NOTE_BYTES) {
                byte[] id = findBuildIdNote(read(s.offset(), s.size(), s.name()), s.addralign());
                if (id != null) {
                    return Optional.of(HexFormat.of().formatHex(id));
                }
            }
        }
        return Optional.empty();
    }

    /** Walks the notes of one note area; entries are padded to 4 bytes, or 8 in 8-aligned areas. */
    private static byte[] findBuildIdNote(byte[] notes, long align) {
        int pad = align == 8 ? 8 : 4;
        ByteBuffer b = ByteBuffer.wrap(notes).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (pos + 12 <= notes.length) {
            long namesz = b.getInt(pos) & 0xffffffffL;
            long descsz = b.getInt(pos + 4) & 0xffffffffL;
            int noteType = b.getInt(pos + 8);
            long nameAt = pos + 12L;
            long descAt = nameAt + roundUp(namesz, pad);
            long next = descAt + roundUp(descsz, pad);
            if (descAt + descsz > notes.length) {
                return null; // malformed tail: no trustworthy build-id in this area
            }
            if (noteType == NT_GNU_BUILD_ID && namesz == 4 && notes[(int) nameAt] == 'G'
                    && notes[(int) nameAt + 1] == 'N' && notes[(int) nameAt + 2] == 'U'
                    && notes[(int) nameAt + 3] == 0 && descsz > 0) {
                return Arrays.copyOfRange(notes, (int) descAt, (int) (descAt + descsz));
            }
            pos = (int) Math.min(next, Integer.MAX_VALUE);
        }
        return null;
    }

    private static long roundUp(long v, int to) {
        return (v + to - 1) & -to;
    }

    /** All section headers with names; empty when the file has no section header table. */
    public List<SectionHeader> sections() throws IOException {
        if (sections == null) {
            sections = readSections();
        }
        return sections;
    }

    public Optional<SectionHeader> section(String name) throws IOException {
        for (SectionHeader s : sections()) {
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Function symbols from {@code .symtab} when the file has one, else from {@code .dynsym};
     * undefined (imported) symbols are left out. Read once, then cached.
     */
    public FunctionSymbols functionSymbols() throws IOException {
        if (functionSymbols == null) {
            functionSymbols = readFunctionSymbols();
        }
        return functionSymbols;
    }

    /**
     * The parts of {@code segment}'s file-backed address range [p_vaddr, p_vaddr + p_filesz) that
     * hold no code, as sorted, merged, flattened {@code [start, end)} virtual-address pairs.
     *
     * <p>Non-code means covered by no allocated {@code SHF_EXECINSTR} section: non-executable
     * sections placed in the segment (.rodata, .eh_frame when merged into text), and also the ELF
     * header, program headers and padding that an old-style single R+X segment carries, which no
     * section describes. A file without section headers (or none marking code in the segment)
     * gives no information and so an empty array: the whole segment is swept as code.
     */
    public long[] dataRangesIn(ProgramHeader segment) throws IOException {
        long segStart = segment.vaddr();
        long segEnd = segment.vaddr() + segment.filesz();
        List<long[]> code = new ArrayList<>();
        for (SectionHeader s : sections()) {
            if (s.alloc() && s.executable() && s.size() > 0) {
                long a = Math.max(s.addr(), segStart);
                long e = Math.min(s.addr() + s.size(), segEnd);
                if (a < e) {
                    code.add(new long[] {a, e});
                }
            }
        }
        if (code.isEmpty()) {
            return new long[0];
        }
        code.sort((x, y) -> Long.compare(x[0], y[0]));
        long[] out = new long[2 * (code.size() + 1)];
        int n = 0;
        long cursor = segStart;
        for (long[] c : code) {
            if (c[0] > cursor) {
                out[n++] = cursor;
                out[n++] = c[0];
            }
            cursor = Math.max(cursor, c[1]);
        }
        if (cursor < segEnd) {
            out[n++] = cursor;
            out[n++] = segEnd;
        }
        return Arrays.copyOf(out, n);
    }

    /** The file bytes of a segment, [p_offset, p_offset + p_filesz). */
    public byte[] readSegment(ProgramHeader segment) throws IOException {
        return read(segment.offset(), segment.filesz(), "segment " + segment.index() + " (" + segment.typeName() + ")");
    }

    /** Reads {@code length} bytes at file offset {@code offset}, failing clearly past the end. */
    public byte[] read(long offset, long length, String what) throws IOException {
        checkInFile(offset, length, what);
        if (length > Integer.MAX_VALUE - 8) {
            throw error(what + " is too large to read (" + length + " bytes)");
        }
        byte[] b = new byte[(int) length];
        source.read(offset, b, 0, b.length);
        return b;
    }

    private void checkInFile(long offset, long length, String what) throws ElfFormatException {
        if (offset < 0 || length < 0 || offset > source.size() || length > source.size() - offset) {
            throw error("truncated: " + what + " at 0x" + Long.toHexString(offset) + "+0x"
                    + Long.toHexString(length) + " extends past the end of the file (0x"
                    + Long.toHexString(source.size()) + " bytes)");
        }
    }

    private List<ProgramHeader> readProgramHeaders(long phoff, int phnum) throws IOException {
        if (phnum == 0) {
            return List.of();
        }
        ByteBuffer b = ByteBuffer.wrap(read(phoff, (long) phnum * PHDR_SIZE, "program header table"))
                .order(ByteOrder.LITTLE_ENDIAN);
        List<ProgramHeader> out = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            int at = i * PHDR_SIZE;
            out.add(new ProgramHeader(i, b.getInt(at), b.getInt(at + 4), b.getLong(at + 8), b.getLong(at + 16),
                    b.getLong(at + 24), b.getLong(at + 32), b.getLong(at + 40), b.getLong(at + 48)));
        }
        return Collections.unmodifiableList(out);
    }

    private ByteBuffer readSectionZero() throws IOException {
        if (shoff == 0) {
            throw error("extended numbering is used but there is no section header table");
        }
        return ByteBuffer.wrap(read(shoff, SHDR_SIZE, "section header 0")).order(ByteOrder.LITTLE_ENDIAN);
    }

    private List<SectionHeader> readSections() throws IOException {
        if (shoff == 0) {
            return List.of();
        }
        long shnum = shnumRaw;
        int shstrndx = shstrndxRaw;
        if (shnum == 0 || shstrndx == SHN_XINDEX) {
            // Extended numbering: real values live in section 0 (sh_size, sh_link).
            ByteBuffer zero = readSectionZero();
            if (shnum == 0) {
                shnum = zero.getLong(32);
            }
            if (shstrndx == SHN_XINDEX) {
                shstrndx = zero.getInt(40);
            }
        }
        if (shnum == 0) {
            return List.of();
        }
        if (shnum > source.size() / SHDR_SIZE) {
            throw error("truncated: " + shnum + " section headers cannot fit in the file");
        }
        int count = (int) shnum;
        ByteBuffer b = ByteBuffer.wrap(read(shoff, (long) count * SHDR_SIZE, "section header table"))
                .order(ByteOrder.LITTLE_ENDIAN);
        byte[] names = null;
        if (shstrndx != 0) {
            if (shstrndx >= count) {
                throw error("e_shstrndx " + shstrndx + " is not below the section count " + count);
            }
            int at = shstrndx * SHDR_SIZE;
            names = read(b.getLong(at + 24), b.getLong(at + 32), "section name table");
        }
        List<SectionHeader> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = i * SHDR_SIZE;
            String name = names == null ? "" : cString(names, b.getInt(at) & 0xffffffffL);
            out.add(new SectionHeader(i, name, b.getInt(at + 4), b.getLong(at + 8), b.getLong(at + 16),
                    b.getLong(at + 24), b.getLong(at + 32), b.getInt(at + 40), b.getInt(at + 44),
                    b.getLong(at + 48), b.getLong(at + 56)));
        }
        return Collections.unmodifiableList(out);
    }

    private FunctionSymbols readFunctionSymbols() throws IOException {
        SectionHeader table = null;
        for (SectionHeader s : sections()) {
            if (s.type() == SectionHeader.SHT_SYMTAB) {
                table = s;
                break;
            }
        }
        if (table == null) {
            for (SectionHeader s : sections()) {
                if (s.type() == SectionHeader.SHT_DYNSYM) {
                    table = s;
                    break;
                }
            }
        }
        if (table == null) {
            return FunctionSymbols.empty();
        }
        if (table.link() <= 0 || table.link() >= sections.size()) {
            throw error("symbol table " + table.name() + " links to missing string table " + table.link());
        }
        SectionHeader strtab = sections.get(table.link());
        byte[] strings = read(strtab.offset(), strtab.size(), "string table " + strtab.name());
        ByteBuffer syms = ByteBuffer.wrap(read(table.offset(), table.size(), "symbol table " + table.name()))
                .order(ByteOrder.LITTLE_ENDIAN);
        int count = (int) (table.size() / SYM_SIZE);
        List<FunctionSymbols.Raw> raw = new ArrayList<>(count);
        for (int i = 1; i < count; i++) { // entry 0 is the reserved null symbol
            int at = i * SYM_SIZE;
            int info = syms.get(at + 4) & 0xff;
            int symType = info & 0xf;
            int shndx = Short.toUnsignedInt(syms.getShort(at + 6));
            if ((symType != STT_FUNC && symType != STT_GNU_IFUNC) || shndx == SHN_UNDEF) {
                continue;
            }
            int binding = info >> 4;
            int rank = binding == 1 ? 2 : binding == 2 ? 1 : 0; // GLOBAL > WEAK > LOCAL
            String name = cString(strings, syms.getInt(at) & 0xffffffffL);
            raw.add(new FunctionSymbols.Raw(name, syms.getLong(at + 8), syms.getLong(at + 16), rank));
        }
        return new FunctionSymbols(table.name(), raw);
    }

    private static String cString(byte[] table, long offset) {
        if (offset >= table.length) {
            return "";
        }
        int start = (int) offset;
        int end = start;
        while (end < table.length && table[end] != 0) {
            end++;
        }
        return new String(table, start, end - start, StandardCharsets.UTF_8);
    }

    private ElfFormatException error(String what) {
        return new ElfFormatException("ELF " + source.name + ": " + what);
    }

    private static String machineName(int machine) {
        switch (machine) {
            case 3: return "i386";
            case 40: return "ARM";
            case 183: return "AArch64";
            case 243: return "RISC-V";
            default: return "not x86-64";
        }
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
