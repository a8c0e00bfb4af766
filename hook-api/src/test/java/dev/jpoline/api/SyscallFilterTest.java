package dev.jpoline.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyscallFilterTest {
    private static int nr(String name) {
        return SyscallTable.x86_64().numberOf(name);
    }

    @Test
    void namesAndClassesUnite() {
        SyscallFilter f = SyscallFilter.parse("openat,close,%network");
        assertThat(f.contains(nr("openat"))).isTrue();
        assertThat(f.contains(nr("close"))).isTrue();
        assertThat(f.contains(nr("connect"))).isTrue();
        assertThat(f.contains(nr("read"))).isFalse();
        assertThat(f.contains(500)).as("unknown numbers are not named").isFalse();
    }

    @Test
    void negationTakesTheComplementOfTheWholeList() {
        SyscallFilter f = SyscallFilter.parse("!read,write");
        assertThat(f.contains(nr("read"))).isFalse();
        assertThat(f.contains(nr("write"))).isFalse();
        assertThat(f.contains(nr("openat"))).isTrue();
        assertThat(f.contains(500)).isTrue();
        assertThat(SyscallFilter.parse("!all").numbers()).isEmpty();
    }

    @Test
    void regexAllNoneAndOptionalElements() {
        SyscallFilter sched = SyscallFilter.parse("/^sched_get");
        assertThat(Arrays.stream(sched.numbers()).mapToObj(n -> SyscallTable.x86_64().nameOf(n)))
                .containsExactly("sched_getparam", "sched_getscheduler", "sched_get_priority_max",
                        "sched_get_priority_min", "sched_getaffinity", "sched_getattr");
        assertThat(SyscallFilter.all().contains(500)).isTrue();
        assertThat(SyscallFilter.all().numbers()).hasSize(SyscallTable.x86_64().all().size());
        assertThat(SyscallFilter.parse("none").numbers()).isEmpty();
        assertThat(SyscallFilter.parse("?nosuchcall,read").numbers()).containsExactly(0);
        assertThat(SyscallFilter.parse("%%stat").numbers()).containsExactly(4, 5, 6, 262, 332);
    }

    @Test
    void badElementsFailWithOneLineMessages() {
        assertThatThrownBy(() -> SyscallFilter.parse("opne")).hasMessage(
                "unknown syscall name 'opne' in syscall filter (x86-64)");
        assertThatThrownBy(() -> SyscallFilter.parse("%files")).hasMessageStartingWith(
                "unknown syscall class '%files' in syscall filter (known: %file,");
        assertThatThrownBy(() -> SyscallFilter.parse("/[")).hasMessageStartingWith("bad regular expression '['");
        assertThatThrownBy(() -> SyscallFilter.parse("/^zzz")).hasMessage("'/^zzz' matches no syscall in syscall filter");
        assertThatThrownBy(() -> SyscallFilter.parse("read,,write")).hasMessageStartingWith("empty element");
        assertThatThrownBy(() -> SyscallFilter.parse("")).hasMessage("empty syscall filter");
    }
}
