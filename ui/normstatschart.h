// What a norm does to each position's vector: the mean and the (biased) variance over the
// d_model features, entering the norm (dashed) and leaving it (solid), per position, for every
// run that has the chosen norm site. LayerNorm's output sits flat at mean 0, variance 1 (until
// gamma and beta learn otherwise); BatchNorm's does not, since it normalises each feature over
// the batch rather than each position over its features.
#pragma once

#include <QString>
#include <QWidget>

#include <vector>

#include "ui/rundata.h"

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineSeries;
class QSlider;
class QSpinBox;
class QValueAxis;
QT_END_NAMESPACE

namespace nsui {

// The norm sites in the order the model applies them (SPEC section 4), and their labels for
// people: "norm1 (attention)". Shared with the heatmap panel.
const std::vector<QString>& normSiteKeys();
QString normSiteLabel(const QString& site);

// The probe of one norm site in one snapshot (nullptr if that run has no such site).
const ns::NormSiteProbe* findNormSite(const ns::ProbeSnapshot& p, const std::string& site, int layer);

// The value at position t from a per-row (B*T) probe vector: sample b (row b*T + t), or for
// b < 0 the plain average over the batch, summed in double in order b = 0..B-1.
double perPosition(const std::vector<double>& rows, int batch, int seq_len, int b, int t);

// Object names (tests, tools): series "mean_in:<run>", "mean_out:<run>", "var_in:<run>",
// "var_out:<run>" hold (t, value) for the current selection (finite values only; empty when the
// run has no such site, no probe at the step, or fewer samples than the one chosen); controls
// "normSite" (item data = site key), "normLayer", "normSample" (0 = batch mean, k = sample k),
// "normStep" (index into the recorded probe steps), "normFitOutput"; labels "normKinds",
// "normOffChart".
class NormStatsChart : public QWidget {
    Q_OBJECT
public:
    explicit NormStatsChart(QWidget* parent = nullptr);
    ~NormStatsChart() override;

    void setSnapshot(const SnapshotPtr& s);

protected:
    void changeEvent(QEvent* e) override;

private:
    struct RunLines {
        QLineSeries *mean_in = nullptr, *mean_out = nullptr, *var_in = nullptr, *var_out = nullptr;
    };
    void buildSeries(int runs);
    void refreshControls();
    void redraw();
    void applyPalette();
    void updateStepLabel();
    QString currentSite() const;
    int currentSample() const;  // -1 = batch mean
    long currentStep() const;

    SnapshotPtr snap_;
    std::vector<long> steps_;  // probe steps recorded by any run, ascending

    QComboBox* site_ = nullptr;
    QSpinBox* layer_ = nullptr;
    QComboBox* sample_ = nullptr;
    QSlider* step_ = nullptr;
    QLabel* stepLabel_ = nullptr;
    QLabel* kinds_ = nullptr;
    QLabel* keyOut_ = nullptr;
    QLabel* keyIn_ = nullptr;
    QLabel* keyRef_ = nullptr;
    QCheckBox* fit_ = nullptr;
    QLabel* offChart_ = nullptr;  // says when entering lines run off the fitted axes
    QLabel* offChartHint_ = nullptr;  // and, on screen, how to see them
    QLabel* caption_ = nullptr;  // in pictures: the site, layer, sample and step shown

    QChartView *meanView_ = nullptr, *varView_ = nullptr;
    QChart *meanChart_ = nullptr, *varChart_ = nullptr;
    QValueAxis *meanX_ = nullptr, *meanY_ = nullptr, *varX_ = nullptr, *varY_ = nullptr;
    QLineSeries *meanRef_ = nullptr, *varRef_ = nullptr;  // the lines at mean 0 and variance 1
    std::vector<RunLines> lines_;
};

}  // namespace nsui
