package dev.jpoline.rewriter.plan;

/**
 * A syscall-looking instruction the sweep found but did not trust, so a plan never rewrites it.
 *
 * @param fileOffset offset of its first byte in the file
 * @param reason why it is not trusted, as the scanner put it
 */
public record SuspiciousFileSite(long fileOffset, String reason) {}
