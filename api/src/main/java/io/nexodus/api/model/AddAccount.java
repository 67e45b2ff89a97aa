package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code POST /admin/accounts} (built-in identity provider only, admin only): a local login account. The
 * matching API user (with its default organization, VPC and security group) is created at once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddAccount(
        @Limits(maxLength = 64) @JsonProperty("username") String username,

        @Limits(minLength = 8, maxLength = 1024) @JsonProperty("password")
        String password,

        @Limits(maxLength = 255) @JsonProperty("full_name") String fullName,
        @Limits(maxLength = 320) @JsonProperty("email") String email) {}
