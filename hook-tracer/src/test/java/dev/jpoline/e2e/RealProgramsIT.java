package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real programs run raw and under {@code jpoline run} in the same scratch directory:
 * identical stdout, stderr and exit status. Commands are chosen to be deterministic.
 */
class RealProgramsIT {
    @TempDir Path temp;
    private Path work;

    @BeforeAll
    static void va0() throws Exception {
        Programs.requireVa0();
    }

    @BeforeEach
    void tree() throws Exception {
        work = Files.createDirectories(temp.resolve("work"));
        Files.writeString(work.resolve("words.txt"), "pear\napple\nfig\nbanana\napple\n");
        Files.createDirectories(work.resolve("src/a/b"));
        Files.writeString(work.resolve("src/a/one.txt"), "one\n");
        Files.writeString(work.resolve("src/a/b/two.txt"), "two\n".repeat(1000));
    }

    /** Runs a shell script raw in one copy of the tree and under jpoline in another. */
    private void sameInFreshCopies(String script) throws Exception {
        sameInFreshCopies(script, "");
    }

    /**
     * As above; lines of jpoline's stderr that start with {@code jpolineNotice} are expected
     * notices, checked by the caller, and left out of the comparison.
     */
    private Programs.Result sameInFreshCopies(String script, String jpolineNotice) throws Exception {
        Path rawDir = copy("raw");
        Path tracedDir = copy("traced");
        List<String> command = List.of("bash", "-c", script);
        Programs.Result raw = Programs.run(command, Map.of("LC_ALL", "C"), rawDir, Programs.DEFAULT_TIMEOUT);
        Programs.Result traced = Programs.run(Programs.underJpoline(command), Map.of("LC_ALL", "C"), tracedDir,
                Programs.DEFAULT_TIMEOUT);
        String tracedErr = jpolineNotice.isEmpty() ? traced.err()
                : traced.err().lines().filter(l -> !l.startsWith(jpolineNotice)).map(l -> l + "\n")
                        .collect(Collectors.joining());
        assertThat(tracedErr).as("stderr of %s; raw:\n%s", script, raw.describe()).isEqualTo(raw.err());
        assertThat(traced.out()).as("stdout of %s", script).isEqualTo(raw.out());
        assertThat(traced.exit()).as("exit of %s", script).isEqualTo(raw.exit());
        return traced;
    }

    private Path copy(String name) throws Exception {
        Path dir = temp.resolve(name);
        Programs.Result r = Programs.run(List.of("cp", "-a", work.toString(), dir.toString()), Map.of(), temp,
                Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).isZero();
        return dir;
    }

    @Test
    void coreutils() throws Exception {
        sameInFreshCopies("ls -la src/a | awk '{print $1, $5, $9}'; cat words.txt | sort | uniq -c;"
                + " tar -cf t.tar src && tar -tf t.tar | sort; gzip -k words.txt && gzip -dc words.txt.gz | wc -c;"
                + " find src -type f | sort; cp -r src dst && diff -r src dst && echo same; ls /nonexistent; echo $?");
    }

    @Test
    void bashPipesAndSubshells() throws Exception {
        sameInFreshCopies("(echo sub; (echo subsub; exit 3); echo $?) | tr a-z A-Z; x=$(seq 1 100 | paste -sd+);"
                + " echo $((x)); for i in 1 2 3; do (echo $i; sleep 0.0$i) & wait; done; echo done >&2; exit 7");
    }

    @Test
    void python3WithSubprocess() throws Exception {
        sameInFreshCopies("python3 -c 'import subprocess,sys,os,threading;"
                + "r=subprocess.run([\"sh\",\"-c\",\"echo hi; exit 4\"],capture_output=True);"
                + "print(r.returncode, r.stdout);"
                + "t=[threading.Thread(target=lambda: os.listdir(\".\")) for _ in range(4)];"
                + "[x.start() for x in t];[x.join() for x in t];"
                + "print(sorted(os.listdir(\"src/a\")));sys.exit(5)'");
    }

    @Test
    void perl() throws Exception {
        sameInFreshCopies("perl -e 'open(my $f, \"<\", \"words.txt\") or die; my @l = sort <$f>; print @l;"
                + " my $pid = fork(); if ($pid == 0) { exit 9 } waitpid($pid, 0); print $? >> 8, \"\\n\"'");
    }

    @Test
    void gitInitAddCommit() throws Exception {
        sameInFreshCopies("export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'"
                + " HOME=$PWD GIT_CONFIG_NOSYSTEM=1; git init -q -b main repo && cd repo && cp -r ../src . &&"
                + " git add -A && git -c user.name=t -c user.email=t@example.invalid commit -q -m first &&"
                + " git log --format='%H %s' && git status --short | wc -l");
    }

    @Test
    void gccAndMake() throws Exception {
        sameInFreshCopies("printf '#include <stdio.h>\\nint main(void){puts(\"built\");return 0;}\\n' > m.c &&"
                + " printf 'all: a b\\na: m.c\\n\\tgcc -o a m.c\\nb: m.c\\n\\tgcc -O2 -o b m.c\\n' > Makefile &&"
                + " make -s -j2 && ./a && ./b && cmp -s a a && echo ok");
    }

    @Test
    void javaVersionAThreadedProgramAndNullChecks() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // N reads a field through null in the interpreter: it must throw, as it does raw.
        Programs.Result traced = sameInFreshCopies("'" + java + "' -version 2>&1 | head -1;"
                + " printf 'public class T { public static void main(String[] a) throws Exception {"
                + " Thread[] t = new Thread[4]; for (int i = 0; i < 4; i++) { t[i] = new Thread(() -> {"
                + " try { java.nio.file.Files.readAllLines(java.nio.file.Path.of(\"words.txt\")); } catch (Exception e) {"
                + " throw new RuntimeException(e); } }); t[i].start(); } for (Thread x : t) x.join();"
                + " System.out.println(\"threads done\"); } }' > T.java && '" + java + "' T.java &&"
                + " printf 'public class N { int x = 5; static N n; public static void main(String[] a) { int caught = 0;"
                + " for (int i = 0; i < 3; i++) { try { System.out.println(n.x); } catch (NullPointerException e) { caught++; } }"
                + " System.out.println(\"caught \" + caught); } }' > N.java && '" + java + "' -Xint N.java",
                "jpoline: pid ");
        assertThat(traced.out()).contains("threads done\n", "caught 3\n");
        String notices = traced.err().lines().filter(l -> l.startsWith("jpoline")).collect(Collectors.joining("\n"));
        // With protection keys the page stays execute-only; without them the JVM leaves VA0 for
        // Syscall User Dispatch as it loads libjvm.so; under SUD there is no page 0 at all. In
        // every case the JVM is caught like any other program, and nothing is said.
        assertThat(notices).isEmpty();
    }

    @Test
    void aTracedJvmShowsTheJdkOpeningItsModulesFileAndJavacCompiles() throws Exception {
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path out = temp.resolve("openat.txt");
        Programs.Result version = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-f", "-e",
                "trace=openat", "-o", out.toString(), "--", javaHome.resolve("bin/java").toString(), "-version"),
                Map.of("LC_ALL", "C"), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(version.exit()).as(version.err()).isZero();
        assertThat(version.err()).contains("version").doesNotContain("jpoline");
        assertThat(java.nio.file.Files.readString(out)).as("the JVM is traced after it loads libjvm.so")
                .contains("openat(AT_FDCWD, \"" + javaHome.resolve("lib/modules") + "\", O_RDONLY");
        // javac, traced whole: every thread it starts is caught too.
        java.nio.file.Files.writeString(temp.resolve("Hello.java"), "class Hello { public static void main(String[] a) {"
                + " System.out.println(\"hello from javac\"); } }");
        Programs.Result javac = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-f", "-c",
                "-o", temp.resolve("javac.txt").toString(), "--", javaHome.resolve("bin/javac").toString(), "-d",
                temp.toString(), temp.resolve("Hello.java").toString()), Map.of("LC_ALL", "C"), temp,
                Programs.DEFAULT_TIMEOUT);
        assertThat(javac.exit()).as(javac.err()).isZero();
        assertThat(temp.resolve("Hello.class")).exists();
        assertThat(java.nio.file.Files.readString(temp.resolve("javac.txt"))).contains("clone", "openat", "total");
    }
}
