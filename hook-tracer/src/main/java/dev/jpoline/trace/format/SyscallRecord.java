package dev.jpoline.trace.format;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** An immutable {@link TraceRecord}, built with {@link #builder(long)}. */
public final class SyscallRecord implements TraceRecord {
    private final int pid;
    private final int tid;
    private final long number;
    private final long[] args;
    private final boolean hasReturn;
    private final boolean injected;
    private final long returnValue;
    private final long entryNanos;
    private final long exitNanos;
    private final long ip;
    private final Payload[] payloads;
    private final Map<Long, Payload> elements;

    private SyscallRecord(Builder b) {
        this.pid = b.pid;
        this.tid = b.tid == 0 ? b.pid : b.tid;
        this.number = b.number;
        this.args = b.args.clone();
        this.hasReturn = b.hasReturn;
        this.injected = b.injected;
        this.returnValue = b.returnValue;
        this.entryNanos = b.entryNanos;
        this.ip = b.ip;
        this.exitNanos = b.exitNanos;
        this.payloads = b.payloads.clone();
        this.elements = Map.copyOf(b.elements);
    }

    private static long elementKey(int index, int element) {
        return ((long) index << 32) | (element & 0xffffffffL);
    }

    public static Builder builder(long number) {
        return new Builder(number);
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public int tid() {
        return tid;
    }

    @Override
    public long number() {
        return number;
    }

    @Override
    public long arg(int index) {
        return args[index];
    }

    @Override
    public boolean hasReturn() {
        return hasReturn;
    }

    @Override
    public boolean injected() {
        return injected;
    }

    @Override
    public long returnValue() {
        return returnValue;
    }

    @Override
    public long ip() {
        return ip;
    }

    @Override
    public long entryNanos() {
        return entryNanos;
    }

    @Override
    public long exitNanos() {
        return exitNanos;
    }

    @Override
    public Optional<Payload> payload(int index) {
        return index >= 0 && index < payloads.length ? Optional.ofNullable(payloads[index]) : Optional.empty();
    }

    @Override
    public Payload payloadOrNull(int index) {
        return index >= 0 && index < payloads.length ? payloads[index] : null;
    }

    @Override
    public Optional<Payload> elementPayload(int index, int element) {
        return Optional.ofNullable(elements.get(elementKey(index, element)));
    }

    @Override
    public String toString() {
        return "SyscallRecord[pid=" + pid + ", tid=" + tid + ", nr=" + number + ", args=" + Arrays.toString(args)
                + (hasReturn ? ", ret=" + returnValue : ", unfinished") + "]";
    }

    /** Collects the fields; unset arguments are 0, the return is absent until {@link #returns(long)}. */
    public static final class Builder {
        private int pid;
        private int tid;
        private final long number;
        private final long[] args = new long[6];
        private boolean hasReturn;
        private boolean injected;
        private long returnValue;
        private long entryNanos = NO_TIME;
        private long exitNanos = NO_TIME;
        private long ip;
        private final Payload[] payloads = new Payload[6];
        private final Map<Long, Payload> elements = new HashMap<>();

        private Builder(long number) {
            this.number = number;
        }

        public Builder pid(int pid) {
            this.pid = pid;
            return this;
        }

        public Builder tid(int tid) {
            this.tid = tid;
            return this;
        }

        /** Sets the first arguments in order. */
        public Builder args(long... values) {
            if (values.length > 6) {
                throw new IllegalArgumentException("at most 6 syscall arguments");
            }
            System.arraycopy(values, 0, args, 0, values.length);
            return this;
        }

        /** -e inject= replaced the result. */
        public Builder injected(boolean on) {
            this.injected = on;
            return this;
        }

        public Builder returns(long value) {
            this.hasReturn = true;
            this.returnValue = value;
            return this;
        }

        /** The syscall failed with this errno (the raw return is -errno). */
        public Builder fails(int errno) {
            return returns(-errno);
        }

        public Builder entryNanos(long nanos) {
            this.entryNanos = nanos;
            return this;
        }

        public Builder exitNanos(long nanos) {
            this.exitNanos = nanos;
            return this;
        }

        /** strace -i's address (0: unknown). */
        public Builder ip(long address) {
            this.ip = address;
            return this;
        }

        public Builder payload(int index, Payload payload) {
            payloads[index] = payload;
            return this;
        }

        /** The data behind pointer {@code element} of argument {@code index} (an iovec's buffer). */
        public Builder elementPayload(int index, int element, Payload payload) {
            elements.put(elementKey(index, element), payload);
            return this;
        }

        /** Convenience: a complete string payload. */
        public Builder string(int index, String s) {
            return payload(index, Payload.ofString(s));
        }

        /** Convenience: a complete byte payload. */
        public Builder bytes(int index, byte[] bytes) {
            return payload(index, Payload.complete(bytes));
        }

        public SyscallRecord build() {
            return new SyscallRecord(this);
        }
    }
}
