package dev.jpoline.api.hooks;

import dev.jpoline.api.Errno;
import dev.jpoline.api.SyscallTable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Routes intercepted syscalls to a chain of {@link SyscallHooks}, applied in order: a hook's
 * {@code proceed} goes on to the next hooks object that intercepts the same syscall, and the
 * last one runs the real syscall. Also says which syscall numbers need the HOOK tier at all.
 */
public final class HookDispatcher {
    /** What happens to a syscall whose hook throws. */
    public enum OnError {
        /** The syscall goes on as if this hook were absent (the default). */
        PROCEED,
        /** The program sees the syscall fail with EIO. */
        FAIL_EIO
    }

    private static final TypedHooks.Invoker GENERIC = SyscallHooks::syscall;

    private final List<SyscallHooks> chain;
    private final OnError onError;
    private final Consumer<String> reports;
    /** Per hooks object: syscall number -> the method that serves it (absent: not intercepted). */
    private final List<Map<Integer, Route>> routes = new ArrayList<>();
    private final BitSet hooked = new BitSet();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    private record Route(String method, TypedHooks.Invoker invoker) {}

    /**
     * @param reports receives one report (with stack trace) per hook method the first time it throws
     */
    public HookDispatcher(List<? extends SyscallHooks> chain, OnError onError, Consumer<String> reports) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no hooks given");
        }
        this.chain = List.copyOf(chain);
        this.onError = onError;
        this.reports = reports;
        SyscallTable table = SyscallTable.x86_64();
        for (SyscallHooks hooks : this.chain) {
            Map<Integer, Route> mine = new HashMap<>();
            Class<?> type = hooks.getClass();
            for (TypedHooks.Binding b : TypedHooks.ALL) {
                if (overrides(type, b.method(), b.parameterTypes())) {
                    mine.put(table.numberOf(b.syscall()), new Route(b.method(), b.invoker()));
                }
            }
            HookSyscalls named = type.getAnnotation(HookSyscalls.class);
            boolean generic = overrides(type, "syscall", List.of());
            if (named != null) {
                for (String name : named.value()) {
                    int number = table.byName(name).orElseThrow(() -> new IllegalArgumentException(
                            type.getName() + ": @HookSyscalls names unknown syscall '" + name + "'")).number();
                    mine.putIfAbsent(number, generic ? new Route("syscall", GENERIC) : typedRouteOf(name));
                }
            } else if (generic) {
                for (var s : table.all()) {
                    mine.putIfAbsent(s.number(), new Route("syscall", GENERIC));
                }
            }
            mine.keySet().forEach(hooked::set);
            routes.add(mine);
        }
    }

    /** The syscall numbers some hooks object intercepts: these take the HOOK tier. */
    public BitSet hookedNumbers() {
        return (BitSet) hooked.clone();
    }

    /** Runs the chain for one call and returns what the program sees. */
    public long dispatch(SyscallCall call) {
        return new Link(call, 0, null).proceed();
    }

    private static boolean overrides(Class<?> type, String name, List<Class<?>> after) {
        Class<?>[] parameters = new Class<?>[after.size() + 1];
        parameters[0] = SyscallCall.class;
        for (int i = 0; i < after.size(); i++) {
            parameters[i + 1] = after.get(i);
        }
        try {
            Method m = type.getMethod(name, parameters);
            return m.getDeclaringClass() != SyscallHooks.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** The typed method of {@code syscall}, or the generic one when it has none. */
    private static Route typedRouteOf(String syscall) {
        return TypedHooks.ALL.stream().filter(b -> b.syscall().equals(syscall)).findFirst()
                .map(b -> new Route(b.method(), b.invoker())).orElse(new Route("syscall", GENERIC));
    }

    /**
     * The call as hooks object {@code index} of the chain sees it: its arguments may have been
     * changed by the hooks before it, and its {@code proceed} continues down the chain.
     */
    private final class Link implements SyscallCall {
        private final SyscallCall target;
        private final int index;
        private final long[] arguments;
        private OptionalLong result = OptionalLong.empty();

        Link(SyscallCall target, int index, long[] arguments) {
            this.target = target;
            this.index = index;
            this.arguments = arguments;
        }

        @Override
        public int number() {
            return target.number();
        }

        @Override
        public String name() {
            return target.name();
        }

        @Override
        public long pid() {
            return target.pid();
        }

        @Override
        public long tid() {
            return target.tid();
        }

        @Override
        public long arg(int i) {
            return arguments == null ? target.arg(i) : arguments[i];
        }

        /** This link runs hooks object {@code index}, or the real call past the end of the chain. */
        @Override
        public long proceed() {
            for (int i = index; i < chain.size(); i++) {
                Route route = routes.get(i).get(number());
                if (route != null) {
                    Link next = new Link(target, i + 1, arguments);
                    long value = invoke(chain.get(i), route, next);
                    return remember(value);
                }
            }
            return remember(arguments == null ? target.proceed() : target.proceed(arguments));
        }

        private long invoke(SyscallHooks hooks, Route route, Link next) {
            try {
                return route.invoker().invoke(hooks, next);
            } catch (CallAbandonedException gone) {
                throw gone;
            } catch (RuntimeException | LinkageError e) {
                report(hooks, route, e);
                if (onError == OnError.FAIL_EIO) {
                    return -Errno.EIO.number();
                }
                // As if this hook were absent; a syscall it already ran is not run twice.
                return next.result.isPresent() ? next.result.getAsLong() : next.proceed();
            }
        }

        @Override
        public long proceed(long... replacement) {
            if (replacement.length > 6) {
                throw new IllegalArgumentException("a syscall has at most 6 arguments, got " + replacement.length);
            }
            long[] changed = new long[6];
            for (int i = 0; i < 6; i++) {
                changed[i] = i < replacement.length ? replacement[i] : arg(i);
            }
            return remember(new Link(target, index, changed).proceed());
        }

        @Override
        public long proceedWithString(int argument, String replacement) {
            // Strings are placed by the real call; links in between see the original pointer.
            return remember(target.proceedWithString(argument, replacement));
        }

        private long remember(long value) {
            result = OptionalLong.of(value);
            return value;
        }

        @Override
        public OptionalLong result() {
            return result;
        }

        @Override
        public String readString(long address, int maxBytes) {
            return target.readString(address, maxBytes);
        }

        @Override
        public byte[] read(long address, int length) {
            return target.read(address, length);
        }

        @Override
        public void write(long address, byte[] bytes) {
            target.write(address, bytes);
        }

        @Override
        public String toString() {
            return name() + Arrays.toString(arguments == null ? new long[0] : arguments);
        }
    }

    private void report(SyscallHooks hooks, Route route, Throwable e) {
        String where = hooks.getClass().getName() + "." + route.method();
        if (reported.add(where)) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            reports.accept("jpoline: hook " + where + " threw; the syscall "
                    + (onError == OnError.FAIL_EIO ? "fails with EIO" : "proceeds unchanged")
                    + " (reported once per hook method):\n" + trace);
        }
    }
}
