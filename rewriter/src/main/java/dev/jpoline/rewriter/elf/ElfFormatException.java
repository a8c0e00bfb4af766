package dev.jpoline.rewriter.elf;

import java.io.IOException;

/** The bytes are not a well-formed ELF64 little-endian x86-64 file; the message says what is wrong. */
public final class ElfFormatException extends IOException {
    public ElfFormatException(String message) {
        super(message);
    }
}
