/**
 * The local control protocol between {@code nexctl nexd ...} and a running agent: JSON-RPC 1.0 over a unix stream
 * socket ({@code /var/run/nexd.sock} as root, {@code $HOME/.nexodus/nexd.sock} otherwise), service name
 * {@code NexdCtl}, one string parameter and a string result per call, as upstream Nexodus' Go {@code net/rpc/jsonrpc}.
 *
 * <pre>
 * → {"method":"NexdCtl.ListPeers","params":[""],"id":1}
 * ← {"id":1,"result":"{\"relay-present\":false,...}","error":null}
 * </pre>
 *
 * <ul>
 *   <li>{@link io.nexodus.api.nexdctl.NexdCtlClient}: the client ({@code nexctl}).</li>
 *   <li>{@link io.nexodus.api.nexdctl.NexdCtl}: what an agent implements; {@link io.nexodus.api.nexdctl.NexdCtlServer}
 *       serves it on the socket.</li>
 *   <li>{@link io.nexodus.api.nexdctl.NexdCtlMethod}: the method names; the records ({@link
 *       io.nexodus.api.nexdctl.ListPeersResult}, {@link io.nexodus.api.nexdctl.PeerStatus}, {@link
 *       io.nexodus.api.nexdctl.ConnectivityResult}, ...) are the JSON carried inside the string results.</li>
 *   <li>{@link io.nexodus.api.nexdctl.JsonRpcCodec}, {@link io.nexodus.api.nexdctl.JsonRpcFrameReader}, {@link
 *       io.nexodus.api.nexdctl.JsonRpcServer}: the reusable JSON-RPC 1.0 layer.</li>
 * </ul>
 * The exact JSON is documented in {@code docs/nexctl.md}.
 */
package io.nexodus.api.nexdctl;
