/*
 * units: the one parser and the one formatter for quantities with units; see units.h.
 *
 * Parsing. A quantity is `[ws] number [ws] unit [ws]`. The number is scanned by hand (sign,
 * digits, optional point, optional exponent) into its significant digits and a decimal
 * exponent; the unit's power of ten is folded into that exponent and the digits are converted
 * by strtod from the form "DDDDe-NN", which has no decimal point and so reads the same in every
 * C locale (the program never calls setlocale, but this module does not rely on it). strtod
 * rounds correctly, so "0.1 s", "7 ns" and "61.44 TB" give the nearest double; only the binary
 * factors (KiB, min, h, bits = B/8, kWh) cost one more rounding. At most 780 significant digits
 * are kept, plus a sticky digit for the rest, which is enough for correct rounding of any
 * double; exponents saturate, so a million-digit input is read in linear time with no
 * overflow. A result that overflows or underflows (below DBL_MIN) is an error, as are NaN and
 * infinity in any spelling, hexadecimal and trailing junk. "-0" reads as +0.
 *
 * The accepted spellings of every dimension come from one table of "forms" (a product of
 * component lists such as {sizes} x "/" x {times}); parsing looks the unit up in it and the
 * "did you mean" hints search the same list, so the two cannot drift apart. Spellings:
 *   time          ns us (also µs, μs) ms s min h d y;  y is 365 d (no leap years); a bare "m" is
 *                 refused as ambiguous, "M" is refused too.
 *   size          B kB MB GB TB PB, KiB MiB GiB TiB PiB. "KB" is refused (write kB or KiB); bits
 *                 ("Gb") are refused for sizes.
 *   bandwidth     any size or bit unit over any time unit: "400 Gb/s" = 50e9 B/s, "25 GB/s",
 *                 "1 MiB/s", "10 TB/h"; bits are b kb Mb Gb Tb Pb. "Gbps", "GBps", "Gbit/s",
 *                 "GB/sec" are refused with a hint giving the canonical spelling.
 *   rate          [k M G T P]/time ("10000/s", "2 M/s", "5k/s", "3/min", "100/h") and IOPS with
 *                 k M G glued or spaced ("1 M IOPS", "500 kIOPS").
 *   power         W kW MW GW;  energy  J kJ MJ GJ TJ, Wh kWh MWh GWh TWh.
 *   flops         [k M G T P E]FLOP/s and [k M G T P E]FLOPS ("989 TFLOP/s", "989 TFLOPS").
 *   money         USD with an optional separate prefix k, M or B (billion): "250000 USD",
 *                 "1.2 M USD", "1.5 B USD". "250 kUSD" and "$1200" are refused with hints.
 *   energy price  USD/J USD/kJ USD/MJ USD/GJ USD/TJ USD/Wh USD/kWh USD/MWh USD/GWh USD/TWh.
 *   hourly price  [k M B ]USD/time: "12.5 USD/h", "3 k USD/d", "0.001 USD/s".
 *   carbon        g kg t kt Mt (t is the metric tonne), each optionally followed by a separate
 *                 "CO2e": "318 kg", "1.2 t CO2e", "500 g CO2e"; stored in kg.
 *   carbon intensity  g kg t, optionally with " CO2e", over any energy unit: "0.367 kg/kWh",
 *                 "367 g CO2e/kWh", "367 kg/MWh"; stored in kg per joule.
 *   ratio         a bare number or a percentage: "0.9", "90%", "90 %".
 *   count         a whole number >= 0 and <= 2^53 with an optional suffix k M G T P (powers of
 *                 1000) or Ki Mi Gi Ti Pi (powers of 1024): "128", "70e9", "2k", "1.5M", "4Mi".
 *                 "K" is refused (write k or Ki); "1.5" is "expected a whole number".
 *   number        a bare real number: "0.4", "-3", "70e9".
 * A dimensioned field never accepts a bare number, not even "0". Runs of whitespace inside a
 * unit count as one space and whitespace around "/" is ignored ("1.2 M  USD", "25 GB / s").
 *
 * Error messages (what follows "field: " in a diagnostic) read
 *     expected <af_units_expected(dim)>, got "<text>"[; <hint>]
 * where <text> is the input without surrounding whitespace, cut to 64 bytes with "...", with
 * quotes and backslashes escaped and every byte that is not printable ASCII or well-formed
 * UTF-8 written as \xHH, so hostile input cannot send terminal escapes through a diagnostic.
 * Hints, in this order: malformed numbers, ambiguous "m", KB/K, bits for a size, non-canonical
 * spellings ('write "400 Gb/s"'), a unit of another dimension ('25 GB is a size; a bandwidth
 * needs a time, e.g. "25 GB/s"'; not when the same letters in another case are a unit of the
 * field, as "5 T" for a mass of carbon), the same letters in another case ('did you mean "Gb/s"
 * or "GB/s"?'), an edit-distance near miss (units of 3 or more letters), and finally the list
 * of units of the dimension. Hints are only looked for when the unit is at most 40 bytes long, so
 * their cost is bounded whatever the input.
 *
 * Formatting. The mantissa keeps 4 significant digits (correctly rounded by printf "%.3e",
 * whose digits are read back without relying on the locale's decimal point) with trailing zeros
 * trimmed, and a prefix chosen so it lies in [1, 1000): "25 GB/s", "61.44 TB", "989.4 TFLOP/s".
 * Sizes and bandwidths use decimal prefixes and bytes. Times use ns us ms s below 60 s, then
 * min below 1 h, h below 1 d and d above ("1.5 min", "90 d"); a value just under a boundary may
 * print as "60 s". Energies below 1 kWh print in J kJ MJ, from 1 kWh in kWh MWh GWh TWh. Money
 * prints "12.5 USD", "250 k USD", "1.235 M USD", "1.5 B USD" (so at most 4 significant
 * digits: 1234567 USD prints "1.235 M USD"); hourly prices the same with "/h"; energy prices
 * always in USD/kWh ("0.12 USD/kWh"); masses of carbon in g kg t kt Mt with " CO2e" ("318 kg
 * CO2e", "1.25 t CO2e"); carbon intensities always in kg CO2e/kWh ("0.367 kg CO2e/kWh");
 * ratios as percentages ("90%"). Numbers and counts print as whole integers from 1000 up to
 * 1e15 ("70000000000"), with 4 significant digits otherwise.
 * Mantissas past the largest prefix, or tiny ones, use an exponent ("1.5e-7 B", "2e6 B USD");
 * a finite value whose display unit overflows (a ratio of 1e307 in percent) prints "inf".
 * Zero prints "0 s", "0 B", "0 B/s", "0/s", "0 W", "0 J", "0 FLOP/s", "0 USD", "0 USD/kWh",
 * "0 USD/h", "0 kg CO2e", "0 kg CO2e/kWh", "0%", "0"; NaN and infinity print "nan", "inf",
 * "-inf". Every output parses back within 0.05% (one rounding to 4 significant digits).
 */
#include "base/units.h"

#include "base/diag.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    AF_UNITS_MAXDIG = 780,   /* significant digits kept by the scanner (plus one sticky digit) */
    AF_UNITS_UNITMAX = 40,   /* longest normalized unit text considered */
    AF_UNITS_SPELLMAX = 24,  /* longest spelling in the tables, with its NUL */
    AF_UNITS_MAXSPELL = 192, /* most spellings of one dimension */
    AF_UNITS_QUOTEMAX = 64,  /* input bytes echoed in an error message */
    AF_UNITS_SHOWMAX = 24,   /* longest number text repeated in a hint */
};

/* Largest exponent magnitude kept; beyond it every value is 0 or infinite anyway. */
#define AF_UNITS_EXPCAP 1000000000000000LL

/* A count must be exactly representable: at most 2^53. */
#define AF_UNITS_COUNTMAX 9007199254740992.0

/* ------------------------------------------------------------------------------------------ */
/* Bounded string builder: writes at most n - 1 bytes and always NUL-terminates (when n > 0). */

typedef struct af_sb {
    char *buf;  /* destination, may be NULL when n == 0 */
    size_t n;   /* size of buf */
    size_t len; /* bytes written so far (never more than n - 1) */
} af_sb;

static void sb_init(af_sb *sb, char *buf, size_t n)
{
    sb->buf = buf;
    sb->n = buf ? n : 0;
    sb->len = 0;
    if (sb->n)
        sb->buf[0] = '\0';
}

static void sb_putn(af_sb *sb, const char *s, size_t k)
{
    if (sb->n == 0)
        return;
    size_t room = sb->n - 1 - sb->len;
    if (k > room)
        k = room;
    memcpy(sb->buf + sb->len, s, k);
    sb->len += k;
    sb->buf[sb->len] = '\0';
}

static void sb_puts(af_sb *sb, const char *s)
{
    sb_putn(sb, s, strlen(s));
}

static void sb_putc(af_sb *sb, char c)
{
    sb_putn(sb, &c, 1);
}

static void sb_putq(af_sb *sb, const char *s)
{
    sb_putc(sb, '"');
    sb_puts(sb, s);
    sb_putc(sb, '"');
}

/* Length of the printable character at p (at most avail bytes): 1 for printable ASCII, 2 to 4
 * for well-formed UTF-8 other than a C1 control; 0 for a control byte, a stray or truncated
 * sequence, an overlong form or a surrogate. Only such characters reach a terminal unescaped. */
static size_t utf8_printable(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xBF;
    size_t n;
    if (c >= 0x20 && c < 0x7F)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        if (c == 0xC2)
            lo = 0xA0; /* U+0080..U+009F are C1 controls */
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n > avail || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

/* Appends the bytes [b, e) in double quotes: at most AF_UNITS_QUOTEMAX input bytes (never
 * splitting a character), then "..." if cut; quotes and backslashes are escaped with a
 * backslash, and every byte that is not a printable character (see above) as \xHH. */
static void sb_quote(af_sb *sb, const char *b, const char *e)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)b;
    size_t len = (size_t)(e - b), k = len;
    bool cut = k > AF_UNITS_QUOTEMAX;
    if (cut)
        k = AF_UNITS_QUOTEMAX;
    sb_putc(sb, '"');
    for (size_t i = 0; i < k;) {
        size_t n = utf8_printable(p + i, len - i);
        if (i + n > k)
            break;
        if (n == 1 && (p[i] == '"' || p[i] == '\\')) {
            sb_putc(sb, '\\');
            sb_putc(sb, (char)p[i]);
        } else if (n > 0) {
            sb_putn(sb, b + i, n);
        } else {
            char esc[4] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15]};
            sb_putn(sb, esc, 4);
            n = 1;
        }
        i += n;
    }
    if (cut)
        sb_puts(sb, "...");
    sb_putc(sb, '"');
}

/* ------------------------------------------------------------------------------------------ */
/* Character classes that do not depend on the locale. */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool units_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower(*a) != lower(*b))
            return false;
    return *a == *b;
}

/* Whether [b, e) starts with `word`, ignoring ASCII case. */
static bool istarts(const char *b, const char *e, const char *word)
{
    for (; *word; word++, b++)
        if (b == e || lower(*b) != *word)
            return false;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Unit tables. A value in a unit is (number * 10^p10) * mul / div in SI base units. */

typedef struct af_unit {
    const char *name; /* spelling */
    int p10;          /* decimal exponent, folded into the number before conversion */
    double mul;       /* exact integer factor (binary prefixes, minutes, hours, ...) */
    double div;       /* exact integer divisor (bits per byte, ...) */
} af_unit;

typedef struct af_scale {
    int p10;    /* as in af_unit, for a whole spelling */
    double mul; /* product of the parts' multipliers */
    double div; /* product of the parts' divisors */
} af_scale;

#define AF_KI 1024.0
#define AF_MI 1048576.0
#define AF_GI 1073741824.0
#define AF_TI 1099511627776.0
#define AF_PI 1125899906842624.0

static const af_unit u_time[] = {
    {"ns", -9, 1, 1},   {"us", -6, 1, 1},      {"\xc2\xb5s", -6, 1, 1}, {"\xce\xbcs", -6, 1, 1},
    {"ms", -3, 1, 1},   {"s", 0, 1, 1},        {"min", 0, 60, 1},       {"h", 0, 3600, 1},
    {"d", 0, 86400, 1}, {"y", 0, AF_YEAR_S, 1},
};
static const af_unit u_bytes[] = {
    {"B", 0, 1, 1},       {"kB", 3, 1, 1},      {"MB", 6, 1, 1},      {"GB", 9, 1, 1},
    {"TB", 12, 1, 1},     {"PB", 15, 1, 1},     {"KiB", 0, AF_KI, 1}, {"MiB", 0, AF_MI, 1},
    {"GiB", 0, AF_GI, 1}, {"TiB", 0, AF_TI, 1}, {"PiB", 0, AF_PI, 1},
};
static const af_unit u_bits[] = {
    {"b", 0, 1, 8},  {"kb", 3, 1, 8},  {"Mb", 6, 1, 8},
    {"Gb", 9, 1, 8}, {"Tb", 12, 1, 8}, {"Pb", 15, 1, 8},
};
static const af_unit u_slash[] = {{"/", 0, 1, 1}};
static const af_unit u_rate_prefix[] = {
    {"", 0, 1, 1}, {"k", 3, 1, 1}, {"M", 6, 1, 1}, {"G", 9, 1, 1}, {"T", 12, 1, 1}, {"P", 15, 1, 1},
};
static const af_unit u_iops[] = {
    {"IOPS", 0, 1, 1},   {"kIOPS", 3, 1, 1}, {"k IOPS", 3, 1, 1}, {"MIOPS", 6, 1, 1},
    {"M IOPS", 6, 1, 1}, {"GIOPS", 9, 1, 1}, {"G IOPS", 9, 1, 1},
};
static const af_unit u_power[] = {
    {"W", 0, 1, 1}, {"kW", 3, 1, 1}, {"MW", 6, 1, 1}, {"GW", 9, 1, 1}};
static const af_unit u_energy[] = {
    {"J", 0, 1, 1},      {"kJ", 3, 1, 1},      {"MJ", 6, 1, 1},     {"GJ", 9, 1, 1},
    {"TJ", 12, 1, 1},    {"Wh", 0, 3600, 1},   {"kWh", 3, 3600, 1}, {"MWh", 6, 3600, 1},
    {"GWh", 9, 3600, 1}, {"TWh", 12, 3600, 1},
};
static const af_unit u_flop_prefix[] = {
    {"", 0, 1, 1},   {"k", 3, 1, 1},  {"M", 6, 1, 1},  {"G", 9, 1, 1},
    {"T", 12, 1, 1}, {"P", 15, 1, 1}, {"E", 18, 1, 1},
};
static const af_unit u_flop[] = {{"FLOP/s", 0, 1, 1}, {"FLOPS", 0, 1, 1}};
static const af_unit u_money[] = {
    {"USD", 0, 1, 1}, {"k USD", 3, 1, 1}, {"M USD", 6, 1, 1}, {"B USD", 9, 1, 1}};
static const af_unit u_usd_per[] = {{"USD/", 0, 1, 1}};
/* Masses of CO2-equivalent in kg; t is the metric tonne. */
static const af_unit u_carbon[] = {
    {"g", -3, 1, 1}, {"kg", 0, 1, 1}, {"t", 3, 1, 1}, {"kt", 6, 1, 1}, {"Mt", 9, 1, 1}};
static const af_unit u_co2e[] = {{"", 0, 1, 1}, {" CO2e", 0, 1, 1}};
/* The numerator of a carbon intensity, and the slash with an optional "CO2e" before it. */
static const af_unit u_carbon_per_mass[] = {{"g", -3, 1, 1}, {"kg", 0, 1, 1}, {"t", 3, 1, 1}};
static const af_unit u_co2e_per[] = {{"/", 0, 1, 1}, {" CO2e/", 0, 1, 1}};
static const af_unit u_percent[] = {{"%", -2, 1, 1}};
static const af_unit u_count[] = {
    {"k", 3, 1, 1},      {"M", 6, 1, 1},      {"G", 9, 1, 1},      {"T", 12, 1, 1},
    {"P", 15, 1, 1},     {"Ki", 0, AF_KI, 1}, {"Mi", 0, AF_MI, 1}, {"Gi", 0, AF_GI, 1},
    {"Ti", 0, AF_TI, 1}, {"Pi", 0, AF_PI, 1},
};

/* One factor of a form; `inv` takes the unit's reciprocal (a denominator). */
typedef struct af_part {
    const af_unit *tab; /* component list, NULL ends the form */
    size_t n;           /* entries in tab */
    bool inv;           /* divide by this part instead of multiplying */
} af_part;

/* A family of spellings: the product of up to three component lists. */
typedef struct af_form {
    af_part p[3];
} af_form;

#define AF_NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* The initializer of a part: AF_P(list) multiplies, AF_INV(list) divides. */
#define AF_P(t) (t), AF_NELEM(t), false
#define AF_INV(t) (t), AF_NELEM(t), true

static const af_form f_time[] = {{{{AF_P(u_time)}}}};
static const af_form f_size[] = {{{{AF_P(u_bytes)}}}};
/* Bits first, so that hints list "Gb/s" before "GB/s". */
static const af_form f_bandwidth[] = {
    {{{AF_P(u_bits)}, {AF_P(u_slash)}, {AF_INV(u_time)}}},
    {{{AF_P(u_bytes)}, {AF_P(u_slash)}, {AF_INV(u_time)}}},
};
static const af_form f_rate[] = {
    {{{AF_P(u_rate_prefix)}, {AF_P(u_slash)}, {AF_INV(u_time)}}},
    {{{AF_P(u_iops)}}},
};
static const af_form f_power[] = {{{{AF_P(u_power)}}}};
static const af_form f_energy[] = {{{{AF_P(u_energy)}}}};
static const af_form f_flops[] = {{{{AF_P(u_flop_prefix)}, {AF_P(u_flop)}}}};
static const af_form f_money[] = {{{{AF_P(u_money)}}}};
static const af_form f_energy_price[] = {{{{AF_P(u_usd_per)}, {AF_INV(u_energy)}}}};
static const af_form f_hourly_price[] = {
    {{{AF_P(u_money)}, {AF_P(u_slash)}, {AF_INV(u_time)}}},
};
static const af_form f_carbon[] = {{{{AF_P(u_carbon)}, {AF_P(u_co2e)}}}};
static const af_form f_carbon_intensity[] = {
    {{{AF_P(u_carbon_per_mass)}, {AF_P(u_co2e_per)}, {AF_INV(u_energy)}}},
};
static const af_form f_ratio[] = {{{{AF_P(u_percent)}}}};
static const af_form f_count[] = {{{{AF_P(u_count)}}}};

/* Everything the module knows about a dimension. */
typedef struct af_dim_info {
    const char *si;       /* SI base unit for machine-readable output */
    const char *expected; /* noun phrase with an example, for "expected ..." */
    const char *noun;     /* noun phrase alone ("a bandwidth") */
    const char *example;  /* an example quantity ("25 GB/s") */
    const char *units;    /* hint listing the units ("use ns, us, ...") */
    const af_form *forms; /* accepted unit spellings */
    size_t nforms;        /* entries in forms */
    bool bare;            /* a number without a unit is accepted */
} af_dim_info;

#define AF_FORMS(f) (f), AF_NELEM(f)

static const af_dim_info units_dims[AF_DIM__COUNT] = {
    [AF_DIM_NUMBER] = {"1", "a number such as \"0.4\"", "a number", "0.4", "a number takes no unit",
                       NULL, 0, true},
    [AF_DIM_COUNT] = {"1", "a whole number such as \"128\"", "a whole number", "128",
                      "use k, M, G, T, P (1000s), Ki, Mi, Gi, Ti, Pi (1024s) or no unit",
                      AF_FORMS(f_count), true},
    [AF_DIM_RATIO] = {"1", "a ratio such as \"0.9\" or \"90%\"", "a ratio", "90%",
                      "use \"%\" or no unit", AF_FORMS(f_ratio), true},
    [AF_DIM_TIME] = {"s", "a time such as \"90 d\"", "a time", "90 d",
                     "use ns, us, ms, s, min, h, d or y", AF_FORMS(f_time), false},
    [AF_DIM_SIZE] = {"B", "a size such as \"61.44 TB\"", "a size", "61.44 TB",
                     "use B, kB, MB, GB, TB, PB or KiB, MiB, GiB, TiB, PiB", AF_FORMS(f_size),
                     false},
    [AF_DIM_BANDWIDTH] = {"B/s", "a bandwidth such as \"25 GB/s\"", "a bandwidth", "25 GB/s",
                          "use a size over a time, e.g. GB/s, MiB/s or Gb/s (bits)",
                          AF_FORMS(f_bandwidth), false},
    [AF_DIM_RATE] = {"1/s", "a rate such as \"10000/s\"", "a rate", "10000/s",
                     "use /s, k/s, M/s, /min, /h or IOPS, k IOPS, M IOPS", AF_FORMS(f_rate), false},
    [AF_DIM_POWER] = {"W", "a power such as \"700 W\"", "a power", "700 W", "use W, kW, MW or GW",
                      AF_FORMS(f_power), false},
    [AF_DIM_ENERGY] = {"J", "an energy such as \"1.5 MWh\"", "an energy", "1.5 MWh",
                       "use J, kJ, MJ, Wh, kWh, MWh or GWh", AF_FORMS(f_energy), false},
    [AF_DIM_FLOPS] = {"FLOP/s", "a FLOP rate such as \"989 TFLOP/s\"", "a FLOP rate", "989 TFLOP/s",
                      "use FLOP/s with a prefix k, M, G, T, P or E, e.g. TFLOP/s",
                      AF_FORMS(f_flops), false},
    [AF_DIM_MONEY] = {"USD", "an amount of money such as \"1.2 M USD\"", "an amount of money",
                      "1.2 M USD", "use USD, k USD, M USD or B USD", AF_FORMS(f_money), false},
    [AF_DIM_ENERGY_PRICE] = {"USD/J", "an energy price such as \"0.12 USD/kWh\"", "an energy price",
                             "0.12 USD/kWh", "use USD/kWh or USD/MWh", AF_FORMS(f_energy_price),
                             false},
    [AF_DIM_HOURLY_PRICE] = {"USD/s", "an hourly price such as \"12.5 USD/h\"", "an hourly price",
                             "12.5 USD/h", "use USD/h", AF_FORMS(f_hourly_price), false},
    [AF_DIM_CARBON] = {"kg", "a mass of carbon such as \"318 kg CO2e\"", "a mass of carbon",
                       "318 kg CO2e", "use g, kg, t, kt or Mt, optionally followed by CO2e",
                       AF_FORMS(f_carbon), false},
    [AF_DIM_CARBON_INTENSITY] = {"kg/J", "a carbon intensity such as \"0.37 kg CO2e/kWh\"",
                                 "a carbon intensity", "0.37 kg CO2e/kWh",
                                 "use g/kWh, kg/kWh or kg/MWh, optionally with CO2e, e.g. "
                                 "\"kg CO2e/kWh\"",
                                 AF_FORMS(f_carbon_intensity), false},
};

static bool dim_valid(af_dim dim)
{
    return (unsigned)dim < (unsigned)AF_DIM__COUNT;
}

const char *af_units_si(af_dim dim)
{
    return dim_valid(dim) ? units_dims[dim].si : "?";
}

const char *af_units_expected(af_dim dim)
{
    return dim_valid(dim) ? units_dims[dim].expected : "a value";
}

/* Writes the idx-th spelling of dim into buf (AF_UNITS_SPELLMAX bytes) and its scale; returns
 * false past the last one. Parts vary fastest from the right, forms in table order. */
static bool spell(af_dim dim, size_t idx, char *buf, af_scale *sc)
{
    const af_dim_info *di = &units_dims[dim];
    for (size_t f = 0; f < di->nforms; f++) {
        const af_form *fm = &di->forms[f];
        size_t nparts = 0, count = 1;
        while (nparts < 3 && fm->p[nparts].tab)
            count *= fm->p[nparts++].n;
        if (idx >= count) {
            idx -= count;
            continue;
        }
        size_t pick[3] = {0, 0, 0};
        for (size_t k = nparts; k-- > 0;) {
            pick[k] = idx % fm->p[k].n;
            idx /= fm->p[k].n;
        }
        size_t len = 0;
        af_scale s = {0, 1, 1};
        for (size_t k = 0; k < nparts; k++) {
            const af_unit *u = &fm->p[k].tab[pick[k]];
            size_t ln = strlen(u->name);
            memcpy(buf + len, u->name, ln);
            len += ln;
            if (fm->p[k].inv) {
                s.p10 -= u->p10;
                s.mul *= u->div;
                s.div *= u->mul;
            } else {
                s.p10 += u->p10;
                s.mul *= u->mul;
                s.div *= u->div;
            }
        }
        buf[len] = '\0';
        *sc = s;
        return true;
    }
    return false;
}

/* Looks up a normalized unit spelling; the empty unit is a bare number. */
static bool unit_find(af_dim dim, const char *unit, af_scale *sc)
{
    if (!*unit) {
        *sc = (af_scale){0, 1, 1};
        return units_dims[dim].bare;
    }
    char buf[AF_UNITS_SPELLMAX];
    af_scale s;
    for (size_t i = 0; spell(dim, i, buf, &s); i++)
        if (strcmp(buf, unit) == 0) {
            *sc = s;
            return true;
        }
    return false;
}

/* Copies the unit text [b, e) (trimmed) into out with whitespace runs as one space and no space
 * around '/'; returns false when the result would not fit in AF_UNITS_UNITMAX bytes. */
static bool unit_normalize(const char *b, const char *e, char *out)
{
    size_t len = 0;
    bool space = false;
    for (const char *p = b; p < e; p++) {
        if (is_space(*p)) {
            space = true;
            continue;
        }
        if (space && *p != '/' && len > 0 && out[len - 1] != '/') {
            if (len >= AF_UNITS_UNITMAX)
                return false;
            out[len++] = ' ';
        }
        space = false;
        if (len >= AF_UNITS_UNITMAX)
            return false;
        out[len++] = *p;
    }
    out[len] = '\0';
    return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Scanning. */

/* Outcome of a parse, before the message is written. */
typedef enum {
    AF_U_OK,
    AF_U_EMPTY,    /* nothing but whitespace */
    AF_U_NONUM,    /* does not start with a number */
    AF_U_NOUNIT,   /* a bare number for a dimensioned field */
    AF_U_BADUNIT,  /* a unit this dimension does not accept */
    AF_U_RANGE,    /* overflows or underflows a double */
    AF_U_FRACTION, /* a count that is not whole */
    AF_U_NEGATIVE, /* a negative count */
    AF_U_TOOBIG,   /* a count above 2^53 */
} af_ucode;

/* What the scanner found in one input. */
typedef struct af_scan {
    const char *num_b, *num_e;       /* the number text (empty when there is none) */
    const char *unit_b, *unit_e;     /* the unit text after it, without surrounding whitespace */
    bool unit_fits;                  /* unit holds the normalized unit (else it was too long) */
    char unit[AF_UNITS_UNITMAX + 1]; /* normalized unit */
    bool neg;                        /* a leading '-' */
    bool has_exp;                    /* an exponent was written */
    size_t ndig;                     /* significant digits in dig; 0 means the value is zero */
    char dig[AF_UNITS_MAXDIG + 2];   /* significant digits, no leading zeros, plus sticky digit */
    long long dexp;                  /* value = digits * 10^dexp */
} af_scan;

static long long sat_add(long long a, long long b)
{
    long long r = a + b; /* |a|, |b| <= 2 * AF_UNITS_EXPCAP, no overflow */
    if (r > AF_UNITS_EXPCAP)
        return AF_UNITS_EXPCAP;
    if (r < -AF_UNITS_EXPCAP)
        return -AF_UNITS_EXPCAP;
    return r;
}

/* Scans a decimal number at [p, e). Returns the end of the number, or p when there is none. */
static const char *scan_number(const char *p, const char *e, af_scan *s)
{
    const char *start = p;
    bool sticky = false;
    size_t seen = 0;
    s->neg = false;
    s->has_exp = false;
    s->ndig = 0;
    s->dexp = 0;
    if (p < e && (*p == '+' || *p == '-')) {
        s->neg = *p == '-';
        p++;
    }
    for (; p < e && is_digit(*p); p++, seen++) {
        if (s->ndig == 0 && *p == '0')
            continue;
        if (s->ndig < AF_UNITS_MAXDIG) {
            s->dig[s->ndig++] = *p;
        } else {
            s->dexp = sat_add(s->dexp, 1);
            sticky |= *p != '0';
        }
    }
    if (p < e && *p == '.') {
        p++;
        for (; p < e && is_digit(*p); p++, seen++) {
            if (s->ndig == 0 && *p == '0') {
                s->dexp = sat_add(s->dexp, -1);
            } else if (s->ndig < AF_UNITS_MAXDIG) {
                s->dig[s->ndig++] = *p;
                s->dexp = sat_add(s->dexp, -1);
            } else {
                sticky |= *p != '0';
            }
        }
    }
    if (seen == 0)
        return start;
    if (p < e && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        bool eneg = false;
        if (q < e && (*q == '+' || *q == '-')) {
            eneg = *q == '-';
            q++;
        }
        if (q < e && is_digit(*q)) {
            long long x = 0;
            for (; q < e && is_digit(*q); q++)
                if (x < AF_UNITS_EXPCAP)
                    x = x * 10 + (*q - '0');
            s->dexp = sat_add(s->dexp, eneg ? -x : x);
            s->has_exp = true;
            p = q;
        }
    }
    if (sticky && s->ndig > 0) {
        s->dig[s->ndig++] = '1';
        s->dexp = sat_add(s->dexp, -1);
    }
    return p;
}

/* Converts the scanned number in a unit of scale sc; returns AF_U_OK or AF_U_RANGE. */
static af_ucode scan_value(const af_scan *s, af_scale sc, double *out)
{
    if (s->ndig == 0) {
        *out = 0.0; /* also for "-0": callers never see a negative zero */
        return AF_U_OK;
    }
    long long ex = sat_add(s->dexp, sc.p10);
    /* With at most AF_UNITS_MAXDIG + 1 digits, |exponent| > 99999 is 0 or infinite either way. */
    if (ex > 99999)
        ex = 99999;
    if (ex < -99999)
        ex = -99999;
    char buf[AF_UNITS_MAXDIG + 16];
    memcpy(buf, s->dig, s->ndig);
    snprintf(buf + s->ndig, sizeof buf - s->ndig, "e%lld", ex);
    int saved = errno;
    double v = strtod(buf, NULL);
    errno = saved;
    if (sc.mul != 1)
        v *= sc.mul;
    if (sc.div != 1)
        v /= sc.div;
    if (!isfinite(v) || v < DBL_MIN)
        return AF_U_RANGE;
    *out = s->neg ? -v : v;
    return AF_U_OK;
}

/* Parses the trimmed text [b, e) into *out; fills s for the messages. */
static af_ucode parse_span(const char *b, const char *e, af_dim dim, double *out, af_scan *s)
{
    s->num_b = s->num_e = b;
    s->unit_b = s->unit_e = e;
    s->unit_fits = false;
    s->unit[0] = '\0';
    if (b == e)
        return AF_U_EMPTY;
    const char *p = scan_number(b, e, s);
    if (p == b)
        return AF_U_NONUM;
    s->num_e = p;
    while (p < e && is_space(*p))
        p++;
    s->unit_b = p;
    s->unit_fits = unit_normalize(p, e, s->unit);
    if (!s->unit_fits)
        return AF_U_BADUNIT;
    af_scale sc;
    if (!unit_find(dim, s->unit, &sc))
        return s->unit[0] ? AF_U_BADUNIT : AF_U_NOUNIT;
    double v;
    af_ucode rc = scan_value(s, sc, &v);
    if (rc != AF_U_OK)
        return rc;
    if (dim == AF_DIM_COUNT) {
        if (v < 0)
            return AF_U_NEGATIVE;
        if (v != floor(v))
            return AF_U_FRACTION;
        if (v > AF_UNITS_COUNTMAX)
            return AF_U_TOOBIG;
    }
    *out = v;
    return AF_U_OK;
}

/* Whether the NUL-terminated text parses as dim (no message). */
static bool units_parses(const char *text, af_dim dim)
{
    af_scan s;
    double v;
    return parse_span(text, text + strlen(text), dim, &v, &s) == AF_U_OK;
}

/* The dimension other than `dim` (and other than a plain number) that accepts unit u, or -1. */
static int other_dim(const char *u, af_dim dim)
{
    af_scale sc;
    for (int d = 0; d < AF_DIM__COUNT; d++)
        if (d != (int)dim && d != AF_DIM_NUMBER && unit_find((af_dim)d, u, &sc))
            return d;
    return -1;
}

/* Whether dim has a spelling equal to u ignoring ASCII case (but not u itself). */
static bool unit_case_variant(af_dim dim, const char *u)
{
    char buf[AF_UNITS_SPELLMAX];
    af_scale sc;
    for (size_t i = 0; spell(dim, i, buf, &sc); i++)
        if (units_ieq(buf, u) && strcmp(buf, u) != 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------------------------------ */
/* Hints. Each returns true when it wrote one (after "; "). */

/* The context a unit hint works with. */
typedef struct af_hint_ctx {
    af_sb *sb;
    af_dim dim;
    const af_scan *s;
    const char *b, *e;              /* the whole trimmed input */
    char num[AF_UNITS_SHOWMAX + 1]; /* the number as written, or "1" when too long */
} af_hint_ctx;

static void hint_begin(af_hint_ctx *h)
{
    sb_puts(h->sb, "; ");
}

/* Writes the input as the subject of a sentence: 25 GB (unquoted, as written) or "this". */
static void hint_subject(af_hint_ctx *h)
{
    const unsigned char *p = (const unsigned char *)h->b;
    size_t k = (size_t)(h->e - h->b);
    bool plain = k <= AF_UNITS_UNITMAX;
    for (size_t i = 0, n; plain && i < k; i += n)
        plain = (n = utf8_printable(p + i, k - i)) > 0;
    if (plain)
        sb_putn(h->sb, h->b, k);
    else
        sb_puts(h->sb, "this");
}

/* Writes "<num> <unit>" in quotes. */
static void hint_example(af_hint_ctx *h, const char *unit)
{
    sb_putc(h->sb, '"');
    sb_puts(h->sb, h->num);
    sb_putc(h->sb, ' ');
    sb_puts(h->sb, unit);
    sb_putc(h->sb, '"');
}

/* "<num> <unit>" as a string, for trial parses. */
static bool with_num(const af_hint_ctx *h, const char *unit, char *out, size_t n)
{
    int k = snprintf(out, n, "%s %s", h->num, unit);
    return k > 0 && (size_t)k < n;
}

/* Malformed numbers: "1,5", "1 000", "1..2", "0x10", "1e". */
static bool hint_number(af_hint_ctx *h)
{
    const af_scan *s = h->s;
    char c = *s->unit_b;
    const char *msg = NULL;
    if (c == ',')
        msg = "use \".\" for decimals and no thousands separators, e.g. \"1234.5\"";
    else if (is_digit(c))
        msg = "write the number without spaces, e.g. \"1000\"";
    else if (c == '.')
        msg = "a number has at most one decimal point";
    else if (c == '/' && s->unit_b + 1 < s->unit_e && is_digit(s->unit_b[1]))
        msg = "write fractions as decimals, e.g. \"0.5\"";
    else if ((c == 'x' || c == 'X') && s->ndig == 0 && !s->has_exp)
        msg = "hexadecimal numbers are not accepted; write a decimal number";
    else if ((c == 'e' || c == 'E') && !s->has_exp &&
             (s->unit_b + 1 == s->unit_e || s->unit_b[1] == '+' || s->unit_b[1] == '-'))
        msg = "an exponent needs digits, e.g. \"1e9\"";
    if (!msg)
        return false;
    hint_begin(h);
    sb_puts(h->sb, msg);
    return true;
}

/* "m" (and "/m") for minutes; "M" for a time. */
static bool hint_minutes(af_hint_ctx *h)
{
    const char *u = h->s->unit;
    if ((h->dim == AF_DIM_TIME && strcmp(u, "m") == 0) || ends_with(u, "/m")) {
        hint_begin(h);
        sb_puts(h->sb, "\"m\" is ambiguous: write \"min\" for minutes");
        return true;
    }
    if (h->dim == AF_DIM_TIME && strcmp(u, "M") == 0) {
        hint_begin(h);
        sb_puts(h->sb,
                "\"M\" is not a time unit: write \"min\" for minutes or \"ms\" for milliseconds");
        return true;
    }
    return false;
}

/* "KB" is neither kB nor KiB; "K" is not a count suffix. */
static bool hint_kilo(af_hint_ctx *h)
{
    const char *u = h->s->unit;
    if (h->dim == AF_DIM_COUNT && strcmp(u, "K") == 0) {
        hint_begin(h);
        sb_puts(h->sb, "write k (1000) or Ki (1024)");
        return true;
    }
    if (u[0] != 'K' || u[1] != 'B')
        return false;
    char dec[AF_UNITS_UNITMAX + 8], bin[AF_UNITS_UNITMAX + 8], trial[AF_UNITS_UNITMAX + 40];
    snprintf(dec, sizeof dec, "k%s", u + 1);
    snprintf(bin, sizeof bin, "Ki%s", u + 1);
    if (!with_num(h, dec, trial, sizeof trial) || !units_parses(trial, h->dim))
        return false;
    hint_begin(h);
    sb_puts(h->sb, "write ");
    sb_puts(h->sb, dec);
    sb_puts(h->sb, " (1000 ");
    sb_puts(h->sb, u + 1);
    sb_puts(h->sb, ") or ");
    sb_puts(h->sb, bin);
    sb_puts(h->sb, " (1024 ");
    sb_puts(h->sb, u + 1);
    sb_puts(h->sb, ")");
    return true;
}

/* Bits where a size in bytes is expected: "8 Gb". */
static bool hint_bits(af_hint_ctx *h)
{
    if (h->dim != AF_DIM_SIZE)
        return false;
    const char *u = h->s->unit;
    for (size_t i = 0; i < AF_NELEM(u_bits); i++)
        if (strcmp(u, u_bits[i].name) == 0) {
            char bytes[8];
            snprintf(bytes, sizeof bytes, "%.*sB", (int)(strlen(u) - 1), u);
            hint_begin(h);
            sb_putq(h->sb, u);
            sb_puts(h->sb, " counts bits; a size is in bytes: did you mean ");
            sb_putq(h->sb, bytes);
            sb_puts(h->sb, "?");
            return true;
        }
    return false;
}

/* Common non-canonical words and their canonical spelling. */
static const char *const time_words[][2] = {
    {"sec", "s"},           {"secs", "s"},         {"second", "s"},
    {"seconds", "s"},       {"mins", "min"},       {"minute", "min"},
    {"minutes", "min"},     {"hr", "h"},           {"hrs", "h"},
    {"hour", "h"},          {"hours", "h"},        {"day", "d"},
    {"days", "d"},          {"yr", "y"},           {"yrs", "y"},
    {"year", "y"},          {"years", "y"},        {"msec", "ms"},
    {"usec", "us"},         {"nsec", "ns"},        {"millisecond", "ms"},
    {"milliseconds", "ms"}, {"microsecond", "us"}, {"microseconds", "us"},
    {"nanosecond", "ns"},   {"nanoseconds", "ns"},
};
static const char *const data_words[][2] = {
    {"bits", "b"}, {"bit", "b"}, {"bytes", "B"}, {"byte", "B"}, {"Bytes", "B"}, {"Byte", "B"},
};
static const char *const count_words[] = {"op",       "ops", "req", "reqs",
                                          "requests", "IO",  "IOs", "events"};

/* Rewrites one piece of a unit (a time word, a data word suffix) into out. */
static void rewrite_piece(const char *piece, size_t len, char *out, size_t n, bool slash_next)
{
    char tmp[AF_UNITS_UNITMAX + 1];
    snprintf(tmp, sizeof tmp, "%.*s", (int)len, piece);
    for (size_t i = 0; i < AF_NELEM(time_words); i++)
        if (strcmp(tmp, time_words[i][0]) == 0) {
            snprintf(out, n, "%s", time_words[i][1]);
            return;
        }
    if (strcmp(tmp, "percent") == 0 || strcmp(tmp, "pct") == 0) {
        snprintf(out, n, "%%");
        return;
    }
    if (slash_next)
        for (size_t i = 0; i < AF_NELEM(count_words); i++)
            if (strcmp(tmp, count_words[i]) == 0) {
                out[0] = '\0';
                return;
            }
    for (size_t i = 0; i < AF_NELEM(data_words); i++)
        if (ends_with(tmp, data_words[i][0])) {
            size_t keep = strlen(tmp) - strlen(data_words[i][0]);
            snprintf(out, n, "%.*s%s", (int)keep, tmp, data_words[i][1]);
            return;
        }
    if (strlen(tmp) == 4 && strchr("kMB", tmp[0]) && strcmp(tmp + 1, "USD") == 0) {
        snprintf(out, n, "%c USD", tmp[0]);
        return;
    }
    snprintf(out, n, "%s", tmp);
}

/* Non-canonical spellings: "Gbps", "Gbit/s", "GB/sec", "5 hours", "kUSD", "ops/s". */
static bool hint_rewrite(af_hint_ctx *h)
{
    const char *u = h->s->unit;
    char fixed[2 * AF_UNITS_UNITMAX + 24], num[AF_UNITS_UNITMAX + 8], den[AF_UNITS_UNITMAX + 8];
    const char *slash = strchr(u, '/');
    size_t ulen = strlen(u);
    if (!slash && ulen >= 3 && strcmp(u + ulen - 2, "ps") == 0 &&
        (u[ulen - 3] == 'b' || u[ulen - 3] == 'B')) {
        rewrite_piece(u, ulen - 2, num, sizeof num, true);
        snprintf(fixed, sizeof fixed, "%s/s", num);
    } else if (slash) {
        rewrite_piece(u, (size_t)(slash - u), num, sizeof num, true);
        rewrite_piece(slash + 1, strlen(slash + 1), den, sizeof den, false);
        snprintf(fixed, sizeof fixed, "%s/%s", num, den);
    } else {
        rewrite_piece(u, ulen, fixed, sizeof fixed, false);
    }
    char trial[3 * AF_UNITS_UNITMAX + 64];
    if (strcmp(fixed, u) == 0 || !with_num(h, fixed, trial, sizeof trial))
        return false;
    if (fixed[0] == '/' || fixed[0] == '%') /* "3/min", "90%": no space after the number */
        snprintf(trial, sizeof trial, "%s%s", h->num, fixed);
    if (!units_parses(trial, h->dim))
        return false;
    hint_begin(h);
    sb_puts(h->sb, "write ");
    sb_putq(h->sb, trial);
    return true;
}

/* A unit of a neighbouring dimension: a size for a bandwidth, a bandwidth for a size, energy
 * for power, money for a price, or any other dimension. */
static bool hint_dimension(af_hint_ctx *h)
{
    static const char *const fallback[AF_DIM__COUNT] = {
        [AF_DIM_BANDWIDTH] = "a size",
        [AF_DIM_RATE] = "a count",
        [AF_DIM_FLOPS] = "a number of operations",
        [AF_DIM_HOURLY_PRICE] = "an amount of money",
        [AF_DIM_ENERGY] = "a power",
        [AF_DIM_ENERGY_PRICE] = "an amount of money",
        [AF_DIM_CARBON_INTENSITY] = "a mass of carbon",
    };
    const char *u = h->s->unit;
    int other = other_dim(u, h->dim);
    const char *other_noun = other >= 0 ? units_dims[other].noun : NULL;
    char cand[AF_UNITS_UNITMAX + 16], trial[2 * AF_UNITS_UNITMAX + 40];
    const char *needs = "a time";

    /* Missing denominator: "25 GB" for a bandwidth, "5 kW" for an energy. */
    cand[0] = '\0';
    switch (h->dim) {
    case AF_DIM_BANDWIDTH:
    case AF_DIM_RATE:
    case AF_DIM_FLOPS:
        snprintf(cand, sizeof cand, "%s/s", u);
        break;
    case AF_DIM_HOURLY_PRICE:
        snprintf(cand, sizeof cand, "%s/h", u);
        break;
    case AF_DIM_ENERGY:
        if (ends_with(u, "W"))
            snprintf(cand, sizeof cand, "%sh", u);
        break;
    case AF_DIM_ENERGY_PRICE:
        if (strcmp(u, "USD") == 0) {
            snprintf(cand, sizeof cand, "USD/kWh");
            needs = "an energy";
        }
        break;
    case AF_DIM_CARBON_INTENSITY: {
        af_scale sc;
        if (unit_find(AF_DIM_CARBON, u, &sc)) {
            snprintf(cand, sizeof cand, "%s/kWh", u);
            needs = "an energy";
        }
        break;
    }
    default:
        break;
    }
    if (cand[0] && with_num(h, cand, trial, sizeof trial) && units_parses(trial, h->dim)) {
        hint_begin(h);
        hint_subject(h);
        sb_puts(h->sb, " is ");
        sb_puts(h->sb, other_noun ? other_noun : fallback[h->dim]);
        sb_puts(h->sb, "; ");
        sb_puts(h->sb, units_dims[h->dim].noun);
        sb_puts(h->sb, " needs ");
        sb_puts(h->sb, needs);
        sb_puts(h->sb, ", e.g. ");
        hint_example(h, cand);
        return true;
    }

    /* Extra denominator: "25 GB/s" for a size, "5 kWh" for a power. */
    cand[0] = '\0';
    const char *slash = strchr(u, '/');
    if (slash)
        snprintf(cand, sizeof cand, "%.*s", (int)(slash - u), u);
    else if (ends_with(u, "Wh"))
        snprintf(cand, sizeof cand, "%.*s", (int)(strlen(u) - 1), u);
    if (other_noun && cand[0] && with_num(h, cand, trial, sizeof trial) &&
        units_parses(trial, h->dim)) {
        af_scale sc;
        bool energy = slash && unit_find(AF_DIM_ENERGY, slash + 1, &sc); /* "318 kg/kWh" */
        hint_begin(h);
        hint_subject(h);
        sb_puts(h->sb, " is ");
        sb_puts(h->sb, other_noun);
        sb_puts(h->sb, "; ");
        sb_puts(h->sb, units_dims[h->dim].noun);
        sb_puts(h->sb, energy ? " takes no energy unit, e.g. " : " takes no time unit, e.g. ");
        hint_example(h, cand);
        return true;
    }

    /* The same letters in another case are a unit here ("5 T" for tonnes, "5 t" for a count):
     * "did you mean" says more than naming the other dimension. */
    if (!other_noun || unit_case_variant(h->dim, u))
        return false;
    hint_begin(h);
    hint_subject(h);
    sb_puts(h->sb, " is ");
    sb_puts(h->sb, other_noun);
    sb_puts(h->sb, ", not ");
    sb_puts(h->sb, units_dims[h->dim].noun);
    return true;
}

/* Candidate spellings of a dimension, for the "did you mean" hints. */
typedef struct af_cands {
    char text[AF_UNITS_MAXSPELL][AF_UNITS_SPELLMAX];
    const char *ptr[AF_UNITS_MAXSPELL];
    size_t n;
} af_cands;

static void cands_fill(af_cands *c, af_dim dim)
{
    af_scale sc;
    c->n = 0;
    while (c->n < AF_UNITS_MAXSPELL && spell(dim, c->n, c->text[c->n], &sc)) {
        c->ptr[c->n] = c->text[c->n];
        c->n++;
    }
}

/* The same letters in another case ("gb/s"), else an edit-distance near miss ("TFLOP/S"). */
static bool hint_did_you_mean(af_hint_ctx *h)
{
    const char *u = h->s->unit;
    af_cands cands;
    af_cands *c = &cands;
    cands_fill(c, h->dim);
    const char *hits[3];
    size_t nhits = 0;
    for (size_t i = 0; i < c->n && nhits < 3; i++)
        if (units_ieq(c->ptr[i], u))
            hits[nhits++] = c->ptr[i];
    /* Below three letters nearly every unit is one edit from another ("EB" -> "B"), so the
     * list of units in the fallback hint helps more than a guess. */
    if (nhits == 0 && strlen(u) >= 3) {
        const char *best = af_did_you_mean(u, c->ptr, c->n);
        if (best)
            hits[nhits++] = best;
    }
    if (nhits > 0) {
        hint_begin(h);
        sb_puts(h->sb, "did you mean ");
        for (size_t i = 0; i < nhits; i++) {
            if (i > 0)
                sb_puts(h->sb, i + 1 == nhits ? " or " : ", ");
            sb_putq(h->sb, hits[i]);
        }
        sb_puts(h->sb, "?");
    }
    return nhits > 0;
}

static void hint_unit(af_hint_ctx *h)
{
    if (hint_number(h) || !h->s->unit_fits)
        return;
    if (hint_minutes(h) || hint_kilo(h) || hint_bits(h) || hint_rewrite(h) || hint_dimension(h) ||
        hint_did_you_mean(h))
        return;
    hint_begin(h);
    sb_puts(h->sb, "unknown unit ");
    sb_quote(h->sb, h->s->unit, h->s->unit + strlen(h->s->unit));
    sb_puts(h->sb, "; ");
    sb_puts(h->sb, units_dims[h->dim].units);
}

/* No number at the start: "fast", "nan", "$1200", "GB/s". */
static void hint_nonum(af_hint_ctx *h)
{
    const char *p = h->b;
    if (p < h->e && (*p == '+' || *p == '-'))
        p++;
    if (istarts(p, h->e, "nan") || istarts(p, h->e, "inf")) {
        hint_begin(h);
        sb_puts(h->sb, "NaN and infinity are not accepted");
        return;
    }
    bool money =
        h->dim == AF_DIM_MONEY || h->dim == AF_DIM_HOURLY_PRICE || h->dim == AF_DIM_ENERGY_PRICE;
    if (*h->b == '$' && money) {
        af_scan s;
        char trial[2 * AF_UNITS_UNITMAX + 16];
        const char *q = h->b + 1;
        bool ok = false;
        if (h->e - q <= AF_UNITS_UNITMAX) {
            const char *ne = scan_number(q, h->e, &s);
            if (ne != q && unit_normalize(ne, h->e, s.unit) && (!s.unit[0] || s.unit[0] == '/')) {
                snprintf(trial, sizeof trial, "%.*s USD%s", (int)(ne - q), q, s.unit);
                ok = units_parses(trial, h->dim);
            }
        }
        hint_begin(h);
        sb_puts(h->sb, "write amounts in USD, e.g. ");
        sb_putq(h->sb, ok ? trial : units_dims[h->dim].example);
        return;
    }
    char unit[AF_UNITS_UNITMAX + 1];
    af_scale sc;
    if (unit_normalize(h->b, h->e, unit) && unit[0] && unit_find(h->dim, unit, &sc)) {
        hint_begin(h);
        sb_puts(h->sb, "add a number, e.g. ");
        sb_putq(h->sb, units_dims[h->dim].example);
    }
}

static void units_hint(af_sb *sb, af_ucode rc, af_dim dim, const char *b, const char *e,
                       const af_scan *s)
{
    af_hint_ctx h = {.sb = sb, .dim = dim, .s = s, .b = b, .e = e};
    size_t nlen = (size_t)(s->num_e - s->num_b);
    if (nlen > 0 && nlen <= AF_UNITS_SHOWMAX)
        snprintf(h.num, sizeof h.num, "%.*s", (int)nlen, s->num_b);
    else
        snprintf(h.num, sizeof h.num, "1");
    switch (rc) {
    case AF_U_NONUM:
        hint_nonum(&h);
        break;
    case AF_U_NOUNIT:
        hint_begin(&h);
        sb_puts(sb, "add a unit, e.g. ");
        sb_putq(sb, units_dims[dim].example);
        break;
    case AF_U_BADUNIT:
        hint_unit(&h);
        break;
    case AF_U_RANGE:
        hint_begin(&h);
        sb_puts(sb, "the number is out of range");
        break;
    case AF_U_NEGATIVE:
        hint_begin(&h);
        sb_puts(sb, "a count cannot be negative");
        break;
    case AF_U_TOOBIG:
        hint_begin(&h);
        sb_puts(sb, "the largest count is 2^53 = 9007199254740992");
        break;
    case AF_U_OK:
    case AF_U_EMPTY:
    case AF_U_FRACTION:
        break;
    }
}

int af_units_parse(const char *text, af_dim dim, double *out, char *err, size_t errlen)
{
    af_sb sb;
    sb_init(&sb, err, errlen);
    if (!dim_valid(dim)) {
        sb_puts(&sb, "internal error: unknown dimension");
        return -1;
    }
    if (!text)
        text = "";
    const char *b = text, *e = text + strlen(text);
    while (b < e && is_space(*b))
        b++;
    while (e > b && is_space(e[-1]))
        e--;
    af_scan s;
    double v = 0;
    af_ucode rc = parse_span(b, e, dim, &v, &s);
    if (rc == AF_U_OK) {
        if (out) /* NULL only checks the text */
            *out = v;
        return 0;
    }
    sb_puts(&sb, "expected ");
    sb_puts(&sb, units_dims[dim].expected);
    sb_puts(&sb, ", got ");
    sb_quote(&sb, b, e);
    units_hint(&sb, rc, dim, b, e, &s);
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Formatting. */

/* A display unit: the mantissa is the value / 10^p10, followed by suffix. */
typedef struct af_pfx {
    int p10;            /* power of ten of the prefix */
    const char *suffix; /* text after the mantissa, with its leading space if any */
} af_pfx;

static const af_pfx fmt_time_si[] = {{-9, " ns"}, {-6, " us"}, {-3, " ms"}, {0, " s"}};
static const af_pfx fmt_min[] = {{0, " min"}};
static const af_pfx fmt_hour[] = {{0, " h"}};
static const af_pfx fmt_day[] = {{0, " d"}};
static const af_pfx fmt_year[] = {{0, " y"}};
static const af_pfx fmt_size[] = {{0, " B"},  {3, " kB"},  {6, " MB"},
                                  {9, " GB"}, {12, " TB"}, {15, " PB"}};
static const af_pfx fmt_bandwidth[] = {{0, " B/s"},  {3, " kB/s"},  {6, " MB/s"},
                                       {9, " GB/s"}, {12, " TB/s"}, {15, " PB/s"}};
static const af_pfx fmt_rate[] = {{0, "/s"},   {3, " k/s"},  {6, " M/s"},
                                  {9, " G/s"}, {12, " T/s"}, {15, " P/s"}};
static const af_pfx fmt_power[] = {{0, " W"}, {3, " kW"}, {6, " MW"}, {9, " GW"}};
static const af_pfx fmt_joule[] = {{0, " J"}, {3, " kJ"}, {6, " MJ"}};
static const af_pfx fmt_wh[] = {{3, " kWh"}, {6, " MWh"}, {9, " GWh"}, {12, " TWh"}};
static const af_pfx fmt_flops[] = {{0, " FLOP/s"},  {3, " kFLOP/s"},  {6, " MFLOP/s"},
                                   {9, " GFLOP/s"}, {12, " TFLOP/s"}, {15, " PFLOP/s"},
                                   {18, " EFLOP/s"}};
static const af_pfx fmt_money[] = {{0, " USD"}, {3, " k USD"}, {6, " M USD"}, {9, " B USD"}};
static const af_pfx fmt_hourly[] = {
    {0, " USD/h"}, {3, " k USD/h"}, {6, " M USD/h"}, {9, " B USD/h"}};
static const af_pfx fmt_energy_price[] = {{0, " USD/kWh"}};
static const af_pfx fmt_carbon[] = {
    {-3, " g CO2e"}, {0, " kg CO2e"}, {3, " t CO2e"}, {6, " kt CO2e"}, {9, " Mt CO2e"}};
static const af_pfx fmt_carbon_intensity[] = {{0, " kg CO2e/kWh"}};
static const af_pfx fmt_ratio[] = {{0, "%"}};
static const af_pfx fmt_plain[] = {{0, ""}};

/* Rounds x > 0 (finite) to 4 significant digits: x ~ d[0].d[1]d[2]d[3] * 10^*e10. printf rounds
 * correctly; its digits are read back skipping whatever the locale uses as decimal point. */
static void units_sig4(double x, char d[4], int *e10)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.3e", x);
    size_t nd = 0;
    const char *p = tmp;
    for (; *p && *p != 'e' && *p != 'E'; p++)
        if (is_digit(*p) && nd < 4)
            d[nd++] = *p;
    while (nd < 4)
        d[nd++] = '0';
    int ex = 0, sign = 1;
    if (*p)
        p++;
    if (*p == '-' || *p == '+')
        sign = *p++ == '-' ? -1 : 1;
    for (; is_digit(*p); p++)
        ex = ex * 10 + (*p - '0');
    *e10 = sign * ex;
}

static void sb_putint(af_sb *sb, int v)
{
    char tmp[16];
    snprintf(tmp, sizeof tmp, "%d", v);
    sb_puts(sb, tmp);
}

/* Writes d[0].d[1]d[2]d[3] * 10^k without trailing zeros: positional for -4 <= k <= 5, else with
 * an exponent ("1.5e-7", "2e6"). */
static void put_mantissa(af_sb *sb, const char d[4], int k)
{
    int last = 3;
    while (last > 0 && d[last] == '0')
        last--;
    if (k >= 0 && k <= 5) {
        for (int i = 0; i <= k; i++)
            sb_putc(sb, i < 4 ? d[i] : '0');
        if (last > k) {
            sb_putc(sb, '.');
            sb_putn(sb, d + k + 1, (size_t)(last - k));
        }
    } else if (k < 0 && k >= -4) {
        sb_puts(sb, "0.");
        for (int i = 0; i < -k - 1; i++)
            sb_putc(sb, '0');
        sb_putn(sb, d, (size_t)last + 1);
    } else {
        sb_putc(sb, d[0]);
        if (last > 0) {
            sb_putc(sb, '.');
            sb_putn(sb, d + 1, (size_t)last);
        }
        sb_putc(sb, 'e');
        sb_putint(sb, k);
    }
}

/* Writes x > 0 with the largest prefix of t (ascending) not above its magnitude. */
static void put_prefixed(af_sb *sb, double x, const af_pfx *t, size_t n)
{
    if (!isfinite(x)) { /* a finite value whose display unit overflows */
        sb_puts(sb, "inf");
        return;
    }
    char d[4];
    int e10;
    units_sig4(x, d, &e10);
    size_t i = 0;
    while (i + 1 < n && t[i + 1].p10 <= e10)
        i++;
    put_mantissa(sb, d, e10 - t[i].p10);
    sb_puts(sb, t[i].suffix);
}

#define AF_PUT(sb, x, t) put_prefixed((sb), (x), (t), AF_NELEM(t))

char *af_units_format(double value, af_dim dim, char *buf, size_t n)
{
    af_sb sb;
    sb_init(&sb, buf, n);
    if (isnan(value)) {
        sb_puts(&sb, "nan");
        return buf;
    }
    if (isinf(value)) {
        sb_puts(&sb, value < 0 ? "-inf" : "inf");
        return buf;
    }
    if (!dim_valid(dim))
        dim = AF_DIM_NUMBER;
    static const char *const zero[AF_DIM__COUNT] = {
        [AF_DIM_NUMBER] = "0",
        [AF_DIM_COUNT] = "0",
        [AF_DIM_RATIO] = "0%",
        [AF_DIM_TIME] = "0 s",
        [AF_DIM_SIZE] = "0 B",
        [AF_DIM_BANDWIDTH] = "0 B/s",
        [AF_DIM_RATE] = "0/s",
        [AF_DIM_POWER] = "0 W",
        [AF_DIM_ENERGY] = "0 J",
        [AF_DIM_FLOPS] = "0 FLOP/s",
        [AF_DIM_MONEY] = "0 USD",
        [AF_DIM_ENERGY_PRICE] = "0 USD/kWh",
        [AF_DIM_HOURLY_PRICE] = "0 USD/h",
        [AF_DIM_CARBON] = "0 kg CO2e",
        [AF_DIM_CARBON_INTENSITY] = "0 kg CO2e/kWh",
    };
    if (value == 0) {
        sb_puts(&sb, zero[dim]);
        return buf;
    }
    if (value < 0)
        sb_putc(&sb, '-');
    double x = fabs(value);
    switch (dim) {
    case AF_DIM_NUMBER:
    case AF_DIM_COUNT:
        if (x >= 1000 && x < 1e15) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%.0f", x);
            sb_puts(&sb, tmp);
        } else {
            AF_PUT(&sb, x, fmt_plain);
        }
        break;
    case AF_DIM_RATIO:
        AF_PUT(&sb, x * 100, fmt_ratio);
        break;
    case AF_DIM_TIME:
        if (x < 60)
            AF_PUT(&sb, x, fmt_time_si);
        else if (x < 3600)
            AF_PUT(&sb, x / 60, fmt_min);
        else if (x < 86400)
            AF_PUT(&sb, x / 3600, fmt_hour);
        else if (x < AF_YEAR_S)
            AF_PUT(&sb, x / 86400, fmt_day);
        else
            AF_PUT(&sb, x / AF_YEAR_S, fmt_year);
        break;
    case AF_DIM_SIZE:
        AF_PUT(&sb, x, fmt_size);
        break;
    case AF_DIM_BANDWIDTH:
        AF_PUT(&sb, x, fmt_bandwidth);
        break;
    case AF_DIM_RATE:
        AF_PUT(&sb, x, fmt_rate);
        break;
    case AF_DIM_POWER:
        AF_PUT(&sb, x, fmt_power);
        break;
    case AF_DIM_ENERGY:
        if (x < 3.6e6)
            AF_PUT(&sb, x, fmt_joule);
        else
            AF_PUT(&sb, x / 3600, fmt_wh);
        break;
    case AF_DIM_FLOPS:
        AF_PUT(&sb, x, fmt_flops);
        break;
    case AF_DIM_MONEY:
        AF_PUT(&sb, x, fmt_money);
        break;
    case AF_DIM_ENERGY_PRICE:
        AF_PUT(&sb, x * 3.6e6, fmt_energy_price);
        break;
    case AF_DIM_HOURLY_PRICE:
        AF_PUT(&sb, x * 3600, fmt_hourly);
        break;
    case AF_DIM_CARBON:
        AF_PUT(&sb, x, fmt_carbon);
        break;
    case AF_DIM_CARBON_INTENSITY:
        AF_PUT(&sb, x * 3.6e6, fmt_carbon_intensity);
        break;
    case AF_DIM__COUNT:
        break;
    }
    return buf;
}
