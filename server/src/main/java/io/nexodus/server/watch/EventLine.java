package io.nexodus.server.watch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A watch event as serialized once per change and shared by every watcher (same shape as WatchEvent). */
record EventLine(
        @JsonProperty("kind") String kind,
        @JsonProperty("type") String type,

        @JsonProperty("value") @JsonInclude(JsonInclude.Include.NON_NULL)
        Object value) {}
