package io.nexodus.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExternalOidcIssuerTest {
    private static final String ISS = "https://kc.example/realms/nexodus";

    @Test
    void theConfiguredIssuerIsAccepted() {
        assertThat(ExternalOidc.checkedIssuer(ISS, ISS)).isEqualTo(ISS);
        assertThat(ExternalOidc.checkedIssuer(ISS + "/", ISS)).isEqualTo(ISS);
    }

    @Test
    void aDiscoveryDocumentNamingAnotherIssuerIsRefused() {
        assertThatThrownBy(() -> ExternalOidc.checkedIssuer(ISS, "https://evil.example/realms/nexodus"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names the issuer 'https://evil.example/realms/nexodus'");
        assertThatThrownBy(() -> ExternalOidc.checkedIssuer(ISS, "http://kc.example/realms/nexodus"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDiscoveryDocumentWithoutIssuerIsRefused() {
        assertThatThrownBy(() -> ExternalOidc.checkedIssuer(ISS, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(none)");
    }
}
