package dev.jpoline.rewriter.elf;

/**
 * One ELF64 section header, with its name resolved from the section-name string table.
 *
 * @param index position in the section header table
 * @param flags {@code sh_flags}: {@link #SHF_WRITE}, {@link #SHF_ALLOC}, {@link #SHF_EXECINSTR}, ...
 */
public record SectionHeader(
        int index, String name, int type, long flags, long addr, long offset, long size, int link, int info,
        long addralign, long entsize) {

    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_NOTE = 7;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_DYNSYM = 11;

    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;

    public boolean alloc() {
        return (flags & SHF_ALLOC) != 0;
    }

    public boolean executable() {
        return (flags & SHF_EXECINSTR) != 0;
    }

    public boolean writable() {
        return (flags & SHF_WRITE) != 0;
    }

    /** False for {@code SHT_NOBITS} (.bss, .tbss): such a section takes address space but no file bytes. */
    public boolean hasFileBytes() {
        return type != SHT_NOBITS && type != SHT_NULL;
    }
}
