package dev.jpoline.inlinehook.remote;

import java.util.Arrays;

/**
 * A stopped thread's general registers, {@code struct user_regs_struct} word for word. A copy:
 * changing it changes the thread only when written back with {@link RemoteProcess#setRegisters}.
 */
public final class Registers {
    static final int WORDS = 27;
    static final int R15 = 0, R14 = 1, R13 = 2, R12 = 3, RBP = 4, RBX = 5, R11 = 6, R10 = 7, R9 = 8, R8 = 9,
            RAX = 10, RCX = 11, RDX = 12, RSI = 13, RDI = 14, ORIG_RAX = 15, RIP = 16, CS = 17, EFLAGS = 18,
            RSP = 19, SS = 20, FS_BASE = 21;

    final long[] words;

    Registers(long[] words) {
        if (words.length != WORDS) {
            throw new IllegalArgumentException("user_regs_struct has " + WORDS + " words, not " + words.length);
        }
        this.words = words;
    }

    public Registers copy() {
        return new Registers(words.clone());
    }

    public long rip() {
        return words[RIP];
    }

    public long rsp() {
        return words[RSP];
    }

    public long rax() {
        return words[RAX];
    }

    /**
     * The syscall the thread is in or just left (-1 when none): with a -ERESTART* in rax the
     * kernel restarts it when the thread resumes, which is why injected code runs with -1 here
     * and the saved value comes back with the rest.
     */
    public long origRax() {
        return words[ORIG_RAX];
    }

    public Registers rip(long value) {
        words[RIP] = value;
        return this;
    }

    public Registers rsp(long value) {
        words[RSP] = value;
        return this;
    }

    public Registers rax(long value) {
        words[RAX] = value;
        return this;
    }

    public Registers origRax(long value) {
        words[ORIG_RAX] = value;
        return this;
    }

    /** The System V argument registers, in order: rdi, rsi, rdx, rcx, r8, r9 (r10 for a syscall's fourth). */
    Registers arguments(boolean syscall, long... args) {
        int[] order = {RDI, RSI, RDX, syscall ? R10 : RCX, R8, R9};
        if (args.length > order.length) {
            throw new IllegalArgumentException("at most 6 arguments, not " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            words[order[i]] = args[i];
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Registers r && Arrays.equals(words, r.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return String.format("rip=0x%x rsp=0x%x rax=0x%x orig_rax=%d", rip(), rsp(), rax(), origRax());
    }
}
