// Gradient norms from the probes, grouped per layer: across the depth of every run at one step
// ("at a step"), and for one run, each layer's norm as training goes on ("over training").
#pragma once

#include <QWidget>

#include <string>
#include <vector>

#include "engine/report.h"
#include "ui/rundata.h"

class QCategoryAxis;
class QChart;
class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QPushButton;
class QSlider;
class QTabWidget;
class QValueAxis;
class QXYSeries;

namespace nsui {

// Which tensors of a layer a gradient norm covers.
enum class GradGroup { All, AttentionIn, AttentionOut, Ffn1, Ffn2, Norms };

// The group of one tensor (SPEC section 5 names): in_proj_* -> AttentionIn, out_proj.* ->
// AttentionOut, linear1.* -> Ffn1, linear2.* -> Ffn2, norm*.* (and embedding_norm.*,
// final_norm.*) -> Norms; anything else (embedding, positions, head) -> All only.
GradGroup gradGroupOf(const std::string& tensor_name);

// sqrt(sum of squared tensor gradient norms) of `group` at each position of a model with
// `layers` layers: index 0 = embedding (layer -1), 1..layers = the layers, layers + 1 = head.
// NaN where the group has no tensor at that position or a norm is not finite.
std::vector<double> layerGradNorms(const std::vector<ns::TensorNorms>& norms, int layers, GradGroup group);

class GradNormChart : public QWidget {
    Q_OBJECT
public:
    explicit GradNormChart(QWidget* parent = nullptr);
    ~GradNormChart() override;

    void setSnapshot(const SnapshotPtr& s);

protected:
    void changeEvent(QEvent* e) override;

private:
    GradGroup group() const;
    bool logScale() const;
    void updateSteps();       // the slider's steps: every probe step of any run
    void updateRunChoice();   // the run combo of "over training"
    void redraw();
    void redrawAtStep();
    void redrawOverSteps();
    void rebuildAtStepSeries();
    void rebuildOverStepsSeries(int run);
    void setLayerAxis(int max_layers, const std::vector<int>& run_layers);
    void setLog(bool on);
    void applyPalette();
    void showPointTip(QXYSeries* s, const QPointF& p, bool state, bool over_steps);

    SnapshotPtr snap_;
    std::vector<long> steps_;          // sorted probe steps, the slider's positions
    std::vector<QString> run_names_;   // names the "at a step" series were built for
    int over_run_ = -1, over_layers_ = -1;  // what the "over training" series were built for
    int axis_layers_ = 1;               // what the layer axis shows: the deepest run
    std::vector<int> axis_run_layers_;  // and where each run's head is
    QString layer_axis_key_;            // what the layer axis labels were built for

    QComboBox* group_ = nullptr;
    QCheckBox* log_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QSlider* step_ = nullptr;
    QLabel* step_label_ = nullptr;
    QPushButton* at_init_ = nullptr;
    QLabel* at_note_ = nullptr;
    QComboBox* run_ = nullptr;

    QChartView* at_view_ = nullptr;
    QChart* at_chart_ = nullptr;
    QCategoryAxis* at_x_ = nullptr;
    QValueAxis* at_y_ = nullptr;
    QLogValueAxis* at_y_log_ = nullptr;
    std::vector<QLineSeries*> at_series_;  // one per run

    QChartView* over_view_ = nullptr;
    QChart* over_chart_ = nullptr;
    QValueAxis* over_x_ = nullptr;
    QValueAxis* over_y_ = nullptr;
    QLogValueAxis* over_y_log_ = nullptr;
    std::vector<QLineSeries*> over_series_;  // embedding, layers 0..L-1, head
};

}  // namespace nsui
