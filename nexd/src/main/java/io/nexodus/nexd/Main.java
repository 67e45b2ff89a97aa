package io.nexodus.nexd;

import io.nexodus.nexd.cli.NexdCommand;

/** {@code nexd}: see {@link NexdCommand} (flags) and {@code docs/nexd.md}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(NexdCommand.execute(args));
    }
}
