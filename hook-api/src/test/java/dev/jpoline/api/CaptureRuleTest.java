package dev.jpoline.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.CaptureRule.Shape;
import dev.jpoline.api.CaptureRule.Timing;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureRuleTest {
    private static List<CaptureRule> rules(String name) {
        return CaptureRule.forSyscall(Syscall.byName(name).orElseThrow());
    }

    @Test
    void buffersTakeTheirLengthFromAnArgumentOrTheResult() {
        assertThat(rules("write")).containsExactly(new CaptureRule(1, Timing.ENTRY, Shape.LENGTH_ARG, 0, 2));
        assertThat(rules("read")).containsExactly(new CaptureRule(1, Timing.EXIT, Shape.LENGTH_RETURN, 0, -1));
        assertThat(rules("close")).isEmpty();
    }

    @Test
    void pathsStringsAndArrays() {
        assertThat(rules("openat")).containsExactly(new CaptureRule(1, Timing.ENTRY, Shape.C_STRING, 0, -1));
        assertThat(rules("execve")).containsExactly(new CaptureRule(0, Timing.ENTRY, Shape.C_STRING, 0, -1),
                new CaptureRule(1, Timing.ENTRY, Shape.STRING_ARRAY, 0, -1),
                new CaptureRule(2, Timing.ENTRY, Shape.STRING_ARRAY, 0, -1));
        assertThat(rules("getcwd")).containsExactly(new CaptureRule(0, Timing.EXIT, Shape.C_STRING, 0, -1));
    }

    @Test
    void structsHaveTheirX8664Sizes() {
        assertThat(rules("newfstatat")).contains(new CaptureRule(2, Timing.EXIT, Shape.FIXED, 144, -1));
        assertThat(rules("rt_sigaction")).containsExactly(new CaptureRule(1, Timing.ENTRY, Shape.FIXED, 32, -1),
                new CaptureRule(2, Timing.EXIT, Shape.FIXED, 32, -1));
        assertThat(rules("wait4")).containsExactly(new CaptureRule(1, Timing.EXIT, Shape.FIXED, 4, -1),
                new CaptureRule(3, Timing.EXIT, Shape.FIXED, 144, -1));
    }

    @Test
    void nodeMasksAndSigevents() {
        assertThat(rules("set_mempolicy")).containsExactly(new CaptureRule(1, Timing.ENTRY, Shape.NODEMASK, 8, 2));
        assertThat(rules("get_mempolicy")).containsExactly(new CaptureRule(0, Timing.EXIT, Shape.FIXED, 4, -1),
                new CaptureRule(1, Timing.EXIT, Shape.NODEMASK, 8, 2));
        assertThat(rules("mbind")).containsExactly(new CaptureRule(3, Timing.ENTRY, Shape.NODEMASK, 8, 4));
        assertThat(rules("migrate_pages")).containsExactly(new CaptureRule(2, Timing.ENTRY, Shape.NODEMASK, 8, 1),
                new CaptureRule(3, Timing.ENTRY, Shape.NODEMASK, 8, 1));
        assertThat(rules("timer_create")).containsExactly(new CaptureRule(1, Timing.ENTRY, Shape.FIXED, 32, -1),
                new CaptureRule(2, Timing.EXIT, Shape.FIXED, 4, -1));
    }

    @Test
    void socketsArraysAndValueResultFields() {
        assertThat(rules("connect")).containsExactly(new CaptureRule(1, Timing.ENTRY, Shape.LENGTH_ARG, 0, 2));
        assertThat(rules("accept4")).containsExactly(new CaptureRule(1, Timing.EXIT, Shape.FIXED, 128, -1),
                new CaptureRule(2, Timing.ENTRY_AND_EXIT, Shape.FIXED, 4, -1));
        assertThat(rules("poll")).containsExactly(new CaptureRule(0, Timing.EXIT, Shape.ARRAY_ARG, 8, 1));
        assertThat(rules("epoll_wait")).containsExactly(new CaptureRule(1, Timing.EXIT, Shape.ARRAY_RETURN, 12, -1));
        assertThat(rules("writev")).containsExactly(new CaptureRule(1, Timing.ENTRY, Shape.IOVEC, 16, 2));
        assertThat(rules("readv")).containsExactly(new CaptureRule(1, Timing.EXIT, Shape.IOVEC, 16, 2));
        assertThat(rules("sendfile")).containsExactly(new CaptureRule(2, Timing.ENTRY_AND_EXIT, Shape.FIXED, 8, -1));
        assertThat(rules("clone3")).containsExactly(new CaptureRule(0, Timing.ENTRY, Shape.LENGTH_ARG, 0, 1));
        // Arguments whose type depends on another one: a bounded copy the formatter interprets.
        assertThat(rules("ioctl")).containsExactly(new CaptureRule(2, Timing.ENTRY, Shape.FIXED, 64, -1));
        assertThat(rules("setsockopt")).containsExactly(new CaptureRule(3, Timing.ENTRY, Shape.LENGTH_ARG, 0, 4));
        assertThat(rules("getsockopt")).containsExactly(new CaptureRule(3, Timing.EXIT, Shape.FIXED, 64, -1),
                new CaptureRule(4, Timing.EXIT, Shape.FIXED, 4, -1));
    }

    @Test
    void addressesInAnotherProcessAreNeverFollowed() {
        // ptrace's addr names the tracee's memory (PEEK*/POKE*) or a request-specific value: never
        // copied. Its data is the caller's own buffer for the get requests: a fixed copy after a
        // successful call (a value for POKE* and the resume requests, which the formatter ignores).
        assertThat(rules("ptrace")).containsExactly(new CaptureRule(3, Timing.EXIT, Shape.FIXED, 216, -1));
        // The remote iovecs: the array only, its bases printed as addresses.
        assertThat(rules("process_vm_readv")).containsExactly(new CaptureRule(1, Timing.EXIT, Shape.IOVEC, 16, 2),
                new CaptureRule(3, Timing.ENTRY, Shape.ARRAY_ARG, 16, 4));
        assertThat(rules("process_vm_writev")).containsExactly(new CaptureRule(1, Timing.ENTRY, Shape.IOVEC, 16, 2),
                new CaptureRule(3, Timing.ENTRY, Shape.ARRAY_ARG, 16, 4));
        assertThat(rules("process_madvise")).containsExactly(new CaptureRule(1, Timing.ENTRY, Shape.ARRAY_ARG, 16, 2));
    }

    @Test
    void selectFamilyCopiesSetsAndTimeoutsTwice() {
        assertThat(rules("pselect6")).containsExactly(
                new CaptureRule(1, Timing.ENTRY_AND_EXIT, Shape.FIXED, 128, -1),
                new CaptureRule(2, Timing.ENTRY_AND_EXIT, Shape.FIXED, 128, -1),
                new CaptureRule(3, Timing.ENTRY_AND_EXIT, Shape.FIXED, 128, -1),
                new CaptureRule(4, Timing.ENTRY_AND_EXIT, Shape.FIXED, 16, -1),
                new CaptureRule(5, Timing.ENTRY, Shape.FIXED, 16, -1));
        assertThat(rules("ppoll")).contains(new CaptureRule(2, Timing.ENTRY_AND_EXIT, Shape.FIXED, 16, -1));
    }

    @Test
    void everyRuleOfEverySyscallIsWellFormed() {
        for (Syscall s : SyscallTable.x86_64().all()) {
            for (CaptureRule r : CaptureRule.forSyscall(s)) {
                assertThat(s.arg(r.arg()).kind().isMemory()).as("%s arg %d", s.name(), r.arg()).isTrue();
                switch (r.shape()) {
                    case FIXED -> assertThat(r.size()).as(s.name()).isPositive();
                    case LENGTH_ARG, ARRAY_ARG, IOVEC -> assertThat(r.lengthArg()).as(s.name())
                            .isBetween(0, s.argCount() - 1);
                    default -> { }
                }
            }
        }
    }
}
