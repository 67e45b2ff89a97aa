/**
 * {@code nexd relayderp}: a DERP relay plus STUN server in the agent's binary, so a relay needs no extra program.
 *
 * <p><b>Mounting under {@code nexd}</b> (the agent's command line): add {@link
 * io.nexodus.nexd.relayderp.RelayDerpCommand RelayDerpCommand.class} to the root command's {@code subcommands}; or,
 * once the agent can join a VPC, register an instance that carries the join flow:
 * {@code cl.addSubcommand("relayderp", new RelayDerpCommand(onboarding))}. Until then {@code RelayDerpCommand.main}
 * runs it on its own and {@code --onboard} fails with "not available in this build".
 *
 * <p><b>{@code --onboard}</b> calls {@link io.nexodus.nexd.relayderp.RelayOnboarding#onboard} once the relay serves:
 * join the VPC as a relay device ({@code relay: true}, endpoints from STUN as usual) and
 * {@code PUT /api/devices/{id}/metadata/relay} with the {@link io.nexodus.api.model.RelayMetadata} given
 * ({@code {"type":"derp","hostname":...,"certmodemanual":...}}); return a handle closed at shutdown. See
 * {@code docs/derp.md}, "Integration".
 */
package io.nexodus.nexd.relayderp;
