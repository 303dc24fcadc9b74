#include "engine/run_writer.h"

#include <filesystem>

namespace ns {

struct RunWriter::Files {
    std::string dir;
    std::ofstream metrics, norm_stats, grad_norms, residual, eval_gap;
};

namespace {

void open_csv(std::ofstream& f, const std::string& path, const char* header) {
    f.open(path, std::ios::binary | std::ios::trunc);
    if (!f) throw OutputError("cannot write '" + path + "'");
    f << header << "\n";
    f.flush();
}

void check(std::ofstream& f, const std::string& what) {
    if (!f) throw OutputError("writing '" + what + "' failed (disk full?)");
}

}  // namespace

RunWriter::RunWriter(const Experiment& e, const std::string& out_dir) : out_dir_(out_dir) {
    namespace fs = std::filesystem;
    prepare_output_dir(out_dir);
    write_file_atomic((fs::path(out_dir) / "experiment.json").string(), to_json(e).dump(2) + "\n");
    for (const RunSpec& r : e.runs) {
        auto f = std::make_unique<Files>();
        f->dir = (fs::path(out_dir) / file_safe_name(r.name)).string();
        prepare_output_dir(f->dir);
        open_csv(f->metrics, f->dir + "/metrics.csv", kMetricsHeader);
        open_csv(f->norm_stats, f->dir + "/norm_stats.csv", kNormStatsHeader);
        open_csv(f->grad_norms, f->dir + "/grad_norms.csv", kGradNormsHeader);
        open_csv(f->residual, f->dir + "/residual.csv", kResidualHeader);
        open_csv(f->eval_gap, f->dir + "/eval_gap.csv", kEvalGapHeader);
        files_.push_back(std::move(f));
    }
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
    f.metrics << metrics_row(m);
    f.metrics.flush();
    if (m.has_val) {
        f.eval_gap << eval_gap_row(m);
        f.eval_gap.flush();
    }
    check(f.metrics, f.dir + "/metrics.csv");
}

void RunWriter::on_probe(int run, const ProbeSnapshot& p) {
    Files& f = *files_.at(run);
    f.norm_stats << norm_stats_rows(p.step, p.probes);
    f.grad_norms << grad_norm_rows(p.step, p.norms);
    f.residual << residual_rows(p.step, p.probes);
    f.norm_stats.flush();
    f.grad_norms.flush();
    f.residual.flush();
    check(f.norm_stats, f.dir + "/norm_stats.csv");
}

void RunWriter::on_diverged(int, long, const std::string&) {}

void RunWriter::finish(const Trainer& t) {
    for (int i = 0; i < t.num_runs(); ++i) {
        write_safetensors(files_[i]->dir + "/weights.safetensors", weight_tensors(t.model(i)),
                          {{"format", "normscope-weights"}, {"step", std::to_string(t.status(i).step)}});
        files_[i]->metrics.flush();
    }
}

}  // namespace ns
