package io.nexodus.api.nexdctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nexodus.api.client.Json;
import java.util.List;
import java.util.Objects;

/** Maps {@code NexdCtl.*} JSON-RPC calls onto a {@link NexdCtl} and encodes the typed results as the wire strings. */
final class NexdCtlDispatcher implements JsonRpcHandler {
    private static final ObjectMapper JSON = Json.mapper();

    private final NexdCtl service;

    NexdCtlDispatcher(NexdCtl service) {
        this.service = Objects.requireNonNull(service);
    }

    @Override
    public JsonRpcResponse handle(JsonRpcRequest request) {
        NexdCtlMethod method = NexdCtlMethod.fromWireName(request.method()).orElse(null);
        if (method == null) {
            // Go's net/rpc wording, so scripts written against upstream see the same text
            return JsonRpcResponse.failure(request.id(), "rpc: can't find method " + request.method());
        }
        String param = request.stringParam();
        return JsonRpcResponse.success(request.id(), call(method, param));
    }

    private String call(NexdCtlMethod method, String param) {
        return switch (method) {
            case STATUS -> service.status().toWire();
            case VERSION -> service.version();
            case GET_TUNNEL_IPV4 -> service.tunnelIp(IpFamily.V4);
            case GET_TUNNEL_IPV6 -> service.tunnelIp(IpFamily.V6);
            case LIST_PEERS -> json(service.listPeers());
            case CONNECTIVITY_V4 -> json(service.connectivity(IpFamily.V4));
            case CONNECTIVITY_V6 -> json(service.connectivity(IpFamily.V6));
            case PROXY_LIST -> lines(service.proxyList());
            case PROXY_ADD_INGRESS -> line(service.proxyAdd(ProxyDirection.INGRESS, requireRule(param)));
            case PROXY_ADD_EGRESS -> line(service.proxyAdd(ProxyDirection.EGRESS, requireRule(param)));
            case PROXY_REMOVE_INGRESS -> line(service.proxyRemove(ProxyDirection.INGRESS, requireRule(param)));
            case PROXY_REMOVE_EGRESS -> line(service.proxyRemove(ProxyDirection.EGRESS, requireRule(param)));
            case SET_DEBUG_ON -> {
                service.setDebug(true);
                yield "debug logging on\n";
            }
            case SET_DEBUG_OFF -> {
                service.setDebug(false);
                yield "debug logging off\n";
            }
            case GET_DEBUG -> service.debug() ? "on" : "off";
            case ENABLE_EXIT_NODE_CLIENT -> line(service.enableExitNodeClient(param.strip()));
            case DISABLE_EXIT_NODE_CLIENT -> line(service.disableExitNodeClient());
            case LIST_EXIT_NODES -> json(service.listExitNodes());
        };
    }

    private static String requireRule(String rule) {
        if (rule.isBlank()) {
            throw new IllegalArgumentException("no proxy rule given (protocol:port:destination_ip:destination_port)");
        }
        return rule;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode result: " + e.getMessage(), e);
        }
    }

    private static String lines(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    private static String line(String s) {
        if (s == null) {
            return "";
        }
        return s.endsWith("\n") ? s : s + "\n";
    }
}
