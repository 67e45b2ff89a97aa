-- Public DERP relays added by an administrator (POST /api/relays), published at GET /api/relays next to the relay
-- built into the service (region 900, not stored: it is derived from the running relay). One region = one relay node.
CREATE TABLE public_relays (
    region_id   INT PRIMARY KEY,
    region_code VARCHAR(32) NOT NULL,
    region_name VARCHAR(255) NOT NULL,
    host_name   VARCHAR(253) NOT NULL,
    ipv4        VARCHAR(15),
    ipv6        VARCHAR(45),
    derp_port   INT NOT NULL,
    stun_port   INT NOT NULL,
    ca_pem      VARCHAR(16384),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE UNIQUE INDEX idx_public_relays_code ON public_relays (region_code);
