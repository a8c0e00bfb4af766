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
    int JPOLINE_ABI_VERSION = 2;

    int jpoline_abi_version();

    /** A syscall issued from the runtime's own text, which is never rewritten. */
    long jpoline_raw_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

    /** 1 when this process joined a session in its constructor. */
    int jpoline_session_joined();

    /** Size of the VA0 page image. */
    int VA0_SIZE = 4096;
    /** Tiers of the per-syscall table (jpoline.h, enum jpoline_tier). */
    int TIER_PASS = 0;
    int TIER_TRACE = 1;
    int TIER_HOOK = 2;
    int EPERM = 1;
    int EEXIST = 17;

    /**
     * Maps the sled page at address 0 in the calling process. Only for a target's own use:
     * never call it in the host JVM. Returns 0 or -errno; see {@link #va0InstallProblem(int)}.
     */
    int jpoline_va0_install();

    /** Writes the {@link #VA0_SIZE}-byte page image whose stubs jump to {@code entryAddress}. */
    void jpoline_va0_build(byte[] page, long entryAddress);

    long jpoline_entry_address();

    /** Registers rewritten {@code FF D0} sites (their addresses); 0 or -errno. */
    int jpoline_sites_add(long[] siteAddresses, long count);

    int jpoline_sites_contains(long siteAddress);

    long jpoline_sites_count();

    /** 0, or -EINVAL for a number outside the table or an unknown tier. */
    int jpoline_set_tier(int nr, int tier);

    int jpoline_get_tier(int nr);

    /** Syscalls that went through the entry on {@code tier}, process-wide. */
    long jpoline_entry_count(int tier);

    /** Counts PASS calls too (a locked add per syscall): for tests and diagnostics. */
    void jpoline_count_pass(int on);

    /** A one-line explanation, naming the fix, of a failed {@code jpoline_va0_install}. */
    static String va0InstallProblem(int result) {
        if (result == -EPERM) {
            return "cannot map page 0: vm.mmap_min_addr forbids it; run: sysctl -w vm.mmap_min_addr=0";
        }
        if (result == -EEXIST) {
            return "cannot map page 0: something in the target already maps address 0";
        }
        return "cannot map page 0: error " + (-result);
    }

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
