package dev.jpoline.inlinehook.patch;

/** Code could not be read or written, or did not hold the bytes a plan expected. */
public class PatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PatchException(String message) {
        super(message);
    }

    public PatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
