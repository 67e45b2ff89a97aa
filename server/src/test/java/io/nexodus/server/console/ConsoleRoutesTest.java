package io.nexodus.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleRoutesTest {
    @Test
    void theStrictPolicyNamesOnlyTheIssuersOriginBesidesThisOne() {
        assertThat(ConsoleRoutes.CSP).contains("connect-src 'self';").doesNotContain("http");
        assertThat(ConsoleRoutes.csp(ConsoleRoutes.issuerOrigin("https://id.example.com:8443/realms/x/token?a=b")))
                .contains("connect-src 'self' https://id.example.com:8443;")
                .contains("form-action 'self';", "default-src 'none';", "script-src 'self';");
        assertThat(ConsoleRoutes.issuerOrigin("/oauth/token")).isNull();
    }

    @Test
    void anIssuerWithoutUsableBrowserEndpointsOffersNoConsoleLogin() {
        assertThat(ConsoleRoutes.Login.external("web", "https://id/auth", "https://id/token", null))
                .isEqualTo(new ConsoleRoutes.Login("web", "https://id/auth", "https://id/token", null, "openid"));
        assertThat(ConsoleRoutes.Login.external("web", null, "https://id/token", null))
                .isNull();
        assertThat(ConsoleRoutes.Login.external("web", "https://id/auth", "javascript:alert(1)", null))
                .isNull();
        assertThat(ConsoleRoutes.Login.external("web", "https://id/auth", "/token", null))
                .isNull();
        assertThat(ConsoleRoutes.Login.external("web", "https://id/auth", "https://id/token", "data:x"))
                .isNull();
        assertThat(ConsoleRoutes.Login.external("web", "https://id/auth", "https://id/token", "not a url"))
                .isNull();
    }
}
