package dev.jpoline.inlinehook.remote;

/** A remote operation failed; the message is one line for the user, naming the cause and the fix. */
public final class RemoteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RemoteException(String message) {
        super(message);
    }

    public RemoteException(String message, Throwable cause) {
        super(message, cause);
    }
}
