/*
 * units: the one parser and the one formatter for quantities with units.
 *
 * Inside aifsim every quantity is a double in SI base units: seconds, bytes, bytes per second,
 * operations per second, watts, joules, FLOP/s, USD, USD per joule, USD per second, and plain
 * ratios. Conversion happens only here, at the edges.
 *
 * Accepted input (doc/architecture.md, "Units"; aifsim-scenario(5), UNITS):
 *   time        ns us ms s min h d y        ("90 d"; a bare "m" is refused as ambiguous)
 *   size        B kB MB GB TB PB, KiB MiB GiB TiB PiB   ("61.44 TB")
 *   bandwidth   b/s kb/s Mb/s Gb/s Tb/s (bits) and B/s kB/s MB/s GB/s TB/s, KiB/s.. (bytes)
 *   rate        "10000/s", "2 M/s", "5 k/s", "3/min", "100/h"
 *   power       W kW MW;  energy  J kJ MJ Wh kWh MWh GWh
 *   flops       FLOP/s kFLOP/s ... PFLOP/s  (also TFLOPS as written on datasheets)
 *   money       USD, "1.2 M USD", "$1200" is refused: write "1200 USD"
 *   energy price USD/kWh USD/MWh; hourly price USD/h; ratio "0.9" or "90%"
 *   count       plain integers with optional exponent or binary suffix: "70e9", "4Mi", "128"
 *   number      plain real numbers: "0.4", "70e9"
 * `k M G T P` are powers of 1000; `Ki Mi Gi Ti Pi` are powers of 1024. `b` is a bit, `B` a byte.
 * Whitespace between number and unit is optional. NaN, infinity, and numbers that overflow a
 * double are errors. Negative values are parsed (callers check their own ranges).
 */
#ifndef AF_BASE_UNITS_H
#define AF_BASE_UNITS_H

#include <stddef.h>

/* Seconds in a year as af_units_parse reads "y": 365 days of 86,400 s (no leap years). */
#define AF_YEAR_S (365.0 * 86400)

/* The dimension a field expects. */
typedef enum {
    AF_DIM_NUMBER,       /* a plain real number, no unit */
    AF_DIM_COUNT,        /* a non-negative whole number; accepts 70e9, 4Mi, 2k */
    AF_DIM_RATIO,        /* dimensionless: "0.9" or "90%" -> 0.9 */
    AF_DIM_TIME,         /* seconds */
    AF_DIM_SIZE,         /* bytes */
    AF_DIM_BANDWIDTH,    /* bytes per second */
    AF_DIM_RATE,         /* events (operations, requests) per second */
    AF_DIM_POWER,        /* watts */
    AF_DIM_ENERGY,       /* joules */
    AF_DIM_FLOPS,        /* floating-point operations per second */
    AF_DIM_MONEY,        /* US dollars */
    AF_DIM_ENERGY_PRICE, /* USD per joule (input as USD/kWh) */
    AF_DIM_HOURLY_PRICE, /* USD per second (input as USD/h) */
    AF_DIM_CARBON,       /* kg CO2e (input as g, kg or t, with or without "CO2e") */
    AF_DIM_CARBON_INTENSITY, /* kg CO2e per joule (input as kg/kWh or g/kWh) */
    AF_DIM__COUNT
} af_dim;

/* Parses `text` as a quantity of dimension `dim` into SI base units. On success stores the value
 * in *out and returns 0. On failure returns -1, leaves *out unchanged, and writes into err (size
 * errlen, always NUL-terminated) the message that follows "field: " in a diagnostic, in the form
 *     expected a bandwidth such as "25 GB/s", got "25 GB"
 * with a hint where one helps (a bare number for a dimensioned field: `add a unit, e.g. "25 GB/s"`;
 * "m": `"m" is ambiguous: write "min" for minutes`; bits for bytes or the reverse, etc.). */
int af_units_parse(const char *text, af_dim dim, double *out, char *err, size_t errlen);

/* Formats `value` (SI base units) for people, choosing a prefix so that the mantissa is in
 * [1, 1000) and printing up to 4 significant digits without trailing zeros: "25 GB/s",
 * "61.44 TB", "700 W", "1.5 h", "90%", "0.12 USD/kWh". Times pick among ns us ms s min h d.
 * Sizes use decimal prefixes. Writes into buf (size n, NUL-terminated) and returns buf. */
char *af_units_format(double value, af_dim dim, char *buf, size_t n);

/* The SI base unit of a dimension, as used in machine-readable output: "s", "B", "B/s", "1/s",
 * "W", "J", "FLOP/s", "USD", "USD/J", "USD/s", "1" (ratio, number, count). */
const char *af_units_si(af_dim dim);

/* A noun phrase with an example, for "expected ..." messages: "a bandwidth such as \"25 GB/s\"". */
const char *af_units_expected(af_dim dim);

#endif
