/*
 * arrivals: when requests (or ingested data) arrive: a Poisson process whose rate follows a daily
 * profile and periodic bursts, or a recorded trace.
 *
 * The rate at time t (seconds from the start of the run) is
 *     lambda(t) = rate x day(t) x burst(t)
 * where day(t) is 1 without a diurnal profile, else the profile's weight for the hour of day of
 * start_hour + t / 3600 (24 hourly weights whose mean is 1, given, or made from a peak-to-trough
 * ratio as a cosine, see af_arrivals_diurnal), and burst(t) is `factor` during the first burst_s
 * of every period every_s counted from start_s, else 1. So `rate` is the mean over a day outside
 * bursts. Arrivals are a non-homogeneous Poisson process drawn exactly by inverting its
 * integral (the time change of a unit-rate Poisson process, Cinlar 1975): one Exp(1) draw per
 * arrival, spent piece by piece over the stretches where lambda is constant (hours, bursts and
 * the gaps between them), whole days and whole burst periods at once; so a profile however
 * uneven costs at most the hours it crosses, and never more than up to the stream's end. With
 * neither profile nor burst it is one gsl_ran_exponential of mean 1 / rate per arrival.
 *
 * A trace replaces all of that: the arrival times are given (seconds from the start, sorted), with
 * a size per arrival where the trace has one. A run longer than the trace sees no arrivals after
 * its last entry.
 *
 * Deterministic given the rng. Pure computation: no engine, no I/O (the scenario layer reads the
 * trace file).
 */
#ifndef AF_WORKLOAD_ARRIVALS_H
#define AF_WORKLOAD_ARRIVALS_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>

/* How arrivals come. A zeroed configuration with only rate_per_s set is a Poisson process. */
typedef struct af_arrivals_config {
    double rate_per_s;   /* mean rate, per s (> 0 unless a trace is given) */
    bool diurnal;        /* the rate follows hourly[] */
    double hourly[24];   /* relative rate for each hour of the day, mean 1 (diurnal) */
    double start_hour;   /* hour of day at which the run starts, [0, 24) */
    double burst_every_s; /* period of the bursts, s; 0 = no bursts */
    double burst_s;      /* length of each burst, s, (0, burst_every_s] */
    double burst_start_s; /* start of the first burst, s */
    double burst_factor; /* rate multiplier during a burst, > 0 */
    const double *trace_s;    /* trace: arrival times, s, sorted ascending (NULL: no trace) */
    const double *trace_size; /* trace: size of each arrival (bytes, or the caller's unit), or
                               * NULL when the trace gives none */
    size_t trace_n;           /* entries in the trace */
} af_arrivals_config;

/* Fills hourly[] with a cosine day whose busiest hour is peak_hour and whose peak-to-trough
 * ratio is ratio >= 1: weight(h) = 1 + a c(h), c(h) = cos(2 pi (h + 0.5 - peak_hour) / 24)
 * sampled at the middle of each hour, a = (ratio - 1) / (max c - ratio x min c) so that the
 * busiest hour's weight is exactly ratio times the quietest's ((ratio - 1) / ((ratio + 1)
 * cos(pi / 24)) for a peak on the hour), scaled so that the 24 weights average 1. */
void af_arrivals_diurnal(double hourly[24], double ratio, double peak_hour);

/* The rate lambda(t) at time t >= 0, per s (0 with a trace: see af_arrivals_expected). */
double af_arrivals_rate_at(const af_arrivals_config *cfg, double t);

/* The highest rate lambda(t) can reach, per s (what a resource must carry at the busiest
 * moment). */
double af_arrivals_peak_rate(const af_arrivals_config *cfg);

/* The expected number of arrivals in [t0, t1), 0 <= t0 <= t1: the integral of lambda, exact
 * (piecewise constant); with a trace, the entries in [t0, t1). */
double af_arrivals_expected(const af_arrivals_config *cfg, double t0, double t1);

/* Arrivals at or after this time count as none, s (31,700 years: past any run the clock can
 * hold, 292 years of int64 nanoseconds; hour edges stay resolved to 0.1 ms in a double). */
#define AF_ARRIVALS_MAX_S 1e12

/* An arrival stream's state. */
typedef struct af_arrivals {
    const af_arrivals_config *cfg; /* borrowed */
    double t;                      /* time of the last arrival, s */
    double end_s;                  /* the horizon: no arrival at or after it, s */
    double day_n;                  /* expected arrivals in a day, for skipping whole days (a
                                    * profile without bursts; else 0) */
    size_t next;                   /* trace: index of the next entry */
} af_arrivals;

/* Starts a stream at time 0 that ends at end_s >= 0 (the run's duration, s; INFINITY for none,
 * which counts as AF_ARRIVALS_MAX_S). */
void af_arrivals_init(af_arrivals *a, const af_arrivals_config *cfg, double end_s);

/* The time of the next arrival, s (> the last one, or >= it for equal trace entries), or INFINITY
 * when there is none before the end; *size (may be NULL) gets its trace size, or 0 when the trace
 * gives none or there is no trace. Without a trace it draws one exponential from rng a call (none
 * once the end is passed), and walks at most the hours it crosses (a profile with bursts; the end
 * bounds it), two days (a profile alone) or a few pieces (bursts alone). */
double af_arrivals_next(af_arrivals *a, gsl_rng *rng, double *size);

#endif
