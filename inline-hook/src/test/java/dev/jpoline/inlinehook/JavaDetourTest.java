package dev.jpoline.inlinehook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Callback;
import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.detour.JavaDetourGate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What reaches a Java detour: Java threads only, and never the detour's own call of its target. */
class JavaDetourTest {
    interface L1 extends Callback {
        long invoke(long a);
    }

    interface L2 extends Callback {
        long invoke(long a, long b);
    }

    private final HookTargets t = HookTargets.at("O2");

    @Test
    @Timeout(60)
    void threadsTheJvmDoesNotKnowRunTheOriginalAndAreNeverAttached() throws Exception {
        HookRegistry registry = new HookRegistry();
        Set<String> detourThreads = ConcurrentHashMap.newKeySet();
        Hook[] hook = new Hook[1];
        L1 detour = x -> {
            detourThreads.add(Thread.currentThread().getName());
            return Function.getFunction(new Pointer(hook[0].trampoline())).invokeLong(new Object[] {x}) + 1000000;
        };
        hook[0] = registry.create(t.address("stress_target"), detour);
        int javaThreadsBefore = Thread.getAllStackTraces().size();
        Memory nativeCounts = new Memory(40);
        nativeCounts.clear();
        try (Hook h = hook[0]) {
            h.enable();
            long thread = t.function("stress_start").invokeLong(new Object[] {0, nativeCounts});
            assertThat(thread).isNotZero();
            long javaHooked = 0;
            for (int i = 0; i < 2000; i++) {
                long x = i & 0xFFFF;
                long want = t.function("stress_target").invokeLong(new Object[] {x});
                if (want == original(x) + 1000000) {
                    javaHooked++;
                }
            }
            Thread.sleep(50);
            assertThat(Thread.getAllStackTraces().size()).as("no native thread was attached to the JVM")
                    .isEqualTo(javaThreadsBefore);
            nativeCounts.setLong(0, 1);
            t.function("stress_join").invokeInt(new Object[] {thread});
            assertThat(javaHooked).as("calls from this Java thread reach the detour").isEqualTo(2000);
        }
        assertThat(nativeCounts.getLong(8)).as("native calls").isPositive();
        assertThat(nativeCounts.getLong(24)).as("native calls that reached the Java detour").isZero();
        assertThat(nativeCounts.getLong(32)).as("torn").isZero();
        assertThat(detourThreads).containsExactly(Thread.currentThread().getName());
        assertThat(JavaDetourGate.depth()).isZero();
    }

    @Test
    void theDetourCallingItsOwnTargetGetsTheOriginal() {
        HookRegistry registry = new HookRegistry();
        AtomicLong depthInside = new AtomicLong();
        Function leafAdd = t.function("leaf_add");
        L2 detour = (a, b) -> {
            depthInside.set(JavaDetourGate.depth());
            // Calls the hooked function itself, not the trampoline: the gate runs the original.
            return leafAdd.invokeLong(new Object[] {a, b}) * 2;
        };
        try (Hook hook = registry.create(t.address("leaf_add"), detour)) {
            hook.enable();
            assertThat(leafAdd.invokeLong(new Object[] {2L, 3L})).isEqualTo(18);
            assertThat(depthInside.get()).isEqualTo(1);
            assertThat(JavaDetourGate.depth()).isZero();
            hook.disable();
            assertThat(leafAdd.invokeLong(new Object[] {2L, 3L})).isEqualTo(9);
        }
    }

    private long original(long x) {
        long r = x * 5 + 3;
        return r ^ (r >> 3);
    }
}
