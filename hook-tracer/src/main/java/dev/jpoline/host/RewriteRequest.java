package dev.jpoline.host;

import static dev.jpoline.host.SessionLayout.*;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One request a target posted in a slot: rewrite all its code (start-up) or a range it just
 * mapped executable. The host answers through the slot, following docs/session.md: announce
 * every site, win the right to patch, patch, finish.
 */
public final class RewriteRequest {
    /** How long the host waits for a target to take one chunk of addresses. */
    static final long CHUNK_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Session session;
    private final int slot;
    private final int base;
    /**
     * Who asks and what, read once when the request is taken: the slot is shared memory the
     * requester could change under the host while it works (a program run with -u as another
     * user can write it).
     */
    private final int pid;
    private final int tid;
    private final int kind;
    private final long jumpPool;

    RewriteRequest(Session session, int slot) {
        this.session = session;
        this.slot = slot;
        this.base = slotOffset(slot);
        this.pid = session.getInt(base + SLOT_PID);
        this.tid = session.getInt(base + SLOT_TID);
        this.kind = session.getInt(base + SLOT_KIND);
        this.jumpPool = session.getLong(base + SLOT_JUMP_POOL);
    }

    /**
     * Whether the requester is a process of this session: not the host itself, and one that maps
     * this session's file (every process the runtime joined to it does; another process a forged
     * request names does not). The host writes into the requester's code as its own user, root
     * with -u: it must never do so for a process that did not join.
     */
    public boolean fromSessionMember() {
        if (pid <= 0 || pid == ProcessHandle.current().pid()) {
            return false;
        }
        String file = session.file().toString();
        try (java.io.BufferedReader maps = java.nio.file.Files.newBufferedReader(
                java.nio.file.Path.of("/proc", Integer.toString(pid), "maps"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
            for (String line; (line = maps.readLine()) != null; ) {
                if (line.endsWith(file)) {
                    return true;
                }
            }
        } catch (java.io.IOException e) {
            return false; // gone, or not readable: nothing to serve either way
        }
        return false;
    }

    public int slot() {
        return slot;
    }

    public int pid() {
        return pid;
    }

    public int tid() {
        return tid;
    }

    public int kind() {
        return kind;
    }

    /** The payload a target sent with the request (an exec'd program's path), as text. */
    public String payload() {
        int length = Math.min(session.getInt(base + SLOT_CHUNK_COUNT), SLOT_SIZE - SLOT_ADDRESSES);
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = session.getByte(base + SLOT_ADDRESSES + i);
        }
        // Printed on the host's terminal: control characters (an escape sequence) shown, not sent.
        StringBuilder text = new StringBuilder();
        new String(bytes, java.nio.charset.StandardCharsets.UTF_8).codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                text.append(String.format("\\x%02x", c));
            } else {
                text.appendCodePoint(c);
            }
        });
        return text.toString();
    }

    public boolean isStartup() {
        return kind == KIND_STARTUP;
    }

    /** The requester has no VA0 page and catches its syscalls with Syscall User Dispatch. */
    public boolean underSud() {
        return (session.getInt(base + SLOT_FLAGS) & REQUEST_FLAG_SUD) != 0;
    }

    /** Under SUD, where the requester's jump pool is (0: none); what it holds is checked before use. */
    public long jumpPool() {
        return underSud() ? jumpPool : 0;
    }

    public long rangeStart() {
        return session.getLong(base + SLOT_RANGE_START);
    }

    public long rangeEnd() {
        return session.getLong(base + SLOT_RANGE_END);
    }

    /** Thrown when the target stopped waiting (gave up, or died) while the host answered it. */
    public static final class TargetGone extends Exception {
        private static final long serialVersionUID = 1L;

        TargetGone(String message) {
            super(message);
        }
    }

    /**
     * Hands every site address to the target, in chunks, and waits until it has taken each
     * one into its site table.
     */
    public void announce(long[] sites) throws TargetGone {
        long announced = 0;
        for (int from = 0; from < sites.length; from += SLOT_CHUNK_CAPACITY) {
            int n = Math.min(SLOT_CHUNK_CAPACITY, sites.length - from);
            // Published by the release store of the count below (and the state's CAS after it).
            session.putLongsPlain(base + SLOT_ADDRESSES, sites, from, n);
            session.putInt(base + SLOT_CHUNK_COUNT, n);
            announced += n;
            session.putLong(base + SLOT_SITES_ANNOUNCED, announced);
            int current = session.getInt(base + SLOT_STATE);
            if ((current != REQUEST && current != TAKEN) || !session.compareAndSetInt(base + SLOT_STATE, current, SITES)) {
                throw gone("before taking sites");
            }
            session.wake(base + SLOT_STATE);
            awaitLeaving(SITES);
            if (session.getInt(base + SLOT_STATE) != TAKEN) {
                throw gone("while taking sites");
            }
        }
    }

    /**
     * Claims the right to patch. False when the target gave up first; then the host must not
     * touch its code, because some sites may be missing from its table.
     */
    public boolean beginPatching() {
        return session.compareAndSetInt(base + SLOT_STATE, TAKEN, PATCHING)
                || session.compareAndSetInt(base + SLOT_STATE, REQUEST, PATCHING);
    }

    /** Answers the request: {@code result} sites rewritten, or a negative errno. */
    public void finish(int result) {
        session.putInt(base + SLOT_RESULT, result);
        int current = session.getInt(base + SLOT_STATE);
        int answer = result >= 0 ? DONE : FAILED;
        if (current == ABANDONED || !session.compareAndSetInt(base + SLOT_STATE, current, answer)) {
            release();
            return;
        }
        session.wake(base + SLOT_STATE);
    }

    /** Whether the requester stopped waiting for the answer (its host timeout). */
    public boolean abandoned() {
        return session.getInt(base + SLOT_STATE) == ABANDONED;
    }

    /** Frees a slot whose target is gone or gave up. */
    void release() {
        session.putInt(base + SLOT_STATE, FREE);
        session.wake(base + SLOT_STATE);
    }

    private void awaitLeaving(int state) throws TargetGone {
        long deadline = System.nanoTime() + CHUNK_TIMEOUT_NANOS;
        while (session.getInt(base + SLOT_STATE) == state) {
            if (System.nanoTime() - deadline > 0) {
                throw gone("did not take sites within " + TimeUnit.NANOSECONDS.toSeconds(CHUNK_TIMEOUT_NANOS) + " s");
            }
            session.awaitChange(base + SLOT_STATE, state, WAIT_SLICE_NANOS);
            // Asked only once a wait ended without an answer, not before the first (the common
            // case is a target that answers at once, and the first start-up request is timed).
            if (session.getInt(base + SLOT_STATE) == state && !isAlive(pid())) {
                throw gone("exited");
            }
        }
    }

    private static boolean isAlive(int pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        return process.isPresent() && process.get().isAlive();
    }

    private TargetGone gone(String when) {
        return new TargetGone("process " + pid() + " stopped waiting " + when + " (slot state "
                + stateName(session.getInt(base + SLOT_STATE)) + ")");
    }
}
