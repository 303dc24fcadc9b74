#include "ui/chartexport.h"
#include "ui/chartstyle.h"
#include "ui/normstatschart.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPainter>
#include <QPixmap>
#include <QSlider>
#include <QSpinBox>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace nsui {

const std::vector<QString>& normSiteKeys() {
    static const std::vector<QString> keys = {"embedding", "norm1", "norm1_out", "norm2", "norm2_out", "final"};
    return keys;
}

QString normSiteLabel(const QString& site) {
    if (site == QLatin1String("embedding")) return QCoreApplication::translate("nsui::NormSite", "embedding");
    if (site == QLatin1String("norm1")) return QCoreApplication::translate("nsui::NormSite", "norm1 (attention)");
    if (site == QLatin1String("norm1_out"))
        return QCoreApplication::translate("nsui::NormSite", "norm1_out (after attention)");
    if (site == QLatin1String("norm2")) return QCoreApplication::translate("nsui::NormSite", "norm2 (feed-forward)");
    if (site == QLatin1String("norm2_out"))
        return QCoreApplication::translate("nsui::NormSite", "norm2_out (after feed-forward)");
    if (site == QLatin1String("final")) return QCoreApplication::translate("nsui::NormSite", "final");
    return site;
}

const ns::NormSiteProbe* findNormSite(const ns::ProbeSnapshot& p, const std::string& site, int layer) {
    for (const ns::NormSiteProbe& n : p.probes.norms)
        if (n.site == site && n.layer == layer) return &n;
    return nullptr;
}

double perPosition(const std::vector<double>& rows, int batch, int seq_len, int b, int t) {
    if (b >= 0) return rows[static_cast<std::size_t>(b) * seq_len + t];
    double sum = 0;
    for (int i = 0; i < batch; ++i) sum += rows[static_cast<std::size_t>(i) * seq_len + t];
    return sum / batch;
}

namespace {

// The pen of the reference lines at mean 0 and variance 1: thin and dotted, so it never
// passes for data.
QPen referencePen(const QPalette& pal) {
    QPen pen(chartstyle::mix(pal.color(QPalette::WindowText), pal.color(QPalette::Base), 0.35), 1.2);
    pen.setDashPattern({2.0, 3.0});
    pen.setCosmetic(true);
    return pen;
}

// Earlier runs draw wider lines, so where runs coincide exactly (two LayerNorm runs both at
// variance 1) each colour still shows as a stripe. `rank` = runs drawn later than this one.
QPen linePen(const QColor& c, bool entering, int rank) {
    QPen pen(c, entering ? 1.6 + 0.6 * rank : 2.4 + 1.0 * rank);
    pen.setCosmetic(true);
    pen.setCapStyle(Qt::RoundCap);
    pen.setJoinStyle(Qt::RoundJoin);
    if (entering) pen.setDashPattern({3.0, 2.5});
    return pen;
}

// A short sample of a line style for the key above the charts.
QPixmap keyIcon(const QPen& pen, qreal dpr) {
    const QSize size(40, 14);
    QPixmap pm(size * dpr);
    pm.setDevicePixelRatio(dpr);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(pen);
    p.drawLine(QPointF(2, size.height() / 2.0), QPointF(size.width() - 2, size.height() / 2.0));
    return pm;
}

// Range [lo, hi] widened by a margin on both sides, so that lines on the bounds stay visible,
// with ticks at a round interval anchored at 0 (so 0 and 1 are always labelled).
void setValueRange(QValueAxis* axis, double lo, double hi) {
    // A diverged run's huge or non-finite values never reach the axis.
    if (!std::isfinite(lo) || !std::isfinite(hi) || !std::isfinite(hi - lo) || hi < lo) lo = 0, hi = 1;
    if (hi - lo < 1e-12 * std::max(1.0, std::abs(lo))) lo -= 0.5, hi += 0.5;
    const double span = hi - lo;
    lo -= 0.06 * span;
    hi += 0.06 * span;
    const double raw = (hi - lo) / 5;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * mag;
    for (double m : {1.0, 2.0, 2.5, 5.0})
        if (m * mag >= raw) {
            step = m * mag;
            break;
        }
    axis->setRange(lo, hi);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
}

}  // namespace

NormStatsChart::NormStatsChart(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);

    auto* controls = new QHBoxLayout;
    auto* siteLabel = new QLabel(tr("Norm site:"), this);
    site_ = new QComboBox(this);
    site_->setObjectName("normSite");
    site_->setToolTip(tr("Which normalization in the model to look at"));
    site_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    siteLabel->setBuddy(site_);
    auto* layerLabel = new QLabel(tr("Layer:"), this);
    layer_ = new QSpinBox(this);
    layer_->setObjectName("normLayer");
    layer_->setToolTip(tr("Layer of the norm, counted from 0 at the input"));
    layer_->setRange(0, 0);
    layerLabel->setBuddy(layer_);
    auto* sampleLabel = new QLabel(tr("Sample:"), this);
    sample_ = new QComboBox(this);
    sample_->setObjectName("normSample");
    sample_->setToolTip(tr("Average over the batch, or one sequence of the batch"));
    sample_->addItem(tr("batch mean"));
    sampleLabel->setBuddy(sample_);
    auto* stepTitle = new QLabel(tr("Step:"), this);
    step_ = new QSlider(Qt::Horizontal, this);
    step_->setObjectName("normStep");
    step_->setToolTip(tr("Training step of the probe; step 0 is at initialisation"));
    step_->setRange(0, 0);
    step_->setPageStep(1);
    step_->setMinimumWidth(140);
    stepTitle->setBuddy(step_);
    stepLabel_ = new QLabel(this);
    stepLabel_->setMinimumWidth(stepLabel_->fontMetrics().horizontalAdvance(tr("step 0 (at initialisation)")) + 8);
    controls->addWidget(siteLabel);
    controls->addWidget(site_);
    controls->addSpacing(8);
    controls->addWidget(layerLabel);
    controls->addWidget(layer_);
    controls->addSpacing(8);
    controls->addWidget(sampleLabel);
    controls->addWidget(sample_);
    controls->addSpacing(8);
    controls->addWidget(stepTitle);
    controls->addWidget(step_, 1);
    controls->addWidget(stepLabel_);
    layout->addLayout(controls);
    setScreenOnly(controls);
    // In pictures, the controls' settings in a line of text.
    caption_ = new QLabel(this);
    caption_->setObjectName("normCaption");
    QFont bold = caption_->font();
    bold.setBold(true);
    caption_->setFont(bold);
    layout->addWidget(caption_);
    setPictureOnly(caption_);

    kinds_ = new QLabel(this);
    kinds_->setObjectName("normKinds");
    kinds_->setTextFormat(Qt::RichText);
    kinds_->setWordWrap(true);
    kinds_->setToolTip(tr("The norm each run uses at this site"));
    layout->addWidget(kinds_);

    // The key: line styles are the same for every run, colours tell the runs apart.
    auto* key = new QHBoxLayout;
    auto addKey = [&](QLabel** icon, const QString& text) {
        *icon = new QLabel(this);
        key->addWidget(*icon);
        key->addWidget(new QLabel(text, this));
        key->addSpacing(16);
    };
    addKey(&keyOut_, tr("leaving the norm"));
    addKey(&keyIn_, tr("entering the norm"));
    addKey(&keyRef_, tr("mean 0, variance 1"));
    key->addStretch(1);
    fit_ = new QCheckBox(tr("fit to output"), this);
    fit_->setObjectName("normFitOutput");
    fit_->setToolTip(tr("Scale the y axes to the lines leaving the norm, so that small unevenness shows; "
                        "lines entering the norm may run off the charts"));
    fit_->setChecked(true);
    key->addWidget(fit_);
    setScreenOnly(fit_);
    layout->addLayout(key);
    offChart_ = new QLabel(this);
    offChart_->setObjectName("normOffChart");
    offChart_->setMinimumHeight(offChart_->fontMetrics().height());  // no jump when it fills
    QFont italic = offChart_->font();
    italic.setItalic(true);
    offChart_->setFont(italic);
    offChartHint_ = new QLabel(tr("Untick \"fit to output\" to see them whole."), this);
    offChartHint_->setFont(italic);
    offChartHint_->hide();  // shown with the note it follows
    auto* off = new QHBoxLayout;
    off->addWidget(offChart_);
    off->addWidget(offChartHint_);
    off->addStretch(1);
    layout->addLayout(off);
    setScreenOnly(offChartHint_);

    auto makeChart = [this](QChart** chart, QChartView** view, QValueAxis** x, QValueAxis** y, QLineSeries** ref,
                            const QString& title, const QString& yTitle) {
        *chart = new QChart;
        (*chart)->legend()->hide();
        (*chart)->setTitle(title);
        (*chart)->setBackgroundRoundness(0);
        (*chart)->setMargins(QMargins(4, 4, 8, 4));
        *x = new QValueAxis(*chart);
        (*x)->setTitleText(tr("position in the sequence"));
        (*x)->setLabelFormat("%d");
        (*x)->setTickType(QValueAxis::TicksDynamic);
        (*x)->setTickAnchor(0);
        (*x)->setTickInterval(1);
        (*x)->setRange(-0.5, 0.5);
        *y = new QValueAxis(*chart);
        (*y)->setTitleText(yTitle);
        (*y)->setLabelFormat("%.3g");
        (*y)->setTickType(QValueAxis::TicksDynamic);
        (*chart)->addAxis(*x, Qt::AlignBottom);
        (*chart)->addAxis(*y, Qt::AlignLeft);
        // Added first, so the data is drawn over it.
        *ref = new QLineSeries;
        (*ref)->setObjectName(ref == &meanRef_ ? "mean_reference" : "var_reference");
        (*chart)->addSeries(*ref);
        (*ref)->attachAxis(*x);
        (*ref)->attachAxis(*y);
        *view = new QChartView(*chart, this);
        (*view)->setRenderHint(QPainter::Antialiasing);
        (*view)->setMinimumSize(280, 220);
        (*view)->setToolTip(tr("LayerNorm normalises each position's vector over its features: its output has mean 0 "
                               "and variance 1 at every position until gamma and beta are trained. BatchNorm "
                               "normalises each feature over the batch, so single positions are left uneven."));
    };
    makeChart(&meanChart_, &meanView_, &meanX_, &meanY_, &meanRef_, tr("Mean of each position's vector"),
              tr("mean over d_model features"));
    makeChart(&varChart_, &varView_, &varX_, &varY_, &varRef_, tr("Variance of each position's vector"),
              tr("variance over d_model features (biased)"));
    auto* charts = new QHBoxLayout;
    charts->addWidget(meanView_, 1);
    charts->addWidget(varView_, 1);
    layout->addLayout(charts, 1);

    connect(site_, &QComboBox::currentIndexChanged, this, [this] {
        refreshControls();
        redraw();
    });
    connect(layer_, &QSpinBox::valueChanged, this, &NormStatsChart::redraw);
    connect(sample_, &QComboBox::currentIndexChanged, this, &NormStatsChart::redraw);
    connect(step_, &QSlider::valueChanged, this, [this] {
        updateStepLabel();
        redraw();
    });
    connect(fit_, &QCheckBox::toggled, this, &NormStatsChart::redraw);

    updateStepLabel();
    applyPalette();
}

NormStatsChart::~NormStatsChart() { buildSeries(0); }

void NormStatsChart::changeEvent(QEvent* e) {
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::FontChange) applyPalette();
    QWidget::changeEvent(e);
}

void NormStatsChart::setSnapshot(const SnapshotPtr& s) {
    snap_ = s;
    if (!snap_) return;
    if (static_cast<int>(lines_.size()) != static_cast<int>(snap_->runs.size()))
        buildSeries(static_cast<int>(snap_->runs.size()));
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        const QColor c = snap_->runs[i].color;
        const QString name = snap_->runs[i].name;
        const int rank = static_cast<int>(lines_.size() - 1 - i);
        const QPen in = linePen(c, true, rank), out = linePen(c, false, rank);
        if (lines_[i].mean_out->pen() != out) {  // a new experiment: restyle
            lines_[i].mean_in->setPen(in);
            lines_[i].var_in->setPen(in);
            lines_[i].mean_out->setPen(out);
            lines_[i].var_out->setPen(out);
        }
        if (lines_[i].mean_out->name() != tr("%1, leaving").arg(name)) {
            lines_[i].mean_in->setName(tr("%1, entering").arg(name));
            lines_[i].var_in->setName(tr("%1, entering").arg(name));
            lines_[i].mean_out->setName(tr("%1, leaving").arg(name));
            lines_[i].var_out->setName(tr("%1, leaving").arg(name));
        }
    }
    refreshControls();
    redraw();
}

// The run series are made again only when the number of runs changes. Each is a QObject child
// of this widget (so findChild reaches it by name) and is detached from its chart and deleted
// here, before the charts go.
void NormStatsChart::buildSeries(int runs) {
    for (RunLines& l : lines_)
        for (QLineSeries* s : {l.mean_in, l.mean_out, l.var_in, l.var_out}) {
            s->chart()->removeSeries(s);
            delete s;
        }
    lines_.assign(runs, RunLines{});
    auto make = [this](QChart* chart, QValueAxis* x, QValueAxis* y, const QString& name) {
        auto* s = new QLineSeries;
        s->setObjectName(name);
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
        s->setParent(this);
        return s;
    };
    // All "entering" lines first, then all "leaving" lines: the solid lines stay on top.
    for (int i = 0; i < runs; ++i) {
        lines_[i].mean_in = make(meanChart_, meanX_, meanY_, QStringLiteral("mean_in:%1").arg(i));
        lines_[i].var_in = make(varChart_, varX_, varY_, QStringLiteral("var_in:%1").arg(i));
    }
    for (int i = 0; i < runs; ++i) {
        lines_[i].mean_out = make(meanChart_, meanX_, meanY_, QStringLiteral("mean_out:%1").arg(i));
        lines_[i].var_out = make(varChart_, varX_, varY_, QStringLiteral("var_out:%1").arg(i));
    }
}

QString NormStatsChart::currentSite() const { return site_->currentData().toString(); }

int NormStatsChart::currentSample() const { return sample_->currentIndex() - 1; }

long NormStatsChart::currentStep() const {
    if (steps_.empty()) return -1;
    return steps_[std::clamp(step_->value(), 0, static_cast<int>(steps_.size()) - 1)];
}

// Fills the controls from what the runs recorded, keeping the user's choices where they still
// exist; the step follows the latest probe unless the user moved it back.
void NormStatsChart::refreshControls() {
    if (!snap_) return;
    const QSignalBlocker b1(site_), b2(layer_), b3(sample_), b4(step_);

    std::set<std::string> sites;
    int maxBatch = 0;
    std::set<long> steps;
    for (const RunSeries& r : snap_->runs) {
        for (const auto& p : r.probes) steps.insert(p->step);
        if (r.probes.empty()) continue;
        const ns::ModelProbes& mp = r.probes.back()->probes;
        maxBatch = std::max(maxBatch, mp.batch);
        for (const ns::NormSiteProbe& n : mp.norms) sites.insert(n.site);
    }

    QStringList present;
    for (const QString& k : normSiteKeys())
        if (sites.count(k.toStdString())) present << k;
    QStringList shown;
    for (int i = 0; i < site_->count(); ++i) shown << site_->itemData(i).toString();
    if (present != shown) {
        const QString was = currentSite();
        site_->clear();
        for (const QString& k : present) site_->addItem(normSiteLabel(k), k);
        int idx = site_->findData(was);
        if (idx < 0) idx = site_->findData(QStringLiteral("norm1"));
        site_->setCurrentIndex(std::max(idx, 0));
    }

    // Layers of the chosen site over all runs.
    const std::string site = currentSite().toStdString();
    int maxLayer = -1;
    for (const RunSeries& r : snap_->runs) {
        if (r.probes.empty()) continue;
        for (const ns::NormSiteProbe& n : r.probes.back()->probes.norms)
            if (n.site == site) maxLayer = std::max(maxLayer, n.layer);
    }
    layer_->setEnabled(maxLayer >= 0);
    layer_->setRange(0, std::max(maxLayer, 0));
    layer_->setToolTip(maxLayer >= 0 ? tr("Layer of the norm, counted from 0 at the input")
                                     : tr("This norm sits outside the stack of layers"));

    if (sample_->count() != maxBatch + 1) {
        const int was = sample_->currentIndex();
        sample_->clear();
        sample_->addItem(tr("batch mean"));
        for (int b = 0; b < maxBatch; ++b) sample_->addItem(tr("sample %1").arg(b + 1));
        sample_->setCurrentIndex(was >= 0 && was < sample_->count() ? was : 0);
    }

    const std::vector<long> next(steps.begin(), steps.end());
    if (next != steps_) chartstyle::setSliderSteps(step_, steps_, next, currentStep());
    updateStepLabel();
}

void NormStatsChart::updateStepLabel() {
    const long s = currentStep();
    if (s < 0) stepLabel_->setText(tr("no probes yet"));
    else if (s == 0) stepLabel_->setText(tr("step 0 (at initialisation)"));
    else stepLabel_->setText(tr("step %1").arg(s));
}

void NormStatsChart::redraw() {
    if (!snap_) return;
    const std::string site = currentSite().toStdString();
    const bool inStack = layer_->isEnabled();
    const int layer = inStack ? layer_->value() : -1;
    const int sample = currentSample();
    const long step = currentStep();

    // Extent of the lines entering and leaving the norm; the axes show 0 (and 1) in any case.
    struct Extent {
        double lo = 0, hi = 0;
        void add(double v) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    } meanIn, meanOut, varIn, varOut;
    varOut.hi = 1;
    int maxT = 1;
    QStringList kinds;
    for (std::size_t i = 0; i < lines_.size() && i < snap_->runs.size(); ++i) {
        const RunSeries& r = snap_->runs[i];
        QList<QPointF> mi, mo, vi, vo;
        QString note;
        const ns::ProbeSnapshot* probe = nullptr;
        for (const auto& p : r.probes)
            if (p->step == step) probe = p.get();
        const ns::NormSiteProbe* n = probe ? findNormSite(*probe, site, layer) : nullptr;
        QString kind;
        if (!probe) {
            note = r.status.diverged ? tr("diverged, no probe at this step") : tr("no probe at this step");
        } else if (!n) {
            note = tr("no such norm");
        } else {
            kind = QString::fromLatin1(ns::to_string(n->kind));
            const int B = probe->probes.batch, T = probe->probes.seq_len;
            if (sample >= B) {
                note = tr("batch has only %1 samples").arg(B);
            } else {
                maxT = std::max(maxT, T);
                auto add = [&](QList<QPointF>& out, const std::vector<double>& rows, int t, Extent* e) {
                    const double v = perPosition(rows, B, T, sample, t);
                    if (!std::isfinite(v)) return;  // a diverged run: leave a gap
                    out.append(QPointF(t, v));
                    e->add(v);
                };
                for (int t = 0; t < T; ++t) {
                    add(mi, n->mean_in, t, &meanIn);
                    add(mo, n->mean_out, t, &meanOut);
                    add(vi, n->var_in, t, &varIn);
                    add(vo, n->var_out, t, &varOut);
                }
            }
        }
        lines_[i].mean_in->replace(mi);
        lines_[i].mean_out->replace(mo);
        lines_[i].var_in->replace(vi);
        lines_[i].var_out->replace(vo);

        QString entry = QStringLiteral("<span style=\"color:%1\">&#9632;</span>&nbsp;<b>%2</b>: ")
                            .arg(r.color.name(), r.name.toHtmlEscaped());
        if (!kind.isEmpty()) entry += kind.toHtmlEscaped();
        if (!note.isEmpty()) entry += (kind.isEmpty() ? QString() : QStringLiteral(" ")) + QStringLiteral("<i>(%1)</i>").arg(note.toHtmlEscaped());
        kinds << entry;
    }
    kinds_->setText(kinds.join(QStringLiteral(" &nbsp;&middot;&nbsp; ")));
    const QString where = inStack ? tr("%1, layer %2").arg(site_->currentText()).arg(layer) : site_->currentText();
    caption_->setText(QStringList{where, sample_->currentText(), stepLabel_->text()}.join(QStringLiteral("  ·  ")));

    // Ranges: the mean always shows 0, the variance 0 and 1, each with a margin, so a flat line
    // at a reference value is never drawn on an axis. The mean's range spans at least 1, so
    // LayerNorm's output (0 up to rounding) looks flat rather than magnified noise. Fitted to the
    // output, the axes leave out entering lines far from it (deep Pre-LN inputs have variances
    // of 10 and more, which would squash BatchNorm's uneven output into a flat-looking band).
    const bool fit = fit_->isChecked();
    double meanLo = fit ? meanOut.lo : std::min(meanIn.lo, meanOut.lo);
    double meanHi = fit ? meanOut.hi : std::max(meanIn.hi, meanOut.hi);
    const double varLo = fit ? varOut.lo : std::min(varIn.lo, varOut.lo);
    const double varHi = fit ? varOut.hi : std::max(varIn.hi, varOut.hi);
    if (meanHi - meanLo < 1.0) {
        const double mid = 0.5 * (meanHi + meanLo);
        meanLo = std::min(meanLo, mid - 0.5);
        meanHi = std::max(meanHi, mid + 0.5);
    }
    setValueRange(meanY_, meanLo, meanHi);
    setValueRange(varY_, varLo, varHi);
    const double pad = 0.06 * (varHi - varLo), meanPad = 0.06 * (meanHi - meanLo);
    const bool varOff = varIn.hi > varHi + pad || varIn.lo < varLo - pad;
    const bool meanOff = meanIn.hi > meanHi + meanPad || meanIn.lo < meanLo - meanPad;
    if (fit && varOff)
        offChart_->setText(tr("Lines entering the norm run off the charts (variance up to %1).")
                               .arg(QString::number(varIn.hi, 'g', 3)));
    else if (fit && meanOff)
        offChart_->setText(tr("Lines entering the norm run off the mean chart."));
    else
        offChart_->clear();
    offChartHint_->setVisible(!offChart_->text().isEmpty());
    for (QValueAxis* x : {meanX_, varX_}) {
        x->setRange(-0.5, maxT - 0.5);
        x->setTickInterval(maxT <= 20 ? 1 : (maxT <= 40 ? 2 : (maxT <= 100 ? 5 : 10)));
    }
    meanRef_->replace({QPointF(-0.5, 0.0), QPointF(maxT - 0.5, 0.0)});
    varRef_->replace({QPointF(-0.5, 1.0), QPointF(maxT - 0.5, 1.0)});
}

void NormStatsChart::applyPalette() {
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    const QColor window = pal.color(QPalette::Window);
    const QColor base = pal.color(QPalette::Base);
    for (QChart* c : {meanChart_, varChart_}) {
        c->setBackgroundBrush(window);
        c->setBackgroundPen(Qt::NoPen);
        c->setPlotAreaBackgroundBrush(base);
        c->setPlotAreaBackgroundVisible(true);
        c->setTitleBrush(text);
        QFont f = font();
        f.setBold(true);
        c->setTitleFont(f);
    }
    for (QValueAxis* a : {meanX_, meanY_, varX_, varY_}) {
        a->setLabelsColor(text);
        a->setTitleBrush(text);
        a->setLinePen(QPen(chartstyle::mix(text, base, 0.45), 1));
        a->setGridLinePen(QPen(chartstyle::mix(text, base, 0.85), 1));
        a->setMinorGridLinePen(QPen(chartstyle::mix(text, base, 0.92), 1));
        QFont f = font();
        a->setLabelsFont(f);
        a->setTitleFont(f);
    }
    meanRef_->setPen(referencePen(pal));
    varRef_->setPen(referencePen(pal));
    const qreal dpr = devicePixelRatioF();
    keyOut_->setPixmap(keyIcon(linePen(text, false, 0), dpr));
    keyIn_->setPixmap(keyIcon(linePen(text, true, 0), dpr));
    keyRef_->setPixmap(keyIcon(referencePen(pal), dpr));
    for (QChartView* v : {meanView_, varView_}) v->setBackgroundBrush(window);
}

}  // namespace nsui
