package io.nexodus.bench.controlplane;

import io.nexodus.api.client.NexodusClient;

/** One scrape of the service's Prometheus {@code /metrics}: the value of a sample by its name (labels ignored, summed). */
record ServiceMetrics(String text) {
    static ServiceMetrics scrape(NexodusClient client) {
        return new ServiceMetrics(client.service().metrics());
    }

    /** The sum of every sample named {@code name} (any labels); NaN if the service does not export it. */
    double value(String name) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            int end = name.length();
            if (line.length() > end && line.charAt(end) != ' ' && line.charAt(end) != '{') {
                continue;
            }
            String v = line.substring(line.lastIndexOf(' ') + 1);
            sum += Double.parseDouble(v);
            found = true;
        }
        return found ? sum : Double.NaN;
    }
}
