package io.nexodus.nexd.cli;

import io.nexodus.api.nexdctl.ProxyDirection;
import io.nexodus.nexd.agent.ProxyConfig;
import io.nexodus.nexd.proxy.ProxyRule;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code nexd proxy}'s own flags, upstream's names: {@code --ingress} and {@code --egress}, repeatable, each
 * {@code protocol:port:destination_ip:destination_port}. {@link #toProxy} parses them and refuses two rules on one
 * listening port.
 */
final class ProxyOptions {
    @Option(
            names = "--ingress",
            paramLabel = "RULE",
            description = {
                "Forward from the Nexodus network to this host: tcp|udp:PORT:DEST_IP:DEST_PORT (repeatable).",
                "Connections to this device's tunnel address at PORT go to DEST_IP:DEST_PORT (e.g.",
                "tcp:80:127.0.0.1:8080 publishes a local web server on port 80 of the tunnel address)."
            })
    List<String> ingress;

    @Option(
            names = "--egress",
            paramLabel = "RULE",
            description = {
                "Forward from this host to the Nexodus network: tcp|udp:PORT:DEST_IP:DEST_PORT (repeatable).",
                "nexd listens on 127.0.0.1:PORT and forwards to DEST_IP:DEST_PORT, a peer's tunnel address",
                "(e.g. tcp:5432:100.64.0.7:5432)."
            })
    List<String> egress;

    /** The proxy configuration; throws {@link IllegalArgumentException} with a message for people. */
    ProxyConfig toProxy() {
        List<ProxyRule> rules = new ArrayList<>();
        for (ProxyDirection d : ProxyDirection.values()) {
            List<String> given = d == ProxyDirection.INGRESS ? ingress : egress;
            if (given == null) {
                continue;
            }
            for (String text : given) {
                ProxyRule r;
                try {
                    r = ProxyRule.parse(d, text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            d.flag() + " " + text + ": " + stripPrefix(e.getMessage(), text), e);
                }
                for (ProxyRule other : rules) {
                    if (other.direction() == r.direction()
                            && other.protocol() == r.protocol()
                            && other.port() == r.port()) {
                        throw new IllegalArgumentException(r.flagForm() + " and " + other.flagForm()
                                + " listen on the same port; give one rule per protocol and port");
                    }
                }
                rules.add(r);
            }
        }
        return new ProxyConfig(true, rules);
    }

    /** The parser's message without its "ingress rule TEXT: " lead (the flag form replaces it). */
    private static String stripPrefix(String message, String text) {
        int i = message.indexOf(text + ": ");
        return i >= 0 ? message.substring(i + text.length() + 2) : message;
    }
}
