package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -e inject=} and {@code -e fault=} against strace with the same rule: the program's
 * output, errors and exit status must be the same. The rules name syscalls the dynamic loader
 * does not make (its calls come before jpoline's runtime and are not counted yet).
 */
class InjectIT {
    @TempDir Path temp;
    private final List<String> files = new ArrayList<>();

    @BeforeEach
    void files() throws Exception {
        for (String name : List.of("one", "two", "three")) {
            Path f = temp.resolve(name);
            Files.writeString(f, name + " line\n");
            files.add(f.toString());
        }
    }

    private Programs.Result under(List<String> tracer, List<String> rule, List<String> command) throws Exception {
        List<String> cmd = new ArrayList<>(tracer);
        for (String r : rule) {
            cmd.add("-e");
            cmd.add(r);
        }
        if (tracer.get(0).endsWith("jpoline")) {
            cmd.add("--");
        }
        cmd.addAll(command);
        return Programs.run(cmd, Map.of("LC_ALL", "C"), temp, Programs.DEFAULT_TIMEOUT);
    }

    private void sameAsStrace(List<String> rule, List<String> command) throws Exception {
        Programs.Result strace = under(List.of("strace", "-f", "-o", "/dev/null"), rule, command);
        Programs.Result jpoline = under(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-f", "-o",
                temp.resolve("trace.txt").toString()), rule, command);
        assertThat(jpoline.out()).as("stdout with %s", rule).isEqualTo(strace.out());
        assertThat(jpoline.err()).as("stderr with %s", rule).isEqualTo(strace.err());
        assertThat(jpoline.exit()).as("exit status with %s", rule).isEqualTo(strace.exit());
    }

    private List<String> cat() {
        List<String> c = new ArrayList<>(List.of("cat"));
        c.addAll(files);
        return c;
    }

    @Test
    void errorsAndReturnValuesOnEveryWhenFormAreStracesOwn() throws Exception {
        for (String when : List.of("", ":when=2", ":when=2+", ":when=1+2", ":when=2..3", ":when=1..3+2")) {
            sameAsStrace(List.of("inject=write:error=EIO" + when), cat());
        }
        // A write that "wrote" 3 bytes: cat writes the rest itself. Bounded ranges only: a short
        // write on every call can keep cat writing for long.
        for (String when : List.of(":when=2", ":when=2..3", ":when=1..3+2")) {
            sameAsStrace(List.of("inject=write:retval=3" + when), cat());
        }
        sameAsStrace(List.of("fault=write:when=3"), cat());
        sameAsStrace(List.of("inject=write:error=ENOSPC:when=2", "inject=fadvise64:error=EBADF"), cat());
        sameAsStrace(List.of("inject=write:signal=SIGUSR1:when=2"), cat());
        sameAsStrace(List.of("inject=write:error=EIO:delay_enter=2ms:when=3"), cat());
    }

    @Test
    void theInjectedCallIsMarkedAndTheTraceFilterStillHolds() throws Exception {
        Path out = temp.resolve("trace.txt");
        Programs.Result r = under(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o", out.toString()),
                List.of("trace=write", "inject=write:error=EIO:when=2"), cat());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("cat: write error: Input/output error\n");
        String trace = Files.readString(out);
        assertThat(trace.lines().filter(l -> l.contains("write(1, \"two line\\n\", 9)")))
                .singleElement().asString().endsWith("= -1 EIO (Input/output error) (INJECTED)");
        assertThat(trace.lines().filter(l -> !l.contains("+++ exited")).allMatch(l -> l.contains("write("))).isTrue();
    }

    @Test
    void eachThreadCountsItsOwnCalls() throws Exception {
        sameAsStrace(List.of("inject=getpid:retval=42:when=3+"), List.of(Programs.build("inject_threads").toString()));
        Programs.Result r = under(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-f", "-o",
                temp.resolve("t.txt").toString()), List.of("inject=getpid:retval=42:when=3+"),
                List.of(Programs.build("inject_threads").toString()));
        assertThat(r.out()).contains("thread 0 call 2: pid", "thread 0 call 3: 42", "thread 1 call 2: pid",
                "thread 1 call 4: 42");
    }

    @Test
    void badRulesAreOneClearLine() throws Exception {
        for (String[] bad : new String[][] {
            {"inject=write", "give one of error="},
            {"inject=write:error=EIO:retval=1", "exclude each other"},
            {"inject=write:error=ENOTANERRNO", "is not an errno name"},
            {"inject=write:error=EIO:when=0", "must be 1-65535"},
            {"inject=write:error=EIO:when=5..3", "last is before first"},
            {"inject=write:poke_enter=@arg1=00", "not supported yet"},
            {"fault=write:retval=1", "takes error= and when= only"},
            {"inject=nosuchcall:error=EIO", "nosuchcall"}}) {
            Programs.Result r = under(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace"), List.of(bad[0]),
                    List.of("true"));
            assertThat(r.exit()).as(bad[0]).isNotZero();
            assertThat(r.err().strip().lines()).as(bad[0]).hasSize(1);
            assertThat(r.err()).as(bad[0]).contains(bad[1]);
        }
    }
}
