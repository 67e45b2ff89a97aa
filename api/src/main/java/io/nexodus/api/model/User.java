package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.UUID;

/** A user. Its id is also the id of its default organization, default VPC and default security group. */
public record User(
        @JsonProperty("id") UUID id,
        @JsonProperty("username") String username,
        @JsonProperty("full_name") String fullName,
        @JsonProperty("picture") String picture) {}
