-- Authorization codes of the built-in issuer's authorization code grant (with PKCE), used by the web console. A code
-- lives for a minute and works once; only its hash is stored.
CREATE TABLE authorization_codes (
    code_hash      VARCHAR(64) PRIMARY KEY,
    account_id     UUID NOT NULL,
    client_id      VARCHAR(255) NOT NULL,
    redirect_uri   VARCHAR(2048) NOT NULL,
    code_challenge VARCHAR(128) NOT NULL,
    scope          VARCHAR(1000) NOT NULL,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
