/*
 * plan/goal: what `aifsim plan` searches for. Two independent pieces:
 *
 *   goals        an expression of metric comparisons joined by "and",
 *                "train.llm.gpu_utilization >= 90% and inference.recsys.latency_p99 <= 50 ms":
 *                each metric must be one of base/metrics.h (any instance name), each right side a
 *                quantity of that metric's dimension (base/units.h), so "50 ms" for a latency and
 *                "90%" for a utilization are read in SI units like everything else. A goal is
 *                judged on one run's value or, over replications, on the bound of its confidence
 *                interval on the far side of the threshold: ">= 90%" holds when the lower bound
 *                is at least 90%, "<= 50 ms" when the upper bound is at most 50 ms. The right
 *                side may instead name another metric of the same dimension ("mlperf_au >=
 *                mlperf_au_min", a threshold a run computes): the goal is then judged on the
 *                difference, run by run.
 *   the search   over the n values of one knob (index 0 the cheapest), assuming the goals are
 *                monotone in it: "the fewest nodes that meet the goals" (goals fail below some
 *                index and hold from it on) or "the most GPUs the goals allow" (goals hold up to
 *                some index and fail above it). Galloping from index 0 (probes 0, 1, 3, 7, ...)
 *                finds the first probe on the far side in O(log k) runs, k the answer's index,
 *                then bisection between the last probe on the near side and it (Bentley and Yao,
 *                "An almost optimal algorithm for unbounded searching", IPL 5(3), 1976). Every
 *                run goes through a caller's function, so the search knows nothing of scenarios.
 *
 * Layering: base/ only.
 */
#ifndef AF_PLAN_GOAL_H
#define AF_PLAN_GOAL_H

#include "base/diag.h"
#include "base/metrics.h"
#include "base/units.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- Goals ----------------------------------------------------------------------------------- */

/* Most goals of one expression. */
#define AF_GOAL_MAX 16

typedef enum { AF_GOAL_GE, AF_GOAL_LE, AF_GOAL_GT, AF_GOAL_LT } af_goal_op;

/* One comparison. */
typedef struct af_goal {
    char *metric;  /* the metric's full name, "train.llm.gpu_utilization" (owned) */
    af_goal_op op; /* the comparison */
    char *ref;     /* the metric compared with, when the right side names one
                    * ("train.unet3d.mlperf_au_min"): the goal is then metric - ref OP 0 on each
                    * run; NULL when the right side is a quantity (owned) */
    double value;  /* the threshold in SI base units of dim (0.9 for "90%"); 0 with ref */
    af_dim dim;    /* the metric's dimension (base/metrics.h) */
    char *text;    /* the goal as written, normalized: "train.llm.gpu_utilization >= 90%" (owned) */
} af_goal;

/* The goals of one or more expressions. */
typedef struct af_goals {
    af_goal g[AF_GOAL_MAX];
    size_t n;
} af_goals;

void af_goals_init(af_goals *gs);
void af_goals_fini(af_goals *gs);

/* Parses expr ("M OP QUANTITY [and M OP QUANTITY]...", OP one of >= <= > <) and appends its goals.
 * Returns AF_OK, or AF_EINPUT with every mistake in d, each naming the goal: an empty or
 * malformed comparison (no operator, no metric, no value, "=" or "=="), a metric that
 * base/metrics.h does not define (with "did you mean" over the defined names, the user's instance
 * put in), a text metric, a value that is not a quantity of the metric's dimension (units.h's
 * message), more than AF_GOAL_MAX goals. gs keeps the goals parsed before a mistake. */
int af_goals_parse(af_goals *gs, const char *expr, af_diag *d);

/* The metric of base/metrics.h nearest to name (unknown there), with name's instance put into
 * the instanced ones ("train.llm.gpu_utilisation" -> "train.llm.gpu_utilization"), for "did you
 * mean"; NULL when none is close. A new string (af_free). */
char *af_goal_metric_near(const char *name);

/* "<=" for AF_GOAL_LE and so on. */
const char *af_goal_op_text(af_goal_op op);

/* Whether goal g holds for a value x (one run, or the right bound of an interval: the lower for
 * >= and >, the upper for <= and <). A NaN never holds. */
bool af_goal_holds(const af_goal *g, double x);

/* The bound of [lo, hi] a goal is judged on: lo for >= and >, hi for <= and <. */
double af_goal_bound(const af_goal *g, double lo, double hi);

/* ---- The search ------------------------------------------------------------------------------ */

/* How the goals depend on the knob's index. */
typedef enum {
    AF_SEARCH_FEWEST, /* fail below the answer, hold from it on: the smallest index that holds */
    AF_SEARCH_MOST,   /* hold up to the answer, fail above it: the largest index that holds */
} af_search_dir;

/* Runs the configuration of index i (< n) and says whether every goal holds (*pass). Returns
 * AF_OK, or a status that stops the search and is returned by af_search. */
typedef int (*af_search_eval)(void *ctx, size_t i, bool *pass);

/* The outcome of a search. NONE marks an index that does not exist. */
#define AF_SEARCH_NONE ((size_t)-1)
typedef struct af_search_result {
    bool found;  /* some index holds */
    size_t pass; /* the answer: the index that holds next to the boundary, or NONE */
    size_t fail; /* its neighbour on the other side that fails (answer - 1 for FEWEST, answer + 1
                    for MOST), or NONE when the answer is an end of the range; when nothing
                    holds, the index tried last on the failing side */
    size_t runs; /* evaluations made */
} af_search_result;

/* Finds the boundary over indexes 0..n-1 (n >= 1) by galloping from 0 then bisection, evaluating
 * each index at most once, and fills *out. Returns AF_OK, or the first status eval returned that
 * was not AF_OK (*out then holds the runs made). The answer is exact when the goals are monotone;
 * when they are not, it is one boundary of the monotone kind. */
int af_search(size_t n, af_search_dir dir, af_search_eval eval, void *ctx, af_search_result *out);

#endif
