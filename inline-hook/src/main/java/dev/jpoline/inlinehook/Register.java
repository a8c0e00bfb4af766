package dev.jpoline.inlinehook;

/**
 * The registers an instrument probe saves, in the order of its context: a native callback gets
 * a pointer to 18 little-endian 8-byte words, word {@link #ordinal()} holding the register
 * ({@link #offset()} bytes in). {@code RIP} is the probed instruction's address; {@code RSP}
 * the stack pointer of the interrupted code.
 */
public enum Register {
    RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP, R8, R9, R10, R11, R12, R13, R14, R15, RIP, RFLAGS;

    /** Bytes of a saved context. */
    public static final int CONTEXT_SIZE = 8 * 18;

    /** Where this register is in a saved context. */
    public int offset() {
        return 8 * ordinal();
    }
}
