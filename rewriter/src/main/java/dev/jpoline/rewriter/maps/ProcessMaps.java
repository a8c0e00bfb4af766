package dev.jpoline.rewriter.maps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The memory map of a process, as read from {@code /proc/PID/maps}.
 *
 * <p>Entries keep the kernel's order, which is ascending by address; lookups rely on it.
 */
public final class ProcessMaps {
    private final long pid;
    private final List<MapsEntry> entries;

    private ProcessMaps(long pid, List<MapsEntry> entries) {
        this.pid = pid;
        this.entries = entries;
    }

    /** Reads the map of process {@code pid}; the IOException names the pid when it is gone or unreadable. */
    public static ProcessMaps read(long pid) throws IOException {
        return read(pid, Path.of("/proc", Long.toString(pid), "maps"));
    }

    /** Reads the map of this JVM. */
    public static ProcessMaps readSelf() throws IOException {
        return read(ProcessHandle.current().pid(), Path.of("/proc/self/maps"));
    }

    private static ProcessMaps read(long pid, Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("process " + pid + " is gone: " + file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read " + file + ": permission denied (process " + pid
                    + " belongs to another user or ptrace access is restricted)", e);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + " of process " + pid + ": " + e.getMessage(), e);
        }
        // Paths are bytes to the kernel; lenient UTF-8 keeps a bad name from failing the whole read.
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<MapsEntry> entries;
        try {
            entries = parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " of process " + pid + ": " + e.getMessage(), e);
        }
        if (entries.isEmpty()) {
            throw new IOException("process " + pid + " has no mappings in " + file
                    + " (it exited, is a zombie, or is a kernel thread)");
        }
        return new ProcessMaps(pid, entries);
    }

    /**
     * Wraps already parsed entries, e.g. from {@link #parse(CharSequence)} on literal text; pid may
     * be -1. The entries must be ascending and disjoint, as the kernel prints them.
     */
    public static ProcessMaps of(long pid, List<MapsEntry> entries) {
        for (int i = 1; i < entries.size(); i++) {
            if (Long.compareUnsigned(entries.get(i - 1).end(), entries.get(i).start()) > 0) {
                throw new IllegalArgumentException("maps entries must be ascending and disjoint, but entry " + i
                        + " (" + entries.get(i) + ") starts before the previous one ends");
            }
        }
        return new ProcessMaps(pid, List.copyOf(entries));
    }

    /** Parses the whole text of a maps file, one entry per non-empty line. */
    public static List<MapsEntry> parse(CharSequence text) {
        List<MapsEntry> out = new ArrayList<>();
        int lineNo = 0;
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int eol = pos;
            while (eol < n && text.charAt(eol) != '\n') {
                eol++;
            }
            lineNo++;
            if (eol > pos) {
                out.add(parseLine(text, pos, eol, lineNo));
            }
            pos = eol + 1;
        }
        return Collections.unmodifiableList(out);
    }

    /** Parses one maps line (without its newline). */
    public static MapsEntry parseLine(CharSequence line) {
        return parseLine(line, 0, line.length(), 1);
    }

    private static MapsEntry parseLine(CharSequence s, int from, int to, int lineNo) {
        // Layout: start-end perms offset major:minor inode [padding path]
        // The fixed fields are separated by exactly one space; the path, if any, follows padding.
        Cursor c = new Cursor(s, from, to, lineNo);
        long start = c.hex('-');
        long end = c.hex(' ');
        String perms = c.word(' ');
        long offset = c.hex(' ');
        int major = (int) c.hex(':');
        int minor = (int) c.hex(' ');
        long inode = c.decimal();
        c.skipSpaces();
        // A path that itself starts with spaces is indistinguishable from padding: the kernel format
        // is ambiguous there, and such leading spaces are lost.
        String path = s.subSequence(c.pos, to).toString();
        try {
            return new MapsEntry(start, end, perms, offset, major, minor, inode, path);
        } catch (IllegalArgumentException e) {
            throw c.malformed(e.getMessage());
        }
    }

    /** The pid this map belongs to, or -1 when it was built from text. */
    public long pid() {
        return pid;
    }

    public List<MapsEntry> entries() {
        return entries;
    }

    /** The entry whose range holds {@code address}, or null; binary search over the sorted entries. */
    public MapsEntry entryContaining(long address) {
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            MapsEntry e = entries.get(mid);
            if (Long.compareUnsigned(address, e.start()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(address, e.end()) >= 0) {
                lo = mid + 1;
            } else {
                return e;
            }
        }
        return null;
    }

    /** Entries that map the file {@code filePath} (compared without any {@code " (deleted)"} suffix). */
    public List<MapsEntry> entriesForFile(String filePath) {
        List<MapsEntry> out = new ArrayList<>();
        for (MapsEntry e : entries) {
            if (e.fileBacked() && e.filePath().equals(filePath)) {
                out.add(e);
            }
        }
        return out;
    }

    /** File-backed entries mapped executable: the code a rewrite must consider. */
    public List<MapsEntry> executableFileEntries() {
        List<MapsEntry> out = new ArrayList<>();
        for (MapsEntry e : entries) {
            if (e.executable() && e.fileBacked()) {
                out.add(e);
            }
        }
        return out;
    }

    /** Reads fields left to right through one line, reporting the line on any mismatch. */
    private static final class Cursor {
        private final CharSequence s;
        private final int lineStart;
        private final int end;
        private final int lineNo;
        int pos;

        Cursor(CharSequence s, int from, int to, int lineNo) {
            this.s = s;
            this.lineStart = from;
            this.pos = from;
            this.end = to;
            this.lineNo = lineNo;
        }

        long hex(char terminator) {
            int begin = pos;
            long v = 0;
            while (pos < end && s.charAt(pos) != terminator) {
                int d = Character.digit(s.charAt(pos), 16);
                if (d < 0 || pos - begin >= 16) {
                    throw malformed("bad hexadecimal number");
                }
                v = (v << 4) | d;
                pos++;
            }
            if (pos == begin || pos == end) {
                throw malformed("expected a hexadecimal number followed by '" + terminator + "'");
            }
            pos++;
            return v;
        }

        long decimal() {
            int begin = pos;
            long v = 0;
            while (pos < end && s.charAt(pos) != ' ') {
                char ch = s.charAt(pos);
                if (ch < '0' || ch > '9' || pos - begin >= 20) {
                    throw malformed("bad inode number");
                }
                v = v * 10 + (ch - '0'); // unsigned 64-bit, as the kernel prints it
                pos++;
            }
            if (pos == begin) {
                throw malformed("missing inode");
            }
            return v;
        }

        String word(char terminator) {
            int begin = pos;
            while (pos < end && s.charAt(pos) != terminator) {
                pos++;
            }
            if (pos == end) {
                throw malformed("line ends early");
            }
            return s.subSequence(begin, pos++).toString();
        }

        void skipSpaces() {
            while (pos < end && s.charAt(pos) == ' ') {
                pos++;
            }
        }

        IllegalArgumentException malformed(String why) {
            return new IllegalArgumentException("maps line " + lineNo + " is malformed (" + why + "): '"
                    + s.subSequence(lineStart, end) + "'");
        }
    }
}
