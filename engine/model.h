// A configurable Transformer encoder stack (SPEC section 1): parameters in one contiguous buffer,
// gradients in a second of the same layout, forward and hand-written backward, and the probes
// (norm statistics, hidden-state RMS) gathered during the same passes.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "engine/config.h"
#include "engine/kernels.h"
#include "engine/parallel.h"

namespace ns {

// One named tensor of the parameter (or buffer) storage.
struct ParamInfo {
    std::string name;                  // SPEC section 5, e.g. "layers.3.norm1.weight"
    int layer = -1;                    // -1 outside the stack
    std::vector<std::int64_t> shape;
    std::size_t offset = 0;            // into params/grads (or buffers for running statistics)
    std::size_t size = 0;
    bool is_buffer = false;            // batchnorm running statistics: not trained, no gradient
};

// The probe of one norm site: per position (B*T rows) mean and biased variance over D of the
// vector entering and leaving the norm (output after gamma and beta).
struct NormSiteProbe {
    std::string site;  // embedding, norm1, norm2, norm1_out, norm2_out, final
    int layer = -1;
    NormKind kind = NormKind::None;
    std::vector<double> mean_in, var_in, mean_out, var_out;  // (B*T) per sample and position
    // The first sample's vectors, for showing the formula on real numbers: entering and leaving
    // the norm (T, D), and the norm's gain and bias (D; empty where the kind has none).
    std::vector<double> sample_in, sample_out, gamma, beta;
    double eps = 0, alpha = 0;  // alpha: DyT's scale
};

struct ModelProbes {
    int batch = 0, seq_len = 0;
    std::vector<NormSiteProbe> norms;
    std::vector<double> hidden_rms;  // (L+1): after the embedding (0) and after each layer
    std::vector<double> grad_rms;    // (L+1): of dLoss/dhidden, filled by backward when collecting
};

struct ForwardOptions {
    Mode mode = Mode::Train;
    bool collect_probes = false;
    std::uint64_t dropout_seed = 0;  // dropout mask = f(seed, step, site, element)
    std::uint64_t step = 0;
    // When set, forward and the next backward check it between blocks and throw StepCancelled,
    // so that a step on a large model stops within one block's work. Nothing but activations,
    // gradients and (Train mode) BatchNorm's running statistics has changed at that point.
    const std::atomic<bool>* cancel = nullptr;
    // Backward runs blocks row-chained where it can (Model::block_bwd_chained); false runs every
    // operation over all rows in turn, the reference the chained form is tested against. Both
    // give the same bits.
    bool row_chained_backward = true;
};

struct StepCancelled : std::exception {
    const char* what() const noexcept override { return "step cancelled"; }
};

template <class T>
class Model {
public:
    // Lays the tensors out and initialises them with `seed` (see init()).
    Model(const ModelConfig& cfg, const Parallel& par, std::uint64_t seed = 0);

    const ModelConfig& config() const { return cfg_; }
    const std::vector<ParamInfo>& tensors() const { return tensors_; }
    const ParamInfo* find(const std::string& name) const;

    // Weights from the seed (SPEC section 1, init). Each tensor draws from its own stream keyed
    // by the seed and its name, so runs that differ by one optional tensor share all others.
    void init(std::uint64_t seed);

    // Forward over ids (B, T), targets (B, T); returns the mean loss. Keeps what backward needs.
    LossResult forward(const std::int32_t* ids, const std::int32_t* targets, int B, int Tn,
                       const ForwardOptions& opt = {});
    // Backward of the last forward: ADDS into grads(). zero_grad() is the caller's step.
    void backward();
    void zero_grad();

    std::vector<T>& params() { return params_; }
    const std::vector<T>& params() const { return params_; }
    std::vector<T>& grads() { return grads_; }
    const std::vector<T>& grads() const { return grads_; }
    std::vector<T>& buffers() { return buffers_; }
    const std::vector<T>& buffers() const { return buffers_; }
    std::size_t num_params() const { return params_.size(); }

    const std::vector<T>& logits() const { return logits_; }  // (B*T, V) of the last forward
    const ModelProbes& probes() const { return probes_; }      // filled when collect_probes
    // How many blocks the last backward ran row-chained (ForwardOptions::row_chained_backward).
    int chained_blocks() const { return chained_blocks_; }
    // The row at which the linear layers' weight gradients are cut in two halves (0: not cut).
    int weight_grad_split() const { return split_; }
    // How many times this model has looked at the cancel flag (ForwardOptions::cancel): forward
    // looks before each block and before the head, backward before each block. Between two
    // looks runs at most one block, or the head and the loss forward and backward with the final
    // norm's backward; after backward's last look, the embedding's gradients.
    std::size_t cancel_checks() const { return cancel_checks_; }

    // Copy weights (and buffers) from another model with the same config (float <-> double).
    template <class U>
    void copy_weights_from(const Model<U>& other) {
        for (std::size_t i = 0; i < params_.size(); ++i) params_[i] = static_cast<T>(other.params()[i]);
        for (std::size_t i = 0; i < buffers_.size(); ++i) buffers_[i] = static_cast<T>(other.buffers()[i]);
    }

private:
    void check_cancel() {
        ++cancel_checks_;
        if (cancel_ && cancel_->load(std::memory_order_relaxed)) throw StepCancelled{};
    }
    const std::atomic<bool>* cancel_ = nullptr;
    std::size_t cancel_checks_ = 0;
    struct Norm {
        std::string site;
        int layer = -1;
        NormKind kind = NormKind::None;
        int gamma = -1, beta = -1, alpha = -1, rmean = -1, rvar = -1;  // tensor indices
        NormCache<T> cache;
        int probe = -1;  // index into probes_.norms
    };
    // One residual block: a sublayer (attention or FFN) with its norm(s) and residual add.
    struct Block {
        bool attention = true;
        Norm n_a;  // post: after the add; pre and sandwich: before the sublayer
        Norm n_b;  // sandwich only: after the sublayer (norm*_out)
        // tensor indices: attention in_proj w/b, out_proj w/b; FFN linear1 w/b, linear2 w/b
        int w1 = -1, b1 = -1, w2 = -1, b2 = -1;
        // activations of the last forward
        std::vector<T> normed;  // pre/sandwich: N_a(x)                      (N, D)
        std::vector<T> qkv;     // attention: packed q, k, v                 (N, 3D)
        std::vector<T> att;     // attention probabilities                   (B, H, T, T)
        std::vector<T> hidden;  // attention: context (N, D); FFN: linear1 out (N, F), not with ReLU
        std::vector<T> act;     // FFN: activation output                    (N, F)
        std::vector<T> sub;     // sandwich: sublayer output after dropout   (N, D)
        std::vector<T> pre_norm;  // post: a*x + sub; sandwich: N_b(sub)     (N, D)
        std::uint64_t dropout_site = 0;
    };
    struct Layer {
        Block attn, ffn;
        std::vector<T> mid;  // output of the attention block (N, D)
    };

    // Where a block's sublayer writes its output (after dropout). Post-LN adds the residual in
    // place, the sum being the norm's input kept for backward; Sandwich keeps it (the second norm's
    // input); Pre-LN only adds it into the block's output, so its blocks share one buffer.
    T* sub_of(Block& blk) {
        switch (cfg_.placement) {
        case NormPlacement::Post:
        case NormPlacement::DeepNorm: return blk.pre_norm.data();
        case NormPlacement::Sandwich: return blk.sub.data();
        default: return sub_shared_.data();
        }
    }
    // The FFN's first product. With ReLU it goes straight into act and is rectified in place:
    // backward reads act > 0, true exactly where the product was > 0, and the N x F buffer of
    // products is not kept. Fewer bytes touched per step: the lesson model's workspace then fits
    // the cache better.
    T* ffn_pre(Block& blk) { return cfg_.activation == Activation::ReLU ? blk.act.data() : blk.hidden.data(); }

    int add_tensor(const std::string& name, int layer, std::vector<std::int64_t> shape, bool buffer = false);
    Norm make_norm(const std::string& prefix, const std::string& site, int layer);
    NormWeights<T> weights_of(const Norm& n);
    NormWeights<T> grads_of(const Norm& n);
    T* P(int idx) { return params_.data() + tensors_[idx].offset; }
    T* G(int idx) { return grads_.data() + tensors_[idx].offset; }
    // Where the second half of weight w's and bias b's gradient goes (none when split_ is 0).
    GradHalf<T> half_of(int w, int b) {
        if (split_ == 0) return {};
        return {grad_part_.data() + tensors_[w].offset, grad_part_.data() + tensors_[b].offset, split_};
    }
    void fold_halves();  // grads_ += grad_part_ over fold_ranges_
    void ensure_workspace(int B, int Tn);
    void norm_fwd(Norm& n, T* out, const T* in);
    void norm_fwd_rows(Norm& n, T* out, const T* in, std::size_t r0, std::size_t r1);
    void norm_fwd_finish(Norm& n, T* out, const T* in);  // the probes' samples after all rows
    template <class Epi = NoEpilogue>
    void norm_bwd(Norm& n, T* din, const T* dout, const T* in, bool assign = false, const Epi& epi = Epi{});
    template <class Epi>
    void sublayer_fwd(Block& blk, const T* in, const Epi& epi);
    void sublayer_bwd(Block& blk, T* din, const T* dsub, const T* in, bool assign);
    // A norm to run on a block's output rows in its last tiles (Pre-LN: the next block's norm,
    // or the final norm, when row-wise), and where it writes.
    struct Then {
        Norm* norm = nullptr;
        T* out = nullptr;
    };
    // normed: (Pre-LN) blk.normed already holds this block's norm of x (the previous block's Then).
    void block_fwd(Block& blk, T* out, const T* x, Then then = {}, bool normed = false);
    void block_bwd(Block& blk, T* dx, const T* dout, const T* x);
    // The row-chained backward of a block: one parallel region runs, for each tile of rows, the
    // whole chain from dout to dx (norm, dropout, both products, attention or the activation),
    // together with the gain and bias gradients of the norm after the sublayer and the weight
    // gradients the previous chained block left (deferred_). The block's own weight gradients,
    // and those of the norm in front of the sublayer, read what its rows wrote: they go to
    // deferred_, for the next region. set (0 or 1) picks the block's gradient scratch, so that
    // the next block's rows leave what the deferred tasks read alone; dx must not be the
    // previous chained block's dout.
    bool chains(const Block& blk) const;
    void block_bwd_chained(Block& blk, T* dx, const T* dout, const T* x, int set);
    void sublayer_bwd_rows(Block& blk, T* din, const T* dsub, T* wide, T* dqkv, std::size_t r0, std::size_t r1,
                           bool assign);
    void flush_deferred();
    double rms(const T* x, std::size_t n);
    // Whether each tile of the linear layers' rows holds whole sequences, so that attention can
    // run inside the tile that produced (or consumes) them.
    bool tiles_hold_sequences() const { return rt_ % static_cast<std::size_t>(T_) == 0; }

    ModelConfig cfg_;
    const Parallel& par_;
    std::vector<ParamInfo> tensors_;
    std::vector<T> params_, grads_, buffers_;
    // The linear layers' weight gradients summed in two halves of the rows (see LinearWeightGrad):
    // the second half's sums, at the gradients' offsets; the row where the halves meet (0: not
    // cut: a single row tile, or a model above kMaxCutParams parameters, config.h); the ranges of
    // grads_ that hold the linear layers' weights and biases.
    std::vector<T> grad_part_;
    int split_ = 0;
    std::vector<std::pair<std::size_t, std::size_t>> fold_ranges_;
    std::size_t param_count_ = 0, buffer_count_ = 0;  // while the constructor lays tensors out
    std::vector<T> sinusoid_;  // (max_len, D) when positional is sinusoidal

    int emb_w_ = -1, pos_w_ = -1, head_w_ = -1, head_b_ = -1;
    bool has_emb_norm_ = false, has_final_norm_ = false;
    Norm emb_norm_, final_norm_;
    std::vector<Layer> layers_;

    // Workspace of the last forward.
    int B_ = 0, T_ = 0, N_ = 0;
    std::size_t rt_ = 64;  // rows per task of the products and row chains: row_tile(N_, T_)
    ForwardOptions opt_;
    bool have_forward_ = false;
    std::vector<std::int32_t> ids_, targets_;
    std::vector<T> emb_raw_;                 // s*E[x] + P (N, D): the embedding norm's input
    std::vector<std::vector<T>> hs_;         // hidden after embedding and each layer, (L+1) x (N, D)
    std::vector<T> final_out_;               // after the final norm (N, D)
    std::vector<T> sub_shared_;              // Pre-LN: every block's sublayer output (N, D)
    std::vector<T> logits_, probs_;          // (N, V)
    std::vector<double> row_loss_;
    std::vector<std::uint8_t> row_hit_;
    LossResult loss_;
    std::vector<T> d_a_, d_b_, d_c_, d_wide_, d_qkv_, d_att_, d_logits_;  // backward scratch
    // The second set of the row-chained backward: blocks alternate between the two, so with
    // attention and FFN blocks alternating each buffer keeps one shape, and a row's lines stay
    // on the thread that owns the row (Parallel::for_each_homed).
    std::vector<T> d_a2_, d_b2_, d_c2_, d_qkv2_, d_wide2_;
    // Tasks a row-chained block left for the next parallel region: its two weight gradients and
    // the gain and bias gradients of a norm (none when norm is null). Split tasks are those of a
    // weight gradient cut in halves (run_split(half, i)), neutral ones the rest (whole weight
    // gradients and the norm's features).
    struct Deferred {
        LinearWeightGrad<T> lin[2];
        const Norm* norm = nullptr;
        NormWeights<T> dnorm;
        const T* norm_dout = nullptr;
        const T* norm_in = nullptr;
        int N = 0, D = 0;
        std::size_t norm_tasks() const {
            return norm && norm->kind != NormKind::None ? (static_cast<std::size_t>(D) + kColTile - 1) / kColTile : 0;
        }
        std::size_t split_of(int i) const { return lin[i].halves() ? lin[i].per_half() : 0; }
        std::size_t neutral_of(int i) const { return lin[i].halves() ? 0 : lin[i].tasks(); }
        std::size_t split_tasks() const { return split_of(0) + split_of(1); }  // in each half
        std::size_t neutral_tasks() const { return neutral_of(0) + neutral_of(1) + norm_tasks(); }
        std::size_t tasks() const { return 2 * split_tasks() + neutral_tasks(); }
        void run(std::size_t t) const {
            const std::size_t s = split_tasks();
            if (t < 2 * s) return run_split(t < s ? 0 : 1, t < s ? t : t - s);
            run_neutral(t - 2 * s);
        }
        void run_split(int half, std::size_t t) const {
            if (t < split_of(0)) return lin[0].run_half(half, t);
            lin[1].run_half(half, t - split_of(0));
        }
        void run_neutral(std::size_t t) const {
            if (t < neutral_of(0)) return lin[0].run(t);
            t -= neutral_of(0);
            if (t < neutral_of(1)) return lin[1].run(t);
            t -= neutral_of(1);
            const std::size_t d0 = t * kColTile;
            norm_backward_cols(dnorm, norm_dout, norm->cache, norm_in, norm->kind, N, D, d0,
                               std::min<std::size_t>(d0 + kColTile, static_cast<std::size_t>(D)));
        }
    };
    Deferred deferred_;
    int chained_blocks_ = 0;
    std::vector<T> g_x_, g_y_, g_mid_;       // gradients of hidden states
    std::vector<T> scratch_d_;
    std::vector<double> sum_partials_;     // one per kSumTile elements of an (N, D) tensor
    // The linear layers' weights transposed, (I, O) each, for the float products on AVX-512
    // (empty otherwise): rewritten by every forward, in the embedding's parallel region, by
    // tasks of some rows of W^T each.
    struct TransposeTask {
        int w, O, I, i0, i1;
        std::size_t off;  // of W^T in wt_
    };
    std::vector<T> wt_;
    std::vector<TransposeTask> transpose_tasks_;
    std::vector<std::size_t> wt_off_;  // per tensor: offset of its W^T in wt_ (linear weights only)
    const T* WT(int w) const { return wt_.empty() ? nullptr : wt_.data() + wt_off_[w]; }
    ModelProbes probes_;
};

extern template class Model<float>;
extern template class Model<double>;

}  // namespace ns
