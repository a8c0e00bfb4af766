package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.SyscallTable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A call in pieces: the same texts as the line, one per argument, each with the register it shows. */
class CallPartsTest {
    private static final StraceFormatter F = new StraceFormatter(TraceOptions.defaults());

    private static SyscallRecord.Builder call(String name, long... args) {
        return SyscallRecord.builder(SyscallTable.x86_64().numberOf(name)).pid(100).args(args);
    }

    private static CallParts parts(SyscallRecord r) {
        CallParts p = new CallParts();
        F.render(r, p);
        return p;
    }

    private static List<String> arguments(CallParts p) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < p.count(); i++) {
            texts.add(p.argument(i));
        }
        return texts;
    }

    private static List<Integer> registers(CallParts p) {
        List<Integer> registers = new ArrayList<>();
        for (int i = 0; i < p.count(); i++) {
            registers.add(p.register(i));
        }
        return registers;
    }

    /** The pieces put back together are the line (alignment spaces aside). */
    private static void sameAsTheLine(SyscallRecord r) {
        CallParts p = parts(r);
        String joined = p.name() + "(" + String.join(", ", arguments(p)) + ") = " + p.result();
        assertThat(joined).isEqualTo(F.formatSyscall(r).replaceFirst("\\s+= ", " = "));
    }

    @Test
    void eachArgumentAsTheLineShowsIt() {
        SyscallRecord open = call("openat", -100, 0x1000, 02000000).string(1, "/etc/passwd").returns(3).build();
        CallParts p = parts(open);
        assertThat(p.name()).isEqualTo("openat");
        assertThat(arguments(p)).containsExactly("AT_FDCWD", "\"/etc/passwd\"", "O_RDONLY|O_CLOEXEC");
        assertThat(registers(p)).containsExactly(0, 1, 2);
        assertThat(p.result()).isEqualTo("3");
        assertThat(p.returned()).isTrue();
        sameAsTheLine(open);
    }

    @Test
    void structsAndListsWithCommasInsideAreOneArgument() {
        SyscallRecord execve = call("execve", 0x1000, 0x2000, 0x7ffd3298fde0L).string(0, "/usr/bin/cat")
                .payload(1, Payload.ofStrings("cat", "/etc/hostname")).payload(2, Payload.ofStrings("A=1", "B=2"))
                .returns(0).build();
        assertThat(arguments(parts(execve))).containsExactly("\"/usr/bin/cat\"", "[\"cat\", \"/etc/hostname\"]",
                "0x7ffd3298fde0 /* 2 vars */");
        sameAsTheLine(execve);
        Payload stack = Bytes.of(16).u64(0, 8192 * 1024).u64(8, -1).payload();
        SyscallRecord prlimit = call("prlimit64", 0, 3, 0, 0x7000).payload(3, stack).returns(0).build();
        assertThat(parts(prlimit).argument(3)).isEqualTo("{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}");
        sameAsTheLine(prlimit);
    }

    @Test
    void cloneShowsItsRegistersInStracesOrder() {
        SyscallRecord clone = call("clone", 0x1200011, 0, 0, 0x7f746211da10L, 0).returns(9869).build();
        CallParts p = parts(clone);
        assertThat(arguments(p)).containsExactly("child_stack=NULL",
                "flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD", "child_tidptr=0x7f746211da10");
        assertThat(registers(p)).containsExactly(1, 0, 3);
        sameAsTheLine(clone);
        Payload args = Bytes.of(88).u64(0, 0x5100).u64(8, 0x7ffc8acdc6dcL).u64(32, 17).payload();
        SyscallRecord clone3 = call("clone3", 0x7000, 88).payload(0, args)
                .elementPayload(0, 1, Bytes.of(4).u32(0, 3).payload()).returns(10418).build();
        assertThat(registers(parts(clone3))).containsExactly(0, 1);
        assertThat(parts(clone3).argument(0)).endsWith("stack_size=0} => {pidfd=[3]}");
        sameAsTheLine(clone3);
    }

    @Test
    void futexSkipsTheRegistersItsOperationIgnores() {
        SyscallRecord bitset = call("futex", 0x7ffe78517764L, 9 | 128 | 256, 5, 0, 0, 0xffffffffL).fails(11).build();
        CallParts p = parts(bitset);
        assertThat(registers(p)).containsExactly(0, 1, 2, 3, 5);
        assertThat(p.result()).isEqualTo("-1 EAGAIN (Resource temporarily unavailable)");
        sameAsTheLine(bitset);
    }

    @Test
    void rawSyscallsAndCallsWithoutArgumentsOrResult() {
        SyscallRecord membarrier = call("membarrier", 0, 0, 0).returns(0x3ff).build();
        assertThat(registers(parts(membarrier))).containsExactly(0, 1, 2);
        sameAsTheLine(membarrier);
        SyscallRecord unknown = SyscallRecord.builder(500).args(1, 2, 0, 0x7fff0000, 0xffffffffL, 3).fails(38).build();
        assertThat(arguments(parts(unknown))).containsExactly("0x1", "0x2", "0", "0x7fff0000", "0xffffffff", "0x3");
        sameAsTheLine(unknown);
        CallParts getpid = parts(call("getpid").returns(9783).build());
        assertThat(getpid.count()).isZero();
        assertThat(getpid.result()).isEqualTo("9783");
        CallParts exit = parts(call("exit_group", 3).build());
        assertThat(exit.returned()).isFalse();
        assertThat(exit.result()).isEqualTo("?");
        assertThat(arguments(exit)).containsExactly("3");
    }

    @Test
    void aCallThatDidNotReturnHasNoResult() {
        CallParts p = parts(call("read", 0, 0x7000, 4096).build());
        assertThat(p.returned()).isFalse();
        assertThat(p.result()).isEqualTo("?");
        assertThat(p.count()).isEqualTo(3);
    }

    @Test
    void piecesAreRenderedAfreshForEachCall() {
        CallParts p = new CallParts();
        F.render(call("openat", -100, 0x1000, 0).string(1, "/a").fails(2).build(), p);
        F.render(call("close", 3).returns(0).build(), p);
        assertThat(arguments(p)).containsExactly("3");
        assertThat(p.result()).isEqualTo("0");
    }
}
