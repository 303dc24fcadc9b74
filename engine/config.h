// The experiment: model and training settings of SPEC section 2, resolved per run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ns {

enum class NormKind { LayerNorm, LayerNormStd, RMSNorm, BatchNorm, DyT, None };
enum class NormPlacement { Post, Pre, Sandwich, DeepNorm };
enum class Positional { Sinusoidal, Learned, None };
enum class Activation { ReLU, GELU };
enum class InitScheme { Xavier, Torch };
enum class Task { Reverse, Sort, Copy, Histogram, Text };
enum class Optimizer { SGD, Adam, AdamW };
enum class Schedule { Constant, Linear, Cosine, InverseSqrt };

struct ModelConfig {
    int layers = 6;
    int d_model = 64;
    int heads = 4;
    int d_ff = 256;
    int vocab = 32;
    int max_len = 16;
    NormKind norm = NormKind::LayerNorm;
    NormPlacement placement = NormPlacement::Post;
    // "auto" resolves to on for pre and sandwich, off otherwise; see final_norm_on().
    std::optional<bool> final_norm;  // nullopt = "auto"
    bool embedding_norm = false;
    bool residual = true;
    Positional positional = Positional::Learned;
    bool embedding_scale_sqrt_d = false;  // "embedding_scale": "none" | "sqrt_d"
    Activation activation = Activation::ReLU;
    double eps = 1e-5;
    bool causal = false;
    double dropout = 0.0;
    InitScheme init = InitScheme::Xavier;
    double dyt_alpha = 0.5;

    int head_dim() const { return d_model / heads; }
    bool final_norm_on() const {
        if (final_norm) return *final_norm;
        return placement == NormPlacement::Pre || placement == NormPlacement::Sandwich;
    }
    // Residual scale a: (2L)^(1/4) for DeepNorm, 1 otherwise.
    double residual_alpha() const;
    // DeepNorm's init scale beta = (8L)^(-1/4) for value/out/FFN weights, 1 otherwise.
    double init_beta() const;
};

struct TrainConfig {
    Task task = Task::Reverse;
    std::string text_file;  // for task "text"; resolved relative to the experiment file
    int seq_len = 16;
    int batch = 32;
    int steps = 400;
    std::uint64_t seed = 0;
    Optimizer optimizer = Optimizer::Adam;
    double lr = 0.003;
    double beta1 = 0.9, beta2 = 0.98;  // "betas": [b1, b2]
    double adam_eps = 1e-8;            // extension
    double momentum = 0.9;             // extension, SGD only
    double weight_decay = 0.0;
    int warmup = 0;
    Schedule schedule = Schedule::Constant;
    double min_lr_ratio = 0.0;         // extension: floor of linear/cosine decay, as a fraction of lr
    double clip = 0.0;                 // 0 = no clipping
    int eval_every = 20;
    int probe_every = 20;
    int val_batches = 4;               // extension: size of the fixed validation set, in batches
};

struct RunSpec {
    std::string name;
    nlohmann::json model_overrides = nlohmann::json::object();
    nlohmann::json train_overrides = nlohmann::json::object();
    ModelConfig model;  // resolved: base + overrides
    TrainConfig train;  // resolved: base + overrides
};

struct Experiment {
    std::string name;
    ModelConfig model;  // base
    TrainConfig train;  // base
    std::vector<RunSpec> runs;  // at least one; when the file has none, one run named after the experiment
    std::string source_dir;  // folder of the file it was read from ("" if none)
};

// A refused input: names the field (JSON path such as "runs[1].model.heads") and the reason;
// errors from load_experiment_file also name the file, and what() is "<file>: <field>: <reason>".
class ConfigError : public std::runtime_error {
public:
    ConfigError(std::string field, std::string reason)
        : ConfigError(std::string(), std::move(field), std::move(reason)) {}
    ConfigError(std::string file, std::string field, std::string reason)
        : std::runtime_error(compose(file, field, reason)),
          file_(std::move(file)), field_(std::move(field)), reason_(std::move(reason)) {}
    const std::string& file() const { return file_; }  // "" unless read from a file
    const std::string& field() const { return field_; }
    const std::string& reason() const { return reason_; }
private:
    static std::string compose(const std::string& file, const std::string& field, const std::string& reason) {
        std::string text = field.empty() ? reason : field + ": " + reason;
        return file.empty() ? text : file + ": " + text;
    }
    std::string file_, field_, reason_;
};

// Parse, apply defaults, resolve each run and validate everything. Throws ConfigError.
Experiment parse_experiment(const nlohmann::json& j, const std::string& source_dir = "");
Experiment parse_experiment_text(const std::string& text, const std::string& source_dir = "");
Experiment load_experiment_file(const std::string& path);  // errors name the file too

// Fully resolved JSON: every default written out in "model" and "train"; runs keep their overrides.
nlohmann::json to_json(const Experiment& e);
nlohmann::json to_json(const ModelConfig& m);
nlohmann::json to_json(const TrainConfig& t);

// Validate one resolved model/train pair; `prefix` is prepended to field names.
void validate(const ModelConfig& m, const TrainConfig& t, const std::string& prefix);

// Models of up to this many parameters sum each linear layer's weight gradient in two halves of
// the rows, the second kept in a buffer as large as the gradients (Model, LinearWeightGrad). Up
// to here the cut pays: at 2 threads with the two CPUs apart the lesson model (0.3 M parameters)
// and S (1.2 M) took 4-8 % less time a step; M (9.4 M, whose long products hide where their rows
// come from) took 2-16 % more at 1 thread (a profile and two noisy alternations) and nothing
// measurable less at 2 (docs/speed-log.md).
inline constexpr std::size_t kMaxCutParams = std::size_t(4) << 20;

// Memory a run needs for training (parameters, gradients, optimizer state, activations), in bytes.
double estimate_training_bytes(const ModelConfig& m, const TrainConfig& t);
constexpr double kMaxTrainingBytes = 8.0 * 1024 * 1024 * 1024;  // refused above this

// Names as written in files.
const char* to_string(NormKind);
const char* to_string(NormPlacement);
const char* to_string(Positional);
const char* to_string(Activation);
const char* to_string(InitScheme);
const char* to_string(Task);
const char* to_string(Optimizer);
const char* to_string(Schedule);

// The built-in default experiment (Post-LN vs Pre-LN).
Experiment default_experiment();

// A file-safe folder name for a run.
std::string file_safe_name(const std::string& run_name);

}  // namespace ns
