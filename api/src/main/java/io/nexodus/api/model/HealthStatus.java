package io.nexodus.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code /private/live} and {@code /private/ready}: {@code {"status":"UP"}} or DOWN. */
public record HealthStatus(@JsonProperty("status") String status) {}
