package dev.jpoline.inlinehook.symbols;

import dev.jpoline.inlinehook.HookException;
import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.FunctionSymbol;
import dev.jpoline.rewriter.elf.FunctionSymbols;
import dev.jpoline.rewriter.elf.ProgramHeader;
import dev.jpoline.rewriter.elf.SectionHeader;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Where the functions of this process begin and end, so that a hook never steals bytes past its
 * function's end and can decode the whole function.
 *
 * <p>An extent comes from the ELF symbols of the mapped file ({@code .symtab}, else
 * {@code .dynsym}), else from its {@code .eh_frame_hdr} search table and FDEs, which also cover
 * the stripped functions of a library (glibc's string functions). What is read from a file is
 * cached per file (path, device, inode, size and modification time), so asking again costs a read
 * of {@code /proc/self/maps} and two binary searches. Thread-safe.
 */
public final class FunctionExtents {
    /** Unwind tables larger than this are damage, not something to read. */
    private static final long MAX_TABLE_BYTES = 256L << 20;
    private static final FunctionExtents GLOBAL = new FunctionExtents();

    private final Map<Object, FileIndex> cache = new ConcurrentHashMap<>();

    FunctionExtents() {}

    public static FunctionExtents global() {
        return GLOBAL;
    }

    /**
     * The function containing {@code address}: from the symbols (the innermost sized function
     * symbol that holds it, one that starts exactly there first), else from the unwind table.
     * Empty when no file-backed executable mapping holds the address or nothing covers it.
     */
    public Optional<FunctionExtent> containing(long address) {
        ProcessMaps maps = readMaps();
        MapsEntry entry = maps.entryContaining(address);
        if (entry == null || !entry.executable() || !entry.fileBacked() || entry.pseudo()) {
            return Optional.empty();
        }
        LoadedImage image = LoadedImage.of(maps, entry);
        if (image == null) {
            return Optional.empty();
        }
        FileIndex index = index(image);
        if (index == null || !hasLoad(index.headers)) {
            return Optional.empty();
        }
        long bias = image.bias(index.headers);
        long vaddr = address - bias;
        FunctionSymbol symbol = index.symbols == null ? null : index.symbols.containing(vaddr);
        if (symbol != null) {
            return Optional.of(extent(index, image, bias, symbol.value(), symbol.value() + symbol.size(), symbol.name()));
        }
        int fde = index.unwind.indexContaining(vaddr);
        if (fde >= 0) {
            return Optional.of(extent(index, image, bias, index.unwind.begin(fde), index.unwind.end(fde), null));
        }
        return Optional.empty();
    }

    /** Whether {@code address} lies in an executable mapping of this process now. */
    public boolean isExecutable(long address) {
        MapsEntry entry = readMaps().entryContaining(address);
        return entry != null && entry.executable();
    }

    private static FunctionExtent extent(FileIndex index, LoadedImage image, long bias, long begin, long end, String name) {
        return new FunctionExtent(bias + begin, bias + end, name, image.path(), fileOffset(index.headers, begin));
    }

    private static boolean hasLoad(List<ProgramHeader> headers) {
        for (ProgramHeader p : headers) {
            if (p.isLoad()) {
                return true;
            }
        }
        return false;
    }

    /** The file offset of virtual address {@code vaddr}, or -1 when no PT_LOAD holds it in its file bytes. */
    static long fileOffset(List<ProgramHeader> headers, long vaddr) {
        for (ProgramHeader p : headers) {
            if (p.isLoad() && vaddr >= p.vaddr() && vaddr - p.vaddr() < p.filesz()) {
                return p.offset() + (vaddr - p.vaddr());
            }
        }
        return -1;
    }

    private static ProcessMaps readMaps() {
        try {
            return ProcessMaps.readSelf();
        } catch (IOException e) {
            throw new HookException(HookException.Reason.SYSTEM, "cannot read /proc/self/maps: " + e.getMessage(), e);
        }
    }

    /** The cached index of the image's file, read now if needed; null when neither file nor memory can be read. */
    private FileIndex index(LoadedImage image) {
        MapsEntry base = image.base;
        Object key;
        if (!base.deleted()) {
            try {
                Map<String, Object> a = Files.readAttributes(Path.of(image.path()), "unix:dev,ino,size,lastModifiedTime");
                key = List.of(image.path(), a.get("dev"), a.get("ino"), a.get("size"),
                        ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS));
            } catch (IOException | RuntimeException e) {
                key = null;
            }
        } else {
            key = null;
        }
        if (key == null) {
            // Deleted or unreachable: what is read depends on this very mapping.
            key = List.of(image.path(), base.deviceMajor(), base.deviceMinor(), base.inode(), base.start());
        }
        FileIndex cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        FileIndex built = build(image);
        if (built != null) {
            cache.put(key, built);
        }
        return built;
    }

    /** Reads the program headers, function symbols and unwind table: from the file, else from memory. */
    static FileIndex build(LoadedImage image) {
        try (ElfFile elf = image.openFile()) {
            if (elf != null) {
                return fromFile(elf);
            }
        } catch (IOException | RuntimeException e) {
            // A damaged or vanished file: try what is loaded.
        }
        try {
            return fromMemory(image);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static FileIndex fromFile(ElfFile elf) throws IOException {
        List<ProgramHeader> headers = elf.programHeaders();
        FunctionSymbols symbols;
        try {
            symbols = elf.functionSymbols();
        } catch (IOException | RuntimeException e) {
            symbols = null;
        }
        EhFrameIndex unwind;
        try {
            unwind = unwindFromFile(elf, headers);
        } catch (IOException | RuntimeException e) {
            unwind = EhFrameIndex.empty();
        }
        return new FileIndex(headers, symbols, unwind);
    }

    /** The .eh_frame_hdr through PT_GNU_EH_FRAME (or its section), and the .eh_frame bytes it points into. */
    private static EhFrameIndex unwindFromFile(ElfFile elf, List<ProgramHeader> headers) throws IOException {
        long hdrVaddr = -1;
        long hdrOffset = -1;
        long hdrSize = 0;
        for (ProgramHeader p : headers) {
            if (p.type() == ProgramHeader.PT_GNU_EH_FRAME) {
                hdrVaddr = p.vaddr();
                hdrOffset = p.offset();
                hdrSize = p.filesz();
            }
        }
        List<SectionHeader> sections = sectionsOrNone(elf);
        if (hdrVaddr < 0) {
            for (SectionHeader s : sections) {
                if (s.name().equals(".eh_frame_hdr") && s.hasFileBytes()) {
                    hdrVaddr = s.addr();
                    hdrOffset = s.offset();
                    hdrSize = s.size();
                }
            }
        }
        if (hdrVaddr < 0 || hdrSize <= 0 || hdrSize > MAX_TABLE_BYTES) {
            return EhFrameIndex.empty();
        }
        byte[] hdr = elf.read(hdrOffset, hdrSize, ".eh_frame_hdr");
        long framesVaddr = EhFrameIndex.ehFramePointer(hdr, hdrVaddr);
        if (framesVaddr < 0) {
            return EhFrameIndex.empty();
        }
        // The frames run from eh_frame_ptr to the end of .eh_frame, or else of the segment's file bytes.
        long framesEnd = -1;
        for (SectionHeader s : sections) {
            if (s.name().equals(".eh_frame") && s.addr() == framesVaddr && s.hasFileBytes()) {
                framesEnd = s.addr() + s.size();
            }
        }
        for (ProgramHeader p : headers) {
            if (p.isLoad() && framesVaddr >= p.vaddr() && framesVaddr - p.vaddr() < p.filesz()) {
                long segmentEnd = p.vaddr() + p.filesz();
                if (framesEnd < 0 || framesEnd > segmentEnd) {
                    framesEnd = segmentEnd;
                }
                long length = framesEnd - framesVaddr;
                if (length > MAX_TABLE_BYTES) {
                    return EhFrameIndex.empty();
                }
                byte[] frames = elf.read(p.offset() + (framesVaddr - p.vaddr()), length, ".eh_frame");
                return EhFrameIndex.parse(hdr, hdrVaddr, frames, framesVaddr);
            }
        }
        return EhFrameIndex.empty();
    }

    /** The unwind index of an ELF file on disk, in its virtual addresses. */
    static EhFrameIndex unwindOf(Path file) throws IOException {
        try (ElfFile elf = ElfFile.open(file)) {
            return unwindFromFile(elf, elf.programHeaders());
        }
    }

    private static List<SectionHeader> sectionsOrNone(ElfFile elf) {
        try {
            return elf.sections();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * For a file that cannot be opened (deleted since it was mapped): the program headers and the
     * unwind table as loaded. Symbols are not loaded, so only the unwind table answers.
     */
    static FileIndex fromMemory(LoadedImage image) throws IOException {
        List<ProgramHeader> headers = new ArrayList<>(image.headersFromMemory().programHeaders());
        long bias = image.bias(headers);
        EhFrameIndex unwind = EhFrameIndex.empty();
        for (ProgramHeader eh : headers) {
            if (eh.type() != ProgramHeader.PT_GNU_EH_FRAME || eh.memsz() <= 0 || eh.memsz() > MAX_TABLE_BYTES) {
                continue;
            }
            byte[] hdr = SelfMemory.read(bias + eh.vaddr(), (int) eh.memsz());
            long framesVaddr = EhFrameIndex.ehFramePointer(hdr, eh.vaddr());
            for (ProgramHeader p : headers) {
                if (framesVaddr >= 0 && p.isLoad() && framesVaddr >= p.vaddr() && framesVaddr - p.vaddr() < p.filesz()) {
                    long length = p.vaddr() + p.filesz() - framesVaddr;
                    if (length <= MAX_TABLE_BYTES) {
                        byte[] frames = SelfMemory.read(bias + framesVaddr, (int) length);
                        unwind = EhFrameIndex.parse(hdr, eh.vaddr(), frames, framesVaddr);
                    }
                }
            }
        }
        return new FileIndex(headers, null, unwind);
    }

    /** What one file tells about its functions, in ELF virtual addresses. */
    static final class FileIndex {
        final List<ProgramHeader> headers;
        /** Null when the file's symbols cannot be read. */
        final FunctionSymbols symbols;
        final EhFrameIndex unwind;

        FileIndex(List<ProgramHeader> headers, FunctionSymbols symbols, EhFrameIndex unwind) {
            this.headers = headers;
            this.symbols = symbols;
            this.unwind = Objects.requireNonNull(unwind);
        }
    }
}
