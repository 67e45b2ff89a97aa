package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One DERP relay server ({@code tailcfg.DERPNode} with snake_case names and what a Nexodus agent needs to trust it).
 *
 * @param name      node name, e.g. {@code 900nex} (as upstream)
 * @param regionId  its region
 * @param hostName  the name in the relay's TLS certificate; clients send it as SNI and check the certificate against it
 * @param ipv4      when set, dial this address instead of resolving {@code host_name} (the name is still what TLS checks)
 * @param ipv6      likewise for IPv6
 * @param derpPort  TCP port of the DERP (HTTPS) listener
 * @param stunPort  UDP port of a STUN server on the same host, or -1 for none
 * @param url       what a DERP client connects to: {@code https://host_name:derp_port/derp} ({@code http://} only for a
 *                  relay the operator started in plain-HTTP development mode)
 * @param customCa  true when the certificate is not issued by a CA the JDK/OS trusts by default: trust {@code ca_pem}
 *                  for this relay (the PEM came over the authenticated API, so it is as trustworthy as the service)
 * @param caPem     the CA certificate (PEM) that issued the relay's certificate, when {@code custom_ca} and known
 */
public record RelayNode(
        @JsonProperty("name") String name,
        @JsonProperty("region_id") int regionId,
        @JsonProperty("host_name") String hostName,

        @JsonProperty("ipv4") @JsonInclude(JsonInclude.Include.NON_NULL)
        String ipv4,

        @JsonProperty("ipv6") @JsonInclude(JsonInclude.Include.NON_NULL)
        String ipv6,

        @JsonProperty("derp_port") int derpPort,
        @JsonProperty("stun_port") int stunPort,
        @JsonProperty("url") String url,
        @JsonProperty("custom_ca") boolean customCa,

        @JsonProperty("ca_pem") @JsonInclude(JsonInclude.Include.NON_NULL)
        String caPem) {}
