package io.nexodus.stun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** Random but valid {@link StunMessage}s of every shape the codec knows, for round-trip and fuzz tests. */
final class RandomMessages {
    private static final List<StunClass> CLASSES = List.of(StunClass.values());

    private RandomMessages() {}

    static StunMessage next(RandomGenerator r) {
        boolean classic = r.nextInt(5) == 0;
        byte[] id = new byte[classic ? 16 : 12];
        r.nextBytes(id);
        if (classic && id[0] == 0x21) {
            id[0] = 0; // a classic id must not start with the magic cookie
        }
        StunMessageType type = new StunMessageType(
                r.nextInt(4) == 0 ? r.nextInt(0x1000) : StunMessageType.BINDING,
                CLASSES.get(r.nextInt(CLASSES.size())));
        List<StunAttribute> attributes = new ArrayList<>();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            attributes.add(attribute(r, classic));
        }
        return new StunMessage(type, new TransactionId(id), attributes, !classic && r.nextBoolean());
    }

    static StunAttribute attribute(RandomGenerator r, boolean classic) {
        return switch (r.nextInt(classic ? 6 : 7)) {
            case 0 -> new MappedAddress(address(r));
            case 1 -> new Software(text(r));
            case 2 -> new ErrorCode(300 + r.nextInt(400), text(r));
            case 3 -> {
                List<Integer> types = new ArrayList<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    types.add(r.nextInt(0x10000));
                }
                yield new UnknownAttributes(types);
            }
            case 4 -> new ChangeRequest(r.nextBoolean(), r.nextBoolean());
            case 5 -> {
                int type;
                do {
                    type = r.nextInt(0x10000);
                } while (isInterpreted(type, classic));
                byte[] value = new byte[r.nextInt(40)];
                r.nextBytes(value);
                yield new OpaqueAttribute(type, value);
            }
            default -> new XorMappedAddress(address(r));
        };
    }

    private static boolean isInterpreted(int type, boolean classic) {
        return switch (type) {
            case AttributeType.MAPPED_ADDRESS,
                    AttributeType.SOFTWARE,
                    AttributeType.ERROR_CODE,
                    AttributeType.UNKNOWN_ATTRIBUTES,
                    AttributeType.CHANGE_REQUEST -> true;
            case AttributeType.XOR_MAPPED_ADDRESS, AttributeType.FINGERPRINT -> !classic;
            default -> false;
        };
    }

    static InetSocketAddress address(RandomGenerator r) {
        byte[] ip = new byte[r.nextBoolean() ? 4 : 16];
        r.nextBytes(ip);
        return new InetSocketAddress(Addresses.fromBytes(ip), r.nextInt(0x10000));
    }

    private static String text(RandomGenerator r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(20); i > 0; i--) {
            sb.appendCodePoint(
                    switch (r.nextInt(4)) {
                        case 0 -> 0x20 + r.nextInt(0x5f);
                        case 1 -> 0xa0 + r.nextInt(0x700);
                        case 2 -> 0x3040 + r.nextInt(0x60);
                        default -> 0x1F600 + r.nextInt(0x40);
                    });
        }
        return sb.toString();
    }

    static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }
}
