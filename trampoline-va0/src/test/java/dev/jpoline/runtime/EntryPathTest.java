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

    @Test
    void signalHandlersSigreturnRestartAndAltStackWorkThroughTheEntry() {
        assertThat(NativeTestProgram.compile("signals").run().assertSucceeded().stdout())
                .contains("OK handler makes syscalls; rt_sigreturn through the entry")
                .contains("OK SA_RESTART read restarted")
                .contains("OK no SA_RESTART gives -EINTR")
                .contains("OK sigaltstack")
                .contains("OK signals");
    }

    @Test
    void cloneClone3VforkAndForkReturnEachSideCorrectly() {
        assertThat(NativeTestProgram.compile("clone").run().assertSucceeded().stdout())
                .contains("OK clone thread with new stack")
                .contains("OK clone3 thread with new stack")
                .contains("OK clone(CLONE_VM|CLONE_VFORK) with own stack")
                .contains("OK vfork with the child overwriting the stack")
                .contains("OK clone(CLONE_VM|CLONE_VFORK) on the caller's stack with the child overwriting the stack")
                .contains("OK clone3(CLONE_VM|CLONE_VFORK) on the caller's stack with the child overwriting the stack")
                .contains("OK fork\n")
                .contains("OK clone without CLONE_VM (fork-like)")
                .contains("OK clone\n");
    }
}
