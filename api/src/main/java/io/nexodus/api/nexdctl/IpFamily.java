package io.nexodus.api.nexdctl;

/** Which tunnel address family a call is about ({@code GetTunnelIPv4/6}, {@code ConnectivityV4/6}). */
public enum IpFamily {
    V4,
    V6
}
