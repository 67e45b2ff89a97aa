package io.nexodus.server.watch;

import java.util.UUID;

/**
 * One row of a watched kind as read from the database: its identity ({@code key}: the id, or device/key for
 * metadata), revision, whether it is (soft-)deleted, the API value, and for metadata the device and key (filters).
 */
public record FeedRow(String key, long revision, boolean deleted, Object value, UUID deviceId, String metaKey) {}
