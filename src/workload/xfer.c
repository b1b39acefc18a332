/*
 * xfer: the world's transfers. A transfer is one flow of the fluid model (k members of size_B
 * bytes each) together with the callback its completion calls and the device traffic it carries,
 * credited to its tiers' read and write accounts when it completes (or, at the end of the run,
 * by the bytes it moved so far). Slots are reused through a free list, so a run allocates only
 * while the number of transfers in flight grows past its high-water mark. The writes in flight
 * also give a tier's write share of device time (af_tier_write_share), which flash reads wait
 * behind.
 */
#include "workload/world_int.h"

#include "base/alloc.h"

static uint32_t xfer_slot(af_world *w)
{
    if (w->free_xfer != AF_NIL) {
        uint32_t i = w->free_xfer;
        w->free_xfer = w->xfers[i].next_free;
        return i;
    }
    if (w->nxfers == w->cap_xfers) {
        size_t cap = w->cap_xfers;
        w->xfers = af_grow(w->xfers, &cap, (size_t)w->nxfers + 1, sizeof *w->xfers);
        w->cap_xfers = (uint32_t)cap;
    }
    return w->nxfers++;
}

/* Credits the device traffic of `bytes` bytes per member of transfer x to its tiers. */
static void xfer_credit(af_world *w, const af_xfer *x, double bytes)
{
    double all = bytes * x->k;
    for (uint32_t i = 0; i < x->ndev; i++) {
        af_tier_state *t = &w->tiers[x->dev[i].tier];
        if (x->dev[i].write) {
            t->write_B += all;
            t->write_dev_s += all * x->dev[i].scale;
        } else {
            t->read_B += all;
            t->read_dev_s += all * x->dev[i].scale;
        }
    }
}

static void xfer_done(af_sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    af_world *w = ctx;
    uint32_t i = (uint32_t)arg;
    af_xfer x = w->xfers[i];
    w->xfers[i].next_free = w->free_xfer;
    w->free_xfer = i;
    xfer_credit(w, &x, x.size_B);
    x.ops->done(w, x.owner, x.arg, x.size_B * x.k, x.id);
    af_world_load_changed(w);
}

af_flow_id af_xfer_start(af_world *w, const af_path *p, double size_B, double weight, double cap,
                         uint32_t k, const af_devuse *dev, uint32_t ndev, const af_xfer_ops *ops,
                         void *owner, uint64_t arg)
{
    uint32_t i = xfer_slot(w);
    af_xfer *x = &w->xfers[i];
    x->ops = ops;
    x->owner = owner;
    x->arg = arg;
    x->size_B = size_B;
    x->k = k;
    x->ndev = ndev;
    for (uint32_t j = 0; j < ndev; j++)
        x->dev[j] = dev[j];
    /* The id is stored after the start: the flow network may grow and the slot stays put, but
     * af_flownet_start_scaled never completes a flow synchronously. */
    af_flow_id id = af_flownet_start_scaled(w->net, p->res, p->scale, p->n, size_B, weight, cap, k,
                                            xfer_done, w, i);
    w->xfers[i].id = id;
    return id;
}

void af_xfer_settle(af_world *w)
{
    for (uint32_t i = 0; i < w->nxfers; i++) {
        af_xfer *x = &w->xfers[i];
        if (!af_flownet_live(w->net, x->id))
            continue;
        /* Not size_B less the bytes left: that rounds to the ulp of size_B, times k. */
        double moved = af_flownet_moved(w->net, x->id);
        xfer_credit(w, x, moved);
        if (x->ops->partial)
            x->ops->partial(w, x->owner, x->arg, moved * x->k);
    }
}

double af_xfer_cancel(af_world *w, af_flow_id id)
{
    for (uint32_t i = 0; i < w->nxfers; i++) {
        af_xfer *x = &w->xfers[i];
        if (x->id.slot != id.slot || x->id.gen != id.gen || !af_flownet_live(w->net, id))
            continue;
        double moved = af_flownet_cancel(w->net, id);
        xfer_credit(w, x, moved);
        x->next_free = w->free_xfer;
        w->free_xfer = i;
        return moved * x->k;
    }
    return 0;
}

double af_tier_write_share(const af_world *w, size_t t)
{
    double load = 0;
    for (uint32_t i = 0; i < w->nxfers; i++) {
        const af_xfer *x = &w->xfers[i];
        double scale = 0;
        for (uint32_t j = 0; j < x->ndev; j++)
            if (x->dev[j].write && x->dev[j].tier == t)
                scale += x->dev[j].scale;
        if (scale > 0 && af_flownet_live(w->net, x->id))
            load += scale * x->k * af_flownet_rate(w->net, x->id);
    }
    return load / w->tiers[t].devices;
}
