package io.nexodus.server.http;

import java.util.List;

/** A list result: the router applies react-admin filter/sort/range to it and sets X-Total-Count. */
public record ListReply(List<?> items, String defaultSort) {
    public static ListReply of(List<?> items, String defaultSort) {
        return new ListReply(items, defaultSort);
    }
}
