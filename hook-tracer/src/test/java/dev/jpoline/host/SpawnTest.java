package dev.jpoline.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpawnTest {
    @TempDir
    Path temp;

    @Test
    void onlyOpenDescriptorsAbove2FromAWellFormedListAreInherited() throws Exception {
        Path file = Files.createFile(temp.resolve("f"));
        try (RandomAccessFile open = new RandomAccessFile(file.toFile(), "r")) {
            List<Integer> fds = Spawn.openDescriptors();
            int some = fds.stream().filter(fd -> isOpenOn(fd, file)).findFirst().orElseThrow();
            int closed = fds.stream().mapToInt(Integer::intValue).max().orElseThrow() + 100;
            assertThat(Spawn.inheritedDescriptors("0,1,2," + closed + "," + some + "," + some, fds))
                    .containsExactly(some);
            assertThat(Spawn.inheritedDescriptors(null, fds)).isEmpty();
            assertThat(Spawn.inheritedDescriptors("", fds)).isEmpty();
            assertThat(Spawn.inheritedDescriptors(some + ",x", fds)).isEmpty();
        }
    }

    private static boolean isOpenOn(int fd, Path file) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).equals(file);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void theEnvironmentKeepsItsOrderWithOurVariablesSetInPlaceOrAppended() throws Exception {
        List<String> original = new ArrayList<>();
        for (String entry : new String(Files.readAllBytes(Path.of("/proc/self/environ")), StandardCharsets.UTF_8)
                .split("\0")) {
            if (!entry.isEmpty()) {
                original.add(entry);
            }
        }
        assertThat(original).as("the test JVM's environment").hasSizeGreaterThan(2);
        String first = original.get(0).substring(0, original.get(0).indexOf('='));
        String last = original.get(original.size() - 1).substring(0, original.get(original.size() - 1).indexOf('='));
        Map<String, String> set = new LinkedHashMap<>();
        set.put(first, "replaced");
        set.put("JPOLINE_SPAWN_TEST_NEW", "added");
        List<String> env = new ArrayList<>();
        for (byte[] e : Spawn.environment(set, List.of(last), true)) {
            env.add(new String(e, StandardCharsets.UTF_8));
        }
        List<String> expected = new ArrayList<>(original.subList(1, original.size() - 1));
        expected.add(0, first + "=replaced");
        expected.add("JPOLINE_SPAWN_TEST_NEW=added");
        assertThat(env).containsExactlyElementsOf(expected);
    }
}
