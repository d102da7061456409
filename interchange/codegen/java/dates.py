"""PMML 4.4 dates in generated Java (java.time): the IR's date casts and built-ins (ir.kernels.dates), row by row.

The same units as the IR: a date / dateTime is seconds since 1970-01-01T00:00:00, a time seconds
since midnight, a "Since" type its count; missing or unreadable text is NaN. ``dateOf`` reads the
texts ir.kernels.dates reads (ISO 8601, a space for the T, ``+00:00``); the built-ins round as the
IR does (days floored, seconds since a year towards zero); ``formatDatetime`` writes the
conversions the lift lets through (ir.kernels.dates.FORMATS and %D %F %R %T %r).
"""

from __future__ import annotations

from interchange.codegen.java.runtime import HELPERS

__all__ = ["DATE_HELPER"]

DATE_HELPER = "dates"

HELPERS[DATE_HELPER] = r"""
    private static final String[] DAY_NAMES = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    private static final String[] MONTH_NAMES = {"January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December"};

    /** Seconds from 1970-01-01T00:00:00 to the year of a "Since" type (dateDaysSince[1960]: 1960). */
    private static double yearSeconds(String type) {
        int year = Integer.parseInt(type.substring(type.indexOf('[') + 1, type.indexOf(']')));
        return java.time.LocalDate.of(year, 1, 1).toEpochDay() * 86400.0;
    }

    private static double secondsOfDay(String t, int shortest) {
        if (t.length() < shortest || t.indexOf('T') >= 0 || t.indexOf('-') >= 0) {
            return Double.NaN;
        }
        java.time.LocalTime time = java.time.LocalTime.parse(t);
        return time.toSecondOfDay() + time.getNano() / 1e9;
    }

    /** ISO 8601 text of a PMML date / time type in the IR's unit for it (ir.kernels.dates.to_date_column). */
    private static double dateOf(String s, String type) {
        if (s == null) {
            return Double.NaN;
        }
        String t = s.strip();
        try {
            if (type.equals("time")) {
                return secondsOfDay(t, 5);
            }
            if (type.equals("timeSeconds")) {
                double v = secondsOfDay(t, 8);
                return v == Math.floor(v) ? v : Double.NaN;
            }
            t = t.replace(" ", "T").replace("+00:00", "");
            if (t.indexOf('Z') >= 0 || t.indexOf('+') >= 0) {
                return Double.NaN;
            }
            boolean dated = t.indexOf('T') < 0 && t.indexOf(':') < 0 && t.length() >= 10;
            if (type.equals("date") || type.startsWith("dateDaysSince")) {
                if (!dated) {
                    return Double.NaN;
                }
                double secs = java.time.LocalDate.parse(t).toEpochDay() * 86400.0;
                return type.equals("date") ? secs : Math.floor((secs - yearSeconds(type)) / 86400.0);
            }
            if (dated || t.indexOf('T') != 10) {
                return Double.NaN;
            }
            java.time.LocalDateTime d = java.time.LocalDateTime.parse(t);
            double secs = d.toEpochSecond(java.time.ZoneOffset.UTC) + d.getNano() / 1e9;
            if (type.equals("dateTime")) {
                return secs;
            }
            double since = secs - yearSeconds(type);
            return (since < 0 ? Math.ceil(since) : Math.floor(since)) + 0.0;
        } catch (java.time.DateTimeException | NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** PMML 4.4 dateDaysSinceYear: calendar days from year-01-01 (of a dateTime, its day). */
    private static double daysSinceYear(double x, double year) {
        if (Double.isNaN(x) || Double.isNaN(year)) {
            return Double.NaN;
        }
        return Math.floor(x / 86400.0) - java.time.LocalDate.of((int) year, 1, 1).toEpochDay();
    }

    /** PMML 4.4 dateSecondsSinceYear: whole seconds from year-01-01T00:00:00, towards zero. */
    private static double secondsSinceYear(double x, double year) {
        if (Double.isNaN(x) || Double.isNaN(year)) {
            return Double.NaN;
        }
        double since = x - java.time.LocalDate.of((int) year, 1, 1).toEpochDay() * 86400.0;
        return (since < 0 ? Math.ceil(since) : Math.floor(since)) + 0.0;
    }

    /** PMML 4.4 dateSecondsSinceMidnight: the whole seconds of the time of day (numpy's mod: the divisor's sign). */
    private static double secondsSinceMidnight(double x) {
        double r = x % 86400.0;
        if (r != 0 && r < 0) {
            r += 86400.0;
        }
        return Math.floor(r);
    }

    private static String padded(long value, int width) {
        return String.format(java.util.Locale.ROOT, "%0" + width + "d", value);
    }

    /** PMML 4.4 formatDatetime over seconds since 1970 (ir.kernels.dates._format_datetime); null when missing. */
    private static String formatDatetime(double x, String pattern) {
        if (Double.isNaN(x) || pattern == null) {
            return null;
        }
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond((long) Math.floor(x), 0, java.time.ZoneOffset.UTC);
        int year = t.getYear() <= 0 ? 1 - t.getYear() : t.getYear();
        int hour = t.getHour();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= pattern.length()) {
                out.append(c);
                continue;
            }
            char f = pattern.charAt(++i);
            switch (f) {
                case 'Y': out.append(padded(year, 4)); break;
                case 'y': out.append(padded(year % 100, 2)); break;
                case 'C': out.append(padded(year / 100, 2)); break;
                case 'm': out.append(padded(t.getMonthValue(), 2)); break;
                case 'd': out.append(padded(t.getDayOfMonth(), 2)); break;
                case 'j': out.append(padded(t.getDayOfYear(), 3)); break;
                case 'a': out.append(DAY_NAMES[t.getDayOfWeek().getValue() - 1], 0, 3); break;
                case 'A': out.append(DAY_NAMES[t.getDayOfWeek().getValue() - 1]); break;
                case 'b': case 'h': out.append(MONTH_NAMES[t.getMonthValue() - 1], 0, 3); break;
                case 'B': out.append(MONTH_NAMES[t.getMonthValue() - 1]); break;
                case 'H': out.append(padded(hour, 2)); break;
                case 'I': out.append(padded((hour + 11) % 12 + 1, 2)); break;
                case 'M': out.append(padded(t.getMinute(), 2)); break;
                case 'S': out.append(padded(t.getSecond(), 2)); break;
                case 'D': out.append(formatDatetime(x, "%m/%d/%y")); break;
                case 'F': out.append(formatDatetime(x, "%Y-%m-%d")); break;
                case 'R': out.append(formatDatetime(x, "%H:%M")); break;
                case 'T': out.append(formatDatetime(x, "%H:%M:%S")); break;
                case 'r': out.append(formatDatetime(x, "%I:%M:%S ")).append(hour < 12 ? "AM" : "PM"); break;
                default: out.append('%').append(f);
            }
        }
        return out.toString();
    }
"""
