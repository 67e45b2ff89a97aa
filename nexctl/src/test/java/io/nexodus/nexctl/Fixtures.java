package io.nexodus.nexctl;

/** JSON bodies as the service sends them (upstream field names), for canned answers. */
final class Fixtures {
    static final String USER_ID = "11111111-1111-1111-1111-111111111111";
    static final String OTHER_USER = "22222222-2222-2222-2222-222222222222";
    static final String VPC_ID = USER_ID;
    static final String VPC2_ID = "33333333-3333-3333-3333-333333333333";
    static final String DEVICE_ID = "44444444-4444-4444-4444-444444444444";
    static final String REGKEY_ID = "55555555-5555-5555-5555-555555555555";
    static final String SG_ID = "66666666-6666-6666-6666-666666666666";
    static final String INV_ID = "77777777-7777-7777-7777-777777777777";
    static final String ORG2_ID = "88888888-8888-8888-8888-888888888888";

    static final String USER =
            "{\"id\":\"" + USER_ID + "\",\"username\":\"admin\",\"full_name\":\"Ada Admin\",\"picture\":\"\"}";
    static final String VPC =
            "{\"id\":\"" + VPC_ID + "\",\"organization_id\":\"" + USER_ID + "\",\"description\":\"default vpc\","
                    + "\"private_cidr\":false,\"ipv4_cidr\":\"100.64.0.0/10\",\"ipv6_cidr\":\"200::/64\",\"revision\":3}";
    static final String VPC2 =
            "{\"id\":\"" + VPC2_ID + "\",\"organization_id\":\"" + USER_ID + "\",\"description\":\"lab\","
                    + "\"private_cidr\":true,\"ipv4_cidr\":\"10.200.0.0/16\",\"ipv6_cidr\":\"fd12::/64\",\"revision\":4}";
    static final String DEVICE =
            "{\"id\":\"" + DEVICE_ID + "\",\"owner_id\":\"" + USER_ID + "\",\"vpc_id\":\"" + VPC_ID + "\","
                    + "\"public_key\":\"pkA=\",\"allowed_ips\":[\"100.64.0.1/32\",\"200::1/128\"],"
                    + "\"ipv4_tunnel_ips\":[{\"address\":\"100.64.0.1\",\"cidr\":\"100.64.0.0/10\"}],"
                    + "\"ipv6_tunnel_ips\":[{\"address\":\"200::1\",\"cidr\":\"200::/64\"}],"
                    + "\"advertise_cidrs\":[\"192.168.50.0/24\"],\"relay\":false,\"symmetric_nat\":true,\"hostname\":\"lab-a\",\"os\":\"linux\","
                    + "\"endpoints\":[{\"source\":\"local\",\"address\":\"192.168.1.5:51820\"},{\"source\":\"stun:127.0.0.1:3478\",\"address\":\"198.51.100.7:40001\"}],"
                    + "\"revision\":9,\"security_group_id\":\"" + VPC_ID
                    + "\",\"online\":true,\"online_at\":\"2026-11-02T09:30:00Z\"}";
    static final String REGKEY_CREATED =
            "{\"id\":\"" + REGKEY_ID + "\",\"owner_id\":\"" + USER_ID + "\",\"vpc_id\":\"" + VPC_ID + "\","
                    + "\"bearer_token\":\"RK:abc123\",\"description\":\"lab key\",\"device_id\":\"" + DEVICE_ID + "\","
                    + "\"expires_at\":\"2026-11-03T10:00:00Z\",\"security_group_id\":null,\"settings\":{\"relay-only\":true}}";
    static final String REGKEY_LISTED =
            "{\"id\":\"" + REGKEY_ID + "\",\"owner_id\":\"" + USER_ID + "\",\"vpc_id\":\"" + VPC_ID + "\","
                    + "\"description\":\"lab key\",\"device_id\":null,\"expires_at\":null,\"security_group_id\":null,\"settings\":null}";
    static final String SG = "{\"id\":\"" + SG_ID + "\",\"description\":\"web\",\"vpc_id\":\"" + VPC_ID + "\","
            + "\"inbound_rules\":[{\"ip_protocol\":\"tcp\",\"from_port\":80,\"to_port\":443,\"ip_ranges\":[\"10.0.0.0/8\",\"192.168.1.1\"]},"
            + "{\"ip_protocol\":\"icmp\",\"from_port\":0,\"to_port\":0,\"ip_ranges\":[]}],"
            + "\"outbound_rules\":[],\"revision\":2}";
    static final String ORG =
            "{\"id\":\"" + USER_ID + "\",\"name\":\"admin\",\"description\":\"admin's organization\"}";
    static final String MEMBER = "{\"user_id\":\"" + USER_ID + "\",\"organization_id\":\"" + USER_ID
            + "\",\"roles\":[\"owner\"],\"user\":" + USER + "}";
    static final String INVITATION =
            "{\"id\":\"" + INV_ID + "\",\"user_id\":null,\"email\":\"bob@example.com\",\"organization_id\":\"" + USER_ID
                    + "\",\"organization\":" + ORG + ",\"from\":" + USER
                    + ",\"roles\":[\"member\"],\"expires_at\":\"2026-11-09T10:00:00Z\"}";
    static final String METADATA = "{\"device_id\":\"" + DEVICE_ID
            + "\",\"key\":\"relay\",\"value\":{\"type\":\"derp\",\"hostname\":\"relay.lab\"},\"revision\":12}";

    private Fixtures() {}

    static String array(String... items) {
        return "[" + String.join(",", items) + "]";
    }
}
