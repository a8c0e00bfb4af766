package dev.jpoline.inlinehook.memory;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.jpoline.runtime.RuntimeLibrary;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The native runtime (libjpoline.so, extracted from the jar) bound through JNA, once per
 * interface of its entry points. Loading it into this JVM is harmless: without a session in the
 * environment its constructor does nothing.
 */
public final class RuntimeBinding {
    private static final ConcurrentHashMap<Class<?>, Library> BOUND = new ConcurrentHashMap<>();

    private RuntimeBinding() {
    }

    public static <T extends Library> T bind(Class<T> entryPoints) {
        return entryPoints.cast(BOUND.computeIfAbsent(entryPoints,
                c -> Native.load(RuntimeLibrary.bundled().extract().toString(), entryPoints)));
    }
}
