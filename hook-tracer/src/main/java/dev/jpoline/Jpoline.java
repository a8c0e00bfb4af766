package dev.jpoline;

import dev.jpoline.api.hooks.HookDispatcher;
import dev.jpoline.api.hooks.SyscallHooks;
import dev.jpoline.host.HostRewriting;
import dev.jpoline.host.Launcher;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Embedding API: runs a program with jpoline from Java, its syscalls handed to the given hooks.
 *
 * <pre>{@code
 * int status = Jpoline.launch(List.of("cat", "/etc/shadow"), new NoSecrets()).waitFor();
 * }</pre>
 *
 * The program's stdin, stdout and stderr are this JVM's. Requires vm.mmap_min_addr=0.
 */
public final class Jpoline {
    /** How long targets wait for an unresponsive host before running on unhooked. */
    private static final int HOST_TIMEOUT_MS = 10_000;

    private Jpoline() {}

    /** A program started by {@link #launch}. */
    public static final class Running {
        private final CompletableFuture<Integer> status;

        private Running(CompletableFuture<Integer> status) {
            this.status = status;
        }

        /** Waits for the program and returns its exit status (128+N when signal N killed it). */
        public int waitFor() throws InterruptedException {
            try {
                return status.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("jpoline failed to run the program: " + e.getCause(), e.getCause());
            }
        }

        /** Waits at most {@code timeout}; true when the program ended. */
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            try {
                status.get(timeout, unit);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                return true;
            }
        }
    }

    /**
     * Starts {@code command} (program and arguments, found along PATH) with every syscall
     * rewritten; the syscalls the hooks intercept are handed to them, in the order given.
     */
    public static Running launch(List<String> command, SyscallHooks... hooks) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no program given");
        }
        PrintWriter err = new PrintWriter(System.err, true);
        Launcher launcher = new Launcher(err, HOST_TIMEOUT_MS);
        if (hooks.length > 0) {
            launcher.withHooks(new HookDispatcher(List.of(hooks), HookDispatcher.OnError.PROCEED, err::println));
        }
        HostRewriting rewriting = HostRewriting.create(err);
        List<String> copy = List.copyOf(command);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(
                () -> launcher.run(copy, rewriting::handlerFor).exitStatus(), runnable -> {
                    Thread t = new Thread(runnable, "jpoline-launch");
                    t.setDaemon(true);
                    t.start();
                });
        return new Running(status);
    }
}
