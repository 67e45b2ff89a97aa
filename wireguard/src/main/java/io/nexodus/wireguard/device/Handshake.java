package io.nexodus.wireguard.device;

import io.nexodus.wireguard.noise.SymmetricState;
import java.util.Arrays;

/**
 * One peer's handshake state (whitepaper §5.4.2-5.4.4). Guarded by its own monitor: every field is read and written
 * under {@code synchronized (handshake)}.
 */
final class Handshake {
    enum State {
        ZEROED,
        INITIATION_CREATED,
        INITIATION_CONSUMED,
        RESPONSE_CREATED,
        RESPONSE_CONSUMED
    }

    State state = State.ZEROED;
    SymmetricState noise;
    byte[] localEphemeral;
    byte[] remoteEphemeral;
    int localIndex;
    boolean hasLocalIndex;
    int remoteIndex;
    /** The newest initiation timestamp accepted from this peer (TAI64N), for replay protection. */
    byte[] lastTimestamp = new byte[12];

    long lastInitiationConsumed;
    boolean anyInitiationConsumed;
    long lastSentHandshake;
    boolean anySent;

    /** Forgets the ephemeral state (not the replay/flood history). The caller releases the local index. */
    void clear() {
        if (noise != null) {
            noise.erase();
            noise = null;
        }
        if (localEphemeral != null) {
            Arrays.fill(localEphemeral, (byte) 0);
            localEphemeral = null;
        }
        remoteEphemeral = null;
        hasLocalIndex = false;
        localIndex = 0;
        remoteIndex = 0;
        state = State.ZEROED;
    }
}
