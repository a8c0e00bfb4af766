package dev.jpoline.cli;

import dev.jpoline.host.HostRewriting;
import dev.jpoline.host.RewriteRequest;
import dev.jpoline.host.Session;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The rewrite-request handler of a session, for {@code Launcher.run}. A named class rather than
 * a method reference: on the way to starting the program, each first-run lambda spins a class
 * unless the CDS archive has it.
 */
final class Handlers implements Function<Session, Consumer<RewriteRequest>> {
    private final HostRewriting rewriting;

    Handlers(HostRewriting rewriting) {
        this.rewriting = rewriting;
    }

    @Override
    public Consumer<RewriteRequest> apply(Session session) {
        return rewriting.handlerFor(session);
    }
}
