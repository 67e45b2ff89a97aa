package io.nexodus.nexctl.output;

import java.util.function.Function;

/** One column of a {@link Table}: its header and how a row object becomes the cell text. */
public record Column<T>(String header, Function<T, String> value) {}
