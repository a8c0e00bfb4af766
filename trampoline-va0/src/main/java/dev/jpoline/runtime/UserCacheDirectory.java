package dev.jpoline.runtime;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The per-user directory where jpoline keeps the extracted runtime and the rewrite-plan cache.
 *
 * <p>Everything below it is trusted input for code that ends up running inside targets, so the
 * directory must belong to the current user and be writable by nobody else.
 */
public final class UserCacheDirectory {
    /** Environment variable that overrides the location. */
    public static final String OVERRIDE_ENV = "JPOLINE_CACHE_DIR";

    private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
            PosixFilePermissions.fromString("rwx------");

    private UserCacheDirectory() {}

    /** {@code $JPOLINE_CACHE_DIR}, else {@code $XDG_CACHE_HOME/jpoline}, else {@code ~/.cache/jpoline}. */
    public static Path defaultLocation() {
        String override = System.getenv(OVERRIDE_ENV);
        if (override != null && !override.isEmpty()) {
            return Path.of(override).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "jpoline");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "jpoline");
    }

    /** Opens (creating if needed) the default location. */
    public static Path open() {
        return open(defaultLocation());
    }

    /**
     * Creates {@code dir} owner-only if it is missing, and checks that an existing one is a real
     * directory owned by this user that nobody else can write to.
     *
     * @throws IllegalStateException with a one-line message naming the fix
     */
    public static Path open(Path dir) {
        try {
            return createVerified(dir, OWNER_ONLY_DIR);
        } catch (IOException e) {
            throw new IllegalStateException("cannot use cache directory " + dir + ": " + e.getMessage()
                    + "; set " + OVERRIDE_ENV + " to a writable private directory", e);
        }
    }

    /** {@code dir} created with {@code mode} if missing; an existing one checked as {@link #verifyPrivate} checks. */
    private static Path createVerified(Path dir, Set<PosixFilePermission> mode) throws IOException {
        Files.createDirectories(dir.getParent() == null ? dir : dir.getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(mode));
        } catch (FileAlreadyExistsException alreadyThere) {
            // Checked below like any directory we did not just create.
        }
        verifyPrivate(dir);
        return dir;
    }

    /**
     * As {@link #open(Path)}, for files other users must read (trace -u's runtime): created
     * rwxr-xr-x; an existing one must still be this user's and writable by nobody else.
     */
    public static Path openShared(Path dir) {
        try {
            return createVerified(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot use shared directory " + dir + ": " + e.getMessage()
                    + "; remove it, or make it a directory of yours that only you can write to", e);
        }
    }

    private static void verifyPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("cache directory " + dir
                    + " is not a plain directory (a symlink or a file?); remove it or set " + OVERRIDE_ENV);
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int me = currentUid();
        if (owner != me) {
            throw new IllegalStateException("cache directory " + dir + " belongs to uid " + owner
                    + ", not to you (uid " + me + "); remove it or set " + OVERRIDE_ENV);
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IllegalStateException("cache directory " + dir + " is writable by others ("
                    + PosixFilePermissions.toString(perms) + "); run: chmod 700 " + dir);
        }
    }

    /** The real uid of this process, from the kernel's view of ourselves. */
    public static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
