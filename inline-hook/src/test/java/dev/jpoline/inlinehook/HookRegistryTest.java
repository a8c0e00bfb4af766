package dev.jpoline.inlinehook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.freeze.Freeze;
import dev.jpoline.inlinehook.memory.CodeBlock;
import dev.jpoline.inlinehook.memory.NearMemory;
import dev.jpoline.rewriter.elf.ElfFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hook lifecycle and every refusal, with the target's bytes compared before and after. */
class HookRegistryTest {
    private final HookTargets t = HookTargets.at("O2");

    private long leafAdd(long a, long b) {
        return t.function("leaf_add").invokeLong(new Object[] {a, b});
    }

    @Test
    void aNewHookIsDisabledAndEnableDisableCloseDoWhatTheySay() {
        HookRegistry registry = new HookRegistry();
        long target = t.address("leaf_add");
        byte[] before = t.bytes(target, 16);
        Hook hook = registry.create(target, t.address("leaf_add_plus"));
        t.setOriginal("leaf_add", hook.trampoline());
        assertThat(hook.isEnabled()).isFalse();
        assertThat(t.bytes(target, 16)).as("creating writes nothing at the target").isEqualTo(before);
        assertThat(leafAdd(2, 3)).isEqualTo(9);
        assertThat(Function.getFunction(new Pointer(hook.trampoline())).invokeLong(new Object[] {2L, 3L})).isEqualTo(9);

        hook.enable();
        hook.enable(); // idempotent
        assertThat(hook.isEnabled()).isTrue();
        assertThat(leafAdd(2, 3)).isEqualTo(1009);
        assertThat(t.bytes(target, 1)[0]).as("a 5-byte E9 jump").isEqualTo((byte) 0xE9);

        hook.disable();
        hook.disable();
        assertThat(leafAdd(2, 3)).isEqualTo(9);
        assertThat(t.bytes(target, 16)).isEqualTo(before);

        hook.enable();
        hook.close();
        hook.close(); // idempotent
        assertThat(hook.isClosed()).isTrue();
        assertThat(t.bytes(target, 16)).as("close disables").isEqualTo(before);
        assertThat(leafAdd(2, 3)).isEqualTo(9);
        assertThatThrownBy(hook::enable).isInstanceOfSatisfying(HookException.class,
                e -> assertThat(e.reason()).isEqualTo(HookException.Reason.CLOSED));
        assertThatThrownBy(() -> registry.queueEnable(hook)).isInstanceOfSatisfying(HookException.class,
                e -> assertThat(e.reason()).isEqualTo(HookException.Reason.CLOSED));
        // the target can be hooked again once closed
        try (Hook again = registry.create(target, t.address("leaf_add_same"))) {
            assertThat(again.isEnabled()).isFalse();
        }
    }

    @Test
    @Timeout(60)
    void closingKeepsATrampolineAThreadWillReturnIntoAndFreesItLater() throws Exception {
        HookRegistry registry = new HookRegistry();
        Hook hook = registry.create(t.address("call_first"), t.address("call_first_detour"));
        t.setOriginal("call_first", hook.trampoline());
        hook.enable();
        int keptBefore = registry.stats().keptAside();
        long thread = t.function("park_start").invokeLong(new Object[0]);
        assertThat(thread).isNotZero();
        while (t.function("park_entered_yet").invokeLong(new Object[0]) == 0) {
            Thread.sleep(1);
        }
        // The parked thread went detour -> trampoline -> callee: its return address is in the trampoline.
        hook.close();
        assertThat(registry.stats().keptAside()).as("kept aside").isEqualTo(keptBefore + 1);
        long result = t.function("park_release").invokeLong(new Object[] {thread});
        assertThat(result).as("the thread returned through the kept trampoline and the detour")
                .isEqualTo(100 + 1 + 48 + 1000000);
        // The next freeze finds the memory unused and frees it.
        try (Hook other = registry.create(t.address("leaf_add"), t.address("leaf_add_same"))) {
            other.enable();
        }
        assertThat(registry.stats().keptAside()).isEqualTo(keptBefore);
    }

    @Test
    void theAbsoluteJumpIsFourteenBytesAndTheTrampolineStillReachesRipRelativeData() {
        HookRegistry registry = new HookRegistry(false);
        long target = t.address("rip_counter");
        t.function("rip_reset").invokeVoid(new Object[0]);
        long first = t.function("rip_counter").invokeLong(new Object[] {5L});
        try (Hook hook = registry.create(target, t.address("rip_counter_plus"))) {
            t.setOriginal("rip_counter", hook.trampoline());
            t.function("rip_reset").invokeVoid(new Object[0]);
            hook.enable();
            assertThat(hook.patchLength()).isEqualTo(14);
            byte[] jump = t.bytes(target, 6);
            assertThat(jump).containsExactly(0xFF, 0x25, 0, 0, 0, 0);
            assertThat(t.function("rip_counter").invokeLong(new Object[] {5L})).isEqualTo(first + 1000);
        }
    }

    @Test
    void bySymbolAndByModuleOffsetFindTheSameFunction() throws Exception {
        HookRegistry registry = new HookRegistry();
        long offset;
        try (ElfFile elf = ElfFile.open(t.path)) {
            offset = elf.functionSymbols().all().stream().filter(s -> s.name().equals("early_jcc")).findFirst()
                    .orElseThrow().value();
        }
        try (Hook bySymbol = registry.createBySymbol(t.path.toString(), "early_jcc", t.address("early_jcc_plus"))) {
            assertThat(bySymbol.target()).isEqualTo(t.address("early_jcc"));
            assertThat(bySymbol.function()).startsWith("early_jcc");
        }
        String fileName = t.path.getFileName().toString();
        try (Hook bySoname = registry.createBySymbol(fileName, "early_jcc", t.address("early_jcc_plus"));) {
            assertThat(bySoname.target()).isEqualTo(t.address("early_jcc"));
        }
        try (Hook at = registry.createAt(fileName, offset, t.address("early_jcc_plus"))) {
            assertThat(at.target()).isEqualTo(t.address("early_jcc"));
            t.setOriginal("early_jcc", at.trampoline());
            at.enable();
            assertThat(t.function("early_jcc").invokeLong(new Object[] {9L, 4L})).isEqualTo(1005);
        }
    }

    @Test
    void aFunctionShorterThanAnyJumpIsRefusedUntouched() {
        assertRefused(new HookRegistry(), t.address("tiny"), HookException.Reason.PROLOGUE_TOO_SHORT, "tiny");
    }

    @Test
    void eightBytesTakeTheFiveByteJumpButNotTheAbsoluteOne() {
        long target = t.address("short8");
        assertRefused(new HookRegistry(false), target, HookException.Reason.PROLOGUE_TOO_SHORT, "short8");
        try (Hook hook = new HookRegistry().create(target, t.address("leaf_add_same"))) {
            assertThat(hook.patchLength()).isEqualTo(5);
            hook.enable();
            assertThat(Function.getFunction(new Pointer(hook.trampoline())).invokeLong(new Object[] {4L})).isEqualTo(10);
        }
    }

    @Test
    void aLoopBackIntoTheFirstBytesIsRefusedUntouched() {
        assertRefused(new HookRegistry(), t.address("loop_into"), HookException.Reason.BRANCH_INTO_PROLOGUE, "loop_into");
    }

    @Test
    void codeThatReadsItsOwnAddressIsRefusedUntouched() {
        assertRefused(new HookRegistry(), t.address("own_address"), HookException.Reason.UNRELOCATABLE, "own_address");
    }

    @Test
    void bytesAlreadyHookedAreRefusedAcrossRegistries() {
        long target = t.address("switchy");
        try (Hook first = new HookRegistry().create(target, t.address("switchy_plus"))) {
            first.enable();
            byte[] before = t.bytes(target, 16);
            for (HookRegistry other : new HookRegistry[] {new HookRegistry(), new HookRegistry(false)}) {
                assertThatThrownBy(() -> other.create(target, t.address("switchy_same")))
                        .isInstanceOfSatisfying(HookException.class, e -> {
                            assertThat(e.reason()).isEqualTo(HookException.Reason.ALREADY_HOOKED);
                            assertThat(e.getMessage()).contains("switchy").contains("close that hook first");
                        });
                assertThat(t.bytes(target, 16)).isEqualTo(before);
            }
        }
    }

    @Test
    void dataIsNotCode() {
        Memory data = new Memory(64);
        data.clear();
        assertRefused(new HookRegistry(), Pointer.nativeValue(data), HookException.Reason.NOT_CODE, "not in executable memory");
        assertThatThrownBy(() -> new HookRegistry().create(0, t.address("leaf_add_same")))
                .isInstanceOfSatisfying(HookException.class, e -> assertThat(e.reason()).isEqualTo(HookException.Reason.NOT_CODE));
    }

    @Test
    void codeWithoutAKnownEndIsRefusedRatherThanGuessed() {
        CodeBlock block = NearMemory.global().allocateAnywhere(64);
        try {
            byte[] code = new byte[64];
            java.util.Arrays.fill(code, (byte) 0x90); // nops, then ret
            code[63] = (byte) 0xC3;
            block.write(0, code);
            assertRefused(new HookRegistry(), block.address(), HookException.Reason.SIZE_UNKNOWN, "does not guess");
        } finally {
            block.free();
        }
    }

    @Test
    void unknownSymbolsAndLibrariesAreNamed() {
        HookRegistry registry = new HookRegistry();
        assertThatThrownBy(() -> registry.createBySymbol(null, "no_such_function_anywhere", 1))
                .isInstanceOfSatisfying(HookException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HookException.Reason.SYMBOL_NOT_FOUND);
                    assertThat(e.getMessage()).contains("no_such_function_anywhere");
                });
        assertThatThrownBy(() -> registry.createBySymbol("libnot-loaded-here.so", "f", 1))
                .isInstanceOfSatisfying(HookException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HookException.Reason.SYMBOL_NOT_FOUND);
                    assertThat(e.getMessage()).contains("libnot-loaded-here.so");
                });
        assertThatThrownBy(() -> registry.createAt("libnot-loaded-here.so", 0x1000, 1))
                .isInstanceOfSatisfying(HookException.class,
                        e -> assertThat(e.reason()).isEqualTo(HookException.Reason.SYMBOL_NOT_FOUND));
    }

    @Test
    @Timeout(60)
    void aThreadThatBlocksTheFreezeSignalTimesTheChangeOutWithNothingWritten() {
        HookRegistry registry = new HookRegistry();
        registry.setFreezeTimeoutMillis(300);
        long target = t.address("big_frame");
        Memory stop = new Memory(8);
        stop.setLong(0, 0);
        long blocker = t.function("blocker_start").invokeLong(new Object[] {Freeze.signal(), stop});
        assertThat(blocker).isNotZero();
        long unhooked = t.function("big_frame").invokeLong(new Object[] {1L});
        try (Hook hook = registry.create(target, t.address("big_frame_plus"))) {
            byte[] before = t.bytes(target, 16);
            try {
                assertThatThrownBy(hook::enable).isInstanceOfSatisfying(HookException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HookException.Reason.FREEZE_TIMEOUT);
                    assertThat(e.getMessage()).contains("signal");
                });
                assertThat(t.bytes(target, 16)).isEqualTo(before);
                assertThat(hook.isEnabled()).isFalse();
            } finally {
                stop.setLong(0, 1);
                t.function("stress_join").invokeInt(new Object[] {blocker});
            }
            t.setOriginal("big_frame", hook.trampoline());
            hook.enable(); // the blocker is gone, its stale signal with it
            assertThat(t.function("big_frame").invokeLong(new Object[] {1L})).isEqualTo(unhooked + 1000);
        }
    }

    private void assertRefused(HookRegistry registry, long target, HookException.Reason reason, String mentions) {
        byte[] before = new Pointer(target).getByteArray(0, 16);
        assertThatThrownBy(() -> registry.create(target, t.address("leaf_add_same")))
                .isInstanceOfSatisfying(HookException.class, e -> {
                    assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
                    assertThat(e.getMessage()).contains(mentions).contains("0x");
                });
        assertThat(new Pointer(target).getByteArray(0, 16)).as("a refused hook writes nothing").isEqualTo(before);
        assertThat(registry.hooks()).isEmpty();
    }
}
