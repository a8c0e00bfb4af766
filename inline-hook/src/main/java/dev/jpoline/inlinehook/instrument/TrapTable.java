package dev.jpoline.inlinehook.instrument;

import com.sun.jna.Library;
import dev.jpoline.inlinehook.HookException;
import dev.jpoline.inlinehook.memory.RuntimeBinding;

/**
 * The runtime's table of trap probes and trap hooks (hook_trap.c): where a thread that runs the
 * int3 at an address goes on. Set an entry before the int3 is written; an address, once set,
 * stays in the table for the life of the process (a closed probe's entry says "closed", so a
 * late trap there re-runs the restored instruction instead of reaching the program's handler).
 * Callers hold the engine lock: the table has one writer.
 */
public final class TrapTable {
    interface TrapNative extends Library {
        int jpoline_trap_install();

        int jpoline_trap_set(long address, long resume);

        int jpoline_trap_installed();
    }

    private TrapTable() {
    }

    /** Installs the SIGTRAP handler, or puts it back over one the program installed since (which it chains to). */
    public static void install() {
        int rc = runtime().jpoline_trap_install();
        if (rc != 0) {
            throw new HookException(HookException.Reason.SYSTEM,
                    "cannot install the SIGTRAP handler for trap probes: rt_sigaction failed with errno " + -rc);
        }
    }

    /** Traps at {@code address} go on at {@code resume}. */
    public static void set(long address, long resume) {
        int rc = runtime().jpoline_trap_set(address, resume);
        if (rc != 0) {
            throw new HookException(HookException.Reason.SYSTEM, "cannot add a trap at 0x" + Long.toHexString(address)
                    + ": the runtime's trap table is full (3072 addresses per process have had a trap)");
        }
    }

    /** Traps at {@code address} are closed: a late one re-runs the instruction now there. */
    public static void close(long address) {
        runtime().jpoline_trap_set(address, 0);
    }

    /** Whether the kernel's SIGTRAP action is still the runtime's. */
    public static boolean handlerInstalled() {
        return runtime().jpoline_trap_installed() != 0;
    }

    private static TrapNative runtime() {
        return RuntimeBinding.bind(TrapNative.class);
    }
}
