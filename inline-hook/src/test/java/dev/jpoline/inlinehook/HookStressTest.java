package dev.jpoline.inlinehook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threads call hooked functions in tight native loops while the main thread toggles the hooks
 * hundreds of times, singly and in batches. Every result is the original's or the detour's,
 * never torn, never a crash; and the freezes really moved threads: instruction pointers parked
 * between the stolen instructions of spin_first, and return addresses into call_first's stolen
 * bytes held by threads sleeping in its callee.
 */
class HookStressTest {
    /** struct stress_counts: stop, calls, original, hooked, torn, torn_input, torn_result. */
    private static final int COUNTS_SIZE = 7 * 8;
    private static final String[] TARGETS = {"stress_target", "call_first", "spin_first"};
    private static final String[] DETOURS = {"stress_target_detour", "call_first_detour", "spin_first_detour"};
    private static final int TOGGLES = 300;

    @Test
    @Timeout(180)
    void togglingUnderLoadNeverTearsAResultAndMovesCaughtThreads() throws Exception {
        HookTargets t = HookTargets.at("O2");
        HookRegistry registry = new HookRegistry();
        List<Hook> hooks = new ArrayList<>();
        for (int i = 0; i < TARGETS.length; i++) {
            Hook h = registry.create(t.address(TARGETS[i]), t.address(DETOURS[i]));
            t.setOriginal(TARGETS[i], h.trampoline());
            hooks.add(h);
        }
        // Two native threads per target that the JVM does not know, and one Java thread per
        // target looping natively through JNA.
        List<Memory> counts = new ArrayList<>();
        List<Long> pthreads = new ArrayList<>();
        List<Thread> javaThreads = new ArrayList<>();
        for (int which = 0; which < TARGETS.length; which++) {
            for (int k = 0; k < 2; k++) {
                Memory c = counts(counts);
                long thread = t.function("stress_start").invokeLong(new Object[] {which, c});
                assertThat(thread).isNotZero();
                pthreads.add(thread);
            }
            Memory c = counts(counts);
            String loop = which == 0 ? "stress_loop" : which == 1 ? "stress_loop_call_first" : "stress_loop_spin_first";
            Thread j = new Thread(() -> t.function(loop).invokeLong(new Object[] {c}), "stress-" + loop);
            j.start();
            javaThreads.add(j);
        }
        try {
            for (int round = 0; round < TOGGLES; round++) {
                if (round % 3 == 2) {
                    for (Hook h : hooks) {
                        if (h.isEnabled()) {
                            registry.queueDisable(h);
                        } else {
                            registry.queueEnable(h);
                        }
                    }
                    registry.applyQueued();
                } else {
                    for (Hook h : hooks) {
                        if (h.isEnabled()) {
                            h.disable();
                        } else {
                            h.enable();
                        }
                    }
                }
                Thread.sleep(1);
            }
        } finally {
            for (Memory c : counts) {
                c.setLong(0, 1);
            }
            for (long p : pthreads) {
                t.function("stress_join").invokeInt(new Object[] {p});
            }
            for (Thread j : javaThreads) {
                j.join(30_000);
            }
            registry.disableAll();
            for (Hook h : hooks) {
                h.close();
            }
        }
        long calls = 0;
        long torn = 0;
        long original = 0;
        long hooked = 0;
        StringBuilder tornReport = new StringBuilder();
        for (int i = 0; i < counts.size(); i++) {
            Memory c = counts.get(i);
            if (c.getLong(32) != 0) {
                tornReport.append(String.format("%n  %s thread %d: %d torn, last f(%d) = %d", TARGETS[i / 3], i % 3,
                        c.getLong(32), c.getLong(40), c.getLong(48)));
            }
        }
        for (Memory c : counts) {
            calls += c.getLong(8);
            original += c.getLong(16);
            hooked += c.getLong(24);
            torn += c.getLong(32);
        }
        HookRegistry.Stats s = registry.stats();
        System.out.printf("stress: %d calls (%d original, %d hooked, %d torn), %d freezes of %d threads,"
                + " %d instruction-pointer fix-ups, %d return-address fix-ups, last freeze %.2f ms%n", calls, original,
                hooked, torn, s.freezes(), s.threadsFrozen(), s.ipFixups(), s.returnFixups(), s.lastFreezeNanos() / 1e6);
        assertThat(torn).as("torn results:%s", tornReport).isZero();
        assertThat(original).isPositive();
        assertThat(hooked).isPositive();
        assertThat(s.anomalies()).as("threads caught between instruction boundaries").isZero();
        assertThat(s.ipFixups()).as("instruction pointers moved out of stolen bytes").isPositive();
        assertThat(s.returnFixups()).as("return addresses moved out of stolen bytes").isPositive();
        for (Thread j : javaThreads) {
            assertThat(j.isAlive()).isFalse();
        }
    }

    private static Memory counts(List<Memory> all) {
        Memory c = new Memory(COUNTS_SIZE);
        c.clear();
        all.add(c);
        return c;
    }
}
