/*
 * reliability: failures, checkpoint intervals and stragglers of a job that runs in lock step on
 * many components (doc/formulas.md, "Checkpoints and failures"). Pure functions of their
 * arguments and, for the draws, of a GSL generator; nothing here knows the simulator, so the
 * training workload decides when to draw and what a failure or a slow step does to it.
 *
 * Checkpoint interval. A job needs T_s seconds of computation (the solve time). It computes for
 * tau seconds, then writes a checkpoint for delta seconds, and so on; a failure loses the work
 * since the last complete checkpoint, and the job restarts from it after R seconds. Failures
 * form a Poisson process of rate 1/M in wall-clock time (M the job's mean time between
 * failures), so they can strike while the job computes, while it writes a checkpoint (that
 * checkpoint is lost with the segment) and while it restarts (the restart begins again). Under
 * these assumptions, with the job cut into T_s/tau segments of tau + delta each, the expected
 * wall-clock time is
 *
 *     T_w(tau) = M e^(R/M) (e^((tau + delta)/M) - 1) T_s / tau
 *
 * (Daly, "A higher order estimate of the optimum checkpoint interval for restart dumps", Future
 * Generation Computer Systems 22(3):303-312, 2006). It is exact when T_s/tau is a whole number:
 * a segment of length L = tau + delta needs a failure-free stretch of L; each failure costs the
 * time lost before it plus a restart that itself needs a failure-free stretch of R, and summing
 * over the geometric number of failures gives M e^(R/M) (e^(L/M) - 1) per segment. Its minimum is
 * at tau* = M (1 + W0(-e^(-1 - delta/M))), W0 the principal branch of Lambert's W (Corless et
 * al., "On the Lambert W function", Adv. Comput. Math. 5:329-359, 1996), from setting the
 * derivative to 0: e^((tau + delta)/M) (1 - tau/M) = 1. R and T_s scale T_w and do not move
 * the optimum. Young's first-order interval sqrt(2 delta M) ("A first order approximation to
 * the optimum checkpoint interval", CACM 17(9):530-531, 1974) and Daly's perturbation series
 * approximate tau*; with s = sqrt(delta / (2M)), series reversion of the stationarity condition
 * gives tau* / M = 2s - (4/3)s^2 + (2/9)s^3 + (8/135)s^4 + (1/135)s^5 - ..., of which Daly keeps
 * the first three terms, so his tau is low by about (8/135) s^4 M, a relative (4/135) s^3
 * (2e-6 at delta = 5 min, M = 24 h).
 *
 * Failures of a group. A component class (GPU, node, switch) fails after a lifetime that is
 * exponential with mean m (memoryless) or Weibull with shape k and scale lambda = m /
 * Gamma(1 + 1/k) (Weibull, "A statistical distribution function of wide applicability", J.
 * Appl. Mech. 18(3):293-297, 1951; Rinne, "The Weibull Distribution: A Handbook", CRC 2009).
 * k < 1 is a falling hazard rate (infant mortality), which Schroeder and Gibson found in the
 * times between failures of LANL's clusters ("A large-scale study of failures in
 * high-performance computing systems", DSN 2006); k = 1 is the exponential. A lock-step job
 * stops at the first failure of any of its n components. The minimum of n independent
 * lifetimes with survival function S has survival S^n (David and Nagaraja, "Order
 * Statistics", 3rd ed., Wiley 2003, sec. 2.1), which for the exponential is exponential with
 * mean m/n and for the Weibull is Weibull with the same shape and scale lambda n^(-1/k), since
 * exp(-(t/lambda)^k)^n = exp(-(t / (lambda n^(-1/k)))^k); its mean is m n^(-1/k). So the time
 * to a group's first failure is one draw, O(1) whatever n.
 *
 * Renewal. After a failure is repaired the caller draws the next first failure afresh, which
 * treats the whole group as new again. For the exponential that is exact (the survivors have
 * no memory); for a Weibull with k != 1 it is exact only for a group that starts new together
 * (a fresh cluster, a batch of replaced parts). A population that has run for a long time with
 * each failed part replaced is instead a superposition of n renewal processes, which for large
 * n approaches a Poisson process of rate n/m whatever the lifetime law (the Palm-Khintchine
 * theorem; Cox, "Renewal Theory", Methuen 1962): model that with the exponential of the same
 * mean. The two differ widely for k != 1 (k = 0.7, n = 16384: a new group's mean first failure
 * is m n^(-1/0.7), 64 times shorter than m/n).
 *
 * Causes. A published breakdown of interruptions by cause (doc/formulas.md gives the Llama 3
 * table of Dubey et al., arXiv:2407.21783, 2024) becomes weights, and af_cause_pick names the
 * cause of each failure in proportion.
 *
 * Stragglers. A lock-step group of n members waits for its slowest member each step, so a step
 * lasts max(X_1, ..., X_n) for member step times X_i iid with CDF F. That maximum has CDF F^n
 * (David and Nagaraja sec. 2.1), so F^(-1)(U^(1/n)) with U uniform on (0, 1) draws it in O(1)
 * (inversion: F^n(x) <= u exactly when F(x) <= u^(1/n)). Member step times are normal (mean,
 * sd; meant for a small coefficient of variation, where a negative draw has negligible
 * probability) or lognormal (parameters of ln X, or af_straggler_lognormal from the mean and
 * coefficient of variation).
 */
#ifndef AF_MODEL_RELIABILITY_H
#define AF_MODEL_RELIABILITY_H

#include "base/diag.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>

/* ---- checkpoint intervals ------------------------------------------------------------------
 * Every function returns NaN when an argument is outside its stated domain (negative, zero where
 * it must be positive, or not finite), so a bad figure shows in a report instead of passing as a
 * number. */

/* Young's first-order interval between checkpoints: sqrt(2 delta_s mtbf_s), s. delta_s >= 0 is
 * the time to write one checkpoint, mtbf_s > 0 the job's mean time between failures. */
double af_young_interval_s(double delta_s, double mtbf_s);

/* Daly's higher-order interval, s: for delta_s < 2 mtbf_s,
 * sqrt(2 delta M) [1 + (1/3) sqrt(delta / (2M)) + (1/9) delta / (2M)] - delta; mtbf_s itself
 * for delta_s >= 2 mtbf_s (Daly's rule where the series no longer applies). delta_s >= 0,
 * mtbf_s > 0. */
double af_daly_interval_s(double delta_s, double mtbf_s);

/* Daly's expected wall-clock time of a job needing solve_s seconds of computation, checkpointed
 * every tau_s seconds of computation at delta_s seconds each, restarting in restart_s seconds,
 * under Poisson failures of mean interval mtbf_s striking at any time (computing, checkpointing,
 * restarting): M e^(R/M) (e^((tau + delta)/M) - 1) T_s / tau, s. Exact when solve_s / tau_s is
 * a whole number (every segment, the last included, ends with a checkpoint); otherwise it counts
 * a fractional last segment. solve_s >= 0, tau_s > 0, delta_s >= 0, restart_s >= 0,
 * mtbf_s > 0. */
double af_daly_wall_s(double solve_s, double tau_s, double delta_s, double restart_s,
                      double mtbf_s);

/* First-order overhead of checkpoints and failures per second of solve time,
 * delta/tau + (tau + delta)/(2M) + R/M (dimensionless): the expansion of
 * af_daly_wall_s / T_s - 1 to first order in delta/tau, tau/M, delta/M and R/M. It never exceeds
 * the exact value and falls short of it by at most the square of itself while that is <= 0.3.
 * tau_s > 0, delta_s >= 0, restart_s >= 0, mtbf_s > 0. */
double af_waste_first_order(double tau_s, double delta_s, double restart_s, double mtbf_s);

/* The interval that minimizes af_daly_wall_s, s, found numerically (GSL's Brent minimizer,
 * bracketed by a sixteenth and sixteen times Daly's interval), to compare with the closed forms.
 * restart_s does not move the optimum (it scales T_w by e^(R/M)) but is passed to
 * af_daly_wall_s as is. The result is as close to tau* as the flat minimum lets a double tell:
 * at the optimum T_w'' = T_w / (M tau*), so moving tau by a relative sqrt(16 eps M / tau*)
 * (eps = 2.2e-16) changes T_w by less than the few ulps of its rounding; that is 2e-7 at
 * delta = 5 min, M = 24 h. The minimizer itself stops at a bracket of 1e-8 relative.
 * delta_s > 0, restart_s >= 0, mtbf_s > 0; NaN for delta >= 699 M, where
 * e^((tau + delta)/M) nears the largest double. */
double af_best_interval_s(double delta_s, double restart_s, double mtbf_s);

/* Mean time between failures of a job on n independent components whose lifetimes are
 * exponential with mean component_mtbf_s: component_mtbf_s / n, s. component_mtbf_s > 0,
 * n > 0. */
double af_job_mtbf_s(double component_mtbf_s, double n);

/* ---- failure processes --------------------------------------------------------------------- */

/* The lifetime law of one component. */
typedef enum {
    AF_FAIL_EXPONENTIAL, /* memoryless, constant hazard 1 / mean */
    AF_FAIL_WEIBULL      /* shape k: hazard falling (k < 1), constant (1) or rising (k > 1) */
} af_failure_dist;

/* How one component of a class fails. Plain data that the catalog or a scenario fills. */
typedef struct af_failure_spec {
    af_failure_dist dist; /* the lifetime law */
    double mean_s;        /* mean lifetime (MTBF), s, > 0 */
    double shape;         /* Weibull shape k, in [AF_FAIL_SHAPE_MIN, AF_FAIL_SHAPE_MAX]; ignored
                           * for the exponential */
} af_failure_spec;

/* The Weibull shapes accepted: wide enough for infant mortality (k < 1) and wear-out (k > 1)
 * alike, narrow enough that Gamma(1 + 1/k) (at most 10! = 3.6e6, at k = 0.1) and n^(-1/k) stay
 * well inside a double. */
#define AF_FAIL_SHAPE_MIN 0.1
#define AF_FAIL_SHAPE_MAX 20.0

/* Checks a spec; adds one error per problem to d, naming it `what` (e.g. "failures.gpu"), and
 * returns AF_OK or AF_EINPUT. The draws below assume a spec that passed. */
int af_failure_check(const af_failure_spec *f, const char *what, af_diag *d);

/* Scale of one component's lifetime, s: the mean for the exponential, mean / Gamma(1 + 1/k)
 * for the Weibull. */
double af_failure_scale_s(const af_failure_spec *f);

/* Mean time to the first failure among n > 0 new independent components, s: mean / n for the
 * exponential, mean n^(-1/k) for the Weibull. */
double af_failure_group_mean_s(const af_failure_spec *f, double n);

/* Draws the time to the first failure among n > 0 new independent components, s, in O(1)
 * whatever n: exponential with mean mean_s / n, or Weibull with shape k and scale
 * scale n^(-1/k). Renewal after a repair is the caller's: it draws again (see the opening
 * comment for when that is exact). */
double af_failure_first_s(const af_failure_spec *f, double n, gsl_rng *r);

/* Picks a cause among n by weight (e.g. interruption counts of a published breakdown): index i
 * with probability weights[i] / sum, O(n). Weights are finite and >= 0 with a positive sum; a
 * zero weight is never picked. Returns n when no weight is positive. */
size_t af_cause_pick(const double *weights, size_t n, gsl_rng *r);

/* ---- stragglers ---------------------------------------------------------------------------- */

/* The law of one member's step time. */
typedef enum {
    AF_STEP_NORMAL,   /* mu = mean, sigma = standard deviation, s */
    AF_STEP_LOGNORMAL /* ln(step time) is normal with mean mu (ln s) and sd sigma */
} af_straggler_dist;

/* Step time of one member of a lock-step group. */
typedef struct af_straggler_spec {
    af_straggler_dist dist; /* normal or lognormal */
    double mu;              /* normal: mean step time, s; lognormal: mean of ln(step time) */
    double sigma;           /* normal: sd, s; lognormal: sd of ln(step time); >= 0 */
} af_straggler_spec;

/* The lognormal member step time with mean mean_s > 0 and coefficient of variation cv >= 0:
 * sigma^2 = ln(1 + cv^2), mu = ln(mean_s) - sigma^2 / 2. */
af_straggler_spec af_straggler_lognormal(double mean_s, double cv);

/* Checks a spec (finite mu, finite sigma >= 0); adds errors to d naming `what`, returns AF_OK or
 * AF_EINPUT. The functions below assume a spec that passed. */
int af_straggler_check(const af_straggler_spec *s, const char *what, af_diag *d);

/* The p-quantile of the slowest of n >= 1 members' step times, s: F^(-1)(p^(1/n)), p in
 * (0, 1). n = 1 gives the member's own quantile. */
double af_straggler_max_quantile(const af_straggler_spec *s, double n, double p);

/* Draws the slowest of n >= 1 members' step times, s, in O(1): the max quantile at a uniform
 * draw U in (0, 1). n = 1 draws the member's own step time. */
double af_straggler_max_draw(const af_straggler_spec *s, double n, gsl_rng *r);

/* Expected slowest step time of n >= 1 members, s, by numerical integration over the standard
 * normal z: the integral of g(z) n Phi(z)^(n-1) phi(z) dz with g(z) = mu + sigma z (normal) or
 * e^(mu + sigma z) (lognormal), to about 1e-10 relative (1e-13 sigma where the mean is near 0).
 * For reports and tests; NaN if the quadrature fails. n = 1 gives the member's mean. */
double af_straggler_expected_max(const af_straggler_spec *s, double n);

#endif
