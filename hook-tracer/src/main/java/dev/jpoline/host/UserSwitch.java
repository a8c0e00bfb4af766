package dev.jpoline.host;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.jpoline.runtime.RuntimeLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * trace -u (strace -u): the program runs as another user. posix_spawn cannot change credentials,
 * so the host starts the runtime's static helper (jpoline-user-switch), which takes the user's
 * groups, group and uid and execs the program; the runtime goes where that user can read it and
 * the session file becomes the user's, so that the program's runtime can join it.
 */
public final class UserSwitch {
    /** A user as strace -u takes it: its uid, its primary group, its supplementary groups. */
    public record Account(String name, int uid, int gid, int[] groups) {}

    /** The runtime for other users: root's, readable by everyone, writable by root only. */
    static final Path SHARED_DIRECTORY = Path.of("/var/tmp/jpoline-runtime-0");
    private static final NativeLibrary LIBC = NativeLibrary.getInstance("c");
    private static final int PW_UID = 16;
    private static final int PW_GID = 20;

    private UserSwitch() {
    }

    /**
     * A user name, or UID:GID (no supplementary groups); IllegalArgumentException with one line
     * when there is no such user.
     */
    public static Account resolve(String spec) {
        if (spec.matches("\\d+:\\d+")) {
            String[] f = spec.split(":");
            try {
                return new Account(spec, Integer.parseInt(f[0]), Integer.parseInt(f[1]), new int[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-u " + spec + ": UID and GID must be numbers below 2^31");
            }
        }
        Pointer pw = LIBC.getFunction("getpwnam").invokePointer(new Object[] {spec});
        if (pw == null) {
            throw new IllegalArgumentException("-u: no such user '" + spec + "' (give a user name, or UID:GID)");
        }
        int uid = pw.getInt(PW_UID);
        int gid = pw.getInt(PW_GID);
        Function grouplist = LIBC.getFunction("getgrouplist");
        for (int size = 64; ; size *= 4) {
            Memory groups = new Memory(4L * size);
            Memory count = new Memory(4);
            count.setInt(0, size);
            if (grouplist.invokeInt(new Object[] {spec, gid, groups, count}) >= 0) {
                return new Account(spec, uid, gid, groups.getIntArray(0, count.getInt(0)));
            }
            if (size > 65536) {
                throw new IllegalArgumentException("-u " + spec + ": cannot read the user's groups");
            }
        }
    }

    /** The helper's argv: {@code helper UID GID N GROUP... PROGRAM ARGV0 ARG...}. */
    static List<String> helperArgv(Path helper, Account a, Path program, List<String> command) {
        List<String> argv = new ArrayList<>();
        argv.add(helper.toString());
        argv.add(Integer.toUnsignedString(a.uid()));
        argv.add(Integer.toUnsignedString(a.gid()));
        argv.add(Integer.toString(a.groups().length));
        for (int g : a.groups()) {
            argv.add(Integer.toUnsignedString(g));
        }
        argv.add(program.toString());
        argv.addAll(command);
        return argv;
    }

    /** The runtime where the user can load it. */
    static Path sharedRuntime() {
        return RuntimeLibrary.bundled().extractShared(SHARED_DIRECTORY);
    }

    /** The session file becomes the user's: the program's runtime maps it read-write. */
    static void giveSession(Path sessionFile, Account a) {
        try {
            Files.setAttribute(sessionFile, "unix:gid", a.gid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(sessionFile, "unix:uid", a.uid(), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException("-u: cannot give the session file " + sessionFile + " to " + a.name(), e);
        }
    }

    /** The helper, extracted once per content into this user's cache (it runs as root, before the switch). */
    static Path helper() {
        return RuntimeLibrary.userSwitch().extract();
    }
}
