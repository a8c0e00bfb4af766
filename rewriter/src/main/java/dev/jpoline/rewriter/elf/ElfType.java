package dev.jpoline.rewriter.elf;

/** {@code e_type}: what kind of object an ELF file is. */
public enum ElfType {
    NONE, REL, EXEC, DYN, CORE, OTHER;

    static ElfType of(int eType) {
        switch (eType) {
            case 0: return NONE;
            case 1: return REL;
            case 2: return EXEC;
            case 3: return DYN;
            case 4: return CORE;
            default: return OTHER;
        }
    }
}
