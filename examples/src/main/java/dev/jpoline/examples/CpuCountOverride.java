package dev.jpoline.examples;

import com.sun.jna.Callback;
import com.sun.jna.Function;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.Hook;
import dev.jpoline.inlinehook.InlineHooks;

/**
 * Hooks a function of a JNI library: the JDK's own {@code libjava.so} implements
 * {@code Runtime.availableProcessors()} as the JNI function
 * {@code Java_java_lang_Runtime_availableProcessors}. A Java detour makes the JVM report a
 * chosen processor count (what a container limit would), while the original stays callable
 * through the trampoline.
 *
 * <p>Run: {@code java -cp examples.jar:jpoline.jar dev.jpoline.examples.CpuCountOverride 64}
 */
public final class CpuCountOverride implements AutoCloseable {
    static final String LIBRARY = "libjava.so";
    static final String FUNCTION = "Java_java_lang_Runtime_availableProcessors";

    /** jint Java_java_lang_Runtime_availableProcessors(JNIEnv *env, jobject this) */
    public interface AvailableProcessors extends Callback {
        int invoke(Pointer env, Pointer runtime);
    }

    private final Hook hook;
    private final Function original;
    private final AvailableProcessors detour;
    private volatile int count;

    public CpuCountOverride(int count) {
        this.count = count;
        // The JDK resolves native methods lazily: call it once so libjava's function is the one bound.
        Runtime.getRuntime().availableProcessors();
        this.detour = (env, runtime) -> this.count;
        this.hook = InlineHooks.global().createBySymbol(LIBRARY, FUNCTION, detour);
        this.original = Function.getFunction(new Pointer(hook.trampoline()));
        hook.enable();
    }

    /** What the JVM would say without the hook: the original, called through the trampoline. */
    public int realCount() {
        return original.invokeInt(new Object[] {Pointer.NULL, Pointer.NULL});
    }

    public void set(int newCount) {
        count = newCount;
    }

    @Override
    public void close() {
        hook.close();
    }

    public static void main(String[] args) {
        int wanted = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        System.out.println("before: " + Runtime.getRuntime().availableProcessors());
        try (CpuCountOverride override = new CpuCountOverride(wanted)) {
            System.out.println("hooked: " + Runtime.getRuntime().availableProcessors() + " (real "
                    + override.realCount() + ")");
        }
        System.out.println("after: " + Runtime.getRuntime().availableProcessors());
    }
}
