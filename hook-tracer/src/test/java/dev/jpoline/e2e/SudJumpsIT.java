package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jump-patched sites under Syscall User Dispatch (docs/sud.md): libc's getppid site becomes
 * {@code jmp rel8} to its hop, and a thousand calls from the main thread, a new thread and a fork
 * child cost no SUD trap at all, while every one of them is still traced, with the site's address
 * as strace -i shows it. Under VA0 the same site is rewritten to {@code call *%rax} and no SUD
 * trap exists.
 */
class SudJumpsIT {
    private static final Pattern SITE = Pattern.compile("site (\\w\\w) (\\w\\w) at 0x([0-9a-f]+)");

    @TempDir Path temp;

    @Test
    void aJumpPatchedSiteCostsNoTrapInThreadsAndChildren() throws Exception {
        Programs.Result r = Programs.run(Programs.underJpoline(List.of(Programs.build("sud_jumps").toString(), "1000")),
                Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        Matcher site = SITE.matcher(r.out());
        assertThat(site.find()).as(r.out()).isTrue();
        assertThat(site.group(1)).as("the site's first byte: jmp rel8 under SUD, call *%%rax under VA0")
                .isEqualTo(Programs.underSud() ? "eb" : "ff");
        assertThat(r.out()).contains("main traps 0\n", "thread traps 0\n", "child traps 0\n");
    }

    @Test
    void withoutTheJumpPoolEveryCallTraps() throws Exception {
        Programs.Result r = Programs.run(Programs.underJpoline(List.of(Programs.build("sud_jumps").toString(), "1000")),
                Map.of("JPOLINE_SUD_NO_JUMPS", "1"), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        if (Programs.underSud()) {
            assertThat(r.out()).contains("site 0f 05", "main traps 1001\n", "thread traps 1001\n", "child traps 1001\n");
        } else {
            assertThat(r.out()).as("the switch changes nothing under VA0").contains("site ff d0", "main traps 0\n");
        }
    }

    @Test
    void aJumpPatchedSiteIsTracedWithItsAddress() throws Exception {
        Path out = temp.resolve("trace.txt");
        Programs.Result r = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-f", "-i", "-e",
                "trace=getppid", "-o", out.toString(), "--", Programs.build("sud_jumps").toString(), "200"),
                Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        Matcher site = SITE.matcher(r.out());
        assertThat(site.find()).as(r.out()).isTrue();
        assertThat(r.out()).contains("main traps 0\n", "thread traps 0\n", "child traps 0\n");
        String ip = String.format("[%016x] getppid()", Long.parseLong(site.group(3), 16) + 2);
        List<String> calls = Files.readString(out).lines().filter(l -> l.contains("getppid()")).toList();
        assertThat(calls).as("1 + 200 calls each in main, thread and child").hasSize(3 * 201);
        assertThat(calls).allMatch(l -> l.contains(ip), "every line shows the site's return address " + ip);
    }
}
