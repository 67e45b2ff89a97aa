package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.UUID;

/**
 * One entry of the service's audit log ({@code GET /api/audit-events}, administrators): who did what, when, from
 * where, and how it ended.
 *
 * @param id         increasing with the order entries were written; the paging cursor ({@code before})
 * @param time       when the service answered
 * @param actorKind  {@link #ACTOR_USER}, {@link #ACTOR_REG_KEY}, {@link #ACTOR_DEVICE} or, for a login, {@link
 *                   #ACTOR_ACCOUNT}
 * @param actorId    the user, registration key or device; null for a failed login
 * @param actorName  the username (users, logins); null for keys and devices
 * @param source     the client address the service saw (behind a proxy: the proxy's)
 * @param action     {@link #ACTION_LOGIN}, or the method and route template of the request ({@code POST
 *                   /api/reg-keys}, {@code DELETE /api/devices/{id}})
 * @param target     the resource's path ({@code /api/reg-keys/<id>}; a create's new id is appended), or the login page
 *                   or endpoint used
 * @param status     the HTTP status answered
 * @param outcome    {@link #OUTCOME_SUCCESS} (status below 400) or {@link #OUTCOME_FAILURE}
 */
public record AuditEvent(
        @JsonProperty("id") long id,
        @JsonProperty("time") Instant time,
        @JsonProperty("actor_kind") String actorKind,
        @JsonProperty("actor_id") UUID actorId,
        @JsonProperty("actor_name") String actorName,
        @JsonProperty("source") String source,
        @JsonProperty("action") String action,
        @JsonProperty("target") String target,
        @JsonProperty("status") int status,
        @JsonProperty("outcome") String outcome) {

    public static final String ACTOR_USER = "user";
    public static final String ACTOR_REG_KEY = "reg-key";
    public static final String ACTOR_DEVICE = "device";
    /** A login attempt: the account is named by what was typed, and identified only when the login succeeded. */
    public static final String ACTOR_ACCOUNT = "account";

    public static final String ACTION_LOGIN = "login";

    public static final String OUTCOME_SUCCESS = "success";
    public static final String OUTCOME_FAILURE = "failure";
}
