package dev.jpoline.inlinehook.remote;

import dev.jpoline.inlinehook.remote.RemoteProcess.State;
import dev.jpoline.inlinehook.remote.RemoteProcess.Tracee;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Syscalls and function calls injected into a stopped thread of a target, with its registers
 * (general and extended) saved before and put back exactly after.
 *
 * <p>The code that runs is two stubs in a scratch page of the target: {@code syscall; int3}
 * and {@code call *%rax; int3}. The int3 brings the thread back into a SIGTRAP stop, which is
 * then suppressed: the program never sees it. The scratch page itself is mapped by the one
 * syscall that needs another home: written over the program's entry point ({@code _start},
 * which runs once, at start-up) while every thread is stopped, and put back at once.
 *
 * <p>Injected code runs with {@code orig_rax} = -1, so that the kernel's syscall restart does
 * not rewrite the registers it starts with; the thread's own saved {@code orig_rax} comes back
 * with the rest, so a syscall it was stopped in restarts as it would have.
 */
public final class RemoteCall {
    static final int PAGE = 4096;
    private static final int SYSCALL_STUB = 0;
    private static final int CALL_STUB = 16;
    private static final int DATA = 64;
    private static final byte[] SYSCALL_INT3 = {0x0f, 0x05, (byte) 0xcc};
    private static final byte[] CALL_RAX_INT3 = {(byte) 0xff, (byte) 0xd0, (byte) 0xcc};
    /** Below the red zone of the interrupted code, and room for the callee's frame. */
    private static final long STACK_GAP = 512;
    private static final int AT_ENTRY = 9;
    static final long SYS_MMAP = 9, SYS_MPROTECT = 10, SYS_MUNMAP = 11;
    static final long PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    static final long MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;

    private final RemoteProcess process;
    private final long scratch;
    private int dataUsed;

    private RemoteCall(RemoteProcess process, long scratch) {
        this.process = process;
        this.scratch = scratch;
    }

    /**
     * Maps the scratch page from thread {@code tid}. Every thread must be stopped: for one
     * syscall the program's entry point holds a syscall instruction.
     */
    public static RemoteCall bootstrap(RemoteProcess process, int tid) {
        return bootstrap(process, tid, 0);
    }

    /**
     * Maps the scratch page from thread {@code tid}, the only thread that needs to be stopped
     * when {@code gadget} is the address of a syscall instruction of the target that runs as it
     * is (see {@link #findGadget}): the thread single-steps it. With {@code gadget} 0 every
     * thread must be stopped (the entry-point write).
     */
    public static RemoteCall bootstrap(RemoteProcess process, int tid, long gadget) {
        long page = gadget != 0
                ? viaGadget(process, tid, gadget, SYS_MMAP, 0, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                : syscallAtEntryPoint(process, tid, SYS_MMAP, 0, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
        if (page < 0 && page > -4096) {
            throw new RemoteException("process " + process.pid() + " could not map a page for jpoline's calls: errno "
                    + -page);
        }
        // Written through /proc/PID/mem, which writes through the page's protection: never writable.
        process.memory().write(page + SYSCALL_STUB, SYSCALL_INT3, 0, SYSCALL_INT3.length);
        process.memory().write(page + CALL_STUB, CALL_RAX_INT3, 0, CALL_RAX_INT3.length);
        RemoteCall calls = new RemoteCall(process, page);
        calls.gadget = gadget;
        return calls;
    }

    /**
     * A {@code syscall} instruction in the text of the target's libc that is still one (a
     * process already under jpoline has them rewritten): found by decoding a few small libc
     * functions that make a syscall, never by searching bytes, so it is a whole instruction.
     * 0 when there is none (a static program, a rewritten libc).
     */
    public static long findGadget(RemoteProcess process, RemoteImages images) {
        dev.jpoline.rewriter.decode.X86Decoder decoder = new dev.jpoline.rewriter.decode.X86Decoder();
        dev.jpoline.rewriter.decode.Instruction insn = new dev.jpoline.rewriter.decode.Instruction();
        for (String name : new String[] {"syscall", "getpid", "gettid", "getppid", "sched_yield"}) {
            RemoteImages.Function fn;
            try {
                fn = images.function("libc.so.6:" + name);
            } catch (RemoteException e) {
                continue;
            }
            int length = (int) Math.min(fn.end() - fn.start(), 256);
            if (length <= 0) {
                continue;
            }
            byte[] code = new byte[length];
            try {
                process.memory().read(fn.start(), code, 0, length);
            } catch (RuntimeException e) {
                continue;
            }
            for (int at = 0; at < length; ) {
                int n = decoder.decode(code, at, length, fn.start() + at, insn);
                if (n <= 0 || !insn.isValid()) {
                    break;
                }
                if (n == 2 && code[at] == 0x0f && code[at + 1] == 0x05) {
                    return fn.start() + at;
                }
                at += n;
            }
        }
        return 0;
    }

    /** The gadget this scratch page was mapped with, for {@link #release}; 0 for the entry-point way. */
    private long gadget;

    /** One syscall by single-stepping the gadget in thread {@code tid}, nothing written anywhere. */
    static long viaGadget(RemoteProcess process, int tid, long gadget, long nr, long... args) {
        return new RemoteCall(process, 0).step(tid, gadget, nr, args);
    }

    /** Copies {@code bytes} into the scratch page's data area and returns their address there. */
    public long put(byte[] bytes) {
        int at = DATA + ((dataUsed + 15) & ~15);
        if (at + bytes.length > PAGE) {
            dataUsed = 0;
            at = DATA;
            if (at + bytes.length > PAGE) {
                throw new RemoteException("an argument of " + bytes.length + " bytes does not fit jpoline's scratch page");
            }
        }
        process.memory().write(scratch + at, bytes, 0, bytes.length);
        dataUsed = at - DATA + bytes.length;
        return scratch + at;
    }

    /**
     * Room for {@code size} bytes (at most 256) a called function may write, in the stopped
     * thread's own stack: between its red zone and the frame a call starts at (STACK_GAP
     * below rsp), which nothing else uses while the thread is held. The scratch page is never
     * writable for the target.
     */
    public long writableRoom(int tid, int size) {
        if (size > 256) {
            throw new IllegalArgumentException("at most 256 bytes, not " + size);
        }
        return (process.registers(tid).rsp() - 128 - size) & ~15L;
    }

    /** {@code string} as a NUL-terminated C string in the scratch page. */
    public long putString(String string) {
        byte[] b = string.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return put(z);
    }

    /** Runs syscall {@code nr} in thread {@code tid}; returns its raw result (-errno on failure). */
    public long syscall(int tid, long nr, long... args) {
        return run(tid, scratch + SYSCALL_STUB, scratch + SYSCALL_STUB + SYSCALL_INT3.length, true, 5000, nr, args);
    }

    /**
     * Calls {@code function(args)} in thread {@code tid} on its own stack; returns rax. Other
     * threads may run meanwhile; a signal that reaches {@code tid} is delivered to the program
     * as it would be during any call.
     */
    public long call(int tid, long function, long timeoutMillis, long... args) {
        return run(tid, scratch + CALL_STUB, scratch + CALL_STUB + CALL_RAX_INT3.length, false, timeoutMillis, function, args);
    }

    /** Reads a NUL-terminated string of the target (at most {@code max} bytes). */
    public String readString(long address, int max) {
        byte[] b = new byte[max];
        int n = 0;
        while (n < max) {
            int chunk = (int) Math.min(max - n, PAGE - ((address + n) & (PAGE - 1)));
            process.memory().read(address + n, b, n, chunk);
            for (int i = n; i < n + chunk; i++) {
                if (b[i] == 0) {
                    return new String(b, 0, i, StandardCharsets.UTF_8);
                }
            }
            n += chunk;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * Unmaps the scratch page from thread {@code tid}: nothing of the calls stays behind. Every
     * thread must be stopped, as for {@link #bootstrap}: the syscall cannot run from the page it
     * unmaps.
     */
    public void release(int tid) {
        if (gadget != 0) {
            viaGadget(process, tid, gadget, SYS_MUNMAP, scratch, PAGE);
        } else {
            syscallAtEntryPoint(process, tid, SYS_MUNMAP, scratch, PAGE);
        }
    }

    /** Single-steps the syscall at {@code at} with {@code rax} and {@code args}; registers restored after. */
    private long step(int tid, long at, long rax, long... args) {
        if (!process.quietlyStopped(tid)) {
            throw new IllegalStateException("thread " + tid + " is not in a quiet ptrace stop");
        }
        Registers saved = process.registers(tid);
        Registers r = saved.copy().rip(at).rax(rax).origRax(-1);
        r.arguments(true, args);
        process.setRegisters(tid, r);
        Tracee t = process.tracee(tid);
        t.state = State.RUNNING;
        t.interruptStop = false;
        Ptrace.INSTANCE.ptrace(Ptrace.PTRACE_SINGLESTEP, tid, 0L, 0L);
        while (true) {
            int status = process.waitRaw(tid, 5000);
            if (status == -1) {
                throw new RemoteException("a syscall jpoline made in thread " + tid + " of process " + process.pid()
                        + " did not return within 5 s");
            }
            if ((status & 0xff) != 0x7f) {
                t.state = State.GONE;
                throw new RemoteException("process " + process.pid() + " ended during a syscall jpoline made in it");
            }
            int sig = (status >> 8) & 0xff;
            int event = (status >>> 16) & 0xff;
            if (event == 0 && sig == Ptrace.SIGTRAP && process.registers(tid).rip() == at + 2) {
                break;
            }
            if (event == 0 && sig != Ptrace.SIGTRAP) {
                process.keepSignal(t, sig); // the program's signal, delivered when the thread is let go
            }
            Ptrace.INSTANCE.ptrace(Ptrace.PTRACE_SINGLESTEP, tid, 0L, 0L);
        }
        long result = process.registers(tid).rax();
        process.setRegisters(tid, saved);
        t.state = State.STOPPED;
        t.interruptStop = true;
        return result;
    }

    /**
     * One syscall from a {@code syscall; int3} written over the program's entry point for the
     * time it takes, every thread being stopped.
     */
    static long syscallAtEntryPoint(RemoteProcess process, int tid, long nr, long... args) {
        long entry = entryPoint(process.pid());
        for (int t : process.tids()) {
            long rip = process.registers(t).rip();
            if (rip >= entry && rip < entry + SYSCALL_INT3.length) {
                throw new RemoteException("thread " + t + " of process " + process.pid()
                        + " is at the program's entry point; try again once it has started");
            }
        }
        byte[] saved = new byte[SYSCALL_INT3.length];
        process.memory().read(entry, saved, 0, saved.length);
        process.memory().write(entry, SYSCALL_INT3, 0, SYSCALL_INT3.length);
        try {
            return new RemoteCall(process, 0).run(tid, entry, entry + SYSCALL_INT3.length, true, 5000, nr, args);
        } finally {
            process.memory().write(entry, saved, 0, saved.length);
        }
    }

    /**
     * One injection: {@code rax} (the syscall number or the function) and the arguments set, rip
     * at {@code start}, until the thread traps at {@code trapRip}.
     */
    private long run(int tid, long start, long trapRip, boolean syscall, long timeoutMillis, long rax, long... args) {
        if (!process.quietlyStopped(tid)) {
            throw new IllegalStateException("thread " + tid + " is not in a quiet ptrace stop");
        }
        Registers saved = process.registers(tid);
        byte[] extended = process.extendedState(tid);
        Registers r = saved.copy().rip(start).rax(rax).origRax(-1)
                .rsp(((saved.rsp() - STACK_GAP) & ~15L));
        r.arguments(syscall, args);
        process.setRegisters(tid, r);
        Tracee t = process.tracee(tid);
        t.state = State.RUNNING;
        t.interruptStop = false;
        process.continueQuietly(tid);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
            int status = process.waitRaw(tid, left);
            if (status == -1) {
                throw new RemoteException("a call jpoline made in thread " + tid + " of process " + process.pid()
                        + " did not return within " + timeoutMillis + " ms; the thread is still in it");
            }
            if ((status & 0xff) != 0x7f) {
                t.state = State.GONE;
                throw new RemoteException("process " + process.pid() + " ended during a call jpoline made in it");
            }
            int sig = (status >> 8) & 0xff;
            int event = (status >>> 16) & 0xff;
            if (event == Ptrace.PTRACE_EVENT_CLONE) {
                // The call made a thread (dlopen's constructors may): it runs on, untraced.
                process.releaseChild(t);
                process.continueQuietly(tid);
            } else if (event != 0) {
                process.continueQuietly(tid); // a late interrupt stop, or another event: carry on
            } else if (sig == Ptrace.SIGTRAP && process.registers(tid).rip() == trapRip) {
                break;
            } else if ((sig == 11 || sig == 7 || sig == 4) && insideStubs(process.registers(tid).rip())) {
                process.setRegisters(tid, saved);
                process.setExtendedState(tid, extended);
                t.state = State.STOPPED;
                t.interruptStop = true;
                throw new RemoteException("jpoline's call stub faulted in thread " + tid + " (signal " + sig
                        + "); the thread was put back as it was");
            } else {
                // The program's own signal, reaching it during the call as it would in any call.
                Ptrace.INSTANCE.ptrace(Ptrace.PTRACE_CONT, tid, 0L, sig);
            }
        }
        long result = process.registers(tid).rax();
        process.setRegisters(tid, saved);
        process.setExtendedState(tid, extended);
        t.state = State.STOPPED;
        t.interruptStop = true; // the trap is suppressed on resume; the thread is as it was
        return result;
    }

    private boolean insideStubs(long rip) {
        return scratch != 0 && rip >= scratch && rip < scratch + DATA;
    }

    /** The program's entry point (AT_ENTRY of /proc/PID/auxv). */
    static long entryPoint(int pid) {
        byte[] auxv;
        try {
            auxv = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "auxv"));
        } catch (IOException e) {
            throw new RemoteException("cannot read /proc/" + pid + "/auxv: " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(auxv).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 16) {
            long type = b.getLong();
            long value = b.getLong();
            if (type == AT_ENTRY) {
                return value;
            }
        }
        throw new RemoteException("process " + pid + " has no AT_ENTRY in its auxiliary vector");
    }
}
