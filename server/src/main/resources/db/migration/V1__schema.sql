-- Nexodus service schema. One history for H2 (PostgreSQL mode) and PostgreSQL: only portable SQL here.
-- JSON values (arrays, rules, metadata values, settings) are stored as VARCHAR text.
-- Watchable tables (vpcs, devices, device_metadata, security_groups) carry a revision taken from
-- revision_counter inside the writing transaction; holding that row lock until commit makes revision order equal
-- commit order, so a watcher that has seen revision R has seen everything below R.

CREATE TABLE revision_counter (
    id            INT PRIMARY KEY,
    last_revision BIGINT NOT NULL
);
INSERT INTO revision_counter (id, last_revision) VALUES (1, 0);

CREATE TABLE signing_keys (
    kid        VARCHAR(64) PRIMARY KEY,
    jwk        VARCHAR(8192) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Local login accounts of the built-in identity provider.
CREATE TABLE accounts (
    id            UUID PRIMARY KEY,
    username      VARCHAR(255) NOT NULL,
    password_hash VARCHAR(512) NOT NULL,
    full_name     VARCHAR(255) NOT NULL,
    email         VARCHAR(320),
    is_admin      BOOLEAN NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX idx_accounts_username ON accounts (username);

CREATE TABLE refresh_tokens (
    token_hash VARCHAR(64) PRIMARY KEY,
    account_id UUID NOT NULL,
    client_id  VARCHAR(255) NOT NULL,
    scope      VARCHAR(1000) NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX idx_refresh_tokens_account ON refresh_tokens (account_id);

CREATE TABLE device_codes (
    device_code_hash VARCHAR(64) PRIMARY KEY,
    user_code        VARCHAR(16) NOT NULL,
    client_id        VARCHAR(255) NOT NULL,
    scope            VARCHAR(1000) NOT NULL,
    status           VARCHAR(16) NOT NULL,
    account_id       UUID,
    poll_interval    INT NOT NULL,
    last_poll_at     TIMESTAMP WITH TIME ZONE,
    expires_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX idx_device_codes_user_code ON device_codes (user_code);

CREATE TABLE users (
    id         UUID PRIMARY KEY,
    idp_id     VARCHAR(512),
    username   VARCHAR(255) NOT NULL,
    full_name  VARCHAR(255) NOT NULL,
    picture    VARCHAR(2048) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX idx_users_idp_id ON users (idp_id);

CREATE TABLE user_identities (
    kind           VARCHAR(64) NOT NULL,
    identity_value VARCHAR(512) NOT NULL,
    user_id        UUID NOT NULL,
    PRIMARY KEY (kind, identity_value)
);
CREATE INDEX idx_user_identities_user ON user_identities (user_id);

CREATE TABLE organizations (
    id          UUID PRIMARY KEY,
    name        VARCHAR(255),
    description VARCHAR(1000) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at  TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX idx_organizations_name ON organizations (name);

CREATE TABLE user_organizations (
    user_id         UUID NOT NULL,
    organization_id UUID NOT NULL,
    roles           VARCHAR(255) NOT NULL,
    PRIMARY KEY (user_id, organization_id)
);
CREATE INDEX idx_user_organizations_org ON user_organizations (organization_id);

CREATE TABLE invitations (
    id              UUID PRIMARY KEY,
    organization_id UUID NOT NULL,
    user_id         UUID,
    email           VARCHAR(320),
    from_id         UUID NOT NULL,
    roles           VARCHAR(255) NOT NULL,
    expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX idx_invitations_org ON invitations (organization_id);
CREATE INDEX idx_invitations_user ON invitations (user_id);
CREATE INDEX idx_invitations_email ON invitations (email);

CREATE TABLE vpcs (
    id              UUID PRIMARY KEY,
    organization_id UUID NOT NULL,
    description     VARCHAR(1000) NOT NULL,
    private_cidr    BOOLEAN NOT NULL,
    ipv4_cidr       VARCHAR(64) NOT NULL,
    ipv6_cidr       VARCHAR(64) NOT NULL,
    revision        BIGINT NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX idx_vpcs_org ON vpcs (organization_id);

CREATE TABLE security_groups (
    id              UUID PRIMARY KEY,
    vpc_id          UUID NOT NULL,
    organization_id UUID NOT NULL,
    description     VARCHAR(1000) NOT NULL,
    inbound_rules   VARCHAR(1000000) NOT NULL,
    outbound_rules  VARCHAR(1000000) NOT NULL,
    revision        BIGINT NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at      TIMESTAMP WITH TIME ZONE
);
CREATE INDEX idx_security_groups_vpc ON security_groups (vpc_id, revision);
CREATE INDEX idx_security_groups_org ON security_groups (organization_id);

CREATE TABLE devices (
    id                UUID PRIMARY KEY,
    owner_id          UUID NOT NULL,
    vpc_id            UUID NOT NULL,
    organization_id   UUID NOT NULL,
    public_key        VARCHAR(64),
    former_public_key VARCHAR(64),
    allowed_ips       VARCHAR(100000) NOT NULL,
    ipv4_tunnel_ips   VARCHAR(10000) NOT NULL,
    ipv6_tunnel_ips   VARCHAR(10000) NOT NULL,
    advertise_cidrs   VARCHAR(100000) NOT NULL,
    relay             BOOLEAN NOT NULL,
    symmetric_nat     BOOLEAN NOT NULL,
    hostname          VARCHAR(255) NOT NULL,
    os                VARCHAR(64) NOT NULL,
    endpoints         VARCHAR(100000) NOT NULL,
    security_group_id UUID,
    online            BOOLEAN NOT NULL,
    online_at         TIMESTAMP WITH TIME ZONE,
    online_epoch      BIGINT NOT NULL,
    reg_key_id        UUID,
    token_hash        VARCHAR(64),
    sealed_token      VARCHAR(1024),
    revision          BIGINT NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at        TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX idx_devices_public_key ON devices (public_key);
CREATE UNIQUE INDEX idx_devices_token_hash ON devices (token_hash);
CREATE INDEX idx_devices_vpc ON devices (vpc_id, revision);
CREATE INDEX idx_devices_owner ON devices (owner_id);
CREATE INDEX idx_devices_org ON devices (organization_id);

CREATE TABLE device_metadata (
    device_id  UUID NOT NULL,
    meta_key   VARCHAR(255) NOT NULL,
    vpc_id     UUID NOT NULL,
    meta_value VARCHAR(1000000) NOT NULL,
    revision   BIGINT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (device_id, meta_key)
);
CREATE INDEX idx_device_metadata_vpc ON device_metadata (vpc_id, revision);

-- When a device moves to another VPC, watchers of the old VPC must see it (and its metadata) deleted: the last
-- state is kept here with a fresh revision and streamed as a delete event.
CREATE TABLE vpc_departures (
    kind         VARCHAR(32) NOT NULL,
    vpc_id       UUID NOT NULL,
    resource_key VARCHAR(400) NOT NULL,
    revision     BIGINT NOT NULL,
    payload      VARCHAR(1000000) NOT NULL,
    PRIMARY KEY (kind, vpc_id, resource_key)
);
CREATE INDEX idx_vpc_departures_vpc ON vpc_departures (vpc_id, revision);

CREATE TABLE reg_keys (
    id                UUID PRIMARY KEY,
    owner_id          UUID NOT NULL,
    vpc_id            UUID NOT NULL,
    organization_id   UUID NOT NULL,
    token_hash        VARCHAR(64),
    description       VARCHAR(1000) NOT NULL,
    device_id         UUID,
    expires_at        TIMESTAMP WITH TIME ZONE,
    security_group_id UUID,
    settings          VARCHAR(100000) NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at        TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX idx_reg_keys_token_hash ON reg_keys (token_hash);
CREATE INDEX idx_reg_keys_owner ON reg_keys (owner_id);
CREATE INDEX idx_reg_keys_org ON reg_keys (organization_id);

-- IPAM: one pool per address family and namespace (the shared namespace, or a private-CIDR VPC).
-- next_offset is the lowest offset that may be free (a hint, moved down on release).
CREATE TABLE ipam_pools (
    id          VARCHAR(80) PRIMARY KEY,
    cidr        VARCHAR(64) NOT NULL,
    next_offset BIGINT NOT NULL
);

CREATE TABLE ipam_addresses (
    pool_id        VARCHAR(80) NOT NULL,
    address_offset BIGINT NOT NULL,
    address        VARCHAR(64) NOT NULL,
    device_id      UUID NOT NULL,
    PRIMARY KEY (pool_id, address_offset)
);
CREATE INDEX idx_ipam_addresses_device ON ipam_addresses (device_id);

CREATE TABLE advertised_cidrs (
    vpc_id    UUID NOT NULL,
    cidr      VARCHAR(64) NOT NULL,
    device_id UUID NOT NULL,
    PRIMARY KEY (vpc_id, cidr)
);
CREATE INDEX idx_advertised_cidrs_device ON advertised_cidrs (device_id);
