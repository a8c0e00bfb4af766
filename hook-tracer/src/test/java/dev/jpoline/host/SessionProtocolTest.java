package dev.jpoline.host;

import static dev.jpoline.host.SessionLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's half of the request protocol, against a target played by a Java thread that
 * follows docs/session.md step by step (the native runtime follows the same steps in C).
 */
class SessionProtocolTest {
    @TempDir Path temp;

    /** A target's side of one request: claim, post, take every chunk, wait for the answer. */
    private static final class FakeTarget {
        final Session session;
        final List<Long> taken = new CopyOnWriteArrayList<>();
        int finalState;
        int result;

        FakeTarget(Session session) {
            this.session = session;
        }

        int claim() {
            for (int s = 0; s < session.slotCount(); s++) {
                if (session.compareAndSetInt(slotOffset(s) + SLOT_STATE, FREE, CLAIMED)) {
                    return s;
                }
            }
            throw new AssertionError("no free slot");
        }

        void post(int slot, int kind) {
            int base = slotOffset(slot);
            session.putInt(base + SLOT_PID, (int) ProcessHandle.current().pid());
            session.putInt(base + SLOT_KIND, kind);
            session.putInt(base + SLOT_STATE, REQUEST);
            session.getAndAddInt(OFF_DOORBELL, 1);
            session.wake(OFF_DOORBELL);
        }

        /** Serves the slot until DONE/FAILED; gives up (ABANDONED) after {@code giveUpAfterChunks} chunks. */
        void run(int slot, int giveUpAfterChunks) {
            int base = slotOffset(slot);
            int chunks = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                int state = session.getInt(base + SLOT_STATE);
                if (state == SITES) {
                    if (chunks == giveUpAfterChunks) {
                        session.compareAndSetInt(base + SLOT_STATE, SITES, ABANDONED);
                        session.wake(base + SLOT_STATE);
                        finalState = ABANDONED;
                        return;
                    }
                    int n = session.getInt(base + SLOT_CHUNK_COUNT);
                    for (int i = 0; i < n; i++) {
                        taken.add(session.getLong(base + SLOT_ADDRESSES + 8 * i));
                    }
                    chunks++;
                    session.putInt(base + SLOT_STATE, TAKEN);
                    session.wake(base + SLOT_STATE);
                } else if (state == DONE || state == FAILED) {
                    finalState = state;
                    result = session.getInt(base + SLOT_RESULT);
                    session.putInt(base + SLOT_STATE, FREE);
                    return;
                } else {
                    session.awaitChange(base + SLOT_STATE, state, TimeUnit.MILLISECONDS.toNanos(50));
                }
            }
            throw new AssertionError("host did not answer within 20 s; slot state " + stateName(session.getInt(base + SLOT_STATE)));
        }
    }

    @Test
    void sessionFilesOfDeadHostsAreRemovedAndOthersKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path abandoned = Files.createFile(temp.resolve("jpoline-" + gone.pid() + "-0123456789abcdef"));
        Path live = Files.createFile(temp.resolve("jpoline-" + ProcessHandle.current().pid() + "-fedcba9876543210"));
        Path unrelated = Files.createFile(temp.resolve("jpoline-notapid-1"));
        try (Session session = Session.create(temp, 4, 5000)) {
            assertThat(abandoned).doesNotExist();
            assertThat(live).exists();
            assertThat(unrelated).exists();
            assertThat(session.file()).exists();
        }
    }

    @Test
    void sessionFileIsPrivateAndCarriesTheHeader() throws Exception {
        try (Session session = Session.create(temp, 4, 5000)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(session.file()))).isEqualTo("rw-------");
            assertThat(session.getLong(OFF_MAGIC)).isEqualTo(MAGIC);
            assertThat(session.getInt(OFF_ABI_VERSION)).isEqualTo(2);
            assertThat(session.getInt(OFF_TOTAL_SIZE)).isEqualTo(totalSize(4)).isEqualTo((int) Files.size(session.file()));
            assertThat(session.getInt(OFF_HOST_PID)).isEqualTo((int) ProcessHandle.current().pid());
            assertThat(session.getInt(OFF_SLOT_COUNT)).isEqualTo(4);
            assertThat(session.getInt(OFF_WAIT_TIMEOUT_MS)).isEqualTo(5000);
            long first = session.getLong(OFF_HEARTBEAT_NS);
            Thread.sleep(3 * Session.HEARTBEAT_PERIOD_MS);
            assertThat(session.getLong(OFF_HEARTBEAT_NS)).isGreaterThan(first);
            session.setTier(39, TIER_HOOK);
            assertThat(session.tier(39)).isEqualTo(TIER_HOOK);
            assertThat(session.tier(40)).isEqualTo(TIER_PASS);
        }
    }

    @Test
    void closingStopsTheHeartbeat() throws Exception {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        Session session = Session.create(temp, 2, 5000);
        Thread beat = null;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("jpoline-heartbeat") && !before.contains(t)) {
                beat = t;
            }
        }
        assertThat(beat).as("the session's heartbeat thread").isNotNull();
        session.close();
        beat.join(5000);
        assertThat(beat.isAlive()).isFalse();
    }

    @Test
    void closingMarksTheSessionDeadAndRemovesTheFile() {
        Session session = Session.create(temp, 2, 5000);
        Path file = session.file();
        session.close();
        assertThat(session.isLive()).isFalse();
        assertThat(file).doesNotExist();
    }

    @Test
    void sitesAreAnnouncedInChunksBeforeThePatch() throws Exception {
        long[] sites = LongStream.range(0, 2 * SLOT_CHUNK_CAPACITY + 7).map(i -> 0x7f0000001000L + 16 * i).toArray();
        AtomicBoolean patched = new AtomicBoolean();
        List<Long> takenWhenPatching = new ArrayList<>();
        try (Session session = Session.create(temp, 4, 5000)) {
            FakeTarget target = new FakeTarget(session);
            try (RequestServer server = new RequestServer(session, request -> {
                try {
                    assertThat(request.isStartup()).isTrue();
                    assertThat(request.pid()).isEqualTo((int) ProcessHandle.current().pid());
                    request.announce(sites);
                    assertThat(request.beginPatching()).isTrue();
                    takenWhenPatching.addAll(target.taken);
                    patched.set(true);
                    request.finish(sites.length);
                } catch (RewriteRequest.TargetGone e) {
                    throw new AssertionError(e);
                }
            }, Throwable::printStackTrace)) {
                int slot = target.claim();
                target.post(slot, KIND_STARTUP);
                CompletableFuture.runAsync(() -> target.run(slot, Integer.MAX_VALUE)).get(30, TimeUnit.SECONDS);
            }
            assertThat(target.finalState).isEqualTo(DONE);
            assertThat(target.result).isEqualTo(sites.length);
            assertThat(patched).isTrue();
            assertThat(takenWhenPatching).containsExactlyElementsOf(LongStream.of(sites).boxed().toList());
        }
    }

    @Test
    void aTargetThatGaveUpIsNeverPatched() throws Exception {
        long[] sites = LongStream.range(0, SLOT_CHUNK_CAPACITY + 1).toArray();
        CompletableFuture<String> outcome = new CompletableFuture<>();
        try (Session session = Session.create(temp, 1, 5000)) {
            FakeTarget target = new FakeTarget(session);
            try (RequestServer server = new RequestServer(session, request -> {
                try {
                    request.announce(sites);
                    outcome.complete(request.beginPatching() ? "patched" : "not patched");
                } catch (RewriteRequest.TargetGone e) {
                    outcome.complete("gone: " + e.getMessage());
                }
                request.finish(0);
            }, Throwable::printStackTrace)) {
                int slot = target.claim();
                target.post(slot, KIND_STARTUP);
                target.run(slot, 1);
                assertThat(outcome.get(30, TimeUnit.SECONDS)).startsWith("gone: ").contains("stopped waiting");
                // The host freed the abandoned slot for the next process.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (session.getInt(slotOffset(slot) + SLOT_STATE) != FREE && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(session.getInt(slotOffset(slot) + SLOT_STATE)).isEqualTo(FREE);
            }
            assertThat(target.finalState).isEqualTo(ABANDONED);
        }
    }

    @Test
    void aFailingHandlerAnswersFailedWithEio() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        try (Session session = Session.create(temp, 2, 5000)) {
            FakeTarget target = new FakeTarget(session);
            try (RequestServer server = new RequestServer(session, request -> {
                throw new IllegalStateException("plan failed");
            }, reported::add)) {
                int slot = target.claim();
                target.post(slot, KIND_MAPPING);
                target.run(slot, Integer.MAX_VALUE);
            }
            assertThat(target.finalState).isEqualTo(FAILED);
            assertThat(target.result).isEqualTo(-5);
            assertThat(reported).singleElement().extracting(Throwable::getMessage).isEqualTo("plan failed");
        }
    }
}
