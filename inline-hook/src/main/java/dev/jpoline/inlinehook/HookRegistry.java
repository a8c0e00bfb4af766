package dev.jpoline.inlinehook;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.detour.JavaDetourGate;
import dev.jpoline.inlinehook.freeze.Freeze;
import dev.jpoline.inlinehook.freeze.FreezeResult;
import dev.jpoline.inlinehook.freeze.PatchStep;
import dev.jpoline.inlinehook.instrument.ContextStub;
import dev.jpoline.inlinehook.instrument.JavaProbeGate;
import dev.jpoline.inlinehook.instrument.ProbeRecord;
import dev.jpoline.inlinehook.instrument.TrapTable;
import dev.jpoline.inlinehook.instrument.XState;
import dev.jpoline.inlinehook.memory.CodeBlock;
import dev.jpoline.inlinehook.memory.NearMemory;
import dev.jpoline.inlinehook.relocate.BoundaryMap;
import dev.jpoline.inlinehook.relocate.Prologue;
import dev.jpoline.inlinehook.relocate.Relocation;
import dev.jpoline.inlinehook.relocate.Relocator;
import dev.jpoline.inlinehook.symbols.FunctionExtent;
import dev.jpoline.inlinehook.symbols.FunctionExtents;
import dev.jpoline.inlinehook.symbols.Symbols;
import dev.jpoline.inlinehook.write.CodeWriter;
import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntUnaryOperator;

/**
 * A thread-safe set of inline hooks. Making a hook decodes the target's function, steals whole
 * instructions at the target, relocates them into a trampoline near it and writes the jump it
 * will take, all without touching the target; every enable, disable and close then happens under
 * one stop-the-world freeze of the process ({@link Freeze}), which also moves threads caught
 * inside the stolen bytes. Queued changes ({@link #queueEnable}, {@link #queueDisable}) all take
 * effect under a single freeze in {@link #applyQueued()}.
 *
 * <p>The jump: {@code E9 rel32} to a relay slot next to the trampoline wherever memory within
 * ±2 GiB of the target can be had (functions of 5 bytes and more), else the 14-byte
 * {@code FF 25} absolute jump (functions of 14 bytes and more).
 *
 * <p>Hooks are process-wide facts: two registries cannot hook the same bytes, and all of them
 * share one lock with the freeze.
 */
public final class HookRegistry {
    /** Serializes every hook change and freeze of the process, across registries. */
    static final Object ENGINE = new Object();
    /** Live hooks of every registry: a target's bytes belong to at most one. */
    private static final List<Hook> LIVE = new ArrayList<>();
    /** Live code patches of every registry: their bytes belong to no hook nor other patch. */
    private static final List<Patch> LIVE_PATCHES = new ArrayList<>();
    /** Memory of closed hooks that a thread was still inside; retried at every later freeze. */
    private static final List<KeptAside> KEPT_ASIDE = new ArrayList<>();

    /** Relay slot at the start of a hook's block; the trampoline follows it. */
    static final int RELAY_SIZE = 32;
    /** How far a block may be from the target for an E9 jump to its relay slot. */
    private static final long NEAR_DISTANCE = (1L << 31) - (1L << 20);
    /** The largest function read in full to check for branches into the stolen bytes. */
    private static final long MAX_FUNCTION_SIZE = 16L << 20;
    /** Freezes a patch tries before giving up on a thread that keeps using the bytes it would cut. */
    private static final int PATCH_ATTEMPTS = 6;
    private static final X86Decoder DECODER = new X86Decoder();

    /** {@code keep}: what the block's code uses and must outlive it (a probe's record and callback). */
    private record KeptAside(CodeBlock block, long[] returns, Object keep) {}

    /** What the freezes of this registry did, for diagnostics and tests. */
    public record Stats(long freezes, long threadsFrozen, long ipFixups, long returnFixups, long anomalies,
            int keptAside, long lastFreezeNanos) {}

    private final Relocator relocator = new Relocator();
    private final List<Hook> hooks = new ArrayList<>();
    private final Map<Hook, Boolean> queue = new LinkedHashMap<>();
    private volatile long freezeTimeoutMillis = 2000;
    private volatile TrapPolicy trapPolicy = TrapPolicy.PROBES_ONLY;
    private volatile SavedState nativeProbeState = SavedState.ALL;
    /** Tests: the extended-state save every probe of this registry uses, whatever the CPU offers (null: the CPU's). */
    private volatile XState forcedState;
    private long freezes;
    private long threadsFrozen;
    private long ipFixups;
    private long returnFixups;
    private long anomalies;
    private long lastFreezeNanos;

    /** Whether hooks may use the 5-byte jump to a relay slot nearby (tests turn it off to reach the 14-byte path). */
    private final boolean nearJumps;

    public HookRegistry() {
        this(true);
    }

    HookRegistry(boolean nearJumps) {
        this.nearJumps = nearJumps;
    }

    /** How long a freeze waits for every thread to park before it gives up with {@code FREEZE_TIMEOUT}. */
    public void setFreezeTimeoutMillis(long millis) {
        if (millis <= 0) {
            throw new IllegalArgumentException("freeze timeout must be positive, got " + millis);
        }
        freezeTimeoutMillis = millis;
    }

    /** Where hooks and probes made from now on may use an int3 instead of a jump (default {@link TrapPolicy#PROBES_ONLY}). */
    public void setTrapPolicy(TrapPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("the trap policy is null: give NEVER, PROBES_ONLY, FALLBACK or ALWAYS");
        }
        trapPolicy = policy;
    }

    public TrapPolicy trapPolicy() {
        return trapPolicy;
    }

    void forceExtendedState(XState state) {
        forcedState = state;
    }

    /**
     * What the stubs of native-callback probes made from now on save besides the general
     * registers (default {@link SavedState#ALL}); Java-callback probes always save everything.
     */
    public void setNativeProbeState(SavedState state) {
        if (state == null) {
            throw new IllegalArgumentException("the saved state is null: give ALL, SSE or GENERAL_ONLY");
        }
        nativeProbeState = state;
    }

    // ---- making hooks ----

    /** A hook of {@code target} with a native detour (an ABI-compatible function's address). */
    public Hook create(long target, long detour) {
        if (detour == 0) {
            throw new IllegalArgumentException("the detour address is 0");
        }
        return build(target, detour, null);
    }

    /**
     * A hook of {@code target} whose detour is written in Java: a JNA callback with the target's
     * signature. It receives calls from threads the JVM already knows; calls from other threads,
     * and calls of the target from inside its own detour, run the original. Do not give a Java
     * detour to functions the JVM itself calls on its internal threads (malloc, free, pthread_*,
     * strlen, ...): see docs/inline-hooks.md.
     */
    public Hook create(long target, Callback detour) {
        if (detour == null) {
            throw new IllegalArgumentException("the detour callback is null");
        }
        return build(target, 0, detour);
    }

    /** A hook of {@code symbol} in {@code library} (a path or soname of a loaded library; null: the global lookup). */
    public Hook createBySymbol(String library, String symbol, long detour) {
        return create(Symbols.lookup(library, symbol), detour);
    }

    public Hook createBySymbol(String library, String symbol, Callback detour) {
        return create(Symbols.lookup(library, symbol), detour);
    }

    /** A hook at {@code offset} (the ELF address objdump prints) of {@code module} (a file name or path as in /proc/self/maps). */
    public Hook createAt(String module, long offset, long detour) {
        return create(Symbols.moduleAddress(module, offset), detour);
    }

    public Hook createAt(String module, long offset, Callback detour) {
        return create(Symbols.moduleAddress(module, offset), detour);
    }

    private Hook build(long target, long nativeDetour, Callback javaDetour) {
        FunctionExtent fn = functionOf(target, "hook", "a function's code", "where its function ends, and jpoline"
                + " does not guess (it could overwrite the next function); hook a function of an ELF file");
        String name = describe(fn, target);
        synchronized (ENGINE) {
            byte[] code = readFunction(fn);
            try {
                Placement p = place("hook", name, fn, code, target, count -> RELAY_SIZE);
                try {
                    return finish(name, target, p, code, fn, nativeDetour, javaDetour);
                } catch (RuntimeException e) {
                    p.block().free();
                    throw e;
                }
            } catch (HookException e) {
                throw named(e, name);
            }
        }
    }

    /**
     * How a hook or probe at {@code target} reaches its code: the stolen instructions, the block
     * ({@code headroom} bytes for a relay slot or stub, then the trampoline), and the bytes the
     * target gets: 5 (E9 to the block, within ±2 GiB), 14 (absolute jump) or 1 (int3).
     */
    private record Placement(Prologue prologue, CodeBlock block, int patchLength) {
        boolean trap() {
            return patchLength == 1;
        }
    }

    private Placement place(String verb, String name, FunctionExtent fn, byte[] code, long target,
            IntUnaryOperator headroom) {
        HookException jumpRefused = null;
        TrapPolicy policy = trapPolicy;
        if (policy != TrapPolicy.ALWAYS) {
            try {
                return placeJump(verb, name, fn, code, target, headroom);
            } catch (HookException e) {
                boolean trapAllowed = policy == TrapPolicy.FALLBACK
                        || (policy == TrapPolicy.PROBES_ONLY && !verb.equals("hook"));
                if (!trapMayHelp(e.reason()) || (!trapAllowed && (policy == TrapPolicy.NEVER
                        || e.reason() == HookException.Reason.ALREADY_HOOKED))) {
                    throw e;
                }
                if (!trapAllowed) {
                    throw new HookException(e.reason(), e.getMessage() + " (or allow a 1-byte int3, a SIGTRAP per call:"
                            + " registry.setTrapPolicy(TrapPolicy.FALLBACK))", e);
                }
                jumpRefused = e;
            }
        }
        Prologue prologue;
        try {
            prologue = relocator.steal(fn.start(), code, target, 1);
            checkFree(verb, name, target, prologue.length());
        } catch (HookException e) {
            if (jumpRefused == null || e.reason() == HookException.Reason.ALREADY_HOOKED) {
                throw e; // taken bytes are taken, whatever a jump would need
            }
            throw new HookException(jumpRefused.reason(), jumpRefused.getMessage() + "; nor can a trap replace it: "
                    + e.getMessage(), e);
        }
        int size = headroom.applyAsInt(1) + prologue.maxTrampolineSize();
        CodeBlock block = NearMemory.global().allocateNear(target, size, NEAR_DISTANCE);
        return new Placement(prologue, block != null ? block : NearMemory.global().allocateAnywhere(size), 1);
    }

    /** The jump path: the 5-byte jump to memory nearby, else the 14-byte absolute one. */
    private Placement placeJump(String verb, String name, FunctionExtent fn, byte[] code, long target,
            IntUnaryOperator headroom) {
        if (nearJumps) {
            Prologue prologue = relocator.steal(fn.start(), code, target, 5);
            checkFree(verb, name, target, prologue.length());
            // The trampoline goes near the target even for a 14-byte jump: its RIP-relative
            // operands and rel32 branches then still reach.
            int size = headroom.applyAsInt(prologue.instructionCount()) + prologue.maxTrampolineSize();
            CodeBlock block = NearMemory.global().allocateNear(target, size, NEAR_DISTANCE);
            if (block != null) {
                return new Placement(prologue, block, 5);
            }
        }
        Prologue prologue = stealForAbsoluteJump(fn, code, target);
        checkFree(verb, name, target, prologue.length());
        int size = headroom.applyAsInt(prologue.instructionCount()) + prologue.maxTrampolineSize();
        CodeBlock block = NearMemory.global().allocateNear(target, size, NEAR_DISTANCE);
        return new Placement(prologue, block != null ? block : NearMemory.global().allocateAnywhere(size), 14);
    }

    /** Refusals of a jump that a 1-byte int3 avoids: it covers one instruction and cuts no other. */
    private static boolean trapMayHelp(HookException.Reason reason) {
        return reason == HookException.Reason.PROLOGUE_TOO_SHORT || reason == HookException.Reason.BRANCH_INTO_PROLOGUE
                || reason == HookException.Reason.UNRELOCATABLE || reason == HookException.Reason.ALREADY_HOOKED;
    }

    // ---- instrument probes ----

    /**
     * A probe on the instruction at {@code address}: each time a thread reaches it, the
     * registers and flags are saved into a context, {@code callback} runs on that thread with
     * it, the registers are restored from the context with the callback's changes, and the
     * original instruction runs (relocated), unless the callback changed {@code RIP}: then
     * execution goes on there instead. A changed {@code RSP} is applied. The whole extended
     * state (x87, SSE, AVX, AVX-512) is saved around the callback.
     *
     * <p>The jump path where one fits: a 5-byte jump to a stub within ±2 GiB (else a 14-byte one),
     * over whole instructions the relocator can move, with no branch of the function into them;
     * elsewhere a 1-byte int3 whose SIGTRAP handler sends the thread to the same stub
     * ({@link TrapPolicy}; {@link Hook#usesTrap()} tells). Like other hooks, a new probe is
     * disabled. The callback runs only on threads the JVM knows, never nested in itself on one
     * thread; other hits go on as if it had changed nothing ({@link Hook#skippedHits()}).
     */
    public Hook instrument(long address, InstructionCallback callback) {
        return probe(address, 0, javaCallback(callback), false);
    }

    /** As {@link #instrument(long, InstructionCallback)}, but the original instruction is skipped unless the callback sets {@code RIP}. */
    public Hook instrumentNoOriginal(long address, InstructionCallback callback) {
        return probe(address, 0, javaCallback(callback), true);
    }

    /**
     * As {@link #instrument(long, InstructionCallback)}, with a native callback: a C function
     * {@code void f(uint64_t address, uint64_t *context)} ({@link Register} gives the layout of
     * the context's 18 words), called on every thread, inside itself too.
     */
    public Hook instrument(long address, long nativeCallback) {
        return probe(address, nativeCallback(nativeCallback), null, false);
    }

    /** As {@link #instrument(long, long)}, but the original instruction is skipped unless the callback sets {@code RIP}. */
    public Hook instrumentNoOriginal(long address, long nativeCallback) {
        return probe(address, nativeCallback(nativeCallback), null, true);
    }

    private static JavaProbe javaCallback(InstructionCallback callback) {
        if (callback == null) {
            throw new IllegalArgumentException("the instruction callback is null");
        }
        return new JavaProbe(callback);
    }

    private static long nativeCallback(long address) {
        if (address == 0) {
            throw new IllegalArgumentException("the native callback address is 0");
        }
        return address;
    }

    private Hook probe(long address, long nativeCallback, JavaProbe javaProbe, boolean skipOriginal) {
        FunctionExtent fn = functionOf(address, "instrument", "an instruction", "which function it is in");
        String name = describe(fn, address);
        synchronized (ENGINE) {
            byte[] code = readFunction(fn);
            try {
                Placement p = place("instrument", name, fn, code, address, count -> ContextStub.reserve(count - 1));
                CodeBlock block = p.block();
                try {
                    Prologue prologue = p.prologue();
                    int headroom = ContextStub.reserve(prologue.instructionCount() - 1);
                    Relocation relocation = relocator.relocate(prologue, block.address() + headroom);
                    BoundaryMap map = relocation.boundaries();
                    long trampoline = relocation.trampolineAddress();
                    long[] from = new long[map.size() - 1];
                    long[] to = new long[from.length];
                    for (int i = 1; i < map.size(); i++) {
                        from[i - 1] = address + map.originalOffset(i);
                        to[i - 1] = trampoline + map.trampolineOffset(i);
                    }
                    long resume = !skipOriginal ? trampoline
                            : trampoline + (map.size() > 1 ? map.trampolineOffset(1) : map.jumpBackOffset());
                    ProbeRecord record = javaProbe == null ? ProbeRecord.forNative()
                            : ProbeRecord.forJava(Pointer.nativeValue(CallbackReference.getFunctionPointer(javaProbe)),
                                    JavaDetourGate.javaVm());
                    long callback = javaProbe == null ? nativeCallback : JavaProbeGate.address();
                    XState saved = forcedState != null ? forcedState : javaProbe != null ? XState.cpu() : switch (nativeProbeState) {
                        case ALL -> XState.cpu();
                        case SSE -> XState.sse();
                        case GENERAL_ONLY -> XState.none();
                    };
                    ContextStub stub = ContextStub.build(block.address(), address, callback, record.address(), resume,
                            from, to, saved);
                    byte[] patch = patchBytes(p, address, block.address());
                    int at = (int) (address - fn.start());
                    byte[] original = Arrays.copyOfRange(code, at, at + patch.length);
                    block.write(0, stub.code());
                    block.write(headroom, relocation.code());
                    Hook hook = new Hook(this, address, name, relocation, block, patch, original, callback, null, null,
                            block.address() + stub.returnOffset());
                    hook.probe(record, javaProbe, skipOriginal);
                    hook.setStolen(Arrays.copyOfRange(code, at, at + prologue.length()));
                    if (p.trap()) {
                        TrapTable.set(address, block.address());
                    }
                    LIVE.add(hook);
                    hooks.add(hook);
                    return hook;
                } catch (RuntimeException e) {
                    block.free();
                    throw e;
                }
            } catch (HookException e) {
                throw named(e, "instrument", name);
            }
        }
    }

    /** What the target gets: E9 to the block, the absolute jump to {@code absolute}, or int3. */
    private static byte[] patchBytes(Placement p, long target, long absolute) {
        return switch (p.patchLength()) {
            case 5 -> CodeWriter.relativeJump(target, p.block().address());
            case 14 -> CodeWriter.absoluteJump(absolute);
            default -> new byte[] {(byte) 0xCC};
        };
    }

    /**
     * The function that holds {@code address}, for a change of kind {@code verb}: executable
     * memory of an ELF file whose extent some symbol or unwind entry gives, and not too large to
     * decode whole. {@code what} names the expected code, {@code unknown} what nothing tells.
     */
    private static FunctionExtent functionOf(long address, String verb, String what, String unknown) {
        FunctionExtents extents = FunctionExtents.global();
        if (address == 0 || !extents.isExecutable(address)) {
            throw new HookException(HookException.Reason.NOT_CODE, "cannot " + verb + " 0x" + Long.toHexString(address)
                    + ": it is not in executable memory of this process; pass the address of " + what);
        }
        FunctionExtent fn = extents.containing(address).orElseThrow(() -> new HookException(
                HookException.Reason.SIZE_UNKNOWN, "cannot " + verb + " 0x" + Long.toHexString(address)
                        + ": no ELF symbol nor unwind entry says " + unknown));
        if (fn.end() - fn.start() > MAX_FUNCTION_SIZE) {
            throw new HookException(HookException.Reason.SIZE_UNKNOWN, "cannot " + verb + " " + describe(fn, address)
                    + ": its function is " + (fn.end() - fn.start()) + " bytes long, more than jpoline decodes");
        }
        return fn;
    }

    private Prologue stealForAbsoluteJump(FunctionExtent fn, byte[] code, long target) {
        try {
            return relocator.steal(fn.start(), code, target, 14);
        } catch (HookException e) {
            if (e.reason() == HookException.Reason.PROLOGUE_TOO_SHORT && nearJumps) {
                throw new HookException(e.reason(), e.getMessage() + " (no memory could be had within ±2 GiB of it"
                        + " for a 5-byte jump, so the 14-byte absolute jump is needed)", e);
            }
            throw e;
        }
    }

    /**
     * The engine's refusal with the function named: the relocator knows addresses and bytes, the
     * registry knows which function they belong to. Refusals made here already name it.
     */
    private static HookException named(HookException e, String name) {
        return named(e, "hook", name);
    }

    /** As {@link #named(HookException, String)}, for an operation other than hooking (the relocator says "hook"). */
    private static HookException named(HookException e, String verb, String name) {
        String message = e.getMessage();
        if (message.startsWith("cannot " + verb + " " + name)) {
            return e;
        }
        if (message.startsWith("cannot hook " + name + ": ")) {
            message = message.substring(("cannot hook " + name + ": ").length());
        } else if (message.startsWith("cannot hook 0x") && message.indexOf(": ") > 0) {
            message = message.substring(message.indexOf(": ") + 2);
        }
        return new HookException(e.reason(), "cannot " + verb + " " + name + ": " + message, e);
    }

    private Hook finish(String name, long target, Placement p, byte[] code, FunctionExtent fn, long nativeDetour,
            Callback javaDetour) {
        CodeBlock block = p.block();
        Relocation relocation = relocator.relocate(p.prologue(), block.address() + RELAY_SIZE);
        JavaDetourGate gate = javaDetour == null ? null : JavaDetourGate.create(javaDetour, relocation.trampolineAddress());
        long detour = gate != null ? gate.detour() : nativeDetour;
        byte[] relay = gate != null ? gateRelay(gate) : CodeWriter.absoluteJump(detour);
        // A native detour needs no relay for the absolute jump: it reaches the detour directly.
        byte[] patch = patchBytes(p, target, gate != null ? block.address() : detour);
        int at = (int) (target - fn.start());
        byte[] original = Arrays.copyOfRange(code, at, at + patch.length);
        block.write(0, relay);
        block.write(RELAY_SIZE, relocation.code());
        Hook hook = new Hook(this, target, name, relocation, block, patch, original, detour, gate, javaDetour);
        hook.setStolen(Arrays.copyOfRange(code, at, at + p.prologue().length()));
        if (p.trap()) {
            // The relay slot: the trap handler only sets rip, the relay does the rest as for a jump.
            TrapTable.set(target, block.address());
        }
        LIVE.add(hook);
        hooks.add(hook);
        return hook;
    }

    /** movabs r11, gate record; jmp [rip+0] to the runtime's gate entry. */
    private static byte[] gateRelay(JavaDetourGate gate) {
        byte[] jump = CodeWriter.absoluteJump(JavaDetourGate.entryAddress());
        byte[] relay = new byte[10 + jump.length];
        relay[0] = 0x49;
        relay[1] = (byte) 0xBB;
        long record = gate.record();
        for (int i = 0; i < 8; i++) {
            relay[2 + i] = (byte) (record >>> (8 * i));
        }
        System.arraycopy(jump, 0, relay, 10, jump.length);
        return relay;
    }

    /** The function's bytes as they are without any hook's jump (an enabled hook's original bytes put back). */
    private static byte[] readFunction(FunctionExtent fn) {
        int size = (int) (fn.end() - fn.start());
        byte[] code = new byte[size];
        new Pointer(fn.start()).read(0, code, 0, size);
        for (Hook h : LIVE) {
            if (h.enabledState() && h.target() >= fn.start() && h.target() < fn.end()) {
                byte[] original = h.original();
                int at = (int) (h.target() - fn.start());
                System.arraycopy(original, 0, code, at, Math.min(original.length, size - at));
            }
        }
        return code;
    }

    /**
     * Refuses bytes that a live hook (the instructions it relocates) or patch of any registry
     * already holds; {@code verb} says what was asked ("hook", "instrument", "patch").
     */
    private static void checkFree(String verb, String name, long address, int length) {
        String bytes = "cannot " + verb + " " + name + ": its bytes 0x" + Long.toHexString(address) + "-0x"
                + Long.toHexString(address + length) + " overlap ";
        for (Patch p : LIVE_PATCHES) {
            if (p.address() < address + length && address < p.address() + p.length()) {
                throw new HookException(HookException.Reason.ALREADY_HOOKED, bytes + p + "; close that patch first");
            }
        }
        for (Hook h : LIVE) {
            if (h.target() < address + length && address < h.target() + h.stolenLength()) {
                throw new HookException(HookException.Reason.ALREADY_HOOKED, bytes + h
                        + " (the instructions it relocates); close that hook first"
                        + (verb.equals("hook") ? ", or hook its detour instead" : ""));
            }
        }
    }

    // ---- patching code ----

    /**
     * Replaces whole instructions at {@code address} by {@code code} (of the same length: pad
     * with nops yourself), at once under a freeze. The function around it is decoded, and the
     * patch is refused when {@code address} is not an instruction start or
     * {@code address + code.length} not an instruction end.
     *
     * <p>Where the new code cuts the old at other boundaries, a thread parked at, or returning
     * to, an old boundary inside would resume mid-instruction: a query freeze first checks that
     * no thread is there (retried a few times), then the write's freeze runs. A thread that gets
     * inside between the two freezes is not caught (docs/inline-hooks.md); the write's freeze
     * counts it in {@link Stats#anomalies()}.
     *
     * @throws HookException {@code INSTRUCTION_BOUNDARY}, {@code ALREADY_HOOKED} (a live hook or
     *         patch of any registry holds some of the bytes), {@code NOT_CODE}, {@code SIZE_UNKNOWN},
     *         {@code CODE_IN_USE} (a thread kept using the bytes), or the freeze's reasons
     */
    public Patch patchCode(long address, byte[] code) {
        if (code == null || code.length == 0) {
            throw new IllegalArgumentException("the patch's code is empty: give the bytes that replace the"
                    + " instructions at 0x" + Long.toHexString(address));
        }
        byte[] bytes = code.clone();
        FunctionExtent fn = functionOf(address, "patch", "an instruction", "which function it is in, so its"
                + " instructions cannot be decoded from the function's start");
        String name = describe(fn, address);
        long end = address + bytes.length;
        if (end > fn.end()) {
            throw new HookException(HookException.Reason.INSTRUCTION_BOUNDARY, "cannot patch " + name + ": the "
                    + bytes.length + " bytes of code would end at 0x" + Long.toHexString(end) + ", past the function's"
                    + " end at 0x" + Long.toHexString(fn.end()));
        }
        synchronized (ENGINE) {
            checkFree("patch", name, address, bytes.length);
            byte[] function = readFunction(fn);
            int at = (int) (address - fn.start());
            long[] oldInner = boundariesOf(function, fn, at, bytes.length, name);
            byte[] original = Arrays.copyOfRange(function, at, at + bytes.length);
            Patch patch = new Patch(this, address, name, bytes, original);
            replace(name, address, oldInner, bytes);
            LIVE_PATCHES.add(patch);
            return patch;
        }
    }

    /**
     * What was at {@code address} before jpoline changed the code there (sighook's
     * original_opcode): the original instruction from {@code address} to its end, when a live
     * hook, probe or patch of any registry covers the address (enabled or not); empty when none
     * does.
     */
    public Optional<byte[]> originalBytes(long address) {
        synchronized (ENGINE) {
            for (Hook h : LIVE) {
                if (address >= h.target() && address < h.target() + h.stolenLength()) {
                    return Optional.of(instructionTail(h.stolen(), h.target(), address));
                }
            }
            for (Patch p : LIVE_PATCHES) {
                if (address >= p.address() && address < p.address() + p.length()) {
                    return Optional.of(instructionTail(p.originalBytes(), p.address(), address));
                }
            }
            return Optional.empty();
        }
    }

    /** The bytes from {@code address} to the end of the instruction that holds it, in whole instructions starting at {@code base}. */
    private static byte[] instructionTail(byte[] code, long base, long address) {
        Instruction in = new Instruction();
        int off = 0;
        int at = (int) (address - base);
        while (off < code.length) {
            int len = DECODER.decode(code, off, code.length, base + off, in);
            if (!in.isValid() || off + len > at) {
                return Arrays.copyOfRange(code, at, in.isValid() ? off + len : code.length);
            }
            off += len;
        }
        return Arrays.copyOfRange(code, at, code.length);
    }

    void close(Patch patch) {
        synchronized (ENGINE) {
            if (patch.closedState()) {
                return;
            }
            long[] inner = innerBoundaries(patch.codeBytes(), patch.address());
            if (inner == null) {
                // Code that does not decode cleanly: any address inside may be where a thread is.
                inner = new long[patch.length() - 1];
                for (int i = 0; i < inner.length; i++) {
                    inner[i] = patch.address() + 1 + i;
                }
            }
            replace(patch.toString(), patch.address(), inner, patch.originalBytes());
            patch.markClosed();
            LIVE_PATCHES.remove(patch);
        }
    }

    /**
     * Writes {@code bytes} over code whose instructions end at {@code oldInner} inside it. Old
     * boundaries the new bytes keep are safe to resume at; if there are others, threads must not
     * be inside.
     */
    private void replace(String name, long address, long[] oldInner, byte[] bytes) {
        long end = address + bytes.length;
        long[] newInner = innerBoundaries(bytes, address);
        long[] cut = Arrays.stream(oldInner)
                .filter(b -> newInner == null || Arrays.binarySearch(newInner, b) < 0).toArray();
        PatchStep write = PatchStep.write(address, bytes);
        if (cut.length == 0) {
            freeze(List.of(write));
            return;
        }
        PatchStep query = PatchStep.query(address + 1, end, cut);
        int busy = 0;
        for (int attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
            busy = freeze(List.of(query)).busy()[0];
            if (busy == 0) {
                FreezeResult r = freeze(List.of(write.withBusy(address + 1, end, cut)));
                // The window between the two freezes: nothing can be undone now, so it is reported.
                anomalies += r.busy()[0];
                return;
            }
            try {
                Thread.sleep(1L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new HookException(HookException.Reason.CODE_IN_USE, "cannot patch " + name + ": " + busy
                + " thread(s) stayed inside 0x" + Long.toHexString(address) + "-0x" + Long.toHexString(end)
                + " or will return into it, at an instruction boundary the new bytes do not keep (" + hexAddresses(cut)
                + "), over " + PATCH_ATTEMPTS + " freezes; nothing was written. Retry when they have left, or write"
                + " code with the same instruction boundaries");
    }

    /**
     * The instruction ends strictly inside {@code [at, at + length)} of the function, decoding it
     * linearly from its start; refuses when {@code at} or {@code at + length} is not a boundary.
     */
    private static long[] boundariesOf(byte[] function, FunctionExtent fn, int at, int length, String name) {
        Instruction in = new Instruction();
        int off = 0;
        int limit = at + length;
        List<Long> inner = new ArrayList<>();
        while (off < limit) {
            int len = DECODER.decode(function, off, function.length, fn.start() + off, in);
            if (!in.isValid()) {
                throw new HookException(HookException.Reason.NOT_CODE, "cannot patch " + name + ": decoding its function"
                        + " from 0x" + Long.toHexString(fn.start()) + ", the bytes at 0x" + Long.toHexString(fn.start() + off)
                        + " (" + hex(function, off, Math.min(X86Decoder.MAX_LENGTH, function.length - off))
                        + ") do not decode as an instruction");
            }
            if (off < at && off + len > at) {
                throw boundary(name, "starts", fn.start() + at, function, fn.start(), off, len);
            }
            if (off < limit && off + len > limit) {
                throw boundary(name, "ends", fn.start() + limit, function, fn.start(), off, len);
            }
            off += len;
            if (off > at && off < limit) {
                inner.add(fn.start() + off);
            }
        }
        return inner.stream().mapToLong(Long::longValue).toArray();
    }

    private static HookException boundary(String name, String which, long cutAt, byte[] function, long start,
            int off, int len) {
        return new HookException(HookException.Reason.INSTRUCTION_BOUNDARY, "cannot patch " + name + ": the code "
                + which + " at 0x" + Long.toHexString(cutAt) + ", inside the instruction at 0x"
                + Long.toHexString(start + off) + " (" + hex(function, off, len) + ", 0x" + Long.toHexString(start + off)
                + "-0x" + Long.toHexString(start + off + len) + "); the code must replace whole instructions (pad"
                + " with nops)");
    }

    /** Where {@code code} at {@code address} has instruction ends strictly inside it; null if it does not decode to its end exactly. */
    private static long[] innerBoundaries(byte[] code, long address) {
        Instruction in = new Instruction();
        long[] inner = new long[code.length];
        int n = 0;
        int off = 0;
        while (off < code.length) {
            int len = DECODER.decode(code, off, code.length, address + off, in);
            if (!in.isValid()) {
                return null;
            }
            off += len;
            if (off < code.length) {
                inner[n++] = address + off;
            }
        }
        return Arrays.copyOf(inner, n);
    }

    private static String hex(byte[] bytes, int offset, int length) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes, offset, offset + length);
    }

    private static String hexAddresses(long[] addresses) {
        StringBuilder b = new StringBuilder();
        for (long a : addresses) {
            b.append(b.length() == 0 ? "" : ", ").append("0x").append(Long.toHexString(a));
        }
        return b.toString();
    }

    private static String describe(FunctionExtent fn, long target) {
        String where = " (0x" + Long.toHexString(target) + " in " + fn.file() + ")";
        if (fn.name() == null) {
            return "the function at 0x" + Long.toHexString(fn.start())
                    + (target == fn.start() ? "" : " + 0x" + Long.toHexString(target - fn.start())) + where;
        }
        return fn.name() + (target == fn.start() ? "" : "+0x" + Long.toHexString(target - fn.start())) + where;
    }

    // ---- changing hooks ----

    public void queueEnable(Hook hook) {
        queue(hook, true);
    }

    public void queueDisable(Hook hook) {
        queue(hook, false);
    }

    private void queue(Hook hook, boolean on) {
        synchronized (ENGINE) {
            owned(hook);
            queue.put(hook, on);
        }
    }

    /** Every queued change under one freeze; hooks already in their queued state are skipped. */
    public void applyQueued() {
        synchronized (ENGINE) {
            Map<Hook, Boolean> changes = new LinkedHashMap<>(queue);
            change(changes);
            queue.clear();
        }
    }

    /** Enables every hook of this registry under one freeze. */
    public void enableAll() {
        all(true);
    }

    /** Disables every hook of this registry under one freeze. */
    public void disableAll() {
        all(false);
    }

    private void all(boolean on) {
        synchronized (ENGINE) {
            Map<Hook, Boolean> changes = new LinkedHashMap<>();
            for (Hook h : hooks) {
                changes.put(h, on);
            }
            change(changes);
        }
    }

    /** This registry's live hooks. */
    public List<Hook> hooks() {
        synchronized (ENGINE) {
            return List.copyOf(hooks);
        }
    }

    public Stats stats() {
        synchronized (ENGINE) {
            return new Stats(freezes, threadsFrozen, ipFixups, returnFixups, anomalies, KEPT_ASIDE.size(),
                    lastFreezeNanos);
        }
    }

    void apply(Hook hook, boolean on) {
        synchronized (ENGINE) {
            owned(hook);
            Map<Hook, Boolean> changes = new LinkedHashMap<>();
            changes.put(hook, on);
            change(changes);
        }
    }

    private void owned(Hook hook) {
        if (hook.closedState()) {
            throw new HookException(HookException.Reason.CLOSED, hook + " is closed; create a new hook");
        }
        if (!hooks.contains(hook)) {
            throw new IllegalArgumentException(hook + " belongs to another registry");
        }
    }

    private void change(Map<Hook, Boolean> changes) {
        List<Hook> changing = new ArrayList<>();
        List<PatchStep> steps = new ArrayList<>();
        for (Map.Entry<Hook, Boolean> c : changes.entrySet()) {
            Hook h = c.getKey();
            if (h.closedState()) {
                throw new HookException(HookException.Reason.CLOSED, h + " is closed; create a new hook");
            }
            if (h.enabledState() != c.getValue()) {
                changing.add(h);
                steps.add(c.getValue() ? enableStep(h) : disableStep(h));
            }
        }
        if (steps.isEmpty()) {
            return;
        }
        if (changing.stream().anyMatch(h -> h.usesTrap() && changes.get(h))) {
            // Each time: the program may have installed its own SIGTRAP action since (chained to).
            TrapTable.install();
        }
        int keptFrom = steps.size();
        addKeptAsideQueries(steps);
        FreezeResult result = freeze(steps);
        for (Hook h : changing) {
            h.setEnabledState(changes.get(h));
        }
        releaseKeptAside(result, keptFrom);
    }

    void close(Hook hook) {
        synchronized (ENGINE) {
            if (hook.closedState()) {
                return;
            }
            List<PatchStep> steps = new ArrayList<>();
            if (hook.enabledState()) {
                steps.add(disableStep(hook));
            }
            int query = steps.size();
            steps.add(busyQuery(hook.block(), hook.busyReturns()));
            int keptFrom = steps.size();
            addKeptAsideQueries(steps);
            FreezeResult result = freeze(steps);
            hook.setEnabledState(false);
            hook.markClosed();
            LIVE.remove(hook);
            hooks.remove(hook);
            queue.remove(hook);
            releaseKeptAside(result, keptFrom);
            if (hook.usesTrap()) {
                TrapTable.close(hook.target());
            }
            if (hook.gate() != null) {
                // A Java detour may be running (Java code, its frames show no address of the
                // block) and call the original later, or a thread may be in the shared gate code
                // about to read the record: no freeze can tell, so the block stays for good
                // with the gate record (a few hundred bytes per closed Java hook).
                hook.gate().retire(hook.block());
            } else if (result.busy()[query] == 0) {
                hook.block().free();
            } else {
                KEPT_ASIDE.add(new KeptAside(hook.block(), hook.busyReturns(), hook.keepWithBlock()));
            }
        }
    }

    private FreezeResult freeze(List<PatchStep> steps) {
        FreezeResult r = Freeze.apply(steps, freezeTimeoutMillis);
        freezes++;
        threadsFrozen += r.threads();
        ipFixups += r.ipFixups();
        returnFixups += r.returnFixups();
        anomalies += r.anomalies();
        lastFreezeNanos = r.nanos();
        return r;
    }

    private static void addKeptAsideQueries(List<PatchStep> steps) {
        for (KeptAside k : KEPT_ASIDE) {
            steps.add(busyQuery(k.block(), k.returns()));
        }
    }

    private static void releaseKeptAside(FreezeResult result, int from) {
        int n = KEPT_ASIDE.size();
        for (int i = n - 1; i >= 0; i--) {
            if (result.busy()[from + i] == 0) {
                KEPT_ASIDE.remove(i).block().free();
            }
        }
    }

    /**
     * Writes the jump; a thread caught inside the stolen bytes (past the first) moves to the same
     * instruction's copy in the trampoline, and a return address just after a stolen call to the
     * relocated call's return point.
     */
    private static PatchStep enableStep(Hook h) {
        if (h.usesTrap()) {
            // One byte: no thread can be inside it, and the instruction's own bytes stay.
            return new PatchStep(h.target(), h.patch(), 0, 0, new long[0], new long[0], new long[0], new long[0], 0, 0,
                    new long[0]);
        }
        Relocation r = h.relocation();
        BoundaryMap map = r.boundaries();
        int n = map.size() - 1;
        long[] from = new long[n];
        long[] to = new long[n];
        for (int i = 1; i <= n; i++) {
            from[i - 1] = h.target() + map.originalOffset(i);
            to[i - 1] = r.trampolineAddress() + map.trampolineOffset(i);
        }
        return new PatchStep(h.target(), h.patch(), h.target() + 1, h.target() + r.stolenLength(), from, to,
                map.returnFrom(), map.returnTo(), 0, 0, new long[0]);
    }

    /**
     * Puts the original bytes back. Nothing moves: a thread inside the trampoline carries on there
     * (it stays mapped while the hook lives), and no thread can be inside the jump itself.
     */
    private static PatchStep disableStep(Hook h) {
        return new PatchStep(h.target(), h.original(), 0, 0, new long[0], new long[0], new long[0], new long[0],
                0, 0, new long[0]);
    }

    /** Writes nothing; counts the threads inside {@code block} or returning into it. */
    private static PatchStep busyQuery(CodeBlock block, long[] returns) {
        return new PatchStep(block.address(), new byte[0], 0, 0, new long[0], new long[0], new long[0], new long[0],
                block.address(), block.address() + block.size(), returns);
    }
}
