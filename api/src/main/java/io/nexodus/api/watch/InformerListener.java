package io.nexodus.api.watch;

/** Callbacks of an {@link Informer}, on the watch stream's thread (keep them short; hand work off). */
public interface InformerListener<T> {
    /** An item was added or changed. */
    default void onChange(T item) {}

    /** An item was deleted (the value is the item as deleted). */
    default void onDelete(T item) {}

    /** The initial list is complete ({@code tail}); called once per informer. */
    default void onSynced() {}
}
