package dev.jpoline.host;

import static dev.jpoline.host.SessionLayout.JUMP_POOL_ENTRY;
import static dev.jpoline.host.SessionLayout.JUMP_POOL_HEADER_SIZE;
import static dev.jpoline.host.SessionLayout.JUMP_POOL_MAGIC;
import static dev.jpoline.host.SessionLayout.JUMP_POOL_MAGIC_OFFSET;
import static dev.jpoline.host.SessionLayout.JUMP_POOL_SIZE;
import static dev.jpoline.host.SessionLayout.JUMP_POOL_SIZE_OFFSET;
import static dev.jpoline.host.SessionLayout.JUMP_POOL_USED;
import static dev.jpoline.host.SessionLayout.JUMP_TRAMPOLINE_SIZE;

import dev.jpoline.inlinehook.patch.PatchException;
import dev.jpoline.inlinehook.patch.ProcessMemoryPatcher;
import dev.jpoline.rewriter.plan.SiteJump;
import dev.jpoline.rewriter.scan.HopFinder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Jump-patches the syscall sites of a process under Syscall User Dispatch (docs/sud.md,
 * "Jump-patched sites"), so that they cost a call instead of a SIGSYS each: per site, a
 * trampoline appended to the process's jump pool, a {@code jmp rel32} to it in the site's hop and,
 * last, {@code jmp rel8} to the hop over the site's {@code syscall}.
 *
 * <p>Runs while the process waits for the answer to its request, and only where no other thread
 * can be running the code: at start-up with one thread, and for code just mapped (HostRewriting
 * decides). A write through /proc/PID/mem is not atomic, so a site another thread executes could
 * be seen half written. The order (trampolines, then hops, then sites) means that even then a
 * thread finds the old {@code syscall}, which traps as before, or a complete path. A site whose
 * bytes, or whose hop's bytes, are not what the plan says is left trapping.
 */
final class SudJumps {
    private static final int SITE_JUMP = 2;
    private static final int PAGE = 4096;
    /** One lock per stripe of pids: the pool's allocation mark lives in the process, read and written here. */
    private static final Object[] POOL_LOCKS = new Object[64];

    static {
        for (int i = 0; i < POOL_LOCKS.length; i++) {
            POOL_LOCKS[i] = new Object();
        }
    }

    private SudJumps() {}

    /** The jump pool as its header describes it; null when the address does not hold one. */
    record Pool(long address, long used, long entry) {
        long end() {
            return address + JUMP_POOL_SIZE;
        }
    }

    static Pool readPool(ProcessMemoryPatcher memory, long address) {
        if (address == 0 || (address & (PAGE - 1)) != 0) {
            return null;
        }
        byte[] header = new byte[JUMP_POOL_HEADER_SIZE];
        try {
            memory.read(address, header, 0, header.length);
        } catch (PatchException e) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        long used = b.getLong(JUMP_POOL_USED);
        if (b.getLong(JUMP_POOL_MAGIC_OFFSET) != JUMP_POOL_MAGIC || b.getLong(JUMP_POOL_SIZE_OFFSET) != JUMP_POOL_SIZE || used < JUMP_POOL_HEADER_SIZE
                || used > JUMP_POOL_SIZE) {
            return null;
        }
        return new Pool(address, used, b.getLong(JUMP_POOL_ENTRY));
    }

    /**
     * The candidates whose site holds {@code syscall} and whose hop holds what the plan says the
     * file holds there (a site patched already, or changed by the process, is left out).
     */
    static List<SiteJump> verified(ProcessMemoryPatcher memory, List<SiteJump> candidates) {
        List<SiteJump> out = new ArrayList<>(candidates.size());
        Spans spans = new Spans(memory);
        for (SiteJump j : candidates) {
            byte[] site = spans.bytes(j.site(), SITE_JUMP);
            byte[] hop = spans.bytes(j.hop(), HopFinder.HOP_SIZE);
            if (site != null && hop != null && site[0] == 0x0f && site[1] == 0x05 && Arrays.equals(hop, j.hopOriginal())) {
                out.add(j);
            }
        }
        return out;
    }

    /**
     * The jumps that can be made: hop within a rel32 of a free trampoline slot, at most as many as
     * the pool has room for. The sites of the result must be announced before {@link #patch}.
     */
    static List<SiteJump> reachable(Pool pool, List<SiteJump> candidates) {
        List<SiteJump> out = new ArrayList<>();
        long next = pool.address() + pool.used();
        for (SiteJump j : candidates) {
            if (next + JUMP_TRAMPOLINE_SIZE > pool.end()) {
                break;
            }
            long rel = next - (j.hop() + HopFinder.HOP_SIZE);
            if (rel == (int) rel) {
                out.add(j);
                next += JUMP_TRAMPOLINE_SIZE;
            }
        }
        return out;
    }

    static Object lockFor(int pid) {
        return POOL_LOCKS[pid & (POOL_LOCKS.length - 1)];
    }

    /**
     * Takes the pool's slots for {@code jumps} (from {@link #reachable}, same pool state): the
     * mark moves past them, so that another request of the process never gets the same ones.
     */
    static void reserve(ProcessMemoryPatcher memory, Pool pool, List<SiteJump> jumps) {
        byte[] used = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(pool.used() + (long) JUMP_TRAMPOLINE_SIZE * jumps.size()).array();
        memory.write(pool.address() + JUMP_POOL_USED, used, 0, used.length);
    }

    /**
     * Writes the trampolines, hops and site jumps of {@code jumps} (verified, reachable and
     * reserved from {@code pool} as it was). Only the bytes that change are written: the rest of
     * a page may be changing under us in a process with other threads.
     */
    static int patch(ProcessMemoryPatcher memory, Pool pool, List<SiteJump> jumps) {
        if (jumps.isEmpty()) {
            return 0;
        }
        byte[] trampolines = new byte[JUMP_TRAMPOLINE_SIZE * jumps.size()];
        long first = pool.address() + pool.used();
        for (int i = 0; i < jumps.size(); i++) {
            trampoline(trampolines, JUMP_TRAMPOLINE_SIZE * i, jumps.get(i).site() + SITE_JUMP, pool.entry());
        }
        memory.write(first, trampolines, 0, trampolines.length);
        for (int i = 0; i < jumps.size(); i++) {
            SiteJump j = jumps.get(i);
            int rel = (int) (first + (long) JUMP_TRAMPOLINE_SIZE * i - (j.hop() + HopFinder.HOP_SIZE));
            byte[] hop = {(byte) 0xE9, (byte) rel, (byte) (rel >> 8), (byte) (rel >> 16), (byte) (rel >> 24)};
            memory.write(j.hop(), hop, 0, hop.length);
        }
        // Every hop is in place before any site jumps to one.
        for (SiteJump j : jumps) {
            byte[] site = {(byte) 0xEB, (byte) (j.hop() - (j.site() + SITE_JUMP))};
            memory.write(j.site(), site, 0, site.length);
        }
        return jumps.size();
    }

    /** push 24(%rip); movabs $entry, %r11; jmp *%r11; int3 x5; .quad returnAddress (session.h). */
    static void trampoline(byte[] out, int at, long returnAddress, long entry) {
        ByteBuffer b = ByteBuffer.wrap(out, at, JUMP_TRAMPOLINE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0xFF).put((byte) 0x35).putInt(24 - 6);
        b.put((byte) 0x49).put((byte) 0xBB).putLong(entry);
        b.put((byte) 0x41).put((byte) 0xFF).put((byte) 0xE3);
        for (int i = 0; i < 5; i++) {
            b.put((byte) 0xCC);
        }
        b.putLong(returnAddress);
    }

    /** The process's code, read one page at a time (a site and its hop usually share one). */
    private static final class Spans {
        private final ProcessMemoryPatcher memory;
        private final java.util.Map<Long, byte[]> pages = new java.util.HashMap<>();

        Spans(ProcessMemoryPatcher memory) {
            this.memory = memory;
        }

        /** The bytes at [address, address + n), or null where they cannot be read. */
        byte[] bytes(long address, int n) {
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                byte[] page = page((address + i) & -PAGE);
                if (page == null) {
                    return null;
                }
                out[i] = page[(int) ((address + i) & (PAGE - 1))];
            }
            return out;
        }

        private byte[] page(long page) {
            if (!pages.containsKey(page)) {
                byte[] bytes = new byte[PAGE];
                try {
                    memory.read(page, bytes, 0, PAGE);
                } catch (PatchException e) {
                    bytes = null;
                }
                pages.put(page, bytes);
            }
            return pages.get(page);
        }
    }
}
