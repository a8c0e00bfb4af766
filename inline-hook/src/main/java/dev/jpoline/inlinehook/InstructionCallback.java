package dev.jpoline.inlinehook;

/**
 * What an instrument probe runs each time a thread reaches its instruction, on that thread,
 * before the instruction (see {@link HookRegistry#instrument(long, InstructionCallback)}). It
 * runs only on threads the JVM knows, and not inside itself on the same thread; other hits go on
 * as if it had changed nothing ({@link Hook#skippedHits()} counts them). The context is valid
 * only during the call.
 */
@FunctionalInterface
public interface InstructionCallback {
    void onHit(long address, HookContext context);
}
