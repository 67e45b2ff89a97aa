package io.nexodus.nexctl.commands;

import java.util.UUID;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The thing a command acts on, given either as its first argument ({@code nexctl vpc get 3f...}) or with its flag
 * ({@code --vpc-id 3f...}), as people type both. Each subclass is used as an exclusive, required {@code @ArgGroup},
 * so the usage line reads {@code (VPC_ID | --vpc-id=UUID)} and a missing or doubled id is a usage error. Commands
 * that take two ids (a member of an organization) keep the flags only, since a bare argument would be ambiguous.
 */
abstract class IdArgument<T> {
    private T value;

    /** The id, from whichever form was given. */
    final T id() {
        return value;
    }

    final void set(T v) {
        value = v;
    }

    /** A VPC. */
    static final class Vpc extends IdArgument<UUID> {
        @Option(names = "--vpc-id", paramLabel = "UUID", description = "The VPC.")
        void option(UUID v) {
            set(v);
        }

        @Parameters(index = "0", paramLabel = "VPC_ID", description = "The VPC (or give --vpc-id).")
        void argument(UUID v) {
            set(v);
        }
    }

    /** A device. */
    static final class Device extends IdArgument<UUID> {
        @Option(names = "--device-id", paramLabel = "UUID", description = "The device.")
        void option(UUID v) {
            set(v);
        }

        @Parameters(index = "0", paramLabel = "DEVICE_ID", description = "The device (or give --device-id).")
        void argument(UUID v) {
            set(v);
        }
    }

    /** An organization. */
    static final class Organization extends IdArgument<UUID> {
        @Option(names = "--organization-id", paramLabel = "UUID", description = "The organization.")
        void option(UUID v) {
            set(v);
        }

        @Parameters(
                index = "0",
                paramLabel = "ORGANIZATION_ID",
                description = "The organization (or give --organization-id).")
        void argument(UUID v) {
            set(v);
        }
    }

    /** A security group. */
    static final class SecurityGroup extends IdArgument<UUID> {
        @Option(names = "--security-group-id", paramLabel = "UUID", description = "The security group.")
        void option(UUID v) {
            set(v);
        }

        @Parameters(
                index = "0",
                paramLabel = "SECURITY_GROUP_ID",
                description = "The security group (or give --security-group-id).")
        void argument(UUID v) {
            set(v);
        }
    }

    /** A registration key. */
    static final class RegKey extends IdArgument<UUID> {
        @Option(names = "--reg-key-id", paramLabel = "UUID", description = "The registration key.")
        void option(UUID v) {
            set(v);
        }

        @Parameters(
                index = "0",
                paramLabel = "REG_KEY_ID",
                description = "The registration key (or give --reg-key-id).")
        void argument(UUID v) {
            set(v);
        }
    }

    /** An invitation. */
    static final class Invitation extends IdArgument<UUID> {
        @Option(names = "--inv-id", paramLabel = "UUID", description = "The invitation.")
        void option(UUID v) {
            set(v);
        }

        @Parameters(index = "0", paramLabel = "INVITATION_ID", description = "The invitation (or give --inv-id).")
        void argument(UUID v) {
            set(v);
        }
    }

    /** A user. */
    static final class User extends IdArgument<UUID> {
        @Option(names = "--user-id", paramLabel = "UUID", description = "The user.")
        void option(UUID v) {
            set(v);
        }

        @Parameters(index = "0", paramLabel = "USER_ID", description = "The user (or give --user-id).")
        void argument(UUID v) {
            set(v);
        }
    }

    /** A feature flag, by name. */
    static final class FeatureFlag extends IdArgument<String> {
        @Option(
                names = "--name",
                paramLabel = "NAME",
                description = "The flag, e.g. multi-organization, security-groups, devices.")
        void option(String v) {
            set(v);
        }

        @Parameters(index = "0", paramLabel = "NAME", description = "The flag (or give --name).")
        void argument(String v) {
            set(v);
        }
    }

    /** A public DERP relay, by region id. */
    static final class Region extends IdArgument<Integer> {
        @Option(names = "--region-id", paramLabel = "ID", description = "The relay's region id.")
        void option(int v) {
            set(v);
        }

        @Parameters(index = "0", paramLabel = "REGION_ID", description = "The relay's region id (or give --region-id).")
        void argument(int v) {
            set(v);
        }
    }
}
