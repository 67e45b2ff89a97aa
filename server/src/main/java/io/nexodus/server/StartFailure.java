package io.nexodus.server;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** The one line the service prints when it cannot start: what failed and why, never a bare "No value present". */
final class StartFailure {
    private StartFailure() {}

    static String describe(Throwable e) {
        String own = messageOf(e);
        Throwable root = e;
        int depth = 0;
        while (root.getCause() != null && depth++ < 20) { // bounded: a cause chain may loop
            root = root.getCause();
        }
        String line = own;
        if (depth > 0) {
            String why = messageOf(root);
            if (!own.contains(why)) {
                line = own + ": " + why;
            }
        }
        int nl = line.indexOf('\n');
        return nl < 0 ? line : line.substring(0, nl);
    }

    /** A message that says what it is: exceptions without one, or with a generic one, are named by their type. */
    private static String messageOf(Throwable t) {
        if (t instanceof FileSystemException f) {
            // the JDK's message is often the path alone ("/var/lib/nexodus/data"): say what went wrong with it
            return (f.getFile() == null ? "" : f.getFile() + ": ") + fileProblem(f);
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        if (t instanceof java.util.NoSuchElementException
                || t instanceof NullPointerException
                || (t instanceof IllegalStateException && m.length() < 25)) {
            return t.getClass().getSimpleName() + ": " + m;
        }
        return m;
    }

    private static String fileProblem(FileSystemException f) {
        if (f.getReason() != null && !f.getReason().isBlank()) {
            return f.getReason();
        }
        return switch (f) {
            case AccessDeniedException e ->
                "permission denied (the service runs as " + System.getProperty("user.name")
                        + "; check the owner and mode of the directory)";
            case NoSuchFileException e -> "no such file or directory";
            case FileAlreadyExistsException e -> "exists already";
            case NotDirectoryException e -> "not a directory";
            default -> f.getClass().getSimpleName();
        };
    }
}
