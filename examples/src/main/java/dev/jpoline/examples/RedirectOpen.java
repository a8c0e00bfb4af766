package dev.jpoline.examples;

import dev.jpoline.api.hooks.SyscallCall;
import dev.jpoline.api.hooks.SyscallHooks;

/**
 * Opening one path opens another: the program asks for {@code from} and gets {@code to}, without
 * knowing. For {@code --hooks}: system properties {@code jpoline.redirect.from} and
 * {@code jpoline.redirect.to}.
 */
public final class RedirectOpen implements SyscallHooks {
    private final String from;
    private final String to;

    public RedirectOpen() {
        this(required("jpoline.redirect.from"), required("jpoline.redirect.to"));
    }

    public RedirectOpen(String from, String to) {
        this.from = from;
        this.to = to;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("RedirectOpen needs -D" + property + "=PATH");
        }
        return value;
    }

    @Override
    public long openat(SyscallCall call, int dirfd, String path, int flags, int mode) {
        return from.equals(TargetPaths.resolve(call.pid(), dirfd, path)) ? call.proceedWithString(1, to) : call.proceed();
    }

    @Override
    public long open(SyscallCall call, String path, int flags, int mode) {
        return from.equals(TargetPaths.resolve(call.pid(), TargetPaths.AT_FDCWD, path))
                ? call.proceedWithString(0, to) : call.proceed();
    }
}
