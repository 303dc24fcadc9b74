#include "ui/chartexport.h"
#include "ui/chartstyle.h"
#include "ui/gradnormchart.h"

#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCursor>
#include <QEvent>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLocale>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPushButton>
#include <QSlider>
#include <QTabWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

namespace nsui {

namespace {

using namespace chartstyle;

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool isDark(const QPalette& pal) { return pal.color(QPalette::Base).lightnessF() < 0.5; }

// Sequential ramp by depth, t = 0 (embedding) .. 1 (head): from low to high contrast against
// the background, so light-to-dark on a light palette and dark-to-light on a dark one.
QColor depthColor(double t, bool dark) {
    const double hue = (160.0 + 120.0 * t) / 360.0;  // green, blue, purple
    const double light = dark ? 0.36 + 0.48 * t : 0.66 - 0.46 * t;
    return QColor::fromHslF(float(hue), 0.72f, float(light));
}

// Gradient norms: from 0 with a little headroom, or whole decades on a log axis.
void setNormRange(QValueAxis* lin, QLogValueAxis* log, bool is_log, double lo, double hi) {
    if (is_log) {
        setLogRange(log, lo, hi);
    } else {
        if (!(hi > 0) || !finite(hi)) hi = 1;
        setLinearRange(lin, 0, hi * 1.08, 6, false);
    }
}

QLogValueAxis* makeLogAxis(QObject* owner) {
    auto* a = new QLogValueAxis(owner);  // owned by the chart only while it is shown
    a->setBase(10);
    a->setLabelFormat(QStringLiteral("%g"));
    a->setMinorTickCount(-1);
    return a;
}

}  // namespace

GradGroup gradGroupOf(const std::string& tensor_name) {
    std::string_view rest = tensor_name;
    if (startsWith(rest, "layers.")) {
        const auto dot = rest.find('.', 7);
        rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    }
    if (startsWith(rest, "self_attn.in_proj")) return GradGroup::AttentionIn;
    if (startsWith(rest, "self_attn.out_proj.")) return GradGroup::AttentionOut;
    if (startsWith(rest, "linear1.")) return GradGroup::Ffn1;
    if (startsWith(rest, "linear2.")) return GradGroup::Ffn2;
    if (startsWith(rest, "norm") || startsWith(rest, "embedding_norm.") || startsWith(rest, "final_norm."))
        return GradGroup::Norms;
    return GradGroup::All;
}

std::vector<double> layerGradNorms(const std::vector<ns::TensorNorms>& norms, int layers, GradGroup group) {
    const int positions = layers + 2;
    const auto n = static_cast<std::size_t>(positions);
    std::vector<double> sum(n, 0.0);
    std::vector<int> count(n, 0);
    for (const ns::TensorNorms& t : norms) {
        if (group != GradGroup::All && gradGroupOf(t.name) != group) continue;
        int pos;
        if (t.layer >= 0)
            pos = t.layer < layers ? t.layer + 1 : -1;
        else
            pos = startsWith(t.name, "head.") || startsWith(t.name, "final_norm.") ? layers + 1 : 0;
        if (pos < 0) continue;
        sum[std::size_t(pos)] += t.grad_norm * t.grad_norm;
        ++count[std::size_t(pos)];
    }
    std::vector<double> out(n);
    for (int p = 0; p < positions; ++p) {
        const double v = std::sqrt(sum[std::size_t(p)]);
        out[std::size_t(p)] = count[std::size_t(p)] > 0 && finite(v) ? v : std::numeric_limits<double>::quiet_NaN();
    }
    return out;
}

GradNormChart::GradNormChart(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(6, 4, 6, 0);
    auto* group_label = new QLabel(tr("Parameters"), this);
    group_ = new QComboBox(this);
    group_->setObjectName(QStringLiteral("gradGroup"));
    group_->addItem(tr("all parameters"), int(GradGroup::All));
    group_->addItem(tr("attention in"), int(GradGroup::AttentionIn));
    group_->addItem(tr("attention out"), int(GradGroup::AttentionOut));
    group_->addItem(tr("FFN 1"), int(GradGroup::Ffn1));
    group_->addItem(tr("FFN 2"), int(GradGroup::Ffn2));
    group_->addItem(tr("norms"), int(GradGroup::Norms));
    group_->setToolTip(tr("Which tensors of each layer the gradient norm covers"));
    group_label->setBuddy(group_);
    log_ = new QCheckBox(tr("Log scale"), this);
    log_->setObjectName(QStringLiteral("gradLog"));
    log_->setToolTip(tr("Show gradient norms on a logarithmic axis"));
    controls->addWidget(group_label);
    controls->addWidget(group_);
    controls->addSpacing(12);
    controls->addWidget(log_);
    controls->addStretch(1);
    layout->addLayout(controls);
    setScreenOnly(controls);  // the chart titles name the parameters, the axis titles the scale

    tabs_ = new QTabWidget(this);
    tabs_->setDocumentMode(true);
    setScreenOnly(tabs_->tabBar());
    layout->addWidget(tabs_, 1);

    // "At a step": x = position in the stack, one line per run.
    auto* at_page = new QWidget(tabs_);
    auto* at_layout = new QVBoxLayout(at_page);
    at_layout->setContentsMargins(0, 0, 0, 0);
    at_layout->setSpacing(2);
    at_chart_ = makeChart();
    at_chart_->setParent(this);  // so that findChild finds the series; the view owns the item
    at_x_ = new QCategoryAxis;
    at_x_->setTitleText(tr("layer (input side → output side)"));
    at_x_->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    at_y_ = new QValueAxis;
    at_y_->setTitleText(tr("gradient L2 norm"));
    at_y_log_ = makeLogAxis(this);
    at_y_log_->setTitleText(tr("gradient L2 norm (log scale)"));
    at_chart_->addAxis(at_x_, Qt::AlignBottom);
    at_chart_->addAxis(at_y_, Qt::AlignLeft);
    setLinearRange(at_y_, 0, 1, 6, false);
    at_view_ = new QChartView(at_chart_, at_page);
    at_view_->setRenderHint(QPainter::Antialiasing);
    at_view_->setFrameShape(QFrame::NoFrame);
    at_layout->addWidget(at_view_, 1);
    at_note_ = new QLabel(at_page);
    at_note_->setContentsMargins(8, 0, 8, 0);
    at_note_->setWordWrap(true);
    at_note_->hide();
    at_layout->addWidget(at_note_);
    auto* step_row = new QHBoxLayout;
    step_row->setContentsMargins(6, 0, 6, 4);
    step_ = new QSlider(Qt::Horizontal, at_page);
    step_->setObjectName(QStringLiteral("gradStep"));
    step_->setToolTip(tr("Which probe to show (probes are taken every few steps)"));
    step_->setPageStep(1);
    step_->setTickPosition(QSlider::TicksBelow);
    step_label_ = new QLabel(at_page);
    step_label_->setMinimumWidth(step_label_->fontMetrics().horizontalAdvance(tr("step %1").arg(100000)) + 8);
    at_init_ = new QPushButton(tr("At initialisation"), at_page);
    at_init_->setObjectName(QStringLiteral("gradAtInit"));
    at_init_->setToolTip(tr("Show the gradients of the untrained model (step 0)"));
    step_row->addWidget(step_label_);
    step_row->addWidget(step_, 1);
    step_row->addWidget(at_init_);
    at_layout->addLayout(step_row);
    setScreenOnly(step_row);  // the title names the step
    tabs_->addTab(at_page, tr("Across layers, at one step"));

    // "Over training": one run, one line per position in the stack.
    auto* over_page = new QWidget(tabs_);
    auto* over_layout = new QVBoxLayout(over_page);
    over_layout->setContentsMargins(0, 0, 0, 0);
    over_layout->setSpacing(2);
    auto* run_row = new QHBoxLayout;
    run_row->setContentsMargins(6, 4, 6, 0);
    auto* run_label = new QLabel(tr("Run"), over_page);
    run_ = new QComboBox(over_page);
    run_->setObjectName(QStringLiteral("gradRun"));
    run_->setToolTip(tr("Whose layers to show"));
    run_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    run_label->setBuddy(run_);
    run_row->addWidget(run_label);
    run_row->addWidget(run_);
    run_row->addStretch(1);
    over_layout->addLayout(run_row);
    setScreenOnly(run_row);  // the title names the run
    over_chart_ = makeChart();
    over_chart_->setParent(this);
    over_chart_->legend()->setAlignment(Qt::AlignRight);
    over_x_ = new QValueAxis;
    over_x_->setTitleText(tr("step (updates)"));
    over_y_ = new QValueAxis;
    over_y_->setTitleText(tr("gradient L2 norm"));
    over_y_log_ = makeLogAxis(this);
    over_y_log_->setTitleText(tr("gradient L2 norm (log scale)"));
    over_chart_->addAxis(over_x_, Qt::AlignBottom);
    over_chart_->addAxis(over_y_, Qt::AlignLeft);
    setLinearRange(over_x_, 0, 1, 8, true);
    setLinearRange(over_y_, 0, 1, 6, false);
    over_view_ = new QChartView(over_chart_, over_page);
    over_view_->setRenderHint(QPainter::Antialiasing);
    over_view_->setFrameShape(QFrame::NoFrame);
    over_layout->addWidget(over_view_, 1);
    tabs_->addTab(over_page, tr("Each layer, over training"));

    connect(group_, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
    connect(log_, &QCheckBox::toggled, this, &GradNormChart::setLog);
    connect(step_, &QSlider::valueChanged, this, [this] { redrawAtStep(); });
    connect(at_init_, &QPushButton::clicked, this, [this] {
        const auto it = std::find(steps_.begin(), steps_.end(), 0L);
        if (it != steps_.end()) step_->setValue(int(it - steps_.begin()));
    });
    connect(run_, &QComboBox::currentIndexChanged, this, [this] { redrawOverSteps(); });
    connect(at_chart_, &QChart::plotAreaChanged, this, [this] { setLayerAxis(axis_layers_, axis_run_layers_); });

    setLayerAxis(1, {});
    applyPalette();
    redraw();
}

GradNormChart::~GradNormChart() {
    // The charts are destroyed after this class's members: keep their signals from reaching it.
    for (QChart* c : {at_chart_, over_chart_}) {
        c->disconnect(this);
        for (QAbstractSeries* s : c->series()) s->disconnect(this);
    }
}

GradGroup GradNormChart::group() const { return GradGroup(group_->currentData().toInt()); }

bool GradNormChart::logScale() const { return log_->isChecked(); }

void GradNormChart::setSnapshot(const SnapshotPtr& s) {
    snap_ = s;
    updateSteps();
    updateRunChoice();
    redraw();
}

void GradNormChart::changeEvent(QEvent* e) {
    QWidget::changeEvent(e);
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::FontChange) applyPalette();
}

// Keeps the chosen step when new probes arrive; at the latest step it follows the newest.
void GradNormChart::updateSteps() {
    const bool at_latest = steps_.empty() || step_->value() >= step_->maximum();
    const long chosen = steps_.empty() ? 0 : steps_[std::size_t(std::clamp(step_->value(), 0, int(steps_.size()) - 1))];
    steps_.clear();
    if (snap_)
        for (const RunSeries& r : snap_->runs)
            for (const auto& p : r.probes) steps_.push_back(p->step);
    std::sort(steps_.begin(), steps_.end());
    steps_.erase(std::unique(steps_.begin(), steps_.end()), steps_.end());

    const QSignalBlocker block(step_);
    step_->setEnabled(!steps_.empty());
    at_init_->setEnabled(!steps_.empty() && steps_.front() == 0);
    step_->setRange(0, std::max(0, int(steps_.size()) - 1));
    if (at_latest) {
        step_->setValue(step_->maximum());
    } else {
        // The same step, or the last one before it.
        const auto it = std::upper_bound(steps_.begin(), steps_.end(), chosen);
        step_->setValue(std::max(0, int(it - steps_.begin()) - 1));
    }
}

void GradNormChart::updateRunChoice() {
    QStringList names;
    if (snap_)
        for (const RunSeries& r : snap_->runs) names << r.name;
    QStringList current;
    for (int i = 0; i < run_->count(); ++i) current << run_->itemText(i);
    if (names == current) return;
    const QSignalBlocker block(run_);
    const int keep = run_->currentIndex();
    run_->clear();
    run_->addItems(names);
    run_->setCurrentIndex(keep >= 0 && keep < names.size() ? keep : 0);
}

void GradNormChart::redraw() {
    redrawAtStep();
    redrawOverSteps();
}

void GradNormChart::rebuildAtStepSeries() {
    std::vector<QString> names;
    if (snap_)
        for (const RunSeries& r : snap_->runs) names.push_back(r.name);
    if (names == run_names_) return;
    for (QLineSeries* s : at_series_) {
        at_chart_->removeSeries(s);
        delete s;
    }
    at_series_.clear();
    run_names_ = names;
    QAbstractAxis* y = logScale() ? static_cast<QAbstractAxis*>(at_y_log_) : at_y_;
    for (std::size_t i = 0; i < names.size(); ++i) {
        auto* s = new QLineSeries;
        s->setObjectName(QStringLiteral("gradnorm_at_step:%1").arg(i));
        s->setName(names[i]);
        const QColor c = snap_->runs[i].color;
        s->setPen(QPen(c, 2.2));
        s->setBrush(c);
        s->setPointsVisible(true);
        s->setMarkerSize(5);  // a radius, for line series
        at_chart_->addSeries(s);
        s->attachAxis(at_x_);
        s->attachAxis(y);
        connect(s, &QXYSeries::hovered, this, [this, s](const QPointF& p, bool state) { showPointTip(s, p, state, false); });
        at_series_.push_back(s);
    }
}

// Labels: "embedding" at -1, the layer numbers, "head" after the last layer of each run (where
// runs differ in depth, a layer number and a head share a position). Qt Charts elides every
// label to (axis width / number of labels) and lets neighbours overlap, so on a narrow plot only
// every k-th layer is numbered, counting down from the last one that clears the deepest head.
void GradNormChart::setLayerAxis(int max_layers, const std::vector<int>& run_layers) {
    axis_layers_ = max_layers;
    axis_run_layers_ = run_layers;
    auto label = [this, &run_layers, max_layers](int p, bool numbered) {
        const bool head = std::find(run_layers.begin(), run_layers.end(), p) != run_layers.end();
        const QString n = QString::number(p);
        if (head && p < max_layers) return tr("%1 / head").arg(n);  // a shallower run's head
        return head ? tr("head") : numbered ? n : QString();
    };
    const QFontMetricsF fm(font());
    const double gap = 10;
    const double embedding_w = fm.horizontalAdvance(tr("embedding"));
    const double number_w = fm.horizontalAdvance(QString::number(std::max(0, max_layers - 1)));
    double widest = embedding_w;
    for (int l : run_layers) widest = std::max(widest, fm.horizontalAdvance(label(l, true)));
    const double plot_width = at_chart_->plotArea().width() > 50 ? at_chart_->plotArea().width() : at_view_->width() * 0.85;
    const double unit = std::max(1.0, plot_width / (max_layers + 2));  // pixels per layer
    const int fits = std::max(3, int(plot_width / (widest + 2 * gap)));
    const int heads = int(run_layers.size());
    int stride = std::max(1, int(std::ceil((number_w + gap) / unit)));
    while (stride < max_layers && 2 + heads + (max_layers + stride - 1) / stride > fits) ++stride;
    // Numbers close to "embedding" or to the deepest run's "head" would collide with them.
    const bool deepest_head = std::find(run_layers.begin(), run_layers.end(), max_layers) != run_layers.end();
    const double head_w = fm.horizontalAdvance(tr("head"));
    const int last = max_layers - (deepest_head ? std::max(1, int(std::ceil(((head_w + number_w) / 2 + gap) / unit))) : 1);
    const int first = std::max(0, int(std::ceil(((embedding_w + number_w) / 2 + gap) / unit)) - 1);

    QString key = QStringLiteral("%1:%2:%3:%4").arg(max_layers).arg(stride).arg(first).arg(last);
    for (int l : run_layers) key += QLatin1Char(',') + QString::number(l);
    if (key == layer_axis_key_) return;
    layer_axis_key_ = key;
    for (const QString& old : at_x_->categoriesLabels()) at_x_->remove(old);
    at_x_->setStartValue(-1.5);
    at_x_->append(tr("embedding"), -1);
    for (int p = 0; p <= max_layers; ++p) {
        const bool numbered = p >= first && p <= last && (last - p) % stride == 0;
        const QString text = label(p, numbered);
        if (!text.isEmpty()) at_x_->append(text, p);
    }
    at_x_->setRange(-1.5, max_layers + 0.5);
}

void GradNormChart::redrawAtStep() {
    rebuildAtStepSeries();
    const bool log = logScale();
    const GradGroup g = group();
    const bool have = !steps_.empty();
    const long step = have ? steps_[std::size_t(std::clamp(step_->value(), 0, int(steps_.size()) - 1))] : 0;
    step_label_->setText(have ? tr("step %1").arg(step) : tr("no probes yet"));

    int max_layers = 1;
    std::vector<int> layers;
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    QStringList missing, empty;
    for (std::size_t i = 0; i < at_series_.size(); ++i) {
        const RunSeries& r = snap_->runs[i];
        const int L = r.model.layers;
        max_layers = std::max(max_layers, L);
        if (std::find(layers.begin(), layers.end(), L) == layers.end()) layers.push_back(L);
        QList<QPointF> pts;
        const ns::ProbeSnapshot* p = have ? r.probeAt(step) : nullptr;
        if (p) {
            const std::vector<double> v = layerGradNorms(p->norms, L, g);
            for (int pos = 0; pos < L + 2; ++pos) {
                const double y = v[std::size_t(pos)];
                if (!finite(y) || (log && y <= 0)) continue;
                pts.append(QPointF(pos - 1, y));
                lo = std::min(lo, y), hi = std::max(hi, y);
            }
            if (pts.isEmpty()) empty << r.name;
        } else if (have) {
            missing << (r.status.diverged ? tr("%1 (diverged at step %2)").arg(r.name).arg(r.status.diverged_step) : r.name);
        }
        at_series_[i]->replace(pts);
    }
    std::sort(layers.begin(), layers.end());
    setLayerAxis(max_layers, layers);
    setNormRange(at_y_, at_y_log_, log, lo, hi);
    at_chart_->setTitle(have ? tr("Gradient norm of %1 in each layer at step %2").arg(group_->currentText()).arg(step)
                             : tr("Gradient norm of %1 in each layer").arg(group_->currentText()));
    QStringList notes;
    if (!missing.isEmpty()) notes << tr("Not probed at step %1: %2.").arg(step).arg(missing.join(QStringLiteral(", ")));
    if (!empty.isEmpty())
        notes << tr("Nothing to show for %1 (no %2, or not finite).").arg(empty.join(QStringLiteral(", ")), group_->currentText());
    at_note_->setText(notes.join(QLatin1Char(' ')));
    at_note_->setVisible(!notes.isEmpty());
}

void GradNormChart::rebuildOverStepsSeries(int run) {
    const int L = run >= 0 ? snap_->runs[std::size_t(run)].model.layers : -1;
    if (run == over_run_ && L == over_layers_) return;
    over_run_ = run;
    over_layers_ = L;
    for (QLineSeries* s : over_series_) {
        over_chart_->removeSeries(s);
        delete s;
    }
    over_series_.clear();
    if (run < 0) return;
    QAbstractAxis* y = logScale() ? static_cast<QAbstractAxis*>(over_y_log_) : over_y_;
    // The legend lists about eight positions; every line still has its tooltip.
    const int stride = std::max(1, (L + 7) / 8);
    for (int pos = 0; pos < L + 2; ++pos) {
        const int layer = pos - 1;
        auto* s = new QLineSeries;
        s->setObjectName(QStringLiteral("gradnorm_over_steps:%1").arg(layer));
        s->setName(layer < 0 ? tr("embedding") : layer == L ? tr("head") : tr("layer %1").arg(layer));
        over_chart_->addSeries(s);
        s->attachAxis(over_x_);
        s->attachAxis(y);
        const bool listed = layer < 0 || layer >= L - 1 || layer % stride == 0;
        for (QLegendMarker* m : over_chart_->legend()->markers(s)) m->setVisible(listed);
        connect(s, &QXYSeries::hovered, this, [this, s](const QPointF& p, bool state) { showPointTip(s, p, state, true); });
        over_series_.push_back(s);
    }
    applyPalette();  // the depth colours
}

void GradNormChart::redrawOverSteps() {
    const int run = snap_ && !snap_->runs.empty() ? std::clamp(run_->currentIndex(), 0, int(snap_->runs.size()) - 1) : -1;
    rebuildOverStepsSeries(run);
    const bool log = logScale();
    double lo = std::numeric_limits<double>::infinity(), hi = 0, x_max = 1;
    if (run >= 0) {
        const RunSeries& r = snap_->runs[std::size_t(run)];
        const int L = r.model.layers;
        std::vector<QList<QPointF>> pts(std::size_t(L + 2));
        for (const auto& p : r.probes) {
            const std::vector<double> v = layerGradNorms(p->norms, L, group());
            x_max = std::max(x_max, double(p->step));
            for (int pos = 0; pos < L + 2; ++pos) {
                const double y = v[std::size_t(pos)];
                if (!finite(y) || (log && y <= 0)) continue;
                pts[std::size_t(pos)].append(QPointF(double(p->step), y));
                lo = std::min(lo, y), hi = std::max(hi, y);
            }
        }
        for (std::size_t pos = 0; pos < over_series_.size(); ++pos) over_series_[pos]->replace(pts[pos]);
        over_chart_->setTitle(tr("Gradient norm of %1 in each layer of %2").arg(group_->currentText(), r.name));
    } else {
        over_chart_->setTitle(QString());
    }
    setLinearRange(over_x_, 0, x_max, 8, true);
    setNormRange(over_y_, over_y_log_, log, lo, hi);
}

void GradNormChart::setLog(bool on) {
    auto swap = [this, on](QChart* chart, QValueAxis* lin, QLogValueAxis* lg) {
        QAbstractAxis* from = on ? static_cast<QAbstractAxis*>(lin) : lg;
        QAbstractAxis* to = on ? static_cast<QAbstractAxis*>(lg) : lin;
        chart->removeAxis(from);
        from->setParent(this);  // removeAxis gives up ownership
        chart->addAxis(to, Qt::AlignLeft);
        for (QAbstractSeries* s : chart->series()) s->attachAxis(to);
    };
    swap(at_chart_, at_y_, at_y_log_);
    swap(over_chart_, over_y_, over_y_log_);
    redraw();
}

void GradNormChart::applyPalette() {
    const QPalette pal = palette();
    const QFont f = font();
    for (QChart* c : {at_chart_, over_chart_}) styleChart(c, pal, f, true);
    styleAxis(at_y_log_, pal, f);
    styleAxis(over_y_log_, pal, f);
    for (QChartView* v : {at_view_, over_view_}) v->setBackgroundBrush(pal.color(QPalette::Base));
    const bool dark = isDark(pal);
    const int n = int(over_series_.size());
    for (int pos = 0; pos < n; ++pos) {
        const QColor c = depthColor(n > 1 ? double(pos) / (n - 1) : 1.0, dark);
        // Embedding and head are not residual blocks: dashed, to set them apart.
        const bool outside = pos == 0 || pos == n - 1;
        over_series_[std::size_t(pos)]->setPen(QPen(c, outside ? 2.0 : 1.8, outside ? Qt::DashLine : Qt::SolidLine));
    }
}

void GradNormChart::showPointTip(QXYSeries* s, const QPointF& p, bool state, bool over_steps) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    const QList<QPointF> pts = s->points();
    if (pts.isEmpty()) return;
    auto it = std::min_element(pts.begin(), pts.end(), [&](const QPointF& a, const QPointF& b) {
        return std::abs(a.x() - p.x()) < std::abs(b.x() - p.x());
    });
    const QString value = QLocale().toString(it->y(), 'g', 4);
    QString text;
    if (over_steps) {
        text = tr("%1, step %2, gradient norm %3").arg(s->name()).arg(qint64(it->x())).arg(value);
    } else {
        const int run = int(std::find(at_series_.begin(), at_series_.end(), s) - at_series_.begin());
        const int L = snap_ && run < int(snap_->runs.size()) ? snap_->runs[std::size_t(run)].model.layers : 0;
        const int layer = int(std::lround(it->x()));
        const QString where = layer < 0 ? tr("embedding") : layer >= L ? tr("head") : tr("layer %1").arg(layer);
        text = tr("%1, %2, gradient norm %3").arg(s->name(), where, value);
    }
    QToolTip::showText(QCursor::pos(), text, over_steps ? over_view_ : at_view_);
}

}  // namespace nsui
