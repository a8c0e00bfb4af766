package dev.jpoline.host;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While a program runs under jpoline, the host must outlive it to report its exit status. A
 * terminal's SIGINT and SIGQUIT reach the whole foreground process group, the program included,
 * so the host ignores them and lets the program decide; SIGTERM and SIGHUP sent to jpoline alone
 * are passed on to the program.
 */
final class SignalRelay implements AutoCloseable {
    private static final Function KILL = NativeLibrary.getInstance("c").getFunction("kill");

    private final List<Signal> installed = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private SignalRelay() {}

    static SignalRelay forChild(int child) {
        SignalRelay relay = new SignalRelay();
        relay.install("INT", sig -> { });
        relay.install("QUIT", sig -> { });
        relay.install("TERM", sig -> KILL.invokeInt(new Object[] {child, sig.getNumber()}));
        relay.install("HUP", sig -> KILL.invokeInt(new Object[] {child, sig.getNumber()}));
        return relay;
    }

    /**
     * For processes jpoline attached to: SIGINT, SIGTERM and SIGHUP end the attachment (run
     * {@code onStop}) instead of the JVM; SIGQUIT is ignored.
     */
    static SignalRelay forStop(Runnable onStop) {
        SignalRelay relay = new SignalRelay();
        relay.install("INT", sig -> onStop.run());
        relay.install("TERM", sig -> onStop.run());
        relay.install("HUP", sig -> onStop.run());
        relay.install("QUIT", sig -> { });
        return relay;
    }

    private void install(String name, SignalHandler handler) {
        try {
            Signal signal = new Signal(name);
            previous.add(Signal.handle(signal, handler));
            installed.add(signal);
        } catch (IllegalArgumentException e) {
            // The JVM reserves this signal (for example with -Xrs): leave its handling alone.
        }
    }

    /** Gives the signals back their previous handling; a second call does nothing. */
    @Override
    public void close() {
        for (int i = 0; i < installed.size(); i++) {
            Signal.handle(installed.get(i), previous.get(i));
        }
        installed.clear();
        previous.clear();
    }
}
