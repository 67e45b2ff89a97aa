package io.nexodus.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexodus.api.client.ListOptions;
import io.nexodus.api.client.NexodusClient;
import io.nexodus.api.client.WatchConnection;
import io.nexodus.api.crypto.SealedToken;
import io.nexodus.api.model.Account;
import io.nexodus.api.model.AddAccount;
import io.nexodus.api.model.AddDevice;
import io.nexodus.api.model.AddInvitation;
import io.nexodus.api.model.AddOrganization;
import io.nexodus.api.model.AddRelay;
import io.nexodus.api.model.AddVpc;
import io.nexodus.api.model.ConnectivityReport;
import io.nexodus.api.model.Device;
import io.nexodus.api.model.Endpoint;
import io.nexodus.api.model.Organization;
import io.nexodus.api.model.PeerConnectivity;
import io.nexodus.api.model.SecurityRule;
import io.nexodus.api.model.UpdateSecurityGroup;
import io.nexodus.api.model.Vpc;
import io.nexodus.api.model.Watch;
import io.nexodus.api.model.WatchEvent;
import io.nexodus.server.testing.Db;
import io.nexodus.server.testing.HeadlessChromium;
import io.nexodus.server.testing.Keys;
import io.nexodus.server.testing.TestServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser: Debian's headless Chromium driven through {@code /usr/bin/chromedriver} (nothing is
 * downloaded). Skipped, with the reason, where either is missing; CI installs both. With
 * {@code -Dnexodus.console.screenshots=DIR} the main pages are saved as {@code DIR/console-*.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserIT {

    private TestServer ts;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeAll
    void start() {
        HeadlessChromium.assumeInstalled();
        ts = TestServer.start(Db.H2);
        browser = HeadlessChromium.start();
        wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        // live pages redraw when the watch stream delivers a change: an element found a moment ago may be gone by the
        // time it is read; the conditions look it up again on the next poll
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (ts != null) {
            ts.close();
        }
    }

    private WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private void screenshot(String name) throws IOException {
        String dir = System.getProperty("nexodus.console.screenshots");
        if (dir == null || dir.isBlank()) {
            return;
        }
        File png = browser.getScreenshotAs(OutputType.FILE);
        Files.createDirectories(Path.of(dir));
        Files.copy(png.toPath(), Path.of(dir, "console-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** A device registered through the API as nexd would register it. */
    private static Device addDevice(
            NexodusClient client, Vpc vpc, Keys keys, String hostname, List<Endpoint> endpoints) {
        return client.devices()
                .create(new AddDevice(
                        vpc.id(), keys.publicKey(), null, null, false, false, hostname, endpoints, "linux", null));
    }

    @Test
    void signInCreateVpcAndKeyEditRulesSignOut() throws Exception {
        // a device to list, registered through the API as nexd would
        NexodusClient admin = ts.admin();
        Organization org = admin.organizations().create(new AddOrganization("office", "the office"));
        Vpc office = admin.vpcs().create(new AddVpc(org.id(), "office", false, null, null));
        addDevice(admin, office, Keys.generate(), "laptop-1", List.of(new Endpoint("local", "192.168.1.20:51820")));

        // sign in through the built-in issuer (authorization code + PKCE)
        browser.get(ts.url() + "/console/");
        visible(By.id("login")).click();
        visible(By.id("username")).sendKeys("admin");
        browser.findElement(By.id("password")).sendKeys("wrong-password");
        browser.findElement(By.id("sign-in")).click();
        assertThat(visible(By.id("error")).getText()).contains("Wrong username or password");
        browser.findElement(By.id("username")).sendKeys("admin");
        browser.findElement(By.id("password")).sendKeys(TestServer.ADMIN_PASSWORD);
        browser.findElement(By.id("sign-in")).click();
        assertThat(visible(By.id("who")).getText()).isEqualTo("Signed in as admin");
        assertThat(browser.getCurrentUrl()).doesNotContain("code=");

        // create a VPC
        new Select(visible(By.id("f-organization_id"))).selectByVisibleText("office");
        browser.findElement(By.id("f-description")).sendKeys("lab");
        browser.findElement(By.id("create-vpc")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("vpcs"), "lab"));
        screenshot("vpcs");

        // create a registration key: the nexd command is shown once
        browser.findElement(By.linkText("Registration keys")).click();
        Select vpcPick = new Select(visible(By.id("f-vpc_id")));
        vpcPick.getOptions().stream()
                .filter(o -> o.getText().startsWith("lab"))
                .findFirst()
                .orElseThrow()
                .click();
        browser.findElement(By.id("f-description")).sendKeys("for the lab");
        browser.findElement(By.id("create-reg-key")).click();
        String command = visible(By.id("nexd-command")).getText();
        assertThat(command).matches("nexd --reg-key " + ts.url() + "#RK:\\S+");
        browser.findElement(By.id("copy-command")).click();
        screenshot("reg-keys");

        // devices of the office VPC, live: a device registered or deleted meanwhile appears or goes without a reload
        browser.executeScript("location.hash = arguments[0]", "#devices?vpc=" + office.id());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live"), "live"));
        assertThat(visible(By.id("devices")).getText()).contains("laptop-1", "192.168.1.20:51820", "offline");
        Device joined = addDevice(admin, office, Keys.generate(), "laptop-live", null);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("devices"), "laptop-live"));
        screenshot("devices");
        admin.devices().delete(joined.id());
        wait.until(ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("#devices tr[data-device='" + joined.id() + "']")));

        // connectivity: a device reports reaching laptop-2 through DERP; the matrix and the census show it
        Keys k2 = Keys.generate(), k3 = Keys.generate();
        Device reporter = addDevice(admin, office, k2, "laptop-2", null);
        Device peer = addDevice(admin, office, k3, "laptop-3", null);
        NexodusClient asReporter = ts.withToken(SealedToken.open(reporter.bearerToken(), k2.privateKey()));
        try (WatchConnection online =
                asReporter.events().open(office.id(), null, List.of(new Watch("device", 0, false, Map.of())))) {
            for (WatchEvent e = online.next(); e != null && !e.type().equals("tail"); e = online.next()) {
                // the initial list; the device is online from now on
            }
            asReporter
                    .devices()
                    .reportConnectivity(
                            reporter.id(),
                            new ConnectivityReport(
                                    "symmetric",
                                    List.of(new PeerConnectivity(
                                            peer.id(), "via-derp-relay", "public-derp", true, 2L, 10, 20))));
            browser.executeScript("location.hash = arguments[0]", "#connectivity?vpc=" + office.id());
            WebElement cell =
                    visible(By.cssSelector("td[data-from='" + reporter.id() + "'][data-to='" + peer.id() + "']"));
            assertThat(cell.getAttribute("data-path")).isEqualTo("derp");
            assertThat(cell.getText()).contains("DERP", "via-derp-relay").doesNotContain("stale");
            assertThat(browser.findElement(By.cssSelector("[data-census='derp']"))
                            .getText())
                    .isEqualTo("DERP: 1");
            assertThat(browser.findElement(By.cssSelector("[data-census='nat']"))
                            .getText())
                    .contains("symmetric 1");
            screenshot("connectivity");

            // the same report as a graph: an arrow from the reporter to its peer, labelled DERP
            browser.findElement(By.id("view-graph")).click();
            WebElement edge = visible(By.cssSelector(
                    "#connectivity-graph g.edge[data-from='" + reporter.id() + "'][data-to='" + peer.id() + "']"));
            assertThat(edge.getAttribute("data-path")).isEqualTo("derp");
            assertThat(edge.findElement(By.tagName("text")).getText()).isEqualTo("DERP");
            assertThat(browser.findElement(By.id("connectivity")).isDisplayed()).isFalse();
            browser.executeScript(
                    "arguments[0].scrollIntoView({block: 'center'})", browser.findElement(By.id("connectivity-graph")));
            screenshot("connectivity-graph");

            // a device that joins is drawn at once (device stream), not at the next 10 s re-read
            Device late = addDevice(admin, office, Keys.generate(), "laptop-late", null);
            new WebDriverWait(browser, Duration.ofSeconds(5))
                    .until(ExpectedConditions.presenceOfElementLocated(
                            By.cssSelector("#connectivity-graph g.node[data-device='" + late.id() + "']")));
            browser.findElement(By.id("view-matrix")).click();
            visible(By.id("connectivity"));
        }

        // security group rule editor: the API's 400 is shown next to the field, a good rule saves
        browser.findElement(By.linkText("Security groups")).click();
        WebElement picker = visible(By.id("sg-vpc"));
        Select sgVpc = new Select(picker);
        WebElement labOption = sgVpc.getOptions().stream()
                .filter(o -> o.getText().startsWith("lab"))
                .findFirst()
                .orElseThrow();
        if (!labOption.isSelected()) {
            labOption.click();
            // choosing a VPC rebuilds the page once its groups are loaded: use only the rebuilt page's elements
            wait.until(ExpectedConditions.stalenessOf(picker));
        }
        WebElement add = visible(By.cssSelector("[id^='add-inbound_rules-']"));
        add.click();
        WebElement ranges = visible(By.id("f-inbound_rules-0-ip_ranges"));
        for (String port : List.of("f-inbound_rules-0-from_port", "f-inbound_rules-0-to_port")) {
            WebElement input = browser.findElement(By.id(port));
            input.clear();
            input.sendKeys("22");
        }
        ranges.sendKeys("10.0.0.300/8");
        browser.findElement(By.cssSelector("[id^='save-']")).click();
        WebElement err = browser.findElement(By.id("err-inbound_rules-0-ip_ranges"));
        wait.withMessage(() -> "no error next to the field; the page is: " + browser.getPageSource())
                .until(d -> !err.getText().isBlank());
        assertThat(err.getText()).isNotBlank();
        assertThat(ranges.getAttribute("aria-invalid")).isEqualTo("true");
        screenshot("security-groups");
        ranges.clear();
        ranges.sendKeys("10.0.0.0/8");
        browser.findElement(By.cssSelector("[id^='save-']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("form.group"), "Saved."));
        assertThat(err.getText()).isBlank();

        // a change made elsewhere arrives from the stream: shown at once in an untouched editor; an editor with typed
        // text keeps it and says so
        String groupId = browser.findElement(By.cssSelector("form.group")).getAttribute("data-group");
        admin.securityGroups()
                .update(
                        UUID.fromString(groupId),
                        new UpdateSecurityGroup(
                                null, List.of(new SecurityRule("tcp", 443, 443, List.of("10.1.0.0/16"))), null));
        wait.until(d -> "10.1.0.0/16"
                .equals(d.findElement(By.id("f-inbound_rules-0-ip_ranges")).getAttribute("value")));
        WebElement typed = browser.findElement(By.id("f-inbound_rules-0-ip_ranges"));
        typed.clear();
        typed.sendKeys("10.0.0.0/8");
        admin.securityGroups()
                .update(
                        UUID.fromString(groupId),
                        new UpdateSecurityGroup(
                                null, List.of(new SecurityRule("tcp", 8443, 8443, List.of("10.2.0.0/16"))), null));
        assertThat(visible(By.cssSelector("form.group .notice")).getText()).contains("changed elsewhere");
        assertThat(typed.getAttribute("value")).isEqualTo("10.0.0.0/8");
        browser.findElement(By.cssSelector("[id^='save-']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("form.group"), "Saved."));
        Vpc lab = admin.vpcs().list(ListOptions.NONE).items().stream()
                .filter(v -> "lab".equals(v.description()))
                .findFirst()
                .orElseThrow();
        assertThat(admin.vpcs()
                        .securityGroups(lab.id(), ListOptions.NONE)
                        .items()
                        .getFirst()
                        .inboundRules())
                .singleElement()
                .satisfies(r -> {
                    // what the form held when saved, over the change made elsewhere meanwhile
                    assertThat(r.ipRanges()).containsExactly("10.0.0.0/8");
                    assertThat(r.fromPort()).isEqualTo(443);
                });

        // the audit log shows what was just done here, and filters by action
        browser.findElement(By.linkText("Audit log")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "POST /api/vpcs"));
        assertThat(browser.findElement(By.id("audit")).getText())
                .contains("user: admin", "PATCH /api/security-groups/{id}", "login");
        browser.findElement(By.id("f-action")).sendKeys("POST /api/reg-keys");
        browser.findElement(By.id("audit-apply")).click();
        wait.until(ExpectedConditions.not(
                ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "POST /api/vpcs")));
        assertThat(browser.findElement(By.id("audit")).getText()).contains("POST /api/reg-keys");

        // sign out
        browser.findElement(By.id("logout")).click();
        assertThat(visible(By.id("login")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("nav")).isDisplayed()).isFalse();
    }

    private void signIn(String username, String password) {
        browser.get(ts.url() + "/console/");
        visible(By.id("login")).click();
        visible(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in")).click();
        assertThat(visible(By.id("who")).getText()).isEqualTo("Signed in as " + username);
    }

    private void signOut() {
        browser.findElement(By.id("logout")).click();
        visible(By.id("login"));
    }

    private void page(String linkText) {
        browser.findElement(By.linkText(linkText)).click();
    }

    @Test
    void whatWasTypedIsBackAfterSigningInAgain() {
        signIn("admin", TestServer.ADMIN_PASSWORD);
        page("Users");
        String username = "draft-" + UUID.randomUUID().toString().substring(0, 8);
        visible(By.id("f-username")).sendKeys(username);
        browser.findElement(By.id("f-password")).sendKeys("typed-secret-password");
        browser.findElement(By.id("f-full_name")).sendKeys("Draft Person");

        endSession();
        browser.findElement(By.id("create-account")).click();
        visible(By.id("sign-in-again")).click();

        // on the login page: the draft is kept for this tab, without the password
        visible(By.id("username"));
        String kept = (String) browser.executeScript("return sessionStorage.getItem('nexodus-console-drafts')");
        assertThat(kept).contains(username, "Draft Person").doesNotContain("typed-secret-password");
        browser.findElement(By.id("username")).sendKeys("admin");
        browser.findElement(By.id("password")).sendKeys(TestServer.ADMIN_PASSWORD);
        browser.findElement(By.id("sign-in")).click();

        // back on the same page with the text put back, the password not, and the draft removed
        visible(By.id("drafts-restored"));
        assertThat(browser.findElement(By.id("f-username")).getAttribute("value"))
                .isEqualTo(username);
        assertThat(browser.findElement(By.id("f-full_name")).getAttribute("value"))
                .isEqualTo("Draft Person");
        assertThat(browser.findElement(By.id("f-password")).getAttribute("value"))
                .isEmpty();
        assertThat(browser.executeScript("return sessionStorage.getItem('nexodus-console-drafts')"))
                .isNull();
        signOut();
    }

    /** Ends the session as a refused refresh does (the page's tokens are dropped); the next request says so. */
    private void endSession() {
        browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " import('/console/auth.js').then((a) => { a.logout(); done(); });");
    }

    @Test
    void ruleRowsTypedBeforeSigningInAgainAreBack() {
        NexodusClient admin = ts.admin();
        Organization org = admin.organizations()
                .create(new AddOrganization(
                        "drafts-" + UUID.randomUUID().toString().substring(0, 8), ""));
        Vpc vpc = admin.vpcs().create(new AddVpc(org.id(), "drafts", false, null, null));
        signIn("admin", TestServer.ADMIN_PASSWORD);
        browser.executeScript("location.hash = arguments[0]", "#security-groups?vpc=" + vpc.id());
        visible(By.cssSelector("[id^='add-inbound_rules-']")).click();
        visible(By.id("f-inbound_rules-0-ip_ranges")).sendKeys("10.9.0.0/16");
        endSession();
        browser.findElement(By.cssSelector("[id^='save-']")).click();
        visible(By.id("sign-in-again")).click();
        visible(By.id("username")).sendKeys("admin");
        browser.findElement(By.id("password")).sendKeys(TestServer.ADMIN_PASSWORD);
        browser.findElement(By.id("sign-in")).click();
        visible(By.id("drafts-restored"));
        // the rule row the group does not have is there again, with what was typed in it
        assertThat(visible(By.id("f-inbound_rules-0-ip_ranges")).getAttribute("value"))
                .isEqualTo("10.9.0.0/16");
        assertThat(admin.vpcs()
                        .securityGroups(vpc.id(), ListOptions.NONE)
                        .items()
                        .getFirst()
                        .inboundRules())
                .isEmpty();
        signOut();
    }

    @Test
    void organizationsInvitationsAccountsRelaysAndFlags() throws Exception {
        String carol = "carol-" + UUID.randomUUID().toString().substring(0, 8);
        Account carolAccount = ts.admin()
                .accounts()
                .create(new AddAccount(carol, "password-" + carol, "Carol Tester", carol + "@example.com"));
        String team = "team-" + carol.substring(6);
        signIn("admin", TestServer.ADMIN_PASSWORD);

        // create an organization; its section lists the admin as its owner
        page("Organizations");
        visible(By.id("f-name")).sendKeys(team);
        browser.findElement(By.id("create-org")).click();
        WebElement section = wait.until(
                ExpectedConditions.visibilityOfElementLocated(By.xpath("//section[@class='org'][h2='" + team + "']")));
        assertThat(section.findElement(By.cssSelector("table.members")).getText())
                .contains("admin");
        String orgId = section.getAttribute("data-org");

        // invite carol by e-mail; an unknown user id is refused on the form
        new Select(browser.findElement(By.id("f-organization_id"))).selectByVisibleText(team);
        WebElement invitee = browser.findElement(By.id("f-email"));
        invitee.sendKeys(UUID.randomUUID().toString());
        browser.findElement(By.id("send-invitation")).click();
        WebElement inviteError = browser.findElement(By.cssSelector("#invite-form .form-error"));
        wait.until(d -> !inviteError.getText().isBlank());
        assertThat(inviteError.getText()).containsIgnoringCase("not found");
        invitee.clear();
        invitee.sendKeys(carol + "@example.com");
        browser.findElement(By.id("send-invitation")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("invite-sent"), "Invitation sent"));
        screenshot("organizations");

        // the sender sees it, with Withdraw
        page("Invitations");
        WebElement invitations = visible(By.id("invitations"));
        assertThat(invitations.getText()).contains(team, carol + "@example.com");
        assertThat(invitations.findElements(By.cssSelector("[data-action='withdraw']")))
                .isNotEmpty();

        // accounts: a short password is refused next to the field, then the account is created
        page("Users");
        assertThat(visible(By.id("accounts")).getText()).contains("admin", carol);
        String dave = "dave-" + carol.substring(6);
        visible(By.id("f-username")).sendKeys(dave);
        WebElement password = browser.findElement(By.id("f-password"));
        password.sendKeys("short");
        browser.findElement(By.id("create-account")).click();
        WebElement passwordError = browser.findElement(By.id("err-password"));
        wait.until(d -> !passwordError.getText().isBlank());
        assertThat(password.getAttribute("aria-invalid")).isEqualTo("true");
        password.clear();
        password.sendKeys("long-enough-password");
        browser.findElement(By.id("create-account")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("accounts"), dave));

        // relays (this test service runs no relay of its own): a refused region id, an added relay, then removed
        page("Relays");
        visible(By.id("relays"));
        WebElement regionId = browser.findElement(By.id("f-region_id"));
        regionId.sendKeys("901");
        browser.findElement(By.id("f-host_name")).sendKeys("derp1.example.com");
        browser.findElement(By.id("add-relay")).click();
        WebElement regionError = browser.findElement(By.id("err-region_id"));
        wait.until(d -> !regionError.getText().isBlank());
        regionId.clear();
        regionId.sendKeys("902");
        browser.findElement(By.id("f-region_code")).sendKeys("fra");
        browser.findElement(By.id("add-relay")).click();
        WebElement added = visible(By.cssSelector("#relays tr[data-region='902']"));
        assertThat(added.getText()).contains("derp1.example.com");
        screenshot("relays");
        added.findElement(By.cssSelector("button.danger")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("#relays tr[data-region='902']")));
        // a region another administrator adds and removes appears and goes without a reload (the notice stream)
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        NexodusClient admin = ts.admin();
        admin.relays().create(new AddRelay(903, "ams", "Amsterdam", "derp2.example.com", null, null, null, null, null));
        assertThat(visible(By.cssSelector("#relays tr[data-region='903']")).getText())
                .contains("derp2.example.com");
        admin.relays().delete(903);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("#relays tr[data-region='903']")));

        // feature flags, read-only
        page("Feature flags");
        assertThat(visible(By.cssSelector("#flags tr[data-flag='multi-organization']"))
                        .getText())
                .contains("on");

        // carol accepts; the organization is hers to see
        signOut();
        signIn(carol, "password-" + carol);
        page("Invitations");
        visible(By.cssSelector("#invitations [data-action='accept']")).click();
        visible(By.id("no-invitations"));
        // an invitation sent meanwhile appears on the open page; carol declines it
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        Organization second =
                admin.organizations().create(new AddOrganization("second-" + carol.substring(6), "invites live"));
        admin.invitations().create(new AddInvitation(carolAccount.userId(), null, second.id(), null));
        WebElement live = visible(By.cssSelector("#invitations tbody tr"));
        assertThat(live.getText()).contains("second-" + carol.substring(6));
        live.findElement(By.cssSelector("[data-action='decline']")).click();
        visible(By.id("no-invitations"));
        page("Organizations");
        wait.until(
                ExpectedConditions.visibilityOfElementLocated(By.xpath("//section[@class='org'][h2='" + team + "']")));
        assertThat(ts.admin()
                        .organizations()
                        .listUsers(UUID.fromString(orgId), ListOptions.NONE)
                        .items())
                .anySatisfy(m -> assertThat(m.userId()).isEqualTo(carolAccount.userId()));
        signOut();
    }
}
