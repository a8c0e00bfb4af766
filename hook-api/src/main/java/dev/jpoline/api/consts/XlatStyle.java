package dev.jpoline.api.consts;

/** How constants print, after strace's {@code -X} option. */
public enum XlatStyle {
    /** Numbers only: {@code 0x80000}. */
    RAW,
    /** Names only, numbers for what has no name (strace's default): {@code O_RDONLY|O_CLOEXEC}. */
    ABBREV,
    /** The number with the names in a comment: {@code 0x80000 /* O_RDONLY|O_CLOEXEC *}{@code /}. */
    VERBOSE;

    /** A value in this style, from its number's text and its symbolic text. */
    public String show(String number, String symbolic) {
        return switch (this) {
            case RAW -> number;
            case ABBREV -> symbolic;
            case VERBOSE -> number + " /* " + symbolic + " */";
        };
    }
}
