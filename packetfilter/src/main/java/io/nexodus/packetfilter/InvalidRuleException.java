package io.nexodus.packetfilter;

/**
 * A security rule that cannot be enforced, naming the offending field as a JSON path, e.g.
 * {@code inbound_rules[2].ip_ranges[0]}, so the service can answer 400 with the field and the reason.
 */
public final class InvalidRuleException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String reason;

    public InvalidRuleException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** The JSON path of the field, e.g. {@code outbound_rules[0].from_port}. */
    public String field() {
        return field;
    }

    /** What is wrong with it, for a person. */
    public String reason() {
        return reason;
    }
}
