package dev.jpoline.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class QuietTest {
    @Test
    void levelsAreStracesQQq() {
        assertThat(Quiet.level(0)).isEmpty();
        assertThat(Quiet.level(1)).containsExactlyInAnyOrder(Quiet.ATTACH, Quiet.PERSONALITY);
        assertThat(Quiet.level(2)).containsExactlyInAnyOrder(Quiet.ATTACH, Quiet.PERSONALITY, Quiet.EXIT);
        assertThat(Quiet.level(3)).isEqualTo(EnumSet.allOf(Quiet.class));
    }

    @Test
    void setsWithAliasesAndComplement() {
        assertThat(Quiet.parse("exit")).containsExactly(Quiet.EXIT);
        assertThat(Quiet.parse("exits,superseded")).containsExactlyInAnyOrder(Quiet.EXIT, Quiet.THREAD_EXECVE);
        assertThat(Quiet.parse("path-resolution,attach")).containsExactlyInAnyOrder(Quiet.PATH_RESOLUTION,
                Quiet.ATTACH);
        assertThat(Quiet.parse("all")).isEqualTo(EnumSet.allOf(Quiet.class));
        assertThat(Quiet.parse("none")).isEmpty();
        assertThat(Quiet.parse("!exit")).hasSize(Quiet.values().length - 1).doesNotContain(Quiet.EXIT);
    }

    @Test
    void anUnknownMessageIsNamed() {
        assertThatThrownBy(() -> Quiet.parse("attach,loud")).hasMessageContaining("'loud'");
    }
}
