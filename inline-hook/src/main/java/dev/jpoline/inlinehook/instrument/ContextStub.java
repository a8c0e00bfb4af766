package dev.jpoline.inlinehook.instrument;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The code an instrument probe's jump (or trap) goes to. It saves every general register, the
 * flags and the probed address into a context on the stack (below the interrupted code's
 * 128-byte red zone, laid out as {@link dev.jpoline.inlinehook.Register} says), counts the hit in
 * the probe's record, calls {@code callback(address, context, record)} with the whole extended
 * state saved around it ({@link XState}), restores every register from the context and goes on:
 *
 * <ul>
 *   <li>at {@code resume} (the relocated original instruction, or the one after it for a probe
 *       without the original) when the callback left {@code RIP} as it was;
 *   <li>else at the context's {@code RIP}, translated when it is one of the instructions the jump
 *       covers (their copies in the trampoline run instead: the originals lie under the jump);
 *   <li>with the context's {@code RSP} when the callback changed it (a slower exit that builds its
 *       last frame below the new stack pointer, so that any value is safe).
 * </ul>
 *
 * <p>A trap probe reaches the stub from the runtime's SIGTRAP handler (hook_trap.c), which
 * only sets rip: the stub runs after rt_sigreturn, never inside the handler. Literals follow the
 * code; the relocated instructions start at {@link #reserve(int)} in the same block.
 */
public final class ContextStub {
    private static final int RED_ZONE = 128;
    private static final int CONTEXT = 8 * 18;
    private static final int RAX = 0;
    private static final int RBX = 8;
    private static final int RCX = 16;
    private static final int RDX = 24;
    private static final int RSI = 32;
    private static final int RDI = 40;
    private static final int RBP = 48;
    private static final int RSP = 56;
    private static final int R8 = 64;
    private static final int RIP = 8 * 16;
    private static final int RFLAGS = 8 * 17;
    /** The new-stack exit's frame below the new rsp: rdx, rcx, rbx, rax, rflags, target. */
    private static final int EXIT_FRAME = 48;
    private static final int BASE_SIZE = 1024;
    private static final int PER_TRANSLATION = 32;

    private final ByteArrayOutputStream code = new ByteArrayOutputStream();
    private final List<long[]> literals = new ArrayList<>();
    /** (position of a disp32, literal index) pairs, patched once the literals' place is known. */
    private final List<int[]> literalUses = new ArrayList<>();
    private final List<int[]> jumpUses = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private final long stub;
    private int returnOffset;

    private ContextStub(long stub) {
        this.stub = stub;
    }

    /** Bytes to keep for a stub with {@code translations} RIP translations; the relocated code follows. */
    public static int reserve(int translations) {
        return (BASE_SIZE + PER_TRANSLATION * translations + 63) & ~63;
    }

    /**
     * The stub to place at {@code stub} (with {@link #reserve(int)} bytes for it), probing
     * {@code address}. {@code from[i]} is an address the callback may set RIP to that must run at
     * {@code to[i]} instead.
     */
    public static ContextStub build(long stub, long address, long callback, long record, long resume, long[] from,
            long[] to, XState xstate) {
        ContextStub s = new ContextStub(stub);
        int addressLit = s.literal(address);
        int callbackLit = s.literal(callback);
        int recordLit = s.literal(record);
        s.emit(0x48, 0x8D, 0x64, 0x24, -RED_ZONE & 0xFF); // lea rsp, [rsp-128]: spare the red zone
        s.emit(0x9C); // pushfq
        s.rip(addressLit, 0xFF, 0x35); // push [address]: the context's RIP
        for (int r = 15; r >= 8; r--) {
            s.emit(0x41, 0x50 + r - 8); // push r15 .. r8
        }
        s.emit(0x54); // push rsp, then make it the interrupted code's rsp
        s.emit(0x48, 0x81, 0x04, 0x24);
        s.int32(RED_ZONE + 8 * 10);
        s.emit(0x55, 0x57, 0x56, 0x52, 0x51, 0x53, 0x50); // push rbp rdi rsi rdx rcx rbx rax
        s.emit(0x48, 0x89, 0xE3); // mov rbx, rsp: the context, kept across the call
        s.rip(recordLit, 0x48, 0x8B, 0x05); // mov rax, [record]
        s.emit(0xF0, 0x48, 0xFF, 0x00); // lock inc qword [rax]: the hit count
        xstate.emitSave(s);
        s.rip(addressLit, 0x48, 0x8B, 0x3D); // mov rdi, [address]
        s.emit(0x48, 0x89, 0xDE); // mov rsi, rbx
        s.rip(recordLit, 0x48, 0x8B, 0x15); // mov rdx, [record]
        s.emit(0xFC); // cld, as the ABI requires at a call
        s.rip(callbackLit, 0xFF, 0x15); // call [callback]
        s.returnOffset = s.code.size();
        xstate.emitRestore(s);
        s.emit(0x48, 0x89, 0xDC); // mov rsp, rbx

        // Where to go on. The common case, RIP and RSP as they were, leaves by a direct jump to
        // resume (no return the CPU did not see called, which it would mispredict).
        int go = s.newLabel();
        int changed = s.newLabel();
        int resumeSlowly = s.newLabel();
        s.emit(0x48, 0x8B, 0x83);
        s.int32(RIP); // mov rax, [rbx+RIP]
        s.rip(addressLit, 0x48, 0x3B, 0x05); // cmp rax, [address]
        s.jcc(0x85, changed); // jne
        s.emit(0x48, 0x8D, 0x8B);
        s.int32(CONTEXT + RED_ZONE); // lea rcx, [rbx+272]: the rsp the context was saved from
        s.emit(0x48, 0x3B, 0x4B, RSP); // cmp rcx, [rbx+RSP]
        s.jcc(0x85, resumeSlowly);
        s.emit(0x58, 0x5B, 0x59, 0x5A, 0x5E, 0x5F, 0x5D); // pop rax rbx rcx rdx rsi rdi rbp
        s.emit(0x48, 0x8D, 0x64, 0x24, 0x08); // lea rsp, [rsp+8]: over the saved rsp
        for (int r = 8; r <= 15; r++) {
            s.emit(0x41, 0x58 + r - 8); // pop r8 .. r15
        }
        s.emit(0x48, 0x8D, 0x64, 0x24, 0x08); // lea rsp, [rsp+8]: over RIP
        s.emit(0x9D); // popfq
        s.emit(0x48, 0x8D, 0xA4, 0x24);
        s.int32(RED_ZONE); // lea rsp, [rsp+128]: back above the red zone, flags untouched
        s.emit(0xE9);
        s.int32(Math.toIntExact(resume - (stub + s.code.size() + 4))); // jmp resume
        s.bind(resumeSlowly);
        s.lea(resume);
        s.jmp(go);
        s.bind(changed);
        for (int i = 0; i < from.length; i++) {
            int next = s.newLabel();
            s.rip(s.literal(from[i]), 0x48, 0x3B, 0x05); // cmp rax, [from_i]
            s.jcc(0x85, next);
            s.lea(to[i]);
            s.jmp(go);
            s.bind(next);
        }
        s.bind(go);

        // rax = the target. With rsp as it was: the target goes in the RFLAGS word and RFLAGS in
        // the RIP word, so that popfq then ret 128 restore the flags and the stack pointer
        // without a scratch register.
        int newStack = s.newLabel();
        s.emit(0x48, 0x8D, 0x8B);
        s.int32(CONTEXT + RED_ZONE); // lea rcx, [rbx+272]
        s.emit(0x48, 0x3B, 0x4B, RSP); // cmp rcx, [rbx+RSP]
        s.jcc(0x85, newStack);
        s.emit(0x48, 0x8B, 0x8B);
        s.int32(RFLAGS); // mov rcx, [rbx+RFLAGS]
        s.emit(0x48, 0x89, 0x8B);
        s.int32(RIP); // mov [rbx+RIP], rcx
        s.emit(0x48, 0x89, 0x83);
        s.int32(RFLAGS); // mov [rbx+RFLAGS], rax
        s.emit(0x58, 0x5B, 0x59, 0x5A, 0x5E, 0x5F, 0x5D); // pop rax rbx rcx rdx rsi rdi rbp
        s.emit(0x48, 0x8D, 0x64, 0x24, 0x08); // lea rsp, [rsp+8]: over the saved rsp
        for (int r = 8; r <= 15; r++) {
            s.emit(0x41, 0x58 + r - 8); // pop r8 .. r15
        }
        s.emit(0x9D); // popfq
        s.emit(0xC2, RED_ZONE, 0x00); // ret 128: to the target, rsp back above the red zone

        // The callback moved the stack pointer. The last frame (rdx, rcx, rbx, rax, rflags,
        // target) goes just below the new rsp's red zone, and may overlap the context: so the
        // context is first copied below both, and read from there.
        s.bind(newStack);
        s.emit(0x48, 0x89, 0x83);
        s.int32(RIP); // mov [rbx+RIP], rax: the target, from here on
        s.emit(0x48, 0x8B, 0x4B, RSP); // mov rcx, [rbx+RSP]
        s.emit(0x48, 0x81, 0xE9);
        s.int32(RED_ZONE + EXIT_FRAME); // sub rcx, 176: the frame
        s.emit(0x48, 0x39, 0xD9); // cmp rcx, rbx
        s.emit(0x72, 0x03); // jb: the frame is lower
        s.emit(0x48, 0x89, 0xD9); // mov rcx, rbx
        s.emit(0x48, 0x81, 0xE9);
        s.int32(CONTEXT + 16); // sub rcx, 160
        s.emit(0x48, 0x83, 0xE1, 0xF0); // and rcx, -16
        s.emit(0x48, 0x89, 0xCC); // mov rsp, rcx: the copy lies above rsp, safe from signals
        s.emit(0x48, 0x89, 0xCF); // mov rdi, rcx
        s.emit(0x48, 0x89, 0xDE); // mov rsi, rbx
        s.emit(0xB9);
        s.int32(CONTEXT / 8); // mov ecx, 18
        s.emit(0xF3, 0x48, 0xA5); // rep movsq
        s.emit(0x48, 0x8B, 0x44, 0x24, RSP); // mov rax, [rsp+RSP]
        s.emit(0x48, 0x2D);
        s.int32(RED_ZONE + EXIT_FRAME); // sub rax, 176
        int[] frame = {RDX, RCX, RBX, RAX, RFLAGS, RIP};
        for (int i = 0; i < frame.length; i++) {
            s.emit(0x48, 0x8B, 0x8C, 0x24);
            s.int32(frame[i]); // mov rcx, [rsp+word]
            s.emit(0x48, 0x89, 0x48, 8 * i); // mov [rax+8i], rcx
        }
        s.emit(0x48, 0x8B, 0x74, 0x24, RSI); // mov rsi, [rsp+RSI]
        s.emit(0x48, 0x8B, 0x7C, 0x24, RDI); // mov rdi, [rsp+RDI]
        s.emit(0x48, 0x8B, 0x6C, 0x24, RBP); // mov rbp, [rsp+RBP]
        for (int r = 8; r <= 15; r++) {
            s.emit(0x4C, 0x8B, 0x44 | (r - 8) << 3, 0x24, R8 + 8 * (r - 8)); // mov r8..r15, [rsp+word]
        }
        s.emit(0x48, 0x89, 0xC4); // mov rsp, rax
        s.emit(0x5A, 0x59, 0x5B, 0x58); // pop rdx rcx rbx rax
        s.emit(0x9D); // popfq
        s.emit(0xC2, RED_ZONE, 0x00); // ret 128: to the target, rsp = the new one
        s.finish();
        int room = reserve(from.length);
        if (s.code.size() > room) {
            throw new IllegalStateException("the stub outgrew its " + room + " bytes: " + s.code.size());
        }
        return s;
    }

    /** The stub's bytes. */
    public byte[] code() {
        return code.toByteArray();
    }

    /** Offset of the callback's return point: a thread inside the callback returns there. */
    public int returnOffset() {
        return returnOffset;
    }

    // ---- encoding ----

    void emit(int... bytes) {
        for (int b : bytes) {
            code.write(b);
        }
    }

    void int32(int v) {
        for (int i = 0; i < 4; i++) {
            code.write(v >>> (8 * i));
        }
    }

    private int literal(long value) {
        literals.add(new long[] {value});
        return literals.size() - 1;
    }

    /** An instruction whose last 4 bytes are a disp32 to literal {@code index}. */
    private void rip(int index, int... opcode) {
        emit(opcode);
        literalUses.add(new int[] {code.size(), index});
        int32(0);
    }

    /** lea rax, [rip + (absolute - next)]. */
    private void lea(long absolute) {
        emit(0x48, 0x8D, 0x05);
        int end = code.size() + 4;
        int32(Math.toIntExact(absolute - (stub + end)));
    }

    private int newLabel() {
        labels.add(-1);
        return labels.size() - 1;
    }

    private void bind(int label) {
        labels.set(label, code.size());
    }

    private void jcc(int condition, int label) {
        emit(0x0F, condition);
        jumpUses.add(new int[] {code.size(), label});
        int32(0);
    }

    private void jmp(int label) {
        emit(0xE9);
        jumpUses.add(new int[] {code.size(), label});
        int32(0);
    }

    /** Places the literals (8-aligned) after the code and patches every displacement. */
    private void finish() {
        while (code.size() % 8 != 0) {
            code.write(0xCC);
        }
        int literalsAt = code.size();
        for (long[] l : literals) {
            for (int i = 0; i < 8; i++) {
                code.write((int) (l[0] >>> (8 * i)));
            }
        }
        byte[] b = code.toByteArray();
        for (int[] use : literalUses) {
            put32(b, use[0], literalsAt + 8 * use[1] - (use[0] + 4));
        }
        for (int[] use : jumpUses) {
            put32(b, use[0], labels.get(use[1]) - (use[0] + 4));
        }
        code.reset();
        code.writeBytes(b);
    }

    private static void put32(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
