package io.nexodus.api.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The Jackson configuration for the Nexodus API: RFC 3339 timestamps, unknown fields ignored (newer servers may add
 * fields). The records carry their JSON names themselves, so any mapper configured like this works.
 */
public final class Json {
    // A shared, bounded buffer pool instead of Jackson's default thread-local one: with virtual threads every request
    // thread would otherwise keep its own ~30 KB of parser buffers for as long as it lives (e.g. a watch stream).
    private static final ObjectMapper MAPPER = configure(JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedBoundedPool())
                    .build())
            .build());

    private Json() {}

    /** A shared, thread-safe mapper. Do not reconfigure it; call {@link #configure} on your own copy instead. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Applies the API's settings to {@code mapper} (e.g. a YAML mapper for CLI output) and returns it. */
    public static <M extends ObjectMapper> M configure(M mapper) {
        mapper.registerModule(new JavaTimeModule());
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
        mapper.setDefaultPropertyInclusion(
                JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS));
        return mapper;
    }
}
