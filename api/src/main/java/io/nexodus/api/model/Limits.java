package io.nexodus.api.model;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The documented limits of one field of a request body, declared once on the record component: the service validates
 * every request body against them (400 naming the field) and publishes them in its OpenAPI document
 * ({@code maxLength}, {@code maxItems}, ...). Unset attributes are {@code -1}.
 *
 * <p>For a text field {@link #maxLength()} counts characters; for a JSON-valued field (a map or any JSON value) it
 * counts the characters of its compact JSON text. For a list, {@link #maxItems()} bounds the number of items and
 * {@link #itemMaxLength()} the length of each text item.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Limits {
    int minLength() default -1;

    int maxLength() default -1;

    int maxItems() default -1;

    int itemMaxLength() default -1;

    long min() default Long.MIN_VALUE;

    long max() default Long.MAX_VALUE;

    /** Text that explains the limit further in the published document, e.g. "-1 = no STUN". */
    String note() default "";
}
