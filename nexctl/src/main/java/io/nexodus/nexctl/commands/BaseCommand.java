package io.nexodus.nexctl.commands;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.nexodus.api.client.Json;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.nexctl.CliEnvironment;
import io.nexodus.nexctl.CliException;
import io.nexodus.nexctl.Nexctl;
import io.nexodus.nexctl.auth.Session;
import io.nexodus.nexctl.output.Printer;
import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every nexctl command needs: the root's session, printer and environment. */
public abstract class BaseCommand implements Runnable {
    @Spec
    protected CommandSpec spec;

    /** A group command run without a subcommand. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    protected Nexctl root() {
        return (Nexctl) spec.root().userObject();
    }

    protected Session session() {
        return root().session();
    }

    protected NexodusClient api() {
        return session().api();
    }

    protected Printer out() {
        return root().printer();
    }

    protected CliEnvironment env() {
        return root().env();
    }

    /** Parses a JSON flag value into {@code type}; a usage error names the flag. */
    protected static <T> T json(String flag, String value, TypeReference<T> type) {
        try {
            T v = Json.mapper().readValue(value, type);
            if (v == null) {
                throw CliException.usage(flag + " must not be null");
            }
            return v;
        } catch (IOException e) {
            throw CliException.usage(flag + " is not valid JSON of the expected shape: " + firstLine(e.getMessage()));
        }
    }

    /** Parses any JSON value. */
    protected static JsonNode jsonValue(String flag, String value) {
        try {
            JsonNode n = Json.mapper().readTree(value);
            if (n == null || n.isMissingNode()) {
                throw CliException.usage(flag + " is empty");
            }
            return n;
        } catch (IOException e) {
            throw CliException.usage(
                    flag + " is not valid JSON (quote text values: '\"text\"'): " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
