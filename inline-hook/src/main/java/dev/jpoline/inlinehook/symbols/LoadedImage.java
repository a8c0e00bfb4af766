package dev.jpoline.inlinehook.symbols;

import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.ProgramHeader;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One loaded image of an ELF file in a process (this one, or a target the remote engine
 * patches): its mappings in {@code /proc/PID/maps}, the first of which maps file offset 0 (the
 * ELF header and the first PT_LOAD).
 *
 * <p>A file mapped twice (two link namespaces) gives two images; the mappings of one image follow
 * its offset-0 mapping in address order.
 */
public final class LoadedImage {
    static final long PAGE = 4096;
    /** The ELF header and program headers of a loaded image sit in its first page or few. */
    private static final int HEADER_BYTES = 16 * 1024;

    final MapsEntry base;
    final List<MapsEntry> entries = new ArrayList<>();
    private final long pid;

    private LoadedImage(long pid, MapsEntry base) {
        this.pid = pid;
        this.base = base;
        entries.add(base);
    }

    /** The file's path as the kernel prints it, without {@code " (deleted)"}. */
    public String path() {
        return base.filePath();
    }

    public String fileName() {
        return base.fileName();
    }

    /** The image's mappings, the offset-0 one first. */
    public List<MapsEntry> entries() {
        return List.copyOf(entries);
    }

    /** Whether {@code address} lies in one of the image's mappings. */
    public boolean contains(long address) {
        for (MapsEntry m : entries) {
            if (m.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code address} lies in one of the image's executable mappings. */
    public boolean executableAt(long address) {
        for (MapsEntry m : entries) {
            if (m.executable() && m.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} is one of this image's mappings. */
    boolean holds(MapsEntry e) {
        for (MapsEntry m : entries) {
            if (m.start() == e.start()) {
                return true;
            }
        }
        return false;
    }

    /** The images of every file mapped into the process, in address order of their first mapping. */
    public static List<LoadedImage> all(ProcessMaps maps) {
        Map<FileKey, LoadedImage> latest = new HashMap<>();
        List<LoadedImage> out = new ArrayList<>();
        for (MapsEntry e : maps.entries()) {
            if (!e.fileBacked() || e.pseudo()) {
                continue;
            }
            FileKey key = new FileKey(e.deviceMajor(), e.deviceMinor(), e.inode(), e.filePath());
            if (e.offset() == 0) {
                LoadedImage image = new LoadedImage(maps.pid(), e);
                latest.put(key, image);
                out.add(image);
            } else {
                LoadedImage image = latest.get(key);
                if (image != null) {
                    image.entries.add(e);
                }
                // else: part of a file with no header mapping before it; nothing can place it.
            }
        }
        return out;
    }

    /** The image a mapping belongs to, or null. */
    static LoadedImage of(ProcessMaps maps, MapsEntry entry) {
        for (LoadedImage image : all(maps)) {
            if (image.holds(entry)) {
                return image;
            }
        }
        return null;
    }

    /** The load bias: the run-time address is bias + the ELF virtual address. */
    public long bias(List<ProgramHeader> programHeaders) {
        for (ProgramHeader p : programHeaders) {
            if (p.isLoad()) {
                return base.start() - (p.vaddr() & -PAGE);
            }
        }
        throw new IllegalStateException(path() + " has no PT_LOAD segment");
    }

    /**
     * Opens the mapped file: by its path when the kernel still shows it linked there, else through
     * {@code /proc/PID/map_files} (which needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE); null when
     * neither works.
     */
    public ElfFile openFile() {
        if (!base.deleted()) {
            try {
                return ElfFile.open(Path.of(path()));
            } catch (IOException | RuntimeException e) {
                // Fall through: the path may belong to another mount namespace.
            }
        }
        try {
            return ElfFile.open(Path.of("/proc", Long.toString(pid), "map_files",
                    Long.toHexString(base.start()) + "-" + Long.toHexString(base.end())));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The ELF header and program headers as loaded, read from the image's first mapping. */
    ElfFile headersFromMemory() throws IOException {
        int length = (int) Math.min(base.size(), HEADER_BYTES);
        byte[] header = pid == ProcessHandle.current().pid() ? SelfMemory.read(base.start(), length)
                : SelfMemory.readOf(pid, base.start(), length);
        return ElfFile.parse(header, path() + " (in memory)");
    }

    /** The program headers, from the file if it can be opened, else from memory. */
    public List<ProgramHeader> programHeaders() throws IOException {
        try (ElfFile elf = openFile()) {
            if (elf != null) {
                return elf.programHeaders();
            }
        }
        return headersFromMemory().programHeaders();
    }

    @Override
    public String toString() {
        return path() + " at 0x" + Long.toHexString(base.start());
    }

    /** What tells mapped files apart in the maps. */
    static final class FileKey {
        final int major;
        final int minor;
        final long inode;
        final String path;

        FileKey(int major, int minor, long inode, String path) {
            this.major = major;
            this.minor = minor;
            this.inode = inode;
            this.path = path;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FileKey k && k.major == major && k.minor == minor && k.inode == inode && k.path.equals(path);
        }

        @Override
        public int hashCode() {
            return Objects.hash(major, minor, inode, path);
        }
    }
}
