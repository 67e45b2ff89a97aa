package io.nexodus.stun;

import java.net.InetSocketAddress;

/**
 * MAPPED-ADDRESS (0x0001): the reflexive transport address in plain form. RFC 8489 servers send it only to classic
 * RFC 3489 clients; modern ones get {@link XorMappedAddress}, which NAT ALGs cannot rewrite.
 */
public record MappedAddress(InetSocketAddress address) implements StunAttribute {
    public MappedAddress {
        Addresses.requireResolved(address);
    }

    @Override
    public int type() {
        return AttributeType.MAPPED_ADDRESS;
    }
}
