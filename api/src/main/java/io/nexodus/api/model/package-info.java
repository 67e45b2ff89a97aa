/**
 * The Nexodus API resources as Java records. JSON names are exactly upstream Nexodus' snake_case names
 * ({@code reference/upstream-swagger.json}); every component carries an explicit {@code @JsonProperty} so any
 * Jackson {@code ObjectMapper} reads and writes them correctly. Ids are UUIDs; timestamps are RFC 3339 instants.
 */
package io.nexodus.api.model;
