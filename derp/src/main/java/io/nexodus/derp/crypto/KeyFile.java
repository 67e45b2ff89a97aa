package io.nexodus.derp.crypto;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.tls.SecretFiles;
import io.nexodus.derp.json.JsonException;
import io.nexodus.derp.json.JsonObjects;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The derper's key file: {@code {"PrivateKey": "privkey:<64 hex>"}}. Like upstream it is created (mode 0600) with a
 * fresh key when missing, so a relay keeps its identity across restarts.
 */
public final class KeyFile {
    private KeyFile() {}

    /** Reads the key in {@code path}, or creates the file with a new key when it does not exist. */
    public static NodePrivateKey loadOrCreate(Path path) throws IOException {
        if (Files.exists(path)) {
            return load(path);
        }
        NodePrivateKey key = NodePrivateKey.generate();
        String text = "{\"PrivateKey\": \"" + key.toText() + "\"}\n"; // privkey:<hex> needs no escaping
        if (!SecretFiles.createSecret(path, text)) {
            return load(path); // another process created it first: use theirs
        }
        return key;
    }

    /** Reads an existing key file; a clear {@link IOException} when it is malformed. */
    public static NodePrivateKey load(Path path) throws IOException {
        String text = Files.readString(path, StandardCharsets.UTF_8);
        String[] key = {null};
        try {
            JsonObjects.read(text, (name, v) -> {
                if (name.equalsIgnoreCase("PrivateKey")) {
                    key[0] = JsonObjects.stringValue(v, "\"PrivateKey\"");
                }
            });
            if (key[0] == null) {
                throw new IOException("key file " + path + " has no \"PrivateKey\" string");
            }
            return NodePrivateKey.parse(key[0]);
        } catch (JsonException | IllegalArgumentException e) {
            throw new IOException(
                    "key file " + path + " is not a DERP key file ({\"PrivateKey\": \"privkey:<hex>\"}): "
                            + e.getMessage(),
                    e);
        }
    }
}
