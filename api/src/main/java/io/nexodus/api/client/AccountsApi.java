package io.nexodus.api.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.Account;
import io.nexodus.api.model.AddAccount;
import java.util.List;

/** {@code /admin/accounts}: local login accounts of the built-in identity provider (admin only). */
public final class AccountsApi {
    private final NexodusClient c;

    AccountsApi(NexodusClient c) {
        this.c = c;
    }

    public ListResult<Account> list(ListOptions options) {
        return c.list("/admin/accounts", options, new TypeReference<List<Account>>() {});
    }

    /** Creates a login account and its API user (with default organization, VPC and security group). */
    public Account create(AddAccount body) {
        return c.call("POST", "/admin/accounts", body, Account.class);
    }
}
