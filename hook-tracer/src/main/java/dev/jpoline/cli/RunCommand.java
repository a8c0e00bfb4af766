package dev.jpoline.cli;

import dev.jpoline.api.hooks.HookDispatcher;
import dev.jpoline.api.hooks.SyscallHooks;
import dev.jpoline.host.HookLoader;
import dev.jpoline.host.HostRewriting;
import dev.jpoline.host.Launcher;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run a program with every syscall instruction of its code, its libraries and every library it"
                    + " loads later rewritten to 'call *%%rax' and passed through jpoline.",
            "Children, threads and exec'd programs join the same session. The exit status is the program's"
                    + " (128+N when signal N killed it)."
        })
final class RunCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--stats", description = "At exit, print to stderr how many processes joined and how many sites were rewritten.")
    boolean stats;

    @Option(names = "--host-timeout", paramLabel = "MS", defaultValue = "10000",
            description = "How long a target waits for an unresponsive host before it runs on unrewritten (default: ${DEFAULT-VALUE}).")
    int hostTimeoutMs;

    @Option(names = "--hooks", paramLabel = "CLASS",
            description = "A SyscallHooks class to hand syscalls to (repeatable: applied in order). With --classpath"
                    + " and no --hooks, the classes its META-INF/services names.")
    List<String> hookClasses = new ArrayList<>();

    @Option(names = "--classpath", paramLabel = "PATH", description = "Jars and directories (separated by ':') holding the hook classes.")
    String hookClasspath;

    @Option(names = "--on-hook-error", paramLabel = "proceed|fail", defaultValue = "proceed",
            description = "When a hook throws: the syscall proceeds unchanged (proceed, the default) or fails with EIO (fail).")
    String onHookError;

    @Parameters(arity = "1..*", paramLabel = "PROGRAM", description = "The program and its arguments (after --).")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        Va0Requirement.check();
        if (hostTimeoutMs < 100) {
            throw new UserError("--host-timeout must be at least 100 ms, got " + hostTimeoutMs);
        }
        PrintWriter err = spec.commandLine().getErr();
        HookDispatcher.OnError policy = switch (onHookError) {
            case "proceed" -> HookDispatcher.OnError.PROCEED;
            case "fail" -> HookDispatcher.OnError.FAIL_EIO;
            default -> throw new UserError("--on-hook-error takes proceed or fail, not '" + onHookError + "'");
        };
        List<SyscallHooks> hooks = List.of();
        if (!hookClasses.isEmpty() || hookClasspath != null) {
            try {
                hooks = HookLoader.load(hookClasses, hookClasspath);
            } catch (HookLoader.HookLoadException e) {
                throw new UserError(e.getMessage());
            }
        }
        HostRewriting rewriting = HostRewriting.create(err);
        Launcher launcher = new Launcher(err, hostTimeoutMs);
        if (!hooks.isEmpty()) {
            launcher.withHooks(new HookDispatcher(hooks, policy, err::println));
        }
        Launcher.Outcome outcome;
        try {
            outcome = launcher.run(command, rewriting::handlerFor);
        } finally {
            closeAll(hooks, err);
        }
        if (stats) {
            err.printf("jpoline: %d process(es) joined, %d site(s) rewritten in %d request(s), %d gave up on the host%n",
                    outcome.processesRegistered(), rewriting.sitesRewritten(), rewriting.requestsServed(),
                    outcome.processesThatGaveUp());
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
