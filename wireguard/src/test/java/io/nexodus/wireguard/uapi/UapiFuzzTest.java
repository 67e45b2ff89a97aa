package io.nexodus.wireguard.uapi;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nexodus.wireguard.bind.Bind;
import io.nexodus.wireguard.bind.Endpoint;
import io.nexodus.wireguard.bind.PacketBatch;
import io.nexodus.wireguard.bind.Receiver;
import io.nexodus.wireguard.device.ConfigException;
import io.nexodus.wireguard.device.Device;
import io.nexodus.wireguard.device.DeviceUpdate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the UAPI {@code set=1} parser, {@link UapiProtocol#parseSet}, as the UAPI
 * server calls it on the lines a local client sends, followed by {@link Device#configure}. In {@code ./mvnw verify}
 * it runs for a few seconds (see the pom); a plain unit test run replays the committed inputs under
 * src/test/resources only.
 */
class UapiFuzzTest {
    /** get keys that report counters, not configuration: {@code set} does not take them. */
    private static final List<String> COUNTERS =
            List.of("last_handshake_time_sec=", "last_handshake_time_nsec=", "tx_bytes=", "rx_bytes=");

    private static final Device FIRST = device("fuzz0");
    private static final Device SECOND = device("fuzz1");

    /**
     * Any bytes (split at newlines) as the lines of a set request: parsing and applying it succeed or fail with {@link ConfigException},
     * nothing else. A configuration it produced reads back (get) as a set request that parses and, applied to another
     * device, reads back the same.
     */
    @FuzzTest(maxDuration = "5s")
    void parseArbitrarySetRequests(byte[] input) throws ConfigException {
        String request = new String(input, StandardCharsets.ISO_8859_1); // one char per byte, as the server reads lines
        List<String> lines = Arrays.asList(request.split("\n", -1));
        reset(FIRST);
        try {
            DeviceUpdate u = UapiProtocol.parseSet(lines);
            FIRST.configure(u);
        } catch (ConfigException e) {
            if (e.errno() != ConfigException.EINVAL && e.errno() != ConfigException.EPROTO) {
                throw new AssertionError("unexpected errno " + e.errno(), e);
            }
            return;
        }
        String get = configuration(UapiProtocol.formatGet(FIRST.status()));
        List<String> set = new ArrayList<>(List.of("replace_peers=true"));
        set.addAll(get.lines().toList());
        reset(SECOND);
        SECOND.configure(UapiProtocol.parseSet(set));
        String again = configuration(UapiProtocol.formatGet(SECOND.status()));
        if (!again.equals(get)) {
            throw new AssertionError("get → set → get changed\n" + get + "\ninto\n" + again);
        }
    }

    /** Back to no peers, no fwmark, any port (get omits them when unset, so a set of its output would not clear them). */
    private static void reset(Device d) throws ConfigException {
        d.replacePeers(List.of());
        d.setFwmark(0);
        d.setListenPort(0);
    }

    private static String configuration(String get) {
        StringBuilder sb = new StringBuilder();
        for (String line : get.split("\n", -1)) {
            if (!line.isEmpty() && COUNTERS.stream().noneMatch(line::startsWith)) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    private static Device device(String name) {
        try {
            return Device.builder().noTun(name).bind(new NullBind()).build();
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A transport that sends nothing and binds any port it is given (so listen_port changes cost nothing). */
    private static final class NullBind implements Bind {
        private volatile int port;

        @Override
        public int open(int port, Receiver receiver) {
            this.port = port == 0 ? 51820 : port;
            return this.port;
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public void send(PacketBatch batch) {}

        @Override
        public void send(Endpoint to, byte[] buf, int offset, int length) {}

        @Override
        public void setMark(int mark) {}

        @Override
        public void close() {
            port = 0;
        }
    }
}
