package dev.jpoline.api.hooks;

/** A read or write of target memory failed: the range is not mapped, or not accessible so. */
public class TargetMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TargetMemoryException(String message) {
        super(message);
    }

    public TargetMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
