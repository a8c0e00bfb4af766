package dev.jpoline.rewriter.maps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessMapsTest {
    // Literal lines in the kernel's layout, padding included, covering every kind of path.
    private static final String SAMPLE = String.join("\n",
            "55d0c1a00000-55d0c1a04000 r--p 00000000 fe:00 260386                     /usr/bin/cat",
            "55d0c1a04000-55d0c1a09000 r-xp 00004000 fe:00 260386                     /usr/bin/cat",
            "55d0c2b7e000-55d0c2b9f000 rw-p 00000000 00:00 0                          [heap]",
            "7f3e5c200000-7f3e5c228000 r--p 00000000 08:11 1319218                    /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f3e5c228000-7f3e5c37d000 r-xp 00028000 08:11 1319218                    /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f3e5c400000-7f3e5c401000 rw-s 00000000 00:01 4242                       /dev/shm/jpoline session (deleted)",
            "7f3e5c402000-7f3e5c403000 r-xp 00001000 103:02 99                        /tmp/my lib/libx.so (deleted)",
            "7f3e5c404000-7f3e5c406000 rw-p 00000000 00:00 0 ",
            "7ffd4a1e0000-7ffd4a201000 rw-p 00000000 00:00 0                          [stack]",
            "7ffd4a3f2000-7ffd4a3f6000 r--p 00000000 00:00 0                          [vvar]",
            "7ffd4a3f6000-7ffd4a3f8000 r-xp 00000000 00:00 0                          [vdso]",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
            "");

    @Test
    void parsesEveryFieldOfAFileMapping() {
        MapsEntry e = ProcessMaps.parse(SAMPLE).get(4);
        assertThat(e.start()).isEqualTo(0x7f3e5c228000L);
        assertThat(e.end()).isEqualTo(0x7f3e5c37d000L);
        assertThat(e.size()).isEqualTo(0x155000L);
        assertThat(e.perms()).isEqualTo("r-xp");
        assertThat(e.readable()).isTrue();
        assertThat(e.writable()).isFalse();
        assertThat(e.executable()).isTrue();
        assertThat(e.isPrivate()).isTrue();
        assertThat(e.shared()).isFalse();
        assertThat(e.offset()).isEqualTo(0x28000L);
        assertThat(e.endOffset()).isEqualTo(0x28000L + 0x155000L);
        assertThat(e.deviceMajor()).isEqualTo(8);
        assertThat(e.deviceMinor()).isEqualTo(0x11);
        assertThat(e.inode()).isEqualTo(1319218L);
        assertThat(e.path()).isEqualTo("/usr/lib/x86_64-linux-gnu/libc.so.6");
        assertThat(e.fileBacked()).isTrue();
        assertThat(e.pseudo()).isFalse();
        assertThat(e.deleted()).isFalse();
        assertThat(e.fileName()).isEqualTo("libc.so.6");
    }

    @Test
    void keepsSpacesInPathsAndFlagsDeletedFiles() {
        List<MapsEntry> all = ProcessMaps.parse(SAMPLE);
        MapsEntry shm = all.get(5);
        assertThat(shm.path()).isEqualTo("/dev/shm/jpoline session (deleted)");
        assertThat(shm.deleted()).isTrue();
        assertThat(shm.filePath()).isEqualTo("/dev/shm/jpoline session");
        assertThat(shm.shared()).isTrue();
        assertThat(shm.writable()).isTrue();

        MapsEntry lib = all.get(6);
        assertThat(lib.deviceMajor()).isEqualTo(0x103);
        assertThat(lib.deviceMinor()).isEqualTo(2);
        assertThat(lib.filePath()).isEqualTo("/tmp/my lib/libx.so");
        assertThat(lib.fileName()).isEqualTo("libx.so");
        assertThat(lib.deleted()).isTrue();
    }

    @Test
    void anonymousAndPseudoAreasHaveNoFile() {
        List<MapsEntry> all = ProcessMaps.parse(SAMPLE);
        MapsEntry anon = all.get(7);
        assertThat(anon.path()).isEmpty();
        assertThat(anon.fileBacked()).isFalse();
        assertThat(anon.pseudo()).isFalse();
        assertThat(anon.deleted()).isFalse();

        assertThat(all.get(2).path()).isEqualTo("[heap]");
        assertThat(all.get(8).path()).isEqualTo("[stack]");
        MapsEntry vdso = all.get(10);
        assertThat(vdso.path()).isEqualTo("[vdso]");
        assertThat(vdso.pseudo()).isTrue();
        assertThat(vdso.fileBacked()).isFalse();
        assertThat(vdso.executable()).isTrue();
    }

    @Test
    void parsesTopOfAddressSpaceAndPermissionsWithoutRead() {
        MapsEntry vsyscall = ProcessMaps.parse(SAMPLE).get(11);
        assertThat(vsyscall.start()).isEqualTo(0xffffffffff600000L);
        assertThat(vsyscall.end()).isEqualTo(0xffffffffff601000L);
        assertThat(vsyscall.size()).isEqualTo(0x1000L);
        assertThat(vsyscall.readable()).isFalse();
        assertThat(vsyscall.executable()).isTrue();
        assertThat(vsyscall.contains(0xffffffffff600800L)).isTrue();
        assertThat(vsyscall.contains(0x7f3e5c228000L)).isFalse();
    }

    @Test
    void looksUpEntriesByAddressAndFile() {
        ProcessMaps maps = ProcessMaps.of(-1, ProcessMaps.parse(SAMPLE));
        assertThat(maps.entries()).hasSize(12);
        assertThat(maps.entryContaining(0x7f3e5c228000L).offset()).isEqualTo(0x28000L);
        assertThat(maps.entryContaining(0x7f3e5c37cfffL).offset()).isEqualTo(0x28000L);
        assertThat(maps.entryContaining(0x7f3e5c37d000L)).isNull(); // the gap after libc's text
        assertThat(maps.entryContaining(0x1000L)).isNull();
        assertThat(maps.entryContaining(0xffffffffff600000L).path()).isEqualTo("[vsyscall]");
        assertThat(maps.entriesForFile("/usr/lib/x86_64-linux-gnu/libc.so.6")).hasSize(2);
        assertThat(maps.entriesForFile("/tmp/my lib/libx.so")).hasSize(1);
        assertThat(maps.executableFileEntries()).extracting(MapsEntry::fileName)
                .containsExactly("cat", "libc.so.6", "libx.so");
    }

    @Test
    void unsortedEntriesCannotFormAMap() {
        List<MapsEntry> all = ProcessMaps.parse(SAMPLE);
        assertThatThrownBy(() -> ProcessMaps.of(-1, List.of(all.get(3), all.get(0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("entry 1 (55d0c1a00000-55d0c1a04000 r--p");
    }

    @Test
    void malformedLinesAreRejectedWithTheLineNumber() {
        assertThatThrownBy(() -> ProcessMaps.parse("00400000-00401000 r-xp 00000000 08:01 12 /bin/x\nnot a maps line\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maps line 2 is malformed")
                .hasMessageContaining("not a maps line");
        assertThatThrownBy(() -> ProcessMaps.parseLine("00400000-00401000 r-x 00000000 08:01 12"))
                .hasMessageContaining("permissions");
        assertThatThrownBy(() -> ProcessMaps.parseLine("00401000-00400000 r-xp 00000000 08:01 12"))
                .hasMessageContaining("above its end");
        assertThatThrownBy(() -> ProcessMaps.parseLine("00400000-00401000 r-xp 00000000 08:01"))
                .hasMessageContaining("malformed");
        assertThatThrownBy(() -> ProcessMaps.parseLine("00400000-00401000 r-xp 00000000 08:01 1x2"))
                .hasMessageContaining("bad inode");
    }

    @Test
    void readsOwnMapsAndFindsLibc() throws IOException {
        ProcessMaps self = ProcessMaps.readSelf();
        assertThat(self.pid()).isEqualTo(ProcessHandle.current().pid());
        MapsEntry libcText = self.executableFileEntries().stream()
                .filter(e -> e.fileName().startsWith("libc.so"))
                .findFirst().orElseThrow(() -> new AssertionError("no executable libc mapping in /proc/self/maps"));
        assertThat(Files.isRegularFile(Path.of(libcText.filePath()))).isTrue();
        assertThat(libcText.isPrivate()).isTrue();
        assertThat(libcText.inode()).isEqualTo(Files.getAttribute(Path.of(libcText.filePath()), "unix:ino"));
        assertThat(self.entryContaining(libcText.start() + 1)).isEqualTo(libcText);
        // Entries come sorted and never overlap, which the binary search relies on.
        List<MapsEntry> es = self.entries();
        for (int i = 1; i < es.size(); i++) {
            assertThat(Long.compareUnsigned(es.get(i - 1).end(), es.get(i).start())).isLessThanOrEqualTo(0);
        }
    }

    @Test
    void readingAnotherLiveProcessByPidWorks() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            ProcessMaps maps = ProcessMaps.read(sleeper.pid());
            assertThat(maps.pid()).isEqualTo(sleeper.pid());
            assertThat(maps.executableFileEntries()).anyMatch(e -> e.fileName().equals("sleep"));
        } finally {
            sleeper.destroy();
            sleeper.waitFor();
        }
    }

    @Test
    void aGoneProcessIsReportedByPid() throws Exception {
        Process quick = new ProcessBuilder("true").start();
        long pid = quick.pid();
        quick.waitFor(); // reaped by the JVM, so the pid is gone (reuse within the test is unlikely)
        assertThatThrownBy(() -> ProcessMaps.read(pid))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("process " + pid + " is gone");
    }
}
