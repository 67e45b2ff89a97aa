package io.nexodus.nexd.agent;

/**
 * The agent's state for {@code nexctl nexd status}: upstream's words ({@code Starting}, {@code WaitingForAuth},
 * {@code Running}) and a line for people.
 */
public record AgentStatus(String state, String message) {
    public static final String STARTING = "Starting";
    public static final String WAITING_FOR_AUTH = "WaitingForAuth";
    public static final String RUNNING = "Running";
    public static final String ERROR = "Error";

    public static AgentStatus of(String state, String message) {
        return new AgentStatus(state, message == null ? "" : message);
    }
}
