package dev.jpoline.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * What the host can tell about a program before starting it: where it is, and whether
 * LD_PRELOAD can reach it at all (not a static executable, not setuid or setgid, not an ELF file
 * of another class or machine).
 */
public final class ProgramCheck {
    private static final int PT_INTERP = 3;
    private static final int EM_X86_64 = 62;

    private ProgramCheck() {}

    /** Resolves {@code name} as execvp would: a name with a slash as is, otherwise along PATH. */
    public static Optional<Path> resolve(String name, String pathVariable) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isRegularFile(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        for (String dir : (pathVariable == null ? "/usr/local/bin:/usr/bin:/bin" : pathVariable).split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /**
     * Why LD_PRELOAD cannot reach {@code program}: a {@code SessionLayout.UNREACHABLE_*} code
     * ({@link HostRewriting#unreachableReason} words it), or 0 when it can (a dynamically linked
     * ELF without set-id bits, or a script, whose interpreter is checked when it starts).
     */
    public static int unreachableCode(Path program) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(program);
            int mode = (Integer) Files.getAttribute(program, "unix:mode");
            if ((mode & 04000) != 0) {
                return SessionLayout.UNREACHABLE_SETUID;
            }
            if ((mode & 02000) != 0 && perms.contains(PosixFilePermission.GROUP_EXECUTE)) {
                return SessionLayout.UNREACHABLE_SETGID;
            }
            try (FileChannel ch = FileChannel.open(program, StandardOpenOption.READ)) {
                ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(header, 0);
                header.flip();
                if (header.remaining() < 64 || header.getInt(0) != 0x464c457f) {
                    return 0; // a script: its interpreter is what runs
                }
                if (header.get(4) != 2 || (header.getShort(18) & 0xffff) != EM_X86_64) {
                    return SessionLayout.UNREACHABLE_FOREIGN; // as entry_exec.c's reason_for says of an exec
                }
                long phoff = header.getLong(32);
                int phentsize = header.getShort(54) & 0xffff;
                int phnum = header.getShort(56) & 0xffff;
                ByteBuffer phdrs = ByteBuffer.allocate(phentsize * phnum).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(phdrs, phoff);
                for (int i = 0; i < phnum; i++) {
                    if (phdrs.getInt(i * phentsize) == PT_INTERP) {
                        return 0;
                    }
                }
                return SessionLayout.UNREACHABLE_STATIC;
            }
        } catch (IOException e) {
            return 0; // exec itself will report an unreadable program
        }
    }
}
