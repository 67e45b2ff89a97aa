package io.nexodus.server.invitation;

import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.Roles;
import io.nexodus.server.http.ApiError;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** The checks of each invitation request body, field by field: a bad field is a 400 ValidationError naming it. */
final class InvitationRequests {
    private InvitationRequests() {}

    /**
     * The request normalized: exactly one of {@code user_id} and {@code email} (the address lower-case), the roles
     * known, sorted and unique ({@code member} if none).
     */
    static AddInvitation validate(AddInvitation in) {
        if (in.organizationId() == null) {
            throw ApiError.missing("organization_id");
        }
        boolean byEmail = in.email() != null && !in.email().isBlank();
        if (byEmail == (in.userId() != null)) {
            throw ApiError.invalid("user_id", "give exactly one of user_id and email");
        }
        if (in.roles() != null && in.roles().contains(null)) {
            throw ApiError.invalid("roles", "a role is null");
        }
        List<String> roles = in.roles() == null || in.roles().isEmpty()
                ? List.of(Roles.MEMBER)
                : List.copyOf(new TreeSet<>(in.roles()));
        for (String r : roles) {
            if (!Roles.ALL.contains(r)) {
                throw ApiError.invalid("roles", "unknown role " + r + " (owner, member)");
            }
        }
        String email = byEmail ? in.email().strip().toLowerCase(Locale.ROOT) : null;
        if (email != null && !email.matches("[^@\\s]+@[^@\\s]+")) {
            throw ApiError.invalid("email", "not an e-mail address");
        }
        return new AddInvitation(in.userId(), email, in.organizationId(), roles);
    }
}
