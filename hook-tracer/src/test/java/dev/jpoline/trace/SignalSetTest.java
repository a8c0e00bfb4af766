package dev.jpoline.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SignalSetTest {
    private static int[] members(SignalSet s) {
        return IntStream.rangeClosed(1, 64).filter(s::contains).toArray();
    }

    @Test
    void namesNumbersAndCaseAsStraceReadsThem() {
        assertThat(members(SignalSet.parse("SIGUSR1"))).containsExactly(10);
        assertThat(members(SignalSet.parse("usr1,Term,2"))).containsExactly(2, 10, 15);
        assertThat(members(SignalSet.parse("io"))).containsExactly(29);
        assertThat(members(SignalSet.parse("64"))).containsExactly(64);
        assertThat(members(SignalSet.parse("SIGRTMIN+1"))).containsExactly(33);
    }

    @Test
    void allNoneAndComplements() {
        assertThat(members(SignalSet.parse("all"))).hasSize(64);
        assertThat(members(SignalSet.all())).hasSize(64);
        assertThat(members(SignalSet.parse("none"))).isEmpty();
        assertThat(members(SignalSet.parse("!all"))).isEmpty();
        assertThat(members(SignalSet.parse("!none"))).hasSize(64);
        int[] notIo = members(SignalSet.parse("!SIGIO"));
        assertThat(notIo).hasSize(63).doesNotContain(29).contains(1, 64);
        assertThat(members(SignalSet.parse("!64"))).hasSize(63).doesNotContain(64);
        assertThat(SignalSet.all().contains(0)).isFalse();
        assertThat(SignalSet.all().contains(65)).isFalse();
    }

    @Test
    void badMembersAreNamed() {
        assertThatThrownBy(() -> SignalSet.parse("SIGNOPE")).hasMessageContaining("'SIGNOPE' is not a signal");
        assertThatThrownBy(() -> SignalSet.parse("0")).hasMessageContaining("'0'");
        assertThatThrownBy(() -> SignalSet.parse("65")).hasMessageContaining("'65'");
        assertThatThrownBy(() -> SignalSet.parse("")).hasMessageContaining("needs a set");
        assertThatThrownBy(() -> SignalSet.parse("usr1,")).hasMessageContaining("''");
    }
}
