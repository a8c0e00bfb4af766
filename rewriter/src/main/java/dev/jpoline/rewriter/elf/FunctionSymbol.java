package dev.jpoline.rewriter.elf;

/**
 * A defined function symbol ({@code STT_FUNC} or {@code STT_GNU_IFUNC}).
 *
 * @param name the symbol name, without any version suffix
 * @param value the function's virtual address as linked (add the load bias for a running process)
 * @param size its size in bytes; 0 when the object file did not record one
 */
public record FunctionSymbol(String name, long value, long size) {
    public boolean contains(long address) {
        return address >= value && address - value < size;
    }
}
