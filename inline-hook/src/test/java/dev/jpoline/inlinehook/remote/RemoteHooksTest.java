package dev.jpoline.inlinehook.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jpoline.inlinehook.SharedLibraryBuild;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Remote inline hooks on a multi-threaded target under load: hooked and restored again and again. */
class RemoteHooksTest {
    private static final Pattern REPORT = Pattern.compile("calls=(\\d+) hooked=(\\d+) bad=(\\d+)");
    private DetachedTarget target;

    @AfterEach
    void kill() {
        if (target != null) {
            target.close();
        }
    }

    static Path payload() {
        return SharedLibraryBuild.compile(Path.of("src/test/c/remote_payload.c"), Path.of("target/test-bin/libremote_payload.so"),
                List.of("-O1", "-Wall", "-Werror"));
    }

    private long[] report() throws Exception {
        target.send("report");
        Matcher m = REPORT.matcher(target.line(10_000));
        assertThat(m.matches()).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    /** Waits until the hooked count moves (the hook is live) or stays (it is gone), at most 5 s. */
    private long[] awaitHooked(boolean live) throws Exception {
        long[] first = report();
        for (int i = 0; i < 500; i++) {
            Thread.sleep(i < 10 ? 2 : 10);
            long[] now = report();
            if (live ? now[1] > first[1] : now[1] == first[1] && now[0] > first[0]) {
                return now;
            }
            first = now;
        }
        throw new AssertionError("the hook never became " + (live ? "live" : "gone"));
    }

    @Test
    void hookedAndRestoredFiftyTimesUnderLoadWithNoTornCall() throws Exception {
        Path lib = payload();
        target = DetachedTarget.start(RemoteProcessTest.build("remote_worker"), "4");
        RemoteHooks.Spec spec = RemoteHooks.Spec.parse(lib + "@compute:my_compute:install");
        for (int round = 0; round < 50; round++) {
            RemoteHooks hooks = RemoteHooks.install(target.pid, List.of(spec));
            assertThat(RemoteProcessTest.tracedThreads(target.pid)).isEmpty();
            assertThat(hooks.hooks()).singleElement().satisfies(h -> assertThat(h.jumpLength()).isEqualTo(5));
            awaitHooked(true);
            List<String> left = hooks.restore();
            assertThat(left).singleElement().asString().contains("original restored");
            assertThat(RemoteProcessTest.tracedThreads(target.pid)).isEmpty();
            long[] after = awaitHooked(false);
            assertThat(after[2]).as("torn calls after round " + round).isZero();
        }
        target.send("quit");
        assertThat(target.line(20_000)).isEqualTo("done bad=0");
    }

    @Test
    void threadsBornWhileAttachingAndAForkedChildSeeTheHook() throws Exception {
        Path lib = payload();
        target = DetachedTarget.start(RemoteProcessTest.build("remote_worker"), "2", "churn");
        RemoteHooks.Spec spec = RemoteHooks.Spec.parse(lib + "@compute:my_compute:install");
        for (int round = 0; round < 20; round++) {
            RemoteHooks hooks = RemoteHooks.install(target.pid, List.of(spec));
            assertThat(RemoteProcessTest.tracedThreads(target.pid)).isEmpty();
            if (round == 0) {
                target.send("fork"); // the child inherits the patched code, the trampoline and the payload
                assertThat(target.line(10_000)).isEqualTo("child " + (5 * 3 + 1 + 1000000));
            }
            hooks.restore();
            assertThat(RemoteProcessTest.tracedThreads(target.pid)).isEmpty();
        }
        target.send("fork");
        assertThat(target.line(10_000)).isEqualTo("child " + (5 * 3 + 1));
        assertThat(report()[2]).as("torn calls").isZero();
        target.send("quit");
        assertThat(target.line(20_000)).isEqualTo("done bad=0");
    }

    @Test
    void refusalsAreOneLineAndChangeNothing() throws Exception {
        Path lib = payload();
        target = DetachedTarget.start(RemoteProcessTest.build("remote_worker"), "1");
        assertThatThrownBy(() -> RemoteHooks.install(target.pid, List.of(RemoteHooks.Spec.parse(lib + "@no_such_fn:my_compute"))))
                .hasMessageContaining("no function no_such_fn");
        assertThatThrownBy(() -> RemoteHooks.install(target.pid, List.of(RemoteHooks.Spec.parse(lib + "@compute:nope"))))
                .hasMessageContaining("has no function nope");
        assertThatThrownBy(() -> RemoteHooks.install(target.pid, List.of(RemoteHooks.Spec.parse("/nonexistent.so@compute:x"))))
                .hasMessageContaining("no such library");
        assertThatThrownBy(() -> RemoteHooks.install(target.pid, List.of(RemoteHooks.Spec.parse(lib + "@tiny:my_compute"))))
                .hasMessageStartingWith("cannot hook remote_worker:tiny").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> RemoteHooks.Spec.parse("compute:x")).hasMessageContaining("LIB@TARGET:DETOUR");
        assertThat(RemoteProcessTest.tracedThreads(target.pid)).isEmpty();
        long[] r = report();
        assertThat(r[1]).isZero();
        assertThat(r[2]).isZero();
    }
}
