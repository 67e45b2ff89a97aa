package io.nexodus.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class DatabaseTest {
    @Test
    void aFailedConnectionIsExplainedByTheDriversReasonNotThePoolsTimeout() {
        SQLException pool = new SQLTransientConnectionException(
                "nexodus-db - Connection is not available, request timed out after 30000ms",
                new SQLException(
                        "Connection to 127.0.0.1:1 refused. Check that the hostname and port are correct.\nmore"));
        assertThat(Database.whyNoConnection(pool))
                .isEqualTo("Connection to 127.0.0.1:1 refused. Check that the hostname and port are correct.");
        assertThat(Database.whyNoConnection(new SQLException("connection is not valid")))
                .isEqualTo("connection is not valid");
    }

    @Test
    void passwordsInJdbcUrlsAreNotPrinted() {
        assertThat(Database.redact("jdbc:postgresql://db/nexodus?user=n&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/nexodus?user=n&password=***&ssl=true");
        assertThat(Database.redact("jdbc:postgresql://db/nexodus")).isEqualTo("jdbc:postgresql://db/nexodus");
    }
}
