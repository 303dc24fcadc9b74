#include "ui/chartstyle.h"

#include <QAbstractAxis>
#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLogValueAxis>
#include <QSlider>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace nsui::chartstyle {

bool finite(double v) { return std::isfinite(v); }

QColor mix(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// A tick interval of 1, 2 or 5 times a power of ten giving about `target` ticks over `span`.
double niceInterval(double span, int target) {
    const double raw = span / target;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double r = raw / mag;
    return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

// Range [lo, hi] with ticks at multiples of a nice interval and labels with just enough decimals.
void setLinearRange(QValueAxis* axis, double lo, double hi, int target_ticks, bool integer) {
    if (!finite(lo) || !finite(hi) || !finite(hi - lo)) lo = 0, hi = 1;
    if (hi <= lo) {
        const double pad = std::max(std::abs(lo) * 0.05, 1e-3);
        lo -= pad, hi += pad;
    }
    double step = niceInterval(hi - lo, target_ticks);
    if (integer) step = std::max(1.0, std::round(step));
    int decimals = integer ? 0 : std::max(0, -int(std::floor(std::log10(step) + 1e-9)));
    // Labels of one character ("0" to "4", a loss axis) leave a vertical axis too little room for
    // its title: Qt Charts keeps the width of "..." for the labels out of the title's space, and
    // elides the title whole when the labels are narrower (seen with the Chinese title). One
    // decimal ("0.0" to "4.0") is wider than "...".
    if (!integer && decimals == 0 && lo > -1 && hi < 10) decimals = 1;
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setLabelFormat(integer ? QStringLiteral("%d") : QStringLiteral("%.%1f").arg(decimals));
    axis->setRange(lo, hi);
}

// Whole decades around [lo, hi] (both > 0), so that a log axis always shows at least two labels.
void setLogRange(QLogValueAxis* axis, double lo, double hi) {
    if (!finite(lo) || !finite(hi) || lo <= 0 || hi <= 0) lo = 0.1, hi = 10;
    double a = std::pow(10.0, std::floor(std::log10(lo)));
    double b = std::pow(10.0, std::ceil(std::log10(hi)));
    if (b <= a) b = a * 10;
    // A hair beyond the decades, so that rounding in log10 does not drop their labels.
    axis->setRange(a * (1 - 1e-9), b * (1 + 1e-9));
}

QMargins chartMargins() { return QMargins(6, 2, 10, 2); }

QChart* makeChart() {
    auto* chart = new QChart;
    chart->setBackgroundRoundness(0);
    chart->setMargins(chartMargins());
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    chart->legend()->setShowToolTips(true);
    return chart;
}

void styleChart(QChart* chart, const QPalette& pal, const QFont& font, bool boldTitle) {
    chart->setBackgroundBrush(pal.color(QPalette::Base));
    chart->setBackgroundPen(Qt::NoPen);
    chart->setTitleBrush(pal.color(QPalette::Text));
    if (boldTitle) {
        QFont title = font;
        title.setBold(true);
        chart->setTitleFont(title);
    }
    chart->legend()->setLabelColor(pal.color(QPalette::Text));
    chart->legend()->setFont(font);
    for (QAbstractAxis* a : chart->axes()) styleAxis(a, pal, font);
}

void styleAxis(QAbstractAxis* axis, const QPalette& pal, const QFont& font) {
    const QColor text = pal.color(QPalette::Text), base = pal.color(QPalette::Base);
    axis->setLabelsBrush(text);
    axis->setLabelsFont(font);
    axis->setTitleBrush(text);
    axis->setTitleFont(font);
    axis->setLinePenColor(mix(base, text, 0.45));
    axis->setGridLineColor(mix(base, text, 0.16));
    axis->setMinorGridLineColor(mix(base, text, 0.07));
}

void setSliderSteps(QSlider* slider, std::vector<long>& steps, const std::vector<long>& next, long current) {
    const bool atLatest = steps.empty() || slider->value() >= static_cast<int>(steps.size()) - 1;
    steps = next;
    slider->setRange(0, std::max(0, static_cast<int>(steps.size()) - 1));
    int idx = static_cast<int>(steps.size()) - 1;
    if (!atLatest) {
        const auto it = std::find(steps.begin(), steps.end(), current);
        if (it != steps.end()) idx = static_cast<int>(it - steps.begin());
    }
    slider->setValue(std::max(idx, 0));
    slider->setEnabled(steps.size() > 1);
}

}  // namespace nsui::chartstyle
