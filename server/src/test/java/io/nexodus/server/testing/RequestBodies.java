package io.nexodus.server.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nexodus.api.model.AddAccount;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.AddRegKey;
import io.nexodus.api.model.AddRelay;
import io.nexodus.api.model.AddSecurityGroup;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.ConnectivityReport;
import io.nexodus.api.model.UpdateDevice;
import io.nexodus.api.model.UpdateRegKey;
import io.nexodus.api.model.UpdateSecurityGroup;
import io.nexodus.api.model.UpdateVpc;
import io.nexodus.api.model.Watch;
import java.lang.reflect.Type;
import java.util.List;

/** Every type the service decodes from a JSON request body (BadInputIT checks the routes declare no other). */
public final class RequestBodies {
    private RequestBodies() {}

    /** In a fixed order: the fuzz target's first input byte picks one, and its committed inputs rely on the order. */
    public static final List<Type> TYPES = List.of(
            AddAccount.class,
            AddDevice.class,
            AddInvitation.class,
            AddOrganization.class,
            AddRegKey.class,
            AddRelay.class,
            AddSecurityGroup.class,
            AddVpc.class,
            ConnectivityReport.class,
            UpdateDevice.class,
            UpdateRegKey.class,
            UpdateSecurityGroup.class,
            UpdateVpc.class,
            new TypeReference<List<Watch>>() {}.getType());
}
