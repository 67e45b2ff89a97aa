/**
 * The Java library of Nexodus: an application joins a VPC in process and gets mesh sockets, without root, without a
 * TUN device and without native code. {@link io.nexodus.node.NexodusNode} runs nexd's agent in proxy mode (the same
 * registration, watch, STUN, hole punching, relays, DERP and security groups as {@code nexd proxy}) on the
 * {@code netstack} module's userspace TCP/IP stack, and hands out {@link io.nexodus.node.MeshServerSocket}s and
 * {@link io.nexodus.node.MeshSocket}s on this device's tunnel addresses. docs/node.md describes the API and its limits.
 */
package io.nexodus.node;
