package dev.jpoline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** End-to-end: C programs make syscalls through their own registered sites, the VA0 sled and the entry. */
class EntryPathTest {
    @Test
    void ordinarySyscallsReturnKernelResultsAndErrors() {
        var r = NativeTestProgram.compile("basic").run().assertSucceeded();
        assertThat(r.stdout()).contains("through the entry\n").contains("OK basic");
    }

    @Test
    void everyRegisterFlagXmmAndTheRedZoneSurviveOnPassAndSlowPath() {
        assertThat(NativeTestProgram.compile("registers").run().assertSucceeded().stdout()).contains("OK registers");
    }
}
