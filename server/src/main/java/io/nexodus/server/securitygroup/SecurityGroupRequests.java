package io.nexodus.server.securitygroup;

import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.api.model.UpdateSecurityGroup;
import io.nexodus.server.http.ApiError;

/**
 * The checks of each security-group request body, field by field, before anything is looked up: a missing field is a
 * 400 ValidationError naming it, a bad rule a 422 (as upstream). Each returns the request normalized.
 */
final class SecurityGroupRequests {
    private SecurityGroupRequests() {}

    static AddSecurityGroup validate(AddSecurityGroup in) {
        if (in.vpcId() == null) {
            throw ApiError.missing("vpc_id");
        }
        return new AddSecurityGroup(
                in.description() == null ? "" : in.description(),
                in.vpcId(),
                RuleValidator.validate(in.inboundRules(), "inbound_rules"),
                RuleValidator.validate(in.outboundRules(), "outbound_rules"));
    }

    /** Absent fields stay null (unchanged). */
    static UpdateSecurityGroup validate(UpdateSecurityGroup in) {
        return new UpdateSecurityGroup(
                in.description(),
                in.inboundRules() == null ? null : RuleValidator.validate(in.inboundRules(), "inbound_rules"),
                in.outboundRules() == null ? null : RuleValidator.validate(in.outboundRules(), "outbound_rules"));
    }
}
