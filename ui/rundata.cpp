#include "ui/rundata.h"

#include <algorithm>

namespace nsui {

QColor runColor(int index) {
    // Okabe & Ito (2008): blue, vermillion, bluish green, orange, reddish purple, sky blue,
    // yellow, then grey for anything beyond.
    static const QColor colors[] = {QColor(0, 114, 178), QColor(213, 94, 0),   QColor(0, 158, 115),
                                    QColor(230, 159, 0), QColor(204, 121, 167), QColor(86, 180, 233),
                                    QColor(240, 228, 66), QColor(128, 128, 128)};
    constexpr int n = sizeof colors / sizeof colors[0];
    return colors[index < 0 ? n - 1 : (index < n ? index : n - 1)];
}

const ns::ProbeSnapshot* RunSeries::probeAt(long step) const {
    auto it = std::lower_bound(probes.begin(), probes.end(), step,
                               [](const std::shared_ptr<const ns::ProbeSnapshot>& p, long s) { return p->step < s; });
    return it != probes.end() && (*it)->step == step ? it->get() : nullptr;
}

void RunStore::reset(const ns::Experiment& e, long total_steps) {
    std::lock_guard<std::mutex> lock(mu_);
    Snapshot s;
    s.experiment = std::make_shared<const ns::Experiment>(e);
    for (std::size_t i = 0; i < e.runs.size(); ++i) {
        RunSeries r;
        r.name = QString::fromStdString(e.runs[i].name);
        r.color = runColor(static_cast<int>(i));
        r.model = e.runs[i].model;
        r.train = e.runs[i].train;
        s.runs.push_back(std::move(r));
    }
    s.total_steps = total_steps;
    s.version = data_.version + 1;
    data_ = std::move(s);
}

void RunStore::on_metrics(int run, const ns::StepMetrics& m) {
    std::lock_guard<std::mutex> lock(mu_);
    data_.runs.at(run).metrics.push_back(m);
    ++data_.version;
}

void RunStore::on_probe(int run, const ns::ProbeSnapshot& p) {
    auto shared = std::make_shared<const ns::ProbeSnapshot>(p);
    std::lock_guard<std::mutex> lock(mu_);
    data_.runs.at(run).probes.push_back(std::move(shared));
    ++data_.version;
}

void RunStore::on_diverged(int run, long step, const std::string& cause) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& st = data_.runs.at(run).status;
    st.diverged = true;
    st.diverged_step = step;
    st.cause = cause;
    ++data_.version;
}

void RunStore::set_progress(long step, const std::vector<ns::RunStatus>& status) {
    std::lock_guard<std::mutex> lock(mu_);
    data_.step = step;
    for (std::size_t i = 0; i < status.size() && i < data_.runs.size(); ++i) data_.runs[i].status = status[i];
    ++data_.version;
}

SnapshotPtr RunStore::snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return std::make_shared<const Snapshot>(data_);
}

quint64 RunStore::version() const {
    std::lock_guard<std::mutex> lock(mu_);
    return data_.version;
}

}  // namespace nsui
