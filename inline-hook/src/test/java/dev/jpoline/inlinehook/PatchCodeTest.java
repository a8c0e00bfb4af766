package dev.jpoline.inlinehook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link HookRegistry#patchCode}: sighook's patch example, and every refusal with the bytes compared before and after. */
class PatchCodeTest {
    private static final byte[] ADD_NOP = {0x01, (byte) 0xF0, (byte) 0x90};
    private static final byte[] IMUL = {0x0F, (byte) 0xAF, (byte) 0xC6};

    private final HookTargets t = HookTargets.probes();
    /** The hook targets, for the tests that mix patches with hooks and threads. */
    private final HookTargets h = HookTargets.at("O2");

    private int calc(int a, int b) {
        return t.function("calc").invokeInt(new Object[] {a, b});
    }

    @Test
    void theHandWrittenTargetHasTheBytesTheTestsPatch() {
        assertThat(t.bytes(t.address("calc"), 6)).containsExactly(0x89, 0xF8, 0x01, 0xF0, 0x90, 0xC3);
    }

    @Test
    void imulInPlaceOfAddAndNopGives42AndCloseRestores13() {
        HookRegistry registry = new HookRegistry();
        long at = t.address("calc") + 2;
        assertThat(calc(6, 7)).isEqualTo(13);
        long freezes = registry.stats().freezes();
        Patch patch = registry.patchCode(at, IMUL);
        assertThat(registry.stats().freezes() - freezes)
                .as("the imul cuts the add/nop boundary: a query freeze, then the write's").isEqualTo(2);
        assertThat(patch.address()).isEqualTo(at);
        assertThat(patch.original()).containsExactly(ADD_NOP);
        assertThat(t.bytes(at, 3)).containsExactly(IMUL);
        assertThat(calc(6, 7)).isEqualTo(42);

        patch.original()[0] = 0; // a copy: the patch keeps its own
        patch.close();
        patch.close(); // idempotent
        assertThat(patch.isClosed()).isTrue();
        assertThat(t.bytes(at, 3)).containsExactly(ADD_NOP);
        assertThat(calc(6, 7)).isEqualTo(13);
    }

    @Test
    void codeWithTheSameBoundariesIsWrittenUnderOneFreeze() {
        HookRegistry registry = new HookRegistry();
        long at = t.address("calc") + 2;
        long freezes = registry.stats().freezes();
        try (Patch sub = registry.patchCode(at, new byte[] {0x29, (byte) 0xF0})) { // sub eax, esi
            assertThat(registry.stats().freezes() - freezes).isEqualTo(1);
            assertThat(calc(6, 7)).isEqualTo(-1);
        }
        assertThat(calc(6, 7)).isEqualTo(13);
    }

    @Test
    void codeStartingInsideAnInstructionIsRefusedNamingIt() {
        HookRegistry registry = new HookRegistry();
        long calc = t.address("calc");
        byte[] before = t.bytes(calc, 6);
        assertThatThrownBy(() -> registry.patchCode(calc + 1, IMUL)).isInstanceOfSatisfying(HookException.class, e -> {
            assertThat(e.reason()).isEqualTo(HookException.Reason.INSTRUCTION_BOUNDARY);
            assertThat(e.getMessage()).contains("calc+0x1", "starts at 0x" + Long.toHexString(calc + 1),
                    "instruction at 0x" + Long.toHexString(calc) + " (89 f8");
        });
        assertThat(t.bytes(calc, 6)).isEqualTo(before);
    }

    @Test
    void codeEndingInsideAnInstructionIsRefusedNamingIt() {
        HookRegistry registry = new HookRegistry();
        long calc = t.address("calc");
        byte[] before = t.bytes(calc, 6);
        assertThatThrownBy(() -> registry.patchCode(calc, IMUL)).isInstanceOfSatisfying(HookException.class, e -> {
            assertThat(e.reason()).isEqualTo(HookException.Reason.INSTRUCTION_BOUNDARY);
            assertThat(e.getMessage()).contains("ends at 0x" + Long.toHexString(calc + 3),
                    "instruction at 0x" + Long.toHexString(calc + 2) + " (01 f0");
        });
        assertThatThrownBy(() -> registry.patchCode(calc + 5, IMUL)).isInstanceOfSatisfying(HookException.class, e -> {
            assertThat(e.reason()).isEqualTo(HookException.Reason.INSTRUCTION_BOUNDARY);
            assertThat(e.getMessage()).contains("past the function's end");
        });
        assertThat(t.bytes(calc, 6)).isEqualTo(before);
    }

    @Test
    void badArgumentsAreRefusedWithOneClearMessage() {
        HookRegistry registry = new HookRegistry();
        assertThatThrownBy(() -> registry.patchCode(t.address("calc"), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> registry.patchCode(0, IMUL)).isInstanceOfSatisfying(HookException.class,
                e -> assertThat(e.reason()).isEqualTo(HookException.Reason.NOT_CODE));
    }

    @Test
    void patchesAndHooksOfAnyRegistryRefuseEachOthersBytes() {
        HookRegistry one = new HookRegistry();
        HookRegistry two = new HookRegistry();
        long calc = t.address("calc");
        try (Patch patch = one.patchCode(calc + 2, IMUL)) {
            byte[] patched = t.bytes(calc, 6);
            assertThatThrownBy(() -> two.patchCode(calc + 2, new byte[] {0x29, (byte) 0xF0}))
                    .isInstanceOfSatisfying(HookException.class, e -> {
                        assertThat(e.reason()).isEqualTo(HookException.Reason.ALREADY_HOOKED);
                        assertThat(e.getMessage()).contains("Patch[");
                    });
            // The hook's 5-byte jump at calc would take mov and the patched imul.
            assertThatThrownBy(() -> two.create(calc, h.address("leaf_add_plus")))
                    .isInstanceOfSatisfying(HookException.class, e -> {
                        assertThat(e.reason()).isEqualTo(HookException.Reason.ALREADY_HOOKED);
                        assertThat(e.getMessage()).contains("close that patch first");
                    });
            assertThat(t.bytes(calc, 6)).isEqualTo(patched);
            assertThat(calc(6, 7)).isEqualTo(42);
        }
        long leafAdd = h.address("leaf_add");
        try (Hook hook = one.create(leafAdd, h.address("leaf_add_plus"))) {
            hook.enable();
            byte[] hooked = t.bytes(leafAdd, 8);
            assertThatThrownBy(() -> two.patchCode(leafAdd, new byte[] {(byte) 0x90}))
                    .isInstanceOfSatisfying(HookException.class, e -> {
                        assertThat(e.reason()).isEqualTo(HookException.Reason.ALREADY_HOOKED);
                        assertThat(e.getMessage()).contains("close that hook first");
                    });
            assertThat(t.bytes(leafAdd, 8)).isEqualTo(hooked);
        }
    }

    @Test
    @Timeout(60)
    void aThreadThatWillReturnToABoundaryTheCodeCutsRefusesThePatch() throws Exception {
        HookRegistry registry = new HookRegistry();
        long callFirst = h.address("call_first");
        // push rbx; call *rsi (returns to +3); add $7, rax; ...: over [+1, +7) the new code
        // (nop; nopl (rax); nop; nop) has no boundary at +3.
        byte[] cutting = {(byte) 0x90, 0x0F, 0x1F, 0x00, (byte) 0x90, (byte) 0x90};
        byte[] before = t.bytes(callFirst, 12);
        long thread = h.function("park_start").invokeLong(new Object[0]);
        assertThat(thread).isNotZero();
        try {
            while (h.function("park_entered_yet").invokeLong(new Object[0]) == 0) {
                Thread.sleep(1);
            }
            assertThatThrownBy(() -> registry.patchCode(callFirst + 1, cutting))
                    .isInstanceOfSatisfying(HookException.class, e -> {
                        assertThat(e.reason()).isEqualTo(HookException.Reason.CODE_IN_USE);
                        assertThat(e.getMessage()).contains("0x" + Long.toHexString(callFirst + 3), "nothing was written");
                    });
            assertThat(t.bytes(callFirst, 12)).isEqualTo(before);
        } finally {
            long result = h.function("park_release").invokeLong(new Object[] {thread});
            assertThat(result).as("the parked thread returned through the unchanged code").isEqualTo(100 + 1 + 48);
        }
    }
}
