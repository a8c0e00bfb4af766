package dev.jpoline.host;

import dev.jpoline.api.hooks.SyscallHooks;
import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Loads the user's {@link SyscallHooks} classes before anything starts, so that a class that
 * cannot be loaded or built is a clear error instead of a program running unhooked.
 */
public final class HookLoader {
    private HookLoader() {}

    /** A problem with the user's hooks, with the fix in its message. */
    public static final class HookLoadException extends Exception {
        private static final long serialVersionUID = 1L;

        HookLoadException(String message) {
            super(message);
        }
    }

    /**
     * Instantiates {@code classNames} in order from {@code classpath} (entries separated by
     * {@code :}, may be empty); with no names, every {@link SyscallHooks} the classpath's
     * {@code META-INF/services} declares.
     */
    public static List<SyscallHooks> load(List<String> classNames, String classpath) throws HookLoadException {
        ClassLoader loader = loaderFor(classpath);
        List<SyscallHooks> hooks = new ArrayList<>();
        if (classNames.isEmpty()) {
            ServiceLoader.load(SyscallHooks.class, loader).forEach(hooks::add);
            if (hooks.isEmpty()) {
                throw new HookLoadException("no --hooks CLASS given and " + (classpath == null ? "no --classpath" : classpath)
                        + " declares none in META-INF/services/" + SyscallHooks.class.getName()
                        + "; name one with --hooks CLASS");
            }
            return hooks;
        }
        for (String name : classNames) {
            Class<?> type;
            try {
                type = Class.forName(name, true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new HookLoadException("hook class " + name + " cannot be loaded" + where(classpath) + " ("
                        + e + "); check --classpath and the class name");
            }
            if (!SyscallHooks.class.isAssignableFrom(type)) {
                throw new HookLoadException("hook class " + name + " does not implement " + SyscallHooks.class.getName());
            }
            try {
                hooks.add((SyscallHooks) type.getDeclaredConstructor().newInstance());
            } catch (NoSuchMethodException e) {
                throw new HookLoadException("hook class " + name + " needs a public no-argument constructor");
            } catch (InvocationTargetException e) {
                throw new HookLoadException("hook class " + name + " failed in its constructor: " + e.getCause());
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                throw new HookLoadException("hook class " + name + " cannot be built: " + e);
            }
        }
        return hooks;
    }

    private static String where(String classpath) {
        return classpath == null ? " (no --classpath given)" : " from " + classpath;
    }

    private static ClassLoader loaderFor(String classpath) throws HookLoadException {
        ClassLoader parent = HookLoader.class.getClassLoader();
        if (classpath == null || classpath.isEmpty()) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.exists(p)) {
                throw new HookLoadException("--classpath entry " + entry + " does not exist");
            }
            try {
                urls.add(p.toAbsolutePath().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new HookLoadException("--classpath entry " + entry + " is not a usable path: " + e.getMessage());
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), parent);
    }
}
