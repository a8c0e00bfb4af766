package dev.jpoline.inlinehook.remote;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls of the ptrace component, and the kernel's numbers for them (x86-64).
 *
 * <p>Every ptrace request for a tracee must come from the thread that attached it: the kernel
 * makes a thread, not a process, the tracer. {@link RemoteProcess} checks that.
 */
interface Ptrace extends Library {
    Ptrace INSTANCE = Native.load(Platform.C_LIBRARY_NAME, Ptrace.class);

    long PTRACE_CONT = 7;
    long PTRACE_DETACH = 17;
    long PTRACE_SINGLESTEP = 9;
    long PTRACE_GETREGS = 12;
    long PTRACE_SETREGS = 13;
    long PTRACE_GETEVENTMSG = 0x4201;
    long PTRACE_GETREGSET = 0x4204;
    long PTRACE_SETREGSET = 0x4205;
    long PTRACE_SEIZE = 0x4206;
    long PTRACE_INTERRUPT = 0x4207;

    /** New threads are traced from their first instruction (they start in a PTRACE_EVENT_STOP). */
    long PTRACE_O_TRACECLONE = 0x8;
    int PTRACE_EVENT_CLONE = 3;
    int PTRACE_EVENT_STOP = 128;

    /** The regset of the extended state (x87, SSE, AVX, AVX-512...) in XSAVE layout. */
    long NT_X86_XSTATE = 0x202;

    int WNOHANG = 1;
    /** Wait for threads as well as processes (a tracee that is not our child). */
    int __WALL = 0x40000000;

    int SIGTRAP = 5;
    int SIGSTOP = 19;

    int ESRCH = 3;
    int EPERM = 1;

    long ptrace(long request, int pid, Pointer addr, Pointer data);

    long ptrace(long request, int pid, long addr, long data);

    int waitpid(int pid, int[] status, int options);

    int getuid();

    int tgkill(int tgid, int tid, int sig);

    /** The 27 words of {@code struct user_regs_struct}, read and written as a whole. */
    static Memory registerBuffer() {
        return new Memory(Registers.WORDS * 8L);
    }
}
