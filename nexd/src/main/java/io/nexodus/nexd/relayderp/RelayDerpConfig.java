package io.nexodus.nexd.relayderp;

import io.nexodus.derp.crypto.MeshKey;
import io.nexodus.derp.http.TlsMode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code nexd relayderp}'s flags, checked and resolved ({@link RelayDerpCommand} builds it; tests build it directly).
 *
 * @param addr                  where the DERP (HTTPS) listener binds ({@code --addr})
 * @param hostname              the relay's TLS name ({@code --hostname}); clients dial it and check the certificate
 * @param certMode              {@link TlsMode#MANUAL}, {@link TlsMode#SELF_SIGNED}, or {@link TlsMode#NONE} ({@code --dev})
 * @param certDir               manual: where {@code <hostname>.crt/.key} are; self-signed: where the CA is kept
 * @param keyFile               the relay's DERP key ({@code {"PrivateKey":"privkey:..."}}), created on first run
 * @param stun                  run a STUN server ({@code --stun})
 * @param stunPort              its UDP port, on the host of {@code addr}
 * @param acceptConnectionLimit new connections per second (infinite = no limit)
 * @param acceptConnectionBurst burst of the accept limit
 * @param meshKey               shared key of a relay mesh
 * @param meshWith              the other relays of the mesh
 * @param onboard               join the VPC as the relay device and publish the relay metadata
 */
public record RelayDerpConfig(
        InetSocketAddress addr,
        String hostname,
        TlsMode certMode,
        Path certDir,
        Path keyFile,
        boolean stun,
        int stunPort,
        double acceptConnectionLimit,
        int acceptConnectionBurst,
        Optional<MeshKey> meshKey,
        List<String> meshWith,
        boolean onboard) {
    public RelayDerpConfig {
        Objects.requireNonNull(addr);
        Objects.requireNonNull(hostname);
        Objects.requireNonNull(certMode);
        Objects.requireNonNull(certDir);
        Objects.requireNonNull(keyFile);
        Objects.requireNonNull(meshKey);
        meshWith = List.copyOf(meshWith);
        if (certMode != TlsMode.MANUAL && certMode != TlsMode.SELF_SIGNED && certMode != TlsMode.NONE) {
            throw new IllegalArgumentException("certificate mode " + certMode + " is not available");
        }
    }

    /** Whether clients need the user's own CA and (with a private name) a host entry: manual and self-signed modes. */
    public boolean certModeManual() {
        return certMode == TlsMode.MANUAL || certMode == TlsMode.SELF_SIGNED;
    }
}
