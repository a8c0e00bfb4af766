package dev.jpoline.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Va0RequirementTest {
    @TempDir Path temp;

    @Test
    void zeroPasses() throws Exception {
        Path sysctl = Files.writeString(temp.resolve("mmap_min_addr"), "0\n");
        assertThatCode(() -> Va0Requirement.check(sysctl)).doesNotThrowAnyException();
    }

    @Test
    void nonZeroNamesTheValueAndTheFix() throws Exception {
        Path sysctl = Files.writeString(temp.resolve("mmap_min_addr"), "65536\n");
        assertThatThrownBy(() -> Va0Requirement.check(sysctl))
                .isInstanceOf(UserError.class)
                .hasMessage("cannot map the VA0 page: vm.mmap_min_addr is 65536; run: sudo sysctl -w vm.mmap_min_addr=0");
    }

    @Test
    void unreadableSettingIsAClearError() {
        assertThatThrownBy(() -> Va0Requirement.check(temp.resolve("missing")))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("vm.mmap_min_addr=0");
    }
}
