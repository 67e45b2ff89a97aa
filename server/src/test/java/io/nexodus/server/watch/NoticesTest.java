package io.nexodus.server.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.model.Notice;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The console's notice bus without a database: memberships from a map, topics as commits announce them. Covers who
 * is told (organization members, the user named, everyone), that a burst coalesces to one line per kind, that a
 * membership change is picked up, and that closing ends a waiting stream.
 */
class NoticesTest {
    private final UUID alice = UUID.randomUUID();
    private final UUID bob = UUID.randomUUID();
    private final UUID aliceOrg = UUID.randomUUID();
    private final UUID bobOrg = UUID.randomUUID();
    private final Map<UUID, Set<UUID>> members = new ConcurrentHashMap<>();
    private final AtomicInteger membershipReads = new AtomicInteger();
    private final Notices notices = new Notices(user -> {
        membershipReads.incrementAndGet();
        return members.getOrDefault(user, Set.of());
    });

    NoticesTest() {
        members.put(alice, Set.of(aliceOrg));
        members.put(bob, Set.of(bobOrg));
    }

    @Test
    void membersOfTheOrganizationAreToldAndOthersAreNot() throws Exception {
        try (Notices.Subscription a = notices.subscribe(alice);
                Notices.Subscription b = notices.subscribe(bob)) {
            notices.signal(Topics.notice(Notice.VPCS, aliceOrg));
            assertThat(a.await(1000)).containsExactly(Notice.VPCS);
            assertThat(b.await(10)).isEmpty();
        }
    }

    @Test
    void aUserScopedNoticeReachesOnlyThatUserAndEveryoneReachesAll() throws Exception {
        try (Notices.Subscription a = notices.subscribe(alice);
                Notices.Subscription b = notices.subscribe(bob)) {
            notices.signal(Topics.notice(Notice.INVITATIONS, bob));
            assertThat(a.await(10)).isEmpty();
            assertThat(b.await(1000)).containsExactly(Notice.INVITATIONS);
            notices.signal(Topics.notice(Notice.RELAYS, Topics.EVERYONE));
            assertThat(a.await(1000)).containsExactly(Notice.RELAYS);
            assertThat(b.await(1000)).containsExactly(Notice.RELAYS);
        }
    }

    @Test
    void aBurstCoalescesToOneLinePerKind() throws Exception {
        try (Notices.Subscription a = notices.subscribe(alice)) {
            for (int i = 0; i < 100; i++) {
                notices.signals(
                        Set.of(Topics.notice(Notice.REG_KEYS, aliceOrg), Topics.notice(Notice.INVITATIONS, aliceOrg)));
            }
            assertThat(a.await(1000)).containsExactlyInAnyOrder(Notice.REG_KEYS, Notice.INVITATIONS);
            assertThat(a.await(10)).isEmpty();
        }
    }

    @Test
    void joiningAnOrganizationIsPickedUpFromTheOrganizationsNotice() throws Exception {
        try (Notices.Subscription b = notices.subscribe(bob)) {
            notices.signal(Topics.notice(Notice.VPCS, aliceOrg));
            assertThat(b.await(10)).isEmpty();
            // bob accepts an invitation into alice's organization: the commit names bob's own scope
            members.put(bob, Set.of(bobOrg, aliceOrg));
            notices.signal(Topics.notice(Notice.ORGANIZATIONS, bob));
            assertThat(b.await(1000)).containsExactly(Notice.ORGANIZATIONS);
            notices.signal(Topics.notice(Notice.VPCS, aliceOrg));
            assertThat(b.await(1000)).containsExactly(Notice.VPCS);
        }
    }

    @Test
    void theWholeBusSignalTellsEveryoneToReadEverything() throws Exception {
        try (Notices.Subscription a = notices.subscribe(alice)) {
            int before = membershipReads.get();
            notices.signal(Topics.ALL);
            assertThat(a.await(1000)).containsExactly(Notice.ALL);
            assertThat(membershipReads.get()).isEqualTo(before + 1);
        }
    }

    @Test
    void otherTopicsAndMalformedNoticesAreIgnored() throws Exception {
        try (Notices.Subscription a = notices.subscribe(alice)) {
            notices.signal("device:" + aliceOrg);
            notices.signal("notice.vpcs:not-a-uuid");
            notices.signal("notice.vpcs");
            assertThat(a.await(10)).isEmpty();
        }
    }

    @Test
    void closingTheBusEndsAWaitingStreamAndClosingASubscriptionForgetsIt() throws Exception {
        Notices.Subscription a = notices.subscribe(alice);
        assertThat(notices.open()).isEqualTo(1);
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                a.await(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        notices.close();
        waiter.join(5000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(notices.isClosing()).isTrue();
        a.close();
        assertThat(notices.open()).isZero();
    }
}
