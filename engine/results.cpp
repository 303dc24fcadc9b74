#include "engine/results.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "engine/report.h"
#include "engine/run_writer.h"

namespace ns {

namespace {

struct Csv {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

// RFC 4180 with quoted fields; every row must have as many fields as the header.
Csv read_csv(const std::string& path, const std::string& expected_header) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot be read");
    std::string line;
    Csv csv;
    long lineno = 0;
    auto split = [&](const std::string& l) {
        std::vector<std::string> f;
        std::string cur;
        bool q = false;
        for (std::size_t i = 0; i < l.size(); ++i) {
            const char c = l[i];
            if (q) {
                if (c == '"' && i + 1 < l.size() && l[i + 1] == '"') { cur += '"'; ++i; }
                else if (c == '"') q = false;
                else cur += c;
            } else if (c == '"') q = true;
            else if (c == ',') { f.push_back(cur); cur.clear(); }
            else if (c != '\r') cur += c;
        }
        f.push_back(cur);
        return f;
    };
    while (std::getline(in, line)) {
        ++lineno;
        if (lineno == 1) {
            if (line != expected_header)
                throw std::runtime_error(path + ": line 1: expected the header '" + expected_header + "'");
            csv.header = split(line);
            continue;
        }
        if (line.empty()) continue;
        auto f = split(line);
        if (f.size() != csv.header.size())
            throw std::runtime_error(path + ": line " + std::to_string(lineno) + ": " + std::to_string(f.size()) +
                                     " fields, the header has " + std::to_string(csv.header.size()));
        csv.rows.push_back(std::move(f));
    }
    return csv;
}

double num(const std::string& s) {
    if (s == "nan") return std::nan("");
    if (s == "inf") return HUGE_VAL;
    if (s == "-inf") return -HUGE_VAL;
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
}

}  // namespace

Results read_results(const std::string& dir) {
    namespace fs = std::filesystem;
    Results res;
    res.experiment = load_experiment_file((fs::path(dir) / "experiment.json").string());
    for (const RunSpec& spec : res.experiment.runs) {
        RunResult r;
        r.name = spec.name;
        r.folder = (fs::path(dir) / file_safe_name(spec.name)).string();
        std::map<long, std::shared_ptr<ProbeSnapshot>> probes;
        auto probe_at = [&](long step) {
            auto& p = probes[step];
            if (!p) {
                p = std::make_shared<ProbeSnapshot>();
                p->step = step;
                p->probes.batch = 1;
                p->probes.seq_len = 0;
            }
            return p;
        };
        try {
            const std::string mpath = r.folder + "/metrics.csv";
            if (fs::exists(mpath)) {
                const Csv m = read_csv(mpath, kMetricsHeader);
                for (const auto& f : m.rows) {
                    StepMetrics s;
                    s.step = std::stol(f[0]);
                    s.lr = num(f[1]);
                    s.train_loss = num(f[2]);
                    s.train_acc = num(f[3]);
                    s.has_val = !f[4].empty();
                    if (s.has_val) { s.val_loss = num(f[4]); s.val_acc = num(f[5]); }
                    s.val_loss_batch_stats = s.val_loss;
                    s.val_acc_batch_stats = s.val_acc;
                    s.grad_norm = num(f[6]);
                    s.diverged = f[7] == "1";
                    r.metrics.push_back(s);
                }
                const std::string gpath = r.folder + "/eval_gap.csv";
                if (fs::exists(gpath)) {
                    const Csv g = read_csv(gpath, kEvalGapHeader);
                    std::map<long, std::pair<double, double>> gap;
                    for (const auto& f : g.rows) gap[std::stol(f[0])] = {num(f[3]), num(f[4])};
                    for (auto& s : r.metrics) {
                        auto it = gap.find(s.step);
                        if (it != gap.end()) { s.val_loss_batch_stats = it->second.first; s.val_acc_batch_stats = it->second.second; }
                    }
                }
            }
            const Csv ns_csv = read_csv(r.folder + "/norm_stats.csv", kNormStatsHeader);
            for (const auto& f : ns_csv.rows) {
                auto p = probe_at(std::stol(f[0]));
                const std::string site = f[1];
                const int layer = std::stoi(f[2]), t = std::stoi(f[3]);
                auto& norms = p->probes.norms;
                auto it = std::find_if(norms.begin(), norms.end(), [&](const NormSiteProbe& n) { return n.site == site && n.layer == layer; });
                if (it == norms.end()) {
                    NormSiteProbe n;
                    n.site = site;
                    n.layer = layer;
                    n.kind = spec.model.norm;
                    norms.push_back(n);
                    it = norms.end() - 1;
                }
                for (auto* v : {&it->mean_in, &it->var_in, &it->mean_out, &it->var_out})
                    if (static_cast<int>(v->size()) <= t) v->resize(t + 1, 0.0);
                it->mean_in[t] = num(f[4]);
                it->var_in[t] = num(f[5]);
                it->mean_out[t] = num(f[6]);
                it->var_out[t] = num(f[7]);
                p->probes.seq_len = std::max(p->probes.seq_len, t + 1);
            }
            const Csv g = read_csv(r.folder + "/grad_norms.csv", kGradNormsHeader);
            for (const auto& f : g.rows) probe_at(std::stol(f[0]))->norms.push_back({f[1], std::stoi(f[2]), num(f[3]), num(f[4])});
            const Csv rs = read_csv(r.folder + "/residual.csv", kResidualHeader);
            for (const auto& f : rs.rows) {
                auto p = probe_at(std::stol(f[0]));
                const std::size_t l = std::stoul(f[1]);
                if (p->probes.hidden_rms.size() <= l) { p->probes.hidden_rms.resize(l + 1); p->probes.grad_rms.resize(l + 1); }
                p->probes.hidden_rms[l] = num(f[2]);
                p->probes.grad_rms[l] = num(f[3]);
            }
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(r.folder + ": a number could not be read (" + e.what() + ")");
        } catch (const std::out_of_range& e) {
            throw std::runtime_error(r.folder + ": a number is out of range (" + e.what() + ")");
        }
        for (auto& [step, p] : probes) r.probes.push_back(p);
        if (!r.metrics.empty()) {
            r.status.step = r.metrics.back().step;
            if (r.metrics.back().diverged) {
                r.status.diverged = true;
                r.status.diverged_step = r.metrics.back().step;
                r.status.cause = std::isnan(r.metrics.back().train_loss) ? "the training loss is NaN" : "not finite";
            }
        }
        res.runs.push_back(std::move(r));
    }
    return res;
}

std::string metrics_csv(const std::vector<StepMetrics>& m) {
    std::string s = std::string(kMetricsHeader) + "\n";
    for (const auto& x : m) s += RunWriter::metrics_row(x);
    return s;
}

std::string eval_gap_csv(const std::vector<StepMetrics>& m) {
    std::string s = std::string(kEvalGapHeader) + "\n";
    for (const auto& x : m)
        if (x.has_val) s += RunWriter::eval_gap_row(x);
    return s;
}

std::string norm_stats_csv(const std::vector<std::shared_ptr<const ProbeSnapshot>>& p) {
    std::string s = std::string(kNormStatsHeader) + "\n";
    for (const auto& x : p) s += norm_stats_rows(x->step, x->probes);
    return s;
}

std::string grad_norms_csv(const std::vector<std::shared_ptr<const ProbeSnapshot>>& p) {
    std::string s = std::string(kGradNormsHeader) + "\n";
    for (const auto& x : p) s += grad_norm_rows(x->step, x->norms);
    return s;
}

std::string residual_csv(const std::vector<std::shared_ptr<const ProbeSnapshot>>& p) {
    std::string s = std::string(kResidualHeader) + "\n";
    for (const auto& x : p) s += residual_rows(x->step, x->probes);
    return s;
}

}  // namespace ns
