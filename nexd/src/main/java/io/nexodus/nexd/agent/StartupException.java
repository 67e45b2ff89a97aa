package io.nexodus.nexd.agent;

/**
 * The agent cannot run and retrying will not help (a rejected registration key, wrong password, a tunnel address
 * that collides with a local network, ...). The message is for the person who started nexd.
 */
public final class StartupException extends Exception {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
