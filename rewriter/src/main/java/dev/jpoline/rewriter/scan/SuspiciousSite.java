package dev.jpoline.rewriter.scan;

/**
 * A syscall-looking instruction that the linear sweep found but does not trust, with why.
 *
 * @param offset offset of the instruction's first byte, relative to the start of the scanned range
 * @param reason a short human-readable reason ("follows an invalid decode at +0x1234", "inside .rodata")
 */
public record SuspiciousSite(int offset, String reason) {}
