package io.nexodus.stun;

/**
 * Settings of a {@link StunServer}.
 *
 * @param software           SOFTWARE attribute put in every response; empty for none
 * @param receiveBufferBytes SO_RCVBUF per socket (the kernel caps it at net.core.rmem_max), absorbs bursts
 */
public record StunServerConfig(String software, int receiveBufferBytes) {
    public StunServerConfig {
        if (software == null || StunEncoder.utf8Length(software) > Software.MAX_BYTES) {
            throw new IllegalArgumentException("software must be at most " + Software.MAX_BYTES + " UTF-8 bytes");
        }
        if (receiveBufferBytes < 0) {
            throw new IllegalArgumentException("receiveBufferBytes must be >= 0 (0 keeps the system default)");
        }
    }

    public static StunServerConfig defaults() {
        return new StunServerConfig("nexodus", 1 << 20);
    }

    public StunServerConfig withSoftware(String software) {
        return new StunServerConfig(software, receiveBufferBytes);
    }
}
