package dev.jpoline.inlinehook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Callback;
import com.sun.jna.Function;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hooks toggled inside a busy JVM: threads calling System.gc() in a loop, threads allocating,
 * a thread whose hot method the JIT keeps compiling, and Java threads calling the hooked
 * functions (one with a native detour, one with a Java detour). No deadlock (a parked thread
 * may be the VM thread in the middle of a safepoint), no crash, every result the original's or
 * the detour's.
 */
class JvmUnderLoadTest {
    interface L1 extends Callback {
        long invoke(long a);
    }

    @Test
    @Timeout(180)
    void hooksToggleWhileTheJvmCollectsCompilesAndAllocates() throws Exception {
        HookTargets t = HookTargets.at("O1");
        HookRegistry registry = new HookRegistry();
        Hook nativeHook = registry.create(t.address("early_call"), t.address("early_call_plus"));
        t.setOriginal("early_call", nativeHook.trampoline());
        Hook[] javaHook = new Hook[1];
        AtomicLong javaDetourCalls = new AtomicLong();
        L1 detour = a -> {
            javaDetourCalls.incrementAndGet();
            return Function.getFunction(new Pointer(javaHook[0].trampoline())).invokeLong(new Object[] {a}) + 1000;
        };
        javaHook[0] = registry.create(t.address("big_frame"), detour);
        long expectEarly = t.function("early_call").invokeLong(new Object[] {77L});
        long expectBig = t.function("big_frame").invokeLong(new Object[] {77L});

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong torn = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            threads.add(new Thread(() -> {
                while (!stop.get()) {
                    System.gc();
                }
            }, "gc-" + i));
        }
        threads.add(new Thread(() -> {
            List<byte[]> keep = new ArrayList<>();
            while (!stop.get()) {
                keep.add(new byte[1 + (int) (System.nanoTime() & 4095)]);
                if (keep.size() > 2000) {
                    keep.clear();
                }
            }
        }, "allocator"));
        threads.add(new Thread(() -> {
            long acc = 0;
            for (int round = 0; !stop.get(); round++) {
                acc += hot(round);
            }
            if (acc == 42) {
                System.out.println(); // keeps acc alive
            }
        }, "jit"));
        for (int i = 0; i < 2; i++) {
            threads.add(new Thread(() -> {
                Function early = t.function("early_call");
                Function big = t.function("big_frame");
                while (!stop.get()) {
                    long e = early.invokeLong(new Object[] {77L});
                    long b = big.invokeLong(new Object[] {77L});
                    if (e != expectEarly && e != expectEarly + 1000 || b != expectBig && b != expectBig + 1000) {
                        torn.incrementAndGet();
                    }
                    calls.incrementAndGet();
                }
            }, "caller-" + i));
        }
        threads.forEach(Thread::start);
        try {
            for (int round = 0; round < 200; round++) {
                if (round % 2 == 0) {
                    registry.queueEnable(nativeHook);
                    registry.queueEnable(javaHook[0]);
                } else {
                    registry.queueDisable(nativeHook);
                    registry.queueDisable(javaHook[0]);
                }
                registry.applyQueued();
                Thread.sleep(2);
            }
        } finally {
            stop.set(true);
            for (Thread th : threads) {
                th.join(30_000);
            }
            nativeHook.close();
            javaHook[0].close();
        }
        for (Thread th : threads) {
            assertThat(th.isAlive()).as(th.getName()).isFalse();
        }
        assertThat(torn.get()).isZero();
        assertThat(calls.get()).isPositive();
        assertThat(javaDetourCalls.get()).as("the Java detour ran on the callers").isPositive();
        System.out.printf("JVM under load: %d calls, %d through the Java detour, %d freezes%n", calls.get(),
                javaDetourCalls.get(), registry.stats().freezes());
    }

    private static long hot(int seed) {
        long x = seed;
        for (int i = 0; i < 1000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L ^ (x >>> 17);
        }
        return x;
    }
}
