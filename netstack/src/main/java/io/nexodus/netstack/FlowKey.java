package io.nexodus.netstack;

import java.net.InetAddress;

/** A TCP connection's four-tuple, seen from the stack: its own address and port, then the peer's. */
record FlowKey(InetAddress local, int localPort, InetAddress remote, int remotePort) {}
