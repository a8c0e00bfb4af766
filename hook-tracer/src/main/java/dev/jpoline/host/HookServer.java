package dev.jpoline.host;

import static dev.jpoline.host.SessionLayout.*;

import dev.jpoline.api.hooks.CallAbandonedException;
import dev.jpoline.api.hooks.HookDispatcher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Serves the HOOK tier: watches the hook doorbell, takes every posted call slot and runs the
 * hooks for it on a pool, so several target threads can be in their hooks at once and a slow
 * hook holds up only its own caller.
 */
public final class HookServer implements AutoCloseable {
    private static final long DOORBELL_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private final Session session;
    private final HookDispatcher dispatcher;
    private final Consumer<String> errors;
    /**
     * Leader/followers: one worker at a time holds the watch role; when it claims a call it
     * passes the role on and serves the call itself, so no call waits for a thread hand-off.
     * A hook's proceed can block for as long as the syscall does (a read on a pipe whose
     * writer is itself in a hook), so workers are added whenever none is left to watch; there
     * are at most about as many as call slots.
     */
    private final Semaphore watchRole = new Semaphore(1);
    private final AtomicInteger waitingForRole = new AtomicInteger();
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    public HookServer(Session session, HookDispatcher dispatcher, Consumer<String> errors) {
        this.session = session;
        this.dispatcher = dispatcher;
        this.errors = errors;
        startWorker();
    }

    private void startWorker() {
        Thread t = new Thread(this::work, "jpoline-hook-" + workers.size());
        t.setDaemon(true);
        workers.add(t);
        t.start();
    }

    private void work() {
        while (running && session.isLive()) {
            waitingForRole.incrementAndGet();
            try {
                if (!watchRole.tryAcquire(DOORBELL_SLICE_NANOS, TimeUnit.NANOSECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                waitingForRole.decrementAndGet();
            }
            int slot;
            try {
                slot = watchForCall();
                if (slot >= 0 && waitingForRole.get() == 0 && running) {
                    startWorker(); // someone must watch while this worker serves
                }
            } finally {
                watchRole.release();
            }
            if (slot >= 0) {
                serve(slot);
            }
        }
    }

    /** Claims the next posted call (spinning briefly, then sleeping on the doorbell); -1 when stopping. */
    private int watchForCall() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (running && session.isLive()) {
            int bell = session.getInt(OFF_HOOK_DOORBELL);
            for (int i = 0; i < session.callSlotCount(); i++) {
                int state = session.callSlotOffset(i) + CALL_STATE;
                // The CAS makes the slot ours: the target now waits for EXECUTE or ANSWER.
                if (session.getInt(state) == CALL_POSTED && session.compareAndSetInt(state, CALL_POSTED, CALL_WORKING)) {
                    return i;
                }
            }
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait(); // calls come in bursts: the next is likely right behind
            } else {
                session.awaitChange(OFF_HOOK_DOORBELL, bell, DOORBELL_SLICE_NANOS);
                spinUntil = System.nanoTime() + SPIN_NANOS;
            }
        }
        return -1;
    }

    private void serve(int slot) {
        SlotCall call = new SlotCall(session, slot);
        int base = session.callSlotOffset(slot);
        long value;
        try {
            value = dispatcher.dispatch(call);
        } catch (CallAbandonedException gone) {
            if (session.getInt(base + CALL_STATE) == CALL_ABANDONED) {
                session.putInt(base + CALL_STATE, CALL_FREE);
            }
            return;
        } catch (RuntimeException e) {
            errors.accept("jpoline: hooks failed for " + call.name() + " of pid " + call.pid() + ": " + e);
            value = call.result().orElse(-5);
        }
        if (call.answeredByTarget()) {
            return; // the target already freed the slot, or will when the call returns
        }
        session.putLong(base + CALL_VALUE, value);
        if (session.compareAndSetInt(base + CALL_STATE, CALL_WORKING, CALL_ANSWER)) {
            session.wake(base + CALL_STATE);
        } else {
            session.putInt(base + CALL_STATE, CALL_FREE); // the target gave up and ran it itself
        }
    }

    @Override
    public void close() {
        running = false;
        session.wake(OFF_HOOK_DOORBELL);
        for (Thread t : workers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
