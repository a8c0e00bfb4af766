package dev.jpoline.host;

import static dev.jpoline.host.SessionLayout.*;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches a session's doorbell and hands every posted request to a handler on a small pool,
 * so one slow rewrite (a large library planned cold) holds up only its own process.
 */
public final class RequestServer implements AutoCloseable {
    private static final long DOORBELL_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Session session;
    private final Consumer<RewriteRequest> handler;
    private final Consumer<Throwable> errors;
    private final ExecutorService workers;
    private final Set<Integer> inProgress = ConcurrentHashMap.newKeySet();
    private final Thread watcher;
    private volatile boolean running = true;

    /**
     * @param handler answers a request (it must call {@code finish}); exceptions it throws are
     *     passed to {@code errors} and the request is answered as failed
     */
    public RequestServer(Session session, Consumer<RewriteRequest> handler, Consumer<Throwable> errors) {
        this.session = session;
        this.handler = handler;
        this.errors = errors;
        this.workers = Executors.newFixedThreadPool(2, new Daemons());
        this.watcher = new Thread(new Watcher(this), "jpoline-doorbell");
        this.watcher.setDaemon(true);
        this.watcher.start();
    }

    /*
     * Named classes rather than lambdas: this is set up while the program is about to start and
     * runs its first request while the program waits, where each first-run lambda would spin a
     * class unless the CDS archive has it.
     */

    private static final class Daemons implements ThreadFactory {
        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "jpoline-rewrite");
            t.setDaemon(true);
            return t;
        }
    }

    private static final class Watcher implements Runnable {
        private final RequestServer server;

        Watcher(RequestServer server) {
            this.server = server;
        }

        @Override
        public void run() {
            server.watch();
        }
    }

    private static final class Serve implements Runnable {
        private final RequestServer server;
        private final int slot;

        Serve(RequestServer server, int slot) {
            this.server = server;
            this.slot = slot;
        }

        @Override
        public void run() {
            server.serve(slot);
        }
    }

    private void watch() {
        while (running && session.isLive()) {
            int bell = session.getInt(OFF_DOORBELL);
            for (int s = 0; s < session.slotCount(); s++) {
                if (session.getInt(slotOffset(s) + SLOT_STATE) == REQUEST && inProgress.add(s)) {
                    workers.execute(new Serve(this, s));
                }
            }
            session.awaitChange(OFF_DOORBELL, bell, DOORBELL_SLICE_NANOS);
        }
    }

    private void serve(int slot) {
        RewriteRequest request = new RewriteRequest(session, slot);
        try {
            handler.accept(request);
        } catch (Throwable t) {
            errors.accept(t);
            request.finish(-5); // EIO: the target runs on, its code as the host left it
        } finally {
            inProgress.remove(slot);
        }
    }

    @Override
    public void close() {
        running = false;
        // Ring the bell as a target does: a wake alone is lost if the watcher is between reading
        // the bell and sleeping on it, and then it sleeps a whole slice.
        session.getAndAddInt(OFF_DOORBELL, 1);
        session.wake(OFF_DOORBELL);
        workers.shutdown();
        try {
            watcher.join(TimeUnit.SECONDS.toMillis(2));
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }
}
