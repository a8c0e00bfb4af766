package dev.jpoline.api.consts;

/** How constants print, after strace's {@code -X} option. */
public enum XlatStyle {
    /** Numbers only: {@code 0x80000}. */
    RAW,
    /** Names only, numbers for what has no name (strace's default): {@code O_RDONLY|O_CLOEXEC}. */
    ABBREV,
    /** The number with the names in a comment: {@code 0x80000 /* O_RDONLY|O_CLOEXEC *}{@code /}. */
    VERBOSE
}
