package dev.jpoline.api.hooks;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the syscalls a hooks class intercepts, on top of those whose typed methods it
 * overrides. On a class that overrides {@link SyscallHooks#syscall(SyscallCall)}, it narrows the
 * generic hook to these names instead of every syscall (which would send every call of the
 * target through the host).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface HookSyscalls {
    /** Syscall names as in the x86-64 table, e.g. {@code "getpid"}, {@code "clock_gettime"}. */
    String[] value();
}
