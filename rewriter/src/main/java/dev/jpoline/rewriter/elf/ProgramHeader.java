package dev.jpoline.rewriter.elf;

/**
 * One ELF64 program header (segment).
 *
 * @param index position in the program header table
 * @param type {@code p_type}, e.g. {@link #PT_LOAD}
 * @param flags {@code p_flags}: {@link #PF_R}, {@link #PF_W}, {@link #PF_X}
 */
public record ProgramHeader(
        int index, int type, int flags, long offset, long vaddr, long paddr, long filesz, long memsz, long align) {

    public static final int PT_NULL = 0;
    public static final int PT_LOAD = 1;
    public static final int PT_DYNAMIC = 2;
    public static final int PT_INTERP = 3;
    public static final int PT_NOTE = 4;
    public static final int PT_SHLIB = 5;
    public static final int PT_PHDR = 6;
    public static final int PT_TLS = 7;
    public static final int PT_GNU_EH_FRAME = 0x6474e550;
    public static final int PT_GNU_STACK = 0x6474e551;
    public static final int PT_GNU_RELRO = 0x6474e552;
    public static final int PT_GNU_PROPERTY = 0x6474e553;

    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;

    public boolean isLoad() {
        return type == PT_LOAD;
    }

    public boolean executable() {
        return (flags & PF_X) != 0;
    }

    public boolean writable() {
        return (flags & PF_W) != 0;
    }

    public boolean readable() {
        return (flags & PF_R) != 0;
    }

    /** True for a loadable segment mapped executable: the code a rewrite sweeps. */
    public boolean isExecutableLoad() {
        return isLoad() && executable();
    }

    /** The type as readelf names it ({@code LOAD}, {@code GNU_STACK}, ...), or hex for unknown types. */
    public String typeName() {
        switch (type) {
            case PT_NULL: return "NULL";
            case PT_LOAD: return "LOAD";
            case PT_DYNAMIC: return "DYNAMIC";
            case PT_INTERP: return "INTERP";
            case PT_NOTE: return "NOTE";
            case PT_SHLIB: return "SHLIB";
            case PT_PHDR: return "PHDR";
            case PT_TLS: return "TLS";
            case PT_GNU_EH_FRAME: return "GNU_EH_FRAME";
            case PT_GNU_STACK: return "GNU_STACK";
            case PT_GNU_RELRO: return "GNU_RELRO";
            case PT_GNU_PROPERTY: return "GNU_PROPERTY";
            default: return "0x" + Integer.toHexString(type);
        }
    }
}
