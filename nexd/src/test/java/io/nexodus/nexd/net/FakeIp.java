package io.nexodus.nexd.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A small model of iproute2's policy rules and routing tables, as a {@link CommandRunner}: enough of {@code ip rule}
 * and {@code ip route} (add, replace, del, flush; also in {@code -batch} form) to check that what nexd sets up it
 * takes down exactly. Refuses what ip refuses (a rule or route that is there already, deleting what is not there).
 */
public final class FakeIp implements CommandRunner {
    private final List<String> rules =
            new ArrayList<>(List.of("0 lookup local", "32766 lookup main", "32767 lookup default"));
    private final Map<String, Map<String, String>> tables = new TreeMap<>();
    private static final Pattern SPACE = Pattern.compile(" ");
    public final List<String> log = new ArrayList<>();

    public FakeIp() {
        table("main").put("default", "default via 192.168.1.1 dev eth0");
        table("main").put("192.168.1.0/24", "192.168.1.0/24 dev eth0");
    }

    private Map<String, String> table(String t) {
        return tables.computeIfAbsent(t.equals("254") ? "main" : t, k -> new TreeMap<>());
    }

    /** Every rule and every table's routes, for comparing before and after. */
    public String snapshot() {
        StringBuilder b = new StringBuilder();
        rules.stream().sorted().forEach(r -> b.append("rule ").append(r).append('\n'));
        tables.forEach((t, routes) -> routes.values()
                .forEach(r -> b.append("table ").append(t).append(' ').append(r).append('\n')));
        return b.toString();
    }

    public List<String> rules() {
        return List.copyOf(rules);
    }

    public List<String> routes(String table) {
        return List.copyOf(table(table).values());
    }

    @Override
    public String run(List<String> argv, String stdin) throws NetConfigException {
        List<String> a = new ArrayList<>(argv);
        if (a.getFirst().equals("nft")) {
            log.add(String.join(" ", a));
            return "";
        }
        a.removeFirst(); // ip
        while (!a.isEmpty() && a.getFirst().startsWith("-") && !a.getFirst().equals("-batch")) {
            a.removeFirst();
        }
        if (!a.isEmpty() && a.getFirst().equals("-batch")) {
            for (String line : stdin.lines().toList()) {
                if (!line.isBlank()) {
                    one(SPACE.splitAsStream(line.strip()).toList());
                }
            }
            return "";
        }
        one(a);
        return "";
    }

    private void one(List<String> a) throws NetConfigException {
        String cmd = String.join(" ", a);
        log.add(cmd);
        String obj = a.get(0);
        String verb = a.get(1);
        List<String> rest = a.subList(2, a.size());
        if (obj.equals("rule")) {
            String spec = String.join(" ", rest.subList(2, rest.size()));
            String pref = rest.get(1);
            switch (verb) {
                case "add" -> {
                    if (rules.contains(pref + " " + spec)) {
                        throw new NetConfigException("RTNETLINK answers: File exists: " + cmd, null);
                    }
                    rules.add(pref + " " + spec);
                }
                case "del" -> {
                    boolean removed = false;
                    for (int i = 0; i < rules.size(); i++) {
                        String r = rules.get(i);
                        if (r.startsWith(pref + " ") && (spec.isEmpty() || r.equals(pref + " " + spec))) {
                            rules.remove(i);
                            removed = true;
                            break;
                        }
                    }
                    if (!removed) {
                        throw new NetConfigException("RTNETLINK answers: No such file or directory: " + cmd, null);
                    }
                }
                default -> throw new NetConfigException("unknown: " + cmd, null);
            }
            return;
        }
        if (obj.equals("route")) {
            String table = "main";
            List<String> r = new ArrayList<>(rest);
            int t = r.indexOf("table");
            if (t >= 0) {
                table = r.get(t + 1);
                r.remove(t + 1);
                r.remove(t);
            }
            if (verb.equals("flush")) {
                table(table).clear();
                return;
            }
            String key = r.getFirst().equals("throw") ? "throw " + r.get(1) : r.getFirst();
            String route = String.join(" ", r);
            switch (verb) {
                case "replace" -> table(table).put(key, route);
                case "add" -> {
                    if (table(table).containsKey(key)) {
                        throw new NetConfigException("RTNETLINK answers: File exists: " + cmd, null);
                    }
                    table(table).put(key, route);
                }
                case "del" -> {
                    if (table(table).remove(key) == null) {
                        throw new NetConfigException("RTNETLINK answers: No such process: " + cmd, null);
                    }
                }
                default -> throw new NetConfigException("unknown: " + cmd, null);
            }
            return;
        }
        // address, link: not modelled
    }
}
