package dev.jpoline.inlinehook.remote;

import dev.jpoline.inlinehook.freeze.PatchStep;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The freeze of another process: the in-process protocol's write and fix-ups (docs/freeze.md,
 * step 4) applied to threads that {@link RemoteProcess#stopAll} holds in ptrace stops.
 *
 * <p>One case is remote only. A thread stopped in a syscall that the kernel will restart has its
 * rip after the syscall instruction, and the kernel moves it back two bytes on resume; when
 * those two bytes are a stolen instruction, the thread is moved to the copy of the syscall in the
 * trampoline (plus two), so the restart runs the copy and not the middle of the new jump.
 */
final class RemoteFreeze {
    private static final long ERESTARTSYS = -512, ERESTARTNOINTR = -513, ERESTARTNOHAND = -514,
            ERESTART_RESTARTBLOCK = -516;
    /** How much of a stack is searched for return addresses: the live frames, not the whole 8 MiB reserve. */
    private static final int STACK_SCAN = 1 << 20;

    private RemoteFreeze() {}

    /**
     * Writes every step and fixes up every stopped thread; returns, per step, the threads found
     * busy in its busy range or returning into it.
     */
    static int[] apply(RemoteProcess p, List<PatchStep> steps) {
        ProcessMaps maps;
        try {
            maps = ProcessMaps.read(p.pid());
        } catch (IOException e) {
            throw new RemoteException(e.getMessage(), e);
        }
        for (PatchStep s : steps) {
            if (s.bytes().length > 0) {
                MapsEntry e = maps.entryContaining(s.address());
                if (e == null || !e.contains(s.address() + s.bytes().length - 1)) {
                    throw new RemoteException(String.format("0x%x is not mapped in process %d; nothing was written",
                            s.address(), p.pid()));
                }
            }
        }
        for (PatchStep s : steps) {
            if (s.bytes().length > 0) {
                p.memory().write(s.address(), s.bytes(), 0, s.bytes().length);
            }
        }
        int[] busy = new int[steps.size()];
        for (int tid : p.tids()) {
            fixUp(p, maps, tid, steps, busy);
        }
        return busy;
    }

    private static void fixUp(RemoteProcess p, ProcessMaps maps, int tid, List<PatchStep> steps, int[] busy) {
        Registers r = p.registers(tid);
        long rip = r.rip();
        long rax = r.rax();
        boolean restarts = r.origRax() >= 0 && (rax == ERESTARTSYS || rax == ERESTARTNOINTR || rax == ERESTARTNOHAND
                || rax == ERESTART_RESTARTBLOCK);
        long resumeAt = restarts ? rip - 2 : rip;
        boolean[] counted = new boolean[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            PatchStep s = steps.get(i);
            long moved = move(s, resumeAt);
            if (moved != resumeAt) {
                resumeAt = moved;
            }
            if (resumeAt >= s.busyLo() && resumeAt < s.busyHi()) {
                busy[i]++;
                counted[i] = true;
            }
        }
        long newRip = restarts ? resumeAt + 2 : resumeAt;
        if (newRip != rip) {
            p.setRegisters(tid, r.copy().rip(newRip));
        }
        fixStack(p, maps, r.rsp(), steps, busy, counted);
    }

    /**
     * For each {lo, hi} of {@code ranges}: whether any stopped thread's rip, or a word of the live
     * part of its stack, points into it. Conservative (a stale word counts; anything unreadable
     * counts as referenced), for deciding that memory can go. The maps and every stack are read
     * once for all the ranges.
     */
    static boolean[] referenced(RemoteProcess p, List<long[]> ranges) {
        boolean[] out = new boolean[ranges.size()];
        ProcessMaps maps;
        try {
            maps = ProcessMaps.read(p.pid());
        } catch (IOException e) {
            java.util.Arrays.fill(out, true);
            return out;
        }
        for (int tid : p.tids()) {
            Registers r = p.registers(tid);
            mark(out, ranges, r.rip());
            MapsEntry stack = maps.entryContaining(r.rsp());
            long start = r.rsp() & ~7L;
            byte[] bytes = stack == null ? null : new byte[(int) Math.max(0, Math.min(stack.end() - start, STACK_SCAN))];
            try {
                if (bytes != null) {
                    p.memory().read(start, bytes, 0, bytes.length);
                }
            } catch (RuntimeException e) {
                bytes = null;
            }
            if (bytes == null) {
                java.util.Arrays.fill(out, true);
                return out;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at + 8 <= bytes.length; at += 8) {
                mark(out, ranges, b.getLong(at));
            }
        }
        return out;
    }

    private static void mark(boolean[] out, List<long[]> ranges, long address) {
        for (int i = 0; i < out.length; i++) {
            if (address >= ranges.get(i)[0] && address < ranges.get(i)[1]) {
                out[i] = true;
            }
        }
    }

    private static long move(PatchStep s, long address) {
        if (address < s.moveLo() || address >= s.moveHi()) {
            return address;
        }
        long[] from = s.moveFrom();
        for (int k = 0; k < from.length; k++) {
            if (from[k] == address) {
                return s.moveTo()[k];
            }
        }
        return address; // inside an instruction: an anomaly the in-process freeze leaves alone too
    }

    private static void fixStack(RemoteProcess p, ProcessMaps maps, long rsp, List<PatchStep> steps, int[] busy,
            boolean[] counted) {
        MapsEntry stack = maps.entryContaining(rsp);
        if (stack == null) {
            return;
        }
        long start = rsp & ~7L;
        int length = (int) Math.min(stack.end() - start, STACK_SCAN);
        if (length <= 0) {
            return;
        }
        byte[] bytes = new byte[length];
        try {
            p.memory().read(start, bytes, 0, length);
        } catch (RuntimeException e) {
            return; // a guard page or a stack unmapped meanwhile: nothing to fix there
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at + 8 <= length; at += 8) {
            long word = b.getLong(at);
            long fixed = word;
            for (int i = 0; i < steps.size(); i++) {
                PatchStep s = steps.get(i);
                long[] from = s.returnFrom();
                for (int k = 0; k < from.length; k++) {
                    if (from[k] == fixed) {
                        fixed = s.returnTo()[k];
                        break;
                    }
                }
                if (!counted[i]) {
                    for (long ret : s.busyReturns()) {
                        if (ret == fixed) {
                            busy[i]++;
                            counted[i] = true;
                            break;
                        }
                    }
                }
            }
            if (fixed != word) {
                byte[] w = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fixed).array();
                p.memory().write(start + at, w, 0, 8);
            }
        }
    }
}
