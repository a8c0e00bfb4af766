package dev.jpoline.api;

import java.util.Locale;
import java.util.Optional;

/**
 * The syscall classes that strace's {@code -e trace=%class} selects, with strace's membership (taken
 * from strace's per-architecture syscall table for x86-64, where the letters TD, TF, TN ... tag each
 * entry).
 */
public enum SyscallClass {
    /** %desc: takes or returns a file descriptor (TD). */
    DESC("%desc"),
    /** %file: takes a file name (TF). */
    FILE("%file"),
    /** %ipc: System V IPC (TI). */
    IPC("%ipc"),
    /** %network (alias %net): sockets (TN). */
    NETWORK("%network", "%net"),
    /** %process: process life cycle (TP). */
    PROCESS("%process"),
    /** %signal: signal related (TS). */
    SIGNAL("%signal"),
    /** %memory: memory mapping (TM). */
    MEMORY("%memory"),
    /** %stat: stat variants that take a file name (TST). */
    STAT("%stat"),
    /** %lstat: lstat variants (TLST). */
    LSTAT("%lstat"),
    /** %fstat: stat variants that take a descriptor (TFST). */
    FSTAT("%fstat"),
    /** %%stat: every stat variant (TSTA). */
    STAT_LIKE("%%stat"),
    /** %statfs: statfs variants that take a file name (TSF). */
    STATFS("%statfs"),
    /** %fstatfs: statfs variants that take a descriptor (TFSF). */
    FSTATFS("%fstatfs"),
    /** %%statfs: every statfs variant (TSFA). */
    STATFS_LIKE("%%statfs"),
    /** %pure: no arguments, always succeed, no side effects (PU). */
    PURE("%pure"),
    /** %creds: user and group ids and capabilities (TC). */
    CREDS("%creds"),
    /** %clock: reading or setting clocks (TCL). */
    CLOCK("%clock");

    private final String straceName;
    private final String alias;

    SyscallClass(String straceName) {
        this(straceName, null);
    }

    SyscallClass(String straceName, String alias) {
        this.straceName = straceName;
        this.alias = alias;
    }

    /** The name strace uses in {@code -e trace=}, e.g. {@code %network}. */
    public String straceName() {
        return straceName;
    }

    /** Looks a class up by its strace name ({@code %file}, {@code %net}, {@code %%stat}) or enum name. */
    public static Optional<SyscallClass> fromName(String name) {
        for (SyscallClass c : values()) {
            if (c.straceName.equals(name) || name.equals(c.alias)
                    || c.name().equals(name.toUpperCase(Locale.ROOT))) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
