package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ptrace's arguments against strace 6.1 on ptrace_requests.c, a parent debugging its own child:
 * options, peeks and pokes of memory and of struct user's offsets, siginfo, signal masks, the
 * registers, syscall info at a signal stop and at a call's entry and exit (an error among them),
 * the exit event's message, refusals and an unknown request. strace runs without -f (its child
 * could not ask to be traced otherwise), so only the parent's lines are compared.
 *
 * <p>Not compared, with the reason: the values of the child's registers (jpoline's own code runs
 * in the child, so they differ; the field names are checked), PTRACE_GETREGSET's line (strace
 * shows the registers that iov_base points to; jpoline copies the iovec only and shows iov_base's
 * address) and PTRACE_GETFPREGS' (jpoline shows the address of the 512 bytes it does not copy),
 * docs/trace-format.md. The GETEVENTMSG answer written into the last word
 * before a PROT_NONE page is checked apart: jpoline's copy of data (216 bytes) would cross into
 * that page, so it is left out and the line shows data's address where strace shows the word;
 * what matters there is that the copy did not fault the program.
 */
class PtraceDecodeIT {
    private static final Pattern PARENT = Pattern.compile("parent (\\d+)");
    private static final String REGS = "r15=, r14=, r13=, r12=, rbp=, rbx=, r11=, r10=, r9=, r8=, rax=, rcx=, rdx=, rsi=,"
            + " rdi=, orig_rax=, rip=, cs=, eflags=, rsp=, ss=, fs_base=, gs_base=, ds=, es=, fs=, gs=";
    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireVa0();
        Programs.requireStrace();
    }

    /** The lines without the pid column and the padding before " = ", pids, addresses and register values (peeked too) masked. */
    static List<String> normalized(List<String> lines, String childPid) {
        return lines.stream().map(l -> l.replaceFirst("^\\d+\\s+", "").replaceFirst("\\)\\s+= ", ") = ")
                .replaceAll("(r15|r14|r13|r12|rbp|rbx|r11|r10|r9|r8|rax|rcx|rdx|rsi|rdi|orig_rax|rip|cs|eflags|rsp|ss"
                        + "|fs_base|gs_base|ds|es|fs|gs)=[0-9a-fx]+", "$1=")
                .replaceAll("(8\\*[A-Z_]+(\\+\\d+)?, )\\[[^]]*]", "$1[REGISTER]")
                .replaceAll("0x[0-9a-f]{5,}", "ADDR").replaceAll("\\b" + childPid + "\\b", "CHILD")
                .replaceAll("=\\d{4,}", "=N").replaceAll("\\[\\d{4,}\\]", "[N]"))
                .filter(l -> !l.contains("PTRACE_GETREGSET") && !l.contains("PTRACE_GETFPREGS")).toList();
    }

    private static String childOf(List<String> straceLines) {
        Matcher m = Pattern.compile("PTRACE_SETOPTIONS, (\\d+),").matcher(String.join("\n", straceLines));
        assertThat(m.find()).as("strace's PTRACE_SETOPTIONS line").isTrue();
        return m.group(1);
    }

    @Test
    void ptraceRequestsAreDecodedAsStraceDoes() throws Exception {
        Path program = Programs.build("ptrace_requests");
        Path ours = temp.resolve("jpoline.txt");
        Path theirs = temp.resolve("strace.txt");
        List<String> filter = List.of("-e", "trace=ptrace", "-e", "signal=none");
        List<String> jpoline = new java.util.ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace",
                "-o", ours.toString()));
        jpoline.addAll(filter);
        jpoline.add(program.toString());
        Programs.Result j = Programs.run(jpoline, Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        assertThat(j.out()).contains("child exit 7");
        Matcher parent = PARENT.matcher(j.out());
        assertThat(parent.find()).as(j.describe()).isTrue();
        List<String> strace = new java.util.ArrayList<>(List.of("strace", "-o", theirs.toString()));
        strace.addAll(filter);
        strace.add(program.toString());
        Programs.Result s = Programs.run(strace, Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).as(s.describe()).isZero();
        List<String> straceLines = Files.readAllLines(theirs);
        List<String> expected = normalized(straceLines, childOf(straceLines));
        assertThat(expected).anyMatch(l -> l.contains("8*RIP+1")).anyMatch(l -> l.contains("8*EFL,"))
                .anyMatch(l -> l.contains("8*SS+8,")).anyMatch(l -> l.contains("exit={rval=-EBADF, is_error=1}"))
                .anyMatch(l -> l.contains("[N]")).anyMatch(l -> l.contains("PTRACE_O_TRACECLONE|PTRACE_O_EXITKILL"))
                .anyMatch(l -> l.contains("{" + REGS + "}")).anyMatch(l -> l.contains("si_signo=SIGSTOP"));
        Matcher edge = Pattern.compile("edge (0x[0-9a-f]+)").matcher(j.out());
        assertThat(edge.find()).as(j.describe()).isTrue();
        int lastMessage = expected.lastIndexOf("ptrace(PTRACE_GETEVENTMSG, CHILD, NULL, [N]) = 0");
        assertThat(expected.indexOf("ptrace(PTRACE_GETEVENTMSG, CHILD, NULL, [N]) = 0")).isNotEqualTo(lastMessage);
        expected = new java.util.ArrayList<>(expected);
        expected.remove(lastMessage);
        String pid = parent.group(1) + " ";
        List<String> parentLines = Arrays.stream(Files.readString(ours).split("\n")).filter(l -> l.startsWith(pid)).toList();
        String edgeLine = "PTRACE_GETEVENTMSG, " + childOf(parentLines) + ", NULL, " + edge.group(1) + ") ";
        assertThat(parentLines).filteredOn(l -> l.contains(edgeLine)).hasSize(1);
        List<String> ourLines = normalized(parentLines.stream().filter(l -> !l.contains(edgeLine)).toList(),
                childOf(parentLines));
        assertThat(ourLines).as("--- jpoline ---\n%s\n--- strace ---\n%s", Files.readString(ours), Files.readString(theirs))
                .containsExactlyElementsOf(expected);
        assertThat(Files.readString(ours)).contains("PTRACE_GETREGSET").contains("NT_PRSTATUS, {iov_base=0x")
                .contains("iov_len=216}").containsPattern("PTRACE_GETFPREGS, \\d+, 0x[0-9a-f]+\\) += 0");
    }
}
