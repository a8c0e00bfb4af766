package dev.jpoline.inlinehook;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code src/test/c/hook_targets.c} built with gcc at one optimization level (or, for
 * {@link #probes()}, {@code probe_targets.c}) (with or without
 * endbr64) into a shared library, loaded into this JVM. Each level is a separate file, so the
 * same function name is a separate function per level; -Bsymbolic binds each library's
 * references to its own definitions (JNA loads them RTLD_GLOBAL, so otherwise the first one
 * loaded would interpose its T_orig pointers and helpers on the others).
 */
final class HookTargets {
    static final Path MODULE = Path.of(System.getProperty("user.dir"));
    private static final Path SOURCE = MODULE.resolve("src/test/c/hook_targets.c");
    private static final Path OUT = MODULE.resolve("target/native-tests");
    private static final ConcurrentHashMap<String, HookTargets> BUILT = new ConcurrentHashMap<>();

    /** The levels the fuzz test covers: gcc -O0 to -O3, and -O2 with endbr64 at every entry. */
    static final List<String> LEVELS = List.of("O0", "O1", "O2", "O3", "O2-cet");

    final String level;
    final Path path;
    final NativeLibrary library;

    private HookTargets(String level, Path path) {
        this.level = level;
        this.path = path;
        this.library = NativeLibrary.getInstance(path.toString());
    }

    static HookTargets at(String level) {
        return BUILT.computeIfAbsent(level, HookTargets::build);
    }

    /** The probe and patch targets (hand-written assembly, so one level is enough). */
    static HookTargets probes() {
        return BUILT.computeIfAbsent("probes", l -> {
            Path lib = OUT.resolve("libprobe_targets.so");
            return new HookTargets(l, SharedLibraryBuild.compile(MODULE.resolve("src/test/c/probe_targets.c"), lib,
                    List.of("-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-Wl,-Bsymbolic",
                            "-Wl,-soname," + lib.getFileName())));
        });
    }

    private static HookTargets build(String level) {
        Path lib = OUT.resolve("libhook_targets_" + level.replace('-', '_') + ".so");
        String opt = "-" + level.split("-")[0];
        return new HookTargets(level, SharedLibraryBuild.compile(SOURCE, lib, List.of(opt, "-Wall", "-Wextra", "-Werror",
                "-Wl,-Bsymbolic", "-Wl,-soname," + lib.getFileName(),
                level.endsWith("-cet") ? "-fcf-protection=full" : "-fcf-protection=none")));
    }

    long address(String symbol) {
        return Pointer.nativeValue(library.getFunction(symbol));
    }

    com.sun.jna.Function function(String symbol) {
        return library.getFunction(symbol);
    }

    /** Sets the function pointer {@code <target>_orig} that the C detours call. */
    void setOriginal(String target, long trampoline) {
        library.getGlobalVariableAddress(target + "_orig").setLong(0, trampoline);
    }

    /** Where the first five nops are in {@code code} (the probe targets mark their probe points so). */
    int fiveNops(byte[] code) {
        for (int i = 0; i + 5 <= code.length; i++) {
            boolean nops = true;
            for (int k = 0; k < 5; k++) {
                nops &= code[i + k] == (byte) 0x90;
            }
            if (nops) {
                return i;
            }
        }
        throw new AssertionError("no five nops in the code given");
    }

    byte[] bytes(long address, int length) {
        return new Pointer(address).getByteArray(0, length);
    }
}
