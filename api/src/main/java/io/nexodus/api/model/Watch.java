package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One watch in the body of {@code POST /api/events}: stream rows of {@code kind} whose revision is greater than
 * {@code gt_revision}; {@code at_tail=true} means "I already have the full list, do not send another tail".
 * Options: {@code vpc-id} (required on {@code /api/events}), for device-metadata also {@code device-id},
 * {@code key} and {@code prefix}/{@code prefixes} (list of key prefixes).
 */
public record Watch(
        @JsonProperty("kind") String kind,
        @JsonProperty("gt_revision") long gtRevision,
        @JsonProperty("at_tail") boolean atTail,
        @JsonProperty("options") Map<String, Object> options) {

    public static final String KIND_DEVICE = "device";
    public static final String KIND_SECURITY_GROUP = "security-group";
    public static final String KIND_DEVICE_METADATA = "device-metadata";
    public static final String KIND_VPC = "vpc";

    public static final String OPTION_VPC_ID = "vpc-id";
    public static final String OPTION_DEVICE_ID = "device-id";
    public static final String OPTION_KEY = "key";
    public static final String OPTION_PREFIX = "prefix";
    public static final String OPTION_PREFIXES = "prefixes";
}
