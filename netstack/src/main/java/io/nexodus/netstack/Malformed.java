package io.nexodus.netstack;

/**
 * Thrown by the codecs for untrusted input that cannot be parsed; caught where the packet enters the stack and counted
 * by {@link #reason()}. Checked, and without a stack trace, so it is cheap and can never escape the input path.
 */
final class Malformed extends Exception {
    private final DropReason reason;

    Malformed(DropReason reason) {
        super(reason.name(), null, false, false);
        this.reason = reason;
    }

    DropReason reason() {
        return reason;
    }
}
