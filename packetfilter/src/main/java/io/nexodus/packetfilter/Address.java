package io.nexodus.packetfilter;

/**
 * A numeric IPv4 or IPv6 address as two 64-bit words (IPv4 in the low 32 bits of {@code lo}). Parsing is strict and
 * never resolves names: IPv4 as four decimal parts of 1-3 digits, each &le; 255 (what the service's validator
 * accepts); IPv6 as RFC 4291 text (hex groups, at most one {@code ::}, an optional trailing dotted IPv4), without zone
 * or brackets. An IPv4-mapped IPv6 address is returned as IPv4.
 */
record Address(boolean v6, long hi, long lo) {

    static Address parse(String text) {
        String s = text.strip();
        if (s.indexOf(':') >= 0) {
            return parseV6(s);
        }
        long v4 = parseV4(s);
        if (v4 < 0) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address");
        }
        return new Address(false, 0, v4);
    }

    /** The IPv4 address as an unsigned 32-bit value, or -1 if the text is not strict dotted-decimal. */
    static long parseV4(String s) {
        long value = 0;
        int parts = 0;
        int i = 0;
        int n = s.length();
        while (parts < 4) {
            int start = i;
            int part = 0;
            while (i < n && i - start < 4 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                part = part * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || part > 255) {
                return -1;
            }
            value = (value << 8) | part;
            parts++;
            if (parts < 4) {
                if (i >= n || s.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == n ? value : -1;
    }

    private static Address parseV6(String s) {
        if (!s.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address");
        }
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            throw new IllegalArgumentException("'" + s + "' has more than one '::'");
        }
        int[] groups = new int[8];
        int count;
        if (dbl < 0) {
            count = parseGroups(s, groups, 0, s);
            if (count != 8) {
                throw new IllegalArgumentException("'" + s + "' does not have 8 groups");
            }
        } else {
            int[] head = new int[8];
            int[] tail = new int[8];
            String left = s.substring(0, dbl);
            String right = s.substring(dbl + 2);
            int h = left.isEmpty() ? 0 : parseGroups(left, head, 0, s);
            int t = right.isEmpty() ? 0 : parseGroups(right, tail, 0, s);
            if (h + t > 7) {
                throw new IllegalArgumentException("'" + s + "' has too many groups");
            }
            System.arraycopy(head, 0, groups, 0, h);
            System.arraycopy(tail, 0, groups, 8 - t, t);
            count = 8;
        }
        long hi = 0;
        long lo = 0;
        for (int g = 0; g < 4; g++) {
            hi = (hi << 16) | groups[g];
            lo = (lo << 16) | groups[g + 4];
        }
        if (count == 8 && hi == 0 && (lo >>> 32) == 0xffffL) {
            return new Address(false, 0, lo & 0xffffffffL); // IPv4-mapped
        }
        return new Address(true, hi, lo);
    }

    /** Parses colon-separated groups (the last may be dotted IPv4, worth two) into {@code out}; returns the count. */
    private static int parseGroups(String part, int[] out, int at, String whole) {
        String[] fields = part.split(":", -1);
        int n = at;
        for (int i = 0; i < fields.length; i++) {
            String f = fields[i];
            if (f.indexOf('.') >= 0) {
                long v4 = i == fields.length - 1 ? parseV4(f) : -1;
                if (v4 < 0 || n + 2 > 8) {
                    throw new IllegalArgumentException("'" + whole + "' has a misplaced IPv4 part");
                }
                out[n++] = (int) (v4 >>> 16);
                out[n++] = (int) (v4 & 0xffff);
            } else {
                if (f.isEmpty() || f.length() > 4 || n >= 8) {
                    throw new IllegalArgumentException("'" + whole + "' is not an IPv6 address");
                }
                out[n++] = Integer.parseInt(f, 16);
            }
        }
        return n - at;
    }

    /** Text of an address: dotted IPv4, or RFC 5952 IPv6 (lower case, longest zero run of 2+ groups as '::'). */
    static String format(boolean v6, long hi, long lo) {
        if (!v6) {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xffff);
            g[i + 4] = (int) ((lo >>> (48 - 16 * i)) & 0xffff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
