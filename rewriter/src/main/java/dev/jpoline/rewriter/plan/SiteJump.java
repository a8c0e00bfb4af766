package dev.jpoline.rewriter.plan;

/**
 * One site a process under Syscall User Dispatch may have jump-patched, at its addresses in that
 * process: the {@code syscall} at {@code site} becomes {@code jmp rel8} to {@code hop}, whose
 * five bytes, {@code hopOriginal} as the file holds them, become {@code jmp rel32} to the site's
 * trampoline (docs/sud.md, "Jump-patched sites").
 */
public record SiteJump(long site, long hop, byte[] hopOriginal) {}
