// Training curves of every run overlaid: loss above, accuracy below, x = step. Train curves
// are solid (optionally EMA-smoothed), validation dashed with dots; a diverged run ends in a
// red cross with a sentence saying when and why. Drag to zoom, double-click to zoom out.
#pragma once

#include <QStringList>
#include <QWidget>

#include <array>
#include <vector>

#include "ui/rundata.h"

class QChart;
class QCheckBox;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QScatterSeries;
class QSlider;
class QValueAxis;
class QXYSeries;

namespace nsui {

class ZoomChartView;

class TrainingCurvesChart : public QWidget {
    Q_OBJECT
public:
    explicit TrainingCurvesChart(QWidget* parent = nullptr);
    ~TrainingCurvesChart() override;

    void setSnapshot(const SnapshotPtr& s);

    // EMA weight of the train curves, 0 (raw) .. 0.99.
    double smoothing() const;

protected:
    void changeEvent(QEvent* e) override;

private:
    // The series of one run in both charts.
    struct RunItems {
        QLineSeries* train_loss = nullptr;
        QLineSeries* val_loss = nullptr;
        QLineSeries* train_acc = nullptr;
        QLineSeries* val_acc = nullptr;
        QLineSeries* raw_loss = nullptr;  // unsmoothed train values, faint, while smoothing > 0
        QLineSeries* raw_acc = nullptr;
        std::array<QLineSeries*, 6> all() const { return {train_loss, val_loss, train_acc, val_acc, raw_loss, raw_acc}; }
    };
    struct DivergedNote {
        QPointF at;                                 // (step, loss) where the cross is drawn
        QGraphicsRectItem* box = nullptr;           // the label on the loss chart: a frame
        QGraphicsSimpleTextItem* label = nullptr;   // and its sentence
    };

    void ensureRuns();  // one RunItems per run; rebuilt only when the runs change
    void redraw();
    void updateDiverged();
    void placeNotes();
    void styleNotes();
    void rescaleAxes();
    void setLogY(bool on);
    void resetZoom(QChart* chart);
    void alignPlotAreas();
    void applyPalette();
    void showPointTip(QXYSeries* s, const QPointF& p, bool state);

    SnapshotPtr snap_;
    std::vector<RunItems> runs_;
    std::vector<QString> run_names_;  // names the series were built for
    std::vector<DivergedNote> notes_;
    QStringList note_texts_;  // the sentences notes_ were made for
    double loss_lo_ = 0, loss_hi_ = 1;  // unzoomed range of the loss axis
    int extra_left_[2] = {0, 0};       // added to the left margins of the loss and accuracy charts

    QSlider* smoothing_ = nullptr;
    QLabel* smoothing_value_ = nullptr;
    QCheckBox* log_y_ = nullptr;
    QCheckBox* hide_val_ = nullptr;

    ZoomChartView* loss_view_ = nullptr;
    ZoomChartView* acc_view_ = nullptr;
    QChart* loss_chart_ = nullptr;
    QChart* acc_chart_ = nullptr;
    QValueAxis* loss_x_ = nullptr;
    QValueAxis* loss_y_ = nullptr;
    QLogValueAxis* loss_y_log_ = nullptr;
    QValueAxis* acc_x_ = nullptr;
    QValueAxis* acc_y_ = nullptr;
    QScatterSeries* loss_crosses_ = nullptr;  // one point per diverged run
    QScatterSeries* acc_crosses_ = nullptr;
    QLineSeries* key_train_ = nullptr;  // empty: the legend's key to the line styles
    QLineSeries* key_val_ = nullptr;
};

}  // namespace nsui
