/*
 * Validation of the training step model (workload/train.c, "The step") through the whole
 * simulation, against the closed forms of model/collective.h and model/reliability.h:
 * - alone on its links, a step's gradient all-reduce takes exactly the hierarchical alpha-beta
 *   time (NVLink reduce-scatter and all-gather, ring or tree across nodes at each GPU's NIC share),
 *   and its bus bandwidth is what nccl-tests would report;
 * - with an overlap share o the exposed part is (1 - o) of it, and the step lasts the compute
 *   plus that;
 * - a pipeline of p stages and m micro-batches idles (p - 1) / (m + p - 1) of each step;
 * - each step waits for the slowest of the pool's nodes: the straggler share matches the expected
 *   maximum of n lognormal factors within its confidence interval;
 * - the parts of the time add up to the run.
 * The jobs are compute-bound (1 kB batches), so nothing else shares the links.
 */
#include "tests/validation/sharing.h"

#include "model/collective.h"
#include "model/fabric.h"
#include "model/reliability.h"

/* One pool of `nodes` 8-GPU nodes with 8 x 50 GB/s compute NICs (1 us) and 450 GB/s NVLink
 * per GPU (0.5 us), training a model of `params` parameters in 1 s steps. */
static void step_world(af_fixture *f, int64_t nodes, double params, int tp, int pp, int m,
                       double overlap, af_coll_algo algo, double duration_s)
{
    af_fix_init(f, nodes, 1, 1e12, 1e3, 1.0, duration_s);
    af_node_spec *n = &f->pools[0].node;
    n->nic = (af_link_spec){.name = "nic", .rate_Bps = 50e9, .latency_s = 1e-6};
    n->nics = 8;
    n->nvlink = (af_link_spec){.name = "nvlink", .rate_Bps = 450e9, .latency_s = 0.5e-6};
    af_train_config *t = &f->trains[0];
    t->params = params;
    t->tp = tp;
    t->pp = pp;
    t->microbatches = m;
    t->grad_bytes_per_param = 2;
    t->coll_algo = algo;
    t->overlap = overlap;
}

/* The closed form of the job's all-reduce. */
static double step_alone(double nodes, double params, int tp, int pp, af_coll_algo algo)
{
    int g = 8 / tp;
    double dp = nodes * 8 / (tp * pp);
    af_coll_hier h = {.nodes = (int)(dp / g),
                      .gpus_per_node = g,
                      .intra_alpha_s = 0.5e-6,
                      .intra_Bps = 450e9,
                      .inter_alpha_s = 1e-6,
                      .nics_per_node = g,
                      .nic_Bps = 50e9,
                      .inter_algo = algo};
    af_coll_hier_cost c;
    return af_coll_hier_allreduce(&h, params * 2 / (tp * pp), &c);
}

/* Alone, the all-reduce takes its closed-form time to the nanosecond, exposed by (1 - o). */
static void test_allreduce_alone(void)
{
    const struct {
        int64_t nodes;
        int tp, pp;
        double overlap;
        af_coll_algo algo;
    } cases[] = {{16, 8, 1, 0, AF_COLL_RING},  {16, 2, 1, 0.5, AF_COLL_RING},
                 {64, 1, 2, 0.9, AF_COLL_TREE}, {4, 4, 1, 1, AF_COLL_RING},
                 {1, 1, 1, 0, AF_COLL_RING}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        af_fixture f;
        double params = 7e9;
        step_world(&f, cases[i].nodes, params, cases[i].tp, cases[i].pp, 1, cases[i].overlap,
                   cases[i].algo, 600);
        af_results *r = af_run(&f);
        double want = step_alone((double)cases[i].nodes, params, cases[i].tp, cases[i].pp,
                                 cases[i].algo);
        /* Each phase is rounded to the nanosecond on the clock. */
        AF_ASSERT_REL(af_get(r, "train.job.allreduce_time"), want, 4e-9 / want);
        double dp = (double)cases[i].nodes * 8 / (cases[i].tp * cases[i].pp);
        AF_ASSERT_REL(af_get(r, "train.job.allreduce_busbw"),
                      params * 2 / (cases[i].tp * cases[i].pp) / want * 2 * (dp - 1) / dp, 1e-6);
        /* One micro-batch per step: a pipeline of p stages idles (p - 1) / p of it. */
        double b = af_pipeline_bubble(cases[i].pp, 1);
        double exposed = (1 - cases[i].overlap) * want;
        double step = 1 / (1 - b) + exposed;
        printf("\n  case %zu: all-reduce %.9f s (closed form %.9f), step %.9f s (want %.9f)", i,
               af_get(r, "train.job.allreduce_time"), want, af_get(r, "train.job.time_per_step"),
               step);
        /* The first batch's fetch (a few microseconds) delays every step's end by its share. */
        AF_ASSERT_REL(af_get(r, "train.job.time_per_step"), step, 1e-6);
        AF_ASSERT_REL(af_get(r, "train.job.exposed_communication"),
                      af_get(r, "train.job.steps") * exposed / 600, 1e-6 + step / 600);
        af_results_free(r);
    }
}

/* The pipeline bubble idles (p - 1) / (m + p - 1) of each step; without data parallelism there
 * is no all-reduce. */
static void test_pipeline_bubble(void)
{
    af_fixture f;
    step_world(&f, 4, 7e9, 8, 4, 12, 0, AF_COLL_RING, 3600); /* dp = 1 */
    af_results *r = af_run(&f);
    double b = af_pipeline_bubble(4, 12);
    CU_ASSERT_DOUBLE_EQUAL(b, 3.0 / 15, 1e-15);
    printf("\n  bubble: step %.9f s (want %.9f)\n", af_get(r, "train.job.time_per_step"),
           1 / (1 - b));
    AF_ASSERT_REL(af_get(r, "train.job.time_per_step"), 1 / (1 - b), 1e-6);
    double steps = af_get(r, "train.job.steps");
    AF_ASSERT_REL(af_get(r, "train.job.pipeline_bubble"), steps * b / (1 - b) / 3600, 1e-6);
    CU_ASSERT_PTR_NULL(af_results_find(r, "train.job.allreduce_time"));
    af_results_free(r);
}

/* Each step waits for the slowest node: the straggler share per step matches the expected
 * maximum of n lognormal factors of mean 1 within its 99.9% interval; the parts add up. */
static void test_stragglers(void)
{
    const int64_t nodes[] = {1, 16, 256};
    for (size_t i = 0; i < 3; i++) {
        af_fixture f;
        step_world(&f, nodes[i], 7e9, 8, 1, 1, 0, AF_COLL_RING, 20000);
        f.trains[0].grad_bytes_per_param = 0; /* no all-reduce: the step is compute alone */
        f.trains[0].straggler_cv = 0.05;
        af_results *r = af_run(&f);
        double steps = af_get(r, "train.job.steps");
        double strag = af_get(r, "train.job.straggler_wait") * 20000 / steps; /* s per step */
        af_straggler_spec sp = af_straggler_lognormal(1, 0.05);
        double want = af_straggler_expected_max(&sp, (double)nodes[i]) - 1;
        /* Per-step factor sd: at most the member's (0.05); its mean over the steps is within
         * 3.29 sd / sqrt(steps). With one node the wait is max(0, f - 1), whose mean is the
         * positive part's: bounded by E|f - 1| / 2 + (E f - 1) = 0.05 x sqrt(2/pi) / 2 + 0. */
        if (nodes[i] == 1) {
            CU_ASSERT(strag > 0 && strag <= 0.05 * sqrt(2 / 3.141592653589793) / 2 + 3.29 * 0.05 / sqrt(steps));
        } else {
            CU_ASSERT(fabs(strag - want) <= 3.29 * 0.05 / sqrt(steps));
        }
        printf("\n  %lld nodes: straggler wait %.5f s per 1 s step, expected max - 1 = %.5f",
               (long long)nodes[i], strag, want);
        double parts = af_get(r, "train.job.gpu_utilization") + af_get(r, "train.job.data_wait") +
                       af_get(r, "train.job.straggler_wait");
        AF_ASSERT_REL(parts, 1, 1e-9);
        af_results_free(r);
    }
    printf("\n");
}

/* Tensor- and pipeline-parallel traffic: four activation all-reduces per layer per micro-batch
 * among the tensor ranks over NVLink, and each micro-batch's activations and gradients between
 * stages over the NICs, add to every step as exposed communication. */
static void test_model_parallel_traffic(void)
{
    af_fixture f;
    step_world(&f, 4, 7e9, 8, 4, 16, 0, AF_COLL_RING, 3600); /* dp = 1: no all-reduce */
    af_train_config *t = &f.trains[0];
    t->layers = 32;
    t->hidden = 4096;
    t->tokens_per_step = 1 << 20;
    af_results *r = af_run(&f);
    double mb_B = (1 << 20) / 16.0 * 4096 * 2;
    double tp_s = 4.0 * 32 / 4 * 16 *
                  (2 * 7 * 0.5e-6 + 2.0 * 7 / 8 * mb_B / 450e9); /* ring over 8 ranks */
    double pp_s = 2.0 * 16 * (1e-6 + mb_B / 8 / 50e9);
    double b = af_pipeline_bubble(4, 16);
    double step = 1 / (1 - b) + tp_s + pp_s;
    printf("\n  tensor %.6f s + pipeline %.6f s per step; step %.6f s (want %.6f)\n", tp_s, pp_s,
           af_get(r, "train.job.time_per_step"), step);
    AF_ASSERT_REL(af_get(r, "train.job.time_per_step"), step, 1e-6);
    double steps = af_get(r, "train.job.steps");
    AF_ASSERT_REL(af_get(r, "train.job.exposed_communication"), steps * (tp_s + pp_s) / 3600,
                  1e-6);
    double parts = af_get(r, "train.job.gpu_utilization") + af_get(r, "train.job.data_wait") +
                   af_get(r, "train.job.exposed_communication") +
                   af_get(r, "train.job.pipeline_bubble");
    AF_ASSERT_REL(parts, 1, 1e-9);
    af_results_free(r);
}

/* On an oversubscribed fat-tree backend the all-reduce shares the leaves' uplinks: its flow
 * group runs at the narrowest stage of the pool's path (af_fabric_stages: NICs, uplinks, spine,
 * downlinks) over its GPUs, slower than alone by exactly that ratio. */
static void test_allreduce_on_shared_fabric(void)
{
    af_fixture f;
    step_world(&f, 64, 7e9, 8, 1, 1, 0, AF_COLL_RING, 600); /* 64 nodes x 8 NICs, dp 64 */
    af_fabric_config *fc = &f.fabrics[0];
    f.fabric_pools[0] = 0;
    *fc = (af_fabric_config){.name = "be",
                             .spec = {.name = "be",
                                      .topology = AF_FABRIC_FAT_TREE,
                                      .sw = {.name = "sw",
                                             .ports = 64,
                                             .port_rate_Bps = 50e9,
                                             .typical_W = 1000,
                                             .max_W = 1500,
                                             .rack_units = 1,
                                             .price_usd = 20000},
                                      .oversubscription = 4},
                             .pools = f.fabric_pools,
                             .npools = 1};
    f.cfg.nfabrics = 1;
    af_results *r = af_run(&f);
    /* The path's stages as the world builds them, and the narrowest per GPU. */
    af_fabric plan;
    af_fabric_group g = {.name = "gpus", .nodes = 64, .nics_per_node = 8, .nic_rate_Bps = 50e9};
    af_diag *d = af_diag_new();
    CU_ASSERT_EQUAL_FATAL(af_fabric_init(&plan, &fc->spec, &g, 1, d), AF_OK);
    af_diag_free(d);
    af_fabric_stage st[AF_FABRIC_MAX_STAGES];
    size_t n = af_fabric_stages(&plan, 0, 0, st);
    double cap = 64 * 8 * 50e9; /* the compute NICs */
    for (size_t i = 0; i < n; i++)
        if (st[i].kind != AF_STAGE_SRC_NIC && st[i].kind != AF_STAGE_DST_NIC)
            cap = fmin(cap, st[i].capacity_Bps);
    double rate = cap / 512; /* per GPU */
    double alone = step_alone(64, 7e9, 8, 1, AF_COLL_RING);
    double wire = 2.0 * 63 / 64 * 7e9 * 2 / 8;   /* ring over 64 nodes, per GPU */
    double fixed = alone - wire / 50e9;           /* latency steps */
    double want = wire / rate + fixed;
    printf("\n  narrowest stage %.4g B/s for 512 GPUs: all-reduce %.6f s (alone %.6f, "
           "expected %.6f)\n",
           cap, af_get(r, "train.job.allreduce_time"), alone, want);
    CU_ASSERT(want > 1.5 * alone);
    AF_ASSERT_REL(af_get(r, "train.job.allreduce_time"), want, 1e-6);
    af_results_free(r);
}

static const af_test tests[] = {
    {"an all-reduce on an oversubscribed fabric runs at its narrowest stage",
     test_allreduce_on_shared_fabric},
    {"tensor and pipeline traffic add to every step", test_model_parallel_traffic},
    {"an all-reduce alone takes its closed form; overlap hides its share", test_allreduce_alone},
    {"the pipeline bubble idles (p-1)/(m+p-1) of each step", test_pipeline_bubble},
    {"each step waits for the slowest node (order statistics)", test_stragglers},
    {NULL, NULL}};

AF_TEST_MAIN("step", tests)
