package dev.jpoline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SitesCommandTest {
    private static final String LIBC = "/lib/x86_64-linux-gnu/libc.so.6";

    @TempDir Path temp;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private static long objdumpSiteLines(String file) throws Exception {
        Process p = new ProcessBuilder("objdump", "-d", file).start();
        long count = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> l.matches(".*\\t(syscall|sysenter)\\s*$")).count();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return count;
    }

    @Test
    void summaryCountsForLibcMatchObjdump() throws Exception {
        assertThat(run("sites", "--summary", LIBC)).isZero();
        long objdump = objdumpSiteLines(LIBC);
        assertThat(out.toString()).matches("(?s)\\Q" + LIBC + ": \\E(\\d+) syscall, (\\d+) sysenter, 0 suspicious.*\n");
        String[] words = out.toString().substring(LIBC.length() + 2).split("[ ,]+");
        assertThat(Long.parseLong(words[0]) + Long.parseLong(words[2])).isEqualTo(objdump);
    }

    @Test
    void listsEverySiteWithAddressBytesAndFunction() throws Exception {
        Path c = temp.resolve("two.c");
        Files.writeString(c, "__attribute__((noinline)) long one(void){long r; __asm__ volatile(\"syscall\":\"=a\"(r):\"a\"(39L):\"rcx\",\"r11\");return r;}\n"
                + "__attribute__((noinline)) long two(void){long r; __asm__ volatile(\"nop; syscall\":\"=a\"(r):\"a\"(39L):\"rcx\",\"r11\");return r;}\n"
                + "int main(void){return (int)(one()+two());}\n");
        Path bin = temp.resolve("two");
        Process gcc = new ProcessBuilder("gcc", "-O1", "-o", bin.toString(), c.toString()).inheritIO().start();
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).isZero();

        assertThat(run("sites", bin.toString())).isZero();
        String listing = out.toString();
        assertThat(listing.lines().filter(l -> l.contains(" 0f 05  syscall ")))
                .hasSize(2)
                .anySatisfy(l -> assertThat(l).matches("\\s+0x[0-9a-f]+\\s+0x[0-9a-f]+\\s+0f 05  syscall\\s+one\\+0x[0-9a-f]+"))
                .anySatisfy(l -> assertThat(l).matches("\\s+0x[0-9a-f]+\\s+0x[0-9a-f]+\\s+0f 05  syscall\\s+two\\+0x[0-9a-f]+"));
        assertThat(listing).contains(bin + ": 2 syscall, 0 sysenter, 0 suspicious");
    }

    @Test
    void missingAndNonElfFilesAreOneLineErrorsAndTheRestIsStillListed() throws Exception {
        Path text = Files.writeString(temp.resolve("notes.txt"), "not an ELF file at all, just text\n".repeat(4));
        assertThat(run("sites", "--summary", temp.resolve("missing").toString(), text.toString(), LIBC))
                .isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString().lines()).hasSize(2)
                .anySatisfy(l -> assertThat(l).isEqualTo("jpoline: " + temp.resolve("missing") + ": no such file"))
                .anySatisfy(l -> assertThat(l).startsWith("jpoline: " + text + ": ").containsIgnoringCase("ELF"));
        assertThat(out.toString()).startsWith(LIBC + ": ");
    }
}
