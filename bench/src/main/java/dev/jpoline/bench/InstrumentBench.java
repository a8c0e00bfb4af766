package dev.jpoline.bench;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.Hook;
import dev.jpoline.inlinehook.HookRegistry;
import dev.jpoline.inlinehook.Register;
import dev.jpoline.inlinehook.SavedState;
import dev.jpoline.inlinehook.TrapPolicy;
import dev.jpoline.inlinehook.instrument.XState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An instrument probe's cost per hit, all in one run: the probed function uninstrumented, with a
 * probe on the jump path and on the trap path, each with a native callback that does nothing and
 * with a Java callback, against the bare SIGTRAP round trip (an int3 whose handler only returns)
 * measured by the same native library; the jump path also with the lighter saved states
 * ({@link SavedState}). Goals: jump path with a native callback at most 30 ns over
 * the uninstrumented call; trap path at most twice the bare round trip.
 *
 * <p>Run: {@code bench/run-main InstrumentBench} from the repository root.
 */
public final class InstrumentBench {
    private static final long CALLS = 5_000_000;
    private static final long TRAPS = 200_000;
    private static final long JAVA_CALLS = 200_000;
    private static final int ROUNDS = 5;

    public static void main(String[] args) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        Path lib = root.resolve("bench/target/libinline_bench.so");
        Files.createDirectories(lib.getParent());
        Commands.run(List.of("gcc", "-O2", "-shared", "-fPIC", "-fcf-protection=none", "-o", lib.toString(),
                root.resolve("bench/src/main/c/inline_bench.c").toString()), Map.of(), Commands.Stderr.INHERIT, 120);
        NativeLibrary bench = NativeLibrary.getInstance(lib.toString());
        Function calls = bench.getFunction("bench_calls");
        long site = Pointer.nativeValue(bench.getFunction("probe_site"));
        long add = site + 3; // after mov rax, rdi
        long callback = Pointer.nativeValue(bench.getFunction("null_callback"));

        double raw = perCall(calls, site, CALLS);
        double floor = bench.getFunction("bench_trap_round_trips").invokeLong(new Object[] {TRAPS, ROUNDS});
        HookRegistry jumps = new HookRegistry();
        HookRegistry traps = new HookRegistry();
        traps.setTrapPolicy(TrapPolicy.ALWAYS);
        double jumpNative = probed(jumps.instrument(add, callback), calls, site, CALLS, false);
        HookRegistry sse = new HookRegistry();
        sse.setNativeProbeState(SavedState.SSE);
        double jumpSse = probed(sse.instrument(add, callback), calls, site, CALLS, false);
        HookRegistry general = new HookRegistry();
        general.setNativeProbeState(SavedState.GENERAL_ONLY);
        double jumpGeneral = probed(general.instrument(add, callback), calls, site, CALLS, false);
        double trapNative = probed(traps.instrument(add, callback), calls, site, TRAPS, true);
        double jumpJava = probed(jumps.instrument(add, (a, c) -> c.get(Register.RAX)), calls, site, JAVA_CALLS, false);
        double trapJava = probed(traps.instrument(add, (a, c) -> c.get(Register.RAX)), calls, site, TRAPS / 2, true);

        System.out.printf("per hit (best of %d rounds, ns; extended state: %s):%n", ROUNDS, XState.cpu().describe());
        System.out.printf("  uninstrumented call                 %8.2f%n", raw);
        System.out.printf("  jump path, native callback, ALL     %8.2f   +%.2f ns (goal <= 30)%n", jumpNative,
                jumpNative - raw);
        System.out.printf("  jump path, native callback, SSE     %8.2f   +%.2f ns (goal <= 30)%n", jumpSse, jumpSse - raw);
        System.out.printf("  jump path, native, GENERAL_ONLY     %8.2f   +%.2f ns (goal <= 30)%n", jumpGeneral,
                jumpGeneral - raw);
        System.out.printf("  bare SIGTRAP round trip             %8.2f%n", floor);
        System.out.printf("  trap path, native callback          %8.2f   %.2fx the round trip (goal <= 2x)%n", trapNative,
                (trapNative - raw) / floor);
        System.out.printf("  jump path, Java callback            %8.2f%n", jumpJava);
        System.out.printf("  trap path, Java callback            %8.2f%n", trapJava);
    }

    private static double probed(Hook probe, Function calls, long site, long n, boolean trap) {
        if (probe.usesTrap() != trap) {
            throw new IllegalStateException(probe + " took the " + (probe.usesTrap() ? "trap" : "jump") + " path");
        }
        try (probe) {
            probe.enable();
            return perCall(calls, site, n);
        }
    }

    private static double perCall(Function calls, long fn, long n) {
        long ns = calls.invokeLong(new Object[] {new Pointer(fn), n, ROUNDS});
        return (double) ns / n;
    }
}
