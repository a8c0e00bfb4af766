package dev.jpoline.inlinehook.symbols;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import dev.jpoline.inlinehook.HookException;
import dev.jpoline.inlinehook.memory.Libc;
import dev.jpoline.rewriter.elf.ProgramHeader;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.FunctionSymbol;
import java.util.Set;

/**
 * Addresses of functions in this process: by symbol through the dynamic loader, or by the ELF
 * virtual address that {@code objdump} and {@code nm} print, placed by the module's load bias.
 */
public final class Symbols {
    static {
        // The first dlerror message read after a failed lookup came out as garbage: JNA makes the
        // String in Java after the call returns, and the first time the classes doing that are
        // loaded and linked, which can use the loader on this thread and free the message first.
        // Take that path once now (a failed lookup and its error), and each other call once.
        Libc libc = Libc.INSTANCE;
        libc.dlerror();
        libc.dlsym(null, "jpoline_warm_up_no_such_symbol");
        libc.dlerror();
        Pointer self = libc.dlopen("libc.so.6", Libc.RTLD_NOLOAD | Libc.RTLD_LAZY);
        if (self != null) {
            libc.dlinfo(self, Libc.RTLD_DI_LINKMAP, new PointerByReference());
            libc.dlclose(self);
        }
        libc.dlerror();
    }

    private Symbols() {}

    /** The loader's error text, or null; dropped when it is not plain text (the loader's buffer was reused). */
    private static String loaderError(boolean globalScope) {
        String error = Libc.INSTANCE.dlerror();
        if (error == null) {
            return null;
        }
        for (int i = 0; i < error.length(); i++) {
            char c = error.charAt(i);
            if (c < 0x20 || c == 0xfffd) {
                return null;
            }
        }
        // A global lookup fails in the name of its caller, JNA's dispatch library: leave that out.
        int undefined = error.indexOf("undefined symbol");
        return globalScope && undefined > 0 ? error.substring(undefined) : error;
    }

    /**
     * The address of {@code symbol} in {@code library}, or in the global scope
     * ({@code dlsym(RTLD_DEFAULT)}) when {@code library} is null. The library is one already
     * loaded in this process, named by its path or its soname: it is looked up with
     * {@code dlopen(RTLD_NOLOAD | RTLD_LAZY)} and never loaded by this call. An IFUNC resolves to
     * the implementation this process uses, as {@code dlsym} resolves it.
     *
     * @throws HookException {@link HookException.Reason#SYMBOL_NOT_FOUND} naming the library, the
     *     symbol and the loader's error
     */
    public static long lookup(String library, String symbol) {
        Objects.requireNonNull(symbol, "symbol");
        Libc libc = Libc.INSTANCE;
        Pointer handle = null;
        if (library != null) {
            handle = libc.dlopen(library, Libc.RTLD_NOLOAD | Libc.RTLD_LAZY);
            if (handle == null) {
                String error = loaderError(false);
                throw new HookException(HookException.Reason.SYMBOL_NOT_FOUND, "cannot look up " + symbol + " in "
                        + library + ": the library is not loaded in this process"
                        + (error == null ? "" : " (" + error + ")")
                        + "; load it first (System.load or JNA's NativeLibrary.getInstance), or name it as it was"
                        + " loaded: its soname (e.g. libc.so.6) or its path");
            }
        }
        try {
            libc.dlerror(); // clear any earlier error, so the one read below is this lookup's
            Pointer address = libc.dlsym(handle, symbol);
            if (address == null && library != null) {
                String error = loaderError(false);
                // Not exported: a function of the library's own .symtab (zlib built into the JDK's
                // libzip.so with hidden visibility, say) is still a function of it.
                long local = fromSymbolTable(library, symbol);
                if (local != 0) {
                    return local;
                }
                throw new HookException(HookException.Reason.SYMBOL_NOT_FOUND, "symbol " + symbol + " not found in "
                        + library + (error == null ? " (it resolves to address 0)" : " (" + error + ")")
                        + " nor in its symbol table; check the name (C++ functions need their mangled name) and that"
                        + " this library defines it (nm, nm -D)");
            }
            if (address == null) {
                String error = loaderError(library == null);
                String where = library == null ? "the global scope" : library;
                throw new HookException(HookException.Reason.SYMBOL_NOT_FOUND, "symbol " + symbol + " not found in "
                        + where + (error == null ? " (it resolves to address 0)" : " (" + error + ")")
                        + (library == null
                                ? "; a library loaded with RTLD_LOCAL (System.load, JNA) is not in the global scope:"
                                        + " name the library that defines it"
                                : "; check the name (C++ functions need their mangled name) and that this library"
                                        + " defines and exports it (nm -D)"));
            }
            return Pointer.nativeValue(address);
        } finally {
            if (handle != null) {
                libc.dlclose(handle); // drops the reference the RTLD_NOLOAD open took
            }
        }
    }

    /**
     * The run-time address of the function {@code symbol} in the ELF symbols (.symtab, else
     * .dynsym) of the mapped file {@code library}; 0 when it has none of that name.
     */
    private static long fromSymbolTable(String library, String symbol) {
        List<LoadedImage> images;
        try {
            images = matching(LoadedImage.all(ProcessMaps.readSelf()), library);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        if (images.size() != 1) {
            return 0; // not mapped under that name (dlopen knew it by its soname), or ambiguous
        }
        LoadedImage image = images.get(0);
        Set<Long> values = new LinkedHashSet<>();
        try (ElfFile elf = image.openFile()) {
            if (elf == null) {
                return 0;
            }
            for (FunctionSymbol f : elf.functionSymbols().all()) {
                if (f.name().equals(symbol)) {
                    values.add(f.value());
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        if (values.size() > 1) {
            throw new HookException(HookException.Reason.SYMBOL_NOT_FOUND, "symbol " + symbol + " is ambiguous in "
                    + image.path() + ": " + values.size() + " local functions of that name (at "
                    + values.stream().map(v -> "0x" + Long.toHexString(v)).reduce((a, b) -> a + ", " + b).orElse("")
                    + "); hook one by its address: createAt(\"" + library + "\", offset, ...)");
        }
        return values.isEmpty() ? 0 : moduleAddress(image.path(), values.iterator().next());
    }

    /**
     * The run-time address of {@code offset} in {@code module}. The module is named by its file
     * name ({@code libc.so.6}) or an absolute path, as {@code /proc/self/maps} shows them (a path
     * through a symbolic link, or a soname the loader knows, is resolved to that); the offset is an
     * ELF virtual address as {@code objdump} and {@code nm} print it. The address is the load bias
     * (the start of the mapping of file offset 0 minus the first PT_LOAD's page-aligned
     * {@code p_vaddr}) plus the offset.
     *
     * @throws HookException {@link HookException.Reason#SYMBOL_NOT_FOUND} when the module is not
     *     mapped, is ambiguous (two mapped files of that name: give the path), or the offset lies
     *     outside its loaded segments
     */
    public static long moduleAddress(String module, long offset) {
        Objects.requireNonNull(module, "module");
        ProcessMaps maps;
        try {
            maps = ProcessMaps.readSelf();
        } catch (IOException e) {
            throw new HookException(HookException.Reason.SYSTEM, "cannot read /proc/self/maps: " + e.getMessage(), e);
        }
        List<LoadedImage> all = LoadedImage.all(maps);
        List<LoadedImage> images = matching(all, module);
        if (images.isEmpty()) {
            throw new HookException(HookException.Reason.SYMBOL_NOT_FOUND, "module " + module
                    + " is not mapped in this process" + suggestion(all, module)
                    + "; load it first, or name it by its file name or absolute path as /proc/self/maps shows it");
        }
        if (images.size() > 1) {
            Set<String> paths = new LinkedHashSet<>();
            List<String> places = new ArrayList<>();
            for (LoadedImage image : images) {
                paths.add(image.path());
                places.add(image.toString());
            }
            throw new HookException(HookException.Reason.SYMBOL_NOT_FOUND, paths.size() > 1
                    ? "module name " + module + " is ambiguous: " + paths.size() + " different files of that name are mapped ("
                            + String.join(", ", paths) + "); name one by its full path"
                    : "module " + module + " is mapped " + images.size() + " times (" + String.join(", ", places)
                            + "), e.g. in separate link namespaces: an offset cannot say which one is meant;"
                            + " look the function up by symbol in the library handle you loaded instead");
        }
        LoadedImage image = images.get(0);
        List<ProgramHeader> headers;
        try {
            headers = image.programHeaders();
        } catch (IOException | RuntimeException e) {
            throw new HookException(HookException.Reason.SYMBOL_NOT_FOUND, "cannot read the ELF program headers of "
                    + image + ": " + e.getMessage(), e);
        }
        StringBuilder segments = new StringBuilder();
        for (ProgramHeader p : headers) {
            if (p.isLoad()) {
                if (offset >= p.vaddr() && offset - p.vaddr() < p.memsz()) {
                    return image.bias(headers) + offset;
                }
                segments.append(segments.length() == 0 ? "" : ", ").append(String.format("0x%x-0x%x",
                        p.vaddr(), p.vaddr() + p.memsz()));
            }
        }
        throw new HookException(HookException.Reason.SYMBOL_NOT_FOUND, String.format(
                "offset 0x%x is outside the loaded segments of %s (%s): give an ELF virtual address as objdump"
                        + " or nm print it", offset, image.path(), segments.length() == 0 ? "none" : segments));
    }

    /** The images of the named module: by exact path or file name, else by resolving links and sonames. */
    private static List<LoadedImage> matching(List<LoadedImage> all, String module) {
        boolean isPath = module.indexOf('/') >= 0;
        List<LoadedImage> out = new ArrayList<>();
        for (LoadedImage image : all) {
            if (isPath ? image.path().equals(module) : image.fileName().equals(module)) {
                out.add(image);
            }
        }
        if (!out.isEmpty()) {
            return out;
        }
        // A path through a link (e.g. /lib → /usr/lib), or a soname naming a file by another name
        // (libz.so.1 → libz.so.1.2.13): resolve it to the real path the maps print.
        Set<String> candidates = new LinkedHashSet<>();
        if (isPath) {
            realPath(module, candidates);
        } else {
            loaderPath(module, candidates);
        }
        for (LoadedImage image : all) {
            if (candidates.contains(image.path())) {
                out.add(image);
            }
        }
        return out;
    }

    private static void realPath(String path, Set<String> into) {
        try {
            into.add(Path.of(path).toRealPath().toString());
        } catch (IOException | RuntimeException e) {
            // Not a file here: nothing to add.
        }
    }

    /** The path the dynamic loader recorded for an already loaded {@code soname}, resolved. */
    private static void loaderPath(String soname, Set<String> into) {
        Libc libc = Libc.INSTANCE;
        Pointer handle = libc.dlopen(soname, Libc.RTLD_NOLOAD | Libc.RTLD_LAZY);
        if (handle == null) {
            libc.dlerror();
            return;
        }
        try {
            PointerByReference linkMap = new PointerByReference();
            if (libc.dlinfo(handle, Libc.RTLD_DI_LINKMAP, linkMap) == 0 && linkMap.getValue() != null) {
                Pointer name = linkMap.getValue().getPointer(8); // struct link_map { l_addr; char *l_name; ... }
                if (name != null) {
                    String path = name.getString(0);
                    if (!path.isEmpty()) {
                        into.add(path);
                        realPath(path, into);
                    }
                }
            } else {
                libc.dlerror();
            }
        } finally {
            libc.dlclose(handle);
        }
    }

    private static String suggestion(List<LoadedImage> all, String module) {
        String name = module.substring(module.lastIndexOf('/') + 1);
        Set<String> similar = new LinkedHashSet<>();
        for (LoadedImage image : all) {
            if (image.fileName().equals(name) || image.fileName().startsWith(name + ".")
                    || name.startsWith(image.fileName() + ".")) {
                similar.add(image.path());
            }
        }
        return similar.isEmpty() ? "" : " (mapped files of a similar name: " + String.join(", ", similar) + ")";
    }
}
