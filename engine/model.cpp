#include "engine/model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/rng.h"

namespace ns {

namespace {

bool has_beta(NormKind k) { return k != NormKind::RMSNorm && k != NormKind::None; }
bool has_gamma(NormKind k) { return k != NormKind::None; }

// The residual path's share of a block's input gradient, on elements [a, b): Post-LN (and
// DeepNorm) assign dx = w * g, g the gradient after the norm (0 without residual); Pre-LN and
// Sandwich add dout.
template <class T>
void residual_grad_assign(T* __restrict dx, const T* __restrict g, T w, bool residual, std::size_t a, std::size_t b) {
    if (residual)
        for (std::size_t i = a; i < b; ++i) dx[i] = w * g[i];
    else
        std::fill(dx + a, dx + b, T(0));
}
template <class T>
void residual_grad_add(T* __restrict dx, const T* __restrict g, bool residual, std::size_t a, std::size_t b) {
    if (residual)
        for (std::size_t i = a; i < b; ++i) dx[i] += g[i];
}

}  // namespace

template <class T>
int Model<T>::add_tensor(const std::string& name, int layer, std::vector<std::int64_t> shape, bool buffer) {
    ParamInfo p;
    p.name = name;
    p.layer = layer;
    p.size = 1;
    for (auto s : shape) p.size *= static_cast<std::size_t>(s);
    p.shape = std::move(shape);
    p.is_buffer = buffer;
    std::size_t& count = buffer ? buffer_count_ : param_count_;  // allocated once, at the end
    p.offset = count;
    count += p.size;
    tensors_.push_back(std::move(p));
    return static_cast<int>(tensors_.size()) - 1;
}

template <class T>
typename Model<T>::Norm Model<T>::make_norm(const std::string& prefix, const std::string& site, int layer) {
    Norm n;
    n.site = site;
    n.layer = layer;
    n.kind = cfg_.norm;
    const std::int64_t D = cfg_.d_model;
    if (has_gamma(n.kind)) n.gamma = add_tensor(prefix + ".weight", layer, {D});
    if (has_beta(n.kind)) n.beta = add_tensor(prefix + ".bias", layer, {D});
    if (n.kind == NormKind::DyT) n.alpha = add_tensor(prefix + ".alpha", layer, {1});
    if (n.kind == NormKind::BatchNorm) {
        n.rmean = add_tensor(prefix + ".running_mean", layer, {D}, true);
        n.rvar = add_tensor(prefix + ".running_var", layer, {D}, true);
    }
    NormSiteProbe pr;
    pr.site = site;
    pr.layer = layer;
    pr.kind = n.kind;
    probes_.norms.push_back(pr);
    n.probe = static_cast<int>(probes_.norms.size()) - 1;
    return n;
}

template <class T>
Model<T>::Model(const ModelConfig& cfg, const Parallel& par, std::uint64_t seed) : cfg_(cfg), par_(par) {
    const std::int64_t V = cfg.vocab, D = cfg.d_model, F = cfg.d_ff;
    emb_w_ = add_tensor("embedding.weight", -1, {V, D});
    if (cfg.positional == Positional::Learned) pos_w_ = add_tensor("pos_embedding.weight", -1, {cfg.max_len, D});
    if (cfg.positional == Positional::Sinusoidal) {
        sinusoid_.resize(static_cast<std::size_t>(cfg.max_len) * D);
        sinusoidal_table(sinusoid_.data(), cfg.max_len, cfg.d_model);
    }
    has_emb_norm_ = cfg.embedding_norm;
    if (has_emb_norm_) emb_norm_ = make_norm("embedding_norm", "embedding", -1);
    const bool sandwich = cfg.placement == NormPlacement::Sandwich;
    layers_.resize(cfg.layers);
    for (int i = 0; i < cfg.layers; ++i) {
        const std::string p = "layers." + std::to_string(i) + ".";
        Layer& l = layers_[i];
        l.attn.attention = true;
        l.attn.w1 = add_tensor(p + "self_attn.in_proj_weight", i, {3 * D, D});
        l.attn.b1 = add_tensor(p + "self_attn.in_proj_bias", i, {3 * D});
        l.attn.w2 = add_tensor(p + "self_attn.out_proj.weight", i, {D, D});
        l.attn.b2 = add_tensor(p + "self_attn.out_proj.bias", i, {D});
        l.ffn.attention = false;
        l.ffn.w1 = add_tensor(p + "linear1.weight", i, {F, D});
        l.ffn.b1 = add_tensor(p + "linear1.bias", i, {F});
        l.ffn.w2 = add_tensor(p + "linear2.weight", i, {D, F});
        l.ffn.b2 = add_tensor(p + "linear2.bias", i, {D});
        l.attn.n_a = make_norm(p + "norm1", "norm1", i);
        if (sandwich) l.attn.n_b = make_norm(p + "norm1_out", "norm1_out", i);
        l.ffn.n_a = make_norm(p + "norm2", "norm2", i);
        if (sandwich) l.ffn.n_b = make_norm(p + "norm2_out", "norm2_out", i);
        l.attn.dropout_site = 2 * static_cast<std::uint64_t>(i) + 1;
        l.ffn.dropout_site = 2 * static_cast<std::uint64_t>(i) + 2;
    }
    has_final_norm_ = cfg.final_norm_on();
    if (has_final_norm_) final_norm_ = make_norm("final_norm", "final", -1);
    head_w_ = add_tensor("head.weight", -1, {V, D});
    head_b_ = add_tensor("head.bias", -1, {V});
    params_.assign(param_count_, T(0));
    buffers_.assign(buffer_count_, T(0));
    grads_.assign(params_.size(), T(0));
    // The linear layers' weights and biases: their gradients' halves are folded (fold_ranges_),
    // their weights transposed for the float products.
    std::vector<std::pair<int, int>> linear = {{head_w_, head_b_}};
    for (const Layer& l : layers_)
        for (const Block* blk : {&l.attn, &l.ffn}) linear.insert(linear.end(), {{blk->w1, blk->b1}, {blk->w2, blk->b2}});
    for (const auto& [w, b] : linear)
        for (int t : {w, b}) fold_ranges_.emplace_back(tensors_[t].offset, tensors_[t].offset + tensors_[t].size);
    if constexpr (use_fast_gemm<T>) {
        wt_off_.assign(tensors_.size(), 0);
        std::size_t total = 0;
        for (const auto& wb : linear) {
            const int w = wb.first;
            const int O = static_cast<int>(tensors_[w].shape[0]), I = static_cast<int>(tensors_[w].shape[1]);
            wt_off_[w] = total;
            const int rows = std::clamp((16384 / O + 15) / 16 * 16, 16, 256);  // about 16K values a task
            for (int i0 = 0; i0 < I; i0 += rows) transpose_tasks_.push_back({w, O, I, i0, std::min(I, i0 + rows), total});
            total += static_cast<std::size_t>(O) * I;
        }
        wt_.assign(total, T(0));
    }
    init(seed);
}

template <class T>
const ParamInfo* Model<T>::find(const std::string& name) const {
    for (const auto& t : tensors_)
        if (t.name == name) return &t;
    return nullptr;
}

template <class T>
void Model<T>::init(std::uint64_t seed) {
    const bool torch = cfg_.init == InitScheme::Torch;
    const double D = cfg_.d_model, F = cfg_.d_ff, V = cfg_.vocab;
    const double beta = cfg_.init_beta();
    auto ends_with = [](const std::string& s, const std::string& suf) {
        return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
    };
    for (const ParamInfo& t : tensors_) {
        T* dst = (t.is_buffer ? buffers_.data() : params_.data()) + t.offset;
        Rng rng(hash_keys(seed, fnv1a(t.name)));
        auto normal = [&](double sd, std::size_t from, std::size_t to, double scale = 1.0) {
            for (std::size_t i = from; i < to; ++i) dst[i] = static_cast<T>(rng.normal() * sd * scale);
        };
        auto uniform = [&](double bound, std::size_t from, std::size_t to, double scale = 1.0) {
            for (std::size_t i = from; i < to; ++i) dst[i] = static_cast<T>(rng.uniform(-bound, bound) * scale);
        };
        auto fill = [&](double v) { for (std::size_t i = 0; i < t.size; ++i) dst[i] = static_cast<T>(v); };
        const std::string& n = t.name;
        const bool is_norm = n.find("norm") != std::string::npos;
        if (is_norm) {
            if (ends_with(n, ".weight")) fill(1.0);
            else if (ends_with(n, ".bias") || ends_with(n, ".running_mean")) fill(0.0);
            else if (ends_with(n, ".running_var")) fill(1.0);
            else if (ends_with(n, ".alpha")) fill(cfg_.dyt_alpha);
        } else if (n == "embedding.weight" || n == "pos_embedding.weight") {
            normal(torch ? 1.0 : std::sqrt(0.5), 0, t.size);
        } else if (ends_with(n, "in_proj_weight")) {
            const std::size_t blk = t.size / 3;  // q, k, v blocks of D x D
            if (torch) {
                uniform(std::sqrt(6.0 / (D + 3 * D)), 0, 2 * blk);
                uniform(std::sqrt(6.0 / (D + 3 * D)), 2 * blk, t.size, beta);
            } else {
                normal(std::sqrt(2.0 / (D + D)), 0, 2 * blk);
                normal(std::sqrt(2.0 / (D + D)), 2 * blk, t.size, beta);
            }
        } else if (ends_with(n, "out_proj.weight")) {
            torch ? uniform(1.0 / std::sqrt(D), 0, t.size, beta) : normal(std::sqrt(2.0 / (D + D)), 0, t.size, beta);
        } else if (ends_with(n, "linear1.weight")) {
            torch ? uniform(1.0 / std::sqrt(D), 0, t.size, beta) : normal(std::sqrt(2.0 / (D + F)), 0, t.size, beta);
        } else if (ends_with(n, "linear2.weight")) {
            torch ? uniform(1.0 / std::sqrt(F), 0, t.size, beta) : normal(std::sqrt(2.0 / (D + F)), 0, t.size, beta);
        } else if (n == "head.weight") {
            torch ? uniform(1.0 / std::sqrt(D), 0, t.size) : normal(std::sqrt(2.0 / (D + V)), 0, t.size);
        } else if (ends_with(n, "linear1.bias") || n == "head.bias") {
            torch ? uniform(1.0 / std::sqrt(D), 0, t.size) : fill(0.0);
        } else if (ends_with(n, "linear2.bias")) {
            torch ? uniform(1.0 / std::sqrt(F), 0, t.size) : fill(0.0);
        } else {
            fill(0.0);  // in_proj_bias, out_proj.bias
        }
    }
    zero_grad();
}

template <class T>
void Model<T>::zero_grad() {
    par_.for_tiles(grads_.size(), std::size_t(1) << 14,  // the tiles of Adam's update: the same homes
                   [&](std::size_t b, std::size_t e) { std::fill(grads_.begin() + b, grads_.begin() + e, T(0)); });
}

// The second halves of the linear layers' gradients added in, in the tiles of Adam's update: a
// tile is folded on the thread that updates it next.
template <class T>
void Model<T>::fold_halves() {
    if (split_ == 0) return;
    par_.for_tiles(grads_.size(), std::size_t(1) << 14, [&](std::size_t b, std::size_t e) {
        for (const auto& r : fold_ranges_) {
            const std::size_t lo = std::max(b, r.first), hi = std::min(e, r.second);
            T* __restrict g = grads_.data();
            const T* __restrict q = grad_part_.data();
            for (std::size_t i = lo; i < hi; ++i) g[i] += q[i];
        }
    });
}

template <class T>
NormWeights<T> Model<T>::weights_of(const Norm& n) {
    NormWeights<T> w;
    if (n.gamma >= 0) w.gamma = P(n.gamma);
    if (n.beta >= 0) w.beta = P(n.beta);
    if (n.alpha >= 0) w.alpha = P(n.alpha);
    if (n.rmean >= 0) w.running_mean = buffers_.data() + tensors_[n.rmean].offset;
    if (n.rvar >= 0) w.running_var = buffers_.data() + tensors_[n.rvar].offset;
    return w;
}

template <class T>
NormWeights<T> Model<T>::grads_of(const Norm& n) {
    NormWeights<T> w;
    if (n.gamma >= 0) w.gamma = G(n.gamma);
    if (n.beta >= 0) w.beta = G(n.beta);
    if (n.alpha >= 0) w.alpha = G(n.alpha);
    return w;
}

template <class T>
void Model<T>::ensure_workspace(int B, int Tn) {
    if (B == B_ && Tn == T_ && !hs_.empty()) return;
    // Touching a large model's workspace the first time takes a while: cancellable per layer,
    // and marked valid only once complete.
    B_ = T_ = N_ = 0;
    const std::size_t N = static_cast<std::size_t>(B) * Tn, D = cfg_.d_model, F = cfg_.d_ff, V = cfg_.vocab, H = cfg_.heads;
    const std::size_t L = cfg_.layers;
    const bool pre_norm = cfg_.placement == NormPlacement::Pre || cfg_.placement == NormPlacement::Sandwich;
    const bool post_like = cfg_.placement == NormPlacement::Post || cfg_.placement == NormPlacement::DeepNorm;
    emb_raw_.assign(N * D, T(0));
    hs_.assign(L + 1, std::vector<T>(N * D, T(0)));
    if (has_final_norm_) final_out_.assign(N * D, T(0));
    if (cfg_.placement == NormPlacement::Pre) sub_shared_.assign(N * D, T(0));
    logits_.assign(N * V, T(0));
    probs_.assign(N * V, T(0));
    row_loss_.assign(N, 0.0);
    row_hit_.assign(N, 0);
    for (Layer& l : layers_) {
        check_cancel();
        l.mid.assign(N * D, T(0));
        for (Block* b : {&l.attn, &l.ffn}) {
            if (pre_norm) b->normed.assign(N * D, T(0));
            if (b->attention) {
                b->qkv.assign(N * 3 * D, T(0));
                b->att.assign(B * H * Tn * Tn, T(0));
                b->hidden.assign(N * D, T(0));
            } else {
                if (cfg_.activation == Activation::ReLU) std::vector<T>().swap(b->hidden);
                else b->hidden.assign(N * F, T(0));
                b->act.assign(N * F, T(0));
            }
            if (cfg_.placement == NormPlacement::Sandwich) b->sub.assign(N * D, T(0));
            if (post_like || cfg_.placement == NormPlacement::Sandwich) b->pre_norm.assign(N * D, T(0));
        }
    }
    d_a_.assign(N * D, T(0));
    d_b_.assign(N * D, T(0));
    d_c_.assign(N * D, T(0));
    d_wide_.assign(N * std::max(D, F), T(0));
    d_qkv_.assign(N * std::max(3 * D, F), T(0));
    d_a2_.assign(N * D, T(0));
    d_b2_.assign(N * D, T(0));
    d_c2_.assign(N * D, T(0));
    d_qkv2_.assign(N * std::max(3 * D, F), T(0));
    d_wide2_.assign(N * std::max(D, F), T(0));
    d_att_.assign(B * H * Tn * Tn, T(0));
    d_logits_.assign(N * V, T(0));
    g_x_.assign(N * D, T(0));
    g_y_.assign(N * D, T(0));
    g_mid_.assign(N * D, T(0));
    scratch_d_.assign(D, T(0));
    sum_partials_.assign(sum_squares_partials(N * D), 0.0);
    probes_.batch = B;
    probes_.seq_len = Tn;
    for (auto& p : probes_.norms) {
        p.mean_in.assign(N, 0.0);
        p.var_in.assign(N, 0.0);
        p.mean_out.assign(N, 0.0);
        p.var_out.assign(N, 0.0);
    }
    probes_.hidden_rms.assign(L + 1, 0.0);
    probes_.grad_rms.assign(L + 1, 0.0);
    B_ = B;
    T_ = Tn;
    N_ = B * Tn;
    rt_ = row_tile(static_cast<std::size_t>(N_), static_cast<std::size_t>(Tn));
    // The weight gradients' two halves of the rows meet where the first of two homes' row tiles
    // ends (for_each_homed gives slot 0 the first row_tiles / 2): from the shape alone, never
    // the thread count. A single tile is not cut, nor a model above kMaxCutParams.
    const std::size_t row_tiles = (N + rt_ - 1) / rt_;
    split_ = params_.size() <= kMaxCutParams ? static_cast<int>(row_tiles / 2 * rt_) : 0;
    if (split_ > 0) grad_part_.assign(grads_.size(), T(0));
    else std::vector<T>().swap(grad_part_);
}

template <class T>
void Model<T>::norm_fwd_rows(Norm& n, T* out, const T* in, std::size_t r0, std::size_t r1) {
    const int D = cfg_.d_model;
    norm_forward_rows(out, n.cache, in, weights_of(n), n.kind, cfg_.eps, D, r0, r1);
    if (opt_.collect_probes) {
        NormSiteProbe& p = probes_.norms[n.probe];
        row_moments_rows(p.mean_in.data(), p.var_in.data(), in, D, r0, r1);
        row_moments_rows(p.mean_out.data(), p.var_out.data(), out, D, r0, r1);
    }
}

template <class T>
void Model<T>::norm_fwd_finish(Norm& n, T* out, const T* in) {
    if (!opt_.collect_probes) return;
    NormSiteProbe& p = probes_.norms[n.probe];
    const int D = cfg_.d_model;
    if (!norm_is_rowwise(n.kind)) {
        row_moments(p.mean_in.data(), p.var_in.data(), in, N_, D, par_);
        row_moments(p.mean_out.data(), p.var_out.data(), out, N_, D, par_);
    }
    const std::size_t first = static_cast<std::size_t>(T_) * D;  // sample 0: rows 0..T-1
    p.sample_in.assign(in, in + first);
    p.sample_out.assign(out, out + first);
    const NormWeights<T> w = weights_of(n);
    p.gamma.assign(w.gamma ? w.gamma : nullptr, w.gamma ? w.gamma + D : nullptr);
    p.beta.assign(w.beta ? w.beta : nullptr, w.beta ? w.beta + D : nullptr);
    p.eps = cfg_.eps;
    p.alpha = w.alpha ? static_cast<double>(w.alpha[0]) : 0.0;
}

template <class T>
void Model<T>::norm_fwd(Norm& n, T* out, const T* in) {
    if (norm_is_rowwise(n.kind)) {
        norm_forward_prepare(n.cache, n.kind, opt_.mode, N_, cfg_.d_model);
        par_.for_tiles(N_, kRowTile, [&](std::size_t r0, std::size_t r1) { norm_fwd_rows(n, out, in, r0, r1); });
    } else {
        norm_forward(out, n.cache, in, weights_of(n), n.kind, cfg_.eps, opt_.mode, N_, cfg_.d_model, par_);
    }
    norm_fwd_finish(n, out, in);
}

// din = (assign) or += the norm's input gradient; epi(r0, r1) on rows of din once final.
template <class T>
template <class Epi>
void Model<T>::norm_bwd(Norm& n, T* din, const T* dout, const T* in, bool assign, const Epi& epi) {
    norm_backward(din, grads_of(n), dout, n.cache, in, weights_of(n), n.kind, N_, cfg_.d_model,
                  scratch_d_.data(), par_, assign, epi);
}

// The sublayer on `in` into sub_of(blk); epi(r0, r1) runs on each tile of its rows as soon as
// the last product has written it (dropout, residual add and row-wise norms go there).
template <class T>
template <class Epi>
void Model<T>::sublayer_fwd(Block& blk, const T* in, const Epi& epi) {
    const int N = N_, D = cfg_.d_model, F = cfg_.d_ff;
    if (blk.attention) {
        // q, k, v tile by tile; a tile of whole sequences goes through attention, the output
        // projection and the epilogue right away: the whole sublayer is one parallel region.
        const int Tn = T_, H = cfg_.heads;
        const bool fuse = tiles_hold_sequences();
        linear_forward(blk.qkv.data(), in, P(blk.w1), P(blk.b1), N, D, 3 * D, par_, [&](std::size_t r0, std::size_t r1) {
            if (!fuse) return;
            for (std::size_t b = r0 / Tn; b < r1 / Tn; ++b)
                for (int h = 0; h < H; ++h)
                    attention_forward_head(blk.hidden.data(), blk.att.data(), blk.qkv.data(), static_cast<int>(b), h, Tn,
                                           D, H, cfg_.causal);
            linear_forward_rows(sub_of(blk), blk.hidden.data(), P(blk.w2), P(blk.b2), D, D, r0, r1, WT(blk.w2));
            epi(r0, r1);
        }, WT(blk.w1), rt_);
        if (!fuse) {
            attention_forward(blk.hidden.data(), blk.att.data(), blk.qkv.data(), B_, Tn, D, H, cfg_.causal, par_);
            linear_forward(sub_of(blk), blk.hidden.data(), P(blk.w2), P(blk.b2), N, D, D, par_, epi, WT(blk.w2), rt_);
        }
    } else {
        // Both products, the activation between them and the epilogue on each tile of rows in
        // turn: one parallel region.
        T* act = blk.act.data();
        T* pre = ffn_pre(blk);
        const Activation kind = cfg_.activation;
        const std::size_t f = static_cast<std::size_t>(F);
        linear_forward(pre, in, P(blk.w1), P(blk.b1), N, D, F, par_, [&](std::size_t r0, std::size_t r1) {
            if (pre == act) relu_inplace_range(act, r0 * f, r1 * f);
            else activation_range(act, pre, r0 * f, r1 * f, kind);
            linear_forward_rows(sub_of(blk), act, P(blk.w2), P(blk.b2), F, D, r0, r1, WT(blk.w2));
            epi(r0, r1);
        }, WT(blk.w1), rt_);
    }
}

// din += d(sublayer)/d(in) applied to dsub (the gradient of the sublayer output before dropout);
// din = with assign.
template <class T>
void Model<T>::sublayer_bwd(Block& blk, T* din, const T* dsub, const T* in, bool assign) {
    const int N = N_, D = cfg_.d_model, F = cfg_.d_ff;
    if (blk.attention) {
        // d(context) tile by tile; a tile of whole sequences goes through attention right away.
        T* dctx = d_wide_.data();
        T* dqkv = d_qkv_.data();
        const int Tn = T_, H = cfg_.heads;
        const bool fuse = tiles_hold_sequences();
        linear_backward(dctx, G(blk.w2), G(blk.b2), dsub, blk.hidden.data(), P(blk.w2), N, D, D, par_, true,
                        [&](std::size_t r0, std::size_t r1) {
                            if (!fuse) return;
                            for (std::size_t b = r0 / Tn; b < r1 / Tn; ++b)
                                for (int h = 0; h < H; ++h)
                                    attention_backward_head(dqkv, d_att_.data() + (b * H + h) * Tn * Tn, dctx,
                                                            blk.att.data(), blk.qkv.data(), static_cast<int>(b), h,
                                                            Tn, D, H, true);
                        }, rt_, half_of(blk.w2, blk.b2));
        if (!fuse)
            attention_backward(dqkv, d_att_.data(), dctx, blk.att.data(), blk.qkv.data(), B_, Tn, D, H, par_, true);
        linear_backward(din, G(blk.w1), G(blk.b1), dqkv, in, P(blk.w1), N, D, 3 * D, par_, assign, NoEpilogue{}, rt_,
                        half_of(blk.w1, blk.b1));
    } else {
        // d(act) tile by tile, and through the activation while the tile is in cache.
        T* dact = d_wide_.data();
        T* dhid = d_qkv_.data();
        const T* hid = ffn_pre(blk);
        const Activation kind = cfg_.activation;
        const std::size_t f = static_cast<std::size_t>(F);
        linear_backward(dact, G(blk.w2), G(blk.b2), dsub, blk.act.data(), P(blk.w2), N, F, D, par_, true,
                        [&](std::size_t r0, std::size_t r1) {
                            activation_grad_range(dhid, dact, hid, r0 * f, r1 * f, kind, true);
                        }, rt_, half_of(blk.w2, blk.b2));
        linear_backward(din, G(blk.w1), G(blk.b1), dhid, in, P(blk.w1), N, D, F, par_, assign, NoEpilogue{}, rt_,
                        half_of(blk.w1, blk.b1));
    }
}

template <class T>
void Model<T>::block_fwd(Block& blk, T* out, const T* x, Then then, bool normed) {
    const std::size_t ND = static_cast<std::size_t>(N_) * cfg_.d_model;
    const std::size_t D = static_cast<std::size_t>(cfg_.d_model);
    const T r = cfg_.residual ? static_cast<T>(cfg_.residual_alpha()) : T(0);  // weight of x in the add
    const bool dropout = opt_.mode != Mode::Eval && cfg_.dropout > 0;
    T* sub = sub_of(blk);
    T* pre = blk.pre_norm.empty() ? nullptr : blk.pre_norm.data();
    const auto add = [](T* __restrict dst, const T* __restrict xs, const T* __restrict s, T w, std::size_t a,
                        std::size_t b) {
        for (std::size_t i = a; i < b; ++i) dst[i] = w * xs[i] + s[i];
    };
    const auto add_in_place = [](T* __restrict dst, const T* __restrict xs, T w, std::size_t a, std::size_t b) {
        for (std::size_t i = a; i < b; ++i) dst[i] = w * xs[i] + dst[i];
    };
    const auto drop = [&](std::size_t r0, std::size_t r1) {
        if (dropout) dropout_range(sub, r0 * D, r1 * D, cfg_.dropout, opt_.dropout_seed, opt_.step, blk.dropout_site);
    };
    switch (cfg_.placement) {
    case NormPlacement::Post:
    case NormPlacement::DeepNorm: {
        // pre_norm = a*x + sub (sub is written into pre_norm: the add is in place), then the norm;
        // both on each tile when the norm is row-wise.
        const bool fuse = norm_is_rowwise(blk.n_a.kind);
        if (fuse) norm_forward_prepare(blk.n_a.cache, blk.n_a.kind, opt_.mode, N_, cfg_.d_model);
        sublayer_fwd(blk, x, [&](std::size_t r0, std::size_t r1) {
            drop(r0, r1);
            add_in_place(pre, x, r, r0 * D, r1 * D);
            if (fuse) norm_fwd_rows(blk.n_a, out, pre, r0, r1);
        });
        if (fuse) norm_fwd_finish(blk.n_a, out, pre);
        else norm_fwd(blk.n_a, out, pre);
        break;
    }
    case NormPlacement::Pre:
        if (!normed) norm_fwd(blk.n_a, blk.normed.data(), x);
        if (then.norm) norm_forward_prepare(then.norm->cache, then.norm->kind, opt_.mode, N_, cfg_.d_model);
        sublayer_fwd(blk, blk.normed.data(), [&](std::size_t r0, std::size_t r1) {
            drop(r0, r1);
            add(out, x, sub, cfg_.residual ? T(1) : T(0), r0 * D, r1 * D);
            if (then.norm) norm_fwd_rows(*then.norm, then.out, out, r0, r1);
        });
        if (then.norm) norm_fwd_finish(*then.norm, then.out, out);
        break;
    case NormPlacement::Sandwich: {
        const bool fuse = norm_is_rowwise(blk.n_b.kind);
        if (fuse) norm_forward_prepare(blk.n_b.cache, blk.n_b.kind, opt_.mode, N_, cfg_.d_model);
        norm_fwd(blk.n_a, blk.normed.data(), x);
        sublayer_fwd(blk, blk.normed.data(), [&](std::size_t r0, std::size_t r1) {
            drop(r0, r1);
            if (!fuse) return;
            norm_fwd_rows(blk.n_b, pre, sub, r0, r1);
            add(out, x, pre, cfg_.residual ? T(1) : T(0), r0 * D, r1 * D);
        });
        if (fuse) {
            norm_fwd_finish(blk.n_b, pre, sub);
        } else {
            norm_fwd(blk.n_b, pre, sub);
            add(out, x, pre, cfg_.residual ? T(1) : T(0), 0, ND);
        }
        break;
    }
    }
}

// dx = d(block)/dx applied to dout (assigned: dx needs no zeroing).
template <class T>
void Model<T>::block_bwd(Block& blk, T* dx, const T* dout, const T* x) {
    const std::size_t ND = static_cast<std::size_t>(N_) * cfg_.d_model;
    const std::size_t D = static_cast<std::size_t>(cfg_.d_model);
    const T a = static_cast<T>(cfg_.residual_alpha());
    const bool post_like = cfg_.placement == NormPlacement::Post || cfg_.placement == NormPlacement::DeepNorm;
    // 1. gradient of the sublayer output (after dropout), and the residual path into dx
    const T* dsub = dout;
    if (post_like) {
        // d_a = norm backward; dx = a * d_a, row by row as the norm finishes them.
        T* da = d_a_.data();
        norm_bwd(blk.n_a, da, dout, blk.pre_norm.data(), true, [&](std::size_t r0, std::size_t r1) {
            residual_grad_assign(dx, da, a, cfg_.residual, r0 * D, r1 * D);
        });
        dsub = da;
    } else if (cfg_.placement == NormPlacement::Sandwich) {
        norm_bwd(blk.n_b, d_a_.data(), dout, blk.sub.data(), true);
        dsub = d_a_.data();
    }
    // 2. through dropout: the same mask, recomputed
    if (cfg_.dropout > 0 && opt_.mode != Mode::Eval) {
        std::copy(dsub, dsub + ND, d_b_.begin());
        dropout_apply(d_b_.data(), ND, cfg_.dropout, opt_.dropout_seed, opt_.step, blk.dropout_site, par_);
        dsub = d_b_.data();
    }
    // 3. through the sublayer (and the norm in front of it, whose rows then add the residual path)
    if (post_like) {
        sublayer_bwd(blk, dx, dsub, x, false);
    } else {
        sublayer_bwd(blk, d_c_.data(), dsub, blk.normed.data(), true);
        norm_bwd(blk.n_a, dx, d_c_.data(), x, true, [&](std::size_t r0, std::size_t r1) {
            residual_grad_add(dx, dout, cfg_.residual, r0 * D, r1 * D);
        });
    }
}

template <class T>
bool Model<T>::chains(const Block& blk) const {
    if (!opt_.row_chained_backward || !tiles_hold_sequences()) return false;
    switch (cfg_.placement) {
    case NormPlacement::Sandwich:
        return norm_backward_splits(blk.n_a.kind) && norm_backward_splits(blk.n_b.kind);
    default:
        return norm_backward_splits(blk.n_a.kind);
    }
}

// Rows [r0, r1) of the sublayer's input gradient: din (+)= d(sublayer)/d(in) applied to dsub,
// through the second product, attention (whole sequences: the tile holds them) or the
// activation, and the first product. dqkv receives the first product's output gradient.
template <class T>
void Model<T>::sublayer_bwd_rows(Block& blk, T* din, const T* dsub, T* wide, T* dqkv, std::size_t r0,
                                 std::size_t r1, bool assign) {
    const int D = cfg_.d_model, F = cfg_.d_ff;
    if (blk.attention) {
        const int Tn = T_, H = cfg_.heads;
        linear_input_grad_rows(wide, dsub, P(blk.w2), D, D, r0, r1, true);
        for (std::size_t b = r0 / Tn; b < r1 / Tn; ++b)
            for (int h = 0; h < H; ++h)
                attention_backward_head(dqkv, d_att_.data() + (b * H + h) * Tn * Tn, wide, blk.att.data(),
                                        blk.qkv.data(), static_cast<int>(b), h, Tn, D, H, true);
        linear_input_grad_rows(din, dqkv, P(blk.w1), D, 3 * D, r0, r1, assign);
    } else {
        const std::size_t f = static_cast<std::size_t>(F);
        linear_input_grad_rows(wide, dsub, P(blk.w2), F, D, r0, r1, true);
        activation_grad_range(dqkv, wide, ffn_pre(blk), r0 * f, r1 * f, cfg_.activation, true);
        linear_input_grad_rows(din, dqkv, P(blk.w1), D, F, r0, r1, assign);
    }
}

// The same gradients as block_bwd, the same operations on the same rows in the same order.
template <class T>
void Model<T>::block_bwd_chained(Block& blk, T* dx, const T* dout, const T* x, int set) {
    const int N = N_, D = cfg_.d_model, F = cfg_.d_ff;
    const std::size_t Dz = static_cast<std::size_t>(D);
    const T a = static_cast<T>(cfg_.residual_alpha());
    const bool post_like = cfg_.placement == NormPlacement::Post || cfg_.placement == NormPlacement::DeepNorm;
    const bool dropout = cfg_.dropout > 0 && opt_.mode != Mode::Eval;
    T* da = (set ? d_a2_ : d_a_).data();
    T* dd = (set ? d_b2_ : d_b_).data();
    T* dc = (set ? d_c2_ : d_c_).data();
    T* dqkv = (set ? d_qkv2_ : d_qkv_).data();
    T* wide = (set ? d_wide2_ : d_wide_).data();
    // The norm after the sublayer (Post-LN: after the add), whose gradients read dout.
    const Norm* behind = post_like ? &blk.n_a : cfg_.placement == NormPlacement::Sandwich ? &blk.n_b : nullptr;
    const T* behind_in = post_like ? blk.pre_norm.data() : blk.sub.data();
    const T* behind_gamma = behind ? weights_of(*behind).gamma : nullptr;
    const T* front_gamma = post_like ? nullptr : weights_of(blk.n_a).gamma;
    // The sublayer's output gradient (after dropout), its input gradient and its forward input.
    const T* dsub = dropout ? dd : behind ? da : dout;
    T* sub_din = post_like ? dx : dc;
    const T* sub_in = post_like ? x : blk.normed.data();

    Deferred mine;
    const int I2 = blk.attention ? D : F, O1 = blk.attention ? 3 * D : F;
    const GradHalf<T> h2 = half_of(blk.w2, blk.b2), h1 = half_of(blk.w1, blk.b1);
    mine.lin[0] = {G(blk.w2), G(blk.b2), dsub, blk.attention ? blk.hidden.data() : blk.act.data(), N, I2, D,
                   h2.w, h2.b, h2.split};
    mine.lin[1] = {G(blk.w1), G(blk.b1), dqkv, sub_in, N, D, O1, h1.w, h1.b, h1.split};
    mine.N = N;
    mine.D = D;
    if (!post_like) {
        mine.norm = &blk.n_a;
        mine.dnorm = grads_of(blk.n_a);
        mine.norm_dout = dc;
        mine.norm_in = x;
    }
    Deferred now;  // the norm behind, in this region
    now.N = N;
    now.D = D;
    if (behind) {
        now.norm = behind;
        now.dnorm = grads_of(*behind);
        now.norm_dout = dout;
        now.norm_in = behind_in;
    }

    const std::size_t Tn = static_cast<std::size_t>(T_), HTT = static_cast<std::size_t>(cfg_.heads) * Tn * Tn;
    const auto rows = [&](std::size_t r0, std::size_t r1) {
        const std::size_t e0 = r0 * Dz, e1 = r1 * Dz;
        // What the forward left for these rows, in the order the task reads it. (M's tiles ask
        // for about 1.5 MB, more than L2 holds, and still gained: 474 / 458 ms against 486 / 480
        // without, four alternations at 2 threads.)
        if (behind) prefetch_range(behind_in, e0, e1);
        if (blk.attention) {
            prefetch_range(blk.qkv.data(), 3 * e0, 3 * e1);
            prefetch_range(blk.att.data(), r0 / Tn * HTT, r1 / Tn * HTT);
        } else {
            prefetch_range(ffn_pre(blk), r0 * F, r1 * F);
        }
        if (!post_like) prefetch_range(x, e0, e1);
        if (behind) {
            norm_backward_rows(da, dout, behind->cache, behind_in, behind_gamma, behind->kind, D, r0, r1, true);
            if (post_like) residual_grad_assign(dx, da, a, cfg_.residual, e0, e1);
        }
        if (dropout) {
            const T* src = behind ? da : dout;
            std::copy(src + e0, src + e1, dd + e0);
            dropout_range(dd, e0, e1, cfg_.dropout, opt_.dropout_seed, opt_.step, blk.dropout_site);
        }
        sublayer_bwd_rows(blk, sub_din, dsub, wide, dqkv, r0, r1, !post_like);
        if (!post_like) {
            norm_backward_rows(dx, dc, blk.n_a.cache, x, front_gamma, blk.n_a.kind, D, r0, r1, true);
            residual_grad_add(dx, dout, cfg_.residual, e0, e1);
        }
    };
    const Deferred& prev = deferred_;
    // The previous block's weight gradients cut in halves go first half, other tasks, second half,
    // other tasks, in counts that put each half in the home of the thread that wrote its rows.
    const std::size_t s = prev.split_tasks(), c_prev = prev.neutral_tasks(), c = c_prev + now.tasks(), rt = rt_;
    const std::size_t n_rows = (static_cast<std::size_t>(N) + rt - 1) / rt;
    const auto other = [&](std::size_t j) {
        if (j < c_prev) return prev.run_neutral(j);
        now.run(j - c_prev);
    };
    par_.for_each_homed(n_rows, 2 * s + c, [&](std::size_t t) {
        if (t < n_rows) {
            const std::size_t r0 = t * rt;
            return rows(r0, std::min<std::size_t>(r0 + rt, N));
        }
        t -= n_rows;
        if (t < s) return prev.run_split(0, t);
        t -= s;
        if (t < c / 2) return other(t);
        t -= c / 2;
        if (t < s) return prev.run_split(1, t);
        other(c / 2 + t - s);
    });
    deferred_ = mine;
}

template <class T>
void Model<T>::flush_deferred() {
    const Deferred d = deferred_;
    deferred_ = Deferred{};
    par_.for_each(d.tasks(), [&](std::size_t t) { d.run(t); });
}

template <class T>
double Model<T>::rms(const T* x, std::size_t n) {
    return n ? std::sqrt(sum_squares(x, n, sum_partials_.data(), par_) / static_cast<double>(n)) : 0.0;
}

template <class T>
LossResult Model<T>::forward(const std::int32_t* ids, const std::int32_t* targets, int B, int Tn,
                             const ForwardOptions& opt) {
    if (B < 1 || Tn < 1 || Tn > cfg_.max_len)
        throw std::invalid_argument("forward: batch shape out of range (T must be 1..max_len)");
    cancel_ = opt.cancel;
    ensure_workspace(B, Tn);
    opt_ = opt;
    have_forward_ = false;
    const std::size_t N = N_, D = cfg_.d_model;
    const int V = cfg_.vocab;
    ids_.assign(ids, ids + N);
    targets_.assign(targets, targets + N);
    for (std::size_t i = 0; i < N; ++i) {
        if (ids_[i] < 0 || ids_[i] >= V) throw std::invalid_argument("forward: token id out of range");
        if (targets_[i] != kIgnoreIndex && (targets_[i] < 0 || targets_[i] >= V))
            throw std::invalid_argument("forward: target out of range");
    }
    const T scale = cfg_.embedding_scale_sqrt_d ? static_cast<T>(std::sqrt(static_cast<double>(D))) : T(1);
    const T* pos = pos_w_ >= 0 ? P(pos_w_) : (sinusoid_.empty() ? nullptr : sinusoid_.data());
    // The embedding's rows and the weights' transposes: one parallel region.
    const std::size_t n_emb = (N + kRowTile - 1) / kRowTile;
    par_.for_each_homed(n_emb, transpose_tasks_.size(), [&](std::size_t t) {
        if (t < n_emb) {
            embedding_rows(emb_raw_.data(), ids_.data(), P(emb_w_), pos, scale, Tn, cfg_.d_model, t * kRowTile,
                           std::min(N, (t + 1) * kRowTile));
            return;
        }
        const TransposeTask& x = transpose_tasks_[t - n_emb];
        transpose_rows(wt_.data() + x.off, P(x.w), x.O, x.I, x.i0, x.i1);
    });
    if (has_emb_norm_) norm_fwd(emb_norm_, hs_[0].data(), emb_raw_.data());
    else std::copy(emb_raw_.begin(), emb_raw_.end(), hs_[0].begin());
    // Pre-LN: each block's output rows go through the next norm (row-wise ones) in its last tiles.
    const bool pre = cfg_.placement == NormPlacement::Pre;
    const auto then = [&](Norm* n, T* o) { return pre && n && norm_is_rowwise(n->kind) ? Then{n, o} : Then{}; };
    bool normed = false;  // the next block's norm already applied
    for (std::size_t l = 0; l < layers_.size(); ++l) {
        Layer& ly = layers_[l];
        const Then mid_then = then(&ly.ffn.n_a, ly.ffn.normed.data());
        const bool last = l + 1 == layers_.size();
        const Then out_then = last ? then(has_final_norm_ ? &final_norm_ : nullptr, final_out_.data())
                                   : then(&layers_[l + 1].attn.n_a, layers_[l + 1].attn.normed.data());
        check_cancel();
        block_fwd(ly.attn, ly.mid.data(), hs_[l].data(), mid_then, normed);
        check_cancel();
        block_fwd(ly.ffn, hs_[l + 1].data(), ly.mid.data(), out_then, mid_then.norm != nullptr);
        normed = out_then.norm != nullptr;
    }
    check_cancel();
    const T* head_in = hs_.back().data();
    if (has_final_norm_) {
        if (!normed) norm_fwd(final_norm_, final_out_.data(), hs_.back().data());
        head_in = final_out_.data();
    }
    linear_forward(logits_.data(), head_in, P(head_w_), P(head_b_), N_, cfg_.d_model, V, par_, NoEpilogue{}, WT(head_w_),
                   rt_);
    loss_ = cross_entropy_forward(probs_.data(), row_loss_.data(), row_hit_.data(), logits_.data(), targets_.data(), N_, V, par_);
    if (opt.collect_probes)
        for (std::size_t l = 0; l < hs_.size(); ++l) probes_.hidden_rms[l] = rms(hs_[l].data(), N * D);
    have_forward_ = true;
    return loss_;
}

template <class T>
void Model<T>::backward() {
    if (!have_forward_) throw std::logic_error("backward without forward");
    const std::size_t ND = static_cast<std::size_t>(N_) * cfg_.d_model;
    const int D = cfg_.d_model, V = cfg_.vocab;
    cross_entropy_backward(d_logits_.data(), probs_.data(), targets_.data(), loss_.counted, N_, V, par_);
    // gradient wrt the head's input
    const T* head_in = has_final_norm_ ? final_out_.data() : hs_.back().data();
    linear_backward(g_x_.data(), G(head_w_), G(head_b_), d_logits_.data(), head_in, P(head_w_), N_, D, V, par_, true,
                    NoEpilogue{}, rt_, half_of(head_w_, head_b_));
    // Gradients of hidden states rotate through three buffers: a block writes dx into the one
    // that is neither its dout nor the previous block's dout (which that block's deferred tasks
    // may still read).
    T* const bufs[3] = {g_x_.data(), g_y_.data(), g_mid_.data()};
    T* cur = bufs[0];
    T* last = nullptr;  // the previous block's dout
    const auto fresh = [&] {
        for (T* b : bufs)
            if (b != cur && b != last) return b;
        return bufs[0];  // not reached
    };
    if (has_final_norm_) {
        T* out = fresh();
        norm_bwd(final_norm_, out, cur, hs_.back().data(), true);
        cur = out;
    }
    const std::size_t L = layers_.size();
    probes_.grad_rms.assign(L + 1, 0.0);
    const bool probe = opt_.collect_probes;
    if (probe) probes_.grad_rms[L] = rms(cur, ND);
    deferred_ = Deferred{};
    chained_blocks_ = 0;
    int set = 0;
    const auto block = [&](Block& blk, const T* x) {
        check_cancel();
        T* out = fresh();
        if (chains(blk)) {
            block_bwd_chained(blk, out, cur, x, set);
            set ^= 1;
            ++chained_blocks_;
        } else {
            flush_deferred();
            block_bwd(blk, out, cur, x);
        }
        last = cur;
        cur = out;
    };
    for (std::size_t li = L; li-- > 0;) {
        Layer& l = layers_[li];
        block(l.ffn, l.mid.data());
        block(l.attn, hs_[li].data());
        if (probe) probes_.grad_rms[li] = rms(cur, ND);
    }
    flush_deferred();
    last = nullptr;
    if (has_emb_norm_) {
        T* out = fresh();
        norm_bwd(emb_norm_, out, cur, emb_raw_.data(), true);
        cur = out;
    }
    const T scale = cfg_.embedding_scale_sqrt_d ? static_cast<T>(std::sqrt(static_cast<double>(D))) : T(1);
    embedding_backward(G(emb_w_), pos_w_ >= 0 ? G(pos_w_) : nullptr, cur, ids_.data(), scale, B_, T_, D, par_);
    fold_halves();
}

template class Model<float>;
template class Model<double>;

}  // namespace ns
