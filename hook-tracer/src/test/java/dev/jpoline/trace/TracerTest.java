package dev.jpoline.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TracerTest {
    /** An idle drain polls less and less often, but never less than every 20 ms. */
    @Test
    void anEmptyRingIsPolledAtDoublingIntervalsUpTo20Ms() {
        List<Long> parks = new ArrayList<>();
        for (long park = 200_000; parks.size() < 10; park = Tracer.nextIdlePark(park)) {
            parks.add(park);
        }
        assertThat(parks).containsExactly(200_000L, 400_000L, 800_000L, 1_600_000L, 3_200_000L, 6_400_000L,
                12_800_000L, 20_000_000L, 20_000_000L, 20_000_000L);
    }
}
