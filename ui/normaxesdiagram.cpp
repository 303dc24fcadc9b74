#include "ui/normaxesdiagram.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>

#include <algorithm>

namespace nsui {

// The painted B x T x D box: B slices side by side (or two by two when that gives larger
// cells), each a T x D grid with rows = positions and columns = features.
class NormAxesCanvas : public QWidget {
public:
    explicit NormAxesCanvas(NormAxesDiagram* owner) : QWidget(owner), owner_(owner) {
        setMouseTracking(true);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
        setObjectName(QStringLiteral("axesCanvas"));
    }
    QSize sizeHint() const override { return {460, 300}; }
    QPoint cellCenter(int b, int t, int d) const { return cellLayout().cellRect(b, t, d).center(); }
    QSize minimumSizeHint() const override { return {260, 200}; }

protected:
    struct Geometry {
        int cell = 0, cols = 1;        // cell size in pixels, slices per row
        QPoint origin;                 // top-left of slice 0's cells
        int sliceW = 0, sliceH = 0, gapX = 0, gapY = 0;
        QRect cellRect(int b, int t, int d) const {
            const int sx = origin.x() + (b % cols) * (sliceW + gapX);
            const int sy = origin.y() + (b / cols) * (sliceH + gapY);
            return {sx + d * cell, sy + t * cell, cell, cell};
        }
        QRect sliceRect(int b) const { return cellRect(b, 0, 0).united(cellRect(b, NormAxesDiagram::kT - 1, NormAxesDiagram::kD - 1)); }
    };

    Geometry cellLayout() const {
        const QFontMetrics fm(font());
        const int line = fm.height();
        const int left = 2 * line + 8;           // the rotated "T (position)" label and row numbers
        const int top = 3 * line + 10;           // the B header, the slice title, "D (features)"
        const int right = 8, bottom = 6;
        Geometry best;
        for (int cols : {4, 2}) {
            const int rows = (NormAxesDiagram::kB + cols - 1) / cols;
            // gaps: one cell wide between slices horizontally; a title line plus a cell vertically
            const double availW = width() - left - right;
            const double availH = height() - top - bottom;
            const double cw = availW / (cols * NormAxesDiagram::kD + (cols - 1) * 1.5);
            const double ch = (availH - (rows - 1) * (2 * line + 12)) / (rows * NormAxesDiagram::kT);
            const int cell = std::max(6, static_cast<int>(std::min({cw, ch, 40.0})));
            if (cell > best.cell) {
                best.cell = cell;
                best.cols = cols;
                best.sliceW = NormAxesDiagram::kD * cell;
                best.sliceH = NormAxesDiagram::kT * cell;
                best.gapX = static_cast<int>(1.5 * cell);
                best.gapY = 2 * line + 12;
                const int usedW = cols * best.sliceW + (cols - 1) * best.gapX;
                best.origin = QPoint(left + std::max(0, (static_cast<int>(availW) - usedW) / 2), top);
            }
        }
        return best;
    }

    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing, false);
        const QPalette& pal = palette();
        const QColor base = pal.color(QPalette::Base);
        const QColor ink = pal.color(QPalette::WindowText);
        QColor hi = pal.color(QPalette::Highlight);
        QColor grid = ink;
        grid.setAlphaF(0.35f);
        QColor separator = ink;
        separator.setAlphaF(0.85f);
        const Geometry g = cellLayout();
        const QFontMetrics fm(font());
        const NormAxesDiagram::Kind kind = owner_->kind_;
        const bool byFeature = kind == NormAxesDiagram::Kind::BatchNorm;

        // Header: the batch axis.
        p.setPen(ink);
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.drawText(QRect(0, 2, width(), fm.height()), Qt::AlignHCenter,
                   NormAxesDiagram::tr("B (batch) = %1 sequences, each a T \u00d7 D grid").arg(NormAxesDiagram::kB));
        p.setFont(font());

        for (int b = 0; b < NormAxesDiagram::kB; ++b) {
            const QRect slice = g.sliceRect(b);
            // slice title
            p.setPen(ink);
            p.drawText(QRect(slice.left(), slice.top() - 2 * fm.height() - 6, slice.width(), fm.height()), Qt::AlignHCenter,
                       NormAxesDiagram::tr("sequence b = %1").arg(b + 1));
            // feature axis above the grid, position axis left of it, reading downwards like the rows
            p.drawText(QRect(slice.left(), slice.top() - fm.height() - 3, slice.width(), fm.height()), Qt::AlignLeft,
                       NormAxesDiagram::tr("D (features) \u2192"));
            if (b % g.cols == 0) {
                p.save();
                p.translate(slice.left() - 4, slice.top());
                p.rotate(90);
                p.drawText(QRect(0, 0, slice.height(), fm.height()), Qt::AlignLeft, NormAxesDiagram::tr("T (position) \u2192"));
                p.restore();
            }

            for (int t = 0; t < NormAxesDiagram::kT; ++t)
                for (int d = 0; d < NormAxesDiagram::kD; ++d) {
                    const QRect c = g.cellRect(b, t, d);
                    const bool shared = NormAxesDiagram::sharesStatistics(kind, b, t, d, owner_->b_, owner_->t_, owner_->d_);
                    p.fillRect(c, shared ? hi : base);
                    p.setPen(QPen(grid, 1));
                    p.drawRect(c.adjusted(0, 0, -1, -1));
                }
            // thick lines between groups: rows for LayerNorm/RMSNorm, columns for BatchNorm
            p.setPen(QPen(separator, 2));
            if (byFeature) {
                for (int d = 0; d <= NormAxesDiagram::kD; ++d) {
                    const int x = slice.left() + d * g.cell;
                    p.drawLine(x, slice.top(), x, slice.top() + g.sliceH);
                }
            } else {
                for (int t = 0; t <= NormAxesDiagram::kT; ++t) {
                    const int y = slice.top() + t * g.cell;
                    p.drawLine(slice.left(), y, slice.left() + g.sliceW, y);
                }
            }
            p.setPen(QPen(separator, 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRect(slice.topLeft(), QSize(g.sliceW, g.sliceH)));
        }
        // the chosen cell: a dot in the text colour of the highlight
        const QRect f = g.cellRect(owner_->b_, owner_->t_, owner_->d_);
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(Qt::NoPen);
        p.setBrush(pal.color(QPalette::HighlightedText));
        const double r = std::max(2.0, g.cell * 0.18);
        p.drawEllipse(QPointF(f.center()) + QPointF(0.5, 0.5), r, r);
    }

    void mouseMoveEvent(QMouseEvent* e) override {
        const Geometry g = cellLayout();
        const QPoint pos = e->position().toPoint();
        for (int b = 0; b < NormAxesDiagram::kB; ++b) {
            const QRect s(g.sliceRect(b).topLeft(), QSize(g.sliceW, g.sliceH));
            if (!s.contains(pos)) continue;
            const int d = std::clamp((pos.x() - s.left()) / g.cell, 0, NormAxesDiagram::kD - 1);
            const int t = std::clamp((pos.y() - s.top()) / g.cell, 0, NormAxesDiagram::kT - 1);
            owner_->setFocusCell(b, t, d);
            return;
        }
    }

private:
    NormAxesDiagram* owner_;
};

NormAxesDiagram::NormAxesDiagram(QWidget* parent) : QWidget(parent) {
    kindLabel_ = new QLabel(this);
    kindBox_ = new QComboBox(this);
    kindBox_->setObjectName(QStringLiteral("axesKind"));
    kindBox_->addItem(QStringLiteral("LayerNorm"), QStringLiteral("layernorm"));
    kindBox_->addItem(QStringLiteral("BatchNorm"), QStringLiteral("batchnorm"));
    kindBox_->addItem(QStringLiteral("RMSNorm"), QStringLiteral("rmsnorm"));
    kindLabel_->setBuddy(kindBox_);
    canvas_ = new NormAxesCanvas(this);
    caption_ = new QLabel(this);
    caption_->setObjectName(QStringLiteral("axesCaption"));
    caption_->setWordWrap(true);

    auto* top = new QHBoxLayout;
    top->addWidget(kindLabel_);
    top->addWidget(kindBox_);
    top->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(caption_);  // right under the choice, so the words stay next to what they explain
    layout->addWidget(canvas_, 1);

    connect(kindBox_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i >= 0) setKind(static_cast<Kind>(i));
    });
    retranslate();
}

void NormAxesDiagram::retranslate() {
    kindLabel_->setText(tr("&Normalization:"));
    kindBox_->setToolTip(tr("Which normalization's grouping to shade"));
    canvas_->setToolTip(tr("Hover a cell: the shaded cells share its mean and variance"));
    updateCaption();
}

void NormAxesDiagram::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(e);
}

void NormAxesDiagram::setKind(Kind k) {
    const bool changed = k != kind_;
    kind_ = k;
    if (kindBox_->currentIndex() != static_cast<int>(k)) kindBox_->setCurrentIndex(static_cast<int>(k));
    updateCaption();
    canvas_->update();
    if (changed) Q_EMIT kindChanged(k);
}

bool NormAxesDiagram::setKindName(const QString& name) {
    const int i = kindBox_->findData(name);
    if (i < 0) return false;
    setKind(static_cast<Kind>(i));
    return true;
}

void NormAxesDiagram::setFocusCell(int b, int t, int d) {
    b = std::clamp(b, 0, kB - 1);
    t = std::clamp(t, 0, kT - 1);
    d = std::clamp(d, 0, kD - 1);
    if (b == b_ && t == t_ && d == d_) return;
    b_ = b;
    t_ = t;
    d_ = d;
    updateCaption();
    canvas_->update();
}

bool NormAxesDiagram::sharesStatistics(Kind kind, int b, int t, int d, int b0, int t0, int d0) {
    switch (kind) {
    case Kind::LayerNorm:
    case Kind::RMSNorm:
        return b == b0 && t == t0;  // one position of one sequence, all of its features
    case Kind::BatchNorm:
        return d == d0;  // one feature, every position of every sequence
    }
    return false;
}

QWidget* NormAxesDiagram::canvas() const { return canvas_; }

QPoint NormAxesDiagram::cellCenter(int b, int t, int d) const { return canvas_->cellCenter(b, t, d); }

int NormAxesDiagram::sharedCount() const {
    int n = 0;
    for (int b = 0; b < kB; ++b)
        for (int t = 0; t < kT; ++t)
            for (int d = 0; d < kD; ++d) n += sharesStatistics(kind_, b, t, d, b_, t_, d_) ? 1 : 0;
    return n;
}

void NormAxesDiagram::updateCaption() {
    QString text;
    switch (kind_) {
    case Kind::LayerNorm:
        text = tr("<b>LayerNorm</b>: the shaded cells (sequence %1, position %2, all D = %3 features) share one mean "
                  "and one variance. Every row of every grid has its own: B \u00d7 T = %4 pairs of statistics, each "
                  "from %3 numbers. The other sequences play no part, so the result does not depend on the batch, and "
                  "training and evaluation compute exactly the same thing.")
                   .arg(b_ + 1)
                   .arg(t_ + 1)
                   .arg(kD)
                   .arg(kB * kT);
        break;
    case Kind::BatchNorm:
        text = tr("<b>BatchNorm</b>: the shaded cells (feature %1 at every position of every sequence) share one mean "
                  "and one variance: D = %2 pairs of statistics, each from B \u00d7 T = %3 numbers. They change with "
                  "whatever else is in the batch; in evaluation mode, running averages kept during training are "
                  "used instead.")
                   .arg(d_ + 1)
                   .arg(kD)
                   .arg(kB * kT);
        break;
    case Kind::RMSNorm:
        text = tr("<b>RMSNorm</b>: the same groups as LayerNorm (sequence %1, position %2, all D = %3 features), but "
                  "only one statistic: the root mean square \u221a(mean(x\u00b2) + \u03b5). No mean is subtracted and "
                  "there is no \u03b2.")
                   .arg(b_ + 1)
                   .arg(t_ + 1)
                   .arg(kD);
        break;
    }
    caption_->setText(text + QStringLiteral(" ") + tr("Hover a cell to choose it."));
}

}  // namespace nsui
