#include "engine/run_writer.h"

#include <filesystem>

#include "engine/session.h"

namespace ns {

struct RunWriter::Files {
    struct File {
        std::string path, content;
        bool dirty = true;
        void append(const std::string& rows) {
            content += rows;
            dirty = true;
        }
    };
    std::string dir;
    File metrics, norm_stats, grad_norms, residual, eval_gap;
    File* all[5] = {&metrics, &norm_stats, &grad_norms, &residual, &eval_gap};
};

RunWriter::RunWriter(const Experiment& e, const std::string& out_dir, double checkpoint_seconds)
    : out_dir_(out_dir),
      interval_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(checkpoint_seconds))),
      last_checkpoint_(std::chrono::steady_clock::now()) {
    namespace fs = std::filesystem;
    prepare_output_dir(out_dir);
    write_file_atomic((fs::path(out_dir) / "experiment.json").string(), to_json(e).dump(2) + "\n");
    for (const RunSpec& r : e.runs) {
        auto f = std::make_unique<Files>();
        f->dir = (fs::path(out_dir) / file_safe_name(r.name)).string();
        prepare_output_dir(f->dir);
        const std::pair<Files::File*, const char*> files[] = {{&f->metrics, "metrics.csv"},
                                                              {&f->norm_stats, "norm_stats.csv"},
                                                              {&f->grad_norms, "grad_norms.csv"},
                                                              {&f->residual, "residual.csv"},
                                                              {&f->eval_gap, "eval_gap.csv"}};
        const char* headers[] = {kMetricsHeader, kNormStatsHeader, kGradNormsHeader, kResidualHeader, kEvalGapHeader};
        for (int k = 0; k < 5; ++k) {
            files[k].first->path = f->dir + "/" + files[k].second;
            files[k].first->content = std::string(headers[k]) + "\n";
        }
        files_.push_back(std::move(f));
    }
    checkpoint();  // the headers: a folder that is being written is never empty
}

RunWriter::~RunWriter() = default;

std::string RunWriter::run_dir(int run) const { return files_.at(run)->dir; }

std::string RunWriter::metrics_row(const StepMetrics& m) {
    std::string row = std::to_string(m.step) + "," + csv_number(m.lr) + "," + csv_number(m.train_loss) + "," +
                      csv_number(m.train_acc) + ",";
    if (m.has_val) row += csv_number(m.val_loss) + "," + csv_number(m.val_acc);
    else row += ",";
    row += "," + csv_number(m.grad_norm) + "," + (m.diverged ? "1" : "0") + "\n";
    return row;
}

std::string RunWriter::eval_gap_row(const StepMetrics& m) {
    return std::to_string(m.step) + "," + csv_number(m.val_loss) + "," + csv_number(m.val_acc) + "," +
           csv_number(m.val_loss_batch_stats) + "," + csv_number(m.val_acc_batch_stats) + "\n";
}

void RunWriter::on_metrics(int run, const StepMetrics& m) {
    Files& f = *files_.at(run);
    f.metrics.append(metrics_row(m));
    if (m.has_val) f.eval_gap.append(eval_gap_row(m));
}

void RunWriter::on_probe(int run, const ProbeSnapshot& p) {
    Files& f = *files_.at(run);
    f.norm_stats.append(norm_stats_rows(p.step, p.probes));
    f.grad_norms.append(grad_norm_rows(p.step, p.norms));
    f.residual.append(residual_rows(p.step, p.probes));
}

void RunWriter::on_diverged(int, long, const std::string&) {}

void RunWriter::on_step_done(long step) {
    step_ = step;
    if (std::chrono::steady_clock::now() - last_checkpoint_ >= interval_) checkpoint();
}

void RunWriter::checkpoint() {
    for (auto& f : files_)
        for (Files::File* file : f->all)
            if (file->dirty) {
                write_file_atomic(file->path, file->content);
                file->dirty = false;
            }
    last_checkpoint_ = std::chrono::steady_clock::now();
    if (session_) session_->saved(step_, total_steps_);
}

void RunWriter::finish(const Trainer& t) {
    step_ = t.current_step();
    checkpoint();
    for (int i = 0; i < t.num_runs(); ++i)
        write_safetensors(files_[i]->dir + "/weights.safetensors", weight_tensors(t.model(i)),
                          {{"format", "normscope-weights"}, {"step", std::to_string(t.status(i).step)}});
}

}  // namespace ns
