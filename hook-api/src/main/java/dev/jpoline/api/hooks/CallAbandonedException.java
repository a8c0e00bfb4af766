package dev.jpoline.api.hooks;

/**
 * The target thread stopped waiting for this call (it ended, or gave up on the host): nothing
 * a hook does can reach the program any more. Not a hook's fault, so never reported as one.
 */
public class CallAbandonedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CallAbandonedException(String message) {
        super(message);
    }
}
