package io.nexodus.server;

import io.nexodus.server.auth.Accounts;
import io.nexodus.server.auth.LocalIdp;
import io.nexodus.server.user.Users;

/** The user claims of a local account (the same as its access tokens carry). */
final class LocalIdpClaims {
    private LocalIdpClaims() {}

    static Users.Claims of(Accounts.Account a) {
        return new Users.Claims(
                LocalIdp.IDENTITY_ISSUER,
                a.id().toString(),
                a.username(),
                a.fullName(),
                "",
                a.email(),
                a.email() != null);
    }
}
