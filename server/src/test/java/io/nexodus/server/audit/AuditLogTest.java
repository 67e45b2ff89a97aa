package io.nexodus.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuditLogTest {
    @Test
    void logValuesCannotForgeLinesOrFields() {
        assertThat(AuditLog.quote("alice")).isEqualTo("\"alice\"");
        assertThat(AuditLog.quote(null)).isEqualTo("-");
        assertThat(AuditLog.quote("x\" status=200\nlogin ok")).isEqualTo("\"x\\\" status=200\\u000alogin ok\"");
        assertThat(AuditLog.quote("a\\b\u2028c\u007f")).isEqualTo("\"a\\\\b\\u2028c\\u007f\"");
    }

    @Test
    void overlongValuesAreCutToTheColumnNotRefused() {
        assertThat(AuditStore.clip("x".repeat(600), AuditStore.TARGET_LENGTH)).hasSize(512);
        assertThat(AuditStore.clip("short", AuditStore.TARGET_LENGTH)).isEqualTo("short");
        assertThat(AuditStore.clip(null, 10)).isNull();
    }
}
