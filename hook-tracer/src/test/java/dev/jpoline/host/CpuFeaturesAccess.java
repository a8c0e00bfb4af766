package dev.jpoline.host;

/** Lets tests in other packages ask what the host decides about this CPU. */
public final class CpuFeaturesAccess {
    private CpuFeaturesAccess() {}

    public static boolean hasExecuteOnlyPages() {
        return CpuFeatures.hasExecuteOnlyPages();
    }
}
