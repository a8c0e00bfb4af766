package dev.jpoline.inlinehook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link HookRegistry#instrument(long, long)} on the jump path, with native callbacks (InstrumentPathsTest has both paths). */
class ProbeInstrumentTest {
    private final HookTargets t = HookTargets.probes();

    private int calcWide(int a, int b) {
        return t.function("calc_wide").invokeInt(new Object[] {a, b});
    }

    @Test
    void aCallbackSettingRaxTo40BeforeTheAddGives42AndCloseRestores() {
        HookRegistry registry = new HookRegistry();
        long add = t.address("calc_wide") + 2;
        byte[] before = t.bytes(add, 6);
        assertThat(before).as("add eax, esi; nop; nop; nop; ret").containsExactly(0x01, 0xF0, 0x90, 0x90, 0x90, 0xC3);
        Hook probe = registry.instrument(add, t.address("set_rax_40"));
        assertThat(probe.isEnabled()).as("a new probe is disabled").isFalse();
        assertThat(calcWide(1, 2)).isEqualTo(3);
        probe.enable();
        assertThat(t.bytes(add, 1)[0]).as("a 5-byte jump").isEqualTo((byte) 0xE9);
        assertThat(calcWide(1, 2)).isEqualTo(42);
        assertThat(calcWide(1, 5)).isEqualTo(45);
        probe.disable();
        assertThat(calcWide(1, 2)).isEqualTo(3);
        probe.enable();
        probe.close();
        assertThat(t.bytes(add, 6)).isEqualTo(before);
        assertThat(calcWide(1, 2)).isEqualTo(3);
    }

    @Test
    void aCallbackChangingRipSkipsTheOriginal() {
        HookRegistry registry = new HookRegistry();
        long add = t.address("calc_wide") + 2;
        try (Hook probe = registry.instrument(add, t.address("skip_to_ret"))) {
            probe.enable();
            assertThat(calcWide(6, 7)).as("the add skipped: eax is still a").isEqualTo(6);
        }
        assertThat(calcWide(6, 7)).isEqualTo(13);
    }

    @Test
    void badProbesAreRefusedAndWriteNothing() {
        HookRegistry registry = new HookRegistry();
        registry.setTrapPolicy(TrapPolicy.NEVER);
        long calc = t.address("calc");
        byte[] before = t.bytes(calc, 6);
        assertThatThrownBy(() -> registry.instrument(calc + 2, t.address("set_rax_40")))
                .as("4 bytes to the end of calc: no room for the jump, and no trap allowed")
                .isInstanceOfSatisfying(HookException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(HookException.Reason.PROLOGUE_TOO_SHORT);
                            assertThat(e.getMessage()).startsWith("cannot instrument calc+0x2 (").contains("ends at");
                        });
        assertThatThrownBy(() -> registry.instrument(calc + 1, t.address("set_rax_40")))
                .isInstanceOfSatisfying(HookException.class,
                        e -> assertThat(e.reason()).isEqualTo(HookException.Reason.NOT_CODE));
        assertThatThrownBy(() -> registry.instrument(calc, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.bytes(calc, 6)).isEqualTo(before);
    }
}
