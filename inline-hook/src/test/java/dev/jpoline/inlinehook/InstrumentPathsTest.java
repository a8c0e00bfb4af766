package dev.jpoline.inlinehook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.instrument.TrapTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Instrument probes on both paths (a jump to the stub where one fits, an int3 whose SIGTRAP
 * handler sends the thread to the same stub elsewhere) with native and Java callbacks: sighook's
 * examples, a context round trip, probes on the instructions that relocate differently (a
 * RIP-relative load, a call, a jcc, a ret), a changed RIP and RSP, the vector registers, hit
 * counts, and the program's own SIGTRAP handler.
 */
class InstrumentPathsTest {
    private final HookTargets t = HookTargets.probes();

    enum Path {
        JUMP, TRAP
    }

    enum Kind {
        NATIVE, JAVA
    }

    /** A registry that puts probes on {@code path}: the default (jump where one fits) or traps only. */
    private static HookRegistry registry(Path path) {
        HookRegistry r = new HookRegistry();
        if (path == Path.TRAP) {
            r.setTrapPolicy(TrapPolicy.ALWAYS);
        }
        return r;
    }

    /** A probe calling the C callback {@code nativeName}, or {@code java} for the Java kind. */
    private Hook probe(Path path, Kind kind, long address, boolean noOriginal, String nativeName,
            InstructionCallback java) {
        return probe(registry(path), path, kind, address, noOriginal, nativeName, java);
    }

    private Hook probe(HookRegistry r, Path path, Kind kind, long address, boolean noOriginal, String nativeName,
            InstructionCallback java) {
        Hook h = kind == Kind.NATIVE
                ? noOriginal ? r.instrumentNoOriginal(address, t.address(nativeName)) : r.instrument(address, t.address(nativeName))
                : noOriginal ? r.instrumentNoOriginal(address, java) : r.instrument(address, java);
        assertThat(h.usesTrap()).as("the %s path", path).isEqualTo(path == Path.TRAP);
        assertThat(h.isProbe()).isTrue();
        return h;
    }

    private int call(String function, int a, int b) {
        return t.function(function).invokeInt(new Object[] {a, b});
    }

    private long call(String function, Object... args) {
        return t.function(function).invokeLong(args);
    }

    // ---- sighook's four examples ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void withTheOriginalCalcOf1And2Is42OnBothPaths(Kind kind) {
        for (Path path : Path.values()) {
            long add = t.address("calc_wide") + 2;
            byte[] before = t.bytes(add, 6);
            Hook probe = probe(path, kind, add, false, "set_rax_40", (a, c) -> c.set(Register.RAX, 40));
            assertThat(call("calc_wide", 1, 2)).as("a new probe is disabled").isEqualTo(3);
            probe.enable();
            assertThat(t.bytes(add, 1)[0]).isEqualTo(path == Path.TRAP ? (byte) 0xCC : (byte) 0xE9);
            assertThat(call("calc_wide", 1, 2)).as(path.name()).isEqualTo(42);
            assertThat(probe.hits()).isEqualTo(1);
            probe.disable();
            assertThat(call("calc_wide", 1, 2)).isEqualTo(3);
            probe.enable();
            probe.close();
            assertThat(t.bytes(add, 6)).as("closed: the original bytes").isEqualTo(before);
            assertThat(call("calc_wide", 1, 2)).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void calcItselfHasNoRoomForAJumpSoItsProbeTraps(Kind kind) {
        long add = t.address("calc") + 2;
        byte[] before = t.bytes(add, 4);
        HookRegistry r = new HookRegistry();
        try (Hook probe = kind == Kind.NATIVE ? r.instrument(add, t.address("set_rax_40"))
                : r.instrument(add, (a, c) -> c.set(Register.RAX, 40))) {
            assertThat(probe.usesTrap()).as("4 bytes to calc's end: the default policy traps").isTrue();
            probe.enable();
            assertThat(call("calc", 1, 2)).isEqualTo(42);
        }
        assertThat(t.bytes(add, 4)).isEqualTo(before);
        assertThat(call("calc", 1, 2)).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void withoutTheOriginalCalcOf4And5Is99OnBothPaths(Kind kind) {
        for (Path path : Path.values()) {
            try (Hook probe = probe(path, kind, t.address("calc_wide") + 2, true, "set_rax_99",
                    (a, c) -> c.set(Register.RAX, 99))) {
                assertThat(probe.skipsOriginal()).isTrue();
                probe.enable();
                assertThat(call("calc_wide", 4, 5)).as(path.name()).isEqualTo(99);
            }
            assertThat(call("calc_wide", 4, 5)).isEqualTo(9);
        }
    }

    @Test
    void aFarInlineHookGivesTargetAddOf6And7Is42OnBothPaths() {
        long target = t.address("target_add");
        byte[] before = t.bytes(target, 18);
        HookRegistry far = new HookRegistry(false);
        HookRegistry traps = new HookRegistry();
        traps.setTrapPolicy(TrapPolicy.ALWAYS);
        for (HookRegistry r : List.of(far, traps)) {
            try (Hook hook = r.create(target, t.address("target_mul"))) {
                assertThat(hook.patchLength()).isEqualTo(r == far ? 14 : 1);
                hook.enable();
                assertThat(call("target_add", 6, 7)).isEqualTo(42);
                int original = Function.getFunction(new Pointer(hook.trampoline())).invokeInt(new Object[] {6, 7});
                assertThat(original).as("the trampoline runs the original").isEqualTo(13);
            }
            assertThat(t.bytes(target, 18)).isEqualTo(before);
            assertThat(call("target_add", 6, 7)).isEqualTo(13);
        }
    }

    @Test
    void aFunctionHookIsRefusedWhereOnlyATrapFitsUnlessAllowed() {
        long add = t.address("calc") + 2;
        assertThatThrownBy(() -> new HookRegistry().create(add, t.address("target_mul")))
                .isInstanceOfSatisfying(HookException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HookException.Reason.PROLOGUE_TOO_SHORT);
                    assertThat(e.getMessage()).contains("TrapPolicy.FALLBACK");
                });
        HookRegistry r = new HookRegistry();
        r.setTrapPolicy(TrapPolicy.FALLBACK);
        try (Hook hook = r.create(add, t.address("target_mul"))) {
            assertThat(hook.usesTrap()).isTrue();
            hook.enable();
            assertThat(call("calc", 6, 7)).as("eax = 6, esi = 7 at the add: the detour's 6 * 7").isEqualTo(42);
        }
        assertThat(call("calc", 6, 7)).isEqualTo(13);
        assertThatThrownBy(() -> r.setTrapPolicy(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FALLBACK");
    }

    // ---- the context ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyRegisterAndTheFlagsGoToTheCallbackAndComeBackWithItsChanges(Kind kind) {
        long fn = t.address("context_round_trip");
        long probeAt = fn + t.fiveNops(t.bytes(fn, 200));
        for (Path path : Path.values()) {
            long[] seen = new long[18];
            AtomicLong seenAddress = new AtomicLong();
            InstructionCallback flip = (address, c) -> {
                seenAddress.set(address);
                for (Register r : Register.values()) {
                    seen[r.ordinal()] = c.get(r);
                    if (r.ordinal() < 16 && r != Register.RSP) {
                        c.set(r, ~c.get(r));
                    }
                }
                c.set(Register.RFLAGS, c.get(Register.RFLAGS) & ~0x41L);
            };
            Memory out = new Memory(8 * 18);
            try (Hook probe = probe(path, kind, probeAt, false, "record_context", flip)) {
                probe.enable();
                t.function("context_round_trip").invoke(new Object[] {out});
            }
            if (kind == Kind.NATIVE) {
                Pointer native_ = t.library.getGlobalVariableAddress("seen_context");
                for (int i = 0; i < 18; i++) {
                    seen[i] = native_.getLong(8L * i);
                }
                seenAddress.set(t.library.getGlobalVariableAddress("seen_address").getLong(0));
            }
            assertThat(seenAddress.get()).isEqualTo(probeAt);
            for (Register r : Register.values()) {
                long loaded = 0x1111111111111111L * (r.ordinal() + 1);
                long saw = seen[r.ordinal()];
                long after = out.getLong(r.offset());
                switch (r) {
                    case RSP -> assertThat(saw).as("%s RSP: the interrupted code's", path).isEqualTo(after);
                    case RIP -> assertThat(saw).as("%s RIP", path).isEqualTo(probeAt);
                    case RFLAGS -> {
                        assertThat(saw & 0x41).as("%s CF and ZF as set before the probe", path).isEqualTo(0x41);
                        assertThat(after & 0x41).as("%s CF and ZF as the callback cleared them", path).isZero();
                    }
                    default -> {
                        assertThat(saw).as("%s %s seen", path, r).isEqualTo(loaded);
                        assertThat(after).as("%s %s after the callback flipped it", path, r).isEqualTo(~loaded);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SavedState.class)
    void theGeneralRegistersRoundTripWhateverElseIsSaved(SavedState state) {
        long fn = t.address("context_round_trip");
        long probeAt = fn + t.fiveNops(t.bytes(fn, 200));
        for (Path path : Path.values()) {
            HookRegistry r = registry(path);
            r.setNativeProbeState(state);
            Memory out = new Memory(8 * 18);
            try (Hook probe = probe(r, path, Kind.NATIVE, probeAt, false, "record_context", null)) {
                probe.enable();
                t.function("context_round_trip").invoke(new Object[] {out});
            }
            for (Register reg : List.of(Register.RAX, Register.RDI, Register.R11, Register.R15)) {
                assertThat(out.getLong(reg.offset())).as("%s %s %s", state, path, reg)
                        .isEqualTo(~(0x1111111111111111L * (reg.ordinal() + 1)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCallbackMayReturnFromTheFunctionByChangingRipAndRsp(Kind kind) {
        for (Path path : Path.values()) {
            try (Hook probe = probe(path, kind, t.address("never_returns_early"), false, "return_1234", (a, c) -> {
                long sp = c.get(Register.RSP);
                c.set(Register.RIP, new Pointer(sp).getLong(0));
                c.set(Register.RSP, sp + 8);
                c.set(Register.RAX, 1234);
            })) {
                probe.enable();
                for (int i = 0; i < 3; i++) {
                    assertThat(call("never_returns_early")).as(path.name()).isEqualTo(1234);
                }
            }
            assertThat(call("never_returns_early")).isEqualTo(1);
        }
    }

    @Test
    void aRipSetToAnInstructionUnderTheJumpRunsItsCopy() {
        for (Path path : Path.values()) {
            long add = t.address("calc_wide") + 2;
            try (Hook probe = probe(path, Kind.NATIVE, add, false, "skip_add", null)) {
                assertThat(probe.stolenLength()).as("add and the three nops").isEqualTo(path == Path.JUMP ? 5 : 2);
                probe.enable();
                assertThat(call("calc_wide", 6, 7)).as("%s: the add skipped", path).isEqualTo(6);
            }
        }
    }

    @Test
    void theInterruptedCodesRedZoneIsLeftAlone() {
        long fn = t.address("red_zone_intact");
        long probeAt = fn + t.fiveNops(t.bytes(fn, 200));
        for (Path path : Path.values()) {
            try (Hook probe = probe(path, Kind.NATIVE, probeAt, false, "scribble_stack", null)) {
                probe.enable();
                assertThat(call("red_zone_intact")).as("%s: the 128 bytes below rsp", path).isEqualTo(1);
                assertThat(probe.hits()).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SavedState.class, names = {"ALL", "SSE"})
    void theVectorRegistersSurviveACallbackThatClobbersThem(SavedState state) throws Exception {
        if (!Files.readString(java.nio.file.Path.of("/proc/cpuinfo")).contains(" avx2")) {
            return; // ymm_round_trip cannot run here at all
        }
        long fn = t.address("ymm_round_trip");
        long probeAt = fn + t.fiveNops(t.bytes(fn, 200));
        // ALL: a callback that clobbers whole ymm registers; SSE: one that keeps to legacy SSE.
        String callback = state == SavedState.ALL ? "clobber_ymm" : "clobber_xmm";
        for (Path path : Path.values()) {
            Memory in = new Memory(16 * 32);
            Memory out = new Memory(16 * 32);
            for (int i = 0; i < 16 * 32; i++) {
                in.setByte(i, (byte) (i * 7 + 3));
            }
            out.clear();
            HookRegistry r = registry(path);
            r.setNativeProbeState(state);
            try (Hook probe = r.instrument(probeAt, t.address(callback))) {
                probe.enable();
                t.function("ymm_round_trip").invoke(new Object[] {in, out});
                assertThat(probe.hits()).isEqualTo(1);
            }
            assertThat(out.getByteArray(0, 16 * 32)).as("%s: ymm0-15, upper halves too", path)
                    .isEqualTo(in.getByteArray(0, 16 * 32));
        }
    }

    @Test
    void theXsaveAndFxsaveFormsOfOtherCpusWorkToo() throws Exception {
        boolean avx2 = Files.readString(java.nio.file.Path.of("/proc/cpuinfo")).contains(" avx2");
        long fn = t.address("ymm_round_trip");
        long probeAt = fn + t.fiveNops(t.bytes(fn, 200));
        for (boolean xsave : new boolean[] {true, false}) {
            for (Path path : Path.values()) {
                HookRegistry r = registry(path);
                r.forceExtendedState(dev.jpoline.inlinehook.instrument.XState.fallback(xsave));
                try (Hook probe = r.instrument(t.address("calc_wide") + 2, t.address("set_rax_40"))) {
                    probe.enable();
                    assertThat(call("calc_wide", 1, 2)).as("%s %s", xsave ? "xsave" : "fxsave", path).isEqualTo(42);
                }
                if (avx2) {
                    // XSAVE keeps whole ymm registers; FXSAVE only their low halves, so it gets a
                    // callback that keeps to legacy SSE.
                    Memory in = new Memory(16 * 32);
                    Memory out = new Memory(16 * 32);
                    for (int i = 0; i < 16 * 32; i++) {
                        in.setByte(i, (byte) (i * 5 + 1));
                    }
                    out.clear();
                    try (Hook probe = r.instrument(probeAt, t.address(xsave ? "clobber_ymm" : "clobber_xmm"))) {
                        probe.enable();
                        t.function("ymm_round_trip").invoke(new Object[] {in, out});
                    }
                    assertThat(out.getByteArray(0, 16 * 32)).as("%s %s: ymm0-15", xsave ? "xsave" : "fxsave", path)
                            .isEqualTo(in.getByteArray(0, 16 * 32));
                }
            }
        }
    }

    // ---- the instructions that relocate differently ----

    @ParameterizedTest
    @EnumSource(Path.class)
    void probesOnARipRelativeLoadACallAJccAndARet(Path path) {
        try (Hook load = probe(path, Kind.NATIVE, t.address("rip_load"), false, "set_rax_8", null)) {
            load.enable();
            assertThat(call("rip_load")).as("the load runs after the callback").isEqualTo(1234);
        }
        try (Hook load = probe(path, Kind.NATIVE, t.address("rip_load"), true, "set_rax_8", null)) {
            load.enable();
            assertThat(call("rip_load")).as("the load skipped").isEqualTo(8);
        }
        try (Hook callProbe = probe(path, Kind.NATIVE, t.address("call_site"), false, "set_rax_8", null)) {
            callProbe.enable();
            assertThat(call("call_site", 5L)).as("the call runs from its new place and returns there").isEqualTo(16);
            assertThat(callProbe.hits()).isEqualTo(1);
        }
        try (Hook callProbe = probe(path, Kind.NATIVE, t.address("call_site"), true, "set_rax_8", null)) {
            callProbe.enable();
            assertThat(call("call_site", 5L)).as("the call skipped").isEqualTo(18);
        }
        try (Hook jcc = probe(path, Kind.NATIVE, t.address("branch_on") + 2, false, "set_zf", null)) {
            assertThat(call("branch_on", 5L)).isEqualTo(1);
            jcc.enable();
            assertThat(call("branch_on", 5L)).as("ZF set by the callback: the jz is taken").isEqualTo(2);
            assertThat(call("branch_on", 0L)).isEqualTo(2);
        }
        try (Hook ret = probe(path, Kind.NATIVE, t.address("returns_7") + 5, false, "set_rax_8", null)) {
            ret.enable();
            assertThat(call("returns_7")).as("the callback's rax, then the ret").isEqualTo(8);
        }
        assertThat(call("rip_load")).isEqualTo(1234);
        assertThat(call("call_site", 5L)).isEqualTo(16);
        assertThat(call("returns_7")).isEqualTo(7);
    }

    // ---- counting, threads, exceptions ----

    @ParameterizedTest
    @EnumSource(Path.class)
    void aJavaCallbackRunsOnlyOnThreadsTheJvmKnowsAndEveryHitIsCounted(Path path) {
        AtomicLong calls = new AtomicLong();
        try (Hook probe = probe(path, Kind.JAVA, t.address("calc_wide") + 2, false, null, (a, c) -> {
            calls.incrementAndGet();
            c.set(Register.RAX, 40);
        })) {
            probe.enable();
            for (int i = 0; i < 10; i++) {
                assertThat(call("calc_wide", 1, 2)).isEqualTo(42);
            }
            assertThat(t.function("calc_wide_on_new_thread").invokeInt(new Object[] {1, 2}))
                    .as("a thread the JVM does not know runs the original, untouched").isEqualTo(3);
            assertThat(probe.hits()).isEqualTo(11);
            assertThat(probe.skippedHits()).isEqualTo(1);
            assertThat(calls.get()).isEqualTo(10);
        }
    }

    @Test
    void anExceptionInACallbackIsCountedAndReportedAndTheThreadGoesOn() {
        Thread me = Thread.currentThread();
        Thread.UncaughtExceptionHandler saved = me.getUncaughtExceptionHandler();
        AtomicReference<Throwable> reported = new AtomicReference<>();
        me.setUncaughtExceptionHandler((th, e) -> reported.set(e));
        try (Hook probe = new HookRegistry().instrument(t.address("calc_wide") + 2, (a, c) -> {
            c.set(Register.RAX, 40);
            throw new IllegalStateException("callback failed");
        })) {
            probe.enable();
            assertThat(call("calc_wide", 1, 2)).as("the change before the throw stands").isEqualTo(42);
            assertThat(probe.callbackFailures()).isEqualTo(1);
            assertThat(reported.get()).hasMessage("callback failed");
        } finally {
            me.setUncaughtExceptionHandler(saved);
        }
    }

    @Test
    void aContextUsedAfterItsCallbackSaysSo() {
        AtomicReference<HookContext> kept = new AtomicReference<>();
        try (Hook probe = new HookRegistry().instrument(t.address("calc_wide") + 2, (a, c) -> kept.set(c))) {
            probe.enable();
            call("calc_wide", 1, 2);
        }
        assertThatThrownBy(() -> kept.get().get(Register.RAX)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    @Timeout(120)
    void threadsCallingWhileTheProbeIsToggledSeeOnlyTheOriginalOrTheProbedResult(Path path) throws Exception {
        Hook probe = probe(path, Kind.NATIVE, t.address("calc_wide") + 2, false, "set_rax_40", null);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong original = new AtomicLong();
        AtomicLong probed = new AtomicLong();
        AtomicLong other = new AtomicLong();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread c = new Thread(() -> {
                while (!stop.get()) {
                    int r = call("calc_wide", 1, 2);
                    (r == 3 ? original : r == 42 ? probed : other).incrementAndGet();
                }
            }, "probe-caller-" + i);
            c.start();
            callers.add(c);
        }
        try {
            for (int i = 0; i < 100; i++) {
                probe.enable();
                Thread.sleep(1);
                probe.disable();
            }
        } finally {
            stop.set(true);
            for (Thread c : callers) {
                c.join();
            }
            probe.close();
        }
        assertThat(other.get()).as("torn results").isZero();
        assertThat(probed.get()).as("calls through the probe").isPositive();
        assertThat(original.get()).as("calls while disabled").isPositive();
        assertThat(probe.hits()).as("every probed call counted").isGreaterThanOrEqualTo(probed.get());
    }

    // ---- the program's own traps ----

    @Test
    void theProgramsOwnSigtrapHandlerStillGetsItsOwnTraps() {
        Pointer ownTraps = t.library.getGlobalVariableAddress("own_traps");
        assertThat(t.function("install_own_trap_handler").invokeInt(new Object[0])).isZero();
        long before = ownTraps.getLong(0);
        t.function("own_trap").invoke(new Object[0]);
        assertThat(ownTraps.getLong(0)).isEqualTo(before + 1);

        HookRegistry r = registry(Path.TRAP);
        try (Hook probe = r.instrument(t.address("calc_wide") + 2, t.address("set_rax_40"))) {
            probe.enable();
            assertThat(TrapTable.handlerInstalled()).isTrue();
            t.function("own_trap").invoke(new Object[0]);
            assertThat(ownTraps.getLong(0)).as("chained to the handler installed before ours").isEqualTo(before + 2);
            assertThat(call("calc_wide", 1, 2)).isEqualTo(42);

            // The program installs its handler again, over ours: the next enable puts ours back.
            assertThat(t.function("install_own_trap_handler").invokeInt(new Object[0])).isZero();
            assertThat(TrapTable.handlerInstalled()).isFalse();
            probe.disable();
            probe.enable();
            assertThat(TrapTable.handlerInstalled()).isTrue();
            assertThat(call("calc_wide", 1, 2)).isEqualTo(42);
            t.function("own_trap").invoke(new Object[0]);
            assertThat(ownTraps.getLong(0)).isEqualTo(before + 3);
        }
        t.function("own_trap").invoke(new Object[0]);
        assertThat(ownTraps.getLong(0)).as("after close too").isEqualTo(before + 4);
    }

    @Test
    void aFunctionTheLibraryDoesNotExportIsFoundInItsSymbolTable() {
        // static in probe_targets.c: in .symtab, not in .dynsym, so dlsym cannot find it
        long handler = dev.jpoline.inlinehook.symbols.Symbols.lookup(t.path.toString(), "own_trap_handler");
        Pointer ownTraps = t.library.getGlobalVariableAddress("own_traps");
        long before = ownTraps.getLong(0);
        Function.getFunction(new Pointer(handler)).invoke(new Object[] {5, Pointer.NULL, Pointer.NULL});
        assertThat(ownTraps.getLong(0)).as("the function at the address found is the handler").isEqualTo(before + 1);
        assertThatThrownBy(() -> dev.jpoline.inlinehook.symbols.Symbols.lookup(t.path.toString(), "no_such_function"))
                .isInstanceOfSatisfying(HookException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HookException.Reason.SYMBOL_NOT_FOUND);
                    assertThat(e.getMessage()).contains("nor in its symbol table");
                });
    }

    // ---- what was there ----

    @Test
    void originalBytesTellWhatAProbeOrPatchReplaced() {
        HookRegistry r = new HookRegistry();
        long wide = t.address("calc_wide");
        assertThat(r.originalBytes(wide + 2)).isEmpty();
        try (Hook probe = r.instrument(wide + 2, t.address("set_rax_40"))) {
            assertThat(r.originalBytes(wide + 2)).hasValueSatisfying(b -> assertThat(b).containsExactly(0x01, 0xF0));
            probe.enable();
            assertThat(r.originalBytes(wide + 2)).hasValueSatisfying(b -> assertThat(b).containsExactly(0x01, 0xF0));
            assertThat(r.originalBytes(wide + 3)).as("inside the add: its last byte")
                    .hasValueSatisfying(b -> assertThat(b).containsExactly(0xF0));
            assertThat(r.originalBytes(wide + 4)).hasValueSatisfying(b -> assertThat(b).containsExactly(0x90));
            assertThat(r.originalBytes(wide + 7)).as("the ret, past the jump").isEmpty();
        }
        assertThat(r.originalBytes(wide + 2)).isEmpty();
        long calc = t.address("calc") + 2;
        try (Patch patch = r.patchCode(calc, new byte[] {0x0F, (byte) 0xAF, (byte) 0xC6})) {
            assertThat(r.originalBytes(calc)).hasValueSatisfying(b -> assertThat(b).containsExactly(0x01, 0xF0));
            assertThat(r.originalBytes(calc + 2)).hasValueSatisfying(b -> assertThat(b).containsExactly(0x90));
            assertThat(patch.original()).containsExactly(0x01, 0xF0, 0x90);
        }
        assertThat(r.originalBytes(calc)).isEmpty();
    }

    @Test
    void badProbesAreRefusedOnEveryPath() {
        HookRegistry r = registry(Path.TRAP);
        long calc = t.address("calc");
        assertThatThrownBy(() -> r.instrument(calc + 1, t.address("set_rax_40")))
                .as("inside the mov").isInstanceOfSatisfying(HookException.class,
                        e -> assertThat(e.reason()).isEqualTo(HookException.Reason.NOT_CODE));
        assertThatThrownBy(() -> r.instrument(calc, (InstructionCallback) null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.instrumentNoOriginal(calc, 0)).isInstanceOf(IllegalArgumentException.class);
        try (Hook first = r.instrument(calc + 2, t.address("set_rax_40"))) {
            assertThatThrownBy(() -> new HookRegistry().instrument(calc + 2, t.address("set_rax_99")))
                    .isInstanceOfSatisfying(HookException.class,
                            e -> assertThat(e.reason()).isEqualTo(HookException.Reason.ALREADY_HOOKED));
            assertThat(first.isEnabled()).isFalse();
        }
        assertThat(r.hooks()).isEmpty();
    }
}
