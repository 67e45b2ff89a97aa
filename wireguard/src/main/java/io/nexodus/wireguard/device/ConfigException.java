package io.nexodus.wireguard.device;

/** A configuration change that could not be applied; {@link #errno()} is what UAPI reports (as a negative value). */
public final class ConfigException extends Exception {
    public static final int EIO = 5;
    public static final int EINVAL = 22;
    public static final int ENOANO = 55;
    public static final int EPROTO = 71;
    public static final int EADDRINUSE = 98;

    private final int errno;

    public ConfigException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public ConfigException(int errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
