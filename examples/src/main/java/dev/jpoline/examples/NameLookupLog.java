package dev.jpoline.examples;

import com.sun.jna.Callback;
import com.sun.jna.Function;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.Hook;
import dev.jpoline.inlinehook.InlineHooks;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Logs every name lookup this JVM makes, by hooking libc's {@code getaddrinfo} with a detour
 * written in Java. The JDK resolves names through getaddrinfo on the calling Java thread, so
 * each lookup reaches the detour, which logs the name and calls the original through the
 * trampoline. Lookups made by threads the JVM does not know run the original unlogged.
 *
 * <p>Run: {@code java -cp examples.jar:jpoline.jar dev.jpoline.examples.NameLookupLog localhost example.invalid}
 */
public final class NameLookupLog implements AutoCloseable {
    /** int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) */
    public interface GetAddrInfo extends Callback {
        int invoke(Pointer node, Pointer service, Pointer hints, Pointer res);
    }

    /** One lookup: the name asked for and getaddrinfo's result (0, or an EAI_* code). */
    public record Lookup(String node, String service, int result) {}

    private final List<Lookup> lookups = new CopyOnWriteArrayList<>();
    private final PrintStream log;
    private final Hook hook;
    private final Function original;
    // A field, so the callback stays reachable as long as the hook.
    private final GetAddrInfo detour = this::lookup;

    public NameLookupLog(PrintStream log) {
        this.log = log;
        this.hook = InlineHooks.global().createBySymbol(null, "getaddrinfo", detour);
        this.original = Function.getFunction(new Pointer(hook.trampoline()));
        hook.enable();
    }

    private int lookup(Pointer node, Pointer service, Pointer hints, Pointer res) {
        int result = original.invokeInt(new Object[] {node, service, hints, res});
        Lookup l = new Lookup(node == null ? null : node.getString(0), service == null ? null : service.getString(0),
                result);
        lookups.add(l);
        if (log != null) {
            log.println("getaddrinfo(" + l.node() + (l.service() == null ? "" : ", " + l.service()) + ") = " + result);
        }
        return result;
    }

    public List<Lookup> lookups() {
        return List.copyOf(lookups);
    }

    /** Puts getaddrinfo back as it was. */
    @Override
    public void close() {
        hook.close();
    }

    public static void main(String[] args) {
        try (NameLookupLog log = new NameLookupLog(System.out)) {
            for (String name : args) {
                try {
                    InetAddress[] all = InetAddress.getAllByName(name);
                    System.out.println(name + " -> " + all.length + " address(es), first " + all[0].getHostAddress());
                } catch (UnknownHostException e) {
                    System.out.println(name + " -> unknown host");
                }
            }
        }
    }
}
