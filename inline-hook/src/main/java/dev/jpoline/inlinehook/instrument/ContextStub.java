package dev.jpoline.inlinehook.instrument;

import java.io.ByteArrayOutputStream;

/**
 * The code an instrument probe's jump goes to. It saves every general register, the flags and
 * the probed address into a context on the stack (below the interrupted code's 128-byte red
 * zone, laid out as {@link dev.jpoline.inlinehook.Register} says), calls
 * {@code callback(address, context)} with the SSE/x87 state saved around it (fxsave64), restores
 * every register from the context, and goes on at the relocated instruction(s), or at the
 * context's {@code RIP} when the callback changed it. A change of {@code RSP} is not applied.
 *
 * <p>The stub's address literals follow its code; the relocated instructions start at
 * {@link #SIZE} in the same block.
 */
public final class ContextStub {
    /** Bytes the stub takes at the start of its block (code, then two literals). */
    public static final int SIZE = 256;

    private static final int RED_ZONE = 128;
    private static final int RIP = 8 * 16;
    private static final int RFLAGS = 8 * 17;
    /** Where the stub's code keeps the probed address and the callback. */
    private static final int ADDRESS_LITERAL = SIZE - 16;
    private static final int CALLBACK_LITERAL = SIZE - 8;

    private final ByteArrayOutputStream code = new ByteArrayOutputStream();
    private int returnOffset;

    private ContextStub() {
    }

    /**
     * The stub to place at {@code stub}, probing {@code address}, calling {@code callback}, and
     * going on at {@code relocated} (the relocated instructions) when the callback leaves RIP.
     */
    public static ContextStub build(long stub, long address, long callback, long relocated) {
        ContextStub s = new ContextStub();
        s.emit(0x48, 0x8D, 0x64, 0x24, -RED_ZONE & 0xFF); // lea rsp, [rsp-128]: spare the red zone
        s.emit(0x9C); // pushfq
        s.ripRelative(ADDRESS_LITERAL, 0xFF, 0x35); // push [address]: the context's RIP
        for (int r = 15; r >= 8; r--) {
            s.emit(0x41, 0x50 + r - 8); // push r15 .. r8
        }
        s.emit(0x54); // push rsp, then make it the interrupted code's rsp
        s.emit(0x48, 0x81, 0x04, 0x24);
        s.int32(RED_ZONE + 8 * 10);
        s.emit(0x55, 0x57, 0x56, 0x52, 0x51, 0x53, 0x50); // push rbp rdi rsi rdx rcx rbx rax
        s.emit(0x48, 0x89, 0xE3); // mov rbx, rsp: the context, kept across the call
        s.emit(0x48, 0x89, 0xE6); // mov rsi, rsp
        s.ripRelative(ADDRESS_LITERAL, 0x48, 0x8B, 0x3D); // mov rdi, [address]
        s.emit(0x48, 0x83, 0xE4, 0xF0); // and rsp, -16: the ABI's alignment at the call
        s.emit(0x48, 0x81, 0xEC);
        s.int32(512); // sub rsp, 512
        s.emit(0x48, 0x0F, 0xAE, 0x04, 0x24); // fxsave64 [rsp]: the callback may use xmm registers
        s.emit(0xFC); // cld, as the ABI requires at a call
        s.ripRelative(CALLBACK_LITERAL, 0xFF, 0x15); // call [callback]
        s.returnOffset = s.code.size();
        s.emit(0x48, 0x0F, 0xAE, 0x0C, 0x24); // fxrstor64 [rsp]
        s.emit(0x48, 0x89, 0xDC); // mov rsp, rbx
        // Where to go on: the relocated code if RIP is unchanged, else the callback's RIP. The
        // target goes in the RFLAGS word and RFLAGS in the RIP word, so that popfq then
        // ret 128 restore the flags and the stack pointer without a scratch register.
        s.emit(0x48, 0x8B, 0x83);
        s.int32(RIP); // mov rax, [rbx+RIP]
        s.ripRelative(ADDRESS_LITERAL, 0x48, 0x3B, 0x05); // cmp rax, [address]
        s.emit(0x75, 0x07); // jne over the lea
        s.code.write(0x48);
        s.code.write(0x8D);
        s.code.write(0x05);
        s.int32((int) (relocated - (stub + s.code.size() + 4))); // lea rax, [relocated]
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
        if (s.code.size() > ADDRESS_LITERAL) {
            throw new IllegalStateException("the stub outgrew its " + SIZE + " bytes");
        }
        while (s.code.size() < ADDRESS_LITERAL) {
            s.code.write(0xCC);
        }
        s.int64(address);
        s.int64(callback);
        return s;
    }

    /** The stub's bytes, {@link #SIZE} of them. */
    public byte[] code() {
        return code.toByteArray();
    }

    /** Offset of the callback's return point: a thread inside the callback returns there. */
    public int returnOffset() {
        return returnOffset;
    }

    private void emit(int... bytes) {
        for (int b : bytes) {
            code.write(b);
        }
    }

    /** An instruction whose last 4 bytes are a disp32 to the literal at {@code literal}. */
    private void ripRelative(int literal, int... opcode) {
        emit(opcode);
        int end = code.size() + 4;
        int32(literal - end);
    }

    private void int32(int v) {
        for (int i = 0; i < 4; i++) {
            code.write(v >>> (8 * i));
        }
    }

    private void int64(long v) {
        for (int i = 0; i < 8; i++) {
            code.write((int) (v >>> (8 * i)));
        }
    }
}
