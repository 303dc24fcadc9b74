#include "ui/layernormformulaview.h"

#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QResizeEvent>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTextDocument>
#include <QUrl>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "ui/normstatschart.h"

namespace nsui {

bool computeFormulaNumbers(const ns::NormSiteProbe& p, int seq_len, int t, FormulaNumbers* out) {
    if (seq_len <= 0 || p.sample_in.empty() || p.sample_in.size() % static_cast<std::size_t>(seq_len) != 0 ||
        p.sample_out.size() != p.sample_in.size())
        return false;
    const int D = static_cast<int>(p.sample_in.size() / static_cast<std::size_t>(seq_len));
    if (t < 0 || t >= seq_len || D <= 0) return false;
    FormulaNumbers f;
    f.kind = p.kind;
    f.d_model = D;
    f.position = t;
    const std::size_t row = static_cast<std::size_t>(t) * D;
    f.x.assign(p.sample_in.begin() + row, p.sample_in.begin() + row + D);
    f.y.assign(p.sample_out.begin() + row, p.sample_out.begin() + row + D);
    if (static_cast<int>(p.gamma.size()) == D) f.gamma = p.gamma;
    if (static_cast<int>(p.beta.size()) == D) f.beta = p.beta;
    f.eps = p.eps;
    f.alpha = p.alpha;

    auto moments = [D](const std::vector<double>& v, double* mean, double* var) {
        double m = 0;
        for (double a : v) m += a;
        m /= D;
        double s = 0;
        for (double a : v) s += (a - m) * (a - m);
        *mean = m;
        *var = s / D;  // biased, as LayerNorm
    };
    moments(f.x, &f.mean, &f.var);
    double ss = 0;
    for (double a : f.x) ss += a * a;
    f.mean_square = ss / D;
    f.std_unbiased = D > 1 ? std::sqrt(f.var * D / (D - 1)) : 0.0;

    const auto g = [&f](int d) { return f.gamma.empty() ? 1.0 : f.gamma[d]; };
    const auto b = [&f](int d) { return f.beta.empty() ? 0.0 : f.beta[d]; };
    switch (f.kind) {
    case ns::NormKind::LayerNorm:
    case ns::NormKind::LayerNormStd:
    case ns::NormKind::RMSNorm:
        if (f.kind == ns::NormKind::LayerNorm) f.denom = std::sqrt(f.var + f.eps);
        else if (f.kind == ns::NormKind::LayerNormStd) f.denom = f.std_unbiased + f.eps;
        else f.denom = std::sqrt(f.mean_square + f.eps);
        f.xhat.resize(D);
        f.y_recomputed.resize(D);
        for (int d = 0; d < D; ++d) {
            const double centred = f.kind == ns::NormKind::RMSNorm ? f.x[d] : f.x[d] - f.mean;
            f.xhat[d] = centred / f.denom;
            f.y_recomputed[d] = g(d) * f.xhat[d] + (f.kind == ns::NormKind::RMSNorm ? 0.0 : b(d));
        }
        break;
    case ns::NormKind::DyT:
        f.xhat.resize(D);
        f.y_recomputed.resize(D);
        for (int d = 0; d < D; ++d) {
            f.xhat[d] = std::tanh(f.alpha * f.x[d]);
            f.y_recomputed[d] = g(d) * f.xhat[d] + b(d);
        }
        break;
    case ns::NormKind::None:
        f.y_recomputed = f.x;
        break;
    case ns::NormKind::BatchNorm:
        break;  // statistics of the whole batch: not recomputable from one position
    }
    if (!f.xhat.empty()) moments(f.xhat, &f.xhat_mean, &f.xhat_var);
    moments(f.y, &f.y_mean, &f.y_var);
    if (!f.y_recomputed.empty()) {
        double worst = 0;
        for (int d = 0; d < D; ++d) worst = std::max(worst, std::abs(f.y[d] - f.y_recomputed[d]));
        f.max_abs_error = worst;
    }
    *out = std::move(f);
    return true;
}

namespace {

// Blue for negative, vermillion for positive (Okabe-Ito), fading into the base colour at 0, so
// the grid reads on light and dark palettes alike.
QColor diverging(double v, double maxAbs, const QColor& base) {
    const QColor neg(0, 114, 178), pos(213, 94, 0);
    const double t = maxAbs > 0 ? std::min(1.0, std::abs(v) / maxAbs) : 0.0;
    const QColor& c = v < 0 ? neg : pos;
    return QColor::fromRgbF(static_cast<float>(base.redF() * (1 - t) + c.redF() * t),
                            static_cast<float>(base.greenF() * (1 - t) + c.greenF() * t),
                            static_cast<float>(base.blueF() * (1 - t) + c.blueF() * t));
}

double maxAbsOf(const std::vector<double>& v) {
    double m = 0;
    for (double a : v) m = std::max(m, std::abs(a));
    return m;
}

// Short, readable numbers: 4 decimals in the usual range, 3 significant digits outside it.
QString num(double v) {
    if (std::abs(v) < 1e-12) return QStringLiteral("0");  // rounding noise of an exact 0 (x_hat's mean)
    if (!std::isfinite(v)) return QString::number(v);
    const double a = std::abs(v);
    if (a >= 1e-3 && a < 1e5) return QString::number(v, 'f', 4);
    return QString::number(v, 'g', 3);
}

// A number that follows a sign in a worked formula: negative ones in parentheses.
QString numP(double v) { return v < 0 && num(v) != QLatin1String("0") ? QStringLiteral("(") + num(v) + QStringLiteral(")") : num(v); }

// A variance near 1 with enough digits to show that eps keeps it just under 1.
QString num6(double v) { return QString::number(v, 'g', 6); }

// The first `n` entries with fixed width, then an ellipsis and the count.
QString firstFew(const std::vector<double>& v, int n = 8) {
    QStringList parts;
    for (int i = 0; i < std::min<int>(n, static_cast<int>(v.size())); ++i)
        parts << QString::number(std::abs(v[i]) < 5e-4 ? 0.0 : v[i], 'f', 3).rightJustified(7, QLatin1Char(' '));  // no "-0.000"
    QString s = parts.join(QStringLiteral(" "));
    if (static_cast<int>(v.size()) > n) s += QStringLiteral("  \u2026");
    return s;
}

QString esc(const QString& s) { return s.toHtmlEscaped(); }

}  // namespace

// The first sequence's T x D input as a colour grid: one row per position. Hovering a row picks
// that position; the chosen row is outlined, the chosen feature's column marked.
class SampleGrid : public QWidget {
    Q_OBJECT
public:
    explicit SampleGrid(QWidget* parent) : QWidget(parent) {
        setMouseTracking(true);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }
    void setData(int rows, int cols, std::vector<double> v) {
        rows_ = rows;
        cols_ = cols;
        v_ = std::move(v);
        maxAbs_ = maxAbsOf(v_);
        setFixedHeight(rowHeight() * std::max(rows_, 1) + 2);
        update();
    }
    void setSelected(int row, int col) {
        row_ = row;
        col_ = col;
        update();
    }
    void setColumnsAreGroups(bool on) {  // BatchNorm: statistics per column (over the batch)
        columns_ = on;
        update();
    }
    QSize sizeHint() const override { return {400, rowHeight() * std::max(rows_, 1) + 2}; }
    QSize minimumSizeHint() const override { return {160, rowHeight() * std::max(rows_, 1) + 2}; }

Q_SIGNALS:
    void rowHovered(int row);
    void columnHovered(int col);

protected:
    int rowHeight() const { return std::clamp(112 / std::max(rows_, 1), 4, 10); }  // about 112 px in all
    QRect cellRect(int r, int c) const {
        const int w = width() - 2;
        const int x0 = 1 + static_cast<int>(static_cast<long long>(w) * c / std::max(cols_, 1));
        const int x1 = 1 + static_cast<int>(static_cast<long long>(w) * (c + 1) / std::max(cols_, 1));
        return {x0, 1 + r * rowHeight(), x1 - x0, rowHeight()};
    }
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        const QColor base = palette().color(QPalette::Base);
        p.fillRect(rect(), base);
        if (rows_ <= 0 || cols_ <= 0 || static_cast<int>(v_.size()) != rows_ * cols_) return;
        for (int r = 0; r < rows_; ++r)
            for (int c = 0; c < cols_; ++c)
                p.fillRect(cellRect(r, c), diverging(v_[static_cast<std::size_t>(r) * cols_ + c], maxAbs_, base));
        const QColor ink = palette().color(QPalette::WindowText);
        if (col_ >= 0 && col_ < cols_) {
            QRect c = cellRect(0, col_).united(cellRect(rows_ - 1, col_));
            QPen pen(ink, 1, columns_ ? Qt::SolidLine : Qt::DotLine);
            p.setPen(pen);
            p.setBrush(Qt::NoBrush);
            p.drawRect(c.adjusted(0, 0, -1, -1));
        }
        if (row_ >= 0 && row_ < rows_) {
            QRect r = cellRect(row_, 0).united(cellRect(row_, cols_ - 1));
            p.setPen(QPen(ink, 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(r.adjusted(0, 0, -1, -1));
        }
    }
    void mouseMoveEvent(QMouseEvent* e) override {
        if (rows_ <= 0 || cols_ <= 0) return;
        const int r = static_cast<int>(e->position().y() - 1) / rowHeight();
        const int c = static_cast<int>((e->position().x() - 1) * cols_ / std::max(1, width() - 2));
        if (r >= 0 && r < rows_) Q_EMIT rowHovered(r);
        if (c >= 0 && c < cols_) Q_EMIT columnHovered(c);
        if (r >= 0 && r < rows_ && c >= 0 && c < cols_)
            QToolTip::showText(e->globalPosition().toPoint(),
                               tr("position %1, feature %2: %3").arg(r).arg(c).arg(num(v_[static_cast<std::size_t>(r) * cols_ + c])),
                               this);
    }

private:
    int rows_ = 0, cols_ = 0, row_ = -1, col_ = -1;
    bool columns_ = false;
    std::vector<double> v_;
    double maxAbs_ = 0;
};

// All D values of one vector as bars around a zero line, as an image for the formula document;
// the chosen feature is outlined.
// `scale` is the |value| of a full-height bar; 0 means the largest |value| of `v`.
QImage barStripImage(const std::vector<double>& v, double scale, int width, int height, qreal dpr, const QPalette& pal,
                     int selected) {
    QImage img(QSize(width, height) * dpr, QImage::Format_ARGB32_Premultiplied);
    img.setDevicePixelRatio(dpr);
    img.fill(pal.color(QPalette::Base));
    QPainter p(&img);
    const int n = static_cast<int>(v.size());
    if (n == 0) return img;
    const double m = scale > 0 ? scale : maxAbsOf(v);
    const double mid = height / 2.0;
    const double half = height / 2.0 - 2;
    const double w = static_cast<double>(width) / n;
    for (int d = 0; d < n; ++d) {
        const double h = m > 0 ? v[d] / m * half : 0;
        const QRectF bar(d * w + 0.5, h >= 0 ? mid - h : mid, std::max(1.0, w - 1.0), std::abs(h));
        p.fillRect(bar, v[d] < 0 ? QColor(0, 114, 178) : QColor(213, 94, 0));
    }
    QColor axis = pal.color(QPalette::WindowText);
    axis.setAlphaF(0.5f);
    p.setPen(QPen(axis, 1));
    p.drawLine(QPointF(0, mid), QPointF(width, mid));
    if (selected >= 0 && selected < n) {
        p.setPen(QPen(pal.color(QPalette::Text), 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(selected * w, 0.5, std::max(2.0, w), height - 1.0));
    }
    return img;
}

LayerNormFormulaView::LayerNormFormulaView(QWidget* parent) : QWidget(parent) {
    auto* controls = new QGridLayout;
    runLabel_ = new QLabel(this);
    run_ = new QComboBox(this);
    run_->setObjectName(QStringLiteral("formulaRun"));
    siteLabel_ = new QLabel(this);
    site_ = new QComboBox(this);
    site_->setObjectName(QStringLiteral("formulaSite"));
    layerLabel_ = new QLabel(this);
    layer_ = new QSpinBox(this);
    layer_->setObjectName(QStringLiteral("formulaLayer"));
    positionLabel_ = new QLabel(this);
    position_ = new QSpinBox(this);
    position_->setObjectName(QStringLiteral("formulaPosition"));
    featureLabel_ = new QLabel(this);
    feature_ = new QSpinBox(this);
    feature_->setObjectName(QStringLiteral("formulaFeature"));
    stepLabel_ = new QLabel(this);
    step_ = new QComboBox(this);
    step_->setObjectName(QStringLiteral("formulaStep"));
    step_->addItem(QString(), QStringLiteral("init"));
    step_->addItem(QString(), QStringLiteral("latest"));
    runLabel_->setBuddy(run_);
    siteLabel_->setBuddy(site_);
    layerLabel_->setBuddy(layer_);
    positionLabel_->setBuddy(position_);
    featureLabel_->setBuddy(feature_);
    stepLabel_->setBuddy(step_);
    controls->addWidget(runLabel_, 0, 0);
    controls->addWidget(run_, 0, 1);
    controls->addWidget(stepLabel_, 0, 2);
    controls->addWidget(step_, 0, 3);
    controls->addWidget(siteLabel_, 1, 0);
    controls->addWidget(site_, 1, 1);
    controls->addWidget(layerLabel_, 1, 2);
    controls->addWidget(layer_, 1, 3);
    controls->addWidget(positionLabel_, 2, 0);
    controls->addWidget(position_, 2, 1);
    controls->addWidget(featureLabel_, 2, 2);
    controls->addWidget(feature_, 2, 3);
    controls->setColumnStretch(1, 1);
    controls->setColumnStretch(3, 1);

    pages_ = new QStackedWidget(this);
    empty_ = new QLabel(pages_);
    empty_->setWordWrap(true);
    empty_->setAlignment(Qt::AlignCenter);
    empty_->setMargin(16);
    pages_->addWidget(empty_);

    auto* page = new QWidget(pages_);
    auto* col = new QVBoxLayout(page);
    col->setContentsMargins(0, 2, 0, 0);
    where_ = new QLabel(page);
    where_->setWordWrap(true);
    col->addWidget(where_);
    grid_ = new SampleGrid(page);
    grid_->setObjectName(QStringLiteral("formulaGrid"));
    col->addWidget(grid_);
    gridCaption_ = new QLabel(page);
    gridCaption_->setWordWrap(true);
    col->addWidget(gridCaption_);
    doc_ = new QTextBrowser(page);
    doc_->setObjectName(QStringLiteral("formulaDoc"));
    doc_->setOpenLinks(false);
    col->addWidget(doc_, 1);
    pages_->addWidget(page);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(pages_, 1);

    connect(run_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (updating_ || i < 0) return;
        want_run_ = i;
        refreshControls();
        recompute();
    });
    connect(step_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (updating_ || i < 0) return;
        want_step_ = step_->itemData(i).toString();
        refreshControls();
        recompute();
    });
    connect(site_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (updating_ || i < 0) return;
        want_site_ = site_->itemData(i).toString();
        refreshControls();
        recompute();
    });
    connect(layer_, &QSpinBox::valueChanged, this, [this](int v) {
        if (updating_) return;
        want_layer_ = v;
        recompute();
    });
    connect(position_, &QSpinBox::valueChanged, this, [this](int) {
        if (!updating_) recompute();
    });
    connect(feature_, &QSpinBox::valueChanged, this, [this](int) {
        if (!updating_) fillRows();
    });
    connect(grid_, &SampleGrid::rowHovered, this, [this](int r) { position_->setValue(r); });
    connect(grid_, &SampleGrid::columnHovered, this, [this](int c) { feature_->setValue(c); });

    retranslate();
    refreshControls();
    recompute();
}

LayerNormFormulaView::~LayerNormFormulaView() = default;

void LayerNormFormulaView::retranslate() {
    runLabel_->setText(tr("&Run:"));
    run_->setToolTip(tr("Which run of the experiment to take the numbers from"));
    siteLabel_->setText(tr("&Norm:"));
    site_->setToolTip(tr("Which norm of the model: norm1 sits at the attention sublayer, norm2 at the feed-forward one"));
    layerLabel_->setText(tr("&Layer:"));
    layer_->setToolTip(tr("Which layer of the stack (0 is the first)"));
    positionLabel_->setText(tr("&Position:"));
    position_->setToolTip(tr("Which position of the first training sequence; hovering a row of the grid picks it too"));
    featureLabel_->setText(tr("&Feature:"));
    feature_->setToolTip(tr("Which feature the worked line computes; hovering a column or a bar picks it too"));
    stepLabel_->setText(tr("&Weights:"));
    step_->setItemText(0, tr("at initialisation (step 0)"));
    step_->setItemText(1, tr("latest probe"));
    step_->setToolTip(tr("Numbers from the untrained model, or from the most recent probe while or after training"));
    empty_->setText(tr("No numbers yet. Press Run to train the lesson's experiment: the first probe, at step 0, "
                       "fills this view with the engine's own numbers."));
    if (has_numbers_) fillRows();
}

void LayerNormFormulaView::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    if (has_numbers_) fillRows();  // the bar strips follow the width
}

void LayerNormFormulaView::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    else if (e->type() == QEvent::PaletteChange && has_numbers_) fillRows();  // the bar strips are images
    QWidget::changeEvent(e);
}

void LayerNormFormulaView::setSnapshot(const SnapshotPtr& s) {
    snap_ = s;
    refreshControls();
    recompute();
}

void LayerNormFormulaView::setSelection(int run, const QString& site, int layer, const QString& step) {
    want_run_ = std::max(0, run);
    want_site_ = site;
    want_layer_ = layer;
    want_step_ = step == QLatin1String("init") ? QStringLiteral("init") : QStringLiteral("latest");
    refreshControls();
    recompute();
}

void LayerNormFormulaView::setPosition(int t) { position_->setValue(t); }
int LayerNormFormulaView::position() const { return position_->value(); }
int LayerNormFormulaView::feature() const { return feature_->value(); }

const ns::ProbeSnapshot* LayerNormFormulaView::currentProbe() const {
    if (!snap_ || want_run_ < 0 || want_run_ >= static_cast<int>(snap_->runs.size())) return nullptr;
    const auto& probes = snap_->runs[static_cast<std::size_t>(want_run_)].probes;
    if (probes.empty()) return nullptr;
    if (want_step_ == QLatin1String("init")) return probes.front()->step == 0 ? probes.front().get() : nullptr;
    return probes.back().get();
}

void LayerNormFormulaView::refreshControls() {
    updating_ = true;
    // runs
    QStringList names;
    if (snap_)
        for (const RunSeries& r : snap_->runs) names << r.name;
    QStringList have;
    for (int i = 0; i < run_->count(); ++i) have << run_->itemText(i);
    if (have != names) {
        run_->clear();
        run_->addItems(names);
    }
    if (want_run_ < run_->count()) run_->setCurrentIndex(want_run_);
    step_->setCurrentIndex(want_step_ == QLatin1String("init") ? 0 : 1);

    // sites present in the chosen run's probe, in the model's order
    const ns::ProbeSnapshot* p = currentProbe();
    QStringList sites;
    int maxLayer = -1, seqLen = 0, dModel = 0;
    if (p) {
        for (const QString& k : normSiteKeys())
            for (const ns::NormSiteProbe& n : p->probes.norms)
                if (QString::fromStdString(n.site) == k) {
                    if (!sites.contains(k)) sites << k;
                    maxLayer = std::max(maxLayer, n.layer);
                }
        seqLen = p->probes.seq_len;
        if (seqLen > 0 && !p->probes.norms.empty())
            dModel = static_cast<int>(p->probes.norms.front().sample_in.size() / static_cast<std::size_t>(seqLen));
    }
    QStringList haveSites;
    for (int i = 0; i < site_->count(); ++i) haveSites << site_->itemData(i).toString();
    if (haveSites != sites) {
        site_->clear();
        for (const QString& k : sites) site_->addItem(normSiteLabel(k), k);
    }
    const int si = sites.indexOf(want_site_);
    if (si >= 0) site_->setCurrentIndex(si);
    const bool layered = want_site_ != QLatin1String("embedding") && want_site_ != QLatin1String("final");
    layer_->setEnabled(layered);
    layer_->setRange(layered ? 0 : -1, std::max(layered ? 0 : -1, maxLayer));
    layer_->setValue(layered ? std::max(0, want_layer_) : -1);
    layer_->setSpecialValueText(layered ? QString() : tr("none"));
    position_->setRange(0, std::max(0, seqLen - 1));
    feature_->setRange(0, std::max(0, dModel - 1));
    updating_ = false;
}

void LayerNormFormulaView::recompute() {
    has_numbers_ = false;
    shown_step_ = -1;
    const ns::ProbeSnapshot* p = currentProbe();
    const int layer = (want_site_ == QLatin1String("embedding") || want_site_ == QLatin1String("final")) ? -1 : layer_->value();
    const ns::NormSiteProbe* n = p ? findNormSite(*p, want_site_.toStdString(), layer) : nullptr;
    if (n && computeFormulaNumbers(*n, p->probes.seq_len, position_->value(), &numbers_)) {
        has_numbers_ = true;
        shown_step_ = p->step;
        std::vector<double> all = n->sample_in;
        grid_->setData(p->probes.seq_len, numbers_.d_model, std::move(all));
        grid_->setColumnsAreGroups(numbers_.kind == ns::NormKind::BatchNorm);
    }
    if (!has_numbers_) {
        if (p && !n)
            empty_->setText(tr("This run has no %1 in layer %2. Pick another norm or layer.").arg(normSiteLabel(want_site_)).arg(layer));
        else
            empty_->setText(tr("No numbers yet. Press Run to train the lesson's experiment: the first probe, at step 0, "
                               "fills this view with the engine's own numbers."));
        pages_->setCurrentIndex(0);
        return;
    }
    pages_->setCurrentIndex(1);
    fillRows();
}

void LayerNormFormulaView::fillRows() {
    if (!has_numbers_) return;
    const FormulaNumbers& f = numbers_;
    const int D = f.d_model;
    const int d = std::clamp(feature_->value(), 0, D - 1);
    grid_->setSelected(f.position, d);
    const QString runName = snap_ && want_run_ < static_cast<int>(snap_->runs.size()) ? snap_->runs[static_cast<std::size_t>(want_run_)].name : QString();
    const QString where = want_site_ == QLatin1String("embedding") || want_site_ == QLatin1String("final")
                              ? normSiteLabel(want_site_)
                              : tr("%1 in layer %2").arg(normSiteLabel(want_site_)).arg(layer_->value());
    const QString when = shown_step_ == 0 ? tr("at initialisation (step 0)") : tr("after %1 training steps").arg(shown_step_);
    where_->setText(tr("<b>%1</b>: %2, %3, position %4 of the first training sequence.")
                        .arg(esc(runName), esc(where), esc(when))
                        .arg(f.position));
    const QString grid = tr("The sequence entering the norm: one row per position (T = %1), one column per feature (D = %2), "
                            "blue negative, orange positive.")
                             .arg(position_->maximum() + 1)
                             .arg(D);
    QString how;
    switch (f.kind) {
    case ns::NormKind::BatchNorm:
        how = tr("BatchNorm works down a column, over every sequence of the batch, not only this one.");
        break;
    case ns::NormKind::DyT:
        how = tr("DyT works on each cell on its own; hover a row to pick a position.");
        break;
    case ns::NormKind::None:
        how = tr("Nothing is computed here; hover a row to pick a position.");
        break;
    default:
        how = tr("The norm works on one row at a time; hover a row to pick it.");
        break;
    }
    gridCaption_->setText(grid + QLatin1Char(' ') + how);

    const double g = f.gamma.empty() ? 1.0 : f.gamma[d];
    const double b = f.beta.empty() ? 0.0 : f.beta[d];
    const QString firstN = tr("first 8 of %1").arg(D);
    // The rows of the table: a symbol, what it is with its value(s), and optionally all D values
    // as a bar strip.
    struct Row {
        QString symbol, html;
        const std::vector<double>* values;
    };
    std::vector<Row> rows;
    int row = 0;
    auto setRow = [&rows](int, const QString& symbol, const QString& html, const std::vector<double>* values = nullptr) {
        rows.push_back({symbol, html, values});
    };
    QString formula, worked, note;
    const QString xLine = tr("the vector entering the norm (%1)").arg(firstN) + QStringLiteral("<br><tt>") +
                          esc(firstFew(f.x)) + QStringLiteral("</tt>");
    const QString yLine = tr("the vector leaving the norm, as the engine computed it (%1); over its %2 features: mean <b>%3</b>, variance <b>%4</b>")
                              .arg(firstN)
                              .arg(D)
                              .arg(num(f.y_mean), num6(f.y_var)) +
                          QStringLiteral("<br><tt>") + esc(firstFew(f.y)) + QStringLiteral("</tt>");
    const QString xhatVec = QStringLiteral("<br><tt>") + esc(firstFew(f.xhat)) + QStringLiteral("</tt>");
    const QString gammaLine = tr("learned gain, one per feature (starts at 1)") + QStringLiteral("<br><tt>") +
                              esc(firstFew(f.gamma)) + QStringLiteral("</tt>");
    const QString betaLine = tr("learned bias, one per feature (starts at 0)") + QStringLiteral("<br><tt>") +
                             esc(firstFew(f.beta)) + QStringLiteral("</tt>");
    const QString pad = QStringLiteral("       ");

    switch (f.kind) {
    case ns::NormKind::LayerNorm:
        formula = QStringLiteral("y = \u03b3 \u00b7 (x \u2212 \u03bc) / \u221a(\u03c3\u00b2 + \u03b5) + \u03b2");
        setRow(row++, QStringLiteral("x"), xLine, &f.x);
        setRow(row++, QStringLiteral("\u03bc"), tr("mean of x over its %1 features = <b>%2</b>").arg(D).arg(num(f.mean)));
        setRow(row++, QStringLiteral("\u03c3\u00b2"),
               tr("variance of x over its %1 features, dividing by %1 (biased) = <b>%2</b>").arg(D).arg(num(f.var)));
        setRow(row++, QStringLiteral("\u03b5"), tr("a small constant so that the division is always safe = <b>%1</b>").arg(num(f.eps)));
        setRow(row++, QStringLiteral("\u221a(\u03c3\u00b2+\u03b5)"), tr("the standard deviation x is divided by = <b>%1</b>").arg(num(f.denom)));
        setRow(row++, QStringLiteral("x\u0302"),
               tr("(x \u2212 \u03bc) / \u221a(\u03c3\u00b2 + \u03b5), normalized: mean <b>%1</b>, variance <b>%2</b>")
                       .arg(num(f.xhat_mean), num6(f.xhat_var)) + xhatVec,
               &f.xhat);
        setRow(row++, QStringLiteral("\u03b3"), gammaLine, &f.gamma);
        setRow(row++, QStringLiteral("\u03b2"), betaLine, &f.beta);
        worked = QStringLiteral("y[%1] = \u03b3[%1] \u00b7 (x[%1] \u2212 \u03bc) / \u221a(\u03c3\u00b2 + \u03b5) + \u03b2[%1]\n%2= %3 \u00b7 (%4 \u2212 %5) / \u221a(%6 + %7) + %8\n%2= %9")
                     .arg(d)
                     .arg(pad)
                     .arg(num(g), num(f.x[d]), numP(f.mean), num(f.var), num(f.eps), numP(b), num(f.y_recomputed[d]));
        note = tr("The variance divides by D = %1, not D \u2212 1: the biased variance, as nn.LayerNorm computes it. "
                  "x_hat always ends up with mean 0 and variance just under 1 (\u03c3\u00b2 / (\u03c3\u00b2 + \u03b5)); "
                  "\u03b3 and \u03b2 then give each feature the scale and offset the model learned.")
                   .arg(D);
        break;
    case ns::NormKind::LayerNormStd:
        formula = QStringLiteral("y = \u03b3 \u00b7 (x \u2212 \u03bc) / (s + \u03b5) + \u03b2");
        setRow(row++, QStringLiteral("x"), xLine, &f.x);
        setRow(row++, QStringLiteral("\u03bc"), tr("mean of x over its %1 features = <b>%2</b>").arg(D).arg(num(f.mean)));
        setRow(row++, QStringLiteral("s"),
               tr("unbiased standard deviation of x, dividing by %1 = <b>%2</b> (the biased one is %3)")
                   .arg(D - 1)
                   .arg(num(f.std_unbiased), num(std::sqrt(f.var))));
        setRow(row++, QStringLiteral("\u03b5"), tr("added outside the square root = <b>%1</b>").arg(num(f.eps)));
        setRow(row++, QStringLiteral("s+\u03b5"), tr("what x \u2212 \u03bc is divided by = <b>%1</b>").arg(num(f.denom)));
        setRow(row++, QStringLiteral("x\u0302"),
               tr("(x \u2212 \u03bc) / (s + \u03b5): mean <b>%1</b>, variance <b>%2</b>").arg(num(f.xhat_mean), num6(f.xhat_var)) + xhatVec,
               &f.xhat);
        setRow(row++, QStringLiteral("\u03b3"), gammaLine, &f.gamma);
        setRow(row++, QStringLiteral("\u03b2"), betaLine, &f.beta);
        worked = QStringLiteral("y[%1] = \u03b3[%1] \u00b7 (x[%1] \u2212 \u03bc) / (s + \u03b5) + \u03b2[%1]\n%2= %3 \u00b7 (%4 \u2212 %5) / (%6 + %7) + %8\n%2= %9")
                     .arg(d)
                     .arg(pad)
                     .arg(num(g), num(f.x[d]), numP(f.mean), num(f.std_unbiased), num(f.eps), numP(b), num(f.y_recomputed[d]));
        note = tr("The tutorial variant (layernorm_std), as printed in one course note: the unbiased standard deviation "
                  "(dividing by D \u2212 1 = %1) with \u03b5 outside the root. nn.LayerNorm divides by \u221a(\u03c3\u00b2 + \u03b5) "
                  "with the biased variance instead, so this x_hat is smaller by about \u221a(%1/%2) and its variance is "
                  "about %1/%2 = %3 rather than 1.")
                   .arg(D - 1)
                   .arg(D)
                   .arg(QString::number(static_cast<double>(D - 1) / D, 'f', 3));
        break;
    case ns::NormKind::RMSNorm:
        formula = QStringLiteral("y = \u03b3 \u00b7 x / \u221a(mean(x\u00b2) + \u03b5)");
        setRow(row++, QStringLiteral("x"), xLine, &f.x);
        setRow(row++, QStringLiteral("mean(x\u00b2)"), tr("mean of the squares of x over its %1 features = <b>%2</b>").arg(D).arg(num(f.mean_square)));
        setRow(row++, QStringLiteral("\u03b5"), tr("a small constant so that the division is always safe = <b>%1</b>").arg(num(f.eps)));
        setRow(row++, QStringLiteral("rms"), tr("\u221a(mean(x\u00b2) + \u03b5), the root mean square x is divided by = <b>%1</b>").arg(num(f.denom)));
        setRow(row++, QStringLiteral("x\u0302"),
               tr("x / rms: mean <b>%1</b> (not forced to 0), variance <b>%2</b>").arg(num(f.xhat_mean), num6(f.xhat_var)) + xhatVec,
               &f.xhat);
        setRow(row++, QStringLiteral("\u03b3"), gammaLine, &f.gamma);
        worked = QStringLiteral("y[%1] = \u03b3[%1] \u00b7 x[%1] / \u221a(mean(x\u00b2) + \u03b5)\n%2= %3 \u00b7 %4 / \u221a(%5 + %6)\n%2= %7")
                     .arg(d)
                     .arg(pad)
                     .arg(num(g), numP(f.x[d]), num(f.mean_square), num(f.eps), num(f.y_recomputed[d]));
        note = tr("RMSNorm groups the numbers like LayerNorm (one position, its D features) but subtracts no mean and has "
                  "no \u03b2: the mean of x (here %1) is scaled, not removed.")
                   .arg(num(f.mean));
        break;
    case ns::NormKind::DyT:
        formula = QStringLiteral("y = \u03b3 \u00b7 tanh(\u03b1 \u00b7 x) + \u03b2");
        setRow(row++, QStringLiteral("x"), xLine, &f.x);
        setRow(row++, QStringLiteral("\u03b1"), tr("one learned scalar for the whole norm (starts at 0.5 by default) = <b>%1</b>").arg(num(f.alpha)));
        setRow(row++, QStringLiteral("x\u0302"),
               tr("tanh(\u03b1 \u00b7 x), squashed into (\u2212" "1, 1) one feature at a time: mean <b>%1</b>, variance <b>%2</b>")
                       .arg(num(f.xhat_mean), num6(f.xhat_var)) + xhatVec,
               &f.xhat);
        setRow(row++, QStringLiteral("\u03b3"), gammaLine, &f.gamma);
        setRow(row++, QStringLiteral("\u03b2"), betaLine, &f.beta);
        worked = QStringLiteral("y[%1] = \u03b3[%1] \u00b7 tanh(\u03b1 \u00b7 x[%1]) + \u03b2[%1]\n%2= %3 \u00b7 tanh(%4 \u00b7 %5) + %6\n%2= %7")
                     .arg(d)
                     .arg(pad)
                     .arg(num(g), num(f.alpha), numP(f.x[d]), numP(b), num(f.y_recomputed[d]));
        note = tr("DyT (Dynamic Tanh) computes no mean and no variance at all: each feature is squashed on its own, so "
                  "nothing holds x_hat at mean 0 and variance 1.");
        break;
    case ns::NormKind::BatchNorm:
        formula = QStringLiteral("y = \u03b3 \u00b7 (x \u2212 \u03bc_d) / \u221a(\u03c3_d\u00b2 + \u03b5) + \u03b2");
        setRow(row++, QStringLiteral("x"), xLine, &f.x);
        setRow(row++, QStringLiteral("\u03b3"), gammaLine, &f.gamma);
        setRow(row++, QStringLiteral("\u03b2"), betaLine, &f.beta);
        worked.clear();
        note = tr("BatchNorm takes \u03bc_d and \u03c3_d\u00b2 for each feature d over all B \u00d7 T positions of the batch "
                  "(in evaluation mode, running averages kept during training), not over this position's features. "
                  "NormScope keeps only the first sequence, so y cannot be recomputed here. Over this position's %1 "
                  "features, y has mean %2 and variance %3: BatchNorm does not make them 0 and 1.")
                   .arg(D)
                   .arg(num(f.y_mean), num(f.y_var));
        break;
    case ns::NormKind::None:
        formula = QStringLiteral("y = x");
        setRow(row++, QStringLiteral("x"), xLine, &f.x);
        worked.clear();
        note = tr("No normalization at this site: the vector passes through unchanged.");
        break;
    }
    setRow(row++, QStringLiteral("y"), yLine, &f.y);
    if (!worked.isEmpty()) worked += tr("   (engine: %1)").arg(num(f.y[d]));

    // One document: it wraps exactly and scrolls as a whole. Bar strips are images sized to the
    // width the text column gets.
    const QFont base = doc_->font();
    const qreal pt = base.pointSizeF() > 0 ? base.pointSizeF() : 10.0;
    QFont symbolFont = base;
    symbolFont.setBold(true);
    symbolFont.setPointSizeF(pt * 1.15);
    const QFontMetrics symbolMetrics(symbolFont);
    int symbolWidth = 0;
    for (const Row& r : rows) symbolWidth = std::max(symbolWidth, symbolMetrics.horizontalAdvance(r.symbol) + 10);
    const int stripWidth = std::max(120, doc_->viewport()->width() - symbolWidth - 40);
    const qreal dpr = devicePixelRatioF();
    QTextDocument* document = doc_->document();
    QString html = QStringLiteral("<p style=\"font-size:%1pt\">%2</p>").arg(pt * 1.35, 0, 'f', 1).arg(esc(formula));
    if (!worked.isEmpty())
        html += QStringLiteral("<pre title=\"%1\">%2</pre>")
                    .arg(esc(tr("The formula for feature %1 with the numbers filled in").arg(d)), esc(worked));
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"3\" width=\"100%\">");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        QString cell = rows[i].html;
        if (rows[i].values && !rows[i].values->empty()) {
            const QUrl url(QStringLiteral("strip:%1").arg(i));
            // gamma and beta share one scale, so that a bias near 0 looks near 0 beside a gain near 1
            const bool affine = rows[i].values == &f.gamma || rows[i].values == &f.beta;
            const double scale = affine ? std::max(maxAbsOf(f.gamma), maxAbsOf(f.beta)) : 0.0;
            document->addResource(QTextDocument::ImageResource, url,
                                  barStripImage(*rows[i].values, scale, stripWidth, 28, dpr, palette(), d));
            cell += QStringLiteral("<br><img src=\"%1\" width=\"%2\" height=\"28\">").arg(url.toString()).arg(stripWidth);
        }
        html += QStringLiteral("<tr><td align=\"right\" valign=\"top\" width=\"%1\" style=\"font-weight:bold; font-size:%2pt\">%3</td>"
                               "<td valign=\"top\">%4</td></tr>")
                    .arg(symbolWidth)
                    .arg(pt * 1.15, 0, 'f', 1)
                    .arg(esc(rows[i].symbol), cell);
    }
    html += QStringLiteral("</table>");
    if (std::isnan(f.max_abs_error))
        html += QStringLiteral("<p>%1</p>").arg(tr("Check: not available for BatchNorm from one position."));
    else
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("Check: y recomputed here from the numbers above matches the engine's y to within "
                            "<b>%1</b> (the largest difference over all %2 features; the engine works in 32-bit floats).")
                             .arg(QString::number(f.max_abs_error, 'g', 2))
                             .arg(D));
    html += QStringLiteral("<p>%1</p>").arg(note);
    const int scroll = doc_->verticalScrollBar() ? doc_->verticalScrollBar()->value() : 0;
    doc_->setHtml(html);
    if (doc_->verticalScrollBar()) doc_->verticalScrollBar()->setValue(scroll);
}

}  // namespace nsui

#include "layernormformulaview.moc"
