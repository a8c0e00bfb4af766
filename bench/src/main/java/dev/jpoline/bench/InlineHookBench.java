package dev.jpoline.bench;

import com.sun.jna.Callback;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.Hook;
import dev.jpoline.inlinehook.HookRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The inline-hook engine's costs, all measured in one run: per call unhooked, with a native
 * detour (same body as the target: the difference is the hook's jumps), a native detour that
 * calls the original through the trampoline, the trampoline itself against a copy of the
 * target, and a Java detour; enable+disable with 1, 16 and 128 other threads in the process;
 * applyQueued of 100 hooks against 100 single enables.
 *
 * <p>Run: {@code bench/run-main InlineHookBench} from the repository root.
 */
public final class InlineHookBench {
    private static final long CALLS = 20_000_000;
    private static final int ROUNDS = 7;

    public interface L1 extends Callback {
        long invoke(long x);
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        boolean batchOnly = args.length > 0 && args[0].equals("batch");
        Path lib = root.resolve("bench/target/libinline_bench.so");
        Files.createDirectories(lib.getParent());
        run(List.of("gcc", "-O2", "-shared", "-fPIC", "-fcf-protection=none", "-o", lib.toString(),
                root.resolve("bench/src/main/c/inline_bench.c").toString()));
        NativeLibrary bench = NativeLibrary.getInstance(lib.toString());
        Function calls = bench.getFunction("bench_calls");
        long target = address(bench, "bench_target");
        HookRegistry registry = new HookRegistry();

        if (batchOnly) {
            batch(bench, registry);
            return;
        }
        double unhooked = perCall(calls, target, CALLS);
        double copy = perCall(calls, address(bench, "bench_copy"), CALLS);
        Hook hook = registry.create(target, address(bench, "bench_detour"));
        hook.enable();
        double detour = perCall(calls, target, CALLS);
        double trampoline = perCall(calls, hook.trampoline(), CALLS);
        int jump = hook.patchLength();
        hook.close();
        Hook calling = registry.create(target, address(bench, "bench_detour_calling_original"));
        bench.getGlobalVariableAddress("bench_original").setLong(0, calling.trampoline());
        calling.enable();
        double detourAndOriginal = perCall(calls, target, CALLS);
        calling.close();
        Function[] original = new Function[1];
        L1 javaDetour = x -> original[0].invokeLong(new Object[] {x});
        Hook java = registry.create(target, javaDetour);
        original[0] = Function.getFunction(new Pointer(java.trampoline()));
        java.enable();
        double javaCall = perCall(calls, target, 200_000);
        java.close();

        System.out.printf("per call (best of %d rounds of %,d calls, ns):%n", ROUNDS, CALLS);
        System.out.printf("  unhooked target                 %7.2f%n", unhooked);
        System.out.printf("  native detour (same body)       %7.2f   +%.2f ns over unhooked (goal <= 2)%n", detour,
                detour - unhooked);
        System.out.printf("  trampoline vs a copy            %7.2f   +%.2f ns over the copy %.2f (goal <= 2)%n",
                trampoline, trampoline - copy, copy);
        System.out.printf("  detour calling the original     %7.2f   +%.2f ns over unhooked%n", detourAndOriginal,
                detourAndOriginal - unhooked);
        System.out.printf("  Java detour calling the original %6.0f   (JNA callback and call)%n", javaCall);
        System.out.printf("patch jump: %d bytes%n", jump);

        for (int threads : new int[] {1, 16, 128}) {
            int started = bench.getFunction("bench_idle_threads").invokeInt(new Object[] {threads});
            Hook h = registry.create(target, address(bench, "bench_detour"));
            long[] enable = new long[41];
            long[] freeze = new long[enable.length];
            for (int i = 0; i < enable.length; i++) {
                long t0 = System.nanoTime();
                h.enable();
                enable[i] = System.nanoTime() - t0;
                freeze[i] = registry.stats().lastFreezeNanos();
                h.disable();
            }
            h.close();
            bench.getFunction("bench_idle_stop").invokeVoid(new Object[0]);
            System.out.printf("enable with %3d idle threads (%d started): median %.3f ms, p90 %.3f ms;"
                    + " freeze itself median %.3f ms (goal <= 5 ms at 128)%n", threads, started, median(enable) / 1e6,
                    percentile(enable, 0.9) / 1e6, median(freeze) / 1e6);
        }

        batch(bench, registry);
    }

    /** applyQueued of 100 hooks against 100 single enables. */
    private static void batch(NativeLibrary bench, HookRegistry registry) {
        List<Hook> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(registry.create(address(bench, "bench_f" + i), address(bench, "bench_detour")));
        }
        long[] singles = new long[9];
        long[] batches = new long[9];
        long[] batchPauses = new long[9];
        for (int r = 0; r < singles.length; r++) {
            long t0 = System.nanoTime();
            for (Hook h : hundred) {
                h.enable();
            }
            singles[r] = System.nanoTime() - t0;
            registry.disableAll();
            for (Hook h : hundred) {
                registry.queueEnable(h);
            }
            t0 = System.nanoTime();
            registry.applyQueued();
            batches[r] = System.nanoTime() - t0;
            batchPauses[r] = registry.stats().lastFreezeNanos();
            registry.disableAll();
        }
        long oneEnable = median(singles) / 100;
        System.out.printf("100 single enables: median %.3f ms (%.3f ms each); applyQueued of 100: median %.3f ms"
                + " = %.2fx one enable (goal <= 2x)%n", median(singles) / 1e6, oneEnable / 1e6, median(batches) / 1e6,
                (double) median(batches) / oneEnable);
        System.out.printf("  the batch's freeze itself: median %.3f ms%n", median(batchPauses) / 1e6);
        for (Hook h : hundred) {
            h.close();
        }
    }

    private static double perCall(Function calls, long fn, long n) {
        long ns = calls.invokeLong(new Object[] {new Pointer(fn), n, ROUNDS});
        return (double) ns / n;
    }

    private static long address(NativeLibrary lib, String name) {
        return Pointer.nativeValue(lib.getFunction(name));
    }

    private static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static long percentile(long[] values, double p) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[(int) Math.min(v.length - 1, Math.round(p * (v.length - 1)))];
    }

    private static void run(List<String> command) throws Exception {
        Commands.run(command, Map.of(), Commands.Stderr.INHERIT, 120);
    }
}
