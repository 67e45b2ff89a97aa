package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The agent's state, as {@code NexdCtl.Status} carries it (upstream's text form, not JSON):
 * {@code "Status: <state>\n<message>"}, e.g. {@code "Status: WaitingForAuth\nYour device must be registered ..."}.
 *
 * @param state   {@link #STARTING}, {@link #WAITING_FOR_AUTH}, {@link #RUNNING} (other text is passed through)
 * @param message free text for a person (e.g. the device-authorization URL); may be empty
 */
@JsonPropertyOrder({"status", "message"})
public record NexdStatus(
        @JsonProperty("status") String state,
        @JsonProperty("message") String message) {
    public static final String STARTING = "Starting";
    public static final String WAITING_FOR_AUTH = "WaitingForAuth";
    public static final String RUNNING = "Running";
    private static final String PREFIX = "Status: ";

    public NexdStatus {
        state = state == null ? "" : state.strip();
        message = message == null ? "" : message;
    }

    /** The wire text. */
    public String toWire() {
        return PREFIX + state + "\n" + message;
    }

    /** Parses the wire text; text without the {@code "Status: "} line becomes the message of an empty state. */
    public static NexdStatus parse(String wire) {
        if (wire == null) {
            return new NexdStatus("", "");
        }
        int nl = wire.indexOf('\n');
        String first = nl < 0 ? wire : wire.substring(0, nl);
        String rest = nl < 0 ? "" : wire.substring(nl + 1);
        if (!first.startsWith(PREFIX)) {
            return new NexdStatus("", wire);
        }
        return new NexdStatus(first.substring(PREFIX.length()), rest.stripTrailing());
    }
}
