package dev.jpoline.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** End-to-end: C programs make syscalls through their own registered sites, the VA0 sled and the entry. */
class EntryPathTest {
    @Test
    void installMapsAnExecuteOnlyPageAndNeverReplacesSomeoneElsesPage0() {
        assertThat(NativeTestProgram.compile("va0_install").run().assertSucceeded().stdout()).contains("OK va0 install");
    }

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
                .contains("OK nanosleep stopped and continued is restarted")
                .contains("OK sigaltstack")
                .contains("OK signals");
    }

    @Test
    void cloneClone3VforkAndForkReturnEachSideCorrectly() {
        assertThat(NativeTestProgram.compile("clone").run().assertSucceeded().stdout())
                .contains("OK clone thread with new stack")
                .contains("OK clone3 thread with new stack")
                .contains("OK clone(CLONE_VM|CLONE_VFORK) with own stack")
                .contains("OK clone3 argument checks")
                .contains("OK vfork with the child overwriting the stack")
                .contains("OK clone(CLONE_VM|CLONE_VFORK) on the caller's stack with the child overwriting the stack")
                .contains("OK clone3(CLONE_VM|CLONE_VFORK) on the caller's stack with the child overwriting the stack")
                .contains("OK fork\n")
                .contains("OK clone without CLONE_VM (fork-like)")
                .contains("OK clone\n");
    }

    /** The same entry reached by Syscall User Dispatch: plain syscalls, nothing rewritten, no page 0 needed. */
    @Test
    void syscallUserDispatchCatchesPlainSyscallsWithEverySpecialCaseIntact() {
        assertThat(NativeTestProgram.compile("sud").run().assertSucceeded().stdout())
                .contains("kernel: SUD is per task and not inherited by threads, fork or vfork children")
                .contains("OK basics")
                .contains("OK registers")
                .contains("OK own restorer")
                .contains("OK blocked sigsys")
                .contains("OK program sigsys handler")
                .contains("OK sigaltstack handler")
                .contains("OK restart")
                .contains("OK threads")
                .contains("OK clones")
                .contains("OK forks")
                .contains("OK signal storm")
                .contains("sud ok");
    }

    @Test
    void manyThreadsMakeSyscallsWhileThreadsComeAndGoAndTheSiteSetGrows() {
        assertThat(NativeTestProgram.compile("threads").run().assertSucceeded().stdout())
                .contains("OK threads: 330000 syscalls through the entry");
    }

    @Test
    void slowTiersGoThroughTheDispatchHook() {
        assertThat(NativeTestProgram.compile("tiers").run().assertSucceeded().stdout())
                .contains("redirected by the hook\n")
                .contains("OK tiers");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rax0", "rax39", "rdx0"})
    void nullCallsDieBySigsegvWithoutRunningTheSyscall(String call) {
        var r = NativeTestProgram.compile("null_call").run(call).assertKilledBySigsegv();
        assertThat(r.stdout()).contains("calling through " + call).doesNotContain("survived");
    }

    @ParameterizedTest
    @CsvSource({"rax0, 0x0", "rax39, 0x27", "rdx0, 0x0"})
    void nullCallsReportSegvMaperrAtTheCalledAddress(String call, String address) {
        var r = NativeTestProgram.compile("null_call").run(call, "report");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(42);
        String expectedAddress = address.equals("0x0") ? "(nil)" : address;
        assertThat(r.stdout()).contains("signal=11 code=1 addr=" + expectedAddress + " syscalls=0");
    }

    @ParameterizedTest
    @CsvSource({"rax0, blocked", "rdx0, ignored", "rax39, blocked"})
    void nullCallsKillEvenWhenSigsegvIsBlockedOrIgnored(String call, String how) {
        NativeTestProgram.compile("null_call").run(call, how).assertKilledBySigsegv();
    }
}
