-- The nodes of the service's own public DERP relay (region 900) when several replicas run it on one database. Every
-- replica started with the DERP mesh key writes its own row every few seconds (last_seen), publishes the rows seen
-- recently as the region's nodes and meshes its relay with theirs; a row not refreshed within the stale cutoff is a
-- replica that is gone. A replica without the mesh key neither writes nor reads it (an older replica ignores it).
CREATE TABLE derp_relay_nodes (
    name        VARCHAR(64) PRIMARY KEY,
    public_key  VARCHAR(64) NOT NULL,
    host_name   VARCHAR(253) NOT NULL,
    ipv4        VARCHAR(15),
    ipv6        VARCHAR(45),
    derp_port   INT NOT NULL,
    stun_port   INT NOT NULL,
    url         VARCHAR(512) NOT NULL,
    custom_ca   BOOLEAN NOT NULL,
    ca_pem      VARCHAR(16384),
    last_seen   TIMESTAMP WITH TIME ZONE NOT NULL
);
