package dev.jpoline.inlinehook;

/**
 * Where a registry may write a 1-byte {@code int3} instead of a jump: the trap path reaches any
 * instruction (a function of 1 byte, an instruction a branch lands just after), but each hit
 * costs a SIGTRAP round trip (microseconds, against nanoseconds for a jump), so
 * {@link Hook#usesTrap()} tells which one a hook or probe got. The SIGTRAP handler is the native
 * runtime's; a trap that is not jpoline's goes to the program's own action.
 *
 * <p>A thread that has SIGTRAP blocked when it reaches the int3 kills the process (the kernel
 * forces the signal and resets it to its default): only put traps on code such threads do not
 * run (docs/inline-hooks.md).
 */
public enum TrapPolicy {
    /** Jumps only: where none fits, the refusal says why (PROLOGUE_TOO_SHORT, BRANCH_INTO_PROLOGUE, ...). */
    NEVER,
    /**
     * The default: probes get a trap where no jump fits, function hooks are refused there (a
     * hooked function is usually hot, and a trap per call is a cost to ask for, not to find).
     */
    PROBES_ONLY,
    /** A jump where one fits, a trap elsewhere, for probes and hooks. */
    FALLBACK,
    /** Always the trap: every byte but one of the code stays as it was. */
    ALWAYS
}
