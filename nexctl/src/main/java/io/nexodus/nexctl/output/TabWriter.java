package io.nexodus.nexctl.output;

import java.util.List;

/**
 * Aligns rows into columns as upstream nexctl does with Go's {@code tabwriter.NewWriter(w, 10, 1, 5, ' ', 0)}: every
 * column but the last is as wide as its widest cell plus 5 spaces of padding, at least 10; the last column is not
 * padded, and lines carry no trailing blanks.
 */
public final class TabWriter {
    static final int MIN_WIDTH = 10;
    static final int PADDING = 5;

    private TabWriter() {}

    /** The text of {@code rows} (the header, if any, being the first row), each line ending in a newline. */
    public static String render(List<List<String>> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        rows = rows.stream()
                .map(r -> r.stream().map(TabWriter::oneLine).toList())
                .toList();
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] width = new int[columns];
        for (List<String> r : rows) {
            for (int i = 0; i < r.size() - 1; i++) {
                width[i] = Math.max(width[i], Math.max(MIN_WIDTH, len(r.get(i)) + PADDING));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                String cell = r.get(i);
                sb.append(cell);
                if (i < r.size() - 1) {
                    sb.append(" ".repeat(width[i] - len(cell)));
                }
            }
            while (!sb.isEmpty() && sb.charAt(sb.length() - 1) == ' ') {
                sb.setLength(sb.length() - 1);
            } // empty trailing cells
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace("\r\n", " ").replace('\n', ' ').replace('\t', ' ');
    }

    private static int len(String s) {
        return s.codePointCount(0, s.length());
    }
}
