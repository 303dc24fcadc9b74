#include "engine/probe.h"

#include <filesystem>

#include "engine/model.h"
#include "engine/report.h"
#include "engine/tasks.h"

namespace ns {

std::vector<ProbeSummary> run_probe(const Experiment& e, const std::string& out_dir, int threads,
                                    const std::vector<Tensor>& init, const std::string& init_file) {
    namespace fs = std::filesystem;
    Parallel par(threads);
    prepare_output_dir(out_dir);
    // Every run's data first, so that a refused input writes nothing.
    std::vector<std::unique_ptr<TaskData>> data;
    for (std::size_t i = 0; i < e.runs.size(); ++i) {
        try {
            data.push_back(TaskData::create(e.runs[i].model, e.runs[i].train, e.source_dir));
        } catch (const ConfigError& err) {
            throw ConfigError("runs[" + std::to_string(i) + "]." + err.field(), err.reason());
        }
    }
    // Every run's models and initial weights too, before anything is written.
    std::vector<std::unique_ptr<Model<float>>> models;
    for (std::size_t i = 0; i < e.runs.size(); ++i) {
        models.push_back(std::make_unique<Model<float>>(e.runs[i].model, par));
        models.back()->init(e.runs[i].train.seed);
        if (!init.empty())
            load_weights(*models.back(), init, init_file + ": runs[" + std::to_string(i) + "] (" + e.runs[i].name + ")");
    }
    write_file_atomic((fs::path(out_dir) / "experiment.json").string(), to_json(e).dump(2) + "\n");
    std::vector<ProbeSummary> out;
    for (std::size_t i = 0; i < e.runs.size(); ++i) {
        const RunSpec& run = e.runs[i];
        const fs::path dir = fs::path(out_dir) / file_safe_name(run.name);
        prepare_output_dir(dir.string());
        Model<float>& m = *models[i];
        const Batch b = data[i]->train_batch(0);
        ForwardOptions opt;
        opt.mode = Mode::TrainNoUpdate;  // training-mode statistics, running statistics untouched
        opt.collect_probes = true;
        opt.dropout_seed = run.train.seed;
        opt.step = 0;
        m.zero_grad();
        const LossResult loss = m.forward(b.ids.data(), b.targets.data(), b.batch, b.seq_len, opt);
        m.backward();
        const auto norms = tensor_norms(m);
        write_file_atomic((dir / "norm_stats.csv").string(), std::string(kNormStatsHeader) + "\n" + norm_stats_rows(0, m.probes()));
        write_file_atomic((dir / "grad_norms.csv").string(), std::string(kGradNormsHeader) + "\n" + grad_norm_rows(0, norms));
        write_file_atomic((dir / "residual.csv").string(), std::string(kResidualHeader) + "\n" + residual_rows(0, m.probes()));
        write_safetensors((dir / "weights.safetensors").string(), weight_tensors(m), {{"format", "normscope-weights"}});
        write_safetensors((dir / "grads.safetensors").string(), grad_tensors(m), {{"format", "normscope-grads"}});
        write_safetensors((dir / "batch.safetensors").string(),
                          batch_tensors(b, m.logits(), run.model.vocab, static_cast<float>(loss.loss)),
                          {{"format", "normscope-batch"}});
        out.push_back({run.name, dir.string(), loss.loss, global_norm(norms)});
    }
    return out;
}

}  // namespace ns
