package dev.jpoline.inlinehook;

import com.sun.jna.Pointer;

/**
 * The registers of a thread stopped at an instrument probe, as its callback sees them: reads
 * and writes go straight to the saved context, and the thread goes on with whatever it holds
 * when the callback returns. {@code RIP} is the probed instruction's address: set it to send the
 * thread elsewhere (the original instruction is then skipped); {@code RSP} is the interrupted
 * code's stack pointer, and a changed one is applied too. Valid only during the callback.
 */
public final class HookContext {
    private Pointer context;

    HookContext(Pointer context) {
        this.context = context;
    }

    public long get(Register r) {
        return live().getLong(r.offset());
    }

    public void set(Register r, long value) {
        live().setLong(r.offset(), value);
    }

    @Override
    public String toString() {
        if (context == null) {
            return "HookContext[ended]";
        }
        StringBuilder b = new StringBuilder("HookContext[");
        for (Register r : Register.values()) {
            b.append(r.ordinal() == 0 ? "" : " ").append(r.name().toLowerCase()).append("=0x")
                    .append(Long.toHexString(get(r)));
        }
        return b.append(']').toString();
    }

    void end() {
        context = null;
    }

    private Pointer live() {
        Pointer p = context;
        if (p == null) {
            throw new IllegalStateException("the probe's callback has returned: its context is gone");
        }
        return p;
    }
}
