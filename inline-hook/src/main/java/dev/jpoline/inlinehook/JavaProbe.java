package dev.jpoline.inlinehook;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JNA callback behind a Java probe: the runtime's probe gate calls it with the probed
 * address and the saved context. An exception from the user's callback must not unwind into the
 * stub (JNA would print it and return anyway): it is counted, handed to the thread's uncaught
 * exception handler, and the thread goes on with the context as the callback left it.
 */
final class JavaProbe implements Callback {
    private final InstructionCallback callback;
    private final AtomicLong failures = new AtomicLong();

    JavaProbe(InstructionCallback callback) {
        this.callback = callback;
    }

    public void invoke(long address, Pointer context) {
        HookContext c = new HookContext(context);
        try {
            callback.onHit(address, c);
        } catch (Throwable t) {
            failures.incrementAndGet();
            Thread thread = Thread.currentThread();
            try {
                thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
            } catch (Throwable ignored) {
                // The handler's own failure must not reach the stub either.
            }
        } finally {
            c.end();
        }
    }

    long failures() {
        return failures.get();
    }
}
