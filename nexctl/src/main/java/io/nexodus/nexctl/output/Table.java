package io.nexodus.nexctl.output;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** The columns nexctl shows for one kind of object. Build with {@link #builder()}. */
public final class Table<T> {
    private final List<Column<T>> columns;

    private Table(List<Column<T>> columns) {
        this.columns = List.copyOf(columns);
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    public List<Column<T>> columns() {
        return columns;
    }

    public List<String> headers() {
        return columns.stream().map(Column::header).toList();
    }

    public List<String> row(T item) {
        List<String> r = new ArrayList<>(columns.size());
        for (Column<T> c : columns) {
            String v;
            try {
                v = c.value().apply(item);
            } catch (RuntimeException e) {
                v = ""; // a missing nested field must not hide the rest of the row
            }
            r.add(v == null ? "" : v);
        }
        return r;
    }

    /** Builds a {@link Table}. */
    public static final class Builder<T> {
        private final List<Column<T>> columns = new ArrayList<>();

        /** A column whose cell is {@link Cells#text(Object)} of the value. */
        public Builder<T> col(String header, Function<T, ?> value) {
            columns.add(new Column<>(header, t -> Cells.text(value.apply(t))));
            return this;
        }

        /** Adds the columns only when {@code when} (the {@code --full} columns). */
        public Builder<T> when(boolean when, Consumer<Builder<T>> more) {
            if (when) {
                more.accept(this);
            }
            return this;
        }

        public Table<T> build() {
            return new Table<>(columns);
        }
    }
}
