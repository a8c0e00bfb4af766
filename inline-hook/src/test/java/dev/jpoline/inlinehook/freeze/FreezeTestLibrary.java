package dev.jpoline.inlinehook.freeze;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.SharedLibraryBuild;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code src/test/c/freeze_test.c}, compiled with gcc into a shared library once per JVM and
 * loaded with JNA: native threads of every kind, and code at known addresses.
 */
interface FreezeTestLibrary extends Library {
    int jpt_start_spinners(int n);

    long jpt_spin_total();

    int jpt_start_pipe_readers(int n);

    int jpt_pipe_feed_and_check();

    int jpt_start_sleepers(int n);

    long jpt_sleep_rounds();

    int jpt_start_futex_waiters(int n);

    int jpt_futex_release_and_count(int expected);

    int jpt_start_idle(int n);

    int jpt_start_looper();

    int jpt_loop_boundaries(long[] a, long[] b);

    long jpt_loop_count_a();

    long jpt_loop_count_b();

    int jpt_start_nested_looper();

    int jpt_nested_interrupt();

    void jpt_nested_release();

    int jpt_start_returner();

    int jpt_returner_waiting();

    long jpt_ret_after_address();

    long jpt_ret_alt_address();

    int jpt_returner_finish();

    int jpt_start_blocker(int sig);

    long jpt_blocker_rounds();

    int jpt_blocker_unblock();

    int jpt_one();

    int jpt_probe();

    int jpt_start_caller();

    long jpt_caller_results(int which);

    int jpt_start_churners(int n);

    long jpt_churned();

    int jpt_membarrier_sync_core();

    int jpt_stop_all();

    Path MODULE = Path.of(System.getProperty("user.dir"));

    static Path build() {
        return SharedLibraryBuild.compile(MODULE.resolve("src/test/c/freeze_test.c"),
                MODULE.resolve("target/native-tests/libfreeze_test.so"),
                List.of("-std=gnu11", "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-pthread"));
    }

    static FreezeTestLibrary load(Path library) {
        return Native.load(library.toString(), FreezeTestLibrary.class);
    }

    static long address(Path library, String symbol) {
        return Pointer.nativeValue(NativeLibrary.getInstance(library.toString()).getFunction(symbol));
    }
}
