package dev.jpoline.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;

/**
 * The runtime's exported functions, for a host that loads {@code libjpoline.so} into its own
 * process. Loading it is harmless: without a session in the environment its constructor does
 * nothing.
 */
public interface NativeRuntime extends Library {
    /** Layout version of everything the runtime shares with the host. */
    int JPOLINE_ABI_VERSION = 1;

    int jpoline_abi_version();

    /** A syscall issued from the runtime's own text, which is never rewritten. */
    long jpoline_raw_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

    /** 1 when this process joined a session in its constructor. */
    int jpoline_session_joined();

    static NativeRuntime load(Path library) {
        NativeRuntime runtime = Native.load(library.toAbsolutePath().toString(), NativeRuntime.class);
        int abi = runtime.jpoline_abi_version();
        if (abi != JPOLINE_ABI_VERSION) {
            throw new IllegalStateException("native runtime " + library + " speaks ABI " + abi
                    + " but this host speaks " + JPOLINE_ABI_VERSION + "; rebuild with: mvn -DskipTests package");
        }
        return runtime;
    }
}
