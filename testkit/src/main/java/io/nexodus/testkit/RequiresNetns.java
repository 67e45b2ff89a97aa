package io.nexodus.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs root, {@code ip netns}, {@code /dev/net/tun} and the listed commands (e.g. "wireguard-go",
 * "iperf3", "nft"). Where they are missing the test is skipped with the reason, unless the environment variable
 * {@code NEXODUS_REQUIRE_NETNS_TESTS=1} is set (CI sets it): then it fails, so CI can never pass by skipping.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresNetnsCondition.class)
public @interface RequiresNetns {
    /** Commands that must be on the PATH. */
    String[] commands() default {};
}
