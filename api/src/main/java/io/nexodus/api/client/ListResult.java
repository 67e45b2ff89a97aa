package io.nexodus.api.client;

import java.util.List;

/** One page of a list and the total number of matching items ({@code X-Total-Count}). */
public record ListResult<T>(List<T> items, long totalCount) {}
