package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code POST /admin/accounts} (built-in identity provider only, admin only): a local login account. The
 * matching API user (with its default organization, VPC and security group) is created at once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddAccount(
        @JsonProperty("username") String username,
        @JsonProperty("password") String password,
        @JsonProperty("full_name") String fullName,
        @JsonProperty("email") String email) {}
