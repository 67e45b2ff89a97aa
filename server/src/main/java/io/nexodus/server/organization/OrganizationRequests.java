package io.nexodus.server.organization;

import io.nexodus.api.model.AddOrganization;
import io.nexodus.server.http.ApiError;

/** The checks of each organization request body, field by field: a bad field is a 400 ValidationError naming it. */
final class OrganizationRequests {
    private OrganizationRequests() {}

    /** The request normalized: the name stripped, an absent description empty. */
    static AddOrganization validate(AddOrganization in) {
        if (in.name() == null || in.name().isBlank()) {
            throw ApiError.missing("name");
        }
        if (in.name().length() > 255) {
            throw ApiError.invalid("name", "at most 255 characters");
        }
        return new AddOrganization(in.name().strip(), in.description() == null ? "" : in.description());
    }
}
