package dev.jpoline.cli;

import dev.jpoline.inlinehook.remote.RemoteException;
import dev.jpoline.inlinehook.remote.RemoteHooks;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code jpoline hook --pid PID --hook LIB@TARGET:DETOUR[:ENTRY]}: inline hooks in a running process. */
final class HookCommand extends Command {
    static final String HELP = """
            Usage: jpoline hook --pid PID --hook LIB@TARGET:DETOUR[:ENTRY] [--hook ...]
            Replace functions of a running process with detours from a library loaded
            into it (with its own dlopen), the originals still callable; the process is
            stopped only for a moment. Runs until Enter, SIGINT or SIGTERM, then puts
            every original back and says what stays in the process.

            TARGET is a function of the program or of its libraries (.symtab or .dynsym),
            MODULE:SYMBOL when several define it (LIB@libc.so.6:write:my_write).
            DETOUR and ENTRY are functions of LIB. ENTRY, if given, is called in the
            process as ENTRY(original) before the hook goes live, with the address
            that calls the original function.

            Options:
              -p, --pid PID    The process to hook.
              --hook SPEC      A hook, LIB@TARGET:DETOUR[:ENTRY]; repeatable.
              -h, --help       Show this help and exit.
              -V, --version    Print version information and exit.

            Example: jpoline hook --pid 4242 --hook ./libtrace.so@compute:my_compute:install
            """;

    private static final String[] OPTIONS = {"-p PID", "--pid PID", "--hook SPEC"};

    long pid = -1;
    final List<RemoteHooks.Spec> specs = new ArrayList<>();
    /** Where "Enter" comes from; tests give their own. */
    InputStream console = System.in;

    static HookCommand parse(String[] args, int start) {
        HookCommand c = new HookCommand();
        Getopt options = new Getopt("jpoline hook", args, start, OPTIONS, false);
        for (String o = options.next(); o != null; o = options.next()) {
            switch (o) {
                case "-p", "--pid" -> {
                    if (c.pid != -1) {
                        throw options.usage("give one --pid: jpoline hook hooks one process at a time");
                    }
                    try {
                        c.pid = Long.parseLong(options.value());
                    } catch (NumberFormatException e) {
                        throw options.usage("--pid takes a process id, not '" + options.value() + "'");
                    }
                }
                case "--hook" -> {
                    try {
                        c.specs.add(RemoteHooks.Spec.parse(options.value()));
                    } catch (RemoteException e) {
                        throw new UserError(e.getMessage());
                    }
                }
                default -> throw new IllegalStateException(o);
            }
        }
        if (c.stoppedFor(options)) {
            return c;
        }
        if (!options.operands().isEmpty()) {
            throw options.usage("unexpected argument '" + options.operands().get(0) + "'; hooks are given with --hook");
        }
        if (c.pid == -1) {
            throw options.usage("name the process: jpoline hook --pid PID --hook LIB@TARGET:DETOUR[:ENTRY]");
        }
        if (c.specs.isEmpty()) {
            throw options.usage("give at least one --hook LIB@TARGET:DETOUR[:ENTRY]");
        }
        return c;
    }

    @Override
    String help() {
        return HELP;
    }

    @Override
    int call(PrintWriter out, PrintWriter err) throws IOException {
        RemoteHooks hooks;
        try {
            hooks = RemoteHooks.install(pid, specs);
        } catch (RemoteException e) {
            throw new UserError(e.getMessage());
        }
        RemoteHooks.Pauses pauses = hooks.pauses();
        for (RemoteHooks.Installed h : hooks.hooks()) {
            err.printf("jpoline: hooked %s in process %d (%d-byte jump; trampoline at 0x%x)%n", h.function(), pid,
                    h.jumpLength(), h.trampoline());
        }
        err.printf("jpoline: process %d was stopped for %.1f ms and %.1f ms; press Enter, or send SIGINT or SIGTERM,"
                + " to restore%n", pid, pauses.plan() / 1e6, pauses.write() / 1e6);
        err.flush();
        Restorer restorer = new Restorer(hooks, err);
        Thread onSignal = new Thread(restorer::restore, "jpoline-hook-restore");
        Runtime.getRuntime().addShutdownHook(onSignal);
        CountDownLatch enter = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try {
                int c;
                while ((c = console.read()) != -1) {
                    if (c == '\n') {
                        enter.countDown();
                        return;
                    }
                }
                // End of input: no Enter will come (a background job); signals still end it.
            } catch (IOException e) {
                // as end of input
            }
        }, "jpoline-hook-console");
        reader.setDaemon(true);
        reader.start();
        try {
            while (!enter.await(200, TimeUnit.MILLISECONDS)) {
                if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                    err.println("jpoline: process " + pid + " has ended; nothing to restore");
                    restorer.forget();
                    Runtime.getRuntime().removeShutdownHook(onSignal);
                    return 0;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        restorer.restore();
        Runtime.getRuntime().removeShutdownHook(onSignal);
        return restorer.failed ? 1 : 0;
    }

    /** Restores once, from Enter or from a signal's shutdown hook, whichever comes first. */
    private static final class Restorer {
        private final RemoteHooks hooks;
        private final PrintWriter err;
        private boolean done;
        boolean failed;

        Restorer(RemoteHooks hooks, PrintWriter err) {
            this.hooks = hooks;
            this.err = err;
        }

        synchronized void forget() {
            done = true;
        }

        synchronized void restore() {
            if (done) {
                return;
            }
            done = true;
            try {
                for (String line : hooks.restore()) {
                    err.println("jpoline: " + line);
                }
                err.printf("jpoline: process %d was stopped for %.1f ms to restore%n", hooks.pid(),
                        hooks.pauses().write() / 1e6);
            } catch (RemoteException e) {
                failed = true;
                err.println("jpoline: cannot restore process " + hooks.pid() + ": " + e.getMessage());
            }
            err.flush();
        }
    }
}
