package dev.jpoline.host;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * futex(2) on a word of shared memory. No FUTEX_PRIVATE_FLAG: the words live in the session
 * file, mapped by several processes.
 */
final class Futex {
    private static final long SYS_FUTEX = 202;
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    private static final Function SYSCALL = NativeLibrary.getInstance("c").getFunction("syscall");

    private Futex() {}

    /**
     * Sleeps while the word at {@code address} still holds {@code expected}, at most
     * {@code timeoutNanos}. Spurious and early returns are normal: callers re-check the word.
     */
    static void await(long address, int expected, long timeoutNanos) {
        Memory timespec = new Memory(16);
        timespec.setLong(0, timeoutNanos / 1_000_000_000L);
        timespec.setLong(8, timeoutNanos % 1_000_000_000L);
        SYSCALL.invokeLong(new Object[] {SYS_FUTEX, new Pointer(address), FUTEX_WAIT, expected, timespec, null, 0});
    }

    /** Wakes every waiter on the word at {@code address}. */
    static void wakeAll(long address) {
        SYSCALL.invokeLong(new Object[] {SYS_FUTEX, new Pointer(address), FUTEX_WAKE, Integer.MAX_VALUE, null, null, 0});
    }
}
