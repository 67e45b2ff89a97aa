package io.nexodus.stun;

import java.net.InetSocketAddress;

/**
 * XOR-MAPPED-ADDRESS (0x0020): the reflexive transport address, on the wire XOR-ed with the magic cookie (port,
 * IPv4) or with cookie + transaction id (IPv6). This record holds the plain address; the codec does the XOR.
 */
public record XorMappedAddress(InetSocketAddress address) implements StunAttribute {
    public XorMappedAddress {
        Addresses.requireResolved(address);
    }

    @Override
    public int type() {
        return AttributeType.XOR_MAPPED_ADDRESS;
    }
}
