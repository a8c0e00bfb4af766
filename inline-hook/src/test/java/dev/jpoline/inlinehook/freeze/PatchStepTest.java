package dev.jpoline.inlinehook.freeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PatchStepTest {
    @Test
    void factoriesFillTheRangesTheyImply() {
        PatchStep replace = PatchStep.replace(0x1000, new byte[] {1, 2, 3}, new long[] {0x1000}, new long[] {0x9000});
        assertThat(replace.moveLo()).isEqualTo(0x1000);
        assertThat(replace.moveHi()).isEqualTo(0x1003);
        assertThat(replace.returnFrom()).isEmpty();

        PatchStep query = PatchStep.query(0x2000, 0x2040, 0x2010);
        assertThat(query.bytes()).isEmpty();
        assertThat(query.busyReturns()).containsExactly(0x2010);

        PatchStep both = PatchStep.write(0x1000, new byte[] {1}).withReturns(new long[] {5}, new long[] {6})
                .withBusy(0x3000, 0x3010);
        assertThat(both.returnTo()).containsExactly(6);
        assertThat(both.busyHi()).isEqualTo(0x3010);
        assertThat(both.bytes()).containsExactly(1);
    }

    @Test
    void arraysAreCopiedInAndOut() {
        byte[] bytes = {1, 2};
        long[] from = {0x10};
        PatchStep s = PatchStep.replace(0x10, bytes, from, new long[] {0x20});
        bytes[0] = 9;
        from[0] = 9;
        assertThat(s.bytes()).containsExactly(1, 2);
        assertThat(s.moveFrom()).containsExactly(0x10);
        s.moveFrom()[0] = 7;
        assertThat(s.moveFrom()).containsExactly(0x10);
        assertThat(s).isEqualTo(PatchStep.replace(0x10, new byte[] {1, 2}, new long[] {0x10}, new long[] {0x20}));
    }

    @Test
    void refusesPlansThatDoNotAddUp() {
        assertThatThrownBy(() -> PatchStep.replace(0x10, new byte[] {1}, new long[] {1, 2}, new long[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("moveTo");
        assertThatThrownBy(() -> PatchStep.query(0, 0).withReturns(new long[] {1}, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("returnTo");
        assertThatThrownBy(() -> PatchStep.query(0x20, 0x10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ends before it starts");
        assertThatThrownBy(() -> PatchStep.write(0, new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("address");
    }
}
