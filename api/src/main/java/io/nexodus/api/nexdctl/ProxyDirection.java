package io.nexodus.api.nexdctl;

/**
 * The two kinds of userspace proxy rule ({@code nexd proxy}); a rule's text is
 * {@code protocol:port:destination_ip:destination_port}, e.g. {@code tcp:8080:100.64.0.7:80}.
 */
public enum ProxyDirection {
    /** From the Nexodus network into this host's networks. */
    INGRESS,
    /** From this host's networks into the Nexodus network. */
    EGRESS;

    /** The flag form used in {@code ProxyList} lines: {@code --ingress} / {@code --egress}. */
    public String flag() {
        return this == INGRESS ? "--ingress" : "--egress";
    }
}
