package io.nexodus.derp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MeshPeerTest {
    @Test
    void parsesUpstreamMeshWithForms() {
        assertThat(MeshPeer.parse("derp2.example.com", true))
                .isEqualTo(new MeshPeer(URI.create("https://derp2.example.com/derp"), Optional.empty()));
        MeshPeer p = MeshPeer.parse("derp2.example.com:8443/10.0.0.2", true);
        assertThat(p.url()).isEqualTo(URI.create("https://derp2.example.com:8443/derp"));
        assertThat(p.dialAddress()).contains(new InetSocketAddress("10.0.0.2", 8443));
        assertThat(MeshPeer.parse("127.0.0.1:3340", false).url()).isEqualTo(URI.create("http://127.0.0.1:3340/derp"));
        assertThat(MeshPeer.parse("https://h:1/derp", false).url()).isEqualTo(URI.create("https://h:1/derp"));
        assertThatThrownBy(() -> MeshPeer.parse(" ", true)).isInstanceOf(IllegalArgumentException.class);
    }
}
