package io.nexodus.server.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.core.key.NodePrivateKey;
import io.nexodus.core.key.NodePublicKey;
import io.nexodus.server.DeviceKeys;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The relay's view of the devices, driven by hand: VPC separation, moves, deletions, a database that fails. */
class DeviceDirectoryTest {
    private static final UUID VPC1 = UUID.randomUUID(), VPC2 = UUID.randomUUID();
    private final NodePublicKey a = NodePrivateKey.generate().publicKey();
    private final NodePublicKey b = NodePrivateKey.generate().publicKey();
    private final NodePublicKey c = NodePrivateKey.generate().publicKey();

    /** The devices table as the directory reads it; counts single-key lookups. */
    private static final class FakeKeys implements DeviceKeys {
        final Map<NodePublicKey, UUID> rows = new HashMap<>();
        long revision;
        int lookups;
        boolean down;

        @Override
        public Optional<UUID> vpcOf(NodePublicKey key) {
            check();
            lookups++;
            return Optional.ofNullable(rows.get(key));
        }

        @Override
        public Map<NodePublicKey, UUID> all() {
            check();
            return new HashMap<>(rows);
        }

        @Override
        public long revision() {
            check();
            return revision;
        }

        private void check() {
            if (down) {
                throw new IllegalStateException("database down");
            }
        }
    }

    @Test
    void deliversOnlyWithinAVpcAndFollowsMovesAndDeletions() {
        FakeKeys db = new FakeKeys();
        db.rows.put(a, VPC1);
        db.rows.put(b, VPC1);
        db.rows.put(c, VPC2);
        db.revision = 1;
        DeviceDirectory dir = new DeviceDirectory(db);
        assertThat(dir.refresh()).isEmpty();

        assertThat(dir.mayDeliver(a, b)).isTrue();
        assertThat(dir.mayDeliver(a, c)).isFalse();
        assertThat(dir.mayDeliver(c, a)).isFalse();
        assertThat(db.lookups).as("answered from memory").isZero();

        db.rows.put(c, VPC1); // moved
        db.rows.remove(b); // deleted
        db.revision = 2;
        assertThat(dir.refresh()).containsExactly(b);
        assertThat(dir.mayDeliver(a, c)).isTrue();
        assertThat(dir.mayDeliver(a, b)).isFalse();
        assertThat(dir.refresh()).as("nothing changed: no reload").isEmpty();
    }

    @Test
    void aKeyRegisteredSinceTheLastReloadIsLookedUpOnce() {
        FakeKeys db = new FakeKeys();
        db.rows.put(a, VPC1);
        DeviceDirectory dir = new DeviceDirectory(db);
        dir.refresh();
        db.rows.put(b, VPC1); // registered, revision not yet seen
        assertThat(dir.mayDeliver(a, b)).isTrue();
        assertThat(dir.mayDeliver(b, a)).isTrue();
        assertThat(db.lookups).isEqualTo(1);
    }

    @Test
    void aFailingDatabaseKeepsTheLastViewAndRefusesTheRest() {
        FakeKeys db = new FakeKeys();
        db.rows.put(a, VPC1);
        db.rows.put(b, VPC1);
        DeviceDirectory dir = new DeviceDirectory(db);
        dir.refresh();
        db.down = true;
        assertThat(dir.refresh()).isEmpty();
        assertThat(dir.mayDeliver(a, b)).isTrue();
        assertThat(dir.mayDeliver(a, c)).isFalse();
        assertThat(dir.admit(c, null)).isFalse();
        db.down = false;
        assertThat(dir.admit(a, null)).isTrue();
        assertThat(dir.admit(c, null)).isFalse();
    }
}
