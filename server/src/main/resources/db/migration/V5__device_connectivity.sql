-- The last connectivity report of each device: how it reaches its peers (JSON text, at most 1000 peers) and its NAT
-- type. One row per device, replaced by every report; kept in the database so every replica answers the same. Rows
-- older than an hour are removed by garbage collection (readers already show them as stale after 90 seconds).
CREATE TABLE device_connectivity (
    device_id   UUID PRIMARY KEY,
    vpc_id      UUID NOT NULL,
    nat_type    VARCHAR(32) NOT NULL,
    peers       VARCHAR(1000000) NOT NULL,
    reported_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX idx_device_connectivity_vpc ON device_connectivity (vpc_id);
