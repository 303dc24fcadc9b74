#include "ui/chartexport.h"
#include "ui/chartstyle.h"
#include "ui/heatmap.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QLinearGradient>
#include <QLocale>
#include <QPainter>
#include <QSlider>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <set>

#include "ui/normstatschart.h"

namespace nsui {

namespace {

// matplotlib's viridis sampled at 11 evenly spaced points; linear interpolation between them
// stays within a just-noticeable difference of the full table.
constexpr unsigned kViridis[] = {0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c,
                                 0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725};
constexpr int kViridisStops = sizeof kViridis / sizeof kViridis[0];

using chartstyle::mix;

QString formatTick(double v) { return QString::number(v, 'g', 3); }

// 1, 2, 5, 10, 20, ...: the smallest such step that is at least `min_step`.
int niceStep(double min_step) {
    for (int mag = 1; mag < 1000000; mag *= 10)
        for (int m : {1, 2, 5})
            if (m * mag >= min_step) return m * mag;
    return 1000000;
}

}  // namespace

QColor viridis(double t) {
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    const double x = t * (kViridisStops - 1);
    const int i = std::min(static_cast<int>(x), kViridisStops - 2);
    const double f = x - i;
    const QColor a = QColor::fromRgb(kViridis[i]), b = QColor::fromRgb(kViridis[i + 1]);
    return mix(a, b, f);
}

// ---------------------------------------------------------------------------------------------
// HeatmapWidget

HeatmapWidget::HeatmapWidget(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapWidget::setData(int rows, int cols, std::vector<double> values, QStringList rowLabels,
                            QStringList colLabels, const QString& title, const QString& valueLabel, bool logScale) {
    rows_ = std::max(rows, 0);
    cols_ = std::max(cols, 0);
    values_ = std::move(values);
    values_.resize(static_cast<std::size_t>(rows_) * cols_, std::numeric_limits<double>::quiet_NaN());
    rowLabels_ = std::move(rowLabels);
    colLabels_ = std::move(colLabels);
    title_ = title;
    valueLabel_ = valueLabel;
    log_ = logScale;
    updateRange();
    updateGeometry();
    update();
}

void HeatmapWidget::setAxisTitles(const QString& rowAxis, const QString& columnAxis) {
    rowAxis_ = rowAxis;
    colAxis_ = columnAxis;
    update();
}

void HeatmapWidget::setLogScale(bool on) {
    if (log_ == on) return;
    log_ = on;
    updateRange();
    update();
}

void HeatmapWidget::setColorRange(double lo, double hi) {
    fixedLo_ = lo;
    fixedHi_ = hi;
    updateRange();
    update();
}

void HeatmapWidget::setHighlightedColumn(int col) {
    if (highlight_ == col) return;
    highlight_ = col;
    update();
}

void HeatmapWidget::updateRange() {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values_)
        if (drawable(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (fixedLo_ == fixedLo_ && (!log_ || fixedLo_ > 0)) lo = fixedLo_;
    if (fixedHi_ == fixedHi_ && (!log_ || fixedHi_ > 0)) hi = fixedHi_;
    if (!(lo <= hi)) lo = hi = log_ ? 1.0 : 0.0;
    lo_ = lo;
    hi_ = hi;
}

double HeatmapWidget::position(double v) const {
    if (hi_ <= lo_) return 0.5;
    const double t = log_ ? std::log(v / lo_) / std::log(hi_ / lo_) : (v - lo_) / (hi_ - lo_);
    return std::clamp(t, 0.0, 1.0);
}

QSize HeatmapWidget::sizeHint() const {
    const int em = fontMetrics().height();
    return {std::max(360, 12 * em + 28 * cols_), std::max(240, 6 * em + 22 * rows_)};
}

QSize HeatmapWidget::minimumSizeHint() const {
    const int em = fontMetrics().height();
    return {14 * em, 9 * em};
}

HeatmapWidget::Layout HeatmapWidget::computeLayout() const {
    const QFontMetrics fm = fontMetrics();
    const int em = fm.height();
    const int pad = em / 2;
    Layout l;
    QRect r = rect().adjusted(pad, pad, -pad, -pad);
    QFont tf = font();
    tf.setBold(true);
    const int titleH = title_.isEmpty() ? 0 : QFontMetrics(tf).height() + pad;
    l.title = QRect(r.left(), r.top(), r.width(), titleH);
    r.setTop(r.top() + titleH);

    int rowLabelW = 0;
    for (const QString& s : rowLabels_) rowLabelW = std::max(rowLabelW, fm.horizontalAdvance(s));
    const int left = (rowAxis_.isEmpty() ? 0 : em + pad) + rowLabelW + pad;
    int tickW = 0;
    for (double v : {lo_, hi_, log_ ? std::sqrt(lo_ * hi_) : 0.5 * (lo_ + hi_)})
        tickW = std::max(tickW, fm.horizontalAdvance(formatTick(v)));
    const int barW = std::max(12, em);
    const int right = 2 * pad + barW + pad / 2 + 4 + tickW + (valueLabel_.isEmpty() ? 0 : pad + em);
    const int bottom = em + pad / 2 + (colAxis_.isEmpty() ? 0 : em + pad / 2);

    l.plot = QRect(r.left() + left, r.top(), std::max(1, r.width() - left - right), std::max(1, r.height() - bottom));
    l.bar = QRect(l.plot.right() + 1 + 2 * pad, l.plot.top(), barW, l.plot.height());
    l.rowLabelRight = l.plot.left() - pad;
    l.colLabelTop = l.plot.bottom() + 1 + pad / 2;
    return l;
}

void HeatmapWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    const QColor base = pal.color(QPalette::Base);
    const QFontMetrics fm = fontMetrics();
    const int em = fm.height();
    const Layout l = computeLayout();

    if (!title_.isEmpty()) {
        QFont tf = font();
        tf.setBold(true);
        p.setFont(tf);
        p.setPen(text);
        p.drawText(l.title, Qt::AlignLeft | Qt::AlignTop, QFontMetrics(tf).elidedText(title_, Qt::ElideRight, l.title.width()));
        p.setFont(font());
    }
    if (rows_ == 0 || cols_ == 0) {
        p.setPen(mix(text, base, 0.4));
        p.drawText(l.plot, Qt::AlignCenter, tr("no data yet"));
        return;
    }

    // Cells: edges on whole pixels, so neighbours meet without seams at any size.
    const QColor missing = mix(text, base, 0.75);
    const QBrush hatch(mix(text, base, 0.45), Qt::BDiagPattern);
    for (int r = 0; r < rows_; ++r) {
        const int y0 = edge(l.plot.top(), l.plot.height(), r, rows_);
        const int y1 = edge(l.plot.top(), l.plot.height(), r + 1, rows_);
        for (int c = 0; c < cols_; ++c) {
            const int x0 = edge(l.plot.left(), l.plot.width(), c, cols_);
            const int x1 = edge(l.plot.left(), l.plot.width(), c + 1, cols_);
            const QRect cell(x0, y0, x1 - x0, y1 - y0);
            const double v = value(r, c);
            if (drawable(v)) {
                p.fillRect(cell, viridis(position(v)));
            } else {
                p.fillRect(cell, missing);
                p.fillRect(cell, hatch);
            }
        }
    }
    if (highlight_ >= 0 && highlight_ < cols_) {
        const int x0 = edge(l.plot.left(), l.plot.width(), highlight_, cols_);
        const int x1 = edge(l.plot.left(), l.plot.width(), highlight_ + 1, cols_);
        p.setPen(QPen(text, 2, Qt::SolidLine, Qt::SquareCap, Qt::MiterJoin));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(x0 + 1, l.plot.top() + 1, x1 - x0 - 2, l.plot.height() - 2));
    }

    // Row labels, thinned to every k-th when the rows are shorter than a line of text.
    p.setPen(text);
    const double cellH = static_cast<double>(l.plot.height()) / rows_;
    const int rowStep = niceStep(1.15 * em / cellH);
    for (int r = 0; r < rows_ && r < rowLabels_.size(); r += rowStep) {
        const int y0 = edge(l.plot.top(), l.plot.height(), r, rows_);
        const int y1 = edge(l.plot.top(), l.plot.height(), r + 1, rows_);
        const int yc = (y0 + y1) / 2;
        p.drawText(QRect(l.plot.left() - 1000, yc - em, 1000 - em / 2, 2 * em), Qt::AlignRight | Qt::AlignVCenter,
                   rowLabels_[r]);
    }
    // Column labels, thinned the same way by their width.
    int colLabelW = 0;
    for (const QString& s : colLabels_) colLabelW = std::max(colLabelW, fm.horizontalAdvance(s));
    const double cellW = static_cast<double>(l.plot.width()) / cols_;
    const int colStep = niceStep((colLabelW + em * 0.6) / cellW);
    for (int c = 0; c < cols_ && c < colLabels_.size(); c += colStep) {
        const int x0 = edge(l.plot.left(), l.plot.width(), c, cols_);
        const int x1 = edge(l.plot.left(), l.plot.width(), c + 1, cols_);
        const int xc = (x0 + x1) / 2;
        p.drawText(QRect(xc - 500, l.colLabelTop, 1000, em), Qt::AlignHCenter | Qt::AlignTop, colLabels_[c]);
    }
    // Axis titles.
    if (!colAxis_.isEmpty())
        p.drawText(QRect(l.plot.left(), l.colLabelTop + em + em / 4, l.plot.width(), em), Qt::AlignHCenter | Qt::AlignTop,
                   fm.elidedText(colAxis_, Qt::ElideRight, l.plot.width()));
    if (!rowAxis_.isEmpty()) {
        p.save();
        p.translate(rect().left() + em / 2, l.plot.center().y());
        p.rotate(-90);
        p.drawText(QRect(-l.plot.height() / 2, 0, l.plot.height(), em), Qt::AlignHCenter | Qt::AlignTop,
                   fm.elidedText(rowAxis_, Qt::ElideRight, l.plot.height()));
        p.restore();
    }

    // Colour bar: low at the bottom, with min, mid and max values (the mid is the geometric mean
    // on a log scale, where it sits halfway up).
    QLinearGradient g(l.bar.bottomLeft(), l.bar.topLeft());
    for (int i = 0; i < kViridisStops; ++i)
        g.setColorAt(static_cast<double>(i) / (kViridisStops - 1), QColor::fromRgb(kViridis[i]));
    p.fillRect(l.bar, g);
    p.setPen(mix(text, base, 0.5));
    p.setBrush(Qt::NoBrush);
    p.drawRect(l.bar.adjusted(0, 0, -1, -1));
    p.setPen(text);
    const double mid = log_ ? std::sqrt(lo_ * hi_) : 0.5 * (lo_ + hi_);
    const struct { double v; int y; } ticks[] = {
        {hi_, l.bar.top()}, {mid, l.bar.center().y()}, {lo_, l.bar.bottom()}};
    int tickRight = l.bar.right();
    for (const auto& t : ticks) {
        // Tick marks inside the bar: outside, a mark beside "5.1" reads as a minus sign.
        p.drawLine(l.bar.right() - 4, t.y, l.bar.right(), t.y);
        const QString s = formatTick(t.v);
        const QRect box(l.bar.right() + 4, t.y - em / 2, fm.horizontalAdvance(s) + 2, em);
        p.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, s);
        tickRight = std::max(tickRight, box.right());
    }
    if (!valueLabel_.isEmpty()) {
        p.save();
        p.translate(tickRight + em / 2, l.bar.center().y());
        p.rotate(90);
        QString label = valueLabel_;
        if (log_) label = tr("%1, log scale").arg(valueLabel_);
        p.drawText(QRect(-l.bar.height() / 2, -em + em / 4, l.bar.height(), em), Qt::AlignHCenter | Qt::AlignVCenter,
                   fm.elidedText(label, Qt::ElideRight, l.bar.height()));
        p.restore();
    }
}

int HeatmapWidget::cellAt(const QPoint& pos, const Layout& l, int* r, int* c) const {
    if (rows_ == 0 || cols_ == 0 || !l.plot.contains(pos)) return -1;
    *c = std::min(cols_ - 1, static_cast<int>(static_cast<long long>(pos.x() - l.plot.left()) * cols_ / l.plot.width()));
    *r = std::min(rows_ - 1, static_cast<int>(static_cast<long long>(pos.y() - l.plot.top()) * rows_ / l.plot.height()));
    return *r * cols_ + *c;
}

bool HeatmapWidget::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip) {
        auto* he = static_cast<QHelpEvent*>(e);
        const Layout l = computeLayout();
        int r = 0, c = 0;
        if (cellAt(he->pos(), l, &r, &c) < 0) {
            QToolTip::hideText();
            e->ignore();
            return true;
        }
        const double v = value(r, c);
        const QString rowText = r < rowLabels_.size() ? rowLabels_[r] : QString::number(r);
        const QString colText = c < colLabels_.size() ? colLabels_[c] : QString::number(c);
        const QString valueText =
            v == v ? QString::number(v, 'g', QLocale::FloatingPointShortest) : tr("no value");
        const QString tip = tr("%1: %2\n%3: %4\n%5: %6")
                                .arg(rowAxis_.isEmpty() ? tr("row") : rowAxis_, rowText,
                                     colAxis_.isEmpty() ? tr("column") : colAxis_, colText,
                                     valueLabel_.isEmpty() ? tr("value") : valueLabel_, valueText);
        const QRect cell(edge(l.plot.left(), l.plot.width(), c, cols_), edge(l.plot.top(), l.plot.height(), r, rows_),
                         edge(l.plot.left(), l.plot.width(), c + 1, cols_) - edge(l.plot.left(), l.plot.width(), c, cols_),
                         edge(l.plot.top(), l.plot.height(), r + 1, rows_) - edge(l.plot.top(), l.plot.height(), r, rows_));
        QToolTip::showText(he->globalPos(), tip, this, cell);
        return true;
    }
    return QWidget::event(e);
}

// ---------------------------------------------------------------------------------------------
// NormHeatmapPanel

NormHeatmapPanel::NormHeatmapPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    auto* runLabel = new QLabel(tr("Run:"), this);
    run_ = new QComboBox(this);
    run_->setObjectName("heatRun");
    run_->setToolTip(tr("Which run to show"));
    run_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    runLabel->setBuddy(run_);
    auto* siteLabel = new QLabel(tr("Norm site:"), this);
    site_ = new QComboBox(this);
    site_->setObjectName("heatSite");
    site_->setToolTip(tr("Which norm's input to show, in every layer"));
    site_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    siteLabel->setBuddy(site_);
    auto* stepTitle = new QLabel(tr("Step:"), this);
    step_ = new QSlider(Qt::Horizontal, this);
    step_->setObjectName("heatStep");
    step_->setToolTip(tr("Training step of the probe; step 0 is at initialisation"));
    step_->setRange(0, 0);
    step_->setPageStep(1);
    step_->setMinimumWidth(140);
    stepTitle->setBuddy(step_);
    stepLabel_ = new QLabel(this);
    stepLabel_->setMinimumWidth(stepLabel_->fontMetrics().horizontalAdvance(tr("step 0 (at initialisation)")) + 8);
    shared_ = new QCheckBox(tr("same colours for every run"), this);
    shared_->setObjectName("heatSharedScale");
    shared_->setToolTip(tr("One colour scale across all runs, so that runs can be compared by colour"));
    shared_->setChecked(true);
    controls->addWidget(runLabel);
    controls->addWidget(run_);
    controls->addSpacing(8);
    controls->addWidget(siteLabel);
    controls->addWidget(site_);
    controls->addSpacing(8);
    controls->addWidget(stepTitle);
    controls->addWidget(step_, 1);
    controls->addWidget(stepLabel_);
    controls->addSpacing(8);
    controls->addWidget(shared_);
    layout->addLayout(controls);
    setScreenOnly(controls);  // the titles name the run, the norm and the step

    auto* grid = new QGridLayout;
    varLog_ = new QCheckBox(tr("log colour scale"), this);
    varLog_->setObjectName("heatVarianceLog");
    varLog_->setToolTip(tr("Colours by order of magnitude: variances can grow many-fold with depth"));
    varLog_->setChecked(true);
    grad_ = new QCheckBox(tr("RMS of dLoss/dh"), this);
    grad_->setObjectName("heatGrad");
    grad_->setToolTip(tr("Show the size of the loss gradient with respect to the hidden state instead of the "
                         "hidden state itself"));
    resLog_ = new QCheckBox(tr("log colour scale"), this);
    resLog_->setObjectName("heatResidualLog");
    resLog_->setToolTip(tr("Colours by order of magnitude"));
    resLog_->setChecked(true);
    variance_ = new HeatmapWidget(this);
    variance_->setObjectName("varianceHeatmap");
    variance_->setAxisTitles(tr("layer"), tr("position in the sequence"));
    residual_ = new HeatmapWidget(this);
    residual_->setObjectName("residualHeatmap");
    residual_->setAxisTitles(tr("after layer (0 = embedding)"), tr("training step"));
    auto* varOptions = new QHBoxLayout;
    varOptions->addWidget(varLog_);
    varOptions->addStretch(1);
    auto* resOptions = new QHBoxLayout;
    resOptions->addWidget(grad_);
    resOptions->addWidget(resLog_);
    resOptions->addStretch(1);
    grid->addLayout(varOptions, 0, 0);
    grid->addLayout(resOptions, 0, 1);
    setScreenOnly(varOptions);  // the colour bars' titles say "log scale" and what is shown
    setScreenOnly(resOptions);
    grid->addWidget(variance_, 1, 0);
    grid->addWidget(residual_, 1, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(1, 1);
    layout->addLayout(grid, 1);

    connect(run_, &QComboBox::currentIndexChanged, this, [this] {
        refreshControls();
        redraw();
    });
    connect(site_, &QComboBox::currentIndexChanged, this, &NormHeatmapPanel::redraw);
    connect(step_, &QSlider::valueChanged, this, [this] {
        updateStepLabel();
        redraw();
    });
    for (QCheckBox* b : {shared_, varLog_, grad_, resLog_}) connect(b, &QCheckBox::toggled, this, &NormHeatmapPanel::redraw);
    updateStepLabel();
}

void NormHeatmapPanel::setSnapshot(const SnapshotPtr& s) {
    snap_ = s;
    if (!snap_) return;
    refreshControls();
    redraw();
}

int NormHeatmapPanel::currentRun() const {
    const int i = run_->currentIndex();
    return snap_ && i >= 0 && i < static_cast<int>(snap_->runs.size()) ? i : -1;
}

long NormHeatmapPanel::currentStep() const {
    if (steps_.empty()) return -1;
    return steps_[std::clamp(step_->value(), 0, static_cast<int>(steps_.size()) - 1)];
}

void NormHeatmapPanel::refreshControls() {
    if (!snap_) return;
    const QSignalBlocker b1(run_), b2(site_), b3(step_);

    QStringList names;
    for (const RunSeries& r : snap_->runs) names << r.name;
    QStringList shown;
    for (int i = 0; i < run_->count(); ++i) shown << run_->itemText(i);
    if (names != shown) {
        const int was = run_->currentIndex();
        run_->clear();
        run_->addItems(names);
        run_->setCurrentIndex(was >= 0 && was < run_->count() ? was : 0);
    }
    const int run = currentRun();
    if (run < 0) return;
    const RunSeries& r = snap_->runs[run];

    // Norm sites inside the stack (one row per layer); the embedding and final norms have one
    // row only and are left to the norm statistics chart.
    std::set<std::string> sites;
    if (!r.probes.empty())
        for (const ns::NormSiteProbe& n : r.probes.back()->probes.norms)
            if (n.layer >= 0) sites.insert(n.site);
    QStringList present, current;
    for (const QString& k : normSiteKeys())
        if (sites.count(k.toStdString())) present << k;
    for (int i = 0; i < site_->count(); ++i) current << site_->itemData(i).toString();
    if (present != current) {
        const QString was = site_->currentData().toString();
        site_->clear();
        for (const QString& k : present) site_->addItem(normSiteLabel(k), k);
        site_->setCurrentIndex(std::max(site_->findData(was), 0));
    }

    std::vector<long> next;
    for (const auto& p : r.probes) next.push_back(p->step);
    if (next != steps_) chartstyle::setSliderSteps(step_, steps_, next, currentStep());
    updateStepLabel();
}

void NormHeatmapPanel::updateStepLabel() {
    const long s = currentStep();
    if (s < 0) stepLabel_->setText(tr("no probes yet"));
    else if (s == 0) stepLabel_->setText(tr("step 0 (at initialisation)"));
    else stepLabel_->setText(tr("step %1").arg(s));
}

namespace {

// Batch-mean var_in of one site per layer (L, T); NaN where a layer has no such norm.
std::vector<double> varianceByLayer(const ns::ProbeSnapshot& p, const std::string& site, int layers) {
    const int B = p.probes.batch, T = p.probes.seq_len;
    std::vector<double> v(static_cast<std::size_t>(layers) * T, std::numeric_limits<double>::quiet_NaN());
    for (int l = 0; l < layers; ++l)
        if (const ns::NormSiteProbe* n = findNormSite(p, site, l))
            for (int t = 0; t < T; ++t) v[static_cast<std::size_t>(l) * T + t] = perPosition(n->var_in, B, T, -1, t);
    return v;
}

void extend(double* lo, double* hi, double v, bool log) {
    if (!(v == v) || (log && !(v > 0))) return;
    *lo = std::min(*lo, v);
    *hi = std::max(*hi, v);
}

}  // namespace

void NormHeatmapPanel::redraw() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const int run = currentRun();
    if (run < 0) {
        variance_->setData(0, 0, {}, {}, {}, tr("Variance entering a norm"), QString(), varLog_->isChecked());
        residual_->setData(0, 0, {}, {}, {}, tr("Residual stream RMS"), QString(), resLog_->isChecked());
        return;
    }
    const RunSeries& r = snap_->runs[run];
    const std::string site = site_->currentData().toString().toStdString();
    const QString siteText = normSiteLabel(site_->currentData().toString());
    const long step = currentStep();
    const int L = r.model.layers;
    const bool shared = shared_->isChecked();

    // (a) variance entering the chosen norm, layer by position, at the chosen step.
    {
        const bool log = varLog_->isChecked();
        const ns::ProbeSnapshot* p = r.probeAt(step);
        const int T = p ? p->probes.seq_len : 0;
        std::vector<double> v = p ? varianceByLayer(*p, site, L) : std::vector<double>{};
        QStringList rowLabels, colLabels;
        for (int l = 0; l < L; ++l) rowLabels << QString::number(l);
        for (int t = 0; t < T; ++t) colLabels << QString::number(t);
        const QString title = site.empty() ? tr("%1: no norm inside the layers").arg(r.name)
                                           : tr("%1, %2: variance entering %3").arg(r.name, stepLabel_->text(), siteText);
        variance_->setData(p ? L : 0, T, std::move(v), rowLabels, colLabels, title,
                           tr("variance over d_model (batch mean)"), log);
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        if (shared && p)
            for (const RunSeries& o : snap_->runs)
                if (const ns::ProbeSnapshot* q = o.probeAt(step))
                    for (double x : varianceByLayer(*q, site, o.model.layers)) extend(&lo, &hi, x, log);
        if (lo <= hi) variance_->setColorRange(lo, hi);
        else variance_->setColorRange(nan, nan);
    }

    // (b) RMS of the residual stream (or of its gradient) at each layer boundary, over the steps.
    {
        const bool grad = grad_->isChecked();
        const bool log = resLog_->isChecked();
        auto rmsOf = [grad](const ns::ProbeSnapshot& p) -> const std::vector<double>& {
            return grad ? p.probes.grad_rms : p.probes.hidden_rms;
        };
        const int cols = static_cast<int>(r.probes.size());
        std::vector<double> v(static_cast<std::size_t>(L + 1) * cols, nan);
        QStringList rowLabels, colLabels;
        for (int l = 0; l <= L; ++l) rowLabels << (l == 0 ? tr("emb") : QString::number(l));
        int highlight = -1;
        for (int c = 0; c < cols; ++c) {
            const ns::ProbeSnapshot& p = *r.probes[c];
            colLabels << QString::number(p.step);
            if (p.step == step) highlight = c;
            const std::vector<double>& rms = rmsOf(p);
            for (int l = 0; l <= L && l < static_cast<int>(rms.size()); ++l)
                v[static_cast<std::size_t>(l) * cols + c] = rms[l];
        }
        const QString what = grad ? tr("RMS of dLoss/dh") : tr("residual stream RMS");
        residual_->setData(cols > 0 ? L + 1 : 0, cols, std::move(v), rowLabels, colLabels,
                           tr("%1: %2").arg(r.name, what), grad ? tr("RMS of dLoss/dh") : tr("RMS of h"), log);
        residual_->setHighlightedColumn(highlight);
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        if (shared)
            for (const RunSeries& o : snap_->runs)
                for (const auto& p : o.probes)
                    for (double x : rmsOf(*p)) extend(&lo, &hi, x, log);
        if (lo <= hi) residual_->setColorRange(lo, hi);
        else residual_->setColorRange(nan, nan);
    }
}

}  // namespace nsui
