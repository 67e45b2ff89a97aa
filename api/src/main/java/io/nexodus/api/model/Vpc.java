package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/**
 * A virtual private cloud: the set of devices that peer with each other. A shared-CIDR VPC ({@code private_cidr=false})
 * takes addresses from the service-wide pools; a private one has its own pools.
 *
 * @param warnings only in the answer to a create: address ranges that were accepted but deserve a second look (a
 *     public range, a range overlapping another VPC or the service's shared pools); omitted when there are none
 */
public record Vpc(
        @JsonProperty("id") UUID id,
        @JsonProperty("organization_id") UUID organizationId,
        @JsonProperty("description") String description,
        @JsonProperty("private_cidr") boolean privateCidr,
        @JsonProperty("ipv4_cidr") String ipv4Cidr,
        @JsonProperty("ipv6_cidr") String ipv6Cidr,
        @JsonProperty("revision") long revision,

        @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("warnings")
        List<String> warnings) {
    public Vpc {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** A VPC without warnings (every answer but a create's). */
    public Vpc(
            UUID id,
            UUID organizationId,
            String description,
            boolean privateCidr,
            String ipv4Cidr,
            String ipv6Cidr,
            long revision) {
        this(id, organizationId, description, privateCidr, ipv4Cidr, ipv6Cidr, revision, List.of());
    }

    /** This VPC with {@code w} as its warnings. */
    public Vpc withWarnings(List<String> w) {
        return new Vpc(id, organizationId, description, privateCidr, ipv4Cidr, ipv6Cidr, revision, w);
    }
}
