package io.nexodus.nexd.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    @TempDir
    Path tmp;

    @Test
    void missingStateIsEmptyAndSavedStateRoundTripsWithUpstreamKeys() throws Exception {
        StateStore store = new StateStore(tmp.resolve("nexd"));
        assertThat(store.load()).isEqualTo(NexdState.EMPTY);
        NexdState s = NexdState.EMPTY
                .withKeys("pub=", "priv=")
                .withPort(51999)
                .withAuthToken(new StoredToken("a", "Bearer", "r", Instant.parse("2026-11-02T10:00:00Z")));
        store.save(s);
        assertThat(store.load()).isEqualTo(s);
        String json = Files.readString(store.file());
        assertThat(json)
                .contains(
                        "\"public-key\"",
                        "\"private-key\"",
                        "\"port\" : 51999",
                        "\"auth-token\"",
                        "\"refresh_token\"",
                        "\"expiry\" : \"2026-11-02T10:00:00Z\"");
    }

    @Test
    void theFileIs0600AndTheDirectory0700() throws Exception {
        StateStore store = new StateStore(tmp.resolve("d"));
        store.save(NexdState.EMPTY.withKeys("p", "k"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.directory())))
                .isEqualTo("rwx------");
        try (var files = Files.list(store.directory())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("state.json");
        }
    }

    @Test
    void aWorldReadableExistingDirectoryIsTightened() throws Exception {
        Path dir = Files.createDirectory(
                tmp.resolve("open"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        new StateStore(dir).save(NexdState.EMPTY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
    }

    @Test
    void upstreamsStateFileIsReadAndUnknownKeysAreIgnored() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("up"));
        Files.writeString(dir.resolve("state.json"), """
                {"auth-token":{"access_token":"x","token_type":"Bearer","refresh_token":"y","expiry":"2024-01-01T00:00:00Z"},
                 "public-key":"PUB","private-key":"PRIV","proxy-rules-config":{"egress":["tcp:80:10.0.0.1:8080"],"ingress":null},
                 "port":58210,"something-new":1}
                """);
        NexdState s = new StateStore(dir).load();
        assertThat(s.publicKey()).isEqualTo("PUB");
        assertThat(s.port()).isEqualTo(58210);
        assertThat(s.proxyRulesConfig().egress()).containsExactly("tcp:80:10.0.0.1:8080");
        assertThat(s.authToken().refreshToken()).isEqualTo("y");
    }

    @Test
    void aCorruptFileIsAnErrorNotANewIdentity() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(dir.resolve("state.json"), "{not json");
        assertThatThrownBy(() -> new StateStore(dir).load())
                .isInstanceOf(StateException.class)
                .hasMessageContaining("not a valid nexd state file");
    }

    @Test
    void saveReplacesAtomicallyAndLeavesNoTemporaryFile() throws Exception {
        StateStore store = new StateStore(tmp.resolve("x"));
        for (int i = 1; i <= 20; i++) {
            store.save(NexdState.EMPTY.withPort(i));
        }
        assertThat(store.load().port()).isEqualTo(20);
        try (var files = Files.list(store.directory())) {
            assertThat(files.count()).isEqualTo(1);
        }
    }
}
