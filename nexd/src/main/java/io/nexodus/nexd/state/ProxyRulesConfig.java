package io.nexodus.nexd.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Upstream's {@code proxy-rules-config}: {@code nexd proxy} rules in flag form ({@code tcp:80:10.0.0.1:8080}). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProxyRulesConfig(
        @JsonProperty("egress") List<String> egress,
        @JsonProperty("ingress") List<String> ingress) {
    public ProxyRulesConfig {
        egress = egress == null ? List.of() : List.copyOf(egress);
        ingress = ingress == null ? List.of() : List.copyOf(ingress);
    }
}
