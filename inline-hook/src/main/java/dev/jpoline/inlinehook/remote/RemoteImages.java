package dev.jpoline.inlinehook.remote;

import dev.jpoline.inlinehook.symbols.LoadedImage;
import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.FunctionSymbol;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ELF images mapped into a target and their function symbols (.symtab, else .dynsym), read
 * from the files: where a named function is, and which function holds an address.
 */
public final class RemoteImages {
    /** A function found in a target: its run-time extent and the image it belongs to. */
    public record Function(String name, String module, long start, long end) {

        @Override
        public String toString() {
            return module + ":" + name + " at 0x" + Long.toHexString(start);
        }
    }

    private record Symbols(long bias, List<FunctionSymbol> functions) {}

    private final long pid;
    private final ProcessMaps maps;
    private final List<LoadedImage> images;
    private final Map<LoadedImage, Symbols> symbols = new HashMap<>();

    private RemoteImages(long pid, ProcessMaps maps) {
        this.pid = pid;
        this.maps = maps;
        this.images = LoadedImage.all(maps);
    }

    public static RemoteImages of(long pid) {
        try {
            return new RemoteImages(pid, ProcessMaps.read(pid));
        } catch (IOException e) {
            throw new RemoteException(e.getMessage(), e);
        }
    }

    public ProcessMaps maps() {
        return maps;
    }

    public List<LoadedImage> images() {
        return images;
    }

    /** The images whose file name or path is {@code module} (a path or a file name as the maps print it). */
    public List<LoadedImage> named(String module) {
        List<LoadedImage> out = new ArrayList<>();
        for (LoadedImage image : images) {
            if (image.path().equals(module) || image.fileName().equals(module)
                    || (!module.contains("/") && image.fileName().startsWith(module + "."))) {
                out.add(image);
            }
        }
        return out;
    }

    /**
     * The function {@code spec} names: {@code SYMBOL} in any image (the executable first, then the
     * libraries in the order mapped; two images defining it must be told apart as
     * {@code MODULE:SYMBOL}), or {@code MODULE:SYMBOL}.
     */
    public Function function(String spec) {
        int colon = spec.lastIndexOf(':');
        String module = colon > 0 ? spec.substring(0, colon) : null;
        String name = colon > 0 ? spec.substring(colon + 1) : spec;
        if (name.isEmpty()) {
            throw new RemoteException("no symbol in '" + spec + "': give SYMBOL or MODULE:SYMBOL");
        }
        List<LoadedImage> where = module == null ? images : named(module);
        if (module != null && where.isEmpty()) {
            throw new RemoteException("no module " + module + " is mapped in process " + pid
                    + "; see /proc/" + pid + "/maps for the names");
        }
        List<Function> found = new ArrayList<>();
        for (LoadedImage image : where) {
            Symbols s = symbolsOf(image);
            for (FunctionSymbol f : s.functions()) {
                if (f.name().equals(name) && f.value() != 0) {
                    Function fn = new Function(name, image.fileName(), s.bias() + f.value(), s.bias() + f.value() + f.size());
                    if (found.stream().noneMatch(x -> x.start() == fn.start())) {
                        found.add(fn);
                    }
                }
            }
        }
        if (found.isEmpty()) {
            throw new RemoteException("no function " + name + " in " + (module == null ? "any module of process " + pid
                    : module + " of process " + pid) + " (.symtab or .dynsym); check the name (nm, nm -D; C++ needs"
                    + " the mangled name)");
        }
        if (found.size() > 1) {
            throw new RemoteException("function " + name + " is defined in several modules of process " + pid + ": "
                    + found + "; name one as MODULE:" + name);
        }
        return found.get(0);
    }

    /** The image holding {@code address}, or null. */
    public LoadedImage imageAt(long address) {
        for (LoadedImage image : images) {
            if (image.contains(address)) {
                return image;
            }
        }
        return null;
    }

    /** The run-time extents of the functions of {@code image} whose names {@code names} holds. */
    public List<Function> functionsNamed(LoadedImage image, java.util.Set<String> names) {
        Symbols s = symbolsOf(image);
        List<Function> out = new ArrayList<>();
        for (FunctionSymbol f : s.functions()) {
            if (names.contains(f.name()) && f.size() > 0) {
                out.add(new Function(f.name(), image.fileName(), s.bias() + f.value(), s.bias() + f.value() + f.size()));
            }
        }
        return out;
    }

    private Symbols symbolsOf(LoadedImage image) {
        return symbols.computeIfAbsent(image, i -> {
            try (ElfFile elf = i.openFile()) {
                if (elf == null) {
                    return new Symbols(0, List.of());
                }
                return new Symbols(i.bias(elf.programHeaders()), elf.functionSymbols().all());
            } catch (IOException | RuntimeException e) {
                return new Symbols(0, List.of());
            }
        });
    }

    /** The mapping holding {@code address}, or null. */
    public MapsEntry mappingAt(long address) {
        return maps.entryContaining(address);
    }
}
