// The files of SPEC section 4: CSV rows for metrics, norm statistics, gradient norms and the
// residual stream, safetensors of weights, gradients and the probed batch; atomic writes.
#pragma once

#include <string>
#include <vector>

#include "engine/model.h"
#include "engine/safetensors.h"
#include "engine/tasks.h"

namespace ns {

// An output that cannot be written (exit status 2: the user named a folder we cannot use).
class OutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Shortest decimal that reads back to the same double ("." decimal point, no locale).
std::string csv_number(double v);
// RFC 4180 quoting where needed.
std::string csv_field(const std::string& s);

inline constexpr const char* kMetricsHeader = "step,lr,train_loss,train_acc,val_loss,val_acc,grad_norm,diverged";
inline constexpr const char* kNormStatsHeader = "step,site,layer,position,mean_in,var_in,mean_out,var_out";
inline constexpr const char* kGradNormsHeader = "step,name,layer,grad_norm,param_norm";
inline constexpr const char* kResidualHeader = "step,layer,hidden_rms,grad_rms";
// Extension: validation with running statistics (evaluation mode) and with batch statistics.
inline constexpr const char* kEvalGapHeader = "step,val_loss_eval_mode,val_acc_eval_mode,val_loss_batch_stats,val_acc_batch_stats";

struct TensorNorms {
    std::string name;
    int layer = -1;
    double grad_norm = 0, param_norm = 0;
};

// Per parameter tensor (buffers excluded): L2 norms of its gradient and of its values, in double.
template <class T>
std::vector<TensorNorms> tensor_norms(const Model<T>& m);
// Global gradient norm over every parameter.
double global_norm(const std::vector<TensorNorms>& norms);

// Rows (each ending in "\n") for one step.
std::string norm_stats_rows(long step, const ModelProbes& p);  // batch-averaged per position
std::string grad_norm_rows(long step, const std::vector<TensorNorms>& norms);
std::string residual_rows(long step, const ModelProbes& p);

// Tensors for safetensors files.
template <class T>
std::vector<Tensor> weight_tensors(const Model<T>& m);  // parameters and buffers
template <class T>
std::vector<Tensor> grad_tensors(const Model<T>& m);    // parameters only
std::vector<Tensor> batch_tensors(const Batch& b, const std::vector<float>& logits, int vocab, float loss);

// Loads weights (a `train` or `probe` weights.safetensors, or a PyTorch state_dict saved with
// safetensors) into `m`. Every parameter must be there with its exact shape, as float32 or
// float64 with finite values; BatchNorm's running statistics are optional; a tensor the model
// does not have is refused. Throws SafetensorsError naming `what` (the file and the run), the
// tensor and the reason; `m` is untouched then.
template <class T>
void load_weights(Model<T>& m, const std::vector<Tensor>& tensors, const std::string& what);

// Writes `content` to `path` through a temporary file in the same folder and a rename.
void write_file_atomic(const std::string& path, const std::string& content);
// Creates `dir` (and parents) and checks that a file can be written in it; throws OutputError.
void prepare_output_dir(const std::string& dir);

}  // namespace ns
