package dev.jpoline.cli;

import dev.jpoline.api.hooks.HookDispatcher;
import dev.jpoline.api.hooks.SyscallHooks;
import dev.jpoline.host.HookLoader;
import dev.jpoline.host.HostRewriting;
import dev.jpoline.host.Attacher;
import dev.jpoline.host.Launcher;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code jpoline run}: runs a program with its syscalls passed through jpoline, or handed to hooks. */
final class RunCommand extends Command {
    static final String HELP = """
            Usage: jpoline run [OPTIONS] [--] PROGRAM [ARGS...]
                   jpoline run [OPTIONS] -p PID[,PID...]
            Run a program with every syscall instruction of its code, its libraries and
            every library it loads later rewritten to 'call *%rax' and passed through
            jpoline.
            Children, threads and exec'd programs join the same session. The exit status
            is the program's (128+N when signal N killed it). Options end at PROGRAM.

            Options:
              -p PID               Attach to a running process instead (repeatable): its
                                   syscalls go to --hooks until Ctrl-C (SIGINT, SIGTERM),
                                   then its code is put back and it runs on.
              --stats              At exit, print to stderr how many processes joined and
                                   how many sites were rewritten.
              -q                   Do not say that syscalls are caught with Syscall User
                                   Dispatch (where vm.mmap_min_addr is not 0), nor that
                                   a -p process was attached or detached.
              --exhaustive         Also catch syscalls of code that was not rewritten (JIT
                                   output, anonymous executable memory) with Syscall User
                                   Dispatch on top of VA0; each such site is reported once.
              --hooks CLASS        A SyscallHooks class to hand syscalls to (repeatable:
                                   applied in order). With --classpath and no --hooks,
                                   the classes its META-INF/services names.
              --classpath PATH     Jars and directories (separated by ':') holding the
                                   hook classes.
              --from-exec          With --hooks: hand the hooks the dynamic loader's
                                   syscalls too (each program is followed with ptrace
                                   from its execve until jpoline's runtime takes over),
                                   so that a hook can deny opening a library.
              --on-hook-error proceed|fail
                                   When a hook throws: the syscall proceeds unchanged
                                   (proceed, the default) or fails with EIO (fail).
              --host-timeout MS    How long a target waits for an unresponsive host
                                   before it runs on unrewritten (default: 10000).
              -h, --help           Show this help and exit.
              -V, --version        Print version information and exit.

            A long option's value may also follow '=' (--host-timeout=500).
            Example: jpoline run --hooks com.example.DenyOpen --classpath hooks.jar -- ls
            """;

    private static final String[] OPTIONS = {"-p PID", "--stats", "-q", "--exhaustive", "--host-timeout MS", "--hooks CLASS", "--classpath PATH",
        "--from-exec", "--on-hook-error proceed|fail"};

    boolean stats;
    boolean quiet;
    boolean exhaustive;
    int hostTimeoutMs = 10000;
    final List<String> hookClasses = new ArrayList<>();
    String hookClasspath;
    String onHookError = "proceed";
    boolean fromExec;
    List<String> command = List.of();
    final List<Long> pids = new ArrayList<>();

    /** Reads {@code jpoline run}'s arguments, from {@code args[start]} on. */
    static RunCommand parse(String[] args, int start) {
        RunCommand c = new RunCommand();
        Getopt options = new Getopt("jpoline run", args, start, OPTIONS, true);
        for (String o = options.next(); o != null; o = options.next()) {
            switch (o) {
                case "-p" -> TraceCommand.addPids(c.pids, options.value());
                case "--stats" -> c.stats = true;
                case "-q" -> c.quiet = true;
                case "--exhaustive" -> c.exhaustive = true;
                case "--host-timeout" -> c.hostTimeoutMs = options.intValue();
                case "--hooks" -> c.hookClasses.add(options.value());
                case "--classpath" -> c.hookClasspath = options.value();
                case "--on-hook-error" -> c.onHookError = options.value();
                case "--from-exec" -> c.fromExec = true;
                default -> throw new IllegalStateException(o);
            }
        }
        if (!c.stoppedFor(options)) {
            if (c.pids.isEmpty()) {
                c.command = options.requireOperands("name the program to run: jpoline run [OPTIONS] -- PROGRAM [ARGS...],"
                        + " or a running process: jpoline run --hooks CLASS -p PID");
            } else if (!options.operands().isEmpty()) {
                throw new UserError("give -p PID or a PROGRAM to start, not both (" + options.operands().get(0) + ")");
            } else if (c.fromExec) {
                throw new UserError("--from-exec cannot be used with -p: a running process's loader is done; start the"
                        + " program under jpoline run --hooks CLASS --from-exec instead");
            } else if (c.exhaustive) {
                throw new UserError("--exhaustive cannot be used with -p: Syscall User Dispatch must be turned on by each"
                        + " thread itself, at its start; start the program under jpoline run --exhaustive instead");
            }
        }
        return c;
    }

    @Override
    String help() {
        return HELP;
    }

    @Override
    int call(PrintWriter out, PrintWriter err) {
        if (hostTimeoutMs < 100) {
            throw new UserError("--host-timeout must be at least 100 ms, got " + hostTimeoutMs);
        }
        HookDispatcher.OnError policy = switch (onHookError) {
            case "proceed" -> HookDispatcher.OnError.PROCEED;
            case "fail" -> HookDispatcher.OnError.FAIL_EIO;
            default -> throw new UserError("--on-hook-error takes proceed or fail, not '" + onHookError + "'");
        };
        if (fromExec && hookClasses.isEmpty() && hookClasspath == null) {
            throw new UserError("--from-exec hands the loader's syscalls to hooks: give --hooks CLASS too");
        }
        if (pids.isEmpty()) {
            Va0Requirement.check(err, quiet);
        }
        Warmup.start(false);
        List<SyscallHooks> hooks = List.of();
        if (!hookClasses.isEmpty() || hookClasspath != null) {
            try {
                hooks = HookLoader.load(hookClasses, hookClasspath);
            } catch (HookLoader.HookLoadException e) {
                throw new UserError(e.getMessage());
            }
        }
        HostRewriting rewriting = HostRewriting.create(err);
        if (!pids.isEmpty()) {
            Attacher attacher = new Attacher(err, hostTimeoutMs).quiet(quiet);
            if (!hooks.isEmpty()) {
                attacher.withHooks(new HookDispatcher(hooks, policy, err::println));
            }
            try {
                return attacher.run(pids, rewriting, 0, null);
            } finally {
                closeAll(hooks, err);
                err.flush();
            }
        }
        Launcher launcher = new Launcher(err, hostTimeoutMs).exhaustive(exhaustive).ptraceWindow(fromExec);
        if (!hooks.isEmpty()) {
            launcher.withHooks(new HookDispatcher(hooks, policy, err::println));
        }
        Launcher.Outcome outcome;
        try {
            outcome = launcher.run(command, new Handlers(rewriting));
        } finally {
            closeAll(hooks, err);
        }
        if (stats) {
            err.println("jpoline: " + outcome.processesRegistered() + " process(es) joined, " + rewriting.sitesRewritten()
                    + " site(s) rewritten in " + rewriting.requestsServed() + " request(s), "
                    + outcome.processesThatGaveUp() + " gave up on the host");
        }
        err.flush();
        return outcome.exitStatus();
    }

    /** Hooks that keep state (a byte counter, say) report it when the session ends. */
    private static void closeAll(List<SyscallHooks> hooks, PrintWriter err) {
        for (SyscallHooks h : hooks) {
            if (h instanceof AutoCloseable) {
                try {
                    ((AutoCloseable) h).close();
                } catch (Exception e) {
                    err.println("jpoline: closing hooks " + h.getClass().getName() + " failed: " + e);
                }
            }
        }
    }
}
