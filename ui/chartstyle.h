// Small helpers shared by the Qt Charts widgets: axis ranges with round ticks, palette styling.
#pragma once

#include <QColor>
#include <QFont>
#include <QMargins>
#include <QPalette>

#include <vector>

class QAbstractAxis;
class QChart;
class QSlider;
class QLogValueAxis;
class QValueAxis;

namespace nsui::chartstyle {

bool finite(double v);
QColor mix(const QColor& a, const QColor& b, double t);
// A tick interval of 1, 2 or 5 times a power of ten giving about `target` ticks over `span`.
double niceInterval(double span, int target);
// Range [lo, hi] with ticks at multiples of a nice interval and labels with just enough decimals.
void setLinearRange(QValueAxis* axis, double lo, double hi, int target_ticks, bool integer);
// Whole decades around [lo, hi] (both > 0), so that a log axis always shows at least two labels.
void setLogRange(QLogValueAxis* axis, double lo, double hi);
void styleAxis(QAbstractAxis* axis, const QPalette& pal, const QFont& font);
// A chart as every tab draws them: square, tight margins, legend markers shaped as their series.
QChart* makeChart();
// Colours from the palette (light or dark), the given font everywhere; a bold title if asked.
void styleChart(QChart* chart, const QPalette& pal, const QFont& font, bool boldTitle = false);
// The margins makeChart() sets.
QMargins chartMargins();
// Points a step slider at a new list of recorded probe steps: it follows the latest step unless
// it was moved back, in which case it stays on the step it showed (`current`).
void setSliderSteps(QSlider* slider, std::vector<long>& steps, const std::vector<long>& next, long current);

}  // namespace nsui::chartstyle
