package dev.jpoline.trace.ring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.trace.format.TraceRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the drain decodes in place reads exactly as the copied record merged with itself. */
class RecordViewTest {
    @TempDir
    Path temp;

    /** Records with every payload shape: none, several, split entry+exit copies, elements, truncation. */
    static List<RingRecord> records(long seed, int count) {
        Random rnd = new Random(seed);
        List<RingRecord> list = new ArrayList<>();
        RingRecord.Kind[] kinds = RingRecord.Kind.values();
        for (int i = 0; i < count; i++) {
            long[] args = new long[6];
            for (int k = 0; k < 6; k++) {
                args[k] = rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(100);
            }
            List<RingRecord.Part> parts = new ArrayList<>();
            int n = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(6);
            for (int k = 0; k < n; k++) {
                byte[] b = new byte[rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(300)];
                rnd.nextBytes(b);
                int element = rnd.nextInt(5) == 0 ? rnd.nextInt(4) : -1;
                parts.add(new RingRecord.Part(rnd.nextInt(6), rnd.nextBoolean(), element, b, rnd.nextInt(5) == 0));
            }
            if (rnd.nextInt(4) == 0) {
                // a value-result field: the same argument at entry and at exit
                parts.add(new RingRecord.Part(2, true, -1, new byte[] {16, 0, 0, 0}, false));
                parts.add(new RingRecord.Part(2, false, -1, new byte[] {28, 0, 0, 0}, false));
            }
            long entry = rnd.nextBoolean() ? 0 : 1_700_000_000_000_000_000L + rnd.nextInt();
            list.add(new RingRecord(i % 7 == 0 ? kinds[rnd.nextInt(kinds.length)] : RingRecord.Kind.FULL,
                    5_000_000 + rnd.nextInt(3), rnd.nextInt(10) == 0 ? 0 : 5_000_000 + rnd.nextInt(5),
                    rnd.nextInt(10) == 0 ? -1 - rnd.nextInt(5) : rnd.nextInt(460), rnd.nextBoolean(), args,
                    rnd.nextInt(3) == 0 ? -rnd.nextInt(140) : rnd.nextLong(), entry,
                    entry == 0 ? 0 : entry + rnd.nextInt(1000), parts));
        }
        return list;
    }

    @Test
    void aCallDrainsAtMostOneBatchAndTheNextGoesOnWhereItStopped() {
        List<RingRecord> records = records(3, 2 * TraceRing.BATCH + 5);
        List<Integer> batches = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try (RingFixture ring = new RingFixture(temp, 1 << 20)) {
            for (RingRecord r : records) {
                assertThat(ring.put(r)).isTrue();
            }
            TraceRing drain = new TraceRing(ring.session(), w -> { });
            for (int n; (n = drain.drain(v -> seen.add(describe(v.kind(), v, v.ringTid())), false)) > 0; ) {
                batches.add(n);
            }
            assertThat(drain.empty()).isTrue();
        }
        assertThat(batches).containsExactly(TraceRing.BATCH, TraceRing.BATCH, 5);
        assertThat(seen).containsExactlyElementsOf(
                records.stream().map(r -> describe(r.kind(), RingRecord.merge(r, r), r.tid())).toList());
    }

    @Test
    void aViewReadsAsTheRecordMergedWithItself() {
        List<RingRecord> records = records(1, 3000);
        List<String> seen = new ArrayList<>();
        try (RingFixture ring = new RingFixture(temp, 1 << 20)) {
            TraceRing drain = new TraceRing(ring.session(), w -> { });
            int next = 0;
            while (next < records.size()) {
                while (next < records.size() && ring.put(records.get(next))) {
                    next++;
                }
                while (drain.drain(v -> {
                    RingRecord copy = v.toRecord();
                    seen.add(describe(copy.kind(), RingRecord.merge(copy, copy), copy.tid()));
                    assertThat(describe(v.kind(), v, v.ringTid())).isEqualTo(seen.get(seen.size() - 1));
                }, false) > 0) {
                    // a call drains at most one batch
                }
            }
        }
        List<String> expected = new ArrayList<>();
        for (RingRecord r : records) {
            expected.add(describe(r.kind(), RingRecord.merge(r, r), r.tid()));
        }
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void aSmallRingWrapsWhileAProducerRunsAndLosesNothing() throws Exception {
        produceAndDrain(records(2, 20_000).stream().filter(r -> RingFixture.size(r.parts()) <= 2048).toList());
    }

    @Test
    void recordsOfAlmostTheRingsSizeToo() throws Exception {
        // Small records, then one of 3 KiB: most reservations wait for room and many wrap.
        List<RingRecord> records = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            List<RingRecord.Part> parts = i % 9 == 8
                    ? List.of(new RingRecord.Part(1, true, -1, new byte[3000 + i % 100], false)) : List.of();
            records.add(new RingRecord(RingRecord.Kind.FULL, 5_000_000, 5_000_000, i % 400, true, new long[6], i, 0,
                    0, parts));
        }
        produceAndDrain(records);
    }

    private void produceAndDrain(List<RingRecord> records) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<String> seen = new ArrayList<>();
        try (RingFixture ring = new RingFixture(temp, 4096)) {
            Thread producer = new Thread(() -> {
                try {
                    for (RingRecord r : records) {
                        ring.putReserving(r);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            producer.setDaemon(true);
            producer.start();
            TraceRing drain = new TraceRing(ring.session(), w -> failure.set(new AssertionError(w)));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (seen.size() < records.size() && System.nanoTime() < deadline && failure.get() == null) {
                drain.drain(v -> seen.add(describe(v.kind(), v, v.ringTid())), false);
            }
            producer.join(1000);
        }
        assertThat(failure.get()).isNull();
        List<String> expected = new ArrayList<>();
        for (RingRecord r : records) {
            expected.add(describe(r.kind(), RingRecord.merge(r, r), r.tid()));
        }
        assertThat(seen).isEqualTo(expected);
    }

    /** Everything a formatter can read of a record, as text. */
    static String describe(RingRecord.Kind kind, TraceRecord r, int ringTid) {
        StringBuilder sb = new StringBuilder().append(kind).append(' ').append(r.pid()).append(' ').append(r.tid())
                .append(' ').append(ringTid).append(' ').append(r.number()).append(' ').append(r.hasReturn())
                .append(' ').append(r.returnValue()).append(' ').append(r.entryNanos()).append(' ')
                .append(r.exitNanos());
        for (int i = 0; i < 6; i++) {
            sb.append(' ').append(r.arg(i));
        }
        for (int i = -1; i < 8; i++) {
            sb.append(" p").append(i).append('=').append(r.payload(i).map(p -> p + java.util.HexFormat.of()
                    .formatHex(p.bytes())).orElse("-"));
            assertThat(r.payloadOrNull(i)).isEqualTo(r.payload(i).orElse(null));
            for (int e = -1; e < 5; e++) {
                r.elementPayload(i, e).ifPresent(p -> sb.append(" e=").append(p)
                        .append(java.util.HexFormat.of().formatHex(p.bytes())));
            }
        }
        return sb.toString();
    }
}
