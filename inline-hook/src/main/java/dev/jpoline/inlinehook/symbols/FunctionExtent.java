package dev.jpoline.inlinehook.symbols;

/**
 * Where one function lies in this process.
 *
 * @param start run-time address of its first byte
 * @param end run-time address one past its last byte
 * @param name its symbol name, or null when the extent comes from unwind information (no symbol covers it)
 * @param file the mapped file, as {@code /proc/self/maps} shows its path
 * @param fileOffsetStart the file offset of {@code start}, or -1 when it lies in no file-backed part of a segment
 */
public record FunctionExtent(long start, long end, String name, String file, long fileOffsetStart) {
    public long size() {
        return end - start;
    }

    public boolean contains(long address) {
        return address >= start && address < end;
    }

    @Override
    public String toString() {
        return String.format("%s [0x%x, 0x%x) in %s", name == null ? "<unnamed>" : name, start, end, file);
    }
}
