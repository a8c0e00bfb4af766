package dev.jpoline.cli;

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

    @Parameters(arity = "1..*", paramLabel = "PROGRAM", description = "The program and its arguments (after --).")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        Va0Requirement.check();
        if (hostTimeoutMs < 100) {
            throw new UserError("--host-timeout must be at least 100 ms, got " + hostTimeoutMs);
        }
        PrintWriter err = spec.commandLine().getErr();
        HostRewriting rewriting = HostRewriting.create(err);
        Launcher.Outcome outcome = new Launcher(err, hostTimeoutMs).run(command, rewriting::handlerFor);
        if (stats) {
            err.printf("jpoline: %d process(es) joined, %d site(s) rewritten in %d request(s), %d gave up on the host%n",
                    outcome.processesRegistered(), rewriting.sitesRewritten(), rewriting.requestsServed(),
                    outcome.processesThatGaveUp());
        }
        err.flush();
        return outcome.exitStatus();
    }
}
