// Which numbers share one mean and variance: a [B, T, D] activation drawn as B slices of T x D
// grids (B = 4 sequences, T = 6 positions, D = 8 features), with the cells that share the
// statistics of one chosen cell shaded. LayerNorm and RMSNorm group one position's D features;
// BatchNorm groups one feature over all B x T positions. Hovering a cell chooses it.
#pragma once

#include <QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
QT_END_NAMESPACE

namespace nsui {

class NormAxesCanvas;

class NormAxesDiagram : public QWidget {
    Q_OBJECT
public:
    enum class Kind { LayerNorm, BatchNorm, RMSNorm };
    static constexpr int kB = 4, kT = 6, kD = 8;

    explicit NormAxesDiagram(QWidget* parent = nullptr);

    void setKind(Kind k);
    // "layernorm" | "batchnorm" | "rmsnorm"; returns false (and changes nothing) otherwise.
    bool setKindName(const QString& name);
    Kind kind() const { return kind_; }

    // The cell whose group is shaded (b < kB, t < kT, d < kD).
    void setFocusCell(int b, int t, int d);
    int focusBatch() const { return b_; }
    int focusPosition() const { return t_; }
    int focusFeature() const { return d_; }

    // Whether (b, t, d) shares one mean and variance with (b0, t0, d0) under `kind`.
    static bool sharesStatistics(Kind kind, int b, int t, int d, int b0, int t0, int d0);
    int sharedCount() const;  // cells in the focus cell's group

    // The painted box, and the centre of a cell in its coordinates (for hover tests).
    QWidget* canvas() const;
    QPoint cellCenter(int b, int t, int d) const;

Q_SIGNALS:
    void kindChanged(nsui::NormAxesDiagram::Kind kind);

protected:
    void changeEvent(QEvent* e) override;

private:
    void retranslate();
    void updateCaption();

    Kind kind_ = Kind::LayerNorm;
    int b_ = 0, t_ = 2, d_ = 3;
    QLabel* kindLabel_ = nullptr;
    QComboBox* kindBox_ = nullptr;
    NormAxesCanvas* canvas_ = nullptr;
    QLabel* caption_ = nullptr;
    friend class NormAxesCanvas;
};

}  // namespace nsui
