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
 * One loaded image of an ELF file in this process: its mappings in {@code /proc/self/maps}, the
 * first of which maps file offset 0 (the ELF header and the first PT_LOAD).
 *
 * <p>A file mapped twice (two link namespaces) gives two images; the mappings of one image follow
 * its offset-0 mapping in address order.
 */
final class LoadedImage {
    static final long PAGE = 4096;
    /** The ELF header and program headers of a loaded image sit in its first page or few. */
    private static final int HEADER_BYTES = 16 * 1024;

    final MapsEntry base;
    final List<MapsEntry> entries = new ArrayList<>();

    private LoadedImage(MapsEntry base) {
        this.base = base;
        entries.add(base);
    }

    /** The file's path as the kernel prints it, without {@code " (deleted)"}. */
    String path() {
        return base.filePath();
    }

    String fileName() {
        return base.fileName();
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
    static List<LoadedImage> all(ProcessMaps maps) {
        Map<FileKey, LoadedImage> latest = new HashMap<>();
        List<LoadedImage> out = new ArrayList<>();
        for (MapsEntry e : maps.entries()) {
            if (!e.fileBacked() || e.pseudo()) {
                continue;
            }
            FileKey key = new FileKey(e.deviceMajor(), e.deviceMinor(), e.inode(), e.filePath());
            if (e.offset() == 0) {
                LoadedImage image = new LoadedImage(e);
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
    long bias(List<ProgramHeader> programHeaders) {
        for (ProgramHeader p : programHeaders) {
            if (p.isLoad()) {
                return base.start() - (p.vaddr() & -PAGE);
            }
        }
        throw new IllegalStateException(path() + " has no PT_LOAD segment");
    }

    /**
     * Opens the mapped file: by its path when the kernel still shows it linked there, else through
     * {@code /proc/self/map_files} (which needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE); null when
     * neither works.
     */
    ElfFile openFile() {
        if (!base.deleted()) {
            try {
                return ElfFile.open(Path.of(path()));
            } catch (IOException | RuntimeException e) {
                // Fall through: the path may belong to another mount namespace.
            }
        }
        try {
            return ElfFile.open(Path.of("/proc/self/map_files",
                    Long.toHexString(base.start()) + "-" + Long.toHexString(base.end())));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The ELF header and program headers as loaded, read from the image's first mapping. */
    ElfFile headersFromMemory() throws IOException {
        int length = (int) Math.min(base.size(), HEADER_BYTES);
        return ElfFile.parse(SelfMemory.read(base.start(), length), path() + " (in memory)");
    }

    /** The program headers, from the file if it can be opened, else from memory. */
    List<ProgramHeader> programHeaders() throws IOException {
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
