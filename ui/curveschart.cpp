#include "ui/chartexport.h"
#include "ui/chartstyle.h"
#include "ui/curveschart.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QCursor>
#include <QEvent>
#include <QGraphicsLayout>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLocale>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QPainter>
#include <QRubberBand>
#include <QScatterSeries>
#include <QSlider>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace nsui {

// A chart view that zooms on a dragged rectangle and resets on a double click. A click without
// a drag does not zoom (QChartView would zoom into a one-pixel rectangle).
class ZoomChartView : public QChartView {
public:
    ZoomChartView(QChart* chart, QWidget* parent) : QChartView(chart, parent) {
        setRubberBand(QChartView::RectangleRubberBand);
        setRenderHint(QPainter::Antialiasing);
        setFrameShape(QFrame::NoFrame);
    }
    std::function<void()> on_reset;

protected:
    void mousePressEvent(QMouseEvent* e) override {
        press_ = e->position().toPoint();
        QChartView::mousePressEvent(e);
    }
    void mouseReleaseEvent(QMouseEvent* e) override {
        const QPoint d = e->position().toPoint() - press_;
        if (e->button() == Qt::LeftButton && (std::abs(d.x()) < 6 || std::abs(d.y()) < 6)) {
            if (auto* band = viewport()->findChild<QRubberBand*>()) band->hide();
            QGraphicsView::mouseReleaseEvent(e);
            return;
        }
        QChartView::mouseReleaseEvent(e);
    }
    void mouseDoubleClickEvent(QMouseEvent* e) override {
        if (e->button() == Qt::LeftButton && on_reset) {
            on_reset();
            e->accept();
            return;
        }
        QChartView::mouseDoubleClickEvent(e);
    }

private:
    QPoint press_;
};

namespace {

using namespace chartstyle;

constexpr double kMaxSmoothing = 0.99;
const QMargins kChartMargins = chartMargins();
const QColor kDivergedRed(214, 39, 40);

// TensorBoard's smoothing: an exponential moving average started at zero and divided by
// (1 - w^n) so that the first points are not pulled towards zero.
QList<QPointF> smoothEma(const QList<QPointF>& raw, double w) {
    if (w <= 0) return raw;
    QList<QPointF> out;
    out.reserve(raw.size());
    double last = 0, wn = 1;
    for (const QPointF& p : raw) {
        last = last * w + (1 - w) * p.y();
        wn *= w;
        out.append(QPointF(p.x(), last / (1 - wn)));
    }
    return out;
}

// A red cross with a thin outline in the background colour, readable over any line.
QImage crossImage(const QColor& background, int size) {
    QImage img(size, size, QImage::Format_ARGB32_Premultiplied);
    img.fill(Qt::transparent);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    const double m = size * 0.22;
    const QLineF a(m, m, size - m, size - m), b(m, size - m, size - m, m);
    p.setPen(QPen(background, size * 0.30, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(a);
    p.drawLine(b);
    p.setPen(QPen(kDivergedRed, size * 0.16, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(a);
    p.drawLine(b);
    return img;
}

void hideFromLegend(QChart* chart, QAbstractSeries* s) {
    for (QLegendMarker* m : chart->legend()->markers(s)) m->setVisible(false);
}

}  // namespace

TrainingCurvesChart::TrainingCurvesChart(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(6, 4, 6, 0);
    auto* smoothing_label = new QLabel(tr("Smoothing"), this);
    smoothing_ = new QSlider(Qt::Horizontal, this);
    smoothing_->setObjectName(QStringLiteral("smoothing"));
    smoothing_->setRange(0, int(std::lround(kMaxSmoothing * 100)));
    smoothing_->setValue(60);
    smoothing_->setMaximumWidth(220);
    smoothing_->setToolTip(tr("Exponential moving average of the training curves (0 = raw values)"));
    smoothing_label->setBuddy(smoothing_);
    smoothing_value_ = new QLabel(this);
    smoothing_value_->setMinimumWidth(smoothing_value_->fontMetrics().horizontalAdvance(QStringLiteral("0.00 ")));
    log_y_ = new QCheckBox(tr("Log-scale loss"), this);
    log_y_->setObjectName(QStringLiteral("logY"));
    log_y_->setToolTip(tr("Show the loss on a logarithmic axis"));
    hide_val_ = new QCheckBox(tr("Hide validation"), this);
    hide_val_->setObjectName(QStringLiteral("hideValidation"));
    hide_val_->setToolTip(tr("Show only the training curves"));
    controls->addWidget(smoothing_label);
    controls->addWidget(smoothing_);
    controls->addWidget(smoothing_value_);
    controls->addSpacing(12);
    controls->addWidget(log_y_);
    controls->addWidget(hide_val_);
    controls->addStretch(1);
    layout->addLayout(controls);
    setScreenOnly(controls);  // the legend says "smoothed", the axis title "log scale"

    loss_chart_ = makeChart();
    acc_chart_ = makeChart();
    // QObject children of this widget (the views own them as graphics items), so that
    // findChild<QLineSeries*>("train_loss:0") finds the series.
    loss_chart_->setParent(this);
    acc_chart_->setParent(this);

    loss_x_ = new QValueAxis;
    loss_x_->setTitleText(tr("step (updates)"));
    loss_y_ = new QValueAxis;
    loss_y_->setTitleText(tr("cross-entropy loss (nats)"));
    loss_y_log_ = new QLogValueAxis(this);  // owned by the chart only while shown
    loss_y_log_->setTitleText(tr("cross-entropy loss (nats, log scale)"));
    loss_y_log_->setBase(10);
    loss_y_log_->setLabelFormat(QStringLiteral("%g"));
    loss_y_log_->setMinorTickCount(-1);
    acc_x_ = new QValueAxis;
    acc_x_->setTitleText(tr("step (updates)"));
    acc_y_ = new QValueAxis;
    acc_y_->setTitleText(tr("token accuracy (%)"));
    loss_chart_->addAxis(loss_x_, Qt::AlignBottom);
    loss_chart_->addAxis(loss_y_, Qt::AlignLeft);
    acc_chart_->addAxis(acc_x_, Qt::AlignBottom);
    acc_chart_->addAxis(acc_y_, Qt::AlignLeft);
    setLinearRange(loss_x_, 0, 1, 8, true);
    setLinearRange(acc_x_, 0, 1, 8, true);
    setLinearRange(loss_y_, 0, 1, 6, false);
    acc_y_->setTickType(QValueAxis::TicksDynamic);
    acc_y_->setTickAnchor(0);
    acc_y_->setTickInterval(20);
    acc_y_->setMinorTickCount(1);
    acc_y_->setLabelFormat(QStringLiteral("%d"));
    acc_y_->setRange(0, 100);

    loss_crosses_ = new QScatterSeries;
    acc_crosses_ = new QScatterSeries;
    loss_crosses_->setObjectName(QStringLiteral("diverged_loss"));
    acc_crosses_->setObjectName(QStringLiteral("diverged_acc"));
    for (auto [chart, crosses] : {std::pair{loss_chart_, loss_crosses_}, std::pair{acc_chart_, acc_crosses_}}) {
        crosses->setName(tr("diverged"));
        crosses->setMarkerSize(18);
        chart->addSeries(crosses);
        crosses->attachAxis(chart == loss_chart_ ? loss_x_ : acc_x_);
        crosses->attachAxis(chart == loss_chart_ ? static_cast<QAbstractAxis*>(loss_y_) : acc_y_);
        hideFromLegend(chart, crosses);
    }

    // The accuracy chart's legend is the key to the line styles; the run names are above.
    key_train_ = new QLineSeries;
    key_val_ = new QLineSeries;
    key_train_->setObjectName(QStringLiteral("key_train"));
    key_val_->setObjectName(QStringLiteral("key_val"));
    key_val_->setName(tr("validation"));
    key_val_->setPointsVisible(true);
    key_val_->setMarkerSize(3);
    for (QLineSeries* k : {key_train_, key_val_}) {
        acc_chart_->addSeries(k);
        k->attachAxis(acc_x_);
        k->attachAxis(acc_y_);
    }

    loss_view_ = new ZoomChartView(loss_chart_, this);
    acc_view_ = new ZoomChartView(acc_chart_, this);
    loss_view_->on_reset = [this] { resetZoom(loss_chart_); };
    acc_view_->on_reset = [this] { resetZoom(acc_chart_); };
    for (ZoomChartView* v : {loss_view_, acc_view_}) v->setToolTip(tr("Drag a rectangle to zoom in, double-click to zoom out"));
    loss_view_->setMinimumHeight(180);
    acc_view_->setMinimumHeight(150);
    layout->addWidget(loss_view_, 4);
    layout->addWidget(acc_view_, 3);

    connect(smoothing_, &QSlider::valueChanged, this, [this] { redraw(); });
    connect(log_y_, &QCheckBox::toggled, this, &TrainingCurvesChart::setLogY);
    connect(hide_val_, &QCheckBox::toggled, this, [this] { redraw(); });
    connect(loss_chart_, &QChart::plotAreaChanged, this, [this] {
        alignPlotAreas();
        placeNotes();
    });
    connect(acc_chart_, &QChart::plotAreaChanged, this, [this] { alignPlotAreas(); });
    connect(loss_x_, &QValueAxis::rangeChanged, this, [this] { placeNotes(); });
    connect(loss_y_, &QValueAxis::rangeChanged, this, [this] { placeNotes(); });
    connect(loss_y_log_, &QLogValueAxis::rangeChanged, this, [this] { placeNotes(); });

    applyPalette();
    redraw();
}

TrainingCurvesChart::~TrainingCurvesChart() {
    // The charts are destroyed after this class's members: keep their signals from reaching it.
    for (QChart* c : {loss_chart_, acc_chart_}) {
        c->disconnect(this);
        for (QAbstractSeries* s : c->series()) s->disconnect(this);
        for (QAbstractAxis* a : c->axes()) a->disconnect(this);
    }
    loss_y_->disconnect(this);
    loss_y_log_->disconnect(this);
}

double TrainingCurvesChart::smoothing() const { return smoothing_->value() / 100.0; }

void TrainingCurvesChart::setSnapshot(const SnapshotPtr& s) {
    snap_ = s;
    ensureRuns();
    redraw();
}

void TrainingCurvesChart::changeEvent(QEvent* e) {
    QWidget::changeEvent(e);
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::FontChange) applyPalette();
}

void TrainingCurvesChart::ensureRuns() {
    std::vector<QString> names;
    if (snap_)
        for (const RunSeries& r : snap_->runs) names.push_back(r.name);
    if (names == run_names_) return;
    for (RunItems& it : runs_)
        for (QLineSeries* s : it.all()) {
            s->chart()->removeSeries(s);
            delete s;
        }
    runs_.clear();
    run_names_ = names;

    QAbstractAxis* loss_y = log_y_->isChecked() ? static_cast<QAbstractAxis*>(loss_y_log_) : loss_y_;
    auto add = [this](QChart* chart, QAbstractAxis* x, QAbstractAxis* y, const QString& object_name, const QString& name,
                      bool in_legend) {
        auto* s = new QLineSeries;
        s->setObjectName(object_name);
        s->setName(name);
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
        if (!in_legend) hideFromLegend(chart, s);
        connect(s, &QXYSeries::hovered, this, [this, s](const QPointF& p, bool state) { showPointTip(s, p, state); });
        return s;
    };
    for (std::size_t i = 0; i < names.size(); ++i) {
        const QString n = QString::number(i);
        const QColor c = snap_->runs[i].color;
        RunItems it;
        // Drawn in this order: faint raw values under the smoothed curve, validation below training.
        it.raw_loss = add(loss_chart_, loss_x_, loss_y, QStringLiteral("train_loss_raw:") + n, names[i], false);
        it.raw_acc = add(acc_chart_, acc_x_, acc_y_, QStringLiteral("train_acc_raw:") + n, names[i], false);
        it.val_loss = add(loss_chart_, loss_x_, loss_y, QStringLiteral("val_loss:") + n, names[i], false);
        it.train_loss = add(loss_chart_, loss_x_, loss_y, QStringLiteral("train_loss:") + n, names[i], true);
        it.val_acc = add(acc_chart_, acc_x_, acc_y_, QStringLiteral("val_acc:") + n, names[i], false);
        it.train_acc = add(acc_chart_, acc_x_, acc_y_, QStringLiteral("train_acc:") + n, names[i], false);
        for (QLineSeries* s : {it.train_loss, it.train_acc}) s->setPen(QPen(c, 2.2));
        QColor faint = c;
        faint.setAlphaF(0.28f);
        for (QLineSeries* s : {it.raw_loss, it.raw_acc}) s->setPen(QPen(faint, 1.0));
        for (QLineSeries* s : {it.val_loss, it.val_acc}) {
            QPen pen(c, 1.6, Qt::DashLine);
            s->setPen(pen);
            s->setPointsVisible(true);
            s->setMarkerSize(4);  // a radius, for line series
            s->setBrush(c);  // fills the point markers
        }
        runs_.push_back(it);
    }
    // The crosses stay above every line.
    for (auto [chart, crosses] : {std::pair{loss_chart_, loss_crosses_}, std::pair{acc_chart_, acc_crosses_}}) {
        const auto axes = crosses->attachedAxes();
        chart->removeSeries(crosses);
        chart->addSeries(crosses);
        for (QAbstractAxis* a : axes) crosses->attachAxis(a);
        hideFromLegend(chart, crosses);
    }
    applyPalette();
}

void TrainingCurvesChart::redraw() {
    const double w = smoothing();
    const QString amount = QLocale().toString(w, 'f', 2);
    smoothing_value_->setText(amount);
    const bool log = log_y_->isChecked();
    const bool show_val = !hide_val_->isChecked();
    // The amount is in the key, so that an exported picture (which leaves the slider out) says it.
    key_train_->setName(w > 0 ? tr("training (smoothed %1; faint: raw)").arg(amount) : tr("training"));
    for (QLegendMarker* m : acc_chart_->legend()->markers(key_val_)) m->setVisible(show_val);

    for (std::size_t i = 0; i < runs_.size() && snap_ && i < snap_->runs.size(); ++i) {
        const RunSeries& r = snap_->runs[i];
        QList<QPointF> tl, vl, ta, va;
        tl.reserve(qsizetype(r.metrics.size()));
        ta.reserve(qsizetype(r.metrics.size()));
        for (const ns::StepMetrics& m : r.metrics) {
            const double x = double(m.step);
            // A log axis cannot place zero or negative values: they are left out there.
            if (finite(m.train_loss) && (!log || m.train_loss > 0)) tl.append(QPointF(x, m.train_loss));
            if (finite(m.train_acc)) ta.append(QPointF(x, m.train_acc * 100));
            if (m.has_val) {
                if (finite(m.val_loss) && (!log || m.val_loss > 0)) vl.append(QPointF(x, m.val_loss));
                if (finite(m.val_acc)) va.append(QPointF(x, m.val_acc * 100));
            }
        }
        runs_[i].train_loss->replace(smoothEma(tl, w));
        runs_[i].train_acc->replace(smoothEma(ta, w));
        runs_[i].raw_loss->replace(w > 0 ? tl : QList<QPointF>());
        runs_[i].raw_acc->replace(w > 0 ? ta : QList<QPointF>());
        runs_[i].val_loss->replace(vl);
        runs_[i].val_acc->replace(va);
        runs_[i].val_loss->setVisible(show_val);
        runs_[i].val_acc->setVisible(show_val);
    }
    rescaleAxes();
    updateDiverged();
    placeNotes();
}

// One cross per diverged run at (step of divergence, last finite value of its curve), kept
// inside the unzoomed range; the sentence goes on the loss chart. Label items are made again
// only when the sentences change.
void TrainingCurvesChart::updateDiverged() {
    QList<QPointF> loss_pts, acc_pts;
    QStringList texts;
    const double span = loss_hi_ - loss_lo_;
    const double top = log_y_->isChecked() ? loss_hi_ : loss_hi_ - 0.03 * span;
    for (std::size_t i = 0; i < runs_.size() && snap_ && i < snap_->runs.size(); ++i) {
        const RunSeries& r = snap_->runs[i];
        if (!r.status.diverged) continue;
        const double x = double(r.status.diverged_step);
        const auto tl = runs_[i].train_loss->points();
        const auto ta = runs_[i].train_acc->points();
        loss_pts.append(QPointF(x, tl.isEmpty() ? top : std::min(tl.back().y(), top)));
        acc_pts.append(QPointF(x, ta.isEmpty() ? 0.0 : ta.back().y()));
        texts << tr("%1 diverged at step %2: %3")
                     .arg(r.name)
                     .arg(r.status.diverged_step)
                     .arg(QString::fromStdString(r.status.cause));
    }
    if (texts != note_texts_) {
        for (DivergedNote& n : notes_) delete n.box;
        notes_.clear();
        for (const QString& t : texts) {
            auto* box = new QGraphicsRectItem(loss_chart_);
            box->setZValue(100);
            auto* label = new QGraphicsSimpleTextItem(box);
            label->setText(t);
            notes_.push_back({QPointF(), box, label});
        }
        note_texts_ = texts;
        styleNotes();
    }
    for (qsizetype k = 0; k < loss_pts.size(); ++k) notes_[std::size_t(k)].at = loss_pts[k];
    loss_crosses_->replace(loss_pts);
    acc_crosses_->replace(acc_pts);
}

void TrainingCurvesChart::styleNotes() {
    QColor fill = palette().color(QPalette::Base);
    fill.setAlpha(225);
    for (DivergedNote& n : notes_) {
        n.label->setBrush(palette().color(QPalette::Text));
        n.label->setFont(font());
        n.label->setPos(6, 3);
        n.box->setRect(QRectF(QPointF(0, 0), n.label->boundingRect().size() + QSizeF(12, 6)));
        n.box->setBrush(fill);
        n.box->setPen(QPen(kDivergedRed, 1.2));
    }
}

// Labels sit beside their cross, inside the plot area, stacked so that they never overlap.
void TrainingCurvesChart::placeNotes() {
    if (notes_.empty()) return;
    const QRectF area = loss_chart_->plotArea();
    struct Placed {
        QGraphicsItem* box;
        QPointF anchor;
        QRectF rect;
    };
    std::vector<Placed> placed;
    for (const DivergedNote& n : notes_) {
        QPointF a = loss_chart_->mapToPosition(n.at, loss_crosses_);
        // Zoomed away from the cross: no label either.
        n.box->setVisible(area.adjusted(-2, -2, 2, 2).contains(a));
        a.setX(std::clamp(a.x(), area.left(), area.right()));
        a.setY(std::clamp(a.y(), area.top(), area.bottom()));
        const QRectF r = n.box->boundingRect();
        double x = a.x() + 14;
        if (x + r.width() > area.right()) x = a.x() - 14 - r.width();
        x = std::clamp(x, area.left() + 2, std::max(area.left() + 2, area.right() - r.width() - 2));
        placed.push_back({n.box, a, QRectF(x, a.y() - r.height() / 2, r.width(), r.height())});
    }
    std::sort(placed.begin(), placed.end(), [](const Placed& p, const Placed& q) { return p.anchor.y() < q.anchor.y(); });
    double next_top = area.top() + 2;
    for (Placed& p : placed) {
        p.rect.moveTop(std::max(p.rect.top(), next_top));
        next_top = p.rect.bottom() + 3;
    }
    // Pushed below the plot area: shift the whole stack back up.
    if (!placed.empty() && placed.back().rect.bottom() > area.bottom() - 2) {
        double limit = area.bottom() - 2;
        for (auto it = placed.rbegin(); it != placed.rend(); ++it) {
            it->rect.moveBottom(std::min(it->rect.bottom(), limit));
            limit = it->rect.top() - 3;
        }
    }
    for (Placed& p : placed) p.box->setPos(p.rect.topLeft());
}

// Ranges from the finite values shown, with a little room. On a linear axis the final blow-up
// of a diverged run does not set the top (its cross and label say what happened): the top is
// the highest value of the other runs, or twice the highest initial loss if that is higher.
void TrainingCurvesChart::rescaleAxes() {
    const bool log = log_y_->isChecked();
    double x_max = 1;
    constexpr double inf = std::numeric_limits<double>::infinity();
    double lo = inf, hi = -inf, hi_diverged = -inf, first = -inf;
    for (std::size_t i = 0; i < runs_.size(); ++i) {
        const RunItems& it = runs_[i];
        const bool diverged = snap_ && i < snap_->runs.size() && snap_->runs[i].status.diverged;
        if (diverged) x_max = std::max(x_max, double(snap_->runs[i].status.diverged_step));
        for (QLineSeries* s : it.all()) {
            if (!s->isVisible()) continue;
            const bool is_loss = s == it.train_loss || s == it.val_loss || s == it.raw_loss;
            const QList<QPointF> pts = s->points();
            for (const QPointF& p : pts) {
                x_max = std::max(x_max, p.x());
                if (!is_loss) continue;
                lo = std::min(lo, p.y());
                (diverged ? hi_diverged : hi) = std::max(diverged ? hi_diverged : hi, p.y());
            }
            if (s == it.train_loss && !pts.isEmpty()) first = std::max(first, pts.front().y());
        }
    }
    if (log)
        hi = std::max(hi, hi_diverged);
    else if (hi_diverged > hi)
        hi = std::max(hi, first > 0 ? std::min(hi_diverged, 2 * first) : hi_diverged);
    if (!(lo <= hi)) lo = log ? 0.1 : 0, hi = log ? 10 : 1;  // no loss yet
    if (log) {
        setLogRange(loss_y_log_, lo, hi);
        loss_lo_ = loss_y_log_->min(), loss_hi_ = loss_y_log_->max();
    } else {
        const double pad = std::max(0.05 * (hi - lo), 1e-3 * std::max(1.0, std::abs(hi)));
        loss_lo_ = lo - pad, loss_hi_ = hi + pad;
    }
    if (!loss_chart_->isZoomed()) {
        setLinearRange(loss_x_, 0, x_max, 8, true);
        if (log)
            setLogRange(loss_y_log_, lo, hi);
        else
            setLinearRange(loss_y_, loss_lo_, loss_hi_, 6, false);
    }
    if (!acc_chart_->isZoomed()) {
        setLinearRange(acc_x_, 0, x_max, 8, true);
        acc_y_->setRange(-2, 102);  // room for the point markers at 0 % and 100 %
    }
}

void TrainingCurvesChart::setLogY(bool on) {
    loss_chart_->zoomReset();
    QAbstractAxis* from = on ? static_cast<QAbstractAxis*>(loss_y_) : loss_y_log_;
    QAbstractAxis* to = on ? static_cast<QAbstractAxis*>(loss_y_log_) : loss_y_;
    loss_chart_->removeAxis(from);
    from->setParent(this);  // removeAxis gives up ownership
    loss_chart_->addAxis(to, Qt::AlignLeft);
    for (const RunItems& it : runs_)
        for (QLineSeries* s : {it.raw_loss, it.val_loss, it.train_loss}) s->attachAxis(to);
    loss_crosses_->attachAxis(to);
    redraw();
}

void TrainingCurvesChart::resetZoom(QChart* chart) {
    chart->zoomReset();
    rescaleAxes();
    placeNotes();
}

// Stacked charts read best when their plot areas start at the same x: widen the left margin of
// the chart whose axis labels are narrower.
void TrainingCurvesChart::alignPlotAreas() {
    QChart* charts[2] = {loss_chart_, acc_chart_};
    double natural[2];
    for (int i = 0; i < 2; ++i) natural[i] = charts[i]->plotArea().left() - extra_left_[i];
    const double target = std::max(natural[0], natural[1]);
    for (int i = 0; i < 2; ++i) {
        const int extra = int(std::lround(target - natural[i]));
        if (extra == extra_left_[i]) continue;
        extra_left_[i] = extra;
        charts[i]->setMargins(kChartMargins + QMargins(extra, 0, 0, 0));
    }
}

void TrainingCurvesChart::applyPalette() {
    const QPalette pal = palette();
    const QFont f = font();
    for (QChart* c : {loss_chart_, acc_chart_}) styleChart(c, pal, f);
    styleAxis(loss_y_log_, pal, f);  // also when it is not on the chart
    for (ZoomChartView* v : {loss_view_, acc_view_})
        if (v) v->setBackgroundBrush(pal.color(QPalette::Base));
    const QImage cross = crossImage(pal.color(QPalette::Base), 36);
    for (QScatterSeries* s : {loss_crosses_, acc_crosses_}) {
        s->setLightMarker(cross);
        s->setSelectedLightMarker(cross);
    }
    const QColor text = pal.color(QPalette::Text);
    key_train_->setPen(QPen(text, 2.2));
    key_val_->setPen(QPen(text, 1.6, Qt::DashLine));
    key_val_->setBrush(text);
    styleNotes();
    placeNotes();
}

void TrainingCurvesChart::showPointTip(QXYSeries* s, const QPointF& p, bool state) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    const QList<QPointF> pts = s->points();
    if (pts.isEmpty()) return;
    // Nearest recorded step (the points are ordered by step).
    auto it = std::lower_bound(pts.begin(), pts.end(), p.x(), [](const QPointF& a, double x) { return a.x() < x; });
    if (it == pts.end() || (it != pts.begin() && std::abs((it - 1)->x() - p.x()) < std::abs(it->x() - p.x()))) --it;
    const QString name = s->objectName();
    const bool loss = name.contains(QLatin1String("loss"));
    const bool val = name.startsWith(QLatin1String("val"));
    const bool smoothed = smoothing() > 0 && !name.contains(QLatin1String("raw"));
    QString what;
    if (loss)
        what = val ? tr("validation loss %1") : (smoothed ? tr("training loss %1 (smoothed)") : tr("training loss %1"));
    else
        what = val ? tr("validation accuracy %1 %") : (smoothed ? tr("training accuracy %1 % (smoothed)") : tr("training accuracy %1 %"));
    const QString value = loss ? QLocale().toString(it->y(), 'g', 4) : QLocale().toString(it->y(), 'f', 1);
    QToolTip::showText(QCursor::pos(), tr("%1, step %2, %3").arg(s->name()).arg(qint64(it->x())).arg(what.arg(value)),
                       s->chart() == loss_chart_ ? loss_view_ : acc_view_);
}

}  // namespace nsui
