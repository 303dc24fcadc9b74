// LayerNorm's formula on the engine's own numbers: for one run, norm site, layer and position of
// the first training sequence, the vector entering the norm, its mean and (biased) variance over
// D, eps, the normalized vector, gamma, beta and the vector leaving the norm, laid out as
// y = gamma * (x - mean) / sqrt(var + eps) + beta. The engine's y is shown beside y recomputed
// here from the printed numbers, with the largest difference as a check. RMSNorm, the tutorial
// variant (layernorm_std), DyT, BatchNorm and "none" show their own formula and say what differs.
#pragma once

#include <QWidget>

#include <limits>
#include <vector>

#include "engine/config.h"
#include "engine/model.h"
#include "ui/rundata.h"

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QSpinBox;
class QStackedWidget;
class QTextBrowser;
QT_END_NAMESPACE

namespace nsui {

// Everything the view prints for one position t, computed in double from the probe.
struct FormulaNumbers {
    ns::NormKind kind = ns::NormKind::None;
    int d_model = 0, position = 0;
    std::vector<double> x;           // entering the norm (sample_in row t)
    std::vector<double> xhat;        // normalized, before gamma and beta (empty for batchnorm, none)
    std::vector<double> gamma, beta; // empty where the kind has none
    std::vector<double> y;           // leaving the norm: the engine's sample_out row t
    std::vector<double> y_recomputed;  // from the numbers above (empty for batchnorm)
    double mean = 0;                 // of x over D
    double var = 0;                  // of x over D, biased (divide by D)
    double std_unbiased = 0;         // layernorm_std: divide by D - 1
    double mean_square = 0;          // rmsnorm: mean of x^2
    double denom = 0;                // what x - mean (or x) is divided by
    double eps = 0, alpha = 0;
    double xhat_mean = 0, xhat_var = 0;  // of xhat over D
    double y_mean = 0, y_var = 0;        // of the engine's y over D
    // Largest |y - y_recomputed| over the D features; NaN where y cannot be recomputed from one
    // position (BatchNorm's statistics come from the whole batch).
    double max_abs_error = std::numeric_limits<double>::quiet_NaN();
};

// The numbers of position t of the first sample in a norm site's probe. `seq_len` is the
// probe's T (sample_in holds T x D values). Returns false if the probe has no such row.
bool computeFormulaNumbers(const ns::NormSiteProbe& probe, int seq_len, int t, FormulaNumbers* out);

class SampleGrid;

class LayerNormFormulaView : public QWidget {
    Q_OBJECT
public:
    explicit LayerNormFormulaView(QWidget* parent = nullptr);
    ~LayerNormFormulaView() override;

    void setSnapshot(const SnapshotPtr& s);
    // What to show: run index, norm site, layer (-1 outside the stack), and which probe,
    // "init" (step 0) or "latest". Applied now and kept when new snapshots arrive.
    void setSelection(int run, const QString& site, int layer, const QString& step);
    void setPosition(int t);
    int position() const;
    int feature() const;

    bool hasNumbers() const { return has_numbers_; }
    const FormulaNumbers& numbers() const { return numbers_; }  // of what is on screen
    long shownStep() const { return shown_step_; }              // the probe's step, -1 if none

protected:
    void changeEvent(QEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;

private:
    void retranslate();
    void refreshControls();
    void recompute();
    void fillRows();
    const ns::ProbeSnapshot* currentProbe() const;

    SnapshotPtr snap_;
    int want_run_ = 0, want_layer_ = 0;
    QString want_site_ = QStringLiteral("norm1"), want_step_ = QStringLiteral("latest");
    bool updating_ = false;

    QLabel* runLabel_ = nullptr;
    QLabel* siteLabel_ = nullptr;
    QLabel* layerLabel_ = nullptr;
    QLabel* positionLabel_ = nullptr;
    QLabel* stepLabel_ = nullptr;
    QLabel* featureLabel_ = nullptr;
    QComboBox* run_ = nullptr;
    QComboBox* site_ = nullptr;
    QSpinBox* layer_ = nullptr;
    QSpinBox* position_ = nullptr;
    QComboBox* step_ = nullptr;
    QSpinBox* feature_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    QLabel* empty_ = nullptr;
    QLabel* where_ = nullptr;
    SampleGrid* grid_ = nullptr;
    QLabel* gridCaption_ = nullptr;
    QTextBrowser* doc_ = nullptr;  // the formula, the worked line, the table of symbols, the check

    FormulaNumbers numbers_;
    bool has_numbers_ = false;
    long shown_step_ = -1;
};

}  // namespace nsui
