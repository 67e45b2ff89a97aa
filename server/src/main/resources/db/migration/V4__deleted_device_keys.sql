-- WireGuard keys of devices a user deleted: such a key does not register again by itself (an agent that was offline
-- during the deletion comes back with it). Kept for 90 days (garbage collection), then the key is free again.
CREATE TABLE deleted_device_keys (
    public_key VARCHAR(64) PRIMARY KEY,
    device_id  UUID NOT NULL,
    vpc_id     UUID NOT NULL,
    deleted_at TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_by UUID NOT NULL
);
