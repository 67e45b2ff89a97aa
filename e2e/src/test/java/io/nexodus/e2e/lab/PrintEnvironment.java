package io.nexodus.e2e.lab;

import java.net.InetAddress;

/** Test main run inside a lab host by {@link NatLabIT}: prints what the child JVM sees of its environment. */
public final class PrintEnvironment {
    private PrintEnvironment() {}

    public static void main(String[] args) throws Exception {
        System.out.println("java.home=" + System.getProperty("java.home"));
        System.out.println("native-access=" + PrintEnvironment.class.getModule().isNativeAccessEnabled());
        System.out.println("localhost=" + InetAddress.getLocalHost().getHostName() + "/"
                + InetAddress.getLocalHost().getHostAddress());
        System.out.println("env=" + System.getenv("NATLAB_PROBE"));
        System.out.println("args=" + String.join(",", args));
    }
}
