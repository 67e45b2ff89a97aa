-- The Ed25519 key the service signs devices' peer maps with (an agent restarted while the service is unreachable
-- trusts a stored map signed by it). Kept in the database so every replica signs with the same key; the oldest row
-- signs. private_key: PKCS#8, public_key: X.509 SubjectPublicKeyInfo, both base64.
CREATE TABLE peer_map_keys (
    key_id      VARCHAR(64) PRIMARY KEY,
    private_key VARCHAR(512) NOT NULL,
    public_key  VARCHAR(512) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
