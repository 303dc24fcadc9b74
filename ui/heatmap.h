// A heatmap painted by hand (Qt Charts has none), and the panel that uses two of them to show
// how big the vectors in the residual stream get: the variance entering a norm, layer by
// position, and the root-mean-square of the hidden state, layer boundary by training step.
#pragma once

#include <QStringList>
#include <QWidget>

#include <limits>
#include <vector>

#include "ui/rundata.h"

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
QT_END_NAMESPACE

namespace nsui {

// Viridis (perceptually uniform, readable in grey and for colour-blind viewers): t in [0, 1].
QColor viridis(double t);

class HeatmapWidget : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapWidget(QWidget* parent = nullptr);

    // values: rows x cols, row-major; NaN marks a missing cell. Row 0 is drawn at the top.
    // With a log scale, cells <= 0 are shown as missing (their value stays in the tooltip).
    void setData(int rows, int cols, std::vector<double> values, QStringList rowLabels, QStringList colLabels,
                 const QString& title, const QString& valueLabel, bool logScale);
    void setAxisTitles(const QString& rowAxis, const QString& columnAxis);
    void setLogScale(bool on);
    // A fixed colour range (for comparing several maps); NaN bounds mean "from the data".
    void setColorRange(double lo, double hi);
    void setHighlightedColumn(int col);  // drawn with an outline; -1 for none

    int rows() const { return rows_; }
    int cols() const { return cols_; }
    double value(int r, int c) const { return values_[static_cast<std::size_t>(r) * cols_ + c]; }
    const QString& title() const { return title_; }
    bool logScale() const { return log_; }
    double colorMin() const { return lo_; }  // the range the colours span, after log and fixing
    double colorMax() const { return hi_; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* e) override;
    bool event(QEvent* e) override;

private:
    struct Layout {
        QRect plot, bar;
        QRect title;
        int rowLabelRight = 0, colLabelTop = 0;
    };
    Layout computeLayout() const;
    void updateRange();
    bool drawable(double v) const { return v == v && (!log_ || v > 0); }
    double position(double v) const;  // of a drawable value on the colour scale, in [0, 1]
    int cellAt(const QPoint& p, const Layout& l, int* r, int* c) const;
    static int edge(int start, int length, int i, int n) { return start + static_cast<int>((static_cast<long long>(length) * i) / n); }

    int rows_ = 0, cols_ = 0;
    std::vector<double> values_;
    QStringList rowLabels_, colLabels_;
    QString title_, valueLabel_, rowAxis_, colAxis_;
    bool log_ = false;
    double fixedLo_ = std::numeric_limits<double>::quiet_NaN(), fixedHi_ = std::numeric_limits<double>::quiet_NaN();
    double lo_ = 0, hi_ = 1;
    int highlight_ = -1;
};

// The two heatmaps of one run with their controls. Object names: "varianceHeatmap" (rows =
// layers, cols = positions, batch-mean var_in of the chosen site at the chosen step),
// "residualHeatmap" (rows = layer boundaries 0..L, cols = probes, hidden_rms or grad_rms);
// controls "heatRun", "heatSite", "heatStep", "heatVarianceLog", "heatGrad", "heatResidualLog",
// "heatSharedScale".

class NormHeatmapPanel : public QWidget {
    Q_OBJECT
public:
    explicit NormHeatmapPanel(QWidget* parent = nullptr);

    void setSnapshot(const SnapshotPtr& s);

    HeatmapWidget* varianceHeatmap() const { return variance_; }
    HeatmapWidget* residualHeatmap() const { return residual_; }

private:
    void refreshControls();
    void redraw();
    void updateStepLabel();
    int currentRun() const;
    long currentStep() const;

    SnapshotPtr snap_;
    std::vector<long> steps_;  // probe steps of the chosen run

    QComboBox* run_ = nullptr;
    QComboBox* site_ = nullptr;
    QSlider* step_ = nullptr;
    QLabel* stepLabel_ = nullptr;
    QCheckBox* varLog_ = nullptr;
    QCheckBox* shared_ = nullptr;
    QCheckBox* grad_ = nullptr;
    QCheckBox* resLog_ = nullptr;
    HeatmapWidget* variance_ = nullptr;
    HeatmapWidget* residual_ = nullptr;
};

}  // namespace nsui
