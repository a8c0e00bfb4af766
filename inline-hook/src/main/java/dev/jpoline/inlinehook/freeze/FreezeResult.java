package dev.jpoline.inlinehook.freeze;

import java.util.Arrays;

/**
 * What a freeze did.
 *
 * @param threads         threads parked (every thread of the process but the caller)
 * @param ipFixups        instruction pointers moved through a step's boundary map
 * @param returnFixups    stack words rewritten from a return-from address to its return-to address
 * @param anomalies       instruction pointers inside a move range that matched no boundary (left
 *                        alone), and stacks that could not be scanned
 * @param busy            per step, in order: threads (the caller's own stack included) still using
 *                        the step's busy range or returning to one of its busy returns, after its
 *                        fix-ups
 * @param nanos           the pause: from the first signal sent to the release of the threads
 * @param coresSerialized membarrier(SYNC_CORE) ran after the writes (false when nothing was written,
 *                        or the kernel lacks it: the threads then still resume through rt_sigreturn,
 *                        which returns to user mode with a serializing IRET)
 */
public record FreezeResult(int threads, int ipFixups, int returnFixups, int anomalies, int[] busy, long nanos,
                           boolean coresSerialized) {
    public FreezeResult {
        busy = busy.clone();
    }

    @Override
    public int[] busy() {
        return busy.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FreezeResult r && threads == r.threads && ipFixups == r.ipFixups
                && returnFixups == r.returnFixups && anomalies == r.anomalies && Arrays.equals(busy, r.busy)
                && nanos == r.nanos && coresSerialized == r.coresSerialized;
    }

    @Override
    public int hashCode() {
        return ((((threads * 31 + ipFixups) * 31 + returnFixups) * 31 + anomalies) * 31 + Arrays.hashCode(busy)) * 31
                + Long.hashCode(nanos) + (coresSerialized ? 1 : 0);
    }

    @Override
    public String toString() {
        return "FreezeResult[threads=" + threads + ", ipFixups=" + ipFixups + ", returnFixups=" + returnFixups
                + ", anomalies=" + anomalies + ", busy=" + Arrays.toString(busy) + ", nanos=" + nanos
                + ", coresSerialized=" + coresSerialized + "]";
    }
}
