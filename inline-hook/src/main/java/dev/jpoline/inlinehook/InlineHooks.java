package dev.jpoline.inlinehook;

/** Entry point of the inline-hook engine in this process. */
public final class InlineHooks {
    private static final HookRegistry GLOBAL = new HookRegistry();

    private InlineHooks() {}

    /** The process-wide, thread-safe registry. */
    public static HookRegistry global() {
        return GLOBAL;
    }
}
