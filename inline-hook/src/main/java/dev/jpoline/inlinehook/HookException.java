package dev.jpoline.inlinehook;

/**
 * Why a hook could not be made or changed. A refused hook writes nothing: the target's bytes are
 * as they were. The message names the function, the address, the instruction at fault and what
 * to do; {@link #reason()} is for code.
 */
public final class HookException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The kinds of refusal, stable for code that reacts to them. */
    public enum Reason {
        /** The function ends before a jump fits (5 bytes with a relay slot nearby, else 14). */
        PROLOGUE_TOO_SHORT,
        /** Code elsewhere in the function branches into the bytes the jump would replace. */
        BRANCH_INTO_PROLOGUE,
        /** The target already has a hook in this registry (or the bytes are another hook's jump). */
        ALREADY_HOOKED,
        /** The address is not in executable memory, or its bytes do not decode as instructions. */
        NOT_CODE,
        /** An instruction in the stolen bytes cannot be moved (a RIP-relative operand out of reach, a far-pointer form). */
        UNRELOCATABLE,
        /** The function's extent is unknown (no ELF symbol nor unwind entry covers it): refused rather than guessed. */
        SIZE_UNKNOWN,
        /** A thread did not park for the freeze in time (it blocks the freeze signal, or is stopped). */
        FREEZE_TIMEOUT,
        /** The library or symbol could not be found in this process. */
        SYMBOL_NOT_FOUND,
        /** The hook was closed; it can no longer be used. */
        CLOSED,
        /** A patch's code would start or end inside an instruction; the message names the one it cuts. */
        INSTRUCTION_BOUNDARY,
        /** A thread stayed parked at, or will return to, a point inside the bytes to replace that the new bytes cut. */
        CODE_IN_USE,
        /** The operating system refused a step (memory, signals, /proc); the message has its error. */
        SYSTEM
    }

    private final Reason reason;

    public HookException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public HookException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
