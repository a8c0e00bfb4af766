package dev.jpoline.api;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One x86-64 system call: its number, name, arguments, the strace classes it belongs to and how its
 * return value reads. Instances come from {@link SyscallTable}.
 */
public record Syscall(int number, String name, List<ArgSpec> args, Set<SyscallClass> classes,
        ReturnKind returns) {

    public Syscall {
        Objects.requireNonNull(name, "name");
        args = List.copyOf(args);
        if (args.size() > 6) {
            throw new IllegalArgumentException(name + ": a syscall has at most 6 arguments");
        }
        classes = classes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(classes));
        Objects.requireNonNull(returns, "returns");
    }

    /** How many arguments the syscall takes (and strace prints). */
    public int argCount() {
        return args.size();
    }

    public ArgSpec arg(int index) {
        return args.get(index);
    }

    public boolean inClass(SyscallClass c) {
        return classes.contains(c);
    }

    /** The syscall with this number, if x86-64 has one. */
    public static Optional<Syscall> byNumber(int number) {
        return SyscallTable.x86_64().byNumber(number);
    }

    /** The syscall with this name, if x86-64 has one. */
    public static Optional<Syscall> byName(String name) {
        return SyscallTable.x86_64().byName(name);
    }
}
