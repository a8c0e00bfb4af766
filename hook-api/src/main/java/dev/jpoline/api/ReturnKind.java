package dev.jpoline.api;

/** How a syscall's successful return value reads. */
public enum ReturnKind {
    /** A signed decimal number (a count, an id, 0 for success). */
    DECIMAL,
    /** An address or opaque word, read in hexadecimal (mmap, brk, mremap, shmat). */
    HEX,
    /** An octal number (umask). */
    OCTAL,
    /** A new file descriptor (open, socket, dup, ...): tracers may annotate it with its path. */
    FD,
    /** The syscall does not return to the caller (exit, exit_group); strace prints "?". */
    NONE
}
